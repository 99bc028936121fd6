//! The rules read a nested partial from the file the compiler builds it from: a name is
//! resolved relative to the partial whose tag writes it, never through another folder's
//! partial of the same name.

use std::path::PathBuf;
use std::sync::Arc;
use tplc_compile::{compile, AnalysisIncludes};
use tplc_project::Workspace;

const REVIEW: &str = "---\nkind: review_request\nlocale: en\n---\nHello, thank you for order {{ order.id }}.\nPlease share your experience in a review.\n";
const CLEAN_SIG: &str = "Kind regards, the team\n";
const SENTIMENT_SIG: &str = "If you loved your order, please leave us a 5-star review!\n";

fn workspace(files: &[(&str, &str)]) -> (PathBuf, Workspace) {
    let root = PathBuf::from("/includes");
    let mut ws = Workspace::in_memory(root.clone());
    for (name, text) in files {
        ws.set_file(root.join(name), Arc::from(*text));
    }
    (root, ws)
}

#[test]
fn a_nested_partial_is_the_one_beside_its_includer_for_rules_and_compiler_alike() {
    // `a/` comes first in path order and has a clean `_sig`; `b/_footer` includes `sig`,
    // which the compiler takes from `b/_sig`, the one with the forbidden sentence.
    let (root, ws) = workspace(&[
        (
            "a/other.tplc",
            &format!("{REVIEW}{{% include \"sig\" %}}\n"),
        ),
        ("a/_sig.tplc", CLEAN_SIG),
        (
            "b/msg.tplc",
            &format!("{REVIEW}{{% include \"footer\" %}}\n"),
        ),
        ("b/_footer.tplc", "Thanks again.\n{% include \"sig\" %}\n"),
        ("b/_sig.tplc", SENTIMENT_SIG),
    ]);
    let analysis = ws.analyze();
    let msg = &analysis.files[&root.join("b/msg.tplc")];
    let built = compile(
        msg,
        ws.schema(),
        &AnalysisIncludes {
            analysis: &analysis,
            root: &root,
        },
    );
    assert!(
        built.text.contains("5-star"),
        "the build inlines b/_sig: {}",
        built.text
    );
    assert!(
        msg.has_errors(),
        "what is built is checked: {:#?}",
        msg.diagnostics
    );
    let other = &analysis.files[&root.join("a/other.tplc")];
    assert!(!other.has_errors(), "{:#?}", other.diagnostics);
}

#[test]
fn a_partial_named_alike_elsewhere_never_stands_in_for_a_missing_one() {
    let (root, ws) = workspace(&[
        (
            "a/other.tplc",
            &format!("{REVIEW}{{% include \"sig\" %}}\n"),
        ),
        ("a/_sig.tplc", SENTIMENT_SIG),
        (
            "b/msg.tplc",
            &format!("{REVIEW}{{% include \"footer\" %}}\n"),
        ),
        ("b/_footer.tplc", "Thanks again.\n{% include \"sig\" %}\n"),
    ]);
    let analysis = ws.analyze();
    // b/_footer's `sig` exists neither beside it nor at the root: a missing include, and
    // no finding taken from a/_sig.
    let footer = &analysis.files[&root.join("b/_footer.tplc")];
    assert!(footer
        .diagnostics
        .iter()
        .any(|d| d.code == "missing-include"));
    let msg = &analysis.files[&root.join("b/msg.tplc")];
    assert!(
        msg.diagnostics
            .iter()
            .all(|d| !d.message.contains("5-star")),
        "{:#?}",
        msg.diagnostics
    );
}
