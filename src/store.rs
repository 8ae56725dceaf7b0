//! The store: one connection to SQLite or PostgreSQL, numbered migrations, typed queries. All SQL of the project lives
//! here.

mod articles;
mod collisions;
mod conn;
mod copy;
mod customers;
mod drafts;
pub mod fts;
pub mod health;
mod index_file;
mod indexing;
mod items;
mod ledger;

mod lists;
mod messages;
mod moves;
mod notifications;
mod outbox;
mod parts;
mod query;
mod raw;
mod records;
mod schema;
mod search;
mod similar;
mod stats;
pub mod team;
mod types;
mod vectors;
mod versions;
mod views;

pub use items::{Item, ItemLink, NewItem, StageChange};

pub use articles::{Article, NewArticle};
pub use collisions::{Held, News, NewsKind, Opened};
pub use conn::pg::{
    describe as describe_postgres_error, is_url as is_postgres_url,
    set_password_command as set_database_password_command, shown as shown_location, url_of as pg_url,
};
pub use copy::Copied;
pub use customers::ContactEdit;
pub use drafts::Draft;
pub use index_file::{files_of, path_of as search_index_path};
pub use indexing::Indexer;
pub use ledger::{LaneEntry, NewLedger, QuarantineEntry};
pub use lists::{ItemFilter, ItemRow, Page, SortOrder};
pub use messages::{Attachment, Message, NewMessage, hex};
pub use moves::{CustomerEffect, Moved};
pub use notifications::{Notification, mentions};
pub use outbox::Outgoing;
pub use parts::{Member, Part};
pub use query::stages_named;
pub use raw::{FirstCopy, Packed, RawSha, Rederived, pack};
pub use records::{Account, Contact, NewAccount, NewContact};
pub use search::MessageHit;
pub use search::terms;
pub use similar::Candidate;
pub use team::{Channel, Lease, Presence};
pub use vectors::ItemText;
pub use versions::{Change, Edited, Stale, ago};

use crate::Result;
use conn::{Conn, PgConn};
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

/// One connection to the database: a SQLite file or a PostgreSQL server.
pub struct Store {
    db: Db,
    /// Why writes are refused (a damaged database found after opening), if they are.
    refused: Option<String>,
    /// Where each transaction's full-text rows go when another thread indexes (a bulk import).
    sink: Option<std::sync::mpsc::SyncSender<indexing::Pending>>,
}

enum Db {
    Lite(Connection),
    Pg(Box<PgConn>),
}

/// Read-only queries over a connection or an open transaction.
pub struct Reader<'a> {
    c: Conn<'a>,
}

impl<'a> Reader<'a> {
    /// The SQLite connection, for what is not yet written for both backends (an error naming the caller on
    /// PostgreSQL).
    #[track_caller]
    pub(crate) fn lite(&self) -> Result<&'a Connection> {
        match self.c {
            Conn::Lite(c) => Ok(c.c),
            Conn::Pg(_) => {
                let at = std::panic::Location::caller();
                Err(crate::Error::invalid(format!("not available on PostgreSQL yet ({}:{})", at.file(), at.line())))
            }
        }
    }
}

/// Writes, only ever inside a transaction opened by [`Store::write`].
pub struct Writer<'a> {
    r: Reader<'a>,
    fts: RefCell<Vec<Fts>>,
    /// The automatic stage moves made in this transaction, for the faces to name and undo.
    auto_moves: RefCell<Vec<Moved>>,
    optimistic: std::cell::Cell<bool>,
    /// The items edited in this transaction: row → (version before, version after).
    edited: RefCell<std::collections::BTreeMap<i64, (i64, i64)>>,
    /// The next number of each kind of item, once read in this transaction (items are numbered only here, and
    /// PostgreSQL's numbering lock is held until the transaction ends).
    numbers: RefCell<std::collections::HashMap<crate::domain::Kind, i64>>,
    /// Whether the ledger may hold rows without their raw bytes, once read ([`Writer::ledger_may_lack_raw`]).
    raw_gaps: std::cell::Cell<Option<bool>>,
}

/// A full-text row to index when the transaction commits.
pub(crate) enum Fts {
    Message(i64, String, String),
    /// An item's row of `items_fts` (schema V20): new (true), or its people changed.
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
                e if e.is_constraint() => crate::Error::NeedsSavepoints,
                e @ (crate::Error::Db(_) | crate::Error::Pg(_)) => e,
                _ => crate::Error::NeedsSavepoints,
            });
        }
        let queued = self.fts.borrow().len();
        self.c.execute("SAVEPOINT attempt", &[])?;
        match f(self) {
            Ok(v) => {
                self.c.execute("RELEASE attempt", &[])?;
                Ok(v)
            }
            Err(e) => {
                self.c.execute("ROLLBACK TO attempt", &[])?;
                self.c.execute("RELEASE attempt", &[])?;
                self.fts.borrow_mut().truncate(queued);
                self.numbers.borrow_mut().clear();
                Err(e)
            }
        }
    }

    /// Bulk writes: [`Writer::attempt`] takes no savepoint, and a failure in it fails the whole transaction with
    /// [`Error::NeedsSavepoints`], for the caller to roll back and run again without this.
    pub fn set_optimistic(&self, on: bool) {
        self.optimistic.set(on);
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
    /// cleanly is checked first (before any migration writes to it) and refused if damaged. A `postgres://` URL in
    /// place of the path opens that PostgreSQL database instead (see [`Store::open_postgres`]).
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(url) = conn::pg::url_of(path) {
            return Self::open_postgres(url, None);
        }
        let (conn, check) = Self::connect(path)?;
        if check {
            health::quick_check(&conn, path)?;
        }
        Self::setup(conn)
    }

    /// Open as [`Store::open`] does, leaving the check of a database not closed cleanly to the caller (the TUI runs
    /// it off the UI thread, so that a large database opens at once): true when [`Store::check_health`] is due.
    pub fn open_deferring_check(path: &Path) -> Result<(Store, bool)> {
        if let Some(url) = conn::pg::url_of(path) {
            return Ok((Self::open_postgres(url, None)?, false));
        }
        let (conn, check) = Self::connect(path)?;
        Ok((Self::setup(conn)?, check))
    }

    /// Open the PostgreSQL database `url` names (`postgres://USER@HOST:PORT/DBNAME`) and migrate it to the latest
    /// schema. The password is `password` when given, else PGPASSWORD, the pgpass file or the config's
    /// `database_password_command`; never one in the URL.
    pub fn open_postgres(url: &str, password: Option<&str>) -> Result<Store> {
        let mut client = conn::pg::connect(url, password)?;
        schema::pg::migrate(&mut client)?;
        Ok(Store { db: Db::Pg(Box::new(PgConn::new(client, url, password))), refused: None, sink: None })
    }

    /// Does the session to the database run over TLS (a local SQLite file: no)?
    pub fn session_is_encrypted(&self) -> Result<bool> {
        match &self.db {
            Db::Lite(_) => Ok(false),
            Db::Pg(p) => Ok(Conn::Pg(p)
                .value::<bool>("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", &[])?
                .unwrap_or(false)),
        }
    }

    /// Is this a PostgreSQL database?
    pub fn is_postgres(&self) -> bool {
        matches!(self.db, Db::Pg(_))
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

    /// `PRAGMA quick_check` of the open database: a damaged one is an error with one clear line. (A PostgreSQL
    /// server checks its own pages.)
    pub fn check_health(&self) -> Result<()> {
        match (&self.db, self.path()) {
            (Db::Lite(c), Some(p)) => health::quick_check(c, &p),
            _ => Ok(()),
        }
    }

    /// Refuse every write from now on, with this reason (a damaged database).
    pub fn refuse_writes(&mut self, why: impl Into<String>) {
        self.refused = Some(why.into());
    }

    /// Let this connection keep at most `kib` KiB of pages (a second, background connection need not hold a copy
    /// of what the first one has). The server's cache is its own on PostgreSQL.
    pub fn set_cache_kib(&self, kib: i64) -> Result<()> {
        if let Db::Lite(c) = &self.db {
            c.pragma_update(None, "cache_size", -kib.max(100))?;
            // The search index's own file: half of that (its pages are read a few at a time, by a query's terms).
            c.execute_batch(&format!("PRAGMA search.cache_size = {}", -(kib / 2).max(100)))?;
        }
        Ok(())
    }

    /// The database file, if this is neither an in-memory database nor a server.
    pub fn path(&self) -> Option<PathBuf> {
        match &self.db {
            Db::Lite(c) => c.path().filter(|p| !p.is_empty()).map(PathBuf::from),
            Db::Pg(_) => None,
        }
    }

    /// After how many pages of log a commit on this connection copies the log into the database (0: never). Only
    /// SQLite has this log.
    pub fn set_autocheckpoint(&self, pages: i64) -> Result<()> {
        if let Db::Lite(c) = &self.db {
            c.pragma_update(None, "wal_autocheckpoint", pages)?;
        }
        Ok(())
    }

    /// Foreign key checks on or off (bulk ingest writes parents before children, in one transaction).
    pub fn set_foreign_keys(&self, on: bool) -> Result<()> {
        if let Db::Lite(c) = &self.db {
            c.pragma_update(None, "foreign_keys", on)?;
        }
        Ok(())
    }

    pub fn autocheckpoint(&self) -> Result<i64> {
        match &self.db {
            Db::Lite(c) => Ok(c.query_row("PRAGMA wal_autocheckpoint", [], |r| r.get(0))?),
            Db::Pg(_) => Ok(0),
        }
    }

    /// Copy what the log holds into the database as far as possible without waiting for anyone.
    pub fn checkpoint(&self) -> Result<()> {
        if let Db::Lite(c) = &self.db {
            c.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
        }
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
        let path = conn.path().filter(|p| !p.is_empty()).map(PathBuf::from);
        index_file::attach(&conn, path.as_deref())?;
        index_file::reconcile(&conn, path.as_deref())?;
        Ok(Store { db: Db::Lite(conn), refused: None, sink: None })
    }

    pub fn read(&self) -> Reader<'_> {
        Reader { c: self.conn() }
    }

    fn conn(&self) -> Conn<'_> {
        match &self.db {
            Db::Lite(c) => Conn::Lite(conn::Lite { c, kept: None }),
            Db::Pg(p) => Conn::Pg(p),
        }
    }

    /// Run `f` in one transaction: all of it commits or none of it does. On SQLite the transaction is IMMEDIATE:
    /// it takes the write lock up front, so two connections wait on each other instead of failing.
    pub fn write<T>(&mut self, f: impl FnOnce(&Writer<'_>) -> Result<T>) -> Result<T> {
        if let Some(why) = &self.refused {
            return Err(crate::Error::invalid(why.clone()));
        }
        self.transaction(true, f)
    }

    /// Run `f` as [`Store::write`] does, then roll everything back: for dry runs.
    pub fn dry_run<T>(&mut self, f: impl FnOnce(&Writer<'_>) -> Result<T>) -> Result<T> {
        self.transaction(false, f)
    }

    fn transaction<T>(&mut self, commit: bool, f: impl FnOnce(&Writer<'_>) -> Result<T>) -> Result<T> {
        let writer = |c| Writer {
            r: Reader { c },
            fts: Default::default(),
            auto_moves: Default::default(),
            optimistic: Default::default(),
            edited: Default::default(),
            numbers: Default::default(),
            raw_gaps: Default::default(),
        };
        match &mut self.db {
            Db::Lite(conn) => {
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let kept = conn::Kept::new(&tx);
                let w = writer(Conn::Lite(conn::Lite { c: &tx, kept: Some(&kept) }));
                let out = f(&w)?;
                if !commit {
                    drop(w);
                    drop(kept);
                    tx.rollback()?;
                    return Ok(out);
                }
                let pending = w.take_pending()?;
                drop(w);
                drop(kept);
                match &self.sink {
                    None => {
                        indexing::write_now(&tx, &pending)?;
                        tx.commit()?;
                    }
                    Some(sink) => {
                        tx.commit()?;
                        Self::send_pending(sink, pending)?;
                    }
                }
                Ok(out)
            }
            Db::Pg(pg) => {
                let c = Conn::Pg(pg);
                c.batch("BEGIN")?;
                let w = writer(c);
                let out = f(&w).and_then(|out| w.take_pending().map(|_| out));
                match out {
                    Ok(out) if commit => {
                        // Delivered to the other members' sessions when (and only if) the transaction commits.
                        c.batch(if pg.announce.get() { "NOTIFY helpdesk_change; COMMIT" } else { "COMMIT" })?;
                        Ok(out)
                    }
                    out => {
                        c.batch("ROLLBACK")?;
                        out
                    }
                }
            }
        }
    }

    /// Query plan of a list query, for the tests that assert index use.
    pub fn explain_list(&self, filter: &ItemFilter) -> Result<Vec<String>> {
        lists::explain(self.read().lite()?, filter)
    }
}

impl Drop for Store {
    /// Close the connection, and stamp the file as closed cleanly when this was the last one.
    fn drop(&mut self) {
        let Some(path) = self.path() else { return };
        let Db::Lite(conn) = &mut self.db else { return };
        if let Ok(mem) = Connection::open_in_memory() {
            let conn = std::mem::replace(conn, mem);
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
