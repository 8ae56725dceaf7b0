//! Getting around: panes, moving in lists and views, opening rows, going back, the list filter, tabs.

use super::action::Action;
use super::app::{App, Detail, MsgTab, Pane, Target};
use super::list::Row;
use anyhow::Result;
use tui_input::Input;

pub fn quit(app: &mut App) -> Result<()> {
    app.quit = true;
    Ok(())
}

/// Close the open view; on a list, clear its filter.
pub fn back(app: &mut App) -> Result<()> {
    if app.detail.pop().is_none() && !app.list().text.is_empty() {
        app.list_mut().text.clear();
        app.reload()?;
    }
    Ok(())
}

pub fn cycle_pane(app: &mut App, forward: bool) -> Result<()> {
    let n = Pane::ALL.len();
    let i = app.pane.index();
    let to = if forward { (i + 1) % n } else { (i + n - 1) % n };
    app.switch(Pane::ALL[to])
}

/// Up, down, top, bottom, a page up or down: in the open view, else in the list.
pub fn movement(app: &mut App, a: Action) -> Result<()> {
    let h = app.list_height();
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

/// Open the link under the cursor in a view, or the selected row of a list.
pub fn open_selected(app: &mut App) -> Result<()> {
    if let Some(d) = app.detail.last() {
        if let Some(t) = d.link_at(d.scroll) {
            app.open(t)?;
        }
    } else if let Some(row) = app.list().selected().cloned() {
        app.open(match row {
            Row::Item(i) => Target::Item(i.id),
            Row::Contact(c) => Target::Contact(c.id),
            Row::Account(a) => Target::Account(a.id),
        })?;
    }
    Ok(())
}

pub fn start_filter(app: &mut App) -> Result<()> {
    if app.detail.is_empty() && app.pane != Pane::Dashboard {
        app.filtering = Some(Input::new(app.list().text.clone()));
    }
    Ok(())
}

pub fn toggle_accounts(app: &mut App) -> Result<()> {
    if app.pane == Pane::Contacts && app.detail.is_empty() {
        app.accounts = !app.accounts;
        if !app.list().loaded {
            app.reload()?;
        }
    }
    Ok(())
}

/// Switch the open item between its customer and internal messages.
pub fn switch_tab(app: &mut App) -> Result<()> {
    if let Some(d) = app.detail.last_mut() {
        d.tab = match d.tab {
            MsgTab::Customer => MsgTab::Internal,
            MsgTab::Internal => MsgTab::Customer,
        };
        app.rebuild_detail()?;
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
