//! Work items: create and read conversations, tickets, issues and tasks.

use super::conn::Row;
use super::{By, Reader, Writer};
use crate::domain::{
    AccountId, ContactId, ContactRole, ItemRef, Kind, LinkEnd, LinkRel, NamedContact, PartKind, PartRef, Severity,
    SourceChannel, Subtype, TagTarget,
};
use crate::stage::AnyStage;
use crate::{Error, Result};
use serde::Serialize;

/// What a new item needs. Rows (`*_row`) are already resolved by the caller.
#[derive(Debug, Clone)]
pub struct NewItem {
    pub kind: Kind,
    pub title: String,
    pub description: String,
    pub severity: Option<Severity>,
    pub subtype: Option<Subtype>,
    pub part_row: Option<i64>,
    pub account_row: Option<i64>,
    pub contact_row: Option<i64>,
    pub owner: Option<String>,
    pub group: Option<String>,
    pub channel: SourceChannel,
    pub parent: Option<ItemRef>,
    pub reported_by: Vec<i64>,
    pub needs_response: bool,
    pub mailbox: Option<String>,
    /// Start somewhere other than the kind's initial stage (a conversation suspended as spam).
    pub stage: Option<AnyStage>,
    /// The title as subject threading compares it, when made already (by the mail reader, off the writer).
    pub norm_title: Option<String>,
}

impl NewItem {
    pub fn new(kind: Kind, title: impl Into<String>, channel: SourceChannel) -> NewItem {
        NewItem {
            kind,
            title: title.into(),
            description: String::new(),
            severity: None,
            subtype: None,
            part_row: None,
            account_row: None,
            contact_row: None,
            owner: None,
            group: None,
            channel,
            parent: None,
            reported_by: vec![],
            needs_response: false,
            mailbox: None,
            stage: None,
            norm_title: None,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct StageChange {
    pub from: Option<AnyStage>,
    pub to: AnyStage,
    pub by: String,
    #[serde(serialize_with = "crate::domain::ser_ts")]
    pub at: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ItemLink {
    pub rel: LinkRel,
    pub direction: LinkEnd,
    pub id: ItemRef,
    pub title: String,
    pub stage: AnyStage,
}

/// An item with everything its detail view shows.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub id: ItemRef,
    #[serde(skip)]
    pub row: i64,
    pub kind: Kind,
    pub title: String,
    pub description: String,
    pub stage: AnyStage,
    pub stage_label: &'static str,
    pub severity: Option<Severity>,
    pub subtype: Option<Subtype>,
    pub part: Option<PartRef>,
    pub part_name: Option<String>,
    pub account: Option<AccountId>,
    pub account_name: Option<String>,
    pub contact: Option<ContactId>,
    pub owner: Option<String>,
    pub group: Option<String>,
    pub needs_response: bool,
    pub source_channel: SourceChannel,
    pub mailbox: Option<String>,
    pub tags: Vec<String>,
    pub created_by: String,
    #[serde(serialize_with = "crate::domain::ser_ts")]
    pub created_at: i64,
    pub updated_by: String,
    #[serde(serialize_with = "crate::domain::ser_ts")]
    pub updated_at: i64,
    #[serde(serialize_with = "crate::domain::ser_opt_ts")]
    pub closed_at: Option<i64>,
    pub parent: Option<ItemRef>,
    pub reported_by: Vec<NamedContact>,
    pub links: Vec<ItemLink>,
    pub history: Vec<StageChange>,
    pub message_count: i64,
    #[serde(skip)]
    pub known: bool,
    /// Edits so far: an edit is checked against the version the member saw (see [`Writer::expect_version`]).
    pub version: i64,
}

/// A stage read from `column` of a row, as a stage of `kind`.
pub(super) fn stage_at(r: &Row<'_>, kind: Kind, column: &str) -> Result<AnyStage> {
    AnyStage::parse(kind, &r.get::<String>(column)?)
}

impl Reader<'_> {
    /// The database row of a display id.
    pub fn item_row(&self, r: ItemRef) -> Result<i64> {
        self.c
            .value("SELECT id FROM items WHERE kind = ?1 AND num = ?2", &[&r.kind, &r.num])?
            .ok_or_else(|| Error::not_found(r.to_string()))
    }

    pub fn item_ref(&self, row: i64) -> Result<ItemRef> {
        self.c
            .row("SELECT kind, num FROM items WHERE id = ?1", &[&row], |r| {
                Ok(ItemRef { kind: r.get(0)?, num: r.get(1)? })
            })?
            .ok_or_else(|| Error::not_found(format!("item row {row}")))
    }

    pub fn item(&self, r: ItemRef) -> Result<Item> {
        let row = self.item_row(r)?;
        self.item_by_row(row)
    }

    pub fn item_by_row(&self, row: i64) -> Result<Item> {
        let mut item = self
            .c
            .row(
                "SELECT i.id AS row, i.kind, i.num, i.title, i.description, i.stage, i.severity, i.subtype,
                        p.kind AS part_kind, p.num AS part_num, p.name AS part_name, i.account_id, a.name AS account_name,
                        i.contact_id, m.login AS owner, i.grp, i.needs_response, i.channel, i.mailbox, i.created_by,
                        i.created_at, i.updated_by, i.updated_at, i.closed_at, i.known, i.version,
                        pi.kind AS parent_kind, pi.num AS parent_num
                 FROM items i LEFT JOIN parts p ON p.id = i.part_id LEFT JOIN accounts a ON a.id = i.account_id
                 LEFT JOIN members m ON m.id = i.owner_id LEFT JOIN items pi ON pi.id = i.parent_id WHERE i.id = ?1",
                &[&row],
                full_item,
            )?
            .ok_or_else(|| Error::not_found(format!("item row {row}")))?;
        item.tags = self.tags_of(TagTarget::Item, row)?;
        item.reported_by = self.c.rows(
            "SELECT c.id, c.name FROM item_contacts ic JOIN contacts c ON c.id = ic.contact_id
             WHERE ic.item_id = ?1 AND ic.role = ?2 ORDER BY c.id",
            &[&row, &ContactRole::ReportedBy],
            |r| Ok(NamedContact { id: r.get("id")?, name: r.get("name")? }),
        )?;
        item.links = self.links_of(row)?;
        item.history = self.history(row, item.kind)?;
        item.message_count = self.c.one("SELECT COUNT(*) FROM messages WHERE item_id = ?1", &[&row], |r| r.get(0))?;
        Ok(item)
    }

    /// The rows of the items linked to this one, either way.
    pub fn linked_rows(&self, row: i64) -> Result<Vec<i64>> {
        self.c.rows(
            "SELECT to_id FROM links WHERE from_id = ?1 UNION SELECT from_id FROM links WHERE to_id = ?1",
            &[&row],
            |r| r.get(0),
        )
    }

    pub fn links_of(&self, row: i64) -> Result<Vec<ItemLink>> {
        self.c.rows(
            "SELECT l.rel, 'out' AS dir, i.kind, i.num, i.title, i.stage FROM links l JOIN items i ON i.id = l.to_id WHERE l.from_id = ?1
             UNION ALL
             SELECT l.rel, 'in', i.kind, i.num, i.title, i.stage FROM links l JOIN items i ON i.id = l.from_id WHERE l.to_id = ?1
             UNION ALL
             SELECT 'task', 'out', i.kind, i.num, i.title, i.stage FROM items i WHERE i.parent_id = ?1
             ORDER BY 1, 3, 4",
            &[&row],
            |r| {
                let id = ItemRef { kind: r.get("kind")?, num: r.get("num")? };
                Ok(ItemLink {
                    rel: r.get("rel")?,
                    direction: if r.get::<String>("dir")? == "out" { LinkEnd::Out } else { LinkEnd::In },
                    id,
                    title: r.get("title")?,
                    stage: stage_at(r, id.kind, "stage")?,
                })
            },
        )
    }

    pub fn history(&self, row: i64, kind: Kind) -> Result<Vec<StageChange>> {
        self.c.rows(
            "SELECT from_stage, to_stage, by, at FROM stage_history WHERE item_id = ?1 ORDER BY id",
            &[&row],
            |r| {
                let from: Option<String> = r.get("from_stage")?;
                Ok(StageChange {
                    from: from.map(|f| AnyStage::parse(kind, &f)).transpose()?,
                    to: stage_at(r, kind, "to_stage")?,
                    by: r.get("by")?,
                    at: r.get("at")?,
                })
            },
        )
    }

    /// Who a reply goes to by default: To the *reported by* contacts, Cc the other *email members* (each by their
    /// first address).
    pub fn reply_recipients(&self, row: i64) -> Result<(Vec<String>, Vec<String>)> {
        let rows = self.c.rows(
            "SELECT ic.role, (SELECT e.email FROM contact_emails e WHERE e.contact_id = ic.contact_id
                               ORDER BY e.position, e.email LIMIT 1) AS email
             FROM item_contacts ic WHERE ic.item_id = ?1 ORDER BY ic.contact_id",
            &[&row],
            |r| Ok((r.get::<String>("role")?, r.get::<Option<String>>("email")?)),
        )?;
        let (mut to, mut cc): (Vec<String>, Vec<String>) = (vec![], vec![]);
        for (role, email) in rows {
            let Some(email) = email else { continue };
            let list = if role == ContactRole::ReportedBy.as_str() { &mut to } else { &mut cc };
            if !list.contains(&email) {
                list.push(email);
            }
        }
        cc.retain(|c| !to.contains(c));
        Ok((to, cc))
    }

    /// The tasks of an issue that are not closed.
    pub fn open_tasks(&self, issue: ItemRef) -> Result<Vec<ItemRef>> {
        let row = self.item_row(issue)?;
        let rows =
            self.c.rows("SELECT kind, num, stage FROM items WHERE parent_id = ?1 ORDER BY num", &[&row], |r| {
                let id = ItemRef { kind: r.get("kind")?, num: r.get("num")? };
                Ok((id, stage_at(r, id.kind, "stage")?))
            })?;
        Ok(rows.into_iter().filter(|(_, s)| !s.is_closed()).map(|(id, _)| id).collect())
    }

    /// An item's stage. On PostgreSQL the row stays locked until the transaction ends: a move is checked against,
    /// and recorded from, the stage no other member can change meanwhile (the history stays a chain). The lock is
    /// `NO KEY UPDATE`, which the key-share locks of rows inserted under the item (a reply, a note) do not block:
    /// two members replying at once would otherwise each wait for the other (a deadlock).
    pub fn stage_of(&self, row: i64) -> Result<(Kind, AnyStage)> {
        let sql = self.c.pick([
            "SELECT kind, stage FROM items WHERE id = ?1",
            "SELECT kind, stage FROM items WHERE id = ?1 FOR NO KEY UPDATE",
        ]);
        let (kind, s): (Kind, String) = self.c.one(sql, &[&row], |r| Ok((r.get("kind")?, r.get("stage")?)))?;
        Ok((kind, AnyStage::parse(kind, &s)?))
    }
}

fn full_item(r: &Row<'_>) -> Result<Item> {
    let id = ItemRef { kind: r.get("kind")?, num: r.get("num")? };
    let part_kind: Option<PartKind> = r.get("part_kind")?;
    let parent_kind: Option<Kind> = r.get("parent_kind")?;
    let stage = stage_at(r, id.kind, "stage")?;
    Ok(Item {
        row: r.get("row")?,
        id,
        kind: id.kind,
        title: r.get("title")?,
        description: r.get("description")?,
        stage,
        stage_label: stage.label(),
        severity: r.get("severity")?,
        subtype: r.get("subtype")?,
        part: part_kind.zip(r.get("part_num")?).map(|(kind, num)| PartRef { kind, num }),
        part_name: r.get("part_name")?,
        account: r.get("account_id")?,
        account_name: r.get("account_name")?,
        contact: r.get("contact_id")?,
        owner: r.get("owner")?,
        group: r.get("grp")?,
        needs_response: r.get("needs_response")?,
        source_channel: r.get("channel")?,
        mailbox: r.get("mailbox")?,
        tags: vec![],
        created_by: r.get("created_by")?,
        created_at: r.get("created_at")?,
        updated_by: r.get("updated_by")?,
        updated_at: r.get("updated_at")?,
        closed_at: r.get("closed_at")?,
        parent: parent_kind.zip(r.get("parent_num")?).map(|(kind, num)| ItemRef { kind, num }),
        reported_by: vec![],
        links: vec![],
        history: vec![],
        message_count: 0,
        known: r.get("known")?,
        version: r.get("version")?,
    })
}

impl Writer<'_> {
    /// Create an item in its initial stage and record that in the stage history.
    pub fn create_item(&self, n: &NewItem, by: &By) -> Result<ItemRef> {
        Ok(self.create_item_row(n, by)?.1)
    }

    /// [`Writer::create_item`], also giving the new item's row.
    pub fn create_item_row(&self, n: &NewItem, by: &By) -> Result<(i64, ItemRef)> {
        let title = n.title.trim();
        if title.is_empty() {
            return Err(Error::invalid(format!("a {} needs a title", n.kind.as_str())));
        }
        if matches!(n.kind, Kind::Ticket | Kind::Issue) && n.part_row.is_none() {
            return Err(Error::invalid(format!("a {} needs a part (--part)", n.kind.as_str())));
        }
        let parent = match (n.kind, n.parent) {
            (Kind::Task, Some(p)) if p.kind == Kind::Issue => Some(self.item_row(p)?),
            (Kind::Task, _) => {
                return Err(Error::invalid("a task needs its issue (--issue ISS-n)"));
            }
            (_, Some(_)) => return Err(Error::invalid("only tasks have a parent issue")),
            (_, None) => None,
        };
        let owner = n.owner.as_deref().map(|o| self.member_row(o)).transpose()?;
        let stage = n.stage.unwrap_or(AnyStage::initial(n.kind));
        self.c.lock_numbering(format_args!("items {}", n.kind.as_str()))?;
        let cached = self.numbers.borrow().get(&n.kind).copied();
        let num: i64 = match cached {
            Some(num) => num,
            None => {
                self.c.one("SELECT COALESCE(MAX(num), 0) + 1 FROM items WHERE kind = ?1", &[&n.kind], |r| r.get(0))?
            }
        };
        let known = n.account_row.is_some() || n.kind != Kind::Conversation;
        let made;
        let norm = match &n.norm_title {
            Some(t) => t.as_str(),
            None => {
                made = crate::domain::normalise_subject(title);
                made.as_str()
            }
        };
        let row: i64 = self.c.insert_id(
            "INSERT INTO items(kind, num, title, description, stage, severity, subtype, part_id, account_id, contact_id,
               owner_id, grp, needs_response, known, channel, parent_id, mailbox, created_by, created_at, updated_by, updated_at,
               norm_title)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?18, ?19, ?20)",
            &[
                &n.kind,
                &num,
                &title,
                &n.description,
                &stage,
                &n.severity,
                &n.subtype,
                &n.part_row,
                &n.account_row,
                &n.contact_row,
                &owner,
                &n.group,
                &n.needs_response,
                &known,
                &n.channel,
                &parent,
                &n.mailbox,
                &by.who,
                &by.at,
                &norm,
            ],
        )?;
        self.numbers.borrow_mut().insert(n.kind, num + 1);
        self.queue_fts(super::Fts::Words(row, true));
        self.record_stage(row, None, stage, by)?;
        // Made with an owner by a member: that owner is told (mail and imports assign no one).
        if let (Some(m), Some(login)) = (owner, &n.owner)
            && self.member_row(&by.who).is_ok()
        {
            self.notify(login, m, row, crate::domain::NoticeKind::Assigned, by, None, "")?;
        }
        for c in &n.reported_by {
            self.add_item_contact(row, *c, ContactRole::ReportedBy)?;
        }
        Ok((row, ItemRef { kind: n.kind, num }))
    }

    /// A sender of mail on an item: *reported by* and *email member* at once (one statement, two rows).
    pub fn add_item_sender(&self, item: i64, contact: i64) -> Result<()> {
        let n = self.c.execute(
            "INSERT INTO item_contacts(item_id, contact_id, role)
             VALUES (?1, ?2, 'reported_by'), (?1, ?2, 'email_member') ON CONFLICT DO NOTHING",
            &[&item, &contact],
        )?;
        if n > 0 {
            self.queue_fts(super::Fts::Words(item, false));
        }
        Ok(())
    }

    pub fn add_item_contact(&self, item: i64, contact: i64, role: ContactRole) -> Result<()> {
        let n = self.c.execute(
            "INSERT INTO item_contacts(item_id, contact_id, role) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
            &[&item, &contact, &role],
        )?;
        if n > 0 {
            self.queue_fts(super::Fts::Words(item, false));
        }
        Ok(())
    }

    /// An email was added to a contact: the own words of its items change.
    pub(super) fn contact_words_changed(&self, contact: i64) -> Result<()> {
        let rows: Vec<i64> = self.c.rows(
            "SELECT id FROM items WHERE contact_id = ?1 UNION SELECT item_id FROM item_contacts WHERE contact_id = ?1",
            &[&contact],
            |r| r.get(0),
        )?;
        for row in rows {
            self.queue_fts(super::Fts::Words(row, false));
        }
        Ok(())
    }

    pub(super) fn record_stage(&self, row: i64, from: Option<AnyStage>, to: AnyStage, by: &By) -> Result<()> {
        self.c.execute(
            "INSERT INTO stage_history(item_id, from_stage, to_stage, by, at) VALUES (?1, ?2, ?3, ?4, ?5)",
            &[&row, &from.map(|s| s.as_str()), &to, &by.who, &by.at],
        )?;
        Ok(())
    }
}
