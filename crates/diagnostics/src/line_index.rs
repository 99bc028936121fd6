//! Byte offsets ↔ line/column in the encodings front ends need.

/// Which unit a column counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PositionEncoding {
    /// Bytes of UTF-8.
    Utf8,
    /// UTF-16 code units (the LSP default).
    Utf16,
    /// Unicode scalar values (what the CLI prints).
    Chars,
}

/// A 0-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

/// Bytes between two [`LineIndex`] checkpoints.
const CHECKPOINT_BYTES: usize = 256;

/// Line starts of one text, computed once, so every conversion is a binary search
/// plus a scan of at most [`CHECKPOINT_BYTES`] (never a rescan of the file, nor of a
/// whole line: a file can be one line of megabytes with a problem every few bytes).
#[derive(Clone, Debug)]
pub struct LineIndex {
    line_starts: Vec<usize>,
    /// Characters and UTF-16 units before every [`CHECKPOINT_BYTES`]-th byte.
    checkpoints: Vec<Units>,
    len: usize,
}

/// Characters and UTF-16 units in a stretch of text.
#[derive(Clone, Copy, Debug, Default)]
struct Units {
    chars: usize,
    utf16: usize,
}

impl Units {
    /// Counted from the bytes, so a stretch may start or end inside a character: a
    /// character counts at its first byte, and a 4-byte one as two UTF-16 units.
    fn of(bytes: &[u8]) -> Units {
        let mut u = Units::default();
        for &b in bytes {
            if b & 0xC0 != 0x80 {
                u.chars += 1;
                u.utf16 += 1 + usize::from(b >= 0xF0);
            }
        }
        u
    }
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(memchr_newlines(text.as_bytes()));
        let mut checkpoints = Vec::with_capacity(text.len() / CHECKPOINT_BYTES + 1);
        let mut total = Units::default();
        for block in text.as_bytes().chunks(CHECKPOINT_BYTES) {
            checkpoints.push(total);
            let u = Units::of(block);
            total.chars += u.chars;
            total.utf16 += u.utf16;
        }
        LineIndex {
            line_starts,
            checkpoints,
            len: text.len(),
        }
    }

    /// Units from the start of the text to `offset` (a character boundary).
    fn units_before(&self, text: &str, offset: usize) -> Units {
        let block = offset / CHECKPOINT_BYTES;
        let base = self.checkpoints.get(block).copied().unwrap_or_default();
        let from = (block * CHECKPOINT_BYTES).min(offset);
        let rest = Units::of(&text.as_bytes()[from..offset]);
        Units {
            chars: base.chars + rest.chars,
            utf16: base.utf16 + rest.utf16,
        }
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte offset where 0-based `line` starts (clamped to the end of the text).
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts.get(line).copied().unwrap_or(self.len)
    }

    /// 0-based line and column of a byte offset. Offsets inside a character or past the
    /// end are clamped to the nearest boundary before it.
    pub fn line_col(&self, text: &str, offset: usize, enc: PositionEncoding) -> LineCol {
        let offset = floor_char_boundary(text, offset.min(self.len));
        let line = match self.line_starts.binary_search(&offset) {
            Ok(l) => l,
            Err(l) => l - 1,
        };
        let start = self.line_starts[line];
        let units = if offset - start <= CHECKPOINT_BYTES {
            Units::of(&text.as_bytes()[start..offset])
        } else {
            let (a, b) = (
                self.units_before(text, start),
                self.units_before(text, offset),
            );
            Units {
                chars: b.chars - a.chars,
                utf16: b.utf16 - a.utf16,
            }
        };
        let col = match enc {
            PositionEncoding::Utf8 => offset - start,
            PositionEncoding::Utf16 => units.utf16,
            PositionEncoding::Chars => units.chars,
        };
        LineCol {
            line: line as u32,
            col: col as u32,
        }
    }

    /// Byte offset of a 0-based line/column. A column past the end of its line clamps
    /// to the line end (before the newline); a line past the end clamps to the text end.
    /// A column in the middle of a UTF-16 surrogate pair rounds down to the character.
    pub fn offset(&self, text: &str, pos: LineCol, enc: PositionEncoding) -> usize {
        let line = pos.line as usize;
        if line >= self.line_starts.len() {
            return self.len;
        }
        let start = self.line_starts[line];
        let end = self
            .line_starts
            .get(line + 1)
            .map(|&next| next - 1)
            .unwrap_or(self.len);
        let line_text = &text[start..end];
        let want = pos.col as usize;
        let mut units = 0;
        for (i, ch) in line_text.char_indices() {
            if units >= want {
                return start + i;
            }
            let w = match enc {
                PositionEncoding::Utf8 => ch.len_utf8(),
                PositionEncoding::Utf16 => ch.len_utf16(),
                PositionEncoding::Chars => 1,
            };
            if units + w > want {
                return start + i;
            }
            units += w;
        }
        // Strip a trailing '\r' so a column never lands between '\r' and '\n'.
        if line_text.ends_with('\r') && want >= units {
            return end - 1;
        }
        end
    }
}

fn memchr_newlines(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    bytes
        .iter()
        .enumerate()
        .filter(|(_, &b)| b == b'\n')
        .map(|(i, _)| i + 1)
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_in_every_encoding() {
        // "é" is 2 bytes / 1 unit; "😀" is 4 bytes / 2 UTF-16 units / 1 char; "漢" 3 bytes.
        let text = "ab\né😀漢x\n";
        let idx = LineIndex::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(
            idx.line_col(text, x, PositionEncoding::Utf8),
            LineCol { line: 1, col: 9 }
        );
        assert_eq!(
            idx.line_col(text, x, PositionEncoding::Utf16),
            LineCol { line: 1, col: 4 }
        );
        assert_eq!(
            idx.line_col(text, x, PositionEncoding::Chars),
            LineCol { line: 1, col: 3 }
        );
        for enc in [
            PositionEncoding::Utf8,
            PositionEncoding::Utf16,
            PositionEncoding::Chars,
        ] {
            let lc = idx.line_col(text, x, enc);
            assert_eq!(idx.offset(text, lc, enc), x, "{enc:?}");
        }
    }

    #[test]
    fn columns_far_along_one_long_line_match_a_plain_count() {
        let line = "ab é😀漢 {{ ".repeat(3_000);
        let text = format!("x\n{line}\nend");
        let idx = LineIndex::new(&text);
        for (i, (offset, _)) in text.char_indices().enumerate() {
            if i % 97 != 0 {
                continue;
            }
            let start = text[..offset].rfind('\n').map_or(0, |n| n + 1);
            let seg = &text[start..offset];
            let want = |enc| match enc {
                PositionEncoding::Utf8 => seg.len(),
                PositionEncoding::Utf16 => seg.chars().map(char::len_utf16).sum(),
                PositionEncoding::Chars => seg.chars().count(),
            };
            for enc in [
                PositionEncoding::Utf8,
                PositionEncoding::Utf16,
                PositionEncoding::Chars,
            ] {
                let lc = idx.line_col(&text, offset, enc);
                assert_eq!(lc.col as usize, want(enc), "{offset} {enc:?}");
                assert_eq!(idx.offset(&text, lc, enc), offset, "{offset} {enc:?}");
            }
        }
    }

    #[test]
    fn combining_characters_count_per_scalar() {
        let text = "e\u{301}x";
        let idx = LineIndex::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(idx.line_col(text, x, PositionEncoding::Chars).col, 2);
        assert_eq!(idx.line_col(text, x, PositionEncoding::Utf16).col, 2);
        assert_eq!(idx.line_col(text, x, PositionEncoding::Utf8).col, 3);
    }

    #[test]
    fn out_of_range_positions_clamp() {
        let text = "ab\r\ncd";
        let idx = LineIndex::new(text);
        assert_eq!(
            idx.offset(text, LineCol { line: 0, col: 99 }, PositionEncoding::Utf16),
            2
        );
        assert_eq!(
            idx.offset(text, LineCol { line: 9, col: 0 }, PositionEncoding::Utf16),
            6
        );
        // Middle of a surrogate pair rounds down to the emoji's start.
        let text = "😀a";
        let idx = LineIndex::new(text);
        assert_eq!(
            idx.offset(text, LineCol { line: 0, col: 1 }, PositionEncoding::Utf16),
            0
        );
        assert_eq!(idx.line_col(text, 2, PositionEncoding::Utf16).col, 0);
    }
}
