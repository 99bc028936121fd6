//! The server's state: the workspace (disk files plus open editor buffers), the open
//! documents with their versions, and the latest analysis.
//!
//! Every mutation happens synchronously under one `std::sync::Mutex`, inside the
//! notification handler, before it returns: edits are therefore applied exactly in the
//! order they were read from the connection. Each mutation bumps `generation`; an
//! analysis remembers the generation it was computed from and is published only if no
//! mutation happened since, so a stale result never replaces a newer one.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tower_lsp_server::ls_types as lsp;
use tplc_diagnostics::PositionEncoding;
use tplc_project::{Analysis, FileAnalysis, Workspace};

/// One document open in the editor.
#[derive(Clone, Debug)]
pub struct Document {
    pub uri: lsp::Uri,
    pub version: i32,
    pub text: String,
}

pub struct State {
    pub root: PathBuf,
    pub enc: PositionEncoding,
    pub workspace: Workspace,
    /// Open documents by path (the workspace key).
    pub docs: HashMap<PathBuf, Document>,
    /// Bumped by every change of a file, the configuration or the open set.
    pub generation: u64,
    /// The latest complete analysis and the generation it was computed from.
    pub analysis: Option<(u64, Arc<Analysis>)>,
    /// What was last published per file (to clear files whose problems went away, and to
    /// skip re-sending unchanged results for files that are not open).
    pub published: BTreeMap<PathBuf, Vec<lsp::Diagnostic>>,
    pub debounce_ms: u64,
    /// The editor's settings, laid under `tplc.toml` (see [`crate::settings`]).
    pub editor: crate::settings::EditorSettings,
    pub shutdown_requested: bool,
    /// Whether the client named the workspace folder (else it is found from the first
    /// file opened).
    pub root_given: bool,
    /// The last per-request analysis (generation, path), reused by the next request on
    /// the same text.
    request_cache: Option<(u64, PathBuf, FileAnalysis)>,
    /// Per-file results the background analysis reuses for files an edit did not affect.
    pub analysis_cache: tplc_project::AnalysisCache,
    /// The text, version and findings each file's last conversion was made from.
    pub published_from: HashMap<PathBuf, PublishedFrom>,
}

pub type PublishedFrom = (Arc<str>, Option<i32>, Vec<tplc_diagnostics::Diagnostic>);

impl State {
    pub fn new(root: PathBuf) -> State {
        State {
            workspace: Workspace::in_memory(root.clone()),
            root,
            enc: PositionEncoding::Utf16,
            docs: HashMap::new(),
            generation: 0,
            analysis: None,
            published: BTreeMap::new(),
            debounce_ms: 60,
            editor: Default::default(),
            shutdown_requested: false,
            root_given: false,
            request_cache: None,
            analysis_cache: Default::default(),
            published_from: HashMap::new(),
        }
    }

    /// Load every template and `tplc.toml` under `root` from disk, then lay the open
    /// buffers over them.
    pub fn load_root(&mut self, root: PathBuf) -> Result<(), String> {
        let reload = root == self.root && self.workspace.root() == root;
        let (mut ws, result) = match Workspace::load(&root) {
            Ok(ws) => (ws, Ok(())),
            // A folder caught mid-change: keep what was known; the next event retries.
            Err(e) if reload => (self.workspace.clone(), Err(e.to_string())),
            Err(e) => (Workspace::in_memory(root.clone()), Err(e.to_string())),
        };
        for (path, doc) in &self.docs {
            ws.set_file(path.clone(), Arc::from(doc.text.as_str()));
        }
        self.root = root;
        self.workspace = ws;
        if self.editor != Default::default() {
            self.reload_config();
        }
        self.bump();
        result
    }

    pub fn bump(&mut self) {
        self.generation += 1;
    }

    pub fn config_path(&self) -> PathBuf {
        self.root.join("tplc.toml")
    }

    /// Re-read `tplc.toml` from disk (absent: defaults), with the editor's settings
    /// filling what it leaves unset.
    pub fn reload_config(&mut self) {
        let text = std::fs::read_to_string(self.config_path()).ok();
        self.workspace
            .set_config_text(self.editor.config_text(text));
        self.bump();
    }

    /// A file changed on disk. Open buffers win over disk, so those are left alone.
    pub fn disk_changed(&mut self, path: &Path) {
        if path == self.config_path() {
            self.reload_config();
            return;
        }
        if !tplc_project::is_template(path) {
            // A folder appeared or went away: read the project again.
            if path.is_dir() || (!path.exists() && path.extension().is_none()) {
                let root = self.root.clone();
                let _ = self.load_root(root);
            }
            return;
        }
        if self.docs.contains_key(path) {
            return;
        }
        if path.is_file() {
            if self.workspace.read_file(path).is_err() {
                self.workspace.remove_file(path);
            }
        } else {
            self.workspace.remove_file(path);
        }
        self.bump();
    }

    pub fn open(&mut self, path: PathBuf, doc: Document) {
        self.workspace
            .set_file(path.clone(), Arc::from(doc.text.as_str()));
        self.docs.insert(path, doc);
        self.bump();
    }

    /// Closing a buffer reverts the file to what is on disk (or drops it).
    pub fn close(&mut self, path: &Path) {
        self.docs.remove(path);
        if path.is_file() && tplc_project::is_template(path) {
            if self.workspace.read_file(path).is_err() {
                self.workspace.remove_file(path);
            }
        } else {
            self.workspace.remove_file(path);
        }
        self.bump();
    }

    /// Apply content changes in order; `None` when the document is not open.
    pub fn change(
        &mut self,
        path: &Path,
        version: i32,
        changes: Vec<lsp::TextDocumentContentChangeEvent>,
    ) -> Option<()> {
        let enc = self.enc;
        let doc = self.docs.get_mut(path)?;
        for change in changes {
            match change.range {
                None => doc.text = change.text,
                Some(range) => {
                    let t = crate::convert::Text::new(&doc.text, enc);
                    let span = t.span(range);
                    doc.text.replace_range(span.start..span.end, &change.text);
                }
            }
        }
        doc.version = version;
        let text: Arc<str> = Arc::from(doc.text.as_str());
        self.workspace.set_file(path.to_path_buf(), text);
        self.bump();
        Some(())
    }

    /// The analysis of one file for the current text when one is already known (the
    /// latest analysis, or the last request's); `None`: analyse the current workspace.
    pub fn cached_file_analysis(&self, path: &Path) -> Option<FileAnalysis> {
        if let Some((gen, a)) = &self.analysis {
            if *gen == self.generation {
                return a.files.get(path).cloned();
            }
        }
        match &self.request_cache {
            Some((gen, p, fa)) if *gen == self.generation && p == path => Some(fa.clone()),
            _ => None,
        }
    }

    /// Keep a request's analysis of `path`, computed from `generation`, for the next
    /// request on the same text.
    pub fn remember_file_analysis(&mut self, generation: u64, path: PathBuf, fa: FileAnalysis) {
        if generation == self.generation {
            self.request_cache = Some((generation, path, fa));
        }
    }
}
