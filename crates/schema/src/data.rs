//! The JSON data a template renders with: its JSON Schema, a sample document and
//! validation of a document given to `tplc render --data`.
//!
//! JSON shapes (docs/types.md): text/url/order_id/asin/decimal/date/datetime are strings,
//! int a number without fraction, bool a boolean, money `{"amount": "12.99", "currency": "EUR"}`,
//! lists arrays, records objects; an optional value may be `null` or absent.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::schema::{Field, Schema};
use crate::types::Type;

/// What a template reads from its data: dotted schema paths (list entries crossed
/// transparently: `order.items.title`) and its declared params with their types.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DataUsage {
    pub paths: BTreeSet<String>,
    pub params: BTreeMap<String, Type>,
}

impl DataUsage {
    /// Everything several templates read (for a project-wide schema).
    pub fn merge(&mut self, other: &DataUsage) {
        self.paths.extend(other.paths.iter().cloned());
        for (k, v) in &other.params {
            self.params.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
}

/// One problem in a data document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DataError {
    /// Where, as `order.items[0].price.amount`.
    pub path: String,
    pub message: String,
}

/// A tree of used path segments.
#[derive(Default)]
pub(crate) struct Tree(BTreeMap<String, Tree>);

impl Tree {
    pub(crate) fn empty() -> Tree {
        Tree::default()
    }

    fn from_paths<'a>(paths: impl IntoIterator<Item = &'a String>) -> Tree {
        let mut root = Tree::default();
        for p in paths {
            let mut node = &mut root;
            for seg in p.split('.') {
                node = node.0.entry(seg.to_string()).or_default();
            }
        }
        root
    }
}

impl Schema {
    fn top_level<'a>(
        &'a self,
        usage: &'a DataUsage,
        name: &str,
    ) -> Option<(Type, Option<&'a Field>)> {
        if let Some(t) = usage.params.get(name) {
            return Some((t.clone(), None));
        }
        self.root(name).map(|f| (f.ty.clone(), Some(f)))
    }

    /// JSON Schema (draft 2020-12) of the data a template needs: only the fields it
    /// uses, optional ones not required, plus its params.
    pub fn json_schema(&self, usage: &DataUsage) -> Value {
        let tree = Tree::from_paths(usage.paths.iter().chain(usage.params.keys()));
        let mut props = Map::new();
        let mut required = Vec::new();
        for (name, sub) in &tree.0 {
            let Some((ty, field)) = self.top_level(usage, name) else {
                continue;
            };
            let mut schema = self.type_schema(&ty, sub);
            if let (Some(f), Value::Object(o)) = (field, &mut schema) {
                o.insert("description".into(), json!(f.description));
            }
            if !ty.is_optional() {
                required.push(json!(name));
            }
            props.insert(name.clone(), schema);
        }
        json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "properties": props,
            "required": required,
        })
    }

    fn type_schema(&self, ty: &Type, used: &Tree) -> Value {
        match ty {
            Type::Optional(t) => json!({"anyOf": [self.type_schema(t, used), {"type": "null"}]}),
            Type::List(t) => json!({"type": "array", "items": self.type_schema(t, used)}),
            Type::Record(_) => {
                let mut props = Map::new();
                let mut required = Vec::new();
                for (name, sub) in &used.0 {
                    let Some(f) = self.field(ty, name) else {
                        continue;
                    };
                    let mut s = self.type_schema(&f.ty, sub);
                    if let Value::Object(o) = &mut s {
                        o.insert("description".into(), json!(f.description));
                    }
                    if !f.ty.is_optional() {
                        required.push(json!(name));
                    }
                    props.insert(name.clone(), s);
                }
                json!({"type": "object", "properties": props, "required": required})
            }
            scalar => scalar_schema(scalar),
        }
    }

    /// A complete example document: every root with its fields' example values, plus
    /// an example for each given param.
    pub fn sample_data(&self, params: &BTreeMap<String, Type>) -> Value {
        let mut doc = Map::new();
        for root in self.roots() {
            doc.insert(root.name.clone(), self.example_of(root, 0));
        }
        for (name, ty) in params {
            doc.insert(name.clone(), self.example_for_type(ty, 0));
        }
        Value::Object(doc)
    }

    fn example_of(&self, field: &Field, depth: usize) -> Value {
        match &field.example {
            Some(v) => v.clone(),
            None => self.example_for_type(&field.ty, depth),
        }
    }

    /// A plausible value of any type (records from their fields' examples).
    pub fn example_for_type(&self, ty: &Type, depth: usize) -> Value {
        match ty {
            Type::Optional(t) => self.example_for_type(t, depth),
            Type::List(t) => json!([self.example_for_type(t, depth + 1)]),
            // Records may refer to themselves; stop before the data grows without end.
            Type::Record(_) if depth > 8 => json!({}),
            Type::Record(_) => Value::Object(
                self.fields_of(ty)
                    .iter()
                    .map(|f| (f.name.clone(), self.example_of(f, depth + 1)))
                    .collect(),
            ),
            Type::Text => json!("text"),
            Type::Int => json!(1),
            Type::Decimal => json!("1.5"),
            Type::Money => json!({"amount": "10.00", "currency": "USD"}),
            Type::Date => json!("2024-05-08"),
            Type::DateTime => json!("2024-05-08T14:30:00Z"),
            Type::Url => json!("https://www.amazon.com/"),
            Type::Bool => json!(true),
            Type::OrderId => json!("123-1234567-1234567"),
            Type::Asin => json!("B08N5WRWNW"),
            Type::Unknown => Value::Null,
        }
    }

    /// Check a data document: every value present for a known name must have its
    /// type's JSON shape, and every non-optional value the template uses must be there.
    pub fn validate(&self, data: &Value, usage: &DataUsage) -> Vec<DataError> {
        let mut errors = Vec::new();
        let Value::Object(doc) = data else {
            errors.push(DataError {
                path: String::new(),
                message: format!("the data must be a JSON object, not {}", kind_of(data)),
            });
            return errors;
        };
        let tree = Tree::from_paths(usage.paths.iter().chain(usage.params.keys()));
        let empty = Tree::default();
        let mut names: Vec<String> = self.roots().iter().map(|r| r.name.clone()).collect();
        names.extend(
            usage
                .params
                .keys()
                .filter(|k| self.root(k).is_none())
                .cloned(),
        );
        for name in names {
            let Some((ty, _)) = self.top_level(usage, &name) else {
                continue;
            };
            let used = tree.0.get(&name);
            match doc.get(&name) {
                Some(v) => self.check_value(v, &ty, used.unwrap_or(&empty), &name, &mut errors),
                None if used.is_some() && !ty.is_optional() => errors.push(DataError {
                    path: name.clone(),
                    message: format!("missing `{name}` ({ty}), which the template uses"),
                }),
                None => {}
            }
        }
        errors
    }

    pub(crate) fn check_value(
        &self,
        v: &Value,
        ty: &Type,
        used: &Tree,
        path: &str,
        errors: &mut Vec<DataError>,
    ) {
        if errors.len() >= 100 {
            return;
        }
        let mut fail = |message: String| {
            errors.push(DataError {
                path: path.to_string(),
                message,
            })
        };
        match ty {
            Type::Unknown => {}
            Type::Optional(t) => {
                if !v.is_null() {
                    self.check_value(v, t, used, path, errors)
                }
            }
            Type::List(t) => match v {
                Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        self.check_value(item, t, used, &format!("{path}[{i}]"), errors);
                    }
                }
                _ => fail(format!(
                    "expected a list (JSON array), found {}",
                    kind_of(v)
                )),
            },
            Type::Record(name) => match v {
                Value::Object(map) => {
                    let empty = Tree::default();
                    for f in self.fields_of(ty) {
                        let sub = used.0.get(&f.name);
                        let p = format!("{path}.{}", f.name);
                        match map.get(&f.name) {
                            Some(fv) => {
                                self.check_value(fv, &f.ty, sub.unwrap_or(&empty), &p, errors)
                            }
                            None if sub.is_some() && !f.ty.is_optional() => {
                                errors.push(DataError {
                                    path: p,
                                    message: format!(
                                        "missing `{}` ({}), which the template uses",
                                        f.name, f.ty
                                    ),
                                })
                            }
                            None => {}
                        }
                    }
                }
                _ => fail(format!(
                    "expected a `{name}` record (JSON object), found {}",
                    kind_of(v)
                )),
            },
            scalar => {
                if let Err(m) = check_scalar(v, scalar) {
                    fail(m)
                }
            }
        }
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

const DECIMAL_PATTERN: &str = r"^-?[0-9]+(\.[0-9]+)?$";

fn scalar_schema(ty: &Type) -> Value {
    match ty {
        Type::Text => json!({"type": "string"}),
        Type::Int => json!({"type": "integer"}),
        Type::Decimal => json!({"type": "string", "pattern": DECIMAL_PATTERN}),
        Type::Money => json!({
            "type": "object",
            "properties": {
                "amount": {"type": "string", "pattern": DECIMAL_PATTERN},
                "currency": {"type": "string", "pattern": "^[A-Z]{3}$"}
            },
            "required": ["amount", "currency"]
        }),
        Type::Date => json!({"type": "string", "format": "date"}),
        Type::DateTime => json!({"type": "string", "format": "date-time"}),
        Type::Url => json!({"type": "string", "format": "uri", "pattern": "^https://"}),
        Type::Bool => json!({"type": "boolean"}),
        Type::OrderId => json!({"type": "string", "pattern": "^[0-9]{3}-[0-9]{7}-[0-9]{7}$"}),
        Type::Asin => json!({"type": "string", "pattern": "^[A-Z0-9]{10}$"}),
        _ => json!({}),
    }
}

fn is_decimal(s: &str) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

fn digits(s: &str, n: usize) -> Option<u32> {
    (s.len() == n && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// `YYYY-MM-DD` with a real day of that month.
pub fn is_date(s: &str) -> bool {
    let mut parts = s.split('-');
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let (Some(y), Some(m), Some(d)) = (digits(y, 4), digits(m, 2), digits(d, 2)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// RFC 3339: `2024-05-08T14:30:00Z`, `2024-05-08T14:30:00.5+02:00`.
pub fn is_datetime(s: &str) -> bool {
    let Some((date, time)) = s.split_once(['T', 't']) else {
        return false;
    };
    if !is_date(date) {
        return false;
    }
    let (clock, zone) = if let Some(c) = time.strip_suffix(['Z', 'z']) {
        (c, None)
    } else if let Some(i) = time.rfind(['+', '-']) {
        (&time[..i], Some(&time[i + 1..]))
    } else {
        return false;
    };
    let clock = clock.split_once('.').map_or(Some(clock), |(c, frac)| {
        (!frac.is_empty() && frac.bytes().all(|b| b.is_ascii_digit())).then_some(c)
    });
    let hms = |c: &str, parts: usize, max: [u32; 3]| {
        let v: Vec<&str> = c.split(':').collect();
        v.len() == parts
            && v.iter()
                .zip(max)
                .all(|(p, m)| digits(p, 2).is_some_and(|n| n <= m))
    };
    clock.is_some_and(|c| hms(c, 3, [23, 59, 60])) && zone.is_none_or(|z| hms(z, 2, [23, 59, 0]))
}

fn want_string<'a>(v: &'a Value, ty: &Type) -> Result<&'a str, String> {
    v.as_str()
        .ok_or_else(|| format!("expected {ty} as a JSON string, found {}", kind_of(v)))
}

fn check_scalar(v: &Value, ty: &Type) -> Result<(), String> {
    match ty {
        Type::Text => want_string(v, ty).map(drop),
        Type::Int => match v {
            Value::Number(n) if n.is_i64() || n.is_u64() => Ok(()),
            _ => Err(format!("expected a whole number, found {}", kind_of(v))),
        },
        Type::Bool => v
            .is_boolean()
            .then_some(())
            .ok_or_else(|| format!("expected true or false, found {}", kind_of(v))),
        Type::Decimal => {
            let s = want_string(v, ty)?;
            is_decimal(s).then_some(()).ok_or_else(|| {
                format!("`{s}` is not a decimal; write it as a string like \"12.99\"")
            })
        }
        Type::Date => {
            let s = want_string(v, ty)?;
            is_date(s).then_some(()).ok_or_else(|| {
                format!("`{s}` is not a date; write YYYY-MM-DD, e.g. \"2024-05-08\"")
            })
        }
        Type::DateTime => {
            let s = want_string(v, ty)?;
            is_datetime(s).then_some(()).ok_or_else(|| {
                format!("`{s}` is not an RFC 3339 date-time, e.g. \"2024-05-08T14:30:00Z\"")
            })
        }
        Type::Url => {
            let s = want_string(v, ty)?;
            let host = s
                .strip_prefix("https://")
                .map(|r| r.split(['/', '?', '#']).next().unwrap_or(""));
            match host {
                Some(h) if !h.is_empty() && !h.contains(char::is_whitespace) => Ok(()),
                _ => Err(format!(
                    "`{s}` is not an https URL; Amazon only allows secure links"
                )),
            }
        }
        Type::OrderId => {
            let s = want_string(v, ty)?;
            let ok = s.split('-').map(str::len).eq([3, 7, 7])
                && s.bytes().all(|b| b.is_ascii_digit() || b == b'-');
            ok.then_some(()).ok_or_else(|| {
                format!("`{s}` is not an Amazon order ID (3-7-7 digits, e.g. 123-1234567-1234567)")
            })
        }
        Type::Asin => {
            let s = want_string(v, ty)?;
            let ok = s.len() == 10
                && s.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
            ok.then_some(())
                .ok_or_else(|| format!("`{s}` is not an ASIN (10 capital letters or digits)"))
        }
        Type::Money => {
            let Value::Object(m) = v else {
                return Err(format!(
                    "expected money as {{\"amount\": \"12.99\", \"currency\": \"EUR\"}}, found {}",
                    kind_of(v)
                ));
            };
            match m.get("amount").and_then(Value::as_str) {
                Some(a) if is_decimal(a) => {}
                _ => return Err("money needs `amount` as a decimal string, e.g. \"12.99\"".into()),
            }
            match m.get("currency").and_then(Value::as_str) {
                Some(c) if c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()) => Ok(()),
                _ => Err("money needs `currency` as an ISO 4217 code, e.g. \"EUR\"".into()),
            }
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usage(paths: &[&str]) -> DataUsage {
        DataUsage {
            paths: paths.iter().map(|s| s.to_string()).collect(),
            params: BTreeMap::new(),
        }
    }

    #[test]
    fn sample_data_validates_against_everything() {
        let s = Schema::builtin();
        let mut params = BTreeMap::new();
        params.insert("coupon".to_string(), Type::Text.optional());
        params.insert("due".to_string(), Type::DateTime);
        let data = s.sample_data(&params);
        assert_eq!(data["order"]["items"][0]["asin"], "B08N5WRWNW");
        assert_eq!(data["buyer"]["name"], "Jordan");
        let all: Vec<&str> = vec![
            "order.id",
            "order.items.title",
            "order.items.price",
            "buyer.name",
            "seller.name",
        ];
        let mut u = usage(&all);
        u.params = params;
        assert_eq!(s.validate(&data, &u), vec![]);
    }

    #[test]
    fn validation_reports_paths() {
        let s = Schema::builtin();
        let data = json!({
            "order": {"id": "12-3", "items": [{"title": 5, "price": {"amount": 3.5, "currency": "EUR"}}],
                      "delivery_date": "2024-02-30"},
            "buyer": {"name": null}
        });
        let errors = s.validate(
            &data,
            &usage(&["order.id", "buyer.name", "seller.name", "order.items.asin"]),
        );
        let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "order.id",
                "order.delivery_date",
                "order.items[0].title",
                "order.items[0].asin",
                "order.items[0].price",
                "seller"
            ]
        );
        assert!(errors[0].message.contains("3-7-7"));
        assert_eq!(s.validate(&json!([1]), &usage(&[]))[0].path, "");
    }

    #[test]
    fn json_schema_lists_only_used_fields() {
        let s = Schema::builtin();
        let mut u = usage(&["order.id", "order.items.title", "buyer.name"]);
        u.params.insert("coupon".into(), Type::Text.optional());
        let js = s.json_schema(&u);
        assert_eq!(
            js["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
        assert_eq!(js["required"], json!(["buyer", "order"]));
        let order = &js["properties"]["order"];
        assert_eq!(order["required"], json!(["id", "items"]));
        assert_eq!(
            order["properties"]["items"]["items"]["properties"]["title"]["type"],
            "string"
        );
        assert!(order["properties"].get("purchase_date").is_none());
        assert_eq!(js["properties"]["buyer"]["required"], json!([]));
        assert_eq!(js["properties"]["coupon"]["anyOf"][1]["type"], "null");
    }

    #[test]
    fn scalar_shapes() {
        assert!(is_date("2024-02-29") && !is_date("2023-02-29") && !is_date("2024-5-1"));
        assert!(is_datetime("2024-05-08T14:30:00Z") && is_datetime("2024-05-08T14:30:00.25+02:00"));
        assert!(!is_datetime("2024-05-08 14:30:00Z") && !is_datetime("2024-05-08T25:00:00Z"));
        assert!(check_scalar(&json!("http://x.com"), &Type::Url).is_err());
        assert!(check_scalar(&json!("https://x.com/a"), &Type::Url).is_ok());
        assert!(check_scalar(&json!("B08N5WRWNw"), &Type::Asin).is_err());
        assert!(check_scalar(&json!("-12.50"), &Type::Decimal).is_ok());
        assert!(check_scalar(&json!("12."), &Type::Decimal).is_err());
        assert!(check_scalar(&json!(1.5), &Type::Int).is_err());
    }
}
