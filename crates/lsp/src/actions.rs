//! Code actions: each diagnostic's fixes, and "allow this rule here". Both were stashed
//! in the diagnostic's `data` when it was published, so an action is a lookup.

use std::collections::HashMap;
use tower_lsp_server::ls_types as lsp;

use crate::convert::DiagnosticData;

fn overlaps(a: &lsp::Range, b: &lsp::Range) -> bool {
    a.start <= b.end && b.start <= a.end
}

/// Actions for the diagnostics in `diagnostics` that touch `range`.
pub fn actions(
    uri: &lsp::Uri,
    range: &lsp::Range,
    diagnostics: &[lsp::Diagnostic],
) -> Vec<lsp::CodeAction> {
    let mut out = Vec::new();
    let mut allow_seen: Vec<String> = Vec::new();
    for d in diagnostics.iter().filter(|d| overlaps(&d.range, range)) {
        let Some(data) = d
            .data
            .clone()
            .and_then(|v| serde_json::from_value::<DiagnosticData>(v).ok())
        else {
            continue;
        };
        let only_one = data.fixes.len() == 1;
        for fix in &data.fixes {
            out.push(lsp::CodeAction {
                title: fix.title.clone(),
                kind: Some(lsp::CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![d.clone()]),
                edit: Some(edit(uri, fix.edits.clone())),
                is_preferred: Some(fix.safe && only_one),
                ..Default::default()
            });
        }
        let code = match &d.code {
            Some(lsp::NumberOrString::String(c)) => c.clone(),
            _ => continue,
        };
        if let Some(allow) = data.allow {
            // One suppression per code and line is enough.
            let key = format!("{code}@{}", allow.range.start.line);
            if allow_seen.contains(&key) {
                continue;
            }
            allow_seen.push(key);
            out.push(lsp::CodeAction {
                title: format!("Allow `{code}` here (write the reason)"),
                kind: Some(lsp::CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![d.clone()]),
                edit: Some(edit(uri, vec![allow])),
                is_preferred: Some(false),
                ..Default::default()
            });
        }
    }
    out
}

fn edit(uri: &lsp::Uri, edits: Vec<lsp::TextEdit>) -> lsp::WorkspaceEdit {
    let mut changes = HashMap::new();
    changes.insert(uri.clone(), edits);
    lsp::WorkspaceEdit {
        changes: Some(changes),
        ..Default::default()
    }
}
