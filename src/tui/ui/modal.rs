//! Modals: help (from the keymap), palette, menus, prompts with the similar-work panel, confirmations, composer.

use super::super::action::Action;
use super::super::app::{App, Composer, Field, Modal, PromptPurpose, menu_rows};
use super::super::keymap::Scope;
use super::centered;
use super::lists::fit;
use helpdesk::sanitize::line;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

fn frame(f: &mut Frame, area: Rect, title: &str) -> Rect {
    f.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(Style::new().fg(Color::Cyan))
        .title(format!(" {} ", fit(&line(title), usize::from(area.width.saturating_sub(4)))));
    let inner = block.inner(area);
    f.render_widget(block, area);
    inner
}

fn selectable(items: impl Iterator<Item = String>, selected: Option<usize>, height: usize) -> Vec<Line<'static>> {
    let items: Vec<String> = items.collect();
    let sel = selected.unwrap_or(0);
    // The selected row sits mid-window once the list scrolls (a pre-selected value shows its neighbours).
    let start = sel.saturating_sub(height / 2).min(items.len().saturating_sub(height));
    items
        .into_iter()
        .enumerate()
        .skip(start)
        .take(height)
        .map(|(i, s)| {
            if Some(i) == selected {
                Line::styled(format!("▸ {s}"), Style::new().fg(Color::Black).bg(Color::Cyan))
            } else {
                Line::raw(format!("  {s}"))
            }
        })
        .collect()
}

/// A modal over `screen`: the area between the tab bar and the status line, which stay visible.
pub fn draw(f: &mut Frame, app: &App, m: &Modal, screen: Rect) {
    match m {
        Modal::Help { scroll } => {
            let area = centered(screen, screen.width.saturating_sub(4).min(120), screen.height);
            let inner = frame(f, area, "Keys (esc closes · j/k scroll · g/G top/end)");
            let lines = help_lines(app, inner.width);
            let skip = (*scroll).min(lines.len().saturating_sub(inner.height as usize));
            f.render_widget(Paragraph::new(lines.into_iter().skip(skip).collect::<Vec<_>>()), inner);
        }
        Modal::Palette { input, selected } => {
            let area = centered(screen, screen.width.saturating_sub(4).min(100), screen.height.min(20));
            let inner = frame(f, area, "Command palette");
            let [top, rest] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
            f.render_widget(Paragraph::new(format!(": {}▏", input.value())), top);
            let matches = Action::matching(input.value());
            let w = inner.width as usize;
            let lines = selectable(
                matches.iter().map(|a| fit(&format!("{:<22} {}", a.name(), a.description()), w.saturating_sub(2))),
                Some(*selected),
                rest.height as usize,
            );
            f.render_widget(Paragraph::new(lines), rest);
        }
        Modal::Menu { title, items, selected, filter } => {
            let rows = menu_rows(items, filter.value());
            let widest = items.iter().map(|i| i.label.chars().count()).max().unwrap_or(10).max(title.chars().count());
            let w = (widest as u16 + 8).max(40).min(screen.width.saturating_sub(2));
            let area = centered(screen, w, items.len() as u16 + 4);
            let inner = frame(f, area, title);
            let [top, list, foot] =
                Layout::vertical([Constraint::Length(1), Constraint::Min(1), Constraint::Length(1)]).areas(inner);
            let typed = if filter.value().is_empty() {
                Line::styled("type to filter", Style::new().fg(Color::DarkGray))
            } else {
                Line::raw(format!("› {}▏", line(filter.value())))
            };
            f.render_widget(Paragraph::new(typed), top);
            let cw = inner.width as usize;
            let lines = selectable(
                rows.iter().filter_map(|i| items.get(*i)).map(|i| fit(&line(&i.label), cw.saturating_sub(2))),
                Some(*selected),
                list.height as usize,
            );
            f.render_widget(Paragraph::new(lines), list);
            let count = format!("{}/{} · enter choose · esc", rows.len(), items.len());
            f.render_widget(Paragraph::new(Line::styled(fit(&count, cw), Style::new().fg(Color::DarkGray))), foot);
        }
        Modal::Prompt { title, input, purpose, similar, pick } => {
            let creating = matches!(purpose, PromptPurpose::NewTitle(..));
            let h = if creating { 12 } else { 3 };
            let area = centered(screen, screen.width.saturating_sub(6).clamp(20, 160), h);
            let cw = area.width.saturating_sub(2) as usize;
            let inner = frame(f, area, title);
            let [top, rest] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
            f.render_widget(Paragraph::new(format!("{}▏", line(input.value()))), top);
            if creating && rest.height > 1 {
                let searched = match purpose {
                    PromptPurpose::NewTitle(kind, _) => crate::tui::similar::searched_kinds(*kind)
                        .iter()
                        .map(|k| format!("{}s", k.as_str()))
                        .collect::<Vec<_>>()
                        .join(", "),
                    _ => String::new(),
                };
                let mut lines = vec![Line::styled(
                    fit(
                        &format!(
                            "Similar {searched} (↓ pick · ctrl-o open · ctrl-d duplicate-of · ctrl-r related · enter \
                             create anyway)"
                        ),
                        cw,
                    ),
                    Style::new().fg(Color::Cyan),
                )];
                if similar.is_empty() {
                    lines.push(Line::styled("  nothing similar yet", Style::new().fg(Color::DarkGray)));
                }
                for (i, s) in similar.iter().enumerate() {
                    let text = fit(
                        &format!(
                            "{:<9} {:<24} {}  — {}",
                            s.id.to_string(),
                            s.stage.label(),
                            line(&s.title),
                            line(&s.reason)
                        ),
                        cw.saturating_sub(2),
                    );
                    lines.push(if Some(i) == *pick {
                        Line::styled(format!("▸ {text}"), Style::new().fg(Color::Black).bg(Color::Cyan))
                    } else {
                        Line::raw(format!("  {text}"))
                    });
                }
                f.render_widget(Paragraph::new(lines), rest);
            }
        }
        Modal::Confirm { message, .. } => {
            let area = centered(screen, (message.chars().count() as u16 + 6).clamp(30, screen.width), 6);
            let inner = frame(f, area, "Confirm");
            let lines = vec![
                Line::raw(line(message)),
                Line::default(),
                Line::styled("[y] yes   [n] no", Style::new().fg(Color::Yellow)),
            ];
            f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), inner);
        }
        Modal::Compose(c) => compose(f, screen, c, app.keymap.key_for(Action::InsertArticle)),
    }
}

/// The composer takes the lower part of the screen, so the thread it answers stays readable above it; the status
/// line stays visible below.
/// Where the composer sits: the lower part of the screen, over the item's view.
pub fn compose_area(screen: Rect) -> Rect {
    let h = (screen.height * 11 / 20).max(8).min(screen.height.saturating_sub(2));
    Rect { x: screen.x, y: screen.y + screen.height.saturating_sub(h), width: screen.width, height: h }
}

fn compose(f: &mut Frame, screen: Rect, c: &Composer, insert_key: Option<String>) {
    let area = compose_area(screen);
    let what = match (&c.forward_of, c.all) {
        (Some(_), _) => "Forward from",
        (None, true) => "Reply to all on",
        (None, false) => "Reply on",
    };
    let mut title = if c.internal {
        format!("Note on {} · ctrl-s save · ctrl-w keep · esc esc discard", c.target)
    } else {
        format!("{what} {} · ctrl-s send · tab To/Cc/Subject/Attach · ctrl-w keep · esc esc discard", c.target)
    };
    if let (Some(a), Some(k)) = (c.articles.get(c.inserted % c.articles.len().max(1)), insert_key) {
        title.push_str(&format!(" · {k} inserts {} {}", a.id, line(&a.title)));
    }
    if c.held.is_some() {
        let not = if c.internal { "not saved" } else { "not sent" };
        title = format!("HELD, {not}: {} changed since you opened it", c.target);
    }
    let inner = frame(f, area, &title);
    let inner = held(f, inner, c);
    let head = if c.internal { 0 } else { 4 + u16::from(c.forward_of.is_some()) };
    let [fields, body] = Layout::vertical([Constraint::Length(head), Constraint::Fill(1)]).areas(inner);
    if !c.internal {
        let row = |name: &str, input: &tui_input::Input, field: Field| {
            let active = c.field == field;
            let style = if active { Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD) } else { Style::new() };
            Line::from(vec![
                Span::styled(format!("{name:<9}"), style),
                Span::raw(line(input.value())),
                Span::raw(if active { "▏" } else { "" }),
            ])
        };
        let lines = vec![
            row("To:", &c.to, Field::To),
            row("Cc:", &c.cc, Field::Cc),
            row("Subject:", &c.subject, Field::Subject),
            row("Attach:", &c.attach, Field::Attach),
        ];
        let mut lines = lines;
        if let Some((_, names)) = &c.forward_of {
            let carried = if names.is_empty() { "no attachments".to_string() } else { names.join(", ") };
            lines.push(Line::from(vec![Span::raw(format!("{:<9}", "Carries:")), Span::raw(line(&carried))]));
        }
        f.render_widget(Paragraph::new(lines), fields);
    }
    f.render_widget(&c.area, body);
}

/// A held reply or note: what arrived since the composer opened, and the choice (above the text, which stays).
fn held(f: &mut Frame, inner: Rect, c: &Composer) -> Rect {
    let Some(h) = &c.held else { return inner };
    let red = Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD);
    let mut lines = vec![Line::styled(format!("Since you opened {}:", c.target), red)];
    let w = inner.width as usize;
    for n in &h.news {
        let quote = if n.excerpt.is_empty() { String::new() } else { format!(": “{}”", n.excerpt) };
        let text = line(&format!("• {}{quote}", n.line(h.tried_at)));
        // Two lines each: who and when, and most of what they wrote.
        let wrapped = crate::tui::detail::wrap(&text, w.saturating_sub(4).max(10));
        for (i, l) in wrapped.iter().take(2).enumerate() {
            let more = if i == 1 && wrapped.len() > 2 { "…" } else { "" };
            lines.push(Line::raw(format!("{}{l}{more}", if i == 0 { "  " } else { "    " })));
        }
    }
    lines.push(Line::from(vec![
        Span::styled(" s ", Style::new().fg(Color::Black).bg(Color::Yellow)),
        Span::raw(if c.internal { " save anyway  " } else { " send anyway  " }),
        Span::styled(" e ", Style::new().fg(Color::Black).bg(Color::Cyan)),
        Span::raw(" edit  "),
        Span::styled(" d ", Style::new().fg(Color::Black).bg(Color::Red)),
        Span::raw(" discard"),
    ]));
    let n = (lines.len() as u16).min(inner.height.saturating_sub(1));
    let [top, rest] = Layout::vertical([Constraint::Length(n), Constraint::Fill(1)]).areas(inner);
    f.render_widget(Paragraph::new(lines), top);
    rest
}

/// The help's lines at this inner width: every binding by where it acts (from the keymap), then the pickers, forms,
/// search and markers.
pub fn help_lines(app: &App, width: u16) -> Vec<Line<'static>> {
    let desc_w = (width as usize).saturating_sub(38);
    let mut lines = vec![];
    for scope in [Scope::Global, Scope::List, Scope::Detail, Scope::Composer] {
        let heading = match scope {
            Scope::Global => "Everywhere".to_string(),
            s => format!("In {}", s.name()),
        };
        lines.push(Line::styled(heading, Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)));
        for b in app.keymap.bindings.iter().filter(|b| b.scope == scope) {
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<10}", b.key.label()), Style::new().fg(Color::Yellow)),
                Span::raw(format!("{:<26}", b.action.name())),
                Span::styled(fit(b.action.description(), desc_w), Style::new().fg(Color::Gray)),
            ]));
        }
        lines.push(Line::default());
    }
    for l in [
        "In pickers: type to filter (fuzzy; / first for j k g G q) · ↑/↓ · g/G · pgup/pgdn · enter · esc",
        "In forms: ↓/↑ pick a similar item · ctrl-o open it (esc returns) · ctrl-d duplicate · ctrl-r related",
        "Search (/): owner:alice stage:wip account:acme sev:high tag:x is:unassigned is:mine is:unread",
        "  is:open has:issue, and words over ID, title, account, contact and message text (CLI: --query)",
        "Markers: ● needs a response from us · • unread: customer mail you have not seen (bold; opening",
        "  the item reads it, for you only) · ✓ selected for a bulk change (space, *)",
        "In the composer: ctrl-s send · esc esc discard · mouse: click selects, wheel scrolls",
    ] {
        lines.push(Line::styled(fit(l, width as usize), Style::new().fg(Color::Gray)));
    }
    lines
}
