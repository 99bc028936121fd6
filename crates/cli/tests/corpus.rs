//! The integration corpus: every template under tests/corpus states the diagnostic codes it
//! must produce in a first comment `{# expect: code, code #}` (or `clean`); one `tplc check`
//! run over the folder must report exactly those, file by file.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

fn expected(text: &str) -> Vec<String> {
    let start = text
        .find("{# expect:")
        .expect("every corpus file states its expectation")
        + "{# expect:".len();
    let end = start + text[start..].find("#}").unwrap();
    let mut codes: Vec<String> = text[start..end]
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| s != "clean" && !s.is_empty())
        .collect();
    codes.sort();
    codes
}

fn corpus_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(corpus_files(&path));
        } else if path.extension().is_some_and(|e| e == "tplc") {
            out.push(path);
        }
    }
    out.sort();
    out
}

#[test]
fn corpus_reports_exactly_the_expected_codes() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus");
    let out = Command::new(env!("CARGO_BIN_EXE_tplc"))
        .args(["check", "--format", "json"])
        .arg(&dir)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for d in report["diagnostics"].as_array().unwrap() {
        let file = d["file"].as_str().unwrap().replace('\\', "/");
        let file = file.split("tests/corpus/").last().unwrap().to_string();
        found
            .entry(file)
            .or_default()
            .push(d["code"].as_str().unwrap().to_string());
    }
    let mut files = 0;
    let mut failures = Vec::new();
    for path in corpus_files(&dir) {
        files += 1;
        let name = path
            .strip_prefix(&dir)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let want = expected(&std::fs::read_to_string(&path).unwrap());
        let mut got = found.remove(&name).unwrap_or_default();
        got.sort();
        got.dedup();
        let mut want_set = want.clone();
        want_set.dedup();
        if got != want_set {
            failures.push(format!("{name}: expected {want_set:?}, got {got:?}"));
        }
    }
    assert!(files >= 40, "the corpus holds {files} templates");
    assert_eq!(report["summary"]["files"].as_u64().unwrap() as usize, files);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(
        out.status.code(),
        Some(1),
        "errors in the corpus mean exit code 1"
    );
}
