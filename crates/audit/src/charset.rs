//! The bytes of a text part → the text a buyer's mail program most likely showed.
//!
//! The declared charset is used only when the bytes decode under it cleanly and
//! plausibly. Otherwise the charset is detected (`chardetng`) and the result carries a
//! warning: a message declaring `charset=utf-16` with a UTF-8 body would otherwise turn
//! into CJK-looking noise in which no rule finds anything, and look compliant.

use encoding_rs::{Encoding, REPLACEMENT, UTF_16BE, UTF_16LE, UTF_8};

/// One decoded text part.
#[derive(Clone, Debug, PartialEq)]
pub struct Decoded {
    pub text: String,
    /// Why the text was not read as declared, when it was not.
    pub warning: Option<String>,
}

/// Decode `bytes` (transfer encoding already removed) that declare `charset`.
pub fn decode(bytes: &[u8], charset: Option<&str>) -> Decoded {
    let label = charset.map(str::trim).filter(|l| !l.is_empty());
    let declared = label.and_then(|l| Encoding::for_label(l.as_bytes()));
    // A byte order mark says more than any header.
    if let Some((bom, len)) = Encoding::for_bom(bytes) {
        let (text, malformed) = bom.decode_without_bom_handling(&bytes[len..]);
        let disagrees = declared.is_some_and(|d| d != bom && !(is_utf16(d) && is_utf16(bom)));
        let warning = if malformed {
            Some(format!(
                "the text starts with a {} byte order mark but has bytes that are not {}; those were replaced",
                bom.name(),
                bom.name()
            ))
        } else if disagrees {
            Some(format!(
                "declared charset `{}`, but the text starts with a {} byte order mark; read as {}",
                label.unwrap_or_default(),
                bom.name(),
                bom.name()
            ))
        } else {
            None
        };
        return Decoded {
            text: text.into_owned(),
            warning,
        };
    }
    let Some(label) = label else {
        // Nothing declared: UTF-8 is what mail programs send unlabelled.
        return match std::str::from_utf8(bytes) {
            Ok(text) => as_declared(text),
            Err(_) => detected(bytes, "no charset is declared and the text is not UTF-8"),
        };
    };
    let mismatch = || format!("the text does not decode as the declared charset `{label}`");
    match declared.filter(|&e| e != REPLACEMENT) {
        Some(enc) => match enc.decode_without_bom_handling_and_without_replacement(bytes) {
            Some(text) if plausible(enc, bytes, &text) => as_declared(&text),
            _ => detected(bytes, &mismatch()),
        },
        // Charsets the web standard leaves out (UTF-7 and a few others) mail-parser knows.
        None => match mail_parser::decoders::charsets::map::charset_decoder(label.as_bytes()) {
            Some(decoder) => {
                let text = decoder(bytes);
                if text.contains(['\u{fffd}', '\0']) {
                    detected(bytes, &mismatch())
                } else {
                    as_declared(&text)
                }
            }
            None => detected(bytes, &format!("unknown charset `{label}`")),
        },
    }
}

fn as_declared(text: &str) -> Decoded {
    Decoded {
        text: text.to_string(),
        warning: None,
    }
}

fn is_utf16(e: &'static Encoding) -> bool {
    e == UTF_16LE || e == UTF_16BE
}

/// Whether a clean decoding under the declared charset is also a believable one.
fn plausible(enc: &'static Encoding, bytes: &[u8], text: &str) -> bool {
    if text.contains('\0') {
        // Text holds no NUL; a body full of them is UTF-16 or binary under the wrong label.
        return false;
    }
    let utf8 = std::str::from_utf8(bytes).is_ok();
    if is_utf16(enc) {
        // UTF-16 of any text with spaces, line breaks or Latin letters has NUL bytes; bytes
        // without them that are valid UTF-8 are 8-bit text, and read as UTF-16 they turn
        // into strings of CJK ideographs.
        return !utf8 || bytes.contains(&0);
    }
    // Non-ASCII bytes that form valid UTF-8 are UTF-8 under a wrong legacy label: in a
    // legacy charset such sequences read as mojibake (`Ã©` for `é`).
    enc == UTF_8 || bytes.is_ascii() || !utf8
}

/// Read `bytes` in the charset they most likely are in: UTF-8 when valid, else the
/// guess of `chardetng`.
fn detected(bytes: &[u8], why: &str) -> Decoded {
    let enc = if std::str::from_utf8(bytes).is_ok() {
        UTF_8
    } else {
        let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Allow);
        detector.feed(bytes, true);
        detector.guess(None, chardetng::Utf8Detection::Allow)
    };
    let (text, malformed) = enc.decode_without_bom_handling(bytes);
    let replaced = if malformed {
        "; bytes that fit no charset were replaced"
    } else {
        ""
    };
    Decoded {
        text: text.into_owned(),
        warning: Some(format!(
            "{why}; read as {} (detected){replaced}",
            enc.name()
        )),
    }
}

/// Whether decoded text is not text at all (binary data, or a charset no detection
/// reads): more than 1 in 20 of its visible characters are replacement characters or
/// control characters. Escape (used by ISO-2022 and by terminal sequences) is not
/// counted, so a readable message with escape sequences in it is still read.
pub fn is_garbage(text: &str) -> bool {
    let mut visible = 0usize;
    let mut bad = 0usize;
    for c in text.chars() {
        if c.is_whitespace() {
            continue;
        }
        visible += 1;
        if c == '\u{fffd}' || (c.is_control() && c != '\u{1b}') {
            bad += 1;
        }
    }
    bad * 20 > visible
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }

    #[test]
    fn declared_charsets_that_fit_are_used_silently() {
        let d = decode("Grüße".as_bytes(), Some("utf-8"));
        assert_eq!((d.text.as_str(), d.warning), ("Grüße", None));
        let d = decode(b"Gr\xfc\xdfe", Some("ISO-8859-1"));
        assert_eq!((d.text.as_str(), d.warning), ("Grüße", None));
        let d = decode(&utf16le("Hello there"), Some("utf-16le"));
        assert_eq!((d.text.as_str(), d.warning), ("Hello there", None));
        let d = decode(b"plain", None);
        assert_eq!((d.text.as_str(), d.warning), ("plain", None));
        let d = decode(b"Hi Mom -+Jjo--!", Some("utf-7"));
        assert_eq!((d.text.as_str(), d.warning), ("Hi Mom -☺-!", None));
        // A byte order mark of the declared family.
        let mut bom = vec![0xff, 0xfe];
        bom.extend(utf16le("Hi"));
        let d = decode(&bom, Some("utf-16"));
        assert_eq!((d.text.as_str(), d.warning), ("Hi", None));
    }

    #[test]
    fn utf8_declared_as_utf16_is_detected_with_a_warning() {
        let body = "If you are satisfied, please leave a 5-star review. Merci, à bientôt";
        let d = decode(body.as_bytes(), Some("utf-16"));
        assert_eq!(d.text, body);
        let w = d.warning.unwrap();
        assert!(w.contains("`utf-16`") && w.contains("UTF-8"), "{w}");
        // Pure ASCII too.
        let d = decode(b"please leave a review", Some("UTF-16BE"));
        assert_eq!(d.text, "please leave a review");
        assert!(d.warning.is_some());
    }

    #[test]
    fn wrong_or_unknown_labels_fall_back_to_detection() {
        // UTF-8 labelled Latin-1 would read as `Ã©`.
        let d = decode("café crème".as_bytes(), Some("iso-8859-1"));
        assert_eq!(d.text, "café crème");
        assert!(d.warning.is_some());
        // Latin-1 labelled UTF-8 does not decode.
        let d = decode(b"caf\xe9 cr\xe8me et th\xe9", Some("utf-8"));
        assert_eq!(d.text, "café crème et thé");
        assert!(d.warning.unwrap().contains("windows-1252"));
        let d = decode(b"hello", Some("x-no-such-charset"));
        assert_eq!(d.text, "hello");
        assert!(d.warning.unwrap().contains("unknown charset"));
        let d = decode(b"caf\xe9", None);
        assert_eq!(d.text, "café");
        assert!(d.warning.is_some());
        // UTF-16 bytes under a single-byte label are full of NULs.
        let d = decode(&utf16le("hello"), Some("iso-8859-1"));
        assert!(d.warning.is_some());
    }

    #[test]
    fn garbage_is_told_from_text() {
        assert!(!is_garbage(
            "Hello, your order has shipped.\n\n\u{1b}[2J is not text"
        ));
        assert!(!is_garbage(""));
        assert!(is_garbage("\u{fffd}\u{fffd}abc"));
        assert!(is_garbage("h\0e\0l\0l\0o\0"));
        let binary: Vec<u8> = (0u8..=255).cycle().take(4096).collect();
        assert!(is_garbage(&decode(&binary, Some("utf-8")).text));
    }
}
