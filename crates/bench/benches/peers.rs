//! tplc against minijinja on one typical template.
//!
//! tplc: check (parse, types, every rule) and compile to the text and HTML Jinja
//! artifacts. minijinja: `Environment::add_template` of those two artifacts, i.e. only
//! parsing and compiling the output, with no type checking and no policy rules.
//! `cargo bench -p tplc-bench --bench peers` prints both timings and their ratio.

use criterion::{criterion_group, criterion_main, Criterion};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tplc_compile::{compile, AnalysisIncludes, Compiled};
use tplc_project::Workspace;

/// The allocator the `tplc` binary ships with, so the figures are the shipped ones.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

const TEMPLATE: &str = include_str!("../../../examples/orders/delivery-scheduling.tplc");
const SIGNATURE: &str = include_str!("../../../examples/_signature.tplc");

fn workspace() -> (Workspace, PathBuf) {
    let root = PathBuf::from("/bench");
    let mut ws = Workspace::in_memory(root.clone());
    let path = root.join("delivery-scheduling.tplc");
    ws.set_file(path.clone(), Arc::from(TEMPLATE));
    ws.set_file(root.join("_signature.tplc"), Arc::from(SIGNATURE));
    (ws, path)
}

fn tplc_once(ws: &Workspace, path: &Path) -> Compiled {
    let analysis = ws.analyze();
    let file = &analysis.files[path];
    assert!(!file.has_errors(), "{:?}", file.diagnostics);
    let includes = AnalysisIncludes {
        analysis: &analysis,
        root: ws.root(),
    };
    compile(file, ws.schema(), &includes)
}

fn minijinja_once(c: &Compiled) -> minijinja::Environment<'static> {
    let mut env = minijinja::Environment::new();
    env.add_template_owned("message.txt", c.text.clone())
        .expect("tplc emits valid Jinja");
    env.add_template_owned("message.html", c.html.clone())
        .expect("tplc emits valid Jinja");
    env
}

/// Median time per call over `rounds` rounds of `batch` calls.
fn median(rounds: usize, batch: usize, mut f: impl FnMut()) -> Duration {
    let mut t: Vec<Duration> = (0..rounds)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..batch {
                f();
            }
            start.elapsed() / batch as u32
        })
        .collect();
    t.sort();
    t[t.len() / 2]
}

fn peers(c: &mut Criterion) {
    let (ws, path) = workspace();
    let compiled = tplc_once(&ws, &path);
    let mut g = c.benchmark_group("typical-template");
    g.bench_function("tplc check+compile", |b| b.iter(|| tplc_once(&ws, &path)));
    g.bench_function("minijinja add_template", |b| {
        b.iter(|| minijinja_once(&compiled))
    });
    g.finish();

    let ours = median(31, 200, || {
        std::hint::black_box(tplc_once(&ws, &path));
    });
    let theirs = median(31, 200, || {
        std::hint::black_box(minijinja_once(&compiled));
    });
    println!(
        "ratio: tplc check+compile {:.1} µs / minijinja add_template {:.1} µs = {:.2}x ({} bytes of .tplc, {} + {} bytes of Jinja)",
        ours.as_secs_f64() * 1e6,
        theirs.as_secs_f64() * 1e6,
        ours.as_secs_f64() / theirs.as_secs_f64(),
        TEMPLATE.len() + SIGNATURE.len(),
        compiled.text.len(),
        compiled.html.len(),
    );
}

criterion_group!(benches, peers);
criterion_main!(benches);
