//! Output safety of compiled templates with hostile data, through the library API (so
//! data validation is bypassed on purpose: the artifacts must be safe on their own, since
//! deployments render them with data tplc never sees).
//!
//! - markup and template syntax in values come out as inert text, in both outputs;
//! - a link's `href` is an https URL or `#`, whatever the data holds;
//! - control characters and bidirectional overrides in values never reach the HTML;
//! - the same holds when Python's Jinja2 renders the artifacts (when it is installed).

use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::Arc;
use tplc_compile::{compile, render, AnalysisIncludes, Compiled, Rendered};
use tplc_project::Workspace;

const TEMPLATE: &str = r#"---
kind: review_request
locale: en
subject: Order {{ order.id }} from {{ seller.name }}
---
Hello {{ buyer.name | default("there") }}, thank you for order {{ order.id }} from {{ seller.name }}.

{% for item in order.items %}
- **{{ item.title }}**: [share your experience]({{ item.review_url }})
{% endfor %}
"#;

fn compiled(source: &str) -> Compiled {
    let root = PathBuf::from("/safety");
    let path = root.join("t.tplc");
    let mut ws = Workspace::in_memory(root.clone());
    ws.set_file(path.clone(), Arc::from(source));
    let analysis = ws.analyze();
    let fa = &analysis.files[&path];
    assert!(
        !fa.has_errors(),
        "fixture must check clean: {:#?}",
        fa.diagnostics
    );
    let includes = AnalysisIncludes {
        analysis: &analysis,
        root: &root,
    };
    compile(fa, ws.schema(), &includes)
}

fn data(text: &str, url: &str) -> Value {
    json!({
        "order": {"id": "111-2223334-4445556", "items": [{"title": text, "review_url": url}]},
        "buyer": {"name": text},
        "seller": {"name": text},
    })
}

/// Characters the HTML drops from data: C0 controls but tab and line feed, DEL, C1
/// controls, bidirectional overrides and isolates.
fn dropped_in_html(c: char) -> bool {
    matches!(c, '\0'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn html_escape(s: &str) -> String {
    let s: String = s.chars().filter(|&c| !dropped_in_html(c)).collect();
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

/// Every `<` in the page starts a tag tplc writes itself; every `href` is https or `#`.
fn assert_only_own_markup(html: &str) {
    const OWN: &[&str] = &[
        "<!DOCTYPE html>",
        "<html lang=\"en\">",
        "</html>",
        "<head>",
        "</head>",
        "<meta charset=\"utf-8\">",
        "<title>",
        "</title>",
        "<body>",
        "</body>",
        "<p>",
        "</p>",
        "<ul>",
        "</ul>",
        "<li>",
        "</li>",
        "<strong>",
        "</strong>",
        "<br>",
        "</a>",
    ];
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i..];
        if let Some(after) = rest.strip_prefix("<a href=\"") {
            let end = after.find('"').expect("closed attribute");
            let href = &after[..end];
            assert!(
                href == "#" || href.starts_with("https://"),
                "href {href:?} in\n{html}"
            );
            assert!(!href.contains(['<', '>', '\'']), "href {href:?}");
            assert!(
                after[end..].starts_with("\">"),
                "attribute break-out in\n{html}"
            );
            rest = &after[end + 2..];
            continue;
        }
        let tag = OWN
            .iter()
            .find(|t| rest.starts_with(**t))
            .unwrap_or_else(|| {
                panic!(
                    "foreign markup {:?} in\n{html}",
                    &rest[..rest.len().min(40)]
                )
            });
        rest = &rest[tag.len()..];
    }
}

fn hrefs(html: &str) -> Vec<String> {
    html.split("<a href=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].to_string())
        .collect()
}

const HOSTILE: &[&str] = &[
    "<script>alert(1)</script>",
    "</p><img src=x onerror=alert(1)>",
    "{{ 7*7 }}",
    "{% if true %}INJECTED{% endif %}",
    "{# hidden #}visible",
    "{{ order.id }}",
    "{%raw%}{{ 7*7 }}{%endraw%}",
    "\" onmouseover=\"alert(1)",
    "' onfocus='alert(1)",
    "&lt;already escaped&gt; &amp;",
    "**not bold** [not](https://link.example)",
    "line one\nline two\r\n\n- not a bullet",
    "\u{0}\u{202e}\u{feff}",
    "\u{1b}[2J\u{1b}]8;;https://evil.example\u{7}click\u{1b}]8;;\u{7}",
    "a\u{202d}b\u{2066}c\u{2069}d\u{85}e\u{7f}f\u{9b}31mg\rh",
    "}}{{",
    "",
];

#[test]
fn markup_and_template_syntax_in_data_stay_inert() {
    let c = compiled(TEMPLATE);
    for &value in HOSTILE {
        let r = render(&c, &data(value, "https://www.amazon.com/review/1"))
            .unwrap_or_else(|e| panic!("{value:?}: {e}"));
        assert_only_own_markup(&r.html);
        // Text: the value verbatim (never evaluated, never dropped).
        if !value.trim().is_empty() {
            assert!(
                r.text.contains(value.trim()),
                "{value:?} not verbatim in\n{}",
                r.text
            );
        }
        // HTML: the value escaped, exactly once.
        assert!(
            r.html.contains(&html_escape(value)),
            "{value:?} not escaped in\n{}",
            r.html
        );
        let subject = r.subject.as_deref().unwrap();
        assert!(subject.ends_with(value), "subject {subject:?}");
        assert!(
            !r.text.contains("49") && !r.html.contains("49"),
            "evaluated: {value:?}"
        );
    }
}

#[test]
fn control_and_bidi_characters_never_reach_the_html() {
    let c = compiled(TEMPLATE);
    let value = "a\u{1b}[2Jb\u{202e}c\u{0}d\u{7f}e\u{9b}f\u{2068}g\rh\ti\nj";
    let url = "https://www.amazon.com/review/\u{1b}]8;;\u{202e}1";
    let r = render(&c, &data(value, url)).unwrap();
    assert!(!r.html.contains(dropped_in_html), "{:?}", r.html);
    assert!(r.html.contains("a[2Jbcdefgh\ti\nj"), "{:?}", r.html);
    assert_eq!(hrefs(&r.html), vec!["https://www.amazon.com/review/]8;;1"]);
    assert_only_own_markup(&r.html);
    // The text artifact is plain text: data stays as given.
    assert!(r.text.contains(value), "{:?}", r.text);
}

#[test]
fn links_render_only_https_targets() {
    let c = compiled(TEMPLATE);
    let refused = [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        " javascript:alert(1)",
        "\tjavascript:alert(1)",
        "java\u{0}script:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
        "http://example.com/review",
        "//evil.example/x",
        "/relative/path",
        "https:/one-slash.example",
        "https:evil.example",
        " https://www.amazon.com/leading-space",
        "",
    ];
    for url in refused {
        let r = render(&c, &data("Mug", url)).unwrap();
        assert_eq!(hrefs(&r.html), vec!["#"], "{url:?}");
        assert_only_own_markup(&r.html);
    }
    // https survives, with attribute-breaking characters escaped.
    for (url, href) in [
        (
            "https://www.amazon.com/review/1",
            "https://www.amazon.com/review/1",
        ),
        (
            "https://x.example/\"><script>alert(1)</script>",
            "https://x.example/&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;",
        ),
        (
            "https://x.example/?a=1&b='2'",
            "https://x.example/?a=1&amp;b=&#39;2&#39;",
        ),
    ] {
        let r = render(&c, &data("Mug", url)).unwrap();
        assert_eq!(hrefs(&r.html), vec![href], "{url:?}");
        assert_only_own_markup(&r.html);
    }
}

#[test]
fn text_links_print_only_https_targets() {
    let c = compiled(TEMPLATE);
    for url in [
        "javascript:alert(1)",
        "data:text/html,x",
        "http://example.com/",
    ] {
        let r = render(&c, &data("Mug", url)).unwrap();
        assert!(!r.text.contains(url), "{url:?} in\n{}", r.text);
    }
}

#[test]
fn literal_text_that_looks_like_template_syntax_is_copied() {
    let src = "---\nkind: delivery\nlocale: en\n---\nOrder {{ order.id }}: literal }} and %} and #} and { and {\"{\"} and ${x} and <b>&amp;\n";
    let c = compiled(src);
    let r = render(&c, &json!({"order": {"id": "111-2223334-4445556"}})).unwrap();
    let line = "literal }} and %} and #} and { and {\"{\"} and ${x} and <b>&amp;";
    assert!(r.text.contains(line), "{}", r.text);
    assert!(r.html.contains(&html_escape(line)), "{}", r.html);
    assert_only_own_markup(&r.html);
}

#[test]
fn markup_never_spans_a_template_tag() {
    // An `{% endif %}` inside what looks like a link target or bold text: the markup is not
    // formed (the text is written as it stands), so the `if` stays closed and both outputs
    // render, whichever branch is taken.
    let src = "---\nkind: delivery\nlocale: en\n---\nOrder {{ order.id }}.\n\n{% if order.delivery_date %}See [it](https://x.amazon.com/{% endif %}a) and **b{% if order.delivery_date %}c**{% endif %}.\n";
    let c = compiled(src);
    for date in [json!("2026-11-20"), Value::Null] {
        let data = json!({"order": {"id": "111-2223334-4445556", "delivery_date": date}});
        let r = render(&c, &data).unwrap_or_else(|e| panic!("{e}\n{}", c.html));
        assert_only_own_markup(&r.html);
        assert!(
            !r.html.contains("<a ") && !r.html.contains("<strong>"),
            "{}",
            r.html
        );
        assert!(r.text.contains("a) and **b"), "{}", r.text);
    }
}

/// A small deterministic generator: no extra dependency, reproducible failures.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

#[test]
fn random_hostile_values_never_escape_their_text() {
    let c = compiled(TEMPLATE);
    let pieces = [
        "<",
        ">",
        "&",
        "\"",
        "'",
        "{{",
        "}}",
        "{%",
        "%}",
        "{#",
        "#}",
        "script",
        "a",
        " ",
        "\n",
        "\\",
        "`",
        "=",
        "/",
        "javascript:",
        "https://",
        "é",
        "😀",
        "\u{0}",
        "\u{202e}",
        "\u{1b}",
        "\u{9b}",
        "\r",
        "\u{2067}",
        "raw",
        "endraw",
        "**",
        "[",
        "](",
        ")",
        "- ",
        "&#34;",
        "&lt;",
    ];
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    for round in 0..400 {
        let len = (rng.next() % 12) as usize;
        let value: String = (0..len).map(|_| rng.pick(&pieces)).collect();
        let url_len = (rng.next() % 5) as usize;
        let url: String = (0..url_len).map(|_| rng.pick(&pieces)).collect();
        let r: Rendered = render(&c, &data(&value, &url))
            .unwrap_or_else(|e| panic!("round {round}: {value:?} {url:?}: {e}"));
        assert_only_own_markup(&r.html);
        assert!(
            r.html.contains(&html_escape(&value)),
            "round {round}: {value:?} in\n{}",
            r.html
        );
        let href = &hrefs(&r.html)[0];
        if url.starts_with("https://") {
            assert_eq!(href, &html_escape(&url), "round {round}");
        } else {
            assert_eq!(href, "#", "round {round}: {url:?}");
        }
    }
}

// ---------------------------------------------------------------------------------------
// The same artifacts in Python's Jinja2

const RENDER_PY: &str = r#"
import json, sys, jinja2
src = open(sys.argv[1], encoding="utf-8").read()
data = json.load(open(sys.argv[2], encoding="utf-8"))
env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=sys.argv[1].endswith(".html"))
sys.stdout.write(env.from_string(src).render(**data))
"#;

fn jinja2() -> bool {
    std::process::Command::new("python3")
        .args(["-c", "import jinja2"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// What every engine must agree on: subject, free text, and a link built from data.
const CROSS_ENGINE: &str = r#"---
kind: order_info_request
locale: en
subject: Order {{ order.id }} from {{ seller.name }}
param track: url
---
Hello {{ buyer.name | default("there") }}, about order {{ order.id }} from {{ seller.name }}:

- **{{ seller.name }}**: [your parcel]({{ track }})
"#;

fn cross_engine_data(value: &str, url: &str) -> Value {
    json!({
        "order": {"id": "111-2223334-4445556"},
        "buyer": {"name": value},
        "seller": {"name": value},
        "track": url,
    })
}

#[test]
fn jinja2_renders_hostile_data_exactly_like_minijinja() {
    jinja2_agrees(CROSS_ENGINE, cross_engine_data);
}

#[test]
fn jinja2_renders_order_items_like_minijinja() {
    jinja2_agrees(TEMPLATE, data);
}

fn jinja2_agrees(template: &str, make: fn(&str, &str) -> Value) {
    if !jinja2() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have Python's jinja2 (pip install jinja2)"
        );
        eprintln!("skipped: python3 with jinja2 is not installed");
        return;
    }
    let c = compiled(template);
    let dir = tempfile_dir();
    let script = dir.join("render.py");
    std::fs::write(&script, RENDER_PY).unwrap();
    let urls = [
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "http://example.com/",
        "https://x.example/\"><script>alert(1)</script>",
    ];
    for (i, &value) in HOSTILE.iter().enumerate() {
        let mut d = make(value, urls[i % urls.len()]);
        tplc_compile::fill_optionals(&c.data_schema, &mut d);
        let data_path = dir.join("data.json");
        std::fs::write(&data_path, d.to_string()).unwrap();
        for (name, source) in [("m.txt", &c.text), ("m.html", &c.html)] {
            let artifact = dir.join(name);
            std::fs::write(&artifact, source).unwrap();
            let mini = tplc_compile::render_jinja(source, &d).unwrap();
            let py = std::process::Command::new("python3")
                .arg(&script)
                .arg(&artifact)
                .arg(&data_path)
                .output()
                .unwrap();
            assert!(
                py.status.success(),
                "{value:?} {name}: {}",
                String::from_utf8_lossy(&py.stderr)
            );
            let py = String::from_utf8(py.stdout).unwrap();
            assert_eq!(mini, py, "{value:?} {name}: engines differ");
            if name.ends_with(".html") {
                assert_only_own_markup(&py);
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A scratch folder (this crate has no tempfile dependency).
fn tempfile_dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "tplc-safety-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}
