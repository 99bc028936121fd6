//! A template's output path is made of its source path's components under the project
//! root, each checked to be a plain file name on every system a build is deployed to.
//! Nothing else decides where an artifact goes, so a file name can never reach outside
//! the output folder (`..\..\victim\keep.tplc` is a legal Linux file name).

use std::path::{Component, Path};

/// Where a template's artifacts go, relative to the output folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputName {
    /// The template's path under the project root, `/`-separated (the manifest's `template`).
    pub rel: String,
    /// `rel` without its `.tplc` extension: artifacts are `{stem}.txt` and `{stem}.html`.
    pub stem: String,
}

/// Why a template's path cannot name an output file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameError {
    /// The offending part of the path, control characters escaped.
    pub part: String,
    pub reason: String,
}

impl std::fmt::Display for NameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}` {}", self.part, self.reason)
    }
}

/// Longest file name most file systems accept, in bytes.
const MAX_COMPONENT_BYTES: usize = 255;
/// The longest extension an artifact adds to a stem.
const LONGEST_EXTENSION: &str = ".html";
/// Characters that separate paths or are refused in file names on some system.
const FORBIDDEN: &[char] = &['/', '\\', ':', '*', '?', '"', '<', '>', '|'];
/// Device names Windows reserves, with or without an extension.
const RESERVED: &[&str] = &[
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// The output name of the template at `path`, which must lie under `root` (both absolute,
/// or both relative to the same folder).
pub fn output_name(root: &Path, path: &Path) -> Result<OutputName, NameError> {
    let rel = path.strip_prefix(root).map_err(|_| NameError {
        part: escape(&path.to_string_lossy()),
        reason: "is outside the project folder".into(),
    })?;
    let mut parts = Vec::new();
    for c in rel.components() {
        let Component::Normal(os) = c else {
            return Err(NameError {
                part: escape(&c.as_os_str().to_string_lossy()),
                reason: "is not a plain file or folder name".into(),
            });
        };
        let Some(s) = os.to_str() else {
            return Err(NameError {
                part: escape(&os.to_string_lossy()),
                reason: "is not valid UTF-8".into(),
            });
        };
        check_component(s)?;
        parts.push(s);
    }
    let Some(&file) = parts.last() else {
        return Err(NameError {
            part: String::new(),
            reason: "is not a file name".into(),
        });
    };
    let stem_file = file.strip_suffix(".tplc").unwrap_or(file);
    if stem_file.is_empty() {
        return Err(NameError {
            part: file.into(),
            reason: "has no name before its extension".into(),
        });
    }
    check_component(stem_file)?;
    if stem_file.len() + LONGEST_EXTENSION.len() > MAX_COMPONENT_BYTES {
        return Err(NameError {
            part: escape(file),
            reason: format!(
                "is too long: an artifact name may have at most {MAX_COMPONENT_BYTES} bytes"
            ),
        });
    }
    let rel = parts.join("/");
    if let Some(last) = parts.last_mut() {
        *last = stem_file;
    }
    Ok(OutputName {
        rel,
        stem: parts.join("/"),
    })
}

/// One path component: a plain name, the same on Linux, macOS and Windows.
fn check_component(s: &str) -> Result<(), NameError> {
    let err = |reason: String| {
        Err(NameError {
            part: escape(s),
            reason,
        })
    };
    if s.is_empty() || s == "." || s == ".." {
        return err("is not a plain file or folder name".into());
    }
    if let Some(c) = s.chars().find(|c| FORBIDDEN.contains(c)) {
        return err(format!(
            "contains `{c}`, which separates paths or is refused in file names on some systems"
        ));
    }
    if let Some(c) = s.chars().find(|&c| is_invisible_control(c)) {
        return err(format!(
            "contains the invisible control character U+{:04X}",
            c as u32
        ));
    }
    if s.ends_with('.') || s.ends_with(' ') {
        return err("ends with a dot or a space, which Windows drops from file names".into());
    }
    let base = s.split('.').next().unwrap_or(s).trim_end();
    if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(base)) {
        return err("is a device name on Windows".into());
    }
    if s.len() > MAX_COMPONENT_BYTES {
        return err(format!(
            "is too long: a file name may have at most {MAX_COMPONENT_BYTES} bytes"
        ));
    }
    Ok(())
}

/// Control characters and the bidirectional overrides and isolates, which make a name
/// look like another.
pub fn is_invisible_control(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `s` with its invisible control characters written as `\u{…}`, for messages.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if is_invisible_control(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(p: &str) -> Result<OutputName, NameError> {
        output_name(Path::new("/proj"), &Path::new("/proj").join(p))
    }

    #[test]
    fn plain_paths_keep_their_folders() {
        let n = name("orders/shipped.tplc").unwrap();
        assert_eq!(n.rel, "orders/shipped.tplc");
        assert_eq!(n.stem, "orders/shipped");
        assert_eq!(name("a.b.tplc").unwrap().stem, "a.b");
        assert_eq!(name("Bewertung-ü.tplc").unwrap().stem, "Bewertung-ü");
    }

    #[test]
    fn names_that_could_leave_the_folder_or_confuse_are_refused() {
        for bad in [
            "..\\..\\victim\\keep.tplc",
            "a\\b.tplc",
            "c:x.tplc",
            "x\u{1b}[2J.tplc",
            "evil\u{202e}lmth.tplc",
            "con.tplc",
            "orders/NUL.tplc",
            "trailing..tplc",
            "dot./x.tplc",
            ".tplc",
            "a|b.tplc",
        ] {
            assert!(name(bad).is_err(), "{bad:?} was accepted");
        }
        let long = format!("{}.tplc", "x".repeat(251));
        assert!(name(&long).is_err());
        assert!(name(&format!("{}.tplc", "x".repeat(250))).is_ok());
    }

    #[test]
    fn paths_outside_the_root_are_refused() {
        assert!(output_name(Path::new("/proj"), Path::new("/other/x.tplc")).is_err());
        assert!(output_name(Path::new("/proj"), Path::new("/proj/../x.tplc")).is_err());
    }

    #[test]
    fn messages_escape_control_characters() {
        let e = name("x\u{1b}y.tplc").unwrap_err();
        assert!(!e.to_string().contains('\u{1b}'));
        assert!(e.to_string().contains("\\u{1b}"));
    }
}
