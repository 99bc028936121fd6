//! The audit itself: messages in, one [`AuditReport`] out. Messages are processed one at a
//! time and only their findings and per-order summaries are kept, so a mailbox of any
//! size can be audited.

use crate::input::{self, FileKind, MboxItem};
use crate::mail::{self, Mail};
use crate::matching::TemplateIndex;
use crate::notices::{self, NoticeKind};
use crate::orders;
use crate::rules_bridge::MessageChecker;
use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tplc_diagnostics::{LineIndex, PositionEncoding, Severity};

/// Minimum length of a messaging restriction, in hours.
pub const RESTRICTION_HOURS: i64 = 120;
/// Amazon's limit of proactive messages per order.
pub const MAX_MESSAGES_PER_ORDER: usize = 2;
/// How many example messages are kept per cause.
const EXAMPLES_PER_CAUSE: usize = 3;

/// Settings of one run.
#[derive(Clone, Debug)]
pub struct Options {
    /// The run's clock, seconds since the Unix epoch.
    pub now: i64,
    /// Only messages dated within this many seconds before `now` are read; `None` = all.
    pub since: Option<i64>,
    /// Write progress lines while reading large mailboxes.
    pub progress: bool,
}

/// Where a message came from: a file, and its position in an mbox.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Origin {
    /// Shared by every message of one file.
    pub file: Arc<Path>,
    /// 1-based position in an mbox; `None` for an `.eml`.
    pub position: Option<usize>,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.position {
            Some(n) => write!(f, "{} #{n}", self.file.display()),
            None => write!(f, "{}", self.file.display()),
        }
    }
}

/// A message Amazon did not deliver.
#[derive(Clone, Debug, PartialEq)]
pub struct Blocked {
    pub origin: Origin,
    pub message_id: Option<String>,
    pub date: Option<i64>,
    pub order_id: Option<String>,
    pub subject: Option<String>,
    pub notice: NoticeKind,
}

/// Amazon's restriction e-mail and the reasons it gives.
#[derive(Clone, Debug, PartialEq)]
pub struct RestrictionEmail {
    pub origin: Origin,
    pub date: Option<i64>,
    pub subject: Option<String>,
    /// Each reason as written, with the tplc codes it maps to.
    pub reasons: Vec<(String, Vec<&'static str>)>,
}

/// One rule finding in one sent message. Positions are in the message's plain-text body.
#[derive(Clone, Debug, PartialEq)]
///
/// Text fields are shared (`Arc<str>`): messages rendered from one template repeat the same
/// wording, so a mailbox of any size keeps one copy of each distinct text.
pub struct Finding {
    pub origin: Origin,
    pub message_id: Option<Arc<str>>,
    pub order_id: Option<Arc<str>>,
    pub date: Option<i64>,
    pub code: &'static str,
    pub severity: Severity,
    pub message: Arc<str>,
    /// 1-based, in Unicode scalar values.
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    /// Byte offsets into the plain-text body.
    pub start: usize,
    pub end: usize,
    /// The line of the body holding the finding (shortened); empty once a code has
    /// [`MAX_EXCERPTS`] of them.
    pub excerpt: Arc<str>,
    /// The project template this message most likely came from.
    pub template: Option<Arc<Path>>,
}

/// Excerpts kept per code; later findings of the code keep their position only.
pub const MAX_EXCERPTS: usize = 100;

/// A message of an order, for the per-order budget.
#[derive(Clone, Debug, PartialEq)]
pub struct OrderMessage {
    pub origin: Origin,
    pub message_id: Option<Arc<str>>,
    pub date: Option<i64>,
    pub subject: Option<Arc<str>>,
    pub review_request: bool,
    /// Where the order ID is in the body (start, end, line, column, end line, end column),
    /// `None` when it was only in the subject.
    at: Option<(usize, usize, u32, u32, u32, u32)>,
    template: Option<Arc<Path>>,
}

/// An order that received more proactive messages, or review requests, than allowed.
#[derive(Clone, Debug, PartialEq)]
pub struct OrderOverBudget {
    pub order_id: String,
    /// Proactive messages, oldest first.
    pub messages: Vec<OrderMessage>,
    pub review_requests: usize,
}

/// A likely cause: one code, how many messages show it, examples.
#[derive(Clone, Debug, PartialEq)]
pub struct Cause {
    pub code: &'static str,
    pub messages: usize,
    pub findings: usize,
    /// Amazon's restriction e-mail names this cause.
    pub named_by_amazon: bool,
    /// Indexes into [`AuditReport::findings`].
    pub examples: Vec<usize>,
}

/// A template and the messages that match it.
#[derive(Clone, Debug, PartialEq)]
pub struct TemplateUse {
    pub template: Arc<Path>,
    pub messages: usize,
    /// Codes found in the sent messages matching the template.
    pub codes: BTreeSet<&'static str>,
    /// Codes the template reports today: empty when it has been fixed since.
    pub current: Vec<&'static str>,
}

/// A message that could not be read; the run continued without it.
#[derive(Clone, Debug, PartialEq)]
pub struct Unreadable {
    pub origin: Origin,
    pub reason: String,
}

/// A checked message whose text was not read as its header declared (wrong or unknown
/// charset): its findings are from the text as detected.
#[derive(Clone, Debug, PartialEq)]
pub struct DecodingWarning {
    pub origin: Origin,
    pub warning: String,
}

/// A clean message shown as evidence in the appeal report.
#[derive(Clone, Debug, PartialEq)]
pub struct CleanExample {
    pub origin: Origin,
    pub date: Option<i64>,
    pub subject: Option<String>,
    pub order_id: Option<String>,
    pub excerpt: String,
}

/// Everything a run found.
#[derive(Clone, Debug, Default)]
pub struct AuditReport {
    pub now: i64,
    /// Start of the period read (`None` = everything).
    pub period_start: Option<i64>,
    /// Distinct sent messages checked.
    pub messages: usize,
    /// Sent messages that asked for a review.
    pub review_requests: usize,
    pub duplicates: usize,
    pub outside_period: usize,
    /// Messages from Amazon that are not notices (e.g. buyer messages relayed to the seller).
    pub not_sent_by_seller: usize,
    pub undated: usize,
    pub unreadable: Vec<Unreadable>,
    pub decoding_warnings: Vec<DecodingWarning>,
    pub oldest: Option<i64>,
    pub newest: Option<i64>,
    pub restricted: bool,
    pub restricted_since: Option<i64>,
    pub earliest_lift: Option<i64>,
    pub blocked: Vec<Blocked>,
    pub restriction_emails: Vec<RestrictionEmail>,
    pub findings: Vec<Finding>,
    pub causes: Vec<Cause>,
    pub orders_over_budget: Vec<OrderOverBudget>,
    pub templates: Vec<TemplateUse>,
    /// Whether `--project` templates were available for matching.
    pub matched_templates: bool,
    pub clean_examples: Vec<CleanExample>,
    /// Every rule that was checked, as (code, summary), for the appeal report.
    pub checked_codes: Vec<(&'static str, &'static str)>,
}

impl AuditReport {
    /// Exit status: 1 when the account is restricted or anything was found.
    pub fn has_problems(&self) -> bool {
        self.restricted
            || !self.findings.is_empty()
            || !self.orders_over_budget.is_empty()
            || !self.blocked.is_empty()
    }
}

/// Feeds messages through notice detection, the rules and the per-order budget.
pub struct Auditor<'a> {
    checker: &'a dyn MessageChecker,
    templates: Option<&'a TemplateIndex>,
    seen: HashSet<u64>,
    orders: BTreeMap<String, Vec<OrderMessage>>,
    template_uses: BTreeMap<Arc<Path>, TemplateUse>,
    strings: HashSet<Arc<str>>,
    excerpts: BTreeMap<&'static str, usize>,
    report: AuditReport,
}

impl<'a> Auditor<'a> {
    pub fn new(
        opts: Options,
        checker: &'a dyn MessageChecker,
        templates: Option<&'a TemplateIndex>,
    ) -> Self {
        let report = AuditReport {
            now: opts.now,
            period_start: opts.since.map(|s| opts.now.saturating_sub(s)),
            matched_templates: templates.is_some_and(|t| !t.is_empty()),
            ..AuditReport::default()
        };
        Auditor {
            checker,
            templates,
            seen: HashSet::new(),
            orders: BTreeMap::new(),
            template_uses: BTreeMap::new(),
            strings: HashSet::new(),
            excerpts: BTreeMap::new(),
            report,
        }
    }

    pub fn add_unreadable(&mut self, origin: Origin, reason: impl Into<String>) {
        self.report.unreadable.push(Unreadable {
            origin,
            reason: reason.into(),
        });
    }

    /// Process one raw message.
    pub fn add_raw(&mut self, origin: Origin, bytes: &[u8]) {
        match mail::parse(bytes) {
            Ok(m) => self.add_mail(origin, m),
            Err(reason) => self.add_unreadable(origin, reason),
        }
    }

    fn in_period(&self, date: Option<i64>) -> bool {
        match (date, self.report.period_start) {
            (Some(d), Some(start)) => d >= start,
            _ => true,
        }
    }

    /// Process one parsed message.
    pub fn add_mail(&mut self, origin: Origin, mail: Mail) {
        let found = notices::detect(mail.from.as_deref(), mail.subject.as_deref(), &mail.body);
        if !self.in_period(mail.date) {
            self.report.outside_period += 1;
            return;
        }
        if let Some(reason) = &mail.unreadable {
            self.add_unreadable(origin, reason.clone());
            return;
        }
        if found.notices.contains(&NoticeKind::RestrictionEmail) {
            self.note_restriction(mail.date);
            let reasons = found
                .reasons
                .iter()
                .map(|r| (r.clone(), notices::reason_codes(r)))
                .collect();
            self.report.restriction_emails.push(RestrictionEmail {
                origin,
                date: mail.date,
                subject: mail.subject.clone(),
                reasons,
            });
            return;
        }

        // A bounce carrying the original: the original is the seller's message.
        let (seller, body) = match (found.notices.is_empty(), mail.attached.clone()) {
            (false, Some(inner)) => {
                let inner_found =
                    notices::detect(inner.from.as_deref(), inner.subject.as_deref(), &inner.body);
                let body = match inner_found.seller_text {
                    Some(r) => inner.body[r].to_string(),
                    None => inner.body.clone(),
                };
                (*inner, body)
            }
            _ => {
                let body = match &found.seller_text {
                    Some(r) => mail.body[r.clone()].to_string(),
                    None => mail.body.clone(),
                };
                (mail.clone(), body)
            }
        };
        let date = seller.date.or(mail.date);
        // The subject names the order when it has an ID; the span points into the body.
        let order = seller
            .subject
            .as_deref()
            .and_then(orders::find_order_id)
            .map(|(id, _)| {
                let at = body.find(&id).map(|s| s..s + id.len());
                (id, at)
            })
            .or_else(|| orders::find_order_id(&body).map(|(id, r)| (id, Some(r))));
        let order_id = order.as_ref().map(|(id, _)| id.clone());

        for &notice in &found.notices {
            if notice.means_restricted() {
                self.note_restriction(mail.date.or(date));
            }
            self.report.blocked.push(Blocked {
                origin: origin.clone(),
                message_id: seller.message_id.clone(),
                date,
                order_id: order_id.clone(),
                subject: seller.subject.clone(),
                notice,
            });
        }

        if let Some(reason) = &seller.unreadable {
            // The notice counts; the original inside it cannot be checked.
            self.add_unreadable(origin, format!("the attached original: {reason}"));
            return;
        }
        if found.notices.is_empty() && mail.from.as_deref().is_some_and(|f| f.contains("amazon.")) {
            self.report.not_sent_by_seller += 1;
            return;
        }
        if !self.seen.insert(dedup_key(&seller, &body)) {
            self.report.duplicates += 1;
            return;
        }
        self.check_message(origin, &seller, &body, date, order);
    }

    fn note_restriction(&mut self, date: Option<i64>) {
        self.report.restricted = true;
        if let Some(d) = date {
            let since = self.report.restricted_since.map_or(d, |s| s.min(d));
            self.report.restricted_since = Some(since);
        }
    }

    fn check_message(
        &mut self,
        origin: Origin,
        seller: &Mail,
        body: &str,
        date: Option<i64>,
        order: Option<(String, Option<std::ops::Range<usize>>)>,
    ) {
        let r = &mut self.report;
        r.messages += 1;
        for warning in &seller.decoding {
            r.decoding_warnings.push(DecodingWarning {
                origin: origin.clone(),
                warning: warning.clone(),
            });
        }
        match date {
            Some(d) => {
                r.oldest = Some(r.oldest.map_or(d, |o| o.min(d)));
                r.newest = Some(r.newest.map_or(d, |n| n.max(d)));
            }
            None => r.undated += 1,
        }
        let subject = seller.subject.as_deref();
        let review = orders::is_review_request(subject, body);
        if review {
            r.review_requests += 1;
        }
        let locale = seller
            .language
            .clone()
            .or_else(|| self.checker.detect_locale(body).map(str::to_string));
        let kind = review.then_some("review_request");
        let diags = self.checker.check(subject, body, locale.as_deref(), kind);
        let template = self
            .templates
            .and_then(|t| t.best_match(subject, body))
            .map(|(p, _)| p);
        let index = LineIndex::new(body);
        let order_id = order.as_ref().map(|(id, _)| id.clone());
        let order_arc: Option<Arc<str>> = order_id.as_deref().map(Arc::from);
        let message_id: Option<Arc<str>> = seller.message_id.as_deref().map(Arc::from);
        let subject_arc: Option<Arc<str>> = subject.map(Arc::from);

        if let Some(t) = &template {
            let entry = self
                .template_uses
                .entry(t.clone())
                .or_insert_with(|| TemplateUse {
                    template: t.clone(),
                    messages: 0,
                    codes: BTreeSet::new(),
                    current: Vec::new(),
                });
            entry.messages += 1;
            entry.codes.extend(diags.iter().map(|d| d.code));
        }
        if diags.is_empty()
            && self.report.clean_examples.len() < 3
            && (review || self.report.clean_examples.is_empty())
        {
            let excerpt: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
            self.report.clean_examples.push(CleanExample {
                origin: origin.clone(),
                date,
                subject: seller.subject.clone(),
                order_id: order_id.clone(),
                excerpt: shorten(&excerpt, 200),
            });
        }
        for d in diags {
            let (start, end) = clamp_span(body, d.span.start, d.span.end);
            let lc = index.line_col(body, start, PositionEncoding::Chars);
            let elc = index.line_col(body, end, PositionEncoding::Chars);
            let shown = self.excerpts.entry(d.code).or_default();
            *shown += 1;
            let excerpt = if *shown > MAX_EXCERPTS {
                String::new()
            } else if start == 0 && end == 0 {
                // Findings in the subject have an empty span at 0.
                subject.unwrap_or_default().to_string()
            } else {
                line_excerpt(body, start, end)
            };
            let excerpt = self.intern(&excerpt);
            let message = self.intern(&d.message);
            self.report.findings.push(Finding {
                origin: origin.clone(),
                message_id: message_id.clone(),
                order_id: order_arc.clone(),
                date,
                code: d.code,
                severity: d.severity,
                message,
                line: lc.line + 1,
                column: lc.col + 1,
                end_line: elc.line + 1,
                end_column: elc.col + 1,
                start,
                end,
                excerpt,
                template: template.clone(),
            });
        }

        if let Some((id, range)) = order {
            if seller.is_reply {
                return;
            }
            let at = range.map(|r| {
                let lc = index.line_col(body, r.start, PositionEncoding::Chars);
                let elc = index.line_col(body, r.end, PositionEncoding::Chars);
                (
                    r.start,
                    r.end,
                    lc.line + 1,
                    lc.col + 1,
                    elc.line + 1,
                    elc.col + 1,
                )
            });
            self.orders.entry(id).or_default().push(OrderMessage {
                origin,
                message_id,
                date,
                subject: subject_arc,
                review_request: review,
                at,
                template,
            });
        }
    }

    /// One shared copy of each distinct text.
    fn intern(&mut self, s: &str) -> Arc<str> {
        if let Some(a) = self.strings.get(s) {
            return a.clone();
        }
        let a: Arc<str> = Arc::from(s);
        self.strings.insert(a.clone());
        a
    }

    /// Close the run: per-order budgets, causes, restriction end.
    pub fn finish(mut self) -> AuditReport {
        let orders = std::mem::take(&mut self.orders);
        for (order_id, mut msgs) in orders {
            let order_arc: Arc<str> = Arc::from(order_id.as_str());
            msgs.sort_by(|a, b| (a.date, &a.origin).cmp(&(b.date, &b.origin)));
            let reviews = msgs.iter().filter(|m| m.review_request).count();
            if msgs.len() <= MAX_MESSAGES_PER_ORDER && reviews <= 1 {
                continue;
            }
            let mut seen_review = false;
            for (i, m) in msgs.iter().enumerate() {
                let over = i >= MAX_MESSAGES_PER_ORDER;
                let repeat = m.review_request && seen_review;
                seen_review |= m.review_request;
                let mut hits = Vec::new();
                if repeat {
                    hits.push((
                        crate::REPEATED_REVIEW_REQUEST,
                        format!(
                            "order {order_id} already received a review request; Amazon allows one per order. Send the review request once (one template, one schedule)."
                        ),
                    ));
                }
                if over {
                    hits.push((
                        crate::ORDER_MESSAGE_BUDGET,
                        format!(
                            "this is proactive message {} for order {order_id}; Amazon allows at most {MAX_MESSAGES_PER_ORDER}. Drop or merge the extra messages for an order.",
                            i + 1
                        ),
                    ));
                }
                let (start, end, line, column, end_line, end_column) =
                    m.at.unwrap_or((0, 0, 1, 1, 1, 1));
                for (code, message) in hits {
                    self.report.findings.push(Finding {
                        origin: m.origin.clone(),
                        message_id: m.message_id.clone(),
                        order_id: Some(order_arc.clone()),
                        date: m.date,
                        code,
                        severity: Severity::Error,
                        message: Arc::from(message),
                        line,
                        column,
                        end_line,
                        end_column,
                        start,
                        end,
                        excerpt: m.subject.clone().unwrap_or_else(|| Arc::from("")),
                        template: m.template.clone(),
                    });
                    if let Some(t) = &m.template {
                        if let Some(u) = self.template_uses.get_mut(t) {
                            u.codes.insert(code);
                        }
                    }
                }
            }
            self.report.orders_over_budget.push(OrderOverBudget {
                order_id,
                messages: msgs,
                review_requests: reviews,
            });
        }

        let r = &mut self.report;
        r.findings.sort_by(|a, b| {
            (a.date, &a.origin, a.start, a.end, a.code)
                .cmp(&(b.date, &b.origin, b.start, b.end, b.code))
        });
        r.earliest_lift = r.restricted_since.map(|s| s + RESTRICTION_HOURS * 3600);
        r.blocked
            .sort_by(|a, b| (a.date, &a.origin).cmp(&(b.date, &b.origin)));
        r.restriction_emails
            .sort_by(|a, b| (a.date, &a.origin).cmp(&(b.date, &b.origin)));

        let named: BTreeSet<&str> = r
            .restriction_emails
            .iter()
            .flat_map(|e| e.reasons.iter().flat_map(|(_, c)| c.iter().copied()))
            .collect();
        // Per code: the messages already counted, and the cause being built.
        type Seen<'r> = HashSet<(&'r Origin, Option<&'r str>)>;
        let mut causes: BTreeMap<&'static str, (Seen, Cause)> = BTreeMap::new();
        for (i, f) in r.findings.iter().enumerate() {
            let (msgs, cause) = causes.entry(f.code).or_insert_with(|| {
                (
                    HashSet::new(),
                    Cause {
                        code: f.code,
                        messages: 0,
                        findings: 0,
                        named_by_amazon: named.contains(f.code),
                        examples: Vec::new(),
                    },
                )
            });
            cause.findings += 1;
            if msgs.insert((&f.origin, f.message_id.as_deref())) {
                cause.messages += 1;
                if cause.examples.len() < EXAMPLES_PER_CAUSE {
                    cause.examples.push(i);
                }
            }
        }
        let mut causes: Vec<Cause> = causes.into_values().map(|(_, c)| c).collect();
        causes.sort_by(|a, b| {
            (b.messages, b.named_by_amazon, b.findings)
                .cmp(&(a.messages, a.named_by_amazon, a.findings))
                .then(a.code.cmp(b.code))
        });
        r.causes = causes;

        let mut uses: Vec<TemplateUse> = std::mem::take(&mut self.template_uses)
            .into_values()
            .collect();
        for u in &mut uses {
            if let Some(current) = self.templates.and_then(|t| t.current_codes(&u.template)) {
                u.current = current.to_vec();
            }
        }
        uses.sort_by(|a, b| {
            (b.codes.len(), b.messages)
                .cmp(&(a.codes.len(), a.messages))
                .then(a.template.cmp(&b.template))
        });
        self.report.templates = uses;

        let mut codes: Vec<(&'static str, &'static str)> = self
            .checker
            .codes()
            .into_iter()
            .chain(crate::CODES)
            .map(|c| (c.code, c.summary))
            .collect();
        for f in &self.report.findings {
            if !codes.iter().any(|(c, _)| *c == f.code) {
                codes.push((f.code, ""));
            }
        }
        self.report.checked_codes = codes;
        self.report
    }
}

fn dedup_key(m: &Mail, body: &str) -> u64 {
    let mut h = DefaultHasher::new();
    match &m.message_id {
        Some(id) => ("id", id.trim_matches(['<', '>'])).hash(&mut h),
        None => ("content", &m.subject, m.date, body).hash(&mut h),
    }
    h.finish()
}

fn clamp_span(text: &str, start: usize, end: usize) -> (usize, usize) {
    let fix = |mut i: usize| {
        i = i.min(text.len());
        while i > 0 && !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let s = fix(start);
    (s, fix(end).max(s))
}

fn line_excerpt(body: &str, start: usize, end: usize) -> String {
    let ls = body[..start].rfind('\n').map_or(0, |i| i + 1);
    let le = body[end..].find('\n').map_or(body.len(), |i| end + i);
    shorten(body[ls..le].trim(), 160)
}

/// At most `max` characters, with an ellipsis when cut.
pub fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Read every message under `paths`. Progress (when enabled) goes to `progress`.
pub fn audit_paths(
    paths: &[PathBuf],
    opts: Options,
    checker: &dyn MessageChecker,
    templates: Option<&TemplateIndex>,
    progress: &mut dyn Write,
) -> AuditReport {
    let show_progress = opts.progress;
    let mut auditor = Auditor::new(opts, checker, templates);
    let (files, problems) = input::collect(paths);
    for (path, reason) in problems {
        auditor.add_unreadable(
            Origin {
                file: Arc::from(path),
                position: None,
            },
            reason,
        );
    }
    for f in files {
        match f.kind {
            FileKind::Eml => {
                let origin = Origin {
                    file: Arc::from(f.path.as_path()),
                    position: None,
                };
                match input::read_eml(&f) {
                    Ok(Ok(bytes)) => auditor.add_raw(origin, &bytes),
                    Ok(Err(size)) => {
                        auditor.add_unreadable(origin, format!("message too large ({size} bytes)"))
                    }
                    Err(e) => auditor.add_unreadable(origin, e.to_string()),
                }
            }
            FileKind::Mbox => read_mbox(&mut auditor, &f, show_progress, progress),
        }
    }
    auditor.finish()
}

fn read_mbox(
    auditor: &mut Auditor<'_>,
    f: &input::MailFile,
    show_progress: bool,
    progress: &mut dyn Write,
) {
    let path = f.path.as_path();
    let (mut reader, total) = match input::open_mbox(f) {
        Ok(r) => r,
        Err(e) => {
            auditor.add_unreadable(
                Origin {
                    file: Arc::from(path),
                    position: None,
                },
                e.to_string(),
            );
            return;
        }
    };
    let file: Arc<Path> = Arc::from(path);
    // Only long runs get a progress line.
    let show = show_progress && total > 8 * 1024 * 1024;
    let shown = tplc_diagnostics::controls::escape_controls(&path.to_string_lossy()).into_owned();
    let mut n = 0usize;
    let mut last_shown = 0u64;
    while let Some(item) = reader.next() {
        n += 1;
        let origin = Origin {
            file: file.clone(),
            position: Some(n),
        };
        match item {
            Ok(MboxItem::Message(bytes)) => auditor.add_raw(origin, &bytes),
            Ok(MboxItem::TooLarge(size)) => {
                auditor.add_unreadable(origin, format!("message too large (over {size} bytes)"))
            }
            Err(e) => {
                auditor.add_unreadable(origin, format!("read error: {e}"));
                break;
            }
        }
        if show && reader.bytes_read() - last_shown >= 4 * 1024 * 1024 {
            last_shown = reader.bytes_read();
            let _ = write!(
                progress,
                "\r{}: {} of {} MB, {n} messages",
                shown,
                last_shown / (1024 * 1024),
                total / (1024 * 1024)
            );
            let _ = progress.flush();
        }
    }
    if show {
        let _ = writeln!(progress, "\r{}: {n} messages read{}", shown, " ".repeat(20));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tplc_diagnostics::{CodeInfo, Diagnostic, Span};

    /// Reports `code-a` at every "AAA" and `code-b` at every "BBB": a stand-in for the
    /// rules, so these tests cover the audit's own logic only.
    struct Markers;

    impl MessageChecker for Markers {
        fn check(
            &self,
            _: Option<&str>,
            body: &str,
            _: Option<&str>,
            _: Option<&str>,
        ) -> Vec<tplc_diagnostics::Diagnostic> {
            let mut out = Vec::new();
            for (marker, code) in [("AAA", "code-a"), ("BBB", "code-b")] {
                for (i, _) in body.match_indices(marker) {
                    out.push(Diagnostic::error(
                        code,
                        Span::new(i, i + 3),
                        format!("{code} here"),
                    ));
                }
            }
            out
        }
        fn detect_locale(&self, _: &str) -> Option<&'static str> {
            None
        }
        fn codes(&self) -> Vec<&'static CodeInfo> {
            Vec::new()
        }
    }

    fn raw(id: u32, day: u32, subject: &str, body: &str) -> Vec<u8> {
        format!(
            "Message-ID: <{id}@s>\nDate: {day:02} Nov 2026 10:00:00 +0000\nFrom: me@shop.example\nSubject: {subject}\n\n{body}\n"
        )
        .into_bytes()
    }

    fn run(msgs: &[Vec<u8>]) -> AuditReport {
        let opts = Options {
            now: 1_796_000_000,
            since: None,
            progress: false,
        };
        let mut a = Auditor::new(opts, &Markers, None);
        for (i, m) in msgs.iter().enumerate() {
            a.add_raw(
                Origin {
                    file: Path::new("box.mbox").into(),
                    position: Some(i + 1),
                },
                m,
            );
        }
        a.finish()
    }

    #[test]
    fn causes_rank_by_messages_and_keep_examples() {
        let r = run(&[
            raw(1, 1, "x", "AAA AAA BBB"),
            raw(2, 2, "x", "BBB"),
            raw(3, 3, "x", "line one\nand BBB é"),
            raw(4, 4, "x", "clean text"),
        ]);
        assert_eq!(r.messages, 4);
        let ranked: Vec<(&str, usize, usize)> = r
            .causes
            .iter()
            .map(|c| (c.code, c.messages, c.findings))
            .collect();
        assert_eq!(ranked, vec![("code-b", 3, 3), ("code-a", 1, 2)]);
        let b = &r.causes[0];
        assert_eq!(b.examples.len(), 3);
        let third = &r.findings[b.examples[2]];
        assert_eq!((third.line, third.column, third.end_column), (2, 5, 8));
        assert_eq!(&*third.excerpt, "and BBB é");
        assert_eq!(r.clean_examples.len(), 1);
        assert_eq!(r.clean_examples[0].excerpt, "clean text");
        assert!(!r.restricted && r.has_problems());
    }

    #[test]
    fn replies_and_duplicates_do_not_count_per_order() {
        let order = "111-2223334-4455566";
        let r = run(&[
            raw(1, 1, &format!("Order {order}"), "Your parcel has shipped."),
            raw(
                2,
                2,
                &format!("Re: Order {order}"),
                "Answer to your question.",
            ),
            raw(
                2,
                2,
                &format!("Re: Order {order}"),
                "Answer to your question.",
            ),
            raw(3, 8, &format!("Order {order}"), "Please leave a review."),
        ]);
        assert_eq!(r.duplicates, 1);
        assert!(r.orders_over_budget.is_empty());
        let r = run(&[
            raw(1, 1, &format!("Order {order}"), "Please leave a review."),
            raw(
                3,
                8,
                &format!("Order {order}"),
                "Reminder: please write a review.",
            ),
        ]);
        assert_eq!(r.orders_over_budget.len(), 1);
        let codes: Vec<&str> = r.findings.iter().map(|f| f.code).collect();
        assert_eq!(codes, vec![crate::REPEATED_REVIEW_REQUEST]);
        assert_eq!(r.findings[0].message_id.as_deref(), Some("3@s"));
    }

    #[test]
    fn unreadable_bodies_are_listed_only_within_the_period() {
        let binary = |day: u32| {
            let mut m = raw(day, day, "x", "");
            m.extend((0u8..=255).cycle().take(600));
            m
        };
        let opts = Options {
            now: 1_796_000_000, // 2026-11-30
            since: Some(10 * 86_400),
            progress: false,
        };
        let mut a = Auditor::new(opts, &Markers, None);
        for (i, m) in [binary(1), binary(25), raw(3, 26, "x", "AAA")]
            .iter()
            .enumerate()
        {
            a.add_raw(
                Origin {
                    file: Path::new("box.mbox").into(),
                    position: Some(i + 1),
                },
                m,
            );
        }
        let r = a.finish();
        assert_eq!((r.messages, r.outside_period), (1, 1));
        assert_eq!(r.unreadable.len(), 1);
        assert_eq!(r.unreadable[0].origin.position, Some(2));
    }

    #[test]
    fn restriction_starts_at_the_first_notice() {
        let footer = "This message was not delivered because your account was restricted from sending proactive messages.";
        let r = run(&[
            raw(1, 5, "a", &format!("Hi BBB.\n\n{footer} AAA")),
            raw(2, 3, "b", &format!("Hello.\n\n{footer}")),
        ]);
        assert!(r.restricted);
        let since = r.restricted_since.unwrap();
        assert_eq!(crate::report::rfc3339(since), "2026-11-03T10:00:00Z");
        assert_eq!(r.earliest_lift, Some(since + 120 * 3600));
        assert_eq!(r.blocked.len(), 2);
        // The footer (and anything after it) is not part of the text the rules see.
        let codes: Vec<&str> = r.findings.iter().map(|f| f.code).collect();
        assert_eq!(codes, vec!["code-b"]);
    }
}
