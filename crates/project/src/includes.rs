//! `{% include "name" %}`: resolving names to partial files and finding cycles.

use crate::{INCLUDE_CYCLE, MISSING_INCLUDE};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Component, Path, PathBuf};
use tplc_diagnostics::{Diagnostic, Label, Span};
use tplc_syntax::{walk, Node, Template};

/// Where `{% include "name" %}` written in `from` may live, in the order tried: next to
/// the including file, then from the project root. `name` may hold folders (`shared/footer`);
/// the file is `_<last segment>.tplc`. Returns `Err` for names that would leave the project.
pub fn candidates(root: &Path, from: &Path, name: &str) -> Result<Vec<PathBuf>, String> {
    let rel = Path::new(name);
    if name.is_empty() {
        return Err("an include needs a partial name, e.g. `{% include \"footer\" %}`".into());
    }
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return Err(format!(
            "`{name}` leaves the project folder: include partials by a name inside the project"
        ));
    }
    let file = format!(
        "_{}.tplc",
        rel.file_name().and_then(|f| f.to_str()).unwrap_or(name)
    );
    let sub = rel.parent().unwrap_or(Path::new(""));
    let mut out = Vec::new();
    if let Some(dir) = from.parent() {
        out.push(dir.join(sub).join(&file));
    }
    let at_root = root.join(sub).join(&file);
    if !out.contains(&at_root) {
        out.push(at_root);
    }
    Ok(out)
}

/// One `{% include %}` tag and what it resolved to.
#[derive(Clone, Debug)]
pub struct IncludeEdge {
    pub span: Span,
    pub name: String,
    pub target: Option<PathBuf>,
}

pub fn includes_of(template: &Template) -> Vec<(Span, Span, String)> {
    let mut out = Vec::new();
    walk(&template.body, &mut |n| {
        if let Node::Include(inc) = n {
            out.push((inc.span, inc.name.span, inc.name.node.clone()));
        }
    });
    out
}

/// Resolve every include tag of `from` (from [`includes_of`]); report the ones that find
/// no file. Kept apart from parsing: which partials exist changes without `from` changing.
pub fn resolve(
    root: &Path,
    from: &Path,
    tags: &[(Span, Span, String)],
    exists: &dyn Fn(&Path) -> bool,
    diags: &mut Vec<Diagnostic>,
) -> Vec<IncludeEdge> {
    let mut edges = Vec::new();
    for (span, name_span, name) in tags {
        let (span, name_span, name) = (*span, *name_span, name.clone());
        match candidates(root, from, &name) {
            Err(msg) => {
                diags.push(Diagnostic::error(MISSING_INCLUDE, name_span, msg));
                edges.push(IncludeEdge {
                    span,
                    name,
                    target: None,
                });
            }
            Ok(paths) => {
                let target = paths.iter().find(|p| exists(p)).cloned();
                if target.is_none() {
                    let tried: Vec<String> = paths.iter().map(|p| display(root, p)).collect();
                    diags.push(
                        Diagnostic::error(
                            MISSING_INCLUDE,
                            name_span,
                            format!("no partial `{name}`: create `{}` or fix the name", tried[0]),
                        )
                        .with_help(format!("looked for {}", tried.join(" and "))),
                    );
                }
                edges.push(IncludeEdge { span, name, target });
            }
        }
    }
    edges
}

pub fn display(root: &Path, p: &Path) -> String {
    p.strip_prefix(root).unwrap_or(p).display().to_string()
}

/// Report every include that closes a cycle, at the include tag, with the chain as labels.
/// Iterative depth-first search: a long include chain cannot exhaust the stack.
pub fn cycles(
    root: &Path,
    graph: &BTreeMap<PathBuf, Vec<IncludeEdge>>,
) -> Vec<(PathBuf, Diagnostic)> {
    // Files by number: the search looks a file up per edge, and comparing paths in an
    // ordered map was a tenth of a catalogue's serial work.
    let files: Vec<(&PathBuf, &Vec<IncludeEdge>)> = graph.iter().collect();
    let number: HashMap<&Path, usize> = files
        .iter()
        .enumerate()
        .map(|(i, (p, _))| (p.as_path(), i))
        .collect();
    let mut out = Vec::new();
    let mut done = vec![false; files.len()];
    let mut reported: BTreeSet<(usize, Span)> = BTreeSet::new();
    for start in 0..files.len() {
        if done[start] {
            continue;
        }
        // Stack of (file, next edge index).
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        while let Some(&mut (file, ref mut idx)) = stack.last_mut() {
            let edges = files[file].1;
            if *idx >= edges.len() {
                done[file] = true;
                stack.pop();
                continue;
            }
            let edge = &edges[*idx];
            *idx += 1;
            let Some(target) = &edge.target else { continue };
            let target_number = number.get(target.as_path()).copied();
            if let Some(pos) = stack.iter().position(|(f, _)| Some(*f) == target_number) {
                if reported.insert((file, edge.span)) {
                    let chain: Vec<&PathBuf> =
                        stack[pos..].iter().map(|(f, _)| files[*f].0).collect();
                    let names: Vec<String> = chain
                        .iter()
                        .map(|p| display(root, p))
                        .chain([display(root, target)])
                        .collect();
                    let mut d = Diagnostic::error(
                        INCLUDE_CYCLE,
                        edge.span,
                        format!(
                            "include cycle: {}; remove one of these includes",
                            names.join(" → ")
                        ),
                    );
                    for (i, f) in chain.iter().enumerate().skip(1) {
                        // The include tag in the previous file of the chain that led here.
                        let prev = chain[i - 1];
                        if let Some(e) = graph[prev].iter().find(|e| e.target.as_ref() == Some(*f))
                        {
                            d = d.with_label(Label::in_file(
                                (*prev).clone(),
                                e.span,
                                format!("includes `{}`", e.name),
                            ));
                        }
                    }
                    out.push((files[file].0.clone(), d));
                }
                continue;
            }
            if let Some(t) = target_number.filter(|&t| !done[t]) {
                stack.push((t, 0));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cannot_escape_the_project() {
        let root = Path::new("/p");
        assert!(candidates(root, Path::new("/p/a/x.tplc"), "../../etc/passwd").is_err());
        assert!(candidates(root, Path::new("/p/a/x.tplc"), "/etc/passwd").is_err());
        assert_eq!(
            candidates(root, Path::new("/p/a/x.tplc"), "shared/footer").unwrap(),
            vec![
                PathBuf::from("/p/a/shared/_footer.tplc"),
                PathBuf::from("/p/shared/_footer.tplc")
            ]
        );
    }

    #[test]
    fn finds_a_three_file_cycle_once() {
        let edge = |t: &str, at: usize| IncludeEdge {
            span: Span::new(at, at + 1),
            name: t.into(),
            target: Some(PathBuf::from(t)),
        };
        let mut g = BTreeMap::new();
        g.insert(PathBuf::from("a"), vec![edge("b", 1)]);
        g.insert(PathBuf::from("b"), vec![edge("c", 2)]);
        g.insert(PathBuf::from("c"), vec![edge("a", 3)]);
        let found = cycles(Path::new(""), &g);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, PathBuf::from("c"));
        assert!(
            found[0].1.message.contains("a → b → c → a"),
            "{}",
            found[0].1.message
        );
        assert_eq!(found[0].1.labels.len(), 2);
    }
}
