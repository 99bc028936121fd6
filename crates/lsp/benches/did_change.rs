//! didChange → publishDiagnostics latency through the whole server (JSON-RPC framing,
//! edit application, debounce, analysis, conversion).
//!
//! `cargo bench -p tplc-lsp --bench did_change` prints the median and p99 for:
//! - a 1,000-line template alone, with the default debounce and with none (the engine
//!   and protocol cost alone);
//! - one template, then one shared partial, edited in a generated 1,000-template
//!   catalogue (`tplc_bench::corpus`, seed 1), without debounce: what a keystroke costs
//!   beyond its own file;
//! - documents at the file limit, each one short text repeated (floods of text,
//!   paragraphs, blocks, includes, placeholders, broken tags and rule findings), without
//!   debounce: the worst a document the server accepts can cost.
//!
//! `TPLC_BENCH_QUICK=1` runs only the catalogue figures; `TPLC_BENCH_EDITS=N` types N
//! characters into each catalogue file (default 100 and 30).

#[path = "../tests/common/mod.rs"]
mod common;

use common::{column, file_uri, project, Client, HEAD};
use serde_json::json;
use std::path::Path;
use std::time::{Duration, Instant};

/// The allocator the `tplc` binary ships with, so the figures are the shipped ones.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    typing(
        &root,
        &root.join("big.tplc"),
        template(),
        debounce_ms,
        EDITS,
    )
    .await
}

/// Open `file` (with `text`) in a server started on `root` and type `edits` characters
/// into its middle, one didChange each; the time of each until its publishDiagnostics.
async fn typing(
    root: &Path,
    file: &Path,
    mut text: String,
    debounce_ms: u64,
    edits: usize,
) -> Vec<Duration> {
    let uri = file_uri(file);
    let (client_side, server_side) = tokio::io::duplex(1 << 22);
    let (sr, sw) = tokio::io::split(server_side);
    let server = tokio::spawn(tplc_lsp::serve(sr, sw));
    let (cr, cw) = tokio::io::split(client_side);
    let mut c = Client::new(cr, cw);
    c.request(
        "initialize",
        json!({"processId": null, "rootUri": file_uri(root), "capabilities": {},
               "initializationOptions": {"debounceMs": debounce_ms}}),
    )
    .await;
    c.notify("initialized", json!({})).await;
    c.open(&uri, &text).await;
    c.diagnostics(&uri, Some(1)).await;
    let mut times = Vec::with_capacity(edits);
    for i in 0..edits {
        // Type one character in the middle of the file.
        let at = text[..text.len() / 2].rfind('\n').map_or(0, |i| i + 1);
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

/// A generated 1,000-template catalogue on disk; the path of a typical English template.
fn catalogue() -> (tempfile::TempDir, std::path::PathBuf) {
    let corpus = tplc_bench::corpus(&tplc_bench::CorpusOptions {
        templates: 1000,
        ..Default::default()
    });
    let dir = tempfile::tempdir().unwrap();
    corpus.write_to(dir.path()).unwrap();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let typical = corpus
        .files
        .iter()
        .find(|f| f.path.ends_with(".en.tplc") && (2000..6000).contains(&f.text.len()))
        .unwrap();
    let path = root.join(&typical.path);
    (dir, path)
}

/// Shapes repeated up to the file limit: the costliest inputs the server accepts.
const AT_THE_LIMIT: &[(&str, &str)] = &[
    ("text", "the quick brown fox jumps. "),
    ("paragraphs", "para\n\n"),
    ("placeholders", "{{a}}"),
    ("broken tags", "{{"),
    ("unknown fields", "{{ order.idd }}"),
    ("filters", "{{ buyer.name | upper }}"),
    ("small ifs", "{% if buyer.name %}x{% endif %}"),
    (
        "loops",
        "{% for x in order.items %}{{ x.title }}{% endfor %}",
    ),
    ("includes", "{% include \"p\" %}"),
    ("links", "[a](https://x.com) "),
    ("sentiment words", "satisfied 5-star review "),
    (
        "conditional asks",
        "if you are happy please leave a 5-star review. ",
    ),
];

async fn at_the_limit(edits: usize) {
    let head = "---\nkind: review_request\nlocale: en\n---\nYour order {{ order.id }}.\n";
    for (name, unit) in AT_THE_LIMIT {
        let room = tplc_project::MAX_FILE_BYTES as usize - head.len() - 64;
        let text = format!("{head}{}", unit.repeat(room / unit.len()));
        let dir = project(&[("_p.tplc", "-- Hi\n")]);
        let root = std::fs::canonicalize(dir.path()).unwrap();
        let t = typing(&root, &root.join("limit.tplc"), text, 0, edits).await;
        report(&format!("{name} at the file limit, no debounce"), t);
    }
}

fn report(name: &str, t: Vec<Duration>) {
    report_as(&format!("didChange → publishDiagnostics, {name}"), t);
}

fn report_as(name: &str, mut t: Vec<Duration>) {
    t.sort();
    let pick = |q: f64| t[((t.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "{name}: median {:.1} ms, p99 {:.1} ms ({} runs)",
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
        if std::env::var_os("TPLC_BENCH_QUICK").is_none() {
            // The engine alone on the same text: the per-file part of the figures below.
            let mut ws = tplc_project::Workspace::in_memory("/bench".into());
            ws.set_file("/bench/big.tplc".into(), template().into());
            let engine: Vec<Duration> = (0..30)
                .map(|_| {
                    let start = Instant::now();
                    std::hint::black_box(ws.analyze());
                    start.elapsed()
                })
                .collect();
            report_as("analysis of the 1,000-line template alone", engine);
            report("1,000 lines, no debounce", run(0).await);
            report("1,000 lines, default debounce (60 ms)", run(60).await);
            at_the_limit(20).await;
        }
        let edits = |default: usize| {
            std::env::var("TPLC_BENCH_EDITS")
                .ok()
                .and_then(|n| n.parse().ok())
                .unwrap_or(default)
        };
        let (dir, file) = catalogue();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        let text = std::fs::read_to_string(&file).unwrap();
        let kb = text.len() as f64 / 1024.0;
        let t = typing(&root, &file, text, 0, edits(100)).await;
        report(
            &format!("1,000-template catalogue, one {kb:.1} KB template edited, no debounce"),
            t,
        );
        let partial = root.join("_footer_en.tplc");
        let text = std::fs::read_to_string(&partial).unwrap();
        let t = typing(&root, &partial, text, 0, edits(30)).await;
        report(
            "1,000-template catalogue, the English footer partial edited, no debounce",
            t,
        );
    });
}
