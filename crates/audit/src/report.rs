//! The three outputs of an audit: the human report (what a worried seller needs first),
//! JSON for tools, and the Markdown appeal report.

use crate::audit::{shorten, AuditReport, Finding, RESTRICTION_HOURS};
use crate::notices::NoticeKind;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use tplc_diagnostics::controls::escape_controls;

/// RFC 3339 in UTC, e.g. `2026-11-20T09:14:00Z`.
pub fn rfc3339(secs: i64) -> String {
    match jiff::Timestamp::from_second(secs) {
        Ok(t) => t.to_string(),
        Err(_) => String::from("invalid-date"),
    }
}

/// `2026-11-20 09:14 UTC`.
pub fn human_date(secs: i64) -> String {
    match jiff::Timestamp::from_second(secs) {
        Ok(t) => t.strftime("%Y-%m-%d %H:%M UTC").to_string(),
        Err(_) => String::from("(invalid date)"),
    }
}

fn day(secs: i64) -> String {
    match jiff::Timestamp::from_second(secs) {
        Ok(t) => t.strftime("%Y-%m-%d").to_string(),
        Err(_) => String::from("?"),
    }
}

fn opt_date(d: Option<i64>) -> Value {
    d.map_or(Value::Null, |d| Value::String(rfc3339(d)))
}

/// The JSON document described in docs/audit.md, as a value (see [`write_json`]).
pub fn json(r: &AuditReport) -> Value {
    let mut buf = Vec::new();
    write_json(r, &mut buf).expect("writing to memory does not fail");
    serde_json::from_slice(&buf).expect("write_json writes valid JSON")
}

/// Write the JSON document item by item, so a report of any size is never held twice.
pub fn write_json(r: &AuditReport, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    out.write_all(b"{\n")?;
    let scalar =
        |out: &mut dyn std::io::Write, key: &str, v: Value| writeln!(out, "  \"{key}\": {v},");
    scalar(out, "messages", json!(r.messages))?;
    scalar(out, "restricted", json!(r.restricted))?;
    scalar(out, "restricted_since", opt_date(r.restricted_since))?;
    scalar(out, "earliest_lift", opt_date(r.earliest_lift))?;
    array(
        out,
        "blocked",
        r.blocked.iter().map(|b| {
            json!({
                "file": b.origin.file.display().to_string(),
                "position": b.origin.position,
                "message_id": b.message_id,
                "date": opt_date(b.date),
                "order_id": b.order_id,
                "notice": b.notice.as_str(),
            })
        }),
    )?;
    array(out, "diagnostics", r.findings.iter().map(finding_json))?;
    array(
        out,
        "orders_over_budget",
        r.orders_over_budget.iter().map(|o| {
            json!({
                "order_id": o.order_id,
                "messages": o.messages.len(),
                "review_requests": o.review_requests,
            })
        }),
    )?;
    array(out, "restriction_reasons", r.restriction_emails.iter().flat_map(|e| {
        e.reasons
            .iter()
            .map(move |(text, codes)| json!({"date": opt_date(e.date), "reason": text, "codes": codes}))
    }))?;
    array(out, "templates", r.templates.iter().map(|t| {
        json!({"template": t.template.display().to_string(), "messages": t.messages, "codes": t.codes})
    }))?;
    scalar(out, "duplicates", json!(r.duplicates))?;
    scalar(out, "outside_period", json!(r.outside_period))?;
    array(out, "unreadable", r.unreadable.iter().map(|u| {
        json!({"file": u.origin.file.display().to_string(), "position": u.origin.position, "reason": u.reason})
    }))?;
    array(out, "decoding_warnings", r.decoding_warnings.iter().map(|w| {
        json!({"file": w.origin.file.display().to_string(), "position": w.origin.position, "warning": w.warning})
    }))?;
    // The last member carries no trailing comma.
    writeln!(
        out,
        "  \"checked_rules\": {}",
        json!(r.checked_codes.iter().map(|(c, _)| c).collect::<Vec<_>>())
    )?;
    out.write_all(b"}\n")
}

/// `"key": [` then one item per line, then `],`.
fn array(
    out: &mut dyn std::io::Write,
    key: &str,
    items: impl Iterator<Item = Value>,
) -> std::io::Result<()> {
    write!(out, "  \"{key}\": [")?;
    let mut first = true;
    for item in items {
        out.write_all(if first { b"\n    " } else { b",\n    " })?;
        serde_json::to_writer(&mut *out, &item)?;
        first = false;
    }
    out.write_all(if first { b"],\n" } else { b"\n  ],\n" })
}

fn finding_json(f: &Finding) -> Value {
    json!({
        "file": f.origin.file.display().to_string(),
        "position": f.origin.position,
        "code": f.code,
        "severity": f.severity.as_str(),
        "message": &*f.message,
        "line": f.line,
        "column": f.column,
        "end_line": f.end_line,
        "end_column": f.end_column,
        "start": f.start,
        "end": f.end,
        "message_id": f.message_id.as_deref(),
        "order_id": f.order_id.as_deref(),
    })
}

/// The terminal report: restriction status first, then causes, orders, templates, next
/// steps. Text from the mail (excerpts, subjects, file names) may hold terminal escape
/// sequences; they are shown escaped.
pub fn human(r: &AuditReport) -> String {
    escape_controls(&human_text(r)).into_owned()
}

fn human_text(r: &AuditReport) -> String {
    let mut o = String::new();
    let _ = write!(
        o,
        "tplc audit: {} sent message{} checked",
        r.messages,
        plural(r.messages)
    );
    if let (Some(a), Some(b)) = (r.oldest, r.newest) {
        let _ = write!(o, ", {} to {}", day(a), day(b));
    }
    o.push('\n');
    let mut notes = Vec::new();
    if r.duplicates > 0 {
        notes.push(format!(
            "{} duplicate{} skipped",
            r.duplicates,
            plural(r.duplicates)
        ));
    }
    if r.outside_period > 0 {
        notes.push(format!("{} outside the period", r.outside_period));
    }
    if r.not_sent_by_seller > 0 {
        notes.push(format!(
            "{} not sent by you (from Amazon) skipped",
            r.not_sent_by_seller
        ));
    }
    if !r.unreadable.is_empty() {
        notes.push(format!(
            "{} unreadable (listed at the end)",
            r.unreadable.len()
        ));
    }
    if !r.decoding_warnings.is_empty() {
        notes.push(format!(
            "{} decoding warning{} (listed at the end)",
            r.decoding_warnings.len(),
            plural(r.decoding_warnings.len())
        ));
    }
    if !notes.is_empty() {
        let _ = writeln!(o, "  ({})", notes.join(", "));
    }
    o.push('\n');

    if r.restricted {
        o.push_str(
            "RESTRICTED: Amazon has stopped delivering your proactive messages to buyers.\n",
        );
        match r.restricted_since {
            Some(s) => {
                let _ = writeln!(
                    o,
                    "  since            {} (first notice found)",
                    human_date(s)
                );
            }
            None => o.push_str("  since            unknown (the notices carry no date)\n"),
        }
        if let Some(l) = r.earliest_lift {
            let _ = write!(
                o,
                "  earliest end     {} (first notice + {RESTRICTION_HOURS} hours)",
                human_date(l)
            );
            o.push('\n');
            if l <= r.now {
                o.push_str("                   That time has passed: send one message from Seller Central and check\n");
                o.push_str("                   that no \"not delivered\" line is added, before you resume sending.\n");
            }
        }
        o.push_str(
            "  until then       pause every proactive message (review requests, scheduled sends,\n",
        );
        o.push_str("                   follow-ups); each one sent now is not delivered. Replies to buyers still work.\n");
    } else {
        o.push_str("Not restricted: no Amazon restriction notice was found in these messages.\n");
    }
    if !r.blocked.is_empty() {
        let mut by_kind: BTreeMap<NoticeKind, usize> = BTreeMap::new();
        for b in &r.blocked {
            *by_kind.entry(b.notice).or_default() += 1;
        }
        let kinds: Vec<String> = by_kind
            .iter()
            .map(|(k, n)| format!("{n} {}", k.describe()))
            .collect();
        let _ = writeln!(
            o,
            "\nMessages Amazon did not deliver: {} ({})",
            r.blocked.len(),
            kinds.join("; ")
        );
        for b in r.blocked.iter().take(10) {
            let _ = writeln!(
                o,
                "  {}  {}  {}  ({})",
                b.date.map_or("undated         ".to_string(), human_date),
                b.order_id.as_deref().unwrap_or("no order ID        "),
                b.notice.describe(),
                b.origin
            );
        }
        if r.blocked.len() > 10 {
            let _ = writeln!(o, "  … and {} more", r.blocked.len() - 10);
        }
    }

    for e in &r.restriction_emails {
        let _ = writeln!(
            o,
            "\nAmazon's restriction e-mail ({}, {}) gives {}:",
            e.date.map_or("undated".to_string(), human_date),
            e.origin,
            if e.reasons.is_empty() {
                "no itemised reasons".to_string()
            } else {
                "these reasons".to_string()
            }
        );
        for (text, codes) in &e.reasons {
            let mapped = if codes.is_empty() {
                "no matching tplc rule".to_string()
            } else {
                codes.join(", ")
            };
            let _ = writeln!(o, "  - {} → {mapped}", shorten(text, 90));
        }
    }

    if r.causes.is_empty() {
        let _ = writeln!(
            o,
            "\nNo rule finding in {} checked message{}.",
            r.messages,
            plural(r.messages)
        );
    } else {
        o.push_str("\nLikely causes, most frequent first:\n");
        for (i, c) in r.causes.iter().enumerate() {
            let named = if c.named_by_amazon {
                "  (named by Amazon)"
            } else {
                ""
            };
            let _ = writeln!(
                o,
                "  {}. {}: {} message{}{named}",
                i + 1,
                c.code,
                c.messages,
                plural(c.messages)
            );
            for &ex in &c.examples {
                let f = &r.findings[ex];
                let when = f.date.map_or(String::new(), |d| format!(", {}", day(d)));
                let _ = writeln!(
                    o,
                    "     {}:{}:{}{when}: {}",
                    f.origin,
                    f.line,
                    f.column,
                    shorten(&f.message, 110)
                );
                if !f.excerpt.is_empty() {
                    let _ = writeln!(o, "       \"{}\"", shorten(&f.excerpt, 100));
                }
            }
        }
    }

    if !r.orders_over_budget.is_empty() {
        o.push_str(
            "\nOrders over Amazon's limits (2 proactive messages, 1 review request per order):\n",
        );
        for ob in &r.orders_over_budget {
            let _ = writeln!(
                o,
                "  {}: {} proactive message{}, {} review request{}",
                ob.order_id,
                ob.messages.len(),
                plural(ob.messages.len()),
                ob.review_requests,
                plural(ob.review_requests)
            );
        }
    }

    if r.matched_templates {
        if r.templates.is_empty() {
            o.push_str("\nNo project template matches these messages.\n");
        } else {
            o.push_str("\nProject templates that match these messages:\n");
            for t in &r.templates {
                let codes = if t.codes.is_empty() {
                    "no finding".to_string()
                } else {
                    t.codes.iter().copied().collect::<Vec<_>>().join(", ")
                };
                let _ = writeln!(
                    o,
                    "  {}: {} message{} ({codes})",
                    t.template.display(),
                    t.messages,
                    plural(t.messages)
                );
                let _ = writeln!(o, "    today: {}", template_state(&t.current));
            }
        }
    }

    o.push_str("\nNext steps:\n");
    let mut steps: Vec<&str> = Vec::new();
    if r.restricted {
        steps.push("Pause proactive sending (scheduled campaigns too) until the restriction ends.");
    }
    if !r.findings.is_empty() {
        steps.push(
            "Fix the templates behind the causes above, then run `tplc check` until it is clean.",
        );
        steps.push("Run `tplc explain CODE` for what each code means and how to reword.");
    }
    if r.restricted {
        steps.push("Tell Amazon what you changed; if you believe no rule was broken, appeal with\n     `tplc audit PATHS --appeal-report appeal.md` as evidence.",
        );
    }
    if steps.is_empty() {
        steps.push("Nothing to do. Keep `tplc check` in your workflow before templates change.");
    }
    for (i, s) in steps.iter().enumerate() {
        let _ = writeln!(o, "  {}. {s}", i + 1);
    }

    if !r.unreadable.is_empty() {
        o.push_str("\nUnreadable (skipped):\n");
        for u in r.unreadable.iter().take(20) {
            let _ = writeln!(o, "  {}: {}", u.origin, u.reason);
        }
        if r.unreadable.len() > 20 {
            let _ = writeln!(o, "  … and {} more", r.unreadable.len() - 20);
        }
    }
    if !r.decoding_warnings.is_empty() {
        o.push_str("\nDecoding warnings (text read as detected, not as its header declared):\n");
        for w in r.decoding_warnings.iter().take(20) {
            let _ = writeln!(o, "  {}: {}", w.origin, w.warning);
        }
        if r.decoding_warnings.len() > 20 {
            let _ = writeln!(o, "  … and {} more", r.decoding_warnings.len() - 20);
        }
    }
    o
}

/// What the template reports now, for a seller deciding what is left to fix.
fn template_state(current: &[&str]) -> String {
    if current.is_empty() {
        "passes every rule".to_string()
    } else {
        format!("still reports {}", current.join(", "))
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Findings listed in the appeal report; a reader needs the pattern, not every message.
const MAX_APPEAL_ROWS: usize = 200;

/// A Markdown report to attach to an appeal to Amazon. It vouches only for messages that
/// were read: those that could not be are listed as not checked. Text from the mail is
/// shown with control characters escaped.
pub fn appeal(r: &AuditReport) -> String {
    escape_controls(&appeal_text(r)).into_owned()
}

fn appeal_text(r: &AuditReport) -> String {
    let mut o = String::new();
    o.push_str("# Buyer-Seller Messaging: review of sent messages\n\n");
    let from = r.period_start.or(r.oldest);
    let _ = writeln!(
        o,
        "**Period covered:** {} to {}  ",
        from.map_or("the first message".to_string(), day),
        day(r.now)
    );
    let _ = writeln!(o, "**Messages checked:** {}  ", r.messages);
    if !r.unreadable.is_empty() {
        let _ = writeln!(
            o,
            "**Messages or files that could not be read (not checked):** {}  ",
            r.unreadable.len()
        );
    }
    let _ = writeln!(o, "**Review requests among them:** {}  ", r.review_requests);
    let _ = writeln!(
        o,
        "**Orders over the limit of 2 messages or 1 review request:** {}\n",
        r.orders_over_budget.len()
    );
    if r.unreadable.is_empty() {
        o.push_str(
            "Every message sent to buyers in this period was exported from our mailbox and checked\n",
        );
    } else {
        o.push_str(
            "The messages sent to buyers in this period were exported from our mailbox; those that\n",
        );
        o.push_str(
            "could be read were checked (the others are listed under \"Not checked\" below)\n",
        );
    }
    o.push_str(
        "automatically against each point of the Buyer-Seller Messaging communication guidelines\n",
    );
    o.push_str("listed below.\n\n");

    o.push_str("## Rules checked\n\n| Rule | What it checks | Findings |\n|---|---|---|\n");
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &r.findings {
        *counts.entry(f.code).or_default() += 1;
    }
    for (code, summary) in &r.checked_codes {
        let _ = writeln!(
            o,
            "| `{code}` | {} | {} |",
            summary.replace('|', "\\|"),
            counts.get(code).copied().unwrap_or(0)
        );
    }
    o.push('\n');

    if r.findings.is_empty() {
        o.push_str("## Result\n\n");
        let which = if r.unreadable.is_empty() {
            "sent in this period"
        } else {
            "checked in this period"
        };
        let _ = writeln!(
            o,
            "None of the {} messages {which} did any of the things the guidelines prohibit:",
            r.messages
        );
        o.push_str("no review request was conditional or asked for a positive review, no message offered\n");
        o.push_str("anything in exchange for a review, no order received more than two proactive messages or\n");
        o.push_str(
            "more than one review request, and no message contained marketing, external links or\n",
        );
        o.push_str("contact details.\n\n");
        if !r.clean_examples.is_empty() {
            o.push_str("Examples of messages sent in this period:\n\n");
            for ex in &r.clean_examples {
                let _ = writeln!(
                    o,
                    "- {} {}{}: \"{}\"",
                    ex.date.map_or("undated".to_string(), day),
                    ex.order_id
                        .as_deref()
                        .map_or(String::new(), |id| format!("order {id}, ")),
                    ex.subject
                        .as_deref()
                        .map_or("no subject".to_string(), |s| format!("subject \"{s}\"")),
                    ex.excerpt
                );
            }
            o.push('\n');
        }
    } else {
        o.push_str("## Findings\n\n");
        o.push_str("| Date | Order | Rule | Text |\n|---|---|---|---|\n");
        let mut rows = std::collections::BTreeSet::new();
        let mut not_listed = 0;
        for f in &r.findings {
            // One row per message and rule.
            if !rows.insert((&f.origin, f.message_id.as_deref(), f.code)) {
                continue;
            }
            if rows.len() > MAX_APPEAL_ROWS {
                not_listed += 1;
                continue;
            }
            let _ = writeln!(
                o,
                "| {} | {} | `{}` | {} |",
                f.date.map_or("undated".to_string(), day),
                f.order_id.as_deref().unwrap_or("-"),
                f.code,
                shorten(&f.excerpt, 100).replace('|', "\\|")
            );
        }
        if not_listed > 0 {
            let _ = writeln!(
                o,
                "\n{not_listed} more findings are not listed here; `tplc audit --format json` lists every one."
            );
        }
        o.push_str("\n## What we changed\n\n");
        let sources: Vec<_> = r.templates.iter().filter(|t| !t.codes.is_empty()).collect();
        for t in &sources {
            let found: Vec<&str> = t.codes.iter().copied().collect();
            let state = if t.current.is_empty() {
                "the template now passes every rule".to_string()
            } else {
                format!(
                    "the template still reports {}; fix it before sending this report",
                    t.current.join(", ")
                )
            };
            let _ = writeln!(
                o,
                "- `{}` (source of {} message{} with {}): {state}.",
                t.template.display(),
                t.messages,
                plural(t.messages),
                found.join(", ")
            );
        }
        if !sources.is_empty() {
            o.push('\n');
        }
        o.push_str(
            "<!-- Describe each change: which template, the old wording, the new wording.\n",
        );
        o.push_str("     Once `tplc check` passes on every template, say so here. -->\n");
        o.push_str("- \n");
    }
    if !r.unreadable.is_empty() {
        o.push_str("\n## Not checked\n\n");
        o.push_str("These could not be read, so this report makes no statement about them:\n\n");
        for u in &r.unreadable {
            let _ = writeln!(o, "- `{}`: {}", u.origin, u.reason);
        }
    }
    o
}
