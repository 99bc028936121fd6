//! No input may panic: half-typed and mangled templates through every feature that
//! works on the text alone, and the formatter.

use std::path::PathBuf;
use tower_lsp_server::ls_types::SemanticToken;
use tplc_diagnostics::{PositionEncoding, Span};
use tplc_lsp::{completion, symbols, tokens};

const SAMPLE: &str = "---\nkind: review_request\nlocale: en\nsubject: Order {{ order.id }}\nparam coupon: text?\n---\nHi {{ buyer.name | default(\"there\") }} 😀 漢字 e\u{301},\r\n{% if order.delivery_date and not (order.is_prime) %}- **{{ order.delivery_date | date(\"%d %B\") }}**{% elif coupon %}[x]({{ order.items | first }}){% else %}none{% endif %}\n{% for item in order.items %}{{ item.title }}{% else %}-{% endfor %}{% include \"footer\" %}{# tplc-allow: emoji -- why #}\n";

const TRICKY: &[&str] = &[
    "{", "}", "%", "#", "|", ".", "\"", "'", "(", ")", "😀", "\r", "\n", "é", "\u{301}", "---\n",
    "{{", "}}", "{%", "%}", " ", ":",
];

fn exercise(text: &str) {
    let _ = tplc_fmt::format(text);
    let parse = tplc_syntax::parse(text);
    let raw = tokens::raw_tokens(&parse.template, text);
    for w in raw.windows(2) {
        assert!(w[0].0.end <= w[1].0.start, "overlapping tokens in {text:?}");
    }
    for (enc, utf8) in [
        (PositionEncoding::Utf16, false),
        (PositionEncoding::Utf8, true),
    ] {
        assert_eq!(
            tokens::encode(text, &raw, enc),
            naive_encode(text, &raw, utf8),
            "{text:?}"
        );
    }
    let _ = symbols::symbols(&parse.template, text);
    let schema = tplc_schema::Schema::builtin();
    let path = PathBuf::from("/p/a.tplc");
    let files = vec![path.clone(), PathBuf::from("/p/_footer.tplc")];
    let cx = completion::Context {
        template: &parse.template,
        source: text,
        schema: &schema,
        files: &files,
        path: &path,
    };
    // Every offset, including ones inside multi-byte characters.
    for at in (0..=text.len() + 1).step_by(3) {
        let _ = completion::complete(&cx, at);
        let _ = symbols::definition(
            &parse.template,
            &schema,
            std::path::Path::new("/p"),
            &path,
            &|_| true,
            at,
        );
    }
}

/// Semantic tokens encoded the obvious way: every position counted from the start of
/// the text (quadratic, fine for these small texts).
fn naive_encode(text: &str, raw: &[(Span, u32)], utf8: bool) -> Vec<SemanticToken> {
    let pos = |at: usize| {
        let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        let prefix = &text[line_start..at];
        let col = if utf8 {
            prefix.len()
        } else {
            prefix.encode_utf16().count()
        };
        (text[..at].matches('\n').count() as u32, col as u32)
    };
    let mut out = Vec::new();
    let mut prev = (0, 0);
    for &(span, ty) in raw {
        let mut start = span.start;
        while start < span.end {
            let end = text[start..span.end]
                .find('\n')
                .map_or(span.end, |i| start + i);
            let piece_end = end - usize::from(text[start..end].ends_with('\r'));
            if piece_end > start {
                let (a, b) = (pos(start), pos(piece_end));
                out.push(SemanticToken {
                    delta_line: a.0 - prev.0,
                    delta_start: if a.0 == prev.0 { a.1 - prev.1 } else { a.1 },
                    length: b.1 - a.1,
                    token_type: ty,
                    token_modifiers_bitset: 0,
                });
                prev = a;
            }
            start = end + 1;
        }
    }
    out
}

#[test]
fn every_prefix_of_a_template() {
    let mut cut = 0;
    while cut <= SAMPLE.len() {
        if SAMPLE.is_char_boundary(cut) {
            exercise(&SAMPLE[..cut]);
        }
        cut += 1;
    }
}

#[test]
fn random_mutations() {
    // A fixed xorshift sequence: reproducible, no extra dependency.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..400 {
        let mut text = SAMPLE.to_string();
        for _ in 0..(next() % 6 + 1) {
            let mut at = (next() as usize) % (text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            if next() % 2 == 0 {
                text.insert_str(at, TRICKY[(next() as usize) % TRICKY.len()]);
            } else {
                let mut end = (at + (next() as usize) % 8).min(text.len());
                while !text.is_char_boundary(end) {
                    end -= 1;
                }
                text.replace_range(at..end, "");
            }
        }
        exercise(&text);
        if let Ok(once) = tplc_fmt::format(&text) {
            assert_eq!(tplc_fmt::format(&once).as_ref(), Ok(&once), "{text:?}");
        }
    }
}

#[test]
fn long_operator_and_filter_chains() {
    // Expressions whose trees would be 10,000 levels deep.
    let and_chain = format!(
        "---\nkind: delivery\nlocale: en\n---\n{{% if {} %}}x{{% endif %}}\n",
        vec!["order.id"; 10_000].join(" and ")
    );
    let filter_chain = format!(
        "---\nkind: delivery\nlocale: en\n---\n{{{{ order.id{} }}}}\n",
        " | upper".repeat(10_000)
    );
    for src in [&and_chain, &filter_chain] {
        // Run where the default stack of a test thread applies.
        let parse = tplc_syntax::parse(src);
        let at = src.find("order.id").unwrap() + 2;
        let _ = symbols::definition(
            &parse.template,
            &tplc_schema::Schema::builtin(),
            std::path::Path::new("/p"),
            std::path::Path::new("/p/a.tplc"),
            &|_| true,
            at,
        );
        let raw = tokens::raw_tokens(&parse.template, src);
        assert!(raw.len() > 10_000);
        // The parser may refuse chains this long; either way nothing overflows.
        if let Ok(out) = tplc_fmt::format(src) {
            assert_eq!(tplc_fmt::format(&out).unwrap(), out);
        }
    }
}

/// One 200 KB line of tags: the encoder walks it once (it used to rescan the line from
/// its start for every token, which took minutes on this input).
#[test]
fn one_long_line_of_tags() {
    let mut text = String::from("---\nkind: review_request\nlocale: en\n---\n");
    text.push_str(&"{% if order.id %}😀".repeat(6000));
    text.push_str(&"{% endif %}".repeat(6000));
    let parse = tplc_syntax::parse(&text);
    let raw = tokens::raw_tokens(&parse.template, &text);
    let enc = tokens::encode(&text, &raw, PositionEncoding::Utf16);
    assert!(enc.len() > 30_000, "{}", enc.len());
    // The last token (an `%}`) ends the line: its column is the line's UTF-16 length
    // less two.
    let line = text.lines().nth(4).unwrap();
    let (mut line_no, mut col) = (0, 0);
    for t in &enc {
        line_no += t.delta_line;
        col = if t.delta_line > 0 {
            t.delta_start
        } else {
            col + t.delta_start
        };
    }
    assert_eq!(line_no, 4);
    assert_eq!(col + 2, line.encode_utf16().count() as u32);
}
