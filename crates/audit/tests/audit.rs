//! End-to-end runs of `tplc audit` over the fixture export in `tests/fixtures/export`:
//! the same arguments a seller types, the real rules, a fixed clock.

use clap::Parser;
use serde_json::Value;
use tplc_audit::{run_with, AuditArgs, Rules};

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    audit: AuditArgs,
}

const NOW: &str = "2026-11-28T12:00:00Z";

fn audit(extra: &[&str]) -> (i32, String, String) {
    audit_at(NOW, extra)
}

fn audit_at(now: &str, extra: &[&str]) -> (i32, String, String) {
    let mut argv = vec!["tplc-audit", "--now", now];
    argv.extend_from_slice(extra);
    let cli = Cli::try_parse_from(argv).expect("arguments parse");
    let (mut out, mut err) = (Vec::new(), Vec::new());
    // No project search from the working folder: only `--project` selects templates.
    let code = run_with(&cli.audit, &Rules, false, None, &mut out, &mut err);
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

fn json(extra: &[&str]) -> Value {
    let mut args = vec!["--format", "json"];
    args.extend_from_slice(extra);
    let (code, out, err) = audit(&args);
    assert_eq!(code, 1, "restricted export exits 1; stderr: {err}");
    serde_json::from_str(&out).expect("valid JSON")
}

const EXPORT: &str = "tests/fixtures/export";

#[test]
fn restriction_dates_and_notices() {
    let j = json(&[EXPORT]);
    assert_eq!(j["restricted"], true);
    // The restriction e-mail (19 Nov 08:00) is older than the first footer (20 Nov 12:00).
    assert_eq!(j["restricted_since"], "2026-11-19T08:00:00Z");
    assert_eq!(j["earliest_lift"], "2026-11-24T08:00:00Z");
    let notices: Vec<(&str, &str)> = j["blocked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["order_id"].as_str().unwrap(),
                b["notice"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        notices,
        vec![
            ("777-7777777-7777777", "buyer-opted-out"),
            ("444-4444444-4444444", "restriction-footer"),
            ("555-5555555-5555555", "guidelines-banner"),
        ]
    );
    // The bounce names the original message, not the bounce itself.
    assert_eq!(
        j["blocked"][0]["message_id"],
        "r1-777@northwind-mugs.example"
    );
    let reasons: Vec<&str> = j["restriction_reasons"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| {
            r["codes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap())
        })
        .collect();
    assert_eq!(
        reasons,
        vec![
            "review-incentive",
            "repeated-review-request",
            "external-link",
            "important-subject"
        ]
    );
}

#[test]
fn counts_duplicates_unreadable_and_orders() {
    let j = json(&[EXPORT]);
    // 001..007, 009, 011, the original inside the opt-out bounce, and 2 in the mbox; the
    // duplicate of 001 is skipped and 010 is unreadable.
    assert_eq!(j["messages"], 12);
    assert_eq!(j["duplicates"], 1);
    let unreadable = j["unreadable"].as_array().unwrap();
    assert_eq!(unreadable.len(), 1);
    assert!(unreadable[0]["file"]
        .as_str()
        .unwrap()
        .ends_with("010-malformed.eml"));
    // Order 111: delivery note, review request, reminder (the reply does not count).
    let over = j["orders_over_budget"].as_array().unwrap();
    assert_eq!(over.len(), 1, "{over:?}");
    assert_eq!(over[0]["order_id"], "111-1111111-1111111");
    assert_eq!(over[0]["messages"], 3);
    assert_eq!(over[0]["review_requests"], 2);
    let budget: Vec<&Value> = j["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "order-message-budget" || d["code"] == "repeated-review-request")
        .collect();
    // Only the reminder (third message, second review request) is over the limits.
    assert_eq!(budget.len(), 2);
    for d in budget {
        assert!(d["file"]
            .as_str()
            .unwrap()
            .ends_with("003-review-reminder.eml"));
        assert_eq!(d["order_id"], "111-1111111-1111111");
        assert_eq!(d["message_id"], "r2-111@northwind-mugs.example");
        // The span covers the order ID in the extracted body.
        assert_eq!(d["line"], 3);
        assert_eq!(d["column"], 29);
        assert_eq!(
            d["end"].as_u64().unwrap() - d["start"].as_u64().unwrap(),
            19
        );
    }
}

#[test]
fn since_limits_the_period() {
    // From 25 Nov 12:00 (72 hours before 28 Nov 12:00) there is nothing: nothing is read
    // and nothing is restricted.
    let (code, out, _) = audit(&["--format", "json", "--since", "72h", EXPORT]);
    let j: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(j["messages"], 0);
    assert_eq!(j["restricted"], false);
    assert_eq!(code, 0);
    let j = json(&["--since", "6d", EXPORT]);
    // From 22 Nov 12:00: the 23 Nov mbox message only.
    assert_eq!(j["messages"], 1);
    assert_eq!(j["outside_period"].as_u64().unwrap(), 14 - 1);
}

#[test]
fn usage_errors_exit_2() {
    let (code, _, err) = audit(&["tests/fixtures/does-not-exist"]);
    assert_eq!(code, 2);
    assert!(err.contains("does not exist"), "{err}");
    let (code, _, err) = audit(&["--since", "soon", EXPORT]);
    assert_eq!(code, 2);
    assert!(err.contains("--since"), "{err}");
}

#[test]
fn human_report() {
    let (code, out, _) = audit(&["--project", "tests/fixtures/project", EXPORT]);
    assert_eq!(code, 1);
    assert!(out.contains("RESTRICTED"));
    assert!(out.contains("earliest end     2026-11-24 08:00 UTC"));
    // The template still holds the wording that got the messages flagged.
    assert!(out.contains("review-request.tplc: 1 message (conditional-review-ask, sentiment-word)\n    today: still reports conditional-review-ask, sentiment-word"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn json_report() {
    let j = json(&["--project", "tests/fixtures/project", EXPORT]);
    // The review request (001) comes from the review template, the delivery note (002)
    // from the delivery template; the hand-written reminder matches none.
    let templates: Vec<(&str, u64)> = j["templates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["template"].as_str().unwrap(),
                t["messages"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        templates,
        vec![
            ("tests/fixtures/project/review-request.tplc", 1),
            ("tests/fixtures/project/delivery.tplc", 1)
        ]
    );
    insta::assert_json_snapshot!(j);
}

#[test]
fn appeal_report() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("appeal.md");
    // The seller has reworded the review template since the messages were sent.
    let (code, _, err) = audit(&[
        "--appeal-report",
        path.to_str().unwrap(),
        "--project",
        "tests/fixtures/project-fixed",
        EXPORT,
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("appeal report written"));
    let md = std::fs::read_to_string(&path).unwrap();
    assert!(
        md.contains("- `tests/fixtures/project-fixed/review-request.tplc` (source of 1 message with conditional-review-ask, sentiment-word): the template now passes every rule."),
        "{md}"
    );
    // Default period: 30 days before now.
    assert!(
        md.contains("**Period covered:** 2026-10-29 to 2026-11-28"),
        "{md}"
    );
    insta::assert_snapshot!(md);
}

#[test]
fn clean_export_appeal_states_no_breach() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("appeal.md");
    let (code, out, _) = audit(&[
        "--appeal-report",
        path.to_str().unwrap(),
        "tests/fixtures/clean",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Not restricted"));
    let md = std::fs::read_to_string(&path).unwrap();
    assert!(
        md.contains("None of the 3 messages sent in this period"),
        "{md}"
    );
    insta::assert_snapshot!(md);
}

#[test]
fn restriction_still_in_force() {
    // Two days after the restriction e-mail: the earliest end is still ahead.
    let (code, out, _) = audit_at("2026-11-21T08:00:00Z", &[EXPORT]);
    assert_eq!(code, 1);
    assert!(
        out.contains(
            "earliest end     2026-11-24 08:00 UTC (first notice + 120 hours)\n  until then"
        ),
        "{out}"
    );
    assert!(!out.contains("That time has passed"));
}
