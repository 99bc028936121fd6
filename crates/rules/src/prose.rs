//! The prose view of a template: what a buyer would read, as text variants with every
//! byte mapped to its source.
//!
//! Each `{% if %}` branch (and the case where no branch renders) continues the text
//! before it; a `{% for %}` body is read once (or its `{% else %}`). Variants multiply, so
//! past [`MAX_PATHS`] they are combined pairwise instead of crossed: every branch is still
//! read at least once, next to some neighbour.
//!
//! The body is read in *windows*: stretches cut at the blank lines of its top-level text
//! ([`Builder::windows`]). A blank line is a paragraph break in every variant: no
//! sentence, word-list entry, link, address or number crosses it, so what is found in a
//! window does not depend on the variants of the others, and variants are crossed only
//! inside a window. Text outside every conditional is therefore read once, and an
//! `if`/`elif` chain of n branches costs n times its own window, not n times the
//! template.

use crate::analyze::{FileInfo, Gate};
use crate::text::{Mapped, Origin, PLACEHOLDER};
use crate::variant::Variant;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use tplc_diagnostics::Span;
use tplc_syntax::{Expr, ExprKind, Literal, Node, Template};

/// Finds the partial that `{% include "name" %}` refers to: its tree, its source text and
/// its path (for labels pointing into it). `from` is the partial the tag is written in, or
/// `None` for the checked template itself: a name resolves relative to the file that
/// includes it, as the compiler resolves it, so what is checked is what is built.
pub trait IncludeResolver {
    fn resolve(
        &self,
        from: Option<&std::path::Path>,
        name: &str,
    ) -> Option<(Arc<Template>, Arc<str>, PathBuf)>;
}

impl<F> IncludeResolver for F
where
    F: Fn(Option<&std::path::Path>, &str) -> Option<(Arc<Template>, Arc<str>, PathBuf)>,
{
    fn resolve(
        &self,
        from: Option<&std::path::Path>,
        name: &str,
    ) -> Option<(Arc<Template>, Arc<str>, PathBuf)> {
        self(from, name)
    }
}

/// A resolver for templates without includes (every include resolves to nothing).
pub struct NoIncludes;

impl IncludeResolver for NoIncludes {
    fn resolve(
        &self,
        _from: Option<&std::path::Path>,
        _name: &str,
    ) -> Option<(Arc<Template>, Arc<str>, PathBuf)> {
        None
    }
}

/// Most text variants read per template.
pub const MAX_PATHS: usize = 32;
/// Most prose read per template, all windows and variants together: 500 times the
/// longest message Amazon accepts (2,000 characters). The rules keep about 40 bytes per
/// byte of prose and read it again on every keystroke in the editor, so this bounds their
/// memory and time; past it, variants are skipped and the template gets a
/// `too-long-to-check` warning.
pub const MAX_PROSE_BYTES: usize = 1 << 20;
/// Most partial text inlined per template, every inclusion counted: what the walk over
/// the variants costs. Past it, further includes are not read (and the warning says so).
pub const MAX_INLINED_BYTES: usize = 2 << 20;
/// Deepest include nesting followed.
const MAX_DEPTH: usize = 8;
/// Items a `{% for %}` is assumed to repeat when bounding the length.
pub const MAX_LIST_ITEMS: usize = 5;

#[derive(Clone, Copy, Debug)]
enum Seg {
    Text(u32, Span),
    Placeholder(u32, Span),
    /// [`LEAD`] or [`TRAIL`] at a cut, a byte offset of the checked file.
    Edge(&'static str, usize),
}

/// What a window after the first starts with: the paragraph break that precedes it in
/// every variant, then a line break, so that its first line is read as the start of a
/// line after a paragraph break, as it is inside the whole text.
pub const LEAD: &str = "\u{2029}\n";
/// What a window before the last ends with: with the line break it ends with, a blank
/// line, so that its last line ends with a paragraph break as inside the whole text
/// (spaces before one are read differently from spaces at the end of a text).
pub const TRAIL: &str = "\n";

type Path = Variant<Seg>;

pub struct Builder<'a> {
    resolver: &'a dyn IncludeResolver,
    pub files: Vec<FileInfo>,
    stack: Vec<String>,
    /// Whether `{{ order.id }}` is printed somewhere, includes followed.
    pub prints_order_id: bool,
    /// Parsed partials, kept alive for length bounds: (file id, id of the file whose tag
    /// included it, name, tree).
    partials: Vec<(u32, u32, String, Arc<Template>)>,
    /// Index in `partials` of the first inclusion of a name from a file, for length bounds.
    first_inclusion: HashMap<(u32, String), usize>,
    /// Bytes of prose materialised so far (see [`MAX_PROSE_BYTES`]).
    materialised: usize,
    /// Bytes of partial text inlined so far (see [`MAX_INLINED_BYTES`]).
    inlined: usize,
    /// Whether some text was left unread by those two bounds.
    pub truncated: bool,
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
            prints_order_id: false,
            partials: Vec::new(),
            first_inclusion: HashMap::new(),
            materialised: 0,
            inlined: 0,
            truncated: false,
        }
    }

    /// Text variants of a node list of the checked file, crossed over the whole list.
    pub fn paths(&mut self, nodes: &[Node]) -> Vec<Mapped> {
        let paths = self.seq(nodes, 0, Span::default());
        self.materialise_all(&paths)
    }

    /// The checked file's body cut into windows at the blank lines of its top-level text
    /// (see [`blank_line_cuts`]), each window with its text variants. Joining the first
    /// variant of every window, without their [`LEAD`] and [`TRAIL`] ([`first_literal`]),
    /// gives the first variant [`Builder::paths`] would.
    pub fn windows(&mut self, nodes: &[Node]) -> Vec<Vec<Mapped>> {
        let text = self.files[0].text.clone();
        let cuts = blank_line_cuts(&text, nodes);
        let mut cuts = cuts.iter().peekable();
        let mut windows = Vec::new();
        let mut cur: Vec<Path> = vec![Path::new()];
        for (i, node) in nodes.iter().enumerate() {
            let Node::Text(s) = node else {
                cur = self.step(cur, node, 0, Span::default());
                continue;
            };
            let mut from = s.start;
            while let Some(&&(_, at)) = cuts.peek().filter(|c| c.0 == i) {
                push_all(&mut cur, Seg::Text(0, Span::new(from, at)));
                push_all(&mut cur, Seg::Edge(TRAIL, at));
                windows.push(self.materialise_all(&cur));
                let mut lead = Path::new();
                lead.push(Seg::Edge(LEAD, at));
                cur = vec![lead];
                from = at;
                cuts.next();
            }
            push_all(&mut cur, Seg::Text(0, Span::new(from, s.end)));
        }
        windows.push(self.materialise_all(&cur));
        windows
    }

    /// The variants as text, in order, each while it fits in [`MAX_PROSE_BYTES`].
    fn materialise_all(&mut self, paths: &[Path]) -> Vec<Mapped> {
        let mut out = Vec::with_capacity(paths.len());
        for path in paths {
            let segs = path.items();
            let bytes = segs
                .iter()
                .map(|seg| match seg {
                    Seg::Text(_, s) => s.end.saturating_sub(s.start),
                    Seg::Placeholder(..) => PLACEHOLDER.len_utf8(),
                    Seg::Edge(s, _) => s.len(),
                })
                .sum();
            if self.materialised + bytes > MAX_PROSE_BYTES {
                self.truncated = true;
                continue;
            }
            self.materialised += bytes;
            out.push(self.materialise(&segs, bytes));
        }
        out
    }

    fn materialise(&self, path: &[Seg], bytes: usize) -> Mapped {
        let mut m = Mapped::with_capacity(bytes);
        for &seg in path {
            match seg {
                Seg::Text(f, span) => {
                    let text = &self.files[f as usize].text;
                    let Some(t) = text.get(span.start..span.end) else {
                        continue;
                    };
                    m.text.push_str(t);
                    if t.is_ascii() {
                        m.origins
                            .extend((span.start..span.end).map(|at| Origin::new(f, at, at + 1)));
                    } else {
                        for (i, c) in t.char_indices() {
                            let (at, n) = (span.start + i, c.len_utf8());
                            m.origins
                                .extend(std::iter::repeat_n(Origin::new(f, at, at + n), n));
                        }
                    }
                }
                Seg::Placeholder(f, span) => {
                    m.push(PLACEHOLDER, Origin::new(f, span.start, span.end))
                }
                // The line break the cut follows stands for the lead and the trail.
                Seg::Edge(s, at) => m.push_str(s, Origin::new(0, at.saturating_sub(1), at)),
            }
        }
        m
    }

    fn seq(&mut self, nodes: &[Node], file: u32, tag: Span) -> Vec<Path> {
        let mut cur: Vec<Path> = vec![Path::new()];
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
                self.prints_order_id |= path_is(&o.expr, "order.id");
                push_all(&mut cur, Seg::Placeholder(file, o.span));
            }
            Node::If(b) => {
                let mut alts: Vec<Path> = Vec::new();
                for br in &b.branches {
                    alts.extend(self.seq(&br.body, file, tag));
                }
                if b.branches.last().is_none_or(|br| br.cond.is_some()) {
                    alts.push(Path::new());
                }
                cur = combine(cur, alts);
            }
            Node::For(f) => {
                let mut alts = self.seq(&f.body, file, tag);
                match &f.else_body {
                    Some(e) => alts.extend(self.seq(e, file, tag)),
                    None => alts.push(Path::new()),
                }
                cur = combine(cur, alts);
            }
            Node::Include(inc) => {
                let outer = if file == 0 { inc.span } else { tag };
                if let Some(id) = self.include(file, &inc.name.node, outer) {
                    let partial = self.partials.last().map(|p| p.3.clone());
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

    fn include(&mut self, from: u32, name: &str, outer: Span) -> Option<u32> {
        if self.stack.len() >= MAX_DEPTH || self.stack.iter().any(|n| n == name) {
            return None;
        }
        let from_path = self.files.get(from as usize)?.path.clone();
        let (tree, text, path) = self.resolver.resolve(from_path.as_deref(), name)?;
        if self.inlined + text.len() > MAX_INLINED_BYTES {
            self.truncated = true;
            return None;
        }
        self.inlined += text.len();
        let id = self.files.len() as u32;
        self.files.push(FileInfo {
            path: Some(path),
            text,
            include_tag: outer,
        });
        self.first_inclusion
            .entry((from, name.to_string()))
            .or_insert(self.partials.len());
        self.partials.push((id, from, name.to_string(), tree));
        Some(id)
    }

    /// Upper bounds of the rendered length (characters) of `nodes`: with every list at
    /// [`MAX_LIST_ITEMS`] elements, and with every list at one element. One walk for both.
    pub fn max_lens(&self, nodes: &[Node], file: u32, depth: usize) -> (usize, usize) {
        let text = &self
            .files
            .get(file as usize)
            .map(|f| f.text.clone())
            .unwrap_or_else(|| Arc::from(""));
        let both = |n: usize| (n, n);
        let max = |a: (usize, usize), b: (usize, usize)| (a.0.max(b.0), a.1.max(b.1));
        let (mut many, mut one) = (0usize, 0usize);
        for node in nodes {
            let (m, o) = match node {
                Node::Text(s) => both(
                    text.get(s.start..s.end)
                        .map(|t| t.chars().count())
                        .unwrap_or(0),
                ),
                Node::Output(o) => both(placeholder_max(&o.expr)),
                Node::If(b) => b
                    .branches
                    .iter()
                    .map(|br| self.max_lens(&br.body, file, depth))
                    .fold((0, 0), max),
                Node::For(f) => {
                    let (m, o) = self.max_lens(&f.body, file, depth);
                    let body = (m.saturating_mul(MAX_LIST_ITEMS), o);
                    let other = f
                        .else_body
                        .as_ref()
                        .map(|e| self.max_lens(e, file, depth))
                        .unwrap_or((0, 0));
                    max(body, other)
                }
                Node::Include(inc) if depth < MAX_DEPTH => self
                    .first_inclusion
                    .get(&(file, inc.name.node.clone()))
                    .and_then(|&i| self.partials.get(i))
                    .map(|(id, _, _, t)| self.max_lens(&t.body, *id, depth + 1))
                    .unwrap_or((0, 0)),
                _ => (0, 0),
            };
            many = many.saturating_add(m);
            one = one.saturating_add(o);
        }
        (many, one)
    }
}

/// The first variant of the body, from its windows, without placeholders.
pub fn first_literal(windows: &[Vec<Mapped>]) -> String {
    let last = windows.len().saturating_sub(1);
    let mut out = String::new();
    for (i, first) in windows.iter().filter_map(|w| w.first()).enumerate() {
        let mut t = first.text.as_str();
        if i > 0 {
            t = t.strip_prefix(LEAD).unwrap_or(t);
        }
        if i < last {
            t = t.strip_suffix(TRAIL).unwrap_or(t);
        }
        out.extend(t.chars().filter(|c| *c != PLACEHOLDER));
    }
    out
}

fn push_all(paths: &mut [Path], seg: Seg) {
    paths.iter_mut().for_each(|p| p.push(seg));
}

/// Where the top-level text of a body may be cut into windows: `(node index, byte
/// offset)` right after the first line break of each blank line (`\n`, spaces, `\n`) of
/// a run of top-level text (comments emit nothing, so they do not end a run), once per
/// stretch of white space.
///
/// Why the windows read as the whole does: markup removal turns one of the line breaks of
/// such a stretch into a paragraph break in every variant (the first `\n` of the blank
/// line either starts one or was skipped by one starting before it), and nothing but
/// white space is skipped across a line break (links and bullets never span one). Every
/// text pass stops at a paragraph break as at the end of the text: sentences end, the
/// word lists match whole words, links, addresses and numbers stop. So the text before
/// the cut reads the same followed by [`TRAIL`], and the text after it reads the same
/// behind [`LEAD`].
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
            match bytes(k)
                .get(at..)
                .and_then(|rest| rest.iter().find(|c| !is_space(**c)))
            {
                Some(c) => return *c == b'\n',
                None => (k, at) = (k + 1, 0),
            }
        }
        false
    };
    // Whether the current stretch of white space already has its cut.
    let mut cut = false;
    for (k, &(node, span)) in run.iter().enumerate() {
        for (j, &c) in bytes(k).iter().enumerate() {
            if c == b'\n' {
                if !cut && blank_follows(k, j + 1) {
                    cuts.push((node, span.start + j + 1));
                    cut = true;
                }
            } else if !is_space(c) {
                cut = false;
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
                out.push(c.then(a));
            }
        }
        out
    } else {
        let n = cur.len().max(alts.len()).min(MAX_PATHS.max(alts.len()));
        (0..n)
            .map(|i| cur[i % cur.len()].then(&alts[i % alts.len()]))
            .collect()
    }
}

/// Whether the path an expression prints is `want` ([`path_name`] without building it).
fn path_is(e: &Expr, want: &str) -> bool {
    match &e.kind {
        ExprKind::Path(segs) => {
            let mut rest = want;
            for (k, s) in segs.iter().enumerate() {
                if k > 0 {
                    let Some(r) = rest.strip_prefix('.') else {
                        return false;
                    };
                    rest = r;
                }
                let Some(r) = rest.strip_prefix(s.node.as_str()) else {
                    return false;
                };
                rest = r;
            }
            rest.is_empty()
        }
        ExprKind::Filter { target, .. } => path_is(target, want),
        _ => false,
    }
}

/// Whether `hay` contains `needle` (lower-case ASCII) in any case: what
/// `hay.to_ascii_lowercase().contains(needle)` says, without the copy.
fn contains_ignore_case(hay: &str, needle: &str) -> bool {
    hay.as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
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
            let last = segs.last().map_or("", |s| s.node.as_str());
            let has = |w: &str| contains_ignore_case(last, w);
            let is = |w: &str| last.eq_ignore_ascii_case(w);
            match () {
                _ if is("id") && segs.first().is_some_and(|s| s.node == "order") => 19,
                _ if is("asin") => 10,
                _ if is("sku") => 40,
                _ if has("url") || has("link") => 200,
                _ if has("title") || has("description") => 200,
                _ if has("name") => 60,
                _ if has("date") || has("time") => 40,
                _ if has("price") || has("total") || has("amount") || has("money") => 20,
                _ if has("quantity") || has("count") || has("number") => 10,
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
            let has = |w: &str| contains_ignore_case(&s.node, w);
            SENTIMENT_DATA.iter().any(|w| has(w))
                || has("unhappy")
                || has("issue")
                || has("problem")
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

    /// The first variant of each window, without its lead and trail.
    fn window_texts(src: &str) -> Vec<String> {
        let t = tplc_syntax::parse(src).template;
        let mut b = Builder::new(src, &NoIncludes);
        let windows = b.windows(&t.body);
        let last = windows.len() - 1;
        windows
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let text = w[0].text.as_str();
                assert_eq!(i > 0, text.starts_with(LEAD), "{text:?}");
                let text = text.strip_prefix(LEAD).unwrap_or(text);
                let text = if i < last {
                    text.strip_suffix(TRAIL).expect(text)
                } else {
                    text
                };
                text.to_string()
            })
            .collect()
    }

    #[test]
    fn windows_start_after_the_first_line_break_of_a_blank_line() {
        assert_eq!(
            window_texts("A.\n\nB.\n \t\n\nC."),
            ["A.\n", "\nB.\n", " \t\n\nC."]
        );
        // Across a comment, and between blocks.
        assert_eq!(
            window_texts("A.\n{# c #}\n{% if x %}B.{% endif %}\n\n{% if y %}C.\n{% endif %}D."),
            ["A.\n", "\nB.\n", "\nC.\nD."]
        );
        // No blank line: one window.
        assert_eq!(
            window_texts("A.\n{% if x %}\n{% endif %}\nB."),
            ["A.\n\n\nB."]
        );
    }

    #[test]
    fn windows_join_into_the_first_variant() {
        let src = "Hi {{ a }}.\n\n{% if x %}B.{% elif y %}C.{% endif %}\n\nD.\n\n{% for i in l %}E{% endfor %}";
        let t = tplc_syntax::parse(src).template;
        let mut b = Builder::new(src, &NoIncludes);
        let joined = first_literal(&b.windows(&t.body));
        let mut b = Builder::new(src, &NoIncludes);
        let first = b.paths(&t.body)[0].text.replace(PLACEHOLDER, "");
        assert_eq!(joined, first);
        let mut b = Builder::new(src, &NoIncludes);
        let counts: Vec<usize> = b.windows(&t.body).iter().map(Vec::len).collect();
        // The `if` has three variants (two branches, none taken), only in its window.
        assert_eq!(counts, [1, 3, 1, 2]);
    }
}
