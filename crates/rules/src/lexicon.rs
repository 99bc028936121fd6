//! Per-locale word lists (`crates/rules/lexicons/<locale>.toml`) compiled into one
//! Aho-Corasick automaton per locale, built once and shared.
//!
//! Entry syntax: a word or phrase, matched on whole words; `word*` also matches every
//! continuation of the word (inflections, derivations: `satisf*`); `*word` also matches
//! when the word ends a longer one (German compounds). Japanese has no spaces, so its file
//! sets `word_boundaries = false` and every entry matches anywhere.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};

/// What a lexicon entry signals.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Cat {
    Condition,
    Review,
    Sentiment,
    Problem,
    Contact,
    Incentive,
    Change,
    ReviewObject,
    Marketing,
    Important,
    PhoneWord,
    Greeting,
}

impl Cat {
    pub const ALL: [Cat; 12] = [
        Cat::Condition,
        Cat::Review,
        Cat::Sentiment,
        Cat::Problem,
        Cat::Contact,
        Cat::Incentive,
        Cat::Change,
        Cat::ReviewObject,
        Cat::Marketing,
        Cat::Important,
        Cat::PhoneWord,
        Cat::Greeting,
    ];
    pub fn name(self) -> &'static str {
        match self {
            Cat::Condition => "condition",
            Cat::Review => "review",
            Cat::Sentiment => "sentiment",
            Cat::Problem => "problem",
            Cat::Contact => "contact",
            Cat::Incentive => "incentive",
            Cat::Change => "change",
            Cat::ReviewObject => "review_object",
            Cat::Marketing => "marketing",
            Cat::Important => "important",
            Cat::PhoneWord => "phone_word",
            Cat::Greeting => "greeting",
        }
    }
    pub fn from_name(s: &str) -> Option<Cat> {
        Cat::ALL.into_iter().find(|c| c.name() == s)
    }
}

/// One compiled pattern.
#[derive(Clone, Debug)]
struct Entry {
    cat: Cat,
    /// `not_<category>`: cancels hits of `cat` that it overlaps.
    negative: bool,
    prefix_wild: bool,
    suffix_wild: bool,
}

/// A match after word-boundary checks and exclusions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hit {
    pub cat: Cat,
    /// Byte range in the normalised text (extended to the whole word for `*` entries).
    pub start: usize,
    pub end: usize,
}

#[derive(Deserialize)]
struct File {
    locale: String,
    #[serde(default = "yes")]
    word_boundaries: bool,
    #[serde(default)]
    neutral_adjective: Option<String>,
    #[serde(default)]
    stopwords: Vec<String>,
    words: BTreeMap<String, Vec<String>>,
}

fn yes() -> bool {
    true
}

/// The compiled word lists of one locale.
pub struct Lexicon {
    pub locale: &'static str,
    pub word_boundaries: bool,
    pub neutral_adjective: Option<String>,
    pub stopwords: HashSet<String>,
    automaton: AhoCorasick,
    entries: Vec<Entry>,
    /// Normalised words per category, for editor hover.
    pub words: BTreeMap<Cat, Vec<String>>,
}

/// Supported locales, in the order the lexicon files are listed.
pub const LOCALES: [&str; 6] = ["en", "de", "fr", "es", "it", "ja"];

const SOURCES: [&str; 6] = [
    include_str!("../lexicons/en.toml"),
    include_str!("../lexicons/de.toml"),
    include_str!("../lexicons/fr.toml"),
    include_str!("../lexicons/es.toml"),
    include_str!("../lexicons/it.toml"),
    include_str!("../lexicons/ja.toml"),
];

/// `en-US` → `en`; unknown languages fall back to English.
pub fn base_locale(locale: Option<&str>) -> &'static str {
    let lang = locale
        .unwrap_or("en")
        .split(['-', '_'])
        .next()
        .unwrap_or("en")
        .to_ascii_lowercase();
    LOCALES.into_iter().find(|l| *l == lang).unwrap_or("en")
}

fn build(src: &str, extra: Option<&BTreeMap<String, Vec<String>>>) -> Lexicon {
    // The files ship inside the binary and are checked by a test: a parse failure is a
    // build defect, not user input.
    let file: File = toml::from_str(src).expect("bundled lexicon parses");
    let locale = LOCALES
        .into_iter()
        .find(|l| *l == file.locale)
        .unwrap_or("en");
    let mut patterns = Vec::new();
    let mut entries = Vec::new();
    let mut words: BTreeMap<Cat, Vec<String>> = BTreeMap::new();
    let mut lists: Vec<(&String, &Vec<String>)> = file.words.iter().collect();
    if let Some(extra) = extra {
        lists.extend(extra.iter());
    }
    for (name, list) in lists {
        let (negative, base) = match name.strip_prefix("not_") {
            Some(b) => (true, b),
            None => (false, name.as_str()),
        };
        let Some(cat) = Cat::from_name(base) else {
            continue;
        };
        for w in list {
            let prefix_wild = w.starts_with('*');
            let suffix_wild = w.ends_with('*') && w.len() > 1;
            let core = w.trim_matches('*');
            let norm = crate::text::normalize(&plain(core)).text;
            if norm.is_empty() {
                continue;
            }
            if !negative {
                words.entry(cat).or_default().push(norm.clone());
            }
            patterns.push(norm);
            entries.push(Entry {
                cat,
                negative,
                prefix_wild,
                suffix_wild,
            });
        }
    }
    let automaton = AhoCorasickBuilder::new()
        .match_kind(MatchKind::Standard)
        .build(&patterns)
        .expect("lexicon automaton builds");
    Lexicon {
        locale,
        word_boundaries: file.word_boundaries,
        neutral_adjective: file.neutral_adjective,
        stopwords: file.stopwords.into_iter().collect(),
        automaton,
        entries,
        words,
    }
}

fn plain(s: &str) -> crate::text::Mapped {
    let mut m = crate::text::Mapped::default();
    for (b, c) in s.char_indices() {
        m.push(c, crate::text::Origin::new(0, b, b + c.len_utf8()));
    }
    m
}

/// The stop words of a base locale's bundled file, without building its automaton.
pub fn stopwords(locale: &str) -> Vec<String> {
    #[derive(Deserialize)]
    struct Stopwords {
        #[serde(default)]
        stopwords: Vec<String>,
    }
    let i = LOCALES.iter().position(|l| *l == locale).unwrap_or(0);
    toml::from_str::<Stopwords>(SOURCES[i])
        .map(|s| s.stopwords)
        .unwrap_or_default()
}

/// The built-in lexicon of a base locale (one of [`LOCALES`]).
pub fn lexicon(locale: &str) -> Arc<Lexicon> {
    lexicon_with(locale, &BTreeMap::new())
}

/// The lexicon with a project's extra words; cached per distinct word set.
pub fn lexicon_with(
    locale: &str,
    extra: &BTreeMap<String, BTreeMap<String, Vec<String>>>,
) -> Arc<Lexicon> {
    // Each locale is built when first asked for: a check of English templates does not
    // pay for the other automata.
    static BUILT: [OnceLock<Arc<Lexicon>>; LOCALES.len()] =
        [const { OnceLock::new() }; LOCALES.len()];
    static CUSTOM: OnceLock<Mutex<HashMap<String, Arc<Lexicon>>>> = OnceLock::new();
    let i = LOCALES.iter().position(|l| *l == locale).unwrap_or(0);
    let extra_here = extra.get(LOCALES[i]).filter(|m| !m.is_empty());
    let Some(extra_here) = extra_here else {
        return BUILT[i]
            .get_or_init(|| Arc::new(build(SOURCES[i], None)))
            .clone();
    };
    let key = format!("{}:{:?}", LOCALES[i], extra_here);
    let cache = CUSTOM.get_or_init(Default::default);
    let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
    cache
        .entry(key)
        .or_insert_with(|| Arc::new(build(SOURCES[i], Some(extra_here))))
        .clone()
}

fn is_word(c: char) -> bool {
    crate::text::is_alnum(c)
}

/// Longest word a wildcard entry extends over ("Kundenzufriedenheitsbewertung" is 29).
const MAX_WORD_CHARS: usize = 64;

/// Bytes of the word characters that `chars` starts with, or `None` past
/// [`MAX_WORD_CHARS`]: such a run is not a word, and reading it for every hit inside it
/// would make a long one cost its length squared.
fn word_run(chars: impl Iterator<Item = char>) -> Option<usize> {
    let mut bytes = 0;
    for (k, c) in chars.enumerate() {
        if !is_word(c) {
            return Some(bytes);
        }
        if k == MAX_WORD_CHARS {
            return None;
        }
        bytes += c.len_utf8();
    }
    Some(bytes)
}

impl Lexicon {
    /// Every category hit in normalised `text`, in one pass of the automaton.
    pub fn scan(&self, text: &str) -> Vec<Hit> {
        let mut pos = Vec::new();
        let mut neg = Vec::new();
        for m in self.automaton.find_overlapping_iter(text) {
            let e = &self.entries[m.pattern().as_usize()];
            let (mut s, mut t) = (m.start(), m.end());
            if self.word_boundaries {
                let before = text[..s].chars().next_back();
                let after = text[t..].chars().next();
                if e.prefix_wild {
                    match word_run(text[..s].chars().rev()) {
                        Some(n) => s -= n,
                        None => continue,
                    }
                } else if before.is_some_and(is_word) {
                    continue;
                }
                if e.suffix_wild {
                    match word_run(text[t..].chars()) {
                        Some(n) => t += n,
                        None => continue,
                    }
                } else if after.is_some_and(is_word) {
                    continue;
                }
            }
            let hit = Hit {
                cat: e.cat,
                start: s,
                end: t,
            };
            if e.negative {
                neg.push(hit);
            } else {
                pos.push(hit);
            }
        }
        // Drop the hits that a negative entry of their category overlaps. Hits are words,
        // so a negative overlapping `h` starts less than the longest negative before it.
        neg.sort_by_key(|n| n.start);
        let longest_neg = neg.iter().map(|n| n.end - n.start).max().unwrap_or(0);
        pos.retain(|h| {
            let from = neg.partition_point(|n| n.start + longest_neg < h.start);
            !neg[from..]
                .iter()
                .take_while(|n| n.start < h.end)
                .any(|n| n.cat == h.cat && h.start < n.end)
        });
        // Keep the longest of hits of one category that overlap ("five-star" within
        // "five-star rating"): one finding per place. In this order every kept hit starts
        // at or before `h`, so one of them holds `h` when the furthest end of its
        // category reaches past `h`'s end.
        pos.sort_by_key(|h| (h.start, std::cmp::Reverse(h.end)));
        let mut out: Vec<Hit> = Vec::with_capacity(pos.len());
        let mut furthest: HashMap<Cat, usize> = HashMap::new();
        for h in pos {
            let end = furthest.entry(h.cat).or_insert(0);
            if *end >= h.end {
                continue;
            }
            *end = (*end).max(h.end);
            out.push(h);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundled_lexicon_parses_and_has_the_core_categories() {
        for l in LOCALES {
            let lex = lexicon(l);
            assert_eq!(lex.locale, l);
            for cat in [
                Cat::Condition,
                Cat::Review,
                Cat::Sentiment,
                Cat::Problem,
                Cat::Contact,
            ] {
                assert!(
                    lex.words.get(&cat).is_some_and(|w| !w.is_empty()),
                    "{l}: {cat:?}"
                );
            }
            assert!(lex.stopwords.len() > 10, "{l}: stopwords");
        }
    }

    #[test]
    fn whole_words_and_wildcards() {
        let lex = lexicon("en");
        let cats = |t: &str| {
            lex.scan(t)
                .into_iter()
                .map(|h| (h.cat, t[h.start..h.end].to_string()))
                .collect::<Vec<_>>()
        };
        assert!(cats("goodbye and thanks")
            .iter()
            .all(|(c, _)| *c != Cat::Sentiment));
        assert!(cats("we are satisfied").contains(&(Cat::Sentiment, "satisfied".to_string())));
        assert!(cats("please review the attached invoice")
            .iter()
            .all(|(c, _)| *c != Cat::Review));
    }

    #[test]
    fn extra_words_extend_a_locale() {
        let mut extra = BTreeMap::new();
        extra.insert(
            "en".to_string(),
            BTreeMap::from([("sentiment".to_string(), vec!["groovy".to_string()])]),
        );
        let lex = lexicon_with("en", &extra);
        assert!(lex
            .scan("so groovy")
            .iter()
            .any(|h| h.cat == Cat::Sentiment));
        assert_eq!(base_locale(Some("en-US")), "en");
        assert_eq!(base_locale(Some("pt-BR")), "en");
    }
}
