//! The server over a real JSON-RPC byte stream (in process, over a duplex pipe):
//! ordering, encodings, every request kind, robustness, exit codes.

mod common;

use common::{column, engine_diagnostics, file_uri, project, start, HEAD};
use serde_json::{json, Value};

fn codes(diags: &Value) -> Vec<String> {
    diags
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnostics_equal_check_in_utf16_and_utf8() {
    let text = format!(
        "{HEAD}Hi {{{{ buyer.name }}}} 😀 漢字 e\u{301}: please leave a 5-star review for {{{{ order.id }}}}.\n"
    );
    for utf8 in [false, true] {
        let dir = project(&[("msg.tplc", &text)]);
        let root = std::fs::canonicalize(dir.path()).unwrap();
        let path = root.join("msg.tplc");
        let uri = file_uri(&path);
        let (mut c, server) = start();
        let init = c.initialize(&file_uri(&root), utf8).await;
        let enc = init["result"]["capabilities"]["positionEncoding"].clone();
        assert_eq!(enc, json!(if utf8 { "utf-8" } else { "utf-16" }));
        c.open(&uri, &text).await;
        let got = c.diagnostics(&uri, Some(1)).await;
        assert_eq!(got, engine_diagnostics(&root, &path, &text, utf8));
        assert!(
            codes(&got).contains(&"sentiment-word".to_string()),
            "{got:#}"
        );
        // The flagged word's range, checked against an independent column count.
        let d = got
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == "sentiment-word")
            .unwrap();
        let at = text.find("5-star").unwrap();
        let (line, col) = column(&text, at, utf8);
        assert_eq!(d["range"]["start"], json!({"line": line, "character": col}));
        let (line, col) = column(&text, at + "5-star".len(), utf8);
        assert_eq!(d["range"]["end"], json!({"line": line, "character": col}));
        assert_eq!(
            d["codeDescription"]["href"],
            "https://tplc.dev/docs/codes/sentiment-word"
        );
        assert_eq!(d["source"], "tplc");
        c.shutdown_exit().await;
        assert_eq!(server.await.unwrap(), 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_200_edits_ends_with_the_diagnostics_of_the_final_text() {
    for utf8 in [false, true] {
        let (mut c, server) = start();
        common::burst_scenario(&mut c, utf8).await;
        assert_eq!(server.await.unwrap(), 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_answer_from_the_current_text() {
    let text = format!(
        "{HEAD}Hi {{{{ buyer.name }}}}, order {{{{ order.id|upper }}}}: leave a 5-star review.\n{{% include \"footer\" %}}\n"
    );
    let dir = project(&[("msg.tplc", &text), ("_footer.tplc", "Thanks!\n")]);
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let path = root.join("msg.tplc");
    let uri = file_uri(&path);
    let (mut c, server) = start();
    c.initialize(&file_uri(&root), false).await;
    c.open(&uri, &text).await;
    let diags = c.diagnostics(&uri, Some(1)).await;

    let pos = |needle: &str, plus: usize| {
        let (line, col) = column(&text, text.find(needle).unwrap() + plus, false);
        json!({"line": line, "character": col})
    };
    let tdp = |p: Value| json!({"textDocument": {"uri": uri}, "position": p});

    // Hover: placeholder type and description.
    let r = c
        .request("textDocument/hover", tdp(pos("order.id", 7)))
        .await;
    let md = r["result"]["contents"]["value"].as_str().unwrap();
    assert!(md.starts_with("`order.id`: `order_id`"), "{md}");
    // Hover: filter signature.
    let r = c.request("textDocument/hover", tdp(pos("upper", 1))).await;
    let md = r["result"]["contents"]["value"].as_str().unwrap();
    assert!(md.starts_with("```tplc\nupper"), "{md}");

    // Completion after `order.` (typed into the document first).
    let (line, col) = column(&text, text.len(), false);
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [
            {"range": {"start": {"line": line, "character": col}, "end": {"line": line, "character": col}}, "text": "{{ order."}
        ]}),
    )
    .await;
    let r = c
        .request(
            "textDocument/completion",
            tdp(json!({"line": line, "character": col + 9})),
        )
        .await;
    let labels: Vec<&str> = r["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert!(labels.contains(&"delivery_date"), "{labels:?}");
    // Undo the typing.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": text}]}),
    )
    .await;
    c.diagnostics(&uri, Some(3)).await;

    // Code actions: the fixes stashed in the published diagnostics, plus "allow".
    let word = diags
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "sentiment-word")
        .unwrap()
        .clone();
    let r = c
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": word["range"], "context": {"diagnostics": [word]}}),
        )
        .await;
    let titles: Vec<&str> = r["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    // The engine's own fixes, in order, then the suppression.
    let mut expected: Vec<&str> = word["data"]["fixes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["title"].as_str().unwrap())
        .collect();
    assert!(!expected.is_empty());
    expected.push("Allow `sentiment-word` here (write the reason)");
    assert_eq!(titles, expected);
    assert!(titles[0].starts_with("Replace with"), "{titles:?}");
    let allow = &r["result"][titles.len() - 1]["edit"]["changes"][uri.as_str()][0];
    assert_eq!(
        allow["newText"],
        "{# tplc-allow: sentiment-word -- reason #}\n"
    );

    // Formatting: the same formatter as `tplc fmt`.
    let r = c
        .request(
            "textDocument/formatting",
            json!({"textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": true}}),
        )
        .await;
    let edits = r["result"].as_array().unwrap();
    assert_eq!(edits.len(), 1);
    assert_eq!(edits[0]["newText"], " | ");
    assert_eq!(edits[0]["range"]["start"], pos("|upper", 0));

    // Definition of the include: the partial file.
    let r = c
        .request("textDocument/definition", tdp(pos("\"footer\"", 2)))
        .await;
    assert_eq!(r["result"]["uri"], file_uri(&root.join("_footer.tplc")));

    // Outline.
    let r = c
        .request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": uri}}),
        )
        .await;
    let names: Vec<&str> = r["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["header", "include \"footer\""]);

    // Preview: refused while the template has errors, with the reason.
    let r = c
        .request(
            "workspace/executeCommand",
            json!({"command": "tplc.preview", "arguments": [uri]}),
        )
        .await;
    assert!(
        r["error"]["message"].as_str().unwrap().contains("errors"),
        "{r}"
    );
    let clean = format!("{HEAD}Hello {{{{ buyer.name | default(\"there\") }}}}, order {{{{ order.id }}}} shipped.\n");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 4}, "contentChanges": [{"text": clean}]}),
    )
    .await;
    let r = c
        .request(
            "workspace/executeCommand",
            json!({"command": "tplc.preview", "arguments": [uri]}),
        )
        .await;
    let text_out = r["result"]["text"]
        .as_str()
        .unwrap_or_else(|| panic!("{r}"));
    assert!(
        text_out.contains("Hello Jordan, order 123-1234567-1234567 shipped."),
        "{text_out}"
    );
    assert!(r["result"]["html"].as_str().unwrap().contains("Jordan"));

    c.shutdown_exit().await;
    assert_eq!(server.await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_requests_get_errors_and_a_panic_does_not_end_the_session() {
    std::env::set_var(tplc_lsp::PANIC_TEST_ENV, "1");
    let dir = project(&[]);
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let uri = file_uri(&root.join("a.tplc"));
    let (mut c, server) = start();
    c.initialize(&file_uri(&root), false).await;
    c.open(&uri, &format!("{HEAD}{{{{ order.id }}}}\n")).await;

    let r = c
        .request("textDocument/hover", json!({"bogus": true}))
        .await;
    assert_eq!(r["error"]["code"], -32602, "{r}");
    let r = c.request("tplc/noSuchMethod", json!({})).await;
    assert_eq!(r["error"]["code"], -32601, "{r}");
    c.send_raw("{this is not json").await;
    let r = c.response_id(Value::Null).await;
    assert_eq!(r["error"]["code"], -32700, "{r}");
    c.send_raw(r#"{"id": 77, "hello": "world"}"#).await;
    let r = c.response(77).await;
    assert_eq!(r["error"]["code"], -32600, "{r}");
    c.send_raw_bytes(b"Content-Type: nothing\r\n\r\n").await;
    let r = c.response_id(Value::Null).await;
    assert_eq!(r["error"]["code"], -32700, "{r}");
    let r = c
        .request(
            "workspace/executeCommand",
            json!({"command": "tplc.preview", "arguments": []}),
        )
        .await;
    assert_eq!(r["error"]["code"], -32602, "{r}");

    let r = c
        .request(
            "workspace/executeCommand",
            json!({"command": tplc_lsp::PANIC_TEST_COMMAND, "arguments": []}),
        )
        .await;
    assert_eq!(r["error"]["code"], -32603, "{r}");
    // Still serving.
    let r = c
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": 4, "character": 4}}),
        )
        .await;
    assert!(r["result"]["contents"]["value"]
        .as_str()
        .unwrap()
        .contains("order"));
    c.shutdown_exit().await;
    assert_eq!(server.await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_without_shutdown_is_code_1() {
    let (mut c, server) = start();
    c.initialize("file:///nonexistent-tplc-root", false).await;
    c.notify("exit", Value::Null).await;
    assert_eq!(server.await.unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_that_are_not_open_and_tplc_toml_are_rechecked() {
    let text = format!(
        "{HEAD}Order {{{{ order.id }}}}: a 5-star review helps.\n{{% include \"footer\" %}}\n"
    );
    let dir = project(&[("msg.tplc", &text)]);
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let uri = file_uri(&root.join("msg.tplc"));
    let (mut c, server) = start();
    c.initialize(&file_uri(&root), false).await;
    c.open(&uri, &text).await;
    let d = c.diagnostics(&uri, Some(1)).await;
    assert!(codes(&d).contains(&"missing-include".to_string()), "{d:#}");

    // A partial appears on disk (not through the editor): the watcher notices.
    std::fs::write(root.join("_footer.tplc"), "Thanks!\n").unwrap();
    let mut d;
    loop {
        d = c.diagnostics(&uri, Some(1)).await;
        if !codes(&d).contains(&"missing-include".to_string()) {
            break;
        }
    }
    assert!(codes(&d).contains(&"sentiment-word".to_string()));

    // tplc.toml turns the rule off; the client reports the change.
    let toml = root.join("tplc.toml");
    std::fs::write(&toml, "[rules]\nsentiment-word = \"off\"\n").unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&toml), "type": 1}]}),
    )
    .await;
    loop {
        d = c.diagnostics(&uri, Some(1)).await;
        if !codes(&d).contains(&"sentiment-word".to_string()) {
            break;
        }
    }

    // A folder of partials moved in from elsewhere, then the root partial deleted: the
    // include now resolves to nothing again.
    let elsewhere = project(&[("_unused.tplc", "x\n")]);
    std::fs::rename(elsewhere.path(), root.join("parts")).unwrap();
    std::fs::remove_file(root.join("_footer.tplc")).unwrap();
    loop {
        d = c.diagnostics(&uri, Some(1)).await;
        if codes(&d).contains(&"missing-include".to_string()) {
            break;
        }
    }
    c.shutdown_exit().await;
    assert_eq!(server.await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn project_wide_problems_point_into_the_other_file() {
    let a = "---\nkind: review_request\nlocale: en\nsend: 7d after delivery\n---\nOrder {{ order.id }}: please leave a review.\n";
    let b = "---\nkind: review_request\nlocale: en\nsend: 9d after delivery\n---\nOrder {{ order.id }}: a review helps us.\n";
    let dir = project(&[("a.tplc", a), ("b.tplc", b)]);
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let (ua, ub) = (
        file_uri(&root.join("a.tplc")),
        file_uri(&root.join("b.tplc")),
    );
    let (mut c, server) = start();
    c.initialize(&file_uri(&root), false).await;
    c.open(&ub, b).await;
    // Whichever file is reported, its label points at the other one's schedule.
    let wait = async {
        loop {
            let pubs = c.drain_published();
            if let Some(p) = pubs.iter().find(|p| {
                p["diagnostics"]
                    .as_array()
                    .is_some_and(|d| d.iter().any(|d| d["code"] == "duplicate-review-request"))
            }) {
                break p.clone();
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    };
    let found = tokio::time::timeout(common::TIMEOUT, wait)
        .await
        .expect("a duplicate-review-request is published");
    let d = found["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "duplicate-review-request")
        .unwrap();
    let related = &d["relatedInformation"][0]["location"];
    let (other_uri, other_text) = if found["uri"] == ua.as_str() {
        (&ub, b)
    } else {
        (&ua, a)
    };
    assert_eq!(related["uri"], other_uri.as_str());
    let value = other_text
        .find("7d")
        .or_else(|| other_text.find("9d"))
        .unwrap();
    let (line, col) = column(other_text, value, false);
    assert_eq!(
        related["range"]["start"],
        json!({"line": line, "character": col})
    );
    c.shutdown_exit().await;
    assert_eq!(server.await.unwrap(), 0);
}

/// A document over the file limit is what a file that size on disk is: one
/// `file-too-large` error, and no parse for symbols, highlighting or formatting.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_over_the_file_limit_is_reported_not_parsed() {
    let limit = tplc_project::MAX_FILE_BYTES as usize;
    let text = format!("{HEAD}{}", "{{ a }}".repeat(limit / 7 + 1));
    let dir = project(&[]);
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let uri = file_uri(&root.join("big.tplc"));
    let (mut c, server) = start();
    c.initialize(&file_uri(&root), false).await;
    c.open(&uri, &text).await;
    let got = c.diagnostics(&uri, Some(1)).await;
    assert_eq!(codes(&got), vec!["file-too-large".to_string()], "{got:#}");
    let doc = json!({"textDocument": {"uri": uri}});
    for method in [
        "textDocument/documentSymbol",
        "textDocument/semanticTokens/full",
    ] {
        let r = c.request(method, doc.clone()).await;
        assert_eq!(r["result"], Value::Null, "{method}: {r:#}");
    }
    let r = c
        .request(
            "textDocument/formatting",
            json!({"textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": true}}),
        )
        .await;
    assert_eq!(r["result"], Value::Null, "{r:#}");
    c.shutdown_exit().await;
    assert_eq!(server.await.unwrap(), 0);
}
