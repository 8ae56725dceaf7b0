//! Export of the current view, saved views, and feedback on similar-work suggestions.

use super::action::Action;
use super::app::{App, MenuItem, MenuPurpose, Modal, Pane, PromptPurpose};
use super::list::Source;
use super::update::{reload, switch};
use anyhow::{Result, bail};
use helpdesk::domain::Kind;
use helpdesk::io::export::{self, Format};
use tui_input::Input;

pub fn act(app: &mut App, a: Action) -> Result<()> {
    match a {
        Action::Export => {
            if app.pane == Pane::Dashboard {
                bail!("the dashboard has no rows to export; `helpdesk stats --json` prints its figures");
            }
            let items =
                ["csv", "json"].iter().map(|f| MenuItem { label: f.to_uppercase(), value: f.to_string() }).collect();
            app.modal = Some(Modal::Menu {
                title: "Export the current view as".into(),
                items,
                selected: 0,
                purpose: MenuPurpose::ExportFormat,
            });
        }
        Action::SaveView => {
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
        }
        Action::OpenView => {
            let views = app.store.read().views()?;
            let mut items: Vec<MenuItem> = vec![
                MenuItem { label: "Active tickets (no linked issue)".into(), value: "@active".into() },
                MenuItem { label: "Product assist (tickets with issues, and issues)".into(), value: "@assist".into() },
            ];
            items.extend(views.into_iter().map(|(n, _)| MenuItem { label: n.clone(), value: n }));
            app.modal =
                Some(Modal::Menu { title: "Open view".into(), items, selected: 0, purpose: MenuPurpose::OpenView });
        }
        Action::ThumbUp | Action::ThumbDown => super::similar::feedback(app, a == Action::ThumbUp)?,
        Action::EditRecord => super::records::edit(app)?,
        other => bail!("'{}' does nothing here", other.name()),
    }
    Ok(())
}

pub fn chosen(app: &mut App, purpose: MenuPurpose, value: String) -> Result<()> {
    match purpose {
        MenuPurpose::ExportFormat => {
            let base = match app.pane {
                Pane::Contacts if app.accounts => "accounts",
                p => p.title(),
            }
            .to_lowercase();
            let name = format!("helpdesk-{base}-{}.{value}", chrono::Utc::now().format("%Y%m%d-%H%M%S"));
            let dir = std::env::current_dir().unwrap_or_default();
            let path = dir.join(name).display().to_string();
            app.modal = Some(Modal::Prompt {
                title: format!("Export {value} to"),
                input: Input::new(path),
                purpose: PromptPurpose::ExportPath(value),
                similar: vec![],
                pick: None,
            });
        }
        MenuPurpose::OpenView => open_view(app, &value)?,
        _ => {}
    }
    Ok(())
}

pub fn submit(app: &mut App, purpose: PromptPurpose, text: String) -> Result<()> {
    match purpose {
        PromptPurpose::ExportPath(format) => {
            let f = Format::parse(&format)?;
            let mut out = std::fs::File::create(&text).map_err(|e| anyhow::anyhow!("cannot write {text}: {e}"))?;
            let r = app.store.read();
            let n = match (&app.list().source, app.pane) {
                (Source::Items(filter), _) => {
                    let mut filter = filter.clone();
                    filter.text = Some(app.list().text.clone()).filter(|t| !t.is_empty());
                    export::items(&r, &filter, f, f == Format::Json, &mut out)?
                }
                (Source::Contacts, _) => export::contacts(&r, f, &mut out)?,
                (Source::Accounts, _) => export::accounts(&r, f, &mut out)?,
            };
            app.toast(format!("exported {n} rows to {text}"));
        }
        PromptPurpose::SaveView => {
            let Source::Items(filter) = &app.list().source else { bail!("only item lists can be saved") };
            let mut filter = filter.clone();
            filter.text = Some(app.list().text.clone()).filter(|t| !t.is_empty());
            app.store.write(|w| w.save_view(&text, &filter))?;
            app.toast(format!("view '{text}' saved"));
        }
        _ => {}
    }
    Ok(())
}

/// Show a saved view (or one of the two standing trackers) in its pane.
pub fn open_view(app: &mut App, name: &str) -> Result<()> {
    let filter = match name {
        "@active" => {
            helpdesk::store::ItemFilter { kind: Some(Kind::Ticket), has_issue: Some(false), ..Default::default() }
        }
        "@assist" => helpdesk::store::ItemFilter { has_issue: Some(true), ..Default::default() },
        n => app.store.read().view(n)?,
    };
    let pane = match filter.kind {
        Some(Kind::Conversation) => Pane::Inbox,
        Some(Kind::Issue) => Pane::Issues,
        _ => Pane::Tickets,
    };
    switch(app, pane)?;
    let l = app.list_mut();
    l.text = filter.text.clone().unwrap_or_default();
    l.source = Source::Items(helpdesk::store::ItemFilter { text: None, ..filter });
    reload(app)?;
    app.toast(format!("view: {}", if name.starts_with('@') { "standing tracker" } else { name }));
    Ok(())
}
