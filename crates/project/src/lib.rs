//! The engine both front ends call. `tplc check` and `tplc lsp` ask one question,
//! "analyse these files", and get one answer: per file, the parsed tree, the type facts
//! and the final diagnostics (suppressions and `tplc.toml` severities applied).
//!
//! Per file: parse → type check → compliance rules (includes inlined) → project-wide rules
//! (message budget, include cycles, translations) → suppressions → configured severities.

mod cap;
mod file_names;
mod files;
mod include_errors;
mod includes;
mod incremental;
mod nesting;
mod parallel;

pub use cap::{MAX_DIAGNOSTICS_PER_FILE, TOO_MANY_DIAGNOSTICS};
pub use files::{decode, is_partial, is_template, walk, Decoded, EXTENSION, MAX_FILE_BYTES};
pub use includes::candidates as include_candidates;
pub use incremental::{AnalysisCache, CacheStats};
pub use parallel::par_map;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tplc_diagnostics::{CodeInfo, Diagnostic, Severity, Span};
use tplc_schema::{Config, Schema};
use tplc_syntax::Template;

pub const MISSING_INCLUDE: &str = "missing-include";
pub const INCLUDE_CYCLE: &str = "include-cycle";
pub const INVALID_UTF8: &str = "invalid-utf8";
pub const FILE_TOO_LARGE: &str = "file-too-large";
pub const INCLUDE_ERROR: &str = "include-error";
pub const CONTROL_CHARACTER: &str = "control-character";
pub const UNSAFE_FILE_NAME: &str = "unsafe-file-name";

/// Codes this crate emits.
pub const CODES: &[CodeInfo] = &[
    CodeInfo {
        code: MISSING_INCLUDE,
        default_severity: Severity::Error,
        summary: "An `{% include %}` names a partial that does not exist",
        explanation: include_str!("../../../docs/diagnostics/missing-include.md"),
    },
    CodeInfo {
        code: INCLUDE_CYCLE,
        default_severity: Severity::Error,
        summary: "Partials include each other in a loop",
        explanation: include_str!("../../../docs/diagnostics/include-cycle.md"),
    },
    CodeInfo {
        code: INVALID_UTF8,
        default_severity: Severity::Error,
        summary: "The file is not valid UTF-8",
        explanation: include_str!("../../../docs/diagnostics/invalid-utf8.md"),
    },
    CodeInfo {
        code: INCLUDE_ERROR,
        default_severity: Severity::Error,
        summary: "An included partial has errors, so this template cannot be built",
        explanation: include_str!("../../../docs/diagnostics/include-error.md"),
    },
    CodeInfo {
        code: CONTROL_CHARACTER,
        default_severity: Severity::Error,
        summary: "A NUL or other invisible control character in the template",
        explanation: include_str!("../../../docs/diagnostics/control-character.md"),
    },
    CodeInfo {
        code: UNSAFE_FILE_NAME,
        default_severity: Severity::Error,
        summary: "The template's path cannot name its built files safely",
        explanation: include_str!("../../../docs/diagnostics/unsafe-file-name.md"),
    },
    CodeInfo {
        code: FILE_TOO_LARGE,
        default_severity: Severity::Error,
        summary: "The file is larger than tplc analyses",
        explanation: include_str!("../../../docs/diagnostics/file-too-large.md"),
    },
    CodeInfo {
        code: TOO_MANY_DIAGNOSTICS,
        default_severity: Severity::Warning,
        summary: "A file has more problems than are listed; the rest are counted",
        explanation: include_str!("../../../docs/diagnostics/too-many-diagnostics.md"),
    },
];

/// Every code of every stage, for `tplc explain`, docs links and suppression checks.
pub fn all_codes() -> Vec<CodeInfo> {
    let mut all: Vec<CodeInfo> = [
        tplc_syntax::CODES,
        tplc_schema::CODES,
        tplc_check::CODES,
        tplc_rules::CODES,
        CODES,
    ]
    .concat();
    all.sort_by_key(|c| c.code);
    all.dedup_by_key(|c| c.code);
    all
}

pub fn code_info(code: &str) -> Option<CodeInfo> {
    all_codes().into_iter().find(|c| c.code == code)
}

/// One file's text as held by the workspace.
#[derive(Clone, Debug)]
struct SourceFile {
    text: Arc<str>,
    invalid_utf8_at: Option<usize>,
    too_large: Option<u64>,
}

/// A set of template files plus the project configuration. Files come from disk
/// ([`Workspace::load`]) or from an editor ([`Workspace::set_file`]); both are the same to
/// the analysis.
#[derive(Clone, Debug)]
pub struct Workspace {
    root: PathBuf,
    config: Config,
    config_diagnostics: Vec<Diagnostic>,
    config_path: Option<PathBuf>,
    schema: Arc<Schema>,
    /// Unique per configuration ever set (in this process), so cached results computed
    /// under another configuration are never taken for current ones.
    config_id: u64,
    /// Unique per set of file paths (in this process): include resolution depends on which
    /// files exist, not on their texts.
    paths_id: u64,
    files: BTreeMap<PathBuf, SourceFile>,
    /// What the analysis keeps of each file (see [`Workspace::set_keep`]).
    keep: Keep,
}

/// Who reads an analysis, which decides what it keeps of each file. The diagnostics are
/// the same either way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Keep {
    /// An editor: every syntax tree and every type fact, for hover, outline and completion.
    #[default]
    Everything,
    /// A batch run (`tplc check`, `tplc build`): the diagnostics and what building needs.
    /// The type facts keep only the data read and the params, and a template's syntax tree
    /// is dropped after its first pass and parsed again for its rules and when asked for
    /// ([`FileAnalysis::template`]); partials keep theirs, since every template inlines
    /// them. A catalogue's trees and facts were nine tenths of a check's memory, while
    /// parsing again costs a small share of its time (docs/performance.md).
    Diagnostics,
}

/// One file as the workspace holds it; a file over [`MAX_FILE_BYTES`] is not read.
fn read_source(path: &Path) -> Result<SourceFile, ProjectError> {
    let err = |e: std::io::Error| ProjectError {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let size = std::fs::metadata(path).map_err(err)?.len();
    if size > MAX_FILE_BYTES {
        return Ok(SourceFile {
            text: Arc::from(""),
            invalid_utf8_at: None,
            too_large: Some(size),
        });
    }
    let decoded = decode(std::fs::read(path).map_err(err)?);
    Ok(SourceFile {
        text: Arc::from(decoded.text),
        invalid_utf8_at: decoded.invalid_utf8_at,
        too_large: None,
    })
}

/// A number never handed out before in this process.
fn next_config_id() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// Why a project could not be loaded at all (exit code 2).
#[derive(Debug)]
pub struct ProjectError {
    pub path: PathBuf,
    pub message: String,
}

impl std::fmt::Display for ProjectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for ProjectError {}

/// The project root for `start`: the nearest folder at or above it holding `tplc.toml`,
/// else `start` itself (or its folder, for a file).
pub fn find_root(start: &Path) -> PathBuf {
    let dir = if start.is_file() {
        start.parent().unwrap_or(Path::new("."))
    } else {
        start
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let abs = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let mut cur = Some(abs.as_path());
    while let Some(d) = cur {
        if d.join("tplc.toml").is_file() {
            return d.to_path_buf();
        }
        cur = d.parent();
    }
    abs
}

impl Workspace {
    /// A workspace with no files and the default configuration; nothing is read from disk.
    pub fn in_memory(root: PathBuf) -> Workspace {
        Workspace {
            root,
            config: Config::default(),
            config_diagnostics: Vec::new(),
            config_path: None,
            schema: Arc::new(Schema::builtin()),
            config_id: next_config_id(),
            paths_id: next_config_id(),
            files: BTreeMap::new(),
            keep: Keep::Everything,
        }
    }

    /// Read `root/tplc.toml` (when present) and every template file under `root`.
    pub fn load(root: &Path) -> Result<Workspace, ProjectError> {
        let root = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
        let mut ws = Workspace::in_memory(root.clone());
        let config_path = root.join("tplc.toml");
        if config_path.is_file() {
            let text = std::fs::read(&config_path).map_err(|e| ProjectError {
                path: config_path.clone(),
                message: e.to_string(),
            })?;
            let text = String::from_utf8(text).map_err(|_| ProjectError {
                path: config_path.clone(),
                message: "tplc.toml is not valid UTF-8".into(),
            })?;
            ws.config_path = Some(config_path);
            ws.set_config_text(Some(text));
        }
        let mut paths = Vec::new();
        walk(&root, &mut paths).map_err(|e| ProjectError {
            path: root.clone(),
            message: format!("cannot read the folder: {e}"),
        })?;
        // Read and decoded on every core: a catalogue is thousands of small files.
        for (p, file) in paths.iter().zip(par_map(&paths, |p| read_source(p))) {
            ws.insert_file(p.clone(), file?);
        }
        Ok(ws)
    }

    /// Read one file from disk into the workspace (used for files outside the walked root too).
    pub fn read_file(&mut self, path: &Path) -> Result<(), ProjectError> {
        let file = read_source(path)?;
        self.insert_file(path.to_path_buf(), file);
        Ok(())
    }

    pub fn root(&self) -> &Path {
        &self.root
    }
    pub fn config(&self) -> &Config {
        &self.config
    }
    pub fn config_path(&self) -> Option<&Path> {
        self.config_path.as_deref()
    }
    pub fn schema(&self) -> &Schema {
        &self.schema
    }
    pub fn files(&self) -> impl Iterator<Item = &Path> {
        self.files.keys().map(PathBuf::as_path)
    }
    pub fn text(&self, path: &Path) -> Option<Arc<str>> {
        self.files.get(path).map(|f| f.text.clone())
    }

    /// Add or replace a file's text (an editor's unsaved buffer wins over disk). A text
    /// over [`MAX_FILE_BYTES`] is held as a file on disk would be: reported, not analysed.
    pub fn set_file(&mut self, path: PathBuf, text: Arc<str>) {
        let size = text.len() as u64;
        let file = if size > MAX_FILE_BYTES {
            SourceFile {
                text: Arc::from(""),
                invalid_utf8_at: None,
                too_large: Some(size),
            }
        } else {
            SourceFile {
                text,
                invalid_utf8_at: None,
                too_large: None,
            }
        };
        self.insert_file(path, file);
    }

    pub fn remove_file(&mut self, path: &Path) {
        if self.files.remove(path).is_some() {
            self.paths_id = next_config_id();
        }
    }

    fn insert_file(&mut self, path: PathBuf, file: SourceFile) {
        if self.files.insert(path, file).is_none() {
            self.paths_id = next_config_id();
        }
    }

    /// Replace the configuration with `tplc.toml`'s text (`None`: no file, defaults).
    pub fn set_config_text(&mut self, text: Option<String>) {
        let (config, diags) = match text {
            Some(t) => Config::parse(&t),
            None => (Config::default(), Vec::new()),
        };
        self.schema = Arc::new(Schema::from_config(&config));
        self.config = config;
        self.config_diagnostics = diags;
        self.config_id = next_config_id();
    }

    /// What analyses keep of each file: [`Keep::Everything`] (the default) for an
    /// editor, [`Keep::Diagnostics`] for a batch run over a catalogue.
    pub fn set_keep(&mut self, keep: Keep) {
        if self.keep != keep {
            self.keep = keep;
            self.config_id = next_config_id();
        }
    }

    /// Analyse every file.
    pub fn analyze(&self) -> Analysis {
        analysis::run(self, None, None)
    }

    /// Analyse every file, reusing what `cache` holds from earlier analyses of this
    /// workspace where its inputs are unchanged: after an edit, only the edited file and
    /// the templates that include it are checked again. The answer is the same as
    /// [`Workspace::analyze`]'s.
    pub fn analyze_incremental(&self, cache: &mut AnalysisCache) -> Analysis {
        analysis::run(self, None, Some(cache))
    }

    /// Analyse the whole project but return only `paths` (project-wide rules still see
    /// every file; this saves building results nobody reads).
    pub fn analyze_only(&self, paths: &[PathBuf]) -> Analysis {
        analysis::run(self, Some(paths), None)
    }
}

mod analysis;

/// The answer for a whole workspace.
#[derive(Clone, Debug, Default)]
pub struct Analysis {
    pub files: BTreeMap<PathBuf, FileAnalysis>,
    /// Problems in `tplc.toml` (spans into its text).
    pub config_diagnostics: Vec<Diagnostic>,
}

impl Analysis {
    pub fn error_count(&self) -> usize {
        self.all().filter(|d| d.severity == Severity::Error).count()
    }
    pub fn warning_count(&self) -> usize {
        self.all()
            .filter(|d| d.severity == Severity::Warning)
            .count()
    }
    fn all(&self) -> impl Iterator<Item = &Diagnostic> {
        self.files
            .values()
            .flat_map(|f| f.diagnostics.iter())
            .chain(&self.config_diagnostics)
    }
}

/// The answer for one file.
#[derive(Clone, Debug)]
pub struct FileAnalysis {
    pub path: PathBuf,
    pub source: Arc<str>,
    /// The syntax tree, when the analysis kept it ([`Keep`]): see [`FileAnalysis::template`].
    tree: Option<Arc<Template>>,
    /// Shared: analyses of an unchanged file hand out the same facts.
    pub facts: Arc<tplc_check::Facts>,
    pub is_partial: bool,
    /// Final: sorted, suppressions and configured severities applied, `off` rules removed.
    pub diagnostics: Vec<Diagnostic>,
}

impl FileAnalysis {
    /// The syntax tree: the one kept, else `source` parsed again (same tree: parsing is a
    /// function of the text).
    pub fn template(&self) -> Arc<Template> {
        kept_or_parsed(&self.tree, &self.source)
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }
}

/// The tree kept of `source`, else `source` parsed again ([`Keep::Diagnostics`]).
fn kept_or_parsed(kept: &Option<Arc<Template>>, source: &str) -> Arc<Template> {
    match kept {
        Some(t) => t.clone(),
        None => Arc::new(tplc_syntax::parse(source).template),
    }
}

/// A diagnostic spanning the first `n` bytes: used for whole-file problems.
fn file_start() -> Span {
    Span::new(0, 0)
}

#[cfg(test)]
mod tidy {
    //! Repository conventions nobody should have to remember.

    #[test]
    fn every_code_is_kebab_case_documented_and_indexed() {
        let index = include_str!("../../../docs/diagnostics.md");
        for c in super::all_codes() {
            assert!(
                c.code
                    .chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-')
                    && !c.code.starts_with('-'),
                "{} is not kebab-case",
                c.code
            );
            assert!(
                c.explanation
                    .trim_start()
                    .starts_with(&format!("# {}", c.code)),
                "{}: its page must start with `# {}`",
                c.code,
                c.code
            );
            assert!(
                index.contains(&format!("`{}`", c.code)),
                "{} is missing from docs/diagnostics.md",
                c.code
            );
            assert!(!c.summary.is_empty());
        }
    }
}
