//! The syntax tree. Every node keeps its exact byte span in the source file, so every
//! later stage (types, compliance rules, the compiler, the editor) can point at the
//! source and edit it.

use tplc_diagnostics::Span;

/// A value with the span it was written at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spanned<T> {
    pub node: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(node: T, span: Span) -> Self {
        Spanned { node, span }
    }
}

/// One template file: an optional header between `---` lines, then the body.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Template {
    /// `None` when the file has no `---` header at all (allowed for partials only;
    /// the checker reports it for message templates).
    pub header: Option<Header>,
    pub body: Vec<Node>,
    /// Byte offset where the body starts (after the closing `---` line).
    pub body_start: usize,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Header {
    /// From the opening `---` to the end of the closing `---` line.
    pub span: Span,
    /// Every `key: value` line, in order, including the ones interpreted below.
    pub entries: Vec<HeaderEntry>,
    pub kind: Option<Spanned<String>>,
    pub locale: Option<Spanned<String>>,
    /// `subject:` parsed as inline template nodes (text and `{{ }}` only), spans in the file.
    pub subject: Option<Subject>,
    /// `id:` groups translations of one message across locales (defaults to the file stem).
    pub id: Option<Spanned<String>>,
    /// `send: 7d after delivery`.
    pub send: Option<Spanned<Schedule>>,
    /// `param coupon: text?` lines.
    pub params: Vec<ParamDecl>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeaderEntry {
    pub key: Spanned<String>,
    /// The value with surrounding whitespace (and one pair of matching quotes) removed.
    pub value: Spanned<String>,
    /// The whole line, without its line break.
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Subject {
    pub span: Span,
    pub nodes: Vec<Node>,
}

/// When a proactive message is sent, relative to an order event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Schedule {
    /// Offset in hours (written as `Nd` or `Nh`); may be 0 (`on delivery`).
    pub hours: u32,
    pub anchor: Anchor,
}

impl Schedule {
    pub fn days(&self) -> f64 {
        self.hours as f64 / 24.0
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Anchor {
    Purchase,
    Shipment,
    Delivery,
}

impl Anchor {
    pub fn as_str(self) -> &'static str {
        match self {
            Anchor::Purchase => "purchase",
            Anchor::Shipment => "shipment",
            Anchor::Delivery => "delivery",
        }
    }
}

/// `param name: type` in the header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamDecl {
    pub name: Spanned<String>,
    pub ty: Spanned<TypeRef>,
    pub span: Span,
}

/// A type as written: `text`, `money?`, `list<item>`, `list<text>?`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TypeRef {
    Named(String),
    List(Box<TypeRef>),
    Optional(Box<TypeRef>),
}

impl std::fmt::Display for TypeRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TypeRef::Named(n) => f.write_str(n),
            TypeRef::List(t) => write!(f, "list<{t}>"),
            TypeRef::Optional(t) => write!(f, "{t}?"),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// Literal text, markup included (`**bold**`, `- ` bullets, `[text](url)`, blank lines).
    /// The text itself is `&source[span]`.
    Text(Span),
    /// `{{ expr }}`
    Output(Box<OutputTag>),
    If(Box<IfBlock>),
    For(Box<ForBlock>),
    Include(Box<IncludeTag>),
    /// `{# ... #}`; `body` is the span of the text between the delimiters.
    Comment(Box<CommentTag>),
    /// A tag that could not be parsed; its error is already reported.
    Error(Span),
}

impl Node {
    pub fn span(&self) -> Span {
        match self {
            Node::Text(s) | Node::Error(s) => *s,
            Node::Output(o) => o.span,
            Node::If(i) => i.span,
            Node::For(f) => f.span,
            Node::Include(i) => i.span,
            Node::Comment(c) => c.span,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct OutputTag {
    /// From `{{` to `}}` inclusive.
    pub span: Span,
    pub expr: Expr,
}

#[derive(Clone, Debug, PartialEq)]
pub struct IfBlock {
    /// From `{% if` to the end of `{% endif %}` (or of the last node when it is missing).
    pub span: Span,
    /// The `if` branch first, then each `elif`, then the `else` (whose `cond` is `None`).
    pub branches: Vec<IfBranch>,
    /// Span of `{% endif %}`; `None` when missing (already reported).
    pub end_tag: Option<Span>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct IfBranch {
    /// Span of the opening tag of this branch (`{% if … %}`, `{% elif … %}`, `{% else %}`).
    pub tag: Span,
    pub cond: Option<Expr>,
    pub body: Vec<Node>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ForBlock {
    pub span: Span,
    /// Span of `{% for x in xs %}`.
    pub tag: Span,
    pub var: Spanned<String>,
    pub iter: Expr,
    pub body: Vec<Node>,
    /// `{% else %}` body, rendered when the list is empty.
    pub else_body: Option<Vec<Node>>,
    pub end_tag: Option<Span>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct IncludeTag {
    pub span: Span,
    /// The included name as written inside the quotes, with the span of the string.
    pub name: Spanned<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CommentTag {
    pub span: Span,
    pub body: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// `buyer.name`: one segment per name, each with its span.
    Path(Vec<Spanned<String>>),
    Literal(Literal),
    /// `target | name(args)`; `name_span` covers the filter name only.
    Filter {
        target: Box<Expr>,
        name: Spanned<String>,
        args: Vec<Expr>,
    },
    Not(Box<Expr>),
    Binary {
        op: Spanned<BinOp>,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// An expression that failed to parse; already reported.
    Error,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    Str(String),
    Int(i64),
    Decimal(String),
    Bool(bool),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    And,
    Or,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl BinOp {
    pub fn as_str(self) -> &'static str {
        match self {
            BinOp::And => "and",
            BinOp::Or => "or",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
        }
    }
}

/// Visit every node depth-first (branches and loop bodies included), with the
/// conditions that guard it. Used by the checker, the rules and the compiler.
pub fn walk<'a>(nodes: &'a [Node], f: &mut dyn FnMut(&'a Node)) {
    for node in nodes {
        f(node);
        match node {
            Node::If(block) => {
                for b in &block.branches {
                    walk(&b.body, f);
                }
            }
            Node::For(block) => {
                walk(&block.body, f);
                if let Some(e) = &block.else_body {
                    walk(e, f);
                }
            }
            _ => {}
        }
    }
}
