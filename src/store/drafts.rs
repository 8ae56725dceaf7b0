//! Drafts of replies and notes, saved as they are typed.

use super::{Reader, Writer};
use crate::Result;
use crate::domain::ItemRef;
use serde::Serialize;

/// A reply or note being written: its addressees, subject and text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Draft {
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub subject: String,
    pub body: String,
    /// Files to send with it (paths, read when it is sent).
    pub attach: Vec<String>,
    /// The message (row) it forwards, for a forward.
    pub forward_of: Option<i64>,
}

fn list(s: String) -> Vec<String> {
    s.split('\n').filter(|x| !x.trim().is_empty()).map(String::from).collect()
}

impl Reader<'_> {
    /// The member's draft on an item, if one is kept.
    pub fn draft(&self, item: ItemRef, member: &str, internal: bool) -> Result<Option<Draft>> {
        let row = self.item_row(item)?;
        self.c.row(
            "SELECT to_addrs, cc_addrs, subject, body, attach, forward_of FROM drafts
             WHERE item_id = ?1 AND member = ?2 AND internal = ?3",
            &[&row, &member, &internal],
            |r| {
                Ok(Draft {
                    to: list(r.get("to_addrs")?),
                    cc: list(r.get("cc_addrs")?),
                    subject: r.get("subject")?,
                    body: r.get("body")?,
                    attach: list(r.get("attach")?),
                    forward_of: r.get("forward_of")?,
                })
            },
        )
    }
}

impl Writer<'_> {
    /// Keep (or replace) the member's draft on an item; an empty text removes it.
    pub fn save_draft(&self, item: ItemRef, member: &str, internal: bool, d: &Draft, at: i64) -> Result<()> {
        let row = self.item_row(item)?;
        if d.body.trim().is_empty() {
            return self.drop_draft_row(row, member, internal);
        }
        self.c.execute(
            "INSERT INTO drafts(item_id, member, internal, to_addrs, cc_addrs, subject, body, updated_at, attach,
               forward_of)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT(item_id, member, internal) DO UPDATE SET to_addrs = excluded.to_addrs,
               cc_addrs = excluded.cc_addrs, subject = excluded.subject, body = excluded.body,
               updated_at = excluded.updated_at, attach = excluded.attach, forward_of = excluded.forward_of",
            &[
                &row,
                &member,
                &internal,
                &d.to.join("\n"),
                &d.cc.join("\n"),
                &d.subject,
                &d.body,
                &at,
                &d.attach.join("\n"),
                &d.forward_of,
            ],
        )?;
        Ok(())
    }

    /// The draft was sent (or thrown away on purpose).
    pub fn drop_draft(&self, item: ItemRef, member: &str, internal: bool) -> Result<()> {
        let row = self.item_row(item)?;
        self.drop_draft_row(row, member, internal)
    }

    fn drop_draft_row(&self, row: i64, member: &str, internal: bool) -> Result<()> {
        self.c.execute(
            "DELETE FROM drafts WHERE item_id = ?1 AND member = ?2 AND internal = ?3",
            &[&row, &member, &internal],
        )?;
        Ok(())
    }
}
