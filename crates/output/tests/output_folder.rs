//! Each rule of the output folder, attacked: a folder tplc did not build is never emptied,
//! the project is never replaced, links are never followed, readers never see a missing
//! folder, concurrent builds take turns, and killed builds' leftovers are cleaned.

use std::path::{Path, PathBuf};
use tplc_output::{marker, Origin, OutputDir, Staging};

struct Project {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    sources: Vec<PathBuf>,
}

fn project() -> Project {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap().join("proj");
    std::fs::create_dir_all(root.join("orders")).unwrap();
    std::fs::write(root.join("tplc.toml"), "").unwrap();
    let src = root.join("orders/shipped.tplc");
    std::fs::write(&src, "hello").unwrap();
    Project {
        _tmp: tmp,
        root,
        sources: vec![src],
    }
}

fn resolve(p: &Project, out: &Path, origin: Origin) -> Result<OutputDir, String> {
    OutputDir::resolve(out, origin, &p.root, &p.sources).map_err(|e| e.0)
}

/// A complete build of `out` holding `files` (name, content).
fn build(out: &OutputDir, files: &[(&str, &str)]) {
    let s = Staging::create(out).unwrap();
    for (name, content) in files {
        s.write(name, content.as_bytes()).unwrap();
    }
    s.commit().unwrap();
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap()
}

#[test]
fn a_folder_with_user_files_is_refused_and_left_alone() {
    let p = project();
    let mydocs = p.root.parent().unwrap().join("d/mydocs");
    std::fs::create_dir_all(mydocs.join("sub")).unwrap();
    std::fs::write(mydocs.join("taxes.pdf"), "mine").unwrap();
    std::fs::write(mydocs.join("sub/photo.jpg"), "mine too").unwrap();
    let err = resolve(&p, &mydocs, Origin::CommandLine).unwrap_err();
    assert!(err.contains("not built by tplc"), "{err}");
    assert_eq!(read(&mydocs.join("taxes.pdf")), "mine");
    assert_eq!(read(&mydocs.join("sub/photo.jpg")), "mine too");
}

#[test]
fn an_empty_folder_or_none_is_built_into() {
    let p = project();
    for out in [p.root.join("dist"), p.root.join("empty")] {
        if out.ends_with("empty") {
            std::fs::create_dir(&out).unwrap();
        }
        let dir = resolve(&p, &out, Origin::Config).unwrap();
        build(&dir, &[("a.txt", "A")]);
        assert_eq!(read(&out.join("a.txt")), "A");
        assert!(marker::is_marked(&out));
    }
}

#[test]
fn a_folder_tplc_built_is_replaced_whole() {
    let p = project();
    let out = p.root.join("dist");
    let dir = resolve(&p, &out, Origin::Config).unwrap();
    build(&dir, &[("orders/a.txt", "1"), ("gone.txt", "1")]);
    let dir = resolve(&p, &out, Origin::Config).unwrap();
    build(&dir, &[("orders/a.txt", "2")]);
    assert_eq!(read(&out.join("orders/a.txt")), "2");
    assert!(!out.join("gone.txt").exists());
}

#[test]
fn a_file_added_to_a_built_folder_stops_the_next_build() {
    let p = project();
    let out = p.root.join("dist");
    build(
        &resolve(&p, &out, Origin::Config).unwrap(),
        &[("a.txt", "1")],
    );
    std::fs::write(out.join("notes.md"), "mine").unwrap();
    let err = resolve(&p, &out, Origin::Config).unwrap_err();
    assert!(err.contains("notes.md"), "{err}");
    assert_eq!(read(&out.join("notes.md")), "mine");

    // Added while a build runs: the build checks again before it swaps.
    std::fs::remove_file(out.join("notes.md")).unwrap();
    let dir = resolve(&p, &out, Origin::Config).unwrap();
    let s = Staging::create(&dir).unwrap();
    s.write("a.txt", b"2").unwrap();
    std::fs::write(out.join("late.md"), "mine").unwrap();
    let err = s.commit().unwrap_err();
    assert!(err.0.contains("late.md"), "{err}");
    assert_eq!(read(&out.join("late.md")), "mine");
    assert_eq!(read(&out.join("a.txt")), "1");
}

#[test]
fn the_project_and_folders_holding_it_or_its_templates_are_refused() {
    let p = project();
    let parent = p.root.parent().unwrap().to_path_buf();
    for out in [
        p.root.clone(),
        p.root.join("."),
        p.root.join("orders/.."),
        parent.clone(),
        p.root.join("orders"),
    ] {
        let err = resolve(&p, &out, Origin::CommandLine).unwrap_err();
        assert!(
            err.contains("project folder") || err.contains("holds the template"),
            "{}: {err}",
            out.display()
        );
    }
    assert!(p.root.join("tplc.toml").exists());
    assert!(p.sources[0].exists());
}

#[test]
fn a_configured_folder_must_lie_inside_the_project() {
    let p = project();
    let victim = p.root.parent().unwrap().join("victim");
    std::fs::create_dir(&victim).unwrap();
    for out in [
        p.root.join("../victim"),
        victim.clone(),
        PathBuf::from("/tmp/tplc-never"),
    ] {
        let err = resolve(&p, &out, Origin::Config).unwrap_err();
        assert!(err.contains("outside the project"), "{err}");
    }
    // The person running tplc may build anywhere that obeys the other rules.
    assert!(resolve(&p, &victim, Origin::CommandLine).is_ok());
}

#[cfg(unix)]
#[test]
fn links_are_never_built_through() {
    let p = project();
    let victim = p.root.parent().unwrap().join("victim");
    std::fs::create_dir(&victim).unwrap();
    std::fs::write(victim.join("keep.txt"), "mine").unwrap();
    // The output folder itself is a link.
    std::os::unix::fs::symlink(&victim, p.root.join("dist")).unwrap();
    let err = resolve(&p, &p.root.join("dist"), Origin::Config).unwrap_err();
    assert!(err.contains("symbolic link"), "{err}");
    // A folder on the way is a link out of the project.
    std::os::unix::fs::symlink(&victim, p.root.join("build")).unwrap();
    let err = resolve(&p, &p.root.join("build/out"), Origin::Config).unwrap_err();
    assert!(err.contains("outside the project"), "{err}");
    assert_eq!(read(&victim.join("keep.txt")), "mine");
    assert_eq!(std::fs::read_dir(&victim).unwrap().count(), 1);
}

#[test]
fn a_file_is_not_an_output_folder() {
    let p = project();
    let file = p.root.join("dist");
    std::fs::write(&file, "mine").unwrap();
    let err = resolve(&p, &file, Origin::CommandLine).unwrap_err();
    assert!(err.contains("is a file"), "{err}");
    assert_eq!(read(&file), "mine");
}

#[cfg(unix)]
#[test]
fn a_read_only_folder_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let p = project();
    let out = p.root.join("dist");
    build(
        &resolve(&p, &out, Origin::Config).unwrap(),
        &[("a.txt", "1")],
    );
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o555)).unwrap();
    let err = resolve(&p, &out, Origin::Config).unwrap_err();
    assert!(err.contains("read-only"), "{err}");
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(read(&out.join("a.txt")), "1");
}

#[test]
fn leftovers_of_killed_builds_are_cleaned_and_nothing_else() {
    let p = project();
    let out = p.root.join("dist");
    let dir = resolve(&p, &out, Origin::Config).unwrap();
    // What a build killed while staging leaves: a marked staging folder, never swapped in.
    let staged = p.root.join(".dist.tplc-new-99-1");
    std::fs::create_dir(&staged).unwrap();
    marker::write(&staged, &[]).unwrap();
    std::fs::write(staged.join("a.txt"), "half").unwrap();
    // A killed build's old folder, and a user's folder that merely looks like one.
    let old = p.root.join(".dist.tplc-old-1-2");
    std::fs::create_dir(&old).unwrap();
    marker::write(&old, &[]).unwrap();
    let users = p.root.join(".dist.tplc-new-mine");
    std::fs::create_dir(&users).unwrap();
    std::fs::write(users.join("keep.txt"), "mine").unwrap();
    build(&dir, &[("a.txt", "whole")]);
    assert!(!staged.exists());
    assert!(!old.exists());
    assert_eq!(read(&users.join("keep.txt")), "mine");
    assert_eq!(read(&out.join("a.txt")), "whole");
}

#[test]
fn concurrent_builds_take_turns_and_one_complete_build_remains() {
    let p = project();
    let out = p.root.join("dist");
    let dir = resolve(&p, &out, Origin::Config).unwrap();
    std::thread::scope(|s| {
        for i in 0..8 {
            let dir = &dir;
            s.spawn(move || {
                for j in 0..5 {
                    let v = format!("{i}-{j}");
                    let files: Vec<(String, String)> =
                        (0..20).map(|k| (format!("f{k}.txt"), v.clone())).collect();
                    let st = Staging::create(dir).unwrap();
                    for (n, c) in &files {
                        st.write(n, c.as_bytes()).unwrap();
                    }
                    st.commit().unwrap();
                }
            });
        }
    });
    let first = read(&out.join("f0.txt"));
    for k in 0..20 {
        assert_eq!(read(&out.join(format!("f{k}.txt"))), first);
    }
    let siblings: Vec<_> = std::fs::read_dir(&p.root)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tplc-new-") || n.contains(".tplc-old-"))
        .collect();
    assert!(siblings.is_empty(), "{siblings:?}");
}

/// Readers polling the output folder during many swaps always find a complete build.
#[cfg(target_os = "linux")]
#[test]
fn readers_never_see_the_folder_missing_or_mixed() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let p = project();
    let out = p.root.join("dist");
    let dir = resolve(&p, &out, Origin::Config).unwrap();
    build(&dir, &[("a.txt", "0"), ("b.txt", "0")]);
    let done = AtomicBool::new(false);
    let (mut seen, mut bad) = (0u32, Vec::new());
    std::thread::scope(|s| {
        s.spawn(|| {
            for i in 1..=200 {
                let v = i.to_string();
                build(&dir, &[("a.txt", &v), ("b.txt", &v)]);
            }
            done.store(true, Ordering::SeqCst);
        });
        while !done.load(Ordering::SeqCst) {
            seen += 1;
            // One open folder handle: both files come from the same build.
            match (
                std::fs::read_to_string(out.join("a.txt")),
                std::fs::metadata(&out),
            ) {
                (Ok(_), Ok(m)) if m.is_dir() => {}
                other => bad.push(format!("{other:?}")),
            }
        }
    });
    assert!(seen > 0);
    assert!(
        bad.is_empty(),
        "{} of {seen} reads failed: {:?}",
        bad.len(),
        &bad[..bad.len().min(3)]
    );
}
