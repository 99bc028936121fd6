//! The server's heavy work (parsing, analysis, rendering, formatting) runs on threads
//! with a stack of their own, never on the async runtime's threads. Regression test for
//! an unoptimised build that overflowed a 2 MiB runtime thread (aborting the server)
//! on templates `tplc check` accepts: here the runtime's threads get far less stack
//! than any of that work needs, and every request must still be answered.

mod common;

use common::{file_uri, project};
use serde_json::json;

/// Templates at the documented nesting limits: 63 nested blocks, 31 levels of `not`
/// and parentheses, 47 filters in one placeholder.
fn deep_template() -> String {
    let mut t = String::from("---\nkind: review_request\nlocale: en\n---\nHi {{ order.id }}\n");
    t.push_str(&"{% if order.id %}".repeat(63));
    t.push_str("{% if ");
    t.push_str(&"not (".repeat(31));
    t.push_str("buyer.name");
    t.push_str(&")".repeat(31));
    t.push_str(" %}x{% endif %}{{ buyer.name | default(\"there\")");
    t.push_str(&" | upper".repeat(46));
    t.push_str(" }}");
    t.push_str(&"{% endif %}".repeat(63));
    t.push('\n');
    t
}

#[test]
fn deep_templates_are_served_from_runtime_threads_with_small_stacks() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        // Enough for the protocol layer, far too little for the checker in a debug build.
        .thread_stack_size(160 * 1024)
        .enable_all()
        .build()
        .unwrap();
    let text = deep_template();
    let dir = project(&[(
        "_part.tplc",
        "Thanks {{ buyer.name | default(\"there\") }}\n",
    )]);
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let path = root.join("deep.tplc");
    let uri = file_uri(&path);
    let code = runtime.block_on(async move {
        let (mut c, server) = common::start();
        c.initialize(&file_uri(&root), false).await;
        c.open(&uri, &text).await;
        let diags = c.diagnostics(&uri, Some(1)).await;
        assert!(diags.is_array(), "{diags}");
        let doc = json!({"textDocument": {"uri": uri}});
        let at = json!({"textDocument": {"uri": uri}, "position": {"line": 5, "character": 400}});
        for (method, params) in [
            ("textDocument/hover", at.clone()),
            ("textDocument/completion", at.clone()),
            ("textDocument/definition", at.clone()),
            (
                "textDocument/codeAction",
                json!({"textDocument": {"uri": uri}, "range": {"start": at["position"], "end": at["position"]}, "context": {"diagnostics": []}}),
            ),
            ("textDocument/documentSymbol", doc.clone()),
            ("textDocument/semanticTokens/full", doc.clone()),
            (
                "textDocument/formatting",
                json!({"textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": true}}),
            ),
        ] {
            let r = c.request(method, params).await;
            assert!(r.get("error").is_none(), "{method}: {r}");
        }
        let r = c
            .request(
                "workspace/executeCommand",
                json!({"command": "tplc.preview", "arguments": [uri]}),
            )
            .await;
        assert!(r.get("result").is_some() || r.get("error").is_some(), "{r}");
        let r = c.request("textDocument/documentSymbol", doc).await;
        assert_eq!(r["result"][0]["name"], "header", "{r}");
        c.shutdown_exit().await;
        server.await.unwrap()
    });
    assert_eq!(code, 0);
}
