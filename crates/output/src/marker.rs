//! The record tplc leaves in every folder it builds: a file naming everything it wrote.
//! A folder is replaced only when it is empty or holds exactly what its record names, so
//! a user's file in the output folder (or a folder tplc never built) is never deleted.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;

/// The record's file name, at the top of the output folder.
pub const MARKER: &str = ".tplc-output";
/// Its first line; a file without it is not tplc's.
const HEADER: &str = "tplc build output 1";
/// A record larger than this was not written by tplc (a catalogue's is a few MB).
const MAX_MARKER_BYTES: u64 = 256 * 1024 * 1024;

/// Write the record of `dir`: the header, then each file tplc wrote there, one per line.
pub fn write(dir: &Path, written: &[String]) -> std::io::Result<()> {
    let mut names: Vec<&str> = written.iter().map(String::as_str).collect();
    names.sort_unstable();
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(dir.join(MARKER))?;
    let mut out = std::io::BufWriter::new(file);
    writeln!(out, "{HEADER}")?;
    writeln!(
        out,
        "# Written by tplc build, which replaces this folder on every build. A file added here stops the next build."
    )?;
    for n in names {
        writeln!(out, "{n}")?;
    }
    out.flush()
}

/// The files the record of `dir` names, or `None` when `dir` holds no record of tplc's.
/// A folder built before tplc kept records is recognised by its manifest, which names
/// every artifact of that build.
pub fn read(dir: &Path) -> Option<BTreeSet<String>> {
    let Ok(file) = std::fs::File::open(dir.join(MARKER)) else {
        return read_manifest(dir);
    };
    if !file.metadata().ok()?.is_file() {
        return None;
    }
    let mut lines = BufReader::new(file.take(MAX_MARKER_BYTES)).lines();
    if lines.next()?.ok()? != HEADER {
        return None;
    }
    let mut names = BTreeSet::new();
    for line in lines {
        let line = line.ok()?;
        if !line.starts_with('#') && !line.is_empty() {
            names.insert(line);
        }
    }
    Some(names)
}

/// The files an earlier tplc's `manifest.json` in `dir` names (itself included), or `None`
/// when there is no manifest of tplc's there.
fn read_manifest(dir: &Path) -> Option<BTreeSet<String>> {
    const MANIFEST: &str = "manifest.json";
    let file = std::fs::File::open(dir.join(MANIFEST)).ok()?;
    if !file.metadata().ok()?.is_file() {
        return None;
    }
    let value: serde_json::Value =
        serde_json::from_reader(BufReader::new(file.take(MAX_MARKER_BYTES))).ok()?;
    value.get("tplc")?.as_str()?;
    let mut names = BTreeSet::from([MANIFEST.to_string()]);
    for entry in value.get("templates")?.as_array()? {
        for key in ["text", "html"] {
            if let Some(name) = entry.get(key).and_then(|v| v.as_str()) {
                names.insert(name.to_string());
            }
        }
    }
    Some(names)
}

/// Does `dir` hold a record of tplc's (whatever it names)?
pub fn is_marked(dir: &Path) -> bool {
    let Ok(file) = std::fs::File::open(dir.join(MARKER)) else {
        return false;
    };
    let mut first = String::new();
    BufReader::new(file.take(HEADER.len() as u64 + 2))
        .read_line(&mut first)
        .is_ok()
        && first.trim_end() == HEADER
}

/// Up to `limit` entries of `dir` (paths relative to it, `/`-separated) that its record
/// does not account for: files it does not name, folders that hold none of them, links,
/// and anything else. Links are never followed.
pub fn unknown_entries(dir: &Path, written: &BTreeSet<String>, limit: usize) -> Vec<String> {
    let mut folders = BTreeSet::new();
    for name in written {
        let mut rest = name.as_str();
        while let Some((parent, _)) = rest.rsplit_once('/') {
            folders.insert(parent.to_string());
            rest = parent;
        }
    }
    let mut found = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), String::new())];
    while let Some((path, rel)) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&path) else {
            found.push(if rel.is_empty() { ".".into() } else { rel });
            continue;
        };
        for entry in entries {
            if found.len() >= limit {
                return found;
            }
            let Ok(entry) = entry else { continue };
            let name = entry.file_name();
            let shown = |n: &str| {
                if rel.is_empty() {
                    n.to_string()
                } else {
                    format!("{rel}/{n}")
                }
            };
            let Some(name) = name.to_str() else {
                found.push(shown(&crate::names::escape(&name.to_string_lossy())));
                continue;
            };
            let entry_rel = shown(name);
            match entry.file_type() {
                Ok(t) if t.is_dir() && folders.contains(&entry_rel) => {
                    stack.push((entry.path(), entry_rel));
                }
                Ok(t) if t.is_file() && (written.contains(&entry_rel) || entry_rel == MARKER) => {}
                _ => found.push(crate::names::escape(&entry_rel)),
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_names_what_was_written_and_nothing_else() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("orders")).unwrap();
        std::fs::write(d.path().join("orders/a.txt"), "x").unwrap();
        std::fs::write(d.path().join("manifest.json"), "{}").unwrap();
        write(
            d.path(),
            &["orders/a.txt".to_string(), "manifest.json".to_string()],
        )
        .unwrap();
        assert!(is_marked(d.path()));
        let names = read(d.path()).unwrap();
        assert!(unknown_entries(d.path(), &names, 10).is_empty());

        std::fs::write(d.path().join("orders/notes.md"), "mine").unwrap();
        std::fs::create_dir(d.path().join("drafts")).unwrap();
        let mut unknown = unknown_entries(d.path(), &names, 10);
        unknown.sort();
        assert_eq!(unknown, ["drafts", "orders/notes.md"]);
    }

    #[test]
    fn a_foreign_file_is_not_a_record() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join(MARKER), "tplc build output 2\nx\n").unwrap();
        assert!(!is_marked(d.path()));
        assert!(read(d.path()).is_none());
        std::fs::remove_file(d.path().join(MARKER)).unwrap();
        std::fs::create_dir(d.path().join(MARKER)).unwrap();
        assert!(!is_marked(d.path()));
        assert!(read(d.path()).is_none());
    }

    #[test]
    fn a_folder_built_before_records_is_known_by_its_manifest() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir(d.path().join("orders")).unwrap();
        std::fs::write(d.path().join("orders/a.txt"), "x").unwrap();
        std::fs::write(d.path().join("orders/a.html"), "x").unwrap();
        std::fs::write(
            d.path().join("manifest.json"),
            r#"{"templates": [{"template": "orders/a.tplc", "text": "orders/a.txt", "html": "orders/a.html"}], "tplc": "0.1.0"}"#,
        )
        .unwrap();
        let names = read(d.path()).expect("an earlier build");
        assert!(unknown_entries(d.path(), &names, 10).is_empty());
        std::fs::write(d.path().join("notes.md"), "mine").unwrap();
        assert_eq!(unknown_entries(d.path(), &names, 10), ["notes.md"]);
        // A manifest.json of someone else's is no record.
        std::fs::write(d.path().join("manifest.json"), r#"{"templates": []}"#).unwrap();
        assert!(read(d.path()).is_none());
    }

    #[cfg(unix)]
    #[test]
    fn links_are_never_accounted_for() {
        let d = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink("/etc/passwd", d.path().join("a.txt")).unwrap();
        let names: BTreeSet<String> = ["a.txt".to_string()].into();
        assert_eq!(unknown_entries(d.path(), &names, 10), ["a.txt"]);
    }
}
