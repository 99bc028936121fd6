//! The real `tplc lsp` binary over stdio. The tests build it (`cargo build -p tplc`);
//! `$TPLC_BIN` names another binary to test instead.

mod common;

use common::{column, engine_diagnostics, file_uri, project, Client, HEAD};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::OnceLock;
use tokio::process::{Child, Command};

/// The binary under test: `$TPLC_BIN`, else `target/debug/tplc`, brought up to date
/// with `cargo build -p tplc` first (once per run), so it never lags the library.
fn binary() -> Option<PathBuf> {
    static BIN: OnceLock<Option<PathBuf>> = OnceLock::new();
    BIN.get_or_init(find_binary).clone()
}

fn find_binary() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("TPLC_BIN") {
        return Some(PathBuf::from(p));
    }
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("../../target"));
    let exe = if cfg!(windows) { "tplc.exe" } else { "tplc" };
    let p = target.join("debug").join(exe);
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let built = std::process::Command::new(cargo)
        .args(["build", "-p", "tplc"])
        .current_dir(&manifest)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .status()
        .is_ok_and(|s| s.success());
    if !built {
        eprintln!("`cargo build -p tplc` failed; testing the existing binary if there is one");
    }
    if !p.is_file() {
        eprintln!(
            "skipped: {} is absent; run `cargo build -p tplc` to test the real binary",
            p.display()
        );
        return None;
    }
    Some(p)
}

fn spawn(bin: &PathBuf, panic_hook: bool) -> (Client, Child) {
    let mut cmd = Command::new(bin);
    cmd.arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    if panic_hook {
        cmd.env(tplc_lsp::PANIC_TEST_ENV, "1");
    }
    let mut child = cmd.spawn().expect("tplc starts");
    let stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    (Client::new(stdout, stdin), child)
}

async fn exit_code(child: &mut Child) -> i32 {
    let status = tokio::time::timeout(common::TIMEOUT, child.wait())
        .await
        .expect("the server exits after `exit`")
        .unwrap();
    status.code().unwrap_or(-1)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn burst_of_edits_in_utf16_and_utf8() {
    let Some(bin) = binary() else { return };
    for utf8 in [false, true] {
        let (mut c, mut child) = spawn(&bin, false);
        common::burst_scenario(&mut c, utf8).await;
        assert_eq!(exit_code(&mut child).await, 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_with_every_request_kind() {
    let Some(bin) = binary() else { return };
    let text = format!(
        "{HEAD}Hi {{{{ buyer.name }}}} 😀 漢字, order {{{{ order.id|upper }}}}: leave a 5-star review.\n"
    );
    let dir = project(&[("msg.tplc", &text)]);
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let path = root.join("msg.tplc");
    let uri = file_uri(&path);
    let (mut c, mut child) = spawn(&bin, true);
    c.initialize(&file_uri(&root), false).await;
    c.open(&uri, &text).await;
    let diags = c.diagnostics(&uri, Some(1)).await;
    assert_eq!(diags, engine_diagnostics(&root, &path, &text, false));

    let at = |needle: &str| {
        let (line, col) = column(&text, text.find(needle).unwrap() + 1, false);
        json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": col}})
    };
    let r = c.request("textDocument/hover", at("buyer.name")).await;
    let md = r["result"]["contents"]["value"].as_str().unwrap();
    assert!(md.starts_with("`buyer`: `buyer`"), "{md}");
    let r = c.request("textDocument/completion", at("order.id")).await;
    assert!(!r["result"].as_array().unwrap().is_empty(), "{r}");
    let r = c
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": diags[0]["range"], "context": {"diagnostics": [diags[0]]}}),
        )
        .await;
    assert_eq!(r["result"][0]["title"], "Add `| default(\"there\")`");
    let r = c
        .request(
            "textDocument/formatting",
            json!({"textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": true}}),
        )
        .await;
    assert_eq!(r["result"][0]["newText"], " | ");
    let r = c
        .request(
            "workspace/executeCommand",
            json!({"command": tplc_lsp::PANIC_TEST_COMMAND}),
        )
        .await;
    assert_eq!(r["error"]["code"], -32603, "{r}");
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
    c.shutdown_exit().await;
    assert_eq!(exit_code(&mut child).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_without_shutdown_is_code_1() {
    let Some(bin) = binary() else { return };
    let (mut c, mut child) = spawn(&bin, false);
    c.initialize("file:///nonexistent-tplc-root", false).await;
    c.notify("exit", Value::Null).await;
    assert_eq!(exit_code(&mut child).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelled_requests_are_answered_request_cancelled_and_never_started() {
    let Some(bin) = binary() else { return };
    let text = format!("{HEAD}Hi {{{{ buyer.name }}}}, order {{{{ order.id }}}}.\n");
    let dir = project(&[("msg.tplc", &text)]);
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let uri = file_uri(&root.join("msg.tplc"));
    let (mut c, mut child) = spawn(&bin, true);
    c.initialize(&file_uri(&root), false).await;
    c.open(&uri, &text).await;
    let hover = |id: Value| {
        json!({"jsonrpc": "2.0", "id": id, "method": "textDocument/hover",
               "params": {"textDocument": {"uri": uri}, "position": {"line": 4, "character": 6}}})
    };
    // A request that is still running when its cancellation arrives (it only ends when
    // cancelled), and a hover queued behind it: requests are handled one at a time.
    c.send(
        &json!({"jsonrpc": "2.0", "id": "slow", "method": "workspace/executeCommand",
                   "params": {"command": tplc_lsp::WAIT_TEST_COMMAND}}),
    )
    .await;
    c.send(&hover(json!(1001))).await;
    c.send(&hover(json!(1002))).await;
    c.notify("$/cancelRequest", json!({"id": 1001})).await;
    c.notify("$/cancelRequest", json!({"id": "slow"})).await;
    let slow = c.response_id(json!("slow")).await;
    assert_eq!(slow["error"]["code"], -32800, "{slow}");
    let queued = c.response(1001).await;
    assert_eq!(queued["error"]["code"], -32800, "{queued}");
    assert!(queued.get("result").is_none(), "{queued}");
    // The request queued behind them that nobody cancelled runs as usual.
    let kept = c.response(1002).await;
    let md = kept["result"]["contents"]["value"].as_str().unwrap();
    assert!(md.contains("buyer"), "{kept}");
    // Cancelling something already answered (or never sent) changes nothing.
    c.notify("$/cancelRequest", json!({"id": 1002})).await;
    c.notify("$/cancelRequest", json!({"id": 424242})).await;
    // An id may be used again once its request is over.
    c.send(&hover(json!(1001))).await;
    let again = c.response(1001).await;
    assert!(again["result"]["contents"]["value"].is_string(), "{again}");
    c.shutdown_exit().await;
    assert_eq!(exit_code(&mut child).await, 0);
}

/// The level a published list gives `code` (1 error .. 4 hint), `None` when absent.
fn level_of(diags: &Value, code: &str) -> Option<i64> {
    diags
        .as_array()?
        .iter()
        .find(|d| d["code"] == code)
        .map(|d| d["severity"].as_i64().unwrap_or(0))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editor_settings_fill_what_tplc_toml_leaves_unset_and_apply_live() {
    let Some(bin) = binary() else { return };
    let text = format!(
        "{HEAD}Hi {{{{ buyer.name | default(\"there\") }}}} 😀, order {{{{ order.id }}}}. We hope you are happy with it.\n"
    );
    // The project decides `emoji`; it leaves `sentiment-word` to the default (error).
    let dir = project(&[
        ("msg.tplc", &text),
        ("tplc.toml", "[rules]\nemoji = \"warning\"\n"),
    ]);
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let path = root.join("msg.tplc");
    let uri = file_uri(&path);
    let (mut c, mut child) = spawn(&bin, false);
    let r = c
        .request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": file_uri(&root),
                "capabilities": {"workspace": {"configuration": true}},
                "initializationOptions": {
                    "rules": {"sentiment-word": "off", "emoji": "off"},
                    "debounceMs": 20
                }
            }),
        )
        .await;
    assert!(r["result"]["capabilities"].is_object(), "{r}");
    c.notify("initialized", json!({})).await;
    c.open(&uri, &text).await;
    // The editor turned `sentiment-word` off; its `emoji: off` loses to tplc.toml.
    let d = c.diagnostics(&uri, Some(1)).await;
    assert_eq!(level_of(&d, "sentiment-word"), None, "{d}");
    assert_eq!(level_of(&d, "emoji"), Some(2), "{d}");

    // Pushed: didChangeConfiguration with the settings re-checks and re-publishes.
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"tplc": {"rules": {"sentiment-word": "info"}}}}),
    )
    .await;
    let d = c
        .diagnostics_until(&uri, |d| level_of(d, "sentiment-word") == Some(3))
        .await;
    assert_eq!(level_of(&d, "emoji"), Some(2), "{d}");

    // Pulled: `settings: null` makes the server ask with workspace/configuration.
    c.settings = Some(json!({"rules": {"sentiment-word": "warning", "emoji": "info"}}));
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": null}),
    )
    .await;
    let d = c
        .diagnostics_until(&uri, |d| level_of(d, "sentiment-word") == Some(2))
        .await;
    assert_eq!(level_of(&d, "emoji"), Some(2), "{d}");

    // Cleared: back to what `tplc check` says.
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"tplc": {}}}),
    )
    .await;
    let d = c
        .diagnostics_until(&uri, |d| level_of(d, "sentiment-word") == Some(1))
        .await;
    assert_eq!(d, engine_diagnostics(&root, &path, &text, false));

    // A project decision made later in tplc.toml wins over the editor too.
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"tplc": {"rules": {"sentiment-word": "off"}}}}),
    )
    .await;
    c.diagnostics_until(&uri, |d| level_of(d, "sentiment-word").is_none())
        .await;
    std::fs::write(
        root.join("tplc.toml"),
        "[rules]\nemoji = \"warning\"\nsentiment-word = \"warning\"\n",
    )
    .unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&root.join("tplc.toml")), "type": 2}]}),
    )
    .await;
    c.diagnostics_until(&uri, |d| level_of(d, "sentiment-word") == Some(2))
        .await;

    // Settings it cannot use are explained, not silently dropped.
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"tplc": {"rules": {"sentiment-wrod": "off"}}}}),
    )
    .await;
    let msg = loop {
        let m = c.next_message().await;
        if m["method"] == "window/showMessage" {
            break m;
        }
    };
    let text = msg["params"]["message"].as_str().unwrap();
    assert!(text.contains("`rules.sentiment-wrod`"), "{text}");
    c.shutdown_exit().await;
    assert_eq!(exit_code(&mut child).await, 0);
}
