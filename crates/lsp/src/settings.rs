//! Settings an editor sends (`initializationOptions`, `workspace/didChangeConfiguration`,
//! answers to `workspace/configuration`), laid under the project's `tplc.toml`.
//!
//! They are shaped like `tplc.toml` (`rules`, `project.default-locale`,
//! `budget.max-messages`) and go through the same configuration model the command line
//! uses: the server writes them into the `tplc.toml` text it hands the workspace, but
//! only where the project's file leaves a key unset. So the project's file always wins
//! and the editor never disagrees with `tplc check` in CI on anything the project
//! decided; editor settings fill in the rest for one person's editor.

use serde_json::Value;
use tplc_schema::config::RuleLevel;

/// The editor's layer: `tplc.toml` keys (only valid ones) and the server's own settings.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EditorSettings {
    /// `[rules]` levels by code.
    pub rules: Vec<(String, RuleLevel)>,
    /// `[project] default-locale`.
    pub default_locale: Option<String>,
    /// `[budget] max-messages`.
    pub max_messages: Option<u32>,
    /// Quiet time before re-checking (editor only).
    pub debounce_ms: Option<u64>,
}

/// The `tplc` section of a settings object: `{"tplc": {...}}` (didChangeConfiguration)
/// or the section itself (initializationOptions, workspace/configuration).
fn section(v: &Value) -> Option<&serde_json::Map<String, Value>> {
    let v = match v.get("tplc") {
        Some(inner) if inner.is_object() => inner,
        _ => v,
    };
    v.as_object()
}

/// The keys of the section.
const KEYS: &[&str] = &["rules", "project", "budget", "debounceMs"];

/// Whether `v` carries tplc settings: a `tplc` object (empty: every setting cleared) or
/// an object with one of its keys. Anything else (`null`, `{}`, other tools' settings)
/// asks the server to pull them with `workspace/configuration` instead.
pub fn has_section(v: &Value) -> bool {
    v.get("tplc").is_some_and(Value::is_object) || KEYS.iter().any(|k| v.get(k).is_some())
}

/// Read the settings; every entry that cannot be used is left out and explained in the
/// returned problems.
pub fn parse(v: &Value) -> (EditorSettings, Vec<String>) {
    let mut out = EditorSettings::default();
    let mut problems = Vec::new();
    let Some(m) = section(v) else {
        return (out, problems);
    };
    match m.get("rules") {
        None | Some(Value::Null) => {}
        Some(Value::Object(rules)) => {
            for (code, level) in rules {
                let parsed = level.as_str().and_then(RuleLevel::parse);
                match parsed {
                    _ if tplc_project::code_info(code).is_none() => problems.push(format!(
                        "`rules.{code}`: no diagnostic has this code (`tplc explain --list` lists them); ignored"
                    )),
                    Some(l) => out.rules.push((code.clone(), l)),
                    None => problems.push(format!(
                        "`rules.{code}`: use \"error\", \"warning\", \"info\" or \"off\", not {level}; ignored"
                    )),
                }
            }
        }
        Some(other) => problems.push(format!(
            "`rules` must be an object of code = level, not {other}; ignored"
        )),
    }
    match m.get("project").and_then(|p| p.get("default-locale")) {
        None | Some(Value::Null) => {}
        Some(Value::String(l)) => match tplc_schema::check_locale(l) {
            Ok(()) => out.default_locale = Some(l.clone()),
            Err(e) => problems.push(format!("`project.default-locale`: {e}; ignored")),
        },
        Some(other) => problems.push(format!(
            "`project.default-locale` must be a locale such as \"en-US\", not {other}; ignored"
        )),
    }
    match m.get("budget").and_then(|b| b.get("max-messages")) {
        None | Some(Value::Null) => {}
        Some(n) => match n.as_u64().filter(|n| *n <= 100) {
            Some(n) => out.max_messages = Some(n as u32),
            None => problems.push(format!(
                "`budget.max-messages` must be a whole number from 0 to 100 (Amazon allows 2), not {n}; ignored"
            )),
        },
    }
    match m.get("debounceMs") {
        None | Some(Value::Null) => {}
        Some(n) => match n.as_u64() {
            Some(ms) => out.debounce_ms = Some(ms.min(10_000)),
            None => problems.push(format!(
                "`debounceMs` must be a whole number of milliseconds, not {n}; ignored"
            )),
        },
    }
    (out, problems)
}

impl EditorSettings {
    fn has_config(&self) -> bool {
        !self.rules.is_empty() || self.default_locale.is_some() || self.max_messages.is_some()
    }

    /// The `tplc.toml` text to analyse with: the project's own (`None`: no file) with
    /// the editor's entries added where the project sets nothing. The project's text is
    /// returned unchanged when there is nothing to add or it is not valid TOML (then
    /// `tplc check` reports it, and so does the server).
    pub fn config_text(&self, project: Option<String>) -> Option<String> {
        if !self.has_config() {
            return project;
        }
        let mut doc = match &project {
            None => toml::Table::new(),
            Some(text) => match text.parse::<toml::Table>() {
                Ok(t) => t,
                Err(_) => return project,
            },
        };
        let mut fill = |table: &str, key: &str, value: toml::Value| {
            let t = doc
                .entry(table)
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            // A section the project wrote as something other than a table is the
            // project's problem to fix; it is not overridden.
            if let toml::Value::Table(t) = t {
                t.entry(key).or_insert(value);
            }
        };
        for (code, level) in &self.rules {
            let level = match level {
                RuleLevel::Error => "error",
                RuleLevel::Warning => "warning",
                RuleLevel::Info => "info",
                RuleLevel::Off => "off",
            };
            fill("rules", code, toml::Value::String(level.into()));
        }
        if let Some(l) = &self.default_locale {
            fill("project", "default-locale", toml::Value::String(l.clone()));
        }
        if let Some(n) = self.max_messages {
            fill("budget", "max-messages", toml::Value::Integer(n.into()));
        }
        toml::to_string(&doc).ok().or(project)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use tplc_schema::Config;

    fn merged(project: Option<&str>, editor: Value) -> Config {
        let (s, problems) = parse(&editor);
        assert!(problems.is_empty(), "{problems:?}");
        let text = s
            .config_text(project.map(str::to_string))
            .unwrap_or_default();
        let (config, diags) = Config::parse(&text);
        assert!(diags.is_empty(), "{text}: {diags:?}");
        config
    }

    #[test]
    fn the_project_file_wins_and_the_editor_fills_the_rest() {
        let project = "[rules]\nsentiment-word = \"error\"\n\n[budget]\nmax-messages = 1\n";
        let c = merged(
            Some(project),
            json!({"rules": {"sentiment-word": "off", "emoji": "off"},
                   "budget": {"max-messages": 2},
                   "project": {"default-locale": "en-US"}}),
        );
        assert_eq!(c.rule_level("sentiment-word"), Some(RuleLevel::Error));
        assert_eq!(c.rule_level("emoji"), Some(RuleLevel::Off));
        assert_eq!(c.budget.max_messages, 1);
        assert_eq!(c.project.default_locale.as_deref(), Some("en-US"));
    }

    #[test]
    fn without_a_project_file_the_editor_settings_apply() {
        let c = merged(None, json!({"tplc": {"budget": {"max-messages": 0}}}));
        assert_eq!(c.budget.max_messages, 0);
    }

    #[test]
    fn nothing_to_add_keeps_the_project_text_byte_for_byte() {
        let project = "# ours\n[rules]\nemoji = 'warn'\n".to_string();
        let (s, _) = parse(&json!({"debounceMs": 5}));
        assert_eq!(s.config_text(Some(project.clone())), Some(project));
        let broken = "[rules\n".to_string();
        let (s, _) = parse(&json!({"rules": {"emoji": "off"}}));
        assert_eq!(s.config_text(Some(broken.clone())), Some(broken));
    }

    #[test]
    fn unusable_entries_are_left_out_and_explained() {
        let (s, problems) = parse(&json!({
            "rules": {"emoji": "eror", "no-such-code": "off", "sentiment-word": "warn"},
            "project": {"default-locale": "en_US"},
            "budget": {"max-messages": -1},
            "debounceMs": "soon"
        }));
        assert_eq!(
            s.rules,
            [("sentiment-word".to_string(), RuleLevel::Warning)]
        );
        assert_eq!(
            (s.default_locale, s.max_messages, s.debounce_ms),
            (None, None, None)
        );
        assert_eq!(problems.len(), 5, "{problems:?}");
        assert!(problems[0].contains("`rules.emoji`"), "{problems:?}");
    }
}
