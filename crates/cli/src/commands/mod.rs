pub mod build;
pub mod check;
pub mod explain;
pub mod fmt;
pub mod init;
pub mod render;

use crate::report::{self, FileReport};
use std::path::{Path, PathBuf};
use tplc_project::{find_root, Workspace};

/// Exit codes shared by every command.
pub const OK: u8 = 0;
pub const FAILED: u8 = 1;
pub const USAGE: u8 = 2;

/// Load the project that holds `paths` (the nearest `tplc.toml` above the first one) and
/// return the template files the paths select, absolute, sorted (look one up with
/// `binary_search`: a linear scan per file is quadratic in a catalogue).
///
/// Named files obey the rule of walked ones: only what really lies inside the project
/// folder is read. A link that leads outside it (what a shell glob or pre-commit may pass)
/// is refused, and so is anything that is not a regular file or a folder.
pub fn load(paths: &[PathBuf]) -> Result<(Workspace, Vec<PathBuf>), String> {
    let paths: Vec<PathBuf> = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    };
    for p in &paths {
        if std::fs::symlink_metadata(p).is_err() {
            return Err(format!("{}: no such file or folder", p.display()));
        }
    }
    let root = find_root(&paths[0]);
    let mut ws = Workspace::load(&root).map_err(|e| e.to_string())?;
    // No command shows a placeholder's type or walks a tree it did not ask for.
    ws.set_keep(tplc_project::Keep::Diagnostics);
    let real_root = ws
        .root()
        .canonicalize()
        .map_err(|e| format!("{}: {e}", ws.root().display()))?;
    let mut selected = Vec::new();
    for p in &paths {
        let abs = inside_project(p, ws.root(), &real_root)?;
        if abs.is_file() {
            if ws.text(&abs).is_none() {
                // A file the walk skips (another extension, a hidden folder): analyse it anyway.
                ws.read_file(&abs).map_err(|e| e.to_string())?;
            }
            selected.push(abs);
        } else if abs.is_dir() {
            let mut found = Vec::new();
            tplc_project::walk(&abs, &mut found).map_err(|e| format!("{}: {e}", abs.display()))?;
            for f in found {
                if ws.text(&f).is_none() {
                    ws.read_file(&f).map_err(|e| e.to_string())?;
                }
                selected.push(f);
            }
        } else {
            return Err(format!(
                "{}: not a regular file or folder; tplc reads only those",
                p.display()
            ));
        }
    }
    selected.sort();
    selected.dedup();
    Ok((ws, selected))
}

/// `p` as an absolute path under `root`, after checking that what it names (links
/// followed) really lies inside the project folder `real_root` (`root` with its links
/// resolved).
fn inside_project(p: &Path, root: &Path, real_root: &Path) -> Result<PathBuf, String> {
    let real = p
        .canonicalize()
        .map_err(|e| format!("{}: {e}", p.display()))?;
    if !real.starts_with(real_root) {
        let how = if std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink()) {
            format!("is a link to {}, which", real.display())
        } else {
            "is a path that".to_string()
        };
        return Err(format!(
            "{} {how} lies outside the project folder {}: tplc reads, includes and writes only files inside the project",
            p.display(),
            root.display()
        ));
    }
    let abs = std::path::absolute(p).map_err(|e| format!("{}: {e}", p.display()))?;
    // `..` after a link means something else than it reads: name the file by where it is.
    if abs.components().any(|c| {
        matches!(
            c,
            std::path::Component::ParentDir | std::path::Component::CurDir
        )
    }) {
        return Ok(real
            .strip_prefix(real_root)
            .map(|rel| root.join(rel))
            .unwrap_or(real));
    }
    Ok(abs)
}

/// What a command reports: `tplc.toml`'s problems first (`config` from
/// [`config_source`]), then each of `files`.
pub fn reports<'a>(
    config: &'a (PathBuf, String),
    analysis: &'a tplc_project::Analysis,
    files: impl IntoIterator<Item = &'a tplc_project::FileAnalysis>,
) -> Vec<FileReport<'a>> {
    let mut out = Vec::new();
    if !analysis.config_diagnostics.is_empty() {
        out.push(FileReport {
            display: report::display_path(&config.0),
            path: &config.0,
            source: &config.1,
            diagnostics: &analysis.config_diagnostics,
        });
    }
    out.extend(files.into_iter().map(|f| FileReport {
        display: report::display_path(&f.path),
        path: &f.path,
        source: &f.source,
        diagnostics: &f.diagnostics,
    }));
    out
}

/// `tplc.toml`'s path (where it would be, when there is none) and text, to report its
/// problems beside the templates' in every command.
pub fn config_source(ws: &Workspace) -> (PathBuf, String) {
    let text = ws
        .config_path()
        .and_then(|p| std::fs::read_to_string(p).ok())
        .unwrap_or_default();
    let path = ws
        .config_path()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| ws.root().join("tplc.toml"));
    (path, text)
}

/// Report a failure to do the job (exit 2). Messages quote file names, which may hold
/// terminal escape sequences: they are shown escaped.
pub fn error(message: impl std::fmt::Display) -> u8 {
    let message = message.to_string();
    eprintln!(
        "tplc: error: {}",
        tplc_diagnostics::controls::escape_controls(&message)
    );
    USAGE
}

pub fn rel(p: &Path) -> String {
    crate::report::display_path(p)
}
