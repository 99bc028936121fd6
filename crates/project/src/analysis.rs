//! The per-file and project-wide pipeline behind [`Workspace::analyze`].

use crate::includes::{self, IncludeEdge};
use crate::incremental::AnalysisCache;
use crate::parallel::par_map;
use crate::{file_start, Analysis, FileAnalysis, Keep, Workspace, FILE_TOO_LARGE, INVALID_UTF8};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tplc_diagnostics::{Diagnostic, Severity, Span};
use tplc_syntax::Template;

/// What the first pass learns about one file: a function of its text, its name and the
/// configuration only, so it can be kept between analyses.
pub(crate) struct FirstPass {
    source: Arc<str>,
    /// `None` when dropped ([`Keep::Diagnostics`] templates): see [`FirstPass::tree`].
    template: Option<Arc<Template>>,
    is_partial: bool,
    /// What the project-wide rules read (templates only).
    summary: Option<tplc_rules::MessageSummary>,
    /// Nesting around the include tags, for limits counted through partials.
    nesting: crate::nesting::Profile,
    /// Everything but the include diagnostics, which depend on which other files exist.
    diagnostics: Vec<Diagnostic>,
    /// Problems past the listed ones, only counted (see [`crate::cap`]).
    unlisted: usize,
    facts: Arc<tplc_check::Facts>,
    /// `{% include %}` tags: (tag span, name span, name).
    include_tags: Vec<(Span, Span, String)>,
}

impl FirstPass {
    /// The syntax tree, parsed again when it was not kept.
    fn tree(&self) -> Arc<Template> {
        crate::kept_or_parsed(&self.template, &self.source)
    }
}

/// One file in one analysis: its first pass and where its includes lead today.
struct Parsed {
    first: Arc<FirstPass>,
    includes: Arc<Vec<IncludeEdge>>,
    include_diags: Vec<Diagnostic>,
}

impl Parsed {
    /// The first-pass diagnostics in the order a from-scratch pass produces them
    /// (the final sort is stable, so the order of equal keys matters).
    fn diagnostics(&self) -> Vec<Diagnostic> {
        let mut d = Vec::with_capacity(self.first.diagnostics.len() + self.include_diags.len());
        d.extend_from_slice(&self.first.diagnostics);
        d.extend_from_slice(&self.include_diags);
        d
    }
}

/// A partial the rules looked up (the including partial, `None` for the template itself,
/// and the name), and what it resolved to (file and parsed template; the template is
/// held, so its address cannot be reused by another one).
type Lookup = (Option<PathBuf>, String, Option<(PathBuf, Arc<Template>)>);

/// What one file's per-template rules produced and what they asked for.
pub(crate) struct RulesMemo {
    /// Every partial the rules looked up, in order.
    deps: Vec<Lookup>,
    diagnostics: Vec<Diagnostic>,
}

/// One file's final diagnostics (before `include-error`) and the inputs that are not
/// covered by its first pass and rules.
pub(crate) struct DoneMemo {
    include_diags: Vec<Diagnostic>,
    project_diags: Vec<Diagnostic>,
    diagnostics: Vec<Diagnostic>,
}

/// What the per-file stage did for one file, to be stored in the cache afterwards.
struct FileOutcome {
    analysis: FileAnalysis,
    rules: Option<RulesMemo>,
    done: Option<DoneMemo>,
}

pub(crate) fn run(
    ws: &Workspace,
    only: Option<&[PathBuf]>,
    mut cache: Option<&mut AnalysisCache>,
) -> Analysis {
    let exists = |p: &Path| ws.files.contains_key(p);
    if let Some(c) = cache.as_deref_mut() {
        c.prepare(ws);
    }
    // Files are independent until the project-wide rules: parse and type-check them on
    // every core (only the ones whose text or configuration changed, with a cache).
    let known_first: Vec<Option<Arc<FirstPass>>> = ws
        .files
        .iter()
        .map(|(p, f)| cache.as_deref().and_then(|c| c.first_pass(p, f)))
        .collect();
    let misses: Vec<(&PathBuf, &crate::SourceFile)> = ws
        .files
        .iter()
        .zip(&known_first)
        .filter(|(_, k)| k.is_none())
        .map(|(e, _)| e)
        .collect();
    if let Some(c) = cache.as_deref_mut() {
        c.last = crate::CacheStats {
            parsed: misses.len(),
            ..Default::default()
        };
    }
    let mut fresh =
        par_map(&misses, |(path, file)| Arc::new(first_pass(ws, path, file))).into_iter();
    let parsed: BTreeMap<PathBuf, Parsed> = ws
        .files
        .iter()
        .zip(known_first)
        .filter_map(|((path, file), known)| {
            let first = match known {
                Some(f) => f,
                None => {
                    // Misses come back in the order they were taken.
                    let f = fresh.next()?;
                    if let Some(c) = cache.as_deref_mut() {
                        c.store_first_pass(path, file, f.clone());
                    }
                    f
                }
            };
            let known = cache.as_deref().and_then(|c| c.includes(path, ws.paths_id));
            let (includes, include_diags) = match known {
                Some(k) => k,
                None => {
                    let mut diags = Vec::new();
                    let edges = Arc::new(includes::resolve(
                        &ws.root,
                        path,
                        &first.include_tags,
                        &exists,
                        &mut diags,
                    ));
                    if let Some(c) = cache.as_deref_mut() {
                        c.store_includes(path, ws.paths_id, edges.clone(), diags.clone());
                    }
                    (edges, diags)
                }
            };
            Some((
                path.clone(),
                Parsed {
                    first,
                    includes,
                    include_diags,
                },
            ))
        })
        .collect();

    // Project-wide: include cycles, then the compliance rules that need every template.
    let graph: BTreeMap<PathBuf, Vec<IncludeEdge>> = parsed
        .iter()
        .map(|(p, f)| (p.clone(), f.includes.to_vec()))
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
        .filter_map(|(p, f)| {
            Some(tplc_rules::ProjectTemplate {
                path: p.as_path(),
                summary: f.first.summary.as_ref()?,
            })
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
    let project_of = |p: &Path| -> Vec<Diagnostic> {
        project_by_file
            .get(p)
            .map(|ds| ds.iter().map(|d| (*d).clone()).collect())
            .unwrap_or_default()
    };
    let selected: Vec<(&PathBuf, &Parsed)> = parsed
        .iter()
        .filter(|(path, _)| only.as_ref().is_none_or(|o| o.contains(path.as_path())))
        .collect();
    let analysis_of = |path: &PathBuf, f: &Parsed, diagnostics: Vec<Diagnostic>| FileAnalysis {
        path: path.clone(),
        source: f.first.source.clone(),
        tree: f.first.template.clone(),
        facts: f.first.facts.clone(),
        is_partial: f.first.is_partial,
        diagnostics,
    };
    // With a cache, a file whose rules asked for the same partials and got the same
    // answers, and whose other inputs are equal, keeps its result; only the rest is
    // analysed (in parallel).
    let mut outcomes: BTreeMap<PathBuf, FileOutcome> = BTreeMap::new();
    let mut todo: Vec<(&PathBuf, &Parsed, Option<Vec<Diagnostic>>)> = Vec::new();
    for (path, f) in selected {
        let memo = cache.as_deref().and_then(|c| c.files.get(path.as_path()));
        let rules_hit = memo.and_then(|m| {
            let r = m.rules.as_ref()?;
            let from = resolver.from(path);
            let same = r.deps.iter().all(|(includer, name, answer)| {
                let now = tplc_rules::IncludeResolver::resolve(&from, includer.as_deref(), name);
                match (answer, now) {
                    (None, None) => true,
                    (Some((p, t)), Some((t2, _, p2))) => *p == p2 && Arc::ptr_eq(t, &t2),
                    _ => false,
                }
            });
            same.then_some(&r.diagnostics)
        });
        let hit = match (f.first.is_partial, rules_hit) {
            (true, _) => true,
            (false, hit) => hit.is_some(),
        };
        let done = memo.and_then(|m| m.done.as_ref()).filter(|d| {
            hit && d.include_diags == f.include_diags && d.project_diags == project_of(path)
        });
        match done {
            Some(d) => {
                outcomes.insert(
                    path.clone(),
                    FileOutcome {
                        analysis: analysis_of(path, f, d.diagnostics.clone()),
                        rules: None,
                        done: None,
                    },
                );
            }
            None => todo.push((path, f, rules_hit.cloned())),
        }
    }
    let computed: Vec<(PathBuf, FileOutcome)> = par_map(&todo, |(path, f, rules_hit)| {
        // Parsed again here when the first pass did not keep it; dropped at the end.
        let template = f.first.tree();
        let mut diags = f.diagnostics();
        let mut rules = None;
        if !f.first.is_partial {
            let found = match rules_hit {
                Some(d) => d.clone(),
                None => {
                    let recorder = Recorder {
                        inner: resolver.from(path),
                        deps: std::cell::RefCell::new(Vec::new()),
                    };
                    let d = tplc_rules::check_template(
                        &template,
                        &f.first.source,
                        &recorder,
                        &rules_cfg,
                    );
                    rules = Some(RulesMemo {
                        deps: recorder.deps.into_inner(),
                        diagnostics: d.clone(),
                    });
                    d
                }
            };
            diags.extend(found);
        }
        let project_diags = project_of(path);
        diags.extend(project_diags.iter().cloned());
        let diags = tplc_rules::apply_suppressions(&template, &f.first.source, diags, &known);
        let mut diags = apply_levels(ws, diags);
        tplc_diagnostics::sort(&mut diags);
        crate::cap::cap(&mut diags, f.first.unlisted);
        let done = DoneMemo {
            include_diags: f.include_diags.clone(),
            project_diags,
            diagnostics: diags.clone(),
        };
        (
            (*path).clone(),
            FileOutcome {
                analysis: analysis_of(path, f, diags),
                rules,
                done: Some(done),
            },
        )
    });
    outcomes.extend(computed);
    let mut files: BTreeMap<PathBuf, FileAnalysis> = BTreeMap::new();
    for (path, o) in outcomes {
        if let Some(c) = cache.as_deref_mut() {
            c.last.checked += usize::from(o.rules.is_some());
            c.last.finished += usize::from(o.done.is_some());
            c.store_outcome(&path, o.rules, o.done);
        }
        files.insert(path, o.analysis);
    }
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
                    let mut diags = f.diagnostics();
                    diags.extend(project_of(p));
                    let diags = tplc_rules::apply_suppressions(
                        &f.first.tree(),
                        &f.first.source,
                        diags,
                        &known,
                    );
                    count(&apply_levels(ws, diags))
                }
                (None, None) => 0,
            };
            (p.as_path(), n)
        })
        .collect();
    let final_errors = |p: &Path| partial_errors.get(p).copied().unwrap_or(0);
    crate::include_errors::add(&ws.root, &graph, &final_errors, &mut files);
    let profile_of = |p: &Path| parsed.get(p).map(|f| f.first.nesting.clone());
    crate::nesting::add(&graph, &profile_of, &mut files);
    Analysis {
        files,
        config_diagnostics: ws.config_diagnostics.clone(),
    }
}

/// Records which partials the rules look up, so a later analysis can tell whether the
/// same lookups still give the same answers.
struct Recorder<'a> {
    inner: FileResolver<'a>,
    deps: std::cell::RefCell<Vec<Lookup>>,
}

impl tplc_rules::IncludeResolver for Recorder<'_> {
    fn resolve(
        &self,
        from: Option<&Path>,
        name: &str,
    ) -> Option<(Arc<Template>, Arc<str>, PathBuf)> {
        let found = self.inner.resolve(from, name);
        let answer = found.as_ref().map(|(t, _, p)| (p.clone(), t.clone()));
        self.deps
            .borrow_mut()
            .push((from.map(Path::to_path_buf), name.to_string(), answer));
        found
    }
}

fn first_pass(ws: &Workspace, path: &Path, file: &crate::SourceFile) -> FirstPass {
    let mut diagnostics = Vec::new();
    if let Some(size) = file.too_large {
        diagnostics.push(Diagnostic::error(
            FILE_TOO_LARGE,
            file_start(),
            format!(
                "this file is {}; tplc analyses files up to {} (a message is at most 2,000 characters): split it into separate templates or partials",
                byte_size(size),
                byte_size(crate::MAX_FILE_BYTES)
            ),
        ));
        // Nothing else is said about a file that was not read.
        return FirstPass {
            source: file.text.clone(),
            template: Some(Arc::new(Template::default())),
            is_partial: true,
            summary: None,
            nesting: Default::default(),
            diagnostics,
            unlisted: 0,
            facts: Default::default(),
            include_tags: Vec::new(),
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
    if !crate::is_partial(path) {
        crate::file_names::check(&ws.root, path, &mut diagnostics);
    }
    let parse = tplc_syntax::parse(&source);
    diagnostics.extend(parse.diagnostics);
    let mut unlisted = parse.unlisted;
    let is_partial = crate::is_partial(path);
    let template = Arc::new(parse.template);
    let out = tplc_check::check(
        &template,
        &source,
        &ws.schema,
        &tplc_check::CheckOptions {
            is_partial,
            facts: match ws.keep {
                Keep::Everything => tplc_check::FactDetail::Full,
                Keep::Diagnostics => tplc_check::FactDetail::Usage,
            },
        },
    );
    diagnostics.extend(out.diagnostics);
    unlisted += out.unlisted;
    let include_tags = includes::includes_of(&template);
    let summary = (!is_partial).then(|| tplc_rules::MessageSummary::of(&template));
    let nesting = crate::nesting::profile(&template);
    // Every template inlines the partials, so theirs are always kept.
    let keep_tree = is_partial || ws.keep == Keep::Everything;
    FirstPass {
        source,
        template: keep_tree.then_some(template),
        is_partial,
        summary,
        nesting,
        diagnostics,
        unlisted,
        facts: Arc::new(out.facts),
        include_tags,
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
    /// The including file's own include edges.
    own: &'a [IncludeEdge],
}

impl<'a> Resolver<'a> {
    fn from(&'a self, path: &Path) -> FileResolver<'a> {
        let own = self.graph.get(path).map_or(&[][..], Vec::as_slice);
        FileResolver { r: self, own }
    }
}

impl tplc_rules::IncludeResolver for FileResolver<'_> {
    fn resolve(
        &self,
        from: Option<&Path>,
        name: &str,
    ) -> Option<(Arc<Template>, Arc<str>, PathBuf)> {
        // The edge of the file the tag is written in: the same resolution
        // (`includes::candidates`) the compiler uses, so the rules read what is built.
        let edges = match from {
            None => self.own,
            Some(p) => self.r.graph.get(p).map_or(&[][..], Vec::as_slice),
        };
        let edge = edges.iter().find(|e| e.name == name)?;
        let target = edge.target.as_ref()?;
        // A partial in a cycle is reported as such; inlining it would never end.
        if self.r.in_cycle.contains(target) {
            return None;
        }
        let f = &self.r.parsed.get(target)?.first;
        Some((f.tree(), f.source.clone(), target.clone()))
    }
}

/// A file size as people read it: `300 KiB`, `16.0 MiB`.
fn byte_size(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MiB", bytes as f64 / (1u64 << 20) as f64)
    } else {
        format!("{} KiB", bytes.div_ceil(1024))
    }
}
