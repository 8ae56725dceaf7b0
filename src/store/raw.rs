//! Raw messages as received, kept once by SHA-256 and compressed with zstd, for `message raw`, reparse and export.

use super::{Reader, Writer};
use crate::Result;
use rusqlite::{OptionalExtension, params};

/// A raw message compressed for storage: the bytes go to SQLite as made on the reading thread.
pub struct Packed {
    pub size: usize,
    pub zstd: Vec<u8>,
}

/// Compress on any thread (level 1: the fastest; mail compresses about 3:1 at it).
pub fn pack(raw: &[u8]) -> Packed {
    let zstd = zstd::bulk::compress(raw, 1).unwrap_or_default();
    Packed { size: raw.len(), zstd }
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
    pub fn ledger_copies(&self, sha256: &str, source: &str) -> Result<(Option<FirstCopy>, bool)> {
        let mut st = self.lite()?.prepare_cached(
            "SELECT id, item_id, msg_row, source_key, outcome FROM ledger WHERE sha256 = unhex(?1) ORDER BY id",
        )?;
        let mut rows = st.query([sha256])?;
        let mut first: Option<FirstCopy> = None;
        let mut same_source = false;
        while let Some(r) = rows.next()? {
            let src: String = r.get(3)?;
            same_source |= src == source;
            if first.is_none() && r.get::<_, String>(4)? != "duplicate" {
                first = Some(FirstCopy { ledger: r.get(0)?, item_row: r.get(1)?, msg_row: r.get(2)?, source: src });
            }
        }
        Ok((first, same_source))
    }

    /// The raw bytes with this SHA-256 (hex), as received.
    pub fn raw_by_sha(&self, sha256: &str) -> Result<Option<Vec<u8>>> {
        let got: Option<(i64, i64, Vec<u8>)> = self
            .lite()?
            .prepare_cached("SELECT codec, size, data FROM raw_mail WHERE sha256 = unhex(?1)")?
            .query_row([sha256], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        got.map(|(c, s, d)| unpack(c, s, d)).transpose()
    }

    /// The raw bytes a stored message was made from (None: written here, or stored before raw mail was kept).
    pub fn raw_of_message(&self, msg_row: i64) -> Result<Option<Vec<u8>>> {
        let got: Option<(i64, i64, Vec<u8>)> = self
            .lite()?
            .prepare_cached(
                "SELECT r.codec, r.size, r.data FROM ledger l JOIN raw_mail r ON r.sha256 = l.sha256
                 WHERE l.msg_row = ?1 ORDER BY l.id LIMIT 1",
            )?
            .query_row([msg_row], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        got.map(|(c, s, d)| unpack(c, s, d)).transpose()
    }

    /// Every stored message with raw bytes, as (message row, SHA-256 hex), in message order.
    pub fn messages_with_raw(&self) -> Result<Vec<(i64, String)>> {
        let mut st = self.lite()?.prepare_cached(
            "SELECT l.msg_row, hex(l.sha256) FROM ledger l JOIN raw_mail r ON r.sha256 = l.sha256
             WHERE l.msg_row IS NOT NULL AND l.outcome != 'duplicate' GROUP BY l.msg_row ORDER BY l.msg_row",
        )?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get::<_, String>(1)?.to_lowercase())))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A stored message's class (empty when there is no such message).
    pub fn message_class(&self, row: i64) -> Result<String> {
        Ok(self
            .lite()?
            .prepare_cached("SELECT class FROM messages WHERE id = ?1")?
            .query_row([row], |r| r.get(0))
            .optional()?
            .unwrap_or_default())
    }

    /// Raw messages kept: how many, their bytes as received, and as stored.
    pub fn raw_sizes(&self) -> Result<(i64, i64, i64)> {
        Ok(self.lite()?.query_row(
            "SELECT COUNT(*), COALESCE(SUM(size), 0), COALESCE(SUM(length(data)), 0) FROM raw_mail",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?)
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
        let old: Option<(String, String, String, String)> = self
            .lite()?
            .prepare_cached("SELECT subject, from_name, body, class FROM messages WHERE id = ?1")?
            .query_row([row], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .optional()?;
        let Some((subject, from_name, body, class)) = old else { return Ok(false) };
        let mut old_att: Vec<(String, String)> = self
            .lite()?
            .prepare_cached("SELECT name, sha256 FROM message_attachments WHERE message_id = ?1 ORDER BY name, sha256")?
            .query_map([row], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
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
            self.lite()?
                .prepare_cached(
                    "INSERT INTO messages_fts(messages_fts, rowid, subject, body) VALUES ('delete', ?1, ?2, ?3)",
                )?
                .execute(params![row, subject, body])?;
            self.lite()?
                .prepare_cached(
                    "UPDATE messages SET subject = ?2, from_name = ?3, body = ?4, class = ?5 WHERE id = ?1",
                )?
                .execute(params![row, d.subject, d.from_name, d.body, d.class])?;
            self.queue_fts(super::Fts::Message(row, d.subject.to_string(), d.body.to_string()));
        }
        if old_att != new_att {
            self.lite()?.prepare_cached("DELETE FROM message_attachments WHERE message_id = ?1")?.execute([row])?;
            for (name, mime, data) in &d.attachments {
                self.add_attachment(row, name, mime, data)?;
            }
        }
        Ok(true)
    }

    /// Keep raw bytes (once per SHA-256).
    pub fn keep_raw(&self, sha256: &str, p: &Packed) -> Result<()> {
        self.lite()?
            .prepare_cached(
                "INSERT INTO raw_mail(sha256, size, codec, data) VALUES (unhex(?1), ?2, 1, ?3)
                 ON CONFLICT(sha256) DO NOTHING",
            )?
            .execute(params![sha256, p.size as i64, p.zstd])?;
        Ok(())
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
