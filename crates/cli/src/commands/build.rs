//! `tplc build`: check, then write every template's artifacts and the manifest into a
//! fresh folder that replaces the output folder in one rename. A build with errors, or
//! one that fails half way, leaves the previous output untouched.

use super::{error, load, FAILED, OK};
use crate::report::{self, FileReport, Format};
use crate::ColorChoice;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tplc_compile::{
    artifact_stem, compile, manifest_entry, manifest_entry_text, AnalysisIncludes, ManifestWriter,
};

/// Templates compiled together before their manifest entries are written: enough to keep
/// both cores busy, few enough that a batch's entries take little memory.
const BATCH: usize = 256;

#[derive(clap::Args)]
pub struct BuildArgs {
    /// Template files or folders (default: the current folder).
    pub paths: Vec<PathBuf>,
    /// Output folder (default: `[build] out-dir` of tplc.toml, else `dist`).
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
    let analysis = ws.analyze();
    let shown: Vec<&tplc_project::FileAnalysis> = analysis
        .files
        .values()
        .filter(|f| selected.binary_search(&f.path).is_ok())
        .collect();
    let files: Vec<FileReport<'_>> = shown
        .iter()
        .map(|f| FileReport {
            display: report::display_path(&f.path),
            path: &f.path,
            source: &f.source,
            diagnostics: &f.diagnostics,
        })
        .collect();
    let errors = shown.iter().any(|f| f.has_errors())
        || !analysis.config_diagnostics.is_empty() && analysis.error_count() > 0;
    let mut out = std::io::stdout().lock();
    let has_diags = files.iter().any(|f| !f.diagnostics.is_empty());
    if has_diags || args.format != Format::Human {
        let _ = report::write(&mut out, args.format, &files, args.color.enabled());
    }
    if errors {
        eprintln!("tplc: build failed: fix the errors above; the previous output is unchanged");
        return FAILED;
    }
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| ws.root().join(&ws.config().build.out_dir));
    let includes = AnalysisIncludes {
        analysis: &analysis,
        root: ws.root(),
    };
    let staging = match Staging::create(&out_dir) {
        Ok(s) => s,
        Err(e) => return error(format!("cannot write {}: {e}", out_dir.display())),
    };
    let templates: Vec<&tplc_project::FileAnalysis> =
        shown.iter().copied().filter(|f| !f.is_partial).collect();
    let (want_text, want_html) = (ws.config().build.text, ws.config().build.html);
    let watching = previous.is_some();
    // Templates are compiled and written on every core, a batch at a time, and each batch's
    // manifest entries are written out in file order before the next: neither the
    // artifacts nor the manifest of a whole catalogue are ever in memory.
    let build_one = |f: &&tplc_project::FileAnalysis| {
        let rel = f
            .path
            .strip_prefix(ws.root())
            .unwrap_or(&f.path)
            .to_string_lossy()
            .replace('\\', "/");
        let c = compile(f, ws.schema(), &includes);
        let stem = artifact_stem(&rel);
        if want_text {
            staging.write(&format!("{stem}.txt"), &c.text)?;
        }
        if want_html {
            staging.write(&format!("{stem}.html"), &c.html)?;
        }
        let entry = manifest_entry(&rel, &c);
        // Fingerprints only serve `--watch`.
        let print = watching.then(|| format!("{entry}\n{}\n{}", c.text, c.html));
        Ok::<_, std::io::Error>((rel, manifest_entry_text(&entry), print))
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
        return error(format!("cannot write {}: {e}", out_dir.display()));
    }
    if let Err(e) = staging.commit() {
        return error(format!("cannot write {}: {e}", out_dir.display()));
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
                    report::display_path(&out_dir)
                );
            }
        }
    }
    OK
}

/// A sibling staging folder the artifacts are written into, then swapped in with renames:
/// readers see the old output or the new one, never a mix. Concurrent builds each stage in
/// their own folder; a failed build removes its staging folder and leaves the output alone.
struct Staging {
    out_dir: PathBuf,
    parent: PathBuf,
    name: String,
    unique: String,
    dir: PathBuf,
}

impl Staging {
    fn create(out_dir: &Path) -> std::io::Result<Staging> {
        let parent = out_dir
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        std::fs::create_dir_all(&parent)?;
        let name = out_dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "dist".into());
        let unique = format!(
            "{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0)
        );
        let dir = parent.join(format!(".{name}.tplc-new-{unique}"));
        std::fs::create_dir_all(&dir)?;
        Ok(Staging {
            out_dir: out_dir.to_path_buf(),
            parent,
            name,
            unique,
            dir,
        })
    }

    /// Write one artifact (`rel` uses `/`), creating its folders.
    fn write(&self, rel: &str, content: &str) -> std::io::Result<()> {
        let p = self.dir.join(rel);
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d)?;
        }
        std::fs::write(&p, content)
    }

    /// A new file, written through a buffer (flush it before [`Staging::commit`]).
    fn file(&self, rel: &str) -> std::io::Result<std::io::BufWriter<std::fs::File>> {
        Ok(std::io::BufWriter::new(std::fs::File::create(
            self.dir.join(rel),
        )?))
    }

    fn abort(self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }

    /// Swap the staged folder in place of the output folder.
    fn commit(self) -> std::io::Result<()> {
        let old = self
            .parent
            .join(format!(".{}.tplc-old-{}", self.name, self.unique));
        let result = (|| {
            let had_old = self.out_dir.exists();
            if had_old {
                std::fs::rename(&self.out_dir, &old)?;
            }
            if let Err(e) = std::fs::rename(&self.dir, &self.out_dir) {
                if had_old {
                    let _ = std::fs::rename(&old, &self.out_dir);
                }
                return Err(e);
            }
            if had_old {
                let _ = std::fs::remove_dir_all(&old);
            }
            Ok(())
        })();
        if result.is_err() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
        result
    }
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
    use notify::{RecursiveMode, Watcher};
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
    println!(
        "watching {} for changes (Ctrl-C to stop)",
        report::display_path(&root)
    );
    while let Ok(event) = rx.recv() {
        let relevant = |e: &notify::Event| {
            e.paths.iter().any(|p| {
                tplc_project::is_template(p) || p.file_name().is_some_and(|n| n == "tplc.toml")
            })
        };
        if !event.as_ref().is_ok_and(relevant) {
            continue;
        }
        // Let a burst of saves settle, then build once.
        std::thread::sleep(Duration::from_millis(100));
        while rx.try_recv().is_ok() {}
        let _ = build_once(args, Some(&mut last));
    }
    OK
}
