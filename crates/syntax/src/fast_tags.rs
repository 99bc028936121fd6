//! The shapes most tags have, read straight from their tokens: a dotted path with filters
//! whose arguments are literals (`{{ buyer.name | default("there") }}`), and the statements
//! built on one (`{% if order.gift %}`, `{% for item in order.items %}`, `{% endif %}`,
//! `{% include "footer" %}`). The general grammar (`tag.rs`) builds its parser for every
//! tag and records every alternative it tries, which made parsing the largest cost of a
//! check after the rules; these shapes are most tags of a catalogue.
//!
//! The result is exactly what the grammar gives for the same tokens (test
//! `fast_paths_agree_with_the_grammar` in `tag.rs`); anything else, every error included,
//! is left to the grammar (`None`).

use crate::ast::{Expr, ExprKind, Literal, Spanned};
use crate::lexer::Tok;
use crate::tag::{unquote, Stmt, KEYWORDS};
use tplc_diagnostics::Span;

type Toks<'a, 's> = &'a [(Tok<'s>, Span)];

/// `{{ … }}`: the whole tag is one filtered path.
pub(crate) fn output(toks: Toks<'_, '_>) -> Option<Expr> {
    match filtered(toks)? {
        (e, []) => Some(e),
        _ => None,
    }
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

/// `a.b.c | f | g(lit, lit)`, and the tokens after it.
fn filtered<'a, 's>(toks: Toks<'a, 's>) -> Option<(Expr, Toks<'a, 's>)> {
    let (mut expr, mut rest) = path(toks)?;
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
