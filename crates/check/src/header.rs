//! The values of the `---` header: `kind`, `locale`, unknown keys and `param` types.
//! (Malformed lines, duplicates and the schedule are reported by the parser.)

use tplc_diagnostics::{Diagnostic, Fix, Label, Span, TextEdit};
use tplc_schema::{check_locale, did_you_mean, Type, TypeError, KINDS};
use tplc_syntax::{Template, TypeRef};

use crate::{CheckOptions, Checker, ParamFact, BAD_HEADER, UNKNOWN_KIND};

/// The header keys (besides `param name: type` lines), for completion.
pub const HEADER_KEYS: &[&str] = &["kind", "locale", "subject", "id", "send"];
const KEYS: &[&str] = HEADER_KEYS;

pub(crate) fn check_header(c: &mut Checker<'_>, template: &Template, opts: &CheckOptions) {
    let Some(header) = &template.header else {
        if !opts.is_partial {
            c.diags.push(
                Diagnostic::error(
                    BAD_HEADER,
                    Span::empty(template.body_start.min(c.source.len())),
                    "this message has no header: start the file with a `---` block that sets `kind` and `locale`",
                )
                .with_help("---\nkind: review_request\nlocale: en\n---"),
            );
        }
        return;
    };
    // The opening `---` line, where "missing key" errors point.
    let open = Span::new(
        header.span.start,
        (header.span.start + 3).min(header.span.end),
    );
    for entry in &header.entries {
        let key = entry.key.node.as_str();
        if KEYS.contains(&key) {
            continue;
        }
        let mut d = Diagnostic::error(
            BAD_HEADER,
            entry.key.span,
            format!(
                "unknown header key `{key}`: use {}, or `param name: type`",
                KEYS.join(", ")
            ),
        );
        if let Some(s) = did_you_mean(key, KEYS.iter().copied()) {
            d.message = format!("unknown header key `{key}`: did you mean `{s}`?");
            d = d.with_fix(Fix::safe(
                format!("Rename to `{s}`"),
                vec![TextEdit::replace(entry.key.span, s)],
            ));
        }
        c.diags.push(d);
    }
    match &header.kind {
        Some(kind) if tplc_schema::kind(&kind.node).is_none() => {
            let names = KINDS.iter().map(|k| k.name);
            let mut d = Diagnostic::error(UNKNOWN_KIND, kind.span, String::new());
            // `review-request` and `Review Request` are common spellings of `review_request`.
            let normal = kind.node.trim().to_lowercase().replace(['-', ' '], "_");
            let suggestion = tplc_schema::kind(&normal).map(|k| k.name).or_else(|| did_you_mean(&kind.node, names));
            match suggestion {
                Some(s) => {
                    d.message = format!("unknown message kind `{}`: did you mean `{s}`?", kind.node);
                    d = d.with_fix(Fix::safe(format!("Replace with `{s}`"), vec![TextEdit::replace(kind.span, s)]));
                }
                None => {
                    let all: Vec<&str> = KINDS.iter().map(|k| k.name).collect();
                    d.message = format!(
                        "unknown message kind `{}`: Amazon permits only {}",
                        kind.node,
                        all.join(", ")
                    );
                }
            }
            c.diags.push(d);
        }
        Some(_) => {}
        None if !opts.is_partial => c.diags.push(Diagnostic::error(
            BAD_HEADER,
            open,
            "the header has no `kind`: add a line such as `kind: review_request` (it decides which policy rules apply)",
        )),
        None => {}
    }
    match &header.locale {
        Some(locale) => {
            if let Err(m) = check_locale(&locale.node) {
                let mut d = Diagnostic::error(BAD_HEADER, locale.span, m);
                if locale.node.contains('_') {
                    let fixed = locale.node.replace('_', "-");
                    if check_locale(&fixed).is_ok() {
                        d = d.with_fix(Fix::safe(format!("Write `{fixed}`"), vec![TextEdit::replace(locale.span, fixed)]));
                    }
                }
                c.diags.push(d);
            }
        }
        None if !opts.is_partial => c.diags.push(Diagnostic::error(
            BAD_HEADER,
            open,
            "the header has no `locale`: add a line such as `locale: en` (write in the buyer's language)",
        )),
        None => {}
    }
    for p in &header.params {
        let ty = match c.schema.resolve_type(&p.ty.node) {
            Ok(t) => t,
            Err(e) => {
                c.diags
                    .push(type_error(&p.name.node, p.ty.span, &p.ty.node, &e));
                Type::Unknown
            }
        };
        if let Some(root) = c.schema.root(&p.name.node) {
            c.diags.push(
                Diagnostic::error(
                    BAD_HEADER,
                    p.name.span,
                    format!(
                        "param `{}` would hide the built-in `{}` ({}): give it another name",
                        p.name.node, root.name, root.ty
                    ),
                )
                .with_label(Label::new(p.span, "declared here")),
            );
        }
        c.facts.usage.params.insert(p.name.node.clone(), ty.clone());
        c.params.push(ParamFact {
            name: p.name.node.clone(),
            ty: ty.clone(),
            span: p.name.span,
        });
        c.facts.params.push(ParamFact {
            name: p.name.node.clone(),
            ty,
            span: p.name.span,
        });
    }
}

fn replace_name(t: &TypeRef, from: &str, to: &str) -> TypeRef {
    match t {
        TypeRef::Named(n) if n == from => TypeRef::Named(to.to_string()),
        TypeRef::Named(n) => TypeRef::Named(n.clone()),
        TypeRef::List(i) => TypeRef::List(Box::new(replace_name(i, from, to))),
        TypeRef::Optional(i) => TypeRef::Optional(Box::new(replace_name(i, from, to))),
    }
}

fn type_error(param: &str, span: Span, written: &TypeRef, e: &TypeError) -> Diagnostic {
    let mut d = Diagnostic::error(BAD_HEADER, span, format!("param `{param}`: {}", e.message));
    if let Some(s) = &e.suggestion {
        let fixed = replace_name(written, &e.name, s).to_string();
        d = d.with_fix(Fix::safe(
            format!("Use `{fixed}`"),
            vec![TextEdit::replace(span, fixed)],
        ));
    }
    d
}
