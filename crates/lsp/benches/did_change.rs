//! didChange → publishDiagnostics latency on a 1,000-line template, through the whole
//! server (JSON-RPC framing, edit application, debounce, analysis, conversion).
//!
//! `cargo bench -p tplc-lsp --bench did_change` prints the median and p99 for the
//! default debounce and for no debounce (the engine and protocol cost alone).

#[path = "../tests/common/mod.rs"]
mod common;

use common::{column, file_uri, project, Client, HEAD};
use serde_json::json;
use std::time::{Duration, Instant};

const EDITS: usize = 200;

fn template() -> String {
    let mut s = HEAD.to_string();
    s.push_str(
        "Hello {{ buyer.name | default(\"there\") }}, thank you for order {{ order.id }}.\n",
    );
    let mut line = 1;
    while line < 1000 {
        match line % 5 {
            0 => s.push_str("{% if order.delivery_date %}It arrived on {{ order.delivery_date | date(\"%d %B\") }}.{% endif %}\n"),
            1 => s.push_str("{% for item in order.items %}- **{{ item.title }}**: [details]({{ item.review_url }}){% endfor %}\n"),
            2 => s.push_str("Your order {{ order.id }} ships from {{ seller.name }}; 漢字 and e\u{301} stay exact.\n"),
            3 => s.push_str("{# a note for the team #}\n"),
            _ => s.push('\n'),
        }
        line += 1;
    }
    s
}

async fn run(debounce_ms: u64) -> Vec<Duration> {
    let dir = project(&[]);
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let uri = file_uri(&root.join("big.tplc"));
    let (client_side, server_side) = tokio::io::duplex(1 << 22);
    let (sr, sw) = tokio::io::split(server_side);
    let server = tokio::spawn(tplc_lsp::serve(sr, sw));
    let (cr, cw) = tokio::io::split(client_side);
    let mut c = Client::new(cr, cw);
    c.request(
        "initialize",
        json!({"processId": null, "rootUri": file_uri(&root), "capabilities": {},
               "initializationOptions": {"debounceMs": debounce_ms}}),
    )
    .await;
    c.notify("initialized", json!({})).await;
    let mut text = template();
    c.open(&uri, &text).await;
    c.diagnostics(&uri, Some(1)).await;
    let mut times = Vec::with_capacity(EDITS);
    for i in 0..EDITS {
        // Type one character in the middle of the file.
        let at = text[..text.len() / 2].rfind('\n').unwrap() + 1;
        let (line, col) = column(&text, at, false);
        text.insert(at, 'x');
        let version = i as i64 + 2;
        let start = Instant::now();
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [
                {"range": {"start": {"line": line, "character": col}, "end": {"line": line, "character": col}}, "text": "x"}
            ]}),
        )
        .await;
        c.diagnostics(&uri, Some(version)).await;
        times.push(start.elapsed());
    }
    c.shutdown_exit().await;
    let _ = server.await;
    times
}

fn report(name: &str, mut t: Vec<Duration>) {
    t.sort();
    let pick = |q: f64| t[((t.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "didChange → publishDiagnostics, 1,000 lines, {name}: median {:.1} ms, p99 {:.1} ms ({} edits)",
        pick(0.5).as_secs_f64() * 1e3,
        pick(0.99).as_secs_f64() * 1e3,
        t.len()
    );
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        report("no debounce", run(0).await);
        report("default debounce (60 ms)", run(60).await);
    });
}
