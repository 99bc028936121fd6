//! The `tplc` binary end to end: exit codes, output formats, build safety, init, render.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn tplc(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tplc"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

const CLEAN: &str =
    "---\nkind: delivery\nlocale: en\n---\nYour order {{ order.id }} has shipped.\n";
const BROKEN: &str = "---\nkind: delivery\nlocale: en\n---\nHi {{ buyer.nme | default(\"x\") }}, order {{ order.id }} 🚚.\n";

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

#[test]
fn examples_check_clean_and_exit_zero() {
    let o = tplc(&examples(), &["check", "--format", "json"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["diagnostics"], Value::Array(vec![]), "{}", stdout(&o));
    assert_eq!(o.status.code(), Some(0));
    assert!(v["summary"]["files"].as_u64().unwrap() >= 8);
}

#[test]
fn exit_codes_distinguish_clean_errors_and_usage() {
    let dir = project(&[("ok.tplc", CLEAN), ("bad/bad.tplc", BROKEN)]);
    assert_eq!(
        tplc(dir.path(), &["check", "ok.tplc"]).status.code(),
        Some(0)
    );
    assert_eq!(tplc(dir.path(), &["check", "bad"]).status.code(), Some(1));
    assert_eq!(
        tplc(dir.path(), &["check", "missing.tplc"]).status.code(),
        Some(2)
    );
    assert_eq!(
        tplc(dir.path(), &["check", "--format", "xml"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        tplc(dir.path(), &["explain", "no-such-code"]).status.code(),
        Some(2)
    );
}

#[test]
fn json_fields_are_exact() {
    let dir = project(&[("bad.tplc", BROKEN)]);
    let o = tplc(dir.path(), &["check", "--format", "json", "bad.tplc"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let d = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "unknown-field")
        .unwrap()
        .clone();
    let keys: Vec<&str> = d.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "code",
            "column",
            "end",
            "end_column",
            "end_line",
            "file",
            "line",
            "message",
            "severity",
            "start"
        ]
    );
    assert_eq!(d["file"], "bad.tplc");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(5), Some(13))
    );
    assert_eq!(
        &BROKEN[d["start"].as_u64().unwrap() as usize..d["end"].as_u64().unwrap() as usize],
        "nme"
    );
    assert_eq!(v["summary"]["files"], 1);
    assert!(v["summary"]["errors"].as_u64().unwrap() >= 1);
    // Columns count Unicode scalar values: the emoji is one column, four bytes.
    let emoji = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "emoji")
        .unwrap();
    let start = emoji["start"].as_u64().unwrap() as usize;
    assert_eq!(
        &BROKEN[start..emoji["end"].as_u64().unwrap() as usize],
        "🚚"
    );
    assert_eq!(
        emoji["end_column"].as_u64().unwrap() - emoji["column"].as_u64().unwrap(),
        1
    );
}

#[test]
fn sarif_and_github_formats() {
    let dir = project(&[("bad.tplc", BROKEN)]);
    let o = tplc(dir.path(), &["check", "--format", "sarif", "bad.tplc"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "tplc");
    let results = run["results"].as_array().unwrap();
    let r = results
        .iter()
        .find(|r| r["ruleId"] == "unknown-field")
        .unwrap();
    let region = &r["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startLine"].as_u64(), region["startColumn"].as_u64()),
        (Some(5), Some(13))
    );
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(
        rules[r["ruleIndex"].as_u64().unwrap() as usize]["id"],
        "unknown-field"
    );
    let o = tplc(dir.path(), &["check", "--format", "github", "bad.tplc"]);
    let text = stdout(&o);
    assert!(
        text.lines()
            .any(|l| l.starts_with("::error file=bad.tplc,line=5,col=13,")
                && l.contains("title=unknown-field::")),
        "{text}"
    );
}

#[test]
fn human_output_has_no_colour_when_piped() {
    let dir = project(&[("bad.tplc", BROKEN)]);
    let text = stdout(&tplc(dir.path(), &["check", "bad.tplc"]));
    assert!(!text.contains('\u{1b}'), "escape codes in piped output");
    assert!(
        text.contains("[unknown-field]") && text.contains("bad.tplc:5:13"),
        "{text}"
    );
    let coloured = stdout(&tplc(
        dir.path(),
        &["check", "--color", "always", "bad.tplc"],
    ));
    assert!(coloured.contains('\u{1b}'));
}

#[test]
fn human_output_draws_the_first_fifty_problems_of_a_file() {
    // 400 unclosed `{{` on one line: every problem is listed in JSON (under the cap of
    // 1,000 per file), the human format draws the first 50 and says how many it left out.
    let src = format!(
        "---\nkind: delivery\nlocale: en\n---\nOrder {{{{ order.id }}}} {}\n",
        "{{".repeat(400)
    );
    let dir = project(&[("many.tplc", &src)]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&tplc(
        dir.path(),
        &["check", "--format", "json", "many.tplc"],
    )))
    .unwrap();
    let total = json["diagnostics"].as_array().unwrap().len();
    assert!((800..=1000).contains(&total), "{total}");
    let text = stdout(&tplc(dir.path(), &["check", "many.tplc"]));
    assert_eq!(text.matches("[syntax-error]").count(), 50);
    assert!(
        text.contains(&format!(
            "many.tplc: {} more problems not shown",
            total - 50
        )),
        "{}",
        &text[text.len().saturating_sub(400)..]
    );
    assert!(
        text.contains(&format!("{total} errors")),
        "summary counts them all"
    );
}

#[test]
fn build_writes_artifacts_and_manifest() {
    let dir = project(&[
        ("tplc.toml", "[build]\nout-dir = \"dist\"\n"),
        ("a/ok.tplc", CLEAN),
    ]);
    let o = tplc(dir.path(), &["build"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let dist = dir.path().join("dist");
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(dist.join("manifest.json")).unwrap())
            .unwrap();
    let t = &manifest["templates"][0];
    assert_eq!(t["template"], "a/ok.tplc");
    assert_eq!(t["kind"], "delivery");
    assert_eq!(
        t["data_schema"]["properties"]["order"]["properties"]["id"]["type"],
        "string"
    );
    assert!(std::fs::read_to_string(dist.join("a/ok.txt"))
        .unwrap()
        .contains("{{ order.id }}"));
    assert!(std::fs::read_to_string(dist.join("a/ok.html"))
        .unwrap()
        .starts_with("<!DOCTYPE html>"));
}

/// The manifest is written a batch of templates at a time: across batch boundaries it
/// still lists every template once, in path order, with its own artifacts.
#[test]
fn manifest_of_many_templates_lists_each_in_path_order() {
    let dir = tempfile::tempdir().unwrap();
    let n = 600;
    for i in 0..n {
        let p = dir.path().join(format!("t/{:03}/m{i}.tplc", i % 7));
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        let text = CLEAN.replace("has shipped", &format!("has shipped ({i})"));
        std::fs::write(p, text).unwrap();
    }
    let o = tplc(dir.path(), &["build", "--out", "dist"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = std::fs::read_to_string(dir.path().join("dist/manifest.json")).unwrap();
    let manifest: Value = serde_json::from_str(&text).unwrap();
    let listed: Vec<&str> = manifest["templates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["template"].as_str().unwrap())
        .collect();
    let mut expected: Vec<String> = (0..n)
        .map(|i| format!("t/{:03}/m{i}.tplc", i % 7))
        .collect();
    expected.sort();
    assert_eq!(listed, expected);
    // Each entry names its own artifacts, which hold that template's text.
    for t in manifest["templates"].as_array().unwrap().iter().step_by(97) {
        let rel = t["template"].as_str().unwrap();
        let i = rel.rsplit_once("/m").unwrap().1.trim_end_matches(".tplc");
        let txt =
            std::fs::read_to_string(dir.path().join("dist").join(t["text"].as_str().unwrap()))
                .unwrap();
        assert!(txt.contains(&format!("has shipped ({i})")), "{rel}: {txt}");
    }
    // Byte for byte what pretty-printing the whole manifest gives.
    assert_eq!(
        text,
        serde_json::to_string_pretty(&manifest).unwrap() + "\n"
    );
}

#[test]
fn failing_build_leaves_previous_output_untouched() {
    let dir = project(&[("ok.tplc", CLEAN)]);
    assert_eq!(
        tplc(dir.path(), &["build", "--out", "out"]).status.code(),
        Some(0)
    );
    let before = std::fs::read_to_string(dir.path().join("out/manifest.json")).unwrap();
    std::fs::write(dir.path().join("bad.tplc"), BROKEN).unwrap();
    assert_eq!(
        tplc(dir.path(), &["build", "--out", "out"]).status.code(),
        Some(1)
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out/manifest.json")).unwrap(),
        before
    );
    assert!(!dir.path().join("out/bad.txt").exists());
    // No staging folders are left behind.
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("tplc-"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn concurrent_builds_into_one_folder_never_mix() {
    let dir = project(&[("ok.tplc", CLEAN), ("two.tplc", CLEAN)]);
    let bin = env!("CARGO_BIN_EXE_tplc");
    let children: Vec<_> = (0..4)
        .map(|_| {
            Command::new(bin)
                .current_dir(dir.path())
                .args(["build", "--out", "out"])
                .spawn()
                .unwrap()
        })
        .collect();
    let mut ok = 0;
    for mut c in children {
        if c.wait().unwrap().success() {
            ok += 1;
        }
    }
    assert!(ok >= 1, "at least one build must win");
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out/manifest.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(manifest["templates"].as_array().unwrap().len(), 2);
    assert!(dir.path().join("out/ok.txt").exists() && dir.path().join("out/two.html").exists());
}

#[test]
fn init_scaffolds_a_project_that_checks_clean() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(tplc(dir.path(), &["init"]).status.code(), Some(0));
    let o = tplc(dir.path(), &["check"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    // A second init refuses to overwrite.
    assert_eq!(tplc(dir.path(), &["init"]).status.code(), Some(2));
}

#[test]
fn render_validates_data_and_renders_both_formats() {
    let dir = project(&[("ok.tplc", CLEAN)]);
    std::fs::write(
        dir.path().join("good.json"),
        r#"{"order": {"id": "111-2223334-4445556"}}"#,
    )
    .unwrap();
    std::fs::write(dir.path().join("bad.json"), r#"{"order": {"id": 5}}"#).unwrap();
    let o = tplc(dir.path(), &["render", "ok.tplc", "--data", "good.json"]);
    assert_eq!(
        stdout(&o).trim(),
        "Your order 111-2223334-4445556 has shipped."
    );
    let o = tplc(dir.path(), &["render", "ok.tplc", "--data", "bad.json"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("order.id"));
    let o = tplc(
        dir.path(),
        &["render", "ok.tplc", "--sample", "--format", "html"],
    );
    assert!(stdout(&o).contains("<p>Your order "));
}

#[test]
fn explain_prints_the_docs_page() {
    let o = tplc(&examples(), &["explain", "optional-unhandled"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("# optional-unhandled"));
    let list = stdout(&tplc(&examples(), &["explain", "--list"]));
    for code in [
        "syntax-error",
        "unknown-placeholder",
        "include-cycle",
        "sentiment-word",
        "conditional-review-ask",
    ] {
        assert!(list.contains(code), "{code} missing from --list");
    }
}

#[test]
fn hostile_files_get_diagnostics_not_crashes() {
    let deep = format!(
        "---\nkind: delivery\nlocale: en\n---\n{}x{}",
        "{% if order.id %}".repeat(4_000),
        "{% endif %}".repeat(4_000)
    );
    let big = format!(
        "---\nkind: delivery\nlocale: en\n---\nOrder {{{{ order.id }}}}.\n{}",
        "Plain words in a very long message body.\n".repeat(3_000)
    );
    let dir = project(&[
        ("deep.tplc", &deep),
        ("big.tplc", &big),
        ("broken.tplc", "{{ {% {# \0 }}"),
    ]);
    std::fs::write(
        dir.path().join("latin1.tplc"),
        b"---\nkind: delivery\nlocale: de\n---\nBestellung {{ order.id }} \xfcber\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("tplc.toml"), "[rules\nbroken").unwrap();
    let o = tplc(dir.path(), &["check", "--format", "json"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let codes: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    for code in [
        "syntax-error",
        "invalid-utf8",
        "bad-config",
        "message-too-long",
    ] {
        assert!(codes.contains(&code), "{code} not in {codes:?}");
    }
}

#[test]
fn watch_rebuilds_and_prints_only_what_changed() {
    use std::io::{BufRead, BufReader};
    let dir = project(&[("ok.tplc", CLEAN), ("two.tplc", CLEAN)]);
    // Killed on drop, so a failing assertion never leaves the watcher running.
    struct Watcher(std::process::Child);
    impl Drop for Watcher {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut child = Watcher(
        Command::new(env!("CARGO_BIN_EXE_tplc"))
            .current_dir(dir.path())
            .args(["build", "--watch", "--out", "out"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let (tx, rx) = std::sync::mpsc::channel();
    let stdout = child.0.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let wait_for = |needle: &str| -> Vec<String> {
        let mut seen = Vec::new();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while std::time::Instant::now() < deadline {
            if let Ok(line) = rx.recv_timeout(std::time::Duration::from_millis(200)) {
                let hit = line.contains(needle);
                seen.push(line);
                if hit {
                    return seen;
                }
            }
        }
        panic!("no `{needle}` in {seen:?}");
    };
    // Each build swaps in a new folder: the same folder for seconds means no build ran.
    // A build reads every template and writes the output; neither may start another.
    let builds_stopped = || {
        use std::os::unix::fs::MetadataExt;
        let ino = || std::fs::metadata(dir.path().join("out")).unwrap().ino();
        let before = ino();
        std::thread::sleep(std::time::Duration::from_secs(2));
        assert_eq!(ino(), before, "the watcher builds again with no edit");
    };
    wait_for("watching");
    builds_stopped();
    std::fs::write(
        dir.path().join("two.tplc"),
        CLEAN.replace("has shipped", "is on its way"),
    )
    .unwrap();
    let lines = wait_for("rebuilt  two.tplc");
    assert!(
        !lines.iter().any(|l| l.contains("ok.tplc")),
        "unchanged templates are not listed: {lines:?}"
    );
    assert!(std::fs::read_to_string(dir.path().join("out/two.txt"))
        .unwrap()
        .contains("is on its way"));
    builds_stopped();
    drop(child);
}
