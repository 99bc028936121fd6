//! `Workspace::analyze_incremental` must give exactly what a from-scratch analysis gives,
//! whatever happened before: random edits of templates and partials, include cycles
//! appearing and going away, configuration changes and removed files. A batch analysis
//! (`Keep::Diagnostics`, which drops and re-parses trees) must give the same answers too.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use tplc_project::{Analysis, AnalysisCache, Keep, Workspace};

const ROOT: &str = "/project";

const HEADER_EN: &str = "---\nkind: review_request\nlocale: en\nid: review\nsubject: Your order {{ order.id }}\nsend: 7d after delivery\n---\n";
const HEADER_DE: &str = "---\nkind: review_request\nlocale: de\nid: review\nsubject: Ihre Bestellung {{ order.id }}\nsend: 7d after delivery\n---\n";
const HEADER_SHIP: &str = "---\nkind: shipping_update\nlocale: en\nid: ship\nsubject: Order {{ order.id }}\nsend: on shipment\n---\n";

const BODIES: &[&str] = &[
    "Hello {{ buyer.name | default(\"there\") }},\nthank you for order {{ order.id }}.\n{% include \"sig\" %}\n",
    "Please leave a positive review if you are happy!\n{% include \"foot\" %}\n",
    "{% if order.delivery_date %}It arrived.{% endif %}\n{% include \"sub/sig\" %}\n{% include \"sig\" %}\n",
    "{% for item in order.items %}- [{{ item.title }}]({{ item.review_url }}){% endfor %}\n",
    "Broken {{ order. }} and {% if %}\n{% include \"loop\" %}\n",
    "{# tplc: allow sentiment-word #}\nWe hope you love it, it is awesome.\n{% include \"missing\" %}\n",
    "Call us at +1 555 0100 or visit https://example.com\n{% include \"foot\" %}\n",
    "Hello {{ store.name }}\n{% include \"sig\" %}\n",
];

const PARTIALS: &[&str] = &[
    "Kind regards,\n{{ seller.name }}\n",
    "Kind regards\n{% include \"foot\" %}\n",
    "Footer {% include \"sig\" %}\n",
    "Leave a 5-star review, you will be delighted!\n",
    "{{ nothing.here }}\n",
    "{% include \"loop\" %}\n",
    "{% include \"sig\" %} and {% include \"foot\" %}\n",
    "",
    "bad \u{0} char {% if x %}\n",
];

const CONFIGS: &[Option<&str>] = &[
    None,
    Some("[budget]\nmax-messages = 1\n"),
    Some("[rules]\nsentiment-word = \"off\"\ninclude-error = \"warning\"\n"),
    Some("[lexicon.en]\nsentiment = [\"awesome\"]\n"),
    Some("[schema.roots]\nstore = { type = \"text\", description = \"The store.\", example = \"Acme\" }\n"),
    Some("[budget\nmax-messages = \"x\"\n"),
];

const TEMPLATES: &[&str] = &["a.tplc", "b.de.tplc", "sub/c.tplc", "sub/d.tplc", "e.tplc"];
const PARTIAL_FILES: &[&str] = &["_sig.tplc", "_foot.tplc", "sub/_sig.tplc", "_loop.tplc"];

/// A small deterministic generator (xorshift64*), so a failure reproduces from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

fn path(rel: &str) -> PathBuf {
    Path::new(ROOT).join(rel)
}

fn template_text(rng: &mut Rng) -> String {
    let header = *rng.pick(&[HEADER_EN, HEADER_DE, HEADER_SHIP, ""]);
    format!("{header}{}", rng.pick(BODIES))
}

/// The same workspace built from nothing: new text buffers, a new configuration.
fn fresh_copy(ws: &Workspace, config: Option<&str>) -> Workspace {
    let mut copy = Workspace::in_memory(ws.root().to_path_buf());
    copy.set_config_text(config.map(str::to_string));
    for p in ws.files() {
        let text = ws.text(p).unwrap();
        copy.set_file(p.to_path_buf(), Arc::from(text.to_string()));
    }
    copy
}

/// `batch`: `inc` is a [`Keep::Diagnostics`] analysis, which must differ from an editor's
/// only in the facts it drops.
fn assert_same(step: usize, what: &str, inc: &Analysis, scratch: &Analysis, batch: bool) {
    assert_eq!(
        inc.files.keys().collect::<Vec<_>>(),
        scratch.files.keys().collect::<Vec<_>>(),
        "step {step} ({what}): files differ"
    );
    assert_eq!(
        inc.config_diagnostics, scratch.config_diagnostics,
        "step {step} ({what}): config diagnostics differ"
    );
    for (p, a) in &inc.files {
        let b = &scratch.files[p];
        assert_eq!(&*a.source, &*b.source, "step {step} ({what}): {p:?} source");
        assert_eq!(
            a.template(),
            b.template(),
            "step {step} ({what}): {p:?} template"
        );
        if batch {
            // A batch analysis keeps only the facts building needs.
            assert_eq!(a.facts.usage, b.facts.usage, "step {step} ({what}): {p:?}");
            assert_eq!(
                a.facts.params, b.facts.params,
                "step {step} ({what}): {p:?}"
            );
            assert!(a.facts.placeholders.is_empty() && a.facts.filters.is_empty());
        } else {
            assert_eq!(a.facts, b.facts, "step {step} ({what}): {p:?} facts");
        }
        assert_eq!(a.is_partial, b.is_partial, "step {step} ({what}): {p:?}");
        assert_eq!(
            a.diagnostics, b.diagnostics,
            "step {step} ({what}): {p:?} diagnostics"
        );
    }
}

fn random_edits(seed: u64, steps: usize) {
    let mut rng = Rng(seed);
    let mut ws = Workspace::in_memory(PathBuf::from(ROOT));
    let mut config: Option<&str> = None;
    let mut cache = AnalysisCache::default();
    for step in 0..steps {
        let what: String = match rng.below(20) {
            0..=6 => {
                let p = *rng.pick(TEMPLATES);
                let text = template_text(&mut rng);
                ws.set_file(path(p), Arc::from(text));
                format!("set {p}")
            }
            7..=10 => {
                let p = *rng.pick(PARTIAL_FILES);
                ws.set_file(path(p), Arc::from(*rng.pick(PARTIALS)));
                format!("set {p}")
            }
            11..=13 => {
                // Typing: one character inserted somewhere in an existing file.
                let files: Vec<PathBuf> = ws.files().map(Path::to_path_buf).collect();
                if files.is_empty() {
                    continue;
                }
                let p = rng.pick(&files).clone();
                let mut text = ws.text(&p).unwrap().to_string();
                let mut at = rng.below(text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                text.insert(at, *rng.pick(&['x', '}', '{', '%', '\n', ' ', 'é']));
                ws.set_file(p.clone(), Arc::from(text));
                format!("type into {p:?}")
            }
            14 => {
                // Saved without change: same text in a new buffer.
                let files: Vec<PathBuf> = ws.files().map(Path::to_path_buf).collect();
                if files.is_empty() {
                    continue;
                }
                let p = rng.pick(&files).clone();
                let text = ws.text(&p).unwrap().to_string();
                ws.set_file(p.clone(), Arc::from(text));
                format!("resave {p:?}")
            }
            15..=17 => {
                let files: Vec<PathBuf> = ws.files().map(Path::to_path_buf).collect();
                if files.is_empty() {
                    continue;
                }
                let p = rng.pick(&files).clone();
                ws.remove_file(&p);
                format!("remove {p:?}")
            }
            _ => {
                config = *rng.pick(CONFIGS);
                ws.set_config_text(config.map(str::to_string));
                format!("config {config:?}")
            }
        };
        let inc = ws.analyze_incremental(&mut cache);
        let scratch = fresh_copy(&ws, config).analyze();
        assert_same(step, &what, &inc, &scratch, false);
        let mut batch = fresh_copy(&ws, config);
        batch.set_keep(Keep::Diagnostics);
        assert_same(step, &what, &batch.analyze(), &scratch, true);
        assert_eq!(
            cache.len(),
            ws.files().count(),
            "step {step}: the cache holds entries for files that are gone"
        );
    }
}

#[test]
fn random_edits_match_a_fresh_analysis() {
    for seed in 1..=8u64 {
        random_edits(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15), 100);
    }
}

#[test]
fn an_edit_rechecks_only_the_file_and_its_includers() {
    let mut ws = Workspace::in_memory(PathBuf::from(ROOT));
    for i in 0..20 {
        let include = if i % 4 == 0 {
            "{% include \"sig\" %}\n"
        } else {
            ""
        };
        ws.set_file(
            path(&format!("t{i:02}.tplc")),
            Arc::from(format!(
                "{HEADER_EN}Hello {{{{ buyer.name }}}} {i}\n{include}"
            )),
        );
    }
    ws.set_file(path("_sig.tplc"), Arc::from(PARTIALS[0]));
    let mut cache = AnalysisCache::default();
    ws.analyze_incremental(&mut cache);
    assert_eq!(cache.last_run().parsed, 21);
    assert_eq!(cache.last_run().checked, 20);

    // Nothing changed: nothing is done again.
    ws.analyze_incremental(&mut cache);
    assert_eq!(cache.last_run().parsed, 0);
    assert_eq!(cache.last_run().checked, 0);
    assert_eq!(cache.last_run().finished, 0);

    // One template: that template only.
    let t = path("t07.tplc");
    let text = format!("{}x", ws.text(&t).unwrap());
    ws.set_file(t, Arc::from(text));
    ws.analyze_incremental(&mut cache);
    assert_eq!(cache.last_run().parsed, 1);
    assert_eq!(cache.last_run().checked, 1);
    assert_eq!(cache.last_run().finished, 1);

    // The partial: it and the five templates that include it.
    ws.set_file(path("_sig.tplc"), Arc::from(PARTIALS[3]));
    let a = ws.analyze_incremental(&mut cache);
    assert_eq!(cache.last_run().parsed, 1);
    assert_eq!(cache.last_run().checked, 5);
    assert!(a.files[&path("t00.tplc")]
        .diagnostics
        .iter()
        .any(|d| d.code == "review-incentive" || d.code == "sentiment-word"));

    // The configuration: everything.
    ws.set_config_text(Some("[budget]\nmax-messages = 1\n".into()));
    ws.analyze_incremental(&mut cache);
    assert_eq!(cache.last_run().parsed, 21);
    assert_eq!(cache.last_run().checked, 20);
}
