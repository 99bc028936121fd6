//! At most [`MAX_DIAGNOSTICS_PER_FILE`] diagnostics per file, then one that says how many
//! more there are. A file of a million stray `{{` has two million problems; listing them
//! all cost minutes and gigabytes in every front end, and helps no one.

pub use tplc_diagnostics::MAX_DIAGNOSTICS_PER_FILE;
use tplc_diagnostics::{Diagnostic, Severity, Span};

pub const TOO_MANY_DIAGNOSTICS: &str = "too-many-diagnostics";

/// Keep the first [`MAX_DIAGNOSTICS_PER_FILE`] of `diags` (sorted by position), errors
/// before warnings so a file with errors still fails, and add one warning in place of the
/// rest, at the first one left out. `unlisted` problems were already only counted by the
/// parser (each an error).
pub(crate) fn cap(diags: &mut Vec<Diagnostic>, unlisted: usize) {
    if diags.len() <= MAX_DIAGNOSTICS_PER_FILE && unlisted == 0 {
        return;
    }
    // Stable: within a severity, the order by position is kept.
    let mut order: Vec<usize> = (0..diags.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(diags[i].severity));
    let kept = diags.len().min(MAX_DIAGNOSTICS_PER_FILE);
    let mut keep = vec![false; diags.len()];
    for &i in &order[..kept] {
        keep[i] = true;
    }
    let hidden = diags.len() - kept + unlisted;
    let hidden_errors = unlisted
        + order[kept..]
            .iter()
            .filter(|&&i| diags[i].severity == Severity::Error)
            .count();
    // At the first one left out; past the last one listed when the parser left them out.
    let at = match keep.iter().position(|k| !k) {
        Some(i) => diags[i].span,
        None => diags
            .last()
            .map_or(Span::empty(0), |d| Span::empty(d.span.end)),
    };
    let mut i = 0;
    diags.retain(|_| {
        i += 1;
        keep[i - 1]
    });
    diags.push(Diagnostic::warning(
        TOO_MANY_DIAGNOSTICS,
        at,
        format!(
            "{hidden} more problems in this file are not shown ({hidden_errors} of them errors): only the first {MAX_DIAGNOSTICS_PER_FILE} are listed; fix those and check again"
        ),
    ));
    tplc_diagnostics::sort(diags);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_with_too_many_problems_lists_the_first_and_counts_the_rest() {
        let mut diags: Vec<Diagnostic> = (0..MAX_DIAGNOSTICS_PER_FILE + 500)
            .map(|i| Diagnostic::warning("emoji", Span::new(i, i + 1), "w"))
            .collect();
        // One error at the very end must survive the cap.
        let last = diags.len();
        diags.push(Diagnostic::error(
            "syntax-error",
            Span::new(last, last + 1),
            "e",
        ));
        cap(&mut diags, 0);
        assert_eq!(diags.len(), MAX_DIAGNOSTICS_PER_FILE + 1);
        assert!(diags.iter().any(|d| d.severity == Severity::Error));
        let summary: Vec<&Diagnostic> = diags
            .iter()
            .filter(|d| d.code == TOO_MANY_DIAGNOSTICS)
            .collect();
        assert_eq!(summary.len(), 1);
        assert!(
            summary[0].message.starts_with("501 more problems"),
            "{}",
            summary[0].message
        );
        assert!(summary[0].message.contains("(0 of them errors)"));
        assert_eq!(
            summary[0].span,
            Span::new(999, 1000),
            "at the first one left out"
        );
    }

    #[test]
    fn a_file_at_the_limit_is_left_alone() {
        let mut diags: Vec<Diagnostic> = (0..MAX_DIAGNOSTICS_PER_FILE)
            .map(|i| Diagnostic::error("syntax-error", Span::new(i, i), "e"))
            .collect();
        let before = diags.clone();
        cap(&mut diags, 0);
        assert_eq!(diags, before);
        // Problems the parser only counted are reported all the same.
        cap(&mut diags, 7);
        assert_eq!(diags.len(), MAX_DIAGNOSTICS_PER_FILE + 1);
        let last = diags.last().unwrap();
        assert_eq!(last.code, TOO_MANY_DIAGNOSTICS);
        assert!(
            last.message.starts_with("7 more problems"),
            "{}",
            last.message
        );
        assert!(last.message.contains("(7 of them errors)"));
    }
}
