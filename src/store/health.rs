//! Corruption detection: `PRAGMA quick_check` when a database was not closed cleanly (or changed since), and a full
//! `integrity_check` on request. A clean close leaves a stamp (size and modification time) next to the file.

use crate::{Error, Result};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};

fn stamp_path(db: &Path) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push("-clean");
    PathBuf::from(p)
}

fn wal_path(db: &Path) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push("-wal");
    PathBuf::from(p)
}

/// What identifies the file as last closed: its size and modification time.
fn fingerprint(db: &Path) -> Option<String> {
    let m = std::fs::metadata(db).ok()?;
    let t = m.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?;
    Some(format!("{} {}.{:09}", m.len(), t.as_secs(), t.subsec_nanos()))
}

/// Does an existing database need checking before use: a log left behind (a crash or kill), or the file changed
/// since the last clean close (or was never stamped)?
pub fn needs_check(db: &Path) -> bool {
    let Some(now) = fingerprint(db) else { return false };
    if now.starts_with("0 ") {
        return false;
    }
    wal_path(db).exists() || std::fs::read_to_string(stamp_path(db)).ok().as_deref() != Some(now.as_str())
}

/// After a clean close (no log left, so no other connection is open), remember the file as it is.
pub fn stamp(db: &Path) {
    if wal_path(db).exists() {
        return;
    }
    if let Some(f) = fingerprint(db) {
        let _ = std::fs::write(stamp_path(db), f);
    }
}

/// The one line for a damaged database: what is wrong and what to do.
fn damaged(db: &Path, problem: &str) -> Error {
    let p = db.display();
    Error::invalid(format!(
        "database {p} is damaged ({}); nothing was written. Restore it from a backup, or recover what it holds \
         with `sqlite3 {p} .recover | sqlite3 recovered.db`; `helpdesk db check` lists the damage",
        crate::sanitize::line(problem)
    ))
}

/// Run `PRAGMA quick_check` (a database that fails it is refused).
pub fn quick_check(c: &Connection, db: &Path) -> Result<()> {
    let first: String = match c.query_row("PRAGMA quick_check(1)", [], |r| r.get(0)) {
        Ok(s) => s,
        Err(e) => return Err(damaged(db, &e.to_string())),
    };
    if first == "ok" { Ok(()) } else { Err(damaged(db, &first)) }
}

/// A full `PRAGMA integrity_check` of the file, read-only: the problems found (empty: none).
pub fn integrity_check(db: &Path) -> Result<Vec<String>> {
    if !db.exists() {
        return Err(Error::invalid(format!("no database at {}", db.display())));
    }
    let c = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    let out: std::result::Result<Vec<String>, rusqlite::Error> = (|| {
        let mut st = c.prepare("PRAGMA integrity_check(100)")?;
        let rows = st.query_map([], |r| r.get::<_, String>(0))?;
        rows.collect()
    })();
    match out {
        Ok(v) if v.len() == 1 && v[0] == "ok" => Ok(vec![]),
        Ok(v) => Ok(v),
        Err(e) => Ok(vec![e.to_string()]),
    }
}
