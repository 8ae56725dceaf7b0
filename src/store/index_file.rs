//! SQLite's full-text index in a file of its own beside the database (`DB-search`), attached to every connection as
//! `search`: a bulk import writes it on another thread, under its own lock, while the database takes the messages.

use crate::Result;
use rusqlite::{Connection, OptionalExtension};
use std::path::{Path, PathBuf};

/// The index's tables, made when the file is new. Both full-text tables are contentless (an index in another file
/// cannot read its rows from the database's tables); a message's row is deleted with the words it had (a reparse
/// has them), so that table keeps no per-row sizes, which only ranking and `DELETE` need; `state` says which database (`db`) and which of its writes the
/// index has caught up with (`gen`, as in the database's `search_gen`), and whether an import is writing it now
/// (`busy`).
const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS search.state(
  id INTEGER PRIMARY KEY CHECK (id = 1), db INTEGER NOT NULL, gen INTEGER NOT NULL, busy INTEGER NOT NULL
);
CREATE VIRTUAL TABLE IF NOT EXISTS search.items_fts USING fts5(
  title, description, people, content='', contentless_delete=1, tokenize='porter unicode61', prefix='1 2 3'
);
CREATE VIRTUAL TABLE IF NOT EXISTS search.items_vocab USING fts5vocab(items_fts, 'col');
CREATE VIRTUAL TABLE IF NOT EXISTS search.messages_fts USING fts5(
  subject, body, content='', detail=none, columnsize=0, tokenize='porter unicode61'
);
"#;

/// Every indexed row again, from what the database holds.
const REBUILD: &str = r#"
INSERT INTO search.items_fts(items_fts) VALUES ('delete-all');
INSERT INTO search.messages_fts(messages_fts) VALUES ('delete-all');
INSERT INTO search.items_fts(items_fts, rank) VALUES ('automerge', 8);
INSERT INTO search.messages_fts(messages_fts, rank) VALUES ('automerge', 8);
INSERT INTO search.items_fts(rowid, title, description, people) SELECT id, title, description, people FROM main.item_doc;
INSERT INTO search.messages_fts(rowid, subject, body) SELECT id, subject, body FROM main.messages;
DELETE FROM main.item_words_stale;
INSERT OR REPLACE INTO search.state(id, db, gen, busy) SELECT 1, db, gen, 0 FROM main.search_gen;
"#;

/// The index file of the database file `db`.
pub fn path_of(db: &Path) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push("-search");
    PathBuf::from(p)
}

/// The database file and the files SQLite and the index keep beside it, to remove a database whole.
pub fn files_of(db: &Path) -> Vec<PathBuf> {
    ["", "-wal", "-shm", "-search", "-search-wal", "-search-shm", "-search-lock"]
        .iter()
        .map(|end| {
            let mut p = db.as_os_str().to_owned();
            p.push(end);
            PathBuf::from(p)
        })
        .collect()
}

fn lock_path(db: &Path) -> PathBuf {
    let mut p = path_of(db).into_os_string();
    p.push("-lock");
    PathBuf::from(p)
}

/// Attach the index (in memory for an in-memory database) and make its tables if it is new.
/// An index file that is damaged or no database at all is removed and made again (and then filled from the
/// database).
pub(super) fn attach(c: &Connection, db: Option<&Path>) -> Result<()> {
    match attach_file(c, db) {
        Err(e) if db.is_some() && damaged(&e) => {
            let file = db.map(path_of).unwrap_or_default();
            tracing::warn!("search index {} is damaged ({e}): making it again", file.display());
            let _ = detach(c);
            for f in files_of(&file).iter().take(3) {
                let _ = std::fs::remove_file(f);
            }
            Ok(attach_file(c, db)?)
        }
        other => Ok(other?),
    }
}

fn damaged(e: &rusqlite::Error) -> bool {
    use rusqlite::ErrorCode::{DatabaseCorrupt, NotADatabase};
    matches!(e.sqlite_error_code(), Some(DatabaseCorrupt | NotADatabase))
}

fn attach_file(c: &Connection, db: Option<&Path>) -> rusqlite::Result<()> {
    let file = db.map(|d| path_of(d).to_string_lossy().into_owned()).unwrap_or_else(|| ":memory:".into());
    c.execute("ATTACH DATABASE ?1 AS search", [&file])?;
    c.query_row("PRAGMA search.journal_mode = WAL", [], |_| Ok(()))?;
    c.execute_batch("PRAGMA search.synchronous = NORMAL; PRAGMA search.cache_size = -16000")?;
    c.execute_batch(SCHEMA)
}

/// Detach the index, for a connection that must not lock it (the writer of a bulk import).
pub(super) fn detach(c: &Connection) -> Result<()> {
    c.execute_batch("DETACH DATABASE search")?;
    Ok(())
}

/// Rebuild the index when it does not match the database: new, left behind by an import that stopped, or beside a
/// copy of the database. An index an import is writing in another process is left to it. True when rebuilt.
pub(super) fn reconcile(c: &Connection, db: Option<&Path>) -> Result<bool> {
    if !behind(c, db)? {
        return Ok(false);
    }
    if let Some(d) = db {
        tracing::info!("rebuilding the search index {}", path_of(d).display());
    }
    c.execute_batch("BEGIN IMMEDIATE")?;
    // Another connection may have rebuilt it while this one waited for the lock.
    let out = behind(c, db).and_then(|behind| if behind { refill(c).map(|()| true) } else { Ok(false) });
    match out {
        Ok(rebuilt) => {
            c.execute_batch("COMMIT")?;
            Ok(rebuilt)
        }
        Err(e) => {
            let _ = c.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

/// Does the index not match the database (and no import of another process is writing it)?
fn behind(c: &Connection, db: Option<&Path>) -> Result<bool> {
    let ours: (i64, i64) = c.query_row("SELECT db, gen FROM main.search_gen", [], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let state: Option<(i64, i64, bool)> = c
        .query_row("SELECT db, gen, busy FROM search.state", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    Ok(match state {
        Some((d, g, false)) => (d, g) != ours,
        Some((d, _, true)) => d != ours.0 || db.is_none_or(|d| ImportLock::take(d).is_some()),
        None => true,
    })
}

/// Index everything again, in the transaction open on `c`.
pub(super) fn refill(c: &Connection) -> Result<()> {
    Ok(c.execute_batch(REBUILD)?)
}

/// Held while an import writes the index on its own thread: another process that finds the index marked busy
/// knows from it whether that import is still running or stopped midway. A file of its own (`DB-search-lock`):
/// closing any descriptor of a database file would drop the locks SQLite holds on it.
pub struct ImportLock {
    _held: std::fs::File,
}

impl ImportLock {
    /// The lock, unless another process holds it.
    pub fn take(db: &Path) -> Option<ImportLock> {
        let f =
            std::fs::OpenOptions::new().read(true).write(true).create(true).truncate(false).open(lock_path(db)).ok()?;
        f.try_lock().ok()?;
        Some(ImportLock { _held: f })
    }
}

#[cfg(test)]
mod tests {
    use super::{ImportLock, path_of};
    use crate::domain::{Kind, SourceChannel};
    use crate::store::{By, NewItem, Store};
    use std::path::Path;

    fn hits(s: &Store, q: &str) -> i64 {
        let c = s.read().lite().unwrap();
        c.query_row("SELECT COUNT(*) FROM items_fts WHERE items_fts MATCH ?1", [q], |r| r.get(0)).unwrap()
    }

    /// Change the index file as a stopped import or a crash leaves it.
    fn leave(db: &Path, sql: &str) {
        rusqlite::Connection::open(path_of(db)).unwrap().execute_batch(sql).unwrap();
    }

    #[test]
    fn an_index_that_does_not_match_its_database_is_rebuilt_when_opened() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("h.db");
        {
            let mut s = Store::open(&db).unwrap();
            let n = NewItem::new(Kind::Conversation, "Card swallowed".to_string(), SourceChannel::Email);
            s.write(|w| w.create_item(&n, &By::at("t", 1))).unwrap();
            assert_eq!(hits(&s, "swallow"), 1);
        }
        let emptied = "INSERT INTO items_fts(items_fts) VALUES ('delete-all');";
        leave(&db, &format!("UPDATE state SET busy = 1; {emptied}"));
        assert_eq!(hits(&Store::open(&db).unwrap(), "swallow"), 1, "an import that stopped midway: rebuilt");

        leave(&db, &format!("UPDATE state SET busy = 1; {emptied}"));
        let running = ImportLock::take(&db).unwrap();
        assert_eq!(hits(&Store::open(&db).unwrap(), "swallow"), 0, "an import still running is left to finish");
        drop(running);

        leave(&db, &format!("UPDATE state SET busy = 0, gen = gen - 1; {emptied}"));
        assert_eq!(hits(&Store::open(&db).unwrap(), "swallow"), 1, "a crash between the two commits: rebuilt");

        let other = dir.path().join("other.db");
        Store::open(&other).unwrap();
        std::fs::copy(path_of(&other), path_of(&db)).unwrap();
        assert_eq!(hits(&Store::open(&db).unwrap(), "swallow"), 1, "another database's index: rebuilt");

        for f in super::files_of(&path_of(&db)).iter().take(3) {
            let _ = std::fs::remove_file(f);
        }
        assert_eq!(hits(&Store::open(&db).unwrap(), "swallow"), 1, "the database without its index: made again");

        drop(Store::open(&db).unwrap());
        std::fs::write(path_of(&db), b"not a database, and long enough to be read as a header of one. ".repeat(100))
            .unwrap();
        assert_eq!(hits(&Store::open(&db).unwrap(), "swallow"), 1, "a damaged index: made again");
    }
}
