//! The ingest ledger (one record per raw message), quarantine, message references for threading, the machine lane.

use super::{Reader, Writer};
use crate::Result;
use crate::domain::ItemRef;
use serde::Serialize;
use std::borrow::Cow;

#[derive(Debug, Clone, Serialize)]
pub struct QuarantineEntry {
    pub id: i64,
    pub source: String,
    pub reason: String,
    pub size: i64,
    #[serde(serialize_with = "crate::domain::ser_ts")]
    pub at: i64,
    /// Sender and subject as the raw message's headers say (read by the faces: the store does not parse mail).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
}

/// A message in the machine lane.
#[derive(Debug, Clone, Serialize)]
pub struct LaneEntry {
    pub message: i64,
    pub class: String,
    pub from: String,
    pub subject: String,
    #[serde(serialize_with = "crate::domain::ser_ts")]
    pub at: i64,
    pub reason: String,
}

/// One ledger record to write.
pub struct NewLedger<'a> {
    pub source: &'a str,
    pub message_id: Option<&'a str>,
    pub sha256: &'a super::raw::RawSha,
    pub outcome: &'a str,
    pub reason: &'a str,
    pub item_row: Option<i64>,
    pub msg_row: Option<i64>,
    pub at: i64,
}

impl Reader<'_> {
    /// A stored message with this Message-ID: its row and item (None for the machine lane).
    pub fn message_by_message_id(&self, mid: &str) -> Result<Option<(i64, Option<i64>)>> {
        self.c.row("SELECT id, item_id FROM messages WHERE message_id = ?1", &[&mid], |r| Ok((r.get(0)?, r.get(1)?)))
    }

    /// The item holding the stored message with this Message-ID, and its reference.
    pub fn item_of_message_id(&self, mid: &str) -> Result<Option<(i64, ItemRef)>> {
        self.item_and_ref(ITEM_OF_MESSAGE_ID, mid)
    }

    /// The ticket made from a conversation (the conversation's thread continues there), by the conversation's row.
    pub fn ticket_of_conversation(&self, conv_row: i64) -> Result<Option<(i64, ItemRef)>> {
        self.c.row(TICKET_OF_CONVERSATION, &[&conv_row, &crate::domain::LinkRel::Ticket], |r| {
            Ok((r.get(0)?, ItemRef { kind: r.get(1)?, num: r.get(2)? }))
        })
    }

    /// Row, kind and number from `sql` with one bound id.
    fn item_and_ref(&self, sql: &str, id: &str) -> Result<Option<(i64, ItemRef)>> {
        self.c.row(sql, &[&id], |r| Ok((r.get(0)?, ItemRef { kind: r.get(1)?, num: r.get(2)? })))
    }

    /// The plans of the lookups that ingest runs for every message (for the test that asserts their index use).
    pub fn explain_ingest_lookups(&self) -> Result<Vec<(&'static str, String)>> {
        let mut out = vec![];
        for (name, sql) in [
            ("item_of_message_id", ITEM_OF_MESSAGE_ID),
            ("item_referencing", ITEM_REFERENCING),
            ("open_item_by_subject", OPEN_ITEM_BY_SUBJECT),
            ("ticket_of_conversation", TICKET_OF_CONVERSATION),
        ] {
            let n = self.lite()?.prepare(sql)?.parameter_count();
            out.push((
                name,
                super::query_plan(self.lite()?, sql, rusqlite::params_from_iter((0..n).map(|_| "x")))?.join(" | "),
            ));
        }
        Ok(out)
    }

    /// The item of a stored message that references `id` (a shared ghost parent, or a child that arrived first).
    pub fn item_referencing(&self, id: &str) -> Result<Option<(i64, ItemRef)>> {
        self.item_and_ref(ITEM_REFERENCING, id)
    }

    /// An open item of `kind` whose normalised title is `norm` and whose participants include `contact`.
    pub fn open_item_by_subject(&self, kind: &str, norm: &str, contact: i64) -> Result<Option<i64>> {
        // `+i.kind` is SQLite's way to keep an index off a term; PostgreSQL has no such operator.
        let sql: Cow<str> = if self.c.is_pg() {
            OPEN_ITEM_BY_SUBJECT.replace("+i.kind", "i.kind").into()
        } else {
            OPEN_ITEM_BY_SUBJECT.into()
        };
        self.c.value(&sql, &[&norm, &kind, &contact])
    }

    /// Messages from a contact since a time, and how many of them were stored as spam.
    pub fn sender_counts(&self, contact: i64, since: i64, spam_since: i64) -> Result<(i64, i64)> {
        self.c.one(
            "SELECT COUNT(*) FILTER (WHERE sent_at >= ?2), COUNT(*) FILTER (WHERE class = 'spam' AND sent_at >= ?3)
             FROM messages WHERE contact_id = ?1 AND sent_at >= CASE WHEN ?2 < ?3 THEN ?2 ELSE ?3 END",
            &[&contact, &since, &spam_since],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
    }

    /// How many messages are in quarantine.
    pub fn quarantine_count(&self) -> Result<i64> {
        self.c.one("SELECT COUNT(*) FROM quarantine", &[], |r| r.get(0))
    }

    pub fn quarantine(&self, limit: usize) -> Result<Vec<QuarantineEntry>> {
        self.c.rows(
            "SELECT q.ledger_id, l.source_key, q.reason, COALESCE(r.size, 0), l.at FROM quarantine q JOIN ledger l ON l.id = q.ledger_id
             LEFT JOIN raw_mail r ON r.sha256 = l.sha256
             ORDER BY q.ledger_id LIMIT ?1",
            &[&(limit as i64)],
            |r| {
                Ok(QuarantineEntry {
                    id: r.get(0)?,
                    source: r.get(1)?,
                    reason: r.get(2)?,
                    size: r.get(3)?,
                    at: r.get(4)?,
                    from: None,
                    subject: None,
                })
            },
        )
    }

    pub fn quarantined_raw(&self, id: i64) -> Result<Option<(String, Vec<u8>)>> {
        let sql = "SELECT l.source_key, l.sha256 FROM quarantine q JOIN ledger l ON l.id = q.ledger_id WHERE q.ledger_id = ?1";
        let found: Option<(String, super::raw::RawSha)> = self.c.row(sql, &[&id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let Some((source, sha)) = found else { return Ok(None) };
        Ok(self.raw_by_sha(&sha)?.map(|raw| (source, raw)))
    }

    /// Machine mail that matched no item, newest first.
    pub fn machine_lane(&self, limit: usize) -> Result<Vec<LaneEntry>> {
        self.c.rows(
            "SELECT id, class, from_addr, subject, sent_at, thread_reason FROM messages WHERE item_id IS NULL
             ORDER BY sent_at DESC, id DESC LIMIT ?1",
            &[&(limit as i64)],
            |r| {
                Ok(LaneEntry {
                    message: r.get(0)?,
                    class: r.get(1)?,
                    from: r.get(2)?,
                    subject: r.get(3)?,
                    at: r.get(4)?,
                    reason: r.get(5)?,
                })
            },
        )
    }

    pub fn message_item(&self, msg_row: i64) -> Result<Option<Option<i64>>> {
        self.c.row("SELECT item_id FROM messages WHERE id = ?1", &[&msg_row], |r| r.get(0))
    }
}

impl Writer<'_> {
    pub fn add_ledger(&self, l: &NewLedger<'_>) -> Result<i64> {
        self.c.insert_id(
            "INSERT INTO ledger(source_key, message_id, sha256, outcome, reason, item_id, msg_row, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            &[&l.source, &l.message_id, l.sha256, &l.outcome, &l.reason, &l.item_row, &l.msg_row, &l.at],
        )
    }

    /// Quarantine a message (its raw bytes are kept by [`Writer::keep_raw`], as every message's are).
    pub fn add_quarantine(&self, ledger_id: i64, reason: &str) -> Result<()> {
        self.c.execute(
            "INSERT INTO quarantine(ledger_id, raw, reason) VALUES (?1, ?2, ?3)",
            &[&ledger_id, &&b""[..], &reason],
        )?;
        Ok(())
    }

    /// Take a message out of quarantine (after a successful retry): its ledger record is replaced by the new one.
    pub fn release_quarantine(&self, ledger_id: i64) -> Result<()> {
        self.c.execute("DELETE FROM quarantine WHERE ledger_id = ?1", &[&ledger_id])?;
        self.c.execute("DELETE FROM ledger WHERE id = ?1", &[&ledger_id])?;
        Ok(())
    }

    pub fn add_message_refs(&self, msg_row: i64, refs: &[String]) -> Result<()> {
        for r in refs {
            self.c.execute(
                "INSERT INTO message_refs(message_row, ref_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                &[&msg_row, r],
            )?;
        }
        Ok(())
    }

    /// Move a message to another item (or to the machine lane with `None`), recording why. Its sender becomes a
    /// participant of the item, as if the message had arrived there.
    pub fn move_message(&self, msg_row: i64, item_row: Option<i64>, reason: &str) -> Result<()> {
        let sender: Option<i64> = self
            .c
            .row(
                "UPDATE messages SET item_id = ?2, thread_reason = ?3 WHERE id = ?1 RETURNING contact_id",
                &[&msg_row, &item_row, &reason],
                |r| r.get::<Option<i64>>(0),
            )?
            .flatten();
        if let (Some(item), Some(contact)) = (item_row, sender) {
            self.add_item_sender(item, contact)?;
        }
        Ok(())
    }
}

impl Reader<'_> {
    /// Every stored Message-ID with the item holding it (None: machine lane), for thread-agreement checks.
    pub fn message_threads(&self) -> Result<Vec<(String, Option<i64>)>> {
        self.c.rows("SELECT message_id, item_id FROM messages WHERE message_id IS NOT NULL", &[], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
    }

    /// Row counts of the tables an import writes, to prove a second import writes nothing.
    pub fn table_counts(&self) -> Result<Vec<(&'static str, i64)>> {
        const TABLES: [(&str, &str); 9] = [
            ("items", "SELECT COUNT(*) FROM items"),
            ("messages", "SELECT COUNT(*) FROM messages"),
            ("ledger", "SELECT COUNT(*) FROM ledger"),
            ("quarantine", "SELECT COUNT(*) FROM quarantine"),
            ("contacts", "SELECT COUNT(*) FROM contacts"),
            ("accounts", "SELECT COUNT(*) FROM accounts"),
            ("attachments", "SELECT COUNT(*) FROM attachments"),
            ("stage_history", "SELECT COUNT(*) FROM stage_history"),
            ("item_contacts", "SELECT COUNT(*) FROM item_contacts"),
        ];
        TABLES.iter().map(|(n, sql)| Ok((*n, self.c.one(sql, &[], |r| r.get(0))?))).collect()
    }

    /// Ledger outcome and reason per source key, for checking that nothing was dropped silently.
    pub fn ledger_by_source(&self) -> Result<std::collections::HashMap<String, (String, String)>> {
        let rows = self
            .c
            .rows("SELECT source_key, outcome, reason FROM ledger", &[], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?;
        Ok(rows.into_iter().collect())
    }
}

const ITEM_OF_MESSAGE_ID: &str =
    "SELECT i.id, i.kind, i.num FROM messages m JOIN items i ON i.id = m.item_id WHERE m.message_id = ?1";

/// The newest ticket made from a conversation: in link order from the key (`to_id` is the ticket), not sorted.
const TICKET_OF_CONVERSATION: &str = "SELECT i.id, i.kind, i.num FROM links l JOIN items i ON i.id = l.to_id
     WHERE l.from_id = ?1 AND l.rel = ?2 ORDER BY l.to_id DESC LIMIT 1";

/// Rows come in `message_row` order from the key, so the first is found without sorting.
const ITEM_REFERENCING: &str = "SELECT i.id, i.kind, i.num FROM message_refs r JOIN messages m ON m.id = r.message_row
     JOIN items i ON i.id = m.item_id WHERE r.ref_id = ?1 ORDER BY r.message_row LIMIT 1";

/// The sender's few items are the way in (`+i.kind` keeps SQLite from scanning every item of the kind).
const OPEN_ITEM_BY_SUBJECT: &str = "SELECT i.id FROM items i
     WHERE i.id IN (SELECT id FROM items WHERE contact_id = ?3
                    UNION SELECT item_id FROM item_contacts WHERE contact_id = ?3)
       AND i.norm_title = ?1 AND +i.kind = ?2 AND i.closed_at IS NULL AND i.stage != 'suspended'
     ORDER BY i.updated_at DESC LIMIT 1";
