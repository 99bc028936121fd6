//! `{# tplc-allow: code[, code] -- reason #}` silences those codes on the next line, or in
//! the whole `{% if %}` / `{% for %}` block that follows the comment.

use crate::codes::{BAD_SUPPRESSION, UNKNOWN_SUPPRESSION, UNUSED_SUPPRESSION};
use tplc_diagnostics::{Diagnostic, Fix, Span, TextEdit};
use tplc_syntax::{Node, Template};

struct Allow {
    comment: Span,
    /// Each code with the span where it is written.
    codes: Vec<(String, Span)>,
    scope: Span,
    used: Vec<bool>,
}

const PREFIX: &str = "tplc-allow";

/// Remove the diagnostics that a `tplc-allow` comment silences and report malformed,
/// unknown and unused suppressions. `known_codes` says which codes exist (all crates).
pub fn apply_suppressions(
    template: &Template,
    source: &str,
    diags: Vec<Diagnostic>,
    known_codes: &dyn Fn(&str) -> bool,
) -> Vec<Diagnostic> {
    let mut allows = Vec::new();
    let mut extra = Vec::new();
    collect(&template.body, source, known_codes, &mut allows, &mut extra);
    let mut out = Vec::with_capacity(diags.len());
    'diag: for d in diags {
        for a in allows.iter_mut() {
            if a.scope.start <= d.span.start && d.span.start < a.scope.end.max(a.scope.start + 1) {
                if let Some(i) = a.codes.iter().position(|(c, _)| c == d.code) {
                    a.used[i] = true;
                    continue 'diag;
                }
            }
        }
        out.push(d);
    }
    for a in &allows {
        let all_unused = a.used.iter().all(|u| !u);
        for ((code, span), used) in a.codes.iter().zip(&a.used) {
            if *used {
                continue;
            }
            let mut d = Diagnostic::warning(
                UNUSED_SUPPRESSION,
                *span,
                format!("`tplc-allow: {code}` silences nothing here: no `{code}` is reported on the line or block it covers; remove it"),
            );
            if all_unused {
                d = d.with_fix(Fix::safe(
                    "Remove the comment",
                    vec![TextEdit::delete(a.comment)],
                ));
            }
            out.push(d);
        }
    }
    out.extend(extra);
    tplc_diagnostics::sort(&mut out);
    out
}

fn collect(
    nodes: &[Node],
    source: &str,
    known: &dyn Fn(&str) -> bool,
    allows: &mut Vec<Allow>,
    extra: &mut Vec<Diagnostic>,
) {
    for (i, node) in nodes.iter().enumerate() {
        match node {
            Node::Comment(c) => {
                let Some(body) = source.get(c.body.start..c.body.end) else {
                    continue;
                };
                let trimmed = body.trim_start();
                let Some(rest) = trimmed.strip_prefix(PREFIX) else {
                    continue;
                };
                let rest_start = c.body.start + (body.len() - trimmed.len()) + PREFIX.len();
                let Some(rest) = rest.strip_prefix(':') else {
                    extra.push(Diagnostic::warning(
                        BAD_SUPPRESSION,
                        c.span,
                        "write `tplc-allow: code -- reason`: a colon must follow `tplc-allow`",
                    ));
                    continue;
                };
                let rest_start = rest_start + 1;
                let (codes_part, reason) = match rest.find("--") {
                    Some(k) => (&rest[..k], rest[k + 2..].trim()),
                    None => (rest, ""),
                };
                let mut codes = Vec::new();
                let mut offset = 0;
                for piece in codes_part.split(|ch: char| ch == ',' || ch.is_whitespace()) {
                    if !piece.is_empty() {
                        let at = rest_start + offset;
                        codes.push((piece.to_string(), Span::new(at, at + piece.len())));
                    }
                    offset += piece.len() + 1;
                }
                if codes.is_empty() || reason.is_empty() {
                    extra.push(Diagnostic::warning(
                        BAD_SUPPRESSION,
                        c.span,
                        if codes.is_empty() {
                            "this `tplc-allow` names no code; write `tplc-allow: code -- reason`"
                        } else {
                            "this `tplc-allow` gives no reason, so it does not apply; write `tplc-allow: code -- why this is compliant`"
                        },
                    ));
                    continue;
                }
                let mut valid = Vec::new();
                for (code, span) in codes {
                    if known(&code) {
                        valid.push((code, span));
                    } else {
                        extra.push(
                            Diagnostic::warning(UNKNOWN_SUPPRESSION, span, format!("`{code}` is not a tplc diagnostic code; check the spelling (`tplc explain` lists them)"))
                                .with_fix(Fix::unsafe_("Remove the unknown code", vec![TextEdit::delete(span)])),
                        );
                    }
                }
                if valid.is_empty() {
                    continue;
                }
                let scope = scope_after(&nodes[i + 1..], source, c.span.end);
                let n = valid.len();
                allows.push(Allow {
                    comment: c.span,
                    codes: valid,
                    scope,
                    used: vec![false; n],
                });
            }
            Node::If(b) => {
                for br in &b.branches {
                    collect(&br.body, source, known, allows, extra);
                }
            }
            Node::For(f) => {
                collect(&f.body, source, known, allows, extra);
                if let Some(e) = &f.else_body {
                    collect(e, source, known, allows, extra);
                }
            }
            _ => {}
        }
    }
}

/// The block right after the comment, or the line of the next non-blank character.
fn scope_after(rest: &[Node], source: &str, from: usize) -> Span {
    for n in rest {
        match n {
            Node::Text(s)
                if source
                    .get(s.start..s.end)
                    .is_some_and(|t| t.trim().is_empty()) =>
            {
                continue
            }
            Node::If(b) => return b.span,
            Node::For(f) => return f.span,
            _ => break,
        }
    }
    let after = source.get(from..).unwrap_or("");
    let skip = after.len() - after.trim_start().len();
    let start = from + skip;
    let line_start = source[..start].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let line_end = source[start..]
        .find('\n')
        .map(|i| start + i)
        .unwrap_or(source.len());
    Span::new(line_start.max(from), line_end)
}
