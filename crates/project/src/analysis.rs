//! The per-file and project-wide pipeline behind [`Workspace::analyze`].

use crate::includes::{self, IncludeEdge};
use crate::{file_start, Analysis, FileAnalysis, Workspace, FILE_TOO_LARGE, INVALID_UTF8};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tplc_diagnostics::{Diagnostic, Severity, Span};
use tplc_syntax::Template;

/// What the first pass learns about one file.
struct Parsed {
    source: Arc<str>,
    template: Arc<Template>,
    is_partial: bool,
    diagnostics: Vec<Diagnostic>,
    facts: tplc_check::Facts,
    includes: Vec<IncludeEdge>,
}

pub(crate) fn run(ws: &Workspace, only: Option<&[PathBuf]>) -> Analysis {
    let mut parsed: BTreeMap<PathBuf, Parsed> = BTreeMap::new();
    let exists = |p: &Path| ws.files.contains_key(p);
    for (path, file) in &ws.files {
        let mut diagnostics = Vec::new();
        if let Some(size) = file.too_large {
            diagnostics.push(Diagnostic::error(
                FILE_TOO_LARGE,
                file_start(),
                format!(
                    "this file is {} MiB; tplc analyses files up to {} MiB: split it into partials",
                    size / (1024 * 1024),
                    crate::MAX_FILE_BYTES / (1024 * 1024)
                ),
            ));
        }
        if let Some(at) = file.invalid_utf8_at {
            let end = at + file.text[at..].chars().next().map_or(0, char::len_utf8);
            diagnostics.push(Diagnostic::error(
                INVALID_UTF8,
                Span::new(at, end),
                "the file is not valid UTF-8 here (shown as �): save it as UTF-8",
            ));
        }
        let source = file.text.clone();
        let parse = tplc_syntax::parse(&source);
        diagnostics.extend(parse.diagnostics);
        let is_partial = crate::is_partial(path);
        let template = Arc::new(parse.template);
        let out = tplc_check::check(
            &template,
            &source,
            &ws.schema,
            &tplc_check::CheckOptions { is_partial },
        );
        diagnostics.extend(out.diagnostics);
        let includes = includes::resolve(&ws.root, path, &template, &exists, &mut diagnostics);
        parsed.insert(
            path.clone(),
            Parsed {
                source,
                template,
                is_partial,
                diagnostics,
                facts: out.facts,
                includes,
            },
        );
    }

    // Project-wide: include cycles, then the compliance rules that need every template.
    let graph: BTreeMap<PathBuf, Vec<IncludeEdge>> = parsed
        .iter()
        .map(|(p, f)| (p.clone(), f.includes.clone()))
        .collect();
    let mut project: Vec<(PathBuf, Diagnostic)> = includes::cycles(&ws.root, &graph);
    let in_cycle: BTreeSet<PathBuf> = project.iter().map(|(p, _)| p.clone()).collect();
    let rules_cfg = rules_config(ws);
    let resolver = Resolver {
        parsed: &parsed,
        graph: &graph,
        in_cycle: &in_cycle,
    };
    let templates: Vec<tplc_rules::ProjectTemplate> = parsed
        .iter()
        .filter(|(_, f)| !f.is_partial)
        .map(|(p, f)| tplc_rules::ProjectTemplate {
            path: p.as_path(),
            template: &f.template,
            source: &f.source,
        })
        .collect();
    project.extend(tplc_rules::check_project(&templates, &rules_cfg));

    let known = |code: &str| crate::code_info(code).is_some();
    let mut files = BTreeMap::new();
    for (path, f) in &parsed {
        if only.is_some_and(|o| !o.iter().any(|p| p == path)) {
            continue;
        }
        let mut diags = f.diagnostics.clone();
        if !f.is_partial {
            let resolver = resolver.from(path);
            diags.extend(tplc_rules::check_template(
                &f.template,
                &f.source,
                &resolver,
                &rules_cfg,
            ));
        }
        diags.extend(
            project
                .iter()
                .filter(|(p, _)| p == path)
                .map(|(_, d)| d.clone()),
        );
        let diags = tplc_rules::apply_suppressions(&f.template, &f.source, diags, &known);
        let mut diags = apply_levels(ws, diags);
        tplc_diagnostics::sort(&mut diags);
        files.insert(
            path.clone(),
            FileAnalysis {
                path: path.clone(),
                source: f.source.clone(),
                template: f.template.clone(),
                facts: f.facts.clone(),
                is_partial: f.is_partial,
                diagnostics: diags,
            },
        );
    }
    Analysis {
        files,
        config_diagnostics: ws.config_diagnostics.clone(),
    }
}

fn rules_config(ws: &Workspace) -> tplc_rules::RulesConfig {
    tplc_rules::RulesConfig {
        max_messages: ws.config.budget.max_messages as usize,
        extra_words: ws.config.lexicon.clone(),
    }
}

/// `tplc.toml` `[rules]`: change a code's severity or turn it off.
fn apply_levels(ws: &Workspace, diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diags
        .into_iter()
        .filter_map(|mut d| match ws.config.rule_level(d.code) {
            None => Some(d),
            Some(level) => {
                let sev: Option<Severity> = level.severity();
                sev.map(|s| {
                    d.severity = s;
                    d
                })
            }
        })
        .collect()
}

/// Gives the rules the partials a template includes, in context.
struct Resolver<'a> {
    parsed: &'a BTreeMap<PathBuf, Parsed>,
    graph: &'a BTreeMap<PathBuf, Vec<IncludeEdge>>,
    in_cycle: &'a BTreeSet<PathBuf>,
}

struct FileResolver<'a> {
    r: &'a Resolver<'a>,
    from: PathBuf,
}

impl<'a> Resolver<'a> {
    fn from(&'a self, path: &Path) -> FileResolver<'a> {
        FileResolver {
            r: self,
            from: path.to_path_buf(),
        }
    }
}

impl tplc_rules::IncludeResolver for FileResolver<'_> {
    fn resolve(&self, name: &str) -> Option<(Arc<Template>, Arc<str>, PathBuf)> {
        // The including file's own edge first; a name met inside a partial resolves through
        // that partial's edges (the rules inline nested partials by name).
        let own = self
            .r
            .graph
            .get(&self.from)
            .and_then(|edges| edges.iter().find(|e| e.name == name));
        let edge = own.or_else(|| {
            self.r
                .graph
                .values()
                .flatten()
                .find(|e| e.name == name && e.target.is_some())
        })?;
        let target = edge.target.as_ref()?;
        // A partial in a cycle is reported as such; inlining it would never end.
        if self.r.in_cycle.contains(target) {
            return None;
        }
        let f = self.r.parsed.get(target)?;
        Some((f.template.clone(), f.source.clone(), target.clone()))
    }
}
