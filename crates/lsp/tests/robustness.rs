//! No input may panic: half-typed and mangled templates through every feature that
//! works on the text alone, and the formatter.

use std::path::PathBuf;
use tplc_diagnostics::PositionEncoding;
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
    let _ = tokens::encode(text, &raw, PositionEncoding::Utf16);
    let _ = tokens::encode(text, &raw, PositionEncoding::Utf8);
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
