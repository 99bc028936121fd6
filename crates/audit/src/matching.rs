//! Which project template a sent message was rendered from.
//!
//! Each template's literal text is split at every placeholder and tag into runs of words;
//! word pairs ("shingles") inside those runs are compared with the pairs of the message.
//! The score is the share of the template's pairs found in the message (containment, not
//! Jaccard: the message also holds rendered values, loops and partials). Pairs rather than
//! longer shingles keep a template recognisable after it has been reworded, which is when
//! a seller preparing an appeal runs the audit.

use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tplc_syntax::{Node, Template};

/// Minimum share of a template's word pairs found in a message to call it a match.
pub const MATCH_THRESHOLD: f64 = 0.5;
const SHINGLE: usize = 2;

#[derive(Debug)]
struct Entry {
    path: Arc<Path>,
    shingles: HashSet<String>,
    /// Compliance codes the template reports today (after any fix since the messages were sent).
    current: Vec<&'static str>,
}

/// The templates of one project, ready for matching.
#[derive(Debug, Default)]
pub struct TemplateIndex {
    entries: Vec<Entry>,
}

impl TemplateIndex {
    /// Read every template under `dir` that is not a partial, as `tplc check` finds them
    /// ([`tplc_project::walk`]: regular files only, no folder links followed). Files that
    /// cannot be read are returned with the reason.
    pub fn load(dir: &Path) -> (TemplateIndex, Vec<(PathBuf, String)>) {
        let mut files = Vec::new();
        let mut problems = Vec::new();
        if let Err(e) = tplc_project::walk(dir, &mut files) {
            problems.push((dir.to_path_buf(), e.to_string()));
        }
        files.retain(|f| !tplc_project::is_partial(f));
        let mut sources = Vec::new();
        for f in files {
            match read_template(&f) {
                Ok(s) => sources.push((f, s)),
                Err(e) => problems.push((f, e.to_string())),
            }
        }
        (TemplateIndex::from_sources(sources), problems)
    }

    /// Build from `(path, source)` pairs.
    pub fn from_sources(sources: impl IntoIterator<Item = (PathBuf, String)>) -> TemplateIndex {
        let entries = sources
            .into_iter()
            .map(|(path, src)| {
                let parse = tplc_syntax::parse(&src);
                let current = crate::rules_bridge::template_codes(&parse.template, &src, &path);
                Entry {
                    path: Arc::from(path),
                    shingles: template_shingles(&parse.template, &src),
                    current,
                }
            })
            .filter(|e| !e.shingles.is_empty())
            .collect();
        TemplateIndex { entries }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The compliance codes a template reports now, when it is in the index.
    pub fn current_codes(&self, path: &Path) -> Option<&[&'static str]> {
        self.entries
            .iter()
            .find(|e| &*e.path == path)
            .map(|e| e.current.as_slice())
    }

    /// The best-matching template for a message, with its score, if above the threshold.
    pub fn best_match(&self, subject: Option<&str>, body: &str) -> Option<(Arc<Path>, f64)> {
        if self.entries.is_empty() {
            return None;
        }
        let mut words = Vec::new();
        if let Some(s) = subject {
            words.push(words_of(s));
        }
        words.push(words_of(body));
        let message: HashSet<String> = words.iter().flat_map(|w| shingles(w)).collect();
        self.entries
            .iter()
            .map(|e| {
                let hit = e.shingles.iter().filter(|s| message.contains(*s)).count();
                (e, hit as f64 / e.shingles.len() as f64)
            })
            .filter(|(_, score)| *score >= MATCH_THRESHOLD)
            .max_by(|a, b| a.1.total_cmp(&b.1).then_with(|| b.0.path.cmp(&a.0.path)))
            .map(|(e, score)| (e.path.clone(), score))
    }
}

/// A template's text, read only from a regular file (never a FIFO or device, also if one
/// was put in its place since the walk). A link here points inside the project.
fn read_template(path: &Path) -> std::io::Result<String> {
    let mut text = String::new();
    crate::input::open_regular(path, true)?.read_to_string(&mut text)?;
    Ok(text)
}

/// Word pairs of the literal text of a template (subject and body), never spanning a
/// placeholder or tag.
pub fn template_shingles(t: &Template, src: &str) -> HashSet<String> {
    let mut runs: Vec<Vec<String>> = Vec::new();
    if let Some(subject) = t.header.as_ref().and_then(|h| h.subject.as_ref()) {
        collect_runs(&subject.nodes, src, &mut runs);
    }
    collect_runs(&t.body, src, &mut runs);
    runs.iter().flat_map(|r| shingles(r)).collect()
}

fn collect_runs(nodes: &[Node], src: &str, runs: &mut Vec<Vec<String>>) {
    let mut current: Vec<String> = Vec::new();
    for node in nodes {
        match node {
            Node::Text(span) => {
                let text = src.get(span.start..span.end).unwrap_or("");
                current.extend(words_of(text));
            }
            Node::Comment(_) => {}
            other => {
                runs.push(std::mem::take(&mut current));
                match other {
                    Node::If(b) => b
                        .branches
                        .iter()
                        .for_each(|br| collect_runs(&br.body, src, runs)),
                    Node::For(f) => {
                        collect_runs(&f.body, src, runs);
                        if let Some(e) = &f.else_body {
                            collect_runs(e, src, runs);
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    runs.push(current);
}

/// Lowercased words; markup characters and link targets are dropped; each CJK character is
/// a word of its own (those scripts do not separate words with spaces).
pub fn words_of(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        // `](url)` of template markup: the target is not text the buyer reads as prose.
        if c == ']' && chars.peek() == Some(&'(') {
            for d in chars.by_ref() {
                if d == ')' {
                    break;
                }
            }
            flush(&mut word, &mut out);
            continue;
        }
        if is_cjk(c) {
            flush(&mut word, &mut out);
            out.push(c.to_string());
        } else if c.is_alphanumeric() || (c == '\'' && !word.is_empty()) {
            word.extend(c.to_lowercase());
        } else {
            flush(&mut word, &mut out);
        }
    }
    flush(&mut word, &mut out);
    out
}

fn flush(word: &mut String, out: &mut Vec<String>) {
    let w = word.trim_end_matches('\'');
    if !w.is_empty() {
        out.push(w.to_string());
    }
    word.clear();
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF)
}

fn shingles(words: &[String]) -> Vec<String> {
    words.windows(SHINGLE).map(|w| w.join(" ")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tplc_diagnostics::Span;
    use tplc_syntax::{Expr, ExprKind, OutputTag, Spanned};

    #[cfg(unix)]
    #[test]
    fn loading_skips_link_loops_and_fifos() {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().join("project");
        std::fs::create_dir(&project).unwrap();
        std::fs::write(
            project.join("a.tplc"),
            "---\nkind: delivery\nlocale: en\n---\nYour parcel for order {{ order.id }} has shipped today.\n",
        )
        .unwrap();
        std::os::unix::fs::symlink(".", project.join("here")).unwrap();
        std::os::unix::fs::symlink(".", project.join("there")).unwrap();
        let fifo = project.join("pipe.tplc");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(TemplateIndex::load(&project).0.len());
        });
        let loaded = rx
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("loading finished within 60 s (a hang otherwise)");
        assert_eq!(loaded, 1);
    }

    /// A template body of text pieces separated by `{{ x }}` placeholders, built by hand.
    fn template(pieces: &[&str]) -> (Template, String) {
        let mut src = String::new();
        let mut body = Vec::new();
        for (i, p) in pieces.iter().enumerate() {
            if i > 0 {
                let start = src.len();
                src.push_str("{{ x }}");
                let span = Span::new(start, src.len());
                let path = vec![Spanned::new(
                    "x".to_string(),
                    Span::new(start + 3, start + 4),
                )];
                body.push(Node::Output(Box::new(OutputTag {
                    span,
                    expr: Expr {
                        kind: ExprKind::Path(path),
                        span,
                    },
                })));
            }
            let start = src.len();
            src.push_str(p);
            body.push(Node::Text(Span::new(start, src.len())));
        }
        (
            Template {
                header: None,
                body,
                body_start: 0,
            },
            src,
        )
    }

    fn index(pieces: &[(&str, &[&str])]) -> TemplateIndex {
        let entries = pieces
            .iter()
            .map(|(name, p)| {
                let (t, src) = template(p);
                Entry {
                    path: Arc::from(Path::new(name)),
                    shingles: template_shingles(&t, &src),
                    current: Vec::new(),
                }
            })
            .collect();
        TemplateIndex { entries }
    }

    #[test]
    fn placeholders_are_wildcards() {
        let idx = index(&[
            ("review.tplc", &["Hello ", ", thank you for order ", ". We would be grateful for an honest **review** of the product on Amazon: [review it](", ")"]),
            ("delivery.tplc", &["Your order ", " is out for delivery today and should arrive before 8 pm."]),
        ]);
        let msg = "Hello Anna Maria, thank you for order 123-1234567-1234567. We would be grateful for an honest review of the product on Amazon: review it (https://amazon.com/r)";
        let (path, score) = idx.best_match(Some("Your order"), msg).unwrap();
        assert_eq!(&*path, Path::new("review.tplc"));
        assert!(score > 0.9, "{score}");
        assert!(idx
            .best_match(
                None,
                "Completely unrelated words about gardening and weather today"
            )
            .is_none());
    }

    #[test]
    fn words_split_cjk_and_drop_markup() {
        assert_eq!(
            words_of("**Don't** [see](http://x.y) レビュー!"),
            vec!["don't", "see", "レ", "ビ", "ュ", "ー"]
        );
        assert!(words_of("").is_empty());
    }
}
