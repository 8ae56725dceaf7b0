//! Many mail workers, one help desk: per mailbox one worker holds the IMAP lease and fetches; the others stand by
//! and take over when it dies. Any worker sends, each reply claimed first (see [`crate::store::Writer::claim_outbox`]).

use crate::Store;
use crate::config::{Config, Mailbox};
use crate::store::{Channel, Lease};
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// How often a worker standing by tries to take a mailbox over.
pub const RETRY: Duration = Duration::from_secs(5);

/// This worker's name, as other members are shown it and as its outbox claims read: host, process and a number
/// for each worker of the process.
pub fn worker_name() -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_else(|_| "host".into());
    let user = std::env::var("HELPDESK_USER").or_else(|_| std::env::var("USER")).unwrap_or_default();
    let n = N.fetch_add(1, Ordering::Relaxed);
    crate::sanitize::line(&format!("{user}@{}:{}#{n}", host.trim(), std::process::id()))
}

/// The IMAP leases one worker holds, by mailbox address.
pub struct Leases {
    pub name: String,
    held: HashMap<String, Lease>,
}

fn lease_name(m: &Mailbox) -> String {
    format!("mail {}", m.address.to_lowercase())
}

impl Leases {
    pub fn new(name: String) -> Leases {
        Leases { name, held: HashMap::new() }
    }

    /// Let go of the leases whose session died and take those free now. The mailboxes another worker fetches,
    /// each with its holder when that can be seen.
    pub fn refresh(&mut self, store: &Store, cfg: &Config) -> Vec<String> {
        let mut standby = vec![];
        for m in cfg.mailbox.iter().filter(|m| m.imap.is_some()) {
            let key = lease_name(m);
            if let Some(l) = self.held.get_mut(&key) {
                if l.alive() {
                    continue;
                }
                tracing::warn!("mail lease of {} lost", m.address);
                self.held.remove(&key);
            }
            match store.try_lease(&key, &self.name) {
                Ok(Some(l)) => {
                    self.held.insert(key, l);
                }
                Ok(None) => {
                    let who = store.lease_holder(&key).ok().flatten();
                    standby.push(match who {
                        Some(w) => format!("{} (fetched by {w})", m.address),
                        None => m.address.clone(),
                    });
                }
                Err(e) => standby.push(format!("{} (lease: {e})", m.address)),
            }
        }
        standby
    }

    pub fn holds(&self, m: &Mailbox) -> bool {
        self.held.contains_key(&lease_name(m))
    }
}

/// On PostgreSQL, a thread of its own that hears replies being queued and wakes the worker (`wake` returns false
/// when the worker is gone). A lost session is opened again, and the worker woken for what it may have missed.
pub fn hear_outbox(db: &Path, wake: impl Fn() -> bool + Send + 'static) {
    if !crate::store::is_postgres_url(&db.to_string_lossy()) {
        return;
    }
    let db = db.to_path_buf();
    let _ = std::thread::Builder::new().name("outbox-listener".into()).spawn(move || {
        loop {
            let heard = Store::open(&db).and_then(|s| {
                s.listen(Channel::Outbox)?;
                loop {
                    if s.wait_announced(Duration::from_secs(30))?.contains(&Channel::Outbox) && !wake() {
                        return Ok(());
                    }
                }
            });
            match heard {
                Ok(()) => return,
                Err(e) => tracing::warn!("outbox announcements: {e}"),
            }
            std::thread::sleep(RETRY);
            if !wake() {
                return;
            }
        }
    });
}
