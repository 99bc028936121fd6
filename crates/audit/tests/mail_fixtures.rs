//! Each fixture message decodes to the text its buyer reads: MIME structure, transfer
//! encodings, charsets and HTML handled.

use tplc_audit::mail::{self, Mail};
use tplc_audit::notices::{self, NoticeKind};

fn load(name: &str) -> Mail {
    let bytes = std::fs::read(format!("tests/fixtures/export/{name}")).unwrap();
    mail::parse(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn multipart_alternative_prefers_the_plain_text_part() {
    let m = load("Sent/001-review-request.eml");
    assert_eq!(
        m.subject.as_deref(),
        Some("Your order 111-1111111-1111111: how do you like your mug?")
    );
    assert!(
        m.body
            .starts_with("Hello Anna,\n\nthank you for order 111-1111111-1111111."),
        "{}",
        m.body
    );
    // Quoted-printable UTF-8 decoded; the HTML alternative is not appended.
    assert!(
        m.body.ends_with("Northwind Mugs – Team Ölgärten"),
        "{}",
        m.body
    );
    assert_eq!(m.body.matches("5-star").count(), 1);
    assert!(!m.is_reply);
}

#[test]
fn html_only_base64_is_reduced_to_text() {
    let m = load("Sent/002-delivery-html-only.eml");
    assert_eq!(
        m.body,
        "Hello Anna,\n\nyour order 111-1111111-1111111 is out for delivery today. The parcel will be left at the front door unless you booked a pickup point.\n\n- Stoneware mug, 350 ml\n- Lid\n\nNorthwind Mugs"
    );
}

#[test]
fn charsets_and_encoded_words() {
    let m = load("Sent/003-review-reminder.eml");
    assert!(m.body.contains("we would be grateful for a product review"));
    let m = load("Sent/004-bewertung-de.eml");
    assert_eq!(
        m.subject.as_deref(),
        Some("Ihre Bestellung 222-2222222-2222222 – Ihre Meinung")
    );
    assert_eq!(m.language.as_deref(), Some("de-DE"));
    assert!(m.body.contains("Wenn Ihnen der Artikel gefällt"));
    assert!(m.body.contains("Grüßen"));
    let m = load("Sent/005-review-ja.eml");
    assert_eq!(
        m.subject.as_deref(),
        Some("ご注文 333-3333333-3333333 について")
    );
    assert!(
        m.body.contains("レビューの投稿をお願いいたします。"),
        "{}",
        m.body
    );
}

#[test]
fn unknown_charset_and_garbage_do_not_stop_the_run() {
    let m = load("Sent/009-unknown-charset.eml");
    assert!(m
        .body
        .contains("Your order 666-6666666-6666666 has been shipped"));
    let bytes = std::fs::read("tests/fixtures/export/Sent/010-malformed.eml").unwrap();
    assert!(mail::parse(&bytes).is_err());
}

#[test]
fn notices_in_fixtures() {
    let m = load("Sent/006-not-delivered.eml");
    let f = notices::detect(m.from.as_deref(), m.subject.as_deref(), &m.body);
    assert_eq!(f.notices, vec![NoticeKind::RestrictionFooter]);
    let seller = &m.body[f.seller_text.unwrap()];
    assert!(seller.ends_with("Northwind Mugs"), "{seller}");

    let m = load("Sent/007-blocked-banner.eml");
    let f = notices::detect(m.from.as_deref(), m.subject.as_deref(), &m.body);
    assert_eq!(f.notices, vec![NoticeKind::GuidelinesBanner]);
    assert!(m.body[f.seller_text.unwrap()].starts_with("Hi Lee,"));

    let m = load("Inbox/opt-out-bounce.eml");
    let f = notices::detect(m.from.as_deref(), m.subject.as_deref(), &m.body);
    assert_eq!(f.notices, vec![NoticeKind::BuyerOptedOut]);
    let original = m.attached.expect("the original is attached");
    assert_eq!(
        original.message_id.as_deref(),
        Some("r1-777@northwind-mugs.example")
    );
    assert!(original
        .body
        .contains("please leave a review of your order 777-7777777-7777777"));

    let m = load("Sent/011-reply.eml");
    assert!(m.is_reply);
}
