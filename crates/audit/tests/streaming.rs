//! Large mailboxes: a generated mbox on disk through the whole audit, and a generated
//! stream far larger than any buffer through the mbox reader.

use std::io::{BufReader, Read, Write};
use tplc_audit::input::{MboxItem, MboxReader};
use tplc_audit::{audit_paths, MessageChecker, Options};
use tplc_diagnostics::{CodeInfo, Diagnostic};

/// The audit logic without the rules, so the test measures reading and grouping.
struct NoRules;

impl MessageChecker for NoRules {
    fn check(&self, _: Option<&str>, _: &str, _: Option<&str>, _: Option<&str>) -> Vec<Diagnostic> {
        Vec::new()
    }
    fn detect_locale(&self, _: &str) -> Option<&'static str> {
        None
    }
    fn codes(&self) -> Vec<&'static CodeInfo> {
        Vec::new()
    }
}

fn message(i: usize, order: usize, review: bool) -> String {
    let day = 1 + i % 27;
    let id = format!("{:03}-{order:07}-{:07}", 100 + order % 900, order * 7);
    let ask = if review {
        "Please leave a review of the product on Amazon."
    } else {
        "Your parcel is on its way and arrives on Friday."
    };
    format!(
        "From orders@shop.example Mon Nov {day:02} 10:00:00 2026\n\
         Message-ID: <m{i}@shop.example>\n\
         Date: Mon, {day:02} Nov 2026 10:{:02}:00 +0000\n\
         From: Shop <orders@shop.example>\n\
         To: buyer{order}@marketplace.amazon.com\n\
         Subject: Order {id}\n\
         Content-Type: text/plain; charset=utf-8\n\
         \n\
         Hello,\n\
         \n\
         about your order {id}: {ask}\n\
         >From the shop team with thanks.\n\
         {}\n\
         \n",
        i % 60,
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(6)
    )
}

#[test]
fn generated_mbox_is_audited_message_by_message() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("Sent.mbox");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let orders = 6_000;
    // Each order: a shipping note and a review request; every tenth order gets a second
    // review request (three messages, two asks).
    let mut n = 0;
    for order in 1..=orders {
        for review in [false, true] {
            f.write_all(message(n, order, review).as_bytes()).unwrap();
            n += 1;
        }
        if order % 10 == 0 {
            f.write_all(message(n, order, true).as_bytes()).unwrap();
            n += 1;
        }
    }
    // A duplicate export of the first message, and a corrupt tail.
    f.write_all(message(0, 1, false).as_bytes()).unwrap();
    f.write_all(b"From x@y Mon Nov 30 10:00:00 2026\n\x00\xff\xfe\n")
        .unwrap();
    f.flush().unwrap();
    drop(f);
    assert!(std::fs::metadata(&path).unwrap().len() > 8 * 1024 * 1024);

    let opts = Options {
        now: 1_796_000_000,
        since: None,
        progress: true,
    };
    let mut progress = Vec::new();
    let report = audit_paths(
        std::slice::from_ref(&path),
        opts,
        &NoRules,
        None,
        &mut progress,
    );
    assert_eq!(report.messages, n);
    assert_eq!(report.duplicates, 1);
    assert_eq!(report.unreadable.len(), 1);
    assert_eq!(report.unreadable[0].origin.position, Some(n + 2));
    assert_eq!(report.orders_over_budget.len(), orders / 10);
    assert!(report
        .orders_over_budget
        .iter()
        .all(|o| o.messages.len() == 3 && o.review_requests == 2));
    // Each over-budget order yields one finding per limit on its third message.
    assert_eq!(report.findings.len(), 2 * orders / 10);
    let progress = String::from_utf8(progress).unwrap();
    assert!(progress.contains(" MB, "), "{progress}");
    assert!(
        progress
            .trim_end()
            .ends_with(&format!("{} messages read", n + 2)),
        "{progress}"
    );
}

/// An endless-looking mailbox produced on the fly: nothing holds it all.
struct Generated {
    remaining: usize,
    chunk: Vec<u8>,
    at: usize,
}

impl Read for Generated {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.at == self.chunk.len() {
            if self.remaining == 0 {
                return Ok(0);
            }
            self.remaining -= 1;
            self.at = 0;
        }
        let n = buf.len().min(self.chunk.len() - self.at);
        buf[..n].copy_from_slice(&self.chunk[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[test]
fn reader_streams_a_quarter_gigabyte() {
    let one = message(1, 1, true);
    let count = (256 * 1024 * 1024) / one.len();
    let source = Generated {
        remaining: count,
        chunk: one.clone().into_bytes(),
        at: one.len(),
    };
    let mut reader = MboxReader::new(BufReader::new(source));
    let mut seen = 0usize;
    let expected_len = one.len() - one.find('\n').unwrap() - 1 - 1; // postmark and one '>' removed
    for item in reader.by_ref() {
        match item.unwrap() {
            MboxItem::Message(m) => assert_eq!(m.len(), expected_len),
            MboxItem::TooLarge(n) => panic!("unexpected oversize message of {n} bytes"),
        }
        seen += 1;
    }
    assert_eq!(seen, count);
    assert_eq!(reader.bytes_read(), (count * one.len()) as u64);
}
