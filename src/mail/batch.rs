//! Ingest of many messages: a helper thread reads, hashes and parses while this one writes, in transactions of
//! 5,000; from the second transaction on, another thread copies the log into the database.

use super::ingest::{IngestOptions, Prepared, Summary, ingest_prepared, prepare};
use super::source::RawMail;
use crate::store::Writer;
use crate::{Result, Store};
use std::sync::mpsc::{Receiver, channel, sync_channel};

const BATCH: usize = 5000;

/// Checkpoints on their own connection: copying the log into the database, and its fsync, no longer stall the
/// writer at a commit. Runs until the sender is dropped, coalescing signals that arrived while it worked.
fn checkpoints(store: Store, done: Receiver<()>) {
    while done.recv().is_ok() {
        while done.try_recv().is_ok() {}
        if let Err(e) = store.checkpoint() {
            tracing::warn!("background checkpoint: {e}");
        }
    }
}

/// Ingest many raw messages; `dry_run` rolls every transaction back. Messages are stored in the iterator's order.
pub fn ingest_batch(
    store: &mut Store,
    mails: &mut (dyn Iterator<Item = std::io::Result<RawMail>> + Send),
    o: &IngestOptions,
    dry_run: bool,
    progress: &mut dyn FnMut(&Summary),
) -> Result<Summary> {
    let (tx, rx) = sync_channel::<std::io::Result<(RawMail, Prepared)>>(BATCH * 2);
    let path = store.path();
    let out = std::thread::scope(|s| {
        s.spawn(move || {
            for m in mails {
                let item = m.map(|m| {
                    let p = prepare(&m.bytes, o);
                    (m, p)
                });
                let failed = item.is_err();
                if tx.send(item).is_err() || failed {
                    break;
                }
            }
        });
        let mut sum = Summary { dry_run, ..Default::default() };
        let mut rx = rx.into_iter().peekable();
        let mut committed = None;
        while rx.peek().is_some() {
            if committed.is_none()
                && sum.messages > 0
                && let Some(p) = &path
            {
                let (done, signals) = channel();
                let background = Store::open(p)?;
                store.set_autocheckpoint(0)?;
                s.spawn(move || checkpoints(background, signals));
                committed = Some(done);
            }
            let batch: Vec<_> = rx.by_ref().take(BATCH).collect::<std::io::Result<_>>()?;
            let now = crate::now();
            let batch = &batch;
            let run = |optimistic: bool| {
                move |w: &Writer<'_>| -> Result<Summary> {
                    w.set_optimistic(optimistic);
                    let mut part = Summary::default();
                    for (m, prep) in batch {
                        let out = ingest_prepared(w, &m.bytes, prep, &m.key, o, now)?;
                        tracing::debug!(source = %m.key, outcome = out.name(), "ingested");
                        part.add(&out);
                    }
                    Ok(part)
                }
            };
            let write = |store: &mut Store, optimistic| {
                if dry_run { store.dry_run(run(optimistic)) } else { store.write(run(optimistic)) }
            };
            // Most batches have no message that fails to store: those run without a savepoint per message.
            let got = match write(store, true) {
                Err(crate::Error::NeedsSavepoints) => write(store, false)?,
                other => other?,
            };
            sum.merge(got);
            if let Some(c) = &committed {
                let _ = c.send(());
            }
            progress(&sum);
        }
        drop(committed);
        Ok(sum)
    });
    store.set_autocheckpoint(1000)?;
    out
}
