//! The collision guard on replies and notes: what a member had seen of a thread when they started writing, and what
//! arrived since (a customer message, a colleague's reply or note), which holds what they wrote.

use super::{By, Reader, Writer};
use crate::domain::ItemRef;
use crate::{Error, Result};
use serde::Serialize;

/// What of an item's thread a member had seen when they started writing: every message up to `through`, and the
/// messages `known` (ids are handed out before commit on PostgreSQL, so a message may commit after a higher one).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Opened {
    pub through: i64,
    pub known: Vec<i64>,
}

impl Opened {
    /// Everything up to message `id` was seen (the CLI's `--seen ID`).
    pub fn through(id: i64) -> Opened {
        Opened { through: id, known: vec![] }
    }
}

/// What arrived on a thread since it was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NewsKind {
    Customer,
    Reply,
    Note,
}

/// One message that arrived since.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct News {
    pub message: i64,
    pub kind: NewsKind,
    pub who: String,
    #[serde(serialize_with = "crate::domain::ser_ts")]
    pub at: i64,
    pub excerpt: String,
}

impl News {
    /// "carol@example.com wrote 2 min ago", "bob replied 4 s ago", "bob added a note 1 min ago" (`now`: for "ago").
    pub fn line(&self, now: i64) -> String {
        let did = match self.kind {
            NewsKind::Customer => "wrote",
            NewsKind::Reply => "replied",
            NewsKind::Note => "added a note",
        };
        format!("{} {did} {}", self.who, super::ago(now - self.at))
    }
}

/// A reply or note held, not sent: what arrived on the item since the member opened it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    pub item: ItemRef,
    pub news: Vec<News>,
    pub tried_at: i64,
}

impl std::fmt::Display for Held {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let lines: Vec<String> = self.news.iter().map(|n| n.line(self.tried_at)).collect();
        write!(f, "{}: held, not sent: since you opened it, {}", self.item, lines.join(", "))
    }
}

/// The messages that count: a customer's (not a bounce), and a colleague's reply or note (not the member's own), on
/// the item or on the conversation it was made from.
const THREAD: &str = "SELECT id, direction, channel, from_addr, from_name, author, sent_at, body FROM messages
     WHERE (item_id = ?1 OR (channel = 'customer' AND item_id IN (SELECT from_id FROM links WHERE to_id = ?1 AND rel = 'ticket')))
       AND ((channel = 'customer' AND direction = 'in' AND class <> 'dsn')
            OR (author IS NOT NULL AND author <> ?2 AND (channel = 'internal' OR class = 'reply')))
       AND id > ?3 ORDER BY id";

impl Reader<'_> {
    /// What the member `me` sees of an item's thread now: for the composer that opens.
    pub fn opened(&self, row: i64, me: &str) -> Result<Opened> {
        let known = self.c.rows(THREAD, &[&row, &me, &0i64], |r| r.get("id"))?;
        Ok(Opened { through: 0, known })
    }

    /// The messages that arrived on an item after `opened`, oldest first.
    pub fn news_since(&self, row: i64, me: &str, opened: &Opened) -> Result<Vec<News>> {
        let all = self.c.rows(THREAD, &[&row, &me, &opened.through], |r| {
            let author: Option<String> = r.get("author")?;
            let (from, name): (String, String) = (r.get("from_addr")?, r.get("from_name")?);
            let body: String = r.get("body")?;
            let kind = match (author, r.get::<String>("channel")?.as_str()) {
                (None, _) => (NewsKind::Customer, if name.is_empty() { from } else { format!("{name} <{from}>") }),
                (Some(a), "internal") => (NewsKind::Note, a),
                (Some(a), _) => (NewsKind::Reply, a),
            };
            let excerpt = body.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with('>')).unwrap_or("");
            Ok(News {
                message: r.get("id")?,
                kind: kind.0,
                who: kind.1,
                at: r.get("sent_at")?,
                excerpt: if excerpt.chars().count() > 160 {
                    format!("{}…", excerpt.chars().take(159).collect::<String>())
                } else {
                    excerpt.to_string()
                },
            })
        })?;
        Ok(all.into_iter().filter(|n| !opened.known.contains(&n.message)).collect())
    }
}

impl Writer<'_> {
    /// Before a reply or note of `by.who` on item `r` is stored: refuse with [`Error::Held`] if the thread changed
    /// after `opened`. The item's row stays locked until the transaction ends, so two members replying at once are
    /// told of each other: the second finds the first's reply.
    pub fn guard_thread(&self, r: ItemRef, opened: &Opened, by: &By) -> Result<()> {
        let row = self.item_row(r)?;
        self.lock_item(row)?;
        let news = self.news_since(row, &by.who, opened)?;
        if news.is_empty() {
            return Ok(());
        }
        Err(Error::Held(Box::new(Held { item: r, news, tried_at: by.at })))
    }
}
