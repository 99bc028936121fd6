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

/// A string plus one origin per byte.
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
    pub fn push(&mut self, c: char, o: Origin) {
        self.text.push(c);
        let n = c.len_utf8();
        self.origins.extend(std::iter::repeat_n(o, n));
    }
    pub fn push_str(&mut self, s: &str, o: Origin) {
        for c in s.chars() {
            self.push(c, o);
        }
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
pub fn strip_markup(raw: &Mapped) -> (Mapped, Vec<Link>) {
    let chars: Vec<(usize, char)> = raw.text.char_indices().collect();
    let mut out = Mapped::with_capacity(raw.text.len());
    let mut links = Vec::new();
    let mut i = 0;
    let mut at_line_start = true;
    let mut no_link_before = 0;
    let o = |idx: usize| raw.origins[chars[idx].0];
    while i < chars.len() {
        let c = chars[i].1;
        if at_line_start {
            // Skip indentation, then a bullet marker.
            let mut j = i;
            while j < chars.len() && (chars[j].1 == ' ' || chars[j].1 == '\t') {
                j += 1;
            }
            if j + 1 < chars.len() && matches!(chars[j].1, '-' | '*' | '+') && chars[j + 1].1 == ' '
            {
                out.push(BREAK, o(j));
                i = j + 2;
                at_line_start = false;
                continue;
            }
            at_line_start = false;
        }
        match c {
            '\n' => {
                // A blank line (only spaces between two breaks) ends a paragraph.
                let mut j = i + 1;
                while j < chars.len() && matches!(chars[j].1, ' ' | '\t' | '\r') {
                    j += 1;
                }
                if j < chars.len() && chars[j].1 == '\n' {
                    out.push(BREAK, o(i));
                    i = j + 1;
                } else {
                    out.push(' ', o(i));
                    i += 1;
                }
                at_line_start = true;
            }
            '*' if chars.get(i + 1).map(|c| c.1) == Some('*') => i += 2,
            '[' if i >= no_link_before => {
                let found = find_link(&chars, i);
                if let Err(x) = found {
                    no_link_before = x;
                }
                if let Ok((text_end, url_end)) = found {
                    for (k, &(_, ch)) in chars.iter().enumerate().take(text_end).skip(i + 1) {
                        out.push(ch, o(k));
                    }
                    let mut link = Link {
                        url: String::new(),
                        origins: Vec::new(),
                    };
                    for &(b, ch) in chars.iter().take(url_end).skip(text_end + 2) {
                        link.url.push(ch);
                        link.origins.push(raw.origins[b]);
                    }
                    links.push(link);
                    i = url_end + 1;
                } else {
                    out.push(c, o(i));
                    i += 1;
                }
            }
            _ => {
                out.push(c, o(i));
                i += 1;
            }
        }
    }
    (out, links)
}

/// `[text](url)` starting at `open`: the index of `]` and of `)`. The same reading as the
/// renderer's (`tplc_compile`), so every link it prints is a link checked here: the text
/// runs to the first `](` on the line and is not empty, the target runs to the next `)`
/// and is not empty (it may hold spaces: `[x]( javascript:…)` is a link).
///
/// On failure, the index before which no other `[` can start a link either (each would
/// stop at the same `](` or line end), so a line of brackets is read once, not once per
/// bracket.
fn find_link(chars: &[(usize, char)], open: usize) -> Result<(usize, usize), usize> {
    let mut j = open + 1;
    loop {
        let Some(&(_, c)) = chars.get(j) else {
            return Err(j);
        };
        if c == '\n' {
            return Err(j);
        }
        if c == ']' && chars.get(j + 1).is_some_and(|x| x.1 == '(') {
            break;
        }
        j += 1;
    }
    if j == open + 1 {
        return Err(open + 1);
    }
    let mut k = j + 2;
    loop {
        match chars.get(k).map(|x| x.1) {
            Some(')') => break,
            Some('\n') | None => return Err(k),
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

/// NFKC, case folding, invisible characters removed, confusables mapped, whitespace
/// collapsed, star-symbol ratings spelled out, letters spaced or dotted apart joined.
pub fn normalize(prose: &Mapped) -> Mapped {
    let chars: Vec<(usize, char)> = prose.text.char_indices().collect();
    let mut out = Mapped::with_capacity(prose.text.len());
    let mut i = 0;
    while i < chars.len() {
        let (b, c) = chars[i];
        if is_invisible(c) {
            i += 1;
            continue;
        }
        if is_star(c) {
            let mut j = i;
            let mut n = 0;
            while j < chars.len()
                && (is_star(chars[j].1) || chars[j].1 == '\u{FE0F}' || chars[j].1 == ' ')
            {
                if is_star(chars[j].1) {
                    n += 1;
                }
                j += 1;
            }
            let o = cover(
                &prose.origins[b..chars
                    .get(j - 1)
                    .map(|x| x.0 + x.1.len_utf8())
                    .unwrap_or(b + 1)],
            );
            if !matches!(out.last_char(), None | Some(' ')) {
                out.push(' ', o);
            }
            out.push_str(&format!("{n}-star "), o);
            i = j;
            continue;
        }
        if c.is_whitespace() && c != BREAK {
            let o = prose.origins[b];
            let mut j = i;
            while j < chars.len() && chars[j].1.is_whitespace() && chars[j].1 != BREAK {
                j += 1;
            }
            if !matches!(out.last_char(), Some(' ') | Some(BREAK)) {
                out.push(' ', o);
            }
            i = j;
            continue;
        }
        // A base character with its combining marks normalises as one cluster.
        let mut j = i + 1;
        while j < chars.len() && (is_combining_mark(chars[j].1) || is_invisible(chars[j].1)) {
            j += 1;
        }
        let end = chars.get(j).map(|x| x.0).unwrap_or(prose.text.len());
        let o = cover(&prose.origins[b..end]);
        // ASCII is its own NFKC form: skip the decomposition machinery for it.
        if j == i + 1 && c.is_ascii() {
            out.push(confusable(c.to_ascii_lowercase()), o);
            i = j;
            continue;
        }
        let cluster = chars[i..j]
            .iter()
            .map(|x| x.1)
            .filter(|c| !is_invisible(*c));
        for n in cluster.nfkc() {
            for l in n.to_lowercase() {
                out.push(confusable(l), o);
            }
        }
        i = j;
    }
    join_spaced_letters(&out)
}

/// "g o o d", "l.o.v.e", "g-r-e-a-t" → "good", "love", "great" (three letters or more,
/// each standing alone between one separator).
fn join_spaced_letters(m: &Mapped) -> Mapped {
    let chars: Vec<(usize, char)> = m.text.char_indices().collect();
    let mut out = Mapped::with_capacity(m.text.len());
    let is_sep = |c: char| matches!(c, ' ' | '.' | '-' | '_' | '·' | '*' | '/');
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i].1;
        // Cheapest test first: most characters are not followed by a separator.
        let starts_word = || i == 0 || !chars[i - 1].1.is_alphanumeric();
        if i + 1 < chars.len() && is_sep(chars[i + 1].1) && c.is_alphabetic() && starts_word() {
            let sep = chars[i + 1].1;
            let mut letters = vec![i];
            let mut j = i;
            while j + 2 < chars.len()
                && chars[j + 1].1 == sep
                && chars[j + 2].1.is_alphabetic()
                && (j + 3 >= chars.len() || !chars[j + 3].1.is_alphanumeric())
            {
                letters.push(j + 2);
                j += 2;
            }
            // "a g o o d": a one-letter word ("a", "I", "y", "à", "è") may lead the run,
            // unless the letters only spell a word with it ("a w e s o m e").
            if letters.len() >= 4
                && sep == ' '
                && is_one_letter_word(chars[i].1)
                && !leads_spelled_word(&chars, &letters)
            {
                out.push(chars[i].1, m.origins[chars[i].0]);
                out.push(sep, m.origins[chars[i + 1].0]);
                letters.remove(0);
            }
            if letters.len() >= 3 {
                for &k in &letters {
                    out.push(chars[k].1, m.origins[chars[k].0]);
                }
                i = j + 1;
                continue;
            }
        }
        out.push(c, m.origins[chars[i].0]);
        i += 1;
    }
    out
}

/// Letters that are words on their own in a supported language: English "a", "I";
/// French "a", "à", "y"; Spanish "a", "y", "e", "o", "u"; Italian "a", "e", "è", "i", "o".
fn is_one_letter_word(c: char) -> bool {
    matches!(c, 'a' | 'i' | 'y' | 'à' | 'e' | 'è' | 'o' | 'u')
}

/// Whether the letters of a spaced run, the first included, spell a word of the lexicons
/// while the run without its first letter does not ("a w e s o m e" is "awesome", but
/// "a g r e a t" is "a great").
fn leads_spelled_word(chars: &[(usize, char)], letters: &[usize]) -> bool {
    // Longer runs are no word of the lists; skipping them bounds the work per run.
    if letters.len() > 32 {
        return false;
    }
    let full: String = letters.iter().map(|&k| chars[k].1).collect();
    let rest = &full[chars[letters[0]].1.len_utf8()..];
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
