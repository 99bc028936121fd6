//! What templates can talk about: value types, the Amazon order data (extended per
//! project), filters with typed signatures, the JSON shape of render data, and
//! `tplc.toml`.

pub mod config;
pub mod data;
pub mod filters;
pub mod locale;
pub mod schema;
pub mod suggest;
pub mod types;

pub use config::{
    BudgetConfig, BuildConfig, Config, ProjectConfig, RuleLevel, RuleSetting, SchemaExtension,
    BAD_CONFIG,
};
pub use data::{is_date, is_datetime, DataError, DataUsage};
pub use filters::{
    check_date_format, filter, DateDirective, DateFormatError, FilterSpec, DATE_DIRECTIVES,
    FILTERS, MAX_DATE_DIRECTIVES, MAX_DATE_FORMAT_BYTES,
};
pub use locale::check_locale;
pub use schema::{kind, Field, MessageKind, Record, Schema, KINDS};
pub use suggest::{did_you_mean, edit_distance};
pub use types::{parse_type_ref, resolve_type_ref, Type, TypeError, SCALAR_TYPE_NAMES};

use tplc_diagnostics::{CodeInfo, Severity};

/// Codes this crate emits.
pub const CODES: &[CodeInfo] = &[CodeInfo {
    code: BAD_CONFIG,
    default_severity: Severity::Error,
    summary: "`tplc.toml` is malformed or has an unknown key",
    explanation: include_str!("../../../docs/diagnostics/bad-config.md"),
}];
