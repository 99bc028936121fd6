//! Order IDs in message text, and which messages ask for a review.

/// The first Amazon order ID (`3-7-7` digits, e.g. `123-1234567-1234567`) in `text`, with
/// its byte range. Digits glued to more digits or dashes do not count.
pub fn find_order_id(text: &str) -> Option<(String, std::ops::Range<usize>)> {
    let b = text.as_bytes();
    let groups = [3usize, 7, 7];
    let total = 3 + 1 + 7 + 1 + 7;
    let mut i = 0;
    while i + total <= b.len() {
        if i > 0 && (b[i - 1].is_ascii_digit() || b[i - 1] == b'-') {
            i += 1;
            continue;
        }
        let mut at = i;
        let mut ok = true;
        for (g, &len) in groups.iter().enumerate() {
            if !b[at..at + len].iter().all(u8::is_ascii_digit) {
                ok = false;
                break;
            }
            at += len;
            if g < 2 {
                if b[at] != b'-' {
                    ok = false;
                    break;
                }
                at += 1;
            }
        }
        if ok && (at == b.len() || !(b[at].is_ascii_digit() || b[at] == b'-')) {
            return Some((text[i..at].to_string(), i..at));
        }
        i += 1;
    }
    None
}

/// Words that ask for a review or feedback, in the languages tplc supports. This only sorts
/// messages for the per-order count; whether the wording is allowed is decided by the
/// compliance rules.
const REVIEW_WORDS: &[&str] = &[
    "review",
    "reviews",
    "feedback",
    "rating",
    "ratings",
    "bewertung",
    "bewertungen",
    "bewerten",
    "rezension",
    "évaluation",
    "évaluer",
    "opinión",
    "reseña",
    "valoración",
    "recensione",
    "recensioni",
    "valutazione",
];
/// Phrases for words too ambiguous alone (French "avis" is also a delivery notice).
const REVIEW_PHRASES: &[&str] = &[
    "laisser un avis",
    "laissez un avis",
    "un avis sur",
    "votre avis",
    "レビュー",
    "評価",
];
/// "Please review the attached invoice" is not a review request.
const NOT_REVIEW_OBJECTS: &[&str] = &[
    "attached",
    "attachment",
    "invoice",
    "document",
    "details",
    "terms",
    "instructions",
    "information",
];

/// Whether a message asks the buyer for a product review or seller feedback.
pub fn is_review_request(subject: Option<&str>, body: &str) -> bool {
    let hay = format!("{}\n{}", subject.unwrap_or(""), body).to_lowercase();
    if REVIEW_PHRASES.iter().any(|p| hay.contains(p)) {
        return true;
    }
    let words: Vec<&str> = hay
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    words.iter().enumerate().any(|(i, w)| {
        if !REVIEW_WORDS.contains(w) {
            return false;
        }
        // "review the attached invoice", "review your order details"
        let object = words
            .iter()
            .skip(i + 1)
            .take(3)
            .any(|n| NOT_REVIEW_OBJECTS.contains(n));
        !(*w == "review" && object)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_ids() {
        assert_eq!(
            find_order_id("Order 123-1234567-1234567 shipped"),
            Some(("123-1234567-1234567".into(), 6..25))
        );
        assert_eq!(
            find_order_id("#402-9999999-0000001."),
            Some(("402-9999999-0000001".into(), 1..20))
        );
        assert_eq!(find_order_id("1123-1234567-1234567"), None);
        assert_eq!(find_order_id("123-1234567-12345678"), None);
        assert_eq!(find_order_id("123-123456-1234567"), None);
        assert_eq!(
            find_order_id("é123-1234567-1234567é").map(|o| o.1),
            Some(2..21)
        );
        assert_eq!(find_order_id(""), None);
    }

    #[test]
    fn review_requests() {
        assert!(is_review_request(None, "Please leave a review of the mug."));
        assert!(is_review_request(Some("Bitte um eine Bewertung"), ""));
        assert!(is_review_request(
            None,
            "レビューの投稿をお願いいたします。"
        ));
        assert!(!is_review_request(
            Some("Invoice"),
            "Please review the attached invoice for your order."
        ));
        assert!(!is_review_request(None, "Your parcel is out for delivery."));
        assert!(is_review_request(
            None,
            "If you are satisfied, please leave a 5-star review."
        ));
        assert!(is_review_request(
            None,
            "Merci de laisser un avis sur le produit."
        ));
        assert!(!is_review_request(
            None,
            "Vous recevrez un avis de passage."
        ));
        assert!(!is_review_request(
            None,
            "Please review your order details before we ship."
        ));
    }
}
