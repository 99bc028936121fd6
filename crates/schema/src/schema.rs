//! The data a template can use: the built-in Amazon order context, extended per project.

use serde::Serialize;
use serde_json::{json, Value};
use tplc_syntax::TypeRef;

use crate::types::{resolve_type_ref, Type, TypeError};

/// One named value: a root (`order`), a record field (`order.id`) or a template param.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Field {
    pub name: String,
    pub ty: Type,
    /// One sentence for hover and docs.
    pub description: String,
    /// A realistic value in its JSON shape (see docs/types.md). `None` for records and
    /// lists of records, whose examples are built from their fields.
    pub example: Option<Value>,
    /// A sensible `| default(...)` text for an optional field, offered as a fix.
    pub fallback: Option<String>,
}

impl Field {
    pub fn new(name: &str, ty: Type, description: &str, example: Option<Value>) -> Field {
        Field {
            name: name.into(),
            ty,
            description: description.into(),
            example,
            fallback: None,
        }
    }
    fn with_fallback(mut self, text: &str) -> Field {
        self.fallback = Some(text.into());
        self
    }
}

/// A named group of fields (`order`, `item`, ...).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Record {
    pub name: String,
    pub description: String,
    pub fields: Vec<Field>,
}

/// Every root name and record a template may use.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Schema {
    roots: Vec<Field>,
    records: Vec<Record>,
}

impl Default for Schema {
    fn default() -> Self {
        Schema::builtin()
    }
}

fn f(name: &str, ty: Type, description: &str, example: Value) -> Field {
    Field::new(name, ty, description, Some(example))
}

impl Schema {
    /// A schema with no roots or records at all.
    pub fn empty() -> Schema {
        Schema {
            roots: Vec::new(),
            records: Vec::new(),
        }
    }

    /// The order context Amazon's Selling Partner API provides for a buyer message.
    pub fn builtin() -> Schema {
        let item = Record {
            name: "item".into(),
            description: "One line of the order.".into(),
            fields: vec![
                f(
                    "title",
                    Type::Text,
                    "The product title as listed on Amazon.",
                    json!("Ceramic Coffee Mug, 350 ml"),
                ),
                f(
                    "asin",
                    Type::Asin,
                    "The Amazon Standard Identification Number of the product.",
                    json!("B08N5WRWNW"),
                ),
                f(
                    "sku",
                    Type::Text,
                    "Your seller SKU for the product.",
                    json!("MUG-350-BLUE"),
                ),
                f(
                    "quantity",
                    Type::Int,
                    "How many units of this product were ordered.",
                    json!(2),
                ),
                f(
                    "price",
                    Type::Money,
                    "The price of this line (all units).",
                    json!({"amount": "25.98", "currency": "USD"}),
                ),
                f(
                    "review_url",
                    Type::Url,
                    "The Amazon page where the buyer can review this product.",
                    json!("https://www.amazon.com/review/create-review?asin=B08N5WRWNW"),
                ),
            ],
        };
        let order = Record {
            name: "order".into(),
            description: "The order this message is about.".into(),
            fields: vec![
                f(
                    "id",
                    Type::OrderId,
                    "The Amazon order ID (3-7-7 digits). Proactive messages must include it.",
                    json!("123-1234567-1234567"),
                ),
                f(
                    "purchase_date",
                    Type::Date,
                    "The day the buyer placed the order.",
                    json!("2024-05-02"),
                ),
                f(
                    "ship_date",
                    Type::Date.optional(),
                    "The day the order shipped; missing before shipment.",
                    json!("2024-05-04"),
                ),
                f(
                    "delivery_date",
                    Type::Date.optional(),
                    "The day the order was delivered; missing before delivery.",
                    json!("2024-05-08"),
                ),
                f(
                    "latest_delivery_date",
                    Type::Date.optional(),
                    "The end of the promised delivery window, when Amazon provides one.",
                    json!("2024-05-10"),
                ),
                f(
                    "tracking_url",
                    Type::Url.optional(),
                    "The carrier tracking page, when the order has shipped with tracking.",
                    json!("https://track.amazon.com/tracking/TBA123456789000"),
                ),
                f(
                    "marketplace",
                    Type::Text,
                    "The Amazon site the order was placed on.",
                    json!("Amazon.com"),
                ),
                f(
                    "fulfillment_channel",
                    Type::Text,
                    "`AFN` when Amazon fulfils the order (FBA), `MFN` when you do.",
                    json!("MFN"),
                ),
                f(
                    "is_prime",
                    Type::Bool,
                    "Whether the order is an Amazon Prime order.",
                    json!(false),
                ),
                f(
                    "total",
                    Type::Money,
                    "The order total the buyer paid.",
                    json!({"amount": "25.98", "currency": "USD"}),
                ),
                Field::new(
                    "items",
                    Type::list(Type::record("item")),
                    "The products in the order, one entry per line.",
                    None,
                ),
            ],
        };
        let seller = Record {
            name: "seller".into(),
            description: "You, the seller.".into(),
            fields: vec![f(
                "name",
                Type::Text,
                "Your store name as buyers see it on Amazon.",
                json!("Acme Home Goods"),
            )],
        };
        let buyer = Record {
            name: "buyer".into(),
            description: "The buyer of the order.".into(),
            fields: vec![
                f("name", Type::Text.optional(), "The buyer's name. Amazon withholds it unless your app holds a restricted-data token, so it is often missing.", json!("Jordan"))
                    .with_fallback("there"),
                f("locale", Type::Text, "The buyer's language (BCP 47), from the Messaging API's GetAttributes. Write to the buyer in this language.", json!("en-US")),
            ],
        };
        Schema {
            roots: vec![
                Field::new("order", Type::record("order"), &order.description, None),
                Field::new("seller", Type::record("seller"), &seller.description, None),
                Field::new("buyer", Type::record("buyer"), &buyer.description, None),
            ],
            records: vec![order, item, seller, buyer],
        }
    }

    /// The built-in schema plus the `[schema]` extensions of a project's `tplc.toml`.
    pub fn from_config(config: &crate::config::Config) -> Schema {
        let mut schema = Schema::builtin();
        config.schema.apply_to(&mut schema);
        schema
    }

    pub fn roots(&self) -> &[Field] {
        &self.roots
    }

    pub fn root(&self, name: &str) -> Option<&Field> {
        self.roots.iter().find(|f| f.name == name)
    }

    pub fn records(&self) -> &[Record] {
        &self.records
    }

    pub fn record(&self, name: &str) -> Option<&Record> {
        self.records.iter().find(|r| r.name == name)
    }

    pub fn record_names(&self) -> Vec<&str> {
        self.records.iter().map(|r| r.name.as_str()).collect()
    }

    /// The fields of a record type (looking through `?`); empty for other types.
    pub fn fields_of(&self, ty: &Type) -> &[Field] {
        match ty.non_optional() {
            Type::Record(name) => self
                .record(name)
                .map(|r| r.fields.as_slice())
                .unwrap_or(&[]),
            _ => &[],
        }
    }

    pub fn field(&self, ty: &Type, name: &str) -> Option<&Field> {
        self.fields_of(ty).iter().find(|f| f.name == name)
    }

    /// Look up a dotted schema path; list segments are crossed transparently, so
    /// `order.items.title` is the title of each item.
    pub fn lookup(&self, path: &str) -> Option<&Field> {
        let mut segs = path.split('.');
        let mut field = self.root(segs.next()?)?;
        for seg in segs {
            let mut ty = field.ty.non_optional();
            while let Type::List(elem) = ty {
                ty = elem.non_optional();
            }
            field = self.field(ty, seg)?;
        }
        Some(field)
    }

    /// Resolve a type written in a header `param` line or in `tplc.toml`.
    pub fn resolve_type(&self, ty: &TypeRef) -> Result<Type, TypeError> {
        resolve_type_ref(ty, &self.record_names())
    }

    /// Add a root, replacing one of the same name.
    pub fn add_root(&mut self, field: Field) {
        self.roots.retain(|f| f.name != field.name);
        self.roots.push(field);
    }

    /// Add an empty record if none has that name.
    pub fn add_record(&mut self, name: &str, description: &str) {
        if self.record(name).is_none() {
            self.records.push(Record {
                name: name.into(),
                description: description.into(),
                fields: Vec::new(),
            });
        }
    }

    /// Add (or replace) a field of a record, creating the record when needed.
    pub fn add_field(&mut self, record: &str, field: Field) {
        self.add_record(record, "");
        if let Some(r) = self.records.iter_mut().find(|r| r.name == record) {
            r.fields.retain(|f| f.name != field.name);
            r.fields.push(field);
        }
    }
}

/// A message kind written as `kind:` in the header, with what it is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct MessageKind {
    pub name: &'static str,
    pub description: &'static str,
}

/// The message kinds Amazon permits (one per Messaging/Solicitations API purpose, plus replies).
pub const KINDS: &[MessageKind] = &[
    MessageKind { name: "review_request", description: "Ask for a product review or seller feedback (once per order, 5 to 30 days after delivery)." },
    MessageKind { name: "order_issue", description: "Resolve a problem fulfilling the order." },
    MessageKind { name: "order_info_request", description: "Ask for information needed to complete the order." },
    MessageKind { name: "return", description: "A question about a return." },
    MessageKind { name: "invoice", description: "Send an invoice." },
    MessageKind { name: "delivery", description: "Arrange or confirm delivery details." },
    MessageKind { name: "service_appointment", description: "Schedule a home-services appointment." },
    MessageKind { name: "customization", description: "Confirm the details of a custom design." },
    MessageKind { name: "digital_access_key", description: "Send a key or code needed to use a digital product." },
    MessageKind { name: "warranty", description: "Send warranty information." },
    MessageKind { name: "legal_disclosure", description: "Send a disclosure the law requires." },
    MessageKind { name: "reply", description: "Answer a message the buyer sent you." },
];

pub fn kind(name: &str) -> Option<&'static MessageKind> {
    KINDS.iter().find(|k| k.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_paths_resolve() {
        let s = Schema::builtin();
        assert_eq!(s.lookup("order.id").unwrap().ty, Type::OrderId);
        assert_eq!(s.lookup("order.items.title").unwrap().ty, Type::Text);
        assert_eq!(s.lookup("buyer.name").unwrap().ty.to_string(), "text?");
        assert_eq!(
            s.lookup("order.items").unwrap().ty.to_string(),
            "list<item>"
        );
        assert!(s.lookup("order.nope").is_none());
        assert!(s.lookup("").is_none());
        assert!(s.lookup("order.id.more").is_none());
    }

    #[test]
    fn every_scalar_field_has_an_example() {
        let s = Schema::builtin();
        for r in s.records() {
            for field in &r.fields {
                assert!(!field.description.is_empty(), "{}.{}", r.name, field.name);
                let is_record = matches!(field.ty.non_optional(), Type::Record(_))
                    || matches!(field.ty.element(), Some(Type::Record(_)));
                assert_eq!(
                    field.example.is_some(),
                    !is_record,
                    "{}.{}",
                    r.name,
                    field.name
                );
            }
        }
    }

    #[test]
    fn extending_replaces_and_adds() {
        let mut s = Schema::builtin();
        s.add_field(
            "item",
            Field::new("sku", Type::Text.optional(), "changed", None),
        );
        s.add_field("gift", Field::new("message", Type::Text, "note", None));
        s.add_root(Field::new(
            "gift",
            Type::record("gift").optional(),
            "gift",
            None,
        ));
        assert_eq!(s.lookup("order.items.sku").unwrap().description, "changed");
        assert_eq!(
            s.record("item")
                .unwrap()
                .fields
                .iter()
                .filter(|f| f.name == "sku")
                .count(),
            1
        );
        assert_eq!(s.lookup("gift.message").unwrap().ty, Type::Text);
    }
}
