//! After an edit the server publishes what changed: the edited document and the templates
//! that include it, not every open document again.

mod common;

use common::{file_uri, project, Client, HEAD};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Every publishDiagnostics until one has been seen for each (uri, version) of `want`.
async fn published_until(c: &mut Client, want: &[(&String, i64)]) -> Vec<Value> {
    let deadline = Instant::now() + common::TIMEOUT;
    let mut seen: Vec<Value> = Vec::new();
    loop {
        seen.extend(c.drain_published());
        let done = want.iter().all(|(uri, version)| {
            seen.iter()
                .any(|p| p["uri"] == uri.as_str() && p["version"] == *version)
        });
        if done {
            return seen;
        }
        assert!(
            Instant::now() < deadline,
            "no diagnostics for {want:?}: {seen:#?}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

fn change(uri: &str, version: i64, text: &str) -> Value {
    json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_republishes_only_the_edited_file_and_its_includers() {
    let a = format!("{HEAD}Hello {{{{ buyer.name }}}}\n{{% include \"sig\" %}}\n");
    let m = format!("{HEAD}Your order {{{{ order.id }}}}\n");
    let z = format!("{HEAD}Order {{{{ order.id }}}} shipped\n");
    let sig = "Kind regards\n";
    let dir = project(&[
        ("a.tplc", &a),
        ("M.tplc", &m),
        ("z.tplc", &z),
        ("_sig.tplc", sig),
    ]);
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let [ua, um, uz, us] =
        ["a.tplc", "M.tplc", "z.tplc", "_sig.tplc"].map(|f| file_uri(&root.join(f)));
    let (mut c, server) = common::start();
    c.initialize(&file_uri(&root), false).await;
    for (uri, text) in [(&ua, &a), (&um, &m), (&uz, &z)] {
        c.open(uri, text).await;
    }
    c.open(&us, sig).await;
    published_until(&mut c, &[(&ua, 1), (&um, 1), (&uz, 1), (&us, 1)]).await;

    // `z` alone: nothing else is sent again (`M` and `a` sort before it, so they would
    // have been sent first).
    c.notify("textDocument/didChange", change(&uz, 2, &format!("{z}!\n")))
        .await;
    let sent = published_until(&mut c, &[(&uz, 2)]).await;
    let uris: Vec<&Value> = sent.iter().map(|p| &p["uri"]).collect();
    assert_eq!(uris, vec![&json!(uz)], "{sent:#?}");

    // The partial gets an error: it and `a`, which includes it, are published; `M` (sorted
    // before both) is not.
    c.notify("textDocument/didChange", change(&us, 2, "{% if %}\n"))
        .await;
    let sent = published_until(&mut c, &[(&us, 2), (&ua, 1)]).await;
    let a_now = sent
        .iter()
        .find(|p| p["uri"] == ua.as_str())
        .unwrap_or_else(|| panic!("`a` not republished: {sent:#?}"));
    assert!(
        a_now["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "include-error"),
        "{a_now:#}"
    );
    assert!(!sent.iter().any(|p| p["uri"] == um.as_str()), "{sent:#?}");
    c.shutdown_exit().await;
    let _ = server.await;
}
