use super::*;
use tplc_diagnostics::Applicability;

const HEAD: &str = "---\nkind: review_request\nlocale: en\n---\n";

fn run_with(src: &str, schema: &Schema, opts: CheckOptions) -> CheckOutput {
    let parse = tplc_syntax::parse(src);
    check(&parse.template, src, schema, &opts)
}

fn run(src: &str) -> CheckOutput {
    run_with(src, &Schema::builtin(), CheckOptions::default())
}

fn body(b: &str) -> String {
    format!("{HEAD}{b}")
}

fn codes(out: &CheckOutput) -> Vec<&'static str> {
    out.diagnostics.iter().map(|d| d.code).collect()
}

/// The one diagnostic of a source, checking there is exactly one.
fn only(src: &str) -> Diagnostic {
    let parse = tplc_syntax::parse(src);
    assert!(
        parse.diagnostics.is_empty(),
        "syntax: {:#?}",
        parse.diagnostics
    );
    let out = run(src);
    assert_eq!(out.diagnostics.len(), 1, "{:#?}", out.diagnostics);
    out.diagnostics.into_iter().next().unwrap()
}

fn spanned<'s>(src: &'s str, d: &Diagnostic) -> &'s str {
    &src[d.span.start..d.span.end]
}

#[test]
fn the_language_example_is_clean() {
    let src = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/example.tplc"))
        .unwrap();
    let parse = tplc_syntax::parse(&src);
    assert!(parse.diagnostics.is_empty(), "{:#?}", parse.diagnostics);
    let out = run(&src);
    assert!(out.diagnostics.is_empty(), "{:#?}", out.diagnostics);
    let f = &out.facts;
    assert!(f.prints_order_id());
    assert_eq!(f.order_id_printed.len(), 2, "subject and body");
    let paths: Vec<&str> = f.usage.paths.iter().map(String::as_str).collect();
    assert_eq!(
        paths,
        [
            "buyer.name",
            "order.delivery_date",
            "order.id",
            "order.items",
            "order.items.review_url",
            "order.items.title"
        ]
    );
    assert_eq!(f.usage.params.get("coupon"), Some(&Type::Text.optional()));
    let title = f
        .placeholders
        .iter()
        .find(|p| p.path == "item.title")
        .unwrap();
    assert_eq!(title.schema_path.as_deref(), Some("order.items.title"));
    assert_eq!(title.ty, Type::Text);
    assert_eq!(&src[title.span.start..title.span.end], "item.title");
    let date = f.filters.iter().find(|x| x.name == "date").unwrap();
    assert_eq!(
        date.signature,
        Some("date(format: text) : date|datetime -> text")
    );
    assert_eq!(date.input, Type::Date, "narrowed by the if");
    // Hover on `delivery_date` inside the guarded output: narrowed type, description.
    let at = src.rfind("delivery_date |").unwrap() + 2;
    let (p, seg) = f.placeholder_at(at).unwrap();
    assert_eq!(p.path, "order.delivery_date");
    assert_eq!(seg.ty, Type::Date);
    assert!(seg.description.as_deref().unwrap().contains("delivered"));
    // The JSON schema built from the usage requires order.id but not buyer.name.
    let js = Schema::builtin().json_schema(&f.usage);
    assert_eq!(
        js["properties"]["order"]["required"],
        serde_json::json!(["id", "items"])
    );
    assert_eq!(js["properties"]["buyer"]["required"], serde_json::json!([]));
}

#[test]
fn unknown_placeholder_suggests_and_fixes() {
    let src = body("Hi {{ ordr.id }}");
    let d = only(&src);
    assert_eq!(d.code, UNKNOWN_PLACEHOLDER);
    assert_eq!(spanned(&src, &d), "ordr");
    assert!(d.message.contains("did you mean `order`"), "{}", d.message);
    assert_eq!(d.fixes[0].applicability, Applicability::Safe);
    assert_eq!(d.fixes[0].apply(&src), body("Hi {{ order.id }}"));
    // Loop variables and params are candidates too.
    let src = body("{% for item in order.items %}{{ iten.title }}{% endfor %}");
    assert_eq!(
        only(&src).fixes[0].apply(&src),
        body("{% for item in order.items %}{{ item.title }}{% endfor %}")
    );
    let src = "---\nkind: reply\nlocale: en\nparam coupon: text\n---\n{{ coupn }}";
    assert!(only(src).message.contains("`coupon`"));
    // Nothing close: the message lists what exists.
    let d = only(&body("{{ customer }}"));
    assert!(d.fixes.is_empty());
    assert!(
        d.message.contains("`order`") && d.message.contains("param customer"),
        "{}",
        d.message
    );
}

#[test]
fn loop_variable_is_out_of_scope_after_the_loop() {
    let src = body("{% for item in order.items %}{% endfor %}{{ item.title }}");
    assert_eq!(only(&src).code, UNKNOWN_PLACEHOLDER);
}

#[test]
fn unknown_field_suggests_and_fixes() {
    let src = body("{{ order.delivry_date | default(\"soon\") }}");
    let d = only(&src);
    assert_eq!(d.code, UNKNOWN_FIELD);
    assert_eq!(spanned(&src, &d), "delivry_date");
    assert_eq!(
        d.fixes[0].apply(&src),
        body("{{ order.delivery_date | default(\"soon\") }}")
    );
    let d = only(&body("{{ seller.email }}"));
    assert!(d.message.contains("its fields are `name`"), "{}", d.message);
    assert!(d.help.as_deref().unwrap().contains("[schema]"));
    let d = only(&body("{{ order.id.number }}"));
    assert_eq!(d.code, UNKNOWN_FIELD);
    assert!(d.message.contains("has no fields"), "{}", d.message);
}

#[test]
fn one_mistake_one_diagnostic() {
    // The unknown root makes the whole path unknown: no follow-up errors from filters.
    let out = run(&body("{{ ordr.items | date(\"%d\") | upper }}"));
    assert_eq!(codes(&out), [UNKNOWN_PLACEHOLDER]);
    let out = run(&body("{% for x in nope %}{{ x.anything }}{% endfor %}"));
    assert_eq!(codes(&out), [UNKNOWN_PLACEHOLDER]);
}

#[test]
fn type_mismatches() {
    let src = body("{{ buyer.locale | date(\"%d\") }}");
    let d = only(&src);
    assert_eq!(d.code, TYPE_MISMATCH);
    assert_eq!(spanned(&src, &d), "date");
    assert!(
        d.message.contains("date|datetime") && d.message.contains("a `text`"),
        "{}",
        d.message
    );
    assert_eq!(
        d.labels[0].span,
        Span::new(src.find("buyer").unwrap(), src.find(" | ").unwrap())
    );

    let src = body("{{ order.items }}");
    let d = only(&src);
    assert_eq!(d.code, TYPE_MISMATCH);
    assert!(
        d.message.contains("{% for item in order.items %}"),
        "{}",
        d.message
    );

    let d = only(&body("{{ buyer }}"));
    assert!(d.message.contains("`buyer.locale`"), "{}", d.message);

    let src = body("{% if order.marketplace == 3 %}x{% endif %}");
    let d = only(&src);
    assert_eq!(d.code, TYPE_MISMATCH);
    assert_eq!(spanned(&src, &d), "==");
    assert_eq!(d.labels.len(), 2);

    let src = body("{% if order.purchase_date < \"2024\" %}x{% endif %}");
    assert_eq!(only(&src).code, TYPE_MISMATCH);

    let src = body("{{ order.items.title }}");
    let d = only(&src);
    assert_eq!(spanned(&src, &d), "title");
    assert!(
        d.message.contains("{% for item in order.items %}"),
        "{}",
        d.message
    );
}

#[test]
fn money_needs_the_money_filter() {
    let src = body("{% for item in order.items %}{{ item.price }}{% endfor %}");
    let d = only(&src);
    assert_eq!(d.code, TYPE_MISMATCH);
    let fixed = d.fixes[0].apply(&src);
    assert_eq!(
        fixed,
        body("{% for item in order.items %}{{ item.price | money }}{% endfor %}")
    );
    assert!(run(&fixed).diagnostics.is_empty());
}

#[test]
fn comparisons_that_make_sense_pass() {
    let src = body(
        "{% if order.id == \"123-1234567-1234567\" and order.total != order.total %}{% endif %}\
         {% if order.items | length > 1 and not order.is_prime %}{% endif %}\
         {% for item in order.items %}{% if item.quantity >= 2.5 %}{% endif %}{% endfor %}",
    );
    let out = run(&src);
    assert!(out.diagnostics.is_empty(), "{:#?}", out.diagnostics);
}

#[test]
fn unknown_filter_suggests_and_fixes() {
    let src = body("{{ seller.name | uper }}");
    let d = only(&src);
    assert_eq!(d.code, UNKNOWN_FILTER);
    assert_eq!(spanned(&src, &d), "uper");
    let fixed = d.fixes[0].apply(&src);
    assert_eq!(fixed, body("{{ seller.name | upper }}"));
    assert!(run(&fixed).diagnostics.is_empty());
    let d = only(&body("{{ seller.name | shout }}"));
    assert!(d.message.contains("truncate"), "{}", d.message);
}

#[test]
fn filter_arity_and_argument_types() {
    let src = body("{{ order.purchase_date | date }}");
    let d = only(&src);
    assert_eq!(d.code, FILTER_ARITY);
    assert!(
        d.message.contains("takes 1 argument") && d.message.contains("none was"),
        "{}",
        d.message
    );
    let src = body("{{ seller.name | upper(1, 2) }}");
    let d = only(&src);
    assert_eq!(d.code, FILTER_ARITY);
    assert_eq!(spanned(&src, &d), "1, 2");
    let src = body("{{ seller.name | truncate(\"ten\") }}");
    let d = only(&src);
    assert_eq!(d.code, FILTER_ARITY);
    assert_eq!(spanned(&src, &d), "\"ten\"");
    assert!(
        d.message.contains("expects int for `length`"),
        "{}",
        d.message
    );
    // A fallback that cannot stand in for the value.
    let src = body("{{ order.items | default(\"none\") | length }}");
    assert_eq!(only(&src).code, FILTER_ARITY);
}

#[test]
fn date_formats_are_checked_statically() {
    let src = body("{{ order.purchase_date | date(\"%d %Q\") }}");
    let d = only(&src);
    assert_eq!(d.code, BAD_DATE_FORMAT);
    assert_eq!(spanned(&src, &d), "%Q");
    let d = only(&body("{{ order.purchase_date | date(\"%d at %H\") }}"));
    assert!(d.message.contains("time of day"), "{}", d.message);
    assert!(
        run(&body("{{ order.purchase_date | date(\"%-d %B %Y\") }}"))
            .diagnostics
            .is_empty()
    );
}

#[test]
fn date_formats_are_bounded_in_length() {
    let n = tplc_schema::MAX_DATE_DIRECTIVES;
    let longest = format!(
        "{}{}",
        "%B".repeat(n),
        "-".repeat(tplc_schema::MAX_DATE_FORMAT_BYTES - 2 * n)
    );
    let clean = body(&format!(
        "{{{{ order.purchase_date | date(\"{longest}\") }}}}"
    ));
    assert!(run(&clean).diagnostics.is_empty());
    let huge = "%B".repeat(50_000);
    let src = body(&format!("{{{{ order.purchase_date | date(\"{huge}\") }}}}"));
    let d = only(&src);
    assert_eq!(d.code, BAD_DATE_FORMAT);
    assert_eq!(
        spanned(&src, &d),
        format!("\"{huge}\""),
        "the whole argument"
    );
    assert!(d.message.contains("at most 256"), "{}", d.message);
}

#[test]
fn truncate_lengths_below_one_are_errors() {
    for n in ["0", "-3", "-9223372036854775808"] {
        let src = body(&format!("{{{{ seller.name | truncate({n}) }}}}"));
        let d = only(&src);
        assert_eq!(d.code, FILTER_ARITY, "{n}");
        assert_eq!(spanned(&src, &d), n);
    }
    assert!(run(&body("{{ seller.name | truncate(1) }}"))
        .diagnostics
        .is_empty());
}

#[test]
fn optional_printed_without_fallback() {
    let src = body("Hi {{ buyer.name }},");
    let d = only(&src);
    assert_eq!(d.code, OPTIONAL_UNHANDLED);
    assert_eq!(spanned(&src, &d), "buyer.name");
    assert_eq!(d.fixes.len(), 2);
    let with_default = d.fixes[0].apply(&src);
    assert_eq!(
        with_default,
        body("Hi {{ buyer.name | default(\"there\") }},")
    );
    assert!(run(&with_default).diagnostics.is_empty());
    let wrapped = d.fixes[1].apply(&src);
    assert_eq!(
        wrapped,
        body("Hi {% if buyer.name %}{{ buyer.name }}{% endif %},")
    );
    assert!(run(&wrapped).diagnostics.is_empty());
}

#[test]
fn optional_passed_to_a_filter() {
    let src = body("{{ order.delivery_date | date(\"%d\") }}");
    let d = only(&src);
    assert_eq!(d.code, OPTIONAL_UNHANDLED);
    assert_eq!(spanned(&src, &d), "order.delivery_date");
    assert!(d.message.contains("passed to `date`"), "{}", d.message);
    // No fallback is known for a date, and the wrap fix only applies to plain paths.
    assert!(d.fixes.is_empty());
    // Through `default`, the optional is handled; a text fallback makes it text.
    let out = run(&body("{{ order.delivery_date | default(\"soon\") }}"));
    assert!(out.diagnostics.is_empty(), "{:#?}", out.diagnostics);
    // The subject cannot hold `{% if %}`: only the default fix is offered there.
    let src = "---\nkind: reply\nlocale: en\nsubject: For {{ buyer.name }}\n---\nx";
    let d = only(src);
    assert_eq!(d.fixes.len(), 1);
    assert_eq!(
        d.fixes[0].apply(src),
        "---\nkind: reply\nlocale: en\nsubject: For {{ buyer.name | default(\"there\") }}\n---\nx"
    );
}

#[test]
fn narrowing() {
    let ok = [
        "{% if buyer.name %}Hi {{ buyer.name }}{% endif %}",
        "{% if order.is_prime and buyer.name %}{{ buyer.name | upper }}{% endif %}",
        "{% if order.is_prime %}{% elif buyer.name %}{{ buyer.name }}{% endif %}",
        "{% if not buyer.name %}Hello{% else %}Hi {{ buyer.name }}{% endif %}",
        "{% if not buyer.name %}Hello{% elif order.is_prime %}{{ buyer.name }}{% endif %}",
        "{% if buyer.name and buyer.name | length > 3 %}{% endif %}",
        "{% if not buyer.name or buyer.name | length > 3 %}{% endif %}",
        "{% if buyer.name == \"Jo\" %}{{ buyer.name }}{% endif %}",
        "{% if order.delivery_date %}{% for item in order.items %}{{ order.delivery_date | date(\"%d\") }}{% endfor %}{% endif %}",
    ];
    for b in ok {
        let out = run(&body(b));
        assert!(out.diagnostics.is_empty(), "{b}: {:#?}", out.diagnostics);
    }
    let bad = [
        "{% if buyer.name %}{% else %}{{ buyer.name }}{% endif %}",
        "{% if buyer.name or order.is_prime %}{{ buyer.name }}{% endif %}",
        "{% if buyer.name %}{% endif %}{{ buyer.name }}",
        "{% if not buyer.name %}{{ buyer.name }}{% endif %}",
    ];
    for b in bad {
        assert_eq!(codes(&run(&body(b))), [OPTIONAL_UNHANDLED], "{b}");
    }
}

#[test]
fn narrowing_is_hidden_by_a_loop_variable_of_the_same_name() {
    let mut schema = Schema::builtin();
    schema.add_field(
        "item",
        tplc_schema::Field::new("gift_note", Type::Text.optional(), "note", None),
    );
    schema.add_root(tplc_schema::Field::new(
        "item",
        Type::record("item"),
        "featured",
        None,
    ));
    let src = body("{% if item.gift_note %}{% for item in order.items %}{{ item.gift_note }}{% endfor %}{% endif %}");
    let out = run_with(&src, &schema, CheckOptions::default());
    assert_eq!(codes(&out), [OPTIONAL_UNHANDLED]);
}

#[test]
fn not_iterable() {
    let src = body("{% for x in order.id %}{{ x }}{% endfor %}");
    let d = only(&src);
    assert_eq!(d.code, NOT_ITERABLE);
    assert_eq!(spanned(&src, &d), "order.id");
    assert!(d.message.contains("an `order_id`"), "{}", d.message);
}

#[test]
fn optional_lists_need_a_guard() {
    let src = "---\nkind: reply\nlocale: en\nparam tips: list<text>?\n---\n{% for t in tips %}{{ t }}{% endfor %}";
    assert_eq!(only(src).code, OPTIONAL_UNHANDLED);
    let src = "---\nkind: reply\nlocale: en\nparam tips: list<text>?\n---\n{% if tips %}{% for t in tips %}{{ t }}{% endfor %}{% endif %}";
    assert!(run(src).diagnostics.is_empty());
}

#[test]
fn unknown_kind() {
    let src = "---\nkind: review-request\nlocale: en\n---\n";
    let d = only(src);
    assert_eq!(d.code, UNKNOWN_KIND);
    assert_eq!(spanned(src, &d), "review-request");
    assert_eq!(
        d.fixes[0].apply(src),
        "---\nkind: review_request\nlocale: en\n---\n"
    );
    let src = "---\nkind: delivry\nlocale: en\n---\n";
    assert_eq!(
        only(src).fixes[0].apply(src),
        "---\nkind: delivery\nlocale: en\n---\n"
    );
    let d = only("---\nkind: newsletter\nlocale: en\n---\n");
    assert!(d.fixes.is_empty());
    assert!(d.message.contains("legal_disclosure"), "{}", d.message);
}

#[test]
fn header_problems() {
    let d = only("Hello");
    assert_eq!(d.code, BAD_HEADER);
    assert!(d.message.contains("no header"));
    let partial = CheckOptions {
        is_partial: true,
        ..Default::default()
    };
    assert!(
        run_with("Thanks, {{ seller.name }}", &Schema::builtin(), partial)
            .diagnostics
            .is_empty()
    );

    let src = "---\nlocale: en\n---\n";
    let d = only(src);
    assert!(d.message.contains("no `kind`"));
    assert_eq!(spanned(src, &d), "---");
    assert!(only("---\nkind: reply\n---\n")
        .message
        .contains("no `locale`"));

    let src = "---\nkind: reply\nlocale: en_US\n---\n";
    let d = only(src);
    assert_eq!(d.code, BAD_HEADER);
    assert_eq!(
        d.fixes[0].apply(src),
        "---\nkind: reply\nlocale: en-US\n---\n"
    );
    assert_eq!(
        only("---\nkind: reply\nlocale: english\n---\n").code,
        BAD_HEADER
    );

    let src = "---\nkind: reply\nlocale: en\nsubjet: Hi\n---\n";
    let d = only(src);
    assert_eq!(spanned(src, &d), "subjet");
    assert_eq!(
        d.fixes[0].apply(src),
        "---\nkind: reply\nlocale: en\nsubject: Hi\n---\n"
    );

    let src = "---\nkind: reply\nlocale: en\nparam items: list<itme>?\n---\n";
    let d = only(src);
    assert_eq!(d.code, BAD_HEADER);
    assert_eq!(
        d.fixes[0].apply(src),
        "---\nkind: reply\nlocale: en\nparam items: list<item>?\n---\n"
    );

    let src = "---\nkind: reply\nlocale: en\nparam order: text\n---\n";
    let d = only(src);
    assert!(
        d.message.contains("hide the built-in `order`"),
        "{}",
        d.message
    );
}

#[test]
fn params_are_typed() {
    let src = "---\nkind: reply\nlocale: en\nparam coupon: text?\nparam count: int\nparam when: datetime\n---\n\
               {{ count }} {{ when | date(\"%H:%M\") }} {% if coupon %}{{ coupon | upper }}{% endif %}";
    let out = run(src);
    assert!(out.diagnostics.is_empty(), "{:#?}", out.diagnostics);
    assert_eq!(param_types(&out.facts).get("when"), Some(&Type::DateTime));
    assert!(out.facts.usage.paths.contains("coupon"));
    // A param with a bad type is unknown: uses of it are not reported again.
    let src = "---\nkind: reply\nlocale: en\nparam c: strng\n---\n{{ c | date(\"%d\") }}";
    assert_eq!(codes(&run(src)), [BAD_HEADER]);
}

#[test]
fn extended_schema() {
    let (config, diags) = tplc_schema::Config::parse(
        "[schema.records.order]\ngift_message = \"text?\"\n[schema.roots]\nstore = { type = \"store\" }\n[schema.records.store]\nname = \"text\"\n",
    );
    assert!(diags.is_empty(), "{diags:#?}");
    let schema = Schema::from_config(&config);
    let src =
        body("{{ store.name }} {% if order.gift_message %}{{ order.gift_message }}{% endif %}");
    let out = run_with(&src, &schema, CheckOptions::default());
    assert!(out.diagnostics.is_empty(), "{:#?}", out.diagnostics);
    assert!(out.facts.usage.paths.contains("store.name"));
}

#[test]
fn scope_for_completion() {
    let src =
        body("{% for item in order.items %}X{% for t in item.title %}{% endfor %}{% endfor %}Y");
    let parse = tplc_syntax::parse(&src);
    let schema = Schema::builtin();
    let names = |at: usize| -> Vec<String> {
        scope_at(&parse.template, &schema, at)
            .into_iter()
            .map(|e| e.name)
            .collect()
    };
    let x = src.find('X').unwrap();
    assert_eq!(names(x), ["item", "order", "seller", "buyer"]);
    let item = &scope_at(&parse.template, &schema, x)[0];
    assert_eq!(
        (item.kind, item.ty.clone()),
        (ScopeKind::Loop, Type::record("item"))
    );
    assert_eq!(names(src.find('Y').unwrap()), ["order", "seller", "buyer"]);
    let ty = resolve_path_at(&parse.template, &schema, x, &["item"]).unwrap();
    let fields: Vec<&str> = record_fields(&schema, &ty)
        .iter()
        .map(|f| f.name.as_str())
        .collect();
    assert!(fields.contains(&"review_url"));
    assert_eq!(
        resolve_path_at(&parse.template, &schema, x, &["buyer", "name"]),
        Some(Type::Text.optional())
    );
    assert_eq!(
        resolve_path_at(&parse.template, &schema, x, &["buyer", "nope"]),
        None
    );
}

#[test]
fn codes_are_documented() {
    for info in CODES {
        assert!(
            info.explanation.starts_with(&format!("# {}", info.code)),
            "{}",
            info.code
        );
        assert!(
            info.explanation.len() > 200,
            "{} needs a real explanation",
            info.code
        );
    }
}

#[test]
fn hostile_input_never_panics() {
    let inputs = [
        "",
        "---",
        "---\n---",
        "{{",
        "{{ }}",
        "{{ . }}",
        "{% for %}",
        "{% for x in %}{{ x.y.z }}",
        "{{ order.items | first | default(1) | date(\"%\") }}",
        "---\nkind:\nlocale:\nparam x: list<\n---\n{{ x }}",
        "{% if %}{% elif %}{% else %}{% endif %}",
        "{{ \"é%é\" | date(\"%é\") }}",
        "{{ order.purchase_date | date(\"\\\"%Q\") }}",
        "\u{feff}---\nkind: reply\nlocale: en\n---\n{{ buyer.name }}",
    ];
    for src in inputs {
        let out = run(src);
        for d in &out.diagnostics {
            assert!(
                d.span.end <= src.len() && d.span.start <= d.span.end,
                "{src:?}: {d:?}"
            );
            assert!(
                src.is_char_boundary(d.span.start) && src.is_char_boundary(d.span.end),
                "{src:?}: {d:?}"
            );
        }
        let _ = run_with(
            src,
            &Schema::builtin(),
            CheckOptions {
                is_partial: true,
                ..Default::default()
            },
        );
        for at in 0..=src.len() {
            let _ = scope_at(&tplc_syntax::parse(src).template, &Schema::builtin(), at);
        }
    }
}

#[test]
fn deep_nesting_does_not_overflow() {
    for depth in [50, 500] {
        let src = body(&format!(
            "{}{}",
            "{% if buyer.name %}".repeat(depth),
            "{% endif %}".repeat(depth)
        ));
        let out = run(&src);
        assert!(out.diagnostics.is_empty());
        let src = body(&format!(
            "{{% if {}buyer.name %}}x{{% endif %}}",
            "not ".repeat(depth)
        ));
        let _ = run(&src);
    }
}

#[test]
fn partials_see_the_scope_of_their_include() {
    let schema = Schema::builtin();
    let main = body("{% for item in order.items %}{% include \"line\" %}{% endfor %}");
    let parse = tplc_syntax::parse(&main);
    let outer = scope_at(&parse.template, &schema, main.find("{% include").unwrap());
    assert_eq!(outer[0].schema_path.as_deref(), Some("order.items"));
    let partial = "- {{ item.title }} {{ item.titel }}";
    let p = tplc_syntax::parse(partial);
    let out = check_with_scope(
        &p.template,
        partial,
        &schema,
        &CheckOptions {
            is_partial: true,
            ..Default::default()
        },
        &outer,
    );
    assert_eq!(codes(&out), [UNKNOWN_FIELD]);
    assert!(out.facts.usage.paths.contains("order.items.title"));
    // Alone, the partial does not know `item`: it may come from the includer, so it is
    // not reported, but a typo of a known name still is.
    let partial_opts = CheckOptions {
        is_partial: true,
        ..Default::default()
    };
    let alone = check(&p.template, partial, &schema, &partial_opts);
    assert_eq!(codes(&alone), Vec::<&str>::new());
    let partial = "{{ item.title }} {{ sellr.name }}";
    let p = tplc_syntax::parse(partial);
    let alone = check(&p.template, partial, &schema, &partial_opts);
    assert_eq!(codes(&alone), [UNKNOWN_PLACEHOLDER]);
    // With the includer's scope, every name is checked.
    let main_top = body("{% include \"line\" %}");
    let top = scope_at(
        &tplc_syntax::parse(&main_top).template,
        &schema,
        main_top.len() - 3,
    );
    let strict = check_with_scope(&p.template, partial, &schema, &partial_opts, &top);
    assert_eq!(codes(&strict), [UNKNOWN_PLACEHOLDER, UNKNOWN_PLACEHOLDER]);
}

/// Every diagnostic of a source, one block each: code, the spanned text, message, fixes.
fn render(src: &str, out: &CheckOutput) -> String {
    let mut s = String::new();
    for d in &out.diagnostics {
        s.push_str(&format!(
            "{}[{}] `{}`: {}\n",
            d.severity,
            d.code,
            &src[d.span.start..d.span.end],
            d.message
        ));
        for f in &d.fixes {
            s.push_str(&format!("  fix ({:?}) {}\n", f.applicability, f.title));
        }
    }
    s
}

#[test]
fn snapshot_of_a_template_with_many_mistakes() {
    let src = "---\nkind: review-request\nlocale: en_GB\nsubjet: Order {{ order.id }}\nparam gift: boool?\n---\n\
               Hi {{ buyer.name }},\n\
               {% for item in order.item %}- {{ item.title | upercase }} {{ item.price }}{% endfor %}\n\
               Delivered {{ order.delivery_date | date(\"%d %b %k\") }}.\n\
               {% for c in order.id %}{% endfor %}{% if order.total > 3 %}{% endif %}\n";
    let out = run(src);
    insta::assert_snapshot!(render(src, &out));
}

#[test]
fn a_fallback_must_be_present() {
    let src = body("{{ order.ship_date | default(order.delivery_date) }}");
    let d = only(&src);
    assert_eq!(d.code, FILTER_ARITY);
    assert_eq!(spanned(&src, &d), "order.delivery_date");
    assert!(
        d.message.contains("may itself be missing (date?)"),
        "{}",
        d.message
    );
    // A present value of the same type is a fine fallback.
    assert!(run(&body(
        "{{ order.ship_date | default(order.purchase_date) | date(\"%d\") }}"
    ))
    .diagnostics
    .is_empty());
}

#[test]
fn json_schema_of_the_example() {
    let src = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/example.tplc"))
        .unwrap();
    let out = run(&src);
    insta::assert_json_snapshot!(Schema::builtin().json_schema(&out.facts.usage));
}

/// Token soup from a fixed-seed generator: every combination must check without a
/// panic, with spans inside the text.
#[test]
fn token_soup_never_panics() {
    const TOKENS: &[&str] = &[
        "{{ ",
        " }}",
        "{% ",
        " %}",
        "if ",
        "elif ",
        "else",
        "endif",
        "for ",
        " in ",
        "endfor",
        "not ",
        " and ",
        " or ",
        " == ",
        " < ",
        "buyer.name",
        "order.items",
        "item",
        ".",
        "title",
        " | ",
        "default(",
        "date(",
        "\"%d %Q\"",
        "\"",
        ")",
        "(",
        ",",
        "1",
        "2.5",
        "true",
        "---\n",
        "kind: review_request\n",
        "locale: en_US\n",
        "param p: list<itme>?\n",
        "subject: {{ buyer.name }}\n",
        "\n",
        "é",
        "{# ",
        " #}",
        "include \"x\"",
        "%",
    ];
    let mut seed: u64 = 0x5eed;
    let mut next = move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as usize
    };
    let schema = Schema::builtin();
    for _ in 0..1500 {
        let len = next() % 30;
        let src: String = (0..len).map(|_| TOKENS[next() % TOKENS.len()]).collect();
        let parse = tplc_syntax::parse(&src);
        for opts in [
            CheckOptions::default(),
            CheckOptions {
                is_partial: true,
                ..Default::default()
            },
        ] {
            let out = check(&parse.template, &src, &schema, &opts);
            let usage_only = CheckOptions {
                facts: FactDetail::Usage,
                ..opts
            };
            assert_same_but_hover_facts(
                &out,
                &check(&parse.template, &src, &schema, &usage_only),
                &src,
            );
            for d in &out.diagnostics {
                assert!(
                    d.span.start <= d.span.end && d.span.end <= src.len(),
                    "{src:?}: {d:?}"
                );
                for f in &d.fixes {
                    let _ = f.apply(&src);
                }
            }
        }
        let at = if src.is_empty() {
            0
        } else {
            next() % src.len()
        };
        let scope = scope_at(&parse.template, &schema, at);
        let _ = check_with_scope(
            &parse.template,
            &src,
            &schema,
            &CheckOptions::default(),
            &scope,
        );
    }
}

/// `FactDetail::Usage` drops the hover facts and nothing else.
fn assert_same_but_hover_facts(full: &CheckOutput, usage: &CheckOutput, src: &str) {
    assert_eq!(full.diagnostics, usage.diagnostics, "{src:?}");
    assert_eq!(full.facts.usage, usage.facts.usage, "{src:?}");
    assert_eq!(full.facts.params, usage.facts.params, "{src:?}");
    assert_eq!(
        full.facts.order_id_printed, usage.facts.order_id_printed,
        "{src:?}"
    );
    assert!(usage.facts.placeholders.is_empty() && usage.facts.filters.is_empty());
}

#[test]
fn usage_detail_keeps_diagnostics_and_build_facts() {
    let src = "---\nkind: review_request\nlocale: en\nparam coupon: text?\n---\n\
        Hi {{ buyer.nme }}, order {{ order.id }}.\n\
        {% for item in order.items %}{{ item.title | truncate(20) }} {{ item.price.x }}{% endfor %}\n\
        {{ coupon }} {{ order.items.title }} {{ order.id | nofilter }}\n";
    let parse = tplc_syntax::parse(src);
    let schema = Schema::builtin();
    let full = check(&parse.template, src, &schema, &CheckOptions::default());
    let usage = check(
        &parse.template,
        src,
        &schema,
        &CheckOptions {
            facts: FactDetail::Usage,
            ..Default::default()
        },
    );
    // The template has findings of several kinds, and facts worth keeping.
    assert!(full.diagnostics.len() >= 4, "{:#?}", full.diagnostics);
    assert!(!full.facts.placeholders.is_empty() && !full.facts.filters.is_empty());
    assert!(!full.facts.usage.paths.is_empty() && !full.facts.params.is_empty());
    assert_same_but_hover_facts(&full, &usage, src);
}
