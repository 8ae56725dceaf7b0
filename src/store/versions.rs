//! No lost update: every edit of an item bumps its version and records who changed what; an edit checked against a
//! version older than the item's is refused with those changes.

use super::{By, Reader, Writer};
use crate::domain::ItemRef;
use crate::{Error, Result};
use serde::Serialize;

/// One edit of an item: the version it made, who made it, when, and what it changed ("stage Open → Pending").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub version: i64,
    pub by: String,
    #[serde(serialize_with = "crate::domain::ser_ts")]
    pub at: i64,
    pub what: String,
}

/// An item edited in a transaction: its version before the first edit and after the last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edited {
    pub item: ItemRef,
    pub before: i64,
    pub after: i64,
}

/// An edit refused because the item changed after the member saw it: the changes made since, and when the edit was
/// tried (for "4 s ago").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stale {
    pub item: ItemRef,
    pub seen: i64,
    pub version: i64,
    pub changes: Vec<Change>,
    pub tried_at: i64,
}

impl std::fmt::Display for Stale {
    /// "TKT-12 changed by bob 4 s ago (stage Open → Pending); reload to see it".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}; reload to see it", self.what())
    }
}

impl Stale {
    /// "TKT-12 changed by bob 4 s ago (stage Open → Pending)": who changed what since the member saw the item.
    pub fn what(&self) -> String {
        let Some(last) = self.changes.last() else {
            return format!("{} changed since you saw it", self.item);
        };
        let mut who: Vec<&str> = vec![];
        for c in &self.changes {
            if !who.contains(&c.by.as_str()) {
                who.push(&c.by);
            }
        }
        let skipped = self.changes.len().saturating_sub(3);
        let mut what: Vec<&str> = self.changes[skipped..].iter().map(|c| c.what.as_str()).collect();
        let more = if skipped > 0 { format!("{skipped} more; ") } else { String::new() };
        what.dedup();
        format!(
            "{} changed by {} {} ({more}{})",
            self.item,
            who.join(" and "),
            ago(self.tried_at - last.at),
            what.join("; ")
        )
    }
}

/// "4 s ago", "3 min ago", "2 h ago", "5 d ago".
pub fn ago(secs: i64) -> String {
    match secs {
        ..=0 => "just now".into(),
        1..60 => format!("{secs} s ago"),
        60..3600 => format!("{} min ago", secs / 60),
        3600..86400 => format!("{} h ago", secs / 3600),
        _ => format!("{} d ago", secs / 86400),
    }
}

impl Reader<'_> {
    /// The version of an item: what an edit is checked against.
    pub fn version_of(&self, r: ItemRef) -> Result<i64> {
        self.c
            .value("SELECT version FROM items WHERE kind = ?1 AND num = ?2", &[&r.kind, &r.num])?
            .ok_or_else(|| Error::not_found(r.to_string()))
    }

    /// The edits of an item after `version`, oldest first.
    pub fn changes_since(&self, row: i64, version: i64) -> Result<Vec<Change>> {
        self.c.rows(
            "SELECT version, by, at, what FROM item_changes WHERE item_id = ?1 AND version > ?2 ORDER BY version, id",
            &[&row, &version],
            |r| Ok(Change { version: r.get("version")?, by: r.get("by")?, at: r.get("at")?, what: r.get("what")? }),
        )
    }
}

impl Writer<'_> {
    /// Hold an item's row until the transaction ends and give its version: no other member's edit of it can come
    /// between what this transaction reads and what it writes (SQLite's writer already holds the whole database).
    /// `NO KEY UPDATE`: the key-share locks of replies and notes being inserted under the item do not block it (two
    /// members replying at once would each wait for the other).
    pub(crate) fn lock_item(&self, row: i64) -> Result<i64> {
        let sql = self.c.pick([
            "SELECT version FROM items WHERE id = ?1",
            "SELECT version FROM items WHERE id = ?1 FOR NO KEY UPDATE",
        ]);
        self.c.value(sql, &[&row])?.ok_or_else(|| Error::not_found(format!("item row {row}")))
    }

    /// The member saw `r` at version `seen`: refuse (with [`Error::Stale`]) if another edit came after it. The row
    /// stays locked, so the edits that follow in this transaction apply to exactly what was checked.
    pub fn expect_version(&self, r: ItemRef, seen: i64, by: &By) -> Result<()> {
        let row = self.item_row(r)?;
        let version = self.lock_item(row)?;
        if version == seen {
            return Ok(());
        }
        let changes = self.changes_since(row, seen)?;
        Err(Error::Stale(Box::new(Stale { item: r, seen, version, changes, tried_at: by.at })))
    }

    /// Record an edit of an item: its version goes up by one, with who changed what. Gives the new version.
    pub(crate) fn changed(&self, row: i64, by: &By, what: &str) -> Result<i64> {
        const BUMP: &str = "UPDATE items SET version = version + 1, updated_by = ?2,
             updated_at = CASE WHEN updated_at > ?3 THEN updated_at ELSE ?3 END WHERE id = ?1";
        // SQLite reads the version after (RETURNING would keep a statement journal for each edit).
        let version: i64 = if self.c.is_pg() {
            self.c.one(&format!("{BUMP} RETURNING version"), &[&row, &by.who, &by.at], |r| r.get(0))?
        } else {
            self.c.execute(BUMP, &[&row, &by.who, &by.at])?;
            self.c.one("SELECT version FROM items WHERE id = ?1", &[&row], |r| r.get(0))?
        };
        self.c.execute(
            "INSERT INTO item_changes(item_id, version, by, at, what) VALUES (?1, ?2, ?3, ?4, ?5)",
            &[&row, &version, &by.who, &by.at, &what],
        )?;
        self.edited.borrow_mut().entry(row).or_insert((version - 1, version)).1 = version;
        Ok(version)
    }

    /// The items this transaction edited so far, with their versions before and after (for undo, itself an edit
    /// checked against the versions after).
    pub fn edited(&self) -> Result<Vec<Edited>> {
        let rows: Vec<(i64, (i64, i64))> = self.edited.borrow().iter().map(|(r, v)| (*r, *v)).collect();
        rows.into_iter().map(|(row, (before, after))| Ok(Edited { item: self.item_ref(row)?, before, after })).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Kind;

    fn change(by: &str, at: i64, what: &str) -> Change {
        Change { version: 1, by: by.into(), at, what: what.into() }
    }

    #[test]
    fn the_refusal_says_who_changed_what_and_when() {
        let item = ItemRef { kind: Kind::Ticket, num: 12 };
        let s = Stale {
            item,
            seen: 3,
            version: 4,
            changes: vec![change("bob", 96, "stage Open → Pending")],
            tried_at: 100,
        };
        assert_eq!(s.to_string(), "TKT-12 changed by bob 4 s ago (stage Open → Pending); reload to see it");
        let s = Stale {
            changes: vec![change("bob", 10, "owner alice → bob"), change("carol", 40, "tag +vip")],
            tried_at: 400,
            ..s
        };
        assert_eq!(
            s.to_string(),
            "TKT-12 changed by bob and carol 6 min ago (owner alice → bob; tag +vip); reload to see it"
        );
    }
}
