//! Work spread over the cores: the files of an analysis, the templates of a build.

/// Stack of each worker thread (8 MiB, like a main thread on Linux).
pub const STACK_BYTES: usize = 8 << 20;

const MIN_ITEMS_PER_THREAD: usize = 8;

/// `f` over `items` on every available core, results in input order. Workers take the
/// next item as they finish one, so a few large files do not leave a core idle.
pub fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    // Asking the system is a few syscalls (cgroup quotas): once per process is enough.
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    let cores = *CORES.get_or_init(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    });
    // Starting a thread costs about as much as checking a small file: a handful of files
    // (an editor's keystroke, a one-template project) stays on the calling thread.
    let threads = cores.min(items.len() / MIN_ITEMS_PER_THREAD);
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let work = || {
        let mut out = Vec::new();
        loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(item) = items.get(i) else { break };
            out.push((i, f(item)));
        }
        out
    };
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        // Workers get the stack of a main thread, not the 2 MiB default of spawned
        // threads: a debug build analysing a template at the nesting limits needs more.
        // A thread that cannot be started (resource limits) leaves its share to the
        // others, or to the calling thread when none could.
        let workers: Vec<_> = (0..threads)
            .filter_map(|_| {
                std::thread::Builder::new()
                    .name("tplc-analysis".into())
                    .stack_size(STACK_BYTES)
                    .spawn_scoped(scope, work)
                    .ok()
            })
            .collect();
        let mut all = if workers.is_empty() {
            work()
        } else {
            Vec::new()
        };
        for w in workers {
            match w.join() {
                Ok(out) => all.extend(out),
                // A panic in one file's analysis is re-raised as it would be on one thread.
                Err(e) => std::panic::resume_unwind(e),
            }
        }
        all
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::par_map;

    #[test]
    fn results_keep_the_input_order_on_any_number_of_threads() {
        for n in [0, 1, 7, 8, 16, 17, 1000] {
            let items: Vec<usize> = (0..n).collect();
            let out = par_map(&items, |x| x * 2);
            assert_eq!(out, items.iter().map(|x| x * 2).collect::<Vec<_>>());
        }
    }

    #[test]
    fn workers_have_a_main_thread_stack() {
        // Over 2.5 MiB of stack per item (at least 1 KiB per frame), more than the 2 MiB of
        // a default spawned thread, and well under 8 MiB.
        fn deep(n: usize) -> usize {
            let buf = [n as u8; 1024];
            if n == 0 {
                return buf[0] as usize;
            }
            deep(n - 1) + std::hint::black_box(buf)[1] as usize
        }
        let items: Vec<usize> = vec![2500; 32];
        let out = par_map(&items, |&n| deep(n));
        assert_eq!(out.len(), 32);
    }
}
