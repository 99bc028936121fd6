use tplc_syntax::{parse, ExprKind, Node};

const MINIMAL: &str = "---\nkind: review_request\nlocale: en\n---\nHello {{ buyer.name | default(\"there\") }}, thank you for order {{ order.id }}.\n";

fn codes_and_text(src: &str) -> Vec<(String, String, String)> {
    parse(src)
        .diagnostics
        .iter()
        .map(|d| {
            (
                d.code.to_string(),
                src[d.span.start..d.span.end].to_string(),
                d.message.clone(),
            )
        })
        .collect()
}

#[test]
fn minimal_form_parses_cleanly() {
    let p = parse(MINIMAL);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    let h = p.template.header.unwrap();
    assert_eq!(h.kind.unwrap().node, "review_request");
    assert_eq!(h.locale.as_ref().unwrap().node, "en");
    assert_eq!(
        &MINIMAL[p.template.body_start..p.template.body_start + 5],
        "Hello"
    );
    let outputs: Vec<_> = p
        .template
        .body
        .iter()
        .filter(|n| matches!(n, Node::Output(_)))
        .collect();
    assert_eq!(outputs.len(), 2);
    let Node::Output(o) = outputs[1] else {
        unreachable!()
    };
    assert_eq!(&MINIMAL[o.span.start..o.span.end], "{{ order.id }}");
    let ExprKind::Path(segs) = &o.expr.kind else {
        panic!()
    };
    assert_eq!(&MINIMAL[segs[1].span.start..segs[1].span.end], "id");
}

#[test]
fn header_fields_params_schedule_subject() {
    let src = "---\nkind: delivery\nlocale: de-DE\nsubject: \"Bestellung {{ order.id }}\"\nsend: 2d after shipment\nparam coupon: text?\nparam codes: list<text>\n---\nBody";
    let p = parse(src);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    let h = p.template.header.unwrap();
    assert_eq!(h.params.len(), 2);
    assert_eq!(h.params[0].ty.node.to_string(), "text?");
    assert_eq!(h.send.unwrap().node.hours, 48);
    let subj = h.subject.unwrap();
    assert_eq!(
        &src[subj.span.start..subj.span.end],
        "Bestellung {{ order.id }}"
    );
    assert!(matches!(subj.nodes[1], Node::Output(_)));
}

#[test]
fn one_missing_endif_does_not_drown_the_file() {
    let src = "---\nkind: delivery\nlocale: en\n---\n{% if order.delivery_date %}Arrives soon.\n{% for item in order.items %}{{ item. }}{% endfor %}\n{{ order.id | }}\n";
    let d = codes_and_text(src);
    assert_eq!(d.len(), 3, "{d:#?}");
    assert_eq!(d[0].1, "{% if order.delivery_date %}");
    assert!(d[0].2.contains("never closed"));
    assert_eq!(d[1].1, "}}");
    assert_eq!(d[2].1, "}}");
    // The for loop is still inside the (recovered) if block.
    let p = parse(src);
    let Node::If(block) = &p.template.body[0] else {
        panic!("{:?}", p.template.body)
    };
    assert!(block.branches[0]
        .body
        .iter()
        .any(|n| matches!(n, Node::For(_))));
    assert!(block.end_tag.is_none());
}

#[test]
fn stray_and_misplaced_tags_are_reported_once_each() {
    let src = "---\nkind: delivery\nlocale: en\n---\n{% endfor %} a {% else %} b {% if x %}{% else %}{% else %}{% endif %}";
    let d = codes_and_text(src);
    let spans: Vec<&str> = d.iter().map(|x| x.1.as_str()).collect();
    assert_eq!(spans, vec!["{% endfor %}", "{% else %}", "{% else %}"]);
}

#[test]
fn unclosed_placeholder_gets_a_fix() {
    let src =
        "---\nkind: delivery\nlocale: en\n---\nHi {{ buyer.name\n\nNext paragraph {{ order.id }}.";
    let p = parse(src);
    assert_eq!(p.diagnostics.len(), 1, "{:?}", p.diagnostics);
    let fixed = p.diagnostics[0].fixes[0].apply(src);
    assert!(fixed.contains("{{ buyer.name }}"), "{fixed}");
    assert!(parse(&fixed).diagnostics.is_empty());
}

#[test]
fn missing_header_close_and_bad_lines() {
    let src = "---\nkind: delivery\nlocale en\n";
    let d = codes_and_text(src);
    assert_eq!(d[0].0, "bad-header");
    assert!(d[0].2.contains("never closed"));
    let src = "---\nkind: delivery\nkind: return\nsend: someday\nparam 1x: text\n---\n";
    let d = codes_and_text(src);
    let found: Vec<&str> = d.iter().map(|x| x.1.as_str()).collect();
    assert_eq!(found, vec!["kind", "someday", "1x"]);
}

#[test]
fn deep_nesting_is_bounded_not_a_crash() {
    let n = 10_000;
    let src = format!(
        "---\nkind: delivery\nlocale: en\n---\n{}x{}",
        "{% if a %}".repeat(n),
        "{% endif %}".repeat(n)
    );
    let p = parse(&src);
    assert_eq!(
        p.diagnostics.len(),
        1,
        "{:?}",
        &p.diagnostics[..p.diagnostics.len().min(3)]
    );
    assert!(p.diagnostics[0].message.contains("nested more than"));
    let expr = format!("{{{{ {}a{} }}}}", "(".repeat(n), ")".repeat(n));
    let p = parse(&expr);
    assert_eq!(p.diagnostics.len(), 1);
}

#[test]
fn filters_that_repeat_their_input_are_bounded_per_expression() {
    let chain = |n: usize| format!("{{{{ buyer.name{} }}}}", " | default(\"x\")".repeat(n));
    assert!(parse(&chain(4)).diagnostics.is_empty());
    let p = parse(&chain(5));
    assert_eq!(p.diagnostics.len(), 1, "{:?}", p.diagnostics);
    assert!(p.diagnostics[0].message.contains("`default`, `truncate`"));
    // Other filters do not count; a filter name used as a value does not either.
    let mixed = format!("{{{{ default{} | truncate(9) }}}}", " | upper".repeat(20));
    assert!(parse(&mixed).diagnostics.is_empty());
}

#[test]
fn numbers_the_renderers_cannot_take_are_syntax_errors() {
    let tag = |n: &str| format!("{{% if order.items | length > {n} %}}x{{% endif %}}");
    for ok in [
        "9223372036854775807",
        "-9223372036854775808",
        "0",
        "0.0",
        "0.0001",
        "-2.5",
        "999999999999999.9",
    ] {
        assert!(parse(&tag(ok)).diagnostics.is_empty(), "{ok}");
    }
    let huge = "1".repeat(100_000);
    let tiny = format!("0.{}1", "0".repeat(100_000));
    for bad in [
        "9223372036854775808",
        "-9223372036854775809",
        &huge,
        "0.00001",
        &tiny,
        "1000000000000000.0",
    ] {
        let src = tag(bad);
        let p = parse(&src);
        assert_eq!(p.diagnostics.len(), 1, "{bad}: {:?}", p.diagnostics);
        let d = &p.diagnostics[0];
        assert_eq!(d.code, "syntax-error");
        assert_eq!(
            &src[d.span.start..d.span.end],
            bad,
            "the literal is underlined"
        );
        assert!(
            d.message.len() < 200,
            "the message does not copy the literal"
        );
    }
}

#[test]
fn bom_crlf_and_garbage_never_panic() {
    let src = "\u{feff}---\r\nkind: delivery\r\nlocale: en\r\n---\r\nHi {{ order.id }}\r\n";
    let p = parse(src);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    assert_eq!(p.template.header.unwrap().locale.unwrap().node, "en");
    for s in [
        "{{",
        "{%",
        "{#",
        "}}",
        "---",
        "---\n",
        "{{ \"",
        "{% for %}",
        "{% include %}",
        "{{ a | b( }}",
        "\0\u{200b}{{é}}",
    ] {
        let _ = parse(s);
    }
}

#[test]
fn a_run_of_broken_tags_is_one_error_node() {
    // A flood of broken tags must not cost a tree node each (16 MiB of `{{` held 8 million).
    let body = "{{".repeat(100_000);
    let src = format!("---\nkind: delivery\nlocale: en\n---\n{body}");
    let p = parse(&src);
    let errors: Vec<_> = p
        .template
        .body
        .iter()
        .filter_map(|n| match n {
            Node::Error(s) => Some(*s),
            _ => None,
        })
        .collect();
    assert_eq!(errors.len(), 1, "{} error nodes", errors.len());
    assert_eq!(&src[errors[0].start..errors[0].end], body);
    // Broken tags apart from each other keep their own regions, and a broken `if` still
    // opens its block, so the error region before it is cut where it starts.
    let src =
        "---\nkind: delivery\nlocale: en\n---\n{{ a b }} text {{ c d }}{% if %}x{% endif %}\n";
    let p = parse(src);
    let regions: Vec<&str> = p
        .template
        .body
        .iter()
        .filter_map(|n| match n {
            Node::Error(s) => Some(&src[s.start..s.end]),
            _ => None,
        })
        .collect();
    assert_eq!(regions, ["{{ a b }}", "{{ c d }}"]);
    assert!(p.template.body.iter().any(|n| matches!(n, Node::If(_))));
}
