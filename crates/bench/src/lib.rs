//! Deterministic corpora of `.tplc` templates for the benchmarks.
//!
//! [`corpus`] writes a catalogue the way a seller with many products keeps one: message
//! families (one `id`, translated into one to six locales with the same placeholders),
//! shared signature and footer partials, sizes from 0.5 KB to 20 KB, conditionals, loops and
//! includes, and a chosen share of templates holding a policy violation. [`single`] makes
//! one template of a given size for the scaling curve. The same seed always gives the same
//! bytes, so figures taken on different days compare.

mod text;

use std::fmt::Write as _;
use std::path::Path;
use text::{Phrases, LOCALES};

/// What to generate.
#[derive(Clone, Debug, PartialEq)]
pub struct CorpusOptions {
    pub seed: u64,
    /// Number of non-partial templates.
    pub templates: usize,
    /// Share of templates (0.0–1.0) with one policy violation written into their text.
    pub violation_share: f64,
}

impl Default for CorpusOptions {
    fn default() -> Self {
        CorpusOptions {
            seed: 1,
            templates: 10_000,
            violation_share: 0.1,
        }
    }
}

/// One generated file: a path relative to the project root and its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct File {
    pub path: String,
    pub text: String,
}

/// A generated project: `tplc.toml`, partials and templates.
#[derive(Clone, Debug, Default)]
pub struct Corpus {
    pub files: Vec<File>,
    /// Paths of the templates written with a violation.
    pub violating: Vec<String>,
}

impl Corpus {
    /// Total bytes of all `.tplc` files (what `tplc check` reads).
    pub fn template_bytes(&self) -> usize {
        self.files
            .iter()
            .filter(|f| f.path.ends_with(".tplc"))
            .map(|f| f.text.len())
            .sum()
    }

    /// Write every file under `root` (created when missing).
    pub fn write_to(&self, root: &Path) -> std::io::Result<()> {
        for f in &self.files {
            let p = root.join(&f.path);
            if let Some(dir) = p.parent() {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::write(p, &f.text)?;
        }
        Ok(())
    }
}

/// SplitMix64: tiny, fast, and identical on every platform, which is all a corpus needs.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

/// Kinds in the proportions a catalogue holds them (mostly order updates and requests).
const KINDS: [(&str, u32); 11] = [
    ("review_request", 14),
    ("delivery", 16),
    ("order_issue", 12),
    ("order_info_request", 8),
    ("return", 10),
    ("invoice", 10),
    ("service_appointment", 5),
    ("customization", 6),
    ("warranty", 7),
    ("legal_disclosure", 4),
    ("reply", 8),
];

fn pick_kind(rng: &mut Rng) -> &'static str {
    let total: u32 = KINDS.iter().map(|k| k.1).sum();
    let mut n = rng.below(total as usize) as u32;
    for (k, w) in KINDS {
        if n < w {
            return k;
        }
        n -= w;
    }
    "delivery"
}

/// Target size of one template: 0.5 KB to 20 KB, most of them small (log-uniform with a
/// bias towards the low end), as real catalogues are.
fn pick_size(rng: &mut Rng) -> usize {
    let u = rng.unit();
    (512.0 * 40f64.powf(u * u)) as usize
}

/// The structure of a family, shared by its translations so placeholders match.
#[derive(Clone, Debug)]
enum Block {
    Paragraph(Vec<usize>),
    /// `{% if cond %}` with one to several branches of sentence indexes.
    If(usize, Vec<Vec<usize>>),
    /// A loop over the items with a line style.
    Items(usize),
    /// Per-SKU instructions: an `if`/`elif` chain on the item inside the loop. Each branch
    /// is short, so the rendered length stays within Amazon's limit however long the file.
    SkuNotes(Vec<Vec<usize>>),
    Comment(usize),
}

struct Family {
    kind: &'static str,
    blocks: Vec<Block>,
    subject: bool,
    send: Option<&'static str>,
}

fn family(rng: &mut Rng, kind: &'static str, size: usize, phrases: &Phrases) -> Family {
    let n = phrases.neutral.len();
    let mut blocks = Vec::new();
    // Bytes of the file so far and characters a one-item order renders; the rendered
    // length must stay within Amazon's limit, so long files grow by alternatives
    // (per-SKU notes, one of which prints per item), as real long templates do.
    let mut bytes = 350usize;
    let (mut rendered, budget) = match kind {
        "review_request" => (1_800, 1_900),
        "customization" => (300, 500),
        _ => (300, 1_000),
    };
    let sentence = 85usize;
    if kind != "review_request" && (kind != "reply" || rng.chance(0.5)) {
        blocks.push(Block::Items(rng.below(text::ITEM_LINES)));
        bytes += 80;
        rendered += 5 * 70;
    }
    while bytes < size && rendered < budget {
        let r = rng.unit();
        if r < 0.45 {
            let len = 1 + rng.below(2);
            blocks.push(Block::Paragraph((0..len).map(|_| rng.below(n)).collect()));
            bytes += len * sentence;
            rendered += len * sentence;
        } else if r < 0.85 {
            let branches = 1 + rng.below(3);
            let cond = rng.below(text::CONDITIONS.len());
            let b: Vec<Vec<usize>> = (0..branches).map(|_| vec![rng.below(n)]).collect();
            bytes += branches * (sentence + 40);
            rendered += sentence;
            blocks.push(Block::If(cond, b));
        } else {
            blocks.push(Block::Comment(rng.below(text::COMMENTS.len())));
            bytes += 70;
        }
    }
    if bytes < size && !matches!(kind, "review_request" | "customization") {
        let branches = (size - bytes) / (sentence + 75) + 1;
        blocks.push(Block::SkuNotes(
            (0..branches).map(|_| vec![rng.below(n)]).collect(),
        ));
    }
    Family {
        kind,
        blocks,
        subject: rng.chance(0.8),
        send: None,
    }
}

/// Render one translation of a family.
fn render(
    fam: &Family,
    id: &str,
    locale: &str,
    p: &Phrases,
    violation: Option<usize>,
    rng: &mut Rng,
) -> String {
    let mut s = String::with_capacity(4096);
    s.push_str("---\n");
    let _ = writeln!(s, "kind: {}", fam.kind);
    let _ = writeln!(s, "locale: {locale}");
    let _ = writeln!(s, "id: {id}");
    if fam.subject {
        let _ = writeln!(s, "subject: {} {{{{ order.id }}}}", p.subject);
    }
    if let Some(send) = fam.send {
        let _ = writeln!(s, "send: {send}");
    }
    s.push_str("---\n");
    let _ = writeln!(s, "{}\n", p.greeting);
    let _ = writeln!(s, "{}\n", p.order_line);
    // The violation goes into the opening paragraph or the closing one, as sellers write it.
    let early = rng.chance(0.5);
    if let (Some(v), true) = (violation, early) {
        let _ = writeln!(s, "{}\n", p.violations[v % p.violations.len()]);
    }
    if fam.kind == "review_request" {
        let _ = writeln!(s, "{}\n", text::review_block(p));
    }
    for b in &fam.blocks {
        match b {
            Block::Paragraph(ix) => {
                for i in ix {
                    s.push_str(p.neutral[*i]);
                    s.push(' ');
                }
                s.pop();
                s.push_str("\n\n");
            }
            Block::If(cond, branches) => {
                let conds = text::CONDITIONS[*cond];
                // At most one `else`: branches past the conditions and an else are dropped.
                for (bi, br) in branches.iter().take(conds.len() + 1).enumerate() {
                    match bi {
                        0 => {
                            let _ = writeln!(s, "{{% if {} %}}", conds[0]);
                        }
                        _ if bi < conds.len() => {
                            let _ = writeln!(s, "{{% elif {} %}}", conds[bi]);
                        }
                        _ => s.push_str("{% else %}\n"),
                    }
                    for i in br {
                        s.push_str(p.neutral[*i]);
                        s.push(' ');
                    }
                    s.pop();
                    s.push('\n');
                }
                s.push_str("{% endif %}\n\n");
            }
            Block::Items(style) => {
                s.push_str("{% for item in order.items %}\n");
                s.push_str(p.item_lines[*style % p.item_lines.len()]);
                s.push_str("\n{% endfor %}\n\n");
            }
            Block::SkuNotes(branches) => {
                // The parser takes at most 48 branches per `if` and 64 nested blocks:
                // chains of 40 continue in a nested `if` under `else`, and a new loop
                // starts after 32 levels, as a seller splitting a long chain would.
                for (ci, chain) in branches.chunks(SKU_GROUP * SKU_DEPTH).enumerate() {
                    s.push_str("{% for item in order.items %}\n");
                    let groups = chain.chunks(SKU_GROUP).count();
                    for (gi, group) in chain.chunks(SKU_GROUP).enumerate() {
                        if gi > 0 {
                            s.push_str("{% else %}\n");
                        }
                        for (bi, br) in group.iter().enumerate() {
                            let kw = if bi == 0 { "if" } else { "elif" };
                            let n = (ci * SKU_DEPTH + gi) * SKU_GROUP + bi;
                            let _ =
                                writeln!(s, "{{% {kw} item.sku == \"SKU-{:05}\" %}}", 1000 + n * 7);
                            s.push_str("- **{{ item.title | truncate(40) }}**: ");
                            for i in br {
                                s.push_str(p.neutral[*i]);
                                s.push(' ');
                            }
                            s.pop();
                            s.push('\n');
                        }
                    }
                    for _ in 0..groups {
                        s.push_str("{% endif %}\n");
                    }
                    s.push_str("{% endfor %}\n\n");
                }
            }
            Block::Comment(i) => {
                let _ = writeln!(s, "{{# {} #}}\n", text::COMMENTS[*i]);
            }
        }
    }
    if let (Some(v), false) = (violation, early) {
        let _ = writeln!(s, "{}\n", p.violations[v % p.violations.len()]);
    }
    // Short replies fall under the 0.5 KB floor: top them up with sentences that hold no
    // placeholder, so translations keep the same placeholders.
    let mut k = 0;
    while s.len() < MIN_BYTES {
        s.push_str(p.neutral[[0, 2, 4, 9, 10][k % 5]]);
        s.push_str("\n\n");
        k += 1;
    }
    let _ = writeln!(s, "{{% include \"signature_{locale}\" %}}");
    s
}

/// Branches per `if` in per-SKU chains, and nested `if`s per chain.
const SKU_GROUP: usize = 40;
const SKU_DEPTH: usize = 32;

/// Smallest template generated, in bytes.
const MIN_BYTES: usize = 500;

fn partials(files: &mut Vec<File>) {
    for (l, p) in LOCALES.iter().zip(text::phrases()) {
        files.push(File {
            path: format!("_signature_{l}.tplc"),
            text: format!(
                "{}\n{{{{ seller.name }}}}\n{{% include \"footer_{l}\" %}}\n",
                p.regards
            ),
        });
        files.push(File {
            path: format!("_footer_{l}.tplc"),
            text: format!("{}\n", p.footer),
        });
    }
}

/// Generate a project of `opts.templates` templates (plus `tplc.toml` and partials).
pub fn corpus(opts: &CorpusOptions) -> Corpus {
    let mut rng = Rng::new(opts.seed);
    let phrases = text::phrases();
    let mut files = vec![File {
        path: "tplc.toml".into(),
        text: "[project]\nname = \"Benchmark catalogue\"\n\n[budget]\nmax-messages = 2\n".into(),
    }];
    partials(&mut files);
    let mut violating = Vec::new();
    let mut made = 0usize;
    let mut fam_no = 0usize;
    let mut scheduled_review = false;
    let mut scheduled_delivery = false;
    while made < opts.templates {
        let kind = pick_kind(&mut rng);
        let size = pick_size(&mut rng);
        let mut fam = family(&mut rng, kind, size, &phrases[0]);
        // Two schedules in the whole catalogue: more would break Amazon's message budget.
        if kind == "review_request" && !scheduled_review {
            fam.send = Some("7d after delivery");
            scheduled_review = true;
        } else if kind == "delivery" && !scheduled_delivery {
            fam.send = Some("1d after shipment");
            scheduled_delivery = true;
        }
        let id = format!("{}-{fam_no:05}", kind.replace('_', "-"));
        // Translations: every family in English, many also in other languages.
        let mut locales = vec![0usize];
        for l in 1..LOCALES.len() {
            if rng.chance(0.35) {
                locales.push(l);
            }
        }
        for l in locales {
            if made == opts.templates {
                break;
            }
            let violation = rng
                .chance(opts.violation_share)
                .then(|| rng.below(usize::MAX / 2));
            let text = render(&fam, &id, LOCALES[l], &phrases[l], violation, &mut rng);
            let dir = fam.kind.replace('_', "-");
            let path = format!("{dir}/{id}.{}.tplc", LOCALES[l]);
            if violation.is_some() {
                violating.push(path.clone());
            }
            files.push(File { path, text });
            made += 1;
        }
        fam_no += 1;
    }
    Corpus { files, violating }
}

/// One English `delivery` template of about `bytes` bytes (never less), built like the
/// corpus' large templates, for the 1 KB → 1 MB scaling curve.
pub fn single(bytes: usize, seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let phrases = text::phrases();
    let fam = family(&mut rng, "delivery", bytes, &phrases[0]);
    let mut s = render(&fam, "single", "en", &phrases[0], None, &mut rng);
    // Top up with neutral paragraphs when the estimate fell short.
    while s.len() < bytes {
        s.push_str(rng.pick::<&str>(&phrases[0].neutral));
        s.push_str("\n\n");
    }
    s
}

/// One English `delivery` template of about `bytes` bytes made of paragraphs and short
/// `if` blocks only (no long per-SKU chain): the shape whose cost the number of text
/// variants does not multiply beyond the fixed cap.
pub fn single_flat(bytes: usize, seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let phrases = text::phrases();
    let p = &phrases[0];
    let n = p.neutral.len();
    let mut blocks = vec![Block::Items(0)];
    let mut approx = 400;
    while approx < bytes {
        if rng.chance(0.6) {
            let len = 1 + rng.below(3);
            blocks.push(Block::Paragraph((0..len).map(|_| rng.below(n)).collect()));
            approx += len * 85;
        } else {
            let branches = 1 + rng.below(2);
            let cond = rng.below(text::CONDITIONS.len());
            blocks.push(Block::If(
                cond,
                (0..branches).map(|_| vec![rng.below(n)]).collect(),
            ));
            approx += branches * 125;
        }
    }
    let fam = Family {
        kind: "delivery",
        blocks,
        subject: true,
        send: None,
    };
    let mut s = render(&fam, "single-flat", "en", p, None, &mut rng);
    while s.len() < bytes {
        s.push_str(rng.pick::<&str>(&p.neutral));
        s.push_str("\n\n");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        let o = CorpusOptions {
            seed: 7,
            templates: 50,
            violation_share: 0.2,
        };
        let a = corpus(&o);
        let b = corpus(&o);
        assert_eq!(a.files, b.files);
        let c = corpus(&CorpusOptions { seed: 8, ..o });
        assert_ne!(a.files, c.files);
    }

    #[test]
    fn corpus_has_the_requested_shape() {
        let c = corpus(&CorpusOptions {
            seed: 3,
            templates: 400,
            violation_share: 0.1,
        });
        let templates: Vec<&File> = c
            .files
            .iter()
            .filter(|f| f.path.ends_with(".tplc") && !f.path.starts_with('_'))
            .collect();
        assert_eq!(templates.len(), 400);
        for l in LOCALES {
            assert!(
                templates
                    .iter()
                    .any(|f| f.path.ends_with(&format!(".{l}.tplc"))),
                "no template in {l}"
            );
        }
        let sizes: Vec<usize> = templates.iter().map(|f| f.text.len()).collect();
        assert!(
            sizes.iter().all(|s| (500..=24_000).contains(s)),
            "{sizes:?}"
        );
        assert!(sizes.iter().any(|s| *s > 8_000));
        assert!(templates.iter().any(|f| f.text.contains("{% for ")));
        assert!(templates.iter().any(|f| f.text.contains("{% elif ")));
        // 10% asked for; allow the spread of 400 draws.
        assert!(
            (20..=60).contains(&c.violating.len()),
            "{}",
            c.violating.len()
        );
        // Exactly two scheduled families.
        let mut ids: Vec<&str> = templates
            .iter()
            .filter(|f| f.text.contains("\nsend: "))
            .filter_map(|f| f.text.lines().find_map(|l| l.strip_prefix("id: ")))
            .collect();
        ids.dedup();
        assert_eq!(ids.len(), 2, "{ids:?}");
    }

    #[test]
    fn single_reaches_its_size() {
        for n in [1_000, 10_000, 100_000] {
            let s = single(n, 1);
            assert!(
                s.len() >= n && s.len() < n + n / 2 + 2_000,
                "{n}: {}",
                s.len()
            );
            assert!(s.starts_with("---\nkind: delivery\n"));
            let f = single_flat(n, 1);
            assert!(
                f.len() >= n && f.len() < n + n / 2 + 2_000,
                "{n}: {}",
                f.len()
            );
            assert!(!f.contains("item.sku =="));
        }
    }
}
