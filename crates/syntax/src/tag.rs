//! The grammar inside one tag (chumsky): expressions with filters and operators, and the
//! statement forms of `{% … %}`. Each tag is parsed on its own, so an error in one tag
//! never hides the tags after it; block nesting is built afterwards in `parser.rs`.

use crate::ast::{BinOp, Expr, ExprKind, Literal, Spanned};
use crate::lexer::Tok;
use chumsky::input::{Input as _, MappedInput};
use chumsky::prelude::*;
use tplc_diagnostics::Span;

/// A parsed statement tag.
#[derive(Clone, Debug, PartialEq)]
pub enum Stmt {
    If(Expr),
    Elif(Expr),
    Else,
    EndIf,
    For { var: Spanned<String>, iter: Expr },
    EndFor,
    Include(Spanned<String>),
}

/// Words with a meaning inside tags; not usable as placeholder names.
pub const KEYWORDS: &[&str] = &[
    "if", "elif", "else", "endif", "for", "in", "endfor", "include", "and", "or", "not", "true",
    "false",
];

type In<'t, 's> = MappedInput<'t, Tok<'s>, SimpleSpan, &'t [(Tok<'s>, SimpleSpan)]>;
type Extra<'t, 's> = extra::Err<Rich<'t, Tok<'s>>>;

fn sp(s: SimpleSpan) -> Span {
    Span::new(s.start, s.end)
}

fn kw<'t, 's: 't>(
    word: &'static str,
) -> impl Parser<'t, In<'t, 's>, SimpleSpan, Extra<'t, 's>> + Clone {
    just(Tok::Ident(word)).to_span().labelled(word)
}

fn expr<'t, 's: 't>() -> impl Parser<'t, In<'t, 's>, Expr, Extra<'t, 's>> + Clone {
    recursive(|expr| {
        let name = select! { Tok::Ident(s) if !KEYWORDS.contains(&s) => s.to_string() }
            .map_with(|s, e| Spanned::new(s, sp(e.span())))
            .labelled("a name");

        let literal = select! {
            Tok::Str(s) => Literal::Str(unquote(s)),
            Tok::Int(s) => s.parse::<i64>().map(Literal::Int).unwrap_or_else(|_| Literal::Decimal(s.to_string())),
            Tok::Decimal(s) => Literal::Decimal(s.to_string()),
            Tok::Ident("true") => Literal::Bool(true),
            Tok::Ident("false") => Literal::Bool(false),
        }
        .map_with(|l, e| Expr { kind: ExprKind::Literal(l), span: sp(e.span()) })
        .labelled("a value");

        let path = name
            .separated_by(just(Tok::Dot))
            .at_least(1)
            .collect::<Vec<_>>()
            .map_with(|mut segs, e| {
                // Collecting reserves four; most paths have one or two segments.
                segs.shrink_to_fit();
                Expr {
                    kind: ExprKind::Path(segs),
                    span: sp(e.span()),
                }
            });

        let parens = expr
            .clone()
            .delimited_by(just(Tok::LParen), just(Tok::RParen))
            .map_with(|inner: Expr, e| Expr {
                span: sp(e.span()),
                ..inner
            });

        let primary = choice((literal, path, parens)).boxed();

        let args = expr
            .clone()
            .separated_by(just(Tok::Comma))
            .allow_trailing()
            .collect::<Vec<_>>()
            .map(|mut a| {
                a.shrink_to_fit();
                a
            })
            .delimited_by(just(Tok::LParen), just(Tok::RParen));

        let filter = just(Tok::Pipe)
            .ignore_then(name.labelled("a filter name"))
            .then(args.or_not())
            .map_with(|(name, args), e| (name, args.unwrap_or_default(), sp(e.span())));

        let filtered = primary
            .foldl(filter.repeated(), |target: Expr, (name, args, fspan)| {
                Expr {
                    span: target.span.cover(fspan),
                    kind: ExprKind::Filter {
                        target: Box::new(target),
                        name,
                        args,
                    },
                }
            })
            .boxed();

        let cmp_op = select! {
            Tok::EqEq => BinOp::Eq,
            Tok::NotEq => BinOp::Ne,
            Tok::Lt => BinOp::Lt,
            Tok::Le => BinOp::Le,
            Tok::Gt => BinOp::Gt,
            Tok::Ge => BinOp::Ge,
        }
        .map_with(|op, e| Spanned::new(op, sp(e.span())));

        let cmp =
            filtered
                .clone()
                .then(cmp_op.then(filtered).or_not())
                .map(|(lhs, rest)| match rest {
                    Some((op, rhs)) => binary(op, lhs, rhs),
                    None => lhs,
                });

        let not = recursive(|not| {
            kw("not")
                .then(not)
                .map(|(kspan, inner): (SimpleSpan, Expr)| Expr {
                    span: sp(kspan).cover(inner.span),
                    kind: ExprKind::Not(Box::new(inner)),
                })
                .or(cmp)
        });

        let and_op = kw("and").map(|s| Spanned::new(BinOp::And, sp(s)));
        let and = not
            .clone()
            .foldl(and_op.then(not).repeated(), |l, (op, r)| binary(op, l, r));
        let or_op = kw("or").map(|s| Spanned::new(BinOp::Or, sp(s)));
        and.clone()
            .foldl(or_op.then(and).repeated(), |l, (op, r)| binary(op, l, r))
            .boxed()
    })
}

pub(crate) fn binary(op: Spanned<BinOp>, lhs: Expr, rhs: Expr) -> Expr {
    Expr {
        span: lhs.span.cover(rhs.span),
        kind: ExprKind::Binary {
            op,
            lhs: Box::new(lhs),
            rhs: Box::new(rhs),
        },
    }
}

/// Remove the quotes of a string token and resolve `\` escapes.
pub fn unquote(s: &str) -> String {
    let inner = &s[1..s.len().saturating_sub(1).max(1)];
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn stmt<'t, 's: 't>() -> impl Parser<'t, In<'t, 's>, Stmt, Extra<'t, 's>> {
    let var = select! { Tok::Ident(s) if !KEYWORDS.contains(&s) => s.to_string() }
        .map_with(|s, e| Spanned::new(s, sp(e.span())))
        .labelled("a loop variable name");
    let include_name = select! { Tok::Str(s) => unquote(s) }
        .map_with(|s, e| Spanned::new(s, sp(e.span())))
        .labelled("a quoted template name");
    choice((
        kw("if").ignore_then(expr()).map(Stmt::If),
        kw("elif").ignore_then(expr()).map(Stmt::Elif),
        kw("else").to(Stmt::Else),
        kw("endif").to(Stmt::EndIf),
        kw("for")
            .ignore_then(var)
            .then_ignore(kw("in"))
            .then(expr())
            .map(|(var, iter)| Stmt::For { var, iter }),
        kw("endfor").to(Stmt::EndFor),
        kw("include").ignore_then(include_name).map(Stmt::Include),
    ))
    .labelled("a statement (if, elif, else, endif, for, endfor, include)")
    .then_ignore(end())
}

/// A parse error inside a tag, already turned into words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TagError {
    pub span: Span,
    pub message: String,
}

fn run<'t, 's: 't, O>(
    parser: impl Parser<'t, In<'t, 's>, O, Extra<'t, 's>>,
    toks: &'t [(Tok<'s>, SimpleSpan)],
    eoi: Span,
) -> Result<O, Vec<TagError>> {
    let input = toks.split_token_span(SimpleSpan::from(eoi.start..eoi.end));
    parser.parse(input).into_result().map_err(|errs| {
        errs.into_iter()
            .map(|e| {
                let found = match e.found() {
                    Some(t) => t.to_string(),
                    None => "the end of the tag".to_string(),
                };
                let mut expected: Vec<String> = e.expected().map(|p| p.to_string()).collect();
                expected.sort();
                expected.dedup();
                let message = match expected.len() {
                    0 => format!("unexpected {found}"),
                    _ => format!("expected {}, found {found}", join_or(&expected)),
                };
                TagError {
                    span: sp(*e.span()),
                    message,
                }
            })
            .collect()
    })
}

fn join_or(items: &[String]) -> String {
    match items {
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
        [] => String::new(),
    }
}

fn to_simple<'s>(toks: &[(Tok<'s>, Span)]) -> Vec<(Tok<'s>, SimpleSpan)> {
    toks.iter()
        .map(|(t, s)| (*t, SimpleSpan::from(s.start..s.end)))
        .collect()
}

/// Parse the inside of `{{ … }}`. `eoi` is the empty span just before the closing delimiter.
pub fn parse_output(toks: &[(Tok<'_>, Span)], eoi: Span) -> Result<Expr, Vec<TagError>> {
    match crate::fast_tags::output(toks) {
        Some(e) => Ok(e),
        None => grammar_output(toks, eoi),
    }
}

/// [`parse_output`] through the general grammar only.
fn grammar_output(toks: &[(Tok<'_>, Span)], eoi: Span) -> Result<Expr, Vec<TagError>> {
    let toks = to_simple(toks);
    run(
        expr().then_ignore(end()).labelled("an expression"),
        &toks,
        eoi,
    )
}

/// Parse the inside of `{% … %}`.
pub fn parse_stmt(toks: &[(Tok<'_>, Span)], eoi: Span) -> Result<Stmt, Vec<TagError>> {
    match crate::fast_tags::stmt(toks) {
        Some(s) => Ok(s),
        None => grammar_stmt(toks, eoi),
    }
}

/// [`parse_stmt`] through the general grammar only.
fn grammar_stmt(toks: &[(Tok<'_>, Span)], eoi: Span) -> Result<Stmt, Vec<TagError>> {
    let toks = to_simple(toks);
    run(stmt(), &toks, eoi)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexer::lex_tag;

    fn out(src: &str) -> Result<Expr, Vec<TagError>> {
        let (toks, errs) = lex_tag(src, 0);
        assert!(errs.is_empty());
        parse_output(&toks, Span::empty(src.len()))
    }

    #[test]
    fn filters_chain_left_to_right() {
        let e = out(r#"buyer.name | default("there") | upper"#).unwrap();
        let ExprKind::Filter { target, name, .. } = e.kind else {
            panic!()
        };
        assert_eq!(name.node, "upper");
        let ExprKind::Filter { name, args, .. } = target.kind else {
            panic!()
        };
        assert_eq!(name.node, "default");
        assert_eq!(args.len(), 1);
        assert_eq!(e.span, Span::new(0, 37));
    }

    #[test]
    fn precedence_of_not_and_or() {
        let (toks, _) = lex_tag("not a and b or c == 1", 0);
        let Stmt::If(e) = parse_stmt(
            &[&[(Tok::Ident("if"), Span::new(0, 0))][..], &toks[..]].concat(),
            Span::empty(21),
        )
        .unwrap() else {
            panic!()
        };
        let ExprKind::Binary { op, lhs, .. } = e.kind else {
            panic!()
        };
        assert_eq!(op.node, BinOp::Or);
        let ExprKind::Binary { op, lhs, .. } = lhs.kind else {
            panic!()
        };
        assert_eq!(op.node, BinOp::And);
        assert!(matches!(lhs.kind, ExprKind::Not(_)));
    }

    /// The fast paths give what the grammar gives, and leave every tag it rejects to it:
    /// random tags from the tokens of the common shapes and of what breaks them.
    #[test]
    fn fast_paths_agree_with_the_grammar() {
        const PIECES: &[&str] = &[
            "order",
            "items",
            "buyer",
            "name",
            ".",
            ".",
            " | ",
            "default",
            "date",
            "upper",
            "(",
            ")",
            ",",
            "\"x\"",
            "'%d %B'",
            "3",
            "-2",
            "2.5",
            "99999999999999999999",
            "true",
            "false",
            "if",
            "elif",
            "else",
            "endif",
            "for",
            "in",
            "endfor",
            "include",
            "not",
            "and",
            "==",
            "item",
        ];
        let mut seed: u64 = 0x7a65;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize
        };
        let (mut fast_outputs, mut fast_stmts) = (0, 0);
        for _ in 0..40_000 {
            let len = next() % 8;
            let tail: String = (0..len)
                .map(|_| PIECES[next() % PIECES.len()])
                .collect::<Vec<_>>()
                .join(" ");
            // Mostly a well-formed start, so the fast paths are taken often.
            let src = match next() % 5 {
                0 => format!("order.items | default(\"x\", 2) {tail}"),
                1 => format!("for item in order.items {tail}"),
                2 => format!("if buyer.name {tail}"),
                3 if next() % 2 == 0 => format!("elif item.sku == \"A-1\" {tail}"),
                3 => format!("{} {tail}", PIECES[next() % PIECES.len()]),
                _ => tail,
            };
            let (toks, errs) = lex_tag(&src, 0);
            if !errs.is_empty() {
                continue;
            }
            let eoi = Span::empty(src.len());
            if let Some(fast) = crate::fast_tags::output(&toks) {
                assert_eq!(Ok(fast), grammar_output(&toks, eoi), "{{{{ {src} }}}}");
                fast_outputs += 1;
            }
            if let Some(fast) = crate::fast_tags::stmt(&toks) {
                assert_eq!(Ok(fast), grammar_stmt(&toks, eoi), "{{% {src} %}}");
                fast_stmts += 1;
            }
        }
        // The shapes were met often enough for the comparison to mean something.
        assert!(
            fast_outputs > 500 && fast_stmts > 500,
            "{fast_outputs} {fast_stmts}"
        );
        for src in [
            "order.id",
            "buyer.name | default(\"there\") | upper",
            "order.delivery_date | date(\"%d %B\",)",
            "x | f()",
            "not a.b == 'x' and c or not not d | upper != 2",
        ] {
            let (toks, _) = lex_tag(src, 0);
            assert!(crate::fast_tags::output(&toks).is_some(), "{src}");
        }
    }

    #[test]
    fn errors_name_what_was_expected() {
        let err = out("buyer. | upper").unwrap_err();
        assert_eq!(err[0].message, "expected a name, found `|`");
        assert_eq!(err[0].span, Span::new(7, 8));
        let err = out("").unwrap_err();
        assert!(
            err[0].message.contains("found the end of the tag"),
            "{}",
            err[0].message
        );
    }

    #[test]
    fn keywords_are_not_names() {
        assert!(out("for").is_err());
    }
}
