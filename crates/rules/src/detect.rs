//! Language identification by script and stop-word statistics.

use crate::lexicon::{lexicon, LOCALES};

fn is_kana(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{30FF}' | '\u{31F0}'..='\u{31FF}' | '\u{FF66}'..='\u{FF9F}')
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

/// The language of `text` among en, de, fr, es, it and ja, or `None` when the text is too
/// short or too mixed to tell.
pub fn detect_locale(text: &str) -> Option<&'static str> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
