//! Locale data the compiled templates print: month and weekday names, money format.

/// The language part of a BCP 47 tag, among the languages tplc ships names for.
pub fn language(locale: &str) -> &'static str {
    let lang = locale
        .split(['-', '_'])
        .next()
        .unwrap_or("en")
        .to_ascii_lowercase();
    match lang.as_str() {
        "de" => "de",
        "fr" => "fr",
        "es" => "es",
        "it" => "it",
        "ja" => "ja",
        _ => "en",
    }
}

pub fn months(lang: &str) -> [&'static str; 12] {
    match lang {
        "de" => [
            "Januar",
            "Februar",
            "März",
            "April",
            "Mai",
            "Juni",
            "Juli",
            "August",
            "September",
            "Oktober",
            "November",
            "Dezember",
        ],
        "fr" => [
            "janvier",
            "février",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre",
        ],
        "es" => [
            "enero",
            "febrero",
            "marzo",
            "abril",
            "mayo",
            "junio",
            "julio",
            "agosto",
            "septiembre",
            "octubre",
            "noviembre",
            "diciembre",
        ],
        "it" => [
            "gennaio",
            "febbraio",
            "marzo",
            "aprile",
            "maggio",
            "giugno",
            "luglio",
            "agosto",
            "settembre",
            "ottobre",
            "novembre",
            "dicembre",
        ],
        "ja" => [
            "1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月",
        ],
        _ => [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
    }
}

pub fn short_months(lang: &str) -> [String; 12] {
    let full = months(lang);
    std::array::from_fn(|i| {
        let m = full[i];
        if lang == "ja" || m.chars().count() <= 4 {
            m.to_string()
        } else {
            m.chars().take(3).collect()
        }
    })
}

/// Sunday first (the index Sakamoto's weekday formula yields).
pub fn weekdays(lang: &str) -> [&'static str; 7] {
    match lang {
        "de" => [
            "Sonntag",
            "Montag",
            "Dienstag",
            "Mittwoch",
            "Donnerstag",
            "Freitag",
            "Samstag",
        ],
        "fr" => [
            "dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi",
        ],
        "es" => [
            "domingo",
            "lunes",
            "martes",
            "miércoles",
            "jueves",
            "viernes",
            "sábado",
        ],
        "it" => [
            "domenica",
            "lunedì",
            "martedì",
            "mercoledì",
            "giovedì",
            "venerdì",
            "sabato",
        ],
        "ja" => [
            "日曜日",
            "月曜日",
            "火曜日",
            "水曜日",
            "木曜日",
            "金曜日",
            "土曜日",
        ],
        _ => [
            "Sunday",
            "Monday",
            "Tuesday",
            "Wednesday",
            "Thursday",
            "Friday",
            "Saturday",
        ],
    }
}

pub fn short_weekdays(lang: &str) -> [String; 7] {
    let full = weekdays(lang);
    std::array::from_fn(|i| {
        if lang == "ja" {
            full[i].chars().take(1).collect()
        } else {
            full[i].chars().take(3).collect()
        }
    })
}

/// How money prints: symbol before (`$12.99`) or after with a decimal comma (`12,99 €`).
pub fn money_style(lang: &str) -> MoneyStyle {
    match lang {
        "de" | "fr" | "es" | "it" => MoneyStyle::SuffixComma,
        _ => MoneyStyle::Prefix,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MoneyStyle {
    Prefix,
    SuffixComma,
}

pub const CURRENCY_SYMBOLS: &[(&str, &str)] = &[
    ("USD", "$"),
    ("EUR", "€"),
    ("GBP", "£"),
    ("JPY", "¥"),
    ("CAD", "CA$"),
    ("AUD", "A$"),
    ("MXN", "MX$"),
    ("INR", "₹"),
    ("SEK", "kr"),
    ("PLN", "zł"),
];
