//! Filters (`{{ value | name(args) }}`) with typed signatures, as data for the checker,
//! hover, completion and docs.

use std::ops::Range;

use serde::Serialize;

use crate::types::Type;

/// The type a filter argument must have.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamKind {
    Text,
    Int,
    /// Any printable value (for `default`).
    Any,
}

impl ParamKind {
    pub fn accepts(self, ty: &Type) -> bool {
        match self {
            ParamKind::Text => ty.fits(&Type::Text),
            ParamKind::Int => ty.fits(&Type::Int),
            ParamKind::Any => ty.is_unknown() || ty.is_scalar(),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            ParamKind::Text => "text",
            ParamKind::Int => "int",
            ParamKind::Any => "any",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct FilterParam {
    pub name: &'static str,
    pub kind: ParamKind,
}

/// Which input values a filter takes (after any `?` is handled).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InputRule {
    Any,
    /// text, url, order_id, asin.
    TextLike,
    Money,
    DateOrDateTime,
    TextOrList,
    List,
    /// A list of text-like or numeric values.
    ScalarList,
}

impl InputRule {
    pub fn accepts(self, ty: &Type) -> bool {
        let ty = ty.non_optional();
        if ty.is_unknown() {
            return true;
        }
        match self {
            InputRule::Any => true,
            InputRule::TextLike => ty.is_text_like(),
            InputRule::Money => *ty == Type::Money,
            InputRule::DateOrDateTime => matches!(ty, Type::Date | Type::DateTime),
            InputRule::TextOrList => ty.is_text_like() || matches!(ty, Type::List(_)),
            InputRule::List => matches!(ty, Type::List(_)),
            InputRule::ScalarList => ty.element().is_some_and(|e| {
                let e = e.non_optional();
                e.is_unknown() || e.is_text_like() || e.is_numeric()
            }),
        }
    }

    /// The accepted types, as written in signatures and messages.
    pub fn describe(self) -> &'static str {
        match self {
            InputRule::Any => "any value",
            InputRule::TextLike => "text",
            InputRule::Money => "money",
            InputRule::DateOrDateTime => "date|datetime",
            InputRule::TextOrList => "text|list<T>",
            InputRule::List => "list<T>",
            InputRule::ScalarList => "list<text|int|decimal>",
        }
    }
}

/// How a filter's result type follows from its input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResultRule {
    Text,
    Int,
    /// `T? -> T`, or text when the fallback has another type.
    RemoveOptional,
    /// `list<T> -> T?` (an empty list has no first element).
    ElementOptional,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct FilterSpec {
    pub name: &'static str,
    pub params: &'static [FilterParam],
    pub input: InputRule,
    /// Whether an optional input is handled by the filter itself (only `default`).
    pub accepts_optional: bool,
    pub result: ResultRule,
    /// One line for hover and completion.
    pub doc: &'static str,
    /// `name(params) : input -> result`.
    pub signature: &'static str,
}

impl FilterSpec {
    /// The result type for a (non-optional, accepted) input and the argument types.
    /// `Err` carries a message when the arguments do not fit the input.
    pub fn result_type(&self, input: &Type, args: &[Type]) -> Result<Type, String> {
        let inner = input.non_optional();
        Ok(match self.result {
            ResultRule::Text => Type::Text,
            ResultRule::Int => Type::Int,
            ResultRule::ElementOptional => match inner.element() {
                Some(e) => e.clone().optional(),
                None => Type::Unknown,
            },
            ResultRule::RemoveOptional => {
                let fallback = args.first().cloned().unwrap_or(Type::Unknown);
                if fallback.fits(inner) {
                    if inner.is_unknown() {
                        fallback
                    } else {
                        inner.clone()
                    }
                } else if inner.is_scalar() && fallback.is_scalar() {
                    // `order.delivery_date | default("soon")` prints either; it is text now.
                    Type::Text
                } else {
                    return Err(format!(
                        "a `{inner}` value cannot fall back to a `{fallback}`"
                    ));
                }
            }
        })
    }
}

const fn p(name: &'static str, kind: ParamKind) -> FilterParam {
    FilterParam { name, kind }
}

/// Every filter a template may use.
pub const FILTERS: &[FilterSpec] = &[
    FilterSpec {
        name: "default",
        params: &[p("value", ParamKind::Any)],
        input: InputRule::Any,
        accepts_optional: true,
        result: ResultRule::RemoveOptional,
        doc: "Use `value` when the input is missing, so an optional value is always printed.",
        signature: "default(value: any) : T? -> T",
    },
    FilterSpec {
        name: "date",
        params: &[p("format", ParamKind::Text)],
        input: InputRule::DateOrDateTime,
        accepts_optional: false,
        result: ResultRule::Text,
        doc: "Format a date with strftime-like directives, e.g. `date(\"%d %B %Y\")`, in the template's locale.",
        signature: "date(format: text) : date|datetime -> text",
    },
    FilterSpec {
        name: "money",
        params: &[],
        input: InputRule::Money,
        accepts_optional: false,
        result: ResultRule::Text,
        doc: "Format an amount with its currency for the template's locale, e.g. `$25.98` or `25,98 €`.",
        signature: "money : money -> text",
    },
    FilterSpec {
        name: "upper",
        params: &[],
        input: InputRule::TextLike,
        accepts_optional: false,
        result: ResultRule::Text,
        doc: "Convert text to upper case.",
        signature: "upper : text -> text",
    },
    FilterSpec {
        name: "lower",
        params: &[],
        input: InputRule::TextLike,
        accepts_optional: false,
        result: ResultRule::Text,
        doc: "Convert text to lower case.",
        signature: "lower : text -> text",
    },
    FilterSpec {
        name: "capitalize",
        params: &[],
        input: InputRule::TextLike,
        accepts_optional: false,
        result: ResultRule::Text,
        doc: "Upper-case the first letter and lower-case the rest.",
        signature: "capitalize : text -> text",
    },
    FilterSpec {
        name: "trim",
        params: &[],
        input: InputRule::TextLike,
        accepts_optional: false,
        result: ResultRule::Text,
        doc: "Remove spaces and line breaks at both ends.",
        signature: "trim : text -> text",
    },
    FilterSpec {
        name: "length",
        params: &[],
        input: InputRule::TextOrList,
        accepts_optional: false,
        result: ResultRule::Int,
        doc: "The number of characters of a text, or of entries of a list.",
        signature: "length : text|list<T> -> int",
    },
    FilterSpec {
        name: "join",
        params: &[p("separator", ParamKind::Text)],
        input: InputRule::ScalarList,
        accepts_optional: false,
        result: ResultRule::Text,
        doc: "Join the entries of a list of values with `separator` between them.",
        signature: "join(separator: text) : list<T> -> text",
    },
    FilterSpec {
        name: "first",
        params: &[],
        input: InputRule::List,
        accepts_optional: false,
        result: ResultRule::ElementOptional,
        doc: "The first entry of a list; missing when the list is empty.",
        signature: "first : list<T> -> T?",
    },
    FilterSpec {
        name: "last",
        params: &[],
        input: InputRule::List,
        accepts_optional: false,
        result: ResultRule::ElementOptional,
        doc: "The last entry of a list; missing when the list is empty.",
        signature: "last : list<T> -> T?",
    },
    FilterSpec {
        name: "truncate",
        params: &[p("length", ParamKind::Int)],
        input: InputRule::TextLike,
        accepts_optional: false,
        result: ResultRule::Text,
        doc: "Shorten text to at most `length` characters, ending with `…` when cut.",
        signature: "truncate(length: int) : text -> text",
    },
];

pub fn filter(name: &str) -> Option<&'static FilterSpec> {
    FILTERS.iter().find(|f| f.name == name)
}

/// A `date(...)` directive: the character after `%`, what it prints, and whether it
/// needs a time of day (so it cannot format a plain `date`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct DateDirective {
    pub directive: char,
    pub meaning: &'static str,
    pub needs_time: bool,
}

const fn dd(directive: char, meaning: &'static str, needs_time: bool) -> DateDirective {
    DateDirective {
        directive,
        meaning,
        needs_time,
    }
}

/// The directives `date(format)` understands. `%-d`, `%-m`, `%-H` and `%-I` drop the
/// leading zero; `%%` prints `%`.
pub const DATE_DIRECTIVES: &[DateDirective] = &[
    dd('d', "day of the month, 01-31", false),
    dd('e', "day of the month, 1-31, space-padded", false),
    dd('m', "month, 01-12", false),
    dd('B', "full month name in the template's locale (May)", false),
    dd('b', "abbreviated month name (May, Jan)", false),
    dd('Y', "year, four digits", false),
    dd('y', "year, two digits", false),
    dd('A', "full weekday name (Monday)", false),
    dd('a', "abbreviated weekday name (Mon)", false),
    dd('j', "day of the year, 001-366", false),
    dd('H', "hour, 00-23", true),
    dd('I', "hour, 01-12", true),
    dd('M', "minute, 00-59", true),
    dd('S', "second, 00-59", true),
    dd('p', "AM or PM", true),
    dd('Z', "time zone abbreviation", true),
];

/// A problem in a `date(...)` format, with the byte range of the directive in the format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateFormatError {
    pub range: Range<usize>,
    pub message: String,
}

/// The longest `date(...)` format, in bytes. Real formats are a few dozen bytes; every
/// directive becomes an expression of its own in the compiled template, which both
/// renderers hold in memory and evaluate for each message.
pub const MAX_DATE_FORMAT_BYTES: usize = 256;

/// Most directives in one `date(...)` format. The compiled template repeats the value
/// being formatted in every directive (ten times for a weekday), and Python's Jinja2
/// takes seconds to compile a few hundred of them.
pub const MAX_DATE_DIRECTIVES: usize = 16;

/// Check a `date(...)` format string for the input type (`date` or `datetime`). A format
/// longer than [`MAX_DATE_FORMAT_BYTES`] gets one error covering all of it.
pub fn check_date_format(format: &str, input: &Type) -> Vec<DateFormatError> {
    if format.len() > MAX_DATE_FORMAT_BYTES {
        return vec![DateFormatError {
            range: 0..format.len(),
            message: format!(
                "this format is {} bytes long; a date format has at most {MAX_DATE_FORMAT_BYTES}: shorten it",
                format.len()
            ),
        }];
    }
    let mut errors = Vec::new();
    let mut chars = format.char_indices().peekable();
    let known: String = DATE_DIRECTIVES.iter().map(|d| d.directive).collect();
    let mut directives = 0;
    while let Some((start, c)) = chars.next() {
        if c != '%' {
            continue;
        }
        let mut flag = false;
        if let Some(&(_, '-')) = chars.peek() {
            flag = true;
            chars.next();
        }
        let Some((at, d)) = chars.next() else {
            errors.push(DateFormatError {
                range: start..format.len(),
                message: "the format ends with a lone `%`; write `%%` for a percent sign".into(),
            });
            break;
        };
        let range = start..at + d.len_utf8();
        if d == '%' && !flag {
            continue;
        }
        directives += 1;
        if directives == MAX_DATE_DIRECTIVES + 1 {
            errors.push(DateFormatError {
                range: range.clone(),
                message: format!(
                    "more than {MAX_DATE_DIRECTIVES} directives in one format: split it into two `date(...)` placeholders"
                ),
            });
        }
        match DATE_DIRECTIVES.iter().find(|x| x.directive == d) {
            None => errors.push(DateFormatError {
                range,
                message: format!(
                    "unknown date directive `%{d}`; use one of %{}",
                    known
                        .chars()
                        .map(String::from)
                        .collect::<Vec<_>>()
                        .join(" %")
                ),
            }),
            Some(x) if x.needs_time && *input.non_optional() == Type::Date => {
                errors.push(DateFormatError {
                    range,
                    message: format!(
                        "`%{d}` ({}) needs a time of day, but the value is a `date`",
                        x.meaning
                    ),
                })
            }
            Some(_) if flag && !matches!(d, 'd' | 'm' | 'H' | 'I') => {
                errors.push(DateFormatError {
                    range,
                    message: format!(
                    "`%-{d}` is not supported; only %-d, %-m, %-H and %-I drop the leading zero"
                ),
                })
            }
            Some(_) => {}
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_filter_has_a_consistent_signature() {
        for spec in FILTERS {
            assert!(spec.signature.starts_with(spec.name), "{}", spec.name);
            for param in spec.params {
                assert!(
                    spec.signature.contains(param.name),
                    "{} {}",
                    spec.name,
                    param.name
                );
            }
            assert!(!spec.doc.is_empty());
            assert_eq!(filter(spec.name), Some(spec));
        }
    }

    #[test]
    fn result_types() {
        let date = filter("date").unwrap();
        assert!(date.input.accepts(&Type::Date));
        assert!(!date.input.accepts(&Type::Text));
        let default = filter("default").unwrap();
        assert_eq!(
            default.result_type(&Type::Text.optional(), &[Type::Text]),
            Ok(Type::Text)
        );
        assert_eq!(
            default.result_type(&Type::Date.optional(), &[Type::Text]),
            Ok(Type::Text)
        );
        assert_eq!(
            default.result_type(&Type::Decimal.optional(), &[Type::Int]),
            Ok(Type::Decimal)
        );
        assert!(default
            .result_type(&Type::list(Type::Text).optional(), &[Type::Text])
            .is_err());
        let first = filter("first").unwrap();
        assert_eq!(
            first.result_type(&Type::list(Type::record("item")), &[]),
            Ok(Type::record("item").optional())
        );
        let join = filter("join").unwrap();
        assert!(join.input.accepts(&Type::list(Type::Asin)));
        assert!(!join.input.accepts(&Type::list(Type::record("item"))));
    }

    #[test]
    fn date_formats() {
        assert!(check_date_format("%d %B %Y", &Type::Date).is_empty());
        assert!(check_date_format("%-d.%-m. %% %H:%M", &Type::DateTime).is_empty());
        let e = check_date_format("%d %Q", &Type::Date);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].range, 3..5);
        assert!(e[0].message.contains("`%Q`"));
        let e = check_date_format("%H", &Type::Date);
        assert!(e[0].message.contains("time of day"), "{}", e[0].message);
        let e = check_date_format("100%", &Type::Date);
        assert_eq!(e[0].range, 3..4);
        let e = check_date_format("é%é", &Type::Date);
        assert_eq!(e[0].range, 2..5);
        assert_eq!(check_date_format("%-B", &Type::Date).len(), 1);
        let longest = format!(
            "{}{}",
            "%B".repeat(MAX_DATE_DIRECTIVES),
            "%%".repeat(MAX_DATE_FORMAT_BYTES / 2 - MAX_DATE_DIRECTIVES)
        );
        assert_eq!(longest.len(), MAX_DATE_FORMAT_BYTES);
        assert!(check_date_format(&longest, &Type::Date).is_empty());
        let e = check_date_format(&format!("{longest}x"), &Type::Date);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].range, 0..MAX_DATE_FORMAT_BYTES + 1);
        let e = check_date_format(&"%d.".repeat(MAX_DATE_DIRECTIVES + 3), &Type::Date);
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].range, 48..50);
    }
}
