//! Light markup → plain text and HTML, both as Jinja source, from the same lines.
//!
//! Blocks: chunks of lines separated by blank lines; inside a chunk, runs of `- ` lines
//! are a list and other lines a paragraph. Lines holding only block tags print nothing
//! (like Jinja's trim_blocks + lstrip_blocks). Inline: `**bold**`, `[text](url)`.
//! HTML is built by construction with no styling at all (Amazon strips or rejects inline
//! fonts, colours and centring) and never two `<br>` in a row.

use crate::expr::{html_escape_expr, https_only, string_lit};
use crate::flatten::{Item, Line, Role};

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Text,
    Html,
}

fn is_tag_only(line: &Line) -> bool {
    line.iter().any(|i| matches!(i, Item::Tag(..)))
        && line.iter().all(|i| match i {
            Item::Tag(..) => true,
            Item::Text(t) => t.trim().is_empty(),
            Item::Out(_) => false,
        })
}

fn is_blank(line: &Line) -> bool {
    line.iter()
        .all(|i| matches!(i, Item::Text(t) if t.trim().is_empty()))
}

fn tags_of(line: &Line) -> impl Iterator<Item = (&str, Role)> {
    line.iter().filter_map(|i| match i {
        Item::Tag(t, r) => Some((t.as_str(), *r)),
        _ => None,
    })
}

/// Does the line start (after indentation) with a `- ` bullet?
fn bullet(line: &Line) -> bool {
    for item in line {
        match item {
            Item::Tag(..) => continue,
            Item::Text(t) => {
                let t = t.trim_start();
                if t.is_empty() {
                    continue;
                }
                return t.starts_with("- ") || t == "-";
            }
            Item::Out(_) => return false,
        }
    }
    false
}

/// Remove the `- ` marker (and indentation) from a bullet line.
fn strip_bullet(line: &Line) -> Line {
    let mut out = line.clone();
    for item in out.iter_mut() {
        if let Item::Text(t) = item {
            let trimmed = t.trim_start();
            if trimmed.is_empty() {
                continue;
            }
            let rest = trimmed.strip_prefix('-').unwrap_or(trimmed);
            *t = rest.strip_prefix(' ').unwrap_or(rest).to_string();
            break;
        }
    }
    out
}

pub fn render(lines: &[Line], mode: Mode) -> String {
    let mut out = String::new();
    let mut chunk: Vec<&Line> = Vec::new();
    let mut chunk_index = 0;
    for line in lines.iter().chain(std::iter::once(&Vec::new())) {
        if is_blank(line) {
            if !chunk.is_empty() {
                emit_chunk(&mut out, &chunk, mode, chunk_index);
                if chunk.iter().any(|l| !is_tag_only(l)) {
                    chunk_index += 1;
                }
                chunk.clear();
            }
        } else {
            chunk.push(line);
        }
    }
    out
}

fn emit_tags(out: &mut String, line: &Line) {
    for (t, _) in tags_of(line) {
        out.push_str(t);
    }
}

fn emit_chunk(out: &mut String, lines: &[&Line], mode: Mode, index: usize) {
    let Some(first) = lines.iter().position(|l| !is_tag_only(l)) else {
        for l in lines {
            emit_tags(out, l);
        }
        return;
    };
    let list_first = bullet(lines[first]);
    // Leading tags: for a list, loops go inside the list (one list, many items); for a
    // paragraph everything stays outside (a conditional paragraph, a paragraph per item).
    let leading: Vec<(&str, Role)> = lines[..first].iter().flat_map(|l| tags_of(l)).collect();
    let split = if list_first {
        leading
            .iter()
            .position(|(_, r)| matches!(r, Role::Open { is_for: true }))
            .unwrap_or(leading.len())
    } else {
        leading.len()
    };
    let mut b = BlockWriter {
        out,
        mode,
        open: None,
        has_line: false,
        stack: Vec::new(),
    };
    for (t, r) in &leading[..split] {
        b.tag(t, *r);
    }
    if mode == Mode::Text && index > 0 {
        b.out.push('\n');
    }
    if split < leading.len() {
        b.open_block(true);
        for (t, r) in &leading[split..] {
            b.tag(t, *r);
        }
    }
    for line in &lines[first..] {
        if is_tag_only(line) {
            for (t, r) in tags_of(line) {
                b.tag(t, r);
            }
            continue;
        }
        b.content(line);
    }
    b.close_block();
    // Tags opened inside the block were closed inside it; the rest follow the block.
}

/// Writes one chunk's blocks, keeping each block tag on the right side of `<p>`/`<ul>`:
/// a tag whose opening tag sits outside the current block closes the block first, so
/// the HTML stays balanced whichever branch renders.
struct BlockWriter<'o> {
    out: &'o mut String,
    mode: Mode,
    /// Some(true) = a list is open, Some(false) = a paragraph.
    open: Option<bool>,
    /// The open block already holds a line (a next line needs a `<br>`).
    has_line: bool,
    /// Open block tags: (opened inside the current block, is a loop).
    stack: Vec<(bool, bool)>,
}

impl BlockWriter<'_> {
    fn open_block(&mut self, list: bool) {
        if self.mode == Mode::Html {
            self.out.push_str(if list { "<ul>" } else { "<p>" });
        }
        self.open = Some(list);
        self.has_line = false;
    }

    fn close_block(&mut self) {
        close_block(self.out, self.open.take(), self.mode);
        self.has_line = false;
        for entry in self.stack.iter_mut() {
            entry.0 = false;
        }
    }

    fn tag(&mut self, t: &str, role: Role) {
        match role {
            Role::Open { is_for } => self.stack.push((self.open.is_some(), is_for)),
            Role::Middle => {
                if self.stack.last().is_some_and(|(inside, _)| !inside) {
                    self.close_block();
                }
            }
            Role::Close { .. } => {
                if self.stack.pop().is_some_and(|(inside, _)| !inside) {
                    self.close_block();
                }
            }
            Role::Comment => {}
        }
        self.out.push_str(t);
    }

    /// Inside a loop opened within this block, every pass prints its own line.
    fn in_inner_loop(&self) -> bool {
        self.stack.iter().any(|(inside, is_for)| *inside && *is_for)
    }

    fn content(&mut self, line: &Line) {
        let is_list = bullet(line);
        if self.open != Some(is_list) {
            self.close_block();
            self.open_block(is_list);
        }
        // Inline tags on a content line nest inside the block.
        let track = |w: &mut Self| {
            for (_, r) in tags_of(line) {
                match r {
                    Role::Open { is_for } => w.stack.push((true, is_for)),
                    Role::Close { .. } => {
                        w.stack.pop();
                    }
                    _ => {}
                }
            }
        };
        if is_list {
            let body = inline(&strip_bullet(line), self.mode);
            match self.mode {
                Mode::Html => {
                    self.out.push_str("<li>");
                    self.out.push_str(&body);
                    self.out.push_str("</li>");
                }
                Mode::Text => {
                    self.out.push_str("- ");
                    self.out.push_str(&body);
                    self.out.push('\n');
                }
            }
        } else {
            if self.mode == Mode::Html {
                if self.has_line {
                    self.out.push_str("<br>\n");
                } else if self.in_inner_loop() {
                    self.out
                        .push_str("{% if not loop.first %}<br>\n{% endif %}");
                }
            }
            self.out.push_str(&inline(line, self.mode));
            if self.mode == Mode::Text {
                self.out.push('\n');
            }
        }
        self.has_line = true;
        track(self);
    }
}

fn close_block(out: &mut String, block: Option<bool>, mode: Mode) {
    if mode == Mode::Html {
        match block {
            Some(true) => out.push_str("</ul>\n"),
            Some(false) => out.push_str("</p>\n"),
            None => {}
        }
    }
}

/// One line's inline content as an atom list, so markup can span placeholders
/// (`**{{ item.title }}**`, `[review]({{ item.review_url }})`).
#[derive(Clone, Debug)]
enum Atom<'a> {
    Char(char),
    Out(&'a str),
    Tag(&'a str),
}

fn atoms(line: &Line) -> Vec<Atom<'_>> {
    let mut v = Vec::new();
    for item in line {
        match item {
            Item::Text(t) => v.extend(t.chars().map(Atom::Char)),
            Item::Out(e) => v.push(Atom::Out(e)),
            Item::Tag(t, _) => v.push(Atom::Tag(t)),
        }
    }
    v
}

fn is_char(a: Option<&Atom<'_>>, c: char) -> bool {
    matches!(a, Some(Atom::Char(x)) if *x == c)
}

/// Whether `a` holds a `{% %}` tag. Bold text and links never span one: an `{% endif %}`
/// inside a link target would be swallowed by the URL expression (leaving the `if`
/// unclosed), and markup opened in one branch and closed after it leaves stray tags
/// in the HTML. Such text is written as it stands, tags kept.
fn has_tag(a: &[Atom<'_>]) -> bool {
    a.iter().any(|x| matches!(x, Atom::Tag(_)))
}

/// Where the `**` closing the one at `from` is, on the same line.
fn find_bold_close(a: &[Atom<'_>], from: usize) -> Option<usize> {
    (from..a.len().saturating_sub(1))
        .find(|&i| is_char(a.get(i), '*') && is_char(a.get(i + 1), '*'))
        .filter(|&close| !has_tag(&a[from..close]))
}

/// Where the parts of links are on one line, found in one pass: searching forward from
/// every `[` made a line of brackets quadratic.
struct LinkIndex {
    /// For each index, the first `](` at or after it (`usize::MAX`: none).
    next_mid: Vec<usize>,
    /// For each index, the first `)` at or after it.
    next_close: Vec<usize>,
    /// Number of tags before each index.
    tags_before: Vec<usize>,
}

impl LinkIndex {
    fn new(a: &[Atom<'_>]) -> LinkIndex {
        let n = a.len();
        let mut next_mid = vec![usize::MAX; n + 2];
        let mut next_close = vec![usize::MAX; n + 2];
        for i in (0..n).rev() {
            next_mid[i] = if is_char(a.get(i), ']') && is_char(a.get(i + 1), '(') {
                i
            } else {
                next_mid[i + 1]
            };
            next_close[i] = if is_char(a.get(i), ')') {
                i
            } else {
                next_close[i + 1]
            };
        }
        let mut tags_before = Vec::with_capacity(n + 1);
        let mut count = 0;
        tags_before.push(0);
        for x in a {
            count += usize::from(matches!(x, Atom::Tag(_)));
            tags_before.push(count);
        }
        LinkIndex {
            next_mid,
            next_close,
            tags_before,
        }
    }

    /// For `[` at `open`: the index of `](` and of the closing `)`.
    fn find(&self, open: usize) -> Option<(usize, usize)> {
        let mid = *self.next_mid.get(open + 1)?;
        if mid == usize::MAX || mid == open + 1 {
            return None;
        }
        let close = *self.next_close.get(mid + 2)?;
        let tagged = close != usize::MAX && self.tags_before[close] > self.tags_before[open];
        (close != usize::MAX && close > mid + 2 && !tagged).then_some((mid, close))
    }
}

pub fn inline(line: &Line, mode: Mode) -> String {
    let a = atoms(line);
    let mut out = String::new();
    emit_atoms(&mut out, &a, mode);
    // Indentation and trailing spaces are not content.
    let trimmed_end = out.trim_end().len();
    out.truncate(trimmed_end);
    out.trim_start().to_string()
}

fn emit_atoms(out: &mut String, a: &[Atom<'_>], mode: Mode) {
    let mut links: Option<LinkIndex> = None;
    let mut i = 0;
    while i < a.len() {
        if is_char(a.get(i), '*') && is_char(a.get(i + 1), '*') {
            if let Some(close) = find_bold_close(a, i + 2) {
                if close > i + 2 {
                    if mode == Mode::Html {
                        out.push_str("<strong>");
                    }
                    emit_atoms(out, &a[i + 2..close], mode);
                    if mode == Mode::Html {
                        out.push_str("</strong>");
                    }
                    i = close + 2;
                    continue;
                }
            }
        }
        if is_char(a.get(i), '[') {
            let index = links.get_or_insert_with(|| LinkIndex::new(a));
            if let Some((mid, close)) = index.find(i) {
                emit_link(out, &a[i + 1..mid], &a[mid + 2..close], mode);
                i = close + 1;
                continue;
            }
        }
        match &a[i] {
            Atom::Char(c) => push_char(out, *c, mode),
            Atom::Out(e) => match mode {
                Mode::Text => {
                    out.push_str("{{ ");
                    out.push_str(e);
                    out.push_str(" }}");
                }
                Mode::Html => {
                    out.push_str("{{ ");
                    out.push_str(&html_escape_expr(e));
                    out.push_str(" }}");
                }
            },
            Atom::Tag(t) => out.push_str(t),
        }
        i += 1;
    }
}

/// Literal text into Jinja source: `{` is written as an expression so no brace pair can
/// ever form a tag; in HTML the five special characters are escaped at compile time.
fn push_char(out: &mut String, c: char, mode: Mode) {
    match (c, mode) {
        ('{', _) => out.push_str("{{ \"{\" }}"),
        ('&', Mode::Html) => out.push_str("&amp;"),
        ('<', Mode::Html) => out.push_str("&lt;"),
        ('>', Mode::Html) => out.push_str("&gt;"),
        ('"', Mode::Html) => out.push_str("&#34;"),
        ('\'', Mode::Html) => out.push_str("&#39;"),
        (c, _) => out.push(c),
    }
}

/// The URL part of a link as one Jinja expression (literal text and placeholders joined).
/// Spaces around the whole target are not part of it, as the compliance check reads it:
/// `[x]( {{ url }} )` links to the value of `url`.
fn url_expr(url: &[Atom<'_>]) -> String {
    let mut parts: Vec<(bool, String)> = Vec::new();
    for atom in url {
        match atom {
            Atom::Char(c) => match parts.last_mut() {
                Some((true, lit)) => lit.push(*c),
                _ => parts.push((true, c.to_string())),
            },
            Atom::Out(e) => parts.push((false, format!("({e})"))),
            // Excluded by `LinkIndex::find`.
            Atom::Tag(_) => {}
        }
    }
    if let Some((true, lit)) = parts.first_mut() {
        *lit = lit.trim_start().to_string();
    }
    if let Some((true, lit)) = parts.last_mut() {
        *lit = lit.trim_end().to_string();
    }
    let parts: Vec<String> = parts
        .into_iter()
        .filter(|(is_lit, text)| !(*is_lit && text.is_empty()))
        .map(|(is_lit, text)| if is_lit { string_lit(&text) } else { text })
        .collect();
    if parts.is_empty() {
        return "\"\"".into();
    }
    parts.join(" ~ ")
}

fn emit_link(out: &mut String, text: &[Atom<'_>], url: &[Atom<'_>], mode: Mode) {
    let url = url_expr(url);
    match mode {
        Mode::Text => {
            // Same rule as the HTML: only an https target is printed.
            emit_atoms(out, text, mode);
            out.push_str(&format!("{{{{ (\" (\" ~ ({url}) ~ \")\") if (({url})|string)[:8] == \"https://\" else \"\" }}}}"));
        }
        Mode::Html => {
            out.push_str("<a href=\"{{ ");
            out.push_str(&html_escape_expr(&https_only(&format!("({url})"))));
            out.push_str(" }}\">");
            emit_atoms(out, text, mode);
            out.push_str("</a>");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Line {
        vec![Item::Text(s.to_string())]
    }

    #[test]
    fn links_are_found_like_before() {
        let line = text("see [a](https://x) and [c](https://y), [b] (no)");
        let html = inline(&line, Mode::Html);
        assert_eq!(html.matches("<a href=").count(), 2, "{html}");
        assert!(html.contains(">a</a>") && html.contains(">c</a>"), "{html}");
        assert!(html.contains("[b] (no)"), "{html}");
        // A link's text runs to the first `](` after its `[`.
        let html = inline(&text("[b] (no) [c](https://y)"), Mode::Html);
        assert!(html.contains(">b] (no) [c</a>"), "{html}");
        assert_eq!(
            inline(&text("[](x) [x]() [x](y"), Mode::Html),
            "[](x) [x]() [x](y"
        );
    }

    #[test]
    fn a_line_of_brackets_is_read_in_one_pass() {
        // 200,000 unmatched `[`: one forward search per bracket would take minutes.
        let line = text(&"[".repeat(200_000));
        assert_eq!(inline(&line, Mode::Text).len(), 200_000);
        let line = text(&format!("{}](x", "[".repeat(100_000)));
        assert!(!inline(&line, Mode::Html).contains("<a "));
    }
}
