//! The mail worker: a thread that owns IMAP and SMTP, writes through its own store connection, and reports small
//! notices. It syncs, then waits in IDLE (re-issued every few minutes) or polls, and reconnects with backoff.

use super::lease::{Leases, hear_outbox, worker_name};
use super::net::{deadline, imap_login};
use super::sync::{SyncReport, fetch_all, send_outbox};
use crate::Store;
use crate::config::Config;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What the worker tells the UI; the UI re-reads the store.
#[derive(Debug, Clone)]
pub enum Notice {
    State(String),
    Synced { new: usize, at: i64 },
    Sent { count: usize },
    Bounced { item: Option<String>, detail: String },
    Failed(String),
}

/// Requests to the worker.
#[derive(Debug, Clone, Copy)]
pub enum Request {
    /// Sync now (a reply was queued, or the user asked).
    Wake,
    Stop,
}

/// Dropping the handle stops the worker.
pub struct Handle {
    tx: tokio::sync::mpsc::UnboundedSender<Request>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Handle {
    pub fn wake(&self) {
        let _ = self.tx.send(Request::Wake);
    }
}

/// How long quitting waits for the worker to stop before leaving it to end with the process.
const STOP_WAIT: Duration = Duration::from_secs(2);

impl Drop for Handle {
    /// Quit never waits for the network: the worker stops at its next await; a step still blocked after
    /// [`STOP_WAIT`] (a send, or a store write) is left to end with the process.
    fn drop(&mut self) {
        let _ = self.tx.send(Request::Stop);
        if let Some(t) = self.thread.take() {
            let until = std::time::Instant::now() + STOP_WAIT;
            while !t.is_finished() && std::time::Instant::now() < until {
                std::thread::sleep(Duration::from_millis(10));
            }
            if t.is_finished() {
                let _ = t.join();
            }
        }
    }
}

/// One pass: fetch the folders of the mailboxes no other worker holds, then send the outbox.
pub fn sync_once(store: &mut Store, cfg: &Config) -> SyncReport {
    let mut report = SyncReport::default();
    let mut leases = Leases::new(worker_name());
    report.standby = leases.refresh(store, cfg);
    match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt.block_on(fetch_all(store, cfg, &leases, &mut report)),
        Err(e) => report.errors.push(format!("runtime: {e}")),
    }
    send_outbox(store, cfg, &leases.name, &mut report);
    report
}

/// Start the worker when some mailbox has IMAP or SMTP settings.
pub fn spawn_if_configured(
    db: &Path,
    cfg: &Config,
    notify: impl Fn(Notice) -> bool + Send + 'static,
) -> Option<Handle> {
    if !cfg.mailbox.iter().any(|m| m.imap.is_some() || m.smtp.is_some()) {
        return None;
    }
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let db: PathBuf = db.to_path_buf();
    let cfg = cfg.clone();
    let thread =
        std::thread::Builder::new().name("mail-worker".into()).spawn(move || watch(&db, &cfg, rx, &notify)).ok()?;
    Some(Handle { tx, thread: Some(thread) })
}

/// Sync until stopped: after each pass, wait for new mail (IDLE on the first folder, else polling) or a request.
pub fn watch(
    db: &Path,
    cfg: &Config,
    mut rx: tokio::sync::mpsc::UnboundedReceiver<Request>,
    notify: &dyn Fn(Notice) -> bool,
) {
    let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
    let mut store = match Store::open(db) {
        Ok(s) => s,
        Err(e) => {
            notify(Notice::Failed(e.to_string()));
            return;
        }
    };
    let mut leases = Leases::new(worker_name());
    // Replies other members queue wake this worker too (PostgreSQL).
    let (heard_tx, mut heard) = tokio::sync::mpsc::unbounded_channel::<()>();
    hear_outbox(db, move || heard_tx.send(()).is_ok());
    let mut backoff = 1u64;
    loop {
        let standby = leases.refresh(&store, cfg);
        if standby.is_empty() {
            notify(Notice::State("syncing".into()));
        }
        let mut report = SyncReport { standby, ..Default::default() };
        // A stop request ends the fetch at its next network wait; a wake-up during a fetch changes nothing.
        let stopped = rt.block_on(async {
            let fetch = fetch_all(&mut store, cfg, &leases, &mut report);
            let mut fetch = std::pin::pin!(fetch);
            loop {
                tokio::select! {
                    _ = fetch.as_mut() => return false,
                    r = rx.recv() => if !matches!(r, Some(Request::Wake)) { return true },
                }
            }
        });
        if stopped {
            return;
        }
        send_outbox(&mut store, cfg, &leases.name, &mut report);
        let new = report.ingest.new_items + report.ingest.follow_ups;
        if !notify(Notice::Synced { new, at: crate::now() }) {
            return;
        }
        if report.sent > 0 {
            notify(Notice::Sent { count: report.sent });
        }
        for (item, detail) in report.bounces.drain(..) {
            notify(Notice::Bounced { item, detail });
        }
        let wait = if report.errors.is_empty() {
            backoff = 1;
            if report.standby.is_empty() {
                notify(Notice::State("online".into()));
                None
            } else {
                // Another worker fetches: try to take over now and then, in case it died.
                notify(Notice::State(format!("standby: {}", report.standby.join(", "))));
                Some(super::lease::RETRY)
            }
        } else {
            let e = report.errors.join("; ");
            tracing::warn!("sync: {e}");
            notify(Notice::Failed(e));
            backoff = (backoff * 2).min(120);
            Some(Duration::from_secs(backoff))
        };
        let stop = rt.block_on(wait_for_mail(cfg, &leases, &mut rx, &mut heard, wait));
        if stop {
            return;
        }
    }
}

/// Wait until new mail arrives, a request comes, or the timeout passes. True means stop.
async fn wait_for_mail(
    cfg: &Config,
    leases: &Leases,
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<Request>,
    heard: &mut tokio::sync::mpsc::UnboundedReceiver<()>,
    backoff: Option<Duration>,
) -> bool {
    let poll = Duration::from_secs(60);
    let idle_server = cfg
        .mailbox
        .iter()
        .filter(|m| leases.holds(m))
        .find_map(|m| m.imap.as_ref().map(|i| (i.clone(), i.folders.first().cloned().unwrap_or("INBOX".into()))));
    let fallback = async {
        tokio::time::sleep(backoff.unwrap_or(poll)).await;
    };
    let idle = async {
        let Some((server, folder)) = idle_server.filter(|_| backoff.is_none()) else {
            fallback.await;
            return;
        };
        let Ok(mut s) = imap_login(&server).await else {
            tokio::time::sleep(poll).await;
            return;
        };
        let step = deadline(&server);
        let has_idle = matches!(tokio::time::timeout(step, s.capabilities()).await, Ok(Ok(c)) if c.has_str("IDLE"));
        if !has_idle || !matches!(tokio::time::timeout(step, s.examine(&folder)).await, Ok(Ok(_))) {
            tokio::time::sleep(poll).await;
            return;
        }
        let mut h = s.idle();
        if !matches!(tokio::time::timeout(step, h.init()).await, Ok(Ok(()))) {
            return;
        }
        // Re-issued well inside the 29 minutes RFC 2177 allows.
        let (fut, _stop) = h.wait_with_timeout(Duration::from_secs(20 * 60));
        let _ = fut.await;
    };
    tokio::select! {
        _ = idle => false,
        r = rx.recv() => !matches!(r, Some(Request::Wake)),
        Some(()) = heard.recv() => false,
    }
}

/// For `helpdesk sync --watch`: run [`watch`] on this thread until the process ends, printing notices.
pub fn watch_forever(db: &Path, cfg: &Config, notify: &dyn Fn(Notice) -> bool) {
    let (_tx, rx) = tokio::sync::mpsc::unbounded_channel();
    watch(db, cfg, rx, notify);
}
