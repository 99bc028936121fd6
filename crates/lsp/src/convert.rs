//! Conversions between the engine's byte spans and the protocol's positions, and from
//! the one diagnostic model to LSP diagnostics. Every column is computed by
//! [`LineIndex`] in the encoding negotiated at `initialize`.

use serde::{Deserialize, Serialize};
use tower_lsp_server::ls_types as lsp;
use tplc_diagnostics::{Diagnostic, LineCol, LineIndex, PositionEncoding, Severity, Span};

/// A text with its line index, so conversions never rescan the file.
#[derive(Clone, Debug)]
pub struct Text<'a> {
    pub text: &'a str,
    pub index: LineIndex,
    pub enc: PositionEncoding,
    /// The line break inserted text should use.
    pub newline: &'static str,
}

impl<'a> Text<'a> {
    pub fn new(text: &'a str, enc: PositionEncoding) -> Self {
        Text {
            text,
            index: LineIndex::new(text),
            enc,
            newline: if text.contains("\r\n") { "\r\n" } else { "\n" },
        }
    }

    pub fn position(&self, offset: usize) -> lsp::Position {
        let lc = self.index.line_col(self.text, offset, self.enc);
        lsp::Position::new(lc.line, lc.col)
    }

    pub fn range(&self, span: Span) -> lsp::Range {
        lsp::Range::new(self.position(span.start), self.position(span.end))
    }

    /// The byte offset of a client position (clamped into the text).
    pub fn offset(&self, pos: lsp::Position) -> usize {
        self.index.offset(
            self.text,
            LineCol {
                line: pos.line,
                col: pos.character,
            },
            self.enc,
        )
    }

    pub fn span(&self, range: lsp::Range) -> Span {
        let start = self.offset(range.start);
        let end = self.offset(range.end).max(start);
        Span::new(start, end)
    }

    pub fn edit(&self, e: &tplc_diagnostics::TextEdit) -> lsp::TextEdit {
        lsp::TextEdit::new(self.range(e.span), e.new_text.clone())
    }
}

pub fn encoding_kind(enc: PositionEncoding) -> lsp::PositionEncodingKind {
    match enc {
        PositionEncoding::Utf8 => lsp::PositionEncodingKind::UTF8,
        _ => lsp::PositionEncodingKind::UTF16,
    }
}

/// UTF-8 when the client offers it (no conversion cost, exact for every script),
/// else the protocol's default UTF-16.
pub fn negotiate_encoding(caps: &lsp::ClientCapabilities) -> PositionEncoding {
    let offered = caps
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref());
    match offered {
        Some(list) if list.contains(&lsp::PositionEncodingKind::UTF8) => PositionEncoding::Utf8,
        _ => PositionEncoding::Utf16,
    }
}

pub fn severity(s: Severity) -> lsp::DiagnosticSeverity {
    match s {
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        Severity::Info => lsp::DiagnosticSeverity::INFORMATION,
    }
}

/// What a published diagnostic carries in `data`, so a code action is a lookup.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DiagnosticData {
    /// Every fix of the diagnostic, as edits of this document.
    pub fixes: Vec<FixData>,
    /// The edit that inserts `{# tplc-allow: CODE -- reason #}` above the line.
    pub allow: Option<lsp::TextEdit>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FixData {
    pub title: String,
    pub edits: Vec<lsp::TextEdit>,
    /// Safe fixes keep the meaning and may be marked preferred.
    pub safe: bool,
}

/// The suppression comment that silences `code` for the line at `span`: inserted on its
/// own line above, indented like that line.
pub fn allow_edit(text: &Text<'_>, span: Span, code: &str) -> tplc_diagnostics::TextEdit {
    let line = text
        .index
        .line_col(text.text, span.start, PositionEncoding::Utf8)
        .line as usize;
    let start = text.index.line_start(line);
    let indent: String = text.text[start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    tplc_diagnostics::TextEdit::insert(
        start,
        format!(
            "{indent}{{# tplc-allow: {code} -- reason #}}{}",
            text.newline
        ),
    )
}

/// One engine diagnostic as the protocol shows it. `uri` is the document's own URI
/// (for related information in the same file); `other_file` locates labels that point
/// into other files.
///
/// `body_start` is where the template body starts: "allow this rule here" is offered
/// for problems in the body only (a comment cannot go into the header, and `tplc.toml`
/// has no templates), and never for syntax errors, which no comment can silence.
pub fn diagnostic(
    text: &Text<'_>,
    uri: &lsp::Uri,
    d: &Diagnostic,
    body_start: Option<usize>,
    other_file: &dyn Fn(&std::path::Path, Span) -> Option<lsp::Location>,
) -> lsp::Diagnostic {
    let related: Vec<lsp::DiagnosticRelatedInformation> = d
        .labels
        .iter()
        .filter_map(|l| {
            let location = match &l.file {
                None => lsp::Location::new(uri.clone(), text.range(l.span)),
                // A label in another file: its span is in that file's text.
                Some(p) => other_file(p, l.span)?,
            };
            Some(lsp::DiagnosticRelatedInformation {
                location,
                message: l.message.clone(),
            })
        })
        .collect();
    let data = DiagnosticData {
        fixes: d
            .fixes
            .iter()
            .map(|f| FixData {
                title: f.title.clone(),
                edits: f.edits.iter().map(|e| text.edit(e)).collect(),
                safe: f.applicability == tplc_diagnostics::Applicability::Safe,
            })
            .collect(),
        allow: body_start
            .filter(|&b| d.span.start >= b && d.code != "syntax-error")
            .map(|_| text.edit(&allow_edit(text, d.span, d.code))),
    };
    // The message is exactly `tplc check`'s; the help line is shown on hover.
    let message = d.message.clone();
    lsp::Diagnostic {
        range: text.range(d.span),
        severity: Some(severity(d.severity)),
        code: Some(lsp::NumberOrString::String(d.code.to_string())),
        code_description: d
            .docs_url()
            .parse::<lsp::Uri>()
            .ok()
            .map(|href| lsp::CodeDescription { href }),
        source: Some("tplc".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: serde_json::to_value(data).ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_round_trip_in_both_encodings() {
        // Emoji (surrogate pair), CJK (3 bytes, 1 unit), combining accent (2 scalars).
        let src = "a😀b\n漢字x\ne\u{301}y\n";
        for enc in [PositionEncoding::Utf16, PositionEncoding::Utf8] {
            let t = Text::new(src, enc);
            for (i, _) in src.char_indices() {
                assert_eq!(t.offset(t.position(i)), i, "{enc:?} at {i}");
            }
        }
        let b = src.find('b').unwrap();
        assert_eq!(
            Text::new(src, PositionEncoding::Utf16).position(b),
            lsp::Position::new(0, 3)
        );
        assert_eq!(
            Text::new(src, PositionEncoding::Utf8).position(b),
            lsp::Position::new(0, 5)
        );
        let y = src.find('y').unwrap();
        assert_eq!(
            Text::new(src, PositionEncoding::Utf16).position(y),
            lsp::Position::new(2, 2)
        );
        let x = src.find('x').unwrap();
        assert_eq!(
            Text::new(src, PositionEncoding::Utf8).position(x),
            lsp::Position::new(1, 6)
        );
    }

    #[test]
    fn allow_comment_goes_above_the_line_with_its_indent() {
        let src = "a\n  bad word here\n";
        let t = Text::new(src, PositionEncoding::Utf16);
        let at = src.find("word").unwrap();
        let e = allow_edit(&t, Span::new(at, at + 4), "sentiment-word");
        assert_eq!(
            tplc_diagnostics::apply_edits(src, &[e]),
            "a\n  {# tplc-allow: sentiment-word -- reason #}\n  bad word here\n"
        );
    }
}
