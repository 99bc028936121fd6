//! The checked tree → lines of inline items, with partials inlined and block tags turned
//! into Jinja tags. Markup is then read line by line (`markup.rs`).

use crate::expr::ExprCx;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tplc_syntax::{Node, Template};

/// Finds the partial an include names (the engine already reported missing ones and cycles).
pub trait Includes {
    fn get(&self, from: &Path, name: &str) -> Option<(Arc<Template>, Arc<str>, PathBuf)>;
    /// What the partial reads from the data (so the includer's schema asks for it too).
    fn usage(&self, _partial: &Path) -> Option<tplc_schema::DataUsage> {
        None
    }
}

/// Deepest chain of partials inlined; cycles are errors before compiling, this is a backstop.
const MAX_INCLUDE_DEPTH: usize = 16;

#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// Literal text without line breaks.
    Text(String),
    /// A Jinja expression to print.
    Out(String),
    /// A Jinja block tag (or an empty string for a comment), with its role.
    Tag(String, Role),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Open { is_for: bool },
    Middle,
    Close { is_for: bool },
    Comment,
}

pub type Line = Vec<Item>;

pub struct Flattener<'a> {
    pub cx: ExprCx<'a>,
    pub includes: &'a dyn Includes,
    pub lines: Vec<Line>,
    current: Line,
}

impl<'a> Flattener<'a> {
    pub fn new(cx: ExprCx<'a>, includes: &'a dyn Includes) -> Self {
        Flattener {
            cx,
            includes,
            lines: Vec::new(),
            current: Vec::new(),
        }
    }

    pub fn finish(mut self) -> Vec<Line> {
        self.lines.push(std::mem::take(&mut self.current));
        self.lines
    }

    fn text(&mut self, s: &str) {
        let mut parts = s.split('\n');
        if let Some(first) = parts.next() {
            self.push_text(first);
        }
        for part in parts {
            self.lines.push(std::mem::take(&mut self.current));
            self.push_text(part);
        }
    }

    fn push_text(&mut self, s: &str) {
        let s = s.strip_suffix('\r').unwrap_or(s);
        if s.is_empty() {
            return;
        }
        if let Some(Item::Text(prev)) = self.current.last_mut() {
            prev.push_str(s);
        } else {
            self.current.push(Item::Text(s.to_string()));
        }
    }

    fn tag(&mut self, t: String, role: Role) {
        self.current.push(Item::Tag(t, role));
    }

    pub fn nodes(&mut self, nodes: &[Node], src: &str, file: &Path, depth: usize) {
        for n in nodes {
            match n {
                Node::Text(span) => self.text(&src[span.start..span.end]),
                Node::Output(o) => {
                    let e = self.cx.expr(&o.expr);
                    self.current.push(Item::Out(e));
                }
                Node::Comment(_) => self.tag(String::new(), Role::Comment),
                Node::Error(_) => {}
                Node::If(block) => {
                    for (i, b) in block.branches.iter().enumerate() {
                        let tag = match (&b.cond, i) {
                            (Some(c), 0) => format!("{{% if {} %}}", self.cx.expr(c)),
                            (Some(c), _) => format!("{{% elif {} %}}", self.cx.expr(c)),
                            (None, _) => "{% else %}".to_string(),
                        };
                        let role = if i == 0 {
                            Role::Open { is_for: false }
                        } else {
                            Role::Middle
                        };
                        self.tag(tag, role);
                        self.nodes(&b.body, src, file, depth);
                    }
                    self.tag("{% endif %}".into(), Role::Close { is_for: false });
                }
                Node::For(block) => {
                    let tag = format!(
                        "{{% for {} in {} %}}",
                        block.var.node,
                        self.cx.expr(&block.iter)
                    );
                    self.tag(tag, Role::Open { is_for: true });
                    self.nodes(&block.body, src, file, depth);
                    if let Some(e) = &block.else_body {
                        self.tag("{% else %}".into(), Role::Middle);
                        self.nodes(e, src, file, depth);
                    }
                    self.tag("{% endfor %}".into(), Role::Close { is_for: true });
                }
                Node::Include(inc) => {
                    if depth >= MAX_INCLUDE_DEPTH {
                        continue;
                    }
                    if let Some((t, psrc, ppath)) = self.includes.get(file, &inc.name.node) {
                        // The partial's final line break belongs to its file, not to the message.
                        let body = trim_final_newline(&t.body, &psrc);
                        self.nodes(&body, &psrc, &ppath, depth + 1);
                    }
                }
            }
        }
    }
}

fn trim_final_newline(nodes: &[Node], src: &str) -> Vec<Node> {
    let mut nodes = nodes.to_vec();
    if let Some(Node::Text(span)) = nodes.last_mut() {
        let text = &src[span.start..span.end];
        let trimmed = text.trim_end_matches(['\n', '\r']);
        span.end = span.start + trimmed.len();
    }
    nodes
}
