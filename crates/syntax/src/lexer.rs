//! Tokens inside `{{ … }}` and `{% … %}` tags (logos), and the scan that splits a body
//! into literal text, tags and comments.

use logos::Logos;
use std::fmt;
use tplc_diagnostics::Span;

/// A token inside a tag. Keywords are plain identifiers; the tag parser tells them apart
/// so that `{{ for }}` can say "`for` is a keyword" rather than "unexpected token".
#[derive(Logos, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[logos(skip r"[ \t\r\n\f]+")]
pub enum Tok<'a> {
    #[token("|")]
    Pipe,
    #[token(".")]
    Dot,
    #[token(",")]
    Comma,
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("==")]
    EqEq,
    #[token("!=")]
    NotEq,
    #[token("<=")]
    Le,
    #[token(">=")]
    Ge,
    #[token("<")]
    Lt,
    #[token(">")]
    Gt,
    #[regex(r"[A-Za-z_][A-Za-z0-9_]*")]
    Ident(&'a str),
    #[regex(r"-?[0-9]+", priority = 3)]
    Int(&'a str),
    #[regex(r"-?[0-9]+\.[0-9]+")]
    Decimal(&'a str),
    /// A quoted string, quotes included (single or double; `\` escapes).
    #[regex(r#""([^"\\\n]|\\[^\n])*""#)]
    #[regex(r#"'([^'\\\n]|\\[^\n])*'"#)]
    Str(&'a str),
}

impl fmt::Display for Tok<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tok::Pipe => f.write_str("`|`"),
            Tok::Dot => f.write_str("`.`"),
            Tok::Comma => f.write_str("`,`"),
            Tok::LParen => f.write_str("`(`"),
            Tok::RParen => f.write_str("`)`"),
            Tok::EqEq => f.write_str("`==`"),
            Tok::NotEq => f.write_str("`!=`"),
            Tok::Le => f.write_str("`<=`"),
            Tok::Ge => f.write_str("`>=`"),
            Tok::Lt => f.write_str("`<`"),
            Tok::Gt => f.write_str("`>`"),
            Tok::Ident(s) => write!(f, "`{s}`"),
            Tok::Int(s) | Tok::Decimal(s) => write!(f, "number `{s}`"),
            Tok::Str(s) => write!(f, "string {s}"),
        }
    }
}

/// Lex the inside of a tag. `base` is the byte offset of `src` in the file. Characters
/// that start no token come back as error spans.
pub fn lex_tag(src: &str, base: usize) -> (Vec<(Tok<'_>, Span)>, Vec<Span>) {
    let mut toks = Vec::new();
    let mut errors = Vec::new();
    let mut lex = Tok::lexer(src);
    while let Some(t) = lex.next() {
        let r = lex.span();
        let span = Span::new(base + r.start, base + r.end);
        match t {
            Ok(t) => toks.push((t, span)),
            Err(()) => errors.push(span),
        }
    }
    (toks, errors)
}

/// Which delimiter opened a tag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TagKind {
    /// `{{ … }}`
    Output,
    /// `{% … %}`
    Statement,
    /// `{# … #}`
    Comment,
}

impl TagKind {
    pub fn open(self) -> &'static str {
        match self {
            TagKind::Output => "{{",
            TagKind::Statement => "{%",
            TagKind::Comment => "{#",
        }
    }
    pub fn close(self) -> &'static str {
        match self {
            TagKind::Output => "}}",
            TagKind::Statement => "%}",
            TagKind::Comment => "#}",
        }
    }
}

/// One piece of a body: literal text or a delimited tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    Text(Span),
    Tag {
        kind: TagKind,
        /// The whole tag, delimiters included (up to where it stops when unclosed).
        span: Span,
        /// The text between the delimiters.
        inner: Span,
        /// `false` when the closing delimiter is missing.
        closed: bool,
    },
}

/// Split `src[range]` into text and tags. An unclosed tag stops before the next tag
/// opener or blank line, so one missing `}}` does not swallow the rest of the file.
pub fn segments(src: &str, start: usize, end: usize) -> Segments<'_> {
    Segments {
        src,
        end,
        text_start: start,
        i: start,
        pending: None,
    }
}

/// The segments of `src[start..end]`, one at a time: a body of millions of tags is never
/// held as a list beside its tree.
pub struct Segments<'a> {
    src: &'a str,
    end: usize,
    text_start: usize,
    i: usize,
    /// A tag found right after a text segment, handed out next.
    pending: Option<Segment>,
}

impl Iterator for Segments<'_> {
    type Item = Segment;

    fn next(&mut self) -> Option<Segment> {
        if let Some(tag) = self.pending.take() {
            return Some(tag);
        }
        let bytes = self.src.as_bytes();
        while self.i + 1 < self.end {
            let i = self.i;
            let kind = match (bytes[i], bytes[i + 1]) {
                (b'{', b'{') => TagKind::Output,
                (b'{', b'%') => TagKind::Statement,
                (b'{', b'#') => TagKind::Comment,
                _ => {
                    self.i += 1;
                    continue;
                }
            };
            let inner_start = i + 2;
            let (inner_end, tag_end, closed) = find_close(self.src, inner_start, self.end, kind);
            let tag = Segment::Tag {
                kind,
                span: Span::new(i, tag_end),
                inner: Span::new(inner_start, inner_end),
                closed,
            };
            let text = (self.text_start < i).then(|| Segment::Text(Span::new(self.text_start, i)));
            self.i = tag_end;
            self.text_start = tag_end;
            return match text {
                Some(text) => {
                    self.pending = Some(tag);
                    Some(text)
                }
                None => Some(tag),
            };
        }
        if self.text_start < self.end {
            let text = Segment::Text(Span::new(self.text_start, self.end));
            self.text_start = self.end;
            return Some(text);
        }
        None
    }
}

/// Find the closing delimiter of a tag whose inside starts at `from`. Returns
/// (end of inside, end of tag, closed). Quoted strings are skipped so `"}}"` is text.
fn find_close(src: &str, from: usize, end: usize, kind: TagKind) -> (usize, usize, bool) {
    let bytes = src.as_bytes();
    let close = kind.close().as_bytes();
    let mut i = from;
    let mut quote: Option<u8> = None;
    while i < end {
        let b = bytes[i];
        if let Some(q) = quote {
            if b == b'\\' {
                i += 2;
                continue;
            }
            if b == q || b == b'\n' {
                quote = None;
            }
            i += 1;
            continue;
        }
        if i + 1 < end && b == close[0] && bytes[i + 1] == close[1] {
            return (i, i + 2, true);
        }
        if kind != TagKind::Comment {
            if b == b'"' || b == b'\'' {
                quote = Some(b);
            }
            // Another closer (`{{ x %}`): the author meant to close here.
            if i + 1 < end && (b == b'}' || b == b'%') && bytes[i + 1] == b'}' {
                return (i, i + 2, false);
            }
            // A new opener or a blank line: this tag was never closed.
            if i + 1 < end && b == b'{' && matches!(bytes[i + 1], b'{' | b'%' | b'#') {
                return (trim_end(src, from, i), trim_end(src, from, i), false);
            }
            if b == b'\n' && blank_line_follows(bytes, i + 1, end) {
                return (i, i, false);
            }
        }
        i += 1;
    }
    let stop = if kind == TagKind::Comment {
        end
    } else {
        trim_end(src, from, end)
    };
    (stop, stop, false)
}

fn blank_line_follows(bytes: &[u8], mut i: usize, end: usize) -> bool {
    while i < end && (bytes[i] == b' ' || bytes[i] == b'\t' || bytes[i] == b'\r') {
        i += 1;
    }
    i >= end || bytes[i] == b'\n'
}

fn trim_end(src: &str, from: usize, to: usize) -> usize {
    from + src[from..to].trim_end().len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_text_and_tags() {
        let src = "Hi {{ a }}!{# c #}{% if x %}";
        let segs: Vec<Segment> = segments(src, 0, src.len()).collect();
        assert_eq!(segs.len(), 5);
        assert_eq!(segs[0], Segment::Text(Span::new(0, 3)));
        assert!(matches!(
            segs[1],
            Segment::Tag {
                kind: TagKind::Output,
                closed: true,
                ..
            }
        ));
        assert_eq!(segs[2], Segment::Text(Span::new(10, 11)));
    }

    #[test]
    fn unclosed_tag_stops_at_next_opener() {
        let src = "{{ a  {{ b }}";
        let segs: Vec<Segment> = segments(src, 0, src.len()).collect();
        assert_eq!(
            segs[0],
            Segment::Tag {
                kind: TagKind::Output,
                span: Span::new(0, 4),
                inner: Span::new(2, 4),
                closed: false
            }
        );
        assert!(matches!(segs[1], Segment::Text(_)));
        assert!(matches!(segs[2], Segment::Tag { closed: true, .. }));
    }

    #[test]
    fn closer_inside_string_is_text() {
        let src = r#"{{ "}}" }}"#;
        let segs: Vec<Segment> = segments(src, 0, src.len()).collect();
        assert_eq!(segs.len(), 1);
        assert!(
            matches!(segs[0], Segment::Tag { closed: true, span, .. } if span == Span::new(0, src.len()))
        );
    }

    #[test]
    fn lexes_tag_tokens() {
        let (toks, errs) = lex_tag(r#" a.b | date("%d") == 3 "#, 10);
        assert!(errs.is_empty());
        let kinds: Vec<_> = toks.iter().map(|t| t.0).collect();
        assert_eq!(
            kinds,
            vec![
                Tok::Ident("a"),
                Tok::Dot,
                Tok::Ident("b"),
                Tok::Pipe,
                Tok::Ident("date"),
                Tok::LParen,
                Tok::Str("\"%d\""),
                Tok::RParen,
                Tok::EqEq,
                Tok::Int("3")
            ]
        );
        assert_eq!(toks[0].1, Span::new(11, 12));
    }
}
