//! `tplc.toml`: project settings, rule levels, the message budget, lexicon additions
//! and schema extensions. Every problem is a `bad-config` diagnostic with the exact
//! byte span in the file; parsing never fails as a whole.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;
use toml::de::{DeTable, DeValue};
use toml::Spanned;
use tplc_diagnostics::{Diagnostic, Fix, Severity, Span, TextEdit};

use crate::data::Tree;
use crate::schema::{Field, Schema};
use crate::suggest::did_you_mean;
use crate::types::parse_type_ref;

pub const BAD_CONFIG: &str = "bad-config";

/// The level a `[rules]` entry sets for a diagnostic code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleLevel {
    Error,
    Warning,
    Info,
    Off,
}

impl RuleLevel {
    pub fn parse(s: &str) -> Option<RuleLevel> {
        Some(match s {
            "error" => RuleLevel::Error,
            "warning" | "warn" => RuleLevel::Warning,
            "info" => RuleLevel::Info,
            "off" => RuleLevel::Off,
            _ => return None,
        })
    }
    /// The severity to report at, or `None` when the code is turned off.
    pub fn severity(self) -> Option<Severity> {
        match self {
            RuleLevel::Error => Some(Severity::Error),
            RuleLevel::Warning => Some(Severity::Warning),
            RuleLevel::Info => Some(Severity::Info),
            RuleLevel::Off => None,
        }
    }
}

/// One `[rules]` line. The code is not checked here (codes belong to other stages):
/// `span` lets the caller report an unknown code at the key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleSetting {
    pub code: String,
    pub level: RuleLevel,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProjectConfig {
    /// Folders searched for `.tplc` files, relative to `tplc.toml`.
    pub templates: Vec<String>,
    /// The locale assumed for output when none fits (templates still declare their own).
    pub default_locale: Option<String>,
    pub name: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BuildConfig {
    pub out_dir: String,
    pub text: bool,
    pub html: bool,
    pub jinja: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BudgetConfig {
    /// Proactive messages one order may receive (Amazon's limit is 2).
    pub max_messages: u32,
}

/// `[schema]`: fields added to records, new records and new roots.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SchemaExtension {
    /// Record name and the fields it gains (a record not built in is created).
    pub records: Vec<(String, Vec<Field>)>,
    pub roots: Vec<Field>,
}

impl SchemaExtension {
    pub fn apply_to(&self, schema: &mut Schema) {
        for (record, fields) in &self.records {
            schema.add_record(record, "");
            for f in fields {
                schema.add_field(record, f.clone());
            }
        }
        for root in &self.roots {
            schema.add_root(root.clone());
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Config {
    pub project: ProjectConfig,
    pub build: BuildConfig,
    pub rules: Vec<RuleSetting>,
    pub budget: BudgetConfig,
    /// `[lexicon.<locale>]` `category = ["word", ...]`, kept raw for the rules stage.
    pub lexicon: BTreeMap<String, BTreeMap<String, Vec<String>>>,
    pub schema: SchemaExtension,
}

impl Default for Config {
    /// The configuration of a project without `tplc.toml`.
    fn default() -> Self {
        Config {
            project: ProjectConfig {
                templates: vec![".".into()],
                default_locale: None,
                name: None,
            },
            build: BuildConfig {
                out_dir: "out".into(),
                text: true,
                html: true,
                jinja: true,
            },
            rules: Vec::new(),
            budget: BudgetConfig { max_messages: 2 },
            lexicon: BTreeMap::new(),
            schema: SchemaExtension::default(),
        }
    }
}

const TOP_KEYS: &[&str] = &["project", "build", "rules", "budget", "lexicon", "schema"];
const PROJECT_KEYS: &[&str] = &["name", "templates", "default-locale"];
const BUILD_KEYS: &[&str] = &["out-dir", "text", "html", "jinja"];
const BUDGET_KEYS: &[&str] = &["max-messages"];
const SCHEMA_KEYS: &[&str] = &["records", "roots"];
const FIELD_KEYS: &[&str] = &["type", "description", "example", "fallback"];

type Val<'i> = Spanned<DeValue<'i>>;

/// `[build] out-dir` is set by whoever can change the project (a pull request), and the
/// build replaces that folder: it must be a plain relative path to a folder inside the
/// project, never the project itself (docs/security.md).
fn check_out_dir(dir: &str) -> Result<(), String> {
    let why = if dir.trim().is_empty() {
        "is empty, which names the project folder itself"
    } else if dir.starts_with('/') || dir.starts_with('\\') || dir.get(1..2) == Some(":") {
        "is an absolute path"
    } else if dir.contains('\\') {
        "uses `\\`; separate folders with `/`"
    } else if dir.chars().any(char::is_control) {
        "contains a control character"
    } else if dir.split('/').any(|part| part == "..") {
        "climbs out of the project with `..`"
    } else if dir.split('/').all(|part| part.is_empty() || part == ".") {
        "names the project folder itself"
    } else {
        return Ok(());
    };
    Err(format!(
        "`[build] out-dir` ({dir:?}) {why}: the output folder must be a folder inside the project, such as \"dist\", because every build replaces it"
    ))
}

fn span_of<T>(s: &Spanned<T>) -> Span {
    Span::from(s.span())
}

struct Cx {
    diags: Vec<Diagnostic>,
}

impl Cx {
    fn error(&mut self, span: Span, message: impl Into<String>) {
        self.diags
            .push(Diagnostic::error(BAD_CONFIG, span, message));
    }

    fn table<'a, 'i>(&mut self, v: &'a Val<'i>, what: &str) -> Option<&'a DeTable<'i>> {
        match v.get_ref() {
            DeValue::Table(t) => Some(t),
            other => {
                self.error(
                    span_of(v),
                    format!("`{what}` must be a table, not a {}", other.type_str()),
                );
                None
            }
        }
    }

    /// Warn about keys outside `allowed`, suggesting the closest one.
    fn unknown_keys(&mut self, t: &DeTable<'_>, allowed: &[&str], section: &str) {
        for (k, _) in t.iter() {
            let key: &str = k.get_ref();
            if allowed.contains(&key) {
                continue;
            }
            let span = span_of(k);
            let mut d = Diagnostic::warning(
                BAD_CONFIG,
                span,
                format!(
                    "unknown key `{key}` in {section}; it is ignored. Known keys: {}",
                    allowed.join(", ")
                ),
            );
            if let Some(s) = did_you_mean(key, allowed.iter().copied()) {
                d.message = format!("unknown key `{key}` in {section}; did you mean `{s}`?");
                d = d.with_fix(Fix::safe(
                    format!("Rename to `{s}`"),
                    vec![TextEdit::replace(span, s)],
                ));
            }
            self.diags.push(d);
        }
    }

    fn string(&mut self, v: &Val<'_>, what: &str) -> Option<String> {
        match v.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            other => {
                self.error(
                    span_of(v),
                    format!("`{what}` must be a string, not a {}", other.type_str()),
                );
                None
            }
        }
    }

    fn boolean(&mut self, v: &Val<'_>, what: &str) -> Option<bool> {
        match v.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            other => {
                self.error(
                    span_of(v),
                    format!("`{what}` must be true or false, not a {}", other.type_str()),
                );
                None
            }
        }
    }

    fn strings(&mut self, v: &Val<'_>, what: &str) -> Option<Vec<String>> {
        match v.get_ref() {
            DeValue::String(s) => Some(vec![s.to_string()]),
            DeValue::Array(items) => {
                let mut out = Vec::new();
                for item in items.iter() {
                    out.push(self.string(item, &format!("each entry of `{what}`"))?);
                }
                Some(out)
            }
            other => {
                self.error(
                    span_of(v),
                    format!(
                        "`{what}` must be a list of strings, not a {}",
                        other.type_str()
                    ),
                );
                None
            }
        }
    }
}

/// Convert a TOML value (an `example`) to JSON.
fn to_json(v: &DeValue<'_>) -> Value {
    match v {
        DeValue::String(s) => Value::String(s.to_string()),
        DeValue::Integer(i) => i64::from_str_radix(&i.as_str().replace('_', ""), i.radix())
            .map_or(Value::Null, Value::from),
        DeValue::Float(f) => f
            .as_str()
            .replace('_', "")
            .parse::<f64>()
            .map_or(Value::Null, Value::from),
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(d) => Value::String(d.to_string()),
        DeValue::Array(a) => Value::Array(a.iter().map(|x| to_json(x.get_ref())).collect()),
        DeValue::Table(t) => Value::Object(
            t.iter()
                .map(|(k, x)| (k.get_ref().to_string(), to_json(x.get_ref())))
                .collect(),
        ),
    }
}

/// A schema field before its type is resolved (records may be declared later in the file).
struct RawField {
    name: String,
    ty: Option<(String, Span)>,
    description: String,
    example: Option<(Value, Span)>,
    fallback: Option<String>,
}

impl Config {
    /// Parse `tplc.toml`. Always returns a usable config (defaults where a value is
    /// wrong) plus the problems found.
    pub fn parse(text: &str) -> (Config, Vec<Diagnostic>) {
        let mut config = Config::default();
        let mut cx = Cx { diags: Vec::new() };
        let (doc, errors) = DeTable::parse_recoverable(text);
        for e in errors {
            let span = e.span().map(Span::from).unwrap_or_else(|| Span::empty(0));
            let span = Span::new(span.start.min(text.len()), span.end.min(text.len()));
            cx.error(
                span,
                format!(
                    "invalid TOML: {}; fix the syntax of this line",
                    e.message().trim_end_matches('.')
                ),
            );
        }
        let doc = doc.get_ref();
        cx.unknown_keys(doc, TOP_KEYS, "tplc.toml");
        if let Some(t) = doc.get("project").and_then(|v| cx.table(v, "project")) {
            cx.unknown_keys(t, PROJECT_KEYS, "[project]");
            if let Some(v) = t.get("name") {
                config.project.name = cx.string(v, "project.name");
            }
            if let Some(v) = t
                .get("templates")
                .and_then(|v| cx.strings(v, "project.templates"))
            {
                config.project.templates = v;
            }
            if let Some(v) = t.get("default-locale") {
                config.project.default_locale = cx.string(v, "project.default-locale");
                if let Some(l) = &config.project.default_locale {
                    if let Err(m) = crate::locale::check_locale(l) {
                        cx.error(span_of(v), m);
                    }
                }
            }
        }
        if let Some(t) = doc.get("build").and_then(|v| cx.table(v, "build")) {
            cx.unknown_keys(t, BUILD_KEYS, "[build]");
            if let Some(v) = t.get("out-dir") {
                if let Some(s) = cx.string(v, "build.out-dir") {
                    match check_out_dir(&s) {
                        Ok(()) => config.build.out_dir = s,
                        Err(m) => cx.error(span_of(v), m),
                    }
                }
            }
            for (key, slot) in [
                ("text", &mut config.build.text),
                ("html", &mut config.build.html),
                ("jinja", &mut config.build.jinja),
            ] {
                if let Some(b) = t
                    .get(key)
                    .and_then(|v| cx.boolean(v, &format!("build.{key}")))
                {
                    *slot = b;
                }
            }
        }
        if let Some(t) = doc.get("rules").and_then(|v| cx.table(v, "rules")) {
            for (k, v) in t.iter() {
                let Some(level) = cx.string(v, &format!("rules.{}", k.get_ref())) else {
                    continue;
                };
                match RuleLevel::parse(&level) {
                    Some(level) => config.rules.push(RuleSetting {
                        code: k.get_ref().to_string(),
                        level,
                        span: span_of(k),
                    }),
                    None => {
                        let mut d = Diagnostic::error(
                            BAD_CONFIG,
                            span_of(v),
                            format!("unknown level `{level}`; use \"error\", \"warning\", \"info\" or \"off\""),
                        );
                        if let Some(s) = did_you_mean(&level, ["error", "warning", "info", "off"]) {
                            d = d.with_fix(Fix::safe(
                                format!("Use `{s}`"),
                                vec![TextEdit::replace(span_of(v), format!("\"{s}\""))],
                            ));
                        }
                        cx.diags.push(d);
                    }
                }
            }
        }
        if let Some(t) = doc.get("budget").and_then(|v| cx.table(v, "budget")) {
            cx.unknown_keys(t, BUDGET_KEYS, "[budget]");
            if let Some(v) = t.get("max-messages") {
                let n = v.get_ref().as_integer().and_then(|i| {
                    i64::from_str_radix(&i.as_str().replace('_', ""), i.radix()).ok()
                });
                match n {
                    Some(n @ 0..=100) => config.budget.max_messages = n as u32,
                    _ => cx.error(span_of(v), "`budget.max-messages` must be a whole number from 0 to 100 (Amazon allows 2)"),
                }
            }
        }
        if let Some(t) = doc.get("lexicon").and_then(|v| cx.table(v, "lexicon")) {
            for (locale, v) in t.iter() {
                if let Err(m) = crate::locale::check_locale(locale.get_ref()) {
                    cx.error(span_of(locale), m);
                }
                let Some(cats) = cx.table(v, &format!("lexicon.{}", locale.get_ref())) else {
                    continue;
                };
                let entry = config
                    .lexicon
                    .entry(locale.get_ref().to_string())
                    .or_default();
                for (cat, words) in cats.iter() {
                    if let Some(words) = cx.strings(
                        words,
                        &format!("lexicon.{}.{}", locale.get_ref(), cat.get_ref()),
                    ) {
                        entry
                            .entry(cat.get_ref().to_string())
                            .or_default()
                            .extend(words);
                    }
                }
            }
        }
        if let Some(t) = doc.get("schema").and_then(|v| cx.table(v, "schema")) {
            cx.unknown_keys(t, SCHEMA_KEYS, "[schema]");
            config.schema = parse_schema(t, &mut cx);
        }
        (config, cx.diags)
    }

    /// The level `[rules]` sets for a code, if any (the last line wins).
    pub fn rule_level(&self, code: &str) -> Option<RuleLevel> {
        self.rules
            .iter()
            .rev()
            .find(|r| r.code == code)
            .map(|r| r.level)
    }
}

fn parse_fields(t: &DeTable<'_>, owner: &str, cx: &mut Cx) -> Vec<RawField> {
    let mut out = Vec::new();
    for (name, v) in t.iter() {
        let name_str = name.get_ref().to_string();
        let what = format!("{owner}.{name_str}");
        let ident = name_str.starts_with(|c: char| c.is_ascii_alphabetic())
            && name_str
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !ident {
            cx.error(span_of(name), format!("`{name_str}` cannot be a name in templates; use letters, digits and `_`, starting with a letter"));
            continue;
        }
        let mut field = RawField {
            name: name_str,
            ty: None,
            description: String::new(),
            example: None,
            fallback: None,
        };
        match v.get_ref() {
            DeValue::String(s) => field.ty = Some((s.to_string(), span_of(v))),
            DeValue::Table(ft) => {
                cx.unknown_keys(ft, FIELD_KEYS, &what);
                match ft.get("type") {
                    Some(ty) => {
                        field.ty = cx
                            .string(ty, &format!("{what}.type"))
                            .map(|s| (s, span_of(ty)))
                    }
                    None => cx.error(
                        span_of(v),
                        format!("`{what}` needs a `type`, e.g. {{ type = \"text\" }}"),
                    ),
                }
                if let Some(d) = ft.get("description") {
                    field.description = cx
                        .string(d, &format!("{what}.description"))
                        .unwrap_or_default();
                }
                if let Some(e) = ft.get("example") {
                    field.example = Some((to_json(e.get_ref()), span_of(e)));
                }
                if let Some(f) = ft.get("fallback") {
                    field.fallback = cx.string(f, &format!("{what}.fallback"));
                }
            }
            other => cx.error(
                span_of(v),
                format!(
                    "`{what}` must be a type (\"text?\") or a table with `type`, not a {}",
                    other.type_str()
                ),
            ),
        }
        if field.ty.is_some() {
            out.push(field);
        }
    }
    out
}

fn parse_schema(t: &DeTable<'_>, cx: &mut Cx) -> SchemaExtension {
    let mut raw_records: Vec<(String, Vec<RawField>)> = Vec::new();
    if let Some(records) = t.get("records").and_then(|v| cx.table(v, "schema.records")) {
        for (name, v) in records.iter() {
            if crate::types::Type::scalar_from_name(name.get_ref()).is_some() {
                cx.error(
                    span_of(name),
                    format!(
                        "`{}` is a built-in type; give the record another name",
                        name.get_ref()
                    ),
                );
                continue;
            }
            let owner = format!("schema.records.{}", name.get_ref());
            if let Some(ft) = cx.table(v, &owner) {
                raw_records.push((name.get_ref().to_string(), parse_fields(ft, &owner, cx)));
            }
        }
    }
    let raw_roots = match t.get("roots").and_then(|v| cx.table(v, "schema.roots")) {
        Some(rt) => parse_fields(rt, "schema.roots", cx),
        None => Vec::new(),
    };
    // Resolve types against built-in and declared records, then check examples
    // against the finished schema.
    let mut schema = Schema::builtin();
    for (r, _) in &raw_records {
        schema.add_record(r, "");
    }
    let mut ext = SchemaExtension::default();
    let mut examples = Vec::new();
    let mut resolve = |f: RawField, cx: &mut Cx| -> Option<Field> {
        let (text, span) = f.ty?;
        let ty = match parse_type_ref(&text).map(|r| schema.resolve_type(&r)) {
            Some(Ok(t)) => t,
            Some(Err(e)) => {
                let mut d = Diagnostic::error(BAD_CONFIG, span, e.message.clone());
                if let Some(s) = &e.suggestion {
                    let fixed = text.replace(&e.name, s);
                    d = d.with_fix(Fix::safe(
                        format!("Use `{fixed}`"),
                        vec![TextEdit::replace(span, format!("\"{fixed}\""))],
                    ));
                }
                cx.diags.push(d);
                return None;
            }
            None => {
                cx.error(
                    span,
                    format!(
                        "`{text}` is not a type; write e.g. \"text\", \"money?\" or \"list<item>\""
                    ),
                );
                return None;
            }
        };
        let example = f.example.map(|(v, s)| {
            examples.push((v.clone(), ty.clone(), s));
            v
        });
        Some(Field {
            name: f.name,
            ty,
            description: f.description,
            example,
            fallback: f.fallback,
        })
    };
    for (record, fields) in raw_records {
        let fields = fields.into_iter().filter_map(|f| resolve(f, cx)).collect();
        ext.records.push((record, fields));
    }
    for f in raw_roots {
        if let Some(f) = resolve(f, cx) {
            ext.roots.push(f);
        }
    }
    let mut full = Schema::builtin();
    ext.apply_to(&mut full);
    for (value, ty, span) in examples {
        let mut errors = Vec::new();
        full.check_value(&value, &ty, &Tree::empty(), "example", &mut errors);
        if let Some(e) = errors.first() {
            cx.error(
                span,
                format!("this example is not a valid `{ty}`: {}", e.message),
            );
        }
    }
    ext
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Type;

    #[test]
    fn empty_file_is_the_default() {
        let (c, d) = Config::parse("");
        assert!(d.is_empty());
        assert_eq!(c, Config::default());
        assert_eq!(c.budget.max_messages, 2);
    }

    #[test]
    fn out_dir_must_be_a_folder_inside_the_project() {
        for bad in [
            "",
            " ",
            ".",
            "./",
            "..",
            "../victim",
            "a/../../victim",
            "/tmp/x",
            "\\\\host\\x",
            "C:/x",
            "out\\..\\..",
        ] {
            let text = format!("[build]\nout-dir = {bad:?}\n");
            let (c, d) = Config::parse(&text);
            assert_eq!(d.len(), 1, "{bad:?} accepted");
            assert_eq!(d[0].code, BAD_CONFIG);
            assert_eq!(&text[d[0].span.start..d[0].span.end], format!("{bad:?}"));
            assert_eq!(c.build.out_dir, Config::default().build.out_dir);
        }
        let (_, d) = Config::parse("[build]\nout-dir = \"out\\u001b\"\n");
        assert_eq!(d.len(), 1, "a control character was accepted");
        for good in ["dist", "build/out", "./dist", "out.d", "..x"] {
            let (c, d) = Config::parse(&format!("[build]\nout-dir = {good:?}\n"));
            assert!(d.is_empty(), "{good:?}: {d:?}");
            assert_eq!(c.build.out_dir, good);
        }
    }

    #[test]
    fn full_example_parses() {
        // The full example of docs/configuration.md, so the docs cannot drift.
        let docs = include_str!("../../../docs/configuration.md");
        let start = docs.find("```toml\n").expect("a toml block") + 8;
        let text = &docs[start..start + docs[start..].find("```").unwrap()];
        let (c, d) = Config::parse(text);
        assert!(d.is_empty(), "{d:#?}");
        assert_eq!(c.project.templates, ["messages", "partials"]);
        assert_eq!(c.project.default_locale.as_deref(), Some("en-US"));
        assert!(!c.build.jinja);
        assert_eq!(c.build.out_dir, "dist");
        assert_eq!(c.rule_level("sentiment-word"), Some(RuleLevel::Warning));
        assert_eq!(c.rule_level("external-link"), Some(RuleLevel::Off));
        assert_eq!(c.budget.max_messages, 1);
        assert_eq!(c.lexicon["de"]["sentiment"], ["toll", "zufrieden"]);
        let s = Schema::from_config(&c);
        assert_eq!(
            s.lookup("order.gift_message").unwrap().ty,
            Type::Text.optional()
        );
        assert_eq!(
            s.lookup("order.items.sku").unwrap().description,
            "Your internal stock code."
        );
        assert_eq!(s.lookup("store.support_url").unwrap().ty, Type::Url);
        assert_eq!(s.lookup("store.hours").unwrap().ty, Type::list(Type::Text));
        assert_eq!(
            s.lookup("warranty.expires").unwrap().example,
            Some(serde_json::json!("2026-05-08"))
        );
    }

    fn one(text: &str) -> Diagnostic {
        let (_, d) = Config::parse(text);
        assert_eq!(d.len(), 1, "{d:#?}");
        d.into_iter().next().unwrap()
    }

    #[test]
    fn unknown_keys_warn_with_fix() {
        let text = "[build]\nout_dir = \"x\"\n";
        let d = one(text);
        assert_eq!(d.severity, Severity::Warning);
        assert_eq!(&text[d.span.start..d.span.end], "out_dir");
        assert!(d.message.contains("did you mean `out-dir`"));
        assert_eq!(d.fixes[0].apply(text), "[build]\nout-dir = \"x\"\n");
        let d = one("[budjet]\nmax-messages = 1\n");
        assert!(d.message.contains("`budget`"));
    }

    #[test]
    fn wrong_values_are_errors_at_the_value() {
        let text = "[build]\nhtml = \"yes\"\n";
        let d = one(text);
        assert_eq!(d.severity, Severity::Error);
        assert_eq!(&text[d.span.start..d.span.end], "\"yes\"");
        let text = "[rules]\nsentiment-word = \"eror\"\n";
        assert_eq!(
            one(text).fixes[0].apply(text),
            "[rules]\nsentiment-word = \"error\"\n"
        );
        let text = "[budget]\nmax-messages = -1\n";
        assert_eq!(&text[one(text).span.start..one(text).span.end], "-1");
        let text = "[project]\ndefault-locale = \"en_US\"\n";
        assert!(one(text).message.contains("en-US"));
    }

    #[test]
    fn schema_errors() {
        let text = "[schema.records.order]\ngift = \"txet?\"\n";
        let d = one(text);
        assert_eq!(&text[d.span.start..d.span.end], "\"txet?\"");
        assert_eq!(
            d.fixes[0].apply(text),
            "[schema.records.order]\ngift = \"text?\"\n"
        );
        let text = "[schema.roots]\nshop = { type = \"url\", example = \"http://x.com\" }\n";
        let d = one(text);
        assert_eq!(&text[d.span.start..d.span.end], "\"http://x.com\"");
        assert!(d.message.contains("https"), "{}", d.message);
        let d = one("[schema.roots]\nshop = { description = \"x\" }\n");
        assert!(d.message.contains("needs a `type`"));
    }

    #[test]
    fn syntax_errors_keep_spans_and_never_panic() {
        let text = "[build\nhtml = true\n";
        let (_, d) = Config::parse(text);
        assert!(!d.is_empty());
        assert!(d
            .iter()
            .all(|d| d.code == BAD_CONFIG && d.span.end <= text.len()));
        for text in [
            "=",
            "[[a]]\n[[a]]",
            "a = [1, \"x\"]",
            "lexicon = 3",
            "[schema]\nroots = 1",
            "é = \"\u{0}\"",
        ] {
            let _ = Config::parse(text);
        }
    }
}

#[cfg(test)]
mod soup {
    use super::*;

    /// Fixed-seed token soup: parsing never panics and spans stay inside the text.
    #[test]
    fn token_soup_never_panics() {
        const TOKENS: &[&str] = &[
            "[",
            "]",
            "[[",
            "]]",
            "schema",
            ".",
            "records",
            "roots",
            "order",
            " = ",
            "\"",
            "text?",
            "list<",
            ">",
            "{ ",
            " }",
            "type",
            "example",
            ",",
            "\n",
            "rules",
            "budget",
            "max-messages",
            "-1",
            "1",
            "true",
            "lexicon",
            "de",
            "[\"a\"]",
            "é",
            "#",
            "'",
            "1979-05-27",
            "build",
            "html",
        ];
        let mut seed: u64 = 7;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize
        };
        for _ in 0..2000 {
            let len = next() % 25;
            let text: String = (0..len).map(|_| TOKENS[next() % TOKENS.len()]).collect();
            let (_, diags) = Config::parse(&text);
            for d in diags {
                assert!(
                    d.span.start <= d.span.end && d.span.end <= text.len(),
                    "{text:?}: {d:?}"
                );
            }
        }
    }
}
