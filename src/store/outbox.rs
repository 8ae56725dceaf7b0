//! The outbox: replies waiting to be sent, with attempts and backoff; and the IMAP cursors of the sync worker.

use super::{Reader, Writer};
use crate::Result;
use crate::domain::{DeliveryState, ItemRef, Kind};
use serde::Serialize;

/// A queued reply as the worker and `outbox list` see it.
#[derive(Debug, Clone, Serialize)]
pub struct Outgoing {
    pub message: i64,
    pub item: Option<ItemRef>,
    pub mailbox: String,
    pub message_id: String,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub subject: String,
    pub body: String,
    /// How the sender reads to the customer ("Alice via Example Support").
    pub from_name: String,
    pub state: Option<DeliveryState>,
    pub attempts: i64,
    #[serde(serialize_with = "crate::domain::ser_ts")]
    pub next_try_at: i64,
    pub last_error: Option<String>,
}

impl Reader<'_> {
    /// Outbox rows: all (for listing), or only those due to be sent at `due`.
    pub fn outbox(&self, due: Option<i64>) -> Result<Vec<Outgoing>> {
        self.outbox_rows(due, None)
    }

    /// One outbox row (a claimed one, to send).
    pub fn outgoing(&self, msg_row: i64) -> Result<Option<Outgoing>> {
        Ok(self.outbox_rows(None, Some(msg_row))?.pop())
    }

    fn outbox_rows(&self, due: Option<i64>, row: Option<i64>) -> Result<Vec<Outgoing>> {
        let sql = "SELECT o.msg_row, i.kind, i.num, o.mailbox, m.message_id, m.in_reply_to, m.refs, m.to_addrs,
                    m.cc_addrs, m.subject, m.body, m.from_name, m.delivery_state, o.attempts, o.next_try_at, o.last_error
             FROM outbox o JOIN messages m ON m.id = o.msg_row LEFT JOIN items i ON i.id = m.item_id
             WHERE (CAST(?1 AS BIGINT) IS NULL OR (m.delivery_state = 'in-transit' AND o.next_try_at <= ?1))
               AND (CAST(?2 AS BIGINT) IS NULL OR o.msg_row = ?2)
             ORDER BY o.msg_row";
        self.c.rows(sql, &[&due, &row], |r| {
            let kind: Option<Kind> = r.get("kind")?;
            let split = |s: Option<String>| {
                s.unwrap_or_default().split(['\n', ' ']).filter(|x| !x.is_empty()).map(String::from).collect()
            };
            Ok(Outgoing {
                message: r.get("msg_row")?,
                item: kind.zip(r.get("num")?).map(|(kind, num)| ItemRef { kind, num }),
                mailbox: r.get("mailbox")?,
                message_id: r.get::<Option<String>>("message_id")?.unwrap_or_default(),
                in_reply_to: r.get("in_reply_to")?,
                references: split(r.get("refs")?),
                to: split(r.get("to_addrs")?),
                cc: split(r.get("cc_addrs")?),
                subject: r.get("subject")?,
                body: r.get("body")?,
                from_name: r.get("from_name")?,
                state: r.get("delivery_state")?,
                attempts: r.get("attempts")?,
                next_try_at: r.get("next_try_at")?,
                last_error: r.get("last_error")?,
            })
        })
    }

    /// The reply waiting longest after a failed send: its error and when it is tried again.
    pub fn outbox_failing(&self) -> Result<Option<(String, i64)>> {
        self.c.row(
            "SELECT o.last_error, o.next_try_at FROM outbox o JOIN messages m ON m.id = o.msg_row
             WHERE m.delivery_state = 'in-transit' AND o.last_error IS NOT NULL ORDER BY o.next_try_at LIMIT 1",
            &[],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
    }

    pub fn outbox_pending(&self) -> Result<i64> {
        self.c.one(
            "SELECT COUNT(*) FROM outbox o JOIN messages m ON m.id = o.msg_row WHERE m.delivery_state = 'in-transit'",
            &[],
            |r| r.get(0),
        )
    }

    pub fn cursor(&self, mailbox: &str, folder: &str) -> Result<Option<(u32, u32)>> {
        let cursor: Option<(i64, i64)> = self.c.row(
            "SELECT uidvalidity, last_uid FROM mail_cursor WHERE mailbox = ?1 AND folder = ?2",
            &[&mailbox, &folder],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let uid = |v: i64| {
            u32::try_from(v)
                .map_err(|_| crate::Error::invalid(format!("mail cursor {mailbox}/{folder} holds {v}, not a UID")))
        };
        cursor.map(|(v, u)| Ok((uid(v)?, uid(u)?))).transpose()
    }
}

impl Writer<'_> {
    pub fn enqueue(&self, msg_row: i64, mailbox: &str, at: i64) -> Result<()> {
        self.c.execute(
            "INSERT INTO outbox(msg_row, mailbox, next_try_at) VALUES (?1, ?2, ?3)",
            &[&msg_row, &mailbox, &at],
        )?;
        if self.c.is_pg() {
            // Heard by the mail workers when the reply commits: one of them sends it at once.
            self.c.execute("SELECT pg_notify(?1, ?2)", &[&super::Channel::Outbox.as_str(), &mailbox])?;
        }
        Ok(())
    }

    /// The server accepted the message. Its claim stays (who sent it): a claim being taken at that moment
    /// re-checks the outbox row alone on PostgreSQL (the message's state it joins is the one it first read), and
    /// must find it claimed.
    pub fn mark_sent(&self, msg_row: i64) -> Result<()> {
        self.set_delivery(msg_row, DeliveryState::Sent, None)?;
        self.c
            .execute("UPDATE outbox SET attempts = attempts + 1, last_error = NULL WHERE msg_row = ?1", &[&msg_row])?;
        Ok(())
    }

    /// A send was refused for good (an addressee that cannot be written, the server's 5xx): the reply shows as
    /// bounced with the reason, and is not tried again.
    pub fn mark_refused(&self, msg_row: i64, error: &str) -> Result<()> {
        self.set_delivery(msg_row, DeliveryState::Bounced, Some(error))?;
        self.c.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?2, claimed_by = NULL, claimed_at = NULL
             WHERE msg_row = ?1",
            &[&msg_row, &error],
        )?;
        Ok(())
    }

    /// A send failed: try again at `next_try_at`.
    pub fn mark_failed(&self, msg_row: i64, error: &str, next_try_at: i64) -> Result<()> {
        self.c.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?2, next_try_at = ?3, claimed_by = NULL,
               claimed_at = NULL
             WHERE msg_row = ?1",
            &[&msg_row, &error, &next_try_at],
        )?;
        Ok(())
    }

    pub fn set_cursor(&self, mailbox: &str, folder: &str, uidvalidity: u32, last_uid: u32) -> Result<()> {
        self.c.execute(
            "INSERT INTO mail_cursor(mailbox, folder, uidvalidity, last_uid) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(mailbox, folder) DO UPDATE SET uidvalidity = excluded.uidvalidity, last_uid = excluded.last_uid",
            &[&mailbox, &folder, &i64::from(uidvalidity), &i64::from(last_uid)],
        )?;
        Ok(())
    }
}
