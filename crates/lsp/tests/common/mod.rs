//! A small JSON-RPC client for driving the server over a real byte stream: the
//! in-process server over a duplex pipe, or the `tplc lsp` binary over stdio.

#![allow(dead_code)]

use serde_json::{json, Value};
use std::collections::VecDeque;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

pub const TIMEOUT: Duration = Duration::from_secs(20);

pub struct Client {
    writer: Box<dyn AsyncWrite + Unpin + Send>,
    rx: mpsc::UnboundedReceiver<Value>,
    /// Notifications and server requests seen while waiting for something else.
    pub pending: VecDeque<Value>,
    next_id: i64,
    /// What this client answers to `workspace/configuration` for each item (`null`
    /// when unset), as an editor holding these settings would.
    pub settings: Option<Value>,
}

/// The server in process, over a duplex pipe: the client, and the server's task (its exit
/// code).
pub fn start() -> (Client, tokio::task::JoinHandle<i32>) {
    let (client_side, server_side) = tokio::io::duplex(1 << 20);
    let (sr, sw) = tokio::io::split(server_side);
    let server = tokio::spawn(tplc_lsp::serve(sr, sw));
    let (cr, cw) = tokio::io::split(client_side);
    (Client::new(cr, cw), server)
}

/// Read `Content-Length` framed messages until the stream ends.
pub async fn read_loop(reader: impl AsyncRead + Unpin, tx: mpsc::UnboundedSender<Value>) {
    let mut r = BufReader::new(reader);
    loop {
        let mut len = None;
        loop {
            let mut line = String::new();
            match r.read_line(&mut line).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(v) = line.strip_prefix("Content-Length:") {
                len = v.trim().parse::<usize>().ok();
            }
        }
        let Some(len) = len else { return };
        let mut body = vec![0; len];
        if r.read_exact(&mut body).await.is_err() {
            return;
        }
        let Ok(v) = serde_json::from_slice::<Value>(&body) else {
            return;
        };
        if tx.send(v).is_err() {
            return;
        }
    }
}

impl Client {
    pub fn new(
        reader: impl AsyncRead + Unpin + Send + 'static,
        writer: impl AsyncWrite + Unpin + Send + 'static,
    ) -> Client {
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(read_loop(reader, tx));
        Client {
            writer: Box::new(writer),
            rx,
            pending: VecDeque::new(),
            next_id: 1,
            settings: None,
        }
    }

    pub async fn send_raw(&mut self, body: &str) {
        let msg = format!("Content-Length: {}\r\n\r\n{}", body.len(), body);
        self.writer.write_all(msg.as_bytes()).await.unwrap();
        self.writer.flush().await.unwrap();
    }

    pub async fn send_raw_bytes(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).await.unwrap();
        self.writer.flush().await.unwrap();
    }

    pub async fn send(&mut self, v: &Value) {
        self.send_raw(&v.to_string()).await;
    }

    pub async fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}))
            .await;
    }

    /// The next message from the server, answering its own requests (registrations,
    /// progress) with `null` as a client would.
    async fn next(&mut self) -> Option<Value> {
        let v = tokio::time::timeout(TIMEOUT, self.rx.recv()).await.ok()??;
        if v.get("method").is_some() && v.get("id").is_some() {
            let id = v["id"].clone();
            let result = match (&self.settings, v["method"].as_str()) {
                (Some(s), Some("workspace/configuration")) => {
                    let n = v["params"]["items"].as_array().map_or(0, Vec::len);
                    Value::Array(vec![s.clone(); n])
                }
                _ => Value::Null,
            };
            self.send(&json!({"jsonrpc": "2.0", "id": id, "result": result}))
                .await;
        }
        Some(v)
    }

    /// Send a request and wait for its response (the whole response object).
    pub async fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await;
        self.response(id).await
    }

    pub async fn response(&mut self, id: i64) -> Value {
        self.response_id(json!(id)).await
    }

    pub async fn response_id(&mut self, id: Value) -> Value {
        loop {
            let v = self
                .next()
                .await
                .unwrap_or_else(|| panic!("no response to request {id}"));
            if v.get("method").is_none() && v["id"] == id {
                return v;
            }
            self.pending.push_back(v);
        }
    }

    /// Wait for a `publishDiagnostics` for `uri` whose version is `version`
    /// (`None`: any). Returns the diagnostics array. Earlier notifications are dropped.
    pub async fn diagnostics(&mut self, uri: &str, version: Option<i64>) -> Value {
        loop {
            let v = match self.pending.pop_front() {
                Some(v) => v,
                None => self
                    .next()
                    .await
                    .unwrap_or_else(|| panic!("no diagnostics for {uri} v{version:?}")),
            };
            if v["method"] == "textDocument/publishDiagnostics" && v["params"]["uri"] == uri {
                let got = v["params"]["version"].as_i64();
                if version.is_none() || got == version {
                    return v["params"]["diagnostics"].clone();
                }
                // A published version never goes backwards.
                if let (Some(g), Some(w)) = (got, version) {
                    assert!(g <= w, "published v{g} while waiting for v{w}");
                }
            }
        }
    }

    /// The next message from the server (seen earlier or new).
    pub async fn next_message(&mut self) -> Value {
        match self.pending.pop_front() {
            Some(v) => v,
            None => self.next().await.expect("a message from the server"),
        }
    }

    /// Wait until a `publishDiagnostics` for `uri` satisfies `ok` (earlier ones are
    /// dropped); fails after the deadline with the last one seen.
    pub async fn diagnostics_until(&mut self, uri: &str, ok: impl Fn(&Value) -> bool) -> Value {
        let mut last = Value::Null;
        loop {
            let v = match self.pending.pop_front() {
                Some(v) => v,
                None => self.next().await.unwrap_or_else(|| {
                    panic!("diagnostics for {uri} never became as expected; last: {last}")
                }),
            };
            if v["method"] == "textDocument/publishDiagnostics" && v["params"]["uri"] == uri {
                last = v["params"]["diagnostics"].clone();
                if ok(&last) {
                    return last;
                }
            }
        }
    }

    /// Every publishDiagnostics seen so far (without waiting).
    pub fn drain_published(&mut self) -> Vec<Value> {
        let mut out = Vec::new();
        while let Ok(v) = self.rx.try_recv() {
            self.pending.push_back(v);
        }
        self.pending.retain(|v| {
            if v["method"] == "textDocument/publishDiagnostics" {
                out.push(v["params"].clone());
                false
            } else {
                true
            }
        });
        out
    }

    pub async fn initialize(&mut self, root_uri: &str, utf8: bool) -> Value {
        let encodings = if utf8 {
            json!(["utf-8", "utf-16"])
        } else {
            json!(["utf-16"])
        };
        let r = self
            .request(
                "initialize",
                json!({
                    "processId": null,
                    "rootUri": root_uri,
                    "workspaceFolders": [{"uri": root_uri, "name": "project"}],
                    "capabilities": {
                        "general": {"positionEncodings": encodings},
                        "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}
                    },
                    "initializationOptions": {"debounceMs": 20}
                }),
            )
            .await;
        self.notify("initialized", json!({})).await;
        r
    }

    pub async fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "tplc", "version": 1, "text": text}}),
        )
        .await;
    }

    pub async fn shutdown_exit(&mut self) {
        let r = self.request("shutdown", Value::Null).await;
        assert_eq!(r["result"], Value::Null, "{r}");
        self.notify("exit", Value::Null).await;
    }
}

/// A fresh project folder with the given files.
pub fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

pub fn file_uri(p: &std::path::Path) -> String {
    tower_lsp_server::ls_types::Uri::from_file_path(p)
        .unwrap()
        .as_str()
        .to_string()
}

/// What `tplc check` reports for `root` (after laying `overlay` over the disk files),
/// converted like the server converts it, for comparing with published diagnostics.
pub fn engine_diagnostics(
    root: &std::path::Path,
    path: &std::path::Path,
    text: &str,
    utf8: bool,
) -> Value {
    use tplc_diagnostics::PositionEncoding;
    let mut ws = tplc_project::Workspace::load(root).unwrap();
    ws.set_file(path.to_path_buf(), std::sync::Arc::from(text));
    let a = ws.analyze();
    let fa = &a.files[path];
    let enc = if utf8 {
        PositionEncoding::Utf8
    } else {
        PositionEncoding::Utf16
    };
    let t = tplc_lsp::convert::Text::new(&fa.source, enc);
    let uri: tower_lsp_server::ls_types::Uri = file_uri(path).parse().unwrap();
    let diags: Vec<_> = fa
        .diagnostics
        .iter()
        .map(|d| {
            tplc_lsp::convert::diagnostic(
                &t,
                &uri,
                d,
                Some(fa.template().body_start),
                &|p, span| {
                    let other = &a.files.get(p)?.source;
                    let range = tplc_lsp::convert::Text::new(other, enc).range(span);
                    Some(tower_lsp_server::ls_types::Location::new(
                        file_uri(p).parse().ok()?,
                        range,
                    ))
                },
            )
        })
        .collect();
    serde_json::to_value(diags).unwrap()
}

/// Column of byte `offset` in its line, counted independently of the server's code.
pub fn column(text: &str, offset: usize, utf8: bool) -> (u64, u64) {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = text[..offset].matches('\n').count() as u64;
    let prefix = &text[line_start..offset];
    let col = if utf8 {
        prefix.len()
    } else {
        prefix.encode_utf16().count()
    };
    (line, col as u64)
}

pub const HEAD: &str = "---\nkind: review_request\nlocale: en\n---\n";

/// 200 rapid incremental edits (typing with emoji, CJK and combining characters, typos
/// deleted again); the last published diagnostics must be `tplc check`'s for the final
/// text, and published versions never go backwards. Ends with shutdown and exit.
pub async fn burst_scenario(c: &mut Client, utf8: bool) {
    let dir = project(&[]);
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let path = root.join("burst.tplc");
    let uri = file_uri(&path);
    c.initialize(&file_uri(&root), utf8).await;
    let mut text = HEAD.to_string();
    c.open(&uri, &text).await;
    // Typed one character at a time, with a typo fixed every few characters.
    let target = "Hi {{ buyer.name }} 😀, 漢字 ok e\u{301}!\nThanks for order {{ order.id }}, please leave a 5-star review.\n{% if order.delivery_date %}Delivered {{ order.delivery_date | date(\"%d %B\") }}.{% endif %}\n";
    let mut chars = target.chars();
    let mut version = 1;
    let mut typo = false;
    while version < 201 {
        let end = text.len();
        let (line, col) = column(&text, end, utf8);
        let change = if typo {
            // Delete the typo just typed (one character before the end).
            let start = text[..end].char_indices().last().unwrap().0;
            let (sl, sc) = column(&text, start, utf8);
            text.truncate(start);
            typo = false;
            json!({"range": {"start": {"line": sl, "character": sc}, "end": {"line": line, "character": col}}, "text": ""})
        } else if version % 9 == 4 {
            text.push('Ω');
            typo = true;
            json!({"range": {"start": {"line": line, "character": col}, "end": {"line": line, "character": col}}, "text": "Ω"})
        } else {
            let ch = chars.next().unwrap_or('.');
            text.push(ch);
            json!({"range": {"start": {"line": line, "character": col}, "end": {"line": line, "character": col}}, "text": ch.to_string()})
        };
        version += 1;
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}),
        )
        .await;
    }
    assert_eq!(version, 201);
    let got = c.diagnostics(&uri, Some(201)).await;
    assert_eq!(got, engine_diagnostics(&root, &path, &text, utf8), "{text}");
    // Versions published for the document never go backwards.
    let mut last = 0;
    for p in c.drain_published() {
        if p["uri"] == uri.as_str() {
            let v = p["version"].as_i64().unwrap_or(last);
            assert!(v >= last, "v{v} after v{last}");
            last = v;
        }
    }
    // The server holds exactly the text the client built: formatting sees it.
    let r = c
        .request(
            "textDocument/semanticTokens/full",
            json!({"textDocument": {"uri": uri}}),
        )
        .await;
    assert!(r["result"]["data"].as_array().unwrap().len() > 20);
    c.shutdown_exit().await;
}
