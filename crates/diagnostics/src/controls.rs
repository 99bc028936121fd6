//! Characters that must not reach a reader raw, and text made safe to print.
//!
//! Control characters (C0 other than line feed and tab, DEL, C1) would be obeyed by a
//! terminal: `ESC[2J` clears the screen, OSC 8 hides a link behind harmless text, a
//! carriage return lets later text overwrite earlier text. Bidirectional overrides and
//! isolates (U+202A–U+202E, U+2066–U+2069) reorder what is shown. Every front end that
//! prints text from templates or mail passes it through [`escape_controls`] or
//! [`control_pictures`]; the HTML artifacts drop the same characters from data.

use std::borrow::Cow;

/// Whether `c` must not reach a terminal or a page as it is.
pub fn is_unsafe_control(c: char) -> bool {
    match c {
        '\n' | '\t' => false,
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => true,
        c => c.is_control(),
    }
}

/// `s` with each unsafe character written as an escape: `\x1b`, `\r`, `\u{202e}`.
/// Text without such characters is returned as it is.
pub fn escape_controls(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe_control) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '\r' => out.push_str("\\r"),
            c if is_unsafe_control(c) && (c as u32) < 0x80 => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if is_unsafe_control(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Source text shown with its columns intact: each unsafe character becomes exactly one
/// visible character (C0 and DEL their Control Pictures symbol `␛`, `␍`, `␡`; C1 and
/// bidirectional controls `�`), so character positions do not move. A carriage return
/// before a line feed is a line ending and stays.
pub fn control_pictures(s: &str) -> Cow<'_, str> {
    let unsafe_at = |i: usize, c: char| is_unsafe_control(c) && !is_crlf(s, i, c);
    if !s.char_indices().any(|(i, c)| unsafe_at(i, c)) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.char_indices()
            .map(|(i, c)| if unsafe_at(i, c) { picture(c) } else { c })
            .collect(),
    )
}

fn is_crlf(s: &str, i: usize, c: char) -> bool {
    c == '\r' && s.as_bytes().get(i + 1) == Some(&b'\n')
}

fn picture(c: char) -> char {
    match c as u32 {
        n @ 0..=0x1f => char::from_u32(0x2400 + n).unwrap_or('\u{fffd}'),
        0x7f => '\u{2421}',
        _ => '\u{fffd}',
    }
}

/// Maps byte offsets in a text to byte offsets in its [`control_pictures`] form, whose
/// replacement characters are longer in UTF-8 than the characters they replace.
pub struct PictureOffsets {
    /// (offset in the original just past a replaced character, bytes added so far).
    shifts: Vec<(usize, usize)>,
}

impl PictureOffsets {
    pub fn new(original: &str) -> Self {
        let mut shifts = Vec::new();
        let mut added = 0;
        for (i, c) in original.char_indices() {
            if is_unsafe_control(c) && !is_crlf(original, i, c) {
                added += picture(c).len_utf8() - c.len_utf8();
                shifts.push((i + c.len_utf8(), added));
            }
        }
        PictureOffsets { shifts }
    }

    /// Where `offset` of the original is in the pictured text.
    pub fn map(&self, offset: usize) -> usize {
        let passed = self.shifts.partition_point(|&(end, _)| end <= offset);
        offset + passed.checked_sub(1).map_or(0, |i| self.shifts[i].1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_control_and_bidi_characters() {
        assert_eq!(escape_controls("plain\ttext\n"), "plain\ttext\n");
        assert!(matches!(escape_controls("plain"), Cow::Borrowed(_)));
        assert_eq!(
            escape_controls("a\u{1b}[2Jb\u{7f}\r\u{9b}\u{202e}\u{2066}"),
            "a\\x1b[2Jb\\x7f\\r\\u{9b}\\u{202e}\\u{2066}"
        );
    }

    #[test]
    fn pictures_keep_character_positions() {
        let src = "a\u{1b}]8;;https://x\u{7}b\r\nc\rd\u{202e}é";
        let shown = control_pictures(src);
        assert_eq!(shown, "a␛]8;;https://x␇b\r\nc␍d\u{fffd}é");
        assert_eq!(shown.chars().count(), src.chars().count());
        let offsets = PictureOffsets::new(src);
        for (i, c) in src.char_indices() {
            let j = offsets.map(i);
            let mapped = shown[j..].chars().next().unwrap();
            assert_eq!(mapped == c, !is_unsafe_control(c) || is_crlf(src, i, c));
        }
        assert_eq!(offsets.map(src.len()), shown.len());
    }
}
