//! The properties the fuzz targets check, as plain functions: the libFuzzer binaries in
//! `fuzz_targets/` call them, and `cargo test` replays every saved input in
//! `fuzz/regressions/` through them, so a crash once found stays fixed.
//!
//! Each function panics when a property fails; anything else is a pass.

mod output_paths;

pub use output_paths::output_paths;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use tplc_compile::{compile, render, AnalysisIncludes, Compiled};
use tplc_project::{Analysis, FileAnalysis, Workspace};

/// Separates files inside one fuzz input: the first part is `t.tplc`, the next ones are
/// the partials `_a.tplc`, `_b.tplc`, ... (so includes, missing partials and include
/// cycles are reachable).
pub const FILE_SEPARATOR: &[u8] = b"\n=====\n";

const ROOT: &str = "/fuzz-project";

fn split_files(data: &[u8]) -> Vec<&[u8]> {
    let mut parts = Vec::new();
    let mut rest = data;
    while let Some(i) = find(rest, FILE_SEPARATOR) {
        parts.push(&rest[..i]);
        rest = &rest[i + FILE_SEPARATOR.len()..];
        if parts.len() == 4 {
            break;
        }
    }
    parts.push(rest);
    parts
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn file_name(i: usize) -> String {
    if i == 0 {
        "t.tplc".into()
    } else {
        format!("_{}.tplc", (b'a' + (i as u8 - 1)) as char)
    }
}

/// Arbitrary bytes → a workspace holding them as files, decoded like files on disk are.
pub fn workspace_of(data: &[u8]) -> (Workspace, PathBuf) {
    let root = PathBuf::from(ROOT);
    let mut ws = Workspace::in_memory(root.clone());
    for (i, part) in split_files(data).into_iter().enumerate() {
        let decoded = tplc_project::decode(part.to_vec());
        ws.set_file(root.join(file_name(i)), Arc::from(decoded.text));
    }
    (ws, root.join("t.tplc"))
}

/// Every span a diagnostic carries must point inside its file, on character boundaries:
/// editors and the CLI slice the source with them.
fn assert_spans(analysis: &Analysis) {
    for fa in analysis.files.values() {
        let src: &str = &fa.source;
        let ok = |s: tplc_syntax::Span, src: &str| {
            s.start <= s.end
                && s.end <= src.len()
                && src.is_char_boundary(s.start)
                && src.is_char_boundary(s.end)
        };
        for d in &fa.diagnostics {
            assert!(
                ok(d.span, src),
                "{}: span {:?} outside the file",
                d.code,
                d.span
            );
            assert!(!d.message.is_empty(), "{}: empty message", d.code);
            for l in &d.labels {
                let other;
                let text = match &l.file {
                    Some(p) if p != &fa.path => match analysis.files.get(p) {
                        Some(f) => {
                            other = f.source.clone();
                            &*other
                        }
                        None => continue,
                    },
                    _ => src,
                };
                assert!(ok(l.span, text), "{}: label span {:?}", d.code, l.span);
            }
            for f in &d.fixes {
                for e in &f.edits {
                    assert!(ok(e.span, src), "{}: fix span {:?}", d.code, e.span);
                }
            }
        }
    }
}

/// Compile a clean file and render it with the schema's sample data. A file the checker
/// accepts must build into artifacts that render.
fn compile_and_render(fa: &FileAnalysis, ws: &Workspace, analysis: &Analysis) -> Rendered3 {
    let includes = AnalysisIncludes {
        analysis,
        root: ws.root(),
    };
    let c = compile(fa, ws.schema(), &includes);
    let data = ws.schema().sample_data(&tplc_check::param_types(&fa.facts));
    let r = render(&c, &data).unwrap_or_else(|e| {
        panic!(
            "a template without errors failed to render: {e}\n--- source ---\n{}",
            fa.source
        )
    });
    assert_safe_html(&r.html);
    (r.subject, r.text, r.html)
}

type Rendered3 = (Option<String>, String, String);

/// Target `analyze`: parse, check, rules, project rules; then compile and render when the
/// whole project is clean.
pub fn analyze(data: &[u8]) {
    let (ws, main) = workspace_of(data);
    let analysis = ws.analyze();
    assert_spans(&analysis);
    // Like `tplc build` of the whole project: only an error-free project is compiled.
    // (Compiling one template whose partials have errors is a known gap, covered by an
    // ignored test in crates/cli/tests/hardening.rs.)
    if analysis.error_count() > 0 {
        return;
    }
    if let Some(fa) = analysis.files.get(&main) {
        compile_and_render(fa, &ws, &analysis);
    }
}

/// Target `format`: formatting is idempotent, keeps a clean file clean, and never
/// changes what the buyer receives.
pub fn format(data: &[u8]) {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(once) = tplc_fmt::format(source) else {
        return;
    };
    let twice = tplc_fmt::format(&once)
        .unwrap_or_else(|e| panic!("formatted output does not format again: {e}\n{once}"));
    assert_eq!(twice, once, "formatting is not idempotent");

    let (ws_a, main) = workspace_of(source.as_bytes());
    let (ws_b, _) = workspace_of(once.as_bytes());
    let a = ws_a.analyze();
    let b = ws_b.analyze();
    let (Some(fa), Some(fb)) = (a.files.get(&main), b.files.get(&main)) else {
        return;
    };
    if a.error_count() > 0 {
        return;
    }
    assert!(
        b.error_count() == 0,
        "formatting made a clean template fail: {:?}\n--- before ---\n{source}\n--- after ---\n{once}",
        b.files
            .values()
            .flat_map(|f| f.diagnostics.iter().map(|d| d.code))
            .collect::<Vec<_>>()
    );
    let before = compile_and_render(fa, &ws_a, &a);
    let after = compile_and_render(fb, &ws_b, &b);
    assert_eq!(
        before, after,
        "formatting changed the rendered message\n--- before ---\n{source}\n--- after ---\n{once}"
    );
}

type Example = (Compiled, Value, tplc_schema::DataUsage);

/// The templates under `examples/`, compiled once, with sample data and what they read.
fn examples() -> &'static (Workspace, Vec<Example>) {
    static CELL: OnceLock<(Workspace, Vec<Example>)> = OnceLock::new();
    CELL.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
        let ws = Workspace::load(&dir).expect("examples load");
        let analysis = ws.analyze();
        let includes = AnalysisIncludes {
            analysis: &analysis,
            root: ws.root(),
        };
        let list = analysis
            .files
            .values()
            .filter(|f| !f.is_partial && !f.has_errors())
            .map(|f| {
                let c = compile(f, ws.schema(), &includes);
                let sample = ws.schema().sample_data(&tplc_check::param_types(&f.facts));
                let usage = tplc_compile::data_usage(f, &includes);
                (c, sample, usage)
            })
            .collect();
        (ws.clone(), list)
    })
}

/// JSON pointers of every string in `v`.
fn string_pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::String(_) => out.push(at),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                string_pointers(item, format!("{at}/{i}"), out);
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
                let k = k.replace('~', "~0").replace('/', "~1");
                string_pointers(item, format!("{at}/{k}"), out);
            }
        }
        _ => {}
    }
}

/// Target `render`: an example template rendered with hostile data. The first byte picks
/// the template; the rest, split at `\x01`, become the data's string values (or, when it
/// parses as JSON, the whole data document). Data that fails validation is rejected, never
/// rendered; data that passes renders, and the HTML holds only tplc's own markup.
pub fn render_data(data: &[u8]) {
    render_data_output(data);
}

/// [`render_data`], returning what was rendered (`None`: the data was refused).
pub fn render_data_output(data: &[u8]) -> Option<tplc_compile::Rendered> {
    let (ws, all) = examples();
    let schema = ws.schema();
    let (&pick, rest) = data.split_first()?;
    let (c, sample, usage) = &all[pick as usize % all.len()];
    let text = String::from_utf8_lossy(rest);
    let doc = match serde_json::from_str::<Value>(&text) {
        Ok(v) if v.is_object() => v,
        _ => {
            // Each string of the sample takes the next piece, unless that makes the
            // document invalid (an order id must look like one): then it keeps its value,
            // so hostile text reaches every field that accepts free text.
            let mut doc = sample.clone();
            let mut pointers = Vec::new();
            string_pointers(&doc, String::new(), &mut pointers);
            let mut pieces = text.split('\u{1}').cycle().take(pointers.len().max(1) * 4);
            for ptr in &pointers {
                let Some(piece) = pieces.next() else { break };
                let Some(slot) = doc.pointer_mut(ptr) else {
                    continue;
                };
                let old = std::mem::replace(slot, Value::from(piece));
                if !schema.validate(&doc, usage).is_empty() {
                    if let Some(slot) = doc.pointer_mut(ptr) {
                        *slot = old;
                    }
                }
            }
            doc
        }
    };
    // Validation as `tplc render --data` does it: against what the template reads.
    if !schema.validate(&doc, usage).is_empty() {
        return None;
    }
    let r = render(c, &doc)
        .unwrap_or_else(|e| panic!("data that passed validation failed to render: {e}\n{doc:#}"));
    assert_safe_html(&r.html);
    Some(r)
}

/// The rendered HTML may contain only the tags tplc itself writes, and every link points to
/// an https URL (or is neutralised to `#`).
pub fn assert_safe_html(html: &str) {
    const ALLOWED: &[&str] = &[
        "<!DOCTYPE html>",
        "<html lang=\"",
        "</html>",
        "<head>",
        "</head>",
        "<meta charset=\"utf-8\">",
        "<title>",
        "</title>",
        "<body>",
        "</body>",
        "<p>",
        "</p>",
        "<ul>",
        "</ul>",
        "<li>",
        "</li>",
        "<strong>",
        "</strong>",
        "<br>",
        "</a>",
        "<a href=\"",
    ];
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i..];
        let tag = ALLOWED
            .iter()
            .find(|t| rest.starts_with(**t))
            .unwrap_or_else(|| {
                panic!(
                    "markup tplc does not write: {:?}\n--- html ---\n{html}",
                    &rest[..rest.len().min(60)]
                )
            });
        rest = &rest[tag.len()..];
        if tag.ends_with('"') {
            let end = rest.find('"').expect("attribute value is closed");
            let value = &rest[..end];
            assert!(
                !value.contains(['<', '>']),
                "raw markup in an attribute: {value:?}"
            );
            if *tag == "<a href=\"" {
                assert!(
                    value == "#" || value.starts_with("https://"),
                    "link to a non-https target: {value:?}"
                );
            }
            rest = &rest[end + 1..];
            assert!(rest.starts_with('>'), "attribute not followed by `>`");
        }
    }
}

#[cfg(test)]
mod tests {
    //! Replays every saved input (crashes once found, seeds worth keeping) through the
    //! target it belongs to: `fuzz/regressions/<target>/*`.

    use super::*;

    fn replay(target: &str, f: fn(&[u8])) -> usize {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("regressions")
            .join(target);
        let mut n = 0;
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for e in entries.flatten() {
                let bytes = std::fs::read(e.path()).unwrap();
                eprintln!("replaying {}", e.path().display());
                f(&bytes);
                n += 1;
            }
        }
        n
    }

    #[test]
    fn analyze_regressions() {
        assert!(replay("analyze", analyze) > 0);
    }

    #[test]
    fn format_regressions() {
        assert!(replay("format", format) > 0);
    }

    #[test]
    fn output_path_regressions() {
        assert!(replay("output_path", output_paths) > 0);
    }

    #[test]
    fn render_regressions() {
        assert!(replay("render", render_data) > 0);
    }

    #[test]
    fn hostile_text_reaches_every_example_and_stays_inert() {
        let n = examples().1.len();
        assert!(n >= 6);
        for pick in 0..n as u8 {
            let mut input = vec![pick];
            input.extend_from_slice(b"<script>x</script> {{ 7*7 }}");
            let r = render_data_output(&input).expect("free-text fields accept any text");
            assert!(r.html.contains("&lt;script&gt;"), "{}", r.html);
            assert!(r.text.contains("{{ 7*7 }}"), "{}", r.text);
            assert!(!r.html.contains("<script"));
        }
    }

    #[test]
    fn the_html_oracle_rejects_injection() {
        let ok = "<!DOCTYPE html>\n<html lang=\"en\">\n<body>\n<p>a &lt;b&gt; <a href=\"https://x\">x</a></p>\n</body>\n</html>\n";
        assert_safe_html(ok);
        for bad in [
            "<p><script>alert(1)</script></p>",
            "<p><a href=\"javascript:alert(1)\">x</a></p>",
            "<p><a href=\"http://x\">x</a></p>",
            "<p><img src=x></p>",
        ] {
            assert!(
                std::panic::catch_unwind(|| assert_safe_html(bad)).is_err(),
                "{bad} passed"
            );
        }
    }
}
