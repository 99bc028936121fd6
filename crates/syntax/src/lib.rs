//! Source text → syntax tree, with exact byte spans and error recovery.
//!
//! Pipeline: [`lexer`] (logos) splits the body into text and tag tokens, [`header`]
//! reads the `---` block, [`parser`] (chumsky) builds [`ast`] nodes from the tokens.
//! Parse problems become [`Diagnostic`]s; parsing never fails as a whole.

pub mod ast;

pub use ast::*;
use tplc_diagnostics::{CodeInfo, Diagnostic, Severity};

/// The result of parsing one file: always a tree, plus whatever went wrong.
#[derive(Clone, Debug, Default)]
pub struct Parse {
    pub template: Template,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parse a whole template file (header and body).
pub fn parse(source: &str) -> Parse {
    let _ = source;
    Parse::default()
}

pub const SYNTAX_ERROR: &str = "syntax-error";
pub const BAD_HEADER: &str = "bad-header";

/// Codes this crate emits.
pub const CODES: &[CodeInfo] = &[
    CodeInfo {
        code: SYNTAX_ERROR,
        default_severity: Severity::Error,
        summary: "The template body cannot be parsed",
        explanation: "",
    },
    CodeInfo {
        code: BAD_HEADER,
        default_severity: Severity::Error,
        summary: "The `---` header is malformed",
        explanation: "",
    },
];
