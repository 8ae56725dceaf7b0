//! Team mode's shared state: changes announced to the other members' sessions (PostgreSQL's LISTEN/NOTIFY),
//! presence heartbeats, and the outbox claims that make each reply sent once however many mail workers run.

mod lease;

pub use lease::Lease;

use super::conn::PgConn;
use super::{Db, Reader, Store, Writer};
use crate::Result;
use crate::domain::{Doing, ItemRef, Kind};
use postgres::fallible_iterator::FallibleIterator;
use std::time::{Duration, Instant};

/// Outbox claims and presence (SQLite).
pub const MIGRATION: &str = r#"
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
ALTER TABLE outbox ADD COLUMN claimed_at INTEGER;
CREATE TABLE presence(
  session TEXT PRIMARY KEY, member TEXT NOT NULL, item_id INTEGER, doing TEXT NOT NULL, expires_at INTEGER NOT NULL
);
"#;

/// Outbox claims and presence (PostgreSQL): heartbeats need no crash safety, so their table writes no log.
pub const PG_MIGRATION: &str = r#"
ALTER TABLE outbox ADD COLUMN claimed_by TEXT, ADD COLUMN claimed_at BIGINT;
CREATE UNLOGGED TABLE presence(
  session TEXT PRIMARY KEY, member TEXT NOT NULL, item_id BIGINT, doing TEXT NOT NULL, expires_at BIGINT NOT NULL
);
"#;

/// A claim older than this (seconds) is a worker that died while sending: the reply is tried again.
pub const CLAIM_STALE: i64 = 600;

/// What the sessions of a PostgreSQL database announce to each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    /// A write committed (every [`Store::write`]).
    Change,
    /// A reply was queued: the mail workers send it now, not at their next pass.
    Outbox,
    /// A member opened, left or began to answer an item.
    Presence,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Change => "helpdesk_change",
            Channel::Outbox => "helpdesk_outbox",
            Channel::Presence => "helpdesk_presence",
        }
    }
    fn parse(s: &str) -> Option<Channel> {
        [Channel::Change, Channel::Outbox, Channel::Presence].into_iter().find(|c| c.as_str() == s)
    }
}

/// A member on an item, as the others see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presence {
    pub member: String,
    pub item: ItemRef,
    pub doing: Doing,
}

impl PgConn {
    /// Listen on `channel` (this session's own announcements are left out): its backend's process id.
    fn listen(&self, channel: Channel) -> Result<i32> {
        let mut c = self.client();
        c.batch_execute(&format!("LISTEN {}", channel.as_str()))?;
        let pid = match self.listening.get() {
            Some(p) => p,
            None => c.query_one("SELECT pg_backend_pid()", &[])?.get(0),
        };
        self.listening.set(Some(pid));
        Ok(pid)
    }

    /// The channels other sessions announced on since the last call, waiting up to `wait` for the first.
    fn heard(&self, wait: Duration) -> Result<Vec<Channel>> {
        let pid = match self.listening.get() {
            Some(p) => p,
            None => self.listen(Channel::Change)?,
        };
        let mut c = self.client();
        let mut notes = c.notifications();
        // Even when not waiting, the driver's I/O must turn once to see what arrived: a millisecond at most.
        let mut got: Vec<_> = notes.timeout_iter(wait.max(Duration::from_millis(1))).next()?.into_iter().collect();
        let mut rest = notes.iter();
        while let Some(n) = rest.next()? {
            got.push(n);
        }
        let mut out: Vec<Channel> =
            got.iter().filter(|n| n.process_id() != pid).filter_map(|n| Channel::parse(n.channel())).collect();
        out.dedup();
        if out.contains(&Channel::Change) {
            self.changes.set(self.changes.get() + 1);
        }
        Ok(out)
    }

    /// A number that moves when other sessions commit writes: the batches of their announcements heard (from 1,
    /// when this session begins to listen).
    pub(super) fn data_version(&self) -> Result<i64> {
        if self.listening.get().is_none() {
            self.listen(Channel::Change)?;
            self.changes.set(1);
        }
        self.heard(Duration::ZERO)?;
        Ok(self.changes.get())
    }
}

impl Store {
    /// Whether this session's writes are announced to the others (on by default). A writer of what no member sees
    /// (the meaning vectors) turns it off: its batches would make every open TUI re-read its list.
    pub fn set_announce(&self, on: bool) {
        if let Db::Pg(p) = &self.db {
            p.announce.set(on);
        }
    }

    /// Hear the announcements of `channel` from now on (PostgreSQL; SQLite announces nothing: an error).
    pub fn listen(&self, channel: Channel) -> Result<()> {
        match &self.db {
            Db::Pg(p) => p.listen(channel).map(|_| ()),
            Db::Lite(_) => Err(crate::Error::invalid("announcements need PostgreSQL")),
        }
    }

    /// Wait up to `wait` for announcements of the channels this session listens on; the channels heard (empty when
    /// the time passed), each once.
    pub fn wait_announced(&self, wait: Duration) -> Result<Vec<Channel>> {
        match &self.db {
            Db::Pg(p) => {
                let until = Instant::now() + wait;
                let mut heard = p.heard(wait)?;
                // The driver's wait can end early with nothing (a message that was not an announcement).
                while heard.is_empty() && Instant::now() < until {
                    heard = p.heard(until.saturating_duration_since(Instant::now()))?;
                }
                Ok(heard)
            }
            Db::Lite(_) => {
                std::thread::sleep(wait);
                Ok(vec![])
            }
        }
    }

    /// Say where this session (`session`, one per running TUI) of `member` is until `until`: on an item, viewing or
    /// replying, or in the lists (None). With `announce`, the others hear it at once (PostgreSQL); expired rows go.
    pub fn beat(
        &self,
        session: &str,
        member: &str,
        on: Option<(ItemRef, Doing)>,
        now: i64,
        until: i64,
        announce: bool,
    ) -> Result<()> {
        let c = self.conn();
        let (kind, num): (Option<Kind>, Option<i64>) = (on.map(|o| o.0.kind), on.map(|o| o.0.num));
        let doing = on.map(|o| o.1).unwrap_or(Doing::Viewing);
        c.execute(
            "INSERT INTO presence(session, member, item_id, doing, expires_at)
             VALUES (?1, ?2, (SELECT id FROM items WHERE kind = ?3 AND num = ?4), ?5, ?6)
             ON CONFLICT(session) DO UPDATE SET member = excluded.member, item_id = excluded.item_id,
               doing = excluded.doing, expires_at = excluded.expires_at",
            &[&session, &member, &kind, &num, &doing, &until],
        )?;
        c.execute("DELETE FROM presence WHERE expires_at < ?1", &[&(now - 60)])?;
        if announce && c.is_pg() {
            c.execute("SELECT pg_notify(?1, '')", &[&Channel::Presence.as_str()])?;
        }
        Ok(())
    }

    /// This session is gone (the TUI quits): its presence goes at once.
    pub fn leave(&self, session: &str) -> Result<()> {
        let c = self.conn();
        c.execute("DELETE FROM presence WHERE session = ?1", &[&session])?;
        if c.is_pg() {
            c.execute("SELECT pg_notify(?1, '')", &[&Channel::Presence.as_str()])?;
        }
        Ok(())
    }
}

impl Reader<'_> {
    /// Who is on which item as of `now`, leaving out session `except` (the asking TUI's own), by member.
    pub fn presence(&self, now: i64, except: &str) -> Result<Vec<Presence>> {
        self.c.rows(
            "SELECT p.member, i.kind, i.num, p.doing FROM presence p JOIN items i ON i.id = p.item_id
             WHERE p.expires_at >= ?1 AND p.session <> ?2 ORDER BY p.member, i.kind, i.num",
            &[&now, &except],
            |r| Ok(Presence { member: r.get(0)?, item: ItemRef { kind: r.get(1)?, num: r.get(2)? }, doing: r.get(3)? }),
        )
    }
}

impl Writer<'_> {
    /// Take the next reply due at `now` after row `after` for `worker` to send: no other worker takes it while the
    /// claim is fresh (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so workers claiming at once each get another row
    /// without waiting; SQLite's writers take turns). Commit the claim before sending.
    pub fn claim_outbox(&self, worker: &str, now: i64, after: i64) -> Result<Option<i64>> {
        let sql = self.c.pick([
            "UPDATE outbox SET claimed_by = ?1, claimed_at = ?2 WHERE msg_row = (
               SELECT o.msg_row FROM outbox o JOIN messages m ON m.id = o.msg_row
               WHERE m.delivery_state = 'in-transit' AND o.next_try_at <= ?2
                 AND (o.claimed_at IS NULL OR o.claimed_at < ?3) AND o.msg_row > ?4
               ORDER BY o.msg_row LIMIT 1)
             RETURNING msg_row",
            "UPDATE outbox SET claimed_by = ?1, claimed_at = ?2 WHERE msg_row = (
               SELECT o.msg_row FROM outbox o JOIN messages m ON m.id = o.msg_row
               WHERE m.delivery_state = 'in-transit' AND o.next_try_at <= ?2
                 AND (o.claimed_at IS NULL OR o.claimed_at < ?3) AND o.msg_row > ?4
               ORDER BY o.msg_row LIMIT 1 FOR UPDATE OF o SKIP LOCKED)
             RETURNING msg_row",
        ]);
        self.c.value(sql, &[&worker, &now, &(now - CLAIM_STALE), &after])
    }

    /// Give back a claim not sent (this worker cannot send from that mailbox): another may take it.
    pub fn release_claim(&self, msg_row: i64, worker: &str) -> Result<()> {
        self.c.execute(
            "UPDATE outbox SET claimed_by = NULL, claimed_at = NULL WHERE msg_row = ?1 AND claimed_by = ?2",
            &[&msg_row, &worker],
        )?;
        Ok(())
    }
}
