//! Notifications per member: an item assigned to them, an @mention in an internal note, a customer answer on an item
//! they own. Never for the member's own action; marked read per member.

use super::{By, Reader, Writer};
use crate::domain::{ItemRef, NoticeKind};
use crate::{Error, Result};
use serde::Serialize;

/// One notification of a member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notification {
    pub id: i64,
    pub kind: NoticeKind,
    pub item: ItemRef,
    pub title: String,
    /// Who did it: a member's login, or the customer's address.
    pub by: String,
    #[serde(serialize_with = "crate::domain::ser_ts")]
    pub at: i64,
    /// The line of the note or the start of the customer's message.
    pub excerpt: String,
    pub read: bool,
}

impl Notification {
    /// "bob assigned TKT-12 to you", "bob mentioned you on TKT-12: “…”", "carol@x.org answered on TKT-12: “…”".
    pub fn line(&self) -> String {
        let quote = if self.excerpt.is_empty() { String::new() } else { format!(": “{}”", self.excerpt) };
        match self.kind {
            NoticeKind::Assigned => format!("{} assigned {} to you ({})", self.by, self.item, self.title),
            NoticeKind::Mentioned => format!("{} mentioned you on {}{quote}", self.by, self.item),
            NoticeKind::Answered => format!("{} answered on {}{quote}", self.by, self.item),
        }
    }
}

/// The logins a note @mentions: `@alice` at the start of a word (an address such as bob@example.com mentions
/// nobody), each once, in order.
pub fn mentions(text: &str) -> Vec<String> {
    let login = |c: char| c.is_alphanumeric() || matches!(c, '.' | '_' | '-');
    let mut out: Vec<String> = vec![];
    let mut prev: Option<char> = None;
    for (i, c) in text.char_indices() {
        if c == '@' && !prev.is_some_and(login) {
            let name: String = text[i + 1..].chars().take_while(|c| login(*c)).collect();
            let name = name.trim_end_matches(['.', '-']).to_lowercase();
            if !name.is_empty() && !out.contains(&name) {
                out.push(name);
            }
        }
        prev = Some(c);
    }
    out
}

/// A line of text cut to about `n` characters, for an excerpt.
fn excerpt(text: &str, n: usize) -> String {
    let line = text.trim();
    if line.chars().count() <= n {
        return line.to_string();
    }
    let cut: String = line.chars().take(n).collect();
    format!("{}…", cut.trim_end())
}

impl Reader<'_> {
    /// A member's notifications, newest first: the unread ones, or all (`all`).
    pub fn notifications(&self, login: &str, all: bool, limit: i64) -> Result<Vec<Notification>> {
        self.c.rows(
            "SELECT n.id, n.kind, i.kind AS item_kind, i.num, i.title, n.by, n.at, n.excerpt, n.read_at
             FROM notifications n JOIN members m ON m.id = n.member_id JOIN items i ON i.id = n.item_id
             WHERE m.login = ?1 AND (CAST(?2 AS BIGINT) = 1 OR n.read_at IS NULL) ORDER BY n.id DESC LIMIT ?3",
            &[&login, &all, &limit],
            |r| {
                Ok(Notification {
                    id: r.get("id")?,
                    kind: r.get("kind")?,
                    item: ItemRef { kind: r.get("item_kind")?, num: r.get("num")? },
                    title: r.get("title")?,
                    by: r.get("by")?,
                    at: r.get("at")?,
                    excerpt: r.get("excerpt")?,
                    read: r.get::<Option<i64>>("read_at")?.is_some(),
                })
            },
        )
    }

    /// How many notifications the member has not read.
    pub fn unread_notifications(&self, login: &str) -> Result<i64> {
        self.c.one(
            "SELECT COUNT(*) FROM notifications n JOIN members m ON m.id = n.member_id
             WHERE m.login = ?1 AND n.read_at IS NULL",
            &[&login],
            |r| r.get(0),
        )
    }
}

impl Writer<'_> {
    /// Notify the member `login` (row `member`) of something `by` did on an item; nothing when it is their own doing.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn notify(
        &self,
        login: &str,
        member: i64,
        item: i64,
        kind: NoticeKind,
        by: &By,
        message: Option<i64>,
        text: &str,
    ) -> Result<()> {
        if login.eq_ignore_ascii_case(&by.who) {
            return Ok(());
        }
        self.c.execute(
            "INSERT INTO notifications(member_id, item_id, kind, by, at, message_row, excerpt)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            &[&member, &item, &kind, &by.who, &by.at, &message, &excerpt(text, 100)],
        )?;
        Ok(())
    }

    /// Take back the unread notices of `kind` that `by` caused on an item (an undone assignment tells no one).
    pub fn withdraw_notices(&self, item: ItemRef, kind: NoticeKind, by: &str) -> Result<usize> {
        let row = self.item_row(item)?;
        self.c.execute(
            "DELETE FROM notifications WHERE item_id = ?1 AND kind = ?2 AND by = ?3 AND read_at IS NULL",
            &[&row, &kind, &by],
        )
    }

    /// An internal note was written: the members it @mentions (other than its author) are notified, with the line
    /// that mentions them.
    pub(crate) fn notify_mentions(&self, item: i64, message: i64, body: &str, by: &By) -> Result<()> {
        for login in mentions(body) {
            let Some(member) = self.c.value::<i64>("SELECT id FROM members WHERE lower(login) = ?1", &[&login])? else {
                continue;
            };
            let line = body.lines().find(|l| mentions(l).contains(&login)).unwrap_or(body);
            self.notify(&login, member, item, NoticeKind::Mentioned, by, Some(message), line)?;
        }
        Ok(())
    }

    /// A customer answered on an item: its owner is notified, with the start of the message.
    pub fn notify_answer(&self, item: i64, message: i64, from: &str, body: &str, at: i64) -> Result<()> {
        let owner: Option<(i64, String)> = self.c.row(
            "SELECT m.id, m.login FROM items i JOIN members m ON m.id = i.owner_id WHERE i.id = ?1",
            &[&item],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let Some((member, login)) = owner else { return Ok(()) };
        let first = body.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with('>')).unwrap_or("");
        self.notify(&login, member, item, NoticeKind::Answered, &By::at(from, at), Some(message), first)
    }

    /// The member opened an item: its notifications of them are read.
    pub fn read_item_notifications(&self, login: &str, r: ItemRef, at: i64) -> Result<usize> {
        self.c.execute(
            "UPDATE notifications SET read_at = ?4 WHERE read_at IS NULL
             AND member_id = (SELECT id FROM members WHERE login = ?1)
             AND item_id = (SELECT id FROM items WHERE kind = ?2 AND num = ?3)",
            &[&login, &r.kind, &r.num, &at],
        )
    }

    /// Mark one notification of the member read (`Some(id)`), or all of them: how many were unread.
    pub fn read_notifications(&self, login: &str, id: Option<i64>, at: i64) -> Result<usize> {
        let mine = "member_id = (SELECT id FROM members WHERE login = ?1)";
        if let Some(id) = id {
            let known: Option<i64> =
                self.c.value(&format!("SELECT id FROM notifications WHERE id = ?2 AND {mine}"), &[&login, &id])?;
            if known.is_none() {
                return Err(Error::not_found(format!("notification {id} of {login}")));
            }
        }
        self.c.execute(
            &format!(
                "UPDATE notifications SET read_at = ?3 WHERE {mine} AND read_at IS NULL
                 AND (CAST(?2 AS BIGINT) IS NULL OR id = ?2)"
            ),
            &[&login, &id, &at],
        )
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn mentions_are_words_that_start_with_an_at() {
        assert_eq!(super::mentions("@alice can you look? cc @Bob."), ["alice", "bob"]);
        assert_eq!(super::mentions("mail bob@example.com or @alice, @alice"), ["alice"]);
        assert!(super::mentions("no one @ all").is_empty());
    }
}
