//! Replies and internal notes: the inline composer, `$EDITOR`, snippets, and sending.

use super::app::{App, Chosen, Composer, EditorRequest, Field, MenuItem, Modal};
use anyhow::{Context, Result, bail};
use helpdesk::domain::{ItemRef, Kind};
use helpdesk::mail::outbox;
use ratatui_textarea::TextArea;
use tui_input::Input;

/// Open the composer on the current item: a reply to the customer, or an internal note.
pub fn reply(app: &mut App, internal: bool) -> Result<()> {
    let r = app.need_item()?;
    open(app, r, internal, "")
}

/// Reply to all: the composer with the other addressees of the message answered in Cc.
pub fn reply_all(app: &mut App) -> Result<()> {
    let r = app.need_item()?;
    open_as(app, r, false, "", How::All)
}

/// Forward the message under the cursor (with its attachments): the composer with an empty To.
pub fn forward(app: &mut App) -> Result<()> {
    let r = app.need_item()?;
    let d = app.detail.last().context("open a conversation or ticket first")?;
    let msg = d.messages.iter().rev().find(|m| m.0 <= d.scroll).or(d.messages.first()).map(|m| m.1);
    let msg = msg.context("no message here to forward")?;
    open_as(app, r, false, "", How::Forward(msg))
}

/// What the composer writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    Reply,
    All,
    Forward(i64),
}

pub fn in_editor(app: &mut App) -> Result<()> {
    let r = app.need_item()?;
    check_replyable(r, false)?;
    let opened = app.store.read().opened(app.store.read().item_row(r)?, &app.user)?;
    // The editor starts as the composer would: the message being read (else the last one) quoted under the cursor.
    let a = outbox::addressing_to(&app.store.read(), r, &app.cfg, message_in_view(app, r))?;
    let initial = match a.answering {
        Some((who, at, body)) => format!("\n\n{}", quoted(&who, at, &body)),
        None => String::new(),
    };
    app.editor = Some(EditorRequest { target: r, internal: false, initial, opened });
    Ok(())
}

/// The message under the cursor of the item's view, if that item is the one shown.
fn message_in_view(app: &App, r: ItemRef) -> Option<i64> {
    let v = app.detail.last().filter(|v| v.target == super::app::Target::Item(r))?;
    v.messages.iter().rev().find(|m| m.0 <= v.scroll).map(|m| m.1)
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

/// "On 2026-03-02 10:15, Carol <c@x.org> wrote:" and the message quoted with "> ".
fn quoted(who: &str, at: i64, body: &str) -> String {
    let when =
        chrono::DateTime::from_timestamp(at, 0).map(|d| d.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default();
    let quote: Vec<String> =
        body.trim_end().lines().map(|l| if l.is_empty() { ">".into() } else { format!("> {l}") }).collect();
    format!("On {when}, {who} wrote:\n{}", quote.join("\n"))
}

/// Put the next suggested article's text into the reply at the cursor, with its title and id.
pub fn insert_article(app: &mut App, c: &mut Composer) -> Result<()> {
    let Some(a) = c.articles.get(c.inserted % c.articles.len().max(1)) else {
        bail!("no knowledge article matches {}", c.target)
    };
    let article = app.store.read().article(a.id)?;
    c.area.insert_str(format!("{} ({}):\n{}\n", article.title, article.id, article.body.trim_end()));
    c.inserted += 1;
    c.dirty = true;
    c.field = Field::Body;
    app.toast(format!("{} inserted (ctrl-k again: the next article)", article.id));
    Ok(())
}

/// Open the composer. `text` fills it (a snippet, `$EDITOR`'s text); else a kept draft comes back, else a reply
/// starts above the quoted customer message, addressed as the item's people are.
pub fn open(app: &mut App, r: ItemRef, internal: bool, text: &str) -> Result<()> {
    open_as(app, r, internal, text, How::Reply)
}

fn open_as(app: &mut App, r: ItemRef, internal: bool, text: &str, how: How) -> Result<()> {
    check_replyable(r, internal)?;
    let draft = if text.is_empty() { app.store.read().draft(r, &app.user, internal)? } else { None };
    // A kept draft comes back as it was written (a forward stays a forward), unless a forward is asked for.
    let draft = draft.filter(|d| !matches!(how, How::Forward(m) if d.forward_of != Some(m)));
    let restored = draft.is_some();
    let mut d = draft.unwrap_or_default();
    // The message being read in the item's view is the one answered (quoted, threaded under); else the last one.
    let answering = (!internal && matches!(how, How::Reply | How::All)).then(|| message_in_view(app, r)).flatten();
    if !internal && !restored {
        let store = app.store.read();
        let a = match how {
            How::Reply => outbox::addressing_to(&store, r, &app.cfg, answering)?,
            How::All => outbox::addressing_all(&store, r, &app.cfg, answering)?,
            How::Forward(m) => outbox::forwarding(&store, r, m)?,
        };
        d.to = a.to;
        d.cc = a.cc;
        d.subject = a.subject;
        d.body = match (how, text.is_empty(), a.answering) {
            (_, false, _) => text.to_string(),
            (How::Forward(m), true, _) => {
                let row = store.item_row(r)?;
                let msg = store.messages(row, None)?.into_iter().find(|x| x.id == m).context("the message is gone")?;
                format!("\n\n{}", outbox::forwarded_text(&msg))
            }
            (_, true, Some((who, at, body))) => format!("\n\n{}", quoted(&who, at, &body)),
            (_, true, None) => String::new(),
        };
        if let How::Forward(m) = how {
            d.forward_of = Some(m);
        }
    } else if !restored {
        d.body = text.to_string();
    }
    let forward_of = match d.forward_of {
        Some(m) => Some((m, app.store.read().attachments(m)?.into_iter().map(|a| a.name).collect())),
        None => None,
    };
    let mut area = TextArea::new(d.body.lines().map(String::from).collect());
    area.set_placeholder_text(if internal { "Internal note (never emailed)…" } else { "Reply to the customer…" });
    // A new reply is typed above the quote; a kept draft goes on where its writing ended.
    match restored.then(|| where_writing_ended(area.lines())).flatten() {
        Some((row, col)) => area.move_cursor(ratatui_textarea::CursorMove::Jump(row, col)),
        None => area.move_cursor(ratatui_textarea::CursorMove::Top),
    }
    // Long lines wrap at word boundaries as they will read in the customer's mail client.
    area.set_wrap_mode(ratatui_textarea::WrapMode::WordOrGlyph);
    // The thread stays readable above the composer: the view stays on the message answered, else shows the last.
    if let Some(d) = app.detail.last_mut()
        && answering.is_none()
    {
        d.scroll = d.lines.len().saturating_sub(1);
    }
    let item = app.store.read().item(r)?;
    let opened = app.store.read().opened(item.row, &app.user)?;
    let articles: Vec<_> =
        helpdesk::similar::articles_for_item(&app.store.read(), item.row, &item.title, &item.description, 3)?
            .into_iter()
            .filter(|a| a.score >= super::detail::ARTICLE_FLOOR)
            .collect();
    app.modal = Some(Modal::Compose(Box::new(Composer {
        target: r,
        internal,
        to: Input::new(d.to.join(", ")),
        cc: Input::new(d.cc.join(", ")),
        subject: Input::new(d.subject),
        attach: Input::new(d.attach.join(", ")),
        all: how == How::All,
        answering,
        field: if forward_of.is_some() && d.to.is_empty() { Field::To } else { Field::Body },
        forward_of,
        area,
        discard: false,
        // Text from elsewhere (a snippet, $EDITOR) is kept as the draft at once.
        dirty: !text.is_empty(),
        articles,
        inserted: 0,
        opened,
        held: None,
        entered: false,
    })));
    if restored {
        app.toast(format!("your draft of {r} is back (esc esc throws it away)"));
    }
    Ok(())
}

/// Keep what is being typed: called on the tick, so a crash loses at most a second of typing.
pub fn autosave(app: &mut App) {
    let Some(Modal::Compose(c)) = app.modal.as_mut() else { return };
    if !c.dirty {
        return;
    }
    c.dirty = false;
    let (r, internal, d, who, at) = (c.target, c.internal, c.draft(), app.user.clone(), app.now());
    if let Err(e) = app.store.write(|w| w.save_draft(r, &who, internal, &d, at)) {
        app.error(format!("draft not saved: {e:#}"));
    }
}

/// Throw the draft away (esc twice).
pub fn discard(app: &mut App, r: ItemRef, internal: bool) -> Result<()> {
    let who = app.user.clone();
    app.store.write(|w| w.drop_draft(r, &who, internal))?;
    app.toast("draft discarded");
    Ok(())
}

/// Send a reply (queued for the outbox) or store a note. A send that cannot work (an error, or no mailbox that can
/// send) says why, keeps the draft, and the composer stays open (the caller puts it back on an error).
pub fn send(app: &mut App, c: &Composer, anyway: bool) -> Result<()> {
    let b = app.by();
    let d = c.draft();
    if d.body.trim().is_empty() {
        bail!("nothing to send");
    }
    app.store.write(|w| w.save_draft(c.target, &b.who, c.internal, &d, b.at))?;
    let r = c.target;
    let opened = (!anyway).then(|| c.opened.clone());
    if c.internal {
        app.store.write(|w| {
            if let Some(o) = &opened {
                w.guard_thread(r, o, &b)?;
            }
            let row = w.item_row(r)?;
            w.add_message(&helpdesk::store::NewMessage::internal(row, &b.who, &d.body, b.at))?;
            w.drop_draft(r, &b.who, true)
        })?;
        app.toast(format!("{r}: note added"));
        return app.refresh_all();
    }
    let person = outbox::person_name(&app.store.read(), &app.cfg, &b.who)?;
    let attach =
        d.attach.iter().map(|p| outbox::Attached::read(&crate::user::expand_home(p))).collect::<Result<Vec<_>, _>>()?;
    let reply = outbox::Reply {
        body: d.body,
        to: Some(d.to),
        cc: Some(d.cc),
        subject: Some(d.subject),
        all: c.all,
        attach,
        attach_paths: d.attach.clone(),
        forward_of: d.forward_of,
        answering: c.answering,
        opened,
    };
    let cfg = app.cfg.clone();
    match app.store.write(|w| outbox::reply(w, r, &reply, &b, &cfg, person.as_deref()))? {
        outbox::Outcome::Queued { to, cc, .. } => {
            let cc = if cc.is_empty() { String::new() } else { format!(", cc {}", cc.join(", ")) };
            let what = if c.forward_of.is_some() { "forward" } else { "reply" };
            app.toast(format!("{r}: {what} to {}{cc} queued", to.join(", ")));
            app.mail.reread_outbox(&app.store);
        }
        outbox::Outcome::Draft(why) => bail!("{why}"),
    }
    app.refresh_all()
}

/// Held, and the member goes on writing: what the held panel showed counts as seen (anything newer holds it again).
pub fn keep_editing(app: &mut App, c: &mut Composer) -> Result<()> {
    if let Some(h) = c.held.take() {
        c.opened.known.extend(h.news.iter().map(|n| n.message));
    }
    app.toast(if c.internal { "go on writing; ctrl-s saves" } else { "go on writing; ctrl-s sends" });
    Ok(())
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

/// The end of the last line written before the quote (an attribution line ending in "wrote:", or `>` lines),
/// else of the last line with text: (row, column).
fn where_writing_ended(lines: &[String]) -> Option<(u16, u16)> {
    let quote =
        lines.iter().position(|l| l.starts_with('>') || l.trim_end().ends_with("wrote:")).unwrap_or(lines.len());
    let row = lines[..quote].iter().rposition(|l| !l.trim().is_empty())?;
    let col = lines[row].chars().count();
    Some((u16::try_from(row).ok()?, u16::try_from(col).ok()?))
}
