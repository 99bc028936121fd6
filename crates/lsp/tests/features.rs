//! Feature tests over the engine directly: one source, one cursor (`$0`), one answer.

use std::path::PathBuf;
use std::sync::Arc;
use tplc_lsp::{completion, hover, symbols};
use tplc_project::{FileAnalysis, Workspace};

const ROOT: &str = "/project";

/// Analyse `files` (path, text) and return the first file's analysis, the cursor offset
/// (where `$0` was) and the workspace.
fn fixture(files: &[(&str, &str)]) -> (FileAnalysis, usize, Workspace) {
    let mut ws = Workspace::in_memory(PathBuf::from(ROOT));
    let mut cursor = 0;
    for (i, (path, text)) in files.iter().enumerate() {
        let mut text = text.to_string();
        if i == 0 {
            cursor = text.find("$0").expect("fixture has a $0 cursor");
            text = text.replacen("$0", "", 1);
        }
        ws.set_file(PathBuf::from(ROOT).join(path), Arc::from(text.as_str()));
    }
    let a = ws.analyze();
    let fa = a.files[&PathBuf::from(ROOT).join(files[0].0)].clone();
    (fa, cursor, ws)
}

fn hover_at(src: &str) -> String {
    let (fa, at, ws) = fixture(&[("msg.tplc", src)]);
    match hover::hover(&fa, ws.schema(), at) {
        Some((span, md)) => format!("{}\n---span: {:?}", md, &fa.source[span.start..span.end]),
        None => "(none)".into(),
    }
}

fn labels(src: &str, extra: &[(&str, &str)]) -> Vec<String> {
    let mut files = vec![("msg.tplc", src)];
    files.extend_from_slice(extra);
    let (fa, at, ws) = fixture(&files);
    let paths: Vec<PathBuf> = ws.files().map(|p| p.to_path_buf()).collect();
    let cx = completion::Context {
        template: &fa.template(),
        source: &fa.source,
        schema: ws.schema(),
        files: &paths,
        path: &fa.path,
    };
    completion::complete(&cx, at)
        .into_iter()
        .map(|i| i.label)
        .collect()
}

const HEAD: &str = "---\nkind: review_request\nlocale: en\n---\n";

#[test]
fn hover_placeholder_shows_type_description_and_example() {
    let src = format!("{HEAD}Delivered on {{{{ order.delivery_$0date | date(\"%d %B\") }}}}.\n");
    insta::assert_snapshot!(hover_at(&src));
}

#[test]
fn hover_record_segment_shows_its_type() {
    let src = format!("{HEAD}{{{{ ord$0er.id }}}}\n");
    let h = hover_at(&src);
    assert!(h.starts_with("`order`: `order`"), "{h}");
    assert!(h.ends_with("---span: \"order\""), "{h}");
}

#[test]
fn hover_filter_shows_signature() {
    let src =
        format!("{HEAD}{{{{ order.purchase_date | da$0te(\"%d %B\") }}}} {{{{ order.id }}}}\n");
    insta::assert_snapshot!(hover_at(&src));
}

#[test]
fn hover_flagged_word_explains_the_rule_and_links_docs() {
    let src = format!("{HEAD}Order {{{{ order.id }}}}: please leave a 5-st$0ar review.\n");
    let h = hover_at(&src);
    assert!(h.contains("**sentiment-word**"), "{h}");
    assert!(
        h.contains("https://tplc.dev/docs/codes/sentiment-word"),
        "{h}"
    );
    insta::assert_snapshot!(h);
}

#[test]
fn hover_kind_and_loop_variable() {
    let src = "---\nkind: revi$0ew_request\nlocale: en\n---\n{{ order.id }}\n";
    let h = hover_at(src);
    assert!(h.starts_with("Message kind `review_request`"), "{h}");
    let src = format!("{HEAD}{{{{ order.id }}}}{{% for item in order.items %}}{{{{ item.ti$0tle }}}}{{% endfor %}}\n");
    let h = hover_at(&src);
    assert!(h.starts_with("`item.title`: `text`"), "{h}");
    assert!(h.contains("Reads `order.items.title`"), "{h}");
    assert!(hover_at(&format!("{HEAD}{{{{ order.id }}}} plain te$0xt\n")) == "(none)");
}

#[test]
fn completion_after_open_and_dot_and_pipe() {
    let src = format!("{HEAD}{{{{ order.id }}}} {{{{ $0");
    assert_eq!(labels(&src, &[]), vec!["order", "seller", "buyer"]);
    let src = format!("{HEAD}{{{{ order.id }}}} {{{{ order.$0");
    let l = labels(&src, &[]);
    assert!(
        l.contains(&"delivery_date".to_string()) && l.contains(&"items".to_string()),
        "{l:?}"
    );
    let src = format!("{HEAD}{{{{ order.id }}}} {{{{ order.tr$0 }}}}");
    assert!(labels(&src, &[]).contains(&"tracking_url".to_string()));
    let src = format!("{HEAD}{{{{ order.id }}}} {{{{ order.purchase_date | $0");
    let l = labels(&src, &[]);
    assert!(
        l.contains(&"date".to_string()) && l.contains(&"default".to_string()),
        "{l:?}"
    );
    // Loop variables and params come first, with their types.
    let src = "---\nkind: review_request\nlocale: en\nparam coupon: text?\n---\n{{ order.id }}{% for item in order.items %}{{ $0 }}{% endfor %}";
    assert_eq!(
        labels(src, &[]),
        vec!["item", "coupon", "order", "seller", "buyer"]
    );
    let src = format!(
        "{HEAD}{{{{ order.id }}}}{{% for item in order.items %}}{{{{ item.$0 }}}}{{% endfor %}}"
    );
    assert!(labels(&src, &[]).contains(&"review_url".to_string()));
}

#[test]
fn completion_in_header_statements_and_includes() {
    let src = "---\nkind: review_request\nlo$0\n---\n";
    let l = labels(src, &[]);
    assert!(
        l.contains(&"locale".to_string()) && l.contains(&"param".to_string()),
        "{l:?}"
    );
    let src = "---\nkind: $0\nlocale: en\n---\n";
    let l = labels(src, &[]);
    assert_eq!(l.len(), 12);
    assert!(l.contains(&"review_request".to_string()));
    let src = format!("{HEAD}{{{{ order.id }}}}{{% $0");
    assert!(labels(&src, &[]).contains(&"include".to_string()));
    let src = format!("{HEAD}{{{{ order.id }}}}{{% include \"$0");
    assert_eq!(
        labels(
            &src,
            &[
                ("_footer.tplc", "Thanks"),
                ("shared/_sig.tplc", "Bye"),
                ("other.tplc", HEAD)
            ]
        ),
        vec!["footer", "sig"]
    );
}

#[test]
fn code_actions_apply_the_engines_fixes_and_allow_comments() {
    use tower_lsp_server::ls_types as lsp;
    use tplc_diagnostics::PositionEncoding;
    use tplc_lsp::convert::{self, Text};
    let src = format!(
        "{HEAD}Hi {{{{ buyer.name }}}}, order {{{{ order.id }}}}: leave a 5-star review.\n$0"
    );
    let (fa, _, _) = fixture(&[("msg.tplc", &src)]);
    let uri: lsp::Uri = "file:///project/msg.tplc".parse().unwrap();
    let t = Text::new(&fa.source, PositionEncoding::Utf16);
    let diags: Vec<lsp::Diagnostic> = fa
        .diagnostics
        .iter()
        .map(|d| convert::diagnostic(&t, &uri, d, Some(fa.template().body_start), &|_, _| None))
        .collect();
    let whole = lsp::Range::new(lsp::Position::new(0, 0), lsp::Position::new(99, 0));
    let acts = tplc_lsp::actions::actions(&uri, &whole, &diags);
    let mut out = String::new();
    for a in &acts {
        let edits = &a.edit.as_ref().unwrap().changes.as_ref().unwrap()[&uri];
        let edits: Vec<tplc_diagnostics::TextEdit> = edits
            .iter()
            .map(|e| tplc_diagnostics::TextEdit::replace(t.span(e.range), e.new_text.clone()))
            .collect();
        let fixed = tplc_diagnostics::apply_edits(&fa.source, &edits);
        out.push_str(&format!(
            "## {} (preferred: {:?})\n{}\n",
            a.title,
            a.is_preferred,
            &fixed[HEAD.len()..]
        ));
    }
    insta::assert_snapshot!(out);
}

#[test]
fn definition_of_params_loop_variables_and_includes() {
    let src = "---\nkind: review_request\nlocale: en\nparam coupon: text?\n---\n{{ order.id }}{{ coup$0on | default(\"\") }}{% include \"footer\" %}";
    let (fa, at, ws) = fixture(&[("msg.tplc", src), ("_footer.tplc", "Thanks")]);
    let exists = |p: &std::path::Path| ws.files().any(|f| f == p);
    let root = PathBuf::from(ROOT);
    let t = symbols::definition(&fa.template(), ws.schema(), &root, &fa.path, &exists, at);
    let Some(symbols::Target::Here(span)) = t else {
        panic!("{t:?}")
    };
    assert_eq!(&fa.source[span.start..span.end], "coupon");
    assert_eq!(span.start, fa.source.find("coupon").unwrap());
    let inc = fa.source.find("footer").unwrap();
    let t = symbols::definition(&fa.template(), ws.schema(), &root, &fa.path, &exists, inc);
    assert_eq!(t, Some(symbols::Target::File(root.join("_footer.tplc"))));
    let lp = fa.source.len();
    let src2 = format!("{HEAD}{{{{ order.id }}}}{{% for item in order.items %}}{{{{ it$0em.title }}}}{{% endfor %}}");
    let (fa2, at2, ws2) = fixture(&[("msg.tplc", &src2)]);
    let t = symbols::definition(
        &fa2.template(),
        ws2.schema(),
        &root,
        &fa2.path,
        &exists,
        at2,
    );
    let Some(symbols::Target::Here(span)) = t else {
        panic!("{t:?}")
    };
    assert_eq!(&fa2.source[span.start..span.end], "item");
    assert!(lp > 0);
}

#[test]
fn outline_lists_header_blocks_and_includes() {
    let src = "---\nkind: delivery\nlocale: en\nparam note: text?\n---\n{{ order.id }}{% if order.ship_date %}{% for item in order.items %}x{% endfor %}{% endif %}{% include \"footer\" %}$0";
    let (fa, _, _) = fixture(&[("msg.tplc", src)]);
    fn show(s: &symbols::Symbol, depth: usize, out: &mut String) {
        out.push_str(&format!(
            "{}{:?} {} {:?}\n",
            "  ".repeat(depth),
            s.kind,
            s.name,
            s.detail
        ));
        for c in &s.children {
            show(c, depth + 1, out);
        }
    }
    let mut out = String::new();
    for s in symbols::symbols(&fa.template(), &fa.source) {
        show(&s, 0, &mut out);
    }
    insta::assert_snapshot!(out);
}

#[test]
fn semantic_tokens_cover_header_tags_filters_and_markup() {
    use tplc_diagnostics::PositionEncoding;
    let src = "---\nkind: delivery\nlocale: en\n---\n- **Hi** {{ order.id | upper }} [track]({{ order.tracking_url | default(\"\") }}) 😀 {# note #}\n$0";
    let (fa, _, _) = fixture(&[("msg.tplc", src)]);
    let raw = tplc_lsp::tokens::raw_tokens(&fa.template(), &fa.source);
    let shown: Vec<String> = raw
        .iter()
        .map(|(s, ty)| {
            format!(
                "{} {:?}",
                tplc_lsp::tokens::TOKEN_TYPES[*ty as usize],
                &fa.source[s.start..s.end]
            )
        })
        .collect();
    insta::assert_snapshot!(shown.join("\n"));
    // Encoded: the comment after the emoji starts 2 UTF-16 units later than 1 scalar.
    let u16 = tplc_lsp::tokens::encode(&fa.source, &raw, PositionEncoding::Utf16);
    let u8 = tplc_lsp::tokens::encode(&fa.source, &raw, PositionEncoding::Utf8);
    assert_eq!(u16.len(), raw.len());
    let last16 = u16.last().unwrap();
    let last8 = u8.last().unwrap();
    assert_eq!(
        last8.delta_start - last16.delta_start,
        2,
        "emoji: 4 bytes vs 2 units"
    );
}

#[test]
fn the_allow_comment_silences_exactly_that_problem() {
    use tower_lsp_server::ls_types as lsp;
    use tplc_diagnostics::PositionEncoding;
    use tplc_lsp::convert::{self, Text};
    let src = format!("{HEAD}Order {{{{ order.id }}}}.\n  Please leave a 5-star review.\n$0");
    let (fa, _, _) = fixture(&[("msg.tplc", &src)]);
    let t = Text::new(&fa.source, PositionEncoding::Utf16);
    let uri: lsp::Uri = "file:///project/msg.tplc".parse().unwrap();
    let word = fa
        .diagnostics
        .iter()
        .find(|d| d.code == "sentiment-word")
        .unwrap();
    let lsp_diag =
        convert::diagnostic(&t, &uri, word, Some(fa.template().body_start), &|_, _| None);
    let data: convert::DiagnosticData = serde_json::from_value(lsp_diag.data.unwrap()).unwrap();
    let allow = data.allow.unwrap();
    let edit = tplc_diagnostics::TextEdit::replace(t.span(allow.range), allow.new_text);
    let fixed = tplc_diagnostics::apply_edits(&fa.source, &[edit]);
    assert!(
        fixed.contains("\n  {# tplc-allow: sentiment-word -- reason #}\n  Please"),
        "{fixed}"
    );
    let (after, _, _) = fixture(&[("msg.tplc", &format!("{fixed}$0"))]);
    let before: Vec<&str> = fa
        .diagnostics
        .iter()
        .map(|d| d.code)
        .filter(|c| *c != "sentiment-word")
        .collect();
    let now: Vec<&str> = after.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(now, before, "{:?}", after.diagnostics);

    // A problem in the header gets no "allow" (a comment cannot go there).
    let src = "---\nkind: review_requst\nlocale: en\n---\n{{ order.id }}\n$0";
    let (fa, _, _) = fixture(&[("msg.tplc", src)]);
    let t = Text::new(&fa.source, PositionEncoding::Utf16);
    let kind = fa
        .diagnostics
        .iter()
        .find(|d| d.code == "unknown-kind")
        .unwrap();
    let lsp_diag =
        convert::diagnostic(&t, &uri, kind, Some(fa.template().body_start), &|_, _| None);
    let data: convert::DiagnosticData = serde_json::from_value(lsp_diag.data.unwrap()).unwrap();
    assert!(data.allow.is_none());
    assert_eq!(data.fixes[0].edits[0].new_text, "review_request");
}
