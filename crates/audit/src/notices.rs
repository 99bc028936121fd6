//! Amazon's notices about seller messages: what each looks like and what it means.
//!
//! Matching is on short, stable phrases after whitespace is collapsed and case folded, so
//! line wrapping, HTML and quoting in a forwarded copy do not hide a notice.

use serde::Serialize;

/// A kind of notice found in a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NoticeKind {
    /// "This message was not delivered because your account was restricted from sending
    /// proactive messages": appended to every message sent while restricted.
    RestrictionFooter,
    /// "did not meet the Buyer-Seller Messaging communication guidelines": one blocked message.
    GuidelinesBanner,
    /// Amazon's e-mail to the seller announcing the restriction and its reasons.
    RestrictionEmail,
    /// The buyer opted out of non-critical messages; the message was not delivered.
    BuyerOptedOut,
}

impl NoticeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::RestrictionFooter => "restriction-footer",
            NoticeKind::GuidelinesBanner => "guidelines-banner",
            NoticeKind::RestrictionEmail => "restriction-email",
            NoticeKind::BuyerOptedOut => "buyer-opted-out",
        }
    }

    /// Whether this notice means the account is restricted.
    pub fn means_restricted(self) -> bool {
        matches!(
            self,
            NoticeKind::RestrictionFooter | NoticeKind::RestrictionEmail
        )
    }

    pub fn describe(self) -> &'static str {
        match self {
            NoticeKind::RestrictionFooter => "account restricted",
            NoticeKind::GuidelinesBanner => "did not meet the communication guidelines",
            NoticeKind::RestrictionEmail => "Amazon's restriction e-mail",
            NoticeKind::BuyerOptedOut => "buyer opted out of non-critical messages",
        }
    }
}

/// What was found in one message's text.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Found {
    pub notices: Vec<NoticeKind>,
    /// Byte offset where the seller's own text ends (the notice text starts), when a
    /// notice was appended to or prepended on the message; `None` = the whole body.
    pub seller_text: Option<std::ops::Range<usize>>,
    /// For a restriction e-mail: the reasons it lists, as written.
    pub reasons: Vec<String>,
}

const FOOTER: &[&str] = &[
    "not delivered because your account was restricted from sending proactive messages",
    "your account was restricted from sending proactive messages",
    "your account has been restricted from sending proactive messages",
];

const BANNER: &[&str] = &[
    "did not meet the buyer-seller messaging communication guidelines",
    "does not meet the buyer-seller messaging communication guidelines",
    "did not meet our buyer-seller messaging communication guidelines",
    "did not meet the communication guidelines",
];

const OPT_OUT: &[&str] = &[
    "buyer has opted out of receiving",
    "buyer has opted out of unsolicited",
    "customer has opted out of receiving",
    "recipient has opted out",
    "opted out of non-critical messages",
];

/// Phrases of Amazon's own e-mail announcing a restriction (as opposed to the footer on a
/// sent message).
const RESTRICTION_EMAIL: &[&str] = &[
    "restricted your ability to send proactive messages",
    "restricted your ability to send messages",
    "your ability to send proactive messages",
    "your buyer-seller messaging permissions have been restricted",
    "messaging permissions have been restricted",
    "temporarily restricted from sending proactive messages",
    "we have restricted your account from sending",
];

/// Look for notices in a message. `from` is the sender address, `subject` the subject.
pub fn detect(from: Option<&str>, subject: Option<&str>, body: &str) -> Found {
    let folded = Folded::new(body);
    let mut found = Found::default();
    let subject_l = subject
        .map(|s| collapse(&s.to_lowercase()))
        .unwrap_or_default();
    let from_amazon = from.is_some_and(|f| f.contains("amazon."));

    let footer_at = FOOTER.iter().filter_map(|p| folded.find(p)).min();
    let banner_at = BANNER.iter().filter_map(|p| folded.find(p)).min();
    let opt_out_at = OPT_OUT.iter().filter_map(|p| folded.find(p)).min();
    let email_at = RESTRICTION_EMAIL
        .iter()
        .filter_map(|p| folded.find(p))
        .min();

    if let Some(at) = email_at.filter(|_| footer_at.is_none() || from_amazon) {
        found.notices.push(NoticeKind::RestrictionEmail);
        found.reasons = reasons(body, at);
        return found;
    }
    if footer_at.is_none()
        && from_amazon
        && subject_l.contains("restrict")
        && (subject_l.contains("messag") || folded.text.contains("proactive"))
    {
        found.notices.push(NoticeKind::RestrictionEmail);
        found.reasons = reasons(body, 0);
        return found;
    }
    let mut cut = body.len();
    let banner_start = banner_at.map(|at| sentence_start(body, at));
    if let Some(at) = footer_at {
        found.notices.push(NoticeKind::RestrictionFooter);
        cut = cut.min(sentence_start(body, at));
    }
    if let Some(start) = banner_start {
        found.notices.push(NoticeKind::GuidelinesBanner);
        cut = cut.min(start);
    }
    if let Some(at) = opt_out_at {
        found.notices.push(NoticeKind::BuyerOptedOut);
        cut = cut.min(sentence_start(body, at));
    }
    if !found.notices.is_empty() {
        // A banner at the top: the seller's text follows it.
        let after_banner = banner_start
            .filter(|&b| b == cut && body[..b].trim().is_empty())
            .map(|_| paragraph_end(body, banner_at.unwrap_or(0)));
        let range = match after_banner {
            Some(s) => s..body.len(),
            None => 0..cut,
        };
        let text = &body[range.clone()];
        let lead = text.len() - text.trim_start().len();
        let end = range.start + text.trim_end().len();
        found.seller_text = Some((range.start + lead).min(end)..end);
    }
    found
}

/// Lower-cased, whitespace-collapsed copy of a text, with a map back to byte offsets.
struct Folded {
    text: String,
    /// For each byte of `text`, the byte offset in the original.
    origin: Vec<usize>,
}

impl Folded {
    fn new(s: &str) -> Self {
        let mut text = String::with_capacity(s.len());
        let mut origin = Vec::with_capacity(s.len());
        let mut last_space = true;
        for (i, c) in s.char_indices() {
            // Quoting marks of forwarded copies are treated as spaces.
            let c = if c == '>' && last_space { ' ' } else { c };
            if c.is_whitespace() {
                if !last_space {
                    text.push(' ');
                    origin.push(i);
                }
                last_space = true;
                continue;
            }
            last_space = false;
            // Typographic apostrophes fold to ASCII.
            let c = if c == '’' { '\'' } else { c };
            for l in c.to_lowercase() {
                let before = text.len();
                text.push(l);
                origin.extend(std::iter::repeat_n(i, text.len() - before));
            }
        }
        Folded { text, origin }
    }

    fn find(&self, phrase: &str) -> Option<usize> {
        self.text.find(phrase).map(|i| self.origin[i])
    }
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Start of the sentence or line containing `at`, with separator lines (`---`, `___`)
/// before it included, so the seller's text ends cleanly.
fn sentence_start(body: &str, at: usize) -> usize {
    let at = at.min(body.len());
    let line_start = body[..at].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let sent = body[line_start..at]
        .rfind(['.', '!', '?'])
        .map(|i| line_start + i + 1)
        .unwrap_or(line_start);
    let mut start = if body[sent..at].split_whitespace().count() <= 3 {
        line_start
    } else {
        sent
    };
    // Walk back over blank and separator lines.
    loop {
        let before = body[..start].trim_end_matches([' ', '\t']);
        let Some(prev_nl) = before.strip_suffix('\n') else {
            break;
        };
        let prev_start = prev_nl.rfind('\n').map(|i| i + 1).unwrap_or(0);
        let prev = prev_nl[prev_start..].trim();
        if prev.is_empty() || prev.chars().all(|c| matches!(c, '-' | '_' | '=' | '*')) {
            start = prev_start;
            if prev_start == 0 {
                break;
            }
        } else {
            break;
        }
    }
    start
}

fn paragraph_end(body: &str, at: usize) -> usize {
    match body[at..].find("\n\n") {
        Some(i) => at + i + 2,
        None => body.len(),
    }
}

/// The reasons a restriction e-mail lists: bullet or numbered lines after the notice
/// sentence, or else sentences naming a known reason.
fn reasons(body: &str, from: usize) -> Vec<String> {
    let from = (0..=from.min(body.len()))
        .rev()
        .find(|&i| body.is_char_boundary(i))
        .unwrap_or(0);
    let mut out = Vec::new();
    for line in body[from..].lines() {
        let t = line.trim().trim_start_matches('>').trim();
        let item = t
            .strip_prefix(['-', '*', '•', '·'])
            .or_else(|| {
                let digits = t.chars().take_while(char::is_ascii_digit).count();
                (digits > 0 && digits < 3)
                    .then(|| t[digits..].strip_prefix(['.', ')']))
                    .flatten()
            })
            .map(str::trim);
        if let Some(item) = item.filter(|i| !i.is_empty()) {
            out.push(item.to_string());
        }
    }
    if out.is_empty() {
        for sentence in body[from..].split_inclusive(['.', '\n']) {
            let s = sentence.trim();
            if !s.is_empty() && !reason_codes(s).is_empty() {
                out.push(s.to_string());
            }
        }
    }
    out.truncate(20);
    out
}

/// Map a reason written by Amazon to tplc codes. A reason may name several; an
/// unrecognised reason maps to none and is shown as written.
pub fn reason_codes(reason: &str) -> Vec<&'static str> {
    let r = collapse(&reason.to_lowercase()).replace('’', "'");
    let has = |words: &[&str]| words.iter().any(|w| r.contains(w));
    let mut codes = Vec::new();
    if has(&[
        "incentiv",
        "compensat",
        "in exchange for",
        "free product",
        "discount",
        "refund",
        "gift card",
        "reward",
    ]) {
        codes.push(crate::rules_bridge::REVIEW_INCENTIVE);
    }
    if has(&[
        "positive review",
        "positive feedback",
        "5-star",
        "five-star",
        "good review",
        "favorable",
        "favourable",
    ]) {
        codes.push(crate::rules_bridge::SENTIMENT_WORD);
    }
    if has(&[
        "only buyers",
        "only customers",
        "review gating",
        "happy customers",
        "satisfied customers",
    ]) {
        codes.push(crate::rules_bridge::REVIEW_GATING);
    }
    if has(&[
        "conditional",
        "if they are satisfied",
        "if they were satisfied",
        "if they are happy",
    ]) {
        codes.push(crate::rules_bridge::CONDITIONAL_REVIEW_ASK);
    }
    if has(&[
        "change their review",
        "change a review",
        "remove their review",
        "remove a review",
        "update their review",
        "change or remove",
    ]) {
        codes.push(crate::rules_bridge::REVIEW_CHANGE_REQUEST);
    }
    if has(&[
        "contact you before",
        "contact the seller first",
        "contact us first",
        "instead of leaving",
        "before leaving",
    ]) {
        codes.push(crate::rules_bridge::CONDITIONAL_PROBLEM_CONTACT);
    }
    if has(&[
        "repeated review",
        "multiple review",
        "more than one review",
        "same review",
        "review requests more than once",
        "duplicate review",
    ]) {
        codes.push(crate::REPEATED_REVIEW_REQUEST);
    }
    if has(&[
        "too many messages",
        "more than two",
        "excessive",
        "number of messages",
        "messages per order",
    ]) {
        codes.push(crate::ORDER_MESSAGE_BUDGET);
    }
    // Opt-out links are links too: the link rule reports them.
    if has(&["link", "url", "opt-out", "opt out", "unsubscribe"]) {
        codes.push(crate::rules_bridge::EXTERNAL_LINK);
    }
    if has(&[
        "[important]",
        "important\" in",
        "important in the subject",
        "\"important\"",
        "'important'",
    ]) {
        codes.push(crate::rules_bridge::IMPORTANT_SUBJECT);
    }
    if has(&[
        "email address",
        "e-mail address",
        "phone number",
        "telephone",
        "contact information",
    ]) {
        codes.push(crate::rules_bridge::CONTACT_INFO);
    }
    if has(&[
        "marketing",
        "promotion",
        "promotional",
        "advertis",
        "coupon",
        "other products",
    ]) {
        codes.push(crate::rules_bridge::MARKETING);
    }
    if has(&["emoji", "gif", "logo", "image"]) {
        codes.push(crate::rules_bridge::EMOJI);
    }
    codes.dedup();
    codes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn footer_is_found_and_cut_from_the_seller_text() {
        let body = "Hello,\nthanks for your order.\n\n----\nThis message was not delivered because your account was restricted\nfrom sending proactive messages. For more information please check the email inbox.";
        let f = detect(Some("seller@example.com"), Some("Your order"), body);
        assert_eq!(f.notices, vec![NoticeKind::RestrictionFooter]);
        let r = f.seller_text.unwrap();
        assert_eq!(&body[r], "Hello,\nthanks for your order.");
    }

    #[test]
    fn banner_at_the_top_keeps_the_text_after_it() {
        let body = "This message did not meet the Buyer-Seller Messaging communication guidelines and was not delivered.\n\nHi, please leave a review.";
        let f = detect(None, None, body);
        assert_eq!(f.notices, vec![NoticeKind::GuidelinesBanner]);
        assert_eq!(&body[f.seller_text.unwrap()], "Hi, please leave a review.");
    }

    #[test]
    fn restriction_email_lists_reasons() {
        let body = "Hello,\n\nWe have restricted your ability to send proactive messages to buyers because messages you sent included:\n\n- Incentivizing buyers to leave reviews\n- Sending repeated review requests for the same order\n* Unnecessary links\n1. Using \"[Important]\" in the subject line\n\nThe restriction lasts at least 120 hours.";
        let f = detect(
            Some("seller-notification@amazon.com"),
            Some("Action required"),
            body,
        );
        assert_eq!(f.notices, vec![NoticeKind::RestrictionEmail]);
        assert_eq!(f.reasons.len(), 4);
        let codes: Vec<Vec<&str>> = f.reasons.iter().map(|r| reason_codes(r)).collect();
        assert_eq!(codes[0], vec![crate::rules_bridge::REVIEW_INCENTIVE]);
        assert_eq!(codes[1], vec![crate::REPEATED_REVIEW_REQUEST]);
        assert_eq!(codes[2], vec![crate::rules_bridge::EXTERNAL_LINK]);
        assert_eq!(codes[3], vec![crate::rules_bridge::IMPORTANT_SUBJECT]);
    }

    #[test]
    fn plain_messages_have_no_notice() {
        let f = detect(
            Some("me@shop.com"),
            Some("Order"),
            "We restricted nothing. Guidelines are nice.",
        );
        assert!(f.notices.is_empty());
        assert_eq!(f.seller_text, None);
        // Hostile inputs.
        for s in ["", ">", "\u{130}", "- \n1)"] {
            let _ = detect(None, None, s);
            let _ = reasons(s, 0);
        }
    }
}
