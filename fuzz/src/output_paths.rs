//! File names and output folders: whatever a template's path or `[build] out-dir` says,
//! what tplc accepts stays inside the output folder or the project.

use std::path::{Component, Path, PathBuf};

const PROJECT: &str = "/fuzz-project";
const OUT: &str = "/fuzz-project/out";

/// `data`, split at its first NUL: a template's path under the project (bytes, as Linux
/// allows any but NUL and `/` in a name), then the value of `[build] out-dir`.
pub fn output_paths(data: &[u8]) {
    let (name, out_dir) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &b"dist"[..]),
    };
    template_names(name);
    configured_folder(&String::from_utf8_lossy(out_dir));
}

fn template_names(name: &[u8]) {
    use std::os::unix::ffi::OsStrExt;
    let root = Path::new(PROJECT);
    let path = root.join(std::ffi::OsStr::from_bytes(name));
    let Ok(accepted) = tplc_output::output_name(root, &path) else {
        return;
    };
    for artifact in [format!("{}.txt", accepted.stem), format!("{}.html", accepted.stem)] {
        let target = Path::new(OUT).join(&artifact);
        let inside = lexically_normal(&target);
        assert!(
            inside.starts_with(OUT) && inside != Path::new(OUT),
            "{name:?} is built to {}",
            target.display()
        );
        for part in artifact.split('/') {
            assert!(!part.is_empty() && part != "." && part != "..", "{name:?}: {artifact:?}");
            assert!(
                !part.contains('\\') && !part.contains(':') && !part.chars().any(char::is_control),
                "{name:?}: {artifact:?}"
            );
        }
    }
    // The manifest names the template by its real path under the project.
    assert_eq!(root.join(&accepted.rel), path, "{name:?}");
}

fn configured_folder(out_dir: &str) {
    let (config, diagnostics) =
        tplc_schema::Config::parse(&format!("[build]\nout-dir = {}\n", toml_string(out_dir)));
    if !diagnostics.is_empty() {
        return;
    }
    let target = lexically_normal(&Path::new(PROJECT).join(&config.build.out_dir));
    assert!(
        target.starts_with(PROJECT) && target != Path::new(PROJECT),
        "out-dir {out_dir:?} builds into {}",
        target.display()
    );
}

/// A TOML basic string holding `s` exactly.
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `p` with `.` dropped and `..` taking away the part before it, as the path reads with no
/// links involved.
fn lexically_normal(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}
