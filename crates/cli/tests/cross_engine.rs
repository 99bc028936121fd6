//! The built artifacts render identically in minijinja and Python's Jinja2, including
//! hostile data: markup and template syntax in values stay inert text.

use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;

fn tplc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tplc"))
}

/// Whether Python's jinja2 is there to compare with; CI must have it, a developer's
/// machine may skip.
fn jinja2_available() -> bool {
    let found = Command::new("python3")
        .args(["-c", "import jinja2"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have Python's jinja2 (pip install jinja2)"
        );
        eprintln!("skipped: python3 with jinja2 is not installed");
    }
    found
}

const RENDER_PY: &str = r#"
import json, sys, jinja2
src = open(sys.argv[1], encoding="utf-8").read()
data = json.load(open(sys.argv[2], encoding="utf-8"))
env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=sys.argv[1].endswith(".html"), keep_trailing_newline=False)
sys.stdout.write(env.from_string(src).render(**data))
"#;

fn hostile(mut data: Value) -> Value {
    data["seller"]["name"] = json!(
        "<script>alert(1)</script> {{ 7*7 }} {% if true %}x{% endif %} & \"quotes\" 'single'"
    );
    data["buyer"]["name"] = json!(
        "</p><img src=x onerror=alert(1)> \u{1b}[2J\u{1b}]8;;https://evil.example\u{7}x\u{1b}]8;;\u{7} \u{202e}\u{2066}\u{0}\u{9b}\r"
    );
    if let Some(items) = data["order"]["items"].as_array_mut() {
        for it in items {
            it["title"] = json!("<b>Mug</b> {{ order.id }}");
            it["review_url"] = json!("javascript:alert(1)");
        }
    }
    data
}

#[test]
fn artifacts_render_identically_in_minijinja_and_jinja2() {
    if !jinja2_available() {
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let out = tempfile::tempdir().unwrap();
    let status = tplc()
        .args(["build"])
        .arg(&root)
        .arg("--out")
        .arg(out.path())
        .status()
        .unwrap();
    assert!(status.success(), "examples must build cleanly");
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("manifest.json")).unwrap())
            .unwrap();
    let templates = manifest["templates"].as_array().unwrap();
    assert!(templates.len() >= 6);
    let script = out.path().join("render.py");
    std::fs::write(&script, RENDER_PY).unwrap();
    for t in templates {
        let rel = t["template"].as_str().unwrap();
        // Sample data through the CLI, then a hostile variant.
        let sample = tplc()
            .args(["render", "--sample"])
            .arg(root.join(rel))
            .output()
            .unwrap();
        assert!(
            sample.status.success(),
            "{rel}: {}",
            String::from_utf8_lossy(&sample.stderr)
        );
        let mut data = sample_data(&root.join(rel));
        for variant in [data.clone(), hostile(data.clone())] {
            data = variant;
            tplc_compile::fill_optionals(&t["data_schema"], &mut data);
            let data_path = out.path().join("data.json");
            std::fs::write(&data_path, serde_json::to_string(&data).unwrap()).unwrap();
            for key in ["text", "html"] {
                let artifact = out.path().join(t[key].as_str().unwrap());
                let source = std::fs::read_to_string(&artifact).unwrap();
                let mini = tplc_compile::render_jinja(&source, &data)
                    .unwrap_or_else(|e| panic!("{rel} {key}: {e}"));
                let py = Command::new("python3")
                    .arg(&script)
                    .arg(&artifact)
                    .arg(&data_path)
                    .output()
                    .unwrap();
                assert!(
                    py.status.success(),
                    "{rel} {key}: jinja2 failed: {}",
                    String::from_utf8_lossy(&py.stderr)
                );
                let py = String::from_utf8(py.stdout).unwrap();
                assert_eq!(mini, py, "{rel} {key}: engines differ");
                if key == "html" {
                    assert!(!mini.contains("<script>"), "{rel}: unescaped script");
                    assert!(!mini.contains("<img"), "{rel}: unescaped markup");
                    assert!(
                        !mini.contains(['\u{1b}', '\u{202e}', '\u{2066}', '\u{0}', '\u{9b}']),
                        "{rel}: control characters from data in the HTML"
                    );
                    assert!(
                        !mini.contains("javascript:"),
                        "{rel}: non-https link survived"
                    );
                }
                assert!(
                    !mini.contains("49"),
                    "{rel} {key}: template syntax in data was evaluated"
                );
            }
        }
    }
}

fn sample_data(template: &Path) -> Value {
    // The schema's example document, as `tplc render --sample` uses it.
    let schema = tplc_schema::Schema::builtin();
    let mut params = std::collections::BTreeMap::new();
    let text = std::fs::read_to_string(template).unwrap();
    for p in tplc_syntax::parse(&text)
        .template
        .header
        .map(|h| h.params)
        .unwrap_or_default()
    {
        params.insert(
            p.name.node.clone(),
            schema.resolve_type(&p.ty.node).unwrap(),
        );
    }
    schema.sample_data(&params)
}

/// Renders every artifact named on the command line with the data file after it; prints
/// a JSON object from artifact path to output (or to the error, prefixed `!`).
const RENDER_ALL_PY: &str = r#"
import json, sys, jinja2
out = {}
args = sys.argv[1:]
for artifact, data_path in zip(args[::2], args[1::2]):
    src = open(artifact, encoding="utf-8").read()
    data = json.load(open(data_path, encoding="utf-8"))
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=artifact.endswith(".html"), keep_trailing_newline=False)
    try:
        out[artifact] = env.from_string(src).render(**data)
    except Exception as e:
        out[artifact] = "!" + type(e).__name__ + ": " + str(e)
sys.stdout.write(json.dumps(out))
"#;

/// A small deterministic generator (xorshift), so a failure names a reproducible case.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// A placeholder or condition at the edge of what the check accepts: date formats around
/// their length limit, numbers around the integer and decimal bounds, truncate lengths
/// around 1, long and escaped fallback texts.
fn edge_placeholder(r: &mut Rng) -> String {
    let digits = |r: &mut Rng, n: usize| -> String {
        (0..n).map(|_| (b'0' + r.below(10) as u8) as char).collect()
    };
    match r.below(6) {
        0 => {
            let mut fmt = String::new();
            let target = 240 + r.below(30);
            while fmt.len() < target {
                let piece = match r.below(16) {
                    0 => r.pick(&["%A", "%B", "%d", "%-d", "%j", "%e", "%Y"]),
                    _ => r.pick(&["%%", " ", "de ", "/", "é", "\\\"", "{{"]),
                };
                fmt.push_str(piece);
            }
            format!("{{{{ order.purchase_date | date(\"{fmt}\") }}}}")
        }
        1 => {
            let n = r.pick(&[
                "9223372036854775807",
                "9223372036854775808",
                "-9223372036854775808",
                "-9223372036854775809",
                "0",
                "",
            ]);
            let len = 1 + r.below(40);
            let n = if n.is_empty() {
                digits(r, len)
            } else {
                n.to_string()
            };
            format!("{{% if order.items | length > {n} %}}many{{% endif %}}")
        }
        2 => {
            let (whole_len, zeros, frac_len) = (1 + r.below(17), r.below(6), 1 + r.below(20));
            let whole = digits(r, whole_len);
            let frac = format!("{}{}", "0".repeat(zeros), digits(r, frac_len));
            let sign = r.pick(&["", "-"]);
            format!("{{{{ {sign}{whole}.{frac} }}}} {{{{ buyer.name | default({sign}0.{frac}) }}}}")
        }
        3 => {
            let n = r.pick(&[
                "-9223372036854775808",
                "-1",
                "0",
                "1",
                "2",
                "40",
                "9223372036854775807",
            ]);
            format!("{{{{ seller.name | truncate({n}) }}}}")
        }
        4 => {
            let piece = r.pick(&["a", "\\\"", "\\\\", "{{", "%}", "<b>", "&amp;", "é", "\\n"]);
            let n = 1 + r.below(300);
            format!("{{{{ buyer.name | default(\"{}\") }}}}", piece.repeat(n))
        }
        _ => {
            let len = 1 + r.below(25);
            let n = digits(r, len);
            format!("{{{{ order.items | length | default({n}) }}}}")
        }
    }
}

#[test]
fn what_check_accepts_renders_alike_in_both_engines() {
    if !jinja2_available() {
        return;
    }
    let mut r = Rng(0x9e37_79b9_7f4a_7c15);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tplc.toml"), "").unwrap();
    let templates: Vec<(String, String)> = (0..200)
        .map(|i| {
            let body: Vec<String> = (0..2).map(|_| edge_placeholder(&mut r)).collect();
            let src = format!(
                "---\nkind: reply\nlocale: en\n---\nOrder {{{{ order.id }}}}.\n{}\n",
                body.join("\n")
            );
            (format!("t{i:03}.tplc"), src)
        })
        .collect();
    // Check them all at once; the ones without errors go into a project to build.
    for (name, src) in &templates {
        std::fs::write(dir.path().join(name), src).unwrap();
    }
    let o = tplc()
        .args(["check", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(matches!(o.status.code(), Some(0 | 1)), "{o:?}");
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    let rejected: std::collections::BTreeSet<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "error")
        .filter_map(|d| Path::new(d["file"].as_str()?).file_name()?.to_str())
        .collect();
    let accepted_dir = tempfile::tempdir().unwrap();
    std::fs::write(accepted_dir.path().join("tplc.toml"), "").unwrap();
    let mut accepted = 0;
    for (name, src) in &templates {
        if !rejected.contains(name.as_str()) {
            std::fs::write(accepted_dir.path().join(name), src).unwrap();
            accepted += 1;
        }
    }
    assert!(accepted >= 40, "only {accepted} of 200 accepted");
    let out = tempfile::tempdir().unwrap();
    let build = tplc()
        .arg("build")
        .arg(accepted_dir.path())
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    assert!(
        build.status.success(),
        "what check accepts builds: {}{}",
        String::from_utf8_lossy(&build.stdout),
        String::from_utf8_lossy(&build.stderr)
    );
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("manifest.json")).unwrap())
            .unwrap();
    let entries = manifest["templates"].as_array().unwrap();
    assert_eq!(entries.len(), accepted);
    let mut expected = Vec::new();
    let mut args: Vec<String> = Vec::new();
    for (i, t) in entries.iter().enumerate() {
        let rel = t["template"].as_str().unwrap();
        let mut data = sample_data(&accepted_dir.path().join(rel));
        tplc_compile::fill_optionals(&t["data_schema"], &mut data);
        let data_path = out.path().join(format!("data{i}.json"));
        std::fs::write(&data_path, data.to_string()).unwrap();
        for key in ["text", "html"] {
            let artifact = out.path().join(t[key].as_str().unwrap());
            let source = std::fs::read_to_string(&artifact).unwrap();
            let mini = tplc_compile::render_jinja(&source, &data)
                .unwrap_or_else(|e| panic!("{rel} {key}: minijinja: {e}"));
            expected.push((artifact.display().to_string(), mini));
            args.push(artifact.display().to_string());
            args.push(data_path.display().to_string());
        }
    }
    let script = out.path().join("render_all.py");
    std::fs::write(&script, RENDER_ALL_PY).unwrap();
    let py = Command::new("python3")
        .arg(&script)
        .args(&args)
        .output()
        .unwrap();
    assert!(
        py.status.success(),
        "{}",
        String::from_utf8_lossy(&py.stderr)
    );
    let rendered: Value = serde_json::from_slice(&py.stdout).unwrap();
    for (artifact, mini) in expected {
        assert_eq!(
            rendered[&artifact].as_str(),
            Some(mini.as_str()),
            "{artifact}: the engines differ"
        );
    }
}
