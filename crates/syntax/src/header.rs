//! The `---` header: `key: value` lines, `param name: type` declarations, comments.

use crate::ast::{
    Anchor, Header, HeaderEntry, Node, ParamDecl, Schedule, Spanned, Subject, TypeRef,
};
use crate::BAD_HEADER;
use tplc_diagnostics::{Diagnostic, Fix, Span, TextEdit};

/// Header keys with a meaning; the checker reports any other key.
pub const KNOWN_KEYS: &[&str] = &["kind", "locale", "subject", "id", "send"];

/// Lines of `src` from `from`, each as (start, end without the line break, next line start).
fn lines(src: &str, from: usize) -> impl Iterator<Item = (usize, usize, usize)> + '_ {
    let mut at = from;
    std::iter::from_fn(move || {
        if at >= src.len() {
            return None;
        }
        let rest = &src[at..];
        let (content_len, next) = match rest.find('\n') {
            Some(i) => (i, at + i + 1),
            None => (rest.len(), src.len()),
        };
        let mut end = at + content_len;
        if src[at..end].ends_with('\r') {
            end -= 1;
        }
        let line = (at, end, next);
        at = next;
        Some(line)
    })
}

fn is_fence(line: &str) -> bool {
    line.trim_end() == "---"
}

/// Parse the header if the text at `from` starts with a `---` line. Returns the header,
/// the byte offset where the body starts, and the problems found.
pub fn parse_header(
    src: &str,
    from: usize,
    subject_parser: &dyn Fn(Span, &mut Vec<Diagnostic>) -> Vec<Node>,
) -> (Option<Header>, usize, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut it = lines(src, from);
    let Some((open_start, open_end, mut body_start)) = it.next() else {
        return (None, from, diags);
    };
    if !is_fence(&src[open_start..open_end]) {
        return (None, from, diags);
    }
    let mut header = Header::default();
    let mut closed = false;
    let mut last_end = open_end;
    for (start, end, next) in it {
        let line = &src[start..end];
        if is_fence(line) {
            closed = true;
            body_start = next;
            last_end = end;
            break;
        }
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            body_start = next;
            last_end = end;
            continue;
        }
        if !line.contains(':') {
            // Not header-shaped: the closing fence is missing and the body began here.
            break;
        }
        body_start = next;
        last_end = end;
        parse_line(src, start, end, &mut header, &mut diags, subject_parser);
    }
    if !closed {
        let at = last_end;
        diags.push(
            Diagnostic::error(
                BAD_HEADER,
                Span::new(open_start, open_end),
                "the header is never closed: add a `---` line after its last entry",
            )
            .with_fix(Fix::safe(
                "Close the header with `---`",
                vec![TextEdit::insert(at, "\n---")],
            )),
        );
    }
    header.span = Span::new(open_start, last_end);
    (Some(header), body_start, diags)
}

fn parse_line(
    src: &str,
    start: usize,
    end: usize,
    header: &mut Header,
    diags: &mut Vec<Diagnostic>,
    subject_parser: &dyn Fn(Span, &mut Vec<Diagnostic>) -> Vec<Node>,
) {
    let line = &src[start..end];
    let line_span = Span::new(start, end);
    if let Some(rest) = line
        .strip_prefix("param ")
        .or_else(|| line.strip_prefix("param\t"))
    {
        let rest_start = end - rest.len();
        if let Some(p) = parse_param(src, rest_start, end, line_span, diags) {
            if header.params.iter().any(|q| q.name.node == p.name.node) {
                diags.push(Diagnostic::error(
                    BAD_HEADER,
                    p.name.span,
                    format!(
                        "param `{}` is declared twice: remove one declaration",
                        p.name.node
                    ),
                ));
            } else {
                header.params.push(p);
            }
        }
        return;
    }
    let colon = line.find(':').expect("caller checked for ':'");
    let key_raw = &line[..colon];
    let key = key_raw.trim();
    let key_start = start + (key_raw.len() - key_raw.trim_start().len());
    let key_span = Span::new(key_start, key_start + key.len());
    if key.is_empty()
        || !key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        diags.push(Diagnostic::error(
            BAD_HEADER,
            line_span,
            "expected a header entry `key: value` (or `param name: type`)",
        ));
        return;
    }
    let value_span = trim_span(src, Span::new(start + colon + 1, end));
    let value_span = unquote_span(src, value_span);
    let value = src[value_span.start..value_span.end].to_string();
    if header.entries.iter().any(|e| e.key.node == key) {
        diags.push(
            Diagnostic::error(
                BAD_HEADER,
                key_span,
                format!("`{key}` is set twice: keep one"),
            )
            .with_fix(Fix::safe(
                format!("Remove this `{key}` line"),
                vec![TextEdit::delete(Span::new(
                    start,
                    line_end_with_break(src, end),
                ))],
            )),
        );
        return;
    }
    let entry = HeaderEntry {
        key: Spanned::new(key.to_string(), key_span),
        value: Spanned::new(value.clone(), value_span),
        span: line_span,
    };
    header.entries.push(entry);
    let spanned = Spanned::new(value.clone(), value_span);
    match key {
        "kind" => header.kind = Some(spanned),
        "locale" => header.locale = Some(spanned),
        "id" => header.id = Some(spanned),
        "subject" => {
            let nodes = subject_parser(value_span, diags);
            header.subject = Some(Subject {
                span: value_span,
                nodes,
            });
        }
        "send" => match parse_schedule(&value) {
            Ok(s) => header.send = Some(Spanned::new(s, value_span)),
            Err(msg) => diags.push(Diagnostic::error(BAD_HEADER, value_span, msg)),
        },
        _ => {}
    }
}

fn line_end_with_break(src: &str, end: usize) -> usize {
    if src[end..].starts_with("\r\n") {
        end + 2
    } else if src[end..].starts_with('\n') {
        end + 1
    } else {
        end
    }
}

fn trim_span(src: &str, s: Span) -> Span {
    let text = &src[s.start..s.end];
    let lead = text.len() - text.trim_start().len();
    let trimmed = text.trim();
    Span::new(s.start + lead, s.start + lead + trimmed.len())
}

fn unquote_span(src: &str, s: Span) -> Span {
    let text = &src[s.start..s.end];
    if text.len() >= 2
        && ((text.starts_with('"') && text.ends_with('"'))
            || (text.starts_with('\'') && text.ends_with('\'')))
    {
        Span::new(s.start + 1, s.end - 1)
    } else {
        s
    }
}

fn parse_param(
    src: &str,
    start: usize,
    end: usize,
    line: Span,
    diags: &mut Vec<Diagnostic>,
) -> Option<ParamDecl> {
    let text = &src[start..end];
    let Some(colon) = text.find(':') else {
        diags.push(Diagnostic::error(
            BAD_HEADER,
            line,
            "a param needs a type: write `param name: type`, e.g. `param coupon: text?`",
        ));
        return None;
    };
    let name_span = trim_span(src, Span::new(start, start + colon));
    let name = &src[name_span.start..name_span.end];
    if name.is_empty()
        || !name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        diags.push(Diagnostic::error(
            BAD_HEADER,
            if name.is_empty() { line } else { name_span },
            "a param name is a letter or `_` followed by letters, digits or `_`",
        ));
        return None;
    }
    let ty_span = trim_span(src, Span::new(start + colon + 1, end));
    let ty_text = &src[ty_span.start..ty_span.end];
    match parse_type(ty_text) {
        Ok(ty) => Some(ParamDecl {
            name: Spanned::new(name.to_string(), name_span),
            ty: Spanned::new(ty, ty_span),
            span: line,
        }),
        Err(msg) => {
            diags.push(Diagnostic::error(
                BAD_HEADER,
                if ty_text.is_empty() { line } else { ty_span },
                msg,
            ));
            None
        }
    }
}

/// `text`, `money?`, `list<item>`, `list<list<text>>?`.
pub fn parse_type(text: &str) -> Result<TypeRef, String> {
    let t = text.trim();
    if let Some(inner) = t.strip_suffix('?') {
        let inner = parse_type(inner)?;
        if matches!(inner, TypeRef::Optional(_)) {
            return Err("a type can be optional once: write `T?`, not `T??`".into());
        }
        return Ok(TypeRef::Optional(Box::new(inner)));
    }
    if let Some(rest) = t.strip_prefix("list") {
        let rest = rest.trim_start();
        if let Some(inner) = rest.strip_prefix('<').and_then(|r| r.strip_suffix('>')) {
            return Ok(TypeRef::List(Box::new(parse_type(inner)?)));
        }
        if rest.is_empty() {
            return Err("`list` needs an element type: write `list<text>`".into());
        }
    }
    if !t.is_empty()
        && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !t.starts_with(|c: char| c.is_ascii_digit())
    {
        return Ok(TypeRef::Named(t.to_string()));
    }
    Err(format!(
        "`{t}` is not a type: write e.g. `text`, `money?` or `list<item>`"
    ))
}

/// `7d after delivery`, `36h after shipment`, `on delivery`, `10 days after purchase`.
pub fn parse_schedule(text: &str) -> Result<Schedule, String> {
    const HELP: &str = "write the schedule as `<N>d after delivery` (or `<N>h`; anchors: purchase, shipment, delivery), or `on delivery`";
    let words: Vec<&str> = text.split_whitespace().collect();
    let anchor = |w: &str| match w {
        "purchase" | "order" => Ok(Anchor::Purchase),
        "shipment" | "shipping" => Ok(Anchor::Shipment),
        "delivery" => Ok(Anchor::Delivery),
        other => Err(format!("unknown schedule anchor `{other}`: {HELP}")),
    };
    match words.as_slice() {
        ["on", a] => Ok(Schedule {
            hours: 0,
            anchor: anchor(a)?,
        }),
        [amount, "after", a] => Ok(Schedule {
            hours: parse_amount(amount, None).ok_or_else(|| HELP.to_string())?,
            anchor: anchor(a)?,
        }),
        [n, unit, "after", a] => Ok(Schedule {
            hours: parse_amount(n, Some(unit)).ok_or_else(|| HELP.to_string())?,
            anchor: anchor(a)?,
        }),
        _ => Err(HELP.to_string()),
    }
}

fn parse_amount(n: &str, unit: Option<&str>) -> Option<u32> {
    let (digits, unit) = match unit {
        Some(u) => (n, u),
        None => {
            let split = n.find(|c: char| !c.is_ascii_digit())?;
            (&n[..split], &n[split..])
        }
    };
    let value: u32 = digits.parse().ok()?;
    let per = match unit {
        "d" | "day" | "days" => 24,
        "h" | "hour" | "hours" => 1,
        _ => return None,
    };
    value.checked_mul(per)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules() {
        assert_eq!(
            parse_schedule("7d after delivery"),
            Ok(Schedule {
                hours: 168,
                anchor: Anchor::Delivery
            })
        );
        assert_eq!(
            parse_schedule("36h after shipment"),
            Ok(Schedule {
                hours: 36,
                anchor: Anchor::Shipment
            })
        );
        assert_eq!(
            parse_schedule("10 days after purchase"),
            Ok(Schedule {
                hours: 240,
                anchor: Anchor::Purchase
            })
        );
        assert_eq!(
            parse_schedule("on delivery"),
            Ok(Schedule {
                hours: 0,
                anchor: Anchor::Delivery
            })
        );
        assert!(parse_schedule("7x after delivery").is_err());
        assert!(parse_schedule("soon").is_err());
    }

    #[test]
    fn types() {
        assert_eq!(
            parse_type("list<text>?").unwrap().to_string(),
            "list<text>?"
        );
        assert_eq!(parse_type("money").unwrap(), TypeRef::Named("money".into()));
        assert!(parse_type("list").is_err());
        assert!(parse_type("a b").is_err());
        assert!(parse_type("text??").is_err());
    }
}
