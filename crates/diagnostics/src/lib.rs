//! One diagnostic model for every stage (syntax, types, compliance rules, project checks)
//! and every front end (terminal, JSON, SARIF, the language server).
//!
//! Spans are byte offsets into the source text of one file. Conversions to lines and
//! columns (Unicode scalar values for the CLI, UTF-16 or UTF-8 for LSP clients) live in
//! [`LineIndex`], so no front end counts characters on its own.

pub mod controls;
mod line_index;

pub use line_index::{LineCol, LineIndex, PositionEncoding};
use serde::Serialize;
use std::fmt;
use std::path::PathBuf;

/// Base URL of the per-code documentation pages (the same text `tplc explain CODE` prints,
/// kept in `docs/rules/` and `docs/diagnostics.md`).
pub const DOCS_BASE_URL: &str = "https://tplc.dev/docs/codes/";

/// Diagnostics listed per file; past them, stages count the problems they find without
/// describing them, and one `too-many-diagnostics` warning gives the count.
pub const MAX_DIAGNOSTICS_PER_FILE: usize = 1000;

/// A half-open byte range `start..end` into one file's text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
    pub const fn empty(at: usize) -> Self {
        Span { start: at, end: at }
    }
    pub fn len(&self) -> usize {
        self.end - self.start
    }
    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }
    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
    pub fn contains(&self, offset: usize) -> bool {
        self.start <= offset && offset < self.end
    }
    pub fn shift(self, by: usize) -> Span {
        Span::new(self.start + by, self.end + by)
    }
}

impl From<std::ops::Range<usize>> for Span {
    fn from(r: std::ops::Range<usize>) -> Self {
        Span::new(r.start, r.end)
    }
}

impl From<Span> for std::ops::Range<usize> {
    fn from(s: Span) -> Self {
        s.start..s.end
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "error" => Some(Severity::Error),
            "warning" | "warn" => Some(Severity::Warning),
            "info" => Some(Severity::Info),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A secondary location. `file: None` means the same file as the diagnostic.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Label {
    pub span: Span,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<PathBuf>,
}

impl Label {
    pub fn new(span: Span, message: impl Into<String>) -> Self {
        Label {
            span,
            message: message.into(),
            file: None,
        }
    }
    pub fn in_file(file: impl Into<PathBuf>, span: Span, message: impl Into<String>) -> Self {
        Label {
            span,
            message: message.into(),
            file: Some(file.into()),
        }
    }
}

/// Replace the bytes of `span` with `new_text`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TextEdit {
    pub span: Span,
    pub new_text: String,
}

impl TextEdit {
    pub fn replace(span: Span, new_text: impl Into<String>) -> Self {
        TextEdit {
            span,
            new_text: new_text.into(),
        }
    }
    pub fn insert(at: usize, new_text: impl Into<String>) -> Self {
        TextEdit {
            span: Span::empty(at),
            new_text: new_text.into(),
        }
    }
    pub fn delete(span: Span) -> Self {
        TextEdit {
            span,
            new_text: String::new(),
        }
    }
}

/// Whether a fix can be applied without a human reading it (ruff's applicability).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Keeps the meaning; safe to apply automatically.
    Safe,
    /// Changes the wording or behaviour; offer it, never apply it silently.
    Unsafe,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub title: String,
    pub edits: Vec<TextEdit>,
    pub applicability: Applicability,
}

impl Fix {
    pub fn safe(title: impl Into<String>, edits: Vec<TextEdit>) -> Self {
        Fix {
            title: title.into(),
            edits,
            applicability: Applicability::Safe,
        }
    }
    pub fn unsafe_(title: impl Into<String>, edits: Vec<TextEdit>) -> Self {
        Fix {
            title: title.into(),
            edits,
            applicability: Applicability::Unsafe,
        }
    }

    /// Apply the edits to `text`. Edits must not overlap.
    pub fn apply(&self, text: &str) -> String {
        apply_edits(text, &self.edits)
    }
}

/// Apply non-overlapping edits to `text` (in any order).
pub fn apply_edits(text: &str, edits: &[TextEdit]) -> String {
    let mut sorted: Vec<&TextEdit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for e in sorted {
        let start = e.span.start.clamp(at, text.len());
        out.push_str(&text[at..start]);
        out.push_str(&e.new_text);
        at = e.span.end.clamp(start, text.len());
    }
    out.push_str(&text[at..]);
    out
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Stable kebab-case code, e.g. `unknown-placeholder`.
    pub code: &'static str,
    pub severity: Severity,
    /// What is wrong and what to do.
    pub message: String,
    pub span: Span,
    pub labels: Vec<Label>,
    pub help: Option<String>,
    pub fixes: Vec<Fix>,
}

impl Diagnostic {
    pub fn new(
        code: &'static str,
        severity: Severity,
        span: Span,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            code,
            severity,
            message: message.into(),
            span,
            labels: Vec::new(),
            help: None,
            fixes: Vec::new(),
        }
    }
    pub fn error(code: &'static str, span: Span, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Error, span, message)
    }
    pub fn warning(code: &'static str, span: Span, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Warning, span, message)
    }
    pub fn info(code: &'static str, span: Span, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Info, span, message)
    }
    pub fn with_label(mut self, label: Label) -> Self {
        self.labels.push(label);
        self
    }
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fixes.push(fix);
        self
    }
    /// Link to the page that explains this code.
    pub fn docs_url(&self) -> String {
        docs_url(self.code)
    }
}

pub fn docs_url(code: &str) -> String {
    format!("{DOCS_BASE_URL}{code}")
}

/// Static facts about one diagnostic code, declared by the crate that emits it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CodeInfo {
    pub code: &'static str,
    pub default_severity: Severity,
    /// One line: what the code reports.
    pub summary: &'static str,
    /// The long explanation (Markdown) shown by `tplc explain`.
    pub explanation: &'static str,
}

/// Sort diagnostics into the order every front end shows them: by position, then code.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        (a.span.start, a.span.end, a.code).cmp(&(b.span.start, b.span.end, b.code))
    });
}
