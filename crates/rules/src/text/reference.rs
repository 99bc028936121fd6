//! The text passes as first written, one `Vec<(usize, char)>` per pass and one push per
//! character: the reference the faster passes are compared with.

use super::*;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

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
                && !leads_spelled_word_ref(&chars, &letters)
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

/// Whether the letters of a spaced run, the first included, spell a word of the lexicons
/// while the run without its first letter does not ("a w e s o m e" is "awesome", but
/// "a g r e a t" is "a great").
fn leads_spelled_word_ref(chars: &[(usize, char)], letters: &[usize]) -> bool {
    // Longer runs are no word of the lists; skipping them bounds the work per run.
    if letters.len() > 32 {
        return false;
    }
    let full: String = letters.iter().map(|&k| chars[k].1).collect();
    let rest = &full[chars[letters[0]].1.len_utf8()..];
    let known = known_words();
    known.contains(&full) && !known.contains(rest)
}

/// The passes above against the ones in use, on random text built from the pieces each
/// pass treats specially, with origins from two files.
mod compare {
    use super::*;

    /// A small deterministic generator (xorshift), so a failure reproduces.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
    }

    const PIECES: &[&str] = &[
        "a",
        "b",
        "G",
        "o",
        "I",
        "y",
        "e",
        "à",
        "è",
        "é",
        "É",
        "ß",
        "İ",
        "Σ",
        "ǅ",
        "ñ",
        "ü",
        "w",
        "s",
        "m",
        " ",
        " ",
        " ",
        "  ",
        "\n",
        "\n\n",
        "\n \t\n",
        "\t",
        "\r",
        "\u{B}",
        "\u{C}",
        "-",
        "- ",
        "*",
        "**",
        "+ ",
        "[",
        "]",
        "(",
        ")",
        "](",
        "[x](",
        ".",
        "/",
        "_",
        "·",
        "@",
        ":",
        "`",
        "'",
        "1",
        "42",
        "+49 ",
        "www.",
        "https://",
        "amazon.com",
        "x.de",
        "\u{301}",
        "\u{308}",
        "\u{AD}",
        "\u{200B}",
        "\u{FEFF}",
        "⭐",
        "★",
        "\u{FE0F}",
        "а",
        "о",
        "ｇ",
        "Ｇ",
        "ﬁ",
        "¼",
        "²",
        "\u{A0}",
        "\u{3000}",
        "\u{2029}",
        "\u{E000}",
        "日",
        "本",
        "ご",
        "ゔ",
        "゛",
        "ｶ",
        "ﾞ",
        "カ",
        "\u{3099}",
        "ー",
        "。",
        "😀",
        "\u{1F3FB}",
        "good",
        "awesome",
        "great",
        "l.o.v.e",
        "g o o d",
        "a w e s o m e",
        "a g r e a t",
        "A M A Z I N G",
        "x",
        "\u{2060}",
        "\u{34F}",
        "Ⅳ",
        "ª",
        "µ",
        "ſ",
        "ǰ",
        "ΐ",
    ];

    fn random_mapped(rng: &mut Rng) -> Mapped {
        let mut m = Mapped::default();
        let mut at = 0;
        for _ in 0..rng.below(60) {
            let piece = PIECES[rng.below(PIECES.len())];
            for c in piece.chars() {
                // Mostly one origin per character, sometimes a placeholder-like wide one
                // or one in an included file.
                let file = u32::from(rng.below(8) == 0);
                let len = if rng.below(10) == 0 { 9 } else { c.len_utf8() };
                m.push(c, Origin::new(file, at, at + len));
                at += len;
            }
        }
        m
    }

    fn same(a: &Mapped, b: &Mapped, what: &str, src: &Mapped) {
        assert_eq!(a.text, b.text, "{what} of {:?}", src.text);
        assert_eq!(a.origins, b.origins, "{what} origins of {:?}", src.text);
    }

    #[test]
    fn markup_and_normalisation_match_the_reference() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for _ in 0..20_000 {
            let raw = random_mapped(&mut rng);
            let (p, links) = crate::text::strip_markup(&raw);
            let (p_ref, links_ref) = strip_markup(&raw);
            same(&p, &p_ref, "markup", &raw);
            assert_eq!(links.len(), links_ref.len(), "{:?}", raw.text);
            for (l, r) in links.iter().zip(&links_ref) {
                assert_eq!((&l.url, &l.origins), (&r.url, &r.origins), "{:?}", raw.text);
            }
            same(
                &crate::text::normalize(&p),
                &normalize(&p_ref),
                "normal form",
                &raw,
            );
            same(
                &crate::text::normalize(&raw),
                &normalize(&raw),
                "normal form",
                &raw,
            );
        }
    }

    /// Characters read through the precomputed table or as themselves, alone, before a
    /// letter and before a combining mark.
    #[test]
    fn characters_with_a_fast_path_match_the_reference() {
        let more = [0x4E00..0xA000, 0xE000..0xE001];
        let ranges = LONE_BLOCKS.iter().chain(&more).cloned();
        for c in ranges.flatten().filter_map(char::from_u32) {
            for s in [
                format!("{c}"),
                format!("{c}b"),
                format!("{c}\u{301}"),
                format!("a{c}"),
            ] {
                let mut m = Mapped::default();
                for (b, ch) in s.char_indices() {
                    m.push(ch, Origin::new(0, b, b + ch.len_utf8()));
                }
                same(
                    &crate::text::normalize(&m),
                    &normalize(&m),
                    "normal form",
                    &m,
                );
            }
        }
    }
}
