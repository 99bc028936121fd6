//! BCP 47 language tags, as written in `locale:` headers and `tplc.toml`.

/// Check the shape of a BCP 47 tag (`en`, `en-US`, `zh-Hant-TW`, `es-419`). The error
/// says what is wrong and how to write it.
pub fn check_locale(tag: &str) -> Result<(), String> {
    if tag.is_empty() {
        return Err("the locale is empty; write a BCP 47 tag such as `en` or `de-DE`".into());
    }
    if tag.contains('_') {
        return Err(format!(
            "`{tag}` is not a BCP 47 tag: use `-`, not `_` (write `{}`)",
            tag.replace('_', "-")
        ));
    }
    let mut subtags = tag.split('-');
    let lang = subtags.next().unwrap_or("");
    if !(2..=3).contains(&lang.len()) || !lang.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(format!(
            "`{tag}` does not start with a 2- or 3-letter language code; write e.g. `en`, `de-DE` or `ja`"
        ));
    }
    for sub in subtags {
        let ok = (1..=8).contains(&sub.len()) && sub.bytes().all(|b| b.is_ascii_alphanumeric());
        if !ok {
            return Err(format!(
                "`{tag}` is not a BCP 47 tag: `{sub}` must be 1 to 8 letters or digits; write e.g. `en-US`"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags() {
        for ok in ["en", "en-US", "de-DE", "fr", "zh-Hant-TW", "es-419", "ja"] {
            assert_eq!(check_locale(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            "e",
            "english",
            "en-",
            "en--US",
            "12",
            "en-US-toolongsubtag",
            "en US",
        ] {
            assert!(check_locale(bad).is_err(), "{bad}");
        }
        assert!(check_locale("en_US").unwrap_err().contains("`en-US`"));
    }
}
