//! Semantic tokens for the header, tags, placeholders, filters and light markup.

use tower_lsp_server::ls_types as lsp;
use tplc_diagnostics::{LineCol, PositionEncoding, Span};
use tplc_syntax::lexer::{lex_tag, segments, Segment, TagKind, Tok};
use tplc_syntax::tag::KEYWORDS;
use tplc_syntax::Template;

/// The legend, in index order.
pub const TOKEN_TYPES: &[&str] = &[
    "keyword",    // 0: statement words, `param`, `---`
    "variable",   // 1: first segment of a path
    "property",   // 2: later segments, header keys
    "function",   // 3: filters
    "string",     // 4: string literals, header values
    "number",     // 5
    "comment",    // 6: {# #} and `#` header lines
    "operator",   // 7: | == and or ...
    "type",       // 8: param types
    "enumMember", // 9: the `kind` value
    "parameter",  // 10: declared param names
    "macro",      // 11: tag delimiters
    "decorator",  // 12: markup: **, bullets, link brackets
];

pub fn legend() -> lsp::SemanticTokensLegend {
    lsp::SemanticTokensLegend {
        token_types: TOKEN_TYPES
            .iter()
            .map(|t| lsp::SemanticTokenType::new(t))
            .collect(),
        token_modifiers: Vec::new(),
    }
}

/// Raw tokens: (span, type index), sorted and non-overlapping.
pub fn raw_tokens(t: &Template, src: &str) -> Vec<(Span, u32)> {
    let mut out: Vec<(Span, u32)> = Vec::new();
    if let Some(h) = &t.header {
        header_tokens(src, h, &mut out);
        if let Some(s) = &h.subject {
            body_tokens(src, s.span.start, s.span.end, false, &mut out);
        }
    }
    body_tokens(src, t.body_start.min(src.len()), src.len(), true, &mut out);
    out.retain(|(s, _)| !s.is_empty());
    out.sort_by_key(|(s, _)| (s.start, s.end));
    // Drop anything overlapping an earlier token (never expected; the protocol forbids it).
    let mut clean: Vec<(Span, u32)> = Vec::with_capacity(out.len());
    for (s, ty) in out {
        if clean.last().is_some_and(|(last, _)| s.start < last.end) {
            continue;
        }
        clean.push((s, ty));
    }
    clean
}

fn header_tokens(src: &str, h: &tplc_syntax::Header, out: &mut Vec<(Span, u32)>) {
    let mut at = h.span.start;
    while at < h.span.end {
        let end = src[at..h.span.end]
            .find('\n')
            .map_or(h.span.end, |i| at + i);
        let line = &src[at..end];
        let trimmed = line.trim();
        if trimmed == "---" {
            let lead = line.len() - line.trim_start().len();
            out.push((Span::new(at + lead, at + lead + 3), 0));
        } else if trimmed.starts_with('#') {
            let lead = line.len() - line.trim_start().len();
            out.push((Span::new(at + lead, at + line.trim_end().len()), 6));
        }
        at = end + 1;
    }
    for e in &h.entries {
        out.push((e.key.span, 2));
        // The subject's text and placeholders are tokenised like the body.
        if e.key.node != "subject" {
            let ty = if e.key.node == "kind" { 9 } else { 4 };
            out.push((e.value.span, ty));
        }
    }
    for p in &h.params {
        out.push((Span::new(p.span.start, p.span.start + 5), 0));
        out.push((p.name.span, 10));
        out.push((p.ty.span, 8));
    }
}

fn body_tokens(src: &str, start: usize, end: usize, markup: bool, out: &mut Vec<(Span, u32)>) {
    for seg in segments(src, start, end) {
        match seg {
            Segment::Text(span) => {
                if markup {
                    markup_tokens(src, span, out)
                } else {
                    out.push((span, 4))
                }
            }
            Segment::Tag {
                kind: TagKind::Comment,
                span,
                ..
            } => out.push((span, 6)),
            Segment::Tag {
                span,
                inner,
                closed,
                ..
            } => {
                out.push((Span::new(span.start, span.start + 2), 11));
                if closed {
                    out.push((Span::new(span.end - 2, span.end), 11));
                }
                let (toks, _) = lex_tag(&src[inner.start..inner.end], inner.start);
                let mut prev: Option<Tok<'_>> = None;
                for (tok, s) in toks {
                    let ty = match tok {
                        Tok::Ident(w) if KEYWORDS.contains(&w) => Some(0),
                        Tok::Ident(_) => Some(match prev {
                            Some(Tok::Pipe) => 3,
                            Some(Tok::Dot) => 2,
                            _ => 1,
                        }),
                        Tok::Str(_) => Some(4),
                        Tok::Int(_) | Tok::Decimal(_) => Some(5),
                        Tok::Pipe
                        | Tok::EqEq
                        | Tok::NotEq
                        | Tok::Le
                        | Tok::Ge
                        | Tok::Lt
                        | Tok::Gt => Some(7),
                        Tok::Dot | Tok::Comma | Tok::LParen | Tok::RParen => None,
                    };
                    if let Some(ty) = ty {
                        out.push((s, ty));
                    }
                    prev = Some(tok);
                }
            }
        }
    }
}

/// `**`, a `- ` bullet at the start of a line, and the brackets of `[text](url)`.
fn markup_tokens(src: &str, span: Span, out: &mut Vec<(Span, u32)>) {
    let text = &src[span.start..span.end];
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let at_line_start = span.start + i == 0 || src.as_bytes()[span.start + i - 1] == b'\n';
        if at_line_start {
            let mut j = i;
            while j < bytes.len() && (bytes[j] == b' ' || bytes[j] == b'\t') {
                j += 1;
            }
            if bytes[j..].starts_with(b"- ") {
                out.push((Span::new(span.start + j, span.start + j + 1), 12));
            }
        }
        if bytes[i..].starts_with(b"**") {
            out.push((Span::new(span.start + i, span.start + i + 2), 12));
            i += 2;
            continue;
        }
        if bytes[i..].starts_with(b"](") {
            out.push((Span::new(span.start + i, span.start + i + 2), 12));
            if let Some(open) = text[..i].rfind('[') {
                if !text[open..i].contains('\n') {
                    out.push((Span::new(span.start + open, span.start + open + 1), 12));
                }
            }
            if let Some(close) = text[i + 2..].find(')') {
                let c = i + 2 + close;
                if !text[i..c].contains('\n') {
                    out.push((Span::new(span.start + c, span.start + c + 1), 12));
                }
            }
            i += 2;
            continue;
        }
        i += 1;
    }
}

/// Line and column of ever later offsets, each found by scanning only the text since the
/// previous one: tokens come sorted, so encoding a whole file is linear even when it is
/// one long line (a fresh scan from the line start per token was quadratic there).
struct Cursor<'a> {
    src: &'a str,
    enc: PositionEncoding,
    offset: usize,
    at: LineCol,
}

impl Cursor<'_> {
    fn units(&self, s: &str) -> u32 {
        match self.enc {
            PositionEncoding::Utf8 => s.len() as u32,
            PositionEncoding::Utf16 => s.chars().map(|c| c.len_utf16() as u32).sum(),
            PositionEncoding::Chars => s.chars().count() as u32,
        }
    }

    fn line_col(&mut self, offset: usize, index: &tplc_diagnostics::LineIndex) -> LineCol {
        let offset = offset.min(self.src.len());
        if offset < self.offset || !self.src.is_char_boundary(offset) {
            return index.line_col(self.src, offset, self.enc);
        }
        let gap = &self.src[self.offset..offset];
        match gap.rfind('\n') {
            Some(nl) => {
                self.at.line += gap.matches('\n').count() as u32;
                self.at.col = self.units(&gap[nl + 1..]);
            }
            None => self.at.col += self.units(gap),
        }
        self.offset = offset;
        self.at
    }
}

/// Encode raw tokens relative to each other, one token per line piece, with columns in
/// the negotiated encoding.
pub fn encode(src: &str, raw: &[(Span, u32)], enc: PositionEncoding) -> Vec<lsp::SemanticToken> {
    let index = tplc_diagnostics::LineIndex::new(src);
    let mut cursor = Cursor {
        src,
        enc,
        offset: 0,
        at: LineCol { line: 0, col: 0 },
    };
    let mut out = Vec::with_capacity(raw.len());
    let mut prev = LineCol { line: 0, col: 0 };
    for &(span, ty) in raw {
        // Tokens may not span lines: cut at each line break.
        let mut start = span.start;
        while start < span.end {
            let end = src[start..span.end]
                .find('\n')
                .map_or(span.end, |i| start + i);
            let piece_end = if src[start..end].ends_with('\r') {
                end - 1
            } else {
                end
            };
            if piece_end > start {
                let a = cursor.line_col(start, &index);
                let b = cursor.line_col(piece_end, &index);
                let delta_line = a.line - prev.line;
                let delta_start = if delta_line == 0 {
                    a.col - prev.col
                } else {
                    a.col
                };
                out.push(lsp::SemanticToken {
                    delta_line,
                    delta_start,
                    length: b.col - a.col,
                    token_type: ty,
                    token_modifiers_bitset: 0,
                });
                prev = a;
            }
            start = end + 1;
        }
    }
    out
}
