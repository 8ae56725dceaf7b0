//! Keys inside modals: help, palette, menus, prompts, confirmations and the reply composer; a menu choice or a
//! submitted prompt goes to its feature's handler through one exhaustive `match`.

use super::action::Action;
use super::app::{App, Chosen, Field, Modal, Pending, PromptPurpose, menu_rows};
use super::keymap::{Key, Scope};
use super::{compose, items, reading, records, similar, triage, views};
use anyhow::{Result, bail};
use helpdesk::domain::LinkRel;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use tui_input::backend::crossterm::EventHandler;

/// A key in the open modal. The palette answers with the action to run.
pub fn key(app: &mut App, key: KeyEvent) -> Result<Option<Action>> {
    let Some(mut modal) = app.modal.take() else { return Ok(None) };
    let esc = key.code == KeyCode::Esc;
    let enter = key.code == KeyCode::Enter;
    match &mut modal {
        Modal::Help { scroll } => {
            // As far as the last line at the bottom of the help's frame (the screen less tab bar, status and borders).
            let page = (app.size.1 as usize).saturating_sub(4).max(1);
            let width = app.size.0.saturating_sub(4).min(120).saturating_sub(2);
            let last = super::ui::help_lines(app, width).len().saturating_sub(page);
            let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
            match key.code {
                KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('?') => return Ok(None),
                KeyCode::Char('j') | KeyCode::Down => *scroll = (*scroll + 1).min(last),
                KeyCode::Char('k') | KeyCode::Up => *scroll = scroll.saturating_sub(1),
                KeyCode::Char('g') | KeyCode::Home => *scroll = 0,
                KeyCode::Char('G') | KeyCode::End => *scroll = last,
                KeyCode::PageDown => *scroll = (*scroll + page).min(last),
                KeyCode::Char('d') if ctrl => *scroll = (*scroll + page).min(last),
                KeyCode::PageUp => *scroll = scroll.saturating_sub(page),
                KeyCode::Char('u') if ctrl => *scroll = scroll.saturating_sub(page),
                _ => {}
            }
        }
        Modal::Palette { input, selected } => {
            let matches = Action::matching(input.value());
            match key.code {
                KeyCode::Esc => return Ok(None),
                KeyCode::Enter => return Ok(matches.get(*selected).copied()),
                KeyCode::Down => *selected = (*selected + 1).min(matches.len().saturating_sub(1)),
                KeyCode::Up => *selected = selected.saturating_sub(1),
                _ => {
                    input.handle_event(&Event::Key(key));
                    *selected = 0;
                }
            }
        }
        Modal::Menu { items, selected, filter, .. } => {
            let rows = menu_rows(items, filter.value());
            let last = rows.len().saturating_sub(1);
            let page = (app.size.1 as usize).saturating_sub(8).max(1);
            let typing = !filter.value().is_empty();
            let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
            match key.code {
                KeyCode::Esc if typing => *filter = tui_input::Input::default(),
                KeyCode::Esc => return Ok(None),
                KeyCode::Char('q') if !typing => return Ok(None),
                KeyCode::Down => *selected = (*selected + 1).min(last),
                KeyCode::Char('j') if !typing => *selected = (*selected + 1).min(last),
                KeyCode::Char('n') if ctrl => *selected = (*selected + 1).min(last),
                KeyCode::Up => *selected = selected.saturating_sub(1),
                KeyCode::Char('k') if !typing => *selected = selected.saturating_sub(1),
                KeyCode::Char('p') if ctrl => *selected = selected.saturating_sub(1),
                KeyCode::Home => *selected = 0,
                KeyCode::Char('g') if !typing => *selected = 0,
                KeyCode::End => *selected = last,
                KeyCode::Char('G') if !typing => *selected = last,
                KeyCode::PageDown => *selected = (*selected + page).min(last),
                KeyCode::Char('d') if ctrl => *selected = (*selected + page).min(last),
                KeyCode::PageUp => *selected = selected.saturating_sub(page),
                // While typing, ctrl-u clears what was typed, as in every prompt.
                KeyCode::Char('u') if ctrl && typing => {
                    *filter = tui_input::Input::default();
                    *selected = 0;
                }
                KeyCode::Char('u') if ctrl => *selected = selected.saturating_sub(page),
                KeyCode::Enter => {
                    let Some(then) = rows.get(*selected).and_then(|i| items.get(*i)).map(|i| i.then.clone()) else {
                        // Name what can be chosen: on a stage menu, the legal next stages.
                        let what = if items.iter().all(|i| matches!(i.then, Chosen::Stage(..))) {
                            "the legal next stages are"
                        } else {
                            "the choices are"
                        };
                        let choices: Vec<&str> = items.iter().map(|i| i.label.trim()).collect();
                        let msg = format!(
                            "nothing matches '{}': {what} {} (backspace or esc clears what was typed)",
                            filter.value(),
                            choices.join(", ")
                        );
                        app.modal = Some(modal);
                        bail!(msg);
                    };
                    return choose(app, then).map(|_| None);
                }
                KeyCode::Char(c @ '1'..='9') if !typing => {
                    let i = c as usize - '1' as usize;
                    if let Some(then) = rows.get(i).and_then(|i| items.get(*i)).map(|i| i.then.clone()) {
                        return choose(app, then).map(|_| None);
                    }
                }
                KeyCode::Char('/') if !typing => {}
                _ => {
                    filter.handle_event(&Event::Key(key));
                    *selected = 0;
                }
            }
        }
        Modal::Prompt { input, purpose, similar, pick, .. } => {
            if esc {
                return Ok(None);
            }
            let creating = matches!(purpose, PromptPurpose::NewTitle(..));
            let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
            if creating && ctrl && matches!(key.code, KeyCode::Char('o' | 'd' | 'r')) {
                let rel = match key.code {
                    KeyCode::Char('d') => Some(LinkRel::DuplicateOf),
                    KeyCode::Char('r') => Some(LinkRel::Related),
                    _ => None,
                };
                app.modal = Some(modal);
                return similar::use_pick(app, rel).map(|_| None);
            }
            if creating && key.code == KeyCode::Down {
                *pick = Some(pick.map_or(0, |p| (p + 1).min(similar.len().saturating_sub(1))))
                    .filter(|_| !similar.is_empty());
            } else if creating && key.code == KeyCode::Up {
                *pick = pick.and_then(|p| p.checked_sub(1));
            } else if enter {
                let text = input.value().trim().to_string();
                // Refused (a bad field, an unknown ID): the prompt comes back with what was typed, to be mended.
                return match submit(app, purpose.clone(), text) {
                    Err(e) if app.modal.is_none() => {
                        app.modal = Some(modal);
                        Err(e)
                    }
                    other => other.map(|_| None),
                };
            } else {
                input.handle_event(&Event::Key(key));
                app.modal = Some(modal);
                return if creating { similar::refresh_prompt(app).map(|_| None) } else { Ok(None) };
            }
        }
        Modal::Confirm { then, .. } => match key.code {
            KeyCode::Char('y') | KeyCode::Char('Y') | KeyCode::Enter => {
                let Pending::Stage(rs, to) = then.clone();
                items::set_stage(app, &rs, to)?;
                return app.refresh_all().map(|_| None);
            }
            KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc | KeyCode::Char('q') => return Ok(None),
            _ => {}
        },
        Modal::Compose(c) if c.held.is_some() => match key.code {
            KeyCode::Char('s' | 'y') => return send(app, modal, true),
            KeyCode::Char('d') => {
                let Modal::Compose(c) = &modal else { return Ok(None) };
                return compose::discard(app, c.target, c.internal).map(|_| None);
            }
            KeyCode::Char('e') | KeyCode::Esc => compose::keep_editing(app, c)?,
            _ => {}
        },
        Modal::Compose(c) => {
            let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
            if esc {
                if c.draft().body.trim().is_empty() || c.discard {
                    return compose::discard(app, c.target, c.internal).map(|_| None);
                }
                c.discard = true;
                app.toast("esc again throws the draft away; ctrl-w closes and keeps it; ctrl-s sends");
            } else if ctrl && key.code == KeyCode::Char('w') {
                // Close and keep: the draft is saved now and comes back on the next reply to this item.
                let (r, internal, d, who, at) = (c.target, c.internal, c.draft(), app.user.clone(), app.now());
                match app.store.write(|w| w.save_draft(r, &who, internal, &d, at)) {
                    Ok(_) => {
                        app.toast(format!("draft of {r} kept; it comes back when you reply again"));
                        return Ok(None);
                    }
                    Err(e) => app.error(format!("draft not kept ({e}); the composer stays open")),
                }
            } else if app.keymap.lookup(Scope::Composer, Key::from_event(&key)) == Some(Action::InsertArticle) {
                // The composer stays open with what is typed: nothing to insert is a line, not a lost reply.
                if let Err(e) = compose::insert_article(app, c) {
                    app.error(e.to_string());
                }
            } else if ctrl && key.code == KeyCode::Char('s') {
                return send(app, modal, false);
            } else if matches!(key.code, KeyCode::Tab | KeyCode::BackTab) && !c.internal {
                let order = [Field::To, Field::Cc, Field::Subject, Field::Attach, Field::Body];
                let i = order.iter().position(|f| *f == c.field).unwrap_or(4);
                let step = if key.code == KeyCode::Tab { 1 } else { order.len() - 1 };
                c.field = order[(i + step) % order.len()];
                c.entered = true;
            } else {
                c.discard = false;
                c.dirty = true;
                let list = match c.field {
                    Field::To => Some(&mut c.to),
                    Field::Cc => Some(&mut c.cc),
                    Field::Attach => Some(&mut c.attach),
                    Field::Subject | Field::Body => None,
                };
                // Typing in a list field just entered adds an entry, not letters to the last one
                // ("a@x.test" then "b@y.test" is "a@x.test, b@y.test").
                if let (true, Some(input), KeyCode::Char(_)) = (c.entered, list, key.code)
                    && !ctrl
                    && !input.value().trim().is_empty()
                    && !input.value().trim_end().ends_with(',')
                {
                    let joined = format!("{}, ", input.value().trim_end());
                    *input = tui_input::Input::new(joined);
                }
                c.entered = false;
                match c.field {
                    Field::To => drop(c.to.handle_event(&Event::Key(key))),
                    Field::Cc => drop(c.cc.handle_event(&Event::Key(key))),
                    Field::Subject => drop(c.subject.handle_event(&Event::Key(key))),
                    Field::Attach => drop(c.attach.handle_event(&Event::Key(key))),
                    Field::Body => drop(c.area.input(key)),
                }
            }
        }
    }
    app.modal = Some(modal);
    Ok(None)
}

/// Send what the composer holds. It stays open with everything typed when the send fails, or when it is held
/// because the thread changed: then it shows what arrived (also in the thread above) and asks.
fn send(app: &mut App, mut modal: Modal, anyway: bool) -> Result<Option<Action>> {
    let Modal::Compose(c) = &mut modal else { return Ok(None) };
    match compose::send(app, c, anyway) {
        Ok(()) => Ok(None),
        Err(e) => {
            let held = match e.downcast::<helpdesk::Error>() {
                Ok(helpdesk::Error::Held(h)) => h,
                Ok(other) => {
                    app.modal = Some(modal);
                    return Err(other.into());
                }
                Err(e) => {
                    app.modal = Some(modal);
                    return Err(e);
                }
            };
            c.held = Some(held);
            app.rebuild_detail()?;
            if let Some(d) = app.detail.last_mut() {
                d.scroll = d.lines.len().saturating_sub(1);
            }
            app.modal = Some(modal);
            Ok(None)
        }
    }
}

/// A menu row was chosen.
fn choose(app: &mut App, then: Chosen) -> Result<()> {
    match then {
        Chosen::Stage(r, to) => items::choose_stage(app, r, to),
        Chosen::Assign(r, login) => items::assign(app, r, login),
        Chosen::Severity(r, sev) => items::set_severity(app, r, sev),
        Chosen::Part(r, part) => items::set_part(app, r, part),
        Chosen::Link(from, to, rel) => items::link(app, from, to, rel),
        Chosen::Snippet(r, name) => compose::snippet(app, r, &name),
        Chosen::NewItemPart { kind, title, parent, part } => items::create_with_part(app, kind, &title, parent, part),
        Chosen::ExportFormat(f) => views::export_path_prompt(app, f),
        Chosen::OpenView(v) => views::open_view(app, &v),
        Chosen::Notification(id, r) => super::team::open_notification(app, id, r),
    }
}

/// A prompt's text was submitted.
fn submit(app: &mut App, purpose: PromptPurpose, text: String) -> Result<()> {
    match purpose {
        PromptPurpose::Tag(rs) => items::tag(app, rs, &text),
        PromptPurpose::Retitle(r) => items::retitle(app, r, &text),
        PromptPurpose::GoTo => triage::go_to(app, &text),
        PromptPurpose::Find => reading::find(app, &text),
        PromptPurpose::SaveAttachment(msg, name) => reading::save(app, msg, &name, &text),
        PromptPurpose::LinkTarget(from) => items::link_target(app, from, &text),
        PromptPurpose::NewTitle(kind, parent) => items::new_title(app, kind, parent, text),
        PromptPurpose::FirstPart(kind, title, parent) => items::first_part(app, kind, &title, parent, &text),
        PromptPurpose::ExportPath(format) => views::export_to(app, format, &text),
        PromptPurpose::SaveView => views::save(app, &text),
        PromptPurpose::NewContact => records::new_contact(app, &text),
        PromptPurpose::NewAccount => records::new_account(app, &text),
        PromptPurpose::EditRecord(t) => records::apply_edit(app, t, &text),
    }
}
