//! Run a simulation on a worker thread with the GIL released, while the calling thread wakes
//! every 50 ms to let Python handle signals and to call a progress callback.
//!
//! Python only delivers Ctrl-C to the main thread, and only when that thread runs Python code (or
//! calls `check_signals`); a long Rust call holding the thread would make the interpreter deaf to
//! it. So the work runs elsewhere and the caller polls.

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// How often the calling thread looks for signals and reports progress.
const POLL: Duration = Duration::from_millis(50);

/// What the worker and the caller share.
pub struct Control {
    /// Set by the caller on Ctrl-C; the run stops between blocks.
    pub cancel: AtomicBool,
    done: AtomicU64,
    total: AtomicU64,
    finished: Mutex<bool>,
    wake: Condvar,
}

impl Control {
    /// Record progress (called from the worker).
    pub fn report(&self, done: u64, total: u64) {
        self.total.store(total, Ordering::Relaxed);
        self.done.store(done, Ordering::Relaxed);
    }

    /// Wait up to `timeout` for the worker to finish; true once it has.
    fn wait(&self, timeout: Duration) -> bool {
        let guard = self.finished.lock().unwrap_or_else(|p| p.into_inner());
        let (guard, _) = self
            .wake
            .wait_timeout_while(guard, timeout, |finished| !*finished)
            .unwrap_or_else(|p| p.into_inner());
        *guard
    }
}

/// Marks the run finished when dropped, also when the work panics.
struct Finish(Arc<Control>);

impl Drop for Finish {
    fn drop(&mut self) {
        *self.0.finished.lock().unwrap_or_else(|p| p.into_inner()) = true;
        self.0.wake.notify_all();
    }
}

/// Run `work` on a new thread; call `progress(done, total)` when the count moves.
///
/// On Ctrl-C (or an exception from `progress`) the cancel flag is set and the error is returned
/// at once: the library checks the flag only between waves of blocks (threads x 8 blocks of 64
/// trials), which can take many seconds for a rich scenario, so the worker is not waited for. It
/// stops at its next check and its result is dropped (a sample-size search, which has no cancel
/// flag, runs to its end in the background).
pub fn run_interruptible<T, F>(
    py: Python<'_>,
    progress: Option<&Bound<'_, PyAny>>,
    work: F,
) -> PyResult<T>
where
    T: Send + 'static,
    F: FnOnce(&Control) -> T + Send + 'static,
{
    let ctl = Arc::new(Control {
        cancel: AtomicBool::new(false),
        done: AtomicU64::new(0),
        total: AtomicU64::new(0),
        finished: Mutex::new(false),
        wake: Condvar::new(),
    });
    let worker_ctl = ctl.clone();
    let handle = std::thread::Builder::new()
        .name("trialsim-run".into())
        .spawn(move || {
            let _finish = Finish(worker_ctl.clone());
            work(&worker_ctl)
        })
        .map_err(|e| PyRuntimeError::new_err(format!("cannot start the worker thread: {e}")))?;
    let mut shown = (u64::MAX, u64::MAX);
    loop {
        let finished = py.detach(|| ctl.wait(POLL));
        if let Some(cb) = progress {
            let now = (
                ctl.done.load(Ordering::Relaxed),
                ctl.total.load(Ordering::Relaxed),
            );
            if now != shown {
                shown = now;
                if let Err(e) = cb.call1(now) {
                    ctl.cancel.store(true, Ordering::Relaxed);
                    return Err(e);
                }
            }
        }
        if finished {
            break;
        }
        if let Err(e) = py.check_signals() {
            ctl.cancel.store(true, Ordering::Relaxed);
            return Err(e);
        }
    }
    // Finished: the join is immediate.
    py.detach(move || handle.join()).map_err(|panic| {
        let msg = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        PyRuntimeError::new_err(format!("internal error in trialsim: {msg}"))
    })
}
