//! Raw messages as received, kept once by SHA-256 and compressed with zstd, for `message raw`, reparse and export.

use super::{Reader, Writer};
use crate::Result;

/// A raw message compressed for storage: the bytes go to SQLite as made on the reading thread.
pub struct Packed {
    pub size: usize,
    pub zstd: Vec<u8>,
}

/// Compress on any thread (level 1: the fastest; mail compresses about 3:1 at it).
pub fn pack(raw: &[u8]) -> Packed {
    // One compression context per thread: making one per message (its tables and buffers) was a tenth of the reader's time.
    thread_local! {
        static ZSTD: std::cell::RefCell<Option<zstd::bulk::Compressor<'static>>> =
            std::cell::RefCell::new(zstd::bulk::Compressor::new(1).ok());
    }
    let zstd = ZSTD
        .with_borrow_mut(|z| z.as_mut().and_then(|z| z.compress(raw).ok()))
        .or_else(|| zstd::bulk::compress(raw, 1).ok())
        .unwrap_or_default();
    Packed { size: raw.len(), zstd }
}

/// A raw message's SHA-256: its key in `raw_mail` and the ledger, bound as its 32 bytes on both backends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawSha(Vec<u8>);

impl RawSha {
    pub fn of(raw: &[u8]) -> RawSha {
        use sha2::Digest;
        RawSha(sha2::Sha256::digest(raw).to_vec())
    }
}

impl super::conn::Param for RawSha {
    fn lite(&self) -> &dyn rusqlite::ToSql {
        &self.0
    }
    fn pg(&self) -> &(dyn postgres::types::ToSql + Sync) {
        &self.0
    }
}

impl super::conn::Col for RawSha {
    fn lite(r: &rusqlite::Row<'_>, i: impl super::conn::Idx) -> rusqlite::Result<Self> {
        r.get(i).map(RawSha)
    }
    fn pg(r: &postgres::Row, i: impl super::conn::Idx) -> Result<Self, postgres::Error> {
        r.try_get(i).map(RawSha)
    }
}

/// A ledger row of the same bytes read before: its id, item, message row and source.
#[derive(Debug, Clone)]
pub struct FirstCopy {
    pub ledger: i64,
    pub item_row: Option<i64>,
    pub msg_row: Option<i64>,
    pub source: String,
}

fn unpack(codec: i64, size: i64, data: Vec<u8>) -> Result<Vec<u8>> {
    match codec {
        0 => Ok(data),
        _ => zstd::bulk::decompress(&data, size.max(0) as usize)
            .map_err(|e| crate::Error::Invalid(format!("stored raw message does not decompress: {e}"))),
    }
}

impl Reader<'_> {
    /// The ledger rows of these exact bytes: the first that is not itself a duplicate (None: the bytes are new, or
    /// their first copy left quarantine), and whether `source` is among all of them.
    pub fn ledger_copies(&self, sha256: &RawSha, source: &str) -> Result<(Option<FirstCopy>, bool)> {
        let sql = "SELECT id, item_id, msg_row, source_key, outcome FROM ledger WHERE sha256 = ?1 ORDER BY id";
        let rows = self.c.rows(sql, &[sha256], |r| {
            let copy = FirstCopy { ledger: r.get(0)?, item_row: r.get(1)?, msg_row: r.get(2)?, source: r.get(3)? };
            Ok((copy, r.get::<String>(4)? == "duplicate"))
        })?;
        let same_source = rows.iter().any(|(c, _)| c.source == source);
        Ok((rows.into_iter().find(|(_, dup)| !dup).map(|(c, _)| c), same_source))
    }

    /// The raw bytes with this SHA-256, as received.
    pub fn raw_by_sha(&self, sha256: &RawSha) -> Result<Option<Vec<u8>>> {
        let sql = "SELECT codec, size, data FROM raw_mail WHERE sha256 = ?1";
        let got: Option<(i64, i64, Vec<u8>)> = self.c.row(sql, &[sha256], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        got.map(|(c, s, d)| unpack(c, s, d)).transpose()
    }

    /// The raw bytes a stored message was made from (None: written here, or stored before raw mail was kept).
    pub fn raw_of_message(&self, msg_row: i64) -> Result<Option<Vec<u8>>> {
        let got: Option<(i64, i64, Vec<u8>)> = self.c.row(
            "SELECT r.codec, r.size, r.data FROM ledger l JOIN raw_mail r ON r.sha256 = l.sha256
             WHERE l.msg_row = ?1 ORDER BY l.id LIMIT 1",
            &[&msg_row],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        got.map(|(c, s, d)| unpack(c, s, d)).transpose()
    }

    /// Every stored message with raw bytes, as (message row, SHA-256), in message order.
    pub fn messages_with_raw(&self) -> Result<Vec<(i64, RawSha)>> {
        // One row per message (PostgreSQL wants the SHA-256 aggregated; a message has one first copy).
        let sql = self.c.pick([
            "SELECT l.msg_row, MIN(l.sha256) FROM ledger l JOIN raw_mail r ON r.sha256 = l.sha256
             WHERE l.msg_row IS NOT NULL AND l.outcome != 'duplicate' GROUP BY l.msg_row ORDER BY l.msg_row",
            "SELECT l.msg_row, (array_agg(l.sha256 ORDER BY l.sha256))[1] FROM ledger l JOIN raw_mail r ON r.sha256 = l.sha256
             WHERE l.msg_row IS NOT NULL AND l.outcome != 'duplicate' GROUP BY l.msg_row ORDER BY l.msg_row",
        ]);
        self.c.rows(sql, &[], |r| Ok((r.get(0)?, r.get(1)?)))
    }

    /// A stored message's class (empty when there is no such message).
    pub fn message_class(&self, row: i64) -> Result<String> {
        Ok(self.c.value("SELECT class FROM messages WHERE id = ?1", &[&row])?.unwrap_or_default())
    }

    /// Bytes the whole database takes: the SQLite file's pages, or the PostgreSQL database on its server.
    pub fn database_bytes(&self) -> Result<i64> {
        self.c.one(
            self.c.pick([
                "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
                "SELECT pg_database_size(current_database())",
            ]),
            &[],
            |r| r.get(0),
        )
    }

    /// Raw messages kept: how many, their bytes as received, and as stored.
    pub fn raw_sizes(&self) -> Result<(i64, i64, i64)> {
        self.c.one(
            "SELECT COUNT(*), CAST(COALESCE(SUM(size), 0) AS BIGINT), CAST(COALESCE(SUM(octet_length(data)), 0) AS BIGINT)
             FROM raw_mail",
            &[],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
    }
}

/// What a reparse re-derives for a stored message.
pub struct Rederived<'a> {
    pub subject: &'a str,
    pub from_name: &'a str,
    pub body: &'a str,
    pub class: &'a str,
    /// (name, mime, bytes)
    pub attachments: Vec<(&'a str, &'a str, &'a [u8])>,
}

impl Writer<'_> {
    /// Replace a message's subject, sender name, body, class and attachments (re-derived from its raw bytes); its
    /// item, thread and delivery state stay. True when anything changed.
    pub fn rederive_message(&self, row: i64, d: &Rederived<'_>) -> Result<bool> {
        let old: Option<(String, String, String, String)> =
            self.c.row("SELECT subject, from_name, body, class FROM messages WHERE id = ?1", &[&row], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?;
        let Some((subject, from_name, body, class)) = old else { return Ok(false) };
        let mut old_att: Vec<(String, String)> = self.c.rows(
            "SELECT name, sha256 FROM message_attachments WHERE message_id = ?1 ORDER BY name, sha256",
            &[&row],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        old_att.sort();
        let mut new_att: Vec<(String, String)> = d
            .attachments
            .iter()
            .map(|(n, _, data)| {
                use sha2::Digest;
                (n.to_string(), super::hex(&sha2::Sha256::digest(data)))
            })
            .collect();
        new_att.sort();
        let same = subject == d.subject && from_name == d.from_name && body == d.body && class == d.class;
        if same && old_att == new_att {
            return Ok(false);
        }
        if !same {
            if !self.c.is_pg() {
                self.c.execute(
                    "INSERT INTO search.messages_fts(messages_fts, rowid, subject, body) VALUES ('delete', ?1, ?2, ?3)",
                    &[&row, &subject, &body],
                )?;
            }
            self.c.execute(
                "UPDATE messages SET subject = ?2, from_name = ?3, body = ?4, class = ?5 WHERE id = ?1",
                &[&row, &d.subject, &d.from_name, &d.body, &d.class],
            )?;
            self.queue_fts(super::Fts::Message(row, d.subject.to_string(), d.body.to_string()));
        }
        if old_att != new_att {
            self.c.execute("DELETE FROM message_attachments WHERE message_id = ?1", &[&row])?;
            for (name, mime, data) in &d.attachments {
                self.add_attachment(row, name, mime, data)?;
            }
        }
        Ok(true)
    }

    /// Keep raw bytes (once per SHA-256): whether they were new.
    pub fn keep_raw(&self, sha256: &RawSha, p: &Packed) -> Result<bool> {
        let sql =
            "INSERT INTO raw_mail(sha256, size, codec, data) VALUES (?1, ?2, 1, ?3) ON CONFLICT(sha256) DO NOTHING";
        Ok(self.c.execute(sql, &[sha256, &(p.size as i64), &p.zstd])? == 1)
    }

    /// Whether the ledger has rows that may lack their raw bytes (schema V23's `raw_gaps`), read once per
    /// transaction: when it has none, bytes new to `raw_mail` were never read before.
    pub fn ledger_may_lack_raw(&self) -> Result<bool> {
        if let Some(known) = self.raw_gaps.get() {
            return Ok(known);
        }
        let gaps = self.c.value::<bool>("SELECT ledger_upto > 0 FROM raw_gaps", &[])?.unwrap_or(true);
        self.raw_gaps.set(Some(gaps));
        Ok(gaps)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_mail_comes_back_byte_for_byte() {
        let raw = b"From: a@b.test\r\nSubject: x\r\n\r\nbody\r\n".repeat(50);
        let p = pack(&raw);
        assert!(p.zstd.len() < raw.len());
        assert_eq!(unpack(1, p.size as i64, p.zstd).unwrap(), raw);
    }
}
