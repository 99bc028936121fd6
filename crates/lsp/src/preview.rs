//! `tplc.preview`: the open template rendered as text and HTML with sample data.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use tplc_project::{Analysis, FileAnalysis};
use tplc_schema::Schema;
use tplc_syntax::Template;

/// Finds partials among the analysed files, the way the engine resolves includes.
pub struct AnalysisIncludes<'a> {
    pub root: &'a Path,
    pub analysis: &'a Analysis,
}

impl tplc_compile::Includes for AnalysisIncludes<'_> {
    fn get(&self, from: &Path, name: &str) -> Option<(Arc<Template>, Arc<str>, PathBuf)> {
        let cands = tplc_project::include_candidates(self.root, from, name).ok()?;
        cands.into_iter().find_map(|c| {
            let f = self.analysis.files.get(&c)?;
            Some((f.template(), f.source.clone(), c))
        })
    }
}

/// The JSON result of the command: `{ subject, text, html }`.
pub fn preview(
    file: &FileAnalysis,
    schema: &Schema,
    root: &Path,
    analysis: &Analysis,
) -> Result<serde_json::Value, String> {
    let includes = AnalysisIncludes { root, analysis };
    let p = tplc_compile::preview(file, schema, &includes)?;
    serde_json::to_value(p).map_err(|e| e.to_string())
}
