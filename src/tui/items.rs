//! Item actions: stage, owner, tags, severity, part, links, new items, and their undo.

use super::app::{App, Chosen, MenuItem, Modal, Pane, Pending, PromptPurpose, Target, Undo};
use super::team::{edit, push_undo, see};
use anyhow::{Result, bail};
use helpdesk::domain::{ItemRef, Kind, LinkRel, PartRef, Severity};
use helpdesk::stage::AnyStage;
use helpdesk::store::Moved;
use tui_input::Input;

mod tags;
pub use tags::{retitle, retitle_prompt, tag, tag_prompt};

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

/// What the menus say of the rows they change: `TKT-4` or `3 items`.
fn what(rs: &[ItemRef]) -> String {
    match rs {
        [one] => one.to_string(),
        many => format!("{} selected items", many.len()),
    }
}

pub fn stage_menu(app: &mut App) -> Result<()> {
    let rs = app.targets()?;
    see(app, &rs)?;
    let mut common: Option<Vec<AnyStage>> = None;
    let mut from = vec![];
    for r in &rs {
        let s = app.store.read().item(*r)?.stage;
        if !from.contains(&s) {
            from.push(s);
        }
        let next = s.next();
        common = Some(match common {
            None => next,
            Some(c) => c.into_iter().filter(|n| next.contains(n)).collect(),
        });
    }
    let next = common.unwrap_or_default();
    if next.is_empty() {
        match (rs.as_slice(), from.as_slice()) {
            ([r], [s]) => bail!("{r} is {}: a final stage with no moves", s.label()),
            _ => bail!("the selected items have no next stage in common (select items of one kind and stage)"),
        }
    }
    let items = next.into_iter().map(|n| item(n.label(), Chosen::Stage(rs.clone(), n))).collect();
    let title = match from.as_slice() {
        [s] => format!("Move {} from {} to", what(&rs), s.label()),
        _ => format!("Move {} to", what(&rs)),
    };
    app.menu(title, items);
    Ok(())
}

/// Owners to choose from: the user first, then the other members, then nobody. The owner the items share is
/// selected; items of no owner or of several start on the user (`enter` never takes owners away by itself).
pub fn assign_menu(app: &mut App) -> Result<()> {
    let rs = app.targets()?;
    see(app, &rs)?;
    let mut owners = std::collections::BTreeSet::new();
    for r in &rs {
        owners.insert(app.store.read().item(*r)?.owner);
    }
    let current = match owners.into_iter().collect::<Vec<_>>().as_slice() {
        [Some(shared)] => Some(shared.clone()),
        _ => None,
    };
    let mut members = app.store.read().members()?;
    members.sort_by_key(|m| m.login != app.user);
    let mut items: Vec<MenuItem> = members
        .into_iter()
        .map(|m| {
            let me = if m.login == app.user { "  (me)" } else { "" };
            // A member known only by login (no name set) is named once: `me  (me)`, not `me (me)  (me)`.
            let name = if m.name.trim().is_empty() || m.name == m.login {
                m.login.clone()
            } else {
                format!("{} ({})", m.name, m.login)
            };
            item(format!("{name}{me}"), Chosen::Assign(rs.clone(), Some(m.login)))
        })
        .collect();
    items.push(item("(nobody)", Chosen::Assign(rs.clone(), None)));
    let at = match current {
        Some(_) => items.iter().position(|i| matches!(&i.then, Chosen::Assign(_, l) if *l == current)).unwrap_or(0),
        None => 0,
    };
    app.menu_at(format!("Owner of {}", what(&rs)), items, at);
    Ok(())
}

pub fn severity_menu(app: &mut App) -> Result<()> {
    let rs = app.targets()?;
    see(app, &rs)?;
    let current = match rs.as_slice() {
        [r] => app.store.read().item(*r)?.severity,
        _ => None,
    };
    let items: Vec<MenuItem> = Severity::ALL
        .iter()
        .map(|s| item(s.as_str(), Chosen::Severity(rs.clone(), Some(*s))))
        .chain([item("(none)", Chosen::Severity(rs.clone(), None))])
        .collect();
    let at = items.iter().position(|i| matches!(&i.then, Chosen::Severity(_, s) if *s == current)).unwrap_or(0);
    app.menu_at(format!("Severity of {}", what(&rs)), items, at);
    Ok(())
}

pub fn part_menu(app: &mut App) -> Result<()> {
    let r = app.need_item()?;
    see(app, &[r])?;
    let current = app.store.read().item(r)?.part;
    let items = part_items(app, |p| Chosen::Part(r, p))?;
    let at = items.iter().position(|i| matches!(i.then, Chosen::Part(_, p) if Some(p) == current)).unwrap_or(0);
    app.menu_at(format!("Part of {r}"), items, at);
    Ok(())
}

pub fn link_prompt(app: &mut App) -> Result<()> {
    let r = app.need_item()?;
    see(app, &[r])?;
    prompt(app, format!("Link {r} to (e.g. TKT-12, ISS-3)"), PromptPurpose::LinkTarget(r));
    Ok(())
}

pub fn ticket_from_conversation(app: &mut App) -> Result<()> {
    let r = app.need_item()?;
    if r.kind != Kind::Conversation {
        bail!("{r} is not a conversation");
    }
    let conv = app.store.read().item(r)?;
    if let Some(t) = conv.links.iter().find(|l| l.id.kind == Kind::Ticket) {
        bail!("{r} already has ticket {} (open it from the Links of {r})", t.id);
    }
    let title = conv.title;
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
    if parts.is_empty() {
        bail!("no product parts yet: add one with `helpdesk part new --name NAME` (tickets and issues need a part)");
    }
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
pub fn choose_stage(app: &mut App, rs: Vec<ItemRef>, to: AnyStage) -> Result<()> {
    let mut open = vec![];
    if to.is_closed() {
        for r in &rs {
            open.extend(app.store.read().open_tasks(*r)?);
        }
    }
    if !open.is_empty() {
        let ids: Vec<String> = open.iter().map(|t| t.to_string()).collect();
        app.modal = Some(Modal::Confirm {
            message: format!("{} has open tasks ({}). Move it to {} anyway?", what(&rs), ids.join(", "), to.label()),
            then: Pending::Stage(rs, to),
        });
        return Ok(());
    }
    if to.closing() {
        app.modal = Some(Modal::Confirm {
            message: format!("Move {} to {}? It closes the item.", what(&rs), to.label()),
            then: Pending::Stage(rs, to),
        });
        return Ok(());
    }
    set_stage(app, &rs, to)?;
    app.refresh_all()
}

pub fn set_stage(app: &mut App, rs: &[ItemRef], to: AnyStage) -> Result<()> {
    let b = app.by();
    let (undos, edited) = edit(app, rs, |w| {
        let mut undos = vec![];
        let mut all = vec![];
        for r in rs {
            let before = w.item(*r)?;
            w.set_stage(*r, to, &b)?;
            let auto = w.take_auto_moves();
            all.extend(auto.iter().cloned());
            undos.push(Undo::Stage { item: *r, from: before.stage, needs: before.needs_response, auto });
        }
        Ok((undos, all))
    })?;
    let (undos, auto) = undos;
    push_undo(app, undos, edited);
    app.toast(format!("{} → {}{}", what(rs), to.label(), named(&auto)));
    Ok(())
}

/// The automatic moves a change caused, for its toast: "; TKT-5 → awaiting development".
fn named(auto: &[Moved]) -> String {
    auto.iter().map(|m| format!("; {m}")).collect()
}

pub fn assign(app: &mut App, rs: Vec<ItemRef>, login: Option<String>) -> Result<()> {
    let b = app.by();
    let (undos, edited) = edit(app, &rs, |w| {
        rs.iter().map(|r| Ok(Undo::Assign { item: *r, prev: w.assign(*r, login.as_deref(), &b)? })).collect()
    })?;
    push_undo(app, undos, edited);
    app.toast(format!("{} owner: {}", what(&rs), login.as_deref().unwrap_or("nobody")));
    app.refresh_all()
}

pub fn set_severity(app: &mut App, rs: Vec<ItemRef>, sev: Option<Severity>) -> Result<()> {
    let b = app.by();
    let (undos, edited) = edit(app, &rs, |w| {
        rs.iter().map(|r| Ok(Undo::Severity { item: *r, prev: w.set_severity(*r, sev, &b)? })).collect()
    })?;
    push_undo(app, undos, edited);
    app.toast(format!("{} severity: {}", what(&rs), sev.map(|s| s.as_str()).unwrap_or("none")));
    app.refresh_all()
}

pub fn set_part(app: &mut App, r: ItemRef, part: PartRef) -> Result<()> {
    let b = app.by();
    let (prev, edited) = edit(app, &[r], |w| {
        let prev = w.item(r)?.part;
        let p = w.part_row_of(part)?;
        w.set_part(r, p, &b)?;
        Ok(prev)
    })?;
    push_undo(app, vec![Undo::Part { item: r, prev }], edited);
    app.toast(format!("{r} part: {part}"));
    app.refresh_all()
}

pub fn link(app: &mut App, from: ItemRef, to: ItemRef, rel: LinkRel) -> Result<()> {
    let b = app.by();
    let ((new, auto), edited) = edit(app, &[from], |w| Ok((w.link(from, to, rel, &b)?, w.take_auto_moves())))?;
    app.toast(format!("{from} {rel} {to}{}", named(&auto)));
    if new {
        push_undo(app, vec![Undo::Link { from, to, rel, auto }], edited);
    }
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
    if app.store.read().parts()?.is_empty() {
        // The first item of a new help desk: its part is named here, and the title typed is kept.
        first_part_prompt(app, kind, text, parent);
        return Ok(());
    }
    let items = part_items(app, |part| Chosen::NewItemPart { kind, title: text.clone(), parent, part })?;
    app.menu(format!("Part of “{text}”"), items);
    Ok(())
}

fn first_part_prompt(app: &mut App, kind: Kind, title: String, parent: Option<ItemRef>) {
    app.modal = Some(Modal::Prompt {
        title: format!("No product part yet: name the first (e.g. your product) for “{title}”"),
        input: Input::default(),
        purpose: PromptPurpose::FirstPart(kind, title, parent),
        similar: vec![],
        pick: None,
    });
}

/// The first product part was named: made, and the item waiting for it made in it. An empty name asks again (the
/// keys typed next are the name's, not commands).
pub fn first_part(app: &mut App, kind: Kind, title: &str, parent: Option<ItemRef>, name: &str) -> Result<()> {
    let name = name.trim();
    if name.is_empty() {
        first_part_prompt(app, kind, title.to_string(), parent);
        bail!("a part needs a name (tickets and issues need a part)");
    }
    let part = app.store.write(|w| w.add_part(helpdesk::domain::PartKind::Product, name, None))?;
    create_with_part(app, kind, title, parent, part)
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
    app.undo.push(super::app::Undo::Barrier(format!("{id} created")));
    app.toast(format!("{id} created{}", named(&auto)));
    Ok(id)
}
