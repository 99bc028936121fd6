//! Source text → syntax tree, with exact byte spans and error recovery.
//!
//! Pipeline: [`lexer`] (logos) splits the body into text and tag tokens, [`header`]
//! reads the `---` block, [`parser`] (chumsky) builds [`ast`] nodes from the tokens.
//! Parse problems become [`Diagnostic`]s; parsing never fails as a whole.

pub mod ast;
mod fast_tags;
pub mod header;
pub mod lexer;
pub mod parser;
pub mod tag;

pub use ast::*;
pub use tplc_diagnostics::Span;
use tplc_diagnostics::{CodeInfo, Diagnostic, Severity};

/// The result of parsing one file: always a tree, plus whatever went wrong.
#[derive(Clone, Debug, Default)]
pub struct Parse {
    pub template: Template,
    /// At most [`tplc_diagnostics::MAX_DIAGNOSTICS_PER_FILE`] from the body.
    pub diagnostics: Vec<Diagnostic>,
    /// Problems in the body past those, counted but not described.
    pub unlisted: usize,
}

/// Parse a whole template file (header and body).
pub fn parse(source: &str) -> Parse {
    // A byte-order mark is not content; spans stay offsets into the original text.
    let start = if source.starts_with('\u{feff}') { 3 } else { 0 };
    let subject = |span, diags: &mut Vec<Diagnostic>| parser::parse_inline(source, span, diags);
    let (header, body_start, mut diagnostics) = header::parse_header(source, start, &subject);
    let (body, mut body_diags, unlisted) = parser::parse_body(source, body_start, source.len());
    diagnostics.append(&mut body_diags);
    tplc_diagnostics::sort(&mut diagnostics);
    Parse {
        template: Template {
            header,
            body,
            body_start,
        },
        diagnostics,
        unlisted,
    }
}

pub const SYNTAX_ERROR: &str = "syntax-error";
pub const BAD_HEADER: &str = "bad-header";

/// Codes this crate emits.
pub const CODES: &[CodeInfo] = &[
    CodeInfo {
        code: SYNTAX_ERROR,
        default_severity: Severity::Error,
        summary: "The template body cannot be parsed",
        explanation: include_str!("../../../docs/diagnostics/syntax-error.md"),
    },
    CodeInfo {
        code: BAD_HEADER,
        default_severity: Severity::Error,
        summary: "The `---` header is malformed",
        explanation: include_str!("../../../docs/diagnostics/bad-header.md"),
    },
];
