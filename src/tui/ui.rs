//! The one pure `draw`: tab bar, the pane (list, detail or dashboard), status bar, modal and toasts.

mod dashboard;
pub mod lists;
mod modal;
pub use modal::help_lines;

use super::action::Action;
use super::app::{App, Pane};
use super::list::Source;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

pub fn tab_label(p: Pane) -> String {
    format!(" {} {} ", p.index() + 1, p.title())
}

/// Width of a tab on the tab bar, separator included (for mouse clicks).
pub fn tab_width(p: Pane) -> u16 {
    tab_label(p).chars().count() as u16 + 1
}

pub fn draw(f: &mut Frame, app: &App) {
    let [tabs, main, status] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(1), Constraint::Length(1)]).areas(f.area());
    draw_tabs(f, app, tabs);
    if let Some(d) = app.detail.last() {
        // Under the composer the view is as tall as what shows above it, so that the message answered is in sight.
        let shown = match &app.modal {
            Some(super::app::Modal::Compose(_)) => Rect { height: modal::compose_area(main).y - main.y, ..main },
            _ => main,
        };
        lists::detail(f, app, d, shown);
    } else if app.pane == Pane::Dashboard {
        dashboard::draw(f, app, main);
    } else {
        lists::list(f, app, main);
    }
    draw_status(f, app, status);
    if let Some(m) = &app.modal {
        modal::draw(f, app, m, main);
    }
    draw_toast(f, app, status);
}

/// The keys the hint bar offers where the user is: only keys that act there.
fn hints(app: &App) -> Vec<Action> {
    use super::app::Target;
    use Action::*;
    if let Some(d) = app.detail.last() {
        return match d.target {
            Target::Item(r) => {
                let mut v = vec![];
                if matches!(r.kind, helpdesk::domain::Kind::Conversation | helpdesk::domain::Kind::Ticket) {
                    v.push(Reply);
                }
                v.extend([Note, Stage, Assign]);
                // What this kind of item makes next: a ticket from a conversation, an issue from a ticket, a task.
                match r.kind {
                    helpdesk::domain::Kind::Conversation => v.push(TicketFromConversation),
                    helpdesk::domain::Kind::Ticket => v.push(NewIssue),
                    helpdesk::domain::Kind::Issue => v.push(NewTask),
                    _ => {}
                }
                if !d.messages.is_empty() {
                    v.extend([NextMessage, ToggleQuotes]);
                }
                if !d.attachments.is_empty() {
                    v.extend([OpenAttachment, SaveAttachment]);
                }
                v.extend([Find, Back, Help]);
                v
            }
            _ => vec![Open, EditRecord, Find, Back, Help],
        };
    }
    match app.pane {
        Pane::Dashboard => vec![Open, Refresh, Palette, Help, Quit],
        Pane::Contacts => vec![Open, Filter, ToggleAccounts, NewItem, EditRecord, Help, Quit],
        _ if !app.list().marked.is_empty() => vec![Mark, Stage, Assign, Severity, Tag, Undo, Back],
        Pane::Inbox => vec![Open, Filter, GoTo, NextNeedsResponse, Mark, Sort, OpenView, Help, Quit],
        _ => vec![Open, Filter, GoTo, Stage, Assign, Mark, Sort, OpenView, Help, Quit],
    }
}

fn draw_tabs(f: &mut Frame, app: &App, area: Rect) {
    let mut spans = vec![];
    for p in Pane::ALL {
        let style = if p == app.pane {
            Style::new().fg(Color::Black).bg(Color::Cyan).add_modifier(Modifier::BOLD)
        } else {
            Style::new().fg(Color::Gray)
        };
        spans.push(Span::styled(tab_label(p), style));
        spans.push(Span::raw("│"));
    }
    let me = format!(" {} ", helpdesk::sanitize::line(&app.user));
    f.render_widget(Paragraph::new(Line::from(spans)), area);
    let w = me.chars().count() as u16;
    if area.width > w + 60 {
        f.render_widget(
            Paragraph::new(Span::styled(me, Style::new().fg(Color::DarkGray))),
            Rect { x: area.x + area.width - w, width: w, ..area },
        );
    }
}

fn draw_status(f: &mut Frame, app: &App, area: Rect) {
    let mut left: Vec<Span> = vec![];
    if let Some(input) = &app.filtering {
        left.push(Span::styled(" / ", Style::new().fg(Color::Black).bg(Color::Yellow)));
        left.push(Span::raw(format!("{}▏", input.value())));
        match app.list().problems.first() {
            Some(p) => {
                left.push(Span::styled(format!("  {}", helpdesk::sanitize::line(p)), Style::new().fg(Color::Red)))
            }
            None => left.push(Span::styled(
                "  owner: stage: account: sev: tag: is:mine is:unassigned has:issue · enter keep · esc clear",
                Style::new().fg(Color::DarkGray),
            )),
        }
    } else {
        let l = app.list();
        if app.detail.is_empty() && app.pane != Pane::Dashboard {
            let what = match l.source {
                Source::Contacts => "contacts",
                Source::Accounts => "accounts",
                Source::Items(_) => "items",
            };
            let pos = if l.total == 0 { 0 } else { l.cursor + 1 };
            let total = match (l.counting, l.capped) {
                (Some(_), _) => format!("{}+ (counting…)", l.total),
                (None, true) => format!("{}+", l.total),
                (None, false) => l.total.to_string(),
            };
            left.push(Span::styled(format!(" {pos}/{total} {what} "), Style::new().fg(Color::Black).bg(Color::Gray)));
            if !l.text.is_empty() {
                left.push(Span::styled(
                    format!(" filter: {} ", helpdesk::sanitize::line(&l.text)),
                    Style::new().fg(Color::Yellow),
                ));
            }
            if let Some(p) = l.problems.first() {
                left.push(Span::styled(format!(" {} ", helpdesk::sanitize::line(p)), Style::new().fg(Color::Red)));
            }
        }
        // An overlay takes the keys: its own keys, not the view's under it.
        use super::app::Modal;
        let own = match &app.modal {
            Some(Modal::Compose(c)) if c.held.is_some() && c.internal => Some(" s save anyway · e edit · d discard"),
            Some(Modal::Compose(c)) if c.held.is_some() => Some(" s send anyway · e edit · d discard"),
            Some(Modal::Compose(c)) if c.internal => {
                Some(" ctrl-s save · ctrl-w close, keep the draft · esc esc discard")
            }
            Some(Modal::Compose(_)) => {
                Some(" ctrl-s send · tab next field · ctrl-w close, keep the draft · esc esc discard")
            }
            Some(Modal::Menu { .. }) => Some(" type to filter · ↑ ↓ move · enter choose · esc close"),
            Some(Modal::Palette { .. }) => Some(" type to filter · enter run · esc close"),
            Some(Modal::Prompt { .. }) => Some(" enter confirm · esc cancel"),
            Some(Modal::Confirm { .. }) => Some(" y yes · n no"),
            Some(Modal::Help { .. }) => Some(" j k scroll · esc close"),
            None => None,
        };
        if let Some(keys) = own {
            left.push(Span::styled(keys, Style::new().fg(Color::DarkGray)));
            f.render_widget(Paragraph::new(Line::from(left)), area);
            return;
        }
        if app.unread > 0 {
            let k = app.keymap.key_for(Action::Notifications).unwrap_or_default();
            left.push(Span::styled(
                format!(" ● {} for you ({k}) ", app.unread),
                Style::new().fg(Color::Black).bg(Color::Yellow),
            ));
        }
        let keyed: Vec<(String, Action)> =
            hints(app).into_iter().filter_map(|a| app.keymap.key_for(a).map(|k| (k, a))).collect();
        let width = |(k, a): &(String, Action)| k.chars().count() + a.name().chars().count() + 2;
        // Whole hints only: one that does not fit is left out, not cut; `? help` and what follows it always show.
        let tail_at = keyed.iter().position(|h| h.1 == Action::Help).unwrap_or(keyed.len());
        let tail: usize = keyed[tail_at..].iter().map(width).sum();
        let mut used: usize = left.iter().map(|s| s.content.chars().count()).sum::<usize>() + tail;
        for (i, h) in keyed.iter().enumerate() {
            if i < tail_at {
                used += width(h);
                if used > area.width as usize {
                    continue;
                }
            }
            left.push(Span::styled(format!(" {}", h.0), Style::new().fg(Color::Cyan)));
            left.push(Span::styled(format!(" {}", h.1.name()), Style::new().fg(Color::DarkGray)));
        }
    }
    f.render_widget(Paragraph::new(Line::from(left)), area);
    if let Some((right, color)) = mail_segment(app, area.width) {
        let w = right.chars().count() as u16;
        f.render_widget(
            Paragraph::new(Span::styled(right, Style::new().fg(color))),
            Rect { x: area.x + area.width - w, width: w, ..area },
        );
    }
}

/// The mail worker's state on the right of a status line this wide, and its colour: none when it would crowd the hints.
fn mail_segment(app: &App, width: u16) -> Option<(String, Color)> {
    let m = &app.mail;
    if m.state.is_empty() {
        return None;
    }
    let last = m.last_sync.map(|t| helpdesk::domain::fmt_ts(t)[11..16].to_string()).unwrap_or_else(|| "–".into());
    // A failing send stays said until it goes out: the worker's own state is back to online between tries.
    let failing = match &m.failing {
        Some((e, next)) if m.outbox > 0 => format!(
            " (failing, next try {}: {})",
            &helpdesk::domain::fmt_ts(*next)[11..16],
            lists::fit(&helpdesk::sanitize::line(e), 40)
        ),
        _ => String::new(),
    };
    let right = format!(" mail: {} · synced {last} · new {} · outbox {}{failing} ", m.state, m.new_mail, m.outbox);
    let color = if m.state.starts_with("online") && failing.is_empty() { Color::Green } else { Color::Yellow };
    (width > right.chars().count() as u16 + 40).then_some((right, color))
}

/// The newest message, on the right of the status line (over the mail state while it shows); one longer than half
/// the line is shown whole, wrapped on up to three lines just above it, instead of covering the hints and being cut.
fn draw_toast(f: &mut Frame, app: &App, area: Rect) {
    let Some(t) = app.toasts.back().filter(|t| t.at.elapsed().as_secs() <= 6) else { return };
    let style = if t.error {
        Style::new().fg(Color::White).bg(Color::Red)
    } else {
        Style::new().fg(Color::Black).bg(Color::Green)
    };
    let len = t.text.chars().count() as u16 + 2;
    if len <= area.width / 2 || area.y == 0 {
        // Over the whole mail state, never leaving a piece of it beside the message ("mail: onl TKT-1 created").
        let cover = mail_segment(app, area.width).map_or(0, |(m, _)| m.chars().count() as u16);
        let w = len.max(cover).min(area.width);
        let r = Rect { x: area.x + area.width - w, width: w, ..area };
        f.render_widget(Clear, r);
        f.render_widget(
            Paragraph::new(format!(" {} ", lists::fit(&t.text, w.saturating_sub(2) as usize))).style(style),
            r,
        );
        return;
    }
    let per_line = area.width.saturating_sub(2).max(1) as usize;
    let lines: Vec<String> = super::detail::wrap(&t.text, per_line).into_iter().map(|l| format!(" {l}")).collect();
    let h = (lines.len() as u16).clamp(1, 3).min(area.y);
    let mut shown: Vec<String> = lines.into_iter().take(h as usize).collect();
    if let Some(last) = shown.last_mut()
        && t.text.chars().count() > per_line * h as usize
    {
        *last = format!(" {}", lists::fit(last.trim_start(), per_line.saturating_sub(1)) + "…");
    }
    let r = Rect { x: area.x, y: area.y - h, width: area.width, height: h };
    f.render_widget(Clear, r);
    f.render_widget(Paragraph::new(shown.join("\n")).style(style), r);
}

/// A centred rectangle of at most `w`×`h` inside `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h }
}
