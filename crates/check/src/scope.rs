//! Names visible at a position, for completion.

use serde::Serialize;
use tplc_diagnostics::Span;
use tplc_schema::{Field, Schema, Type};
use tplc_syntax::{ExprKind, Node, Template};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ScopeKind {
    /// A loop variable of an enclosing `{% for %}`.
    Loop,
    /// A `param` of the header.
    Param,
    /// A schema root (`order`, `buyer`, ...).
    Root,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScopeEntry {
    pub name: String,
    pub ty: Type,
    pub kind: ScopeKind,
    pub description: String,
    /// Where the name is declared (loop variables and params).
    pub span: Option<Span>,
    /// The data path it reads: `order.items` for `item` in `{% for item in order.items %}`,
    /// the name itself for params and roots; `None` when the loop is over an unknown value.
    pub schema_path: Option<String>,
}

/// Names visible at byte `offset`: loop variables (innermost first), params, roots.
/// A name hidden by an inner one is listed once.
pub fn scope_at(template: &Template, schema: &Schema, offset: usize) -> Vec<ScopeEntry> {
    let mut out: Vec<ScopeEntry> = Vec::new();
    let mut loops = Vec::new();
    collect_loops(&template.body, offset, &mut loops);
    // Each loop's element type, resolved outermost first so inner loops can use outer vars.
    let mut bound: Vec<ScopeEntry> = Vec::new();
    for (var, var_span, iter_segs, iter_text) in loops {
        let ty = resolve_with(&bound, template, schema, &iter_segs)
            .and_then(|t| t.element().cloned())
            .unwrap_or(Type::Unknown);
        let schema_path = origin_with(&bound, template, schema, &iter_segs);
        bound.push(ScopeEntry {
            name: var,
            ty,
            kind: ScopeKind::Loop,
            description: format!("Each entry of `{iter_text}`."),
            span: Some(var_span),
            schema_path,
        });
    }
    for e in bound.into_iter().rev() {
        if !out.iter().any(|o| o.name == e.name) {
            out.push(e);
        }
    }
    for e in params(template, schema) {
        if !out.iter().any(|o| o.name == e.name) {
            out.push(e);
        }
    }
    for r in schema.roots() {
        if !out.iter().any(|o| o.name == r.name) {
            out.push(ScopeEntry {
                name: r.name.clone(),
                ty: r.ty.clone(),
                kind: ScopeKind::Root,
                description: r.description.clone(),
                span: None,
                schema_path: Some(r.name.clone()),
            });
        }
    }
    out
}

/// The type of a dotted path written at `offset` (e.g. the part before the cursor's `.`),
/// for completing the next segment. `None` when a segment is unknown.
pub fn resolve_path_at(
    template: &Template,
    schema: &Schema,
    offset: usize,
    segments: &[&str],
) -> Option<Type> {
    let scope = scope_at(template, schema, offset);
    let segs: Vec<String> = segments.iter().map(|s| s.to_string()).collect();
    resolve_in(&scope, schema, &segs)
}

/// The fields of a record type (looking through `?`); empty for other types.
pub fn record_fields<'s>(schema: &'s Schema, ty: &Type) -> &'s [Field] {
    schema.fields_of(ty)
}

fn params(template: &Template, schema: &Schema) -> Vec<ScopeEntry> {
    let Some(h) = &template.header else {
        return Vec::new();
    };
    h.params
        .iter()
        .map(|p| ScopeEntry {
            name: p.name.node.clone(),
            ty: schema.resolve_type(&p.ty.node).unwrap_or(Type::Unknown),
            kind: ScopeKind::Param,
            description: format!("Template param `{}: {}`.", p.name.node, p.ty.node),
            span: Some(p.name.span),
            schema_path: Some(p.name.node.clone()),
        })
        .collect()
}

fn resolve_in(scope: &[ScopeEntry], schema: &Schema, segs: &[String]) -> Option<Type> {
    let first = segs.first()?;
    let mut ty = scope.iter().find(|e| &e.name == first)?.ty.clone();
    for s in &segs[1..] {
        let opt = ty.is_optional();
        let f = schema.field(&ty, s)?;
        ty = if opt {
            f.ty.clone().optional()
        } else {
            f.ty.clone()
        };
    }
    Some(ty)
}

fn full_scope(bound: &[ScopeEntry], template: &Template, schema: &Schema) -> Vec<ScopeEntry> {
    let mut scope: Vec<ScopeEntry> = bound.iter().rev().cloned().collect();
    scope.extend(params(template, schema));
    scope.extend(schema.roots().iter().map(|r| ScopeEntry {
        name: r.name.clone(),
        ty: r.ty.clone(),
        kind: ScopeKind::Root,
        description: String::new(),
        span: None,
        schema_path: Some(r.name.clone()),
    }));
    scope
}

fn resolve_with(
    bound: &[ScopeEntry],
    template: &Template,
    schema: &Schema,
    segs: &[String],
) -> Option<Type> {
    resolve_in(&full_scope(bound, template, schema), schema, segs)
}

fn origin_with(
    bound: &[ScopeEntry],
    template: &Template,
    schema: &Schema,
    segs: &[String],
) -> Option<String> {
    let scope = full_scope(bound, template, schema);
    let first = segs.first()?;
    let mut origin = scope
        .iter()
        .find(|e| &e.name == first)?
        .schema_path
        .clone()?;
    for s in &segs[1..] {
        origin.push('.');
        origin.push_str(s);
    }
    Some(origin)
}

type LoopInfo = (String, Span, Vec<String>, String);

/// Loops whose body contains `offset`, outermost first.
fn collect_loops(nodes: &[Node], offset: usize, out: &mut Vec<LoopInfo>) {
    for node in nodes {
        match node {
            Node::For(f) => {
                let body_end = f
                    .else_body
                    .as_ref()
                    .and_then(|e| e.first().map(|n| n.span().start))
                    .or(f.end_tag.map(|t| t.start))
                    .unwrap_or(f.span.end.max(f.tag.end));
                if f.tag.end <= offset && offset <= body_end {
                    let segs = match &f.iter.kind {
                        ExprKind::Path(p) => p.iter().map(|s| s.node.clone()).collect(),
                        _ => Vec::new(),
                    };
                    let text = segs.join(".");
                    out.push((f.var.node.clone(), f.var.span, segs, text));
                    collect_loops(&f.body, offset, out);
                } else if let Some(e) = &f.else_body {
                    collect_loops(e, offset, out);
                }
            }
            Node::If(i) if i.span.start <= offset && offset <= i.span.end => {
                for b in &i.branches {
                    collect_loops(&b.body, offset, out);
                }
            }
            _ => {}
        }
    }
}
