//! The ingest pipeline: raw bytes → ledger check → parse → classify → identity → protection → thread → route → store.

use super::classify::{Class, classify};
use super::identity::{Sender, contact_for};
use super::parse::{ParseError, Parsed, parse};
use crate::Result;
use crate::config::{Limits, RoutingRule};
use crate::domain::{
    ContactRole, Direction, ItemRef, Kind, LinkRel, MsgChannel, PartKind, SourceChannel, TagTarget, tags,
};
use crate::stage::{AnyStage, ConversationStage};
use crate::store::{By, CustomerEffect, NewItem, NewLedger, NewMessage, Packed, RawSha, Writer, pack};
use serde::Serialize;

pub use super::outcome::{Outcome, Summary};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Conversations,
    Tickets,
}

#[derive(Debug, Clone)]
pub struct IngestOptions {
    pub mode: Mode,
    /// Our own mailbox address: never a contact, and the From of replies.
    pub mailbox: Option<String>,
    pub limits: Limits,
    pub routing: Vec<RoutingRule>,
    pub reopen_days: i64,
    /// Part (id or name) for tickets created from mail.
    pub part: Option<String>,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            mode: Mode::Conversations,
            mailbox: None,
            limits: Limits::default(),
            routing: vec![],
            reopen_days: crate::stage::REOPEN_WINDOW_DAYS,
            part: None,
        }
    }
}

/// What ingesting needs that no database does: the hash, the parse and the class. Made on any thread.
pub struct Prepared {
    sha: RawSha,
    packed: Packed,
    parsed: std::result::Result<(Parsed, Class), ParseError>,
}

pub fn prepare(raw: &[u8], o: &IngestOptions) -> Prepared {
    Prepared {
        sha: RawSha::of(raw),
        packed: pack(raw),
        parsed: super::guard::catch(|| {
            parse(&cr_to_crlf(raw), o.limits.max_message_bytes).map(|mut p| {
                super::caps::apply(&mut p);
                p.norm_subject = crate::domain::normalise_subject(&p.subject);
                let c = classify(&p);
                (p, c)
            })
        })
        .unwrap_or_else(|why| Err(ParseError::Unexpected(why))),
    }
}

/// Bytes with CR-only line endings (an old Mac mbox) as CRLF, for the parser; the raw copy keeps the original.
fn cr_to_crlf(raw: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    if raw.contains(&b'\n') || !raw.contains(&b'\r') {
        return std::borrow::Cow::Borrowed(raw);
    }
    let mut out = Vec::with_capacity(raw.len() + raw.len() / 32);
    for &b in raw {
        out.push(b);
        if b == b'\r' {
            out.push(b'\n');
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Ingest one raw message inside the caller's transaction. A message that cannot be stored for a reason in its
/// data is quarantined with that reason; only database failures are errors.
pub fn ingest(w: &Writer<'_>, raw: &[u8], source: &str, o: &IngestOptions, now: i64) -> Result<Outcome> {
    ingest_prepared(w, raw, &prepare(raw, o), source, o, now)
}

/// [`ingest`] of a message whose [`prepare`] was done already.
pub fn ingest_prepared(
    w: &Writer<'_>,
    raw: &[u8],
    prep: &Prepared,
    source: &str,
    o: &IngestOptions,
    now: i64,
) -> Result<Outcome> {
    debug_assert_eq!(raw.len(), prep.packed.size, "prepared from other bytes");
    let sha = &prep.sha;
    // Kept first: bytes new to raw_mail were never read before, and need no look in the ledger.
    let new_bytes = w.keep_raw(sha, &prep.packed)?;
    let copies = if new_bytes && !w.ledger_may_lack_raw()? { (None, false) } else { w.ledger_copies(sha, source)? };
    match copies {
        // Read again from where it was read: accounted for already.
        (_, true) => return Ok(Outcome::Duplicate("already imported".into())),
        // The same bytes from elsewhere: a row that points at the first copy.
        (Some(first), false) => {
            let reason = format!("same bytes as ledger row {} ({})", first.ledger, first.source);
            w.add_ledger(&NewLedger {
                source,
                message_id: None,
                sha256: sha,
                outcome: "duplicate",
                reason: &reason,
                item_row: first.item_row,
                msg_row: first.msg_row,
                at: now,
            })?;
            return Ok(Outcome::Duplicate("already imported".into()));
        }
        (None, false) => {}
    }
    // Any unexpected failure (a panic) undoes the message's writes and quarantines it with its reason.
    let run = |w: &Writer<'_>| {
        super::guard::catch(|| pipeline(w, source, sha, &prep.parsed, o, now))
            .unwrap_or_else(|why| Err(crate::Error::invalid(why)))
    };
    match w.attempt(run) {
        Err(e @ (crate::Error::Db(_) | crate::Error::Pg(_))) if !e.is_constraint() => Err(e),
        Err(crate::Error::NeedsSavepoints) => Err(crate::Error::NeedsSavepoints),
        Err(e) => {
            let reason = format!("could not be stored: {e}");
            let out = Outcome::Quarantined(reason.clone());
            let id = w.add_ledger(&NewLedger {
                source,
                message_id: None,
                sha256: sha,
                outcome: out.name(),
                reason: &reason,
                item_row: None,
                msg_row: None,
                at: now,
            })?;
            w.add_quarantine(id, &reason)?;
            tracing::warn!(source, "{reason}");
            Ok(out)
        }
        ok => ok,
    }
}

/// How far ahead of arrival a message's Date may be (clocks and time zones that are a little off).
const FUTURE_SLACK: i64 = 24 * 3600;

fn pipeline(
    w: &Writer<'_>,
    source: &str,
    sha: &RawSha,
    parsed: &std::result::Result<(Parsed, Class), ParseError>,
    o: &IngestOptions,
    now: i64,
) -> Result<Outcome> {
    let ledger = |mid: Option<&str>, outcome: &Outcome, reason: &str, item: Option<i64>, msg: Option<i64>| {
        w.add_ledger(&NewLedger {
            source,
            message_id: mid,
            sha256: sha,
            outcome: outcome.name(),
            reason,
            item_row: item,
            msg_row: msg,
            at: now,
        })
    };
    let (p, class) = match parsed {
        Ok((p, c)) => (p, c.clone()),
        Err(e) => {
            let out = Outcome::Quarantined(e.to_string());
            let id = ledger(None, &out, &e.to_string(), None, None)?;
            w.add_quarantine(id, &e.to_string())?;
            return Ok(out);
        }
    };
    let mid = p.message_id.as_deref();
    if let Some(m) = mid
        && w.message_by_message_id(m)?.is_some()
    {
        let out = Outcome::Duplicate(format!("Message-ID <{m}> is stored already"));
        ledger(mid, &out, "same Message-ID delivered again", None, None)?;
        return Ok(out);
    }
    // A Date more than a day ahead of arrival (a wrong clock, spam dated 3609) would sort above today's work for
    // ever: such a message is dated when it arrived (its raw keeps the header).
    let at = p.date.filter(|d| *d <= now + FUTURE_SLACK).unwrap_or(now);
    let sender = p.from.clone().filter(|(a, _)| Some(a.as_str()) != o.mailbox.as_deref());
    let ident = match &sender {
        Some((addr, name)) if !class.is_machine() => Some(contact_for(w, addr, name, at, true)?),
        _ => None,
    };
    let contact = ident.map(|i| i.contact);
    let by = By::at(sender.as_ref().map(|s| s.0.clone()).unwrap_or_else(|| "mail".into()), at);

    // Machine mail: matched to its item if it threads by reference, else the machine lane; no stage effects.
    if let Class::Dsn(d) = &class {
        let original = d.original_message_id.as_deref().map(|m| w.message_by_message_id(m)).transpose()?.flatten();
        let item = original.and_then(|(_, item)| item);
        if let (Some((row, _)), Some(state)) = (original, d.state()) {
            w.set_delivery(row, state, Some(&d.detail()))?;
        }
        let reason = match (&original, &d.original_message_id) {
            (Some(_), Some(m)) => format!("delivery report on <{m}>: {}", d.detail()),
            _ => format!("unmatched delivery report: {}", d.detail()),
        };
        let msg = store_message(w, p, item, None, "dsn", &reason, at)?;
        let failed =
            (d.state() == Some(crate::domain::DeliveryState::Bounced) && original.is_some()).then(|| d.detail());
        let out = Outcome::Bounce(item.map(|i| w.item_ref(i)).transpose()?, failed);
        ledger(mid, &out, &reason, item, Some(msg))?;
        return Ok(out);
    }
    if class.is_machine() {
        let found = thread_by_reference(w, p)?;
        let item = found.as_ref().map(|f| f.0);
        let why = match &class {
            Class::AutoReply(r) => format!("auto-reply ({r})"),
            _ => "abuse report".to_string(),
        };
        let reason = match &found {
            Some((_, _, r)) => format!("{why}; {r}"),
            None => format!("{why}; machine lane"),
        };
        let msg = store_message(w, p, item, None, class.name(), &reason, at)?;
        let out = if class == Class::Abuse { Outcome::Abuse } else { Outcome::AutoReply(found.as_ref().map(|f| f.1)) };
        ledger(mid, &out, &reason, item, Some(msg))?;
        return Ok(out);
    }

    // Protection: per-sender rate limit.
    if let Some(s) = ident
        && let Some(out) = protect(w, s, p, &o.limits, at, &by)?
    {
        let (item, msg_row, reason) = match &out {
            Outcome::Spam(r) => {
                let row = w.item_row(*r)?;
                (
                    Some(row),
                    Some(store_message(w, p, Some(row), contact, "spam", "rate limit: stored as spam", at)?),
                    "sender over the rate limit: spam",
                )
            }
            _ => (None, None, "sender blocked by the rate limit: dropped, raw kept"),
        };
        let id = ledger(mid, &out, reason, item, msg_row)?;
        if msg_row.is_none() {
            w.add_quarantine(id, reason)?;
        }
        return Ok(out);
    }

    let kind = match o.mode {
        Mode::Conversations => Kind::Conversation,
        Mode::Tickets => Kind::Ticket,
    };
    let mut found = thread_by_reference(w, p)?;
    // A sender new with this message is a participant of no item yet. List mail threads by its headers only (as
    // notmuch does): on a list, the same sender and subject are often a new thread.
    if found.is_none()
        && class != Class::List
        && let Some(s) = ident.filter(|s| !s.new)
    {
        let norm = &p.norm_subject;
        if !norm.is_empty()
            && let Some(row) = w.open_item_by_subject(kind.as_str(), norm, s.contact)?
        {
            let r = w.item_ref(row)?;
            found = Some((row, r, format!("subject + sender matched {r}")));
        }
    }
    // A conversation made into a ticket goes on there: the customer's answer is the ticket's to see and answer.
    if let Some((row, old, reason)) = &found
        && old.kind == Kind::Conversation
        && let Some((t_row, t)) = w.ticket_of_conversation(*row)?
    {
        found = Some((t_row, t, format!("{reason}, continued on {t} (made from {old})")));
    }
    let (row, out, reason) = match found {
        Some((row, old, reason)) => {
            // List mail joins a closed item without reopening it (RFC 3834: never act automatically on it).
            let effects = match class {
                Class::List => !w.stage_of(row)?.1.is_closed(),
                _ => true,
            };
            if effects && w.apply_customer_message(row, &by, o.reopen_days)? == CustomerEffect::NeedsNewTicket {
                let (new_row, r) = new_item(w, p, kind, ident, o, at, &by)?;
                w.link(r, old, LinkRel::Related, &by)?;
                (new_row, Outcome::New(r), format!("{reason}, closed beyond the reopen window: new {r} linked related"))
            } else {
                (row, Outcome::FollowUp(old), reason)
            }
        }
        None => {
            let (row, r) = new_item(w, p, kind, ident, o, at, &by)?;
            (row, Outcome::New(r), "new thread".to_string())
        }
    };
    let msg = store_message(w, p, Some(row), contact, class.name(), &reason, at)?;
    if matches!(out, Outcome::FollowUp(_)) {
        let from = p.from.as_ref().map(|f| f.0.as_str()).unwrap_or_default();
        w.notify_answer(row, msg, from, &p.body, at)?;
    }
    add_participants(w, row, p, ident, o)?;
    ledger(mid, &out, &reason, Some(row), Some(msg))?;
    Ok(out)
}

/// Rule 1 of threading: a Message-ID we stored in In-Reply-To or References, a stored message sharing a referenced id,
/// or a stored message that references this one.
fn thread_by_reference(w: &Writer<'_>, p: &Parsed) -> Result<Option<(i64, ItemRef, String)>> {
    let mut ids: Vec<(&str, &str)> = p.in_reply_to.iter().map(|i| ("In-Reply-To", i.as_str())).collect();
    ids.extend(p.references.iter().rev().map(|i| ("References", i.as_str())));
    for (h, id) in &ids {
        if let Some((item, r)) = w.item_of_message_id(id)? {
            return Ok(Some((item, r, format!("{h} <{id}> matched {r}"))));
        }
    }
    for (h, id) in &ids {
        if let Some((item, r)) = w.item_referencing(id)? {
            return Ok(Some((item, r, format!("{h} <{id}> shared with {r}"))));
        }
    }
    if let Some(m) = &p.message_id
        && let Some((item, r)) = w.item_referencing(m)?
    {
        return Ok(Some((item, r, format!("a reply in {r} references <{m}>"))));
    }
    Ok(None)
}

fn protect(w: &Writer<'_>, s: Sender, p: &Parsed, l: &Limits, at: i64, by: &By) -> Result<Option<Outcome>> {
    let contact = s.contact;
    // A contact made for this message has no tags and no earlier messages.
    let has = if s.new {
        vec![]
    } else {
        w.tags_among(TagTarget::Contact, contact, &[tags::POWER_USER, tags::BLOCKED, tags::SPAMMER])?
    };
    let is = |t: &str| has.iter().any(|h| h == t);
    if is(tags::POWER_USER) {
        return Ok(None);
    }
    if is(tags::BLOCKED) {
        return Ok(Some(Outcome::Dropped));
    }
    let (recent, spam) = if s.new {
        (0, 0)
    } else {
        w.sender_counts(contact, at - l.window_minutes * 60, at - l.spam_window_hours * 3600)?
    };
    let spammer = is(tags::SPAMMER);
    if spammer && spam >= l.spam_cap {
        w.tag(TagTarget::Contact, contact, tags::BLOCKED)?;
        return Ok(Some(Outcome::Dropped));
    }
    if spammer || recent + 1 > l.max_per_window {
        if !spammer {
            w.tag(TagTarget::Contact, contact, tags::SPAMMER)?;
        }
        let title = if p.subject.trim().is_empty() { "(no subject)".to_string() } else { p.subject.trim().to_string() };
        let mut n = NewItem::new(Kind::Conversation, title, SourceChannel::Email);
        n.contact_row = Some(contact);
        n.stage = Some(AnyStage::Conversation(ConversationStage::Suspended));
        return Ok(Some(Outcome::Spam(w.create_item(&n, by)?)));
    }
    Ok(None)
}

fn new_item(
    w: &Writer<'_>,
    p: &Parsed,
    kind: Kind,
    ident: Option<Sender>,
    o: &IngestOptions,
    at: i64,
    by: &By,
) -> Result<(i64, ItemRef)> {
    let title = if p.subject.trim().is_empty() { "(no subject)".to_string() } else { p.subject.trim().to_string() };
    let mut n = NewItem::new(kind, title, SourceChannel::Email);
    n.norm_title = (!p.subject.trim().is_empty()).then(|| p.norm_subject.clone());
    n.description = match p.body.char_indices().nth(4000) {
        Some((end, _)) => p.body[..end].to_string(),
        None => p.body.clone(),
    };
    n.contact_row = ident.map(|i| i.contact);
    n.account_row = ident.and_then(|i| i.account);
    n.needs_response = true;
    n.mailbox = o.mailbox.clone();
    if kind == Kind::Ticket {
        n.part_row = Some(mail_part(w, o)?);
    }
    let text = if o.routing.is_empty() { String::new() } else { format!("{} {}", p.subject, p.body).to_lowercase() };
    let rule = o.routing.iter().find(|r| r.keywords.iter().any(|k| text.contains(&k.to_lowercase())));
    n.owner = match rule.and_then(|r| r.owner.clone()) {
        Some(owner) => Some(owner),
        None => match n.account_row {
            Some(a) => w.account_owner(a)?,
            None => None,
        },
    };
    n.group = rule.and_then(|r| r.group.clone());
    w.create_item_row(&n, &By::at(by.who.clone(), at))
}

fn mail_part(w: &Writer<'_>, o: &IngestOptions) -> Result<i64> {
    if let Some(p) = &o.part {
        return w.part_row(p);
    }
    if let Some(first) = w.parts()?.into_iter().find(|p| p.kind == PartKind::Product) {
        return Ok(first.row);
    }
    let id = w.add_part(PartKind::Product, "Unsorted", None)?;
    w.part_row_of(id)
}

fn store_message(
    w: &Writer<'_>,
    p: &Parsed,
    item: Option<i64>,
    contact: Option<i64>,
    class: &str,
    reason: &str,
    at: i64,
) -> Result<i64> {
    let (from_addr, from_name) = p.from.clone().unwrap_or_default();
    let m = NewMessage {
        item_row: item,
        channel: MsgChannel::Customer,
        direction: Direction::Inbound,
        message_id: p.message_id.clone(),
        in_reply_to: p.in_reply_to.first().cloned(),
        refs: p.references.clone(),
        from_addr,
        from_name,
        to: p.to.iter().map(|a| a.0.clone()).collect(),
        cc: p.cc.iter().map(|a| a.0.clone()).collect(),
        subject: p.subject.clone(),
        body: p.body.clone(),
        sent_at: at,
        author: None,
        contact_row: contact,
        delivery: None,
        thread_reason: reason.to_string(),
        class: class.to_string(),
    };
    let row = w.add_message(&m)?;
    let mut refs = p.references.clone();
    refs.extend(p.in_reply_to.iter().cloned());
    w.add_message_refs(row, &refs)?;
    for a in &p.attachments {
        w.add_attachment(row, &a.name, &a.mime, &a.data)?;
    }
    Ok(row)
}

/// Sender and To/Cc contacts of the sender's account are *reported by*; every participant is an *email member*.
fn add_participants(w: &Writer<'_>, item: i64, p: &Parsed, ident: Option<Sender>, o: &IngestOptions) -> Result<()> {
    let Some(Sender { contact: sender, account, .. }) = ident else {
        return Ok(());
    };
    w.add_item_sender(item, sender)?;
    let skip = |a: &str| Some(a) == o.mailbox.as_deref() || Some(a) == p.list_post.as_deref();
    for (addr, name) in p.to.iter().chain(p.cc.iter()).filter(|(a, _)| !skip(a)).take(20) {
        let c = contact_for(w, addr, name, p.date.unwrap_or(0), false)?;
        w.add_item_contact(item, c.contact, ContactRole::EmailMember)?;
        if account.is_some() && c.account == account {
            w.add_item_contact(item, c.contact, ContactRole::ReportedBy)?;
        }
    }
    Ok(())
}
