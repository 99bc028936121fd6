//! The canonical layout of a template: `tplc fmt` and the language server's
//! "format document" both call [`format`].
//!
//! Only the header and the insides of tags are rewritten; literal body text is copied
//! byte for byte except for whitespace at the end of a line and at the end of the file,
//! which the compiler ignores. So formatting never changes what a buyer receives.
//!
//! Canonical form:
//! - header lines `key: value` (one space after the colon), `param name: type`;
//! - `{{ expr }}`, `{% stmt %}`, `{# text #}` with one space inside the delimiters,
//!   one space around `|` and operators, `f(a, b)` argument lists, names joined by `.`;
//! - no trailing whitespace; exactly one final newline.

use std::fmt;
use tplc_diagnostics::{Diagnostic, Severity, Span};
use tplc_syntax::lexer::{lex_tag, segments, Segment, TagKind};
use tplc_syntax::tag::{parse_output, parse_stmt, Stmt};
use tplc_syntax::{Expr, ExprKind, Literal};

/// Why a file was left as it is.
#[derive(Clone, Debug, PartialEq)]
pub struct FormatError {
    /// The syntax errors that must be fixed first (spans into the source).
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.diagnostics.first() {
            Some(d) => write!(
                f,
                "the template has {} syntax error(s), fix them before formatting; first: {}",
                self.diagnostics.len(),
                d.message
            ),
            None => f.write_str("the template cannot be formatted"),
        }
    }
}

impl std::error::Error for FormatError {}

/// Format a whole template file. Refuses (with the syntax errors) when the file does not
/// parse, since rewriting a half-understood tag could change its meaning.
pub fn format(source: &str) -> Result<String, FormatError> {
    let parse = tplc_syntax::parse(source);
    let errors: Vec<Diagnostic> = parse
        .diagnostics
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    if !errors.is_empty() {
        return Err(FormatError {
            diagnostics: errors,
        });
    }
    let template = parse.template;
    let mut out = String::with_capacity(source.len() + 16);
    let bom = if source.starts_with('\u{feff}') { 3 } else { 0 };
    out.push_str(&source[..bom]);
    let body_start = match &template.header {
        Some(header) => {
            format_header(source, header, &mut out)?;
            template.body_start
        }
        None => bom,
    };
    format_nodes_text(source, body_start, source.len(), &mut out)?;
    Ok(finish(out))
}

/// Whether `source` is already formatted (`tplc fmt --check`).
pub fn is_formatted(source: &str) -> Result<bool, FormatError> {
    Ok(format(source)? == source)
}

/// Strip whitespace at line ends and at the end of the file, end with one newline.
fn finish(text: String) -> String {
    let mut out = String::with_capacity(text.len() + 1);
    let mut rest = text.as_str();
    while let Some(nl) = rest.find('\n') {
        let (line, crlf) = match rest[..nl].strip_suffix('\r') {
            Some(l) => (l, true),
            None => (&rest[..nl], false),
        };
        // A stray `\r` before the break counts as trailing blank too: kept, it would
        // turn into a CRLF break once the spaces after it are gone (not idempotent).
        out.push_str(line.trim_end_matches([' ', '\t', '\r']));
        out.push_str(if crlf { "\r\n" } else { "\n" });
        rest = &rest[nl + 1..];
    }
    out.push_str(rest);
    let crlf = out.contains("\r\n");
    let kept = out.trim_end_matches(['\n', '\r', ' ', '\t']).len();
    out.truncate(kept);
    if !out.is_empty() && out != "\u{feff}" {
        out.push_str(if crlf { "\r\n" } else { "\n" });
    }
    out
}

/// Lines of `src[from..to]` as (start, end without the break, end with the break).
fn lines(src: &str, from: usize, to: usize) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    let mut at = from;
    while at < to {
        let (end, next) = match src[at..to].find('\n') {
            Some(i) => (at + i, at + i + 1),
            None => (to, to),
        };
        let content_end = if src[at..end].ends_with('\r') {
            end - 1
        } else {
            end
        };
        out.push((at, content_end, next));
        at = next;
    }
    out
}

fn format_header(
    src: &str,
    header: &tplc_syntax::Header,
    out: &mut String,
) -> Result<(), FormatError> {
    // The header ends after its closing fence line; include that line's break.
    let end = match src[header.span.end..].find('\n') {
        Some(i) if src[header.span.end..header.span.end + i].trim().is_empty() => {
            header.span.end + i + 1
        }
        _ => header.span.end,
    };
    for (start, content_end, next) in lines(src, header.span.start, end) {
        let line = &src[start..content_end];
        let brk = &src[content_end..next];
        let trimmed = line.trim();
        if let Some(p) = header.params.iter().find(|p| p.span.start == start) {
            out.push_str(&format!("param {}: {}", p.name.node, p.ty.node));
        } else if let Some(e) = header.entries.iter().find(|e| e.span.start == start) {
            let colon = line.find(':').unwrap_or(line.len());
            let raw_start = (start + colon + 1).min(content_end);
            let value = trim_span(src, Span::new(raw_start, content_end));
            out.push_str(&e.key.node);
            out.push(':');
            if !value.is_empty() {
                out.push(' ');
                if e.key.node == "subject" {
                    format_nodes_text(src, value.start, value.end, out)?;
                } else {
                    out.push_str(&src[value.start..value.end]);
                }
            }
        } else {
            // Fences, blank lines and `#` comments.
            out.push_str(trimmed);
        }
        out.push_str(brk);
    }
    Ok(())
}

fn trim_span(src: &str, s: Span) -> Span {
    let text = &src[s.start..s.end];
    let lead = text.len() - text.trim_start().len();
    Span::new(s.start + lead, s.start + lead + text.trim().len())
}

fn refuse(span: Span, message: &str) -> FormatError {
    FormatError {
        diagnostics: vec![Diagnostic::error(
            tplc_syntax::SYNTAX_ERROR,
            span,
            message.to_string(),
        )],
    }
}

/// Copy `src[start..end]`, rewriting every tag into its canonical form.
fn format_nodes_text(
    src: &str,
    start: usize,
    end: usize,
    out: &mut String,
) -> Result<(), FormatError> {
    for seg in segments(src, start, end) {
        match seg {
            Segment::Text(span) => out.push_str(&src[span.start..span.end]),
            Segment::Tag {
                kind,
                span,
                inner,
                closed,
            } => {
                if !closed {
                    return Err(refuse(span, "this tag is not closed"));
                }
                out.push_str(&format_tag(src, kind, span, inner)?);
            }
        }
    }
    Ok(())
}

/// The canonical text of one closed tag.
pub fn format_tag(
    src: &str,
    kind: TagKind,
    span: Span,
    inner: Span,
) -> Result<String, FormatError> {
    let inside = &src[inner.start..inner.end];
    if kind == TagKind::Comment {
        let body = inside.trim();
        return Ok(if body.is_empty() {
            "{# #}".to_string()
        } else {
            format!("{{# {body} #}}")
        });
    }
    let (toks, lex_errors) = lex_tag(inside, inner.start);
    if !lex_errors.is_empty() {
        return Err(refuse(span, "this tag holds a character tags cannot hold"));
    }
    let eoi = Span::empty(inner.end);
    let text = match kind {
        TagKind::Output => {
            let e = parse_output(&toks, eoi)
                .map_err(|_| refuse(span, "this placeholder does not parse"))?;
            format!("{{{{ {} }}}}", expr(src, &e)?)
        }
        TagKind::Statement => {
            let s = parse_stmt(&toks, eoi)
                .map_err(|_| refuse(span, "this statement does not parse"))?;
            let body = match s {
                Stmt::If(c) => format!("if {}", expr(src, &c)?),
                Stmt::Elif(c) => format!("elif {}", expr(src, &c)?),
                Stmt::Else => "else".to_string(),
                Stmt::EndIf => "endif".to_string(),
                Stmt::For { var, iter } => format!("for {} in {}", var.node, expr(src, &iter)?),
                Stmt::EndFor => "endfor".to_string(),
                // The string as written keeps its quotes and escapes.
                Stmt::Include(name) => format!("include {}", &src[name.span.start..name.span.end]),
            };
            format!("{{% {body} %}}")
        }
        TagKind::Comment => unreachable!("handled above"),
    };
    Ok(text)
}

/// Whether the author wrote parentheses around `e` (they are kept: they often say
/// what the author meant even where precedence makes them redundant).
fn parenthesized(src: &str, e: &Expr) -> bool {
    if src.as_bytes().get(e.span.start) != Some(&b'(') {
        return false;
    }
    match &e.kind {
        ExprKind::Filter { target, .. } => e.span.start < target.span.start,
        ExprKind::Binary { lhs, .. } => e.span.start < lhs.span.start,
        _ => true,
    }
}

/// Deepest nesting printed; the parser bounds parentheses and `not`, so only chains of
/// operators and filters grow long, and those are printed in a loop, not by recursion.
const MAX_DEPTH: usize = 256;

fn expr(src: &str, e: &Expr) -> Result<String, FormatError> {
    expr_at(src, e, 0)
}

fn expr_at(src: &str, e: &Expr, depth: usize) -> Result<String, FormatError> {
    if depth > MAX_DEPTH {
        return Err(refuse(
            e.span,
            "this expression is nested too deeply to format",
        ));
    }
    let inner = match &e.kind {
        ExprKind::Path(segs) => segs
            .iter()
            .map(|s| s.node.as_str())
            .collect::<Vec<_>>()
            .join("."),
        ExprKind::Literal(Literal::Bool(b)) => b.to_string(),
        // Numbers and strings keep their spelling (quotes, escapes, leading zeros).
        ExprKind::Literal(_) => {
            let mut text = src[e.span.start..e.span.end].trim();
            while text.len() >= 2 && text.starts_with('(') && text.ends_with(')') {
                text = text[1..text.len() - 1].trim();
            }
            text.to_string()
        }
        ExprKind::Filter { .. } => {
            // `a | f | g | ...`: walk down the chain of targets written without parentheses.
            let mut filters = Vec::new();
            let mut cur = e;
            while let ExprKind::Filter { target, name, args } = &cur.kind {
                if !std::ptr::eq(cur, e) && parenthesized(src, cur) {
                    break;
                }
                filters.push((name, args));
                cur = target;
            }
            let mut s = expr_at(src, cur, depth + 1)?;
            for (name, args) in filters.into_iter().rev() {
                s.push_str(" | ");
                s.push_str(&name.node);
                if !args.is_empty() {
                    let args: Result<Vec<String>, FormatError> =
                        args.iter().map(|a| expr_at(src, a, depth + 1)).collect();
                    s.push_str(&format!("({})", args?.join(", ")));
                }
            }
            s
        }
        ExprKind::Not(inner) => format!("not {}", expr_at(src, inner, depth + 1)?),
        ExprKind::Binary { .. } => {
            // `a and b and c ...` is a left-leaning chain: print it in a loop.
            let mut rights = Vec::new();
            let mut cur = e;
            while let ExprKind::Binary { op, lhs, rhs } = &cur.kind {
                if !std::ptr::eq(cur, e) && parenthesized(src, cur) {
                    break;
                }
                rights.push((op, rhs));
                cur = lhs;
            }
            let mut s = expr_at(src, cur, depth + 1)?;
            for (op, rhs) in rights.into_iter().rev() {
                s.push(' ');
                s.push_str(op.node.as_str());
                s.push(' ');
                s.push_str(&expr_at(src, rhs, depth + 1)?);
            }
            s
        }
        ExprKind::Error => return Err(refuse(e.span, "this expression does not parse")),
    };
    Ok(if parenthesized(src, e) {
        format!("({inner})")
    } else {
        inner
    })
}
