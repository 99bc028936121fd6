//! Every diagnostic code, as a person and a CI job see it: the human report (no colour)
//! and the JSON of `tplc check` for each corpus template, snapshotted.

use std::path::Path;
use std::process::Command;

#[test]
fn human_and_json_reports_per_corpus_file() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "tplc")
                && !p.file_name().unwrap().to_string_lossy().starts_with('_')
        })
        .collect();
    names.sort();
    for path in names {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let run = |format: &str| {
            let out = Command::new(env!("CARGO_BIN_EXE_tplc"))
                .current_dir(&dir)
                .args(["check", "--color", "never", "--format", format])
                .arg(path.file_name().unwrap())
                .output()
                .unwrap();
            String::from_utf8(out.stdout).unwrap()
        };
        let report = format!("{}\n---- json ----\n{}", run("human"), run("json"));
        insta::assert_snapshot!(name, report);
    }
}

fn check_in(dir: &Path, args: &[&str]) -> String {
    let run = |format: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_tplc"))
            .current_dir(dir)
            .args(["check", "--color", "never", "--format", format])
            .args(args)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    format!("{}\n---- json ----\n{}", run("human"), run("json"))
}

/// Codes that need several files or files no editor would save: the per-order budget,
/// translations, include cycles, bad encodings, oversized files, a broken tplc.toml.
#[test]
fn project_wide_and_file_level_codes() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus");
    insta::assert_snapshot!("budget", check_in(&corpus.join("budget"), &[]));
    insta::assert_snapshot!("locale-parity", check_in(&corpus.join("parity"), &[]));
    insta::assert_snapshot!(
        "include-cycle-chain",
        check_in(&corpus, &["_a.tplc", "_b.tplc", "include-cycle.tplc"])
    );

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("tplc.toml"),
        "[rules]\nsentiment-word = \"loud\"\n[budgett]\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("latin1.tplc"), b"---\nkind: delivery\nlocale: de\n---\nIhre Bestellung {{ order.id }} ist unterwegs, Gr\xfc\xdfe.\n").unwrap();
    let big = vec![b'a'; (tplc_project::MAX_FILE_BYTES + 1) as usize];
    std::fs::write(dir.path().join("huge.tplc"), big).unwrap();
    insta::assert_snapshot!("file-level", check_in(dir.path(), &[]));
}
