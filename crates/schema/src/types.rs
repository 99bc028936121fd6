//! The types of template values and their source syntax.

use std::fmt;

use serde::Serialize;
use tplc_syntax::TypeRef;

use crate::suggest::did_you_mean;

/// A value's type, as checked at compile time.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(into = "String")]
pub enum Type {
    Text,
    Int,
    Decimal,
    Money,
    Date,
    DateTime,
    Url,
    Bool,
    OrderId,
    Asin,
    List(Box<Type>),
    /// A named record of the schema (`order`, `item`, or one a project declares).
    Record(String),
    Optional(Box<Type>),
    /// The type of an expression that already has an error: it matches everything,
    /// so one mistake yields one diagnostic.
    Unknown,
}

/// The scalar type names, in the order docs and completion list them.
pub const SCALAR_TYPE_NAMES: &[&str] = &[
    "text", "int", "decimal", "money", "date", "datetime", "url", "bool", "order_id", "asin",
];

impl Type {
    pub fn scalar_from_name(name: &str) -> Option<Type> {
        Some(match name {
            "text" => Type::Text,
            "int" => Type::Int,
            "decimal" => Type::Decimal,
            "money" => Type::Money,
            "date" => Type::Date,
            "datetime" => Type::DateTime,
            "url" => Type::Url,
            "bool" => Type::Bool,
            "order_id" => Type::OrderId,
            "asin" => Type::Asin,
            _ => return None,
        })
    }

    pub fn list(elem: Type) -> Type {
        Type::List(Box::new(elem))
    }

    /// `T?`; optional stays single (`T??` is `T?`), and `unknown` stays unknown.
    pub fn optional(self) -> Type {
        match self {
            Type::Optional(_) | Type::Unknown => self,
            t => Type::Optional(Box::new(t)),
        }
    }

    pub fn record(name: impl Into<String>) -> Type {
        Type::Record(name.into())
    }

    pub fn is_optional(&self) -> bool {
        matches!(self, Type::Optional(_))
    }

    /// The type without its `?`.
    pub fn non_optional(&self) -> &Type {
        match self {
            Type::Optional(t) => t,
            t => t,
        }
    }

    pub fn into_non_optional(self) -> Type {
        match self {
            Type::Optional(t) => *t,
            t => t,
        }
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self.non_optional(), Type::Unknown)
    }

    /// Values stored as JSON strings and printed as they are.
    pub fn is_text_like(&self) -> bool {
        matches!(self, Type::Text | Type::Url | Type::OrderId | Type::Asin)
    }

    pub fn is_numeric(&self) -> bool {
        matches!(self, Type::Int | Type::Decimal)
    }

    /// A single value (not a list or record).
    pub fn is_scalar(&self) -> bool {
        !matches!(self, Type::List(_) | Type::Record(_) | Type::Optional(_))
    }

    /// The element type of a list (looking through `?`).
    pub fn element(&self) -> Option<&Type> {
        match self.non_optional() {
            Type::List(t) => Some(t),
            _ => None,
        }
    }

    /// Whether a value of type `self` may stand where `want` is expected.
    pub fn fits(&self, want: &Type) -> bool {
        match (self, want) {
            (Type::Unknown, _) | (_, Type::Unknown) => true,
            (a, Type::Optional(w)) => a.non_optional().fits(w),
            (Type::Optional(_), _) => false,
            (Type::Int, Type::Decimal) => true,
            (Type::List(a), Type::List(b)) => a.fits(b),
            (a, b) => a == b,
        }
    }

    /// Whether `==`/`!=` between the two types means something.
    pub fn comparable(&self, other: &Type) -> bool {
        let (a, b) = (self.non_optional(), other.non_optional());
        match (a, b) {
            (Type::Unknown, _) | (_, Type::Unknown) => true,
            _ if a.is_text_like() && b.is_text_like() => true,
            _ if a.is_numeric() && b.is_numeric() => true,
            (Type::List(_) | Type::Record(_), _) | (_, Type::List(_) | Type::Record(_)) => false,
            _ => a == b,
        }
    }

    /// Whether `<`, `<=`, `>`, `>=` between the two types means something.
    pub fn orderable(&self, other: &Type) -> bool {
        let (a, b) = (self.non_optional(), other.non_optional());
        match (a, b) {
            (Type::Unknown, _) | (_, Type::Unknown) => true,
            _ if a.is_numeric() && b.is_numeric() => true,
            (Type::Date, Type::Date)
            | (Type::DateTime, Type::DateTime)
            | (Type::Text, Type::Text) => true,
            _ => false,
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Type::Text => "text",
            Type::Int => "int",
            Type::Decimal => "decimal",
            Type::Money => "money",
            Type::Date => "date",
            Type::DateTime => "datetime",
            Type::Url => "url",
            Type::Bool => "bool",
            Type::OrderId => "order_id",
            Type::Asin => "asin",
            Type::Unknown => "unknown",
            Type::List(t) => return write!(f, "list<{t}>"),
            Type::Record(n) => n,
            Type::Optional(t) => return write!(f, "{t}?"),
        };
        f.write_str(s)
    }
}

impl From<Type> for String {
    fn from(t: Type) -> String {
        t.to_string()
    }
}

/// Why a written type could not be resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypeError {
    /// The unknown name as written.
    pub name: String,
    pub message: String,
    /// The closest known type name, if any.
    pub suggestion: Option<String>,
}

/// Resolve a written type against the scalar names and the given record names.
pub fn resolve_type_ref(ty: &TypeRef, record_names: &[&str]) -> Result<Type, TypeError> {
    match ty {
        TypeRef::Named(n) => {
            if let Some(t) = Type::scalar_from_name(n) {
                Ok(t)
            } else if record_names.contains(&n.as_str()) {
                Ok(Type::Record(n.clone()))
            } else {
                let candidates = SCALAR_TYPE_NAMES.iter().chain(record_names).copied();
                let suggestion = did_you_mean(n, candidates).map(str::to_string);
                let mut message = format!("unknown type `{n}`");
                match &suggestion {
                    Some(s) => message.push_str(&format!("; did you mean `{s}`?")),
                    None => message.push_str(&format!(
                        "; use one of {}, list<T>, a record name, or add `?` for an optional value",
                        SCALAR_TYPE_NAMES.join(", ")
                    )),
                }
                Err(TypeError {
                    name: n.clone(),
                    message,
                    suggestion,
                })
            }
        }
        TypeRef::List(t) => Ok(Type::list(resolve_type_ref(t, record_names)?)),
        TypeRef::Optional(t) => Ok(resolve_type_ref(t, record_names)?.optional()),
    }
}

/// Parse a type written as text (`list<item>?`), as in `tplc.toml`.
pub fn parse_type_ref(text: &str) -> Option<TypeRef> {
    let text = text.trim();
    if let Some(inner) = text.strip_suffix('?') {
        let inner = parse_type_ref(inner)?;
        if matches!(inner, TypeRef::Optional(_)) {
            return None;
        }
        return Some(TypeRef::Optional(Box::new(inner)));
    }
    if let Some(rest) = text.strip_prefix("list") {
        let rest = rest.trim_start();
        if let Some(inner) = rest.strip_prefix('<').and_then(|r| r.strip_suffix('>')) {
            return Some(TypeRef::List(Box::new(parse_type_ref(inner)?)));
        }
    }
    let ident = !text.is_empty()
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && text.starts_with(|c: char| c.is_ascii_alphabetic());
    ident.then(|| TypeRef::Named(text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(text: &str) -> Result<Type, TypeError> {
        let t = parse_type_ref(text).expect("parses");
        resolve_type_ref(&t, &["item"])
    }

    #[test]
    fn display_round_trips_source_syntax() {
        for src in [
            "text",
            "list<item>",
            "text?",
            "list<text>?",
            "list<list<int>>",
            "order_id",
        ] {
            assert_eq!(resolve(src).unwrap().to_string(), src);
        }
    }

    #[test]
    fn unknown_names_suggest() {
        let e = resolve("list<itme>").unwrap_err();
        assert_eq!(e.name, "itme");
        assert_eq!(e.suggestion.as_deref(), Some("item"));
        assert_eq!(
            resolve("txt").unwrap_err().suggestion.as_deref(),
            Some("text")
        );
        assert_eq!(resolve("customer").unwrap_err().suggestion, None);
        let e = resolve("integer").unwrap_err();
        assert!(
            e.message.contains("unknown type `integer`"),
            "{}",
            e.message
        );
    }

    #[test]
    fn malformed_text_is_rejected() {
        for bad in ["", "list<", "text??", "1abc", "list<>", "a b"] {
            assert_eq!(parse_type_ref(bad), None, "{bad}");
        }
    }

    #[test]
    fn fits_and_compares() {
        assert!(Type::Int.fits(&Type::Decimal));
        assert!(Type::Text.fits(&Type::Text.optional()));
        assert!(!Type::Text.optional().fits(&Type::Text));
        assert!(Type::Text.comparable(&Type::OrderId));
        assert!(!Type::Text.comparable(&Type::Int));
        assert!(!Type::list(Type::Text).comparable(&Type::list(Type::Text)));
        assert!(Type::Date.orderable(&Type::Date));
        assert!(!Type::Date.orderable(&Type::Text));
        assert_eq!(Type::Text.optional().optional(), Type::Text.optional());
    }
}
