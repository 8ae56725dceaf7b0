//! Messages on an item's timeline and their attachments (stored once, by content hash).

use super::{Reader, Writer};
use crate::Result;
use crate::domain::{DeliveryState, Direction, MsgChannel};
use serde::Serialize;

#[derive(Debug, Clone)]
pub struct NewMessage {
    /// None puts the message in the machine lane.
    pub item_row: Option<i64>,
    pub channel: MsgChannel,
    pub direction: Direction,
    pub message_id: Option<String>,
    pub in_reply_to: Option<String>,
    pub refs: Vec<String>,
    pub from_addr: String,
    pub from_name: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub subject: String,
    pub body: String,
    pub sent_at: i64,
    pub author: Option<String>,
    pub contact_row: Option<i64>,
    pub delivery: Option<DeliveryState>,
    pub thread_reason: String,
    pub class: String,
}

impl NewMessage {
    pub fn internal(item_row: i64, author: &str, body: &str, at: i64) -> NewMessage {
        NewMessage {
            item_row: Some(item_row),
            channel: MsgChannel::Internal,
            direction: Direction::Outbound,
            message_id: None,
            in_reply_to: None,
            refs: vec![],
            from_addr: String::new(),
            from_name: author.to_string(),
            to: vec![],
            cc: vec![],
            subject: String::new(),
            body: body.to_string(),
            sent_at: at,
            author: Some(author.to_string()),
            contact_row: None,
            delivery: None,
            thread_reason: String::new(),
            class: "note".into(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Attachment {
    pub name: String,
    pub mime: String,
    pub size: i64,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Message {
    pub id: i64,
    pub channel: MsgChannel,
    pub direction: Direction,
    pub message_id: Option<String>,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    pub from: String,
    pub from_name: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub subject: String,
    pub body: String,
    #[serde(serialize_with = "crate::domain::ser_ts")]
    pub sent_at: i64,
    pub author: Option<String>,
    pub delivery_state: Option<DeliveryState>,
    pub delivery_detail: Option<String>,
    pub thread_reason: String,
    pub class: String,
    pub attachments: Vec<Attachment>,
}

fn split_list(s: String) -> Vec<String> {
    s.split(['\n', ' ']).filter(|x| !x.is_empty()).map(String::from).collect()
}

const MESSAGE_COLUMNS: &str = "SELECT id, channel, direction, message_id, in_reply_to, refs, from_addr, from_name,
    to_addrs, cc_addrs, subject, body, sent_at, author, delivery_state, delivery_detail, thread_reason, class
    FROM messages";

impl Reader<'_> {
    /// The timeline of an item, oldest first; `channel` picks one tab.
    pub fn messages(&self, item_row: i64, channel: Option<MsgChannel>) -> Result<Vec<Message>> {
        self.messages_where(
            &format!(
                "{MESSAGE_COLUMNS} WHERE item_id = ?1 AND (CAST(?2 AS TEXT) IS NULL OR channel = ?2) ORDER BY sent_at, id"
            ),
            item_row,
            channel,
        )
    }

    /// What an item's *Customer messages* tab shows: its own customer mail and that of the conversations it was made
    /// from (a ticket made from a conversation carries its thread), oldest first; `channel` picks one tab.
    pub fn timeline(&self, item_row: i64, channel: Option<MsgChannel>) -> Result<Vec<Message>> {
        self.messages_where(
            &format!(
                // The items first, then their messages by the item index: an OR over `item_id` made PostgreSQL's
                // generic plan scan every message (250 ms at 100k tickets).
                "{MESSAGE_COLUMNS} WHERE (CAST(?2 AS TEXT) IS NULL OR channel = ?2)
                   AND item_id IN (SELECT CAST(?1 AS BIGINT) UNION ALL
                                   SELECT from_id FROM links WHERE to_id = ?1 AND rel = 'ticket')
                   AND (item_id = ?1 OR channel = 'customer')
                 ORDER BY sent_at, id"
            ),
            item_row,
            channel,
        )
    }

    fn messages_where(&self, sql: &str, item_row: i64, channel: Option<MsgChannel>) -> Result<Vec<Message>> {
        let mut out = self.c.rows(sql, &[&item_row, &channel], |r| {
            Ok(Message {
                id: r.get("id")?,
                channel: r.get("channel")?,
                direction: r.get("direction")?,
                message_id: r.get("message_id")?,
                in_reply_to: r.get("in_reply_to")?,
                references: split_list(r.get::<Option<String>>("refs")?.unwrap_or_default()),
                from: r.get("from_addr")?,
                from_name: r.get("from_name")?,
                to: split_list(r.get("to_addrs")?),
                cc: split_list(r.get("cc_addrs")?),
                subject: r.get("subject")?,
                body: r.get("body")?,
                sent_at: r.get("sent_at")?,
                author: r.get("author")?,
                delivery_state: r.get("delivery_state")?,
                delivery_detail: r.get("delivery_detail")?,
                thread_reason: r.get("thread_reason")?,
                class: r.get("class")?,
                attachments: vec![],
            })
        })?;
        for m in &mut out {
            m.attachments = self.attachments(m.id)?;
        }
        Ok(out)
    }

    pub fn attachments(&self, msg_row: i64) -> Result<Vec<Attachment>> {
        self.c.rows(
            "SELECT ma.name, a.mime, a.size, a.sha256 FROM message_attachments ma JOIN attachments a ON a.sha256 = ma.sha256
             WHERE ma.message_id = ?1 ORDER BY ma.name",
            &[&msg_row],
            |r| {
                Ok(Attachment {
                    name: r.get("name")?,
                    mime: r.get("mime")?,
                    size: r.get("size")?,
                    sha256: r.get("sha256")?,
                })
            },
        )
    }

    pub fn attachment_data(&self, sha256: &str) -> Result<Option<Vec<u8>>> {
        self.c.value("SELECT data FROM attachments WHERE sha256 = ?1", &[&sha256])
    }

    pub(super) fn first_message_body(&self, item_row: i64) -> Result<String> {
        Ok(self
            .c
            .value(
                "SELECT body FROM messages WHERE item_id = ?1 AND channel = 'customer' ORDER BY sent_at, id LIMIT 1",
                &[&item_row],
            )?
            .unwrap_or_default())
    }
}

impl Writer<'_> {
    pub fn add_message(&self, m: &NewMessage) -> Result<i64> {
        let row: i64 = self.c.insert_id(
            "INSERT INTO messages(item_id, channel, direction, message_id, in_reply_to, refs, from_addr, from_name,
               to_addrs, cc_addrs, subject, body, sent_at, author, contact_id, delivery_state, thread_reason, class)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
            &[
                &m.item_row,
                &m.channel,
                &m.direction,
                &m.message_id,
                &m.in_reply_to,
                &(!m.refs.is_empty()).then(|| m.refs.join(" ")),
                &m.from_addr,
                &m.from_name,
                &m.to.join("\n"),
                &m.cc.join("\n"),
                &m.subject,
                &m.body,
                &m.sent_at,
                &m.author,
                &m.contact_row,
                &m.delivery,
                &m.thread_reason,
                &m.class,
            ],
        )?;
        self.queue_fts(super::Fts::Message(row, m.subject.clone(), m.body.clone()));
        if let (MsgChannel::Internal, Some(item), Some(author)) = (m.channel, m.item_row, &m.author) {
            self.notify_mentions(item, row, &m.body, &super::By::at(author, m.sent_at))?;
        }
        Ok(row)
    }

    /// Store an attachment's bytes once and attach them to a message.
    pub fn add_attachment(&self, msg_row: i64, name: &str, mime: &str, data: &[u8]) -> Result<String> {
        use sha2::Digest;
        let sha = hex(&sha2::Sha256::digest(data));
        self.c.execute(
            "INSERT INTO attachments(sha256, size, mime, data) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
            &[&sha, &(data.len() as i64), &mime, &data],
        )?;
        self.c.execute(
            "INSERT INTO message_attachments(message_id, sha256, name) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
            &[&msg_row, &sha, &name],
        )?;
        Ok(sha)
    }

    pub fn set_delivery(&self, msg_row: i64, state: DeliveryState, detail: Option<&str>) -> Result<()> {
        self.c.execute(
            "UPDATE messages SET delivery_state = ?2, delivery_detail = ?3 WHERE id = ?1",
            &[&msg_row, &state, &detail],
        )?;
        Ok(())
    }
}

pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

impl Reader<'_> {
    /// One message by its row.
    pub fn messages_by_row(&self, msg_row: i64) -> Result<Message> {
        let item: Option<i64> = self
            .c
            .row("SELECT item_id FROM messages WHERE id = ?1", &[&msg_row], |r| r.get(0))?
            .ok_or_else(|| crate::Error::not_found(format!("message {msg_row}")))?;
        let all = match item {
            Some(i) => self.messages(i, None)?,
            None => vec![],
        };
        all.into_iter()
            .find(|m| m.id == msg_row)
            .ok_or_else(|| crate::Error::not_found(format!("message {msg_row} (in the machine lane)")))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn hex_is_two_lowercase_digits_per_byte() {
        assert_eq!(super::hex(&[0, 0x0f, 0xa5, 0xff]), "000fa5ff");
    }
}
