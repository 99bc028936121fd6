//! Watching the workspace folder, so templates changed outside the editor (another
//! tool, `git checkout`) and `tplc.toml` are re-checked even when no client reports them.

use notify::event::ModifyKind;
use notify::{EventKind, RecursiveMode, Watcher};
use std::path::{Path, PathBuf};
use tokio::sync::mpsc::UnboundedSender;

/// Start watching `root`; changed paths are sent on `tx`. The watcher stops when the
/// returned value is dropped. `None` when the platform refuses (the client's own
/// file events still work).
pub fn watch(root: &Path, tx: UnboundedSender<Vec<PathBuf>>) -> Option<notify::RecommendedWatcher> {
    let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        if let Ok(ev) = res {
            if ev.kind.is_access() {
                return;
            }
            let structural = matches!(
                ev.kind,
                EventKind::Create(_)
                    | EventKind::Remove(_)
                    | EventKind::Modify(ModifyKind::Name(_))
            );
            let paths: Vec<PathBuf> = ev
                .paths
                .into_iter()
                .filter(|p| {
                    p.extension().is_some_and(|e| e == "tplc")
                        || p.file_name().is_some_and(|n| n == "tplc.toml")
                        // A folder created, moved or removed: its templates with it.
                        || (structural && (p.is_dir() || (!p.exists() && p.extension().is_none())))
                })
                .collect();
            if !paths.is_empty() {
                let _ = tx.send(paths);
            }
        }
    })
    .ok()?;
    watcher.watch(root, RecursiveMode::Recursive).ok()?;
    Some(watcher)
}
