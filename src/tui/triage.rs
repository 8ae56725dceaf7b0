//! Triage at speed: go to an ID, the next item that needs a response, the list's order, selecting rows.

use super::app::{App, Modal, Pane, PromptPurpose, Target};
use super::list::Source;
use anyhow::{Result, bail};
use helpdesk::domain::{ItemRef, Kind};
use helpdesk::store::SortOrder;
use tui_input::Input;

pub fn go_to_prompt(app: &mut App) -> Result<()> {
    app.modal = Some(Modal::Prompt {
        title: "Go to (TKT-12, CONV-3, ISS-4, TASK-5; a bare number is this pane's kind)".into(),
        input: Input::default(),
        purpose: PromptPurpose::GoTo,
        similar: vec![],
        pick: None,
    });
    Ok(())
}

/// Open an item by its ID over its own pane, so that back returns to that pane's list.
pub fn go_to(app: &mut App, text: &str) -> Result<()> {
    let text = text.trim();
    // A bare number is an ID of the pane's kind, as the filter reads one (951 in the Inbox: CONV-951).
    let id: ItemRef = match text.parse::<i64>() {
        Ok(num) if num > 0 => {
            let kind = match app.pane {
                Pane::Inbox => Kind::Conversation,
                Pane::Issues => Kind::Issue,
                _ => Kind::Ticket,
            };
            ItemRef { kind, num }
        }
        _ => text.parse()?,
    };
    app.store.read().item_row(id)?;
    let pane = match id.kind {
        Kind::Conversation => Pane::Inbox,
        Kind::Ticket => Pane::Tickets,
        Kind::Issue | Kind::Task => Pane::Issues,
    };
    if pane != app.pane {
        app.switch(pane)?;
    }
    app.detail.clear();
    app.open(Target::Item(id))
}

/// The next row of the list (after the cursor, then from the top) that needs a response, opened. From an open
/// view the list is the one under it; a pane without items uses the inbox.
pub fn next_needs_response(app: &mut App) -> Result<()> {
    if !matches!(app.list().source, Source::Items(_)) || app.pane == Pane::Dashboard {
        app.switch(Pane::Inbox)?;
    }
    let h = app.list_height();
    let i = app.list_index();
    let start = app.list().cursor;
    let total = app.list().total;
    let r = app.store.read();
    let l = &mut app.lists[i];
    let mut found = false;
    for step in 1..=total.min(20_000) {
        let to = (start + step) % total.max(1);
        l.move_to(&r, to, h)?;
        if l.selected_item().is_some_and(|it| it.needs_response) {
            found = true;
            break;
        }
    }
    if !found {
        app.lists[i].move_to(&app.store.read(), start, h)?;
        bail!("nothing in this list needs a response");
    }
    app.detail.clear();
    super::nav::open_selected(app)
}

/// The next sort order of an item list.
pub fn sort(app: &mut App) -> Result<()> {
    let Source::Items(f) = &mut app.list_mut().source else { bail!("only item lists can be sorted") };
    let at = SortOrder::ALL.iter().position(|o| *o == f.sort).unwrap_or(0);
    f.sort = SortOrder::ALL[(at + 1) % SortOrder::ALL.len()];
    let name = f.sort.name();
    app.list_mut().cursor = 0;
    app.reload()?;
    app.toast(format!("sorted by {name}"));
    Ok(())
}

/// Select or unselect the row under the cursor, and step down.
pub fn mark(app: &mut App) -> Result<()> {
    let Some(id) = app.list().selected_item().map(|i| i.id) else { bail!("select rows in the item lists") };
    let l = app.list_mut();
    match l.marked.iter().position(|m| *m == id) {
        Some(at) => {
            l.marked.remove(at);
        }
        None => l.marked.push(id),
    }
    super::nav::movement(app, super::action::Action::Down)
}

/// Select every row of the list (at most 1000), or none when all are selected already.
pub fn mark_all(app: &mut App) -> Result<()> {
    let Some(f) = app.list().item_filter() else { bail!("select rows in the item lists") };
    if let Some(p) = app.list().problems.first() {
        bail!("nothing selected: {p}");
    }
    let rows = app.store.read().list_all(&f, 1000)?;
    let l = app.list_mut();
    if !l.marked.is_empty() && rows.iter().all(|r| l.marked.contains(&r.id)) {
        l.marked.clear();
        app.toast("selection cleared");
        return Ok(());
    }
    let n = rows.len();
    l.marked = rows.into_iter().map(|r| r.id).collect();
    app.toast(format!("{n} rows selected: s a v t change them all, u undoes, esc clears"));
    Ok(())
}
