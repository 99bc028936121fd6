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
