//! Keys inside modals: help, palette, menus, prompts, confirmations and the reply composer.

use super::super::action::Action;
use super::super::app::{App, MenuItem, MenuPurpose, Modal, Pending, PromptPurpose, Undo};
use super::items::{by, chosen, create, stage};
use super::{refresh_all, update};
use anyhow::{Result, bail};
use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use helpdesk::domain::{ItemRef, Kind, LinkRel};
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use tui_input::backend::crossterm::EventHandler;

/// Actions the palette offers, best match first.
pub fn palette_matches(query: &str) -> Vec<Action> {
    let m = SkimMatcherV2::default();
    let mut scored: Vec<(i64, Action)> = Action::ALL
        .iter()
        .filter_map(|a| {
            if query.trim().is_empty() {
                return Some((0, *a));
            }
            let hay = format!("{} {}", a.name(), a.description());
            m.fuzzy_match(&hay, query.trim()).map(|s| (s, *a))
        })
        .collect();
    scored.sort_by_key(|s| std::cmp::Reverse(s.0));
    scored.into_iter().map(|(_, a)| a).collect()
}

pub fn key(app: &mut App, key: KeyEvent) -> Result<()> {
    let Some(mut modal) = app.modal.take() else { return Ok(()) };
    let esc = key.code == KeyCode::Esc;
    let enter = key.code == KeyCode::Enter;
    match &mut modal {
        Modal::Help { scroll } => match key.code {
            KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('?') => return Ok(()),
            KeyCode::Char('j') | KeyCode::Down => *scroll += 1,
            KeyCode::Char('k') | KeyCode::Up => *scroll = scroll.saturating_sub(1),
            _ => {}
        },
        Modal::Palette { input, selected } => {
            let matches = palette_matches(input.value());
            match key.code {
                KeyCode::Esc => return Ok(()),
                KeyCode::Enter => {
                    return match matches.get(*selected) {
                        Some(a) => update(app, *a),
                        None => Ok(()),
                    };
                }
                KeyCode::Down => *selected = (*selected + 1).min(matches.len().saturating_sub(1)),
                KeyCode::Up => *selected = selected.saturating_sub(1),
                _ => {
                    input.handle_event(&Event::Key(key));
                    *selected = 0;
                }
            }
        }
        Modal::Menu { items, selected, purpose, .. } => match key.code {
            KeyCode::Esc | KeyCode::Char('q') => return Ok(()),
            KeyCode::Char('j') | KeyCode::Down => *selected = (*selected + 1).min(items.len().saturating_sub(1)),
            KeyCode::Char('k') | KeyCode::Up => *selected = selected.saturating_sub(1),
            KeyCode::Enter => {
                let Some(v) = items.get(*selected).map(|i| i.value.clone()) else { return Ok(()) };
                return chosen(app, purpose.clone(), v);
            }
            KeyCode::Char(c @ '1'..='9') => {
                let i = c as usize - '1' as usize;
                if let Some(v) = items.get(i).map(|i| i.value.clone()) {
                    return chosen(app, purpose.clone(), v);
                }
            }
            _ => {}
        },
        Modal::Prompt { input, purpose, similar, pick, .. } => {
            if esc {
                return Ok(());
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
                return super::super::similar::use_pick(app, rel);
            }
            if creating && key.code == KeyCode::Down {
                *pick = Some(pick.map_or(0, |p| (p + 1).min(similar.len().saturating_sub(1))))
                    .filter(|_| !similar.is_empty());
            } else if creating && key.code == KeyCode::Up {
                *pick = pick.and_then(|p| p.checked_sub(1));
            } else if enter {
                let text = input.value().trim().to_string();
                return submit(app, purpose.clone(), text);
            } else {
                input.handle_event(&Event::Key(key));
                app.modal = Some(modal);
                return if creating { super::super::similar::refresh_prompt(app) } else { Ok(()) };
            }
        }
        Modal::Confirm { then, .. } => match key.code {
            KeyCode::Char('y') | KeyCode::Char('Y') | KeyCode::Enter => {
                let Pending::Stage(r, to) = then.clone();
                stage(app, r, &to)?;
                return refresh_all(app);
            }
            KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc | KeyCode::Char('q') => return Ok(()),
            _ => {}
        },
        Modal::Compose { target, internal, area, discard } => {
            let text = area.lines().join("\n");
            if esc {
                if text.trim().is_empty() || *discard {
                    return Ok(());
                }
                *discard = true;
                app.toast("Esc again discards the draft; ctrl-s sends");
            } else if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('s') {
                if text.trim().is_empty() {
                    app.modal = Some(modal);
                    bail!("nothing to send");
                }
                let (r, internal) = (*target, *internal);
                return send(app, r, internal, &text);
            } else {
                *discard = false;
                area.input(key);
            }
        }
    }
    app.modal = Some(modal);
    Ok(())
}

/// Store a reply (queued for the outbox) or an internal note.
pub fn send(app: &mut App, r: ItemRef, internal: bool, text: &str) -> Result<()> {
    let b = by(app);
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
    refresh_all(app)
}

fn submit(app: &mut App, purpose: PromptPurpose, text: String) -> Result<()> {
    match purpose {
        PromptPurpose::Tag(r) => {
            if text.is_empty() {
                return Ok(());
            }
            let b = by(app);
            let added = app.store.write(|w| w.tag_item(r, std::slice::from_ref(&text), &b))?;
            for t in added {
                app.undo.push(Undo::Tag { item: r, tag: t });
            }
            app.toast(format!("{r} tagged {text}"));
            refresh_all(app)
        }
        PromptPurpose::LinkTarget(from) => {
            let to: ItemRef = text.parse()?;
            app.store.read().item_row(to)?;
            let rels = [LinkRel::DuplicateOf, LinkRel::Related, LinkRel::Blocks, LinkRel::Issue, LinkRel::Ticket];
            let items: Vec<MenuItem> = rels
                .iter()
                .filter(|rel| rel.check_kinds(from.kind, to.kind).is_ok())
                .map(|rel| MenuItem { label: format!("{from} {rel} {to}"), value: rel.as_str().into() })
                .collect();
            app.modal = Some(Modal::Menu {
                title: "Link as".into(),
                items,
                selected: 0,
                purpose: MenuPurpose::LinkRel(from, to),
            });
            Ok(())
        }
        PromptPurpose::NewTitle(kind, parent) => {
            if text.is_empty() {
                bail!("a title is needed");
            }
            if kind == Kind::Task {
                let id = create(app, kind, &text, None, parent)?;
                refresh_all(app)?;
                return super::open(app, super::super::app::Target::Item(id));
            }
            let items = super::items::part_menu(app)?;
            app.modal = Some(Modal::Menu {
                title: format!("Part of “{text}”"),
                items,
                selected: 0,
                purpose: MenuPurpose::NewItemPart(kind, text, parent),
            });
            Ok(())
        }
        PromptPurpose::ExportPath(_) | PromptPurpose::SaveView => super::super::extra::submit(app, purpose, text),
        PromptPurpose::NewContact | PromptPurpose::NewAccount | PromptPurpose::EditRecord(_) => {
            super::super::records::submit(app, purpose, text)
        }
    }
}
