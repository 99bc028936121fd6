//! Amazon's buyer-messaging policy as static checks over templates.
//!
//! A template is read as prose (what a buyer would see, every branch included, partials
//! inlined), normalised against evasions, and scanned once per text variant by one
//! automaton per locale (word lists in `crates/rules/lexicons/<locale>.toml`). Sentence
//! rules then combine the hits: a condition marker and a review ask in one sentence is a
//! `conditional-review-ask`, and so on. Project-wide rules look at the headers of all
//! templates together; [`apply_suppressions`] honours `{# tplc-allow: code -- reason #}`.

mod analyze;
pub mod codes;
mod detect;
pub mod lexicon;
mod project;
mod prose;
mod suppress;
pub mod text;
mod variant;

pub use codes::*;
pub use detect::detect_locale;
pub use project::{check_project, MessageSummary, ProjectTemplate};
pub use prose::{IncludeResolver, NoIncludes, MAX_LIST_ITEMS};
pub use suppress::apply_suppressions;

use analyze::{FileInfo, Input};
use lexicon::{base_locale, lexicon_with, Cat};
use std::collections::BTreeMap;
use std::sync::Arc;
use text::{Mapped, Origin};
use tplc_diagnostics::{Diagnostic, Fix, Severity, Span, TextEdit};
use tplc_syntax::Template;

/// Settings of the compliance rules (from the project configuration).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RulesConfig {
    /// Most proactive messages scheduled per order (`too-many-messages`).
    pub max_messages: usize,
    /// Extra lexicon entries: locale (`en`, `de`...) → category (`sentiment`, `condition`,
    /// `review`, `problem`, `contact`, `incentive`, `marketing`, `not_sentiment`...) → words,
    /// in the syntax of the bundled lexicon files.
    pub extra_words: BTreeMap<String, BTreeMap<String, Vec<String>>>,
}

impl Default for RulesConfig {
    fn default() -> Self {
        RulesConfig {
            max_messages: 2,
            extra_words: BTreeMap::new(),
        }
    }
}

/// Kinds Amazon treats as replies, not proactive messages.
pub fn is_proactive(kind: &str) -> bool {
    kind != "reply"
}

/// SP-API `text` limit for a message kind.
pub fn max_chars(kind: &str) -> usize {
    match kind {
        "customization" => 800,
        "digital_access_key" => 400,
        _ => 2000,
    }
}

/// Run every per-template compliance rule.
pub fn check_template(
    template: &Template,
    source: &str,
    includes: &dyn IncludeResolver,
    cfg: &RulesConfig,
) -> Vec<Diagnostic> {
    let header = template.header.as_ref();
    let kind = header
        .and_then(|h| h.kind.as_ref())
        .map(|k| k.node.as_str());
    let locale_decl = header
        .and_then(|h| h.locale.as_ref())
        .map(|l| l.node.as_str());
    let locale = base_locale(locale_decl);
    let lex = lexicon_with(locale, &cfg.extra_words);

    let mut builder = prose::Builder::new(source, includes);
    let windows = builder.windows(&template.body);
    let subject = header.and_then(|h| h.subject.as_ref()).map(|s| {
        let mut sub = builder.paths(&s.nodes);
        sub.truncate(1);
        sub.pop().unwrap_or_default()
    });
    let gates = prose::gates(&template.body);
    // locale-mismatch reads the literal text of the first variant; taken before the
    // variants move into the analysis, and only when a locale is declared.
    let first_literal = locale_decl.map(|_| prose::first_literal(&windows));
    let mut diags = analyze::check(&Input {
        subject,
        windows,
        kind,
        lex: &lex,
        files: &builder.files,
        gates: &gates,
    });

    if let (Some(h), Some(kind)) = (header, kind) {
        let at = h.kind.as_ref().map(|k| k.span).unwrap_or(h.span);
        // missing-order-id
        if is_proactive(kind) && !builder.prints_order_id {
            let insert = format!("{} {{{{ order.id }}}}\n\n", order_word(locale));
            diags.push(
                Diagnostic::error(
                    MISSING_ORDER_ID,
                    at,
                    format!("this proactive `{kind}` message never prints `{{{{ order.id }}}}`; Amazon requires the order id in every proactive message, so add it"),
                )
                .with_fix(Fix::unsafe_("Add the order id at the top of the body", vec![TextEdit::insert(template.body_start.min(source.len()), insert)])),
            );
        }
        // message-too-long: an error when even a one-item order overflows (the text itself
        // is too long); a warning when only a large order with maximal values would.
        let (bound, single) = builder.max_lens(&template.body, 0, 0);
        let limit = max_chars(kind);
        // Loops nested in loops multiply: past a million characters the exact bound says
        // nothing more (and saturates at the integer limit).
        let amount = |n: usize| {
            if n > 1_000_000 {
                "over a million".to_string()
            } else {
                format!("up to {n}")
            }
        };
        if bound > limit {
            let body = Span::new(template.body_start.min(source.len()), source.len());
            let (severity, message) = if single > limit {
                (
                    Severity::Error,
                    format!("a `{kind}` message can render {} characters even for a one-item order, over Amazon's {limit}-character limit; shorten the text", amount(single)),
                )
            } else {
                (
                    Severity::Warning,
                    format!("a `{kind}` message can render {} characters for an order of {MAX_LIST_ITEMS} items, over Amazon's {limit}-character limit; print fewer items or shorter values (a one-item order stays within {single})", amount(bound)),
                )
            };
            diags.push(
                Diagnostic::new(MESSAGE_TOO_LONG, severity, at, message)
                    .with_label(tplc_diagnostics::Label::new(body, "the body"))
                    .with_help(format!("Placeholders count at their documented maximum length and lists at {MAX_LIST_ITEMS} items.")),
            );
        }
    }
    if builder.truncated {
        let at = header.map(|h| h.span).unwrap_or_default();
        diags.push(
            Diagnostic::warning(
                TOO_LONG_TO_CHECK,
                at,
                format!("the text of this message, read with every branch and partial, is over what the compliance rules read ({} MiB of text, {} MiB of partials), so part of it was not checked: shorten the text or split it into separate templates", prose::MAX_PROSE_BYTES >> 20, prose::MAX_INLINED_BYTES >> 20),
            )
            .with_help("Every Amazon message is at most 2,000 characters; text this long is usually data pasted into a template by mistake."),
        );
    }
    // locale-mismatch, on the literal text of the first variant.
    if let (Some(h), Some(decl), Some(first_literal)) = (header, locale_decl, first_literal) {
        if let Some(found) = detect_locale(&first_literal) {
            if found != locale && lexicon::LOCALES.contains(&base_lang(decl).as_str()) {
                let span = h.locale.as_ref().map(|l| l.span).unwrap_or(h.span);
                diags.push(Diagnostic::warning(
                    LOCALE_MISMATCH,
                    span,
                    format!("the locale is `{decl}` but the text reads as {}; translate the text or declare `locale: {found}`", lang_name(found)),
                ));
            }
        }
    }
    tplc_diagnostics::sort(&mut diags);
    diags
}

fn base_lang(l: &str) -> String {
    l.split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

fn lang_name(l: &str) -> &'static str {
    match l {
        "de" => "German",
        "fr" => "French",
        "es" => "Spanish",
        "it" => "Italian",
        "ja" => "Japanese",
        _ => "English",
    }
}

fn order_word(locale: &str) -> &'static str {
    match locale {
        "de" => "Bestellung",
        "fr" => "Commande",
        "es" => "Pedido",
        "it" => "Ordine",
        "ja" => "注文番号",
        _ => "Order",
    }
}

/// Check the plain text of a message already sent (an e-mail body), as `tplc audit` does.
/// Spans point into `body`; findings in the subject are reported at `Span 0..0` with the
/// subject words quoted in the message.
pub fn check_message_text(
    subject: Option<&str>,
    body: &str,
    locale: Option<&str>,
    kind: Option<&str>,
) -> Vec<Diagnostic> {
    let locale = match locale {
        Some(l) => base_locale(Some(l)),
        None => detect_locale(body).unwrap_or("en"),
    };
    let lex = lexicon_with(locale, &BTreeMap::new());
    // The sentence rules read as much of a message as of a template; the length and
    // order-id checks below still see all of it.
    let read = readable_prefix(body, prose::MAX_PROSE_BYTES);
    let mut body_text = Mapped::with_capacity(read.len());
    for (b, c) in read.char_indices() {
        body_text.push(c, Origin::new(0, b, b + c.len_utf8()));
    }
    // The subject lives in a second "file" whose spans collapse to 0..0.
    let files = vec![
        FileInfo {
            path: None,
            text: Arc::from(body),
            include_tag: Span::default(),
        },
        FileInfo {
            path: None,
            text: Arc::from(subject.unwrap_or("")),
            include_tag: Span::empty(0),
        },
    ];
    let subject_text = subject.map(|s| {
        let mut m = Mapped::default();
        for (b, c) in s.char_indices() {
            m.push(c, Origin::new(1, b, b + c.len_utf8()));
        }
        m
    });
    let mut diags = analyze::check(&Input {
        subject: subject_text,
        windows: vec![vec![body_text]],
        kind,
        lex: &lex,
        files: &files,
        gates: &[],
    });
    if read.len() < body.len() {
        diags.push(Diagnostic::warning(
            TOO_LONG_TO_CHECK,
            Span::new(read.len(), body.len()),
            format!("this message's text is over {} MiB; the compliance rules read the first {} MiB, so the rest was not checked", prose::MAX_PROSE_BYTES >> 20, prose::MAX_PROSE_BYTES >> 20),
        ));
    }
    // Subject labels point into no file: drop them (the message quotes the words).
    for d in &mut diags {
        if d.span == Span::empty(0) {
            d.labels.retain(|l| l.file.is_some());
        }
    }
    if let Some(kind) = kind {
        if is_proactive(kind) && !contains_order_id(body) && !subject.is_some_and(contains_order_id)
        {
            diags.push(Diagnostic::error(
                MISSING_ORDER_ID,
                Span::empty(0),
                format!("this proactive `{kind}` message does not contain an order id (3-7-7 digits); Amazon requires it in every proactive message"),
            ));
        }
        let n = body.chars().count();
        if n > max_chars(kind) {
            diags.push(Diagnostic::error(
                MESSAGE_TOO_LONG,
                Span::new(0, body.len()),
                format!("the text has {n} characters, over Amazon's {}-character limit for `{kind}`; shorten it", max_chars(kind)),
            ));
        }
    }
    tplc_diagnostics::sort(&mut diags);
    diags
}

/// Whether `s` holds an Amazon order id like 123-1234567-1234567.
fn contains_order_id(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| r.clone().all(|i| b.get(i).is_some_and(u8::is_ascii_digit));
    (0..b.len().saturating_sub(18)).any(|i| {
        digits(i..i + 3)
            && b[i + 3] == b'-'
            && digits(i + 4..i + 11)
            && b[i + 11] == b'-'
            && digits(i + 12..i + 19)
            && (i == 0 || !b[i - 1].is_ascii_digit())
            && !b.get(i + 19).is_some_and(u8::is_ascii_digit)
    })
}

/// For editor hover: the rule a word at `offset` of `text` would trigger, with the
/// category it belongs to (`sentiment`, `condition`...).
pub fn hover_word(
    text: &str,
    offset: usize,
    locale: Option<&str>,
) -> Option<(&'static str, &'static str, Span)> {
    let lex = lexicon_with(base_locale(locale), &BTreeMap::new());
    let mut m = Mapped::default();
    for (b, c) in text.char_indices() {
        m.push(c, Origin::new(0, b, b + c.len_utf8()));
    }
    let n = text::normalize(&m);
    for h in lex.scan(&n.text) {
        let o = text::cover(n.origins_of(h.start, h.end));
        let span = Span::new(o.start as usize, o.end as usize);
        if span.start <= offset && offset <= span.end {
            let code = match h.cat {
                Cat::Sentiment => SENTIMENT_WORD,
                Cat::Condition => CONDITIONAL_REVIEW_ASK,
                Cat::Incentive => REVIEW_INCENTIVE,
                Cat::Marketing => MARKETING,
                Cat::Problem | Cat::Contact => CONDITIONAL_PROBLEM_CONTACT,
                Cat::Change | Cat::ReviewObject => REVIEW_CHANGE_REQUEST,
                Cat::Important => IMPORTANT_SUBJECT,
                _ => continue,
            };
            return Some((code, h.cat.name(), span));
        }
    }
    None
}

/// Severity a code has unless configured otherwise.
pub fn default_severity(code: &str) -> Option<Severity> {
    CODES
        .iter()
        .find(|c| c.code == code)
        .map(|c| c.default_severity)
}

/// The longest start of `text` within `max` bytes that ends at a white space (or at a
/// character boundary when there is none), so no word is cut in two.
fn readable_prefix(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let cut = &text[..end];
    match cut.rfind(char::is_whitespace) {
        Some(at) if at > 0 => &cut[..at],
        _ => cut,
    }
}
