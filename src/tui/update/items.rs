//! Item actions: stage, owner, tags, severity, part, links, new items, replies and notes, and their undo.

use super::super::action::Action;
use super::super::app::{App, EditorRequest, MenuItem, MenuPurpose, Modal, Pane, PromptPurpose, Target, Undo};
use super::{open, refresh_all};
use anyhow::{Result, bail};
use helpdesk::domain::{ItemRef, Kind, LinkRel, Severity};
use helpdesk::stage::AnyStage;
use helpdesk::store::By;
use ratatui_textarea::TextArea;
use tui_input::Input;

fn need_item(app: &App) -> Result<ItemRef> {
    match app.current_item() {
        Some(r) => Ok(r),
        None => bail!("select a conversation, ticket, issue or task first"),
    }
}

fn menu(app: &mut App, title: impl Into<String>, items: Vec<MenuItem>, purpose: MenuPurpose) {
    app.modal = Some(Modal::Menu { title: title.into(), items, selected: 0, purpose });
}

fn prompt(app: &mut App, title: impl Into<String>, purpose: PromptPurpose) {
    app.modal =
        Some(Modal::Prompt { title: title.into(), input: Input::default(), purpose, similar: vec![], pick: None });
    if let Err(e) = super::super::similar::refresh_prompt(app) {
        app.error(format!("{e:#}"));
    }
}

fn item(label: impl Into<String>, value: impl Into<String>) -> MenuItem {
    MenuItem { label: label.into(), value: value.into() }
}

pub fn by(app: &App) -> By {
    By::at(app.user.clone(), app.now())
}

pub fn act(app: &mut App, a: Action) -> Result<()> {
    match a {
        Action::Stage => {
            let r = need_item(app)?;
            let i = app.store.read().item(r)?;
            let s = AnyStage::parse(r.kind, &i.stage)?;
            let next = s.next_names();
            if next.is_empty() {
                bail!("{r} is {}: a final stage with no moves", i.stage);
            }
            let items =
                next.iter().map(|n| item(AnyStage::parse(r.kind, n).map(|s| s.label()).unwrap_or(n), *n)).collect();
            menu(app, format!("Move {r} from {} to", s.label()), items, MenuPurpose::Stage(r));
        }
        Action::Assign => {
            let r = need_item(app)?;
            let mut items: Vec<MenuItem> = app
                .store
                .read()
                .members()?
                .into_iter()
                .map(|m| item(format!("{} ({})", m.name, m.login), m.login))
                .collect();
            items.push(item("(nobody)", "-"));
            menu(app, format!("Owner of {r}"), items, MenuPurpose::Assign(r));
        }
        Action::Severity => {
            let r = need_item(app)?;
            let items =
                Severity::ALL.iter().map(|s| item(s.as_str(), s.as_str())).chain([item("(none)", "-")]).collect();
            menu(app, format!("Severity of {r}"), items, MenuPurpose::Severity(r));
        }
        Action::Part => {
            let r = need_item(app)?;
            menu(app, format!("Part of {r}"), part_menu(app)?, MenuPurpose::Part(r));
        }
        Action::Tag => {
            let r = need_item(app)?;
            prompt(app, format!("Tag {r} with"), PromptPurpose::Tag(r));
        }
        Action::Link => {
            let r = need_item(app)?;
            prompt(app, format!("Link {r} to (e.g. TKT-12, ISS-3)"), PromptPurpose::LinkTarget(r));
        }
        Action::TicketFromConversation => {
            let r = need_item(app)?;
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
            super::super::similar::refresh_prompt(app)?;
        }
        Action::NewItem => match app.pane {
            Pane::Tickets => prompt(app, "Title of the new ticket", PromptPurpose::NewTitle(Kind::Ticket, None)),
            Pane::Issues => prompt(app, "Title of the new issue", PromptPurpose::NewTitle(Kind::Issue, None)),
            Pane::Contacts if app.accounts => prompt(app, "New account: Name, domain, …", PromptPurpose::NewAccount),
            Pane::Contacts => prompt(app, "New contact: Name <email>", PromptPurpose::NewContact),
            _ => bail!("new items are made in the Tickets, Issues and Contacts panes; conversations arrive by mail"),
        },
        Action::NewIssue => {
            let r = need_item(app)?;
            if r.kind != Kind::Ticket {
                bail!("issues are created from a ticket (select one)");
            }
            prompt(app, format!("Title of the issue for {r}"), PromptPurpose::NewTitle(Kind::Issue, Some(r)));
        }
        Action::NewTask => {
            let r = need_item(app)?;
            if r.kind != Kind::Issue {
                bail!("tasks belong to an issue (select one)");
            }
            prompt(app, format!("Title of the task for {r}"), PromptPurpose::NewTitle(Kind::Task, Some(r)));
        }
        Action::Reply | Action::Note => {
            let r = need_item(app)?;
            compose(app, r, a == Action::Note, "")?;
        }
        Action::EditorReply => {
            let r = need_item(app)?;
            check_replyable(r, false)?;
            app.editor = Some(EditorRequest { target: r, internal: false, initial: String::new() });
        }
        Action::Snippet => {
            let r = need_item(app)?;
            if app.snippets.is_empty() {
                bail!("no snippets: add a [snippets] table to the config file");
            }
            let items = app.snippets.keys().map(|k| item(k.clone(), k.clone())).collect();
            menu(app, "Canned reply", items, MenuPurpose::Snippet(r));
        }
        other => super::super::extra::act(app, other)?,
    }
    Ok(())
}

fn check_replyable(r: ItemRef, internal: bool) -> Result<()> {
    if !internal && !matches!(r.kind, Kind::Conversation | Kind::Ticket) {
        bail!("{r}: only conversations and tickets have customers to reply to; write a note instead");
    }
    Ok(())
}

pub fn compose(app: &mut App, r: ItemRef, internal: bool, text: &str) -> Result<()> {
    check_replyable(r, internal)?;
    let mut area = TextArea::new(text.lines().map(String::from).collect());
    area.set_placeholder_text(if internal { "Internal note (never emailed)…" } else { "Reply to the customer…" });
    app.modal = Some(Modal::Compose { target: r, internal, area: Box::new(area), discard: false });
    Ok(())
}

pub fn part_menu(app: &App) -> Result<Vec<MenuItem>> {
    let parts = app.store.read().parts()?;
    let name_of = |id: &str| parts.iter().find(|p| p.id == id).map(|p| p.name.clone()).unwrap_or_default();
    Ok(parts
        .iter()
        .map(|p| {
            let path = match &p.parent {
                Some(parent) => {
                    let pp = parts.iter().find(|x| &x.id == parent).and_then(|x| x.parent.clone());
                    match pp {
                        Some(g) => format!("{} › {} › {}", name_of(&g), name_of(parent), p.name),
                        None => format!("{} › {}", name_of(parent), p.name),
                    }
                }
                None => p.name.clone(),
            };
            item(format!("{:<8} {path}", p.id), p.id.clone())
        })
        .collect())
}

/// Apply a menu choice.
pub fn chosen(app: &mut App, purpose: MenuPurpose, value: String) -> Result<()> {
    let b = by(app);
    match purpose {
        MenuPurpose::Stage(r) => {
            let destructive = ["canceled", "archived", "wont-fix", "duplicate", "wont-do"];
            if destructive.contains(&value.as_str()) {
                app.modal = Some(Modal::Confirm {
                    message: format!("Move {r} to {value}? It closes the item."),
                    then: super::super::app::Pending::Stage(r, value),
                });
                return Ok(());
            }
            stage(app, r, &value)?;
        }
        MenuPurpose::Assign(r) => {
            let m = (value != "-").then_some(value.as_str());
            let prev = app.store.write(|w| w.assign(r, m, &b))?;
            app.undo.push(Undo::Assign { item: r, prev });
            app.toast(format!("{r} owner: {}", m.unwrap_or("nobody")));
        }
        MenuPurpose::Severity(r) => {
            let sev = (value != "-").then(|| Severity::parse(&value)).transpose()?;
            let prev = app.store.write(|w| w.set_severity(r, sev, &b))?;
            app.undo.push(Undo::Severity { item: r, prev });
            app.toast(format!("{r} severity: {value}"));
        }
        MenuPurpose::Part(r) => {
            let prev = app.store.read().item(r)?.part;
            app.store.write(|w| {
                let p = w.part_row(&value)?;
                w.set_part(r, p, &b)
            })?;
            app.undo.push(Undo::Part { item: r, prev });
            app.toast(format!("{r} part: {value}"));
        }
        MenuPurpose::LinkRel(from, to) => {
            let rel = LinkRel::parse(&value)?;
            if app.store.write(|w| w.link(from, to, rel, &b))? {
                app.undo.push(Undo::Link { from, to, rel });
            }
            app.toast(format!("{from} {rel} {to}"));
        }
        MenuPurpose::Snippet(r) => {
            let text = render_snippet(app, r, app.snippets.get(&value).cloned().unwrap_or_default())?;
            compose(app, r, false, &text)?;
            return Ok(());
        }
        MenuPurpose::NewItemPart(kind, title, parent) => {
            let id = create(app, kind, &title, Some(&value), parent)?;
            refresh_all(app)?;
            open(app, Target::Item(id))?;
            return Ok(());
        }
        MenuPurpose::ExportFormat | MenuPurpose::OpenView => {
            return super::super::extra::chosen(app, purpose, value);
        }
    }
    refresh_all(app)
}

pub fn stage(app: &mut App, r: ItemRef, to: &str) -> Result<()> {
    let from = app.store.read().item(r)?.stage;
    let b = by(app);
    app.store.write(|w| w.set_stage(r, to, &b))?;
    app.undo.push(Undo::Stage { item: r, from });
    app.toast(format!("{r} → {to}"));
    Ok(())
}

/// Create a ticket, issue or task; a ticket from a conversation or an issue from a ticket is linked to it.
pub fn create(app: &mut App, kind: Kind, title: &str, part: Option<&str>, parent: Option<ItemRef>) -> Result<ItemRef> {
    let b = by(app);
    let id = app.store.write(|w| {
        if let (Kind::Ticket, Some(conv)) = (kind, parent) {
            let p = w.part_row(part.unwrap_or_default())?;
            let t = w.ticket_from_conversation(conv, p, &b)?;
            if w.item(t)?.title != title.trim() {
                w.set_title(t, title, &b)?;
            }
            return Ok(t);
        }
        let mut n = helpdesk::store::NewItem::new(kind, title, helpdesk::domain::SourceChannel::Tui);
        n.part_row = part.map(|p| w.part_row(p)).transpose()?;
        if kind == Kind::Task {
            n.parent = parent;
        }
        n.owner = w.member_row(&b.who).ok().map(|_| b.who.clone());
        let id = w.create_item(&n, &b)?;
        if let (Kind::Issue, Some(t)) = (kind, parent) {
            w.link(t, id, LinkRel::Issue, &b)?;
        }
        Ok(id)
    })?;
    app.toast(format!("{id} created"));
    Ok(id)
}

/// Fill `{{contact.name}}`, `{{ticket.id}}`, `{{ticket.title}}`, `{{member.name}}` in a snippet.
pub fn render_snippet(app: &App, r: ItemRef, text: String) -> Result<String> {
    let i = app.store.read().item(r)?;
    let contact = match i.contact.as_deref().and_then(|c| c.trim_start_matches("CONT-").parse::<i64>().ok()) {
        Some(c) => app.store.read().contact(c)?.name,
        None => "there".into(),
    };
    let member = app
        .store
        .read()
        .members()?
        .into_iter()
        .find(|m| m.login == app.user)
        .map(|m| m.name)
        .unwrap_or(app.user.clone());
    let first = contact.split_whitespace().next().unwrap_or("there").to_string();
    Ok(text
        .replace("{{contact.name}}", &contact)
        .replace("{{contact.first_name}}", &first)
        .replace("{{ticket.id}}", &r.to_string())
        .replace("{{item.id}}", &r.to_string())
        .replace("{{ticket.title}}", &i.title)
        .replace("{{item.title}}", &i.title)
        .replace("{{member.name}}", &member))
}

pub fn undo(app: &mut App) -> Result<()> {
    let Some(u) = app.undo.pop() else { bail!("nothing to undo") };
    let b = by(app);
    let what = app.store.write(|w| {
        Ok(match &u {
            Undo::Stage { item, from } => {
                w.restore_stage(*item, from, &b)?;
                format!("{item} back to {from}")
            }
            Undo::Assign { item, prev } => {
                w.assign(*item, prev.as_deref(), &b)?;
                format!("{item} owner back to {}", prev.as_deref().unwrap_or("nobody"))
            }
            Undo::Severity { item, prev } => {
                w.set_severity(*item, prev.as_deref().map(Severity::parse).transpose()?, &b)?;
                format!("{item} severity back to {}", prev.as_deref().unwrap_or("none"))
            }
            Undo::Part { item, prev } => {
                if let Some(p) = prev {
                    let row = w.part_row(p)?;
                    w.set_part(*item, row, &b)?;
                }
                format!("{item} part back to {}", prev.as_deref().unwrap_or("none"))
            }
            Undo::Tag { item, tag } => {
                w.untag_item(*item, tag, &b)?;
                format!("{item}: tag {tag} removed")
            }
            Undo::Link { from, to, rel } => {
                w.unlink(*from, *to, *rel, &b)?;
                format!("{from} {rel} {to} unlinked")
            }
        })
    })?;
    app.toast(format!("undone: {what}"));
    refresh_all(app)
}
