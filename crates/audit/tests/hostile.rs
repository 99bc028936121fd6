//! Hostile and half-broken mail must never stop a run: thousands of generated messages
//! built from the pieces parsers trip over go through the whole audit with the real rules.

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
