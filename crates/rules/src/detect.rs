//! Language identification by script and stop-word statistics.

use crate::lexicon;
use crate::text::is_alpha;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

fn is_kana(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{30FF}' | '\u{31F0}'..='\u{31FF}' | '\u{FF66}'..='\u{FF9F}')
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

/// The languages scored by stop words, in the order ties are broken.
const SCORED: [&str; 5] = ["en", "de", "fr", "es", "it"];

/// FNV-1a: the words looked up are short and not chosen against the table (it is fixed),
/// so a simple hash serves better than the default keyed one.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type Stopwords = HashMap<String, u8, BuildHasherDefault<Fnv>>;

/// Every stop word of the scored languages, with one bit per language it belongs to
/// (bit `i` for `SCORED[i]`): one lookup per word instead of one per language.
fn stopwords() -> &'static Stopwords {
    static WORDS: OnceLock<Stopwords> = OnceLock::new();
    WORDS.get_or_init(|| {
        let mut words = Stopwords::default();
        for (i, l) in SCORED.iter().enumerate() {
            for w in lexicon::stopwords(l) {
                *words.entry(w).or_default() |= 1 << i;
            }
        }
        words
    })
}

/// The language of `text` among en, de, fr, es, it and ja, or `None` when the text is too
/// short or too mixed to tell.
pub fn detect_locale(text: &str) -> Option<&'static str> {
    let (mut letters, mut kana, mut cjk) = (0usize, 0usize, 0usize);
    for c in text.chars() {
        if c.is_ascii() {
            letters += usize::from(c.is_ascii_alphabetic());
            continue;
        }
        letters += usize::from(is_alpha(c));
        kana += usize::from(is_kana(c));
        cjk += usize::from(is_cjk(c));
    }
    if letters == 0 {
        return None;
    }
    if kana > 0 && (kana + cjk) * 10 >= letters * 3 {
        return Some("ja");
    }
    let lower = text.to_lowercase();
    let stop = stopwords();
    let mut words = 0;
    let mut counts = [0usize; SCORED.len()];
    for w in lower
        .split(|c: char| !(is_alpha(c) || c == '\''))
        .map(|w| w.trim_matches('\''))
        .filter(|w| !w.is_empty())
    {
        words += 1;
        if let Some(&langs) = stop.get(w) {
            for (i, n) in counts.iter_mut().enumerate() {
                *n += usize::from(langs >> i & 1 == 1);
            }
        }
    }
    if words < 3 {
        return None;
    }
    // Letters only some languages use break ties between close scores.
    let mut bonus = [0usize; SCORED.len()];
    for c in lower.chars().filter(|c| !c.is_ascii()) {
        let i = match c {
            'ä' | 'ö' | 'ü' | 'ß' => 1,
            'ç' | 'ê' | 'è' | 'à' | 'ù' | 'â' | 'î' | 'ô' | 'œ' => 2,
            'ñ' | '¿' | '¡' | 'á' | 'í' | 'ó' | 'ú' => 3,
            'ì' | 'ò' => 4,
            _ => continue,
        };
        bonus[i] += 1;
    }
    let mut scores: Vec<(usize, &'static str)> = (0..SCORED.len())
        .map(|i| (counts[i] + bonus[i].min(3), SCORED[i]))
        .collect();
    // A stable sort: equal scores keep the order of `SCORED`.
    scores.sort_by_key(|s| std::cmp::Reverse(s.0));
    let (best, lang) = scores[0];
    let second = scores[1].0;
    if best >= 2 && best * 5 >= words && best * 2 >= second * 3 {
        Some(lang)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::{lexicon, LOCALES};

    #[test]
    fn detects_the_six_languages() {
        assert_eq!(
            detect_locale(
                "Thank you for your order, we hope it arrived on time and is what you wanted."
            ),
            Some("en")
        );
        assert_eq!(
            detect_locale(
                "Vielen Dank für Ihre Bestellung, wir hoffen, dass die Lieferung pünktlich war."
            ),
            Some("de")
        );
        assert_eq!(
            detect_locale("Merci pour votre commande, nous espérons que le colis est bien arrivé."),
            Some("fr")
        );
        assert_eq!(
            detect_locale("Gracias por su pedido, esperamos que el paquete llegue a tiempo."),
            Some("es")
        );
        assert_eq!(
            detect_locale("Grazie per il suo ordine, speriamo che il pacco sia arrivato in tempo."),
            Some("it")
        );
        assert_eq!(
            detect_locale("ご注文ありがとうございます。商品は本日発送されました。"),
            Some("ja")
        );
    }

    #[test]
    fn too_little_text_is_undecided() {
        assert_eq!(detect_locale("OK"), None);
        assert_eq!(detect_locale("12345"), None);
        assert_eq!(detect_locale(""), None);
    }
    /// The detection as first written (one stop-word set lookup per word and language).
    fn reference(text: &str) -> Option<&'static str> {
        let letters = text.chars().filter(|c| c.is_alphabetic()).count();
        if letters == 0 {
            return None;
        }
        let kana = text.chars().filter(|c| is_kana(*c)).count();
        let cjk = text.chars().filter(|c| is_cjk(*c)).count();
        if kana > 0 && (kana + cjk) * 10 >= letters * 3 {
            return Some("ja");
        }
        let lower = text.to_lowercase();
        let words: Vec<&str> = lower
            .split(|c: char| !(c.is_alphabetic() || c == '\''))
            .map(|w| w.trim_matches('\''))
            .filter(|w| !w.is_empty())
            .collect();
        if words.len() < 3 {
            return None;
        }
        let mut scores: Vec<(usize, &'static str)> = LOCALES
            .iter()
            .filter(|l| **l != "ja")
            .map(|l| {
                let lex = lexicon(l);
                (
                    words.iter().filter(|w| lex.stopwords.contains(**w)).count(),
                    *l,
                )
            })
            .collect();
        // Letters only some languages use break ties between close scores.
        for (score, l) in scores.iter_mut() {
            let bonus = match *l {
                "de" => lower
                    .chars()
                    .filter(|c| matches!(c, 'ä' | 'ö' | 'ü' | 'ß'))
                    .count(),
                "fr" => lower
                    .chars()
                    .filter(|c| matches!(c, 'ç' | 'ê' | 'è' | 'à' | 'ù' | 'â' | 'î' | 'ô' | 'œ'))
                    .count(),
                "es" => lower
                    .chars()
                    .filter(|c| matches!(c, 'ñ' | '¿' | '¡' | 'á' | 'í' | 'ó' | 'ú'))
                    .count(),
                "it" => lower.chars().filter(|c| matches!(c, 'ì' | 'ò')).count(),
                _ => 0,
            };
            *score += bonus.min(3);
        }
        scores.sort_by_key(|s| std::cmp::Reverse(s.0));
        let (best, lang) = scores[0];
        let second = scores[1].0;
        if best >= 2 && best * 5 >= words.len() && best * 2 >= second * 3 {
            Some(lang)
        } else {
            None
        }
    }

    /// Texts mixing the stop words and special letters of several languages, so that
    /// scores tie and the tie-breaking order matters.
    #[test]
    fn matches_the_reference_on_mixed_text() {
        let words = [
            "the",
            "and",
            "you",
            "der",
            "und",
            "Sie",
            "le",
            "et",
            "vous",
            "el",
            "y",
            "usted",
            "il",
            "e",
            "che",
            "für",
            "être",
            "señor",
            "più",
            "ça",
            "ß",
            "Größe",
            "¿qué",
            "ok",
            "order",
            "12",
            "l'ordre",
            "'",
            "ご注文",
            "ありがとう",
            "商品",
            "İstanbul",
            "ÄÖÜ",
            "ÀÈÌÒ",
            "Straße",
            "niño",
            "café",
            "  ",
            "\n",
            ",",
        ];
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..20_000 {
            let mut text = String::new();
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            for k in 0..(state % 12) {
                let pick = (state >> (k * 5)) as usize % words.len();
                text.push_str(words[pick]);
                text.push(' ');
            }
            let found = detect_locale(&text);
            assert_eq!(found, reference(&text), "{text:?}");
            seen.insert(found);
        }
        // Every language and the undecided case came up.
        assert_eq!(seen.len(), 7, "{seen:?}");
    }
}
