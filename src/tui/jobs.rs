//! Queries too slow for a keystroke (dashboard figures, the count of a filtered list) on their own thread and
//! connection; answers come back as events and the UI applies the ones still wanted.

use super::Event;
use helpdesk::store::ItemFilter;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};

pub enum Job {
    /// Dashboard figures as of this time.
    Stats(i64),
    /// How many rows list `list` has under `filter`, counting at most `cap`; `seq` tells answers to old filters apart.
    Count { list: usize, seq: u64, filter: ItemFilter, cap: i64 },
}

/// Start the jobs thread on its own connection to `db`.
pub fn spawn(db: PathBuf, tx: Sender<Event>) -> Sender<Job> {
    let (jobs, rx) = channel::<Job>();
    std::thread::spawn(move || {
        let store =
            helpdesk::Store::open(&db).and_then(|s| s.set_cache_kib(4096).map(|_| s)).map_err(|e| e.to_string());
        while let Some(batch) = next(&rx) {
            for job in batch {
                let ev = match (&store, job) {
                    (Ok(s), Job::Stats(now)) => {
                        Event::Stats(helpdesk::stats::compute(&s.read(), now, 30).map_err(|e| e.to_string()))
                    }
                    (Ok(s), Job::Count { list, seq, filter, cap }) => {
                        let n = s.read().count_upto(&filter, cap).map_err(|e| e.to_string());
                        Event::Count { list, seq, total: n.map(|n| n.max(0) as usize) }
                    }
                    (Err(e), Job::Stats(_)) => Event::Stats(Err(e.clone())),
                    (Err(e), Job::Count { list, seq, .. }) => Event::Count { list, seq, total: Err(e.clone()) },
                };
                if tx.send(ev).is_err() {
                    return;
                }
            }
        }
    });
    jobs
}

/// The next jobs to run: everything queued, keeping only the latest request for the figures and for each list.
fn next(rx: &Receiver<Job>) -> Option<Vec<Job>> {
    let mut all = vec![rx.recv().ok()?];
    all.extend(rx.try_iter());
    let mut keep: Vec<Job> = vec![];
    for job in all.into_iter().rev() {
        let dup = keep.iter().any(|k| match (k, &job) {
            (Job::Stats(_), Job::Stats(_)) => true,
            (Job::Count { list: a, .. }, Job::Count { list: b, .. }) => a == b,
            _ => false,
        });
        if !dup {
            keep.push(job);
        }
    }
    keep.reverse();
    Some(keep)
}
