//! Hostile and half-broken mail must never stop a run: thousands of generated messages
//! built from the pieces parsers trip over go through the whole audit with the real rules.
//! Hostile exports (mislabelled charsets, unreadable bodies, link loops, FIFOs, terminal
//! escape sequences) never hang a run, never pass for compliant, never reach the terminal.

use clap::Parser;
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;
use tplc_audit::audit::Origin;
use tplc_audit::{Auditor, Options, Rules};

const PIECES: &[&str] = &[
    "From: a@b\n",
    "From: Amazon <seller-notification@amazon.com>\n",
    "Subject: =?utf-8?b?SGVsbG8=?= [Important]\n",
    "Subject: =?x-unknown?q?=FF=FE?=\n",
    "Date: Mon, 32 Foo 99999 99:99:99 +9999\n",
    "Date: Mon, 02 Nov 2026 10:00:00 +0000\n",
    "Message-ID: <\n",
    "In-Reply-To: <x>\n",
    "Content-Type: multipart/mixed; boundary=\"zz\"\n",
    "Content-Type: text/html; charset=iso-2022-jp\n",
    "Content-Type: message/rfc822\n",
    "Content-Transfer-Encoding: base64\n",
    "Content-Transfer-Encoding: quoted-printable\n",
    "\n",
    "--zz\n",
    "--zz--\n",
    "<p>If you are satisfied <a href='https://x.example'>review</a>",
    "<!-- ",
    "<style>",
    "&#xFFFFFFFF;&amp",
    "=E2=80=\n",
    "SGVsbG8gd29ybGQ=\n",
    "\u{1b}$B$3\u{1b}(B",
    "order 123-1234567-1234567 ",
    "This message was not delivered because your account was restricted from sending proactive messages.",
    "did not meet the Buyer-Seller Messaging communication guidelines",
    "We have restricted your ability to send proactive messages\n- links\n1) ",
    "the buyer has opted out of receiving",
    "please leave a 5-star review if you are happy ",
    "é\u{301}😀レビュー",
    "\r",
    ">",
];

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn generated_garbage_never_panics() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let opts = Options {
        now: 1_796_000_000,
        since: Some(90 * 86_400),
        progress: false,
    };
    let mut auditor = Auditor::new(opts, &Rules, None);
    let mut total = 0;
    for i in 0..3_000 {
        let mut msg = Vec::new();
        let parts = 1 + rng.next() % 24;
        for _ in 0..parts {
            let r = rng.next();
            if r.is_multiple_of(9) {
                // Raw bytes, invalid UTF-8 included.
                msg.extend((0..(r % 7)).map(|k| (r >> (k * 8)) as u8));
            } else {
                msg.extend_from_slice(PIECES[(r as usize / 9) % PIECES.len()].as_bytes());
            }
        }
        auditor.add_raw(
            Origin {
                file: std::path::Path::new("generated.mbox").into(),
                position: Some(i + 1),
            },
            &msg,
        );
        total += 1;
    }
    let report = auditor.finish();
    let accounted = report.messages
        + report.duplicates
        + report.unreadable.len()
        + report.outside_period
        + report.not_sent_by_seller
        + report.restriction_emails.len();
    // Every message lands in exactly one bucket; none is lost.
    assert_eq!(accounted, total);
    assert!(
        report.messages > 0 && !report.unreadable.is_empty(),
        "{report:?}"
    );
    // Reports render whatever was found.
    let _ = tplc_audit::report::human(&report);
    let _ = tplc_audit::report::appeal(&report);
    let json = tplc_audit::report::json(&report);
    assert_eq!(json["messages"], report.messages);
    for f in &report.findings {
        assert!(f.start <= f.end && f.line >= 1 && f.column >= 1);
    }
}

// ---------------------------------------------------------------------------------------
// Whole runs over hostile exports: charsets, unreadable bodies, links, FIFOs, escapes

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    audit: tplc_audit::AuditArgs,
}

struct Run {
    code: i32,
    human: String,
    json: serde_json::Value,
    appeal: String,
}

/// `tplc audit PATHS` in human and JSON form, with an appeal report, on a thread killed
/// (the test failed) when it does not finish within a generous deadline: a hang is a
/// failure, not a stuck test run.
fn audit(paths: &[PathBuf]) -> Run {
    let paths = paths.to_vec();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let dir = tempfile::tempdir().unwrap();
        let appeal = dir.path().join("appeal.md");
        let run = |format: &str| {
            let mut argv: Vec<String> = ["tplc-audit", "--now", "2026-11-28T12:00:00Z"]
                .map(String::from)
                .to_vec();
            argv.extend(
                ["--since", "all", "--format", format, "--appeal-report"].map(String::from),
            );
            argv.push(appeal.display().to_string());
            argv.extend(paths.iter().map(|p| p.display().to_string()));
            let cli = Cli::try_parse_from(argv).unwrap();
            let (mut out, mut err) = (Vec::new(), Vec::new());
            let code = tplc_audit::run_with(&cli.audit, &Rules, false, None, &mut out, &mut err);
            (code, String::from_utf8(out).unwrap())
        };
        let (code, human) = run("human");
        let (_, json) = run("json");
        let _ = tx.send(Run {
            code,
            human,
            json: serde_json::from_str(&json).unwrap(),
            appeal: std::fs::read_to_string(&appeal).unwrap(),
        });
    });
    rx.recv_timeout(Duration::from_secs(120))
        .expect("the audit finished within 120 s (a hang or a panic otherwise)")
}

fn eml(subject: &str, content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut m = format!(
        "Message-ID: <{subject}@shop.example>\nDate: Mon, 23 Nov 2026 10:00:00 +0000\nFrom: shop@shop.example\nSubject: {subject}\nMIME-Version: 1.0\nContent-Type: {content_type}\n\n"
    )
    .into_bytes();
    m.extend_from_slice(body);
    m
}

const ASK: &str = "Thanks for your order. If you are satisfied, please leave a 5-star review.";

#[test]
fn utf8_body_declared_utf16_is_checked_with_a_decoding_warning() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ask.eml");
    std::fs::write(
        &file,
        eml(
            "Order 111-2223334-4445556",
            "text/plain; charset=utf-16",
            ASK.as_bytes(),
        ),
    )
    .unwrap();
    let r = audit(&[file]);
    assert_eq!(r.code, 1, "{}", r.human);
    assert!(
        !r.json["diagnostics"].as_array().unwrap().is_empty(),
        "{}",
        r.human
    );
    let warnings = r.json["decoding_warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{}", r.json);
    assert!(warnings[0]["warning"].as_str().unwrap().contains("utf-16"));
    assert!(!r.human.contains("No rule finding"), "{}", r.human);
    assert!(r.human.contains("Decoding warnings"), "{}", r.human);
    assert!(r.appeal.contains("## Findings"), "{}", r.appeal);
}

#[test]
fn unreadable_messages_are_never_counted_as_compliant() {
    let dir = tempfile::tempdir().unwrap();
    let clean = "Your parcel for order 111-2223334-4445556 has shipped today.";
    std::fs::write(
        dir.path().join("1-clean.eml"),
        eml("Shipped", "text/plain; charset=utf-8", clean.as_bytes()),
    )
    .unwrap();
    // Binary bytes passed off as text.
    let binary: Vec<u8> = (0u8..=255).cycle().take(2000).collect();
    std::fs::write(
        dir.path().join("2-binary.eml"),
        eml("Binary", "text/plain; charset=utf-8", &binary),
    )
    .unwrap();
    // Broken base64.
    std::fs::write(
        dir.path().join("3-base64.eml"),
        eml(
            "Broken",
            "text/plain; charset=utf-8\nContent-Transfer-Encoding: base64",
            b"SWYgeW91IGFyZSBzYXRpc2ZpZWQ*&^%$#@!\n",
        ),
    )
    .unwrap();
    // Nothing but an attachment.
    std::fs::write(
        dir.path().join("4-attachment.eml"),
        eml(
            "Picture",
            "image/png\nContent-Transfer-Encoding: base64",
            b"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==\n",
        ),
    )
    .unwrap();
    let r = audit(&[dir.path().to_path_buf()]);
    assert_eq!(r.json["messages"], 1, "{}", r.json);
    let unreadable: Vec<String> = r.json["unreadable"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["file"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(unreadable.len(), 3, "{unreadable:?}");
    for name in ["2-binary.eml", "3-base64.eml", "4-attachment.eml"] {
        assert!(
            unreadable.iter().any(|u| u.ends_with(name)),
            "{name}: {unreadable:?}"
        );
        assert!(
            r.appeal.contains(name),
            "{name} not listed in\n{}",
            r.appeal
        );
    }
    // The appeal vouches for the one message read, and says the others were not checked.
    assert!(r.appeal.contains("## Not checked"), "{}", r.appeal);
    assert!(!r.appeal.contains("Every message sent"), "{}", r.appeal);
    assert!(
        r.appeal.contains("None of the 1 messages checked"),
        "{}",
        r.appeal
    );
}

#[cfg(unix)]
#[test]
fn a_folder_linking_to_its_parent_is_walked_once() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export");
    let sent = export.join("Sent");
    std::fs::create_dir_all(&sent).unwrap();
    std::fs::write(
        sent.join("a.eml"),
        eml("Shipped", "text/plain", b"Your parcel has shipped."),
    )
    .unwrap();
    // Links back up the tree: followed, they loop without end.
    std::os::unix::fs::symlink("..", sent.join("up")).unwrap();
    std::os::unix::fs::symlink(".", sent.join("here")).unwrap();
    std::os::unix::fs::symlink("a.eml", sent.join("again.eml")).unwrap();
    // The same folder and file named twice more.
    let r = audit(&[export.clone(), sent.clone(), sent.join("a.eml")]);
    assert_eq!(r.json["messages"], 1, "{}", r.json);
    assert_eq!(r.json["duplicates"], 0, "{}", r.json);
}

#[cfg(unix)]
#[test]
fn a_fifo_named_like_a_mailbox_is_skipped_not_opened() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.eml"),
        eml("Shipped", "text/plain", b"Your parcel has shipped."),
    )
    .unwrap();
    let fifo = dir.path().join("x.mbox");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    // Found in a folder, and named on the command line.
    let r = audit(&[dir.path().to_path_buf(), fifo.clone()]);
    assert_eq!(r.json["messages"], 1, "{}", r.json);
    let notes: Vec<&str> = r.json["unreadable"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["file"].as_str().unwrap().ends_with("x.mbox"))
        .map(|u| u["reason"].as_str().unwrap())
        .collect();
    assert_eq!(notes.len(), 2, "{}", r.json);
    assert!(notes.iter().all(|n| n.contains("FIFO")), "{notes:?}");
}

#[test]
fn terminal_sequences_from_mail_are_shown_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let hostile = "\u{1b}[2J\u{1b}]8;;https://evil.example\u{7}click\u{1b}]8;;\u{7} \u{202e}";
    let ask = format!("Hi. {hostile} If you are satisfied, please leave a 5-star review.\r\r");
    std::fs::write(
        dir.path().join("ask.eml"),
        eml(
            &format!("Order {hostile}"),
            "text/plain; charset=utf-8",
            ask.as_bytes(),
        ),
    )
    .unwrap();
    let clean = "Your parcel has shipped.";
    std::fs::write(
        dir.path().join("clean-\u{1b}[31m.eml"),
        eml(
            &format!("Shipped {hostile}"),
            "text/plain; charset=utf-8",
            clean.as_bytes(),
        ),
    )
    .unwrap();
    let r = audit(&[dir.path().to_path_buf()]);
    assert!(
        !r.json["diagnostics"].as_array().unwrap().is_empty(),
        "{}",
        r.human
    );
    for (what, out) in [("human", &r.human), ("appeal", &r.appeal)] {
        assert!(
            !out.contains(['\u{1b}', '\u{7}', '\u{202e}', '\r']),
            "{what}: raw control character in\n{out}"
        );
        assert!(
            out.contains("\\x1b[2J"),
            "{what}: escape not shown in\n{out}"
        );
    }
    assert!(r.human.contains("\\u{202e}"), "{}", r.human);
    // The appeal report with no finding shows the clean message's subject escaped too.
    let clean_only = audit(&[dir.path().join("clean-\u{1b}[31m.eml")]);
    assert!(
        clean_only.appeal.contains("Shipped \\x1b[2J"),
        "{}",
        clean_only.appeal
    );
    assert!(
        !clean_only.appeal.contains('\u{1b}'),
        "{}",
        clean_only.appeal
    );
}

/// `tplc audit ARGS` through the library entry point; (exit code, stderr).
fn audit_args(args: &[&str]) -> (i32, String) {
    let mut argv = vec![
        "tplc-audit",
        "--now",
        "2026-11-28T12:00:00Z",
        "--since",
        "all",
    ];
    argv.extend_from_slice(args);
    let cli = Cli::try_parse_from(argv).unwrap();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = tplc_audit::run_with(&cli.audit, &Rules, false, None, &mut out, &mut err);
    (code, String::from_utf8_lossy(&err).into_owned())
}

#[test]
fn the_appeal_report_never_replaces_the_mail_it_reads() {
    let dir = tempfile::tempdir().unwrap();
    let mail = dir.path().join("sent.eml");
    let bytes = eml("Order", "text/plain; charset=utf-8", ASK.as_bytes());
    std::fs::write(&mail, &bytes).unwrap();
    let m = mail.display().to_string();
    let (code, err) = audit_args(&["--appeal-report", &m, &m]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("would replace the mail"), "{err}");
    assert_eq!(std::fs::read(&mail).unwrap(), bytes);
}

#[cfg(unix)]
#[test]
fn the_appeal_report_replaces_a_link_instead_of_writing_through_it() {
    let dir = tempfile::tempdir().unwrap();
    let mail = dir.path().join("sent.eml");
    std::fs::write(
        &mail,
        eml("Order", "text/plain; charset=utf-8", ASK.as_bytes()),
    )
    .unwrap();
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "mine").unwrap();
    let report = dir.path().join("appeal.md");
    std::os::unix::fs::symlink(&victim, &report).unwrap();
    let (_, err) = audit_args(&[
        "--appeal-report",
        &report.display().to_string(),
        &mail.display().to_string(),
    ]);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "mine", "{err}");
    assert!(std::fs::read_to_string(&report).unwrap().contains("#"));
    assert!(!std::fs::symlink_metadata(&report)
        .unwrap()
        .file_type()
        .is_symlink());
}
