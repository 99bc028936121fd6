//! `tplc-corpus OUT [--templates N] [--seed S] [--violations SHARE]` writes a generated
//! catalogue into OUT; `tplc-corpus OUT --single BYTES` writes OUT/single.tplc instead
//! (`--flat`: paragraphs and short conditionals only, no long per-SKU chain).
//! It prints the number of templates and bytes written.

use std::path::PathBuf;
use std::process::ExitCode;
use tplc_bench::{corpus, single, single_flat, CorpusOptions};

const USAGE: &str = "usage: tplc-corpus OUT [--templates N] [--seed S] [--violations SHARE] [--single BYTES [--flat]]";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tplc-corpus: {e}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn run(args: Vec<String>) -> Result<(), String> {
    let mut opts = CorpusOptions::default();
    let mut out: Option<PathBuf> = None;
    let mut single_bytes: Option<usize> = None;
    let mut flat = false;
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        match a.as_str() {
            "--templates" => opts.templates = parse(&value(&a)?)?,
            "--seed" => opts.seed = parse(&value(&a)?)?,
            "--violations" => {
                let v: f64 = parse(&value(&a)?)?;
                if !(0.0..=1.0).contains(&v) {
                    return Err("--violations takes a share between 0 and 1".into());
                }
                opts.violation_share = v;
            }
            "--single" => single_bytes = Some(parse(&value(&a)?)?),
            "--flat" => flat = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            _ if a.starts_with('-') => return Err(format!("unknown option {a}")),
            _ if out.is_none() => out = Some(PathBuf::from(a)),
            _ => return Err(format!("unexpected argument {a}")),
        }
    }
    let out = out.ok_or("missing the output folder")?;
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    if let Some(n) = single_bytes {
        let text = if flat {
            single_flat(n, opts.seed)
        } else {
            single(n, opts.seed)
        };
        let path = out.join("single.tplc");
        std::fs::write(&path, &text).map_err(|e| format!("{}: {e}", path.display()))?;
        println!("1 template, {} bytes", text.len());
        return Ok(());
    }
    let c = corpus(&opts);
    c.write_to(&out)
        .map_err(|e| format!("{}: {e}", out.display()))?;
    println!(
        "{} templates ({} with a violation), {} bytes of .tplc",
        opts.templates,
        c.violating.len(),
        c.template_bytes()
    );
    Ok(())
}

fn parse<T: std::str::FromStr>(s: &str) -> Result<T, String> {
    s.parse().map_err(|_| format!("not a number: {s}"))
}
