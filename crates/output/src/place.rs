//! Where the output folder may be, and when an existing folder there may be replaced.
//!
//! The output folder is never the project folder, never holds it, never holds a
//! template, is never a link and never a file. When it comes from `tplc.toml` (which a
//! pull request can change) it must also lie inside the project. An existing folder is
//! replaced only when it is empty or holds exactly what tplc's record in it names
//! ([`crate::marker`]).

use crate::marker;
use std::path::{Component, Path, PathBuf};

/// Who chose the output folder: the person running tplc, or the project's `tplc.toml`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    CommandLine,
    Config,
}

/// Why tplc refuses to build into a folder, in words that say what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputError(pub String);

impl std::fmt::Display for OutputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for OutputError {}

impl From<std::io::Error> for OutputError {
    fn from(e: std::io::Error) -> Self {
        OutputError(e.to_string())
    }
}

/// How many foreign entries a refusal names.
const SHOWN: usize = 5;

/// An output folder that passed [`OutputDir::resolve`]: absolute, its parent's links
/// resolved, its own name a plain component.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputDir {
    pub path: PathBuf,
    pub parent: PathBuf,
    pub name: String,
}

impl OutputDir {
    /// Check the folder `requested` for a build of the project at `root` whose template
    /// files are `sources`: it must obey every rule in this module's description, and an
    /// existing folder there must be replaceable ([`OutputDir::check_replaceable`]).
    pub fn resolve(
        requested: &Path,
        origin: Origin,
        root: &Path,
        sources: &[PathBuf],
    ) -> Result<OutputDir, OutputError> {
        let shown = requested.display();
        let abs = std::path::absolute(requested)?;
        let abs = match abs.components().next_back() {
            Some(Component::Normal(_)) => abs,
            // `.`, `..` or `/`: only an existing folder can be meant.
            _ => abs
                .canonicalize()
                .map_err(|e| OutputError(format!("output folder {shown}: {e}")))?,
        };
        let (Some(parent), Some(name)) = (abs.parent(), abs.file_name()) else {
            return Err(OutputError(format!(
                "output folder {shown} is the root of the file system: choose a folder of its own"
            )));
        };
        let Some(name) = name.to_str().map(str::to_string) else {
            return Err(OutputError(format!(
                "output folder {shown}: its name is not valid UTF-8"
            )));
        };
        let parent = resolve_links(parent)
            .map_err(|e| OutputError(format!("output folder {shown}: {e}")))?;
        let path = parent.join(&name);
        let root = root
            .canonicalize()
            .map_err(|e| OutputError(format!("project folder {}: {e}", root.display())))?;
        if root.starts_with(&path) {
            let what = if root == path {
                "is the project folder"
            } else {
                "holds the project folder"
            };
            return Err(OutputError(format!(
                "output folder {shown} {what}: building there would replace the templates and tplc.toml; choose a folder of its own, such as `dist`"
            )));
        }
        if origin == Origin::Config && !path.starts_with(&root) {
            return Err(OutputError(format!(
                "`[build] out-dir` ({shown}) lies outside the project: the output folder in tplc.toml must be a folder inside the project (use `--out` to build elsewhere)"
            )));
        }
        if let Some(src) = sources
            .iter()
            .find(|s| canonical_source(s).is_some_and(|c| c.starts_with(&path)))
        {
            return Err(OutputError(format!(
                "output folder {shown} holds the template {}: building there would replace it; choose a folder that holds no templates",
                src.display()
            )));
        }
        let out = OutputDir { path, parent, name };
        out.check_replaceable()?;
        Ok(out)
    }

    /// May the folder now at [`OutputDir::path`] be replaced? Yes when nothing is there,
    /// or an empty writable folder, or a writable folder holding exactly what tplc's record
    /// in it names. Links, files and anything else are refused.
    pub fn check_replaceable(&self) -> Result<(), OutputError> {
        let shown = self.path.display();
        let meta = match std::fs::symlink_metadata(&self.path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(OutputError(format!("output folder {shown}: {e}"))),
        };
        if meta.file_type().is_symlink() {
            return Err(OutputError(format!(
                "output folder {shown} is a symbolic link: tplc never builds through a link; name the real folder"
            )));
        }
        if meta.is_file() {
            return Err(OutputError(format!(
                "output folder {shown} is a file, not a folder: choose another output folder"
            )));
        }
        if !meta.is_dir() {
            return Err(OutputError(format!(
                "output folder {shown} is not a folder: choose another output folder"
            )));
        }
        if meta.permissions().readonly() {
            return Err(OutputError(format!(
                "output folder {shown} is read-only: make it writable, or choose another output folder"
            )));
        }
        let mut entries = std::fs::read_dir(&self.path)
            .map_err(|e| OutputError(format!("output folder {shown}: {e}")))?;
        let Some(first) = entries.next() else {
            return Ok(());
        };
        let Some(written) = marker::read(&self.path) else {
            let first = first
                .map(|e| crate::names::escape(&e.file_name().to_string_lossy()))
                .unwrap_or_default();
            return Err(OutputError(format!(
                "output folder {shown} is not empty and was not built by tplc (it holds `{first}`): tplc replaces only an empty folder or one it built; empty it, or choose another output folder"
            )));
        };
        let unknown = marker::unknown_entries(&self.path, &written, SHOWN);
        if !unknown.is_empty() {
            return Err(OutputError(format!(
                "output folder {shown} holds files that tplc did not write: {}; tplc replaces the whole folder on every build, so move them out first",
                unknown
                    .iter()
                    .map(|u| format!("`{u}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        Ok(())
    }

    /// Is `path` the output folder, inside it, or one of the working files tplc keeps
    /// beside it while building ([`crate::staging`])?
    pub fn owns(&self, path: &Path) -> bool {
        if path.starts_with(&self.path) {
            return true;
        }
        let sibling = format!(".{}.tplc-", self.name);
        path.strip_prefix(&self.parent)
            .ok()
            .and_then(|rest| rest.components().next())
            .is_some_and(|c| c.as_os_str().to_string_lossy().starts_with(&sibling))
    }
}

/// `path` with the links of its existing part resolved; the part that does not exist
/// yet must be plain names (a `..` after a folder that does not exist means nothing).
fn resolve_links(path: &Path) -> std::io::Result<PathBuf> {
    let mut existing = path;
    let mut rest = Vec::new();
    loop {
        if let Ok(c) = existing.canonicalize() {
            let mut out = c;
            for part in rest.iter().rev() {
                out.push(part);
            }
            return Ok(out);
        }
        let (Some(parent), Some(name)) = (existing.parent(), existing.file_name()) else {
            return Err(std::io::Error::other(
                "`..` after a folder that does not exist, or no part of the path exists",
            ));
        };
        if Path::new(name)
            .components()
            .any(|c| !matches!(c, Component::Normal(_)))
        {
            return Err(std::io::Error::other(
                "`..` after a folder that does not exist",
            ));
        }
        rest.push(name.to_os_string());
        existing = parent;
    }
}

/// A template's path with its links resolved: where it really is decides whether the
/// output folder holds it.
fn canonical_source(src: &Path) -> Option<PathBuf> {
    src.canonicalize().ok().or_else(|| {
        src.parent()
            .and_then(|p| p.canonicalize().ok())
            .map(|p| p.join(src.file_name().unwrap_or_default()))
    })
}
