//! Text with a source origin for every byte, and the passes that turn template text into
//! what the matchers read: markup removal (links kept aside) and normalisation.
//!
//! Every pass keeps, for each output byte, the source range it came from, so a match in
//! normalised text ("g o o d" read as "good") still points at the original characters.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Where a byte of prose came from: a byte range in one file (0 = the checked file,
/// others index the include table of the analysis).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Origin {
    pub file: u32,
    pub start: u32,
    pub end: u32,
}

impl Origin {
    pub fn new(file: u32, start: usize, end: usize) -> Self {
        Origin {
            file,
            start: start as u32,
            end: end as u32,
        }
    }
}

/// Stands for a `{{ placeholder }}` in prose: not a letter, digit or space, so it is a word
/// boundary and never part of a number or an e-mail address.
pub const PLACEHOLDER: char = '\u{E000}';
/// A hard sentence break that markup implies (blank line, bullet).
pub const BREAK: char = '\u{2029}';

/// A string plus one origin per byte. Every byte of a character has the origin of the
/// character, so a run of bytes can be copied with its origins in one go.
#[derive(Clone, Debug, Default)]
pub struct Mapped {
    pub text: String,
    pub origins: Vec<Origin>,
}

impl Mapped {
    pub fn with_capacity(bytes: usize) -> Mapped {
        Mapped {
            text: String::with_capacity(bytes),
            origins: Vec::with_capacity(bytes),
        }
    }
    #[inline]
    pub fn push(&mut self, c: char, o: Origin) {
        self.text.push(c);
        match c.len_utf8() {
            1 => self.origins.push(o),
            n => self.origins.extend(std::iter::repeat_n(o, n)),
        }
    }
    pub fn push_str(&mut self, s: &str, o: Origin) {
        self.text.push_str(s);
        self.origins.extend(std::iter::repeat_n(o, s.len()));
    }
    /// Append `s` with one origin per byte (a run of another `Mapped`).
    fn extend_from(&mut self, s: &str, origins: &[Origin]) {
        debug_assert_eq!(s.len(), origins.len());
        self.text.push_str(s);
        self.origins.extend_from_slice(origins);
    }
    /// Origins of a byte range (clamped).
    pub fn origins_of(&self, start: usize, end: usize) -> &[Origin] {
        let end = end.min(self.origins.len());
        let start = start.min(end);
        &self.origins[start..end]
    }
    fn last_char(&self) -> Option<char> {
        self.text.chars().next_back()
    }
}

/// A link found in markup or bare in the text.
#[derive(Clone, Debug)]
pub struct Link {
    /// The URL as written (placeholders appear as [`PLACEHOLDER`]).
    pub url: String,
    pub origins: Vec<Origin>,
}

/// Remove light markup: `**`, `- ` bullets, `[text](url)` (text kept, URL set aside),
/// blank lines become [`BREAK`], single line breaks become spaces.
///
/// Every marker is ASCII, so the text is walked by bytes and the runs between markers
/// are copied whole.
pub fn strip_markup(raw: &Mapped) -> (Mapped, Vec<Link>) {
    let text = raw.text.as_str();
    let b = text.as_bytes();
    let n = b.len();
    let mut out = Mapped::with_capacity(n);
    let mut links = Vec::new();
    let mut i = 0;
    let mut at_line_start = true;
    let mut no_link_before = 0;
    while i < n {
        if at_line_start {
            // Skip indentation, then a bullet marker.
            let mut j = i;
            while j < n && (b[j] == b' ' || b[j] == b'\t') {
                j += 1;
            }
            if j + 1 < n && matches!(b[j], b'-' | b'*' | b'+') && b[j + 1] == b' ' {
                out.push(BREAK, raw.origins[j]);
                i = j + 2;
                at_line_start = false;
                continue;
            }
            at_line_start = false;
        }
        match b[i] {
            b'\n' => {
                // A blank line (only spaces between two breaks) ends a paragraph.
                let mut j = i + 1;
                while j < n && matches!(b[j], b' ' | b'\t' | b'\r') {
                    j += 1;
                }
                if j < n && b[j] == b'\n' {
                    out.push(BREAK, raw.origins[i]);
                    i = j + 1;
                } else {
                    out.push(' ', raw.origins[i]);
                    i += 1;
                }
                at_line_start = true;
            }
            b'*' if b.get(i + 1) == Some(&b'*') => i += 2,
            b'[' if i >= no_link_before => match find_link(b, i) {
                Ok((text_end, url_end)) => {
                    out.extend_from(&text[i + 1..text_end], &raw.origins[i + 1..text_end]);
                    let url = &text[text_end + 2..url_end];
                    links.push(Link {
                        url: url.to_string(),
                        origins: url
                            .char_indices()
                            .map(|(k, _)| raw.origins[text_end + 2 + k])
                            .collect(),
                    });
                    i = url_end + 1;
                }
                Err(x) => {
                    no_link_before = x;
                    out.push('[', raw.origins[i]);
                    i += 1;
                }
            },
            _ => {
                // Up to the next byte that may start markup (never inside a character).
                let start = i;
                i += 1;
                while i < n && !matches!(b[i], b'\n' | b'*' | b'[') {
                    i += 1;
                }
                out.extend_from(&text[start..i], &raw.origins[start..i]);
            }
        }
    }
    (out, links)
}

/// `[text](url)` starting at byte `open`: the offsets of `]` and of `)`. The same reading
/// as the renderer's (`tplc_compile`), so every link it prints is a link checked here:
/// the text runs to the first `](` on the line and is not empty, the target runs to the
/// next `)` and is not empty (it may hold spaces: `[x]( javascript:…)` is a link).
///
/// On failure, the offset before which no other `[` can start a link either (each would
/// stop at the same `](` or line end), so a line of brackets is read once, not once per
/// bracket.
fn find_link(b: &[u8], open: usize) -> Result<(usize, usize), usize> {
    let mut j = open + 1;
    loop {
        let Some(&c) = b.get(j) else {
            return Err(j);
        };
        if c == b'\n' {
            return Err(j);
        }
        if c == b']' && b.get(j + 1) == Some(&b'(') {
            break;
        }
        j += 1;
    }
    if j == open + 1 {
        return Err(open + 1);
    }
    let mut k = j + 2;
    loop {
        match b.get(k) {
            Some(b')') => break,
            Some(b'\n') | None => return Err(k),
            Some(_) => k += 1,
        }
    }
    if k == j + 2 {
        return Err(j);
    }
    Ok((j, k))
}

pub(crate) fn is_invisible(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{034F}' | '\u{180E}')
}

fn is_star(c: char) -> bool {
    matches!(
        c,
        '⭐' | '★' | '🌟' | '✩' | '✪' | '✫' | '✬' | '✭' | '✮' | '✯' | '✰' | '☆'
    )
}

/// Latin look-alikes among Cyrillic and Greek letters (lower case, after folding).
fn confusable(c: char) -> char {
    match c {
        'а' => 'a',
        'в' => 'b',
        'е' | 'ё' => 'e',
        'к' => 'k',
        'м' => 'm',
        'н' => 'h',
        'о' => 'o',
        'р' => 'p',
        'с' => 'c',
        'т' => 't',
        'у' => 'y',
        'х' => 'x',
        'і' => 'i',
        'ј' => 'j',
        'ѕ' => 's',
        'ԁ' => 'd',
        'ԛ' => 'q',
        'ԝ' => 'w',
        'ɡ' => 'g',
        'α' => 'a',
        'ο' | 'σ' => 'o',
        'ν' => 'v',
        'ρ' => 'p',
        'ι' => 'i',
        'κ' => 'k',
        'τ' => 't',
        'υ' => 'u',
        'χ' => 'x',
        'ε' => 'e',
        'η' => 'n',
        'μ' => 'u',
        'β' => 'b',
        '’' | '‘' | 'ʼ' | '`' | '´' | '′' => '\'',
        '“' | '”' | '„' | '«' | '»' => '"',
        _ => c,
    }
}

/// The character at byte `at` of `text`, if any.
#[inline]
pub(crate) fn char_at(text: &str, at: usize) -> Option<char> {
    match text.as_bytes().get(at) {
        Some(&b) if b.is_ascii() => Some(b as char),
        Some(_) => text.get(at..).and_then(|t| t.chars().next()),
        None => None,
    }
}

/// Blocks whose characters, standing alone in their cluster (no combining mark follows),
/// are read through a table: Latin, Greek, Cyrillic and the rest below U+0800,
/// punctuation and currency signs, CJK symbols and kana, full-width forms.
const LONE_BLOCKS: [std::ops::Range<u32>; 4] =
    [0x80..0x800, 0x2000..0x2100, 0x3000..0x3100, 0xFF00..0xFFF0];

/// What a character standing alone in its cluster reads as, for [`LONE_BLOCKS`]. Computed
/// once with the same NFKC and case mapping as any other cluster, which are costly per
/// character.
fn lone_char(c: char) -> Option<&'static str> {
    static TABLE: std::sync::OnceLock<Vec<Box<str>>> = std::sync::OnceLock::new();
    let n = c as u32;
    let mut at = 0;
    for block in &LONE_BLOCKS {
        if block.contains(&n) {
            at += n - block.start;
            let table = TABLE.get_or_init(|| {
                LONE_BLOCKS
                    .iter()
                    .flat_map(|b| b.clone())
                    .map(|n| {
                        char::from_u32(n)
                            .map(|c| {
                                std::iter::once(c)
                                    .nfkc()
                                    .flat_map(char::to_lowercase)
                                    .map(confusable)
                                    .collect::<String>()
                            })
                            .unwrap_or_default()
                            .into_boxed_str()
                    })
                    .collect()
            });
            return table.get(at as usize).map(|s| &**s);
        }
        at += block.end - block.start;
    }
    None
}

/// `char::is_alphanumeric`, answering the letters of Japanese text (kana, CJK ideographs)
/// and of Latin-script European languages without the Unicode tables. A test checks it
/// against `char::is_alphanumeric` for every character.
#[inline]
pub(crate) fn is_alnum(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        is_common_letter(c) || !is_common_other(c) && c.is_alphanumeric()
    }
}

/// `char::is_alphabetic`, with the same shortcut as [`is_alnum`].
#[inline]
pub(crate) fn is_alpha(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphabetic()
    } else {
        is_common_letter(c) || !is_common_other(c) && c.is_alphabetic()
    }
}

/// Placeholders, general punctuation (paragraph breaks, dashes, quotes), CJK and
/// full-width punctuation: frequent in prose, neither letters nor digits.
#[inline]
fn is_common_other(c: char) -> bool {
    matches!(c, PLACEHOLDER | '\u{2000}'..='\u{206F}' | '\u{3000}'..='\u{3004}' | '\u{FF01}'..='\u{FF0F}')
}

/// Latin-1 and Latin Extended letters, hiragana, katakana and CJK ideographs.
#[inline]
fn is_common_letter(c: char) -> bool {
    matches!(c, '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{24F}' | '\u{3041}'..='\u{3096}' | '\u{30A1}'..='\u{30FA}' | '\u{4E00}'..='\u{9FFF}')
}

/// NFKC, case folding, invisible characters removed, confusables mapped, whitespace
/// collapsed, star-symbol ratings spelled out, letters spaced or dotted apart joined.
pub fn normalize(prose: &Mapped) -> Mapped {
    let text = prose.text.as_str();
    let bytes = text.as_bytes();
    let mut out = Mapped::with_capacity(text.len());
    let mut i = 0;
    // ASCII that is read as itself, lower-cased: not white space (collapsed) nor '`' (a
    // quote).
    let plain = |b: u8| b.is_ascii() && !b.is_ascii_whitespace() && b != 0x0B && b != b'`';
    while i < bytes.len() {
        // Most prose is ASCII: a character followed by ASCII (or the end) is a cluster of
        // its own and its own NFKC form, so it only needs lower-casing. Copy such runs
        // whole.
        let mut end = i + bytes[i..].iter().take_while(|&&b| plain(b)).count();
        if bytes.get(end).is_some_and(|b| !b.is_ascii()) {
            // The last one may take a combining mark.
            end = end.saturating_sub(1).max(i);
        }
        if end > i {
            let at = out.text.len();
            out.extend_from(&text[i..end], &prose.origins[i..end]);
            out.text[at..].make_ascii_lowercase();
            i = end;
            continue;
        }
        let b = bytes[i];
        if b == b'`' && bytes.get(i + 1).is_none_or(u8::is_ascii) {
            out.push('\'', prose.origins[i]);
            i += 1;
            continue;
        }
        let Some(c) = char_at(text, i) else { break };
        let next = i + c.len_utf8();
        // White space first: it is the most frequent character here.
        if c.is_whitespace() && c != BREAK {
            let o = prose.origins[i];
            let mut j = next;
            while let Some(w) = char_at(text, j).filter(|&w| w.is_whitespace() && w != BREAK) {
                j += w.len_utf8();
            }
            if !out.text.ends_with([' ', BREAK]) {
                out.push(' ', o);
            }
            i = j;
            continue;
        }
        if is_invisible(c) {
            i = next;
            continue;
        }
        if is_star(c) {
            let mut j = i;
            let mut end = i;
            let mut n = 0;
            while let Some(s) =
                char_at(text, j).filter(|&s| is_star(s) || s == '\u{FE0F}' || s == ' ')
            {
                if is_star(s) {
                    n += 1;
                }
                j += s.len_utf8();
                end = j;
            }
            let o = cover(&prose.origins[i..end]);
            if !matches!(out.last_char(), None | Some(' ')) {
                out.push(' ', o);
            }
            out.push_str(&format!("{n}-star "), o);
            i = j;
            continue;
        }
        // A base character with its combining marks normalises as one cluster.
        let mut end = next;
        while let Some(m) = char_at(text, end)
            .filter(|&m| !m.is_ascii() && (is_combining_mark(m) || is_invisible(m)))
        {
            end += m.len_utf8();
        }
        let o = cover(&prose.origins[i..end]);
        if end == next {
            if c.is_ascii() {
                out.push(confusable(c.to_ascii_lowercase()), o);
                i = end;
                continue;
            }
            if let Some(s) = lone_char(c) {
                out.push_str(s, o);
                i = end;
                continue;
            }
            // Placeholders and CJK ideographs have no other NFKC form and no case.
            if c == PLACEHOLDER || ('\u{4E00}'..='\u{9FFF}').contains(&c) {
                out.push(c, o);
                i = end;
                continue;
            }
        }
        let cluster = text[i..end].chars().filter(|c| !is_invisible(*c));
        for n in cluster.nfkc() {
            for l in n.to_lowercase() {
                out.push(confusable(l), o);
            }
        }
        i = end;
    }
    join_spaced_letters(out)
}

/// "g o o d", "l.o.v.e", "g-r-e-a-t" → "good", "love", "great" (three letters or more,
/// each standing alone between one separator).
///
/// Most texts have no such run: they are returned as they are, and the others are copied
/// in runs up to each joined word.
fn join_spaced_letters(m: Mapped) -> Mapped {
    let text = m.text.as_str();
    let b = text.as_bytes();
    let mut out: Option<Mapped> = None;
    // Bytes of `m` already in `out`; characters before it are in a joined run and start
    // no other.
    let mut copied = 0;
    // Byte offsets of the letters of a run.
    let mut letters: Vec<usize> = Vec::new();
    // Only a letter followed by a separator can start a run: visit the separators in
    // order, and the character before each.
    let mut from = 0;
    while let Some(found) = b[from..]
        .iter()
        .position(|x| matches!(x, b' ' | b'.' | b'-' | b'_' | b'*' | b'/' | 0xB7))
    {
        let mut at_sep = from + found;
        from = at_sep + 1;
        if b[at_sep] == 0xB7 {
            // The second byte of '·' (C2 B7), or of another character.
            if at_sep == 0 || b[at_sep - 1] != 0xC2 {
                continue;
            }
            at_sep -= 1;
        }
        let Some(c) = text[..at_sep].chars().next_back() else {
            continue;
        };
        let i = at_sep - c.len_utf8();
        if i < copied || !is_alpha(c) {
            continue;
        }
        if text[..i].chars().next_back().is_some_and(is_alnum) {
            continue;
        }
        let Some(sep) = char_at(text, at_sep) else {
            continue;
        };
        letters.clear();
        letters.push(i);
        // The last letter of the run.
        let mut j = i;
        loop {
            let at_sep = j + char_at(text, j).map_or(1, char::len_utf8);
            if char_at(text, at_sep) != Some(sep) {
                break;
            }
            let at = at_sep + sep.len_utf8();
            let Some(l) = char_at(text, at).filter(|&l| is_alpha(l)) else {
                break;
            };
            if char_at(text, at + l.len_utf8()).is_some_and(is_alnum) {
                break;
            }
            letters.push(at);
            j = at;
        }
        // "a g o o d": a one-letter word ("a", "I", "y", "à", "è") may lead the run,
        // unless the letters only spell a word with it ("a w e s o m e").
        let skip = usize::from(
            letters.len() >= 4
                && sep == ' '
                && is_one_letter_word(c)
                && !leads_spelled_word(text, &letters),
        );
        if letters.len() - skip >= 3 {
            let o = out.get_or_insert_with(|| Mapped::with_capacity(text.len()));
            // Everything before the first joined letter, the leading word included.
            let first = letters[skip];
            o.extend_from(&text[copied..first], &m.origins[copied..first]);
            for &k in &letters[skip..] {
                if let Some(l) = char_at(text, k) {
                    o.push(l, m.origins[k]);
                }
            }
            copied = j + char_at(text, j).map_or(1, char::len_utf8);
            from = copied;
        }
    }
    match out {
        None => m,
        Some(mut o) => {
            o.extend_from(&text[copied..], &m.origins[copied..]);
            o
        }
    }
}

/// Letters that are words on their own in a supported language: English "a", "I";
/// French "a", "à", "y"; Spanish "a", "y", "e", "o", "u"; Italian "a", "e", "è", "i", "o".
fn is_one_letter_word(c: char) -> bool {
    matches!(c, 'a' | 'i' | 'y' | 'à' | 'e' | 'è' | 'o' | 'u')
}

/// Whether the letters of a spaced run (byte offsets in `text`), the first included,
/// spell a word of the lexicons while the run without its first letter does not ("a w e
/// s o m e" is "awesome", but "a g r e a t" is "a great").
fn leads_spelled_word(text: &str, letters: &[usize]) -> bool {
    // Longer runs are no word of the lists; skipping them bounds the work per run.
    if letters.len() > 32 {
        return false;
    }
    let full: String = letters.iter().filter_map(|&k| char_at(text, k)).collect();
    let first = full.chars().next().map_or(0, char::len_utf8);
    let rest = &full[first..];
    let known = known_words();
    known.contains(&full) && !known.contains(rest)
}

/// Single words of the bundled lexicons (every locale, every category), for telling
/// spelled-out words from one-letter words. Read from the lexicon files directly: the
/// compiled lexicons normalise their entries with [`normalize`], which calls this.
struct KnownWords {
    exact: std::collections::HashSet<String>,
    /// `word*` entries: any word starting with one of these.
    stems: std::collections::HashSet<String>,
    /// `*word` entries: any word ending with one of these.
    endings: std::collections::HashSet<String>,
}

impl KnownWords {
    fn contains(&self, w: &str) -> bool {
        if self.exact.contains(w) {
            return true;
        }
        w.char_indices()
            .skip(1)
            .any(|(i, _)| self.stems.contains(&w[..i]) || self.endings.contains(&w[i..]))
            || self.stems.contains(w)
            || self.endings.contains(w)
    }
}

fn known_words() -> &'static KnownWords {
    static WORDS: std::sync::OnceLock<KnownWords> = std::sync::OnceLock::new();
    WORDS.get_or_init(|| {
        let mut k = KnownWords {
            exact: Default::default(),
            stems: Default::default(),
            endings: Default::default(),
        };
        let sources = [
            include_str!("../lexicons/en.toml"),
            include_str!("../lexicons/de.toml"),
            include_str!("../lexicons/fr.toml"),
            include_str!("../lexicons/es.toml"),
            include_str!("../lexicons/it.toml"),
        ];
        for src in sources {
            let Ok(table) = src.parse::<toml::Table>() else {
                continue;
            };
            let Some(words) = table.get("words").and_then(|w| w.as_table()) else {
                continue;
            };
            for (cat, list) in words {
                if cat.starts_with("not_") {
                    continue;
                }
                for w in list
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|w| w.as_str())
                {
                    let core = w.trim_matches('*').to_lowercase();
                    // Phrases and one- or two-letter stems say nothing about a single word.
                    if core.contains(' ') || core.chars().count() < 3 {
                        continue;
                    }
                    if w.ends_with('*') {
                        k.stems.insert(core);
                    } else if w.starts_with('*') {
                        k.endings.insert(core);
                    } else {
                        k.exact.insert(core);
                    }
                }
            }
        }
        k
    })
}

/// One origin covering a run of origins of the same file (the first file wins).
pub fn cover(origins: &[Origin]) -> Origin {
    let Some(first) = origins.first() else {
        return Origin::new(0, 0, 0);
    };
    let mut o = *first;
    for x in origins.iter().filter(|x| x.file == first.file) {
        o.start = o.start.min(x.start);
        o.end = o.end.max(x.end);
    }
    o
}

#[cfg(test)]
mod reference;

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(s: &str) -> Mapped {
        let mut m = Mapped::default();
        for (b, c) in s.char_indices() {
            m.push(c, Origin::new(0, b, b + c.len_utf8()));
        }
        m
    }

    fn span_of(m: &Mapped, needle: &str) -> (u32, u32) {
        let at = m.text.find(needle).expect(needle);
        let o = cover(m.origins_of(at, at + needle.len()));
        (o.start, o.end)
    }

    /// `normalize` tests for white space before invisible characters and stars.
    #[test]
    fn white_space_is_never_invisible_nor_a_star() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert!(
                !(c.is_whitespace() && (is_invisible(c) || is_star(c))),
                "{c:?}"
            );
        }
    }

    #[test]
    fn letter_tests_agree_with_the_unicode_tables() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(is_alnum(c), c.is_alphanumeric(), "{c:?}");
            assert_eq!(is_alpha(c), c.is_alphabetic(), "{c:?}");
        }
    }

    #[test]
    fn evasions_are_normalised_and_keep_their_spans() {
        let src = "So G O O D, L.O.V.E it, ＧＲＥＡＴ, hаppy, de\u{00AD}light";
        let n = normalize(&plain(src));
        assert_eq!(n.text, "so good, love it, great, happy, delight");
        assert_eq!(span_of(&n, "good"), (3, 10));
        let happy = src.find("h").unwrap() as u32;
        assert_eq!(span_of(&n, "happy").0, happy);
    }

    #[test]
    fn stars_become_a_rating_word() {
        let n = normalize(&plain("Give us ⭐⭐⭐⭐⭐ please"));
        assert!(n.text.contains("5-star"), "{}", n.text);
    }

    #[test]
    fn ordinary_words_are_not_joined() {
        let n = normalize(&plain("I am a fan. Il y a un avis."));
        assert_eq!(n.text, "i am a fan. il y a un avis.");
    }

    #[test]
    fn spelled_words_after_a_one_letter_word() {
        let cases = [
            // The one-letter word starts the spelled word.
            ("so a w e s o m e", "so awesome"),
            ("A M A Z I N G", "amazing"),
            ("we a d o r e it", "we adore it"),
            // The one-letter word stays a word before the spelled one.
            ("I l o v e it", "i love it"),
            ("a g r e a t product", "a great product"),
            ("A G O O D review", "a good review"),
            ("y b u e n o", "y bueno"),
            ("è b u o n o", "è buono"),
            ("e o t t i m o", "e ottimo"),
            ("à p r o p o s", "à propos"),
            // Letters that spell nothing are joined as before, the word kept.
            ("I am a b c d e f g h", "i am a bcdefgh"),
            ("Plan A B C now", "plan abc now"),
        ];
        for (src, want) in cases {
            assert_eq!(normalize(&plain(src)).text, want, "{src}");
        }
        let n = normalize(&plain("It is a w e s o m e!"));
        assert_eq!(span_of(&n, "awesome"), (6, 19));
    }

    #[test]
    fn markup_keeps_link_text_and_sets_urls_aside() {
        let (p, links) = strip_markup(&plain("- **Mug**: [review it](https://x.test/a)\n\nBye"));
        assert_eq!(p.text, "\u{2029}Mug: review it\u{2029}Bye");
        assert_eq!(links.len(), 1);
        assert_eq!(links[0].url, "https://x.test/a");
    }
}
