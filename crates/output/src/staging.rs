//! A build is written into a fresh staging folder beside the output folder, then swapped
//! in with one atomic exchange: readers see the old complete build or the new one, never
//! a missing or half-written folder. Builds of one output folder take turns on a lock,
//! and each cleans what killed builds left beside it.

use crate::marker;
use crate::place::{OutputDir, OutputError};
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A build in progress. Drop it (or call [`Staging::abort`]) to leave the output as it was.
pub struct Staging {
    out: OutputDir,
    dir: PathBuf,
    /// Held until the staged folder is swapped in or removed.
    _lock: File,
    written: Mutex<Vec<String>>,
    finished: bool,
}

impl Staging {
    /// Wait for other builds of `out` to finish, remove what killed builds left beside it,
    /// and create an empty staging folder.
    pub fn create(out: &OutputDir) -> std::io::Result<Staging> {
        std::fs::create_dir_all(&out.parent)?;
        let lock = lock_file(out)?;
        lock.lock()?;
        clean_leftovers(out);
        let unique = format!(
            "{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0)
        );
        let dir = out.parent.join(format!(".{}.tplc-new-{unique}", out.name));
        std::fs::create_dir(&dir)?;
        // Marked from the start, so a later build knows it may remove it.
        marker::write(&dir, &[])?;
        Ok(Staging {
            out: out.clone(),
            dir,
            _lock: lock,
            written: Mutex::new(Vec::new()),
            finished: false,
        })
    }

    /// Write one artifact. `rel` is `/`-separated validated components
    /// ([`crate::names`]); the file must be new (nothing is overwritten, no link followed).
    pub fn write(&self, rel: &str, content: &[u8]) -> std::io::Result<()> {
        let mut f = self.file(rel)?;
        f.write_all(content)?;
        f.flush()
    }

    /// A new file, written through a buffer (flush it before [`Staging::commit`]).
    pub fn file(&self, rel: &str) -> std::io::Result<BufWriter<File>> {
        let p = self.dir.join(rel);
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d)?;
        }
        let f = OpenOptions::new().write(true).create_new(true).open(&p)?;
        self.written
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(rel.to_string());
        Ok(BufWriter::new(f))
    }

    /// The staging folder (for tests and messages).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Give up: remove the staging folder, leave the output as it was.
    pub fn abort(mut self) {
        self.finished = true;
        let _ = std::fs::remove_dir_all(&self.dir);
    }

    /// Record what was written, check once more that the output folder may be replaced
    /// (a file may have been added to it during the build), and swap the staged folder in.
    pub fn commit(mut self) -> Result<(), OutputError> {
        self.finished = true;
        let result = (|| {
            let written =
                std::mem::take(&mut *self.written.lock().unwrap_or_else(|e| e.into_inner()));
            marker::write(&self.dir, &written)?;
            self.out.check_replaceable()?;
            swap(&self.dir, &self.out)?;
            Ok(())
        })();
        // After a swap the staging path holds the previous build; after a failure, the new one.
        let _ = std::fs::remove_dir_all(&self.dir);
        result
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.finished {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// What builds of `out` take turns on. On Unix, the folder that holds the output folder
/// (a lock on a folder leaves no file behind); elsewhere, a lock file beside it.
fn lock_file(out: &OutputDir) -> std::io::Result<File> {
    #[cfg(unix)]
    {
        File::open(&out.parent)
    }
    #[cfg(not(unix))]
    {
        OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(out.parent.join(format!(".{}.tplc-lock", out.name)))
    }
}

/// Put `staged` in place of `out`'s folder: an atomic exchange where the system has one,
/// else two renames (the folder is missing for a moment between them).
fn swap(staged: &Path, out: &OutputDir) -> std::io::Result<()> {
    if std::fs::symlink_metadata(&out.path).is_err() {
        return std::fs::rename(staged, &out.path);
    }
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{renameat_with, RenameFlags, CWD};
        match renameat_with(CWD, staged, CWD, &out.path, RenameFlags::EXCHANGE) {
            Ok(()) => return Ok(()),
            // A file system without exchange: fall back to two renames.
            Err(e)
                if [
                    rustix::io::Errno::INVAL,
                    rustix::io::Errno::NOSYS,
                    rustix::io::Errno::OPNOTSUPP,
                ]
                .contains(&e) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let old = out.parent.join(format!(
        ".{}.tplc-old-{}",
        out.name,
        staged
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.rsplit_once("-new-"))
            .map_or("0", |(_, u)| u)
    ));
    std::fs::rename(&out.path, &old)?;
    if let Err(e) = std::fs::rename(staged, &out.path) {
        let _ = std::fs::rename(&old, &out.path);
        return Err(e);
    }
    let _ = std::fs::remove_dir_all(&old);
    Ok(())
}

/// Remove the staging and old folders that killed builds of `out` left beside it. Called
/// with the lock held, so none of them belongs to a running build; only folders that
/// carry tplc's record (or are empty) are removed.
fn clean_leftovers(out: &OutputDir) {
    let Ok(entries) = std::fs::read_dir(&out.parent) else {
        return;
    };
    let prefixes = [
        format!(".{}.tplc-new-", out.name),
        format!(".{}.tplc-old-", out.name),
    ];
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !prefixes.iter().any(|p| name.starts_with(p.as_str())) {
            continue;
        }
        if !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let path = entry.path();
        if marker::is_marked(&path) {
            let _ = std::fs::remove_dir_all(&path);
        } else {
            // Removes it only when empty.
            let _ = std::fs::remove_dir(&path);
        }
    }
}
