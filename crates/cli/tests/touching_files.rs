//! What tplc may touch on disk, attacked through the real binary: a build never deletes
//! what tplc did not write, never writes outside its output folder, and no command reads,
//! includes or writes anything outside the project through a name or a link
//! (docs/security.md, "Files tplc touches").

mod common;

use common::{folder, text, tplc};
use std::path::Path;

const TEMPLATE: &str =
    "---\nkind: delivery\nlocale: en\n---\nYour order {{ order.id }} has shipped.\n";

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn build_never_empties_a_folder_it_did_not_build() {
    let dir = folder(&[
        ("src/tplc.toml", ""),
        ("src/shipped.tplc", TEMPLATE),
        ("d/mydocs/taxes.pdf", "mine"),
        ("d/mydocs/sub/photo.jpg", "mine too"),
    ]);
    let o = tplc(dir.path(), &["build", "src", "--out", "d/mydocs"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("not built by tplc"),
        "{}",
        text(&o.stderr)
    );
    assert_eq!(read(&dir.path().join("d/mydocs/taxes.pdf")), "mine");
    assert_eq!(read(&dir.path().join("d/mydocs/sub/photo.jpg")), "mine too");
    // An empty folder is built into, and built into again.
    std::fs::create_dir(dir.path().join("d/empty")).unwrap();
    for _ in 0..2 {
        let o = tplc(dir.path(), &["build", "src", "--out", "d/empty"]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    }
    assert!(read(&dir.path().join("d/empty/shipped.txt")).contains("has shipped"));
}

#[test]
fn build_never_replaces_the_project_or_its_sources() {
    let dir = folder(&[("proj/tplc.toml", ""), ("proj/msgs/shipped.tplc", TEMPLATE)]);
    let proj = dir.path().join("proj");
    for out in [".", "..", "msgs", "msgs/..", "../proj"] {
        let o = tplc(&proj, &["build", "--out", out]);
        assert_eq!(o.status.code(), Some(2), "--out {out}: {}", text(&o.stderr));
        assert!(proj.join("tplc.toml").exists());
        assert!(read(&proj.join("msgs/shipped.tplc")).contains("shipped"));
    }
}

#[test]
fn a_configured_output_folder_outside_the_project_is_bad_config() {
    for out_dir in ["../victim", "/tmp/victim", "", ".", "a/../../victim"] {
        let dir = folder(&[
            ("victim/keep.txt", "mine"),
            (
                "proj/tplc.toml",
                &format!("[build]\nout-dir = {out_dir:?}\n"),
            ),
            ("proj/shipped.tplc", TEMPLATE),
        ]);
        let proj = dir.path().join("proj");
        for command in ["check", "build"] {
            let o = tplc(&proj, &[command, "--format", "json"]);
            assert_eq!(
                o.status.code(),
                Some(1),
                "{command} {out_dir:?}: {}",
                text(&o.stderr)
            );
            assert!(
                text(&o.stdout).contains("bad-config"),
                "{command} {out_dir:?}"
            );
        }
        // Build says what is wrong in its human output too.
        let o = tplc(&proj, &["build"]);
        assert!(text(&o.stdout).contains("out-dir"), "{}", text(&o.stdout));
        assert_eq!(read(&dir.path().join("victim/keep.txt")), "mine");
    }
}

#[cfg(unix)]
#[test]
fn a_configured_output_folder_reached_through_a_link_is_refused() {
    let dir = folder(&[
        ("victim/keep.txt", "mine"),
        ("proj/tplc.toml", "[build]\nout-dir = \"build/out\"\n"),
        ("proj/shipped.tplc", TEMPLATE),
    ]);
    std::os::unix::fs::symlink(dir.path().join("victim"), dir.path().join("proj/build")).unwrap();
    let o = tplc(&dir.path().join("proj"), &["build"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("outside the project"),
        "{}",
        text(&o.stderr)
    );
    assert_eq!(
        std::fs::read_dir(dir.path().join("victim"))
            .unwrap()
            .count(),
        1
    );
}

#[test]
fn a_template_name_cannot_climb_out_of_the_output_folder() {
    let dir = folder(&[
        ("victim/keep.txt", "mine"),
        ("a/b/proj/tplc.toml", ""),
        ("a/b/proj/fine.tplc", TEMPLATE),
        ("a/b/proj/..\\..\\..\\..\\victim\\keep.tplc", TEMPLATE),
    ]);
    let proj = dir.path().join("a/b/proj");
    let o = tplc(&proj, &["check", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stdout).contains("unsafe-file-name"),
        "{}",
        text(&o.stdout)
    );
    let o = tplc(&proj, &["build", "--out", "out"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert_eq!(read(&dir.path().join("victim/keep.txt")), "mine");
    assert!(!proj.join("out").exists());
}

#[cfg(unix)]
#[test]
fn named_links_out_of_the_project_are_never_read_or_written() {
    let dir = folder(&[
        ("secret.txt", "root:x:0:0:secret line\n"),
        ("proj/tplc.toml", ""),
        ("proj/shipped.tplc", TEMPLATE),
    ]);
    let proj = dir.path().join("proj");
    std::os::unix::fs::symlink(dir.path().join("secret.txt"), proj.join("_pw.tplc")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("secret.txt"), proj.join("pw.tplc")).unwrap();
    for args in [
        vec!["build", "--out", "out", "shipped.tplc", "_pw.tplc"],
        vec!["build", "--out", "out", "pw.tplc"],
        vec!["check", "pw.tplc"],
        vec!["check", "--format", "json", "_pw.tplc"],
        vec!["fmt", "pw.tplc"],
        vec!["render", "pw.tplc", "--sample"],
    ] {
        let o = tplc(&proj, &args);
        let all = format!("{}{}", text(&o.stdout), text(&o.stderr));
        assert_eq!(o.status.code(), Some(2), "{args:?}: {all}");
        assert!(all.contains("outside the project"), "{args:?}: {all}");
        assert!(
            !all.contains("secret line"),
            "{args:?} printed the file: {all}"
        );
    }
    assert_eq!(
        read(&dir.path().join("secret.txt")),
        "root:x:0:0:secret line\n"
    );
    assert!(!proj.join("out").exists());
    // The folder walk skips such links, as before.
    let o = tplc(&proj, &["build", "--out", "out"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let built: Vec<_> = std::fs::read_dir(proj.join("out"))
        .unwrap()
        .flatten()
        .collect();
    assert!(built
        .iter()
        .all(|e| !e.file_name().to_string_lossy().contains("pw")));
}

#[cfg(unix)]
#[test]
fn fmt_writes_a_linked_template_of_the_project_in_place() {
    let dir = folder(&[
        ("proj/tplc.toml", ""),
        (
            "proj/real/shipped.tplc",
            "---\nkind: delivery\nlocale: en\n---\nShipped {{order.id}}.\n",
        ),
    ]);
    let proj = dir.path().join("proj");
    std::os::unix::fs::symlink(proj.join("real/shipped.tplc"), proj.join("link.tplc")).unwrap();
    let o = tplc(&proj, &["fmt", "link.tplc"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(std::fs::symlink_metadata(proj.join("link.tplc"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(read(&proj.join("real/shipped.tplc")).contains("{{ order.id }}"));
}

#[test]
fn out_naming_a_file_is_refused() {
    let dir = folder(&[
        ("tplc.toml", ""),
        ("shipped.tplc", TEMPLATE),
        ("notes.txt", "mine"),
    ]);
    let o = tplc(dir.path(), &["build", "--out", "notes.txt"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("is a file"), "{}", text(&o.stderr));
    assert_eq!(read(&dir.path().join("notes.txt")), "mine");
}

#[cfg(unix)]
#[test]
fn a_read_only_output_folder_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = folder(&[("tplc.toml", ""), ("shipped.tplc", TEMPLATE)]);
    assert_eq!(
        tplc(dir.path(), &["build", "--out", "out"]).status.code(),
        Some(0)
    );
    let out = dir.path().join("out");
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o555)).unwrap();
    let o = tplc(dir.path(), &["build", "--out", "out"]);
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("read-only"), "{}", text(&o.stderr));
}

#[test]
fn a_user_file_added_to_the_output_folder_stops_the_build() {
    let dir = folder(&[("tplc.toml", ""), ("shipped.tplc", TEMPLATE)]);
    assert_eq!(tplc(dir.path(), &["build"]).status.code(), Some(0));
    std::fs::write(dir.path().join("out/notes.md"), "mine").unwrap();
    let o = tplc(dir.path(), &["build"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("notes.md"), "{}", text(&o.stderr));
    assert_eq!(read(&dir.path().join("out/notes.md")), "mine");
    assert!(dir.path().join("out/shipped.txt").exists());
}

#[test]
fn a_broken_config_is_reported_by_build_as_by_check() {
    let dir = folder(&[
        ("tplc.toml", "[build\nout-dir = 3\n"),
        ("shipped.tplc", TEMPLATE),
    ]);
    let o = tplc(dir.path(), &["build", "--color", "never"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stdout).contains("bad-config"),
        "{}",
        text(&o.stdout)
    );
}

#[cfg(unix)]
#[test]
fn a_closed_pipe_ends_output_quietly() {
    use std::process::{Command, Stdio};
    for args in [
        vec!["explain", "syntax-error"],
        vec!["explain", "sentiment-word"],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tplc"))
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Read nothing: closing the pipe at once is `| head -0`.
        drop(child.stdout.take());
        let o = child.wait_with_output().unwrap();
        assert!(
            !text(&o.stderr).contains("internal error"),
            "{args:?}: {}",
            text(&o.stderr)
        );
        assert!(
            !text(&o.stderr).contains("panicked"),
            "{args:?}: {}",
            text(&o.stderr)
        );
    }
}

#[cfg(unix)]
#[test]
fn init_never_writes_through_a_dangling_link() {
    let dir = folder(&[("proj/.keep", "")]);
    let victim = dir.path().join("victim.toml");
    std::os::unix::fs::symlink(&victim, dir.path().join("proj/tplc.toml")).unwrap();
    let o = tplc(&dir.path().join("proj"), &["init"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stdout));
    assert!(!victim.exists());
}

/// Every file the output folder's record names is there, and the manifest is whole.
fn assert_complete(out: &Path, templates: usize) {
    let record = read(&out.join(".tplc-output"));
    let names: Vec<&str> = record
        .lines()
        .skip(1)
        .filter(|l| !l.starts_with('#'))
        .collect();
    assert_eq!(names.len(), 2 * templates + 1, "{record}");
    for n in names {
        assert!(out.join(n).is_file(), "{n} is missing");
    }
    let manifest: serde_json::Value =
        serde_json::from_str(&read(&out.join("manifest.json"))).expect("a whole manifest");
    assert_eq!(manifest["templates"].as_array().unwrap().len(), templates);
}

#[cfg(unix)]
#[test]
fn builds_killed_at_any_moment_leave_a_complete_output_and_no_leftovers() {
    use std::process::{Command, Stdio};
    let files: Vec<(String, String)> = (0..300)
        .map(|i| (format!("msgs/m{i:03}.tplc"), TEMPLATE.to_string()))
        .collect();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let dir = folder(&refs);
    std::fs::write(dir.path().join("tplc.toml"), "").unwrap();
    assert_eq!(tplc(dir.path(), &["build"]).status.code(), Some(0));
    let out = dir.path().join("out");
    // Kill points spread over a build's whole run, swap included.
    let mut state = 0x2545_f491_u64;
    for _ in 0..12 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let mut child = Command::new(env!("CARGO_BIN_EXE_tplc"))
            .current_dir(dir.path())
            .arg("build")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_micros(state % 120_000));
        let _ = child.kill();
        let _ = child.wait();
        assert_complete(&out, 300);
    }
    let o = tplc(dir.path(), &["build"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_complete(&out, 300);
    let leftovers: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tplc-new-") || n.contains(".tplc-old-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// `tplc render` on a terminal (a pseudo-terminal from `script`) shows escape sequences
/// from data escaped; through a pipe it prints the message exactly.
#[cfg(target_os = "linux")]
#[test]
fn render_never_sends_escape_sequences_from_data_to_a_terminal() {
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped: no `script` to make a terminal");
        return;
    }
    let dir = folder(&[
        ("tplc.toml", ""),
        ("shipped.tplc", "---\nkind: delivery\nlocale: en\n---\nHello {{ buyer.name | default(\"there\") }}, order {{ order.id }} has shipped.\n"),
    ]);
    let data = serde_json::json!({
        "buyer": {"name": "Eve\u{1b}[2J\u{1b}]8;;https://evil.example\u{7}x"},
        "order": {"id": "123-1234567-1234567"},
    });
    std::fs::write(dir.path().join("order.json"), data.to_string()).unwrap();
    let piped = tplc(
        dir.path(),
        &["render", "shipped.tplc", "--data", "order.json"],
    );
    assert_eq!(piped.status.code(), Some(0), "{}", text(&piped.stderr));
    assert!(
        text(&piped.stdout).contains('\u{1b}'),
        "a pipe gets the message as rendered"
    );
    let cmd = format!(
        "'{}' render shipped.tplc --data order.json",
        env!("CARGO_BIN_EXE_tplc")
    );
    let on_tty = common::run(
        std::process::Command::new("script")
            .current_dir(dir.path())
            .args(["-qec", &cmd, "/dev/null"]),
    );
    let shown = text(&on_tty.stdout);
    assert!(shown.contains("has shipped"), "{shown}");
    assert!(!shown.contains('\u{1b}'), "{shown:?}");
    assert!(shown.contains("\\x1b[2J"), "{shown:?}");
}

#[test]
fn errors_naming_a_file_show_its_control_characters_escaped() {
    let dir = folder(&[("tplc.toml", "")]);
    let o = tplc(dir.path(), &["check", "gone\u{1b}[2J.tplc"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!text(&o.stderr).contains('\u{1b}'), "{:?}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("gone\\x1b[2J"),
        "{:?}",
        text(&o.stderr)
    );
}
