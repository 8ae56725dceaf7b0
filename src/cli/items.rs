//! `ticket|conversation|issue|task` verbs: new, list, show, stage, assign, tag, link, note.

use super::args::{ItemCmd, ListArgs, NewArgs};
use super::out;
use super::util::me;
use anyhow::{Context, Result, bail};
use helpdesk::Store;
use helpdesk::domain::{ItemRef, Kind, LinkRel, Severity, SourceChannel, Subtype};
use helpdesk::stage::AnyStage;
use helpdesk::store::{By, Item, ItemFilter, Message, NewItem, NewMessage, Reader, SortOrder};
use serde::Serialize;
use std::process::ExitCode;

pub fn run(
    store: &mut Store,
    cfg: &helpdesk::config::Config,
    kind: Kind,
    cmd: ItemCmd,
    json: bool,
) -> Result<ExitCode> {
    match cmd {
        ItemCmd::New(a) => new(store, kind, a, json)?,
        ItemCmd::List(a) => {
            let f = filter(&store.read(), kind, &a)?;
            let rows = store.read().list_all(&f, a.limit)?;
            if json { out::json(&rows)? } else { out::rows(&rows) }
        }
        ItemCmd::Show { id } => {
            let r = parse_id(kind, &id)?;
            let item = store.read().item(r)?;
            let messages = store.read().messages(item.row, None)?;
            if json { out::json(&Shown { item: &item, messages: &messages })? } else { out::item(&item, &messages) }
        }
        ItemCmd::Stage { id, stage } => {
            let r = parse_id(kind, &id)?;
            let to = AnyStage::parse(r.kind, &stage)?;
            store.write(|w| w.set_stage(r, to, &By::now(me())))?;
            let i = store.read().item(r)?;
            println!("{r} is now {}", i.stage);
        }
        ItemCmd::Assign { id, member } => {
            let r = parse_id(kind, &id)?;
            let m = (member != "-").then_some(member.as_str());
            store.write(|w| w.assign(r, m, &By::now(me())))?;
            println!("{r} owner: {}", m.unwrap_or("(none)"));
        }
        ItemCmd::Tag { id, tags } => {
            let r = parse_id(kind, &id)?;
            store.write(|w| w.tag_item(r, &tags, &By::now(me())))?;
            println!("{r} tags: {}", store.read().item(r)?.tags.join(" "));
        }
        ItemCmd::Link { id, other, rel } => {
            let (a, b) = (parse_id(kind, &id)?, any_id(&other)?);
            let rel = LinkRel::parse(&rel)?;
            let new = store.write(|w| w.link(a, b, rel, &By::now(me())))?;
            println!("{a} {rel} {b}{}", if new { "" } else { " (already linked)" });
        }
        ItemCmd::Reply { id, body, body_file } => {
            let r = parse_id(kind, &id)?;
            let text = match (body, body_file) {
                (Some(b), _) => b,
                (None, Some(f)) if f.as_os_str() == "-" => std::io::read_to_string(std::io::stdin())?,
                (None, Some(f)) => {
                    std::fs::read_to_string(&f).with_context(|| format!("cannot read {}", f.display()))?
                }
                (None, None) => crate::user::editor("")?,
            };
            if text.trim().is_empty() {
                bail!("empty reply: nothing queued");
            }
            let from = cfg.mailbox.first().map(|m| m.address.clone());
            let row =
                store.write(|w| helpdesk::mail::outbox::queue_reply(w, r, &text, &By::now(me()), from.as_deref()))?;
            let out = store.read().outbox(None)?.into_iter().find(|o| o.message == row);
            match out {
                Some(o) => {
                    println!("{r}: reply to {} queued as <{}>; `helpdesk sync` sends it", o.to.join(", "), o.message_id)
                }
                None => println!("{r}: reply queued"),
            }
        }
        ItemCmd::Note { id, body, author } => {
            let r = parse_id(kind, &id)?;
            if body.trim().is_empty() {
                bail!("a note needs a body");
            }
            store.write(|w| {
                let row = w.item_row(r)?;
                w.add_message(&NewMessage::internal(row, &author, &body, helpdesk::now()))
            })?;
            println!("{r}: internal note added");
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct Shown<'a> {
    #[serde(flatten)]
    item: &'a Item,
    messages: &'a [Message],
}

/// An id of this command's kind; a bare number is taken as that kind's number.
pub fn parse_id(kind: Kind, s: &str) -> Result<ItemRef> {
    if let Ok(n) = s.trim().parse::<i64>() {
        return Ok(ItemRef { kind, num: n });
    }
    let r: ItemRef = s.parse()?;
    if r.kind != kind {
        bail!("{r} is not a {}", kind.as_str());
    }
    Ok(r)
}

fn any_id(s: &str) -> Result<ItemRef> {
    Ok(s.parse()?)
}

fn new(store: &mut Store, kind: Kind, a: NewArgs, json: bool) -> Result<()> {
    let mut n = NewItem::new(kind, a.title.clone(), SourceChannel::Cli);
    {
        let r = store.read();
        n.description = a.description.clone();
        n.severity = a.severity.as_deref().map(Severity::parse).transpose()?;
        n.subtype = a.subtype.as_deref().map(Subtype::parse).transpose()?;
        n.part_row = a.part.as_deref().map(|p| r.part_row(p)).transpose()?;
        n.account_row = a.account.as_deref().map(|x| r.account_row(x)).transpose()?;
        n.reported_by = a.reported_by.iter().map(|c| r.contact_row(c)).collect::<Result<_, _>>()?;
        if n.account_row.is_none()
            && let Some(c) = n.reported_by.first()
        {
            n.account_row = r.contact(*c)?.account.map(|a| a.0);
        }
        n.contact_row = n.reported_by.first().copied();
        n.owner = a.owner.clone();
        n.parent = a.issue.as_deref().map(any_id).transpose()?;
    }
    let id = store.write(|w| w.create_item(&n, &By::now(me())))?;
    if json {
        out::json(&store.read().item(id)?)?;
    } else {
        println!("{id} created");
    }
    Ok(())
}

pub fn filter(r: &Reader<'_>, kind: Kind, a: &ListArgs) -> Result<ItemFilter> {
    let base = match &a.view {
        Some(v) => {
            let f = r.view(v)?;
            if f.kind.is_some_and(|k| k != kind) {
                bail!("view '{v}' lists {}s, not {}s", f.kind.map(|k| k.as_str()).unwrap_or("item"), kind.as_str());
            }
            f
        }
        None => ItemFilter::default(),
    };
    let own = own_filter(r, kind, a)?;
    Ok(ItemFilter {
        kind: Some(kind),
        stages: if own.stages.is_empty() { base.stages } else { own.stages },
        owner_row: own.owner_row.or(base.owner_row),
        severity: own.severity.or(base.severity),
        part_row: own.part_row.or(base.part_row),
        account_row: own.account_row.or(base.account_row),
        contact_row: own.contact_row.or(base.contact_row),
        tag: own.tag.or(base.tag),
        needs_response: own.needs_response.or(base.needs_response),
        text: own.text.or(base.text),
        has_issue: own.has_issue.or(base.has_issue),
        sort: own.sort,
    })
}

fn own_filter(r: &Reader<'_>, kind: Kind, a: &ListArgs) -> Result<ItemFilter> {
    Ok(ItemFilter {
        kind: Some(kind),
        stages: a.stage.iter().map(|s| AnyStage::parse(kind, s)).collect::<Result<_, _>>()?,
        owner_row: a.owner.as_deref().map(|o| r.member_row(o)).transpose()?,
        severity: a.severity.as_deref().map(Severity::parse).transpose()?,
        part_row: a.part.as_deref().map(|p| r.part_row(p)).transpose()?,
        account_row: a.account.as_deref().map(|x| r.account_row(x)).transpose()?,
        contact_row: a.contact.as_deref().map(|x| r.contact_row(x)).transpose()?,
        tag: a.tag.as_deref().map(helpdesk::domain::normalise_tag).transpose()?,
        needs_response: a.needs_response.then_some(true),
        text: a.text.clone(),
        has_issue: if a.active {
            Some(false)
        } else if a.with_issue {
            Some(true)
        } else {
            None
        },
        sort: if kind == Kind::Conversation { SortOrder::Inbox } else { SortOrder::Newest },
    })
}
