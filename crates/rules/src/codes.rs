//! Every code this crate emits, with its default severity and its documentation page.

use tplc_diagnostics::{CodeInfo, Severity};

pub const CONDITIONAL_REVIEW_ASK: &str = "conditional-review-ask";
pub const SENTIMENT_WORD: &str = "sentiment-word";
pub const CONDITIONAL_PROBLEM_CONTACT: &str = "conditional-problem-contact";
pub const REVIEW_GATING: &str = "review-gating";
pub const REVIEW_INCENTIVE: &str = "review-incentive";
pub const REVIEW_CHANGE_REQUEST: &str = "review-change-request";
pub const EXTERNAL_LINK: &str = "external-link";
pub const CONTACT_INFO: &str = "contact-info";
pub const MARKETING: &str = "marketing";
pub const EMOJI: &str = "emoji";
pub const IMPORTANT_SUBJECT: &str = "important-subject";
pub const MISSING_ORDER_ID: &str = "missing-order-id";
pub const MESSAGE_TOO_LONG: &str = "message-too-long";
pub const TOO_LONG_TO_CHECK: &str = "too-long-to-check";
pub const LOCALE_MISMATCH: &str = "locale-mismatch";
pub const TOO_MANY_MESSAGES: &str = "too-many-messages";
pub const DUPLICATE_REVIEW_REQUEST: &str = "duplicate-review-request";
pub const SEND_WINDOW: &str = "send-window";
pub const LOCALE_PARITY: &str = "locale-parity";
pub const BAD_SUPPRESSION: &str = "bad-suppression";
pub const UNKNOWN_SUPPRESSION: &str = "unknown-suppression";
pub const UNUSED_SUPPRESSION: &str = "unused-suppression";

/// Every code the compliance rules emit.
pub const CODES: &[CodeInfo] = &[
    CodeInfo {
        code: CONDITIONAL_REVIEW_ASK,
        default_severity: Severity::Error,
        summary: "A review or feedback request is made conditional (\"if you are satisfied, please review\")",
        explanation: include_str!("../../../docs/rules/conditional-review-ask.md"),
    },
    CodeInfo {
        code: SENTIMENT_WORD,
        default_severity: Severity::Error,
        summary: "A sentiment word (good, happy, satisfied, five-star...) in a message that asks for a review",
        explanation: include_str!("../../../docs/rules/sentiment-word.md"),
    },
    CodeInfo {
        code: CONDITIONAL_PROBLEM_CONTACT,
        default_severity: Severity::Error,
        summary: "\"If you have a problem, contact us\": help offered only to unhappy buyers",
        explanation: include_str!("../../../docs/rules/conditional-problem-contact.md"),
    },
    CodeInfo {
        code: REVIEW_GATING,
        default_severity: Severity::Error,
        summary: "A review request inside an `{% if %}` that selects which buyers are asked",
        explanation: include_str!("../../../docs/rules/review-gating.md"),
    },
    CodeInfo {
        code: REVIEW_INCENTIVE,
        default_severity: Severity::Error,
        summary: "Something of value offered alongside a review request",
        explanation: include_str!("../../../docs/rules/review-incentive.md"),
    },
    CodeInfo {
        code: REVIEW_CHANGE_REQUEST,
        default_severity: Severity::Error,
        summary: "Asks the buyer to change or remove a review",
        explanation: include_str!("../../../docs/rules/review-change-request.md"),
    },
    CodeInfo {
        code: EXTERNAL_LINK,
        default_severity: Severity::Error,
        summary: "A link that is not https or leads outside Amazon",
        explanation: include_str!("../../../docs/rules/external-link.md"),
    },
    CodeInfo {
        code: CONTACT_INFO,
        default_severity: Severity::Error,
        summary: "An e-mail address or phone number in a buyer message",
        explanation: include_str!("../../../docs/rules/contact-info.md"),
    },
    CodeInfo {
        code: MARKETING,
        default_severity: Severity::Error,
        summary: "Promotional content: coupons, sales, other products, social media",
        explanation: include_str!("../../../docs/rules/marketing.md"),
    },
    CodeInfo {
        code: EMOJI,
        default_severity: Severity::Error,
        summary: "An emoji in a buyer message",
        explanation: include_str!("../../../docs/rules/emoji.md"),
    },
    CodeInfo {
        code: IMPORTANT_SUBJECT,
        default_severity: Severity::Error,
        summary: "\"[Important]\" or similar in the subject of a message that is not critical",
        explanation: include_str!("../../../docs/rules/important-subject.md"),
    },
    CodeInfo {
        code: MISSING_ORDER_ID,
        default_severity: Severity::Error,
        summary: "A proactive message that never prints the order id",
        explanation: include_str!("../../../docs/rules/missing-order-id.md"),
    },
    CodeInfo {
        code: MESSAGE_TOO_LONG,
        default_severity: Severity::Error,
        summary: "The rendered text can exceed Amazon's length limit for its kind",
        explanation: include_str!("../../../docs/rules/message-too-long.md"),
    },
    CodeInfo {
        code: TOO_LONG_TO_CHECK,
        default_severity: Severity::Warning,
        summary: "The template's text is too long for the compliance rules to read all of it",
        explanation: include_str!("../../../docs/rules/too-long-to-check.md"),
    },
    CodeInfo {
        code: LOCALE_MISMATCH,
        default_severity: Severity::Warning,
        summary: "The text is not written in the language of the declared locale",
        explanation: include_str!("../../../docs/rules/locale-mismatch.md"),
    },
    CodeInfo {
        code: TOO_MANY_MESSAGES,
        default_severity: Severity::Error,
        summary: "More proactive messages scheduled per order than allowed",
        explanation: include_str!("../../../docs/rules/too-many-messages.md"),
    },
    CodeInfo {
        code: DUPLICATE_REVIEW_REQUEST,
        default_severity: Severity::Error,
        summary: "More than one review request scheduled for the same order",
        explanation: include_str!("../../../docs/rules/duplicate-review-request.md"),
    },
    CodeInfo {
        code: SEND_WINDOW,
        default_severity: Severity::Error,
        summary: "A review request scheduled outside 5 to 30 days after delivery",
        explanation: include_str!("../../../docs/rules/send-window.md"),
    },
    CodeInfo {
        code: LOCALE_PARITY,
        default_severity: Severity::Warning,
        summary: "Translations of one message use different placeholders",
        explanation: include_str!("../../../docs/rules/locale-parity.md"),
    },
    CodeInfo {
        code: BAD_SUPPRESSION,
        default_severity: Severity::Warning,
        summary: "A `tplc-allow` comment without a reason or codes",
        explanation: include_str!("../../../docs/rules/bad-suppression.md"),
    },
    CodeInfo {
        code: UNKNOWN_SUPPRESSION,
        default_severity: Severity::Warning,
        summary: "A `tplc-allow` comment names a code that does not exist",
        explanation: include_str!("../../../docs/rules/unknown-suppression.md"),
    },
    CodeInfo {
        code: UNUSED_SUPPRESSION,
        default_severity: Severity::Warning,
        summary: "A `tplc-allow` comment that silences nothing",
        explanation: include_str!("../../../docs/rules/unused-suppression.md"),
    },
];
