//! `tplc audit`: read the messages a seller actually sent (exported `.eml` / `.mbox`),
//! find Amazon's notices (restriction footer, guideline banner, restriction e-mail, opt-out
//! non-delivery), run the compliance rules over every message, count messages per order,
//! and report what a restricted seller needs: since when, until when at the earliest,
//! why, and which templates to fix; optionally a Markdown report for an appeal.

pub mod audit;
pub mod charset;
pub mod input;
pub mod mail;
pub mod matching;
pub mod notices;
pub mod orders;
pub mod report;
pub mod rules_bridge;

pub use audit::{audit_paths, AuditReport, Auditor, Options};
pub use matching::TemplateIndex;
pub use rules_bridge::{MessageChecker, Rules};

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use tplc_diagnostics::controls::escape_controls;
use tplc_diagnostics::{CodeInfo, Severity};

/// More than two proactive messages for one order.
pub const ORDER_MESSAGE_BUDGET: &str = "order-message-budget";
/// A second review request for one order.
pub const REPEATED_REVIEW_REQUEST: &str = "repeated-review-request";

/// Codes this crate emits (the per-message rules are `tplc_rules::CODES`).
pub const CODES: &[CodeInfo] = &[
    CodeInfo {
        code: ORDER_MESSAGE_BUDGET,
        default_severity: Severity::Error,
        summary: "An order received more than two proactive messages",
        explanation: include_str!("../../../docs/diagnostics/order-message-budget.md"),
    },
    CodeInfo {
        code: REPEATED_REVIEW_REQUEST,
        default_severity: Severity::Error,
        summary: "An order received more than one review request",
        explanation: include_str!("../../../docs/diagnostics/repeated-review-request.md"),
    },
];

/// Output format of the report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    #[default]
    Human,
    Json,
}

/// `tplc audit` command-line arguments.
#[derive(Clone, Debug, clap::Args)]
pub struct AuditArgs {
    /// Exported sent messages: `.eml` files, `.mbox` files, or folders of them.
    #[arg(required = true, value_name = "PATHS")]
    pub paths: Vec<PathBuf>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Only read messages from this long before now: `30d`, `72h`, `2w`, or `all`.
    /// Defaults to `all`, or to `30d` with `--appeal-report`.
    #[arg(long, value_name = "DURATION")]
    pub since: Option<String>,
    /// Also write a Markdown report for an appeal to Amazon to this file.
    #[arg(long, value_name = "FILE")]
    pub appeal_report: Option<PathBuf>,
    /// The tplc project whose templates are matched against the messages. Defaults to the
    /// project around the current folder (the nearest `tplc.toml`), if any.
    #[arg(long, value_name = "DIR")]
    pub project: Option<PathBuf>,
    /// Take this RFC 3339 time as "now" (reproducible reports).
    #[arg(long, value_name = "TIME", hide = true)]
    pub now: Option<String>,
}

/// Parse `30d`, `72h`, `2w`, `45m` into seconds; `all` → `None`.
pub fn parse_duration(s: &str) -> Result<Option<i64>, String> {
    let s = s.trim();
    if s.eq_ignore_ascii_case("all") {
        return Ok(None);
    }
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: i64 = num.parse().map_err(|_| {
        format!("invalid duration `{s}`: write a number and a unit, e.g. `30d` or `72h`")
    })?;
    let unit_secs = match unit.trim() {
        "w" => 7 * 86_400,
        "d" => 86_400,
        "h" => 3_600,
        "m" => 60,
        other => {
            return Err(format!(
                "invalid duration unit `{other}` in `{s}`: use d (days), h (hours) or w (weeks)"
            ))
        }
    };
    n.checked_mul(unit_secs)
        .filter(|v| *v <= 100 * 365 * 86_400)
        .map(Some)
        .ok_or_else(|| format!("duration `{s}` is too long"))
}

/// Run `tplc audit`. Returns the exit code: 0 nothing found, 1 restricted or findings,
/// 2 usage or I/O error.
pub fn run(args: &AuditArgs, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    // Progress goes to stderr, so it never mixes with a JSON report on stdout.
    let progress = std::io::stderr().is_terminal();
    let cwd = std::env::current_dir().ok();
    run_with(args, &Rules, progress, cwd.as_deref(), out, err)
}

/// Do `a` and `b` name one existing file (links followed)?
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// The nearest folder at or above `start` holding `tplc.toml`, as a path relative to
/// `start` (`.`, `..`, `../..`) so reports show short template paths.
pub fn find_project(start: &Path) -> Option<PathBuf> {
    let mut rel = PathBuf::from(".");
    for dir in start.ancestors() {
        if dir.join("tplc.toml").is_file() {
            return Some(rel);
        }
        rel = if rel == Path::new(".") {
            PathBuf::from("..")
        } else {
            rel.join("..")
        };
    }
    None
}

/// [`run`] with an explicit rule checker, progress setting and the folder where a project
/// is looked for when `--project` is not given (`None`: no template matching).
pub fn run_with(
    args: &AuditArgs,
    checker: &dyn MessageChecker,
    progress: bool,
    search_project_from: Option<&Path>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let now = match &args.now {
        Some(t) => match t.parse::<jiff::Timestamp>() {
            Ok(t) => t.as_second(),
            Err(e) => {
                let _ = writeln!(err, "error: --now `{t}` is not an RFC 3339 time ({e})");
                return 2;
            }
        },
        None => jiff::Timestamp::now().as_second(),
    };
    if let Some(report) = &args.appeal_report {
        if let Some(input) = args.paths.iter().find(|p| same_file(p, report)) {
            let _ = writeln!(
                err,
                "error: the appeal report {} would replace the mail {}: name another file",
                report.display(),
                input.display()
            );
            return 2;
        }
    }
    let default_since = if args.appeal_report.is_some() {
        "30d"
    } else {
        "all"
    };
    let since = match parse_duration(args.since.as_deref().unwrap_or(default_since)) {
        Ok(s) => s,
        Err(e) => {
            let _ = writeln!(err, "error: --since: {e}");
            return 2;
        }
    };
    let missing: Vec<&PathBuf> = args.paths.iter().filter(|p| !p.exists()).collect();
    if !missing.is_empty() {
        for p in missing {
            let _ = writeln!(
                err,
                "error: {} does not exist; pass exported .eml/.mbox files or folders",
                p.display()
            );
        }
        return 2;
    }
    let project = args
        .project
        .clone()
        .or_else(|| search_project_from.and_then(find_project));
    let index = match &project {
        Some(dir) if !dir.is_dir() => {
            let _ = writeln!(err, "error: --project {} is not a folder", dir.display());
            return 2;
        }
        Some(dir) => {
            let (index, problems) = TemplateIndex::load(dir);
            for (p, e) in problems {
                let _ = writeln!(
                    err,
                    "warning: cannot read template {}",
                    escape_controls(&format!("{}: {e}", p.display()))
                );
            }
            Some(index)
        }
        None => None,
    };

    let opts = Options {
        now,
        since,
        progress,
    };
    let report = audit_paths(&args.paths, opts, checker, index.as_ref(), err);

    let written = match args.format {
        Format::Human => out.write_all(report::human(&report).as_bytes()),
        Format::Json => report::write_json(&report, out),
    };
    if let Err(e) = written {
        let _ = writeln!(err, "error: cannot write the report: {e}");
        return 2;
    }
    if let Some(path) = &args.appeal_report {
        if let Err(e) = tplc_output::replace_file(path, report::appeal(&report).as_bytes()) {
            let _ = writeln!(err, "error: cannot write {}: {e}", path.display());
            return 2;
        }
        let _ = writeln!(err, "appeal report written to {}", path.display());
    }
    if report.has_problems() {
        1
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_is_found_upwards() {
        let dir = tempfile::tempdir().unwrap();
        let inner = dir.path().join("a/b");
        std::fs::create_dir_all(&inner).unwrap();
        assert_eq!(find_project(&inner), None);
        std::fs::write(dir.path().join("tplc.toml"), "").unwrap();
        assert_eq!(find_project(&inner), Some(PathBuf::from("../..")));
        assert_eq!(find_project(dir.path()), Some(PathBuf::from(".")));
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30d"), Ok(Some(30 * 86_400)));
        assert_eq!(parse_duration("72h"), Ok(Some(72 * 3_600)));
        assert_eq!(parse_duration("2w"), Ok(Some(14 * 86_400)));
        assert_eq!(parse_duration("ALL"), Ok(None));
        assert!(parse_duration("30").is_err());
        assert!(parse_duration("d").is_err());
        assert!(parse_duration("99999999999999999w").is_err());
        assert!(parse_duration("3y").is_err());
    }

    #[test]
    fn amazon_reasons_map_to_known_codes() {
        let known: Vec<&str> = tplc_rules::CODES
            .iter()
            .chain(CODES)
            .map(|c| c.code)
            .collect();
        let reasons = [
            "Incentivizing reviews",
            "asking for positive reviews",
            "asking only buyers with a good experience",
            "conditional review requests",
            "asking buyers to change their review",
            "asking buyers to contact you before leaving a review",
            "repeated review requests",
            "too many messages per order",
            "unnecessary links",
            "opt-out links",
            "\"[Important]\" in the subject",
            "including a phone number",
            "marketing content",
            "emojis and logos",
        ];
        for reason in reasons {
            let codes = notices::reason_codes(reason);
            assert!(!codes.is_empty(), "{reason}");
            for c in codes {
                assert!(known.contains(&c), "{reason} -> {c}");
            }
        }
        assert!(notices::reason_codes("something else entirely").is_empty());
    }

    #[test]
    fn every_code_has_docs() {
        for c in CODES {
            assert!(
                c.explanation.starts_with(&format!("# {}", c.code)),
                "{}",
                c.code
            );
        }
    }
}
