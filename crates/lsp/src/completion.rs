//! Completion: what may be written at the cursor, read from the text before it.
//!
//! The text is often half-typed (`{{ order.` does not parse), so the context comes from
//! scanning back from the cursor inside the current tag; names and types come from the
//! last parsed tree and the schema, like the checker sees them.

use std::path::{Path, PathBuf};
use tplc_check::{resolve_path_at, scope_at, ScopeKind};
use tplc_schema::{Schema, FILTERS, KINDS, SCALAR_TYPE_NAMES};
use tplc_syntax::header::KNOWN_KEYS;
use tplc_syntax::Template;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ItemKind {
    Field,
    Variable,
    Filter,
    Keyword,
    HeaderKey,
    Kind,
    Type,
    Include,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub label: String,
    pub kind: ItemKind,
    pub detail: Option<String>,
    pub doc: Option<String>,
    /// Text to insert when it differs from the label.
    pub insert: Option<String>,
}

impl Item {
    fn new(label: impl Into<String>, kind: ItemKind) -> Item {
        Item {
            label: label.into(),
            kind,
            detail: None,
            doc: None,
            insert: None,
        }
    }
    fn detail(mut self, d: impl Into<String>) -> Item {
        self.detail = Some(d.into());
        self
    }
    fn doc(mut self, d: impl Into<String>) -> Item {
        let d = d.into();
        if !d.is_empty() {
            self.doc = Some(d);
        }
        self
    }
}

/// What the workspace knows that completion needs beyond one file.
pub struct Context<'a> {
    pub template: &'a Template,
    pub source: &'a str,
    pub schema: &'a Schema,
    /// Every template file of the workspace (for include names).
    pub files: &'a [PathBuf],
    pub path: &'a Path,
}

const STATEMENTS: &[(&str, &str)] = &[
    ("if", "{% if condition %} … {% endif %}"),
    ("elif", "another condition of an `if`"),
    ("else", "the branch taken otherwise"),
    ("endif", "closes `{% if %}`"),
    ("for", "{% for x in list %} … {% endfor %}"),
    ("endfor", "closes `{% for %}`"),
    (
        "include",
        "{% include \"name\" %} inserts the partial `_name.tplc`",
    ),
];

/// Completion items at byte `offset` of `cx.source`.
pub fn complete(cx: &Context<'_>, offset: usize) -> Vec<Item> {
    let offset = floor_boundary(cx.source, offset.min(cx.source.len()));
    let before = &cx.source[..offset];
    if in_header(cx.source, offset) {
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        // A placeholder in the subject line completes like one in the body.
        let tag_on_line =
            open_tag(before).is_some_and(|(_, inner)| inner.len() < offset - line_start);
        if !tag_on_line {
            return header_items(before);
        }
    }
    let Some((open, inner)) = open_tag(before) else {
        return Vec::new();
    };
    let inner_trimmed = inner.trim_start();
    if open == "{#" {
        return Vec::new();
    }
    // `{% include "fo`
    if open == "{%" {
        if let Some(rest) = inner_trimmed.strip_prefix("include") {
            let rest = rest.trim_start();
            if rest.starts_with('"') || rest.starts_with('\'') || rest.is_empty() {
                let quoted = !rest.is_empty();
                return include_items(cx, quoted);
            }
        }
        // The first word of a statement.
        if inner_trimmed
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return STATEMENTS
                .iter()
                .map(|(k, d)| Item::new(*k, ItemKind::Keyword).detail(*d))
                .collect();
        }
    }
    let word_start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_alphanumeric() || *c == '_')
        .last()
        .map_or(offset, |(i, _)| i);
    let lead = before[..word_start].trim_end();
    if lead.ends_with('|') {
        return FILTERS
            .iter()
            .map(|f| {
                Item::new(f.name, ItemKind::Filter)
                    .detail(f.signature)
                    .doc(f.doc)
            })
            .collect();
    }
    if before[..word_start].ends_with('.') {
        // `a.b.` : the fields of the record `a.b`.
        let path_end = word_start - 1;
        let path_start = before[..path_end]
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_ascii_alphanumeric() || *c == '_' || *c == '.')
            .last()
            .map_or(path_end, |(i, _)| i);
        let segs: Vec<&str> = before[path_start..path_end].split('.').collect();
        if segs.iter().any(|s| s.is_empty()) {
            return Vec::new();
        }
        let Some(ty) = resolve_path_at(cx.template, cx.schema, offset, &segs) else {
            return Vec::new();
        };
        return cx
            .schema
            .fields_of(&ty)
            .iter()
            .map(|f| {
                let mut it = Item::new(f.name.clone(), ItemKind::Field)
                    .detail(f.ty.to_string())
                    .doc(f.description.clone());
                if let Some(ex) = &f.example {
                    it.doc = Some(format!("{}\n\nExample: `{ex}`", it.doc.unwrap_or_default()));
                }
                it
            })
            .collect();
    }
    let mut items: Vec<Item> = scope_at(cx.template, cx.schema, offset)
        .into_iter()
        .map(|e| {
            let kind = match e.kind {
                ScopeKind::Root => ItemKind::Field,
                ScopeKind::Loop | ScopeKind::Param => ItemKind::Variable,
            };
            Item::new(e.name, kind)
                .detail(e.ty.to_string())
                .doc(e.description)
        })
        .collect();
    if open == "{%" {
        for w in ["and", "or", "not", "in", "true", "false"] {
            items.push(Item::new(w, ItemKind::Keyword));
        }
    }
    items
}

/// Whether `offset` is inside the `---` header, judged from the text alone (a half-typed
/// header line ends the parsed header early).
fn in_header(src: &str, offset: usize) -> bool {
    let src_start = if src.starts_with('\u{feff}') { 3 } else { 0 };
    let mut lines = src[src_start..].split_inclusive('\n');
    let Some(first) = lines.next() else {
        return false;
    };
    if first.trim_end() != "---" {
        return false;
    }
    let mut at = src_start + first.len();
    if offset < at {
        return false;
    }
    for line in lines {
        if line.trim_end() == "---" {
            return offset < at + line.len() && offset <= at;
        }
        at += line.len();
    }
    true
}

/// The tag the cursor is in: its opener and the text from after the opener to the cursor.
fn open_tag(before: &str) -> Option<(&'static str, &str)> {
    let mut best: Option<(usize, &'static str)> = None;
    for open in ["{{", "{%", "{#"] {
        if let Some(i) = before.rfind(open) {
            if best.is_none_or(|(b, _)| i > b) {
                best = Some((i, open));
            }
        }
    }
    let (i, open) = best?;
    let inner = &before[i + 2..];
    let close = match open {
        "{{" => "}}",
        "{%" => "%}",
        _ => "#}",
    };
    if inner.contains(close) {
        return None;
    }
    Some((open, inner))
}

fn header_items(before: &str) -> Vec<Item> {
    let line = before.rsplit('\n').next().unwrap_or("");
    match line.split_once(':') {
        None => {
            let mut items: Vec<Item> = KNOWN_KEYS
                .iter()
                .map(|k| {
                    let mut it = Item::new(*k, ItemKind::HeaderKey);
                    it.insert = Some(format!("{k}: "));
                    it
                })
                .collect();
            let mut p = Item::new("param", ItemKind::HeaderKey).detail("param name: type");
            p.insert = Some("param ".into());
            items.push(p);
            items
        }
        Some((key, _)) => match key.trim() {
            "kind" => KINDS
                .iter()
                .map(|k| Item::new(k.name, ItemKind::Kind).doc(k.description))
                .collect(),
            "send" => ["7d after delivery", "1d after shipment", "on delivery"]
                .iter()
                .map(|s| Item::new(*s, ItemKind::Keyword))
                .collect(),
            k if k.starts_with("param") => {
                let mut v: Vec<Item> = SCALAR_TYPE_NAMES
                    .iter()
                    .map(|t| Item::new(*t, ItemKind::Type))
                    .collect();
                v.push(Item::new("list<text>", ItemKind::Type));
                v
            }
            _ => Vec::new(),
        },
    }
}

fn include_items(cx: &Context<'_>, quoted: bool) -> Vec<Item> {
    let here = cx.path.parent();
    // (name, 0 when next to this file else 1, folder)
    let mut names: Vec<(String, u8, String)> = Vec::new();
    for f in cx.files {
        if !tplc_project::is_partial(f) {
            continue;
        }
        let Some(stem) = f.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        let name = stem.trim_start_matches('_').to_string();
        let folder = f
            .parent()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        names.push((name, u8::from(f.parent() != here), folder));
    }
    names.sort();
    names.dedup_by(|a, b| a.0 == b.0);
    // Partials next to this file first (they win the lookup), then the rest.
    names.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
    names
        .into_iter()
        .map(|(name, _, folder)| {
            let mut it = Item::new(name.clone(), ItemKind::Include).detail(folder);
            if !quoted {
                it.insert = Some(format!("\"{name}\""));
            }
            it
        })
        .collect()
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}
