//! A template's file name becomes its artifacts' names (`tplc build`), so a name that
//! cannot be a safe output name is reported by every command, not only by the build.

use crate::file_start;
use std::path::Path;
use tplc_diagnostics::Diagnostic;

/// Report `path` when it lies under `root` but cannot name an output file
/// ([`tplc_output::names`]). Files outside the root (an editor may open any file) are
/// never built from this project, so nothing is said about them.
pub(crate) fn check(root: &Path, path: &Path, out: &mut Vec<Diagnostic>) {
    if !path.starts_with(root) {
        return;
    }
    if let Err(e) = tplc_output::output_name(root, path) {
        out.push(Diagnostic::error(
            crate::UNSAFE_FILE_NAME,
            file_start(),
            format!(
                "this template's path cannot name its built files: {e}; rename it with letters, digits, `-`, `_` and `.`"
            ),
        ));
    }
}
