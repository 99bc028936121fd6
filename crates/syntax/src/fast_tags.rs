//! The shapes most tags have, read straight from their tokens: dotted paths and literals
//! with filters whose arguments are literals (`{{ buyer.name | default("there") }}`),
//! compared and joined with `and`, `or`, `not` (`{% elif item.sku == "A-1" %}`), and the
//! statements built on them (`{% for item in order.items %}`, `{% endif %}`,
//! `{% include "footer" %}`). Parentheses are left to the grammar. The general grammar (`tag.rs`) builds its parser for every
//! tag and records every alternative it tries, which made parsing the largest cost of a
//! check after the rules; these shapes are most tags of a catalogue.
//!
//! The result is exactly what the grammar gives for the same tokens (test
//! `fast_paths_agree_with_the_grammar` in `tag.rs`); anything else, every error included,
//! is left to the grammar (`None`).

use crate::ast::{BinOp, Expr, ExprKind, Literal, Spanned};
use crate::lexer::Tok;
use crate::tag::{binary, unquote, Stmt, KEYWORDS};
use tplc_diagnostics::Span;

type Toks<'a, 's> = &'a [(Tok<'s>, Span)];

/// `{{ … }}`: the whole tag is one expression.
pub(crate) fn output(toks: Toks<'_, '_>) -> Option<Expr> {
    match or(toks)? {
        (e, []) => Some(e),
        _ => None,
    }
}

/// `a or b or c`, folded to the left as the grammar does.
fn or<'a, 's>(toks: Toks<'a, 's>) -> Option<(Expr, Toks<'a, 's>)> {
    fold(toks, "or", BinOp::Or, and)
}

fn and<'a, 's>(toks: Toks<'a, 's>) -> Option<(Expr, Toks<'a, 's>)> {
    fold(toks, "and", BinOp::And, not)
}

/// `operand (word operand)*`, folded to the left.
fn fold<'a, 's>(
    toks: Toks<'a, 's>,
    word: &str,
    op: BinOp,
    operand: fn(Toks<'a, 's>) -> Option<(Expr, Toks<'a, 's>)>,
) -> Option<(Expr, Toks<'a, 's>)> {
    let (mut lhs, mut rest) = operand(toks)?;
    while let [(Tok::Ident(w), span), after @ ..] = rest {
        if *w != word {
            break;
        }
        let (rhs, after) = operand(after)?;
        lhs = binary(Spanned::new(op, *span), lhs, rhs);
        rest = after;
    }
    Some((lhs, rest))
}

/// `not not x`: recursion bounded by the parser's limit on `not`s per tag, checked first.
fn not<'a, 's>(toks: Toks<'a, 's>) -> Option<(Expr, Toks<'a, 's>)> {
    match toks {
        [(Tok::Ident("not"), span), after @ ..] => {
            let (inner, rest) = not(after)?;
            Some((
                Expr {
                    span: span.cover(inner.span),
                    kind: ExprKind::Not(Box::new(inner)),
                },
                rest,
            ))
        }
        _ => cmp(toks),
    }
}

/// `a == b`: at most one comparison, as in the grammar.
fn cmp<'a, 's>(toks: Toks<'a, 's>) -> Option<(Expr, Toks<'a, 's>)> {
    let (lhs, rest) = filtered(toks)?;
    let op = match rest.first() {
        Some((Tok::EqEq, _)) => BinOp::Eq,
        Some((Tok::NotEq, _)) => BinOp::Ne,
        Some((Tok::Lt, _)) => BinOp::Lt,
        Some((Tok::Le, _)) => BinOp::Le,
        Some((Tok::Gt, _)) => BinOp::Gt,
        Some((Tok::Ge, _)) => BinOp::Ge,
        _ => return Some((lhs, rest)),
    };
    let (rhs, after) = filtered(&rest[1..])?;
    Some((binary(Spanned::new(op, rest[0].1), lhs, rhs), after))
}

/// `{% … %}`.
pub(crate) fn stmt(toks: Toks<'_, '_>) -> Option<Stmt> {
    let ((first, _), rest) = toks.split_first()?;
    match (first, rest) {
        (Tok::Ident("else"), []) => Some(Stmt::Else),
        (Tok::Ident("endif"), []) => Some(Stmt::EndIf),
        (Tok::Ident("endfor"), []) => Some(Stmt::EndFor),
        (Tok::Ident("if"), _) => output(rest).map(Stmt::If),
        (Tok::Ident("elif"), _) => output(rest).map(Stmt::Elif),
        (Tok::Ident("include"), [(Tok::Str(s), span)]) => {
            Some(Stmt::Include(Spanned::new(unquote(s), *span)))
        }
        (Tok::Ident("for"), [(Tok::Ident(var), var_span), (Tok::Ident("in"), _), iter @ ..])
            if !KEYWORDS.contains(var) =>
        {
            Some(Stmt::For {
                var: Spanned::new(var.to_string(), *var_span),
                iter: output(iter)?,
            })
        }
        _ => None,
    }
}

fn name(tok: &(Tok<'_>, Span)) -> Option<Spanned<String>> {
    match tok {
        (Tok::Ident(n), span) if !KEYWORDS.contains(n) => Some(Spanned::new(n.to_string(), *span)),
        _ => None,
    }
}

/// `a.b.c | f | g(lit, lit)` (or a literal with filters), and the tokens after it.
fn filtered<'a, 's>(toks: Toks<'a, 's>) -> Option<(Expr, Toks<'a, 's>)> {
    let (mut expr, mut rest) = match toks.first().and_then(literal) {
        Some(lit) => (lit, &toks[1..]),
        None => path(toks)?,
    };
    while let [(Tok::Pipe, pipe), after @ ..] = rest {
        let (first, after) = after.split_first()?;
        let fname = name(first)?;
        let (args, end, after) = match after {
            [(Tok::LParen, _), inner @ ..] => {
                let (args, close, after) = literal_args(inner)?;
                (args, close, after)
            }
            _ => (Vec::new(), fname.span.end, after),
        };
        let fspan = Span::new(pipe.start, end);
        expr = Expr {
            span: expr.span.cover(fspan),
            kind: ExprKind::Filter {
                target: Box::new(expr),
                name: fname,
                args,
            },
        };
        rest = after;
    }
    Some((expr, rest))
}

/// `a.b.c` at the start of `toks`.
fn path<'a, 's>(toks: Toks<'a, 's>) -> Option<(Expr, Toks<'a, 's>)> {
    let mut segs = vec![name(toks.first()?)?];
    let mut rest = &toks[1..];
    while let [(Tok::Dot, _), next, after @ ..] = rest {
        segs.push(name(next)?);
        rest = after;
    }
    if matches!(rest.first(), Some((Tok::Dot, _))) {
        return None;
    }
    segs.shrink_to_fit();
    let span = Span::new(segs[0].span.start, segs[segs.len() - 1].span.end);
    Some((
        Expr {
            kind: ExprKind::Path(segs),
            span,
        },
        rest,
    ))
}

/// `lit, lit)` after an opening parenthesis: the arguments, where the `)` ends, the rest.
fn literal_args<'a, 's>(toks: Toks<'a, 's>) -> Option<(Vec<Expr>, usize, Toks<'a, 's>)> {
    let mut args = Vec::new();
    let mut rest = toks;
    loop {
        match rest {
            [(Tok::RParen, close), after @ ..] => {
                args.shrink_to_fit();
                return Some((args, close.end, after));
            }
            [lit, after @ ..] => {
                args.push(literal(lit)?);
                rest = match after {
                    [(Tok::Comma, _), more @ ..] => more,
                    [(Tok::RParen, _), ..] => after,
                    _ => return None,
                };
            }
            [] => return None,
        }
    }
}

fn literal(tok: &(Tok<'_>, Span)) -> Option<Expr> {
    let lit = match tok.0 {
        Tok::Str(s) => Literal::Str(unquote(s)),
        Tok::Int(s) => s
            .parse::<i64>()
            .map(Literal::Int)
            .unwrap_or_else(|_| Literal::Decimal(s.to_string())),
        Tok::Decimal(s) => Literal::Decimal(s.to_string()),
        Tok::Ident("true") => Literal::Bool(true),
        Tok::Ident("false") => Literal::Bool(false),
        _ => return None,
    };
    Some(Expr {
        kind: ExprKind::Literal(lit),
        span: tok.1,
    })
}
