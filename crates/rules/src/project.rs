//! Rules over all templates of a project: the per-order message budget, duplicate review
//! requests, the review-request send window, and placeholder parity between translations.

use crate::codes::*;
use crate::prose::path_name;
use crate::{is_proactive, RulesConfig};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use tplc_diagnostics::{Diagnostic, Fix, Label, Span, TextEdit};
use tplc_syntax::{Anchor, Header, Node, Template};

/// One template of the project.
#[derive(Clone, Copy, Debug)]
pub struct ProjectTemplate<'a> {
    pub path: &'a Path,
    pub summary: &'a MessageSummary,
}

/// All the project-wide rules read of a template: small enough to keep for every template
/// of a catalogue while its syntax trees are not.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MessageSummary {
    pub header: Option<Header>,
    /// Placeholder paths printed (body and subject).
    pub printed: BTreeSet<String>,
}

impl MessageSummary {
    pub fn of(t: &Template) -> MessageSummary {
        MessageSummary {
            header: t.header.clone(),
            printed: placeholders(t),
        }
    }
}

struct Msg<'a> {
    t: &'a ProjectTemplate<'a>,
    kind: &'a str,
    id: String,
    locale: String,
    /// Span of the `send:` value (or of the header when unscheduled).
    send_span: Span,
    hours: Option<u32>,
    anchor: Option<Anchor>,
}

fn messages<'a>(templates: &'a [ProjectTemplate<'a>]) -> Vec<Msg<'a>> {
    templates
        .iter()
        .filter_map(|t| {
            let h = t.summary.header.as_ref()?;
            let kind = h.kind.as_ref()?.node.as_str();
            let id = h.id.as_ref().map(|i| i.node.clone()).unwrap_or_else(|| {
                t.path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default()
            });
            let value_span = h
                .entries
                .iter()
                .find(|e| e.key.node == "send")
                .map(|e| e.value.span);
            let send_span = value_span
                .or(h.send.as_ref().map(|s| s.span))
                .unwrap_or(h.kind.as_ref()?.span);
            Some(Msg {
                t,
                kind,
                id,
                locale: h
                    .locale
                    .as_ref()
                    .map(|l| l.node.clone())
                    .unwrap_or_default(),
                send_span,
                hours: h.send.as_ref().map(|s| s.node.hours),
                anchor: h.send.as_ref().map(|s| s.node.anchor),
            })
        })
        .collect()
}

/// Run the project-wide rules. Each finding is reported on the offending template; the
/// templates it conflicts with are attached as labels in their files.
pub fn check_project(
    templates: &[ProjectTemplate],
    cfg: &RulesConfig,
) -> Vec<(PathBuf, Diagnostic)> {
    let msgs = messages(templates);
    let mut out = Vec::new();

    // Scheduled proactive messages, translations of one id counted once, in send order.
    let mut by_id: BTreeMap<&str, Vec<&Msg>> = BTreeMap::new();
    for m in msgs
        .iter()
        .filter(|m| m.hours.is_some() && is_proactive(m.kind))
    {
        by_id.entry(m.id.as_str()).or_default().push(m);
    }
    let mut groups: Vec<&Vec<&Msg>> = by_id.values().collect();
    groups.sort_by_key(|g| {
        (
            g.iter().filter_map(|m| m.hours).min().unwrap_or(0),
            g[0].id.clone(),
        )
    });
    if groups.len() > cfg.max_messages {
        for g in &groups[cfg.max_messages..] {
            for m in g.iter() {
                let mut d = Diagnostic::error(
                    TOO_MANY_MESSAGES,
                    m.send_span,
                    format!(
                        "{} proactive messages are scheduled per order, more than the {} allowed; remove the schedule of this one (`{}`) or merge it into another",
                        groups.len(),
                        cfg.max_messages,
                        m.id
                    ),
                );
                for other in groups[..cfg.max_messages].iter().flat_map(|g| g.iter()) {
                    d = d.with_label(Label::in_file(
                        other.t.path,
                        other.send_span,
                        format!("`{}` is also scheduled", other.id),
                    ));
                }
                out.push((m.t.path.to_path_buf(), d));
            }
        }
    }

    // More than one review request scheduled for an order.
    let reviews: Vec<&&Vec<&Msg>> = groups
        .iter()
        .filter(|g| g[0].kind == "review_request")
        .collect();
    if reviews.len() > 1 {
        for g in &reviews[1..] {
            for m in g.iter() {
                let first = reviews[0][0];
                let d = Diagnostic::error(
                    DUPLICATE_REVIEW_REQUEST,
                    m.send_span,
                    format!("a second review request (`{}`) is scheduled for the same order after `{}`; Amazon allows one request per order, so remove one schedule", m.id, first.id),
                )
                .with_label(Label::in_file(first.t.path, first.send_span, "the first review request"));
                out.push((m.t.path.to_path_buf(), d));
            }
        }
    }

    // Review requests go out 5 to 30 days after delivery.
    for m in msgs.iter().filter(|m| m.kind == "review_request") {
        let (Some(hours), Some(anchor)) = (m.hours, m.anchor) else {
            continue;
        };
        let days = hours as f64 / 24.0;
        let d = match anchor {
            Anchor::Delivery if !(5.0..=30.0).contains(&days) => {
                let target = if days < 5.0 { 5 } else { 30 };
                Some(
                    Diagnostic::error(
                        SEND_WINDOW,
                        m.send_span,
                        format!("review request scheduled {} after delivery; Amazon accepts review requests only 5 to 30 days after delivery", fmt_days(hours)),
                    )
                    .with_fix(Fix::unsafe_(format!("Send {target}d after delivery"), vec![TextEdit::replace(m.send_span, format!("{target}d after delivery"))])),
                )
            }
            Anchor::Purchase | Anchor::Shipment if days < 5.0 => Some(Diagnostic::error(
                SEND_WINDOW,
                m.send_span,
                format!("review request scheduled {} after {}, so always earlier than 5 days after delivery; schedule it 5 to 30 days after delivery", fmt_days(hours), anchor.as_str()),
            )),
            Anchor::Purchase | Anchor::Shipment => Some(
                Diagnostic::warning(
                    SEND_WINDOW,
                    m.send_span,
                    format!("review request scheduled relative to {}, so the 5-to-30-days-after-delivery window cannot be guaranteed; schedule it after delivery", anchor.as_str()),
                )
                .with_fix(Fix::unsafe_("Send 7d after delivery", vec![TextEdit::replace(m.send_span, "7d after delivery")])),
            ),
            _ => None,
        };
        if let Some(d) = d {
            out.push((m.t.path.to_path_buf(), d));
        }
    }

    // Translations of one id print the same placeholders.
    let mut translations: BTreeMap<&str, Vec<&Msg>> = BTreeMap::new();
    for m in &msgs {
        translations.entry(m.id.as_str()).or_default().push(m);
    }
    for group in translations.values() {
        let locales: BTreeSet<&str> = group.iter().map(|m| m.locale.as_str()).collect();
        if locales.len() < 2 {
            continue;
        }
        let sets: Vec<&BTreeSet<String>> = group.iter().map(|m| &m.t.summary.printed).collect();
        for (i, m) in group.iter().enumerate() {
            for (j, other) in group.iter().enumerate() {
                if i == j || other.locale == m.locale {
                    continue;
                }
                let missing: Vec<&String> = sets[j].difference(sets[i]).collect();
                if missing.is_empty() {
                    continue;
                }
                let span =
                    m.t.summary
                        .header
                        .as_ref()
                        .and_then(|h| h.locale.as_ref())
                        .map(|l| l.span)
                        .unwrap_or_default();
                let names = missing
                    .iter()
                    .map(|n| format!("`{{{{ {n} }}}}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let d = Diagnostic::warning(
                    LOCALE_PARITY,
                    span,
                    format!("the `{}` translation of `{}` never prints {names}, which the `{}` translation prints; keep translations equivalent", m.locale, m.id, other.locale),
                )
                .with_label(Label::in_file(other.t.path, other.send_span, format!("the `{}` translation", other.locale)));
                out.push((m.t.path.to_path_buf(), d));
                break;
            }
        }
    }
    out
}

fn fmt_days(hours: u32) -> String {
    if hours.is_multiple_of(24) {
        format!("{}d", hours / 24)
    } else {
        format!("{hours}h")
    }
}

/// Placeholder paths printed by a template (body and subject).
fn placeholders(t: &Template) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut visit = |n: &Node| {
        if let Node::Output(o) = n {
            if let Some(p) = path_name(&o.expr) {
                out.insert(p);
            }
        }
    };
    tplc_syntax::walk(&t.body, &mut visit);
    if let Some(s) = t.header.as_ref().and_then(|h| h.subject.as_ref()) {
        tplc_syntax::walk(&s.nodes, &mut visit);
    }
    out
}
