//! Changes to items: stage moves with their automatic consequences, owner, tags, attributes and links.

use super::{By, Writer};
use crate::domain::{ItemRef, Kind, LinkRel, Severity, TagTarget};
use crate::stage::{self, AnyStage, Happened, IssueStage, TicketReaction};
use crate::{Error, Result};

/// What a customer message did to an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CustomerEffect {
    Applied,
    /// The ticket is closed beyond its reopen window: the caller opens a new one linked `related`.
    NeedsNewTicket,
}

/// A stage move of an item: automatic ones are named to the member and undone with the change that caused them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moved {
    pub item: ItemRef,
    pub from: AnyStage,
    pub to: AnyStage,
}

impl std::fmt::Display for Moved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} → {}", self.item, self.to.label())
    }
}

impl Writer<'_> {
    /// A checked stage move, recorded in the history, with the moves it causes on linked items.
    pub fn set_stage(&self, r: ItemRef, to: AnyStage, by: &By) -> Result<()> {
        let row = self.item_row(r)?;
        let (_, from) = self.stage_of(row)?;
        from.check(to)?;
        self.move_stage(row, from, to, by)
    }

    /// The automatic moves made so far in this transaction (taken: a second call starts empty).
    pub fn take_auto_moves(&self) -> Vec<Moved> {
        std::mem::take(&mut *self.auto_moves.borrow_mut())
    }

    /// An automatic move: written like any other and kept for [`Writer::take_auto_moves`].
    fn auto_move(&self, row: i64, from: AnyStage, to: AnyStage, by: &By) -> Result<()> {
        self.move_stage(row, from, to, by)?;
        let item = self.item_ref(row)?;
        self.auto_moves.borrow_mut().push(Moved { item, from, to });
        Ok(())
    }

    /// Write a move already known to be legal (or an automatic one) and follow its consequences.
    fn move_stage(&self, row: i64, from: AnyStage, to: AnyStage, by: &By) -> Result<()> {
        let closed_at = to.is_closed().then_some(by.at);
        let needs = stage::needs_response_after(Happened::Moved(to));
        self.c.execute(
            "UPDATE items SET stage = ?2, closed_at = ?3, needs_response = COALESCE(?4, needs_response) WHERE id = ?1",
            &[&row, &to, &closed_at, &needs],
        )?;
        self.record_stage(row, Some(from), to, by)?;
        self.changed(row, by, &format!("stage {} → {}", from.label(), to.label()))?;
        if let AnyStage::Issue(s) = to {
            self.follow_issue(row, s, by)?;
        }
        Ok(())
    }

    /// Tickets linked to an issue follow it: start → In development; all complete → Awaiting customer response.
    fn follow_issue(&self, issue_row: i64, s: IssueStage, by: &By) -> Result<()> {
        let tickets = self.ids("SELECT from_id FROM links WHERE to_id = ?1 AND rel = 'issue'", issue_row)?;
        let auto = By::at(format!("auto ({})", by.who), by.at);
        for t in tickets {
            let (_, AnyStage::Ticket(ts)) = self.stage_of(t)? else {
                continue;
            };
            let next = if s == IssueStage::InDevelopment {
                stage::ticket_on_issue_started(ts)
            } else {
                let linked = self.linked_issue_stages(t)?;
                stage::ticket_on_issues_changed(ts, &linked)
            };
            if let Some(n) = next {
                self.auto_move(t, AnyStage::Ticket(ts), AnyStage::Ticket(n), &auto)?;
            }
        }
        Ok(())
    }

    fn linked_issue_stages(&self, ticket_row: i64) -> Result<Vec<IssueStage>> {
        self.c.rows(
            "SELECT i.stage FROM links l JOIN items i ON i.id = l.to_id WHERE l.from_id = ?1 AND l.rel = 'issue'",
            &[&ticket_row],
            |r| r.get("stage"),
        )
    }

    /// A valid customer message arrived on an item: needs response, and the automatic stage moves.
    pub fn apply_customer_message(&self, row: i64, by: &By, reopen_days: i64) -> Result<CustomerEffect> {
        let (_, s) = self.stage_of(row)?;
        let auto = By::at(format!("auto ({})", by.who), by.at);
        match s {
            AnyStage::Conversation(c) => {
                if let Some(n) = stage::conversation_on_customer_message(c) {
                    self.auto_move(row, s, AnyStage::Conversation(n), &auto)?;
                }
            }
            AnyStage::Ticket(t) => {
                let closed_at: Option<i64> =
                    self.c.one("SELECT closed_at FROM items WHERE id = ?1", &[&row], |r| r.get(0))?;
                let closed = closed_at.and_then(|c| chrono::DateTime::from_timestamp(c, 0));
                let now = chrono::DateTime::from_timestamp(by.at, 0).unwrap_or_default();
                match stage::ticket_on_customer_message(t, closed, now, reopen_days) {
                    TicketReaction::Stay => {}
                    TicketReaction::Move(n) => self.auto_move(row, s, AnyStage::Ticket(n), &auto)?,
                    TicketReaction::NewRelated => return Ok(CustomerEffect::NeedsNewTicket),
                }
            }
            AnyStage::Issue(_) | AnyStage::Task(_) => {}
        }
        self.set_needs_response(row, Happened::CustomerWrote, by)?;
        Ok(CustomerEffect::Applied)
    }

    /// A member replied to the customer: needs response clears, a conversation waits on the user.
    pub fn apply_member_reply(&self, row: i64, by: &By) -> Result<()> {
        let (_, s) = self.stage_of(row)?;
        if let AnyStage::Conversation(c) = s
            && let Some(n) = stage::conversation_on_member_reply(c)
        {
            self.auto_move(row, s, AnyStage::Conversation(n), by)?;
        }
        self.set_needs_response(row, Happened::MemberReplied, by)
    }

    fn set_needs_response(&self, row: i64, h: Happened, by: &By) -> Result<()> {
        self.c.execute(
            "UPDATE items SET needs_response = COALESCE(?4, needs_response), updated_by = ?2,
             updated_at = CASE WHEN updated_at > ?3 THEN updated_at ELSE ?3 END WHERE id = ?1",
            &[&row, &by.who, &by.at, &stage::needs_response_after(h)],
        )?;
        Ok(())
    }

    /// Restore a previous stage without checking the table: only for undo, and recorded as such. `needs` is the
    /// item's needs-response before the move undone (None: what a move to `to` implies).
    pub fn restore_stage(&self, r: ItemRef, to: AnyStage, needs: Option<bool>, by: &By) -> Result<()> {
        let row = self.item_row(r)?;
        let (_, from) = self.stage_of(row)?;
        let closed_at = to.is_closed().then_some(by.at);
        let needs = needs.or(stage::needs_response_after(Happened::Moved(to)));
        self.c.execute(
            "UPDATE items SET stage = ?2, closed_at = ?3, updated_by = ?4, updated_at = ?5,
             needs_response = COALESCE(?6, needs_response) WHERE id = ?1",
            &[&row, &to, &closed_at, &by.who, &by.at, &needs],
        )?;
        self.record_stage(row, Some(from), to, &By::at(format!("undo ({})", by.who), by.at))?;
        self.changed(row, by, &format!("stage {} → {} (undo)", from.label(), to.label()))?;
        Ok(())
    }

    /// Set or clear the owner. Returns the previous owner's login. The new owner is notified (unless they assign
    /// themselves).
    pub fn assign(&self, r: ItemRef, member: Option<&str>, by: &By) -> Result<Option<String>> {
        let row = self.item_row(r)?;
        self.lock_item(row)?;
        let prev: Option<String> = self.c.one(
            "SELECT m.login FROM items i LEFT JOIN members m ON m.id = i.owner_id WHERE i.id = ?1",
            &[&row],
            |r| r.get(0),
        )?;
        let owner = member.map(|m| self.member_row(m)).transpose()?;
        if prev.as_deref() == member {
            return Ok(prev);
        }
        self.c.execute("UPDATE items SET owner_id = ?2 WHERE id = ?1", &[&row, &owner])?;
        let name = |o: Option<&str>| o.unwrap_or("nobody").to_string();
        self.changed(row, by, &format!("owner {} → {}", name(prev.as_deref()), name(member)))?;
        if let (Some(m), Some(login)) = (owner, member) {
            self.notify(login, m, row, crate::domain::NoticeKind::Assigned, by, None, "")?;
        }
        Ok(prev)
    }

    pub fn set_severity(&self, r: ItemRef, sev: Option<Severity>, by: &By) -> Result<Option<Severity>> {
        let row = self.item_row(r)?;
        self.lock_item(row)?;
        let prev: Option<Severity> = self.c.one("SELECT severity FROM items WHERE id = ?1", &[&row], |r| r.get(0))?;
        if prev == sev {
            return Ok(prev);
        }
        self.c.execute("UPDATE items SET severity = ?2 WHERE id = ?1", &[&row, &sev])?;
        let name = |s: Option<Severity>| s.map(|s| s.as_str()).unwrap_or("none");
        self.changed(row, by, &format!("severity {} → {}", name(prev), name(sev)))?;
        Ok(prev)
    }

    pub fn set_part(&self, r: ItemRef, part_row: i64, by: &By) -> Result<()> {
        let row = self.item_row(r)?;
        self.lock_item(row)?;
        let (prev_row, prev): (Option<i64>, Option<String>) = self.c.one(
            "SELECT i.part_id, p.name FROM items i LEFT JOIN parts p ON p.id = i.part_id WHERE i.id = ?1",
            &[&row],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if prev_row == Some(part_row) {
            return Ok(());
        }
        self.c.execute("UPDATE items SET part_id = ?2 WHERE id = ?1", &[&row, &part_row])?;
        let name: String = self.c.one("SELECT name FROM parts WHERE id = ?1", &[&part_row], |r| r.get(0))?;
        self.changed(row, by, &format!("part {} → {name}", prev.as_deref().unwrap_or("none")))?;
        Ok(())
    }

    pub fn set_title(&self, r: ItemRef, title: &str, by: &By) -> Result<()> {
        if title.trim().is_empty() {
            return Err(Error::invalid("a title cannot be empty"));
        }
        let row = self.item_row(r)?;
        self.lock_item(row)?;
        self.c.execute(
            "UPDATE items SET title = ?2, norm_title = ?3 WHERE id = ?1",
            &[&row, &title.trim(), &crate::domain::normalise_subject(title)],
        )?;
        self.changed(row, by, &format!("title “{}”", title.trim()))?;
        Ok(())
    }

    /// Add tags; returns those that were new.
    pub fn tag_item(&self, r: ItemRef, tags: &[String], by: &By) -> Result<Vec<String>> {
        let row = self.item_row(r)?;
        self.lock_item(row)?;
        let mut added = vec![];
        for t in tags {
            if self.tag(TagTarget::Item, row, t)? {
                added.push(crate::domain::normalise_tag(t)?);
            }
        }
        if !added.is_empty() {
            let what: Vec<String> = added.iter().map(|t| format!("+{t}")).collect();
            self.changed(row, by, &format!("tag {}", what.join(" ")))?;
        }
        Ok(added)
    }

    pub fn untag_item(&self, r: ItemRef, tag: &str, by: &By) -> Result<bool> {
        let row = self.item_row(r)?;
        self.lock_item(row)?;
        let removed = self.untag(TagTarget::Item, row, tag)?;
        if removed {
            self.changed(row, by, &format!("tag −{}", crate::domain::normalise_tag(tag).unwrap_or(tag.to_string())))?;
        }
        Ok(removed)
    }

    /// Both ends of a link, locked in one order (two members linking the same pair both ways wait, never deadlock).
    fn lock_pair(&self, a: i64, b: i64) -> Result<()> {
        self.lock_item(a.min(b))?;
        self.lock_item(a.max(b))?;
        Ok(())
    }

    /// Link two items. `issue` links go ticket → issue, `ticket` links conversation → ticket.
    pub fn link(&self, from: ItemRef, to: ItemRef, rel: LinkRel, by: &By) -> Result<bool> {
        if from == to {
            return Err(Error::invalid("an item cannot be linked to itself"));
        }
        rel.check_kinds(from.kind, to.kind)?;
        let (a, b) = (self.item_row(from)?, self.item_row(to)?);
        self.lock_pair(a, b)?;
        let n = self.c.execute(
            "INSERT INTO links(from_id, to_id, rel, created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT DO NOTHING",
            &[&a, &b, &rel, &by.who, &by.at],
        )?;
        if n > 0 {
            self.changed(a, by, &format!("link {from} {rel} {to}"))?;
            self.changed(b, by, &format!("link {from} {rel} {to}"))?;
        }
        if rel == LinkRel::Issue
            && let (_, AnyStage::Ticket(ts)) = self.stage_of(a)?
            && let Some(next) = stage::ticket_on_issue_linked(ts)
        {
            self.auto_move(
                a,
                AnyStage::Ticket(ts),
                AnyStage::Ticket(next),
                &By::at(format!("auto ({})", by.who), by.at),
            )?;
        }
        Ok(n > 0)
    }

    pub fn unlink(&self, from: ItemRef, to: ItemRef, rel: LinkRel, by: &By) -> Result<bool> {
        let (a, b) = (self.item_row(from)?, self.item_row(to)?);
        self.lock_pair(a, b)?;
        let n = self.c.execute("DELETE FROM links WHERE from_id = ?1 AND to_id = ?2 AND rel = ?3", &[&a, &b, &rel])?;
        if n > 0 {
            self.changed(a, by, &format!("unlink {from} {rel} {to}"))?;
            self.changed(b, by, &format!("unlink {from} {rel} {to}"))?;
        }
        Ok(n > 0)
    }

    /// Create a ticket from a conversation: title and description copied, both linked.
    pub fn ticket_from_conversation(
        &self,
        conv: ItemRef,
        part_row: i64,
        channel: crate::domain::SourceChannel,
        by: &By,
    ) -> Result<ItemRef> {
        if conv.kind != Kind::Conversation {
            return Err(Error::invalid(format!("{conv} is not a conversation")));
        }
        let c = self.item(conv)?;
        if let Some(t) = c.links.iter().find(|l| l.id.kind == Kind::Ticket) {
            return Err(Error::invalid(format!("{conv} already has ticket {} (one conversation, one ticket)", t.id)));
        }
        let mut n = super::NewItem::new(Kind::Ticket, c.title.clone(), channel);
        // An unanswered customer mail is the ticket's to answer now.
        n.needs_response = c.needs_response;
        n.description = if c.description.is_empty() { self.first_message_body(c.row)? } else { c.description.clone() };
        n.part_row = Some(part_row);
        n.account_row = c.account.map(|a| a.0);
        n.reported_by = c.reported_by.iter().map(|c| c.id.0).collect();
        n.contact_row = c.contact.map(|c| c.0);
        n.owner = c.owner.clone();
        n.mailbox = c.mailbox.clone();
        let t = self.create_item(&n, by)?;
        let t_row = self.item_row(t)?;
        // The conversation's mail thread comes along: its people stay on the ticket's replies.
        self.c.execute(
            "INSERT INTO item_contacts(item_id, contact_id, role)
             SELECT CAST(?2 AS BIGINT), contact_id, role FROM item_contacts WHERE item_id = ?1 ON CONFLICT DO NOTHING",
            &[&c.row, &t_row],
        )?;
        self.queue_fts(super::Fts::Words(t_row, false));
        // A reply or note begun on the conversation is the ticket's now: it is answered there.
        self.c.execute("UPDATE drafts SET item_id = ?2 WHERE item_id = ?1", &[&c.row, &t_row])?;
        self.link(conv, t, LinkRel::Ticket, by)?;
        // The waiting customer is the ticket's to answer now (it took needs-response): the conversation leaves the
        // queue instead of inviting a second answer.
        if c.needs_response {
            self.c.execute("UPDATE items SET needs_response = 0 WHERE id = ?1", &[&c.row])?;
        }
        Ok(t)
    }
}
