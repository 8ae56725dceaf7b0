//! `ticket|conversation|issue|task` verbs: new, list, show, stage, assign, tag, link, note.

use super::args::{ItemCmd, ListArgs, NewArgs};
use super::out;
use super::util::{me, parse_id};
use anyhow::{Result, bail};
use helpdesk::Store;
use helpdesk::domain::{ItemRef, Kind, LinkRel, Severity, SourceChannel, Subtype};
use helpdesk::stage::AnyStage;
use helpdesk::store::{By, Item, ItemFilter, Message, NewItem, Reader, SortOrder};
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
            let mut rows = store.read().list_all(&f, a.limit.saturating_add(1))?;
            out::cut_at(&mut rows, a.limit, "items");
            if json { out::json(&rows)? } else { out::rows(&rows) }
        }
        ItemCmd::Show { id } => {
            let r = parse_id(kind, &id)?;
            let item = store.read().item(r)?;
            let messages = store.read().timeline(item.row, None)?;
            if json { out::json(&Shown { item: &item, messages: &messages })? } else { out::item(&item, &messages) }
        }
        ItemCmd::Stage { id, stage, force, if_version } => {
            let r = parse_id(kind, &id)?;
            let to = AnyStage::parse(r.kind, &stage)?;
            if to.is_closed() && !force {
                let open = store.read().open_tasks(r)?;
                if !open.is_empty() {
                    let ids: Vec<String> = open.iter().map(|t| t.to_string()).collect();
                    bail!("{r} has open tasks ({}); finish them, or pass --force to move it anyway", ids.join(", "));
                }
            }
            let by = By::now(me());
            let auto = store.write(|w| {
                expect(w, r, if_version, &by)?;
                w.set_stage(r, to, &by)?;
                Ok(w.take_auto_moves())
            })?;
            let auto: Vec<String> = auto.iter().map(|m| m.to_string()).collect();
            if json {
                out::json(&serde_json::json!({ "id": r, "stage": to, "automatic": auto }))?;
            } else if auto.is_empty() {
                println!("{r} → {}", to.label());
            } else {
                println!("{r} → {}; {}", to.label(), auto.join("; "));
            }
        }
        ItemCmd::Assign { id, member, if_version } => {
            let r = parse_id(kind, &id)?;
            let m = (member != "-").then_some(member.as_str());
            let by = By::now(me());
            store.write(|w| expect(w, r, if_version, &by).and_then(|_| w.assign(r, m, &by)))?;
            println!("{r} owner: {}", m.unwrap_or("(none)"));
        }
        ItemCmd::Title { id, title, if_version } => {
            let r = parse_id(kind, &id)?;
            let by = By::now(me());
            store.write(|w| expect(w, r, if_version, &by).and_then(|_| w.set_title(r, &title, &by)))?;
            println!("{r} title: {}", helpdesk::sanitize::line(&store.read().item(r)?.title));
        }
        ItemCmd::Tag { id, tags, if_version } => {
            let r = parse_id(kind, &id)?;
            let by = By::now(me());
            store.write(|w| expect(w, r, if_version, &by).and_then(|_| w.tag_item(r, &tags, &by)))?;
            println!("{r} tags: {}", store.read().item(r)?.tags.join(" "));
        }
        ItemCmd::Link { id, other, rel, if_version } => {
            let (a, b) = (parse_id(kind, &id)?, any_id(&other)?);
            let rel = LinkRel::parse(&rel)?;
            let by = By::now(me());
            let new = store.write(|w| expect(w, a, if_version, &by).and_then(|_| w.link(a, b, rel, &by)))?;
            println!("{a} {rel} {b}{}", if new { "" } else { " (already linked)" });
        }
        ItemCmd::Draft { id } => {
            let r = parse_id(kind, &id)?;
            match store.read().draft(r, &me(), false)? {
                Some(d) if json => out::json(&d)?,
                Some(d) => {
                    println!("To: {}\nCc: {}\nSubject: {}\n\n{}", d.to.join(", "), d.cc.join(", "), d.subject, d.body)
                }
                None => println!("{r}: no draft"),
            }
        }
        cmd @ (ItemCmd::Reply { .. } | ItemCmd::Note { .. }) => return super::reply::run(store, cfg, kind, cmd),
    }
    Ok(ExitCode::SUCCESS)
}

/// `--if-version N`: the edit applies only to the item as the member saw it.
fn expect(w: &helpdesk::store::Writer<'_>, r: ItemRef, seen: Option<i64>, by: &By) -> helpdesk::Result<()> {
    seen.map_or(Ok(()), |v| w.expect_version(r, v, by))
}

/// `ticket new --from CONV-n`: what the TUI's `c` does.
fn new_from_conversation(store: &mut Store, kind: Kind, a: &NewArgs, conv: &str, json: bool) -> Result<()> {
    if kind != Kind::Ticket {
        bail!("--from makes a ticket from a conversation: `helpdesk ticket new --from CONV-n`");
    }
    let conv = parse_id(Kind::Conversation, conv)?;
    let by = By::now(me());
    let id = store.write(|w| {
        let part = match &a.part {
            Some(p) => w.part_row(p)?,
            None => w
                .parts()?
                .first()
                .map(|p| p.row)
                .ok_or_else(|| helpdesk::Error::invalid("no part yet: `helpdesk part new`"))?,
        };
        let t = w.ticket_from_conversation(conv, part, SourceChannel::Cli, &by)?;
        if let Some(title) = a.title.as_deref().filter(|t| !t.trim().is_empty()) {
            w.set_title(t, title, &by)?;
        }
        Ok(t)
    })?;
    if json {
        out::json(&store.read().item(id)?)?;
    } else {
        println!("{id} created from {conv}");
    }
    Ok(())
}

#[derive(Serialize)]
struct Shown<'a> {
    #[serde(flatten)]
    item: &'a Item,
    messages: &'a [Message],
}

fn any_id(s: &str) -> Result<ItemRef> {
    Ok(s.parse()?)
}

fn new(store: &mut Store, kind: Kind, a: NewArgs, json: bool) -> Result<()> {
    if let Some(conv) = &a.from {
        return new_from_conversation(store, kind, &a, conv, json);
    }
    let Some(title) = a.title.clone() else { bail!("a {} needs a title (--title)", kind.as_str()) };
    let mut n = NewItem::new(kind, title, SourceChannel::Cli);
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
    let f = ItemFilter {
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
        unassigned: base.unassigned,
        open: base.open,
        account_text: base.account_text,
        reader_row: r.member_row(&me()).ok(),
        unread: base.unread,
        quick: false,
    };
    let Some(q) = &a.query else { return Ok(f) };
    let (f, problems) = r.apply_query(f, q, &me());
    if !problems.is_empty() {
        bail!("{}", problems.join("; "));
    }
    Ok(f)
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
        sort: match &a.sort {
            Some(s) => SortOrder::parse(s)?,
            None if kind == Kind::Conversation => SortOrder::Inbox,
            None => SortOrder::Newest,
        },
        ..Default::default()
    })
}
