//! Names and types: every placeholder, filter, condition and loop of a template checked
//! against the schema, with the facts the editor and compiler need (types for hover,
//! filter signatures, the data a template reads).

mod header;
mod scope;

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;
use tplc_diagnostics::{
    CodeInfo, Diagnostic, Fix, Label, Severity, Span, TextEdit, MAX_DIAGNOSTICS_PER_FILE,
};
use tplc_schema::{did_you_mean, filter, DataUsage, Field, Schema, Type};
use tplc_syntax::{BinOp, Expr, ExprKind, ForBlock, IfBlock, Literal, Node, Spanned, Template};

pub use header::HEADER_KEYS;
pub use scope::{record_fields, resolve_path_at, scope_at, ScopeEntry, ScopeKind};

pub const UNKNOWN_PLACEHOLDER: &str = "unknown-placeholder";
pub const UNKNOWN_FIELD: &str = "unknown-field";
pub const TYPE_MISMATCH: &str = "type-mismatch";
pub const UNKNOWN_FILTER: &str = "unknown-filter";
pub const FILTER_ARITY: &str = "filter-arity";
pub const BAD_DATE_FORMAT: &str = "bad-date-format";
pub const OPTIONAL_UNHANDLED: &str = "optional-unhandled";
pub const NOT_ITERABLE: &str = "not-iterable";
pub const UNKNOWN_KIND: &str = "unknown-kind";
/// Shared with the syntax stage, which declares it in its `CODES`.
pub use tplc_syntax::BAD_HEADER;

macro_rules! code {
    ($code:expr, $summary:expr, $file:literal) => {
        CodeInfo {
            code: $code,
            default_severity: Severity::Error,
            summary: $summary,
            explanation: include_str!(concat!("../../../docs/diagnostics/", $file, ".md")),
        }
    };
}

/// Codes this crate emits. It also reports `bad-header` (missing or invalid header
/// values), which the syntax crate declares with the malformed-line cases.
pub const CODES: &[CodeInfo] = &[
    code!(
        UNKNOWN_PLACEHOLDER,
        "A placeholder names nothing the template knows",
        "unknown-placeholder"
    ),
    code!(
        UNKNOWN_FIELD,
        "A record has no field of that name",
        "unknown-field"
    ),
    code!(
        TYPE_MISMATCH,
        "A value is used where its type does not fit",
        "type-mismatch"
    ),
    code!(UNKNOWN_FILTER, "No filter has that name", "unknown-filter"),
    code!(
        FILTER_ARITY,
        "A filter gets the wrong number or type of arguments",
        "filter-arity"
    ),
    code!(
        BAD_DATE_FORMAT,
        "A `date(...)` format has an unknown or unusable directive",
        "bad-date-format"
    ),
    code!(
        OPTIONAL_UNHANDLED,
        "A value that may be missing is printed without a fallback",
        "optional-unhandled"
    ),
    code!(
        NOT_ITERABLE,
        "`{% for %}` over something that is not a list",
        "not-iterable"
    ),
    code!(
        UNKNOWN_KIND,
        "The header's `kind` is not a message kind Amazon permits",
        "unknown-kind"
    ),
];

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CheckOptions {
    /// Partials (`_name.tplc`) may omit the header, `kind` and `locale`.
    pub is_partial: bool,
    pub facts: FactDetail,
}

/// How much of [`Facts`] the checker records. The diagnostics are the same either way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FactDetail {
    /// Every placeholder and filter with its type, description and example: what an
    /// editor shows on hover.
    #[default]
    Full,
    /// Only what building needs (the data read, the params, where the order id is
    /// printed). A batch check of a catalogue keeps its facts until the report is written;
    /// the per-placeholder records were a third of its memory.
    Usage,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct CheckOutput {
    /// At most [`tplc_diagnostics::MAX_DIAGNOSTICS_PER_FILE`].
    pub diagnostics: Vec<Diagnostic>,
    /// Problems past those, counted but not described.
    pub unlisted: usize,
    pub facts: Facts,
}

/// What the checker learnt, for hover, completion, the compiler and later rules.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Facts {
    /// Every `a.b.c` path in the template (body and subject), in source order.
    pub placeholders: Vec<PlaceholderFact>,
    /// Every filter use, in source order.
    pub filters: Vec<FilterFact>,
    /// Declared params with their resolved types (`unknown` when the type is wrong).
    pub params: Vec<ParamFact>,
    /// Schema paths and params read: the input of `Schema::json_schema` / `validate`.
    pub usage: DataUsage,
    /// Where `order.id` is printed (in `{{ }}` in the body or subject).
    pub order_id_printed: Vec<Span>,
}

impl Facts {
    pub fn prints_order_id(&self) -> bool {
        !self.order_id_printed.is_empty()
    }

    /// The innermost path segment or filter at a byte offset (for hover).
    pub fn placeholder_at(&self, offset: usize) -> Option<(&PlaceholderFact, &SegmentFact)> {
        self.placeholders.iter().find_map(|p| {
            let seg = p
                .segments
                .iter()
                .find(|s| s.span.start <= offset && offset <= s.span.end)?;
            Some((p, seg))
        })
    }

    pub fn filter_at(&self, offset: usize) -> Option<&FilterFact> {
        self.filters
            .iter()
            .find(|f| f.span.start <= offset && offset <= f.span.end)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PlaceholderFact {
    /// The whole path expression.
    pub span: Span,
    /// As written: `item.title`.
    pub path: String,
    /// The schema (or param) path it reads: `order.items.title`. `None` when unknown.
    pub schema_path: Option<String>,
    /// The type at this point of the template (after narrowing).
    pub ty: Type,
    pub description: Option<String>,
    pub example: Option<Value>,
    /// One entry per segment: `order`, `order.items`, ...
    pub segments: Vec<SegmentFact>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SegmentFact {
    pub span: Span,
    pub path: String,
    pub ty: Type,
    pub description: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FilterFact {
    /// The filter name.
    pub span: Span,
    pub name: String,
    /// `None` for unknown filters.
    pub signature: Option<&'static str>,
    pub doc: Option<&'static str>,
    pub input: Type,
    pub output: Type,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ParamFact {
    pub name: String,
    pub ty: Type,
    pub span: Span,
}

/// Check one parsed template against the schema.
pub fn check(
    template: &Template,
    source: &str,
    schema: &Schema,
    opts: &CheckOptions,
) -> CheckOutput {
    // A partial checked on its own may use loop variables of the templates that
    // include it, so only names that look like typos of known ones are reported.
    run(template, source, schema, opts, &[], opts.is_partial)
}

/// Check a partial as it is seen from one `{% include %}`: the loop variables and
/// params in `outer` (from [`scope_at`] at the include tag) are visible in it, and
/// paths read through them count as that data (`order.items.title`).
pub fn check_with_scope(
    template: &Template,
    source: &str,
    schema: &Schema,
    opts: &CheckOptions,
    outer: &[ScopeEntry],
) -> CheckOutput {
    run(template, source, schema, opts, outer, false)
}

fn run(
    template: &Template,
    source: &str,
    schema: &Schema,
    opts: &CheckOptions,
    outer: &[ScopeEntry],
    lenient: bool,
) -> CheckOutput {
    let mut c = Checker::new(source, schema);
    c.lenient_names = lenient;
    c.record = opts.facts == FactDetail::Full;
    // Innermost last, as the loop stack keeps them.
    for e in outer.iter().rev().filter(|e| e.kind != ScopeKind::Root) {
        c.locals.push(Local {
            name: e.name.clone(),
            ty: e.ty.clone(),
            origin: e.schema_path.clone(),
            description: e.description.clone(),
        });
    }
    header::check_header(&mut c, template, opts);
    if let Some(subject) = template.header.as_ref().and_then(|h| h.subject.as_ref()) {
        c.in_subject = true;
        c.nodes(&subject.nodes);
        c.in_subject = false;
    }
    c.nodes(&template.body);
    let mut diagnostics = c.diags;
    tplc_diagnostics::sort(&mut diagnostics);
    CheckOutput {
        diagnostics,
        unlisted: c.unlisted,
        facts: c.facts,
    }
}

/// A name bound by `{% for %}`.
#[derive(Clone, Debug)]
pub(crate) struct Local {
    name: String,
    ty: Type,
    /// The schema path of each entry (`order.items`), when the list came from a path.
    origin: Option<String>,
    description: String,
}

pub(crate) struct Checker<'a> {
    pub(crate) source: &'a str,
    pub(crate) schema: &'a Schema,
    pub(crate) params: Vec<ParamFact>,
    locals: Vec<Local>,
    /// Paths (as written) known to be present, with the number of locals at the time,
    /// so a loop variable of the same name hides the narrowing.
    narrowed: Vec<(String, usize)>,
    /// The `{{ }}` being checked, for fixes that wrap it.
    output_tag: Option<Span>,
    in_subject: bool,
    /// Whether names without a close match go unreported (a partial checked alone).
    lenient_names: bool,
    /// Whether per-placeholder and per-filter facts are kept ([`FactDetail::Full`]).
    record: bool,
    pub(crate) diags: Vec<Diagnostic>,
    unlisted: usize,
    pub(crate) facts: Facts,
}

/// What a name at the start of a path refers to.
enum Binding<'s> {
    Local(Local),
    Param(ParamFact),
    Root(&'s Field),
}

impl<'a> Checker<'a> {
    fn new(source: &'a str, schema: &'a Schema) -> Self {
        Checker {
            source,
            schema,
            params: Vec::new(),
            locals: Vec::new(),
            narrowed: Vec::new(),
            output_tag: None,
            in_subject: false,
            lenient_names: false,
            record: true,
            diags: Vec::new(),
            unlisted: 0,
            facts: Facts::default(),
        }
    }

    /// Lists a problem, or counts it once [`MAX_DIAGNOSTICS_PER_FILE`] are listed.
    fn report(&mut self, d: Diagnostic) {
        if self.full() {
            self.unlisted += 1;
        } else {
            self.diags.push(d);
        }
    }

    /// Whether no more problems are listed: the costly ones (suggestions) are then
    /// counted without working out their message.
    fn full(&self) -> bool {
        self.diags.len() >= MAX_DIAGNOSTICS_PER_FILE
    }

    fn text(&self, span: Span) -> &'a str {
        self.source.get(span.start..span.end).unwrap_or("")
    }

    fn nodes(&mut self, nodes: &[Node]) {
        for node in nodes {
            match node {
                Node::Output(o) => {
                    self.output_tag = Some(o.span);
                    self.output(&o.expr);
                    self.output_tag = None;
                }
                Node::If(block) => self.if_block(block),
                Node::For(block) => self.for_block(block),
                Node::Text(_) | Node::Include(_) | Node::Comment(_) | Node::Error(_) => {}
            }
        }
    }

    fn if_block(&mut self, block: &IfBlock) {
        // Paths proven present because an earlier branch's condition was false.
        let mut from_earlier: Vec<String> = Vec::new();
        for branch in &block.branches {
            let mark = self.narrowed.len();
            for p in &from_earlier {
                self.narrow(p.clone());
            }
            if let Some(cond) = &branch.cond {
                self.expr(cond);
                for p in truthy_paths(cond) {
                    self.narrow(p);
                }
            }
            self.nodes(&branch.body);
            self.narrowed.truncate(mark);
            if let Some(cond) = &branch.cond {
                from_earlier.extend(falsy_paths(cond));
            }
        }
    }

    fn for_block(&mut self, block: &ForBlock) {
        let ty = self.expr(&block.iter);
        let elem = match ty.non_optional() {
            Type::Unknown => Type::Unknown,
            Type::List(e) => {
                if ty.is_optional() {
                    self.optional_unhandled(&block.iter, &ty, "looped over");
                }
                (**e).clone()
            }
            other => {
                self.report(Diagnostic::error(
                    NOT_ITERABLE,
                    block.iter.span,
                    format!(
                        "`{}` is {}, not a list: `{{% for %}}` needs a list such as `order.items`",
                        self.text(block.iter.span),
                        article(other)
                    ),
                ));
                Type::Unknown
            }
        };
        let origin = match &block.iter.kind {
            ExprKind::Path(segs) => self.origin_of(segs),
            _ => None,
        };
        let description = format!("Each entry of `{}`.", self.text(block.iter.span));
        self.locals.push(Local {
            name: block.var.node.clone(),
            ty: elem,
            origin,
            description,
        });
        self.nodes(&block.body);
        self.locals.pop();
        if let Some(e) = &block.else_body {
            self.nodes(e);
        }
    }

    fn narrow(&mut self, path: String) {
        self.narrowed.push((path, self.locals.len()));
    }

    fn is_narrowed(&self, key: &str) -> bool {
        let first = key.split('.').next().unwrap_or(key);
        self.narrowed.iter().any(|(k, depth)| {
            k == key
                && !self
                    .locals
                    .get(*depth..)
                    .unwrap_or(&[])
                    .iter()
                    .any(|l| l.name == first)
        })
    }

    fn lookup(&self, name: &str) -> Option<Binding<'a>> {
        if let Some(l) = self.locals.iter().rev().find(|l| l.name == name) {
            return Some(Binding::Local(l.clone()));
        }
        if let Some(p) = self.params.iter().find(|p| p.name == name) {
            return Some(Binding::Param(p.clone()));
        }
        self.schema.root(name).map(Binding::Root)
    }

    /// The names visible here, innermost first (for did-you-mean).
    fn visible_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.locals.iter().rev().map(|l| l.name.clone()).collect();
        names.extend(self.params.iter().map(|p| p.name.clone()));
        names.extend(self.schema.roots().iter().map(|r| r.name.clone()));
        names
    }

    /// The schema path a written path reads, without reporting anything.
    fn origin_of(&self, segs: &[Spanned<String>]) -> Option<String> {
        let first = segs.first()?;
        let mut origin = match self.lookup(&first.node)? {
            Binding::Local(l) => l.origin?,
            Binding::Param(p) => p.name,
            Binding::Root(f) => f.name.clone(),
        };
        for s in &segs[1..] {
            origin.push('.');
            origin.push_str(&s.node);
        }
        Some(origin)
    }

    fn path(&mut self, segs: &[Spanned<String>], whole: Span) -> Type {
        let Some(first) = segs.first() else {
            return Type::Unknown;
        };
        let written: Vec<&str> = segs.iter().map(|s| s.node.as_str()).collect();
        let record = self.record;
        let mut fact = PlaceholderFact {
            span: whole,
            path: if record {
                written.join(".")
            } else {
                String::new()
            },
            schema_path: None,
            ty: Type::Unknown,
            description: None,
            example: None,
            segments: Vec::new(),
        };
        let (mut ty, mut origin, mut description, mut example) = match self.lookup(&first.node) {
            Some(Binding::Local(l)) => (l.ty, l.origin, Some(l.description), None),
            Some(Binding::Param(p)) => {
                let d = record.then(|| format!("Template param `{}: {}`.", p.name, p.ty));
                (p.ty, Some(p.name), d, None)
            }
            Some(Binding::Root(f)) => (
                f.ty.clone(),
                Some(f.name.clone()),
                record.then(|| f.description.clone()),
                f.example.clone().filter(|_| record),
            ),
            None => {
                self.unknown_name(first);
                if record {
                    self.facts.placeholders.push(fact);
                }
                return Type::Unknown;
            }
        };
        let mut key = first.node.clone();
        if self.is_narrowed(&key) {
            ty = ty.into_non_optional();
        }
        // One record per segment, for hover (editors only).
        let segment =
            |fact: &mut PlaceholderFact, span, key: &str, ty: &Type, d: &Option<String>| {
                if record {
                    fact.segments.push(SegmentFact {
                        span,
                        path: key.to_string(),
                        ty: ty.clone(),
                        description: d.clone(),
                    });
                }
            };
        segment(&mut fact, first.span, &key, &ty, &description);
        for (i, seg) in segs.iter().enumerate().skip(1) {
            let was_optional = ty.is_optional();
            let base = ty.non_optional().clone();
            let prefix = || written[..i].join(".");
            match &base {
                Type::Unknown => {
                    ty = Type::Unknown;
                    break;
                }
                Type::Record(_) => match self.schema.field(&base, &seg.node) {
                    Some(f) => {
                        ty = if was_optional {
                            f.ty.clone().optional()
                        } else {
                            f.ty.clone()
                        };
                        if record {
                            description = Some(f.description.clone());
                            example = f.example.clone();
                        }
                    }
                    None => {
                        self.unknown_field(seg, &prefix(), &base);
                        ty = Type::Unknown;
                        origin = None;
                        break;
                    }
                },
                Type::List(_) => {
                    let prefix = prefix();
                    let var = singular(&prefix);
                    let d = Diagnostic::error(
                        TYPE_MISMATCH,
                        seg.span,
                        format!(
                            "`{prefix}` is a {base}, so it has no field `{}`: loop over it with `{{% for {var} in {prefix} %}}` and use `{var}.{}`",
                            seg.node, seg.node
                        ),
                    );
                    self.report(d);
                    ty = Type::Unknown;
                    origin = None;
                    break;
                }
                scalar => {
                    self.report(Diagnostic::error(
                        UNKNOWN_FIELD,
                        seg.span,
                        format!(
                            "`{}` is {}, which has no fields: remove `.{}`",
                            prefix(),
                            article(scalar),
                            seg.node
                        ),
                    ));
                    ty = Type::Unknown;
                    origin = None;
                    break;
                }
            }
            key = format!("{key}.{}", seg.node);
            if self.is_narrowed(&key) {
                ty = ty.into_non_optional();
            }
            if let Some(o) = &mut origin {
                o.push('.');
                o.push_str(&seg.node);
            }
            segment(&mut fact, seg.span, &key, &ty, &description);
        }
        if let Some(o) = &origin {
            if !ty.is_unknown() {
                self.facts.usage.paths.insert(o.clone());
            }
        }
        if !record {
            return ty;
        }
        fact.schema_path = origin;
        fact.ty = ty.clone();
        fact.description = description;
        fact.example = match example {
            Some(e) => Some(e),
            None if !ty.is_unknown() => Some(self.schema.example_for_type(&ty, 0)),
            None => None,
        };
        self.facts.placeholders.push(fact);
        ty
    }

    fn unknown_name(&mut self, name: &Spanned<String>) {
        if self.full() {
            // A partial checked alone reports only close matches, which are not sought here.
            self.unlisted += usize::from(!self.lenient_names);
            return;
        }
        let names = self.visible_names();
        let mut d = Diagnostic::error(UNKNOWN_PLACEHOLDER, name.span, String::new());
        match did_you_mean(&name.node, names.iter().map(String::as_str)) {
            Some(s) => {
                d.message = format!("unknown placeholder `{}`: did you mean `{s}`?", name.node);
                d = d.with_fix(Fix::safe(
                    format!("Replace with `{s}`"),
                    vec![TextEdit::replace(name.span, s)],
                ));
            }
            None if self.lenient_names => return,
            None => {
                d.message = format!(
                    "unknown placeholder `{}`: use one of {}, or declare it in the header with `param {}: text`",
                    name.node,
                    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", "),
                    name.node
                );
            }
        }
        self.report(d);
    }

    fn unknown_field(&mut self, seg: &Spanned<String>, prefix: &str, record: &Type) {
        if self.full() {
            self.unlisted += 1;
            return;
        }
        let fields = self.schema.fields_of(record);
        let mut d = Diagnostic::error(UNKNOWN_FIELD, seg.span, String::new());
        match did_you_mean(&seg.node, fields.iter().map(|f| f.name.as_str())) {
            Some(s) => {
                d.message = format!(
                    "`{prefix}` has no field `{}`: did you mean `{s}`?",
                    seg.node
                );
                d = d.with_fix(Fix::safe(
                    format!("Replace with `{s}`"),
                    vec![TextEdit::replace(seg.span, s)],
                ));
            }
            None => {
                let list: Vec<String> = fields.iter().map(|f| format!("`{}`", f.name)).collect();
                d.message = if list.is_empty() {
                    format!("`{prefix}` ({record}) has no field `{}`", seg.node)
                } else {
                    format!(
                        "`{prefix}` ({record}) has no field `{}`; its fields are {}",
                        seg.node,
                        list.join(", ")
                    )
                };
                d = d.with_help(
                    "Projects can add fields to records in the `[schema]` section of tplc.toml.",
                );
            }
        }
        self.report(d);
    }

    /// A `{{ }}` (in the body or the subject).
    fn output(&mut self, e: &Expr) {
        let ty = self.expr(e);
        if let Some(o) = self.printed_path(e) {
            if o == "order.id" {
                self.facts.order_id_printed.push(e.span);
            }
        }
        let text = self.text(e.span).to_string();
        match ty.non_optional() {
            Type::List(_) => {
                let var = singular(&text);
                self.report(Diagnostic::error(
                    TYPE_MISMATCH,
                    e.span,
                    format!("`{text}` is a {ty} and cannot be printed: loop over it with `{{% for {var} in {text} %}}`, or print `{text} | length`"),
                ));
            }
            Type::Record(_) => {
                let fields = self.schema.fields_of(&ty);
                let example = fields
                    .iter()
                    .find(|f| f.ty.is_scalar())
                    .map(|f| format!("`{text}.{}`", f.name));
                self.report(Diagnostic::error(
                    TYPE_MISMATCH,
                    e.span,
                    format!(
                        "`{text}` is a `{}` record and cannot be printed: print one of its fields{}",
                        ty.non_optional(),
                        example.map(|x| format!(", e.g. {x}")).unwrap_or_default()
                    ),
                ));
            }
            _ if ty.is_optional() => self.optional_unhandled(e, &ty, "printed"),
            Type::Money => {
                self.report(
                    Diagnostic::error(
                        TYPE_MISMATCH,
                        e.span,
                        format!(
                            "`{text}` is money (an amount and a currency): print it with `| money`"
                        ),
                    )
                    .with_fix(Fix::safe(
                        "Format with `| money`",
                        vec![TextEdit::insert(e.span.end, " | money")],
                    )),
                );
            }
            _ => {}
        }
    }

    /// The schema path an output prints, looking through filters (`order.id | upper`).
    fn printed_path(&self, e: &Expr) -> Option<String> {
        match &e.kind {
            ExprKind::Path(segs) => self.origin_of(segs),
            ExprKind::Filter { target, .. } => self.printed_path(target),
            _ => None,
        }
    }

    fn optional_unhandled(&mut self, e: &Expr, ty: &Type, how: &str) {
        let text = self.text(e.span).to_string();
        let mut d = Diagnostic::error(
            OPTIONAL_UNHANDLED,
            e.span,
            format!(
                "`{text}` may be missing ({ty}) and is {how} without a fallback: add `| default(...)` or wrap it in `{{% if {text} %}}`"
            ),
        );
        let fallback = self
            .printed_path(e)
            .and_then(|p| self.schema.lookup(&p).and_then(|f| f.fallback.clone()))
            .map(|f| format!("\"{f}\""))
            .or_else(|| ty.non_optional().is_numeric().then(|| "0".to_string()));
        if let Some(f) = fallback {
            d = d.with_fix(Fix::unsafe_(
                format!("Add `| default({f})`"),
                vec![TextEdit::insert(e.span.end, format!(" | default({f})"))],
            ));
        }
        let is_path = matches!(e.kind, ExprKind::Path(_));
        if let (Some(tag), false, true) = (self.output_tag, self.in_subject, is_path) {
            d = d.with_fix(Fix::unsafe_(
                format!("Only print it when present: wrap in `{{% if {text} %}}`"),
                vec![
                    TextEdit::insert(tag.start, format!("{{% if {text} %}}")),
                    TextEdit::insert(tag.end, "{% endif %}"),
                ],
            ));
        }
        self.report(d);
    }

    fn expr(&mut self, e: &Expr) -> Type {
        match &e.kind {
            ExprKind::Path(segs) => self.path(segs, e.span),
            ExprKind::Literal(l) => match l {
                Literal::Str(_) => Type::Text,
                Literal::Int(_) => Type::Int,
                Literal::Decimal(_) => Type::Decimal,
                Literal::Bool(_) => Type::Bool,
            },
            ExprKind::Error => Type::Unknown,
            ExprKind::Not(inner) => {
                self.expr(inner);
                Type::Bool
            }
            ExprKind::Binary { op, lhs, rhs } => self.binary(op, lhs, rhs),
            ExprKind::Filter { target, name, args } => self.filter(target, name, args),
        }
    }

    fn binary(&mut self, op: &Spanned<BinOp>, lhs: &Expr, rhs: &Expr) -> Type {
        match op.node {
            BinOp::And => {
                self.expr(lhs);
                let mark = self.narrowed.len();
                for p in truthy_paths(lhs) {
                    self.narrow(p);
                }
                self.expr(rhs);
                self.narrowed.truncate(mark);
            }
            BinOp::Or => {
                self.expr(lhs);
                let mark = self.narrowed.len();
                for p in falsy_paths(lhs) {
                    self.narrow(p);
                }
                self.expr(rhs);
                self.narrowed.truncate(mark);
            }
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                let (a, b) = (self.expr(lhs), self.expr(rhs));
                let ordering = !matches!(op.node, BinOp::Eq | BinOp::Ne);
                let ok = if ordering {
                    a.orderable(&b)
                } else {
                    a.comparable(&b)
                };
                if !ok {
                    let what = if ordering { "ordered" } else { "compared" };
                    self.report(
                        Diagnostic::error(
                            TYPE_MISMATCH,
                            op.span,
                            format!("{} and {} cannot be {what} with `{}`: compare values of the same type", article(&a), article(&b), op.node.as_str()),
                        )
                        .with_label(Label::new(lhs.span, format!("this is {}", article(&a))))
                        .with_label(Label::new(rhs.span, format!("this is {}", article(&b)))),
                    );
                } else if ordering {
                    for (side, ty) in [(lhs, &a), (rhs, &b)] {
                        if ty.is_optional() {
                            self.optional_unhandled(side, ty, "compared with `<`/`>`");
                        }
                    }
                }
            }
        }
        Type::Bool
    }

    fn filter(&mut self, target: &Expr, name: &Spanned<String>, args: &[Expr]) -> Type {
        let mut input = self.expr(target);
        let arg_types: Vec<Type> = args.iter().map(|a| self.expr(a)).collect();
        let Some(spec) = filter(&name.node) else {
            let names = tplc_schema::FILTERS.iter().map(|f| f.name);
            let mut d = Diagnostic::error(UNKNOWN_FILTER, name.span, String::new());
            match did_you_mean(&name.node, names) {
                Some(s) => {
                    d.message = format!("unknown filter `{}`: did you mean `{s}`?", name.node);
                    d = d.with_fix(Fix::safe(
                        format!("Replace with `{s}`"),
                        vec![TextEdit::replace(name.span, s)],
                    ));
                }
                None => {
                    let all: Vec<&str> = tplc_schema::FILTERS.iter().map(|f| f.name).collect();
                    d.message = format!(
                        "unknown filter `{}`: use one of {}",
                        name.node,
                        all.join(", ")
                    );
                }
            }
            self.report(d);
            self.record_filter(FilterFact {
                span: name.span,
                name: name.node.clone(),
                signature: None,
                doc: None,
                input,
                output: Type::Unknown,
            });
            return Type::Unknown;
        };
        let mut ok = true;
        if args.len() != spec.params.len() {
            ok = false;
            let want = match spec.params.len() {
                0 => "no arguments".to_string(),
                1 => "1 argument".to_string(),
                n => format!("{n} arguments"),
            };
            let span = match (args.first(), args.last()) {
                (Some(a), Some(b)) if args.len() > spec.params.len() => args
                    .get(spec.params.len())
                    .map_or(a.span, |x| x.span)
                    .cover(b.span),
                _ => name.span,
            };
            self.report(
                Diagnostic::error(
                    FILTER_ARITY,
                    span,
                    format!(
                        "`{}` takes {want}, but {} given: write `{}`",
                        spec.name,
                        plural(args.len()),
                        usage_example(spec)
                    ),
                )
                .with_help(format!("signature: {}", spec.signature)),
            );
        } else {
            for ((arg, ty), param) in args.iter().zip(&arg_types).zip(spec.params) {
                if !param.kind.accepts(ty) {
                    ok = false;
                    let message = if ty.is_optional() {
                        format!(
                            "the `{}` of `{}` may itself be missing ({ty}): give a value that is always there, e.g. `{}`",
                            param.name,
                            spec.name,
                            usage_example(spec)
                        )
                    } else {
                        format!(
                            "`{}` expects {} for `{}`, but this is {}: write `{}`",
                            spec.name,
                            param.kind.as_str(),
                            param.name,
                            article(ty),
                            usage_example(spec)
                        )
                    };
                    self.diags
                        .push(Diagnostic::error(FILTER_ARITY, arg.span, message));
                }
            }
        }
        if input.is_optional() && !spec.accepts_optional && !input.is_unknown() {
            let ty = input.clone();
            self.optional_unhandled_in_filter(target, &ty, spec.name);
            input = input.into_non_optional();
        }
        if !spec.input.accepts(&input) {
            self.report(
                Diagnostic::error(
                    TYPE_MISMATCH,
                    name.span,
                    format!(
                        "`{}` works on {}, but `{}` is {}",
                        spec.name,
                        spec.input.describe(),
                        self.text(target.span),
                        article(&input)
                    ),
                )
                .with_label(Label::new(
                    target.span,
                    format!("this is {}", article(&input)),
                ))
                .with_help(format!("signature: {}", spec.signature)),
            );
            ok = false;
        }
        if let (true, Some(arg)) = (spec.name == "truncate", args.first()) {
            // `t[:n - 1]` of a length below 1 counts from the end, and minijinja cannot
            // slice at the lowest 64-bit integer at all.
            if matches!(arg.kind, ExprKind::Literal(Literal::Int(n)) if n < 1) {
                ok = false;
                self.report(Diagnostic::error(
                    FILTER_ARITY,
                    arg.span,
                    "`truncate` keeps at least one character: give a length of 1 or more, e.g. `| truncate(40)`",
                ));
            }
        }
        if spec.name == "date" && !input.is_unknown() {
            if let Some(arg) = args.first() {
                if let ExprKind::Literal(Literal::Str(fmt)) = &arg.kind {
                    self.date_format(arg.span, fmt, &input);
                }
            }
        }
        let output = if ok {
            match spec.result_type(&input, &arg_types) {
                Ok(t) => t,
                Err(m) => {
                    let span = args.first().map_or(name.span, |a| a.span);
                    self.report(Diagnostic::error(
                        FILTER_ARITY,
                        span,
                        format!("{m}: give a fallback of the same type"),
                    ));
                    Type::Unknown
                }
            }
        } else {
            Type::Unknown
        };
        self.record_filter(FilterFact {
            span: name.span,
            name: spec.name.to_string(),
            signature: Some(spec.signature),
            doc: Some(spec.doc),
            input,
            output: output.clone(),
        });
        output
    }

    fn record_filter(&mut self, fact: FilterFact) {
        if self.record {
            self.facts.filters.push(fact);
        }
    }

    fn optional_unhandled_in_filter(&mut self, target: &Expr, ty: &Type, filter: &str) {
        let saved = self.output_tag.take();
        self.optional_unhandled(target, ty, &format!("passed to `{filter}`"));
        self.output_tag = saved;
    }

    fn date_format(&mut self, lit_span: Span, fmt: &str, input: &Type) {
        // Point at the directive when the literal is written without escapes.
        let raw = self.text(lit_span);
        let exact = raw.len() == fmt.len() + 2 && raw.get(1..raw.len() - 1) == Some(fmt);
        for err in tplc_schema::check_date_format(fmt, input) {
            // A format over the length limit is underlined whole, quotes included.
            let span = if exact && err.range.len() <= tplc_schema::MAX_DATE_FORMAT_BYTES {
                Span::new(
                    lit_span.start + 1 + err.range.start,
                    lit_span.start + 1 + err.range.end,
                )
            } else {
                lit_span
            };
            self.report(
                Diagnostic::error(BAD_DATE_FORMAT, span, err.message)
                    .with_help("directives: %d %-d %e %m %-m %B %b %Y %y %A %a %j, and for datetime %H %-H %I %-I %M %S %p %Z; %% prints %"),
            );
        }
    }
}

/// Paths that are present when `cond` is true.
fn truthy_paths(cond: &Expr) -> Vec<String> {
    match &cond.kind {
        ExprKind::Path(segs) => vec![segs
            .iter()
            .map(|s| s.node.as_str())
            .collect::<Vec<_>>()
            .join(".")],
        ExprKind::Not(inner) => falsy_paths(inner),
        ExprKind::Binary { op, lhs, rhs } => match op.node {
            BinOp::And => {
                let mut v = truthy_paths(lhs);
                v.extend(truthy_paths(rhs));
                v
            }
            // `x == "literal"` holds only when x is there.
            BinOp::Eq => match (&lhs.kind, &rhs.kind) {
                (ExprKind::Path(_), ExprKind::Literal(_)) => truthy_paths(lhs),
                (ExprKind::Literal(_), ExprKind::Path(_)) => truthy_paths(rhs),
                _ => Vec::new(),
            },
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// Paths that are present when `cond` is false.
fn falsy_paths(cond: &Expr) -> Vec<String> {
    match &cond.kind {
        ExprKind::Not(inner) => truthy_paths(inner),
        ExprKind::Binary { op, lhs, rhs } if op.node == BinOp::Or => {
            let mut v = falsy_paths(lhs);
            v.extend(falsy_paths(rhs));
            v
        }
        _ => Vec::new(),
    }
}

fn article(ty: &Type) -> String {
    match ty {
        Type::Unknown => "unknown".into(),
        Type::Record(n) => format!("the `{n}` record"),
        Type::Int | Type::OrderId | Type::Asin => format!("an `{ty}`"),
        Type::Optional(inner) if matches!(**inner, Type::Int | Type::OrderId | Type::Asin) => {
            format!("an `{ty}`")
        }
        _ => format!("a `{ty}`"),
    }
}

fn plural(n: usize) -> String {
    match n {
        0 => "none was".into(),
        1 => "1 was".into(),
        n => format!("{n} were"),
    }
}

/// A sample call for messages: `date("%d %B %Y")`.
fn usage_example(spec: &tplc_schema::FilterSpec) -> String {
    let args: Vec<&str> = spec
        .params
        .iter()
        .map(|p| match (spec.name, p.kind) {
            ("date", _) => "\"%d %B %Y\"",
            ("join", _) => "\", \"",
            ("default", _) => "\"there\"",
            (_, tplc_schema::filters::ParamKind::Int) => "40",
            _ => "\"...\"",
        })
        .collect();
    if args.is_empty() {
        format!("| {}", spec.name)
    } else {
        format!("| {}({})", spec.name, args.join(", "))
    }
}

/// A loop variable name for a list path: `order.items` -> `item`.
fn singular(path: &str) -> String {
    let last = path.rsplit('.').next().unwrap_or(path);
    let s = last
        .strip_suffix("ies")
        .map(|s| format!("{s}y"))
        .or_else(|| last.strip_suffix('s').map(str::to_string));
    match s {
        Some(s) if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => s,
        _ => "entry".into(),
    }
}

/// Resolved param types by name, for callers that render data.
pub fn param_types(facts: &Facts) -> BTreeMap<String, Type> {
    facts
        .params
        .iter()
        .map(|p| (p.name.clone(), p.ty.clone()))
        .collect()
}

#[cfg(test)]
mod tests;
