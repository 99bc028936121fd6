//! `Content-Length` framed messages read from a byte stream that may be hostile. Memory
//! stays bounded whatever arrives: header lines are capped, an oversized body is dropped
//! as it streams in, and bytes that form no header block are skipped. The reader always
//! finds the next message again: a `Content-Length` header seen where it cannot belong
//! (after junk, or inside a body) starts a new message there.
//!
//! Why a header inside a body marks a broken message: in JSON, `Content-Length` can only
//! occur inside a string, and a string cannot hold a raw line break, so the bytes
//! `Content-Length: <digits>` followed by a line break never occur in a valid body. A body
//! that holds them was cut short and the next message's header followed.

use memchr::{memchr, memchr_iter};
use tokio::io::{AsyncRead, AsyncReadExt};

/// Longest header line; the bytes of a longer one are dropped as they stream in (only its
/// last bytes are kept, to find a header that follows the junk on the same line).
pub const MAX_HEADER_LINE: usize = 8 * 1024;
/// Most lines in one header block (LSP defines two headers).
pub const MAX_HEADER_LINES: usize = 16;
/// Bytes read from the input at a time.
const CHUNK: usize = 64 * 1024;
/// Bytes kept from one read to the next while dropping a body, so that a header split
/// across two reads is still seen.
const HEADER_SPAN: usize = 256;

pub enum Frame {
    /// A whole body, as long as its header declared.
    Body(Vec<u8>),
    /// Bytes that are not a readable message; the caller answers with a parse error.
    Unreadable(Unreadable),
}

pub enum Unreadable {
    /// Bytes that are no header block, or a block without a valid `Content-Length`.
    Header,
    /// A body longer than the limit (skipped without being kept).
    TooLarge,
    /// A body cut short by the next message's header.
    CutShort,
}

/// What [`FrameReader::take`] found in the bytes it was asked for.
enum Taken {
    Whole(Vec<u8>),
    CutShort,
}

pub struct FrameReader<R> {
    input: R,
    /// Bytes read but not yet taken are `buf[pos..]`.
    buf: Vec<u8>,
    pos: usize,
    max_body: usize,
    /// Body bytes of the last unreadable message, dropped before the next one is read.
    skip: usize,
}

impl<R: AsyncRead + Unpin> FrameReader<R> {
    /// A reader that keeps bodies up to `max_body` bytes; longer ones are skipped.
    pub fn new(input: R, max_body: usize) -> Self {
        FrameReader {
            input,
            buf: Vec::new(),
            pos: 0,
            max_body,
            skip: 0,
        }
    }

    /// The next message, or `None` once the input ends (or fails), even mid-message.
    pub async fn next_frame(&mut self) -> Option<Frame> {
        let skip = std::mem::take(&mut self.skip);
        if skip > 0 {
            // Cut short or not, the next message starts where this stops.
            self.take(skip, false).await?;
        }
        let mut lines = 0;
        let mut len: Option<usize> = None;
        let mut broken = false;
        loop {
            let line = self.read_line().await?;
            if !line.overlong && line.tail.is_empty() {
                if lines == 0 {
                    // Blank lines between messages.
                    continue;
                }
                break;
            }
            lines += 1;
            broken |= lines > MAX_HEADER_LINES;
            match content_length_at_end(&line.tail) {
                Some((0, value)) if !line.overlong && !broken && len.is_none() => {
                    len = value;
                    broken |= value.is_none();
                }
                Some((start, _)) => {
                    // A `Content-Length` after junk, or after this block's own: what came
                    // before it is one unreadable message, and a new one starts here.
                    let mut rest = line.tail[start..].to_vec();
                    rest.push(b'\n');
                    self.unread(&rest);
                    return Some(Frame::Unreadable(Unreadable::Header));
                }
                None => broken |= line.overlong || !is_other_header(&line.tail),
            }
        }
        let Some(len) = len else {
            return Some(Frame::Unreadable(Unreadable::Header));
        };
        if broken || len > self.max_body {
            // The length is known: its body goes too, so it is not read as headers.
            self.skip = len;
            let why = if broken {
                Unreadable::Header
            } else {
                Unreadable::TooLarge
            };
            return Some(Frame::Unreadable(why));
        }
        Some(match self.take(len, true).await? {
            Taken::Whole(body) => Frame::Body(body),
            Taken::CutShort => Frame::Unreadable(Unreadable::CutShort),
        })
    }

    /// The next `len` bytes, kept (`keep`) or dropped as they stream in. Stops early where
    /// a header line shows up in them: the header and what follows it are read again.
    async fn take(&mut self, len: usize, keep: bool) -> Option<Taken> {
        let mut seen = Vec::with_capacity(if keep {
            len.min(16 * CHUNK)
        } else {
            HEADER_SPAN + CHUNK
        });
        let mut left = len;
        while left > 0 {
            if !self.fill().await {
                return None;
            }
            let n = left.min(self.buf.len() - self.pos);
            let from = seen.len();
            seen.extend_from_slice(&self.buf[self.pos..self.pos + n]);
            self.pos += n;
            left -= n;
            if let Some(start) = header_line_in(&seen, from) {
                let rest = seen.split_off(start);
                self.unread(&rest);
                return Some(Taken::CutShort);
            }
            if !keep && seen.len() > HEADER_SPAN {
                seen.drain(..seen.len() - HEADER_SPAN);
            }
        }
        Some(Taken::Whole(seen))
    }

    /// The next line without its line break; of a line longer than [`MAX_HEADER_LINE`]
    /// only the last bytes are kept. `None` when the input ends first.
    async fn read_line(&mut self) -> Option<Line> {
        let mut line = Line {
            tail: Vec::new(),
            overlong: false,
        };
        loop {
            if !self.fill().await {
                return None;
            }
            let available = &self.buf[self.pos..];
            let end = memchr(b'\n', available);
            let part = &available[..end.unwrap_or(available.len())];
            line.tail.extend_from_slice(part);
            self.pos += part.len();
            if line.tail.len() > MAX_HEADER_LINE {
                line.overlong = true;
                line.tail.drain(..line.tail.len() - MAX_HEADER_LINE);
            }
            if end.is_some() {
                self.pos += 1;
                if line.tail.last() == Some(&b'\r') {
                    line.tail.pop();
                }
                return Some(line);
            }
        }
    }

    /// Make sure some bytes are waiting; false at the end of the input or on an error.
    async fn fill(&mut self) -> bool {
        if self.pos < self.buf.len() {
            return true;
        }
        self.buf.clear();
        self.pos = 0;
        self.buf.reserve(CHUNK);
        matches!(self.input.read_buf(&mut self.buf).await, Ok(n) if n > 0)
    }

    /// Put `bytes` back in front of the unread input.
    fn unread(&mut self, bytes: &[u8]) {
        self.buf.splice(self.pos..self.pos, bytes.iter().copied());
    }
}

struct Line {
    /// The line, or its last [`MAX_HEADER_LINE`] bytes when it is `overlong`.
    tail: Vec<u8>,
    overlong: bool,
}

/// Where the first header line ending in `bytes[from..]` starts.
fn header_line_in(bytes: &[u8], from: usize) -> Option<usize> {
    memchr_iter(b'\n', &bytes[from..]).find_map(|i| {
        let line = &bytes[..from + i];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        content_length_at_end(line).map(|(start, _)| start)
    })
}

/// Whether `line` ends with a `Content-Length: <digits>` header: where it starts, and its
/// value (`None` when too large to be a length).
fn content_length_at_end(line: &[u8]) -> Option<(usize, Option<usize>)> {
    const NAME: &[u8] = b"content-length:";
    let blank = |b: u8| b == b' ' || b == b'\t';
    let mut end = line.len();
    while end > 0 && blank(line[end - 1]) {
        end -= 1;
    }
    let mut digits = end;
    while digits > 0 && line[digits - 1].is_ascii_digit() {
        digits -= 1;
    }
    if digits == end {
        return None;
    }
    let mut name_end = digits;
    while name_end > 0 && blank(line[name_end - 1]) {
        name_end -= 1;
    }
    let start = name_end.checked_sub(NAME.len())?;
    if !line[start..name_end].eq_ignore_ascii_case(NAME) {
        return None;
    }
    let value = std::str::from_utf8(&line[digits..end])
        .ok()
        .and_then(|v| v.parse().ok());
    Some((start, value))
}

/// A well-formed header other than `Content-Length` (`Content-Type`, or one this server
/// does not know): a token, a colon, printable ASCII.
fn is_other_header(line: &[u8]) -> bool {
    let Some(colon) = memchr(b':', line) else {
        return false;
    };
    let (name, value) = (&line[..colon], &line[colon + 1..]);
    let token = |b: &u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(b);
    !name.is_empty()
        && name.iter().all(token)
        && !name.eq_ignore_ascii_case(b"content-length")
        && value
            .iter()
            .all(|&b| b == b'\t' || (b' '..=b'~').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn frames(input: &[u8]) -> Vec<String> {
        let mut reader = FrameReader::new(input, 64);
        let mut out = Vec::new();
        while let Some(f) = reader.next_frame().await {
            out.push(match f {
                Frame::Body(b) => String::from_utf8_lossy(&b).into_owned(),
                Frame::Unreadable(Unreadable::Header) => "<header>".into(),
                Frame::Unreadable(Unreadable::TooLarge) => "<too large>".into(),
                Frame::Unreadable(Unreadable::CutShort) => "<cut short>".into(),
            });
        }
        out
    }

    #[tokio::test]
    async fn well_formed_messages_pass_whole() {
        let got = frames(
            b"Content-Length: 2\r\n\r\n{}\r\n\
              Content-Type: application/vscode-jsonrpc; charset=utf-8\r\ncontent-length:3\r\n\r\n[1]",
        )
        .await;
        assert_eq!(got, ["{}", "[1]"]);
    }

    #[tokio::test]
    async fn junk_and_broken_blocks_resynchronise_on_the_next_header() {
        let next = "Content-Length: 2\r\n\r\n{}";
        // 65 bytes: one more than the limit.
        let large = format!("[\"{}\"]", "a".repeat(61));
        let cases: Vec<(Vec<u8>, &[&str])> = vec![
            // Not UTF-8 on its own line, and glued to the next header.
            (
                [&b"\xff\xfe\r\n\r\n"[..], next.as_bytes()].concat(),
                &["<header>", "{}"],
            ),
            (
                [&b"\xff\xfe"[..], next.as_bytes()].concat(),
                &["<header>", "{}"],
            ),
            // A bad header line: the declared body is skipped with its block.
            (
                [
                    &b"Content-Length: 3\r\nX: \xff\r\n\r\n[1]"[..],
                    next.as_bytes(),
                ]
                .concat(),
                &["<header>", "{}"],
            ),
            // A header cut short, and a block with two lengths.
            (
                format!("Content-Len{next}").into_bytes(),
                &["<header>", "{}"],
            ),
            (
                format!("Content-Length: 9\r\n{next}").into_bytes(),
                &["<header>", "{}"],
            ),
            // Too large: exactly the declared bytes are skipped.
            (
                format!("Content-Length: {}\r\n\r\n{large}{next}", large.len()).into_bytes(),
                &["<too large>", "{}"],
            ),
            // A body shorter than declared, followed by the next message.
            (
                format!("Content-Length: 50\r\n\r\n{{\"a\"{next}").into_bytes(),
                &["<cut short>", "{}"],
            ),
            // A length with no body to match it, then a valid message.
            (
                format!("Content-Length: 99999999999999999999999\r\n\r\n{next}").into_bytes(),
                &["<header>", "{}"],
            ),
        ];
        for (input, want) in cases {
            assert_eq!(
                frames(&input).await,
                want,
                "{:?}",
                String::from_utf8_lossy(&input)
            );
        }
    }

    #[tokio::test]
    async fn header_lines_are_bounded() {
        let mut input = vec![b'x'; 5 * MAX_HEADER_LINE];
        input.extend_from_slice(b"Content-Length: 2\r\n\r\n{}");
        input.extend_from_slice(&b"X-A: b\r\n".repeat(MAX_HEADER_LINES + 1));
        input.extend_from_slice(b"Content-Length: 2\r\n\r\n[]");
        assert_eq!(frames(&input).await, ["<header>", "{}", "<header>", "[]"]);
    }

    #[test]
    fn a_header_inside_valid_json_is_impossible() {
        // The same words inside strings, with escaped line breaks, are not a header.
        let body = br#"{"text": "Content-Length: 12\r\n", "b": "content-length:1"}"#;
        assert_eq!(header_line_in(body, 0), None);
        assert_eq!(header_line_in(b"x\"Content-Length: 12\r\n", 0), Some(2));
    }
}
