//! The prose view of a template: what a buyer would read, as text variants with every
//! byte mapped to its source.
//!
//! Each `{% if %}` branch (and the case where no branch renders) continues the text
//! before it; a `{% for %}` body is read once (or its `{% else %}`). Variants multiply, so
//! past [`MAX_PATHS`] they are combined pairwise instead of crossed: every branch is still
//! read at least once, next to some neighbour.
//!
//! The body is read in *windows*: stretches cut at the blank lines of its top-level text
//! ([`Builder::windows`]). A blank line ends a sentence in every variant and the text
//! passes restart there, so what is found in a window does not depend on the variants of
//! the others; variants are crossed only inside a window. Text outside every conditional
//! is therefore read once, and an `if`/`elif` chain of n branches costs n times its own
//! window, not n times the template.

use crate::analyze::{FileInfo, Gate};
use crate::text::{Mapped, Origin, PLACEHOLDER};
use std::path::PathBuf;
use std::sync::Arc;
use tplc_diagnostics::Span;
use tplc_syntax::{Expr, ExprKind, Literal, Node, Template};

/// Finds the partial that `{% include "name" %}` refers to: its tree, its source text and
/// its path (for labels pointing into it).
pub trait IncludeResolver {
    fn resolve(&self, name: &str) -> Option<(Arc<Template>, Arc<str>, PathBuf)>;
}

impl<F> IncludeResolver for F
where
    F: Fn(&str) -> Option<(Arc<Template>, Arc<str>, PathBuf)>,
{
    fn resolve(&self, name: &str) -> Option<(Arc<Template>, Arc<str>, PathBuf)> {
        self(name)
    }
}

/// A resolver for templates without includes (every include resolves to nothing).
pub struct NoIncludes;

impl IncludeResolver for NoIncludes {
    fn resolve(&self, _name: &str) -> Option<(Arc<Template>, Arc<str>, PathBuf)> {
        None
    }
}

/// Most text variants read per template.
pub const MAX_PATHS: usize = 32;
/// Deepest include nesting followed.
const MAX_DEPTH: usize = 8;
/// Items a `{% for %}` is assumed to repeat when bounding the length.
pub const MAX_LIST_ITEMS: usize = 5;

#[derive(Clone, Copy, Debug)]
enum Seg {
    Text(u32, Span),
    Placeholder(u32, Span),
}

type Path = Vec<Seg>;

pub struct Builder<'a> {
    resolver: &'a dyn IncludeResolver,
    pub files: Vec<FileInfo>,
    stack: Vec<String>,
    /// Names of every placeholder path printed (`order.id`), includes followed.
    pub printed: Vec<String>,
    /// Parsed partials, kept alive for length bounds.
    partials: Vec<(u32, String, Arc<Template>)>,
}

impl<'a> Builder<'a> {
    pub fn new(source: &str, resolver: &'a dyn IncludeResolver) -> Self {
        Builder {
            resolver,
            files: vec![FileInfo {
                path: None,
                text: Arc::from(source),
                include_tag: Span::default(),
            }],
            stack: Vec::new(),
            printed: Vec::new(),
            partials: Vec::new(),
        }
    }

    /// Text variants of a node list of the checked file, crossed over the whole list.
    pub fn paths(&mut self, nodes: &[Node]) -> Vec<Mapped> {
        let paths = self.seq(nodes, 0, Span::default());
        paths.iter().map(|p| self.materialise(p)).collect()
    }

    /// The checked file's body cut into windows at the blank lines of its top-level text
    /// (see [`blank_line_cuts`]), each window with its text variants. Joining the first
    /// variant of every window gives the first variant [`Builder::paths`] would.
    pub fn windows(&mut self, nodes: &[Node]) -> Vec<Vec<Mapped>> {
        let text = self.files[0].text.clone();
        let cuts = blank_line_cuts(&text, nodes);
        let mut cuts = cuts.iter().peekable();
        let mut windows = Vec::new();
        let mut cur: Vec<Path> = vec![Vec::new()];
        for (i, node) in nodes.iter().enumerate() {
            let Node::Text(s) = node else {
                cur = self.step(cur, node, 0, Span::default());
                continue;
            };
            let mut from = s.start;
            while let Some(&&(_, at)) = cuts.peek().filter(|c| c.0 == i) {
                push_all(&mut cur, Seg::Text(0, Span::new(from, at)));
                windows.push(self.materialise_all(&cur));
                cur = vec![Vec::new()];
                from = at;
                cuts.next();
            }
            push_all(&mut cur, Seg::Text(0, Span::new(from, s.end)));
        }
        windows.push(self.materialise_all(&cur));
        windows
    }

    fn materialise_all(&self, paths: &[Path]) -> Vec<Mapped> {
        paths.iter().map(|p| self.materialise(p)).collect()
    }

    fn materialise(&self, path: &Path) -> Mapped {
        let bytes = path
            .iter()
            .map(|seg| match seg {
                Seg::Text(_, s) => s.end.saturating_sub(s.start),
                Seg::Placeholder(..) => PLACEHOLDER.len_utf8(),
            })
            .sum();
        let mut m = Mapped::with_capacity(bytes);
        for seg in path {
            match *seg {
                Seg::Text(f, span) => {
                    let text = &self.files[f as usize].text;
                    let Some(t) = text.get(span.start..span.end) else {
                        continue;
                    };
                    for (i, c) in t.char_indices() {
                        let at = span.start + i;
                        m.push(c, Origin::new(f, at, at + c.len_utf8()));
                    }
                }
                Seg::Placeholder(f, span) => {
                    m.push(PLACEHOLDER, Origin::new(f, span.start, span.end))
                }
            }
        }
        m
    }

    fn seq(&mut self, nodes: &[Node], file: u32, tag: Span) -> Vec<Path> {
        let mut cur: Vec<Path> = vec![Vec::new()];
        for node in nodes {
            cur = self.step(cur, node, file, tag);
        }
        cur
    }

    /// The variants `cur` continued by one node.
    fn step(&mut self, mut cur: Vec<Path>, node: &Node, file: u32, tag: Span) -> Vec<Path> {
        match node {
            Node::Text(s) => push_all(&mut cur, Seg::Text(file, *s)),
            Node::Output(o) => {
                if let Some(name) = path_name(&o.expr) {
                    self.printed.push(name);
                }
                push_all(&mut cur, Seg::Placeholder(file, o.span));
            }
            Node::If(b) => {
                let mut alts: Vec<Path> = Vec::new();
                for br in &b.branches {
                    alts.extend(self.seq(&br.body, file, tag));
                }
                if b.branches.last().is_none_or(|br| br.cond.is_some()) {
                    alts.push(Vec::new());
                }
                cur = combine(cur, alts);
            }
            Node::For(f) => {
                let mut alts = self.seq(&f.body, file, tag);
                match &f.else_body {
                    Some(e) => alts.extend(self.seq(e, file, tag)),
                    None => alts.push(Vec::new()),
                }
                cur = combine(cur, alts);
            }
            Node::Include(inc) => {
                let outer = if file == 0 { inc.span } else { tag };
                if let Some(id) = self.include(&inc.name.node, outer) {
                    let partial = self
                        .partials
                        .iter()
                        .find(|p| p.0 == id)
                        .map(|p| p.2.clone());
                    if let Some(t) = partial {
                        self.stack.push(inc.name.node.clone());
                        let inner = self.seq(&t.body, id, outer);
                        self.stack.pop();
                        cur = combine(cur, inner);
                    }
                }
            }
            Node::Comment(_) | Node::Error(_) => {}
        }
        cur
    }

    fn include(&mut self, name: &str, outer: Span) -> Option<u32> {
        if self.stack.len() >= MAX_DEPTH || self.stack.iter().any(|n| n == name) {
            return None;
        }
        let (tree, text, path) = self.resolver.resolve(name)?;
        let id = self.files.len() as u32;
        self.files.push(FileInfo {
            path: Some(path),
            text,
            include_tag: outer,
        });
        self.partials.push((id, name.to_string(), tree));
        Some(id)
    }

    /// Upper bound of the rendered length (characters) of `nodes`, lists at
    /// [`MAX_LIST_ITEMS`] elements.
    pub fn max_len(&self, nodes: &[Node], file: u32, depth: usize) -> usize {
        self.max_len_with(nodes, file, depth, MAX_LIST_ITEMS)
    }

    /// Upper bound of the rendered length with every list at `items` elements.
    pub fn max_len_with(&self, nodes: &[Node], file: u32, depth: usize, items: usize) -> usize {
        let text = &self
            .files
            .get(file as usize)
            .map(|f| f.text.clone())
            .unwrap_or_else(|| Arc::from(""));
        let mut n = 0usize;
        for node in nodes {
            n = n.saturating_add(match node {
                Node::Text(s) => text
                    .get(s.start..s.end)
                    .map(|t| t.chars().count())
                    .unwrap_or(0),
                Node::Output(o) => placeholder_max(&o.expr),
                Node::If(b) => b
                    .branches
                    .iter()
                    .map(|br| self.max_len_with(&br.body, file, depth, items))
                    .max()
                    .unwrap_or(0),
                Node::For(f) => {
                    let body = self
                        .max_len_with(&f.body, file, depth, items)
                        .saturating_mul(items);
                    body.max(
                        f.else_body
                            .as_ref()
                            .map(|e| self.max_len_with(e, file, depth, items))
                            .unwrap_or(0),
                    )
                }
                Node::Include(inc) if depth < MAX_DEPTH => self
                    .partials
                    .iter()
                    .find(|(_, name, _)| *name == inc.name.node)
                    .map(|(id, _, t)| self.max_len_with(&t.body, *id, depth + 1, items))
                    .unwrap_or(0),
                _ => 0,
            });
        }
        n
    }
}

fn push_all(paths: &mut [Path], seg: Seg) {
    paths.iter_mut().for_each(|p| p.push(seg));
}

/// Where the top-level text of a body may be cut into windows: `(node index, byte
/// offset)` of each line break that starts a blank line in every variant.
///
/// A cut sits on a `\n` that follows visible text on its line and is followed by spaces
/// and another `\n`, all inside one run of top-level text (comments emit nothing, so they
/// do not end a run). Markup removal then meets that `\n` fresh in every variant (a link
/// or bullet never spans a line break, and only the second `\n` of a blank line is ever
/// skipped) and turns it into a paragraph break: the sentence before it ends there, the
/// normaliser restarts after it, and no word list entry, link, address or number crosses
/// it. The text before the cut therefore reads the same alone as inside any variant, and
/// the text from the cut on starts with the same break.
fn blank_line_cuts(text: &str, nodes: &[Node]) -> Vec<(usize, usize)> {
    let mut cuts = Vec::new();
    let mut run: Vec<(usize, Span)> = Vec::new();
    for (i, node) in nodes.iter().enumerate() {
        match node {
            Node::Text(s) => run.push((i, *s)),
            Node::Comment(_) | Node::Error(_) => {}
            _ => {
                run_cuts(text, &run, &mut cuts);
                run.clear();
            }
        }
    }
    run_cuts(text, &run, &mut cuts);
    cuts
}

/// The cuts of one run of consecutive text nodes (see [`blank_line_cuts`]).
fn run_cuts(text: &str, run: &[(usize, Span)], cuts: &mut Vec<(usize, usize)>) {
    let bytes = |k: usize| {
        let s = run[k].1;
        text.as_bytes().get(s.start..s.end).unwrap_or(&[])
    };
    let is_space = |b: u8| matches!(b, b' ' | b'\t' | b'\r');
    // Whether a `\n` follows position `at` of node `k` after spaces only.
    let blank_follows = |mut k: usize, mut at: usize| -> bool {
        while k < run.len() {
            let b = bytes(k);
            match b
                .get(at..)
                .and_then(|rest| rest.iter().find(|c| !is_space(**c)))
            {
                Some(c) => return *c == b'\n',
                None => (k, at) = (k + 1, 0),
            }
        }
        false
    };
    // Visible text since the last line break; unknown (so false) at the start of the run.
    let mut visible = false;
    for (k, &(node, span)) in run.iter().enumerate() {
        for (j, &c) in bytes(k).iter().enumerate() {
            if c == b'\n' {
                if visible && blank_follows(k, j + 1) {
                    cuts.push((node, span.start + j));
                }
                visible = false;
            } else if !is_space(c) {
                visible = true;
            }
        }
    }
}

/// Cross the variants, or pair them up once there would be too many.
fn combine(cur: Vec<Path>, alts: Vec<Path>) -> Vec<Path> {
    if alts.is_empty() {
        return cur;
    }
    if cur.len() * alts.len() <= MAX_PATHS {
        let mut out = Vec::with_capacity(cur.len() * alts.len());
        for c in &cur {
            for a in &alts {
                let mut p = c.clone();
                p.extend_from_slice(a);
                out.push(p);
            }
        }
        out
    } else {
        let n = cur.len().max(alts.len()).min(MAX_PATHS.max(alts.len()));
        (0..n)
            .map(|i| {
                let mut p = cur[i % cur.len()].clone();
                p.extend_from_slice(&alts[i % alts.len()]);
                p
            })
            .collect()
    }
}

/// `order.id`, also through filters (`order.id | upper`).
pub fn path_name(e: &Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Path(segs) => Some(
            segs.iter()
                .map(|s| s.node.as_str())
                .collect::<Vec<_>>()
                .join("."),
        ),
        ExprKind::Filter { target, .. } => path_name(target),
        _ => None,
    }
}

/// The longest text a placeholder is assumed to print (documented in
/// `docs/rules/message-too-long.md`).
pub fn placeholder_max(e: &Expr) -> usize {
    match &e.kind {
        ExprKind::Literal(Literal::Str(s)) => s.chars().count(),
        ExprKind::Literal(Literal::Int(i)) => i.to_string().len(),
        ExprKind::Literal(Literal::Decimal(d)) => d.len(),
        ExprKind::Literal(Literal::Bool(_)) => 5,
        ExprKind::Filter { target, name, args } => {
            let inner = placeholder_max(target);
            match name.node.as_str() {
                "default" => inner.max(args.iter().map(placeholder_max).max().unwrap_or(0)),
                "date" | "datetime" => 40,
                "truncate" => match args.first().map(|a| &a.kind) {
                    Some(ExprKind::Literal(Literal::Int(n))) => (*n).clamp(0, 100_000) as usize + 3,
                    _ => inner,
                },
                _ => inner,
            }
        }
        ExprKind::Path(segs) => {
            let last = segs
                .last()
                .map(|s| s.node.to_ascii_lowercase())
                .unwrap_or_default();
            let full: Vec<&str> = segs.iter().map(|s| s.node.as_str()).collect();
            match last.as_str() {
                "id" if full.first() == Some(&"order") => 19,
                "asin" => 10,
                "sku" => 40,
                l if l.contains("url") || l.contains("link") => 200,
                l if l.contains("title") || l.contains("description") => 200,
                l if l.contains("name") => 60,
                l if l.contains("date") || l.contains("time") => 40,
                l if l.contains("price")
                    || l.contains("total")
                    || l.contains("amount")
                    || l.contains("money") =>
                {
                    20
                }
                l if l.contains("quantity") || l.contains("count") || l.contains("number") => 10,
                _ => 100,
            }
        }
        _ => 100,
    }
}

/// Words in a condition that make it about the buyer's experience.
const SENTIMENT_DATA: [&str; 16] = [
    "rating",
    "rate",
    "stars",
    "star",
    "score",
    "nps",
    "satisf",
    "happy",
    "sentiment",
    "feedback",
    "complain",
    "review",
    "mood",
    "csat",
    "positive",
    "negative",
];

fn cond_mentions_sentiment(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Path(segs) => segs.iter().any(|s| {
            let l = s.node.to_ascii_lowercase();
            SENTIMENT_DATA.iter().any(|w| l.contains(w))
                || l.contains("unhappy")
                || l.contains("issue")
                || l.contains("problem")
        }),
        ExprKind::Filter { target, args, .. } => {
            cond_mentions_sentiment(target) || args.iter().any(cond_mentions_sentiment)
        }
        ExprKind::Not(x) => cond_mentions_sentiment(x),
        ExprKind::Binary { lhs, rhs, .. } => {
            cond_mentions_sentiment(lhs) || cond_mentions_sentiment(rhs)
        }
        _ => false,
    }
}

/// Every `{% if %}` branch body of the checked file, with whether it depends on
/// sentiment data (a branch also depends on the conditions of the branches before it).
pub fn gates(nodes: &[Node]) -> Vec<Gate> {
    let mut out = Vec::new();
    tplc_syntax::walk(nodes, &mut |n| {
        if let Node::If(b) = n {
            let mut sentiment = false;
            for br in &b.branches {
                if let Some(c) = &br.cond {
                    sentiment |= cond_mentions_sentiment(c);
                }
                if let (Some(first), Some(last)) = (br.body.first(), br.body.last()) {
                    out.push(Gate {
                        body: first.span().cover(last.span()),
                        tag: br.tag,
                        sentiment,
                    });
                }
            }
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text each window starts with.
    fn window_starts(src: &str) -> Vec<String> {
        let t = tplc_syntax::parse(src).template;
        let mut b = Builder::new(src, &NoIncludes);
        b.windows(&t.body)
            .iter()
            .map(|w| w[0].text.chars().take(8).collect())
            .collect()
    }

    #[test]
    fn windows_start_at_blank_lines_after_visible_text() {
        assert_eq!(
            window_starts("A.\n\nB.\n \t\nC."),
            ["A.", "\n\nB.", "\n \t\nC."]
        );
        // A blank line across a comment still cuts; one right after a tag may follow the
        // branch's own line break, so it does not.
        assert_eq!(
            window_starts("A.\n{# c #}\n\n{% if x %}B.\n{% endif %}\n\nC.\n\n\n\nD."),
            ["A.", "\n\n\nB.\n\n\n", "\n\n\n\nD."]
        );
        assert_eq!(window_starts("\n\nA.\n"), ["\n\nA.\n"]);
    }

    #[test]
    fn windows_join_into_the_first_variant() {
        let src = "Hi {{ a }}.\n\n{% if x %}B.{% elif y %}C.{% endif %}\n\nD.\n\n{% for i in l %}E{% endfor %}";
        let t = tplc_syntax::parse(src).template;
        let mut b = Builder::new(src, &NoIncludes);
        let joined: String = b
            .windows(&t.body)
            .iter()
            .map(|w| w[0].text.clone())
            .collect();
        let mut b = Builder::new(src, &NoIncludes);
        assert_eq!(joined, b.paths(&t.body)[0].text);
        let mut b = Builder::new(src, &NoIncludes);
        let counts: Vec<usize> = b.windows(&t.body).iter().map(Vec::len).collect();
        // The `if` has three variants (two branches, none taken), only in its window.
        assert_eq!(counts, [1, 3, 2]);
    }
}
