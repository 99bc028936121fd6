//! Output formats of `tplc check` and `tplc build`: human (ariadne), json, sarif, github.
//! All of them print the same diagnostics the language server publishes.

use ariadne::{Color, Config, IndexType, Label, Report, ReportKind};
use serde_json::{json, Value};
use std::borrow::Cow;
use std::io::Write;
use std::path::{Path, PathBuf};
use tplc_diagnostics::controls::{control_pictures, escape_controls, PictureOffsets};
use tplc_diagnostics::{Diagnostic, LineIndex, PositionEncoding, Severity};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
}

/// One file's diagnostics with the text their spans point into.
pub struct FileReport<'a> {
    /// As shown to the user (relative to the working directory when possible).
    pub display: String,
    pub path: &'a Path,
    pub source: &'a str,
    pub diagnostics: &'a [Diagnostic],
}

pub struct Summary {
    pub files: usize,
    pub errors: usize,
    pub warnings: usize,
}

pub fn summarize(files: &[FileReport<'_>]) -> Summary {
    let all = || files.iter().flat_map(|f| f.diagnostics.iter());
    Summary {
        files: files.len(),
        errors: all().filter(|d| d.severity == Severity::Error).count(),
        warnings: all().filter(|d| d.severity == Severity::Warning).count(),
    }
}

/// Show a path relative to the working directory when it is below it.
pub fn display_path(path: &Path) -> String {
    let cwd = std::env::current_dir().ok();
    let shown = cwd
        .as_deref()
        .and_then(|c| path.strip_prefix(c).ok())
        .unwrap_or(path);
    shown.display().to_string()
}

pub fn write(
    out: &mut dyn Write,
    format: Format,
    files: &[FileReport<'_>],
    color: bool,
) -> std::io::Result<()> {
    match format {
        Format::Human => human(out, files, color),
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&json_report(files)).unwrap_or_default()
        ),
        Format::Sarif => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&sarif(files)).unwrap_or_default()
        ),
        Format::Github => github(out, files),
    }
}

/// 1-based line/column in Unicode scalar values, for one span end.
fn position(index: &LineIndex, src: &str, offset: usize) -> (u32, u32) {
    let lc = index.line_col(src, offset, PositionEncoding::Chars);
    (lc.line + 1, lc.col + 1)
}

pub fn diagnostic_json(file: &str, src: &str, index: &LineIndex, d: &Diagnostic) -> Value {
    let (line, column) = position(index, src, d.span.start);
    let (end_line, end_column) = position(index, src, d.span.end);
    json!({
        "file": file,
        "code": d.code,
        "severity": d.severity.as_str(),
        "message": d.message,
        "line": line,
        "column": column,
        "end_line": end_line,
        "end_column": end_column,
        "start": d.span.start,
        "end": d.span.end,
    })
}

pub fn json_report(files: &[FileReport<'_>]) -> Value {
    let mut diags = Vec::new();
    for f in files {
        let index = LineIndex::new(f.source);
        for d in f.diagnostics {
            diags.push(diagnostic_json(&f.display, f.source, &index, d));
        }
    }
    let s = summarize(files);
    json!({
        "diagnostics": diags,
        "summary": { "files": s.files, "errors": s.errors, "warnings": s.warnings },
    })
}

/// Most diagnostics drawn per file in the human format. Each one prints its source lines,
/// so thousands (a file of unclosed `{{`) would bury the first, most useful ones and take
/// long to draw; the machine formats list every one.
const HUMAN_MAX_PER_FILE: usize = 50;

fn human(out: &mut dyn Write, files: &[FileReport<'_>], color: bool) -> std::io::Result<()> {
    for f in files {
        for d in f.diagnostics.iter().take(HUMAN_MAX_PER_FILE) {
            render_one(out, f, d, color)?;
        }
        if let Some(more) = f.diagnostics.len().checked_sub(HUMAN_MAX_PER_FILE) {
            if more > 0 {
                writeln!(
                    out,
                    "{}: {more} more problems not shown; fix the ones above first, or see all with `--format json`",
                    escape_controls(&f.display)
                )?;
            }
        }
    }
    let s = summarize(files);
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    writeln!(
        out,
        "{}: {}, {}",
        plural(s.files, "file"),
        plural(s.errors, "error"),
        plural(s.warnings, "warning")
    )
}

/// One diagnostic as an ariadne report: the source line, the exact span underlined,
/// secondary labels (also in other files), help, fix titles and the docs link.
///
/// Template text and messages quoting it may hold terminal control sequences: the source
/// lines are shown with each control character as one visible symbol (spans mapped to
/// match), messages and file names with control characters escaped.
pub fn render_one(
    out: &mut dyn Write,
    f: &FileReport<'_>,
    d: &Diagnostic,
    color: bool,
) -> std::io::Result<()> {
    let kind = match d.severity {
        Severity::Error => ReportKind::Error,
        Severity::Warning => ReportKind::Warning,
        Severity::Info => ReportKind::Advice,
    };
    let id = escape_controls(&f.display).into_owned();
    let mut sources: Vec<(String, String)> = Vec::new();
    let span = shown_span(&id, f.source, d.span.start..d.span.end, &mut sources);
    let message = escape_controls(&d.message);
    let mut report = Report::build(kind, (id.clone(), span.clone()))
        .with_config(
            Config::default()
                .with_index_type(IndexType::Byte)
                .with_color(color),
        )
        .with_code(d.code)
        .with_message(&message)
        .with_label(
            Label::new((id.clone(), span))
                .with_message(&message)
                .with_color(Color::Red),
        );
    for l in &d.labels {
        let (lid, text) = match &l.file {
            Some(p) if p != f.path => {
                let lid = escape_controls(&display_path(p)).into_owned();
                match std::fs::read_to_string(p) {
                    Ok(t) => (lid, Cow::Owned(t)),
                    Err(_) => continue,
                }
            }
            _ => (id.clone(), Cow::Borrowed(f.source)),
        };
        let range = shown_span(&lid, &text, l.span.start..l.span.end, &mut sources);
        report = report.with_label(
            Label::new((lid, range))
                .with_message(escape_controls(&l.message))
                .with_color(Color::Blue),
        );
    }
    if let Some(help) = &d.help {
        report = report.with_help(escape_controls(help));
    }
    for fix in &d.fixes {
        report = report.with_note(format!("fix available: {}", escape_controls(&fix.title)));
    }
    report = report.with_note(format!(
        "see {} or run `tplc explain {}`",
        d.docs_url(),
        d.code
    ));
    let mut buf = Vec::new();
    report.finish().write(ariadne::sources(sources), &mut buf)?;
    out.write_all(&buf)
}

/// Register `text` as the source `id` in its terminal-safe form (once per id) and return
/// `span`, clamped to character boundaries, as a byte range of that form.
fn shown_span(
    id: &str,
    text: &str,
    span: std::ops::Range<usize>,
    sources: &mut Vec<(String, String)>,
) -> std::ops::Range<usize> {
    let range = clamp(text, span);
    if !sources.iter().any(|(s, _)| s == id) {
        sources.push((id.to_string(), control_pictures(text).into_owned()));
    }
    let offsets = PictureOffsets::new(text);
    offsets.map(range.start)..offsets.map(range.end)
}

fn clamp(text: &str, r: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let mut start = r.start.min(text.len());
    while start > 0 && !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = r.end.clamp(start, text.len());
    while end < text.len() && !text.is_char_boundary(end) {
        end += 1;
    }
    start..end
}

fn github(out: &mut dyn Write, files: &[FileReport<'_>]) -> std::io::Result<()> {
    for f in files {
        let index = LineIndex::new(f.source);
        for d in f.diagnostics {
            let (line, col) = position(&index, f.source, d.span.start);
            let (end_line, end_col) = position(&index, f.source, d.span.end);
            let level = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "notice",
            };
            writeln!(
                out,
                "::{level} file={},line={line},col={col},endLine={end_line},endColumn={end_col},title={}::{}",
                escape_property(&escape_controls(&f.display)),
                escape_property(d.code),
                escape_data(&escape_controls(&d.message))
            )?;
        }
    }
    Ok(())
}

/// GitHub workflow-command escaping. Control characters are escaped before (see
/// [`escape_controls`]): a runner's log is a terminal too.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// SARIF 2.1.0 as GitHub code scanning reads it: one run, a rule per code used, results with
/// 1-based regions (columns in Unicode scalar values, declared by `columnKind`).
pub fn sarif(files: &[FileReport<'_>]) -> Value {
    let mut codes: Vec<&str> = files
        .iter()
        .flat_map(|f| f.diagnostics.iter().map(|d| d.code))
        .collect();
    codes.sort_unstable();
    codes.dedup();
    let rules: Vec<Value> = codes
        .iter()
        .map(|code| {
            let info = tplc_project::code_info(code);
            let summary = info.map(|i| i.summary).unwrap_or("");
            let level = info
                .map(|i| sarif_level(i.default_severity))
                .unwrap_or("warning");
            json!({
                "id": code,
                "name": code,
                "shortDescription": { "text": summary },
                "helpUri": tplc_diagnostics::docs_url(code),
                "defaultConfiguration": { "level": level },
            })
        })
        .collect();
    let mut results = Vec::new();
    for f in files {
        let index = LineIndex::new(f.source);
        for d in f.diagnostics {
            let (line, col) = position(&index, f.source, d.span.start);
            let (end_line, end_col) = position(&index, f.source, d.span.end);
            let uri = f.display.replace('\\', "/");
            let mut result = json!({
                "ruleId": d.code,
                "ruleIndex": codes.iter().position(|c| *c == d.code).unwrap_or(0),
                "level": sarif_level(d.severity),
                "message": { "text": d.message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri },
                        "region": { "startLine": line, "startColumn": col, "endLine": end_line, "endColumn": end_col,
                                    "byteOffset": d.span.start, "byteLength": d.span.len() }
                    }
                }],
            });
            if !d.labels.is_empty() {
                let related: Vec<Value> = d
                    .labels
                    .iter()
                    .enumerate()
                    .map(|(i, l)| {
                        let path: PathBuf = l.file.clone().unwrap_or_else(|| f.path.to_path_buf());
                        json!({
                            "id": i,
                            "message": { "text": l.message },
                            "physicalLocation": {
                                "artifactLocation": { "uri": display_path(&path).replace('\\', "/") },
                                "region": { "byteOffset": l.span.start, "byteLength": l.span.len() }
                            }
                        })
                    })
                    .collect();
                result["relatedLocations"] = Value::Array(related);
            }
            results.push(result);
        }
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "tplc",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://tplc.dev",
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}
