//! One raw message → the fields the audit needs and the plain text a buyer reads.
//!
//! MIME structure and transfer encodings (base64, quoted-printable) are handled by
//! `mail-parser`; charsets by [`crate::charset`], which does not trust a label the bytes
//! contradict; HTML parts are reduced to text by [`html_to_text`], which keeps
//! paragraphs, list items and link targets (rules look at links).
//!
//! A message whose text cannot be read says so ([`Mail::unreadable`]); it never has an
//! empty, and so compliant, body.

use crate::charset;
use mail_parser::decoders::base64::base64_decode;
use mail_parser::decoders::quoted_printable::quoted_printable_decode;
use mail_parser::{
    Encoding, HeaderValue, Message, MessageParser, MessagePart, MimeHeaders, PartType,
};
use std::borrow::Cow;

/// The parts of a message the audit looks at.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Mail {
    pub message_id: Option<String>,
    /// Seconds since the Unix epoch (UTC).
    pub date: Option<i64>,
    pub subject: Option<String>,
    /// The sender's address, lowercased.
    pub from: Option<String>,
    /// `Content-Language`, when the sender's client set it.
    pub language: Option<String>,
    /// Has `In-Reply-To` or a reply prefix: an answer to a buyer, not a proactive message.
    pub is_reply: bool,
    /// Plain text of the readable body parts, with `\n` line breaks.
    pub body: String,
    /// The first attached message (`message/rfc822`), e.g. the original inside a bounce.
    pub attached: Option<Box<Mail>>,
    /// Text parts not read as declared (wrong or unknown charset), each with how they
    /// were read instead.
    pub decoding: Vec<String>,
    /// Why the body cannot be read, when it cannot (binary data, a broken transfer
    /// encoding, only attachments): such a message must not be checked, or it would pass
    /// for compliant.
    pub unreadable: Option<String>,
}

/// Parse one message. `Err` when the bytes are not recognisable as mail at all.
/// Text longer than this (all text parts of one message) is not read: the message is
/// listed as not checked. Attachments do not count; the raw message may be up to
/// [`crate::input::MAX_MESSAGE_BYTES`].
pub const MAX_TEXT_BYTES: usize = 4 << 20;

pub fn parse(bytes: &[u8]) -> Result<Mail, String> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err("empty message".into());
    }
    let msg = MessageParser::default()
        .parse(bytes)
        .ok_or_else(|| "not an e-mail message".to_string())?;
    if msg.headers().is_empty() {
        return Err("no mail headers found".into());
    }
    Ok(convert(&msg, 0))
}

fn convert(msg: &Message<'_>, depth: u32) -> Mail {
    let subject = msg.subject().map(|s| s.trim().to_string());
    let is_reply = !matches!(msg.in_reply_to(), HeaderValue::Empty)
        || subject.as_deref().is_some_and(has_reply_prefix);
    let date = msg
        .date()
        .filter(|d| d.is_valid())
        .map(|d| d.to_timestamp());
    let from = msg
        .from()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .map(|a| a.to_ascii_lowercase());
    let language = msg
        .header_raw("Content-Language")
        .map(|l| l.trim().split([',', ' ']).next().unwrap_or("").to_string())
        .filter(|l| !l.is_empty());

    let mut body = String::new();
    let mut decoding = Vec::new();
    let mut unreadable = None;
    let mut text_parts = 0;
    for part in msg.text_bodies() {
        let html = match &part.body {
            PartType::Text(_) => false,
            PartType::Html(_) => true,
            _ => continue,
        };
        text_parts += 1;
        let Some(bytes) = part_bytes(msg, part) else {
            unreadable = Some(
                "the text's transfer encoding (base64 or quoted-printable) is broken".to_string(),
            );
            continue;
        };
        let charset = part.content_type().and_then(|ct| ct.attribute("charset"));
        let decoded = charset::decode(&bytes, charset);
        let text = if html {
            html_to_text(&decoded.text)
        } else {
            normalise_newlines(&decoded.text)
        };
        if charset::is_garbage(&text) {
            unreadable = Some(match decoded.warning {
                Some(w) => format!("the text is not readable: {w}"),
                None => "the text is not readable (binary data or a broken encoding)".to_string(),
            });
            continue;
        }
        if let Some(w) = decoded.warning {
            if !decoding.contains(&w) {
                decoding.push(w);
            }
        }
        let text = text.trim_end();
        if text.trim().is_empty() {
            continue;
        }
        if !body.is_empty() {
            body.push_str("\n\n");
        }
        body.push_str(text);
    }

    if body.len() > MAX_TEXT_BYTES {
        unreadable = Some(format!(
            "the text is {:.1} MiB, more than the {} MiB tplc reads of one message (Amazon accepts at most 2,000 characters)",
            body.len() as f64 / (1u64 << 20) as f64,
            MAX_TEXT_BYTES >> 20
        ));
        body = String::new();
    }
    if text_parts == 0 && has_body(msg) {
        unreadable = Some(
            "no text to read: the body holds only attachments or an unsupported content type"
                .to_string(),
        );
    }

    let attached = if depth < 2 {
        msg.attachments().find_map(|p| match &p.body {
            PartType::Message(inner) => Some(Box::new(convert(inner, depth + 1))),
            _ => None,
        })
    } else {
        None
    };

    Mail {
        message_id: msg
            .message_id()
            .map(|m| m.trim().to_string())
            .filter(|m| !m.is_empty()),
        date,
        subject,
        from,
        language,
        is_reply,
        body,
        attached,
        decoding,
        unreadable,
    }
}

/// A text part's bytes with the transfer encoding removed, charset not yet applied
/// (`mail-parser` decodes with the declared charset only, which may be wrong). `None`
/// when the transfer encoding is broken.
fn part_bytes<'m>(msg: &'m Message<'_>, part: &MessagePart<'_>) -> Option<Cow<'m, [u8]>> {
    if part.is_encoding_problem {
        return None;
    }
    let raw = msg
        .raw_message
        .get(part.offset_body as usize..part.offset_end as usize)
        .unwrap_or_default();
    match part.encoding {
        Encoding::None => Some(Cow::Borrowed(raw)),
        Encoding::Base64 => base64_decode(raw).map(Cow::Owned),
        Encoding::QuotedPrintable => quoted_printable_decode(raw).map(Cow::Owned),
    }
}

/// Whether the message has anything after its header.
fn has_body(msg: &Message<'_>) -> bool {
    msg.parts.first().is_some_and(|root| {
        msg.raw_message
            .get(root.offset_body as usize..root.offset_end as usize)
            .is_some_and(|b| !b.iter().all(u8::is_ascii_whitespace))
    })
}

fn has_reply_prefix(subject: &str) -> bool {
    let lower = subject.trim_start().to_lowercase();
    [
        "re:", "re :", "aw:", "antw:", "r:", "rv:", "sv:", "réf:", "返信:",
    ]
    .iter()
    .any(|p| lower.starts_with(p))
}

fn normalise_newlines(s: &str) -> String {
    s.replace("\r\n", "\n").replace('\r', "\n")
}

/// Reduce HTML to the text a reader sees: no head/style/script, block elements become line
/// breaks, list items become `- ` bullets, `<a href>` targets are kept as `text (url)`,
/// entities are decoded and whitespace is collapsed as a browser would.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut skip_depth: Option<&'static str> = None;
    let mut link: Option<(String, usize)> = None;
    let mut rest = html;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map(|i| &after[i + 3..]).unwrap_or("");
            continue;
        }
        if rest.starts_with('<') {
            let end = tag_end(rest);
            let tag = &rest[1..end.saturating_sub(1).max(1)];
            rest = &rest[end..];
            let closing = tag.starts_with('/');
            let name: String = tag
                .trim_start_matches('/')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase();
            if let Some(skipped) = skip_depth {
                if closing && name == skipped {
                    skip_depth = None;
                }
                continue;
            }
            match name.as_str() {
                "head" | "style" | "script" | "template" | "title" if !closing => {
                    skip_depth = Some(match name.as_str() {
                        "head" => "head",
                        "style" => "style",
                        "script" => "script",
                        "template" => "template",
                        _ => "title",
                    });
                }
                // Unlike block ends, every `<br>` is a line of its own (`<div><br></div>` is a blank line).
                "br" => {
                    while out.ends_with(' ') {
                        out.pop();
                    }
                    out.push('\n');
                }
                "p" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "table" | "ul" | "ol"
                | "blockquote" => push_break(&mut out, 2),
                "div" | "tr" | "section" | "article" | "header" | "footer" | "hr" | "center"
                | "dt" | "dd" => push_break(&mut out, 1),
                "li" if !closing => {
                    push_break(&mut out, 1);
                    out.push_str("- ");
                }
                "td" | "th" if !closing => push_space(&mut out),
                "a" if !closing => {
                    link = attr(tag, "href").map(|h| (h, out.len()));
                }
                "a" => {
                    if let Some((href, start)) = link.take() {
                        let text = out.get(start..).unwrap_or("").trim().to_string();
                        let shown = href.starts_with("http") || href.starts_with("mailto:");
                        if shown && !text.contains(href.trim_start_matches("mailto:")) {
                            push_space(&mut out);
                            out.push('(');
                            out.push_str(&href);
                            out.push(')');
                        }
                    }
                }
                _ => {}
            }
            continue;
        }
        let next = rest.find('<').unwrap_or(rest.len());
        let (text, tail) = rest.split_at(next);
        rest = tail;
        if skip_depth.is_some() {
            continue;
        }
        push_text(&mut out, &decode_entities(text));
    }
    tidy_lines(&out)
}

/// Index just past the `>` closing the tag at the start of `s`, honouring quoted attributes.
fn tag_end(s: &str) -> usize {
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices().skip(1) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return i + 1,
            _ => {}
        }
    }
    s.len()
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find(name) {
        let at = from + i;
        from = at + name.len();
        let before_ok = at == 0 || lower.as_bytes()[at - 1].is_ascii_whitespace();
        let after = lower[from..].trim_start();
        if !before_ok || !after.starts_with('=') {
            continue;
        }
        let value_start = tag.len() - after.len() + 1;
        let value = tag[value_start..].trim_start();
        let v = if let Some(q) = value.chars().next().filter(|c| *c == '"' || *c == '\'') {
            value[1..].split(q).next().unwrap_or("")
        } else {
            value
                .split(|c: char| c.is_whitespace() || c == '>')
                .next()
                .unwrap_or("")
        };
        return Some(decode_entities(v.trim()));
    }
    None
}

fn push_text(out: &mut String, text: &str) {
    for c in text.chars() {
        if c.is_whitespace() && c != '\u{a0}' {
            push_space(out);
        } else {
            out.push(c);
        }
    }
}

fn push_space(out: &mut String) {
    if !out.is_empty() && !out.ends_with([' ', '\n']) {
        out.push(' ');
    }
}

fn push_break(out: &mut String, lines: usize) {
    while out.ends_with(' ') {
        out.pop();
    }
    if out.is_empty() {
        return;
    }
    let have = out.len() - out.trim_end_matches('\n').len();
    for _ in have..lines {
        out.push('\n');
    }
}

fn tidy_lines(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut blank = 0;
    for line in s.lines() {
        let line = line.replace('\u{a0}', " ");
        let line = line.trim();
        if line.is_empty() {
            blank += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank > 0 { "\n\n" } else { "\n" });
        }
        blank = 0;
        out.push_str(line);
    }
    out
}

/// Decode `&name;`, `&#NN;` and `&#xNN;`; unknown entities stay as written.
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let semi = rest[1..].find(';').map(|j| j + 1).filter(|&j| j <= 10);
        let decoded = semi.and_then(|j| {
            let ent = &rest[1..j];
            let c = if let Some(num) = ent.strip_prefix('#') {
                let (digits, radix) = match num.strip_prefix(['x', 'X']) {
                    Some(h) => (h, 16),
                    None => (num, 10),
                };
                u32::from_str_radix(digits, radix)
                    .ok()
                    .map(|n| char::from_u32(n).unwrap_or('\u{fffd}'))
            } else {
                named_entity(ent)
            };
            c.map(|c| (c, j + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn named_entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "hellip" => '…',
        "ndash" => '–',
        "mdash" => '—',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        "laquo" => '«',
        "raquo" => '»',
        "euro" => '€',
        "pound" => '£',
        "yen" => '¥',
        "star" => '☆',
        "eacute" => 'é',
        "egrave" => 'è',
        "ecirc" => 'ê',
        "agrave" => 'à',
        "aacute" => 'á',
        "acirc" => 'â',
        "ccedil" => 'ç',
        "iacute" => 'í',
        "oacute" => 'ó',
        "ocirc" => 'ô',
        "uacute" => 'ú',
        "ugrave" => 'ù',
        "ntilde" => 'ñ',
        "auml" => 'ä',
        "ouml" => 'ö',
        "uuml" => 'ü',
        "Auml" => 'Ä',
        "Ouml" => 'Ö',
        "Uuml" => 'Ü',
        "szlig" => 'ß',
        "Eacute" => 'É',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_keeps_structure_and_links() {
        let html = r#"<html><head><title>x</title><style>p{color:red}</style></head><body>
            <p>Hello&nbsp;Anna,</p><div>Thanks for order <b>123-1234567-1234567</b>.</div>
            <ul><li>Mug</li><li>Lid &amp; straw</li></ul>
            <p>Please <a href="https://www.amazon.com/review/create?asin=B0">review it</a>.<br>Bye &#x1F600; &unknown;</p>
            <script>alert(1)</script><!-- hidden --></body></html>"#;
        assert_eq!(
            html_to_text(html),
            "Hello Anna,\n\nThanks for order 123-1234567-1234567.\n\n- Mug\n- Lid & straw\n\nPlease review it (https://www.amazon.com/review/create?asin=B0).\nBye 😀 &unknown;"
        );
    }

    #[test]
    fn hostile_html_does_not_panic() {
        for s in [
            "<",
            "<a href=",
            "<a href='x",
            "&#99999999999;",
            "&#xD800;",
            "<!--",
            "<p",
            "é<é>é",
            "&",
        ] {
            let _ = html_to_text(s);
        }
        assert_eq!(decode_entities("&#xD800;"), "\u{fffd}");
    }

    #[test]
    fn transfer_encodings_decode_as_mail_parser_decodes_them() {
        let raw = "Subject: x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"b\"\r\n\r\npreamble\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nGr=C3=BC=C3=9Fe, a soft=\r\n break and =3D sign.\r\nSecond line.\r\n--b\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\nPHA+R3LDvMOfZSwgYSBzb2Z0IGJyZWFrIGFuZCA9IHNpZ24uPC9wPgo8cD5TZWNv\r\nbmQgbGluZS48L3A+\r\n--b--\r\nepilogue\r\n";
        let msg = MessageParser::default().parse(raw.as_bytes()).unwrap();
        let mut seen = 0;
        for part in msg.parts.iter() {
            let ours = match &part.body {
                PartType::Text(t) | PartType::Html(t) => (part_bytes(&msg, part).unwrap(), t),
                _ => continue,
            };
            assert_eq!(std::str::from_utf8(&ours.0).unwrap(), ours.1.as_ref());
            seen += 1;
        }
        assert_eq!(seen, 2);
        let m = parse(raw.as_bytes()).unwrap();
        assert_eq!(m.body, "Grüße, a soft break and = sign.\nSecond line.");
        assert!(m.decoding.is_empty() && m.unreadable.is_none());
    }

    #[test]
    fn text_past_the_limit_is_not_read_and_says_so() {
        let head = "Subject: Your order\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n";
        let fits = format!("{head}{}", "word ".repeat(MAX_TEXT_BYTES / 5 - 10));
        let m = parse(fits.as_bytes()).unwrap();
        assert!(m.unreadable.is_none() && m.body.len() > MAX_TEXT_BYTES - 100);
        let over = format!("{head}{}", "word ".repeat(MAX_TEXT_BYTES / 5 + 10));
        let m = parse(over.as_bytes()).unwrap();
        assert!(m.body.is_empty());
        assert!(m.unreadable.unwrap().contains("4 MiB"));
    }

    #[test]
    fn parses_headers_and_reply_markers() {
        let raw = b"Message-ID: <a@b>\r\nDate: Tue, 03 Nov 2026 10:00:00 +0100\r\nFrom: Shop <Shop@Example.com>\r\nSubject: Re: your order\r\n\r\nHi\r\nthere\r\n";
        let m = parse(raw).unwrap();
        assert_eq!(m.message_id.as_deref(), Some("a@b"));
        assert_eq!(m.from.as_deref(), Some("shop@example.com"));
        assert!(m.is_reply);
        assert_eq!(m.body, "Hi\nthere");
        assert_eq!(m.date, Some(1_793_696_400));
        assert!(parse(b"   ").is_err());
    }
}
