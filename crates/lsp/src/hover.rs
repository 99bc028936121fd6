//! Hover: what is under the cursor, in Markdown, from the engine's facts.

use tplc_diagnostics::Span;
use tplc_project::FileAnalysis;
use tplc_schema::{kind, Schema};
use tplc_syntax::{walk, Node};

/// The Markdown to show at byte `offset`, and the span it describes.
pub fn hover(fa: &FileAnalysis, schema: &Schema, offset: usize) -> Option<(Span, String)> {
    let mut sections: Vec<String> = Vec::new();
    let mut span: Option<Span> = None;
    let facts = &fa.facts;
    if let Some(f) = facts.filter_at(offset) {
        let mut s = match f.signature {
            Some(sig) => format!("```tplc\n{sig}\n```"),
            None => format!("`{}`: unknown filter", f.name),
        };
        if let Some(doc) = f.doc {
            s.push_str("\n\n");
            s.push_str(doc);
        }
        if !f.input.is_unknown() {
            s.push_str(&format!("\n\nHere: `{}` → `{}`", f.input, f.output));
        }
        sections.push(s);
        span = Some(f.span);
    } else if let Some((p, seg)) = facts.placeholder_at(offset) {
        let mut s = format!("`{}`: `{}`", seg.path, seg.ty);
        let is_last = p.segments.last().is_some_and(|l| l.span == seg.span);
        if let Some(d) = seg.description.as_ref().or(if is_last {
            p.description.as_ref()
        } else {
            None
        }) {
            s.push_str("\n\n");
            s.push_str(d);
        }
        if is_last {
            if let Some(schema_path) = &p.schema_path {
                if schema_path != &p.path {
                    s.push_str(&format!("\n\nReads `{schema_path}`."));
                }
            }
            if let Some(ex) = &p.example {
                s.push_str(&format!("\n\nExample: `{ex}`"));
            }
        }
        sections.push(s);
        span = Some(seg.span);
    } else if let Some((s, text)) = header_hover(fa, schema, offset) {
        sections.push(text);
        span = Some(s);
    } else if let Some((s, text)) = include_hover(fa, offset) {
        sections.push(text);
        span = Some(s);
    }
    // Problems at the cursor: the rule, why Amazon forbids it, and where to read more.
    for d in fa.diagnostics.iter().filter(|d| covers(d.span, offset)) {
        let mut s = format!("**{}** ({}): {}", d.code, d.severity, d.message);
        if let Some(help) = &d.help {
            s.push_str(&format!("\n\nhelp: {help}"));
        }
        if let Some(info) = tplc_project::code_info(d.code) {
            s.push_str(&format!("\n\n*{}*", info.summary));
            let why = why(info.explanation);
            if !why.is_empty() {
                s.push_str("\n\n");
                s.push_str(&why);
            }
        }
        s.push_str(&format!("\n\n[Read about `{}`]({})", d.code, d.docs_url()));
        sections.push(s);
        span = Some(span.map_or(d.span, |sp| sp.cover(d.span)));
    }
    if sections.is_empty() {
        return None;
    }
    Some((
        span.unwrap_or(Span::empty(offset)),
        sections.join("\n\n---\n\n"),
    ))
}

fn covers(s: Span, offset: usize) -> bool {
    s.start <= offset && (offset < s.end || (s.is_empty() && offset == s.start))
}

/// Why the rule exists, from its docs page: the paragraph under `## Why` when the page
/// has one, else its first prose paragraph.
fn why(md: &str) -> String {
    let paragraphs: Vec<&str> = md.split("\n\n").map(str::trim).collect();
    let under_why = paragraphs
        .iter()
        .position(|p| p.eq_ignore_ascii_case("## why"))
        .and_then(|i| paragraphs.get(i + 1))
        .filter(|p| !p.starts_with('#'));
    let first = || {
        paragraphs
            .iter()
            .find(|p| !p.is_empty() && !p.starts_with('#') && !p.starts_with("Default severity"))
    };
    under_why
        .or_else(first)
        .map_or(String::new(), |p| p.to_string())
}

fn header_hover(fa: &FileAnalysis, schema: &Schema, offset: usize) -> Option<(Span, String)> {
    let template = fa.template();
    let h = template.header.as_ref()?;
    if let Some(k) = &h.kind {
        if covers(k.span, offset) || k.span.end == offset {
            let text = match kind(&k.node) {
                Some(mk) => format!("Message kind `{}`\n\n{}", mk.name, mk.description),
                None => format!("`{}` is not a message kind Amazon permits.", k.node),
            };
            return Some((k.span, text));
        }
    }
    for p in &h.params {
        if covers(p.span, offset) {
            let ty = schema
                .resolve_type(&p.ty.node)
                .map(|t| t.to_string())
                .unwrap_or_else(|e| e.message);
            return Some((
                p.span,
                format!(
                    "Param `{}`: `{ty}`\n\nA value you pass when sending the message.",
                    p.name.node
                ),
            ));
        }
    }
    for e in &h.entries {
        if covers(e.key.span, offset) {
            let doc = match e.key.node.as_str() {
                "kind" => "What the message is for; Amazon permits a fixed set of purposes.",
                "locale" => "The language of the message (BCP 47, e.g. `en-US`).",
                "subject" => "The message subject; may hold `{{ }}` placeholders.",
                "id" => "Groups translations of one message (defaults to the file name).",
                "send" => "When the message is sent: `Nd|Nh after purchase|shipment|delivery`.",
                _ => "Not a header key tplc knows.",
            };
            return Some((e.key.span, format!("`{}`: {doc}", e.key.node)));
        }
    }
    None
}

fn include_hover(fa: &FileAnalysis, offset: usize) -> Option<(Span, String)> {
    let mut found = None;
    walk(&fa.template().body, &mut |n| {
        if let Node::Include(inc) = n {
            if covers(inc.span, offset) {
                found = Some((
                    inc.name.span,
                    format!(
                        "Includes the partial `_{}.tplc` (looked up next to this file, then at the project root).",
                        inc.name.node
                    ),
                ));
            }
        }
    });
    found
}
