//! Queries too slow for a keystroke (dashboard figures, list counts, similar work) on their own thread and
//! connection; answers come back as events and the UI applies the ones still wanted.

use super::Event;
use helpdesk::store::ItemFilter;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::{Duration, Instant};

pub enum Job {
    /// Dashboard figures as of this time.
    Stats(i64),
    /// How many rows list `list` has under `filter`, counting at most `cap`, and its first `first` rows (the full
    /// match of a list that shows a quick one); `seq` tells answers to old filters apart.
    Count { list: usize, seq: u64, filter: ItemFilter, cap: i64, first: usize },
    /// Similar work for the item view that asked (by number).
    Similar { seq: u64, query: helpdesk::similar::Query },
    /// The blended (lexical and meaning) list for a create form's title, after the keys settle.
    Blend { seq: u64, query: helpdesk::similar::Query },
}

/// Start the jobs thread on its own connection to `db`.
pub fn spawn(db: PathBuf, tx: Sender<Event>) -> Sender<Job> {
    let (jobs, rx) = channel::<Job>();
    std::thread::spawn(move || {
        background_priority();
        let store = helpdesk::Store::open_deferring_check(&db)
            .and_then(|(s, _)| s.set_cache_kib(4096).map(|_| s))
            .map_err(|e| e.to_string());
        // The vectors of the kinds asked for, loaded on the first similar-work job for each and topped up before each.
        let mut vectors = helpdesk::similar::Vectors::default();
        let mut blended = |s: &helpdesk::Store, q: &helpdesk::similar::Query| {
            let r = s.read();
            vectors.refresh_kinds(&r, &q.kinds)?;
            helpdesk::similar::hybrid(&r, q, &vectors, &helpdesk::similar::Finder::default(), 5)
        };
        while let Some(batch) = next(&rx) {
            for job in batch {
                let ev = match (&store, job) {
                    (Ok(s), Job::Stats(now)) => {
                        Event::Stats(helpdesk::stats::compute(&s.read(), now, 30).map_err(|e| e.to_string()))
                    }
                    (Ok(s), Job::Count { list, seq, filter, cap, first }) => {
                        let r = s.read();
                        let rows =
                            (first > 0).then(|| r.list(&filter, helpdesk::store::Page::default(), first)).transpose();
                        match rows {
                            Ok(rows) => {
                                let n = r.count_upto(&filter, cap).map_err(|e| e.to_string());
                                Event::Count { list, seq, total: n.map(|n| n.max(0) as usize), rows }
                            }
                            Err(e) => Event::Count { list, seq, total: Err(e.to_string()), rows: None },
                        }
                    }
                    (Ok(s), Job::Similar { seq, query }) => {
                        Event::Similar { seq, found: blended(s, &query).map_err(|e| e.to_string()) }
                    }
                    (Ok(s), Job::Blend { seq, query }) => Event::Blend {
                        seq,
                        found: helpdesk::similar::kind_first(&query, |q| blended(s, q)).map_err(|e| e.to_string()),
                    },
                    (Err(e), Job::Similar { seq, .. }) => Event::Similar { seq, found: Err(e.clone()) },
                    (Err(e), Job::Blend { seq, .. }) => Event::Blend { seq, found: Err(e.clone()) },
                    (Err(e), Job::Stats(_)) => Event::Stats(Err(e.clone())),
                    (Err(e), Job::Count { list, seq, .. }) => {
                        Event::Count { list, seq, total: Err(e.clone()), rows: None }
                    }
                };
                if tx.send(ev).is_err() {
                    return;
                }
            }
        }
    });
    jobs
}

/// Compute the meaning vectors that items lack on a thread and connection of their own, a small batch per
/// transaction (a bulk import or a new demo fills in the background; the first frame does not wait), then look for
/// new items every few seconds.
pub fn spawn_filler(db: PathBuf) {
    std::thread::spawn(move || {
        background_priority();
        let Ok((mut store, _)) = helpdesk::Store::open_deferring_check(&db) else { return };
        // Looking for items without a vector reads every item: a small page cache, and only after something wrote
        // to the database (it ran every 3 s at 100k tickets, and its 32 MiB cache stayed resident).
        let _ = store.set_cache_kib(1024);
        // Vectors change nothing the members see: the other TUIs need not re-read for them.
        store.set_announce(false);
        let mut seen = None;
        loop {
            let now = store.read().data_version().ok();
            if now.is_none() || now != seen {
                if let Err(e) = helpdesk::similar::fill_vectors(&mut store, 256, &|| true) {
                    tracing::warn!("meaning vectors: {e}");
                }
                seen = store.read().data_version().ok();
            }
            std::thread::sleep(Duration::from_secs(3));
        }
    });
}

/// Nine steps nicer than the UI thread: when the cores are busy, a frame of the UI thread goes before a count or a
/// similar-work search.
fn background_priority() {
    helpdesk::background::give_way(9);
}

/// How long a job waits for the requests that would replace it (the next keystroke of a filter, the next item
/// opened): what is typed over is never computed, and the work does not compete with the frames of those keys.
const SETTLE: Duration = Duration::from_millis(40);

/// The next jobs to run: everything asked for until `SETTLE` after the first, keeping only the latest request for
/// the figures, for each list and for similar work.
fn next(rx: &Receiver<Job>) -> Option<Vec<Job>> {
    let mut all = vec![rx.recv().ok()?];
    let until = Instant::now() + SETTLE;
    while let Some(left) = until.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(job) => all.push(job),
            Err(RecvTimeoutError::Timeout) => break,
            Err(RecvTimeoutError::Disconnected) => return None,
        }
    }
    let mut keep: Vec<Job> = vec![];
    for job in all.into_iter().rev() {
        let dup = keep.iter().any(|k| match (k, &job) {
            (Job::Stats(_), Job::Stats(_)) => true,
            (Job::Count { list: a, .. }, Job::Count { list: b, .. }) => a == b,
            (Job::Similar { .. }, Job::Similar { .. }) => true,
            (Job::Blend { .. }, Job::Blend { .. }) => true,
            _ => false,
        });
        if !dup {
            keep.push(job);
        }
    }
    keep.reverse();
    Some(keep)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Nice values of this process's threads, from /proc (field 19 of a task's stat).
    fn nice_values() -> Vec<i64> {
        let tasks = std::fs::read_dir("/proc/self/task").unwrap();
        tasks
            .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("stat")).ok())
            .filter_map(|s| s.rsplit(") ").next()?.split(' ').nth(16)?.parse().ok())
            .collect()
    }

    #[test]
    fn the_jobs_thread_answers_at_a_lower_priority_than_the_ui() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("j.db");
        let mut store = helpdesk::Store::open(&db).unwrap();
        helpdesk::demo::generate_at(&mut store, 30, 1_794_700_800, &mut |_, _| {}).unwrap();
        let (tx, rx) = channel();
        let jobs = spawn(db, tx);
        jobs.send(Job::Count { list: 1, seq: 7, filter: ItemFilter::default(), cap: 1000, first: 0 }).unwrap();
        let Ok(Event::Count { list: 1, seq: 7, total: Ok(n), rows: None }) = rx.recv_timeout(Duration::from_secs(10))
        else {
            panic!("no count from the jobs thread")
        };
        assert!(n >= 30, "{n}");
        let nice = nice_values();
        let ui = std::fs::read_to_string("/proc/thread-self/stat").unwrap();
        let ui: i64 = ui.rsplit(") ").next().unwrap().split(' ').nth(16).unwrap().parse().unwrap();
        assert!(nice.contains(&(ui + 9).min(19)), "a thread nine steps nicer than the UI's {ui}: {nice:?}");
        assert!(nice.contains(&ui), "this (UI) thread unchanged: {nice:?}");
    }
}
