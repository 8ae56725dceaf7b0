//! Replies and internal notes: the inline composer, `$EDITOR`, snippets, and sending.

use super::app::{App, Chosen, EditorRequest, MenuItem, Modal};
use anyhow::{Result, bail};
use helpdesk::domain::{ItemRef, Kind};
use ratatui_textarea::TextArea;

/// Open the composer on the current item: a reply to the customer, or an internal note.
pub fn reply(app: &mut App, internal: bool) -> Result<()> {
    let r = app.need_item()?;
    open(app, r, internal, "")
}

pub fn in_editor(app: &mut App) -> Result<()> {
    let r = app.need_item()?;
    check_replyable(r, false)?;
    app.editor = Some(EditorRequest { target: r, internal: false, initial: String::new() });
    Ok(())
}

pub fn snippet_menu(app: &mut App) -> Result<()> {
    let r = app.need_item()?;
    if app.snippets.is_empty() {
        bail!("no snippets: add a [snippets] table to the config file");
    }
    let items =
        app.snippets.keys().map(|k| MenuItem { label: k.clone(), then: Chosen::Snippet(r, k.clone()) }).collect();
    app.menu("Canned reply", items);
    Ok(())
}

/// A snippet was chosen: its text, filled in, opens in the composer.
pub fn snippet(app: &mut App, r: ItemRef, name: &str) -> Result<()> {
    let text = render_snippet(app, r, app.snippets.get(name).cloned().unwrap_or_default())?;
    open(app, r, false, &text)
}

fn check_replyable(r: ItemRef, internal: bool) -> Result<()> {
    if !internal && !matches!(r.kind, Kind::Conversation | Kind::Ticket) {
        bail!("{r}: only conversations and tickets have customers to reply to; write a note instead");
    }
    Ok(())
}

/// The composer with `text` in it.
pub fn open(app: &mut App, r: ItemRef, internal: bool, text: &str) -> Result<()> {
    check_replyable(r, internal)?;
    let mut area = TextArea::new(text.lines().map(String::from).collect());
    area.set_placeholder_text(if internal { "Internal note (never emailed)…" } else { "Reply to the customer…" });
    app.modal = Some(Modal::Compose { target: r, internal, area: Box::new(area), discard: false });
    Ok(())
}

/// Store a reply (queued for the outbox) or an internal note.
pub fn send(app: &mut App, r: ItemRef, internal: bool, text: &str) -> Result<()> {
    let b = app.by();
    let from = app.from.clone();
    app.store.write(|w| {
        let row = w.item_row(r)?;
        if internal {
            w.add_message(&helpdesk::store::NewMessage::internal(row, &b.who, text, b.at))?;
            Ok(())
        } else {
            helpdesk::mail::outbox::queue_reply(w, r, text, &b, from.as_deref()).map(|_| ())
        }
    })?;
    app.toast(if internal { format!("{r}: note added") } else { format!("{r}: reply queued for sending") });
    app.refresh_all()
}

/// Fill `{{contact.name}}`, `{{ticket.id}}`, `{{ticket.title}}`, `{{member.name}}` in a snippet.
pub fn render_snippet(app: &App, r: ItemRef, text: String) -> Result<String> {
    let i = app.store.read().item(r)?;
    let contact = match i.contact {
        Some(c) => app.store.read().contact(c.0)?.name,
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
