pub mod build;
pub mod check;
pub mod explain;
pub mod fmt;
pub mod init;
pub mod render;

use std::path::{Path, PathBuf};
use tplc_project::{find_root, Workspace};

/// Exit codes shared by every command.
pub const OK: u8 = 0;
pub const FAILED: u8 = 1;
pub const USAGE: u8 = 2;

/// Load the project that holds `paths` (the nearest `tplc.toml` above the first one) and
/// return the template files the paths select, absolute, sorted (look one up with
/// `binary_search`: a linear scan per file is quadratic in a catalogue).
pub fn load(paths: &[PathBuf]) -> Result<(Workspace, Vec<PathBuf>), String> {
    let paths: Vec<PathBuf> = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    };
    for p in &paths {
        if !p.exists() {
            return Err(format!("{}: no such file or folder", p.display()));
        }
    }
    let root = find_root(&paths[0]);
    let mut ws = Workspace::load(&root).map_err(|e| e.to_string())?;
    // No command shows a placeholder's type or walks a tree it did not ask for.
    ws.set_keep(tplc_project::Keep::Diagnostics);
    let mut selected = Vec::new();
    for p in &paths {
        let abs = std::path::absolute(p).map_err(|e| format!("{}: {e}", p.display()))?;
        if abs.is_file() {
            if ws.text(&abs).is_none() {
                // A file outside the walked root, or with another extension: analyse it anyway.
                ws.read_file(&abs).map_err(|e| e.to_string())?;
            }
            selected.push(abs);
        } else {
            let mut found = Vec::new();
            tplc_project::walk(&abs, &mut found).map_err(|e| format!("{}: {e}", abs.display()))?;
            for f in found {
                if ws.text(&f).is_none() {
                    ws.read_file(&f).map_err(|e| e.to_string())?;
                }
                selected.push(f);
            }
        }
    }
    selected.sort();
    selected.dedup();
    Ok((ws, selected))
}

pub fn error(message: impl std::fmt::Display) -> u8 {
    eprintln!("tplc: error: {message}");
    USAGE
}

pub fn rel(p: &Path) -> String {
    crate::report::display_path(p)
}
