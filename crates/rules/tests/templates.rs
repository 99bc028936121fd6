//! The rules over real templates: prose across tags, spans, fixes, includes, gating,
//! suppressions and the project-wide budget.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use tplc_diagnostics::{Applicability, Diagnostic, Severity};
use tplc_rules::*;
use tplc_syntax::Template;

fn check(src: &str) -> Vec<Diagnostic> {
    let p = tplc_syntax::parse(src);
    check_template(&p.template, src, &NoIncludes, &RulesConfig::default())
}

fn codes(d: &[Diagnostic]) -> Vec<&'static str> {
    d.iter().map(|d| d.code).collect()
}

fn find<'a>(d: &'a [Diagnostic], code: &str) -> &'a Diagnostic {
    d.iter()
        .find(|x| x.code == code)
        .unwrap_or_else(|| panic!("no {code} in {:#?}", codes(d)))
}

fn at<'a>(src: &'a str, d: &Diagnostic) -> &'a str {
    &src[d.span.start..d.span.end]
}

const HEAD: &str = "---\nkind: review_request\nlocale: en\n---\n";

#[test]
fn a_sentence_split_across_tags_is_one_sentence() {
    let src = format!("{HEAD}Order {{{{ order.id }}}}. If you are {{% if buyer.vip %}}really{{% endif %}} pleased, {{{{ buyer.name }}}}, please leave a review.\n");
    let d = check(&src);
    let c = find(&d, CONDITIONAL_REVIEW_ASK);
    assert_eq!(c.severity, Severity::Error);
    assert!(at(&src, c).starts_with("If you are"), "{:?}", at(&src, c));
    let s = find(&d, SENTIMENT_WORD);
    assert_eq!(at(&src, s), "pleased");
}

#[test]
fn removing_the_conditional_clause_leaves_a_plain_ask() {
    let src = format!(
        "{HEAD}Order {{{{ order.id }}}}.\n\nIf you have a minute, please write a review.\n"
    );
    let d = check(&src);
    let c = find(&d, CONDITIONAL_REVIEW_ASK);
    let fix = &c.fixes[0];
    assert_eq!(fix.applicability, Applicability::Unsafe);
    let fixed = fix.apply(&src);
    assert!(fixed.ends_with("\n\nPlease write a review.\n"), "{fixed:?}");
    assert!(!codes(&check(&fixed)).contains(&CONDITIONAL_REVIEW_ASK));
}

#[test]
fn trailing_condition_is_removed_with_its_comma() {
    let src = format!(
        "{HEAD}Order {{{{ order.id }}}}: please leave feedback, if everything went smoothly.\n"
    );
    let d = check(&src);
    let fixed = find(&d, CONDITIONAL_REVIEW_ASK).fixes[0].apply(&src);
    assert!(fixed.contains("please leave feedback.\n"), "{fixed:?}");
}

#[test]
fn evasions_are_caught_with_spans_on_the_original_text() {
    let src = format!("{HEAD}Order {{{{ order.id }}}}. We hope you are h\u{0430}p\u{00AD}py. A five-star review helps.\n");
    let d = check(&src);
    let words: Vec<&str> = d
        .iter()
        .filter(|x| x.code == SENTIMENT_WORD)
        .map(|x| at(&src, x))
        .collect();
    assert!(words.contains(&"h\u{0430}p\u{00AD}py"), "{words:?}");
    assert!(words.contains(&"five-star"), "{words:?}");
}

#[test]
fn sentiment_before_review_word_gets_a_neutral_replacement() {
    let src = format!("{HEAD}Order {{{{ order.id }}}}. Please leave a good review.\n");
    let d = check(&src);
    let s = find(&d, SENTIMENT_WORD);
    assert_eq!(
        s.fixes[0].apply(&src),
        src.replace("a good review", "an honest review")
    );
}

#[test]
fn goodbye_and_invoices_are_not_review_language() {
    let src = "---\nkind: invoice\nlocale: en\n---\nOrder {{ order.id }}: please review the attached invoice. Goodbye!\n";
    assert_eq!(codes(&check(src)), Vec::<&str>::new());
}

#[test]
fn review_gating_depends_on_the_condition() {
    let gated = format!("{HEAD}Order {{{{ order.id }}}}.\n{{% if order.rating >= 4 %}}Please leave a review.{{% endif %}}\n");
    let d = check(&gated);
    let g = find(&d, REVIEW_GATING);
    assert_eq!(g.severity, Severity::Error);
    assert_eq!(at(&gated, g), "review");
    assert!(g
        .labels
        .iter()
        .any(|l| gated[l.span.start..l.span.end].starts_with("{% if order.rating")));

    let other = format!("{HEAD}Order {{{{ order.id }}}}.\n{{% if buyer.name %}}Please leave a review.{{% endif %}}\n");
    assert_eq!(
        find(&check(&other), REVIEW_GATING).severity,
        Severity::Warning
    );

    let in_else = format!("{HEAD}Order {{{{ order.id }}}}.\n{{% if order.complaint %}}Sorry.{{% else %}}Please leave a review.{{% endif %}}\n");
    assert_eq!(
        find(&check(&in_else), REVIEW_GATING).severity,
        Severity::Error
    );
}

#[test]
fn findings_in_a_partial_point_at_the_include_tag() {
    let partial_src: Arc<str> = Arc::from("We are so happy you shopped with us.\n");
    let partial = Arc::new(tplc_syntax::parse(&partial_src).template);
    let resolver = |_: Option<&Path>, name: &str| -> Option<(Arc<Template>, Arc<str>, PathBuf)> {
        (name == "footer").then(|| {
            (
                partial.clone(),
                partial_src.clone(),
                PathBuf::from("_footer.tplc"),
            )
        })
    };
    let src = format!(
        "{HEAD}Order {{{{ order.id }}}}. Please leave a review.\n{{% include \"footer\" %}}\n"
    );
    let p = tplc_syntax::parse(&src);
    let d = check_template(&p.template, &src, &resolver, &RulesConfig::default());
    let s = find(&d, SENTIMENT_WORD);
    assert_eq!(at(&src, s), "{% include \"footer\" %}");
    let l = &s.labels[0];
    assert_eq!(l.file.as_deref(), Some(Path::new("_footer.tplc")));
    assert_eq!(&partial_src[l.span.start..l.span.end], "happy");
}

#[test]
fn self_including_partials_do_not_loop() {
    let src: Arc<str> = Arc::from("Loop {% include \"me\" %}\n");
    let t = Arc::new(tplc_syntax::parse(&src).template);
    let resolver = |_: Option<&Path>, _: &str| -> Option<(Arc<Template>, Arc<str>, PathBuf)> {
        Some((t.clone(), src.clone(), PathBuf::from("_me.tplc")))
    };
    let main = format!("{HEAD}Order {{{{ order.id }}}}. {{% include \"me\" %}}\n");
    let p = tplc_syntax::parse(&main);
    let _ = check_template(&p.template, &main, &resolver, &RulesConfig::default());
}

#[test]
fn order_id_length_links_subject_and_locale() {
    let src = "---\nkind: return\nlocale: de\nsubject: [Important] Delivery\n---\nYour parcel arrives tomorrow and the driver will ring twice at the door. [Shop](http://example.com) and [track]({{ order.tracking_url }}).\n";
    let d = check(src);
    let c = codes(&d);
    assert!(c.contains(&MISSING_ORDER_ID), "{c:?}");
    assert!(c.contains(&LOCALE_MISMATCH), "{c:?}");
    assert!(c.contains(&IMPORTANT_SUBJECT), "{c:?}");
    let links: Vec<&str> = d
        .iter()
        .filter(|x| x.code == EXTERNAL_LINK)
        .map(|x| at(src, x))
        .collect();
    assert_eq!(links, vec!["http://example.com"]);
    let fixed = find(&d, MISSING_ORDER_ID).fixes[0].apply(src);
    assert!(
        !codes(&check(&fixed)).contains(&MISSING_ORDER_ID),
        "{fixed}"
    );

    let key = "---\nkind: digital_access_key\nlocale: en\n---\nOrder {{ order.id }}.\n{% for item in order.items %}{{ item.title }} {{ item.key_url }}\n{% endfor %}";
    let d = check(key);
    assert!(find(&d, MESSAGE_TOO_LONG).message.contains("400"));
}

#[test]
fn contact_details_but_not_order_ids() {
    let src = "---\nkind: order_issue\nlocale: en\n---\nOrder {{ order.id }} (123-1234567-1234567) shipped on 2025-01-02. Call +1 415 555 0100 or mail help@example.com.\n";
    let d = check(src);
    let found: Vec<&str> = d
        .iter()
        .filter(|x| x.code == CONTACT_INFO)
        .map(|x| at(src, x))
        .collect();
    assert_eq!(found, vec!["+1 415 555 0100", "help@example.com"]);
}

#[test]
fn emoji_is_found_and_removed() {
    let src = "---\nkind: delivery\nlocale: en\n---\nOrder {{ order.id }} is on its way 🚚!\n";
    let d = check(src);
    let e = find(&d, EMOJI);
    assert_eq!(at(src, e), "🚚");
    assert_eq!(e.fixes[0].apply(src), src.replace("🚚", ""));
}

fn known(code: &str) -> bool {
    CODES.iter().any(|c| c.code == code)
}

#[test]
fn suppressions_need_a_reason_and_must_be_used() {
    let src = format!("{HEAD}Order {{{{ order.id }}}}. Please leave a review.\n{{# tplc-allow: sentiment-word -- the brand is called Happy Socks #}}\nHappy Socks team\n");
    let p = tplc_syntax::parse(&src);
    let d = check(&src);
    assert!(codes(&d).contains(&SENTIMENT_WORD));
    let after = apply_suppressions(&p.template, &src, d, &known);
    assert!(
        !codes(&after).contains(&SENTIMENT_WORD),
        "{:?}",
        codes(&after)
    );
    assert!(!codes(&after).contains(&UNUSED_SUPPRESSION));

    let no_reason = src.replace(" -- the brand is called Happy Socks", "");
    let p = tplc_syntax::parse(&no_reason);
    let after = apply_suppressions(&p.template, &no_reason, check(&no_reason), &known);
    assert!(codes(&after).contains(&SENTIMENT_WORD));
    assert!(codes(&after).contains(&BAD_SUPPRESSION));

    let unknown = format!("{HEAD}Order {{{{ order.id }}}}.\n{{# tplc-allow: sentiment-wrd, emoji -- why #}}\nPlain text.\n");
    let p = tplc_syntax::parse(&unknown);
    let after = apply_suppressions(&p.template, &unknown, check(&unknown), &known);
    let u = find(&after, UNKNOWN_SUPPRESSION);
    assert_eq!(at(&unknown, u), "sentiment-wrd");
    let unused = find(&after, UNUSED_SUPPRESSION);
    assert_eq!(at(&unknown, unused), "emoji");
}

#[test]
fn a_suppression_covers_the_next_block() {
    let src = format!("{HEAD}Order {{{{ order.id }}}}.\n{{# tplc-allow: review-gating -- only asks buyers with a gift note #}}\n{{% if order.is_prime %}}\nPlease leave a review.\n{{% endif %}}\n");
    let p = tplc_syntax::parse(&src);
    let d = check(&src);
    assert!(codes(&d).contains(&REVIEW_GATING));
    let after = apply_suppressions(&p.template, &src, d, &known);
    assert_eq!(codes(&after), Vec::<&str>::new());
}

fn project_file(src: &str) -> Template {
    tplc_syntax::parse(src).template
}

#[test]
fn project_budget_duplicates_window_and_parity() {
    let a = "---\nkind: review_request\nlocale: en\nid: ask\nsend: 3d after delivery\n---\nOrder {{ order.id }} {{ buyer.name }}\n";
    let a_de = "---\nkind: review_request\nlocale: de\nid: ask\nsend: 3d after delivery\n---\nBestellung {{ order.id }}\n";
    let b = "---\nkind: review_request\nlocale: en\nsend: 10d after delivery\n---\nOrder {{ order.id }}\n";
    let c = "---\nkind: delivery\nlocale: en\nsend: 1d after shipment\n---\nOrder {{ order.id }}\n";
    let r = "---\nkind: reply\nlocale: en\nsend: 1d after purchase\n---\nHi\n";
    let srcs = [
        ("ask.tplc", a),
        ("ask.de.tplc", a_de),
        ("second.tplc", b),
        ("notice.tplc", c),
        ("reply.tplc", r),
    ];
    let summaries: Vec<MessageSummary> = srcs
        .iter()
        .map(|(_, s)| MessageSummary::of(&project_file(s)))
        .collect();
    let items: Vec<ProjectTemplate> = srcs
        .iter()
        .zip(&summaries)
        .map(|((p, _), summary)| ProjectTemplate {
            path: Path::new(p),
            summary,
        })
        .collect();
    let out = check_project(&items, &RulesConfig::default());
    let of = |code: &str| {
        out.iter()
            .filter(|(_, d)| d.code == code)
            .map(|(p, _)| p.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
    };
    // ask (3d), notice (1d after shipment counts 24h), second (10d): three ids, two allowed.
    assert_eq!(of(TOO_MANY_MESSAGES), vec!["second.tplc"]);
    assert_eq!(of(DUPLICATE_REVIEW_REQUEST), vec!["second.tplc"]);
    assert_eq!(of(SEND_WINDOW), vec!["ask.tplc", "ask.de.tplc"]);
    assert_eq!(of(LOCALE_PARITY), vec!["ask.de.tplc"]);
    let parity = &out.iter().find(|(_, d)| d.code == LOCALE_PARITY).unwrap().1;
    assert!(parity.message.contains("buyer.name"));
    assert_eq!(
        parity.labels[0].file.as_deref(),
        Some(Path::new("ask.tplc"))
    );
    let window = &out.iter().find(|(_, d)| d.code == SEND_WINDOW).unwrap().1;
    assert_eq!(
        window.fixes[0].apply(a).lines().nth(4),
        Some("send: 5d after delivery")
    );
}

#[test]
fn message_text_audit_api() {
    let d = check_message_text(
        Some("[Important] review"),
        "Please leave a good review for order 123-1234567-1234567.",
        Some("en-US"),
        Some("review_request"),
    );
    let c = codes(&d);
    assert!(
        c.contains(&SENTIMENT_WORD) && c.contains(&IMPORTANT_SUBJECT),
        "{c:?}"
    );
    assert!(!c.contains(&MISSING_ORDER_ID));
    let sub = find(&d, IMPORTANT_SUBJECT);
    assert_eq!((sub.span.start, sub.span.end), (0, 0));
    assert_eq!(
        hover_word("so happy", 4, Some("en")).map(|h| h.0),
        Some(SENTIMENT_WORD)
    );
}

#[test]
fn hostile_and_half_typed_input_never_panics() {
    let full = "---\nkind: review_request\nlocale: ja\nsubject: {{ order.id }} 重要\nsend: 7d after delivery\n---\nこんにちは{{ buyer.name }}様、もしよろしければ {% if order.rating > 3 %}レビュー{% elif x %}★★★{% else %}[a](http://x){% endif %} {% for i in order.items %}- **{{ i.title }}** 📦 +81 3-1234-5678{% endfor %}{# tplc-allow: emoji #}\n";
    let mut cut = 0;
    while cut <= full.len() {
        if full.is_char_boundary(cut) {
            let s = &full[..cut];
            let p = tplc_syntax::parse(s);
            let d = check_template(&p.template, s, &NoIncludes, &RulesConfig::default());
            let _ = apply_suppressions(&p.template, s, d, &known);
            let _ = check_message_text(Some(s), s, None, Some("review_request"));
            let _ = detect_locale(s);
        }
        cut += 1;
    }
    for s in [
        "",
        "@",
        "@@.",
        "+",
        "((((1",
        "1-2-3-4-5-6-7-8",
        "\u{2029}\u{2029}",
        "a . b . c . d",
        "[](",
        "[x](",
        "ｇｏｏｄ",
        "\u{0301}\u{0301}",
    ] {
        let _ = check_message_text(None, s, Some("xx"), None);
    }
}

#[test]
fn every_code_is_documented() {
    let readme = include_str!("../../../docs/rules/README.md");
    for c in CODES {
        for section in [
            "## What it reports",
            "## Why",
            "## Amazon source",
            "## Example",
        ] {
            assert!(
                c.explanation.contains(section),
                "{}: docs page lacks {section}",
                c.code
            );
        }
        assert!(
            c.explanation.starts_with(&format!("# {}\n", c.code)),
            "{}: page title",
            c.code
        );
        assert!(
            readme.contains(&format!("[`{}`]({}.md)", c.code, c.code)),
            "{} missing from docs/rules/README.md",
            c.code
        );
        assert_eq!(default_severity(c.code), Some(c.default_severity));
    }
}

#[test]
fn snapshot_of_a_noncompliant_review_request() {
    let src = "---\nkind: review_request\nlocale: en-US\nsubject: [Important] Quick favour\n---\nHi {{ buyer.name }}!\n\nIf you are happy with {{ order.items.0.title }}, please leave a 5-star review 😊.\nShould anything be missing, email us at help@shop.example.\n";
    let d = check(src);
    insta::assert_json_snapshot!(d);
}

#[test]
fn random_fragments_never_panic() {
    const PIECES: [&str; 32] = [
        "{{ order.id }}",
        "{% if a %}",
        "{% else %}",
        "{% endif %}",
        "{% for i in xs %}",
        "{% endfor %}",
        "{# c #}",
        "{% include \"x\" %}",
        "if ",
        "review ",
        "happy ",
        "@",
        "+1 ",
        "555 ",
        "-",
        ".",
        "⭐",
        "\u{AD}",
        "é",
        "\u{301}",
        "[",
        "](",
        ")",
        "**",
        "- ",
        "\n",
        "\n\n",
        " ",
        "a ",
        "お時間があれば",
        "http://",
        "{# tplc-allow: emoji -- x #}",
    ];
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    for round in 0..400 {
        let mut s = String::from(if round % 2 == 0 {
            "---\nkind: review_request\nlocale: en\n---\n"
        } else {
            ""
        });
        for _ in 0..(round % 40) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            s.push_str(PIECES[(seed % PIECES.len() as u64) as usize]);
        }
        let p = tplc_syntax::parse(&s);
        let d = check_template(&p.template, &s, &NoIncludes, &RulesConfig::default());
        for x in &d {
            assert!(
                x.span.start <= x.span.end && x.span.end <= s.len(),
                "{x:?} in {s:?}"
            );
            for f in &x.fixes {
                let _ = f.apply(&s);
            }
        }
        let _ = apply_suppressions(&p.template, &s, d, &known);
        let _ = check_message_text(Some(&s), &s, Some("ja"), Some("reply"));
    }
}

#[test]
fn ordinary_compliant_messages_pass_in_every_language() {
    let msgs = [
        ("reply", "en", "Thank you for your comments. We are happy to send a replacement for order 123-1234567-1234567 today."),
        ("review_request", "en", "Hello Anna, thank you for order 123-1234567-1234567. Please take a moment to share your experience with the lamp in a review on Amazon. Your review helps other customers. Best regards, the Lumen team"),
        ("review_request", "de", "Hallo Anna, vielen Dank für Ihre Bestellung 123-1234567-1234567. Wir würden uns über eine Bewertung des Artikels auf Amazon freuen. Mit freundlichen Grüßen"),
        ("review_request", "fr", "Bonjour Anna, merci pour votre commande 123-1234567-1234567. Pourriez-vous laisser un avis sur Amazon ? Cordialement, l'équipe"),
        ("delivery", "es", "Hola Ana, su pedido 123-1234567-1234567 llegará el viernes entre las 9 y las 12. Si no está en casa, el repartidor le llamará. Saludos"),
        ("review_request", "it", "Gentile Anna, grazie per l'ordine 123-1234567-1234567. Le chiediamo di lasciare una recensione del prodotto su Amazon. Cordiali saluti"),
        ("review_request", "ja", "アンナ様、ご注文123-1234567-1234567をありがとうございます。商品のレビューをAmazonにご投稿いただけますと幸いです。よろしくお願いいたします。"),
    ];
    for (kind, locale, text) in msgs {
        let d = check_message_text(None, text, Some(locale), Some(kind));
        assert!(d.is_empty(), "{kind}/{locale}: {:?}", codes(&d));
    }
}

#[test]
fn problem_contact_is_a_warning_in_a_substantive_non_review_message() {
    let text = "Hello Anna, we are sorry that the lamp for order 123-1234567-1234567 arrived broken. A replacement ships today and should arrive on Friday. If the new lamp also has a problem, please reply to this message.";
    let d = check_message_text(None, text, Some("en"), Some("order_issue"));
    let pc = find(&d, CONDITIONAL_PROBLEM_CONTACT);
    assert_eq!(pc.severity, Severity::Warning);
    assert_eq!(
        &text[pc.span.start..pc.span.end],
        "If the new lamp also has a problem, please reply to this message."
    );
    let only = "If anything is wrong with order 123-1234567-1234567, let us know.";
    let d = check_message_text(None, only, Some("en"), Some("order_issue"));
    assert_eq!(
        find(&d, CONDITIONAL_PROBLEM_CONTACT).severity,
        Severity::Error
    );
}

#[test]
fn messages_quote_the_words_as_written() {
    for (written, reads_as) in [
        ("ｇｏｏｄ", Some("good")),
        ("g o o d", Some("good")),
        ("g\u{043E}\u{043E}d", Some("good")),
        ("G.O.O.D", Some("good")),
        ("go\u{00AD}od", None),
        ("Good", None),
    ] {
        let src = format!("{HEAD}Order {{{{ order.id }}}}: a {written} review helps us.\n");
        let d = check(&src);
        let s = find(&d, SENTIMENT_WORD);
        assert_eq!(at(&src, s), written);
        // Invisible characters are left out of the quote.
        let shown = written.replace('\u{00AD}', "");
        let want = match reads_as {
            Some(r) => format!("\"{shown}\" (reads as \"{r}\") in a message"),
            None => format!("\"{shown}\" in a message"),
        };
        assert!(s.message.starts_with(&want), "{written:?}: {}", s.message);
    }
}

#[test]
fn quoted_text_is_kept_readable() {
    // A control character in the quoted words is escaped, not printed.
    let src = format!("{HEAD}Order {{{{ order.id }}}}: call +49\u{7} 30 1234567 or write.\n");
    let d = check(&src);
    let c = find(&d, CONTACT_INFO);
    assert!(!c.message.contains('\u{7}'), "{}", c.message);
    let src = format!("{HEAD}Order {{{{ order.id }}}}: mail info@\u{202E}shop.example please.\n");
    for x in check(&src) {
        assert!(!x.message.contains('\u{202E}'), "{}", x.message);
    }
}

/// The code reported for `[track it](URL)` in a delivery note, or None.
fn link_code(url: &str) -> Option<&'static str> {
    let src = format!(
        "---\nkind: delivery\nlocale: en\n---\nOrder {{{{ order.id }}}}: [track it]({url})\n"
    );
    let d = check(&src);
    let found: Vec<&Diagnostic> = d
        .iter()
        .filter(|x| x.code == EXTERNAL_LINK || x.code == CONTACT_INFO)
        .collect();
    assert!(found.len() <= 1, "{url:?}: {found:#?}");
    found.first().map(|x| {
        // The span is the target as written, without the spaces around it.
        let target = &src[x.span.start..x.span.end];
        assert!(
            url.trim().is_empty() || target == url.trim(),
            "{url:?}: span {target:?}"
        );
        x.code
    })
}

#[test]
fn link_targets_other_than_lower_case_https_are_reported() {
    for url in [
        " javascript:alert.1",
        "\tjavascript:alert.1",
        "JavaScript:alert.1",
        "java&#115;cript:alert.1",
        "java&#x73;cript:alert.1",
        "javascript&colon;alert.1",
        "%6Aavascript:alert.1",
        "data:text/html,<b>x</b>",
        "vbscript:msgbox.1",
        "HTTPS://www.amazon.com/x",
        "Https://www.amazon.com/x",
        "http://www.amazon.com/x",
        "ftp://example.com/a",
        "//evil.example/x",
        "\\\\evil.example\\x",
        "/\\evil.example",
        "https:/www.amazon.com",
        "https:www.amazon.com",
        "www.amazon.com/orders",
        "/gp/your-account",
        "#top",
        " ",
        "https://evil.example/x",
        "https://www.amazon.com@evil.example/",
        "https://evil.example\\@www.amazon.com/",
        "https://www.amazon.com.evil.io/",
        "https://amazon.abc.io/",
        "https://www.am\u{0430}zon.com/",
    ] {
        assert_eq!(link_code(url), Some(EXTERNAL_LINK), "{url:?}");
    }
    for url in [
        "mailto:buyer@example.com",
        "MAILTO:buyer@example.com",
        " mailto:buyer@example.com",
        "tel:+4930123456",
    ] {
        assert_eq!(link_code(url), Some(CONTACT_INFO), "{url:?}");
    }
    for url in [
        "https://www.amazon.com/gp/your-account",
        " https://www.amazon.de/dp/B000000000 ",
        "https://WWW.AMAZON.CO.UK/x",
        "https://smile.amazon.co.jp/x",
        "https://amzn.eu/d/abc",
        "https://www.amazon.com:443/x",
        "{{ order.id }}",
        " {{ order.id }}",
    ] {
        assert_eq!(link_code(url), None, "{url:?}");
    }
}

#[test]
fn link_messages_say_what_the_target_is() {
    let msg = |url: &str| {
        let src = format!(
            "---\nkind: delivery\nlocale: en\n---\nOrder {{{{ order.id }}}}: [track it]({url})\n"
        );
        check(&src)
            .into_iter()
            .find(|x| x.code == EXTERNAL_LINK || x.code == CONTACT_INFO)
            .map(|x| x.message)
            .unwrap_or_default()
    };
    let m = msg("java&#115;cript:alert.1");
    assert!(
        m.contains("\"java&#115;cript:alert.1\" (reads as \"javascript:alert.1\")")
            && m.contains("script"),
        "{m}"
    );
    assert!(msg("mailto:a@b.example").contains("e-mail address"));
    assert!(msg("tel:+4930123456").contains("phone number"));
    assert!(msg("HTTPS://www.amazon.com/").contains("lower case"));
}

#[test]
fn link_scheme_fixes_are_safe_and_clean() {
    for (url, fixed) in [
        ("HTTPS://www.amazon.com/x", "https://www.amazon.com/x"),
        (" http://www.amazon.com/x", "https://www.amazon.com/x"),
        ("www.amazon.com/x", "https://www.amazon.com/x"),
    ] {
        let src = format!(
            "---\nkind: delivery\nlocale: en\n---\nOrder {{{{ order.id }}}}: [track it]({url})\n"
        );
        let d = check(&src);
        let f = &find(&d, EXTERNAL_LINK).fixes[0];
        assert_eq!(f.applicability, Applicability::Safe);
        let after = f.apply(&src);
        assert!(after.contains(fixed), "{url:?}: {after}");
        assert!(!codes(&check(&after)).contains(&EXTERNAL_LINK), "{after}");
    }
}

#[test]
fn a_line_of_brackets_is_read_once() {
    // Each `[` could look for its `](` to the end of the line: that must not be repeated.
    let src = format!(
        "{HEAD}Order {{{{ order.id }}}}: {}x]() and {})\n",
        "[".repeat(200_000),
        "[a](b ".repeat(20_000)
    );
    let d = check(&src);
    assert!(codes(&d).contains(&EXTERNAL_LINK));
}

#[test]
fn a_bare_address_is_amazon_only_as_written() {
    let msg = |text: &str| {
        let src = format!("---\nkind: delivery\nlocale: en\n---\nOrder {{{{ order.id }}}}: see {text} for details.\n");
        let d = check(&src);
        d.iter()
            .find(|x| x.code == EXTERNAL_LINK)
            .map(|x| (at(&src, x).to_string(), x.message.clone()))
    };
    assert_eq!(msg("https://www.amazon.com/gp/css/order-history"), None);
    assert_eq!(msg("https://ｗｗｗ.amazon.com/x"), None);
    // A Cyrillic "а": normalised, the text reads "amazon"; a browser opens another host.
    let (span, m) = msg("https://www.\u{0430}mazon.com/x").expect("reported");
    assert_eq!(span, "https://www.\u{0430}mazon.com/x");
    assert!(
        m.contains("(reads as \"https://www.amazon.com/x\")") && m.contains("look-alike"),
        "{m}"
    );
    let (_, m) = msg("https://sh\u{043E}p.example/x").expect("reported");
    assert!(m.contains("sh\u{043E}p.example"), "{m}");
}

/// Paragraphs are read in windows cut at blank lines; a sentence's neighbour in the next
/// paragraph still counts, also past a conditional paragraph that may render no sentence.
#[test]
fn incentive_next_to_a_review_ask_in_another_paragraph() {
    let src = |middle: &str| {
        format!("{HEAD}Order {{{{ order.id }}}}. Please leave a review.\n\n{{% if order.is_prime %}}Thanks again.{{% endif %}} {middle}\n\nYou get a free gift.\n")
    };
    // Without the branch the middle paragraph has no sentence: the offer follows the ask.
    let empty = src("--");
    let d = check(&empty);
    let f = find(&d, REVIEW_INCENTIVE);
    assert_eq!(at(&empty, f), "a free");
    // A sentence between them in every variant: not alongside the ask.
    let apart = src("Note.");
    assert!(!codes(&check(&apart)).contains(&REVIEW_INCENTIVE));
    // Before the ask, across a blank line and a comment.
    let before = format!(
        "{HEAD}Order {{{{ order.id }}}}. You get a free gift.\n{{# offer #}}\n\nPlease leave a review.\n"
    );
    let d = check(&before);
    assert_eq!(at(&before, find(&d, REVIEW_INCENTIVE)), "a free");
}

/// An `if`/`elif` chain is read branch by branch in its own paragraph, however many
/// conditionals the rest of the message holds.
#[test]
fn every_branch_of_a_long_chain_is_read() {
    let mut src = format!("{HEAD}Order {{{{ order.id }}}}, thank you.\n\n");
    for i in 0..40 {
        let kw = if i == 0 { "if" } else { "elif" };
        let note = if i == 35 {
            "Call us at +1 555 123 4567 for help."
        } else {
            "Handle with care."
        };
        src.push_str(&format!(
            "{{% {kw} order.id == \"{i}\" %}}\n- Note {i}: {note}\n"
        ));
    }
    src.push_str("{% endif %}\n\nPlease leave a review.\n\n");
    for _ in 0..3 {
        src.push_str("{% if order.is_prime %}A gift note.{% else %}No gift.{% endif %}\n\n");
    }
    let d = check(&src);
    let f = find(&d, CONTACT_INFO);
    assert_eq!(at(&src, f), "+1 555 123 4567");
}

#[test]
fn an_unbounded_length_is_said_in_words() {
    // Ten nested loops over the items: 5^10 copies of the text, beyond any useful figure.
    let src = format!(
        "{HEAD}Order {{{{ order.id }}}}.\n{}x{}\n",
        "{% for i in order.items %}".repeat(10),
        "{% endfor %}".repeat(10)
    );
    let d = check(&src);
    let f = find(&d, MESSAGE_TOO_LONG);
    assert!(
        f.message.contains("render over a million characters"),
        "{}",
        f.message
    );
}

/// A sent message far past any Amazon limit (the audit reads messages up to 64 MiB) is
/// read up to the rules' budget, says so, and is still measured in full for its length.
#[test]
fn a_message_past_the_prose_budget_is_read_in_part_and_says_so() {
    let short = "Thank you for order 123-1234567-1234567. Please leave a review.";
    let codes = |d: &[tplc_diagnostics::Diagnostic]| d.iter().map(|d| d.code).collect::<Vec<_>>();
    let d = check_message_text(None, short, Some("en"), Some("review_request"));
    assert!(!codes(&d).contains(&"too-long-to-check"), "{:?}", codes(&d));

    let long = format!(
        "{short} {}",
        "We ship every order quickly and carefully. ".repeat(40_000)
    );
    assert!(long.len() > 1 << 20);
    let d = check_message_text(None, &long, Some("en"), Some("review_request"));
    let skipped = d
        .iter()
        .find(|d| d.code == "too-long-to-check")
        .expect("warning");
    assert_eq!(skipped.span.end, long.len());
    assert!(long.is_char_boundary(skipped.span.start) && skipped.span.start <= 1 << 20);
    assert!(codes(&d).contains(&"message-too-long"), "{:?}", codes(&d));
}
