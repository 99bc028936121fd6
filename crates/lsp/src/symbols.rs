//! Document symbols (the outline) and go to definition.

use std::path::{Path, PathBuf};
use tplc_diagnostics::Span;
use tplc_schema::Schema;
use tplc_syntax::{ExprKind, Node, Template};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SymbolKind {
    Header,
    Entry,
    Param,
    If,
    For,
    Include,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    pub detail: Option<String>,
    pub kind: SymbolKind,
    /// The whole construct.
    pub span: Span,
    /// The part to select (a name, an opening tag).
    pub selection: Span,
    pub children: Vec<Symbol>,
}

pub fn symbols(t: &Template, source: &str) -> Vec<Symbol> {
    let mut out = Vec::new();
    if let Some(h) = &t.header {
        let mut children: Vec<Symbol> = h
            .entries
            .iter()
            .map(|e| Symbol {
                name: e.key.node.clone(),
                detail: Some(e.value.node.clone()),
                kind: SymbolKind::Entry,
                span: e.span,
                selection: e.key.span,
                children: Vec::new(),
            })
            .collect();
        children.extend(h.params.iter().map(|p| Symbol {
            name: p.name.node.clone(),
            detail: Some(p.ty.node.to_string()),
            kind: SymbolKind::Param,
            span: p.span,
            selection: p.name.span,
            children: Vec::new(),
        }));
        children.sort_by_key(|c| c.span.start);
        let sel = Span::new(h.span.start, (h.span.start + 3).min(h.span.end));
        out.push(Symbol {
            name: "header".into(),
            detail: h.kind.as_ref().map(|k| k.node.clone()),
            kind: SymbolKind::Header,
            span: h.span,
            selection: sel,
            children,
        });
    }
    body_symbols(&t.body, source, &mut out);
    out
}

fn tag_text(source: &str, span: Span) -> String {
    let s = source.get(span.start..span.end).unwrap_or("");
    let one_line: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 60 {
        one_line.chars().take(59).collect::<String>() + "…"
    } else {
        one_line
    }
}

fn body_symbols(nodes: &[Node], source: &str, out: &mut Vec<Symbol>) {
    for n in nodes {
        match n {
            Node::If(b) => {
                let mut children = Vec::new();
                for br in &b.branches {
                    body_symbols(&br.body, source, &mut children);
                }
                let tag = b.branches.first().map_or(b.span, |br| br.tag);
                out.push(Symbol {
                    name: tag_text(source, tag),
                    detail: None,
                    kind: SymbolKind::If,
                    span: b.span,
                    selection: tag,
                    children,
                });
            }
            Node::For(f) => {
                let mut children = Vec::new();
                body_symbols(&f.body, source, &mut children);
                if let Some(e) = &f.else_body {
                    body_symbols(e, source, &mut children);
                }
                out.push(Symbol {
                    name: tag_text(source, f.tag),
                    detail: None,
                    kind: SymbolKind::For,
                    span: f.span,
                    selection: f.tag,
                    children,
                });
            }
            Node::Include(i) => out.push(Symbol {
                name: format!("include \"{}\"", i.name.node),
                detail: None,
                kind: SymbolKind::Include,
                span: i.span,
                selection: i.name.span,
                children: Vec::new(),
            }),
            _ => {}
        }
    }
}

/// Where the thing at `offset` is defined: a file (for includes) or a span in this file
/// (for params and loop variables).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    File(PathBuf),
    Here(Span),
}

pub fn definition(
    t: &Template,
    schema: &Schema,
    root: &Path,
    path: &Path,
    exists: &dyn Fn(&Path) -> bool,
    offset: usize,
) -> Option<Target> {
    let mut found = None;
    tplc_syntax::walk(&t.body, &mut |n| {
        if found.is_some() {
            return;
        }
        if let Node::Include(i) = n {
            if i.span.start <= offset && offset <= i.span.end {
                if let Ok(cands) = tplc_project::include_candidates(root, path, &i.name.node) {
                    found = cands.into_iter().find(|c| exists(c)).map(Target::File);
                }
            }
        }
    });
    if found.is_some() {
        return found;
    }
    // The first segment of a path names a loop variable, a param or a schema root.
    let first = first_segment_at(t, offset)?;
    let entry = tplc_check::scope_at(t, schema, offset)
        .into_iter()
        .find(|e| e.name == first)?;
    entry.span.map(Target::Here)
}

fn first_segment_at(t: &Template, offset: usize) -> Option<String> {
    let mut found = None;
    let mut visit = |e: &tplc_syntax::Expr| {
        visit_paths(e, &mut |segs| {
            if let Some(first) = segs.first() {
                if first.span.start <= offset && offset <= first.span.end {
                    found = Some(first.node.clone());
                }
            }
        })
    };
    let mut exprs: Vec<&tplc_syntax::Expr> = Vec::new();
    tplc_syntax::walk(&t.body, &mut |n| match n {
        Node::Output(o) => exprs.push(&o.expr),
        Node::If(b) => exprs.extend(b.branches.iter().filter_map(|br| br.cond.as_ref())),
        Node::For(f) => exprs.push(&f.iter),
        _ => {}
    });
    if let Some(s) = t.header.as_ref().and_then(|h| h.subject.as_ref()) {
        tplc_syntax::walk(&s.nodes, &mut |n| {
            if let Node::Output(o) = n {
                exprs.push(&o.expr)
            }
        });
    }
    for e in exprs {
        visit(e);
    }
    found
}

/// Every path in an expression. An explicit stack, not recursion: a chain of 10,000
/// `and`s is a valid expression and must not exhaust the stack.
fn visit_paths(e: &tplc_syntax::Expr, f: &mut dyn FnMut(&[tplc_syntax::Spanned<String>])) {
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        match &e.kind {
            ExprKind::Path(segs) => f(segs),
            ExprKind::Filter { target, args, .. } => {
                stack.push(target);
                stack.extend(args.iter());
            }
            ExprKind::Not(inner) => stack.push(inner),
            ExprKind::Binary { lhs, rhs, .. } => {
                stack.push(lhs);
                stack.push(rhs);
            }
            ExprKind::Literal(_) | ExprKind::Error => {}
        }
    }
}
