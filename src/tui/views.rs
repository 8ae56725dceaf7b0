//! Views of a list: export of the current view, saved views and the standing trackers.

use super::app::{App, Chosen, MenuItem, Modal, Pane, PromptPurpose, ViewChoice};
use super::list::Source;
use anyhow::{Result, bail};
use helpdesk::domain::Kind;
use helpdesk::io::export::{self, Format};
use helpdesk::store::{ItemFilter, SortOrder};
use tui_input::Input;

pub fn export_menu(app: &mut App) -> Result<()> {
    if app.pane == Pane::Dashboard {
        bail!("the dashboard has no rows to export; `helpdesk stats --json` prints its figures");
    }
    let items = [Format::Csv, Format::Json]
        .into_iter()
        .map(|f| MenuItem { label: f.name().to_uppercase(), then: Chosen::ExportFormat(f) })
        .collect();
    app.menu("Export the current view as", items);
    Ok(())
}

pub fn save_prompt(app: &mut App) -> Result<()> {
    if !matches!(app.list().source, Source::Items(_)) || app.pane == Pane::Dashboard {
        bail!("views are saved from the Inbox, Tickets and Issues panes");
    }
    app.modal = Some(Modal::Prompt {
        title: "Save this view as".into(),
        input: Input::default(),
        purpose: PromptPurpose::SaveView,
        similar: vec![],
        pick: None,
    });
    Ok(())
}

pub fn open_menu(app: &mut App) -> Result<()> {
    let views = app.store.read().views()?;
    let view = |label: &str, v: ViewChoice| MenuItem { label: label.into(), then: Chosen::OpenView(v) };
    let mut items: Vec<MenuItem> = vec![
        view("Needs response (conversations and tickets waiting on us)", ViewChoice::NeedsResponse),
        view("Mine (open items I own)", ViewChoice::Mine),
        view("Unassigned (open tickets nobody owns)", ViewChoice::Unassigned),
        view("Active tickets (open, no linked issue)", ViewChoice::Active),
        view("Product assist (tickets with issues, and issues)", ViewChoice::Assist),
    ];
    items.extend(
        views.into_iter().map(|(n, _)| MenuItem { label: n.clone(), then: Chosen::OpenView(ViewChoice::Saved(n)) }),
    );
    app.menu("Open view", items);
    Ok(())
}

/// The format was chosen: ask where to write, offering a dated name in the working directory.
pub fn export_path_prompt(app: &mut App, f: Format) -> Result<()> {
    let base = match app.pane {
        Pane::Contacts if app.accounts => "accounts",
        p => p.title(),
    }
    .to_lowercase();
    let name = format!("helpdesk-{base}-{}.{}", chrono::Utc::now().format("%Y%m%d-%H%M%S"), f.name());
    let dir = std::env::current_dir().unwrap_or_default();
    let path = dir.join(name).display().to_string();
    app.modal = Some(Modal::Prompt {
        title: format!("Export {} to", f.name()),
        input: Input::new(path),
        purpose: PromptPurpose::ExportPath(f),
        similar: vec![],
        pick: None,
    });
    Ok(())
}

/// The filter a list shows, with the text typed into it.
fn current_filter(app: &App) -> Option<ItemFilter> {
    let Source::Items(filter) = &app.list().source else { return None };
    let mut filter = filter.clone();
    filter.text = Some(app.list().text.clone()).filter(|t| !t.is_empty());
    Some(filter)
}

pub fn export_to(app: &mut App, f: Format, path: &str) -> Result<()> {
    if let Some(p) = app.list().problems.first() {
        bail!("not exported: {p}");
    }
    let mut out = std::fs::File::create(path).map_err(|e| anyhow::anyhow!("cannot write {path}: {e}"))?;
    let r = app.store.read();
    // The rows shown: the typed query read as the list reads it (`owner:alice card`), not as free words.
    let n = match (app.list().item_filter(), &app.list().source) {
        (Some(filter), _) => export::items(&r, &filter, f, f == Format::Json, &mut out)?,
        (None, Source::Accounts) => export::accounts(&r, f, &mut out)?,
        (None, _) => export::contacts(&r, f, &mut out)?,
    };
    app.toast(format!("exported {n} rows to {path}"));
    Ok(())
}

pub fn save(app: &mut App, name: &str) -> Result<()> {
    let Some(filter) = current_filter(app) else { bail!("only item lists can be saved") };
    app.store.write(|w| w.save_view(name, &filter))?;
    app.toast(format!("view '{name}' saved"));
    Ok(())
}

/// Show a saved view (or a built-in one) in its pane, under its name; back (esc) returns to the pane's own list.
pub fn open_view(app: &mut App, v: &ViewChoice) -> Result<()> {
    let open = Some(true);
    let filter = match v {
        ViewChoice::Active => {
            ItemFilter { kind: Some(Kind::Ticket), has_issue: Some(false), open, ..Default::default() }
        }
        ViewChoice::Assist => ItemFilter { has_issue: Some(true), ..Default::default() },
        ViewChoice::NeedsResponse => {
            ItemFilter { needs_response: Some(true), open, sort: SortOrder::Waiting, ..Default::default() }
        }
        ViewChoice::Mine => {
            let me = app.store.read().member_row(&app.user).map_err(|_| {
                anyhow::anyhow!("'{}' is not a member: nothing can be theirs (helpdesk member add)", app.user)
            })?;
            ItemFilter { owner_row: Some(me), open, sort: SortOrder::Updated, ..Default::default() }
        }
        ViewChoice::Unassigned => ItemFilter {
            kind: Some(Kind::Ticket),
            unassigned: true,
            open,
            sort: SortOrder::Waiting,
            ..Default::default()
        },
        ViewChoice::Saved(n) => app.store.read().view(n)?,
    };
    // A view of one kind opens in that kind's pane; one of every kind where the user is (its title says so).
    let pane = match filter.kind {
        Some(Kind::Conversation) => Pane::Inbox,
        Some(Kind::Issue) => Pane::Issues,
        None if matches!(app.pane, Pane::Inbox | Pane::Tickets | Pane::Issues) => app.pane,
        _ => Pane::Tickets,
    };
    app.switch(pane)?;
    let l = app.list_mut();
    let own = match l.view.take() {
        Some((_, own)) => own,
        None => l.source.clone(),
    };
    let reader_row = match &own {
        Source::Items(f) => f.reader_row,
        _ => None,
    };
    l.view = Some((v.title().to_string(), own));
    l.text = filter.text.clone().unwrap_or_default();
    l.source = Source::Items(ItemFilter { text: None, reader_row, ..filter });
    l.cursor = 0;
    l.marked.clear();
    app.reload()?;
    app.toast(format!("view: {} (esc leaves it)", v.title()));
    Ok(())
}
