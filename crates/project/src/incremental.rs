//! What [`Workspace::analyze_incremental`] keeps between analyses.
//!
//! Per file, keyed so that a stale entry is never reused:
//! - the first pass (parse, type check, include tags), valid while the file's text and the
//!   configuration are the same;
//! - the per-template rules' findings, valid while the first pass is the same and every
//!   partial the rules looked up resolves to the same file with the same parsed template;
//! - the final diagnostics, valid while all of the above hold and the include and
//!   project-wide findings for the file are equal.
//!
//! A change of `tplc.toml` (or the schema it declares) or of the project root drops
//! everything; removed and changed files lose their entries at the next analysis.

use crate::analysis::{DoneMemo, FirstPass, RulesMemo};
use crate::includes::IncludeEdge;
use crate::{SourceFile, Workspace};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tplc_diagnostics::Diagnostic;

/// Results of earlier analyses of one workspace, reused by the next one.
#[derive(Default)]
pub struct AnalysisCache {
    /// The project root and configuration the entries were computed with.
    key: Option<(PathBuf, u64)>,
    pub(crate) files: HashMap<PathBuf, Entry>,
    pub(crate) last: CacheStats,
}

/// How much of the last analysis was done again rather than taken from the cache.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Files parsed and type-checked.
    pub parsed: usize,
    /// Templates whose per-template compliance rules ran.
    pub checked: usize,
    /// Files whose final diagnostics were computed again (suppressions, levels).
    pub finished: usize,
}

impl std::fmt::Debug for AnalysisCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnalysisCache")
            .field("files", &self.files.len())
            .finish()
    }
}

pub(crate) struct Entry {
    /// The text the first pass read; held, so its address cannot be reused by new text.
    text: Arc<str>,
    invalid_utf8_at: Option<usize>,
    too_large: Option<u64>,
    first: Arc<FirstPass>,
    /// The file's include edges and missing-include findings, and the set of paths
    /// they were resolved against.
    pub(crate) includes: Option<(u64, Arc<Vec<IncludeEdge>>, Vec<Diagnostic>)>,
    pub(crate) rules: Option<RulesMemo>,
    pub(crate) done: Option<DoneMemo>,
}

impl AnalysisCache {
    /// Number of files with cached results.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// What the last analysis through this cache had to do again.
    pub fn last_run(&self) -> CacheStats {
        self.last
    }

    /// Forget entries computed under another configuration or root, and entries of files
    /// no longer in the workspace.
    pub(crate) fn prepare(&mut self, ws: &Workspace) {
        let key = (ws.root.clone(), ws.config_id);
        if self.key.as_ref() != Some(&key) {
            self.files.clear();
            self.key = Some(key);
        }
        self.files.retain(|p, _| ws.files.contains_key(p));
    }

    /// The cached first pass of `path`, when it was computed from this very file.
    pub(crate) fn first_pass(&self, path: &Path, file: &SourceFile) -> Option<Arc<FirstPass>> {
        let e = self.files.get(path)?;
        let same_text = Arc::ptr_eq(&e.text, &file.text) || e.text == file.text;
        (same_text && e.invalid_utf8_at == file.invalid_utf8_at && e.too_large == file.too_large)
            .then(|| e.first.clone())
    }

    /// A new first pass replaces the file's entry, and with it everything computed from
    /// the old text.
    pub(crate) fn store_first_pass(
        &mut self,
        path: &Path,
        file: &SourceFile,
        first: Arc<FirstPass>,
    ) {
        self.files.insert(
            path.to_path_buf(),
            Entry {
                text: file.text.clone(),
                invalid_utf8_at: file.invalid_utf8_at,
                too_large: file.too_large,
                first,
                includes: None,
                rules: None,
                done: None,
            },
        );
    }

    /// The include resolution of `path`, when made against today's set of paths.
    pub(crate) fn includes(
        &self,
        path: &Path,
        paths_id: u64,
    ) -> Option<(Arc<Vec<IncludeEdge>>, Vec<Diagnostic>)> {
        let (id, edges, diags) = self.files.get(path)?.includes.as_ref()?;
        (*id == paths_id).then(|| (edges.clone(), diags.clone()))
    }

    pub(crate) fn store_includes(
        &mut self,
        path: &Path,
        paths_id: u64,
        edges: Arc<Vec<IncludeEdge>>,
        diags: Vec<Diagnostic>,
    ) {
        if let Some(e) = self.files.get_mut(path) {
            e.includes = Some((paths_id, edges, diags));
        }
    }

    /// Keep what the per-file stage computed (`None`: the entry's value was reused).
    pub(crate) fn store_outcome(
        &mut self,
        path: &Path,
        rules: Option<RulesMemo>,
        done: Option<DoneMemo>,
    ) {
        if let Some(e) = self.files.get_mut(path) {
            if rules.is_some() {
                e.rules = rules;
            }
            if done.is_some() {
                e.done = done;
            }
        }
    }
}
