//! The per-file and project-wide pipeline behind [`Workspace::analyze`].

use crate::includes::{self, IncludeEdge};
use crate::{file_start, Analysis, FileAnalysis, Workspace, FILE_TOO_LARGE, INVALID_UTF8};
use std::collections::{BTreeMap, BTreeSet, HashMap};
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
    let exists = |p: &Path| ws.files.contains_key(p);
    // Files are independent until the project-wide rules: parse and type-check them on
    // every core.
    let entries: Vec<(&PathBuf, &crate::SourceFile)> = ws.files.iter().collect();
    let parsed: BTreeMap<PathBuf, Parsed> = par_map(&entries, |(path, file)| {
        ((*path).clone(), first_pass(ws, path, file, &exists))
    })
    .into_iter()
    .collect();

    // Project-wide: include cycles, then the compliance rules that need every template.
    let graph: BTreeMap<PathBuf, Vec<IncludeEdge>> = parsed
        .iter()
        .map(|(p, f)| (p.clone(), f.includes.clone()))
        .collect();
    let mut project: Vec<(PathBuf, Diagnostic)> = includes::cycles(&ws.root, &graph);
    let in_cycle: BTreeSet<PathBuf> = project.iter().map(|(p, _)| p.clone()).collect();
    let rules_cfg = rules_config(ws);
    // A name met inside a partial resolves to the first edge of that name with a target,
    // in path order; indexed once instead of scanning every edge of the project per lookup.
    let mut by_name: HashMap<&str, &IncludeEdge> = HashMap::new();
    for e in graph.values().flatten().filter(|e| e.target.is_some()) {
        by_name.entry(e.name.as_str()).or_insert(e);
    }
    let resolver = Resolver {
        parsed: &parsed,
        graph: &graph,
        in_cycle: &in_cycle,
        by_name: &by_name,
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

    // Built once: looking a code up rebuilt the whole code table per suppression.
    let codes: Vec<&'static str> = crate::all_codes().iter().map(|c| c.code).collect();
    let known = |code: &str| codes.binary_search(&code).is_ok();
    // Indexed once: a per-file scan of `only` and of the project findings was quadratic
    // in the number of files.
    let only: Option<BTreeSet<&Path>> = only.map(|o| o.iter().map(PathBuf::as_path).collect());
    let mut project_by_file: BTreeMap<&Path, Vec<&Diagnostic>> = BTreeMap::new();
    for (p, d) in &project {
        project_by_file.entry(p.as_path()).or_default().push(d);
    }
    let selected: Vec<(&PathBuf, &Parsed)> = parsed
        .iter()
        .filter(|(path, _)| only.as_ref().is_none_or(|o| o.contains(path.as_path())))
        .collect();
    let files: BTreeMap<PathBuf, FileAnalysis> = par_map(&selected, |(path, f)| {
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
        if let Some(ds) = project_by_file.get(path.as_path()) {
            diags.extend(ds.iter().map(|d| (*d).clone()));
        }
        let diags = tplc_rules::apply_suppressions(&f.template, &f.source, diags, &known);
        let mut diags = apply_levels(ws, diags);
        tplc_diagnostics::sort(&mut diags);
        (
            (*path).clone(),
            FileAnalysis {
                path: (*path).clone(),
                source: f.source.clone(),
                template: f.template.clone(),
                facts: f.facts.clone(),
                is_partial: f.is_partial,
                diagnostics: diags,
            },
        )
    })
    .into_iter()
    .collect();
    let mut files = files;
    // Errors of every included partial: taken from its finished analysis when it was
    // selected, else run through the same suppressions and levels (partials get no
    // per-template rules, so that is all their analysis adds).
    let targets: BTreeSet<&PathBuf> = graph
        .values()
        .flatten()
        .filter_map(|e| e.target.as_ref())
        .collect();
    let partial_errors: BTreeMap<&Path, usize> = targets
        .into_iter()
        .map(|p| {
            let count =
                |ds: &[Diagnostic]| ds.iter().filter(|d| d.severity == Severity::Error).count();
            let n = match (files.get(p), parsed.get(p)) {
                (Some(fa), _) => count(&fa.diagnostics),
                (None, Some(f)) => {
                    let mut diags = f.diagnostics.clone();
                    if let Some(ds) = project_by_file.get(p.as_path()) {
                        diags.extend(ds.iter().map(|d| (*d).clone()));
                    }
                    let diags =
                        tplc_rules::apply_suppressions(&f.template, &f.source, diags, &known);
                    count(&apply_levels(ws, diags))
                }
                (None, None) => 0,
            };
            (p.as_path(), n)
        })
        .collect();
    let final_errors = |p: &Path| partial_errors.get(p).copied().unwrap_or(0);
    crate::include_errors::add(&ws.root, &graph, &final_errors, &mut files);
    Analysis {
        files,
        config_diagnostics: ws.config_diagnostics.clone(),
    }
}

fn first_pass(
    ws: &Workspace,
    path: &Path,
    file: &crate::SourceFile,
    exists: &(dyn Fn(&Path) -> bool + Sync),
) -> Parsed {
    let mut diagnostics = Vec::new();
    if let Some(size) = file.too_large {
        diagnostics.push(Diagnostic::error(
            FILE_TOO_LARGE,
            file_start(),
            format!(
                "this file is {:.1} MiB; tplc analyses files up to {} MiB: split it into partials",
                size as f64 / (1024.0 * 1024.0),
                crate::MAX_FILE_BYTES / (1024 * 1024)
            ),
        ));
        // Nothing else is said about a file that was not read.
        return Parsed {
            source: file.text.clone(),
            template: Arc::new(Template::default()),
            is_partial: true,
            diagnostics,
            facts: tplc_check::Facts::default(),
            includes: Vec::new(),
        };
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
    crate::include_errors::control_characters(&source, &mut diagnostics);
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
    let includes = includes::resolve(&ws.root, path, &template, exists, &mut diagnostics);
    Parsed {
        source,
        template,
        is_partial,
        diagnostics,
        facts: out.facts,
        includes,
    }
}

const MIN_ITEMS_PER_THREAD: usize = 8;

/// `f` over `items` on every available core, results in input order. Workers take the
/// next item as they finish one, so a few large files do not leave a core idle.
fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    // Asking the system is a few syscalls (cgroup quotas): once per process is enough.
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    let cores = *CORES.get_or_init(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    });
    // Starting a thread costs about as much as checking a small file: a handful of files
    // (an editor's keystroke, a one-template project) stays on the calling thread.
    let threads = cores.min(items.len() / MIN_ITEMS_PER_THREAD);
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        out.push((i, f(item)));
                    }
                    out
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| match w.join() {
                Ok(out) => out,
                // A panic in one file's analysis is re-raised as it would be on one thread.
                Err(e) => std::panic::resume_unwind(e),
            })
            .collect()
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
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
    by_name: &'a HashMap<&'a str, &'a IncludeEdge>,
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
        let edge = own.or_else(|| self.r.by_name.get(name).copied())?;
        let target = edge.target.as_ref()?;
        // A partial in a cycle is reported as such; inlining it would never end.
        if self.r.in_cycle.contains(target) {
            return None;
        }
        let f = self.r.parsed.get(target)?;
        Some((f.template.clone(), f.source.clone(), target.clone()))
    }
}
