//! Checked templates → deployable artifacts: a Jinja `.txt` and `.html` pair per template
//! (rendered alike by minijinja and Python's Jinja2, needing no custom filters), a
//! manifest entry with the JSON Schema of the data, and rendering through minijinja.

mod expr;
mod flatten;
mod locale;
mod markup;

pub use flatten::Includes;

use flatten::Flattener;
use markup::Mode;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tplc_project::{Analysis, FileAnalysis};
use tplc_schema::Schema;
use tplc_syntax::{Node, Template};

/// One compiled template.
#[derive(Clone, Debug, PartialEq)]
pub struct Compiled {
    /// Jinja source of the plain-text message.
    pub text: String,
    /// Jinja source of the HTML message (a complete document).
    pub html: String,
    /// Jinja source of the subject line, when the header has one.
    pub subject: Option<String>,
    pub kind: Option<String>,
    pub locale: Option<String>,
    pub id: Option<String>,
    pub send: Option<String>,
    /// JSON Schema of the data the template reads.
    pub data_schema: Value,
}

/// Includes resolved against a finished analysis (the engine already reported the
/// missing ones and cycles).
pub struct AnalysisIncludes<'a> {
    pub analysis: &'a Analysis,
    pub root: &'a Path,
}

impl Includes for AnalysisIncludes<'_> {
    fn get(&self, from: &Path, name: &str) -> Option<(Arc<Template>, Arc<str>, PathBuf)> {
        let candidates = tplc_project::include_candidates(self.root, from, name).ok()?;
        candidates.iter().find_map(|c| {
            self.analysis
                .files
                .get(c)
                .map(|f| (f.template(), f.source.clone(), f.path.clone()))
        })
    }
    fn usage(&self, partial: &Path) -> Option<tplc_schema::DataUsage> {
        self.analysis
            .files
            .get(partial)
            .map(|f| f.facts.usage.clone())
    }
}

/// The data a template reads, its partials' (transitively) included.
pub fn data_usage(file: &FileAnalysis, includes: &dyn Includes) -> tplc_schema::DataUsage {
    usage_with(file, file.template(), includes)
}

/// [`data_usage`] with the file's tree at hand (a batch analysis keeps none).
fn usage_with(
    file: &FileAnalysis,
    template: Arc<Template>,
    includes: &dyn Includes,
) -> tplc_schema::DataUsage {
    let mut usage = file.facts.usage.clone();
    let mut queue: Vec<(Arc<Template>, PathBuf, usize)> = vec![(template, file.path.clone(), 0)];
    let mut seen: Vec<PathBuf> = Vec::new();
    while let Some((t, path, depth)) = queue.pop() {
        if depth > 16 {
            continue;
        }
        let mut names = Vec::new();
        tplc_syntax::walk(&t.body, &mut |n| {
            if let Node::Include(i) = n {
                names.push(i.name.node.clone());
            }
        });
        for name in names {
            if let Some((pt, _, ppath)) = includes.get(&path, &name) {
                if seen.contains(&ppath) {
                    continue;
                }
                if let Some(u) = includes.usage(&ppath) {
                    usage.merge(&u);
                }
                seen.push(ppath.clone());
                queue.push((pt, ppath, depth + 1));
            }
        }
    }
    usage
}

/// Compile one analysed template. Call only for files without error diagnostics.
pub fn compile(file: &FileAnalysis, schema: &Schema, includes: &dyn Includes) -> Compiled {
    let template = file.template();
    let header = template.header.as_ref();
    let locale = header
        .and_then(|h| h.locale.as_ref())
        .map(|l| l.node.clone());
    let lang = locale::language(locale.as_deref().unwrap_or("en"));
    let body_lines = || {
        let mut f = Flattener::new(expr::ExprCx { lang }, includes);
        f.nodes(&template.body, &file.source, &file.path, 0);
        f.finish()
    };
    let lines = body_lines();
    let text_body = markup::render(&lines, Mode::Text);
    let html_body = markup::render(&lines, Mode::Html);
    let subject = header
        .and_then(|h| h.subject.as_ref())
        .map(|s| inline_nodes(&s.nodes, file, lang, includes, Mode::Text));
    let title = header
        .and_then(|h| h.subject.as_ref())
        .map(|s| inline_nodes(&s.nodes, file, lang, includes, Mode::Html))
        .unwrap_or_default();
    let html_lang = locale.clone().unwrap_or_else(|| "en".into());
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n</head>\n<body>\n{}</body>\n</html>\n",
        attr_escape(&html_lang),
        title,
        html_body
    );
    // `filter trim` drops the blank lines an omitted first or last paragraph would leave.
    let text = format!("{{% filter trim %}}{text_body}{{% endfilter %}}");
    let data_schema = schema.json_schema(&usage_with(file, template.clone(), includes));
    Compiled {
        text,
        html,
        subject,
        kind: header.and_then(|h| h.kind.as_ref()).map(|k| k.node.clone()),
        locale,
        id: header
            .and_then(|h| h.id.as_ref())
            .map(|i| i.node.clone())
            .or_else(|| {
                file.path
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .map(str::to_string)
            }),
        send: header
            .and_then(|h| h.send.as_ref())
            .map(|s| format!("{}h after {}", s.node.hours, s.node.anchor.as_str())),
        data_schema,
    }
}

fn inline_nodes(
    nodes: &[Node],
    file: &FileAnalysis,
    lang: &str,
    includes: &dyn Includes,
    mode: Mode,
) -> String {
    let mut f = Flattener::new(expr::ExprCx { lang }, includes);
    f.nodes(nodes, &file.source, &file.path, 0);
    let lines = f.finish();
    lines
        .iter()
        .map(|l| markup::inline(l, mode))
        .collect::<Vec<_>>()
        .join(" ")
}

fn attr_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&#34;")
        .replace('<', "&lt;")
}

/// The manifest entry of one compiled template.
pub fn manifest_entry(rel_path: &str, c: &Compiled) -> Value {
    json!({
        "template": rel_path,
        "id": c.id,
        "kind": c.kind,
        "locale": c.locale,
        "subject": c.subject,
        "send": c.send,
        "text": format!("{}.txt", artifact_stem(rel_path)),
        "html": format!("{}.html", artifact_stem(rel_path)),
        "data_schema": c.data_schema,
    })
}

/// One manifest entry as it appears in `manifest.json` (pretty-printed, indented for its
/// place in the `templates` list), for [`manifest_text`].
pub fn manifest_entry_text(entry: &Value) -> String {
    let pretty = serde_json::to_string_pretty(entry).unwrap_or_default();
    let mut out = String::with_capacity(pretty.len() + pretty.len() / 8);
    for (i, line) in pretty.lines().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str("    ");
        out.push_str(line);
    }
    out
}

/// Writes `manifest.json` one entry at a time, in order: the same text as pretty-printing
/// the whole manifest as one JSON value, without holding the entries (a catalogue's
/// manifest is tens of megabytes of text, several times that as JSON trees).
pub struct ManifestWriter<W: std::io::Write> {
    out: W,
    entries: usize,
}

impl<W: std::io::Write> ManifestWriter<W> {
    pub fn new(mut out: W) -> std::io::Result<Self> {
        out.write_all(b"{\n  \"templates\": [")?;
        Ok(ManifestWriter { out, entries: 0 })
    }

    /// Add one entry, as given by [`manifest_entry_text`].
    pub fn entry(&mut self, text: &str) -> std::io::Result<()> {
        self.out
            .write_all(if self.entries == 0 { b"\n" } else { b",\n" })?;
        self.out.write_all(text.as_bytes())?;
        self.entries += 1;
        Ok(())
    }

    /// Close the list, add the version, and hand back the writer.
    pub fn finish(mut self, version: &str) -> std::io::Result<W> {
        if self.entries > 0 {
            self.out.write_all(b"\n  ")?;
        }
        write!(self.out, "],\n  \"tplc\": {}\n}}\n", Value::from(version))?;
        Ok(self.out)
    }
}

/// `reviews/ask.tplc` → `reviews/ask`.
pub fn artifact_stem(rel_path: &str) -> String {
    rel_path
        .strip_suffix(".tplc")
        .unwrap_or(rel_path)
        .to_string()
}

/// A render failure, in words.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderError(pub String);

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Render compiled Jinja source with JSON data through minijinja, strict about undefined
/// values. Data is expected to be validated against the template's schema first.
pub fn render_jinja(source: &str, data: &Value) -> Result<String, RenderError> {
    let mut env = minijinja::Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    // The artifacts escape explicitly; auto-escaping stays off so the text artifact and
    // the HTML one go through the same engine settings.
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    env.add_template_owned("message", source.to_string())
        .map_err(|e| RenderError(format!("compiled template is invalid: {e}")))?;
    let tmpl = env
        .get_template("message")
        .map_err(|e| RenderError(e.to_string()))?;
    let value = minijinja::Value::from(minijinja::value::Serde(data));
    tmpl.render(value).map_err(|e| RenderError(describe(&e)))
}

fn describe(e: &minijinja::Error) -> String {
    let mut msg = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        src = s.source();
    }
    msg
}

/// Optional values absent from the data become `null`, so `{% if %}` and `default` see
/// them the same way in both engines.
pub fn fill_optionals(schema: &Value, data: &mut Value) {
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    let Some(obj) = data.as_object_mut() else {
        return;
    };
    for (k, sub) in props {
        match obj.get_mut(k) {
            None => {
                obj.insert(k.clone(), Value::Null);
            }
            Some(v) => {
                if let Some(items) = sub.get("items") {
                    if let Some(arr) = v.as_array_mut() {
                        for el in arr {
                            fill_optionals(items, el);
                        }
                    }
                } else {
                    fill_optionals(sub, v);
                }
            }
        }
    }
    // Nested schemas may hide under anyOf (optional records).
    if let Some(any) = schema.get("anyOf").and_then(Value::as_array) {
        for s in any {
            fill_optionals(s, data);
        }
    }
}

/// A rendered message.
#[derive(Clone, Debug, PartialEq)]
pub struct Rendered {
    pub subject: Option<String>,
    pub text: String,
    pub html: String,
}

pub fn render(c: &Compiled, data: &Value) -> Result<Rendered, RenderError> {
    let mut data = data.clone();
    fill_optionals(&c.data_schema, &mut data);
    Ok(Rendered {
        subject: c
            .subject
            .as_deref()
            .map(|s| render_jinja(s, &data))
            .transpose()?,
        text: render_jinja(&c.text, &data)?,
        html: render_jinja(&c.html, &data)?,
    })
}

/// What the editor's "Preview message" shows.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Preview {
    pub subject: Option<String>,
    pub text: String,
    pub html: String,
}

/// Render an analysed template with the schema's example values.
pub fn preview(
    file: &FileAnalysis,
    schema: &Schema,
    includes: &dyn Includes,
) -> Result<Preview, String> {
    if file.has_errors() {
        return Err("the template has errors; fix them to see a preview".into());
    }
    let c = compile(file, schema, includes);
    let params = tplc_check::param_types(&file.facts);
    let data = schema.sample_data(&params);
    let r = render(&c, &data).map_err(|e| e.0)?;
    Ok(Preview {
        subject: r.subject,
        text: r.text,
        html: r.html,
    })
}

#[cfg(test)]
mod manifest_tests {
    use super::*;

    /// The streamed manifest is the text of the manifest pretty-printed as one value.
    #[test]
    fn manifest_text_equals_the_whole_value_pretty_printed() {
        let entry = |i: usize| {
            json!({
                "template": format!("reviews/ask-{i}.tplc"),
                "id": "ask",
                "kind": "review_request",
                "locale": null,
                "subject": "Your order {{ order.id }}\n\"quoted\" \u{e9}",
                "data_schema": {"type": "object", "properties": {"order": {"type": "object", "required": ["id"]}}, "empty": {}, "list": []},
            })
        };
        for n in [0, 1, 3] {
            let entries: Vec<Value> = (0..n).map(entry).collect();
            let whole =
                serde_json::to_string_pretty(&json!({ "tplc": "1.2.3", "templates": entries }))
                    .unwrap()
                    + "\n";
            let mut w = ManifestWriter::new(Vec::new()).unwrap();
            for e in &entries {
                w.entry(&manifest_entry_text(e)).unwrap();
            }
            let streamed = w.finish("1.2.3").unwrap();
            assert_eq!(String::from_utf8(streamed).unwrap(), whole, "{n} entries");
        }
    }
}
