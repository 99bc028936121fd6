//! What one edit costs the engine in a 1,000-template catalogue: a whole-project analysis
//! (what the language server ran on every change before) against an incremental one, and
//! the single-file analysis of the edited template for comparison.
//!
//! `cargo bench -p tplc-project --bench incremental`

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tplc_project::{AnalysisCache, Workspace};

/// The allocator the `tplc` binary ships with, so the figures are the shipped ones.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn median(mut t: Vec<Duration>) -> (f64, f64) {
    t.sort();
    let pick = |q: f64| t[((t.len() as f64 - 1.0) * q).round() as usize].as_secs_f64() * 1e3;
    (pick(0.5), pick(0.99))
}

fn main() {
    let corpus = tplc_bench::corpus(&tplc_bench::CorpusOptions {
        templates: 1000,
        ..Default::default()
    });
    let dir = tempfile::tempdir().unwrap();
    corpus.write_to(dir.path()).unwrap();
    let ws = Workspace::load(dir.path()).unwrap();
    let root = ws.root().to_path_buf();
    let typical = corpus
        .files
        .iter()
        .find(|f| f.path.ends_with(".en.tplc") && (2000..6000).contains(&f.text.len()))
        .unwrap();
    let edited = root.join(&typical.path);
    let footer = root.join("_footer_en.tplc");

    let runs = if std::env::var_os("PROFILE_INCR").is_some() {
        0
    } else {
        10
    };
    let scratch: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(ws.analyze());
            t.elapsed()
        })
        .collect();
    if !scratch.is_empty() {
        let (m, p) = median(scratch);
        println!("whole-project analysis, 1,000 templates: median {m:.1} ms, p99 {p:.1} ms");
    }

    let edits = |path: &Path, n: usize| -> (Vec<Duration>, tplc_project::CacheStats) {
        let mut ws = ws.clone();
        let mut cache = AnalysisCache::default();
        ws.analyze_incremental(&mut cache);
        let mut text = ws.text(path).unwrap().to_string();
        let mut times = Vec::new();
        for _ in 0..n {
            let at = text[..text.len() / 2].rfind('\n').map_or(0, |i| i + 1);
            text.insert(at, 'x');
            ws.set_file(path.to_path_buf(), Arc::from(text.as_str()));
            let t = Instant::now();
            std::hint::black_box(ws.analyze_incremental(&mut cache));
            times.push(t.elapsed());
        }
        (times, cache.last_run())
    };
    let (t, stats) = edits(
        &edited,
        if std::env::var_os("PROFILE_INCR").is_some() {
            400
        } else {
            100
        },
    );
    let (m, p) = median(t);
    println!(
        "incremental, one {:.1} KB template edited: median {m:.2} ms, p99 {p:.2} ms ({stats:?})",
        typical.text.len() as f64 / 1024.0
    );
    let (t, stats) = edits(&footer, 10);
    let (m, p) = median(t);
    println!("incremental, the English footer partial edited: median {m:.1} ms, p99 {p:.1} ms ({stats:?})");

    // The edited template alone: the per-file part of the incremental figure.
    let mut one = Workspace::in_memory(root.clone());
    one.set_file(edited.clone(), Arc::from(typical.text.as_str()));
    for name in ["_signature_en.tplc", "_footer_en.tplc"] {
        one.set_file(root.join(name), ws.text(&root.join(name)).unwrap());
    }
    let t: Vec<Duration> = (0..50)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(one.analyze());
            t.elapsed()
        })
        .collect();
    let (m, p) = median(t);
    println!("the edited template with its partials alone: median {m:.2} ms, p99 {p:.2} ms");
}
