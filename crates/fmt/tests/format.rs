use std::path::{Path, PathBuf};
use tplc_fmt::format;
use tplc_syntax::lexer::{segments, Segment};

const MESSY: &str = "---\nkind:review_request   \nlocale:   en\nsubject:  Your order {{order.id}}\n# a comment   \nparam   coupon :  text?\nparam codes: list< text >\n---\nHello {{buyer.name|default( \"there\" )}},   \n\n{%if order.delivery_date and not(order.is_prime)%}It arrived on {{ order.delivery_date|date('%d %B') }}.{%endif%}\n{%for item in order.items%}\n- **{{item.title}}**: [review it]({{ item.review_url }})\n{%else%}nothing{%endfor%}\n{%include   \"footer\"%}\n{#tplc-allow: sentiment-word -- quoted review   #}\n\n\n";

#[test]
fn messy_template_gets_the_canonical_layout() {
    let out = format(MESSY).unwrap();
    insta::assert_snapshot!(out);
}

#[test]
fn formatting_is_idempotent_on_the_fixture() {
    let once = format(MESSY).unwrap();
    assert_eq!(format(&once).unwrap(), once);
    assert!(tplc_fmt::is_formatted(&once).unwrap());
    assert!(!tplc_fmt::is_formatted(MESSY).unwrap());
}

#[test]
fn syntax_errors_refuse_with_the_errors() {
    let src = "---\nkind: delivery\nlocale: en\n---\nHi {{ buyer. }} and {% if %}";
    let err = format(src).unwrap_err();
    assert!(!err.diagnostics.is_empty());
    assert!(err.diagnostics.iter().all(|d| d.code == "syntax-error"));
    assert!(err.to_string().contains("syntax error"), "{err}");
}

#[test]
fn parentheses_operators_and_literals_keep_their_meaning() {
    let src = "{% if (a.b or c)and d>=3 %}x{% elif not ( e == 'q\\'s' ) %}y{% endif %}{{ -1.50 | f(( 2 ),\"a)\") }}\n";
    let out = format(src).unwrap();
    assert_eq!(
        out,
        "{% if (a.b or c) and d >= 3 %}x{% elif not (e == 'q\\'s') %}y{% endif %}{{ -1.50 | f((2), \"a)\") }}\n"
    );
}

#[test]
fn crlf_bom_and_multiline_tags() {
    let src = "\u{feff}---\r\nkind:  delivery \r\nlocale: en\r\n---\r\nHi {{\r\n  order.id\r\n}}  \r\n\r\n";
    let out = format(src).unwrap();
    assert_eq!(
        out,
        "\u{feff}---\r\nkind: delivery\r\nlocale: en\r\n---\r\nHi {{ order.id }}\r\n"
    );
    assert_eq!(format(&out).unwrap(), out);
}

#[test]
fn stray_carriage_returns_before_a_break_are_trailing_blanks() {
    // A lone `\r` followed by spaces: dropping only the spaces would leave `\r\n`, which
    // the next run reads as a CRLF break (found by the `format` fuzz target).
    let src = "---\nkind: delivery\nlocale: en\n---\nHi \r \nthere\r\r\nyou\n";
    let out = format(src).unwrap();
    assert_eq!(
        out,
        "---\nkind: delivery\nlocale: en\n---\nHi\nthere\r\nyou\r\n"
    );
    assert_eq!(format(&out).unwrap(), out);
}

#[test]
fn degenerate_inputs_do_not_panic() {
    for src in [
        "",
        "\n",
        "---",
        "---\n---\n",
        "{# #}",
        "{##}",
        "\u{feff}",
        "   \n\t\n",
        "a",
        "---\nkind:\n---\n",
    ] {
        if let Ok(out) = format(src) {
            assert_eq!(format(&out).unwrap(), out, "{src:?}");
        }
    }
    assert_eq!(format("").unwrap(), "");
    assert_eq!(format("a").unwrap(), "a\n");
    assert_eq!(format("{##}").unwrap(), "{# #}\n");
}

/// The literal text a buyer sees: every text segment, with line-end whitespace removed
/// (the compiler drops it), and tags replaced by a marker of their kind.
fn visible_text(src: &str) -> Vec<String> {
    let p = tplc_syntax::parse(src);
    segments(src, p.template.body_start, src.len())
        .map(|s| match s {
            Segment::Text(span) => src[span.start..span.end]
                .split('\n')
                .map(|l| l.trim_end_matches([' ', '\t', '\r']))
                .collect::<Vec<_>>()
                .join("\n"),
            Segment::Tag { kind, .. } => format!("<{}>", kind.open()),
        })
        .collect::<String>()
        .trim_end()
        .split('\n')
        .map(str::to_string)
        .collect()
}

/// Returns whether the file was formatted (not refused for syntax errors).
fn check_file(path: &Path, src: &str) -> bool {
    let once = match format(src) {
        Ok(once) => once,
        // Only the fixtures here are known to be valid; other repository files may hold
        // deliberate errors (they test the checker).
        Err(e) if !path.starts_with(env!("CARGO_MANIFEST_DIR")) => {
            assert!(!e.diagnostics.is_empty());
            return false;
        }
        Err(e) => panic!("{}: {e}", path.display()),
    };
    let twice =
        format(&once).unwrap_or_else(|e| panic!("{}: formatted output fails: {e}", path.display()));
    assert_eq!(twice, once, "{}: not idempotent", path.display());
    assert_eq!(
        visible_text(src),
        visible_text(&once),
        "{}: body text changed",
        path.display()
    );
    // Same tree shape: the same tags in the same order, parsed to the same expressions.
    let before = tplc_syntax::parse(src).template;
    let after = tplc_syntax::parse(&once).template;
    assert_eq!(before.body.len(), after.body.len(), "{}", path.display());
    assert_eq!(
        before.header.map(|h| (
            h.kind.map(|k| k.node),
            h.locale.map(|k| k.node),
            h.params.len()
        )),
        after.header.map(|h| (
            h.kind.map(|k| k.node),
            h.locale.map(|k| k.node),
            h.params.len()
        )),
    );
    true
}

fn tplc_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            tplc_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "tplc") {
            out.push(p);
        }
    }
}

#[test]
fn every_repository_template_formats_idempotently_without_changing_text() {
    let root = std::fs::canonicalize(Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")).unwrap();
    let mut files = Vec::new();
    for dir in [
        "examples",
        "tests",
        "crates/fmt/tests/fixtures",
        "crates/lsp/tests",
    ] {
        tplc_files(&root.join(dir), &mut files);
    }
    assert!(check_file(Path::new("MESSY"), MESSY));
    let mut formatted = 0;
    for f in &files {
        // Invalid UTF-8 is shown as U+FFFD, as the engine reads it.
        let src = String::from_utf8_lossy(&std::fs::read(f).unwrap()).into_owned();
        formatted += usize::from(check_file(f, &src));
    }
    // The examples are valid templates: most files must really be formatted.
    assert!(
        formatted * 2 >= files.len(),
        "{formatted} of {} formatted",
        files.len()
    );
}

/// Partials for the preview, looked up the way the engine resolves includes.
struct Partials<'a> {
    root: &'a Path,
    analysis: &'a tplc_project::Analysis,
}

impl tplc_compile::Includes for Partials<'_> {
    fn get(
        &self,
        from: &Path,
        name: &str,
    ) -> Option<(
        std::sync::Arc<tplc_syntax::Template>,
        std::sync::Arc<str>,
        PathBuf,
    )> {
        let cands = tplc_project::include_candidates(self.root, from, name).ok()?;
        cands.into_iter().find_map(|c| {
            let f = self.analysis.files.get(&c)?;
            Some((f.template(), f.source.clone(), c))
        })
    }
}

fn previews(ws: &tplc_project::Workspace) -> Vec<(PathBuf, String, String)> {
    let a = ws.analyze();
    let partials = Partials {
        root: ws.root(),
        analysis: &a,
    };
    a.files
        .values()
        .filter(|f| !f.is_partial)
        .filter_map(|f| {
            let p = tplc_compile::preview(f, ws.schema(), &partials).ok()?;
            Some((f.path.clone(), p.text, p.html))
        })
        .collect()
}

#[test]
fn formatting_the_examples_never_changes_the_rendered_messages() {
    let root = std::fs::canonicalize(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples"))
        .unwrap();
    let Ok(mut ws) = tplc_project::Workspace::load(&root) else {
        panic!("examples/ does not load");
    };
    let before = previews(&ws);
    let paths: Vec<PathBuf> = ws.files().map(Path::to_path_buf).collect();
    let mut changed = 0;
    for p in &paths {
        let text = ws.text(p).unwrap();
        // Undo the canonical spacing and add trailing blanks, then format that.
        let messy = text
            .replace("{{ ", "{{")
            .replace(" }}", "}}")
            .replace("{% ", "{%  ")
            .replace(" | ", "|")
            .replace('\n', "  \n");
        if let Ok(f) = format(&messy) {
            changed += usize::from(f != messy);
            ws.set_file(p.clone(), std::sync::Arc::from(f.as_str()));
        }
    }
    assert!(changed > 0);
    let after = previews(&ws);
    assert!(!before.is_empty(), "no example renders");
    assert_eq!(before, after);
}
