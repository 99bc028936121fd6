//! `tplc build`: check, then write every template's artifacts and the manifest into a
//! staging folder that replaces the output folder in one atomic exchange. The output
//! folder must pass the rules of `tplc_output` (never the project, a link, or a folder
//! tplc did not build); a build with errors, or one that fails half way, leaves the
//! previous output untouched.

use super::{config_source, error, load, reports, FAILED, OK};
use crate::report::{self, Format};
use crate::ColorChoice;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tplc_compile::{
    compile, manifest_entry, manifest_entry_text, AnalysisIncludes, ManifestWriter,
};
use tplc_output::{output_name, Origin, OutputDir, Staging};

/// Templates compiled together before their manifest entries are written: enough to keep
/// both cores busy, few enough that a batch's entries take little memory.
const BATCH: usize = 256;

#[derive(clap::Args)]
pub struct BuildArgs {
    /// Template files or folders (default: the current folder).
    pub paths: Vec<PathBuf>,
    /// Output folder (default: `[build] out-dir` of tplc.toml, else `out`). It is replaced
    /// only when it is empty or was built by tplc.
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
    /// Rebuild whenever a template or tplc.toml changes, printing only what changed.
    #[arg(long)]
    pub watch: bool,
}

pub fn run(args: BuildArgs) -> u8 {
    let code = build_once(&args, None);
    if !args.watch {
        return code;
    }
    watch(&args)
}

/// Build; returns the exit code. `previous` holds the last manifest for `--watch` output.
fn build_once(args: &BuildArgs, previous: Option<&mut Fingerprints>) -> u8 {
    let (ws, selected) = match load(&args.paths) {
        Ok(x) => x,
        Err(e) => return error(e),
    };
    let out_dir = match output_dir(args, &ws) {
        Ok(o) => o,
        Err(e) => return error(e),
    };
    let analysis = ws.analyze();
    let shown: Vec<&tplc_project::FileAnalysis> = analysis
        .files
        .values()
        .filter(|f| selected.binary_search(&f.path).is_ok())
        .collect();
    let config = config_source(&ws);
    let files = reports(&config, &analysis, shown.iter().copied());
    let errors = shown.iter().any(|f| f.has_errors())
        || analysis
            .config_diagnostics
            .iter()
            .any(|d| d.severity == tplc_diagnostics::Severity::Error);
    let mut out = std::io::stdout().lock();
    let has_diags = files.iter().any(|f| !f.diagnostics.is_empty());
    if has_diags || args.format != Format::Human {
        let _ = report::write(&mut out, args.format, &files, args.color.enabled());
    }
    if errors {
        eprintln!("tplc: build failed: fix the errors above; the previous output is unchanged");
        return FAILED;
    }
    let includes = AnalysisIncludes {
        analysis: &analysis,
        root: ws.root(),
    };
    let staging = match Staging::create(&out_dir) {
        Ok(s) => s,
        Err(e) => return error(format!("cannot write {}: {e}", out_dir.path.display())),
    };
    let templates: Vec<&tplc_project::FileAnalysis> =
        shown.iter().copied().filter(|f| !f.is_partial).collect();
    let (want_text, want_html) = (ws.config().build.text, ws.config().build.html);
    let watching = previous.is_some();
    // Templates are compiled and written on every core, a batch at a time, and each batch's
    // manifest entries are written out in file order before the next: neither the
    // artifacts nor the manifest of a whole catalogue are ever in memory.
    let build_one = |f: &&tplc_project::FileAnalysis| {
        // The analysis reported unsafe names already; this only refuses to go on.
        let name = output_name(ws.root(), &f.path).map_err(|e| {
            std::io::Error::other(format!("{}: {e}", report::display_path(&f.path)))
        })?;
        let c = compile(f, ws.schema(), &includes);
        if want_text {
            staging.write(&format!("{}.txt", name.stem), c.text.as_bytes())?;
        }
        if want_html {
            staging.write(&format!("{}.html", name.stem), c.html.as_bytes())?;
        }
        let entry = manifest_entry(&name.rel, &c);
        // Fingerprints only serve `--watch`.
        let print = watching.then(|| format!("{entry}\n{}\n{}", c.text, c.html));
        Ok::<_, std::io::Error>((name.rel, manifest_entry_text(&entry), print))
    };
    let mut prints = Fingerprints::new();
    let written = (|| {
        let mut manifest = ManifestWriter::new(staging.file("manifest.json")?)?;
        for batch in templates.chunks(BATCH) {
            for result in tplc_project::par_map(batch, build_one) {
                let (rel, entry, print) = result?;
                if let Some(print) = print {
                    prints.insert(rel, print);
                }
                manifest.entry(&entry)?;
            }
        }
        manifest.finish(env!("CARGO_PKG_VERSION"))?.flush()
    })();
    let count = templates.len();
    if let Err(e) = written {
        staging.abort();
        return error(format!("cannot write {}: {e}", out_dir.path.display()));
    }
    if let Err(e) = staging.commit() {
        return error(format!("cannot write {}: {e}", out_dir.path.display()));
    }
    match previous {
        Some(prev) => {
            print_changes(prev, &prints);
            *prev = prints;
        }
        None => {
            if args.format == Format::Human {
                println!(
                    "built {count} templates into {}",
                    report::display_path(&out_dir.path)
                );
            }
        }
    }
    OK
}

/// The output folder: `--out`, else `[build] out-dir` of tplc.toml, checked against the
/// rules of [`tplc_output::place`] before anything is compiled.
fn output_dir(args: &BuildArgs, ws: &tplc_project::Workspace) -> Result<OutputDir, String> {
    let (requested, origin) = match &args.out {
        Some(p) => (p.clone(), Origin::CommandLine),
        None => (ws.root().join(&ws.config().build.out_dir), Origin::Config),
    };
    let sources: Vec<PathBuf> = ws.files().map(Path::to_path_buf).collect();
    OutputDir::resolve(&requested, origin, ws.root(), &sources).map_err(|e| e.to_string())
}

/// What each built template produced, to tell `--watch` users what changed.
type Fingerprints = std::collections::BTreeMap<String, String>;

fn print_changes(old: &Fingerprints, new: &Fingerprints) {
    for (name, body) in new {
        match old.get(name) {
            None => println!("added    {name}"),
            Some(b) if b != body => println!("rebuilt  {name}"),
            _ => {}
        }
    }
    for name in old.keys().filter(|n| !new.contains_key(*n)) {
        println!("removed  {name}");
    }
}

fn watch(args: &BuildArgs) -> u8 {
    use notify::{EventKind, RecursiveMode, Watcher};
    let root = tplc_project::find_root(
        args.paths
            .first()
            .map(PathBuf::as_path)
            .unwrap_or(Path::new(".")),
    );
    let (tx, rx) = std::sync::mpsc::channel();
    let mut watcher = match notify::recommended_watcher(tx) {
        Ok(w) => w,
        Err(e) => return error(format!("cannot watch files: {e}")),
    };
    if let Err(e) = watcher.watch(&root, RecursiveMode::Recursive) {
        return error(format!("cannot watch {}: {e}", root.display()));
    }
    let mut last = Fingerprints::new();
    let _ = build_once(args, Some(&mut last));
    let mut sources = SourceState::read(&root);
    println!(
        "watching {} for changes (Ctrl-C to stop)",
        report::display_path(&root)
    );
    // A build reads every template and writes the output folder: neither is a change.
    // Only events that can change a template or tplc.toml wake the loop, and a build
    // runs only when the sources really differ from those of the last build.
    let relevant = |e: &notify::Event| {
        !matches!(e.kind, EventKind::Access(_))
            && e.paths.iter().any(|p| {
                tplc_project::is_template(p) || p.file_name().is_some_and(|n| n == "tplc.toml")
            })
    };
    while let Ok(event) = rx.recv() {
        if !event.as_ref().is_ok_and(relevant) {
            continue;
        }
        // Let a burst of saves settle, then build once.
        std::thread::sleep(Duration::from_millis(100));
        while rx.try_recv().is_ok() {}
        let now = SourceState::read(&root);
        if now == sources {
            continue;
        }
        sources = now;
        let _ = build_once(args, Some(&mut last));
    }
    OK
}

/// Every template's and tplc.toml's size and modification time: what a real edit changes.
#[derive(PartialEq, Eq)]
struct SourceState(Vec<(PathBuf, u64, Option<std::time::SystemTime>)>);

impl SourceState {
    fn read(root: &Path) -> SourceState {
        let mut paths = Vec::new();
        let _ = tplc_project::walk(root, &mut paths);
        paths.push(root.join("tplc.toml"));
        SourceState(
            paths
                .into_iter()
                .map(|p| {
                    let meta = std::fs::metadata(&p).ok();
                    let len = meta.as_ref().map_or(u64::MAX, |m| m.len());
                    let modified = meta.and_then(|m| m.modified().ok());
                    (p, len, modified)
                })
                .collect(),
        )
    }
}
