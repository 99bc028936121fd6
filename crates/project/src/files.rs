//! Reading template files from disk: walking folders, decoding, size limits.

use std::path::{Path, PathBuf};

/// The template file extension.
pub const EXTENSION: &str = "tplc";
/// Files larger than this are reported, not analysed (see docs/security.md). A template
/// is one message, and the longest message Amazon accepts is 2,000 characters; 128 KiB
/// is 65 times that, and small enough that the language server checks any document it
/// accepts again within 100 ms of a keystroke, even one that is a flood of findings
/// (docs/performance.md, "Inputs at the size limit").
pub const MAX_FILE_BYTES: u64 = 128 * 1024;

/// One file's text as the engine sees it.
#[derive(Clone, Debug)]
pub struct Decoded {
    pub text: String,
    /// Byte offset (in `text`) of the first invalid UTF-8 sequence, replaced by U+FFFD.
    pub invalid_utf8_at: Option<usize>,
}

pub fn decode(bytes: Vec<u8>) -> Decoded {
    match String::from_utf8(bytes) {
        Ok(text) => Decoded {
            text,
            invalid_utf8_at: None,
        },
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            Decoded {
                text,
                invalid_utf8_at: Some(valid),
            }
        }
    }
}

/// Is this a template file by name?
pub fn is_template(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == EXTENSION)
}

/// Partials are named `_name.tplc`; they are only rendered through `{% include %}`.
pub fn is_partial(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('_'))
}

/// Every template file under `dir` (sorted; hidden folders, `node_modules` and `target` skipped).
/// Only regular files are taken (a FIFO named `x.tplc` would block the read forever);
/// symlinked folders are not followed, so a link loop cannot hang the walk, and a
/// symlinked file counts only when it points inside `dir`.
pub fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let root = dir.canonicalize()?;
    walk_in(&root, dir, out)
}

fn walk_in(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let Ok(ft) = entry.file_type() else { continue };
        if ft.is_dir() {
            if name.starts_with('.') || name == "node_modules" || name == "target" {
                continue;
            }
            walk_in(root, &path, out)?;
        } else if !is_template(&path) {
            continue;
        } else if ft.is_file() {
            out.push(path);
        } else if ft.is_symlink() {
            match path.canonicalize() {
                // Inside the project: a template like any other.
                Ok(t) if t.starts_with(root) && t.is_file() => out.push(path),
                // Outside the project, or not a regular file: never read.
                Ok(_) => {}
                // Dangling: listed, so reading it reports the broken link by name.
                Err(_) => out.push(path),
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_is_located_and_replaced() {
        let d = decode(b"ok \xff\xfe rest".to_vec());
        assert_eq!(d.invalid_utf8_at, Some(3));
        assert!(d.text.starts_with("ok \u{fffd}"));
        assert!(decode(b"fine".to_vec()).invalid_utf8_at.is_none());
    }

    #[test]
    fn partial_names() {
        assert!(is_partial(Path::new("a/_footer.tplc")));
        assert!(!is_partial(Path::new("a/footer.tplc")));
        assert!(is_template(Path::new("x.tplc")));
        assert!(!is_template(Path::new("x.txt")));
    }
}
