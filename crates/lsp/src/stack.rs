//! Where the heavy work runs: parsing, analysis, rendering and formatting each run on a
//! thread of their own with an explicit stack of [`STACK_BYTES`].
//!
//! The checker and renderer recurse (within the documented nesting limits), and an
//! unoptimised build needs several times more stack per frame than a release build.
//! `tplc check` does this work on the main thread (8 MiB); the server used to do it on
//! tokio's threads (2 MiB), so a template `tplc check` accepted could overflow the
//! server's stack and abort the process, taking every open editor's diagnostics with
//! it. A dedicated thread gives the server the same headroom whatever runtime it is
//! served from, and lets a request be answered (or cancelled) while the work runs.

use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

/// The stack of each work thread: the main thread's usual size on Linux and macOS.
pub const STACK_BYTES: usize = 8 * 1024 * 1024;

/// Run `f` on a new thread with a [`STACK_BYTES`] stack and await its result. A panic in
/// `f` is re-raised in the caller (where the request's panic guard answers it). Dropping
/// the returned future (a cancelled request) lets the thread finish on its own; its
/// result is discarded.
pub async fn run<T, F>(f: F) -> T
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    // Shared so the work can still be done here when no thread can be started.
    let work = std::sync::Arc::new(std::sync::Mutex::new(Some(f)));
    let theirs = work.clone();
    let (tx, rx) = tokio::sync::oneshot::channel();
    let spawned = std::thread::Builder::new()
        .name("tplc-work".into())
        .stack_size(STACK_BYTES)
        .spawn(move || {
            let f = theirs.lock().unwrap_or_else(|e| e.into_inner()).take();
            if let Some(f) = f {
                let _ = tx.send(catch_unwind(AssertUnwindSafe(f)));
            }
        });
    if spawned.is_err() {
        // Resource limits: better on this thread than not at all.
        let f = work.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(f) = f {
            return f();
        }
    }
    match rx.await {
        Ok(Ok(v)) => v,
        Ok(Err(panic)) => resume_unwind(panic),
        Err(_) => panic!("the work thread ended without an answer"),
    }
}
