//! Body: segments (lexer) → tags (chumsky, per tag) → nested blocks (an explicit stack).
//!
//! Nesting is built with a stack rather than inside the grammar so that recovery is
//! exact: a missing `{% endif %}` is reported at its `{% if %}` and closed at the end of
//! the enclosing block, a stray `{% endfor %}` is reported alone, and every other tag in
//! the file is still parsed and checked.

use crate::ast::*;
use crate::lexer::{lex_tag, segments, Segment, TagKind, Tok};
use crate::tag::{parse_output, parse_stmt, Stmt};
use crate::SYNTAX_ERROR;
use tplc_diagnostics::{Diagnostic, Fix, Span, TextEdit, MAX_DIAGNOSTICS_PER_FILE};

/// Deepest `{% if %}`/`{% for %}` nesting accepted; deeper blocks are reported, not built,
/// so no later pass can exhaust the stack.
pub const MAX_NESTING: usize = 64;
/// Deepest `{% for %}` nesting accepted: Python's Jinja2 compiles each loop to a Python
/// block, and Python allows 20 nested blocks.
pub const MAX_LOOP_NESTING: usize = 16;
/// Most parentheses and `not`s in one expression, for the same reason.
pub const MAX_EXPR_DEPTH: usize = 32;
/// Most operators and filters in one expression: each one nests the tree one level
/// deeper (and the compiled Jinja too, which renderers bound).
pub const MAX_EXPR_OPS: usize = 48;
/// Filters the compiler writes out in plain Jinja, repeating the value they apply to
/// (`default`: `(x if x is defined and … else d)`): a chain of them grows the compiled
/// expression geometrically, so a few per expression are allowed.
pub const EXPANDING_FILTERS: [&str; 4] = ["default", "truncate", "date", "money"];
/// Most [`EXPANDING_FILTERS`] in one expression.
pub const MAX_EXPANDING_FILTERS: usize = 4;
/// Most `elif` branches of one `{% if %}`: each is one more nested level when rendered.
pub const MAX_BRANCHES: usize = 48;
/// Decimal literals print the same in minijinja and Python's Jinja2 only between these
/// magnitudes: Python writes `1e-05` and `1e+16` where minijinja writes every digit.
pub const MIN_DECIMAL: f64 = 1e-4;
pub const MAX_DECIMAL: f64 = 1e15;

enum Open {
    If {
        start: Span,
        branches: Vec<IfBranch>,
        has_else: bool,
    },
    For {
        tag: Span,
        var: Spanned<String>,
        iter: Expr,
        body: Vec<Node>,
        else_body: Option<Vec<Node>>,
    },
}

impl Open {
    /// Drop the spare capacity of a finished block: a catalogue's trees are all held until
    /// its report is written, and doubling growth left a third of them unused.
    fn shrink(&mut self) {
        match self {
            Open::If { branches, .. } => {
                branches.shrink_to_fit();
                branches.iter_mut().for_each(|b| b.body.shrink_to_fit());
            }
            Open::For {
                body, else_body, ..
            } => {
                body.shrink_to_fit();
                else_body.iter_mut().for_each(Vec::shrink_to_fit);
            }
        }
    }

    fn body(&mut self) -> &mut Vec<Node> {
        match self {
            Open::If { branches, .. } => &mut branches.last_mut().expect("an if has a branch").body,
            Open::For {
                body, else_body, ..
            } => else_body.as_mut().unwrap_or(body),
        }
    }
    fn opener(&self) -> (&'static str, Span) {
        match self {
            Open::If { start, .. } => ("if", *start),
            Open::For { tag, .. } => ("for", *tag),
        }
    }
}

struct Builder<'s> {
    src: &'s str,
    root: Vec<Node>,
    stack: Vec<Open>,
    /// Opening tags past MAX_NESTING not yet matched by an end tag.
    too_deep: usize,
    /// At most [`MAX_DIAGNOSTICS_PER_FILE`]; the problems past them are only counted.
    diags: Vec<Diagnostic>,
    unlisted: usize,
}

impl Builder<'_> {
    fn report(&mut self, d: Diagnostic) {
        if self.diags.len() < MAX_DIAGNOSTICS_PER_FILE {
            self.diags.push(d);
        } else {
            self.unlisted += 1;
        }
    }

    /// Whether the diagnostics are full: tags the fast shapes do not cover are then not
    /// given to the grammar (whose error messages would go unread), but counted.
    fn full(&self) -> bool {
        self.diags.len() >= MAX_DIAGNOSTICS_PER_FILE
    }

    fn push(&mut self, node: Node) {
        let body = match self.stack.last_mut() {
            Some(open) => open.body(),
            None => &mut self.root,
        };
        // Broken tags side by side (`{{{{{{…`) are one error region: a node per tag made a
        // flood of them cost a tree node each.
        if let (Node::Error(next), Some(Node::Error(prev))) = (&node, body.last_mut()) {
            if prev.end == next.start {
                prev.end = next.end;
                return;
            }
        }
        body.push(node);
    }

    fn error(&mut self, span: Span, message: impl Into<String>) {
        self.report(Diagnostic::error(SYNTAX_ERROR, span, message));
    }

    /// Close the innermost block; `end` is its end tag, `None` when missing.
    fn close(&mut self, end: Option<Span>, last: usize) {
        let mut open = self.stack.pop().expect("close called with an open block");
        open.shrink();
        let node = match open {
            Open::If {
                start, branches, ..
            } => {
                let stop = end.map_or(last, |e| e.end);
                Node::If(Box::new(IfBlock {
                    span: Span::new(start.start, stop.max(start.end)),
                    branches,
                    end_tag: end,
                }))
            }
            Open::For {
                tag,
                var,
                iter,
                body,
                else_body,
            } => {
                let stop = end.map_or(last, |e| e.end);
                Node::For(Box::new(ForBlock {
                    span: Span::new(tag.start, stop.max(tag.end)),
                    tag,
                    var,
                    iter,
                    body,
                    else_body,
                    end_tag: end,
                }))
            }
        };
        self.push(node);
    }

    fn report_unclosed(&mut self, at: usize) {
        let (word, span) = self.stack.last().expect("open block").opener();
        let end_tag = format!("{{% end{word} %}}");
        self.report(
            Diagnostic::error(
                SYNTAX_ERROR,
                span,
                format!(
                    "this `{{% {word} %}}` is never closed: add `{end_tag}` where the block ends"
                ),
            )
            .with_fix(Fix::unsafe_(
                format!("Insert `{end_tag}`"),
                vec![TextEdit::insert(at, end_tag)],
            )),
        );
    }

    fn last_end(&self) -> usize {
        fn last(nodes: &[Node]) -> Option<usize> {
            nodes.last().map(|n| n.span().end)
        }
        match self.stack.last() {
            Some(Open::If {
                branches, start, ..
            }) => branches
                .last()
                .and_then(|b| last(&b.body))
                .unwrap_or(start.end),
            Some(Open::For {
                body,
                else_body,
                tag,
                ..
            }) => else_body
                .as_deref()
                .and_then(last)
                .or_else(|| last(body))
                .unwrap_or(tag.end),
            None => 0,
        }
    }

    fn end_block(&mut self, word: &'static str, span: Span) {
        if self.too_deep > 0 {
            self.too_deep -= 1;
            self.push(Node::Error(span));
            return;
        }
        let matches = |o: &Open| o.opener().0 == word;
        match self.stack.iter().rposition(matches) {
            Some(pos) => {
                while self.stack.len() > pos + 1 {
                    let at = span.start;
                    self.report_unclosed(at);
                    let last = self.last_end();
                    self.close(None, last);
                }
                self.close(Some(span), span.end);
            }
            None => {
                self.error(span, format!("`{{% end{word} %}}` has no matching `{{% {word} %}}`: remove it or add the opening tag"));
                self.push(Node::Error(span));
            }
        }
    }

    fn open(&mut self, open: Open, span: Span) {
        let loops = self
            .stack
            .iter()
            .filter(|o| matches!(o, Open::For { .. }))
            .count();
        let loop_too_deep = matches!(open, Open::For { .. }) && loops >= MAX_LOOP_NESTING;
        if self.stack.len() >= MAX_NESTING || loop_too_deep || self.too_deep > 0 {
            if self.too_deep == 0 {
                let message = if loop_too_deep {
                    format!("`for` loops are nested more than {MAX_LOOP_NESTING} deep: flatten the template")
                } else {
                    format!("blocks are nested more than {MAX_NESTING} deep: flatten the template")
                };
                self.error(span, message);
            }
            self.too_deep += 1;
            self.push(Node::Error(span));
            return;
        }
        self.stack.push(open);
    }

    fn statement(&mut self, stmt: Stmt, span: Span) {
        match stmt {
            Stmt::If(cond) => self.open(
                Open::If {
                    start: span,
                    branches: vec![IfBranch {
                        tag: span,
                        cond: Some(cond),
                        body: Vec::new(),
                    }],
                    has_else: false,
                },
                span,
            ),
            Stmt::For { var, iter } => self.open(
                Open::For {
                    tag: span,
                    var,
                    iter,
                    body: Vec::new(),
                    else_body: None,
                },
                span,
            ),
            Stmt::EndIf => self.end_block("if", span),
            Stmt::EndFor => self.end_block("for", span),
            Stmt::Elif(cond) => match self.stack.last_mut() {
                Some(Open::If {
                    branches,
                    has_else: false,
                    ..
                }) if self.too_deep == 0 => {
                    if branches.len() > MAX_BRANCHES {
                        // Reported once per block; later branches are dropped silently.
                        if branches.len() == MAX_BRANCHES + 1 {
                            branches.push(IfBranch {
                                tag: span,
                                cond: None,
                                body: Vec::new(),
                            });
                            self.error(
                                span,
                                format!("more than {MAX_BRANCHES} `elif` branches in one `{{% if %}}`: split the block"),
                            );
                        }
                        self.push(Node::Error(span));
                    } else {
                        branches.push(IfBranch {
                            tag: span,
                            cond: Some(cond),
                            body: Vec::new(),
                        })
                    }
                }
                Some(Open::If { has_else: true, .. }) if self.too_deep == 0 => {
                    self.error(
                        span,
                        "`{% elif %}` after `{% else %}`: move it before the `{% else %}`",
                    );
                    self.push(Node::Error(span));
                }
                _ => self.stray(span, "elif"),
            },
            Stmt::Else => match self.stack.last_mut() {
                Some(Open::If {
                    branches, has_else, ..
                }) if !*has_else && self.too_deep == 0 => {
                    *has_else = true;
                    branches.push(IfBranch {
                        tag: span,
                        cond: None,
                        body: Vec::new(),
                    });
                }
                Some(Open::For { else_body, .. }) if else_body.is_none() && self.too_deep == 0 => {
                    *else_body = Some(Vec::new());
                }
                Some(_) if self.too_deep == 0 => {
                    self.error(span, "this block already has an `{% else %}`: remove one");
                    self.push(Node::Error(span));
                }
                _ => self.stray(span, "else"),
            },
            Stmt::Include(name) => self.push(Node::Include(Box::new(IncludeTag { span, name }))),
        }
    }

    fn stray(&mut self, span: Span, word: &str) {
        if self.too_deep > 0 {
            self.push(Node::Error(span));
            return;
        }
        self.error(
            span,
            format!("`{{% {word} %}}` outside an `{{% if %}}` block: remove it or open the block"),
        );
        self.push(Node::Error(span));
    }

    fn tag(&mut self, kind: TagKind, span: Span, inner: Span, closed: bool) {
        if !closed && self.full() {
            // Counted without writing a message nobody reads.
            self.unlisted += 1;
        } else if !closed {
            let close = kind.close();
            let at = span.end;
            let found_other = self.src[..at].ends_with("}}") || self.src[..at].ends_with("%}");
            let message = if found_other {
                format!(
                    "`{}` is closed with `{}`: close it with `{close}`",
                    kind.open(),
                    &self.src[at - 2..at]
                )
            } else {
                format!("`{}` is never closed: add `{close}`", kind.open())
            };
            let fix = if found_other {
                Fix::safe(
                    format!("Use `{close}`"),
                    vec![TextEdit::replace(Span::new(at - 2, at), close)],
                )
            } else {
                Fix::safe(
                    format!("Insert `{close}`"),
                    vec![TextEdit::insert(at, format!(" {close}"))],
                )
            };
            self.report(
                Diagnostic::error(SYNTAX_ERROR, Span::new(span.start, span.start + 2), message)
                    .with_fix(fix),
            );
        }
        if kind == TagKind::Comment {
            self.push(Node::Comment(Box::new(CommentTag { span, body: inner })));
            return;
        }
        let (toks, lex_errors) = lex_tag(&self.src[inner.start..inner.end], inner.start);
        if let Some(&e) = lex_errors.first() {
            let ch = self.src[e.start..].chars().next().unwrap_or(' ');
            self.error(e, format!("unexpected character `{ch}` in a tag: tags hold names, filters, operators and quoted strings"));
            self.push(Node::Error(span));
            return;
        }
        if let Some(message) = too_complex(&toks) {
            self.error(span, message);
            self.push(Node::Error(span));
            return;
        }
        // Reported, and the tag still parsed, so its block structure stays as written.
        if let Some((at, message)) = bad_number(&toks) {
            self.error(at, message);
        }
        let eoi = Span::empty(inner.end);
        let full = self.full();
        match kind {
            TagKind::Output => match if full {
                crate::fast_tags::output(&toks).ok_or_else(Vec::new)
            } else {
                parse_output(&toks, eoi)
            } {
                Ok(expr) => self.push(Node::Output(Box::new(OutputTag { span, expr }))),
                Err(errs) => self.tag_errors(
                    span,
                    errs,
                    "{{ … }} holds one expression, e.g. `{{ order.id }}`",
                ),
            },
            TagKind::Statement => {
                let parsed = if full {
                    crate::fast_tags::stmt(&toks).ok_or_else(Vec::new)
                } else {
                    parse_stmt(&toks, eoi)
                };
                match parsed {
                    Ok(stmt) => self.statement(stmt, span),
                    Err(errs) => {
                        // A broken opener still opens its block, so its end tag is not reported too.
                        let first = toks.first().map(|t| t.0);
                        let placeholder = Expr {
                            kind: ExprKind::Error,
                            span: inner,
                        };
                        self.tag_errors(span, errs, "statements: if, elif, else, endif, for … in …, endfor, include \"name\"");
                        match first {
                            Some(Tok::Ident("if")) => {
                                self.diags_pop_node(span);
                                self.statement(Stmt::If(placeholder), span)
                            }
                            Some(Tok::Ident("for")) => {
                                self.diags_pop_node(span);
                                let var = Spanned::new(String::new(), inner);
                                self.statement(
                                    Stmt::For {
                                        var,
                                        iter: placeholder,
                                    },
                                    span,
                                )
                            }
                            _ => {}
                        }
                    }
                }
            }
            TagKind::Comment => unreachable!(),
        }
    }

    /// Take back the error region of the tag at `span` that `tag_errors` just pushed (the
    /// tag is kept as a block); broken tags before it keep theirs.
    fn diags_pop_node(&mut self, span: Span) {
        let body = match self.stack.last_mut() {
            Some(open) => open.body(),
            None => &mut self.root,
        };
        if let Some(Node::Error(region)) = body.last_mut() {
            if region.end == span.end && region.start < span.start {
                region.end = span.start;
            } else if *region == span {
                body.pop();
            }
        }
    }

    /// No errors: the tag was not given to the grammar ([`Builder::full`]); counted.
    fn tag_errors(&mut self, span: Span, errs: Vec<crate::tag::TagError>, help: &str) {
        if errs.is_empty() {
            self.unlisted += 1;
        }
        if let Some(e) = errs.into_iter().next() {
            // "found the end of the tag": underline the closing delimiter, not an empty spot.
            let at = if e.span.is_empty() && span.end > e.span.start {
                Span::new(e.span.start, span.end)
            } else {
                e.span
            };
            let at = trim(self.src, at);
            self.report(Diagnostic::error(SYNTAX_ERROR, at, e.message).with_help(help.to_string()));
        }
        self.push(Node::Error(span));
    }
}

fn trim(src: &str, s: Span) -> Span {
    let text = &src[s.start..s.end];
    let lead = text.len() - text.trim_start().len();
    let body = text.trim();
    if body.is_empty() {
        return s;
    }
    Span::new(s.start + lead, s.start + lead + body.len())
}

/// Why an expression is beyond the limits, if it is.
fn too_complex(toks: &[(Tok<'_>, Span)]) -> Option<String> {
    let mut depth = 0usize;
    let mut nots = 0usize;
    let mut ops = 0usize;
    let mut expanding = 0usize;
    let mut after_pipe = false;
    for (t, _) in toks {
        if after_pipe && matches!(t, Tok::Ident(name) if EXPANDING_FILTERS.contains(name)) {
            expanding += 1;
            if expanding > MAX_EXPANDING_FILTERS {
                return Some(format!(
                    "more than {MAX_EXPANDING_FILTERS} of the filters `default`, `truncate`, `date` and `money` in one expression: each one repeats the value before it in the compiled template, so split the expression or drop a filter"
                ));
            }
        }
        after_pipe = matches!(t, Tok::Pipe);
        match t {
            Tok::LParen => depth += 1,
            Tok::RParen => depth = depth.saturating_sub(1),
            Tok::Ident("not") => nots += 1,
            Tok::Ident("and" | "or")
            | Tok::Pipe
            | Tok::EqEq
            | Tok::NotEq
            | Tok::Lt
            | Tok::Le
            | Tok::Gt
            | Tok::Ge => ops += 1,
            _ => {}
        }
        if depth > MAX_EXPR_DEPTH || nots > MAX_EXPR_DEPTH || ops > MAX_EXPR_OPS {
            return Some(format!(
                "expression nested more than {MAX_EXPR_DEPTH} deep: simplify it"
            ));
        }
    }
    None
}

/// A number literal the renderers cannot take or would print differently, if any: an
/// integer must fit in 64 bits (minijinja stops at 128, and the compiler at 64), and a
/// decimal must lie within [`MIN_DECIMAL`, `MAX_DECIMAL`) or be zero.
fn bad_number(toks: &[(Tok<'_>, Span)]) -> Option<(Span, String)> {
    toks.iter().find_map(|(t, span)| {
        let message = match t {
            Tok::Int(s) if s.parse::<i64>().is_err() => format!(
                "the number {} is too large: integers lie between {} and {}",
                abridged(s),
                i64::MIN,
                i64::MAX
            ),
            Tok::Decimal(s) => {
                let v = s.parse::<f64>().map_or(f64::INFINITY, f64::abs);
                // Written as zero: `0.000…1` reads as zero too, having underflowed.
                let zero = s.bytes().all(|b| matches!(b, b'0' | b'.' | b'-'));
                if zero || (MIN_DECIMAL..MAX_DECIMAL).contains(&v) {
                    return None;
                }
                format!(
                    "the number {} is out of range: decimals are 0 or between 0.0001 and 999999999999999.9",
                    abridged(s)
                )
            }
            _ => return None,
        };
        Some((*span, message))
    })
}

/// A literal as quoted in a message: its first digits when it is long.
fn abridged(s: &str) -> String {
    match s.get(..24) {
        Some(head) if s.len() > 24 => format!("`{head}…` ({} characters)", s.len()),
        _ => format!("`{s}`"),
    }
}

/// Parse `src[start..end]` as body nodes: the nodes, at most
/// [`MAX_DIAGNOSTICS_PER_FILE`] diagnostics, and the number of problems past those.
pub fn parse_body(src: &str, start: usize, end: usize) -> (Vec<Node>, Vec<Diagnostic>, usize) {
    let mut b = Builder {
        src,
        root: Vec::new(),
        stack: Vec::new(),
        too_deep: 0,
        diags: Vec::new(),
        unlisted: 0,
    };
    for seg in segments(src, start, end) {
        match seg {
            Segment::Text(span) => b.push(Node::Text(span)),
            Segment::Tag {
                kind,
                span,
                inner,
                closed,
            } => b.tag(kind, span, inner, closed),
        }
    }
    while !b.stack.is_empty() {
        b.report_unclosed(end);
        let last = b.last_end();
        b.close(None, last);
    }
    b.root.shrink_to_fit();
    (b.root, b.diags, b.unlisted)
}

/// Parse an inline template (the subject): text and `{{ }}` only.
pub fn parse_inline(src: &str, span: Span, diags: &mut Vec<Diagnostic>) -> Vec<Node> {
    // The subject is one header line; what it cannot list goes uncounted.
    let (nodes, mut d, _) = parse_body(src, span.start, span.end);
    diags.append(&mut d);
    nodes
        .into_iter()
        .map(|n| match n {
            Node::Text(_) | Node::Output(_) | Node::Error(_) => n,
            other => {
                let s = other.span();
                diags.push(Diagnostic::error(SYNTAX_ERROR, s, "the subject holds text and `{{ … }}` placeholders only: move this tag to the body"));
                Node::Error(s)
            }
        })
        .collect()
}
