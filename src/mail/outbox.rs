//! Replies: stored with their own Message-ID and threading headers as `in transit`, in the same transaction as the
//! stage moves they cause; the mail worker sends them.

use crate::domain::{DeliveryState, Direction, ItemRef, Kind, MsgChannel};
use crate::store::{By, NewMessage, Writer};
use crate::{Error, Result};

/// A Message-ID unique to this reply, in the sender's domain.
pub fn new_message_id(from: &str, seed: &str) -> String {
    use sha2::Digest;
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or_default();
    let h = crate::store::hex(&sha2::Sha256::digest(format!("{nanos}/{seed}/{}", std::process::id())));
    let domain = from.rsplit_once('@').map(|(_, d)| d).unwrap_or("helpdesk.invalid");
    format!("{}.{}@{domain}", &h[..20], nanos % 1_000_000)
}

/// Queue a reply to the customer of a conversation or ticket. Returns the message row.
pub fn queue_reply(w: &Writer<'_>, r: ItemRef, body: &str, by: &By, default_from: Option<&str>) -> Result<i64> {
    if !matches!(r.kind, Kind::Conversation | Kind::Ticket) {
        return Err(Error::invalid(format!("{r}: only conversations and tickets have customers to reply to")));
    }
    if body.trim().is_empty() {
        return Err(Error::invalid("a reply needs a body"));
    }
    let item = w.item(r)?;
    let msgs = w.messages(item.row, Some(MsgChannel::Customer))?;
    let last_in = msgs.iter().rev().find(|m| m.direction == Direction::Inbound && m.class != "dsn");
    let to = match last_in {
        Some(m) if !m.from.is_empty() => m.from.clone(),
        _ => match item.contact {
            Some(c) => w
                .contact(c.0)?
                .emails
                .first()
                .cloned()
                .ok_or_else(|| Error::invalid(format!("{r}: the customer has no email address")))?,
            None => return Err(Error::invalid(format!("{r}: no customer address to reply to"))),
        },
    };
    let from = item
        .mailbox
        .clone()
        .or(default_from.map(String::from))
        .ok_or_else(|| Error::invalid("no mailbox to send from: add a [[mailbox]] to the config"))?;
    let mut refs: Vec<String> = last_in.map(|m| m.references.clone()).unwrap_or_default();
    if let Some(id) = last_in.and_then(|m| m.message_id.clone()) {
        refs.push(id);
    }
    let base = last_in.map(|m| m.subject.clone()).filter(|s| !s.trim().is_empty()).unwrap_or(item.title.clone());
    let subject = if crate::domain::subject::is_reply_subject(&base) { base } else { format!("Re: {base}") };
    let m = NewMessage {
        item_row: Some(item.row),
        channel: MsgChannel::Customer,
        direction: Direction::Outbound,
        message_id: Some(new_message_id(&from, &format!("{r}/{}", by.at))),
        in_reply_to: last_in.and_then(|m| m.message_id.clone()),
        refs,
        from_addr: from.clone(),
        from_name: by.who.clone(),
        to: vec![to],
        cc: vec![],
        subject,
        body: body.to_string(),
        sent_at: by.at,
        author: Some(by.who.clone()),
        contact_row: None,
        delivery: Some(DeliveryState::InTransit),
        thread_reason: "reply".into(),
        class: "reply".into(),
    };
    let row = w.add_message(&m)?;
    w.add_message_refs(row, &m.refs)?;
    w.enqueue(row, &from, by.at)?;
    w.apply_member_reply(item.row, by)?;
    Ok(row)
}
