//! Full check (parse, types, every compliance rule, project-wide rules) in memory.
//!
//! `cargo bench -p tplc-bench --bench check` prints, per benchmark, the time and the
//! throughput in bytes of template source per second:
//! - `corpus/1000`: a generated catalogue of 1,000 templates (10% with a violation),
//!   analysed on every core, as `tplc check` does;
//! - `scaling/catalogue/*`: one template of 1 KB to 100 KB shaped like the catalogue's
//!   large ones (a long per-SKU `if`/`elif` chain);
//! - `scaling/flat/*`: one template of 1 KB to 128 KB (the file limit) of paragraphs and
//!   short conditionals.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::path::PathBuf;
use std::sync::Arc;
use tplc_bench::{corpus, single, single_flat, CorpusOptions};
use tplc_project::Workspace;

/// The allocator the `tplc` binary ships with, so the figures are the shipped ones.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn workspace(files: &[(String, String)]) -> Workspace {
    let root = PathBuf::from("/bench");
    let mut ws = Workspace::in_memory(root.clone());
    for (path, text) in files {
        if path.ends_with(".tplc") {
            ws.set_file(root.join(path), Arc::from(text.as_str()));
        }
    }
    ws
}

fn corpus_check(c: &mut Criterion) {
    let generated = corpus(&CorpusOptions {
        seed: 1,
        templates: 1_000,
        violation_share: 0.1,
    });
    let files: Vec<(String, String)> = generated
        .files
        .iter()
        .map(|f| (f.path.clone(), f.text.clone()))
        .collect();
    let ws = workspace(&files);
    let mut g = c.benchmark_group("corpus");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(generated.template_bytes() as u64));
    g.bench_function("1000", |b| b.iter(|| ws.analyze()));
    g.finish();
}

fn scaling(c: &mut Criterion) {
    let mut g = c.benchmark_group("scaling");
    g.sample_size(10);
    // Both stop below the file limit (`tplc_project::MAX_FILE_BYTES`, 128 KiB): a larger
    // template is reported as too large, not analysed.
    for (shape, sizes) in [
        ("catalogue", &[1_000usize, 10_000, 100_000][..]),
        ("flat", &[1_000, 10_000, 100_000, 128_000][..]),
    ] {
        for &n in sizes {
            let text = if shape == "flat" {
                single_flat(n, 1)
            } else {
                single(n, 1)
            };
            assert!(
                text.len() as u64 <= tplc_project::MAX_FILE_BYTES,
                "{shape} {n}: a template over the file limit would be measured unread"
            );
            let ws = workspace(&[("single.tplc".into(), text.clone())]);
            g.throughput(Throughput::Bytes(text.len() as u64));
            g.bench_with_input(BenchmarkId::new(shape, n), &ws, |b, ws| {
                b.iter(|| ws.analyze())
            });
        }
    }
    g.finish();
}

criterion_group!(benches, corpus_check, scaling);
criterion_main!(benches);
