//! Getting around: panes, moving in lists and views, opening rows, going back, the list filter, tabs.

use super::action::Action;
use super::app::{App, Detail, MsgTab, Pane, Target};
use super::list::Row;
use anyhow::Result;
use tui_input::Input;

/// `q`: close the open view (back one level), quit from a pane's list (esc steps back through the selection, the
/// view and the filter).
pub fn quit(app: &mut App) -> Result<()> {
    if app.detail.is_empty() {
        app.quit = true;
        return Ok(());
    }
    back(app).map(|_| ())
}

/// Back one level: close the open view (returning to a form it was opened from), else clear the selection, else
/// leave the view the pane shows, else clear the filter. False if there was nothing to go back from.
pub fn back(app: &mut App) -> Result<bool> {
    if app.detail.pop().is_some() {
        if app.stashed.as_ref().is_some_and(|(depth, _)| *depth > app.detail.len()) {
            app.modal = app.stashed.take().map(|(_, m)| m);
        }
        return Ok(true);
    }
    if app.pane == Pane::Dashboard {
        return Ok(false);
    }
    let l = app.list_mut();
    if !l.marked.is_empty() {
        l.marked.clear();
        return Ok(true);
    }
    if let Some((name, own)) = l.view.take() {
        l.source = own;
        l.text.clear();
        app.reload()?;
        // Said, so that the message that opened the view ("esc leaves it") is not the last word.
        app.toast(format!("left view: {name}"));
        return Ok(true);
    }
    if !l.text.is_empty() {
        l.text.clear();
        app.reload()?;
        return Ok(true);
    }
    Ok(false)
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
        let n = app.stats.as_ref().map(|s| s.oldest_waiting.len()).unwrap_or(0);
        let c = app.dash_cursor;
        app.dash_cursor = match a {
            Action::Up => c.saturating_sub(1),
            Action::Down => c + 1,
            Action::Top | Action::PageUp => 0,
            _ => n,
        }
        .min(n.saturating_sub(1));
        return Ok(());
    }
    let i = app.list_index();
    let r = app.store.read();
    let l = &mut app.lists[i];
    // Only the rows loaded so far are known while the list is counted: the last of them now, the true last when the
    // count comes (unless another move comes first).
    l.bottom_pending = a == Action::Bottom && l.counting.is_some();
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
    } else if app.pane == Pane::Dashboard {
        let id = app.stats.as_ref().and_then(|s| s.oldest_waiting.get(app.dash_cursor)).map(|w| w.id);
        match id {
            Some(id) => app.open(Target::Item(id))?,
            None => anyhow::bail!("nothing waiting to open"),
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
        // A kept filter is edited, and what is typed next is one more term, not the end of its last word.
        let text = app.list().text.clone();
        let text = if text.is_empty() || text.ends_with(' ') { text } else { text + " " };
        app.filtering = Some(Input::new(text));
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
    /// A line jumped to (next message, a find) is shown at the top while the cursor stays on that screen, as a
    /// pager shows it; otherwise the cursor line is kept mid-screen.
    pub fn top(&self, h: usize) -> usize {
        let h = h.max(1);
        let last_top = self.lines.len().saturating_sub(h);
        if let Some(a) = self.anchor.filter(|a| (*a..a + h.saturating_sub(1)).contains(&self.scroll)) {
            return a.saturating_sub(1).min(last_top);
        }
        if self.scroll < h / 2 { 0 } else { (self.scroll - h / 2).min(last_top) }
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
