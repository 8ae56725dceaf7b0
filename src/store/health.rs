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
/// since the last clean close (or was never stamped)? A log kept by a process that has the database open (a TUI,
/// a mail worker) is no crash: the database is in use, not left behind.
pub fn needs_check(db: &Path) -> bool {
    let Some(now) = fingerprint(db) else { return false };
    if now.starts_with("0 ") {
        return false;
    }
    if wal_path(db).exists() {
        return !in_use(db);
    }
    std::fs::read_to_string(stamp_path(db)).ok().as_deref() != Some(now.as_str())
}

/// Where the processes that have a database open note themselves: `DB-users/PID` holding the process's start time.
fn users_dir(db: &Path) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push("-users");
    PathBuf::from(p)
}

/// A process's start time (clock ticks since boot), so that a reused process number is not taken for the process
/// that noted itself. Linux only; elsewhere nothing is known and the database is checked as before.
fn start_time(pid: u32) -> Option<String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit(") ").next()?.split(' ').nth(19).map(String::from)
}

/// Note this process as having the database open.
pub fn register(db: &Path) {
    let pid = std::process::id();
    let (dir, Some(start)) = (users_dir(db), start_time(pid)) else { return };
    if std::fs::create_dir_all(&dir).is_ok() {
        let _ = std::fs::write(dir.join(pid.to_string()), start);
    }
}

/// The database was closed cleanly by its last connection: this process has it open no more.
pub fn unregister(db: &Path) {
    let _ = std::fs::remove_file(users_dir(db).join(std::process::id().to_string()));
    let _ = std::fs::remove_dir(users_dir(db));
}

/// Some live process noted itself as having the database open (notes of processes gone are removed).
fn in_use(db: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(users_dir(db)) else { return false };
    let mut live = false;
    for e in entries.flatten() {
        let pid = e.file_name().to_string_lossy().parse::<u32>().ok();
        let noted = std::fs::read_to_string(e.path()).ok();
        match pid.and_then(start_time) {
            Some(start) if noted.as_deref() == Some(start.as_str()) => live = true,
            _ => drop(std::fs::remove_file(e.path())),
        }
    }
    live
}

/// After a clean close (no log left, so no other connection is open), remember the file as it is.
pub fn stamp(db: &Path) {
    if wal_path(db).exists() {
        return;
    }
    if let Some(f) = fingerprint(db) {
        let _ = std::fs::write(stamp_path(db), f);
    }
    unregister(db);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A log kept by a live process that has the database open is no reason to check it; one left by a process
    /// that is gone is.
    #[test]
    fn a_database_in_use_is_not_taken_for_one_left_behind() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("h.db");
        let mut s = crate::Store::open(&db).unwrap();
        s.write(|w| w.c.execute("INSERT INTO members(login, name) VALUES ('zed', 'Zed')", &[])).unwrap();
        assert!(wal_path(&db).exists(), "an open database keeps its log");
        assert!(!needs_check(&db), "this process has it open");
        let me = users_dir(&db).join(std::process::id().to_string());
        std::fs::write(&me, "not my start time").unwrap();
        std::fs::write(users_dir(&db).join("4000000"), "1").unwrap();
        assert!(needs_check(&db), "notes of processes gone do not count");
        assert!(std::fs::read_dir(users_dir(&db)).unwrap().next().is_none(), "and are removed");
        drop(s);
        assert!(!wal_path(&db).exists() && !needs_check(&db), "closed cleanly");
        assert!(!users_dir(&db).exists());
    }
}
