//! The SQLite store: one connection, numbered migrations, typed queries. All SQL of the project lives here.

mod articles;
mod customers;
mod drafts;
pub mod fts;
pub mod health;
mod items;
mod ledger;

mod lists;
mod messages;
mod moves;
mod outbox;
mod parts;
mod query;
mod raw;
mod records;
mod schema;
mod search;
mod similar;
mod stats;
mod types;
mod views;

pub use items::{Item, ItemLink, NewItem, StageChange};

pub use articles::{Article, NewArticle};
pub use customers::ContactEdit;
pub use drafts::Draft;
pub use ledger::{LaneEntry, NewLedger, QuarantineEntry};
pub use lists::{ItemFilter, ItemRow, Page, SortOrder};
pub use messages::{Attachment, Message, NewMessage, hex};
pub use moves::{CustomerEffect, Moved};
pub use outbox::Outgoing;
pub use parts::{Member, Part};
pub use query::stages_named;
pub use raw::{FirstCopy, Packed, Rederived, pack};
pub use records::{Account, Contact, NewAccount, NewContact};
pub use search::MessageHit;
pub use search::terms;
pub use similar::Candidate;

use crate::Result;
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use std::cell::RefCell;
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Who does something, and when (unix seconds). The demo and tests set the time; everything else uses now.
#[derive(Debug, Clone)]
pub struct By {
    pub who: String,
    pub at: i64,
}

impl By {
    pub fn now(who: impl Into<String>) -> By {
        By { who: who.into(), at: crate::now() }
    }
    pub fn at(who: impl Into<String>, at: i64) -> By {
        By { who: who.into(), at }
    }
}

/// One connection to the database file.
pub struct Store {
    conn: Connection,
    /// Why writes are refused (a damaged database found after opening), if they are.
    refused: Option<String>,
}

/// Read-only queries over a connection or an open transaction.
pub struct Reader<'a> {
    c: &'a Connection,
}

/// Writes, only ever inside a transaction opened by [`Store::write`].
pub struct Writer<'a> {
    r: Reader<'a>,
    fts: RefCell<Vec<Fts>>,
    /// The automatic stage moves made in this transaction, for the faces to name and undo.
    auto_moves: RefCell<Vec<Moved>>,
    optimistic: std::cell::Cell<bool>,
}

/// A full-text row to index when the transaction commits.
pub(crate) enum Fts {
    Item(i64, String, String),
    Message(i64, String, String),
    /// The own words of an item (schema V12): new (true), or its people changed.
    Words(i64, bool),
}

impl Writer<'_> {
    pub(crate) fn queue_fts(&self, row: Fts) {
        self.fts.borrow_mut().push(row);
    }

    /// Run `f` in a savepoint: if it fails, everything it wrote (and queued for the index) is undone and the
    /// transaction goes on. One bad message must not cost a whole import batch.
    pub fn attempt<T>(&self, f: impl FnOnce(&Writer<'_>) -> Result<T>) -> Result<T> {
        if self.optimistic.get() {
            return f(self).map_err(|e| match e {
                crate::Error::Db(e) if e.sqlite_error_code() != Some(rusqlite::ErrorCode::ConstraintViolation) => {
                    crate::Error::Db(e)
                }
                _ => crate::Error::NeedsSavepoints,
            });
        }
        let queued = self.fts.borrow().len();
        self.c.prepare_cached("SAVEPOINT attempt")?.execute([])?;
        match f(self) {
            Ok(v) => {
                self.c.prepare_cached("RELEASE attempt")?.execute([])?;
                Ok(v)
            }
            Err(e) => {
                self.c.prepare_cached("ROLLBACK TO attempt")?.execute([])?;
                self.c.prepare_cached("RELEASE attempt")?.execute([])?;
                self.fts.borrow_mut().truncate(queued);
                Err(e)
            }
        }
    }

    /// Bulk writes: [`Writer::attempt`] takes no savepoint, and a failure in it fails the whole transaction with
    /// [`Error::NeedsSavepoints`], for the caller to roll back and run again without this.
    pub fn set_optimistic(&self, on: bool) {
        self.optimistic.set(on);
    }

    /// Index the queued rows. Done last, because FTS5 flushes its buffer at every statement savepoint after its first write.
    fn flush_fts(&self) -> Result<()> {
        let mut items =
            self.c.prepare_cached("INSERT INTO items_fts(rowid, title, description) VALUES (?1, ?2, ?3)")?;
        let mut msgs = self.c.prepare_cached("INSERT INTO messages_fts(rowid, subject, body) VALUES (?1, ?2, ?3)")?;
        let mut words = self.c.prepare_cached(
            "INSERT INTO item_words_stale VALUES (?1, ?2) ON CONFLICT(item_id) DO UPDATE SET fresh = MAX(fresh, ?2)",
        )?;
        for f in self.fts.borrow_mut().drain(..) {
            match f {
                Fts::Item(row, a, b) => items.execute(rusqlite::params![row, a, b])?,
                Fts::Message(row, a, b) => msgs.execute(rusqlite::params![row, a, b])?,
                Fts::Words(row, fresh) => words.execute(rusqlite::params![row, fresh])?,
            };
        }
        // The items whose own words changed in this transaction, each indexed once (schema V12).
        if self.c.prepare_cached("SELECT EXISTS (SELECT 1 FROM item_words_stale)")?.query_row([], |r| r.get(0))? {
            self.c.execute_batch(
                "DELETE FROM item_words WHERE rowid IN (SELECT item_id FROM item_words_stale WHERE fresh = 0);
                 INSERT INTO item_words(rowid, words)
                   SELECT d.id, d.words FROM item_words_stale s CROSS JOIN item_doc d ON d.id = s.item_id;
                 DELETE FROM item_words_stale;",
            )?;
        }
        Ok(())
    }
}

impl<'a> Deref for Writer<'a> {
    type Target = Reader<'a>;
    fn deref(&self) -> &Reader<'a> {
        &self.r
    }
}

impl Store {
    /// Open (creating if needed) the database at `path` and migrate it to the latest schema; a database not closed
    /// cleanly is checked first (before any migration writes to it) and refused if damaged.
    pub fn open(path: &Path) -> Result<Store> {
        let (conn, check) = Self::connect(path)?;
        if check {
            health::quick_check(&conn, path)?;
        }
        Self::setup(conn)
    }

    /// Open as [`Store::open`] does, leaving the check of a database not closed cleanly to the caller (the TUI runs
    /// it off the UI thread, so that a large database opens at once): true when [`Store::check_health`] is due.
    pub fn open_deferring_check(path: &Path) -> Result<(Store, bool)> {
        let (conn, check) = Self::connect(path)?;
        Ok((Self::setup(conn)?, check))
    }

    /// The connection to the file (its directory made if needed), and whether it was left not closed cleanly.
    fn connect(path: &Path) -> Result<(Connection, bool)> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let check = health::needs_check(path);
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        health::register(path);
        Ok((conn, check))
    }

    /// `PRAGMA quick_check` of the open database: a damaged one is an error with one clear line.
    pub fn check_health(&self) -> Result<()> {
        match self.path() {
            Some(p) => health::quick_check(&self.conn, &p),
            None => Ok(()),
        }
    }

    /// Refuse every write from now on, with this reason (a damaged database).
    pub fn refuse_writes(&mut self, why: impl Into<String>) {
        self.refused = Some(why.into());
    }

    /// Let this connection keep at most `kib` KiB of pages (a second, background connection need not hold a copy
    /// of what the first one has).
    pub fn set_cache_kib(&self, kib: i64) -> Result<()> {
        self.conn.pragma_update(None, "cache_size", -kib.max(100))?;
        Ok(())
    }

    /// The database file, if this is not an in-memory database.
    pub fn path(&self) -> Option<PathBuf> {
        self.conn.path().filter(|p| !p.is_empty()).map(PathBuf::from)
    }

    /// After how many pages of log a commit on this connection copies the log into the database (0: never).
    pub fn set_autocheckpoint(&self, pages: i64) -> Result<()> {
        self.conn.pragma_update(None, "wal_autocheckpoint", pages)?;
        Ok(())
    }

    pub fn autocheckpoint(&self) -> Result<i64> {
        Ok(self.conn.query_row("PRAGMA wal_autocheckpoint", [], |r| r.get(0))?)
    }

    /// Copy what the log holds into the database as far as possible without waiting for anyone.
    pub fn checkpoint(&self) -> Result<()> {
        self.conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
        Ok(())
    }

    pub fn open_in_memory() -> Result<Store> {
        Self::setup(Connection::open_in_memory()?)
    }

    fn setup(mut conn: Connection) -> Result<Store> {
        conn.busy_timeout(Duration::from_secs(10))?;
        conn.set_prepared_statement_cache_capacity(256);
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "cache_size", -32000)?;
        // Statement journals and per-message savepoints stay in memory instead of writing a temp file.
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        schema::migrations().to_latest(&mut conn)?;
        Ok(Store { conn, refused: None })
    }

    pub fn read(&self) -> Reader<'_> {
        Reader { c: &self.conn }
    }

    /// Run `f` in one IMMEDIATE transaction: all of it commits or none of it does.
    /// IMMEDIATE takes the write lock up front, so two connections wait on each other instead of failing.
    pub fn write<T>(&mut self, f: impl FnOnce(&Writer<'_>) -> Result<T>) -> Result<T> {
        if let Some(why) = &self.refused {
            return Err(crate::Error::invalid(why.clone()));
        }
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let w = Writer {
            r: Reader { c: &tx },
            fts: Default::default(),
            auto_moves: Default::default(),
            optimistic: Default::default(),
        };
        let out = f(&w)?;
        w.flush_fts()?;
        drop(w);
        tx.commit()?;
        Ok(out)
    }

    /// Run `f` as [`Store::write`] does, then roll everything back: for dry runs.
    pub fn dry_run<T>(&mut self, f: impl FnOnce(&Writer<'_>) -> Result<T>) -> Result<T> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let w = Writer {
            r: Reader { c: &tx },
            fts: Default::default(),
            auto_moves: Default::default(),
            optimistic: Default::default(),
        };
        let out = f(&w)?;
        drop(w);
        tx.rollback()?;
        Ok(out)
    }

    /// Query plan of a list query, for the tests that assert index use.
    pub fn explain_list(&self, filter: &ItemFilter) -> Result<Vec<String>> {
        lists::explain(&self.conn, filter)
    }
}

impl Drop for Store {
    /// Close the connection, and stamp the file as closed cleanly when this was the last one.
    fn drop(&mut self) {
        let Some(path) = self.path() else { return };
        if let Ok(mem) = Connection::open_in_memory() {
            let conn = std::mem::replace(&mut self.conn, mem);
            if conn.close().is_ok() {
                health::stamp(&path);
            }
        }
    }
}

/// The lines of SQLite's query plan for `sql` run with `args` (for the tests that assert index use).
fn query_plan(c: &Connection, sql: &str, args: impl rusqlite::Params) -> Result<Vec<String>> {
    let mut st = c.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
    let rows = st.query_map(args, |r| r.get::<_, String>(3))?;
    Ok(rows.collect::<Result<_, _>>()?)
}
