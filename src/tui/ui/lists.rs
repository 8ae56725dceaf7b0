//! List panes and the detail view: only the rows on screen are built.

use super::super::app::{App, Detail, Pane};
use super::super::list::Row;
use super::super::theme::stage_color;
use helpdesk::sanitize::line;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row as TRow, Table};

/// `Dec 31` within the last 300 days of the clock, `2025-12` otherwise (a 2009 mail is not "Nov 18"): dates stay
/// seven characters wide in lists.
fn date(t: i64, now: i64) -> String {
    let recent = (now - 300 * 86_400..=now + 86_400).contains(&t);
    let format = if recent { "%b %d" } else { "%Y-%m" };
    chrono::DateTime::from_timestamp(t, 0).map(|d| d.format(format).to_string()).unwrap_or_default()
}

/// Text cut to `w` columns, ending in "…" when it was cut.
pub fn fit(s: &str, w: usize) -> String {
    if s.chars().count() <= w { s.to_string() } else { s.chars().take(w.saturating_sub(1)).chain(['…']).collect() }
}

pub fn list(f: &mut Frame, app: &App, area: Rect) {
    let l = app.list();
    let h = area.height.saturating_sub(3) as usize;
    let now = app.now();
    let sort = match &l.source {
        super::super::list::Source::Items(f) => format!(" · by {}", f.sort.name()),
        _ => String::new(),
    };
    let marked = if l.marked.is_empty() { String::new() } else { format!(" · {} selected", l.marked.len()) };
    let title = match (app.pane, &l.view) {
        (Pane::Contacts, _) if app.accounts => " Accounts  (A: contacts) ".to_string(),
        (Pane::Contacts, _) => " Contacts  (A: accounts) ".to_string(),
        (p, Some((name, _))) => {
            let place = match &l.source {
                super::super::list::Source::Items(f) if f.kind.is_none() => "Every kind",
                _ => p.title(),
            };
            format!(" {place} › {}{sort}{marked}  (esc leaves) ", line(name))
        }
        (p, None) => format!(" {}{sort}{marked} ", p.title()),
    };
    let block = Block::default().borders(Borders::ALL).title(title);
    let narrow = area.width < 80;
    // Between 80 and 110 columns: fewer columns, so that the subject keeps room.
    let medium = !narrow && area.width < 110;
    // From 150 columns the Inbox shows the sender and the account side by side.
    let wide = area.width >= 150;
    // From 140 columns the stage column has room for every stage's whole name.
    let stage_full: u16 = if area.width >= 140 { 27 } else { 17 };
    let (header, widths): (Vec<&str>, Vec<Constraint>) = match (app.pane, app.accounts, narrow) {
        (Pane::Contacts, false, _) => (
            vec!["ID", "Name", "Email", "Account"],
            vec![Constraint::Length(10), Constraint::Percentage(30), Constraint::Percentage(40), Constraint::Fill(1)],
        ),
        (Pane::Contacts, true, _) => (
            vec!["ID", "Name", "Tier", "Domains"],
            vec![Constraint::Length(9), Constraint::Percentage(40), Constraint::Length(11), Constraint::Fill(1)],
        ),
        (Pane::Inbox, _, false) if medium => (
            vec!["", "ID", "From", "Owner", "Subject"],
            [2, 9, 18, 8].map(Constraint::Length).into_iter().chain([Constraint::Fill(1)]).collect(),
        ),
        (_, _, false) if medium => (
            vec!["", "ID", "Stage", "Sev", "Owner", "Title"],
            [2, 9, 17, 7, 8].map(Constraint::Length).into_iter().chain([Constraint::Fill(1)]).collect(),
        ),
        (Pane::Inbox, _, false) if wide => (
            vec!["", "ID", "Stage", "From", "Account", "Owner", "Updated", "Subject"],
            [2, 10, 15, 20, 18, 8, 7].map(Constraint::Length).into_iter().chain([Constraint::Fill(1)]).collect(),
        ),
        (Pane::Inbox, _, false) => (
            vec!["", "ID", "Stage", "From", "Owner", "Updated", "Subject"],
            [2, 10, 15, 20, 8, 7].map(Constraint::Length).into_iter().chain([Constraint::Fill(1)]).collect(),
        ),
        (_, _, false) => (
            vec!["", "ID", "Stage", "Sev", "Owner", "Updated", "Title"],
            [2, 10, stage_full, 7, 8, 7].map(Constraint::Length).into_iter().chain([Constraint::Fill(1)]).collect(),
        ),
        (_, _, true) => (
            vec!["", "ID", "Stage", "Title"],
            vec![Constraint::Length(2), Constraint::Length(9), Constraint::Length(12), Constraint::Fill(1)],
        ),
    };
    // What the title column gets: the inner width less the fixed columns and the gaps between columns.
    let fixed: u16 = match (app.pane, narrow) {
        (_, true) => 2 + 9 + 12 + 3,
        (Pane::Inbox, _) if medium => 2 + 9 + 18 + 8 + 4,
        _ if medium => 2 + 9 + 17 + 7 + 8 + 5,
        (Pane::Inbox, _) if wide => 2 + 10 + 15 + 20 + 18 + 8 + 7 + 7,
        (Pane::Inbox, _) => 2 + 10 + 15 + 20 + 8 + 7 + 6,
        _ => 2 + 10 + stage_full + 7 + 8 + 7 + 6,
    };
    let title_w = area.width.saturating_sub(2 + fixed).max(4) as usize;
    let rows: Vec<TRow> = l
        .visible(h)
        .map(|(i, r)| {
            let cells: Vec<Cell> = match r {
                Row::Item(it) => {
                    let mark = match (l.marked.contains(&it.id), it.unread) {
                        (true, _) => "✓",
                        (false, true) => "•",
                        _ => " ",
                    };
                    let dot = Cell::from(format!("{mark}{}", if it.needs_response { "●" } else { " " }))
                        .style(Style::new().fg(Color::Yellow));
                    let stage_w = match (app.pane, narrow) {
                        (_, true) => 12,
                        (Pane::Inbox, _) => 15,
                        _ if medium => 17,
                        _ => stage_full as usize,
                    };
                    let stage =
                        Cell::from(fit(it.stage.label(), stage_w)).style(Style::new().fg(stage_color(it.stage)));
                    // Other members on the item (team presence) lead its title: "◆bob ✎carol".
                    let title = match app.others.mark(it.id) {
                        Some(mark) => {
                            let rest = title_w.saturating_sub(mark.chars().count() + 1);
                            Cell::from(Line::from(vec![
                                Span::styled(format!("{} ", fit(&mark, title_w)), Style::new().fg(Color::Cyan)),
                                Span::raw(fit(&line(&it.title), rest)),
                            ]))
                        }
                        None => Cell::from(fit(&line(&it.title), title_w)),
                    };
                    let owner = Cell::from(fit(&it.owner.clone().unwrap_or_default(), 8));
                    let sev = Cell::from(it.severity.map(|s| s.as_str()).unwrap_or_default());
                    // Who wrote: the contact, else their account (free mail makes none), else unknown.
                    let from = |w: usize| {
                        let who = it.contact.as_deref().filter(|c| !c.is_empty()).or(it.account.as_deref());
                        Cell::from(fit(&who.map(line).unwrap_or_else(|| "(unknown)".into()), w))
                    };
                    let account = Cell::from(fit(&it.account.as_deref().map(line).unwrap_or_default(), 18));
                    match (app.pane, narrow) {
                        (_, true) => vec![dot, Cell::from(it.id.to_string()), stage, title],
                        (Pane::Inbox, _) if medium => vec![dot, Cell::from(it.id.to_string()), from(18), owner, title],
                        _ if medium => vec![dot, Cell::from(it.id.to_string()), stage, sev, owner, title],
                        (Pane::Inbox, _) if wide => {
                            let updated = Cell::from(date(it.updated_at, now));
                            vec![dot, Cell::from(it.id.to_string()), stage, from(20), account, owner, updated, title]
                        }
                        (Pane::Inbox, _) => {
                            let updated = Cell::from(date(it.updated_at, now));
                            vec![dot, Cell::from(it.id.to_string()), stage, from(20), owner, updated, title]
                        }
                        _ => vec![
                            dot,
                            Cell::from(it.id.to_string()),
                            stage,
                            Cell::from(it.severity.map(|s| s.as_str()).unwrap_or_default()),
                            Cell::from(fit(&it.owner.clone().unwrap_or_default(), 8)),
                            Cell::from(date(it.updated_at, now)),
                            title,
                        ],
                    }
                }
                Row::Contact(c) => vec![
                    Cell::from(c.id.to_string()),
                    Cell::from(line(&c.name)),
                    Cell::from(line(&c.emails.join(", "))),
                    Cell::from(line(c.account_name.as_deref().unwrap_or(""))),
                ],
                Row::Account(a) => vec![
                    Cell::from(a.id.to_string()),
                    Cell::from(line(&a.name)),
                    Cell::from(a.tier.map(|t| t.as_str()).unwrap_or_default()),
                    Cell::from(line(&a.domains.join(", "))),
                ],
            };
            let marked = matches!(r, Row::Item(it) if l.marked.contains(&it.id));
            let unread = matches!(r, Row::Item(it) if it.unread);
            // A closed item (resolved, archived, canceled…) is grey: done, at any width, with or without a stage column.
            let closed = matches!(r, Row::Item(it) if it.stage.is_closed());
            let style = match (i == l.cursor, marked, closed) {
                (true, _, _) => Style::new().bg(Color::DarkGray).add_modifier(Modifier::BOLD),
                (false, true, _) => Style::new().fg(Color::Magenta),
                (false, false, true) => Style::new().fg(Color::DarkGray),
                _ => Style::new(),
            };
            // Unread (customer mail you have not seen since you last opened the item): bold, with a •.
            let style = if unread { style.add_modifier(Modifier::BOLD) } else { style };
            TRow::new(cells).style(style)
        })
        .collect();
    let empty = rows.is_empty();
    let table = Table::new(rows, widths)
        .header(
            TRow::new(header.into_iter().map(Cell::from).collect::<Vec<_>>())
                .style(Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)),
        )
        .block(block);
    f.render_widget(table, area);
    if empty {
        let msg = if l.text.is_empty() { "Nothing here yet." } else { "No rows match the filter (esc clears it)." };
        let inner = Rect {
            x: area.x + 2,
            y: area.y + 2,
            width: area.width.saturating_sub(4),
            height: 1.min(area.height.saturating_sub(2)),
        };
        f.render_widget(Paragraph::new(msg).style(Style::new().fg(Color::DarkGray)), inner);
    }
}

pub fn detail(f: &mut Frame, app: &App, d: &Detail, area: Rect) {
    let h = area.height.saturating_sub(2) as usize;
    let top = d.top(h);
    let find = d.find.as_deref().map(str::to_lowercase);
    let found = |l: &Line| {
        find.as_deref()
            .is_some_and(|f| l.spans.iter().map(|s| s.content.as_ref()).collect::<String>().to_lowercase().contains(f))
    };
    let lines: Vec<Line> = d
        .lines
        .iter()
        .enumerate()
        .skip(top)
        .take(h)
        .map(|(i, l)| match (i == d.scroll, found(l)) {
            (true, _) => cursor_line(l),
            (false, true) => l.clone().patch_style(Style::new().fg(Color::Black).bg(Color::Yellow)),
            _ => l.clone(),
        })
        .collect();
    let msg = d.messages.iter().filter(|m| m.0 <= d.scroll).count();
    let position = match d.messages.len() {
        0 => format!(" {}/{} ", d.scroll + 1, d.lines.len()),
        n => format!(" message {}/{n} · line {}/{} ", msg.max(1), d.scroll + 1, d.lines.len()),
    };
    let inner_w = area.width.saturating_sub(4) as usize;
    let mut block = Block::default()
        .borders(Borders::ALL)
        .title(format!(" {} ", fit(&d.title, inner_w)))
        .title_bottom(Line::from(position.clone()).right_aligned());
    if let super::super::app::Target::Item(r) = d.target
        && let Some(who) = app.others.describe(r)
    {
        let room = inner_w.saturating_sub(position.chars().count() + 2);
        let who = Span::styled(format!(" {} ", fit(&who, room)), Style::new().fg(Color::Cyan));
        block = block.title_bottom(Line::from(who).left_aligned());
    }
    f.render_widget(Paragraph::new(lines).block(block), area);
}

/// The detail view's cursor line: a dark-grey bar, with dim text lifted so that it stays readable on it.
fn cursor_line(l: &Line<'static>) -> Line<'static> {
    let mut l = l.clone();
    // Dim may be the line's own style (`Line::styled`) or a span's.
    if l.style.fg == Some(Color::DarkGray) {
        l.style = l.style.fg(Color::Gray);
    }
    for s in &mut l.spans {
        if s.style.fg == Some(Color::DarkGray) {
            s.style = s.style.fg(Color::Gray);
        }
    }
    l.patch_style(Style::new().bg(Color::DarkGray))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_dim_line_under_the_cursor_stays_readable() {
        use ratatui::style::{Color, Style};
        use ratatui::text::{Line, Span};
        for l in [
            Line::styled("  threaded: new thread", Style::new().fg(Color::DarkGray)),
            Line::from(Span::styled("  quoted", Style::new().fg(Color::DarkGray))),
        ] {
            let c = super::cursor_line(&l);
            assert_eq!(c.style.bg, Some(Color::DarkGray));
            assert_ne!(c.style.fg, Some(Color::DarkGray), "{c:?}");
            assert!(c.spans.iter().all(|s| s.style.fg != Some(Color::DarkGray)), "{c:?}");
        }
    }

    #[test]
    fn dates_outside_the_last_months_show_their_year() {
        let now = 1_794_700_800; // 2026-11-15
        assert_eq!(super::date(now - 86_400, now), "Nov 14");
        assert_eq!(super::date(1_258_543_800, now), "2009-11");
        assert_eq!(super::date(now - 400 * 86_400, now), "2025-10");
    }
}
