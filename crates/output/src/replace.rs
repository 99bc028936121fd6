//! Replacing one file a person named (a formatted template, an appeal report): a new file
//! is written beside it and renamed over it, so a crash leaves the old file or the new
//! one, and a link at that path is replaced, never written through.

use std::io::Write;
use std::path::Path;

/// Put `bytes` at `path` atomically, keeping the permissions of the file it replaces.
pub fn replace_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.tplc-write-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        if let Ok(old) = std::fs::symlink_metadata(path) {
            if old.is_file() {
                f.set_permissions(old.permissions())?;
            }
        }
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_replaced_whole() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("report.md");
        std::fs::write(&p, "old").unwrap();
        replace_file(&p, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
        assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn a_link_is_replaced_not_written_through() {
        let d = tempfile::tempdir().unwrap();
        let victim = d.path().join("victim.txt");
        std::fs::write(&victim, "mine").unwrap();
        let p = d.path().join("report.md");
        std::os::unix::fs::symlink(&victim, &p).unwrap();
        replace_file(&p, b"report").unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "mine");
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "report");
        assert!(!std::fs::symlink_metadata(&p)
            .unwrap()
            .file_type()
            .is_symlink());
    }
}
