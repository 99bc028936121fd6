use super::{error, load, FAILED, OK};
use crate::report::{self, FileReport, Format};
use std::io::IsTerminal;
use std::path::PathBuf;
use tplc_compile::{compile, data_usage, render, AnalysisIncludes};

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Output {
    Text,
    Html,
}

#[derive(clap::Args)]
pub struct RenderArgs {
    /// The template file.
    pub template: PathBuf,
    /// JSON file with the order data (validated against the template's schema).
    #[arg(long, conflicts_with = "sample")]
    pub data: Option<PathBuf>,
    /// Use the schema's example values instead of a data file.
    #[arg(long)]
    pub sample: bool,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Output,
}

pub fn run(args: RenderArgs) -> u8 {
    if args.data.is_none() && !args.sample {
        return error(
            "give the order data with `--data order.json`, or `--sample` for example values",
        );
    }
    let (ws, selected) = match load(std::slice::from_ref(&args.template)) {
        Ok(x) => x,
        Err(e) => return error(e),
    };
    let analysis = ws.analyze();
    let Some(file) = selected.first().and_then(|p| analysis.files.get(p)) else {
        return error(format!(
            "{} is not a template file",
            args.template.display()
        ));
    };
    if file.has_errors() {
        let r = FileReport {
            display: report::display_path(&file.path),
            path: &file.path,
            source: &file.source,
            diagnostics: &file.diagnostics,
        };
        let _ = report::write(&mut std::io::stderr(), Format::Human, &[r], false);
        return FAILED;
    }
    let includes = AnalysisIncludes {
        analysis: &analysis,
        root: ws.root(),
    };
    let c = compile(file, ws.schema(), &includes);
    let data = if args.sample {
        ws.schema()
            .sample_data(&tplc_check::param_types(&file.facts))
    } else {
        let p = args.data.as_ref().expect("checked above");
        let text = match std::fs::read_to_string(p) {
            Ok(t) => t,
            Err(e) => return error(format!("{}: {e}", p.display())),
        };
        match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(e) => return error(format!("{}: not valid JSON: {e}", p.display())),
        }
    };
    let problems = ws.schema().validate(&data, &data_usage(file, &includes));
    if !problems.is_empty() {
        for p in &problems {
            eprintln!("tplc: data error at {}: {}", p.path, p.message);
        }
        return FAILED;
    }
    match render(&c, &data) {
        Ok(r) => {
            // Data may hold terminal escape sequences: a terminal is shown them escaped,
            // a pipe or file gets the message exactly as rendered.
            let shown = |s: &str| -> String {
                if std::io::stdout().is_terminal() {
                    tplc_diagnostics::controls::escape_controls(s).into_owned()
                } else {
                    s.to_string()
                }
            };
            match args.format {
                Output::Text => {
                    if let Some(s) = &r.subject {
                        println!("Subject: {}\n", shown(s));
                    }
                    println!("{}", shown(&r.text));
                }
                Output::Html => print!("{}", shown(&r.html)),
            }
            OK
        }
        Err(e) => {
            eprintln!("tplc: render failed: {e}");
            FAILED
        }
    }
}
