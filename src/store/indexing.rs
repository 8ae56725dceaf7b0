//! Full-text rows a transaction leaves for the index (SQLite; PostgreSQL's index follows generated columns): written
//! before it commits, or after, on an indexer thread of a bulk import (see `index_file`).

use super::conn::Conn;
use super::index_file::ImportLock;
use super::{Db, Fts, Store, Writer};
use crate::Result;
use rusqlite::{Connection, OptionalExtension};
use std::collections::BTreeMap;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

/// What one transaction leaves for the index: messages (row, subject, body), and items whose words changed
/// (true: new).
#[derive(Default)]
pub(crate) struct Pending {
    messages: Vec<(i64, String, String)>,
    items: BTreeMap<i64, bool>,
}

impl Pending {
    fn is_empty(&self) -> bool {
        self.messages.is_empty() && self.items.is_empty()
    }
}

impl Writer<'_> {
    /// The rows queued in this transaction, and the items the triggers noted (rarer changes: schema V20), each once.
    pub(super) fn take_pending(&self) -> Result<Pending> {
        let mut p = Pending::default();
        let Conn::Lite(c) = self.c else {
            self.fts.borrow_mut().clear();
            return Ok(p);
        };
        for f in self.fts.borrow_mut().drain(..) {
            match f {
                Fts::Message(row, a, b) => p.messages.push((row, a, b)),
                Fts::Words(row, fresh) => *p.items.entry(row).or_insert(false) |= fresh,
            }
        }
        if c.prepare_cached("SELECT EXISTS (SELECT 1 FROM item_words_stale)")?.query_row([], |r| r.get(0))? {
            let mut st = c.prepare_cached("SELECT item_id, fresh FROM item_words_stale")?;
            for noted in st.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, bool>(1)?)))? {
                let (row, fresh) = noted?;
                *p.items.entry(row).or_insert(false) |= fresh;
            }
            c.execute_batch("DELETE FROM item_words_stale")?;
        }
        Ok(p)
    }
}

/// Write the pending rows into the index. Each row is its own INSERT … VALUES: a statement with a savepoint of its
/// own (an INSERT … SELECT) makes FTS5 flush its buffer, every item a new segment.
fn write(c: &Connection, p: &Pending) -> Result<()> {
    let mut msgs = c.prepare_cached("INSERT INTO search.messages_fts(rowid, subject, body) VALUES (?1, ?2, ?3)")?;
    for (row, subject, body) in &p.messages {
        msgs.execute(rusqlite::params![row, subject, body])?;
    }
    let mut unindex = c.prepare_cached("DELETE FROM search.items_fts WHERE rowid = ?1")?;
    let mut doc = c.prepare_cached("SELECT title, description, people FROM main.item_doc WHERE id = ?1")?;
    let mut index =
        c.prepare_cached("INSERT INTO search.items_fts(rowid, title, description, people) VALUES (?1, ?2, ?3, ?4)")?;
    for (&row, &fresh) in &p.items {
        if !fresh {
            unindex.execute([row])?;
        }
        // An item deleted since it was noted has no row to index.
        let Some((title, description, people)) = doc
            .query_row([row], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))
            .optional()?
        else {
            continue;
        };
        index.execute(rusqlite::params![row, title, description, people])?;
    }
    Ok(())
}

/// Index what a transaction on this connection wrote, before it commits; both files count the write, so that an
/// index left behind by a crash between their commits is found and rebuilt.
pub(super) fn write_now(c: &Connection, p: &Pending) -> Result<()> {
    if p.is_empty() {
        return Ok(());
    }
    write(c, p)?;
    c.prepare_cached("UPDATE main.search_gen SET gen = gen + 1")?.execute([])?;
    c.prepare_cached("UPDATE search.state SET gen = gen + 1")?.execute([])?;
    Ok(())
}

/// The other end of a bulk import's index: a connection of its own that writes, after each of the import's
/// commits, what that transaction left.
pub struct Indexer {
    store: Store,
    rx: Receiver<Pending>,
    _lock: ImportLock,
}

impl Store {
    /// Index on another thread from now on (run the returned [`Indexer`] there): this connection stops locking the
    /// index, and sends what each transaction leaves to the indexer when it commits. None where that cannot be: an
    /// in-memory database, PostgreSQL, or another process's import holding the index.
    pub fn index_elsewhere(&mut self) -> Result<Option<Indexer>> {
        let (Db::Lite(c), Some(path)) = (&self.db, self.path()) else { return Ok(None) };
        let Some(lock) = ImportLock::take(&path) else { return Ok(None) };
        let store = Store::open(&path)?;
        if let Db::Lite(other) = &store.db {
            other.execute_batch("UPDATE search.state SET busy = 1")?;
            other.set_prepared_statement_cache_capacity(16);
        }
        super::index_file::detach(c)?;
        // Two transactions' rows in flight at most: a writer far ahead of its index waits.
        let (tx, rx) = sync_channel(2);
        self.sink = Some(tx);
        Ok(Some(Indexer { store, rx, _lock: lock }))
    }

    /// Index on this connection again: the indexer finishes what was sent and marks the index caught up.
    pub fn index_here(&mut self) -> Result<()> {
        if self.sink.take().is_none() {
            return Ok(());
        }
        if let Db::Lite(c) = &self.db {
            super::index_file::attach(c, self.path().as_deref())?;
        }
        Ok(())
    }

    pub(super) fn send_pending(sink: &SyncSender<Pending>, p: Pending) -> Result<()> {
        if p.is_empty() {
            return Ok(());
        }
        sink.send(p).map_err(|_| crate::Error::invalid("the search indexer stopped"))
    }
}

impl Indexer {
    /// Write each transaction's rows as they come, until the importing connection indexes for itself again.
    pub fn run(self) -> Result<()> {
        let Db::Lite(c) = &self.store.db else { return Ok(()) };
        for p in self.rx.iter() {
            c.execute_batch("BEGIN")?;
            match write(c, &p) {
                Ok(()) => c.execute_batch("COMMIT")?,
                Err(e) => {
                    let _ = c.execute_batch("ROLLBACK");
                    return Err(e);
                }
            }
        }
        c.execute_batch("UPDATE search.state SET busy = 0, gen = (SELECT gen FROM main.search_gen)")?;
        Ok(())
    }
}
