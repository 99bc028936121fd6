//! Block nesting is bounded for the compiled template, partials inlined.

use std::path::PathBuf;
use std::sync::Arc;
use tplc_project::Workspace;

const HEAD: &str = "---\nkind: delivery\nlocale: en\n---\nOrder {{ order.id }}.\n";

fn nest(n: usize, open: &str, close: &str, inner: &str) -> String {
    format!("{}{inner}{}", open.repeat(n), close.repeat(n))
}

/// (file name, code, message) of every diagnostic, for a project of `files`.
fn check(files: &[(&str, String)]) -> Vec<(String, &'static str, String)> {
    let root = PathBuf::from("/nesting");
    let mut ws = Workspace::in_memory(root.clone());
    for (name, text) in files {
        ws.set_file(root.join(name), Arc::from(text.as_str()));
    }
    let analysis = ws.analyze();
    let mut out = Vec::new();
    for (path, fa) in &analysis.files {
        for d in &fa.diagnostics {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            out.push((name, d.code, d.message.clone()));
        }
    }
    out
}

const IF: (&str, &str) = ("{% if order.id %}", "{% endif %}");
const FOR: (&str, &str) = ("{% for i in order.items %}", "{% endfor %}");

#[test]
fn blocks_around_an_include_count_with_the_partials_blocks() {
    let include = "{% include \"p\" %}";
    let found = check(&[
        (
            "t.tplc",
            format!("{HEAD}{}\n", nest(40, IF.0, IF.1, include)),
        ),
        ("_p.tplc", format!("{}\n", nest(30, IF.0, IF.1, "x"))),
    ]);
    assert_eq!(found.len(), 1, "{found:#?}");
    let (file, code, message) = &found[0];
    assert_eq!((file.as_str(), *code), ("t.tplc", "include-error"));
    assert!(message.contains("blocks nest 70 deep"), "{message}");

    // Within the limit together: nothing to report.
    let found = check(&[
        (
            "t.tplc",
            format!("{HEAD}{}\n", nest(34, IF.0, IF.1, include)),
        ),
        ("_p.tplc", format!("{}\n", nest(30, IF.0, IF.1, "x"))),
    ]);
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn loops_are_counted_through_nested_partials() {
    let found = check(&[
        (
            "t.tplc",
            format!("{HEAD}{}\n", nest(6, FOR.0, FOR.1, "{% include \"a\" %}")),
        ),
        ("_a.tplc", nest(6, FOR.0, FOR.1, "{% include \"b\" %}")),
        ("_b.tplc", nest(6, FOR.0, FOR.1, "x")),
    ]);
    let errors: Vec<_> = found.iter().filter(|f| f.1 == "include-error").collect();
    assert_eq!(errors.len(), 1, "{found:#?}");
    assert_eq!(errors[0].0, "t.tplc");
    assert!(
        errors[0].2.contains("loops nest 18 deep"),
        "{}",
        errors[0].2
    );
}

#[test]
fn loops_in_one_file_are_bounded_by_the_parser() {
    let found = check(&[("t.tplc", format!("{HEAD}{}\n", nest(17, FOR.0, FOR.1, "x")))]);
    assert!(
        found
            .iter()
            .any(|f| f.1 == "syntax-error" && f.2.contains("nested more than 16 deep")),
        "{found:#?}"
    );
}

#[test]
fn an_include_cycle_does_not_loop() {
    let found = check(&[
        ("t.tplc", format!("{HEAD}{{% include \"a\" %}}\n")),
        ("_a.tplc", nest(3, IF.0, IF.1, "{% include \"b\" %}")),
        ("_b.tplc", nest(3, IF.0, IF.1, "{% include \"a\" %}")),
    ]);
    assert!(found.iter().any(|f| f.1 == "include-cycle"), "{found:#?}");
}
