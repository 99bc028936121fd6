//! The per-message rules over the prose view: one automaton scan per text variant, then
//! every sentence-level rule reads the same hits.

use crate::codes::*;
use crate::lexicon::{Cat, Hit, Lexicon};
use crate::text::{
    char_at, cover, is_alnum, normalize, strip_markup, Link, Mapped, Origin, BREAK, PLACEHOLDER,
};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use tplc_diagnostics::{Diagnostic, Fix, Label, Severity, Span, TextEdit};
use unicode_normalization::UnicodeNormalization;

/// A file prose can come from: 0 is the checked file, the others are included partials.
#[derive(Clone, Debug)]
pub struct FileInfo {
    pub path: Option<PathBuf>,
    pub text: Arc<str>,
    /// Span, in the checked file, of the `{% include %}` that brought this file in.
    pub include_tag: Span,
}

/// An `{% if %}` branch body a review ask may sit in.
#[derive(Clone, Debug)]
pub struct Gate {
    /// The body's byte range in the checked file.
    pub body: Span,
    /// The tag that opens the branch.
    pub tag: Span,
    /// Whether the branch depends on rating/satisfaction/complaint data.
    pub sentiment: bool,
}

/// Everything the per-message rules need.
pub struct Input<'a> {
    pub subject: Option<Mapped>,
    /// The body in windows (stretches between top-level blank lines, see `prose`), each as
    /// its text variants (each branch as a continuation of the text before it). No
    /// sentence spans two windows.
    pub windows: Vec<Vec<Mapped>>,
    pub kind: Option<&'a str>,
    pub lex: &'a Lexicon,
    pub files: &'a [FileInfo],
    pub gates: &'a [Gate],
}

struct Analysed {
    prose: Mapped,
    norm: Mapped,
    links: Vec<Link>,
    hits: Vec<Hit>,
    sentences: Vec<(usize, usize)>,
    /// Whether the sentence just before the first one, in an earlier window, can ask for
    /// a review (see [`link_windows`]).
    review_before: bool,
    /// Whether the sentence just after the last one, in a later window, can.
    review_after: bool,
}

fn analyse(raw: &Mapped, lex: &Lexicon) -> Analysed {
    let (prose, links) = strip_markup(raw);
    let norm = normalize(&prose);
    let hits = lex.scan(&norm.text);
    let sentences = sentences(&norm.text);
    Analysed {
        prose,
        norm,
        links,
        hits,
        sentences,
        review_before: false,
        review_after: false,
    }
}

/// The incentive rule reads a sentence's neighbours, and the first and last sentences of
/// a window have theirs in the windows around it. Mark each window's variants with
/// whether some variant of the nearest window before it ends with a review ask (and of
/// the one after starts with one); a window that can render no sentence at all (an `{%
/// if %}` not taken) lets its own neighbours through.
fn link_windows(windows: &mut [Vec<Analysed>]) {
    let asks = |a: &Analysed, s: Option<&(usize, usize)>| {
        s.is_some_and(|&s| hits_in(&a.hits, Cat::Review, s).next().is_some())
    };
    let mut before = false;
    for w in windows.iter_mut() {
        w.iter_mut().for_each(|a| a.review_before = before);
        let ends = w.iter().any(|a| asks(a, a.sentences.last()));
        let empty = w.iter().any(|a| a.sentences.is_empty());
        before = ends || (empty && before);
    }
    let mut after = false;
    for w in windows.iter_mut().rev() {
        w.iter_mut().for_each(|a| a.review_after = after);
        let starts = w.iter().any(|a| asks(a, a.sentences.first()));
        let empty = w.iter().any(|a| a.sentences.is_empty());
        after = starts || (empty && after);
    }
}

/// Sentence ranges: split after `.!?。！？` (a dot only before a space or the end, so
/// "example.com" and "10.5" stay whole) and at markup breaks.
pub fn sentences(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    // Only these bytes start a character that can end a sentence: ASCII marks, and the
    // first bytes of '。' (E3), '！' and '？' (EF), and BREAK (E2).
    let b = text.as_bytes();
    let mut from = 0;
    while let Some(k) = b[from..]
        .iter()
        .position(|x| matches!(x, b'!' | b'?' | b'.' | 0xE2 | 0xE3 | 0xEF))
    {
        let i = from + k;
        let Some(c) = char_at(text, i) else { break };
        from = i + c.len_utf8();
        let end = match c {
            '!' | '?' | '。' | '！' | '？' | BREAK => true,
            '.' => char_at(text, from).is_none_or(|n| n.is_whitespace() || n == BREAK || n == '"'),
            _ => false,
        };
        if end {
            let stop = from;
            if text[start..stop]
                .trim_matches(|c: char| c.is_whitespace() || c == BREAK)
                .chars()
                .any(is_alnum)
            {
                out.push((start, stop));
            }
            start = stop;
        }
    }
    if text[start..].chars().any(is_alnum) {
        out.push((start, text.len()));
    }
    out
}

type PendingFix = (String, Vec<(Vec<Origin>, String)>, bool);

/// A finding before it is turned into a diagnostic: spans still in normalised text.
struct Finding {
    code: &'static str,
    severity: Severity,
    origins: Vec<Origin>,
    message: String,
    help: Option<String>,
    labels: Vec<(Vec<Origin>, String)>,
    /// Title, edits (origins to replace, new text), whether safe.
    fixes: Vec<PendingFix>,
    /// When set, the message is built from the quoted words as written in the source.
    quote: Option<Quote>,
}

/// Words a message quotes: their origins, how the rules read them (normalised), and the
/// message around the rendered quote.
struct Quote {
    origins: Vec<Origin>,
    reads_as: String,
    message: Box<dyn Fn(&str) -> String>,
}

impl Finding {
    fn new(code: &'static str, severity: Severity, origins: &[Origin], message: String) -> Self {
        Finding {
            code,
            severity,
            origins: origins.to_vec(),
            message,
            help: None,
            labels: vec![],
            fixes: vec![],
            quote: None,
        }
    }

    /// A finding whose message quotes `origins` as the seller wrote them, adding how the
    /// rules read them when that differs ("ｇｏｏｄ" (reads as "good")). `message` gets the
    /// quote with its quotation marks.
    fn quoting(
        code: &'static str,
        severity: Severity,
        origins: &[Origin],
        quoted: &[Origin],
        reads_as: &str,
        message: impl Fn(&str) -> String + 'static,
    ) -> Self {
        let mut f = Finding::new(
            code,
            severity,
            origins,
            message(&quoted_text(None, reads_as)),
        );
        f.quote = Some(Quote {
            origins: quoted.to_vec(),
            reads_as: reads_as.to_string(),
            message: Box::new(message),
        });
        f
    }
}

/// At most this many characters of source text are quoted in a message.
const QUOTE_CHARS: usize = 60;

/// Source text made fit for a one-line message: whitespace runs become one space,
/// invisible characters are dropped, other control characters are escaped, and long
/// text is cut.
fn readable(s: &str) -> String {
    let mut out = String::new();
    let mut count = 0;
    let mut space = false;
    for c in s.trim().chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if crate::text::is_invisible(c) {
            continue;
        }
        if count >= QUOTE_CHARS {
            out.push('…');
            break;
        }
        if space {
            out.push(' ');
            count += 1;
            space = false;
        }
        // Bidirectional overrides and controls could reorder or hide the message text.
        if c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}') {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
        count += 1;
    }
    out
}

/// Case, spacing and typographic quotes are differences not worth a "reads as".
fn folded(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            '’' | '‘' | 'ʼ' | '`' | '´' | '′' => '\'',
            '“' | '”' | '„' | '«' | '»' => '"',
            c => c,
        })
        .collect()
}

/// `"written"`, or `"written" (reads as "normalised")` when the normalisation did more
/// than fold case and spacing.
fn quoted_text(written: Option<&str>, reads_as: &str) -> String {
    let norm = readable(reads_as);
    match written.map(readable).filter(|w| !w.is_empty()) {
        Some(w) if folded(&w) != folded(&norm) => format!("\"{w}\" (reads as \"{norm}\")"),
        Some(w) => format!("\"{w}\""),
        None => format!("\"{norm}\""),
    }
}

/// The source text a run of origins covers (in the file of the first origin).
fn written<'f>(origins: &[Origin], files: &'f [FileInfo]) -> Option<&'f str> {
    let c = cover(origins);
    if origins.is_empty() {
        return None;
    }
    files
        .get(c.file as usize)?
        .text
        .get(c.start as usize..c.end as usize)
}

/// Hits of `cat` inside sentence `s`. `hits` is sorted by start ([`Lexicon::scan`]), so
/// the sentence's hits are found by binary search: a scan of every hit per sentence made
/// large templates quadratic.
fn hits_in(hits: &[Hit], cat: Cat, s: (usize, usize)) -> impl Iterator<Item = &Hit> {
    debug_assert!(hits.windows(2).all(|w| w[0].start <= w[1].start));
    let first = hits.partition_point(|h| h.start < s.0);
    hits[first..]
        .iter()
        .take_while(move |h| h.start < s.1)
        .filter(move |h| h.cat == cat && h.end <= s.1)
}

fn word_count(t: &str) -> usize {
    t.split(|c: char| !is_alnum(c))
        .filter(|w| !w.is_empty())
        .count()
}

/// Run every per-message rule.
pub fn check(input: &Input) -> Vec<Diagnostic> {
    let lex = input.lex;
    let mut windows: Vec<Vec<Analysed>> = input
        .windows
        .iter()
        .map(|w| w.iter().map(|p| analyse(p, lex)).collect())
        .collect();
    link_windows(&mut windows);
    let paths: Vec<&Analysed> = windows.iter().flatten().collect();
    let subject = input.subject.as_ref().map(|s| analyse(s, lex));
    let all: Vec<&Analysed> = paths.iter().copied().chain(subject.iter()).collect();
    let kind = input.kind.unwrap_or("");
    let asks_review = kind == "review_request"
        || all
            .iter()
            .any(|a| a.hits.iter().any(|h| h.cat == Cat::Review));
    let mut out: Vec<Finding> = Vec::new();

    // Whether the message says anything besides problem-contact offers and greetings.
    let substance = all.iter().any(|a| {
        a.sentences.iter().any(|&s| {
            let words = word_count(&a.norm.text[s.0..s.1]);
            let greeting = words < 8 && hits_in(&a.hits, Cat::Greeting, s).next().is_some();
            words >= 3 && !greeting && !is_problem_contact(a, s)
        })
    });

    for a in &all {
        for (si, &s) in a.sentences.iter().enumerate() {
            sentence_rules(a, si, s, asks_review, substance, lex, &mut out);
        }
        if asks_review {
            for h in a.hits.iter().filter(|h| h.cat == Cat::Sentiment) {
                out.push(sentiment_finding(a, h, lex));
            }
        }
        links_rule(a, &mut out);
        contact_info(a, kind, &mut out);
        emoji(a, &mut out);
    }
    if let Some(sub) = &subject {
        let critical = matches!(
            kind,
            "order_issue"
                | "order_info_request"
                | "delivery"
                | "service_appointment"
                | "customization"
        );
        if !critical {
            // "[Important]" is written in English on every marketplace, so English counts too.
            let mut important: Vec<Hit> = sub
                .hits
                .iter()
                .copied()
                .filter(|h| h.cat == Cat::Important)
                .collect();
            if lex.locale != "en" {
                let en = crate::lexicon::lexicon("en");
                let more: Vec<Hit> = en
                    .scan(&sub.norm.text)
                    .into_iter()
                    .filter(|h| {
                        h.cat == Cat::Important
                            && !important.iter().any(|x| x.start < h.end && h.start < x.end)
                    })
                    .collect();
                important.extend(more);
            }
            for h in &important {
                let (s, e) = widen_brackets(&sub.norm.text, h.start, h.end);
                let which = if kind.is_empty() {
                    "this message".to_string()
                } else {
                    format!("a message of kind `{kind}`")
                };
                let mut f = Finding::quoting(
                    IMPORTANT_SUBJECT,
                    Severity::Error,
                    sub.norm.origins_of(h.start, h.end),
                    sub.norm.origins_of(h.start, h.end),
                    &sub.norm.text[h.start..h.end],
                    move |q| {
                        format!(
                        "the subject says {q} but {which} is not needed to complete the order; remove the word"
                    )
                    },
                );
                f.fixes.push((
                    "Remove it from the subject".into(),
                    vec![(sub.norm.origins_of(s, e).to_vec(), String::new())],
                    false,
                ));
                out.push(f);
            }
        }
    }
    // Review gating: a review ask inside an `{% if %}` branch.
    for a in &paths {
        for h in a.hits.iter().filter(|h| h.cat == Cat::Review) {
            let o = cover(a.norm.origins_of(h.start, h.end));
            let at = if o.file == 0 {
                Span::new(o.start as usize, o.end as usize)
            } else {
                input
                    .files
                    .get(o.file as usize)
                    .map(|f| f.include_tag)
                    .unwrap_or_default()
            };
            let mut gates: Vec<&Gate> = input
                .gates
                .iter()
                .filter(|g| g.body.start <= at.start && at.end <= g.body.end)
                .collect();
            if gates.is_empty() {
                continue;
            }
            gates.sort_by_key(|g| std::cmp::Reverse(g.sentiment));
            let g = gates[0];
            let (sev, msg) = if g.sentiment {
                (Severity::Error, "this review request is only sent when a condition on the buyer's rating, satisfaction or complaints holds (review gating); ask every buyer the same way, outside the `{% if %}`")
            } else {
                (Severity::Warning, "this review request sits inside an `{% if %}`, so only some buyers are asked; make sure the condition is not about their experience, or move the request out of the block")
            };
            let mut f = Finding::new(
                REVIEW_GATING,
                sev,
                a.norm.origins_of(h.start, h.end),
                msg.into(),
            );
            f.labels.push((
                vec![Origin::new(0, g.tag.start, g.tag.end)],
                "the condition that decides who is asked".into(),
            ));
            out.push(f);
        }
    }

    let mut diags = Vec::new();
    let mut seen = HashSet::new();
    let mut quotes = QuoteCache::default();
    for f in out {
        let d = to_diagnostic(f, input.files, &mut quotes);
        if seen.insert((d.code, d.span, d.message.clone())) {
            diags.push(d);
        }
    }
    diags
}

fn is_problem_contact(a: &Analysed, s: (usize, usize)) -> bool {
    hits_in(&a.hits, Cat::Condition, s).next().is_some()
        && hits_in(&a.hits, Cat::Problem, s).next().is_some()
        && hits_in(&a.hits, Cat::Contact, s).next().is_some()
}

fn sentence_rules(
    a: &Analysed,
    si: usize,
    s: (usize, usize),
    asks_review: bool,
    substance: bool,
    lex: &Lexicon,
    out: &mut Vec<Finding>,
) {
    let text = &a.norm.text;
    let cond: Vec<&Hit> = hits_in(&a.hits, Cat::Condition, s).collect();
    let review: Vec<&Hit> = hits_in(&a.hits, Cat::Review, s).collect();

    if let (Some(c), Some(r)) = (cond.first(), review.first()) {
        let (cs, ce) = clause(text, s, c, r);
        let mut f = Finding::quoting(
            CONDITIONAL_REVIEW_ASK,
            Severity::Error,
            a.norm.origins_of(cs, ce),
            a.norm.origins_of(c.start, c.end),
            &text[c.start..c.end],
            |q| {
                format!(
                "review request made conditional by {q}: Amazon forbids conditional wording when asking for a review or feedback; ask unconditionally"
            )
            },
        );
        f.labels.push((
            a.norm.origins_of(r.start, r.end).to_vec(),
            "the review request".into(),
        ));
        f.fixes.push((
            "Remove the conditional clause".into(),
            vec![(a.norm.origins_of(cs, ce).to_vec(), String::new())],
            false,
        ));
        out.push(f);
    }

    if is_problem_contact(a, s) {
        let sev = if asks_review || !substance {
            Severity::Error
        } else {
            Severity::Warning
        };
        let c = cond[0];
        let what = if asks_review {
            " from this review request"
        } else {
            " or state the order-specific information instead"
        };
        let mut f = Finding::quoting(
            CONDITIONAL_PROBLEM_CONTACT,
            sev,
            sentence_span(a, s),
            a.norm.origins_of(c.start, c.end),
            &text[c.start..c.end],
            move |q| {
                format!(
                "this sentence offers help only if something went wrong ({q}…), which steers unhappy buyers away from reviews; remove the sentence{what}"
            )
            },
        );
        let (ss, se) = trim_range(text, s);
        f.fixes.push((
            "Remove the sentence".into(),
            vec![(a.norm.origins_of(ss, se).to_vec(), String::new())],
            false,
        ));
        out.push(f);
    }

    // An incentive next to a review ask: same sentence or a neighbour.
    let near_review = !review.is_empty()
        || (si == 0 && a.review_before)
        || (si + 1 == a.sentences.len() && a.review_after)
        || [si.wrapping_sub(1), si + 1]
            .iter()
            .filter_map(|&j| a.sentences.get(j))
            .any(|&n| hits_in(&a.hits, Cat::Review, n).next().is_some());
    for h in hits_in(&a.hits, Cat::Incentive, s) {
        if near_review {
            let mut f = Finding::quoting(
                REVIEW_INCENTIVE,
                Severity::Error,
                a.norm.origins_of(h.start, h.end),
                a.norm.origins_of(h.start, h.end),
                &text[h.start..h.end],
                |q| {
                    format!(
                    "{q} offered alongside a review request: any compensation for a review (discounts, gifts, refunds, free products) is forbidden; remove the offer"
                )
                },
            );
            f.help = Some(
                "Amazon removes reviews bought with an incentive and may suspend the account."
                    .into(),
            );
            out.push(f);
        }
    }
    for h in hits_in(&a.hits, Cat::Marketing, s) {
        out.push(Finding::quoting(
            MARKETING,
            Severity::Error,
            a.norm.origins_of(h.start, h.end),
            a.norm.origins_of(h.start, h.end),
            &text[h.start..h.end],
            |q| format!("{q} is promotional: buyer messages may not advertise, promote or link to other products; remove it"),
        ));
    }

    // Change/remove + review object, close together, either order.
    let objects: Vec<&Hit> = hits_in(&a.hits, Cat::ReviewObject, s).collect();
    for v in hits_in(&a.hits, Cat::Change, s) {
        let near = objects.iter().find(|o| {
            let (l, r) = if o.start >= v.end {
                (v.end, o.start)
            } else if v.start >= o.end {
                (o.end, v.start)
            } else {
                return false;
            };
            if lex.word_boundaries {
                word_count(&text[l..r]) <= 3
            } else {
                text[l..r].chars().count() <= 6
            }
        });
        if let Some(o) = near {
            if &text[o.start..o.end] == "feedback"
                && hits_in(&a.hits, Cat::Incentive, s).next().is_none()
            {
                // A neutral note that seller feedback can be updated is allowed.
                continue;
            }
            let (l, r) = (v.start.min(o.start), v.end.max(o.end));
            out.push(Finding::new(
                REVIEW_CHANGE_REQUEST,
                Severity::Error,
                a.norm.origins_of(l, r),
                "asks the buyer to change or remove a review; this is forbidden even after fixing their problem; remove the request".into(),
            ));
        }
    }
}

fn sentiment_finding(a: &Analysed, h: &Hit, lex: &Lexicon) -> Finding {
    let text = &a.norm.text;
    let word = &text[h.start..h.end];
    let mut f = Finding::quoting(
        SENTIMENT_WORD,
        Severity::Error,
        a.norm.origins_of(h.start, h.end),
        a.norm.origins_of(h.start, h.end),
        word,
        |q| {
            format!("{q} in a message that asks for a review or feedback: sentiment words nudge toward a positive review; remove or replace it with neutral wording")
        },
    );
    // An adjective right before the review word ("a good review") has a neutral stand-in.
    // Hits are sorted by start: only those starting at the word's end or one byte later.
    let from = a.hits.partition_point(|r| r.start < h.end);
    let next_is_review = a.hits[from..]
        .iter()
        .take_while(|r| r.start <= h.end + 1)
        .any(|r| r.cat == Cat::Review && text[h.end..r.start].trim().is_empty());
    if next_is_review {
        if let Some(adj) = &lex.neutral_adjective {
            // English "a" becomes "an" before the vowel of "honest"'s kind.
            let before = &text[..h.start];
            let article = lex.locale == "en"
                && (before.ends_with(" a ") || before == "a ")
                && adj.starts_with(['a', 'e', 'i', 'o', 'u', 'h']);
            let (start, new) = if article {
                (h.start - 2, format!("an {adj}"))
            } else {
                (h.start, adj.clone())
            };
            f.fixes.push((
                format!("Replace with \"{new}\""),
                vec![(a.norm.origins_of(start, h.end).to_vec(), new.clone())],
                false,
            ));
        }
    }
    f
}

/// The conditional clause: from the condition marker to the comma before the review ask,
/// or from the marker to the end of the sentence when it trails.
fn clause(text: &str, s: (usize, usize), c: &Hit, r: &Hit) -> (usize, usize) {
    if c.end > r.start && c.start < r.end {
        return (c.start, c.end);
    }
    if c.start < r.start {
        let end = text[c.end..r.start]
            .find([',', '、', ';'])
            .map(|i| c.end + i + text[c.end + i..].chars().next().map_or(1, char::len_utf8))
            .unwrap_or(c.end);
        let end = end + text[end..].len() - text[end..].trim_start().len();
        (c.start, end.max(c.end))
    } else {
        // "…, if everything went smoothly." → drop ", if … smoothly".
        let before = text[s.0..c.start].trim_end();
        let before_len = s.0 + before.len();
        let start = match before.chars().next_back() {
            Some(ch @ (',' | '、')) => before_len - ch.len_utf8(),
            _ => before_len,
        };
        let tail = &text[c.end..s.1];
        let end = c.end
            + tail
                .trim_end_matches(|ch: char| matches!(ch, '.' | '!' | '?' | '。' | ' ' | BREAK))
                .len();
        (start, end)
    }
}

fn trim_range(text: &str, s: (usize, usize)) -> (usize, usize) {
    let t = &text[s.0..s.1];
    let lead = t.len()
        - t.trim_start_matches(|c: char| c.is_whitespace() || c == BREAK)
            .len();
    let body = t.trim_end_matches(|c: char| c.is_whitespace() || c == BREAK);
    (s.0 + lead, s.0 + body.len().max(lead))
}

fn sentence_span(a: &Analysed, s: (usize, usize)) -> &[Origin] {
    let (st, en) = trim_range(&a.norm.text, s);
    a.norm.origins_of(st, en)
}

fn widen_brackets(text: &str, s: usize, e: usize) -> (usize, usize) {
    let (mut s, mut e) = (s, e);
    if text[..s].ends_with(['[', '(']) && text[e..].starts_with([']', ')']) {
        s -= 1;
        e += 1;
    }
    if text[e..].starts_with([':', '!']) {
        e += 1;
    }
    if text[e..].starts_with(' ') {
        e += 1;
    }
    (s, e)
}

/// Amazon's short-link hosts.
const AMAZON_SHORT_HOSTS: [&str; 4] = ["amzn.to", "amzn.eu", "amzn.com", "a.co"];

/// What follows "amazon." in the host of each Amazon marketplace.
const AMAZON_SUFFIXES: [&str; 24] = [
    "com", "ca", "com.mx", "com.br", "co.uk", "de", "fr", "es", "it", "nl", "se", "pl", "com.be",
    "com.tr", "ie", "ae", "sa", "eg", "in", "co.jp", "sg", "com.au", "cn", "co.za",
];

/// Whether a (lower-case) host name is an Amazon site: `amazon.<marketplace>` or one of
/// its subdomains, or a short-link host. `amazon.example.io` is not.
fn host_is_amazon(host: &str) -> bool {
    let host = host.strip_suffix('.').unwrap_or(host);
    let under = |domain: &str| {
        host == domain
            || host
                .strip_suffix(domain)
                .is_some_and(|sub| sub.ends_with('.'))
    };
    AMAZON_SHORT_HOSTS.iter().any(|d| under(d))
        || AMAZON_SUFFIXES
            .iter()
            .any(|suffix| under(&format!("amazon.{suffix}")))
}

/// The host of a URL after its `scheme://`, as a browser reads it: the authority ends at
/// `/`, `\\`, `?` or `#`, user information before the last `@` is dropped, and so is the
/// port.
fn url_host(after_scheme: &str) -> String {
    let authority = after_scheme
        .split(['/', '\\', '?', '#'])
        .next()
        .unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or("");
    let host = match host.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
        _ => host,
    };
    // Browsers ignore tabs and line breaks inside a URL.
    host.chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// A link target as a browser would read its scheme: spaces and control characters
/// dropped, `&#…;` character references and `%xx` escapes decoded, lower case. Used to
/// name what a target is in messages; any target that is not `https://` is reported.
fn decoded_target(url: &str) -> String {
    let mut out = String::new();
    let mut rest = url;
    while let Some(c) = rest.chars().next() {
        let mut step = c.len_utf8();
        let mut push = Some(c);
        if c == '&' {
            if let Some(end) = rest[1..].find(';').filter(|&e| e <= 10) {
                let name = &rest[1..1 + end];
                let decoded = match name.strip_prefix('#') {
                    Some(n) => match n.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok(),
                        None => n.parse::<u32>().ok(),
                    }
                    .and_then(char::from_u32),
                    None => match name.to_ascii_lowercase().as_str() {
                        "colon" => Some(':'),
                        "sol" => Some('/'),
                        "tab" | "newline" => Some(' '),
                        _ => None,
                    },
                };
                if decoded.is_some() {
                    push = decoded;
                    step = end + 2;
                }
            }
        } else if c == '%' {
            if let Some(b) = rest.get(1..3).and_then(|h| u8::from_str_radix(h, 16).ok()) {
                push = Some(b as char);
                step = 3;
            }
        }
        if let Some(p) = push.filter(|p| !p.is_whitespace() && !p.is_control()) {
            out.extend(p.to_lowercase());
        }
        rest = &rest[step..];
    }
    out
}

const TLDS: [&str; 24] = [
    "com", "net", "org", "de", "fr", "es", "it", "jp", "uk", "co", "io", "shop", "store", "info",
    "biz", "eu", "us", "ca", "au", "nl", "at", "ch", "be", "online",
];

fn url_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'*+,;=%".contains(&(c as u8))
    } else {
        c == PLACEHOLDER || is_alnum(c)
    }
}

/// Bare URLs and domain names in prose.
fn bare_links(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(c) = char_at(text, i) {
        if !url_char(c) {
            i += c.len_utf8();
            continue;
        }
        let start = i;
        let mut end = i;
        while let Some(ch) = char_at(text, end).filter(|&ch| url_char(ch)) {
            end += ch.len_utf8();
        }
        let tok = text[start..end].trim_end_matches(['.', ',', ';', ':', '!', '?', '\'', ')', ']']);
        let tok_end = start + tok.len();
        let lower = tok;
        let is_url = lower.starts_with("http://")
            || lower.starts_with("https://")
            || lower.starts_with("www.");
        // Two labels or more: most words have no dot and stop here.
        let domain = tok.as_bytes().contains(&b'.') && !tok.contains('@') && {
            let host = tok.split('/').next().unwrap_or("");
            host.contains('.')
                && host.split('.').all(|l| {
                    !l.is_empty() && l.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
                })
                && host
                    .split('.')
                    .next()
                    .is_some_and(|l| l.bytes().any(|c| c.is_ascii_alphabetic()))
                && host.rsplit('.').next().is_some_and(|l| TLDS.contains(&l))
        };
        if is_url || domain {
            out.push((start, tok_end));
        }
        i = end.max(i + c.len_utf8());
    }
    out
}

fn links_rule(a: &Analysed, out: &mut Vec<Finding>) {
    for l in &a.links {
        if let Some(f) = link_target(&l.url, &l.origins) {
            out.push(f);
        }
    }
    // Bare links come in text order, and the normalised text follows the prose in order.
    let mut cursor = 0;
    for (s, e) in bare_links(&a.norm.text) {
        let origins = a.norm.origins_of(s, e);
        let (written, next) = prose_behind(&a.prose, origins, cursor);
        cursor = next;
        if let Some(f) = bare_link(&a.norm.text[s..e], written, origins) {
            out.push(f);
        }
    }
}

/// The prose characters behind a run of normalised text, searched from byte `from` on;
/// returns them and where the next search may start.
fn prose_behind<'p>(prose: &'p Mapped, origins: &[Origin], from: usize) -> (&'p str, usize) {
    let c = cover(origins);
    let inside = |o: &Origin| o.file == c.file && o.start >= c.start && o.end <= c.end;
    let n = prose.origins.len().min(prose.text.len());
    let Some(start) =
        (from..n).find(|&i| prose.text.is_char_boundary(i) && inside(&prose.origins[i]))
    else {
        return ("", from);
    };
    // Every byte of a character has its origin, so the run ends on a character boundary.
    let end = (start..n)
        .find(|&i| !inside(&prose.origins[i]))
        .unwrap_or(n);
    (prose.text.get(start..end).unwrap_or(""), end)
}

/// The target of a `[text](url)` link, one origin per character. The renderer prints a
/// target only when it starts with `https://` (anything else becomes `#`), so every
/// other target is reported here, and https targets outside Amazon too.
fn link_target(url: &str, origins: &[Origin]) -> Option<Finding> {
    // The renderer drops the spaces around a target as well.
    let lead = url.chars().take_while(|c| c.is_whitespace()).count();
    let u = url.trim();
    let at = |from: usize, to: usize| -> Vec<Origin> {
        let from = (lead + from).min(origins.len());
        origins[from..(lead + to).min(origins.len())].to_vec()
    };
    // An empty target is pointed at with its spaces.
    let all = if u.is_empty() {
        origins.to_vec()
    } else {
        at(0, u.chars().count())
    };
    if u.starts_with(PLACEHOLDER) {
        // A value from the order data: checked when the data is rendered.
        return None;
    }
    let d = decoded_target(u);
    let quoting = |code, reads_as: &str, message: &'static str| {
        Finding::quoting(code, Severity::Error, &all, &all, reads_as, move |q| {
            message.replace("{q}", q)
        })
    };
    let finding = |code, message| quoting(code, u, message);
    // For a scheme, "reads as" shows what hides behind escapes and spaces.
    let decoded = |code, message| quoting(code, &d, message);
    if let Some(rest) = u.strip_prefix("https://") {
        let host = url_host(rest);
        if host.contains(PLACEHOLDER) || host_is_amazon(&host) {
            return None;
        }
        let host_shown = readable(&host);
        return Some(Finding::new(
            EXTERNAL_LINK,
            Severity::Error,
            &all,
            format!("link to \"{host_shown}\", outside Amazon: only https links needed to complete the order are allowed, so remove it (or link to the Amazon page)"),
        ));
    }
    let scheme_end = u.char_indices().nth(8).map_or(u.len(), |(i, _)| i);
    if u[..scheme_end].eq_ignore_ascii_case("https://") {
        let mut f = finding(
            EXTERNAL_LINK,
            "link {q} is dropped from the message: only targets starting with a lower-case \"https://\" are kept; write the scheme in lower case",
        );
        f.fixes.push((
            "Write https:// in lower case".into(),
            vec![(at(0, 8), "https://".into())],
            true,
        ));
        return Some(f);
    }
    let scheme = d.find(':').map(|i| &d[..i]).filter(|s| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    });
    let f = match scheme {
        Some("mailto") => decoded(
            CONTACT_INFO,
            "link to the e-mail address {q}: buyer messages may not contain e-mail addresses (and only https links are kept); remove the link, buyers reply through Amazon's messaging",
        ),
        Some("tel" | "sms" | "callto") => decoded(
            CONTACT_INFO,
            "link to the phone number {q}: buyer messages may not contain phone numbers (and only https links are kept); remove the link, buyers contact you through Amazon",
        ),
        Some("javascript" | "vbscript" | "data" | "file" | "blob") => decoded(
            EXTERNAL_LINK,
            "link {q} would run a script or open embedded or local content: only https links are allowed; remove it",
        ),
        Some("http") => {
            let amazon = d
                .strip_prefix("http://")
                .is_some_and(|rest| host_is_amazon(&url_host(rest)));
            let mut f = finding(
                EXTERNAL_LINK,
                "link {q} is not https: only https links are kept in the message, and Amazon allows only secure links; use https",
            );
            if amazon && u.get(..7).is_some_and(|p| p.eq_ignore_ascii_case("http://")) {
                f.fixes.push((
                    "Use https".into(),
                    vec![(at(0, 7), "https://".into())],
                    true,
                ));
            }
            f
        }
        Some("https") => decoded(
            EXTERNAL_LINK,
            "link {q} is not written as \"https://\" followed by the address, so it is dropped from the message; write it as https://address",
        ),
        Some(_) => decoded(
            EXTERNAL_LINK,
            "link {q} does not use https: only https links are kept in the message; remove it, or use an https link needed to complete the order",
        ),
        None if u.is_empty() => finding(
            EXTERNAL_LINK,
            "link with an empty target: it leads nowhere; add an https address or remove the brackets",
        ),
        None if d.starts_with("//") || d.starts_with("\\\\") || d.starts_with("/\\") || d.starts_with("\\/") => finding(
            EXTERNAL_LINK,
            "link {q} has no scheme (protocol-relative): only targets starting with \"https://\" are kept; write the full https address",
        ),
        None if d.starts_with('#') => finding(
            EXTERNAL_LINK,
            "link {q} points inside the message, which buyer messages do not support (only https links are kept); remove the link",
        ),
        None => {
            let mut f = finding(
                EXTERNAL_LINK,
                "link {q} does not start with \"https://\", so it is dropped from the message; write the full https address",
            );
            if host_is_amazon(&url_host(u)) {
                f.fixes.push((
                    "Add https://".into(),
                    vec![(at(0, 1), format!("https://{}", u.chars().next().unwrap_or(' ')))],
                    true,
                ));
            }
            f
        }
    };
    Some(f)
}

/// A URL or domain name written in the text (normalised). Mail programs turn these into
/// links, so the same policy applies: https and Amazon only.
fn bare_link(url: &str, written: &str, origins: &[Origin]) -> Option<Finding> {
    if url.contains('@') && !url.contains("://") {
        // An e-mail address: contact-info reports it.
        return None;
    }
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (s, r),
        None => ("", url),
    };
    let host = url_host(rest);
    if host.contains(PLACEHOLDER) {
        return None;
    }
    // Normalisation reads look-alike letters as Latin ones; a browser does not (it maps
    // full-width forms and case only), so the address as written must be Amazon too.
    let as_browser: String = written.nfkc().flat_map(char::to_lowercase).collect();
    let written_host = url_host(
        as_browser
            .split_once("://")
            .map_or(&as_browser[..], |x| x.1),
    );
    let look_alike = host_is_amazon(&host) && !written.is_empty() && !host_is_amazon(&written_host);
    let amazon = host_is_amazon(&host) && !look_alike;
    if amazon && scheme == "https" {
        return None;
    }
    let mut f = if look_alike {
        Finding::quoting(EXTERNAL_LINK, Severity::Error, origins, origins, url, |q| {
            format!("link {q} is not an Amazon address: its host is spelled with look-alike letters; remove it, or type the Amazon address in plain letters")
        })
    } else if amazon {
        Finding::quoting(EXTERNAL_LINK, Severity::Error, origins, origins, url, |q| {
            format!("link {q} is not https: Amazon only allows secure links; use https")
        })
    } else if scheme == "https" {
        let host = readable(if written.is_empty() {
            &host
        } else {
            &written_host
        });
        Finding::new(
            EXTERNAL_LINK,
            Severity::Error,
            origins,
            format!("link to \"{host}\", outside Amazon: only https links needed to complete the order are allowed, so remove it (or link to the Amazon page)"),
        )
    } else {
        Finding::quoting(EXTERNAL_LINK, Severity::Error, origins, origins, url, |q| {
            format!("link {q} is neither https nor an Amazon page; remove it, or use an https link needed to complete the order")
        })
    };
    if amazon && scheme == "http" {
        f.fixes.push((
            "Use https".into(),
            vec![(origins[..4.min(origins.len())].to_vec(), "https".into())],
            true,
        ));
    }
    Some(f)
}

fn contact_info(a: &Analysed, kind: &str, out: &mut Vec<Finding>) {
    let text = &a.norm.text;
    let b = text.as_bytes();
    // E-mail addresses.
    for (at, _) in text.match_indices('@') {
        let local = |ch: char| ch.is_alphanumeric() || "._%+-".contains(ch);
        let sb = at
            - text[..at]
                .chars()
                .rev()
                .take_while(|&c| local(c))
                .map(char::len_utf8)
                .sum::<usize>();
        let after = at + 1;
        let mut eb = after
            + text[after..]
                .chars()
                .take_while(|&c| c.is_alphanumeric() || c == '.' || c == '-')
                .map(char::len_utf8)
                .sum::<usize>();
        while eb > after && b[eb - 1] == b'.' {
            eb -= 1;
        }
        let domain = &text[after..eb];
        if sb == at || !domain.contains('.') || domain.starts_with('.') {
            continue;
        }
        let mut f = Finding::quoting(
            CONTACT_INFO,
            Severity::Error,
            a.norm.origins_of(sb, eb),
            a.norm.origins_of(sb, eb),
            &text[sb..eb],
            |q| {
                format!("e-mail address {q}: buyer messages may not contain e-mail addresses; buyers reply through Amazon's messaging instead")
            },
        );
        f.fixes.push((
            "Remove the e-mail address".into(),
            vec![(a.norm.origins_of(sb, eb).to_vec(), String::new())],
            false,
        ));
        out.push(f);
    }
    // Phone numbers: a run of digits and separators with 7 to 15 digits. Every character
    // a number is made of, or is told apart by, is ASCII, so this reads bytes: the bytes
    // of other characters match none of the tests, as the characters would not.
    let phone_context = |s: usize| -> bool {
        a.sentences
            .iter()
            .find(|x| x.0 <= s && s < x.1)
            .is_some_and(|&x| hits_in(&a.hits, Cat::PhoneWord, x).next().is_some())
    };
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let starts = c.is_ascii_digit()
            || ((c == b'+' || c == b'(') && b.get(i + 1).is_some_and(u8::is_ascii_digit));
        let prev_ok = || {
            i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'-' || b[i - 1] == b'.')
        };
        if !starts || !prev_ok() {
            i += 1;
            continue;
        }
        let mut j = i;
        let mut last_digit = i;
        while j < b.len() {
            let ch = b[j];
            if ch.is_ascii_digit() {
                last_digit = j;
            } else {
                let sep =
                    matches!(ch, b' ' | b'-' | b'.' | b'(' | b')' | b'/' | b'+') && j + 1 < b.len();
                let digit_follows = b
                    .get(j + 1)
                    .is_some_and(|x| x.is_ascii_digit() || *x == b'(');
                if !sep || (ch == b' ' && !digit_follows) {
                    break;
                }
            }
            j += 1;
        }
        let (sb, eb) = (i, last_digit + 1);
        let run = &text[sb..eb];
        let next_alpha = b
            .get(eb)
            .is_some_and(|x| x.is_ascii_alphabetic() || *x == b'%');
        i = eb;
        let digits = run.bytes().filter(u8::is_ascii_digit).count();
        if !(7..=15).contains(&digits) || next_alpha {
            continue;
        }
        let groups: Vec<&str> = run
            .split(|c: char| !c.is_ascii_digit())
            .filter(|g| !g.is_empty())
            .collect();
        let order_id = groups.len() == 3
            && groups[0].len() == 3
            && groups[1].len() == 7
            && groups[2].len() == 7
            && run.contains('-');
        let date = groups.len() == 3
            && (groups[0].len() == 4 || groups[2].len() == 4)
            && groups.iter().all(|g| g.len() <= 4)
            && digits == 8;
        let money =
            run.contains(',') || (groups.len() == 2 && run.contains('.') && groups[1].len() == 2);
        let asin_like = groups.len() == 1 && !run.starts_with('+') && !phone_context(last_digit);
        if order_id || date || money || asin_like {
            continue;
        }
        let shaped = run.starts_with('+') || run.starts_with('(') || groups.len() >= 2;
        if !shaped && !phone_context(last_digit) {
            continue;
        }
        let sev = if kind == "warranty" {
            Severity::Warning
        } else {
            Severity::Error
        };
        let mut f = Finding::quoting(
            CONTACT_INFO,
            sev,
            a.norm.origins_of(sb, eb),
            a.norm.origins_of(sb, eb),
            &text[sb..eb],
            |q| {
                format!("phone number {q}: buyer messages may not contain phone numbers; remove it (buyers contact you through Amazon)")
            },
        );
        if kind == "warranty" {
            f.help = Some("A manufacturer's warranty hotline may be acceptable; suppress with a reason if this is one.".into());
        }
        f.fixes.push((
            "Remove the phone number".into(),
            vec![(a.norm.origins_of(sb, eb).to_vec(), String::new())],
            false,
        ));
        out.push(f);
    }
}

/// Emoji and pictographs (the star symbols of a rating included).
pub fn is_emoji(c: char) -> bool {
    matches!(c as u32,
        0x1F000..=0x1FAFF | 0x2600..=0x27BF | 0x2B00..=0x2BFF | 0x2300..=0x23FF | 0x3030 | 0x303D | 0x3297 | 0x3299)
}

fn emoji(a: &Analysed, out: &mut Vec<Finding>) {
    let text = a.prose.text.as_str();
    let mut i = 0;
    while let Some(c) = text.get(i..).and_then(|t| t.chars().next()) {
        // Emoji are far from ASCII: skip it a byte at a time.
        if c.is_ascii() || !is_emoji(c) {
            i += c.len_utf8();
            continue;
        }
        let mut end = i + c.len_utf8();
        while let Some(n) = text[end..].chars().next().filter(|&n| {
            is_emoji(n) || matches!(n, '\u{FE0F}' | '\u{200D}' | '\u{1F3FB}'..='\u{1F3FF}')
        }) {
            end += n.len_utf8();
        }
        let origins = a.prose.origins_of(i, end);
        let s = &text[i..end];
        let mut f = Finding::new(
            EMOJI,
            Severity::Error,
            origins,
            format!("emoji \"{s}\": Amazon does not allow emojis in buyer messages; remove it"),
        );
        f.fixes.push((
            "Remove the emoji".into(),
            vec![(origins.to_vec(), String::new())],
            true,
        ));
        out.push(f);
        i = end;
    }
}

/// Resolve origins to a span in the checked file, plus a label in the partial when the
/// words come from an included file.
fn locate(origins: &[Origin], files: &[FileInfo]) -> (Span, Option<Label>) {
    let main: Vec<Origin> = origins.iter().copied().filter(|o| o.file == 0).collect();
    let other = origins.iter().find(|o| o.file != 0);
    let label = other.and_then(|o| {
        let f = files.get(o.file as usize)?;
        let c = cover(
            &origins
                .iter()
                .copied()
                .filter(|x| x.file == o.file)
                .collect::<Vec<_>>(),
        );
        let span = Span::new(c.start as usize, c.end as usize);
        Some(match &f.path {
            Some(p) => Label::in_file(p.clone(), span, "these words, in the included file"),
            None => Label::new(span, "these words, in the included file"),
        })
    });
    if !main.is_empty() {
        let c = cover(&main);
        let mut span = Span::new(c.start as usize, c.end as usize);
        if let Some(o) = other {
            if let Some(f) = files.get(o.file as usize) {
                span = span.cover(f.include_tag);
            }
        }
        (span, label)
    } else if let Some(o) = other {
        (
            files
                .get(o.file as usize)
                .map(|f| f.include_tag)
                .unwrap_or_default(),
            label,
        )
    } else {
        (Span::default(), None)
    }
}

/// Source edits are offered only for text of the checked file outside tags.
fn edit_span(origins: &[Origin], files: &[FileInfo]) -> Option<Span> {
    if origins.is_empty() || origins.iter().any(|o| o.file != 0) {
        return None;
    }
    let c = cover(origins);
    let src = &files.first()?.text;
    let text = src.get(c.start as usize..c.end as usize)?;
    // Whole `{{ }}` tags may go with the words around them; block tags and comments may not.
    if text.contains("{%") || text.contains("%}") || text.contains("{#") || text.contains("#}") {
        return None;
    }
    if text.matches("{{").count() != text.matches("}}").count() {
        return None;
    }
    Some(Span::new(c.start as usize, c.end as usize))
}

/// Quoted words by what was written and what it reads as: a message that repeats a word
/// a thousand times quotes it a thousand times, and normalising it is most of the cost.
type QuoteCache = HashMap<(Option<String>, String), String>;

fn to_diagnostic(f: Finding, files: &[FileInfo], quotes: &mut QuoteCache) -> Diagnostic {
    let (span, label) = locate(&f.origins, files);
    let message = match &f.quote {
        Some(q) => {
            let written = written(&q.origins, files);
            let key = (written.map(str::to_owned), q.reads_as.clone());
            let quoted = quotes
                .entry(key)
                .or_insert_with(|| quoted_text(written, &q.reads_as));
            (q.message)(quoted)
        }
        None => f.message,
    };
    let mut d = Diagnostic::new(f.code, f.severity, span, message);
    if let Some(l) = label {
        d.labels.push(l);
    }
    for (o, msg) in f.labels {
        let (s, l) = locate(&o, files);
        if s != span || l.is_some() {
            d.labels.push(Label::new(s, msg));
        }
    }
    d.help = f.help;
    for (title, edits, safe) in f.fixes {
        let mut te = Vec::new();
        for (o, new_text) in &edits {
            match edit_span(o, files) {
                Some(s) => te.push(TextEdit::replace(s, new_text.clone())),
                None => {
                    te.clear();
                    break;
                }
            }
        }
        if te.len() == edits.len() && !te.is_empty() {
            // Capitalise what now starts the sentence after removing a leading clause.
            if let (Some(src), Some(e)) = (files.first(), te.first()) {
                if e.new_text.is_empty() && title.starts_with("Remove the conditional") {
                    capitalise_after(&src.text, e.span, &mut te);
                }
            }
            d.fixes.push(if safe {
                Fix::safe(title, te)
            } else {
                Fix::unsafe_(title, te)
            });
        }
    }
    d
}

fn capitalise_after(src: &str, removed: Span, edits: &mut Vec<TextEdit>) {
    let before = src[..removed.start].trim_end_matches([' ', '\t']);
    let starts_sentence = before.is_empty()
        || before.ends_with(['.', '!', '?', '\n'])
        || before.ends_with("}}")
        || before.ends_with("%}");
    if !starts_sentence {
        return;
    }
    if let Some(c) = src[removed.end..].chars().next() {
        if c.is_lowercase() {
            let up: String = c.to_uppercase().collect();
            edits.push(TextEdit::replace(
                Span::new(removed.end, removed.end + c.len_utf8()),
                up,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sentence splitting as first written (every character visited).
    fn reference(text: &str) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut start = 0;
        let mut it = text.char_indices().peekable();
        while let Some((i, c)) = it.next() {
            let next = it.peek().map(|x| x.1);
            let end = match c {
                '!' | '?' | '。' | '！' | '？' | BREAK => true,
                '.' => next.is_none_or(|n| n.is_whitespace() || n == BREAK || n == '"'),
                _ => false,
            };
            if end {
                let stop = i + c.len_utf8();
                if text[start..stop]
                    .trim_matches(|c: char| c.is_whitespace() || c == BREAK)
                    .chars()
                    .any(char::is_alphanumeric)
                {
                    out.push((start, stop));
                }
                start = stop;
            }
        }
        if text[start..].chars().any(char::is_alphanumeric) {
            out.push((start, text.len()));
        }
        out
    }

    #[test]
    fn sentences_match_the_reference() {
        let pieces = [
            "a",
            "Zz",
            "12",
            " ",
            "\n",
            "\t",
            ".",
            "..",
            "!",
            "?",
            "。",
            "！",
            "？",
            "\u{2029}",
            "\"",
            "example.com",
            "10.5",
            "\u{E000}",
            "é",
            "日本",
            "\u{3000}",
            "\u{A0}",
            "—",
            "…",
        ];
        let mut state = 0x0123_4567_89AB_CDEFu64;
        for _ in 0..20_000 {
            let mut text = String::new();
            for _ in 0..(state % 24) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                text.push_str(pieces[(state % pieces.len() as u64) as usize]);
            }
            assert_eq!(sentences(&text), reference(&text), "{text:?}");
        }
    }
}
