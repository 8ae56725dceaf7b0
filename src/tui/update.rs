//! `update`: keys and mouse become actions, and one exhaustive `match` hands each action to its feature's handler.
//! Errors become toasts, never panics.

use super::action::Action;
use super::app::{App, Modal, Pane};
use super::keymap::{Key, Scope};
use super::{compose, items, modal, nav, reading, records, similar, team, triage, undo, views};
use anyhow::Result;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, MouseButton, MouseEvent, MouseEventKind};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

pub fn on_key(app: &mut App, key: KeyEvent) {
    if key.kind == KeyEventKind::Release {
        return;
    }
    if let Err(e) = handle_key(app, key) {
        app.error(format!("{e:#}"));
    }
}

fn handle_key(app: &mut App, key: KeyEvent) -> Result<()> {
    if app.modal.is_some() {
        // The palette names an action to run.
        return match modal::key(app, key)? {
            Some(a) => update(app, a),
            None => Ok(()),
        };
    }
    if app.filtering.is_some() {
        return filter_key(app, key);
    }
    let scope = if app.detail.is_empty() { Scope::List } else { Scope::Detail };
    match app.keymap.lookup(scope, Key::from_event(&key)) {
        Some(a) => update(app, a),
        None => Ok(()),
    }
}

/// Typing a filter: every keystroke that changes the text re-queries the list.
fn filter_key(app: &mut App, key: KeyEvent) -> Result<()> {
    let before = app.list().text.clone();
    match key.code {
        KeyCode::Esc => {
            app.filtering = None;
            app.list_mut().text.clear();
        }
        KeyCode::Enter => app.filtering = None,
        KeyCode::Down | KeyCode::Up => {
            app.filtering = None;
            return update(app, if key.code == KeyCode::Down { Action::Down } else { Action::Up });
        }
        _ => {
            if let Some(input) = app.filtering.as_mut() {
                input.handle_event(&ratatui::crossterm::event::Event::Key(key));
                let text = input.value().to_string();
                app.list_mut().text = text;
            }
        }
    }
    if app.list().text == before {
        return Ok(());
    }
    // Other text, other rows: the cursor goes back to the first match (a write elsewhere keeps it).
    app.list_mut().cursor = 0;
    app.reload()
}

pub fn on_mouse(app: &mut App, m: MouseEvent) {
    let r = match m.kind {
        MouseEventKind::ScrollDown => update(app, Action::Down).and_then(|_| update(app, Action::Down)),
        MouseEventKind::ScrollUp => update(app, Action::Up).and_then(|_| update(app, Action::Up)),
        MouseEventKind::Down(MouseButton::Left) => click(app, m.column, m.row),
        _ => Ok(()),
    };
    if let Err(e) = r {
        app.error(format!("{e:#}"));
    }
}

fn click(app: &mut App, col: u16, row: u16) -> Result<()> {
    if app.modal.is_some() {
        return Ok(());
    }
    if row == 0 {
        let mut x = 0u16;
        for p in Pane::ALL {
            let w = super::ui::tab_width(p);
            if col >= x && col < x + w {
                return app.switch(p);
            }
            x += w;
        }
        return Ok(());
    }
    let first = 3u16;
    if row < first {
        return Ok(());
    }
    let h = app.list_height();
    if let Some(d) = app.detail.last_mut() {
        let line = d.top(h) + (row - 2) as usize;
        d.scroll = line.min(d.lines.len().saturating_sub(1));
        return Ok(());
    }
    if app.pane == Pane::Dashboard {
        return Ok(());
    }
    if app.filtering.is_some() {
        app.filtering = None;
    }
    let to = app.list().offset + (row - first) as usize;
    if to < app.list().total {
        let r = app.store.read();
        let i = app.list_index();
        app.lists[i].move_to(&r, to, h)?;
    }
    Ok(())
}

/// Carry out one action: every action has its arm, and each arm is its feature's handler.
pub fn update(app: &mut App, a: Action) -> Result<()> {
    match a {
        Action::Quit => nav::quit(app),
        Action::Back => nav::back(app).map(|_| ()),
        Action::Help => {
            app.modal = Some(Modal::Help { scroll: 0 });
            Ok(())
        }
        Action::Palette => {
            app.modal = Some(Modal::Palette { input: Input::default(), selected: 0 });
            Ok(())
        }
        Action::NextPane => nav::cycle_pane(app, true),
        Action::PrevPane => nav::cycle_pane(app, false),
        Action::PaneInbox => app.switch(Pane::Inbox),
        Action::PaneTickets => app.switch(Pane::Tickets),
        Action::PaneIssues => app.switch(Pane::Issues),
        Action::PaneContacts => app.switch(Pane::Contacts),
        Action::PaneDashboard => app.switch(Pane::Dashboard),
        Action::Up | Action::Down | Action::Top | Action::Bottom | Action::PageUp | Action::PageDown => {
            nav::movement(app, a)
        }
        Action::Open => nav::open_selected(app),
        Action::Filter => nav::start_filter(app),
        Action::Refresh => app.refresh_all(),
        Action::ToggleAccounts => nav::toggle_accounts(app),
        Action::NextTab | Action::PrevTab => nav::switch_tab(app),
        Action::Stage => items::stage_menu(app),
        Action::Assign => items::assign_menu(app),
        Action::Severity => items::severity_menu(app),
        Action::Part => items::part_menu(app),
        Action::Tag => items::tag_prompt(app),
        Action::Link => items::link_prompt(app),
        Action::TicketFromConversation => items::ticket_from_conversation(app),
        Action::NewItem => items::new_item(app),
        Action::NewIssue => items::new_issue(app),
        Action::NewTask => items::new_task(app),
        Action::Undo => undo::undo(app),
        Action::GoTo => triage::go_to_prompt(app),
        Action::NextNeedsResponse => triage::next_needs_response(app),
        Action::Sort => triage::sort(app),
        Action::Mark => triage::mark(app),
        Action::MarkAll => triage::mark_all(app),
        Action::NextMessage => reading::message(app, true),
        Action::PrevMessage => reading::message(app, false),
        Action::ToggleQuotes => reading::toggle_quotes(app),
        Action::Headers => reading::toggle_headers(app),
        Action::Find => reading::find_prompt(app),
        Action::FindNext => reading::find_next(app, true),
        Action::FindPrev => reading::find_next(app, false),
        Action::Pager => reading::pager(app, false),
        Action::PagerThread => reading::pager(app, true),
        Action::OpenAttachment => reading::open_attachment(app),
        Action::SaveAttachment => reading::save_prompt(app),
        Action::Reply => compose::reply(app, false),
        Action::ReplyAll => compose::reply_all(app),
        Action::Forward => compose::forward(app),
        Action::Note => compose::reply(app, true),
        Action::EditorReply => compose::in_editor(app),
        Action::Snippet => compose::snippet_menu(app),
        Action::Export => views::export_menu(app),
        Action::SaveView => views::save_prompt(app),
        Action::OpenView => views::open_menu(app),
        Action::ThumbUp => similar::feedback(app, true),
        Action::ThumbDown => similar::feedback(app, false),
        Action::InsertArticle => anyhow::bail!("open a reply (r) first: the article goes into its text"),
        Action::EditRecord => records::edit(app),
        Action::Notifications => team::notifications(app),
    }
}

/// Text written in `$EDITOR` opens in the composer, to be read once more and sent with ctrl-s.
/// The composer's thread counts from when the editor opened (`opened`), not from its return.
pub fn compose_from_editor(
    app: &mut App,
    target: helpdesk::domain::ItemRef,
    internal: bool,
    text: &str,
    opened: helpdesk::store::Opened,
) -> Result<()> {
    compose::open(app, target, internal, text)?;
    if let Some(Modal::Compose(c)) = app.modal.as_mut() {
        c.opened = opened;
    }
    Ok(())
}

/// The mail worker reported something: the status bar changes, the lists re-read the store.
pub fn on_mail(app: &mut App, n: helpdesk::mail::worker::Notice) {
    use helpdesk::mail::worker::Notice;
    match n {
        Notice::State(s) => app.mail.state = s,
        Notice::Synced { new, at } => {
            app.mail.last_sync = Some(at);
            app.mail.new_mail += new;
            if new > 0 {
                app.toast(if new == 1 { "1 new message".to_string() } else { format!("{new} new messages") });
                let _ = app.refresh_all();
            }
        }
        Notice::Sent { count } => {
            app.toast(if count == 1 { "1 reply sent".to_string() } else { format!("{count} replies sent") });
            let _ = app.refresh_all();
        }
        Notice::Bounced { item, detail } => {
            app.error(format!("bounce on {}: {detail}", item.unwrap_or_else(|| "an outbound message".into())));
            let _ = app.refresh_all();
        }
        Notice::Failed(e) => app.mail.state = format!("error: {e}"),
    }
    app.mail.reread_outbox(&app.store);
}
