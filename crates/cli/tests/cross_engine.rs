//! The built artifacts render identically in minijinja and Python's Jinja2, including
//! hostile data: markup and template syntax in values stay inert text.

use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;

fn tplc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tplc"))
}

fn jinja2_available() -> bool {
    Command::new("python3")
        .args(["-c", "import jinja2"])
        .output()
        .is_ok_and(|o| o.status.success())
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
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have Python's jinja2 (pip install jinja2)"
        );
        eprintln!("skipped: python3 with jinja2 is not installed");
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
