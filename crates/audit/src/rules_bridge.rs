//! The one place the audit calls the compliance rules of `tplc-rules`, so the rules that
//! check templates are exactly the rules that check sent messages.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use tplc_diagnostics::{CodeInfo, Diagnostic};
use tplc_syntax::Template;

// Rule codes the audit refers to by name (mapping Amazon's stated reasons to rules).
pub use tplc_rules::{
    CONDITIONAL_PROBLEM_CONTACT, CONDITIONAL_REVIEW_ASK, CONTACT_INFO, EMOJI, EXTERNAL_LINK,
    IMPORTANT_SUBJECT, MARKETING, REVIEW_CHANGE_REQUEST, REVIEW_GATING, REVIEW_INCENTIVE,
    SENTIMENT_WORD,
};

/// Rules about templates or whole projects (schedules, translations, `{% if %}` gating,
/// suppression comments): they never fire on a sent message, so the appeal report does not
/// claim them as checked.
const TEMPLATE_ONLY: &[&str] = &[
    tplc_rules::REVIEW_GATING,
    tplc_rules::LOCALE_MISMATCH,
    tplc_rules::TOO_MANY_MESSAGES,
    tplc_rules::DUPLICATE_REVIEW_REQUEST,
    tplc_rules::SEND_WINDOW,
    tplc_rules::LOCALE_PARITY,
    tplc_rules::BAD_SUPPRESSION,
    tplc_rules::UNKNOWN_SUPPRESSION,
    tplc_rules::UNUSED_SUPPRESSION,
];

/// Checks the text of one message. The audit takes this as a parameter so its own logic
/// can be tested apart from the rules.
pub trait MessageChecker {
    fn check(
        &self,
        subject: Option<&str>,
        body: &str,
        locale: Option<&str>,
        kind: Option<&str>,
    ) -> Vec<Diagnostic>;
    fn detect_locale(&self, text: &str) -> Option<&'static str>;
    /// Every rule the checker applies to a message (listed in the appeal report).
    fn codes(&self) -> Vec<&'static CodeInfo>;
}

/// The real compliance rules.
#[derive(Clone, Copy, Debug, Default)]
pub struct Rules;

impl MessageChecker for Rules {
    fn check(
        &self,
        subject: Option<&str>,
        body: &str,
        locale: Option<&str>,
        kind: Option<&str>,
    ) -> Vec<Diagnostic> {
        tplc_rules::check_message_text(subject, body, locale, kind)
    }

    fn detect_locale(&self, text: &str) -> Option<&'static str> {
        tplc_rules::detect_locale(text)
    }

    fn codes(&self) -> Vec<&'static CodeInfo> {
        tplc_rules::CODES
            .iter()
            .filter(|c| !TEMPLATE_ONLY.contains(&c.code))
            .collect()
    }
}

/// The compliance codes a template reports today, with its partials included, sorted and
/// without repeats. Includes resolve as the compiler resolves them
/// ([`tplc_project::include_candidates`], relative to the including file, then from the
/// template's folder); a partial whose real path leaves that folder is never read.
pub fn template_codes(template: &Template, source: &str, path: &Path) -> Vec<&'static str> {
    let root = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let real_root = root.canonicalize().ok();
    let resolve =
        move |from: Option<&Path>, name: &str| -> Option<(Arc<Template>, Arc<str>, PathBuf)> {
            let candidates =
                tplc_project::include_candidates(&root, from.unwrap_or(path), name).ok()?;
            let file = candidates.into_iter().find(|c| {
                c.canonicalize().is_ok_and(|real| {
                    real.is_file() && real_root.as_ref().is_some_and(|r| real.starts_with(r))
                })
            })?;
            let src = std::fs::read_to_string(&file).ok()?;
            let parsed = tplc_syntax::parse(&src);
            Some((Arc::new(parsed.template), Arc::from(src), file))
        };
    let mut codes: Vec<&'static str> = tplc_rules::check_template(
        template,
        source,
        &resolve,
        &tplc_rules::RulesConfig::default(),
    )
    .into_iter()
    .map(|d| d.code)
    .collect();
    codes.sort_unstable();
    codes.dedup();
    codes
}
