//! Ingest of many messages: a helper thread reads, hashes and parses while this one writes, in transactions of
//! up to 5,000 messages or 64 MiB; from the second transaction on, another thread copies the log into the database.

use super::ingest::{IngestOptions, Prepared, Summary, ingest_prepared, prepare};
use super::source::RawMail;
use crate::store::Writer;
use crate::{Result, Store};
use std::sync::mpsc::{Receiver, channel, sync_channel};

/// Messages per transaction (more than this spills the page cache in the middle of a transaction).
const BATCH: usize = 5_000;
/// Raw bytes per transaction, so that a mailbox of large messages is not held in memory by the thousand.
const BATCH_BYTES: usize = 64 << 20;
/// Messages read ahead of the writer, handed over in chunks (one wake-up per chunk, not per message).
const AHEAD: usize = 512;
const CHUNK: usize = 64;

/// How many steps nicer the indexer thread runs: on 2 cores the writer waited on the run queue for 1.6 s of an 8.7 s
/// import while the reader and the indexer shared the other core; ten steps nicer, the 100k Maildir imports in
/// 7.92 s against 8.84 s (mean of 5, interleaved), and on a busy machine the index still gets a tenth of a core.
const GIVE_WAY: i32 = 10;

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

fn write(store: &mut Store, dry_run: bool, f: impl FnOnce(&Writer<'_>) -> Result<Summary>) -> Result<Summary> {
    if dry_run { store.dry_run(f) } else { store.write(f) }
}

/// Ingest many raw messages; `dry_run` rolls every transaction back. Messages are stored in the iterator's order.
pub fn ingest_batch(
    store: &mut Store,
    mails: &mut (dyn Iterator<Item = std::io::Result<RawMail>> + Send),
    o: &IngestOptions,
    dry_run: bool,
    progress: &mut dyn FnMut(&Summary),
) -> Result<Summary> {
    store.set_foreign_keys(false)?;
    let (tx, rx) = sync_channel::<Vec<std::io::Result<(RawMail, Prepared)>>>(AHEAD / CHUNK);
    let path = store.path();
    // The full-text index is written on a thread of its own, after each commit (a dry run writes nothing to keep).
    let indexer = if dry_run { None } else { store.index_elsewhere()? };
    let out = std::thread::scope(|s| {
        // The indexer catches up at the end; the writer, and the reader that feeds it, go first.
        let indexing = indexer.map(|i| {
            s.spawn(move || {
                crate::background::give_way(GIVE_WAY);
                i.run()
            })
        });
        s.spawn(move || {
            let mut chunk = Vec::with_capacity(CHUNK);
            for m in mails {
                let item = m.map(|m| {
                    let p = prepare(&m.bytes, o);
                    (m, p)
                });
                let failed = item.is_err();
                chunk.push(item);
                if (chunk.len() == CHUNK || failed) && tx.send(std::mem::take(&mut chunk)).is_err() {
                    return;
                }
                if failed {
                    return;
                }
            }
            let _ = tx.send(chunk);
        });
        let write_all = || -> Result<Summary> {
            let mut sum = Summary { dry_run, ..Default::default() };
            let mut rx = rx.into_iter().flatten().peekable();
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
                let now = crate::now();
                let ingest = |w: &Writer<'_>, (m, prep): &(RawMail, Prepared)| -> Result<super::Outcome> {
                    let out = ingest_prepared(w, &m.bytes, prep, &m.key, o, now)?;
                    tracing::debug!(source = %m.key, outcome = out.name(), "ingested");
                    Ok(out)
                };
                // Messages are written as they arrive, and kept for a rerun: most batches have no message that fails
                // to store, and those run without a savepoint per message.
                let mut batch = Vec::new();
                let optimistic = |w: &Writer<'_>| -> Result<Summary> {
                    w.set_optimistic(true);
                    let (mut part, mut bytes) = (Summary::default(), 0);
                    while batch.len() < BATCH && bytes < BATCH_BYTES {
                        let Some(m) = rx.next() else { break };
                        let m = m?;
                        bytes += m.0.bytes.len();
                        batch.push(m);
                        part.add(&ingest(w, &batch[batch.len() - 1])?);
                    }
                    Ok(part)
                };
                let got = match write(store, dry_run, optimistic) {
                    Err(crate::Error::NeedsSavepoints) => write(store, dry_run, |w: &Writer<'_>| {
                        w.set_optimistic(false);
                        let mut part = Summary::default();
                        for m in &batch {
                            part.add(&ingest(w, m)?);
                        }
                        Ok(part)
                    })?,
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
        };
        let out = write_all();
        let here = store.index_here();
        let indexed = match indexing.map(|t| t.join()) {
            Some(Ok(r)) => r,
            Some(Err(_)) => Err(crate::Error::invalid("the search indexer panicked")),
            None => Ok(()),
        };
        // The indexer's own failure explains a writer that could not hand it rows.
        match (out, indexed) {
            (_, Err(e)) => Err(e),
            (out, Ok(())) => here.and(out),
        }
    });
    store.set_autocheckpoint(1000)?;
    store.set_foreign_keys(true)?;
    out
}

#[cfg(test)]
mod tests {
    use super::ingest_batch;
    use crate::Store;
    use crate::domain::{Kind, SourceChannel};
    use crate::mail::IngestOptions;
    use crate::mail::source::RawMail;
    use crate::store::{By, NewItem};

    fn mail(n: usize) -> std::io::Result<RawMail> {
        let bytes = format!(
            "From: Ada {n} <ada{n}@example.com>\r\nTo: support@helpdesk.example\r\nSubject: Card swallowed {n}\r\n\
             Message-ID: <m{n}@example.com>\r\nDate: Mon, 30 Nov 2026 10:00:00 +0000\r\n\r\nThe ATM kept card {n}.\r\n"
        );
        Ok(RawMail { key: format!("test:{n}"), bytes: bytes.into_bytes() })
    }

    fn count(store: &Store, sql: &str) -> i64 {
        store.read().lite().unwrap().query_row(sql, [], |r| r.get(0)).unwrap()
    }

    #[test]
    fn an_import_indexes_on_a_thread_of_its_own_and_search_finds_every_message() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("h.db")).unwrap();
        let o = IngestOptions { mailbox: Some("support@helpdesk.example".into()), ..Default::default() };
        // More than one transaction's worth: the indexer gets rows after each commit.
        let n = super::BATCH + 700;
        let sum = ingest_batch(&mut store, &mut (0..n).map(mail), &o, false, &mut |_| {}).unwrap();
        assert_eq!(sum.messages, n);
        assert_eq!(store.read().message_hits("swallowed", n + 1).unwrap().len(), n);
        let items = count(&store, "SELECT COUNT(*) FROM items");
        assert_eq!(count(&store, "SELECT COUNT(*) FROM items_fts WHERE items_fts MATCH 'swallow'"), items);
        assert_eq!(
            count(&store, "SELECT busy = 0 AND gen = (SELECT gen FROM main.search_gen) FROM search.state"),
            1,
            "caught up, and no longer marked busy"
        );
        // The importing connection indexes its own writes again.
        let item = NewItem::new(Kind::Conversation, "Printer on fire".to_string(), SourceChannel::Email);
        store.write(|w| w.create_item(&item, &By::at("t", 1))).unwrap();
        assert_eq!(count(&store, "SELECT COUNT(*) FROM items_fts WHERE items_fts MATCH 'printer'"), 1);
        let dry = ingest_batch(&mut store, &mut (n..n + 3).map(mail), &o, true, &mut |_| {}).unwrap();
        assert_eq!(dry.messages, 3);
        assert_eq!(store.read().message_hits("swallowed", n + 10).unwrap().len(), n, "a dry run indexes nothing");
    }
}
