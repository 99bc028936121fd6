//! Block nesting counted through includes. A partial is inlined where it is included, so
//! its blocks nest inside the blocks around the `{% include %}`; the compiled template
//! must stay within what renderers accept (Python's Jinja2 compiles every block to a
//! nested Python statement), even when each file alone is within the limits.

use crate::includes::IncludeEdge;
use crate::{FileAnalysis, INCLUDE_ERROR};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use tplc_diagnostics::{Diagnostic, Span};
use tplc_syntax::parser::{MAX_LOOP_NESTING, MAX_NESTING};
use tplc_syntax::{Node, Template};

/// Deepest include chain followed; the compiler inlines no deeper.
const MAX_CHAIN: usize = 16;

/// Nesting depth: all blocks, and `for` loops among them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Depth {
    blocks: usize,
    loops: usize,
}

impl Depth {
    fn plus(self, other: Depth) -> Depth {
        Depth {
            blocks: self.blocks + other.blocks,
            loops: self.loops + other.loops,
        }
    }
    fn max(self, other: Depth) -> Depth {
        Depth {
            blocks: self.blocks.max(other.blocks),
            loops: self.loops.max(other.loops),
        }
    }
    fn within_limits(self) -> bool {
        self.blocks <= MAX_NESTING && self.loops <= MAX_LOOP_NESTING
    }
}

/// A file's own deepest point, and the depth around each of its include tags: all this
/// module reads of a file, taken in its first pass (its tree may not be kept).
#[derive(Clone, Debug, Default)]
pub(crate) struct Profile {
    deepest: Depth,
    includes: Vec<(Span, Depth)>,
}

pub(crate) fn profile(template: &Template) -> Profile {
    let mut p = Profile {
        deepest: Depth::default(),
        includes: Vec::new(),
    };
    // Explicit stack: the parser bounds nesting, but this must not rely on it.
    let mut stack: Vec<(&[Node], Depth)> = vec![(&template.body, Depth::default())];
    while let Some((nodes, at)) = stack.pop() {
        p.deepest = p.deepest.max(at);
        for n in nodes {
            match n {
                Node::If(b) => {
                    let inner = at.plus(Depth {
                        blocks: 1,
                        loops: 0,
                    });
                    for branch in &b.branches {
                        stack.push((&branch.body, inner));
                    }
                }
                Node::For(f) => {
                    let inner = at.plus(Depth {
                        blocks: 1,
                        loops: 1,
                    });
                    stack.push((&f.body, inner));
                    if let Some(e) = &f.else_body {
                        stack.push((e, inner));
                    }
                }
                Node::Include(i) => p.includes.push((i.span, at)),
                _ => {}
            }
        }
    }
    p
}

/// The deepest nesting of `path` with its partials inlined (memoised; cycles and chains
/// past [`MAX_CHAIN`] are cut, they are reported elsewhere).
fn inlined(
    path: &Path,
    graph: &BTreeMap<PathBuf, Vec<IncludeEdge>>,
    profile_of: &dyn Fn(&Path) -> Option<Profile>,
    memo: &mut BTreeMap<PathBuf, Depth>,
    chain: usize,
) -> Depth {
    if let Some(d) = memo.get(path) {
        return *d;
    }
    let Some(own) = profile_of(path) else {
        return Depth::default();
    };
    let mut deepest = own.deepest;
    let sites: Vec<(Span, Depth)> = own.includes;
    if chain < MAX_CHAIN {
        // Mark as in progress: a cycle back here counts nothing more.
        memo.insert(path.to_path_buf(), deepest);
        for (span, at) in sites {
            let target = graph
                .get(path)
                .and_then(|edges| edges.iter().find(|e| e.span == span))
                .and_then(|e| e.target.clone());
            if let Some(t) = target {
                let below = inlined(&t, graph, profile_of, memo, chain + 1);
                deepest = deepest.max(at.plus(below));
            }
        }
    }
    memo.insert(path.to_path_buf(), deepest);
    deepest
}

/// Put an `include-error` on every include tag where the partial's blocks, nested in the
/// blocks around the tag, go past the limits that hold for one file.
pub(crate) fn add(
    graph: &BTreeMap<PathBuf, Vec<IncludeEdge>>,
    profile_of: &dyn Fn(&Path) -> Option<Profile>,
    files: &mut BTreeMap<PathBuf, FileAnalysis>,
) {
    let mut memo: BTreeMap<PathBuf, Depth> = BTreeMap::new();
    for (path, file) in files.iter_mut() {
        let Some(edges) = graph.get(path) else {
            continue;
        };
        if edges.is_empty() {
            continue;
        }
        let Some(sites) = profile_of(path).map(|p| p.includes) else {
            continue;
        };
        let by_span: HashMap<Span, &IncludeEdge> = edges.iter().map(|e| (e.span, e)).collect();
        let mut added = false;
        for (span, at) in sites {
            let Some(edge) = by_span.get(&span) else {
                continue;
            };
            let Some(target) = edge.target.as_ref() else {
                continue;
            };
            let below = inlined(target, graph, profile_of, &mut memo, 1);
            let total = at.plus(below);
            // A partial past the limits on its own already has an error of its own.
            if total.within_limits() || !below.within_limits() {
                continue;
            }
            let name = edge.name.as_str();
            let message = if total.blocks > MAX_NESTING {
                format!(
                    "with the partial `{name}` inlined here, blocks nest {} deep, more than the {MAX_NESTING} a template may have: move this include out of some `{{% if %}}`/`{{% for %}}` blocks or flatten the partial",
                    total.blocks
                )
            } else {
                format!(
                    "with the partial `{name}` inlined here, `for` loops nest {} deep, more than the {MAX_LOOP_NESTING} a template may have: move this include out of some loops or flatten the partial",
                    total.loops
                )
            };
            file.diagnostics
                .push(Diagnostic::error(INCLUDE_ERROR, span, message));
            added = true;
        }
        if added {
            tplc_diagnostics::sort(&mut file.diagnostics);
        }
    }
}
