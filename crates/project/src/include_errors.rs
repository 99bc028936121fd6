//! Problems a template inherits from the partials it includes, and characters that must
//! never reach a buyer.

use crate::includes::{display, IncludeEdge};
use crate::{FileAnalysis, CONTROL_CHARACTER, INCLUDE_ERROR};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tplc_diagnostics::{Diagnostic, Fix, Label, Span, TextEdit};

/// Put an `include-error` on every include tag whose partial (or a partial it includes)
/// has errors, so checking or building the including template alone fails too.
pub(crate) fn add(
    root: &Path,
    graph: &BTreeMap<PathBuf, Vec<IncludeEdge>>,
    own_errors: &dyn Fn(&Path) -> usize,
    files: &mut BTreeMap<PathBuf, FileAnalysis>,
) {
    let mut memo: BTreeMap<PathBuf, (usize, PathBuf)> = BTreeMap::new();
    for (path, file) in files.iter_mut() {
        let Some(edges) = graph.get(path) else {
            continue;
        };
        let mut added = false;
        for e in edges {
            let Some(target) = &e.target else { continue };
            // The include that closes a cycle already says so.
            if file
                .diagnostics
                .iter()
                .any(|d| d.code == crate::INCLUDE_CYCLE && d.span == e.span)
            {
                continue;
            }
            let (n, culprit) = errors_below(target, graph, own_errors, &mut memo);
            if n == 0 {
                continue;
            }
            let what = if n == 1 {
                "1 error".to_string()
            } else {
                format!("{n} errors")
            };
            file.diagnostics.push(
                Diagnostic::error(
                    INCLUDE_ERROR,
                    e.span,
                    format!("the partial `{}` has {what}: fix it first", e.name),
                )
                .with_label(Label::in_file(
                    culprit.clone(),
                    Span::empty(0),
                    format!("{} reports the error(s)", display(root, &culprit)),
                )),
            );
            added = true;
        }
        if added {
            tplc_diagnostics::sort(&mut file.diagnostics);
        }
    }
}

/// Errors in `p` and in every partial reachable from it, each file counted once (a cycle's
/// own `include-cycle` error is among the errors of the file that closes it). Iterative,
/// so a long include chain cannot exhaust the stack.
fn errors_below(
    p: &Path,
    graph: &BTreeMap<PathBuf, Vec<IncludeEdge>>,
    own_errors: &dyn Fn(&Path) -> usize,
    memo: &mut BTreeMap<PathBuf, (usize, PathBuf)>,
) -> (usize, PathBuf) {
    if let Some(hit) = memo.get(p) {
        return hit.clone();
    }
    let mut culprit = p.to_path_buf();
    let mut found = false;
    let mut seen: std::collections::BTreeSet<&Path> = std::collections::BTreeSet::new();
    let mut stack: Vec<&Path> = vec![p];
    let mut n = 0;
    while let Some(f) = stack.pop() {
        if !seen.insert(f) {
            continue;
        }
        let own = own_errors(f);
        if own > 0 && !found {
            culprit = f.to_path_buf();
            found = true;
        }
        n += own;
        for e in graph.get(f).into_iter().flatten() {
            if let Some(t) = &e.target {
                stack.push(t);
            }
        }
    }
    memo.insert(p.to_path_buf(), (n, culprit.clone()));
    (n, culprit)
}

/// Report NUL and other C0 control characters (tab, line feed and carriage return
/// excepted), which would be sent to the buyer as they are.
pub(crate) fn control_characters(text: &str, diags: &mut Vec<Diagnostic>) {
    let mut found = text.char_indices().filter(|(_, c)| {
        (c.is_control() && !matches!(c, '\t' | '\n' | '\r') && (*c as u32) < 0x80) || *c == '\u{7f}'
    });
    let Some((first, c)) = found.next() else {
        return;
    };
    let more = found.count();
    let span = Span::new(first, first + c.len_utf8());
    let extra = if more > 0 {
        format!(" (and {more} more)")
    } else {
        String::new()
    };
    diags.push(
        Diagnostic::error(
            CONTROL_CHARACTER,
            span,
            format!(
                "invisible control character U+{:04X}{extra} would be sent to the buyer: delete it",
                c as u32
            ),
        )
        .with_fix(Fix::safe(
            "Delete the control character",
            vec![TextEdit::delete(span)],
        )),
    );
}
