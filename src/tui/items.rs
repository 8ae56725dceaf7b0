//! Item actions: stage, owner, tags, severity, part, links, new items, and their undo.

use super::app::{App, Chosen, MenuItem, Modal, Pane, Pending, PromptPurpose, Target, Undo};
use anyhow::{Result, bail};
use helpdesk::domain::{ItemRef, Kind, LinkRel, PartRef, Severity};
use helpdesk::stage::AnyStage;
use helpdesk::store::Moved;
use tui_input::Input;

fn prompt(app: &mut App, title: impl Into<String>, purpose: PromptPurpose) {
    app.modal =
        Some(Modal::Prompt { title: title.into(), input: Input::default(), purpose, similar: vec![], pick: None });
    if let Err(e) = super::similar::refresh_prompt(app) {
        app.error(format!("{e:#}"));
    }
}

fn item(label: impl Into<String>, then: Chosen) -> MenuItem {
    MenuItem { label: label.into(), then }
}

pub fn stage_menu(app: &mut App) -> Result<()> {
    let r = app.need_item()?;
    let s = app.store.read().item(r)?.stage;
    let next = s.next();
    if next.is_empty() {
        bail!("{r} is {}: a final stage with no moves", s.label());
    }
    let items = next.into_iter().map(|n| item(n.label(), Chosen::Stage(r, n))).collect();
    app.menu(format!("Move {r} from {} to", s.label()), items);
    Ok(())
}

pub fn assign_menu(app: &mut App) -> Result<()> {
    let r = app.need_item()?;
    let mut items: Vec<MenuItem> = app
        .store
        .read()
        .members()?
        .into_iter()
        .map(|m| item(format!("{} ({})", m.name, m.login), Chosen::Assign(r, Some(m.login))))
        .collect();
    items.push(item("(nobody)", Chosen::Assign(r, None)));
    app.menu(format!("Owner of {r}"), items);
    Ok(())
}

pub fn severity_menu(app: &mut App) -> Result<()> {
    let r = app.need_item()?;
    let items = Severity::ALL
        .iter()
        .map(|s| item(s.as_str(), Chosen::Severity(r, Some(*s))))
        .chain([item("(none)", Chosen::Severity(r, None))])
        .collect();
    app.menu(format!("Severity of {r}"), items);
    Ok(())
}

pub fn part_menu(app: &mut App) -> Result<()> {
    let r = app.need_item()?;
    let items = part_items(app, |p| Chosen::Part(r, p))?;
    app.menu(format!("Part of {r}"), items);
    Ok(())
}

pub fn tag_prompt(app: &mut App) -> Result<()> {
    let r = app.need_item()?;
    prompt(app, format!("Tag {r} with"), PromptPurpose::Tag(r));
    Ok(())
}

pub fn link_prompt(app: &mut App) -> Result<()> {
    let r = app.need_item()?;
    prompt(app, format!("Link {r} to (e.g. TKT-12, ISS-3)"), PromptPurpose::LinkTarget(r));
    Ok(())
}

pub fn ticket_from_conversation(app: &mut App) -> Result<()> {
    let r = app.need_item()?;
    if r.kind != Kind::Conversation {
        bail!("{r} is not a conversation");
    }
    let title = app.store.read().item(r)?.title;
    app.modal = Some(Modal::Prompt {
        title: format!("Title of the ticket from {r}"),
        input: Input::new(title),
        purpose: PromptPurpose::NewTitle(Kind::Ticket, Some(r)),
        similar: vec![],
        pick: None,
    });
    super::similar::refresh_prompt(app)
}

pub fn new_item(app: &mut App) -> Result<()> {
    match app.pane {
        Pane::Tickets => prompt(app, "Title of the new ticket", PromptPurpose::NewTitle(Kind::Ticket, None)),
        Pane::Issues => prompt(app, "Title of the new issue", PromptPurpose::NewTitle(Kind::Issue, None)),
        Pane::Contacts if app.accounts => prompt(app, "New account: Name, domain, …", PromptPurpose::NewAccount),
        Pane::Contacts => prompt(app, "New contact: Name <email>", PromptPurpose::NewContact),
        Pane::Inbox | Pane::Dashboard => {
            bail!("new items are made in the Tickets, Issues and Contacts panes; conversations arrive by mail")
        }
    }
    Ok(())
}

pub fn new_issue(app: &mut App) -> Result<()> {
    let r = app.need_item()?;
    if r.kind != Kind::Ticket {
        bail!("issues are created from a ticket (select one)");
    }
    prompt(app, format!("Title of the issue for {r}"), PromptPurpose::NewTitle(Kind::Issue, Some(r)));
    Ok(())
}

pub fn new_task(app: &mut App) -> Result<()> {
    let r = app.need_item()?;
    if r.kind != Kind::Issue {
        bail!("tasks belong to an issue (select one)");
    }
    prompt(app, format!("Title of the task for {r}"), PromptPurpose::NewTitle(Kind::Task, Some(r)));
    Ok(())
}

/// Every part as a menu row, shown with its path (`Cards › Payments › Declines`).
pub fn part_items(app: &App, then: impl Fn(PartRef) -> Chosen) -> Result<Vec<MenuItem>> {
    let parts = app.store.read().parts()?;
    let name_of = |id: PartRef| parts.iter().find(|p| p.id == id).map(|p| p.name.clone()).unwrap_or_default();
    Ok(parts
        .iter()
        .map(|p| {
            let path = match p.parent {
                Some(parent) => {
                    let pp = parts.iter().find(|x| x.id == parent).and_then(|x| x.parent);
                    match pp {
                        Some(g) => format!("{} › {} › {}", name_of(g), name_of(parent), p.name),
                        None => format!("{} › {}", name_of(parent), p.name),
                    }
                }
                None => p.name.clone(),
            };
            item(format!("{:<8} {path}", p.id.to_string()), then(p.id))
        })
        .collect())
}

/// A stage chosen from the menu: moves that close the item ask first.
pub fn choose_stage(app: &mut App, r: ItemRef, to: AnyStage) -> Result<()> {
    let open = if to.is_closed() { app.store.read().open_tasks(r)? } else { vec![] };
    if !open.is_empty() {
        let ids: Vec<String> = open.iter().map(|t| t.to_string()).collect();
        app.modal = Some(Modal::Confirm {
            message: format!("{r} has open tasks ({}). Move it to {} anyway?", ids.join(", "), to.label()),
            then: Pending::Stage(r, to),
        });
        return Ok(());
    }
    if to.closing() {
        app.modal = Some(Modal::Confirm {
            message: format!("Move {r} to {}? It closes the item.", to.label()),
            then: Pending::Stage(r, to),
        });
        return Ok(());
    }
    set_stage(app, r, to)?;
    app.refresh_all()
}

pub fn set_stage(app: &mut App, r: ItemRef, to: AnyStage) -> Result<()> {
    let from = app.store.read().item(r)?.stage;
    let b = app.by();
    let auto = app.store.write(|w| {
        w.set_stage(r, to, &b)?;
        Ok(w.take_auto_moves())
    })?;
    app.toast(format!("{r} → {}{}", to.label(), named(&auto)));
    app.undo.push(Undo::Stage { item: r, from, auto });
    Ok(())
}

/// The automatic moves a change caused, for its toast: "; TKT-5 → awaiting development".
fn named(auto: &[Moved]) -> String {
    auto.iter().map(|m| format!("; {m}")).collect()
}

pub fn assign(app: &mut App, r: ItemRef, login: Option<String>) -> Result<()> {
    let b = app.by();
    let prev = app.store.write(|w| w.assign(r, login.as_deref(), &b))?;
    app.undo.push(Undo::Assign { item: r, prev });
    app.toast(format!("{r} owner: {}", login.as_deref().unwrap_or("nobody")));
    app.refresh_all()
}

pub fn set_severity(app: &mut App, r: ItemRef, sev: Option<Severity>) -> Result<()> {
    let b = app.by();
    let prev = app.store.write(|w| w.set_severity(r, sev, &b))?;
    app.undo.push(Undo::Severity { item: r, prev });
    app.toast(format!("{r} severity: {}", sev.map(|s| s.as_str()).unwrap_or("none")));
    app.refresh_all()
}

pub fn set_part(app: &mut App, r: ItemRef, part: PartRef) -> Result<()> {
    let b = app.by();
    let prev = app.store.read().item(r)?.part;
    app.store.write(|w| {
        let p = w.part_row_of(part)?;
        w.set_part(r, p, &b)
    })?;
    app.undo.push(Undo::Part { item: r, prev });
    app.toast(format!("{r} part: {part}"));
    app.refresh_all()
}

pub fn link(app: &mut App, from: ItemRef, to: ItemRef, rel: LinkRel) -> Result<()> {
    let b = app.by();
    let (new, auto) = app.store.write(|w| Ok((w.link(from, to, rel, &b)?, w.take_auto_moves())))?;
    app.toast(format!("{from} {rel} {to}{}", named(&auto)));
    if new {
        app.undo.push(Undo::Link { from, to, rel, auto });
    }
    app.refresh_all()
}

/// The typed tag, as one tag (normalised as the store keeps it).
pub fn tag(app: &mut App, r: ItemRef, text: &str) -> Result<()> {
    if text.is_empty() {
        return Ok(());
    }
    let b = app.by();
    let added = app.store.write(|w| w.tag_item(r, &[text.to_string()], &b))?;
    for t in added {
        app.undo.push(Undo::Tag { item: r, tag: t });
    }
    app.toast(format!("{r} tagged {text}"));
    app.refresh_all()
}

/// The item to link to was typed: offer the link kinds that fit the two items.
pub fn link_target(app: &mut App, from: ItemRef, text: &str) -> Result<()> {
    let to: ItemRef = text.parse()?;
    app.store.read().item_row(to)?;
    let rels = [LinkRel::DuplicateOf, LinkRel::Related, LinkRel::Blocks, LinkRel::Issue, LinkRel::Ticket];
    let items: Vec<MenuItem> = rels
        .iter()
        .filter(|rel| rel.check_kinds(from.kind, to.kind).is_ok())
        .map(|rel| item(format!("{from} {rel} {to}"), Chosen::Link(from, to, *rel)))
        .collect();
    app.menu("Link as", items);
    Ok(())
}

/// The title of a new item was typed: tasks are made now, the others ask for their part first.
pub fn new_title(app: &mut App, kind: Kind, parent: Option<ItemRef>, text: String) -> Result<()> {
    if text.is_empty() {
        bail!("a title is needed");
    }
    if kind == Kind::Task {
        let id = create(app, kind, &text, None, parent)?;
        app.refresh_all()?;
        return app.open(Target::Item(id));
    }
    let items = part_items(app, |part| Chosen::NewItemPart { kind, title: text.clone(), parent, part })?;
    app.menu(format!("Part of “{text}”"), items);
    Ok(())
}

/// The part of a new item was chosen: create it and open it.
pub fn create_with_part(app: &mut App, kind: Kind, title: &str, parent: Option<ItemRef>, part: PartRef) -> Result<()> {
    let id = create(app, kind, title, Some(part), parent)?;
    app.refresh_all()?;
    app.open(Target::Item(id))
}

/// Create a ticket, issue or task; a ticket from a conversation or an issue from a ticket is linked to it.
pub fn create(
    app: &mut App,
    kind: Kind,
    title: &str,
    part: Option<PartRef>,
    parent: Option<ItemRef>,
) -> Result<ItemRef> {
    let b = app.by();
    let id = app.store.write(|w| {
        let part_row = part.map(|p| w.part_row_of(p)).transpose()?;
        if let (Kind::Ticket, Some(conv), Some(p)) = (kind, parent, part_row) {
            let t = w.ticket_from_conversation(conv, p, helpdesk::domain::SourceChannel::Tui, &b)?;
            if w.item(t)?.title != title.trim() {
                w.set_title(t, title, &b)?;
            }
            return Ok((t, w.take_auto_moves()));
        }
        let mut n = helpdesk::store::NewItem::new(kind, title, helpdesk::domain::SourceChannel::Tui);
        n.part_row = part_row;
        if kind == Kind::Task {
            n.parent = parent;
        }
        n.owner = w.member_row(&b.who).ok().map(|_| b.who.clone());
        let id = w.create_item(&n, &b)?;
        if let (Kind::Issue, Some(t)) = (kind, parent) {
            w.link(t, id, LinkRel::Issue, &b)?;
        }
        Ok((id, w.take_auto_moves()))
    })?;
    let (id, auto) = id;
    app.toast(format!("{id} created{}", named(&auto)));
    Ok(id)
}

pub fn undo(app: &mut App) -> Result<()> {
    let Some(u) = app.undo.pop() else { bail!("nothing to undo") };
    let b = app.by();
    let what = app.store.write(|w| {
        Ok(match &u {
            Undo::Stage { item, from, auto } => {
                for m in auto.iter().rev() {
                    w.restore_stage(m.item, m.from, &b)?;
                }
                w.restore_stage(*item, *from, &b)?;
                let also: String = auto.iter().map(|m| format!(", {} back to {}", m.item, m.from.label())).collect();
                format!("{item} back to {}{also}", from.label())
            }
            Undo::Assign { item, prev } => {
                w.assign(*item, prev.as_deref(), &b)?;
                format!("{item} owner back to {}", prev.as_deref().unwrap_or("nobody"))
            }
            Undo::Severity { item, prev } => {
                w.set_severity(*item, *prev, &b)?;
                format!("{item} severity back to {}", prev.map(|s| s.as_str()).unwrap_or("none"))
            }
            Undo::Part { item, prev } => {
                if let Some(p) = prev {
                    let row = w.part_row_of(*p)?;
                    w.set_part(*item, row, &b)?;
                }
                format!("{item} part back to {}", prev.map(|p| p.to_string()).unwrap_or("none".into()))
            }
            Undo::Tag { item, tag } => {
                w.untag_item(*item, tag, &b)?;
                format!("{item}: tag {tag} removed")
            }
            Undo::Link { from, to, rel, auto } => {
                w.unlink(*from, *to, *rel, &b)?;
                for m in auto.iter().rev() {
                    w.restore_stage(m.item, m.from, &b)?;
                }
                let also: String = auto.iter().map(|m| format!(", {} back to {}", m.item, m.from.label())).collect();
                format!("{from} {rel} {to} unlinked{also}")
            }
        })
    })?;
    app.toast(format!("undone: {what}"));
    app.refresh_all()
}
