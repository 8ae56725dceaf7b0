//! Leases: the right of one process among many to do something (fetch one mailbox), held as long as it lives and
//! passed on when it dies. PostgreSQL: a session advisory lock on a session of its own, which the server ends
//! within ~20 s of losing the holder (TCP keepalives); SQLite: an exclusive lock on a file beside the database.

use super::super::{Db, Store, conn};
use crate::Result;
use std::path::PathBuf;
use std::time::Duration;

/// A lease held: dropping it gives it up.
pub struct Lease {
    hold: Hold,
}

enum Hold {
    Pg(Box<postgres::Client>),
    /// Held while the file is open (closing it unlocks).
    File {
        _open: std::fs::File,
    },
    /// An in-memory database has one process.
    Alone,
}

impl Lease {
    /// Is the lease still held? (PostgreSQL: its session answers; a lost session has lost the lock.)
    pub fn alive(&mut self) -> bool {
        match &mut self.hold {
            Hold::Pg(c) => !c.is_closed() && c.simple_query("SELECT 1").is_ok(),
            Hold::File { .. } | Hold::Alone => true,
        }
    }
}

impl Store {
    /// Take the lease `name` for `holder` (a name others are shown), if no live process holds it.
    pub fn try_lease(&self, name: &str, holder: &str) -> Result<Option<Lease>> {
        match &self.db {
            Db::Pg(p) => {
                let (url, password) = &p.location;
                let mut cfg = conn::pg::config(url, password.as_deref())?;
                cfg.keepalives(true)
                    .keepalives_idle(Duration::from_secs(5))
                    .keepalives_interval(Duration::from_secs(5))
                    .keepalives_retries(3)
                    .application_name(&crate::sanitize::line(&format!("helpdesk lease {holder}")));
                let mut c = cfg
                    .connect(postgres::NoTls)
                    .map_err(|e| crate::Error::invalid(format!("lease {name}: {}", conn::pg::describe(&e))))?;
                // The server drops the session (and its lock) ~20 s after the holder's machine stops answering.
                c.batch_execute(
                    "SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3",
                )?;
                let got: bool = c.query_one("SELECT pg_try_advisory_lock(hashtext($1))", &[&lock_key(name)])?.get(0);
                Ok(got.then(|| Lease { hold: Hold::Pg(Box::new(c)) }))
            }
            Db::Lite(_) => {
                let Some(path) = self.lease_file(name) else { return Ok(Some(Lease { hold: Hold::Alone })) };
                let f = std::fs::OpenOptions::new().create(true).truncate(false).read(true).write(true).open(&path)?;
                match f.try_lock() {
                    Ok(()) => {
                        use std::io::Write;
                        f.set_len(0)?;
                        (&f).write_all(holder.as_bytes())?;
                        Ok(Some(Lease { hold: Hold::File { _open: f } }))
                    }
                    Err(std::fs::TryLockError::WouldBlock) => Ok(None),
                    Err(std::fs::TryLockError::Error(e)) => Err(e.into()),
                }
            }
        }
    }

    /// Who holds the lease `name`, as far as can be seen (None: no one, or not visible).
    pub fn lease_holder(&self, name: &str) -> Result<Option<String>> {
        match &self.db {
            Db::Pg(_) => {
                let sql = "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                     WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
                       AND l.objid::bigint = (hashtext(?1)::bigint & 4294967295)
                       AND l.classid::bigint = ((hashtext(?1)::bigint >> 32) & 4294967295)";
                let who: Option<String> = self.conn().value(sql, &[&lock_key(name)])?;
                Ok(who.map(|w| w.trim_start_matches("helpdesk lease ").to_string()))
            }
            Db::Lite(_) => {
                let Some(path) = self.lease_file(name) else { return Ok(None) };
                let Ok(f) = std::fs::File::open(&path) else { return Ok(None) };
                match f.try_lock_shared() {
                    Ok(()) => Ok(None),
                    Err(_) => Ok(std::fs::read_to_string(&path).ok().map(|s| crate::sanitize::line(&s))),
                }
            }
        }
    }

    fn lease_file(&self, name: &str) -> Option<PathBuf> {
        use sha2::Digest;
        let db = self.path()?;
        let h = super::super::hex(&sha2::Sha256::digest(name.as_bytes()));
        Some(PathBuf::from(format!("{}.lease-{}", db.display(), &h[..16])))
    }
}

fn lock_key(name: &str) -> String {
    format!("helpdesk lease {name}")
}
