//! The job table: every simulation the server runs (synchronous ones too) is a job with an id,
//! a status, progress counters and a cancel flag that the Study run polls between blocks.
//! At most `max_running` jobs run at once; a request beyond that is refused (429) rather than
//! queued, so a forgotten browser tab cannot pile up work.

use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Where a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Simulating.
    Running,
    /// Finished with a result.
    Done,
    /// Finished with an error.
    Failed,
    /// Stopped by a cancel request.
    Cancelled,
}

impl Status {
    /// The status as the API spells it.
    pub fn name(self) -> &'static str {
        match self {
            Status::Running => "running",
            Status::Done => "done",
            Status::Failed => "failed",
            Status::Cancelled => "cancelled",
        }
    }
}

/// An error answer: HTTP status and JSON body.
#[derive(Debug, Clone)]
pub struct Failure {
    /// HTTP status code.
    pub status: u16,
    /// JSON body (always has `"ok": false` and an `"error"` text).
    pub body: Value,
}

impl Failure {
    /// A failure with a plain message.
    pub fn new(status: u16, message: impl Into<String>) -> Self {
        Failure {
            status,
            body: json!({"ok": false, "error": message.into()}),
        }
    }
}

/// One job.
#[derive(Debug)]
pub struct Job {
    /// Its id (increasing from 1).
    pub id: u64,
    /// What it runs (`power`, `sample-size`, `report`).
    pub kind: &'static str,
    /// Set by a cancel request; the run stops at its next block boundary.
    pub cancel: AtomicBool,
    /// Units of work done (trials, or evaluated sizes for a search).
    pub done: AtomicU64,
    /// Units of work in all (0 while unknown).
    pub total: AtomicU64,
    state: Mutex<(Status, Option<Result<Value, Failure>>)>,
}

impl Job {
    /// Current status.
    pub fn status(&self) -> Status {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).0
    }

    /// The outcome once finished.
    pub fn outcome(&self) -> Option<Result<Value, Failure>> {
        self.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .1
            .clone()
    }

    fn finish(&self, outcome: Result<Value, Failure>) {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        st.0 = match &outcome {
            Ok(_) => Status::Done,
            Err(_) if self.cancel.load(Ordering::Relaxed) => Status::Cancelled,
            Err(_) => Status::Failed,
        };
        st.1 = Some(outcome);
    }

    /// The job as the API shows it (`GET /api/jobs/{id}`).
    pub fn to_json(&self) -> Value {
        let (status, outcome) = {
            let st = self.state.lock().unwrap_or_else(|e| e.into_inner());
            (st.0, st.1.clone())
        };
        let mut v = json!({
            "id": self.id,
            "kind": self.kind,
            "status": status.name(),
            "done": self.done.load(Ordering::Relaxed),
            "total": self.total.load(Ordering::Relaxed),
        });
        match outcome {
            Some(Ok(r)) => v["result"] = r,
            Some(Err(f)) => v["error"] = f.body,
            None => {}
        }
        v
    }
}

/// The table of jobs.
#[derive(Debug)]
pub struct Jobs {
    max_running: usize,
    keep: usize,
    inner: Mutex<(u64, BTreeMap<u64, Arc<Job>>)>,
}

impl Jobs {
    /// A table running at most `max_running` jobs at once and remembering the last `keep`
    /// finished ones.
    pub fn new(max_running: usize, keep: usize) -> Self {
        Jobs {
            max_running,
            keep,
            inner: Mutex::new((0, BTreeMap::new())),
        }
    }

    /// Jobs running now.
    pub fn running(&self) -> usize {
        let g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        g.1.values()
            .filter(|j| j.status() == Status::Running)
            .count()
    }

    /// Start `work` on its own thread as a new job, or refuse with 429 when the table is full.
    /// A panic inside `work` becomes a 500 failure of the job, never a dead server.
    pub fn start<F>(
        &self,
        kind: &'static str,
        work: F,
    ) -> Result<(Arc<Job>, std::thread::JoinHandle<()>), Failure>
    where
        F: FnOnce(&Job) -> Result<Value, Failure> + Send + 'static,
    {
        let job = {
            let mut g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
            let running =
                g.1.values()
                    .filter(|j| j.status() == Status::Running)
                    .count();
            if running >= self.max_running {
                return Err(Failure::new(
                    429,
                    format!(
                        "{running} simulations are running, the most this server runs at once; wait for one to finish or cancel one (DELETE /api/jobs/ID)"
                    ),
                ));
            }
            g.0 += 1;
            let job = Arc::new(Job {
                id: g.0,
                kind,
                cancel: AtomicBool::new(false),
                done: AtomicU64::new(0),
                total: AtomicU64::new(0),
                state: Mutex::new((Status::Running, None)),
            });
            g.1.insert(job.id, job.clone());
            // Forget the oldest finished jobs beyond `keep`.
            let finished: Vec<u64> =
                g.1.values()
                    .filter(|j| j.status() != Status::Running)
                    .map(|j| j.id)
                    .collect();
            if finished.len() > self.keep {
                for id in &finished[..finished.len() - self.keep] {
                    g.1.remove(id);
                }
            }
            job
        };
        let j = job.clone();
        let handle = std::thread::Builder::new()
            .name(format!("trialsim-job-{}", job.id))
            .spawn(move || {
                let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&j)))
                    .unwrap_or_else(|_| {
                        Err(Failure::new(500, "internal error: the simulation panicked"))
                    });
                j.finish(outcome);
            })
            .map_err(|e| Failure::new(503, format!("cannot start a worker thread: {e}")))?;
        Ok((job, handle))
    }

    /// A job by id.
    pub fn get(&self, id: u64) -> Option<Arc<Job>> {
        let g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        g.1.get(&id).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_table_refuses_and_frees_after_finish() {
        let jobs = Jobs::new(1, 10);
        let (gate_tx, gate_rx) = std::sync::mpsc::channel::<()>();
        let (a, ha) = jobs
            .start("power", move |_| {
                gate_rx.recv().ok();
                Ok(json!(1))
            })
            .unwrap();
        let refused = jobs.start("power", |_| Ok(json!(2))).unwrap_err();
        assert_eq!(refused.status, 429);
        gate_tx.send(()).unwrap();
        ha.join().unwrap();
        assert_eq!(a.status(), Status::Done);
        let (b, hb) = jobs.start("power", |_| panic!("boom")).unwrap();
        hb.join().unwrap();
        assert_eq!(b.status(), Status::Failed);
        assert_eq!(b.outcome().unwrap().unwrap_err().status, 500);
    }
}
