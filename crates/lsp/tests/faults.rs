//! A misbehaving client: broken framing and JSON, unknown methods, positions past the end
//! of the document, edits to documents never opened, a client that vanishes mid-request,
//! requests after `shutdown`. The server answers as the protocol says or exits cleanly,
//! and never stops answering the requests that are valid.
//!
//! The server runs in process over a pipe (`tplc_lsp::serve`); every wait has a deadline.

mod common;

use serde_json::{json, Value};
use std::time::Duration;
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

const DEADLINE: Duration = Duration::from_secs(20);
const HEAD: &str = "---\nkind: delivery\nlocale: en\n---\n";

struct Client {
    writer: Option<Box<dyn AsyncWrite + Unpin + Send>>,
    rx: mpsc::UnboundedReceiver<Value>,
    next_id: i64,
    seen: Vec<Value>,
}

fn start() -> (Client, JoinHandle<i32>) {
    let (client_side, server_side) = tokio::io::duplex(1 << 20);
    let (sr, sw) = tokio::io::split(server_side);
    let server = tokio::spawn(tplc_lsp::serve(sr, sw));
    let (cr, cw) = tokio::io::split(client_side);
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(common::read_loop(cr, tx));
    (
        Client {
            writer: Some(Box::new(cw)),
            rx,
            next_id: 1,
            seen: Vec::new(),
        },
        server,
    )
}

impl Client {
    async fn raw(&mut self, bytes: &[u8]) {
        let w = self.writer.as_mut().expect("connection open");
        // The server may already be gone (after `exit`); that is what some tests check.
        let _ = w.write_all(bytes).await;
        let _ = w.flush().await;
    }

    async fn send(&mut self, v: Value) {
        let body = v.to_string();
        self.raw(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes())
            .await;
    }

    async fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}))
            .await;
    }

    /// A request with the next id, framed but not sent: its bytes and its id.
    fn framed_call(&mut self, method: &str, params: Value) -> (Vec<u8>, i64) {
        let id = self.next_id;
        self.next_id += 1;
        let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        (framed(body.to_string().as_bytes()), id)
    }

    async fn call(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await;
        id
    }

    /// The next message, answering the server's own requests with `null`.
    async fn next(&mut self) -> Option<Value> {
        let v = tokio::time::timeout(DEADLINE, self.rx.recv())
            .await
            .ok()??;
        if v.get("method").is_some() && v.get("id").is_some() {
            let id = v["id"].clone();
            self.send(json!({"jsonrpc": "2.0", "id": id, "result": null}))
                .await;
        }
        self.seen.push(v.clone());
        Some(v)
    }

    async fn response(&mut self, id: Value) -> Value {
        loop {
            let v = self
                .next()
                .await
                .unwrap_or_else(|| panic!("no response to {id}"));
            if v.get("method").is_none() && v["id"] == id {
                return v;
            }
        }
    }

    async fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.call(method, params).await;
        self.response(json!(id)).await
    }

    async fn initialize(&mut self, root_uri: &str) {
        let r = self
            .request(
                "initialize",
                json!({"processId": null, "rootUri": root_uri, "capabilities": {},
                       "initializationOptions": {"debounceMs": 10}}),
            )
            .await;
        assert!(r["result"]["capabilities"].is_object(), "{r}");
        self.notify("initialized", json!({})).await;
    }

    async fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "tplc", "version": 1, "text": text}}),
        )
        .await;
    }

    /// The next diagnostics published for `uri` at `version`.
    async fn diagnostics(&mut self, uri: &str, version: i64) -> Value {
        loop {
            let v = self
                .next()
                .await
                .unwrap_or_else(|| panic!("no diagnostics for {uri} v{version}"));
            if v["method"] == "textDocument/publishDiagnostics"
                && v["params"]["uri"] == uri
                && v["params"]["version"] == version
            {
                return v["params"]["diagnostics"].clone();
            }
        }
    }

    async fn shutdown_exit(&mut self) {
        let r = self.request("shutdown", Value::Null).await;
        assert_eq!(r["result"], Value::Null, "{r}");
        self.notify("exit", Value::Null).await;
    }
}

fn framed(body: &[u8]) -> Vec<u8> {
    let mut v = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    v.extend_from_slice(body);
    v
}

async fn exit_code(server: JoinHandle<i32>) -> i32 {
    tokio::time::timeout(DEADLINE, server)
        .await
        .expect("the server stops")
        .expect("the server task does not panic")
}

fn uri_in(dir: &std::path::Path, name: &str) -> String {
    let p = std::fs::canonicalize(dir).unwrap().join(name);
    tower_lsp_server::ls_types::Uri::from_file_path(&p)
        .unwrap()
        .as_str()
        .to_string()
}

fn root_uri(dir: &std::path::Path) -> String {
    let p = std::fs::canonicalize(dir).unwrap();
    tower_lsp_server::ls_types::Uri::from_file_path(&p)
        .unwrap()
        .as_str()
        .to_string()
}

/// A request that must still work: proves the session survived what came before.
async fn still_serving(c: &mut Client, uri: &str) {
    let r = c
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": 4, "character": 10}}),
        )
        .await;
    assert!(
        r["result"]["contents"]["value"]
            .as_str()
            .is_some_and(|s| s.contains("order")),
        "{r}"
    );
}

/// A session on a fresh project folder with one clean template open: the folder (kept
/// alive for the test), the template's URI, the client and the server's task.
async fn opened() -> (tempfile::TempDir, String, Client, JoinHandle<i32>) {
    let dir = tempfile::tempdir().unwrap();
    let uri = uri_in(dir.path(), "a.tplc");
    let (mut c, server) = start();
    c.initialize(&root_uri(dir.path())).await;
    c.open(&uri, &format!("{HEAD}Your {{{{ order.id }}}}\n"))
        .await;
    (dir, uri, c, server)
}

/// The server still answers, then `shutdown` and `exit` end it with code 0.
async fn ends_cleanly(mut c: Client, uri: &str, server: JoinHandle<i32>) {
    still_serving(&mut c, uri).await;
    c.shutdown_exit().await;
    assert_eq!(exit_code(server).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_framing_and_json_get_error_responses() {
    let (_dir, uri, mut c, server) = opened().await;

    // Each bad message gets its own answer (-32700 parse error, -32600 invalid request).
    let cases: Vec<(Vec<u8>, Value, i64)> = vec![
        (framed(b"\xff\xfe not utf-8"), Value::Null, -32700),
        (framed(b"[1, 2"), Value::Null, -32700),
        (framed(b""), Value::Null, -32700),
        (framed(b"null"), Value::Null, -32600),
        (framed(b"42"), Value::Null, -32600),
        (
            framed(br#"{"jsonrpc": "1.0", "id": 5, "method": "initialize"}"#),
            json!(5),
            -32600,
        ),
        (framed(br#"{"jsonrpc": "2.0", "id": 6}"#), json!(6), -32600),
        (
            framed(br#"{"jsonrpc": "2.0", "id": 8, "params": {}}"#),
            json!(8),
            -32600,
        ),
        (
            framed(br#"{"jsonrpc": "2.0", "id": "s", "method": 7}"#),
            json!("s"),
            -32600,
        ),
        (
            b"Content-Length: 999999999999999999999\r\n\r\n".to_vec(),
            Value::Null,
            -32700,
        ),
        (b"Content-Length: -3\r\n\r\n".to_vec(), Value::Null, -32700),
    ];
    for (bytes, id, code) in cases {
        c.raw(&bytes).await;
        let r = c.response(id.clone()).await;
        // An id without a method (and without result or error) is not a request for
        // the method "": it is an invalid request, not an unknown method.
        assert_eq!(
            r["error"]["code"].as_i64(),
            Some(code),
            "{:?}: {r}",
            String::from_utf8_lossy(&bytes)
        );
        assert_eq!(r["jsonrpc"], "2.0");
    }
    // A batch is not supported by LSP; it must not end the session either.
    c.raw(&framed(
        br#"[{"jsonrpc": "2.0", "id": 9, "method": "shutdown"}]"#,
    ))
    .await;
    let r = c.response(Value::Null).await;
    assert!(r["error"]["code"].is_number(), "{r}");
    ends_cleanly(c, &uri, server).await;
}

/// The hover request `still_serving` sends, framed: its bytes and its id.
fn hover_call(c: &mut Client, uri: &str) -> (Vec<u8>, i64) {
    c.framed_call(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 4, "character": 10}}),
    )
}

/// Send `fault` with a valid hover request glued to its end (no byte between them): the
/// fault gets one -32700 with a null id, the request its normal answer.
async fn parse_error_then_answer(c: &mut Client, uri: &str, fault: &[u8]) {
    let (request, id) = hover_call(c, uri);
    let before = c.seen.len();
    c.raw(&[fault, &request].concat()).await;
    let what = String::from_utf8_lossy(&fault[..fault.len().min(80)]).into_owned();
    let mut answered = false;
    let mut parse_errors = 0;
    while !answered || parse_errors == 0 {
        let v = c.next().await.unwrap_or_else(|| {
            panic!("{what:?}: no answer (errors {parse_errors}, answered {answered})")
        });
        if v.get("method").is_some() {
            continue;
        }
        if v["id"] == id {
            assert!(
                v["result"]["contents"]["value"]
                    .as_str()
                    .is_some_and(|s| s.contains("order")),
                "{what:?}: {v}"
            );
            answered = true;
        } else {
            assert_eq!(v["id"], Value::Null, "{what:?}: {v}");
            assert_eq!(v["error"]["code"], -32700, "{what:?}: {v}");
            parse_errors += 1;
        }
    }
    assert_eq!(parse_errors, 1, "{what:?}: {:?}", &c.seen[before..]);
}

/// After `faults`, the session answers, ends cleanly, and answered nothing else: one
/// parse error per fault, no response to the requests the faults hid (`hidden` ids).
async fn only_parse_errors_then_ends_cleanly(
    mut c: Client,
    uri: &str,
    server: JoinHandle<i32>,
    faults: usize,
    hidden: &[i64],
) {
    still_serving(&mut c, uri).await;
    c.shutdown_exit().await;
    assert_eq!(exit_code(server).await, 0);
    let null_errors = c
        .seen
        .iter()
        .filter(|v| v.get("method").is_none() && v["id"] == Value::Null)
        .count();
    assert_eq!(null_errors, faults);
    for id in hidden {
        assert!(
            !c.seen.iter().any(|v| v["id"] == *id),
            "the request {id} inside a skipped message was answered"
        );
    }
}

/// A hover request with `id` padded to `len` bytes of valid JSON, framed.
fn padded_request(id: i64, uri: &str, len: usize) -> Vec<u8> {
    let head = format!(
        r#"{{"jsonrpc": "2.0", "id": {id}, "method": "textDocument/hover", "params": {{"textDocument": {{"uri": "{uri}"}}, "position": {{"line": 4, "character": 10}}, "pad": ""#
    );
    let mut body = head.into_bytes();
    body.resize(len - 3, b'a');
    body.extend_from_slice(b"\"}}");
    assert!(serde_json::from_slice::<Value>(&body).is_ok());
    framed(&body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bytes_that_are_not_utf8_between_messages_or_in_headers_are_skipped() {
    let (_dir, uri, mut c, server) = opened().await;
    let hidden = padded_request(999_001, &uri, 200);
    let hidden_body = &hidden[hidden.iter().position(|&b| b == b'{').unwrap()..];
    let faults: Vec<Vec<u8>> = vec![
        // Lines of their own between messages.
        b"\xff\xfe\xfd\r\n\r\n".to_vec(),
        b"\r\n\xff\r\n".to_vec(),
        // Right before the next header, on its line.
        b"\xc3\x28\x80".to_vec(),
        // In a header line: the block is broken, its declared body skipped.
        [
            format!("Content-Length: {}\r\n", hidden_body.len()).as_bytes(),
            b"X-Note: \xff\xfe\r\n\r\n",
            hidden_body,
        ]
        .concat(),
        // In the length itself.
        b"Content-Length: 5\xff\r\n\r\n".to_vec(),
    ];
    for fault in &faults {
        parse_error_then_answer(&mut c, &uri, fault).await;
    }
    only_parse_errors_then_ends_cleanly(c, &uri, server, faults.len(), &[999_001]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_message_is_skipped_exactly_and_the_next_one_answered() {
    let (_dir, uri, mut c, server) = opened().await;
    // Valid JSON, 6 MiB over the 64 MiB limit; the next request follows its last byte.
    let big = padded_request(999_002, &uri, 70 << 20);
    parse_error_then_answer(&mut c, &uri, &big).await;
    drop(big);
    only_parse_errors_then_ends_cleanly(c, &uri, server, 1, &[999_002]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_shorter_than_declared_is_cut_at_the_next_header() {
    let (_dir, uri, mut c, server) = opened().await;
    let faults: Vec<&[u8]> = vec![
        // The next message is shorter than what is missing (it would be waited for)...
        b"Content-Length: 500\r\n\r\n{\"jsonrpc\": \"2.0\", \"id\": 1",
        // ...or longer (its header would be read as the end of this body).
        b"Content-Length: 40\r\n\r\n{\"jsonrpc\": \"2.0\"",
        // A header line cut short, and a header block cut short.
        b"Content-Len",
        b"Content-Length: 12\r\n",
    ];
    for fault in &faults {
        parse_error_then_answer(&mut c, &uri, fault).await;
    }
    only_parse_errors_then_ends_cleanly(c, &uri, server, faults.len(), &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn endless_header_lines_and_blocks_are_dropped_as_they_stream() {
    let (_dir, uri, mut c, server) = opened().await;
    let endless = vec![b'x'; 8 << 20];
    let faults: Vec<Vec<u8>> = vec![
        // A line without end, then the next header on the same line.
        endless.clone(),
        // A line without end, then a blank line.
        [&endless[..], b"\r\n\r\n"].concat(),
        // A block of endless lines.
        b"X-A: b\r\n".repeat(100_000),
        [b"Content-Type: ", &endless[..], b"\r\n\r\n"].concat(),
    ];
    for fault in &faults {
        parse_error_then_answer(&mut c, &uri, fault).await;
    }
    only_parse_errors_then_ends_cleanly(c, &uri, server, faults.len(), &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_methods_answer_method_not_found_and_unknown_notifications_are_ignored() {
    let (_dir, uri, mut c, server) = opened().await;
    for (m, params) in [
        ("tplc/nothing", json!({})),
        ("workspace/symbol", json!({"query": ""})),
        (
            "textDocument/rename",
            json!({"textDocument": {"uri": uri}, "position": {"line": 4, "character": 8}, "newName": "x"}),
        ),
        ("", Value::Null),
    ] {
        let r = c.request(m, params).await;
        assert_eq!(r["error"]["code"], -32601, "{m}: {r}");
    }
    // Notifications never get a response, known or not; `$/` ones are optional by spec.
    c.notify("tplc/somethingNew", json!({"x": 1})).await;
    c.notify("$/cancelRequest", json!({"id": 12345})).await;
    c.notify("$/setTrace", json!({"value": "verbose"})).await;
    ends_cleanly(c, &uri, server).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn positions_past_the_end_are_clamped_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let uri = uri_in(dir.path(), "a.tplc");
    let text = format!("{HEAD}Héllo 😀 {{{{ order.id }}}}\n");
    let (mut c, server) = start();
    c.initialize(&root_uri(dir.path())).await;
    c.open(&uri, &text).await;
    let far = [
        json!({"line": 4, "character": 100_000}),
        json!({"line": 9_999, "character": 0}),
        json!({"line": 4294967295u64, "character": 4294967295u64}),
        // Inside the surrogate pair of the emoji (UTF-16 column 8).
        json!({"line": 4, "character": 8}),
    ];
    for pos in &far {
        for m in [
            "textDocument/hover",
            "textDocument/completion",
            "textDocument/definition",
        ] {
            let r = c
                .request(m, json!({"textDocument": {"uri": uri}, "position": pos}))
                .await;
            // A null result or an invalid-params error: both per spec; a crash is not.
            assert!(
                r.get("result").is_some() || r["error"]["code"] == -32602,
                "{m} at {pos}: {r}"
            );
        }
        let r = c
            .request(
                "textDocument/codeAction",
                json!({"textDocument": {"uri": uri},
                       "range": {"start": pos, "end": pos},
                       "context": {"diagnostics": [{"range": {"start": pos, "end": pos}, "message": "x"}]}}),
            )
            .await;
        assert!(r.get("result").is_some(), "codeAction at {pos}: {r}");
    }
    // A negative position is not a valid `uinteger`: invalid params.
    let r = c
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": -1, "character": 0}}),
        )
        .await;
    assert_eq!(r["error"]["code"], -32602, "{r}");

    // An edit whose range lies past the end: applied at the end, never a crash, and the
    // server keeps publishing for newer versions.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [
            {"range": {"start": {"line": 500, "character": 3}, "end": {"line": 2, "character": 0}}, "text": "X"},
            {"range": {"start": {"line": 4, "character": 7}, "end": {"line": 4, "character": 9000}}, "text": "Y"}
        ]}),
    )
    .await;
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": [
            {"text": format!("{HEAD}Your {{{{ order.id }}}}\n")}
        ]}),
    )
    .await;
    let d = c.diagnostics(&uri, 3).await;
    assert!(d.is_array(), "{d}");
    ends_cleanly(c, &uri, server).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_never_opened_are_errors_for_requests_and_ignored_for_changes() {
    let dir = tempfile::tempdir().unwrap();
    let open = uri_in(dir.path(), "open.tplc");
    let ghost = uri_in(dir.path(), "ghost.tplc");
    let (mut c, server) = start();
    c.initialize(&root_uri(dir.path())).await;
    c.open(&open, &format!("{HEAD}Your {{{{ order.id }}}}\n"))
        .await;
    // Changes, saves and closes for a document that was never opened.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": ghost, "version": 2}, "contentChanges": [
            {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "x"}
        ]}),
    )
    .await;
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": "untitled:Untitled-9", "version": 2}, "contentChanges": [{"text": "x"}]}),
    )
    .await;
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": ghost}}),
    )
    .await;
    c.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": ghost}}),
    )
    .await;
    for m in [
        "textDocument/hover",
        "textDocument/completion",
        "textDocument/definition",
    ] {
        let r = c
            .request(
                m,
                json!({"textDocument": {"uri": ghost}, "position": {"line": 0, "character": 0}}),
            )
            .await;
        assert_eq!(r["error"]["code"], -32602, "{m}: {r}");
        assert!(
            r["error"]["message"]
                .as_str()
                .unwrap()
                .contains("is not open"),
            "{r}"
        );
    }
    for m in [
        "textDocument/formatting",
        "textDocument/documentSymbol",
        "textDocument/semanticTokens/full",
    ] {
        let r = c
            .request(
                m,
                json!({"textDocument": {"uri": ghost}, "options": {"tabSize": 2, "insertSpaces": true}}),
            )
            .await;
        assert_eq!(r["error"]["code"], -32602, "{m}: {r}");
    }
    // Nothing was published for the ghost: it does not exist anywhere. (Unchanged
    // diagnostics are not sent again, so an edit marks the point where every earlier
    // change has been analysed.)
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": open, "version": 2}, "contentChanges": [{"text": format!("{HEAD}Your {{{{ order.id }}}}.\n")}]}),
    )
    .await;
    let d = c.diagnostics(&open, 2).await;
    assert!(d.is_array());
    assert!(
        !c.seen.iter().any(|v| v["params"]["uri"] == ghost.as_str()
            && v["params"]["diagnostics"]
                .as_array()
                .is_some_and(|a| !a.is_empty())),
        "diagnostics published for a document that was never opened"
    );
    still_serving(&mut c, &open).await;
    c.shutdown_exit().await;
    assert_eq!(exit_code(server).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_after_shutdown_are_invalid_and_exit_ends_the_session() {
    let (_dir, uri, mut c, server) = opened().await;
    let r = c.request("shutdown", Value::Null).await;
    assert_eq!(r["result"], Value::Null, "{r}");
    // After shutdown every request is answered with InvalidRequest (-32600).
    let r = c
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": 4, "character": 8}}),
        )
        .await;
    assert_eq!(r["error"]["code"], -32600, "{r}");
    let r = c.request("shutdown", Value::Null).await;
    assert_eq!(r["error"]["code"], -32600, "{r}");
    // Notifications other than `exit` are dropped without an answer.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": "x"}]}),
    )
    .await;
    c.notify("exit", Value::Null).await;
    assert_eq!(exit_code(server).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_before_initialize_are_refused() {
    let (mut c, server) = start();
    let r = c
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": "file:///x.tplc"}, "position": {"line": 0, "character": 0}}),
        )
        .await;
    // ServerNotInitialized.
    assert_eq!(r["error"]["code"], -32002, "{r}");
    c.initialize("file:///nonexistent-tplc-root").await;
    let r = c.request("initialize", json!({"capabilities": {}})).await;
    assert!(r["error"]["code"].is_number(), "a second initialize: {r}");
    c.shutdown_exit().await;
    assert_eq!(exit_code(server).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_disappears_mid_request_ends_the_session_cleanly() {
    for cut in ["after-request", "mid-header", "mid-body"] {
        let dir = tempfile::tempdir().unwrap();
        let uri = uri_in(dir.path(), "a.tplc");
        let (mut c, server) = start();
        c.initialize(&root_uri(dir.path())).await;
        let big = format!(
            "{HEAD}{}",
            "Your {{ order.id }} is on its way.\n".repeat(2_000)
        );
        c.open(&uri, &big).await;
        match cut {
            "after-request" => {
                // A slow request is in flight when the connection drops.
                c.call(
                    "workspace/executeCommand",
                    json!({"command": "tplc.preview", "arguments": [uri]}),
                )
                .await;
            }
            "mid-header" => c.raw(b"Content-Len").await,
            _ => {
                c.raw(b"Content-Length: 500\r\n\r\n{\"jsonrpc\": \"2.0\", \"id\": 1")
                    .await
            }
        }
        // Gone: both directions closed, nobody reads what the server writes.
        c.writer = None;
        drop(c);
        // No `shutdown` came first: exit code 1, and promptly.
        assert_eq!(exit_code(server).await, 1, "{cut}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_requests_is_answered_in_full() {
    let (_dir, uri, mut c, server) = opened().await;
    let mut ids = Vec::new();
    for i in 0..300 {
        let id = c
            .call(
                "textDocument/hover",
                json!({"textDocument": {"uri": uri}, "position": {"line": 4, "character": i % 30}}),
            )
            .await;
        ids.push(id);
        // Cancel some of them: a cancelled request still gets exactly one response.
        if i % 7 == 0 {
            c.notify("$/cancelRequest", json!({"id": id})).await;
        }
    }
    let mut answered = std::collections::BTreeSet::new();
    while answered.len() < ids.len() {
        let v = c.next().await.expect("every request is answered");
        if v.get("method").is_none() {
            let id = v["id"].as_i64().expect("numeric id");
            assert!(answered.insert(id), "two responses to {id}");
            assert!(
                v.get("result").is_some() || v["error"]["code"] == -32800,
                "{v}"
            );
        }
    }
    c.shutdown_exit().await;
    assert_eq!(exit_code(server).await, 0);
}

/// The real `tplc lsp` process: `$TPLC_BIN`, else `target/debug/tplc` (skipped when absent).
fn binary() -> Option<std::path::PathBuf> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let p = std::env::var_os("TPLC_BIN")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| target.join("debug").join("tplc"));
    if p.is_file() {
        Some(p)
    } else {
        eprintln!("skipped: {} is absent (cargo build -p tplc)", p.display());
        None
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_process_exits_when_its_client_vanishes() {
    let Some(bin) = binary() else { return };
    let dir = tempfile::tempdir().unwrap();
    let uri = uri_in(dir.path(), "a.tplc");
    let mut child = spawn_server(&bin);
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let frame = |v: Value| {
        let b = v.to_string();
        format!("Content-Length: {}\r\n\r\n{b}", b.len())
    };
    let mut msgs = String::new();
    msgs += &frame(json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"processId": null, "rootUri": root_uri(dir.path()), "capabilities": {}}}));
    msgs += &frame(json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
    msgs += &frame(
        json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params":
        {"textDocument": {"uri": uri, "languageId": "tplc", "version": 1,
                          "text": format!("{HEAD}{}", "Your {{ order.id }}.\n".repeat(3_000))}}}),
    );
    msgs += &frame(
        json!({"jsonrpc": "2.0", "id": 2, "method": "workspace/executeCommand",
        "params": {"command": "tplc.preview", "arguments": [uri]}}),
    );
    // Half a message, then the client is gone: stdin closes, nobody reads stdout.
    msgs += "Content-Length: 80\r\n\r\n{\"jsonrpc\"";
    stdin.write_all(msgs.as_bytes()).await.unwrap();
    drop(stdin);
    drop(stdout);
    let status = tokio::time::timeout(DEADLINE, child.wait())
        .await
        .expect("the server exits once its client is gone")
        .unwrap();
    // No `shutdown` was asked for: exit code 1 (not a signal, not a panic).
    assert_eq!(status.code(), Some(1), "{status:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_framed_garbage_never_ends_the_session() {
    let (_dir, uri, mut c, server) = opened().await;
    let pieces = [
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        "\"",
        "\"jsonrpc\"",
        "\"2.0\"",
        "\"id\"",
        "\"method\"",
        "\"params\"",
        "\"textDocument/hover\"",
        "\"textDocument/didChange\"",
        "null",
        "1",
        "-1",
        "1e999",
        "true",
        "\"\\u0000\"",
        "\u{ff}",
        "😀",
        " ",
        "\"uri\"",
        "\"position\"",
        "\"contentChanges\"",
        "\"version\"",
        "\"textDocument\"",
        "\"file:///x\"",
    ];
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..300 {
        let n = (next() % 24) as usize;
        let body: String = (0..n)
            .map(|_| pieces[(next() % pieces.len() as u64) as usize])
            .collect();
        c.raw(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes())
            .await;
    }
    // Whatever the garbage caused (error responses, ignored notifications), the next
    // valid request is answered correctly.
    still_serving(&mut c, &uri).await;
    for v in &c.seen {
        if let Some(e) = v.get("error") {
            assert!(e["code"].is_i64() && e["message"].is_string(), "{v}");
        }
    }
    c.shutdown_exit().await;
    assert_eq!(exit_code(server).await, 0);
}

/// `tplc lsp` as a child process with piped stdin and stdout, killed when dropped.
fn spawn_server(bin: &std::path::Path) -> tokio::process::Child {
    tokio::process::Command::new(bin)
        .arg("lsp")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap()
}

/// Peak resident memory of process `pid` in bytes (`VmHWM`), where `/proc` tells it.
fn peak_memory(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_process_stays_small_through_endless_headers_and_oversized_bodies() {
    let Some(bin) = binary() else { return };
    let dir = tempfile::tempdir().unwrap();
    let uri = uri_in(dir.path(), "a.tplc");
    let mut child = spawn_server(&bin);
    let pid = child.id().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(common::read_loop(stdout, tx));
    let mut c = Client {
        writer: Some(Box::new(child.stdin.take().unwrap())),
        rx,
        next_id: 1,
        seen: Vec::new(),
    };
    c.initialize(&root_uri(dir.path())).await;
    c.open(&uri, &format!("{HEAD}Your {{{{ order.id }}}}\n"))
        .await;

    // 100 MiB of one header line, then a request on its end.
    parse_error_then_answer(&mut c, &uri, &vec![b'x'; 100 << 20]).await;
    // A body 6 MiB over the limit, then a request.
    parse_error_then_answer(&mut c, &uri, &padded_request(999_003, &uri, 70 << 20)).await;

    let r = c.request("shutdown", Value::Null).await;
    assert_eq!(r["result"], Value::Null, "{r}");
    // Read while the process still runs; skipped where /proc is absent.
    let peak = peak_memory(pid);
    c.notify("exit", Value::Null).await;
    let status = tokio::time::timeout(DEADLINE, child.wait())
        .await
        .expect("the server exits")
        .unwrap();
    assert_eq!(status.code(), Some(0), "{status:?}");
    if let Some(peak) = peak {
        eprintln!("peak resident memory: {} MiB", peak >> 20);
        assert!(peak < 200 << 20, "peak resident memory {} MiB", peak >> 20);
    }
}
