//! tplc expressions → Jinja expressions that minijinja and Python's Jinja2 evaluate alike.
//!
//! Only the common subset of both engines is emitted: attribute access, literals, `~`,
//! slicing, arithmetic, `if … else`, and the filters `upper lower capitalize trim length
//! join first last replace int string safe`. Everything else (`date`, `money`, `truncate`,
//! `default`) is expanded here, so the artifacts need no custom filters.

use crate::locale::{self, MoneyStyle};
use tplc_syntax::{BinOp, Expr, ExprKind, Literal};

/// A Jinja string literal.
pub fn string_lit(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub struct ExprCx<'a> {
    pub lang: &'a str,
}

impl ExprCx<'_> {
    pub fn expr(&self, e: &Expr) -> String {
        match &e.kind {
            ExprKind::Path(segs) => path(segs.iter().map(|s| s.node.as_str())),
            ExprKind::Literal(l) => literal(l),
            ExprKind::Not(inner) => format!("(not {})", self.expr(inner)),
            ExprKind::Binary { op, lhs, rhs } => {
                let op = match op.node {
                    BinOp::And => "and",
                    BinOp::Or => "or",
                    other => other.as_str(),
                };
                format!("({} {op} {})", self.expr(lhs), self.expr(rhs))
            }
            ExprKind::Filter { target, name, args } => {
                self.filter(&self.expr(target), &name.node, args)
            }
            // Never reached for a template without errors; keeps output well-formed anyway.
            ExprKind::Error => "none".to_string(),
        }
    }

    fn filter(&self, t: &str, name: &str, args: &[Expr]) -> String {
        let arg = |i: usize| args.get(i).map(|a| self.expr(a));
        match name {
            "default" => {
                let v = arg(0).unwrap_or_else(|| "\"\"".into());
                format!("({t} if {t} is defined and {t} is not none and {t} != \"\" else {v})")
            }
            "upper" | "lower" | "capitalize" | "trim" | "length" | "first" | "last" => {
                format!("({t}|{name})")
            }
            "join" => format!("({t}|join({}))", arg(0).unwrap_or_else(|| "\", \"".into())),
            "truncate" => {
                let n = arg(0).unwrap_or_else(|| "80".into());
                format!("({t} if ({t}|length) <= {n} else {t}[:{n} - 1] ~ \"…\")")
            }
            "money" => self.money(t),
            "date" => {
                let fmt = match args.first().map(|a| &a.kind) {
                    Some(ExprKind::Literal(Literal::Str(s))) => s.clone(),
                    _ => "%Y-%m-%d".to_string(),
                };
                self.date(t, &fmt)
            }
            // Unknown filters are compile errors before this point.
            other => format!("({t}|{other})"),
        }
    }

    fn money(&self, m: &str) -> String {
        let symbols: Vec<String> = locale::CURRENCY_SYMBOLS
            .iter()
            .map(|(code, sym)| format!("{}: {}", string_lit(code), string_lit(sym)))
            .collect();
        let table = format!("{{{}}}", symbols.join(", "));
        let sym =
            format!("({table}[{m}.currency] if {m}.currency in {table} else {m}.currency ~ \" \")");
        match locale::money_style(self.lang) {
            MoneyStyle::Prefix => format!("({sym} ~ {m}.amount)"),
            MoneyStyle::SuffixComma => {
                format!("(({m}.amount|replace(\".\", \",\")) ~ \" \" ~ {sym}|trim)")
            }
        }
    }

    /// Expand a strftime-like format over an ISO date (`YYYY-MM-DD…`) string.
    fn date(&self, v: &str, fmt: &str) -> String {
        let y = format!("({v}[0:4]|int)");
        let m = format!("({v}[5:7]|int)");
        let d = format!("({v}[8:10]|int)");
        let h = format!("({v}[11:13]|int)");
        let list = |items: &[String]| {
            format!(
                "[{}]",
                items
                    .iter()
                    .map(|s| string_lit(s))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let months: Vec<String> = locale::months(self.lang)
            .iter()
            .map(|s| s.to_string())
            .collect();
        let short_months: Vec<String> = locale::short_months(self.lang).to_vec();
        let days: Vec<String> = locale::weekdays(self.lang)
            .iter()
            .map(|s| s.to_string())
            .collect();
        let short_days: Vec<String> = locale::short_weekdays(self.lang).to_vec();
        // Sakamoto's weekday: 0 = Sunday.
        let yy = format!("({y} - (1 if {m} < 3 else 0))");
        let weekday = format!("(({yy} + {yy} // 4 - {yy} // 100 + {yy} // 400 + [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4][{m} - 1] + {d}) % 7)");
        let leap = format!("({y} % 4 == 0 and ({y} % 100 != 0 or {y} % 400 == 0))");
        let yday = format!("([0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334][{m} - 1] + {d} + (1 if {m} > 2 and {leap} else 0))");
        let mut parts: Vec<String> = Vec::new();
        let mut lit = String::new();
        let mut chars = fmt.chars().peekable();
        while let Some(c) = chars.next() {
            if c != '%' {
                lit.push(c);
                continue;
            }
            let no_pad = chars.peek() == Some(&'-');
            if no_pad {
                chars.next();
            }
            let Some(dir) = chars.next() else { break };
            let piece = match (dir, no_pad) {
                ('%', _) => {
                    lit.push('%');
                    continue;
                }
                ('d', false) => format!("{v}[8:10]"),
                ('d', true) => format!("({d}|string)"),
                ('e', _) => format!("((\" \" ~ {d})[-2:])"),
                ('m', false) => format!("{v}[5:7]"),
                ('m', true) => format!("({m}|string)"),
                ('B', _) => format!("{}[{m} - 1]", list(&months)),
                ('b', _) => format!("{}[{m} - 1]", list(&short_months)),
                ('Y', _) => format!("{v}[0:4]"),
                ('y', _) => format!("{v}[2:4]"),
                ('A', _) => format!("{}[{weekday}]", list(&days)),
                ('a', _) => format!("{}[{weekday}]", list(&short_days)),
                ('j', _) => format!("((\"00\" ~ {yday})[-3:])"),
                ('H', false) => format!("{v}[11:13]"),
                ('H', true) => format!("({h}|string)"),
                ('I', no_pad) => {
                    let h12 = format!("(({h} + 11) % 12 + 1)");
                    if no_pad {
                        format!("({h12}|string)")
                    } else {
                        format!("((\"0\" ~ {h12})[-2:])")
                    }
                }
                ('M', _) => format!("{v}[14:16]"),
                ('S', _) => format!("{v}[17:19]"),
                ('p', _) => format!("(\"AM\" if {h} < 12 else \"PM\")"),
                ('Z', _) => format!("(\"UTC\" if {v}[-1:] == \"Z\" else {v}[-6:])"),
                (other, _) => {
                    lit.push('%');
                    lit.push(other);
                    continue;
                }
            };
            if !lit.is_empty() {
                parts.push(string_lit(&std::mem::take(&mut lit)));
            }
            parts.push(piece);
        }
        if !lit.is_empty() {
            parts.push(string_lit(&lit));
        }
        match parts.len() {
            0 => "\"\"".into(),
            1 => format!("({})", parts[0]),
            // A flat list, not a `~` chain: minijinja nests each `~` one level deeper and
            // recurses through the nesting when it compiles and evaluates the expression.
            _ => format!("([{}]|join)", parts.join(", ")),
        }
    }
}

/// Names a Python dict answers with a method rather than the key, so Jinja2 would read
/// `order.items` as `dict.items`; those are written as subscripts, which both engines
/// resolve to the key.
const DICT_METHODS: &[&str] = &[
    "items",
    "keys",
    "values",
    "get",
    "pop",
    "popitem",
    "update",
    "copy",
    "clear",
    "setdefault",
    "fromkeys",
];

fn path<'a>(mut segs: impl Iterator<Item = &'a str>) -> String {
    let mut out = segs.next().unwrap_or("none").to_string();
    for s in segs {
        if DICT_METHODS.contains(&s) {
            out.push_str(&format!("[{}]", string_lit(s)));
        } else {
            out.push('.');
            out.push_str(s);
        }
    }
    out
}

fn literal(l: &Literal) -> String {
    match l {
        Literal::Str(s) => string_lit(s),
        Literal::Int(i) => i.to_string(),
        Literal::Decimal(d) => d.clone(),
        Literal::Bool(true) => "true".into(),
        Literal::Bool(false) => "false".into(),
    }
}

/// Wrap an output expression for HTML: escape with one explicit chain both engines run
/// the same way (their built-in escapers differ on `/` and quotes), then mark it safe so
/// an auto-escaping environment does not escape it twice. Control characters and
/// bidirectional overrides are dropped first: a page shows none of them, and they can
/// reorder or hide what the buyer reads.
pub fn html_escape_expr(e: &str) -> String {
    format!(
        "({e}|string|list|reject(\"in\", {})|join|replace(\"&\", \"&amp;\")|replace(\"<\", \"&lt;\")|replace(\">\", \"&gt;\")|replace('\"', \"&#34;\")|replace(\"'\", \"&#39;\")|safe)",
        dropped_in_html()
    )
}

/// The characters data loses in HTML ([`tplc_diagnostics::controls::is_unsafe_control`]),
/// as one Jinja string literal of `\xHH`/`\uHHHH` escapes, which both engines read alike.
fn dropped_in_html() -> &'static str {
    static LITERAL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        let mut s = String::from("\"");
        let candidates = (0u32..0xa0).chain(0x202a..=0x202e).chain(0x2066..=0x2069);
        for c in candidates.filter_map(char::from_u32) {
            if tplc_diagnostics::controls::is_unsafe_control(c) {
                if (c as u32) < 0x100 {
                    s.push_str(&format!("\\x{:02x}", c as u32));
                } else {
                    s.push_str(&format!("\\u{:04x}", c as u32));
                }
            }
        }
        s.push('"');
        s
    });
    &LITERAL
}

/// An `href` value: only `https://` URLs survive rendering; anything else becomes `#`.
pub fn https_only(e: &str) -> String {
    format!("({e} if ({e}|string)[:8] == \"https://\" else \"#\")")
}

#[cfg(test)]
mod tests {
    use super::ExprCx;
    use tplc_syntax::Node;

    /// The compiled `{{ order.purchase_date | date(format) }}` rendered by minijinja on a
    /// thread with `stack` bytes of stack.
    fn render_date(format: &str, stack: usize) -> String {
        let src = format!(
            "---\nkind: delivery\nlocale: en\n---\n{{{{ order.purchase_date | date(\"{format}\") }}}}"
        );
        let parse = tplc_syntax::parse(&src);
        let Some(Node::Output(out)) = parse.template.body.first() else {
            panic!("one placeholder: {:?}", parse.template.body)
        };
        let jinja = format!("{{{{ {} }}}}", ExprCx { lang: "en" }.expr(&out.expr));
        let data = serde_json::json!({"order": {"purchase_date": "2024-05-08"}});
        std::thread::Builder::new()
            .stack_size(stack)
            .spawn(move || crate::render_jinja(&jinja, &data).unwrap())
            .unwrap()
            .join()
            .unwrap()
    }

    #[test]
    fn the_longest_date_format_renders_on_a_small_stack() {
        // `%A` expands the most: the weekday formula around the value, per directive.
        let n = tplc_schema::MAX_DATE_DIRECTIVES;
        let filler = "-".repeat(tplc_schema::MAX_DATE_FORMAT_BYTES - 2 * n);
        let out = render_date(&format!("{}{filler}", "%A".repeat(n)), 256 * 1024);
        assert_eq!(out, format!("{}{filler}", "Wednesday".repeat(n)));
    }

    #[test]
    fn the_stack_a_date_format_needs_does_not_grow_with_its_length() {
        // Far past what the check accepts: the renderer's own safety, not the limit's.
        let out = render_date(&"%B ".repeat(5_000), 256 * 1024);
        assert_eq!(out, "May ".repeat(5_000));
    }
}
