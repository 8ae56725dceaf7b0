//! `update`: keys and mouse become actions, actions change the state. Errors become toasts, never panics.

mod items;
mod jobs;
mod modal;

pub use items::by as items_by;
pub use modal::palette_matches;

use super::action::Action;
use super::app::{App, Detail, Modal, Pane, Target};
use super::detail;
use super::keymap::{Key, Scope};
use super::list::Row;
use anyhow::Result;
use jobs::{dispatch, request_similar, request_stats};
pub use jobs::{on_count, on_similar, on_stats};
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
        return modal::key(app, key);
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
    reload(app)
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
                return switch(app, p);
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
    let to = app.list().offset + (row - first) as usize;
    if to < app.list().total {
        let r = app.store.read();
        let i = app.list_index();
        app.lists[i].move_to(&r, to, h)?;
    }
    Ok(())
}

pub fn reload(app: &mut App) -> Result<()> {
    let h = app.list_height();
    let i = app.list_index();
    let r = app.store.read();
    let defer = app.jobs.is_some();
    if let Some((seq, filter)) = app.lists[i].reload(&r, h, defer)? {
        let cap = if filter.text.is_some() { super::list::CAP as i64 } else { i64::MAX };
        app.queued.push(super::jobs::Job::Count { list: i, seq, filter, cap });
    }
    Ok(())
}

/// After a write: every list is stale; the current one and the open detail are rebuilt now.
pub fn refresh_all(app: &mut App) -> Result<()> {
    app.finder = helpdesk::similar::Finder::default();
    for l in &mut app.lists {
        l.loaded = false;
    }
    app.stats_at = None;
    if app.pane == Pane::Dashboard {
        request_stats(app)?;
    } else {
        reload(app)?;
    }
    rebuild_detail(app)
}

pub fn rebuild_detail(app: &mut App) -> Result<()> {
    let similar = if app.jobs.is_some() { detail::Similar::Pending } else { detail::Similar::Inline };
    rebuild_detail_with(app, similar)?;
    request_similar(app);
    Ok(())
}

fn rebuild_detail_with(app: &mut App, similar: detail::Similar) -> Result<()> {
    if let Some(d) = app.detail.pop() {
        let mut fresh = detail::build(&app.store, d.target, d.tab, app.clock, similar)?;
        fresh.scroll = d.scroll.min(fresh.lines.len().saturating_sub(1));
        app.detail.push(fresh);
    }
    Ok(())
}

pub fn switch(app: &mut App, p: Pane) -> Result<()> {
    app.pane = p;
    app.detail.clear();
    app.filtering = None;
    if p == Pane::Dashboard {
        if !app.stats_pending && app.stats_at.is_none_or(|t| t.elapsed().as_secs() >= 60) {
            request_stats(app)?;
        }
    } else if !app.list().loaded {
        reload(app)?;
    }
    Ok(())
}

pub fn open(app: &mut App, t: Target) -> Result<()> {
    let d = detail::build(&app.store, t, super::app::MsgTab::Customer, app.clock, detail::Similar::Pending)?;
    app.detail.push(d);
    request_similar(app);
    Ok(())
}

/// After a frame: send the queued jobs, then finish work left for now (the similar-work section of a just-opened
/// view when there is no jobs thread). True if there was some to draw.
pub fn settle(app: &mut App) -> bool {
    dispatch(app);
    if app.detail.is_empty() && app.pane != Pane::Dashboard {
        let (h, i) = (app.list_height(), app.list_index());
        let fetched = app.lists[i].prefetch(&app.store.read(), h);
        if let Err(e) = fetched {
            app.error(format!("{e:#}"));
        }
    }
    if !app.detail.last().is_some_and(|d| d.similar_pending && d.similar_seq.is_none()) {
        return false;
    }
    if let Err(e) = rebuild_detail_with(app, detail::Similar::Inline) {
        if let Some(d) = app.detail.last_mut() {
            d.similar_pending = false;
        }
        app.error(format!("{e:#}"));
    }
    true
}

pub fn update(app: &mut App, a: Action) -> Result<()> {
    let h = app.list_height();
    match a {
        Action::Quit => app.quit = true,
        Action::Back => {
            if app.detail.pop().is_none() && !app.list().text.is_empty() {
                app.list_mut().text.clear();
                reload(app)?;
            }
        }
        Action::Help => app.modal = Some(Modal::Help { scroll: 0 }),
        Action::Palette => app.modal = Some(Modal::Palette { input: Input::default(), selected: 0 }),
        Action::NextPane | Action::PrevPane => {
            let n = Pane::ALL.len();
            let i = app.pane.index();
            let to = if a == Action::NextPane { (i + 1) % n } else { (i + n - 1) % n };
            switch(app, Pane::ALL[to])?;
        }
        Action::PaneInbox => switch(app, Pane::Inbox)?,
        Action::PaneTickets => switch(app, Pane::Tickets)?,
        Action::PaneIssues => switch(app, Pane::Issues)?,
        Action::PaneContacts => switch(app, Pane::Contacts)?,
        Action::PaneDashboard => switch(app, Pane::Dashboard)?,
        Action::Up | Action::Down | Action::Top | Action::Bottom | Action::PageUp | Action::PageDown => {
            movement(app, a, h)?
        }
        Action::Open => {
            if let Some(d) = app.detail.last() {
                if let Some(t) = d.link_at(d.scroll) {
                    open(app, t)?;
                }
            } else if let Some(row) = app.list().selected().cloned() {
                open(
                    app,
                    match row {
                        Row::Item(i) => Target::Item(i.id),
                        Row::Contact(c) => Target::Contact(c.row),
                        Row::Account(a) => Target::Account(a.row),
                    },
                )?;
            }
        }
        Action::Filter => {
            if app.detail.is_empty() && app.pane != Pane::Dashboard {
                app.filtering = Some(Input::new(app.list().text.clone()));
            }
        }
        Action::Refresh => refresh_all(app)?,
        Action::ToggleAccounts => {
            if app.pane == Pane::Contacts && app.detail.is_empty() {
                app.accounts = !app.accounts;
                if !app.list().loaded {
                    reload(app)?;
                }
            }
        }
        Action::NextTab | Action::PrevTab => {
            if let Some(d) = app.detail.last_mut() {
                d.tab = match d.tab {
                    super::app::MsgTab::Customer => super::app::MsgTab::Internal,
                    super::app::MsgTab::Internal => super::app::MsgTab::Customer,
                };
                rebuild_detail(app)?;
            }
        }
        Action::Undo => items::undo(app)?,
        _ => items::act(app, a)?,
    }
    Ok(())
}

fn movement(app: &mut App, a: Action, h: usize) -> Result<()> {
    if let Some(d) = app.detail.last_mut() {
        d.move_cursor(a, h);
        return Ok(());
    }
    if app.pane == Pane::Dashboard {
        return Ok(());
    }
    let i = app.list_index();
    let r = app.store.read();
    let l = &mut app.lists[i];
    match a {
        Action::Up => l.move_by(&r, -1, h)?,
        Action::Down => l.move_by(&r, 1, h)?,
        Action::Top => l.move_to(&r, 0, h)?,
        Action::Bottom => l.move_to(&r, l.total.saturating_sub(1), h)?,
        Action::PageUp => l.move_by(&r, -(h as isize), h)?,
        _ => l.move_by(&r, h as isize, h)?,
    }
    Ok(())
}

impl Detail {
    /// First line on screen for a viewport of `h` lines, keeping the cursor line visible.
    pub fn top(&self, h: usize) -> usize {
        let h = h.max(1);
        if self.scroll < h / 2 { 0 } else { (self.scroll - h / 2).min(self.lines.len().saturating_sub(h)) }
    }

    pub fn move_cursor(&mut self, a: Action, h: usize) {
        let last = self.lines.len().saturating_sub(1);
        self.scroll = match a {
            Action::Up => self.scroll.saturating_sub(1),
            Action::Down => (self.scroll + 1).min(last),
            Action::Top => 0,
            Action::Bottom => last,
            Action::PageUp => self.scroll.saturating_sub(h),
            _ => (self.scroll + h).min(last),
        };
    }

    pub fn link_at(&self, line: usize) -> Option<Target> {
        self.links.iter().find(|(l, _)| *l == line).map(|(_, t)| *t)
    }
}

/// Text written in `$EDITOR` opens in the composer, to be read once more and sent with ctrl-s.
pub fn compose_from_editor(app: &mut App, target: helpdesk::domain::ItemRef, internal: bool, text: &str) -> Result<()> {
    items::compose(app, target, internal, text)
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
                app.toast(format!("{new} new message(s)"));
                let _ = refresh_all(app);
            }
        }
        Notice::Sent { count } => {
            app.toast(format!("{count} reply(ies) sent"));
            let _ = refresh_all(app);
        }
        Notice::Bounced { item, detail } => {
            app.error(format!("bounce on {}: {detail}", item.unwrap_or_else(|| "an outbound message".into())));
            let _ = refresh_all(app);
        }
        Notice::Failed(e) => app.mail.state = format!("error: {e}"),
    }
    app.mail.outbox = app.store.read().outbox_pending().unwrap_or(0) as usize;
}
