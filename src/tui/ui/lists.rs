//! List panes and the detail view: only the rows on screen are built.

use super::super::app::{App, Detail, Pane};
use super::super::list::Row;
use super::super::theme::stage_color;
use helpdesk::sanitize::line;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;
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
    let title = match app.pane {
        Pane::Contacts if app.accounts => " Accounts  (A: contacts) ".to_string(),
        Pane::Contacts => " Contacts  (A: accounts) ".to_string(),
        p => format!(" {} ", p.title()),
    };
    let block = Block::default().borders(Borders::ALL).title(title);
    let narrow = area.width < 80;
    let (header, widths): (Vec<&str>, Vec<Constraint>) = match (app.pane, app.accounts, narrow) {
        (Pane::Contacts, false, _) => (
            vec!["ID", "Name", "Email", "Account"],
            vec![Constraint::Length(10), Constraint::Percentage(30), Constraint::Percentage(40), Constraint::Fill(1)],
        ),
        (Pane::Contacts, true, _) => (
            vec!["ID", "Name", "Tier", "Domains"],
            vec![Constraint::Length(9), Constraint::Percentage(40), Constraint::Length(11), Constraint::Fill(1)],
        ),
        (Pane::Inbox, _, false) => (
            vec!["", "ID", "Stage", "Account", "Owner", "Updated", "Subject"],
            [1, 10, 15, 20, 6, 7].map(Constraint::Length).into_iter().chain([Constraint::Fill(1)]).collect(),
        ),
        (_, _, false) => (
            vec!["", "ID", "Stage", "Sev", "Owner", "Updated", "Title"],
            [1, 10, 17, 7, 6, 7].map(Constraint::Length).into_iter().chain([Constraint::Fill(1)]).collect(),
        ),
        (_, _, true) => (
            vec!["", "ID", "Stage", "Title"],
            vec![Constraint::Length(1), Constraint::Length(9), Constraint::Length(12), Constraint::Fill(1)],
        ),
    };
    let rows: Vec<TRow> = l
        .visible(h)
        .map(|(i, r)| {
            let cells: Vec<Cell> = match r {
                Row::Item(it) => {
                    let dot =
                        Cell::from(if it.needs_response { "●" } else { " " }).style(Style::new().fg(Color::Yellow));
                    let stage_w = match (app.pane, narrow) {
                        (_, true) => 12,
                        (Pane::Inbox, _) => 15,
                        _ => 17,
                    };
                    let stage =
                        Cell::from(fit(it.stage.label(), stage_w)).style(Style::new().fg(stage_color(it.stage)));
                    let title = line(&it.title);
                    match (app.pane, narrow) {
                        (_, true) => vec![dot, Cell::from(it.id.to_string()), stage, Cell::from(title)],
                        (Pane::Inbox, _) => vec![
                            dot,
                            Cell::from(it.id.to_string()),
                            stage,
                            Cell::from(it.account.as_deref().map(line).unwrap_or_else(|| "(unknown)".into())),
                            Cell::from(it.owner.clone().unwrap_or_default()),
                            Cell::from(date(it.updated_at, now)),
                            Cell::from(title),
                        ],
                        _ => vec![
                            dot,
                            Cell::from(it.id.to_string()),
                            stage,
                            Cell::from(it.severity.map(|s| s.as_str()).unwrap_or_default()),
                            Cell::from(it.owner.clone().unwrap_or_default()),
                            Cell::from(date(it.updated_at, now)),
                            Cell::from(title),
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
            let style = if i == l.cursor {
                Style::new().bg(Color::DarkGray).add_modifier(Modifier::BOLD)
            } else {
                Style::new()
            };
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

pub fn detail(f: &mut Frame, _app: &App, d: &Detail, area: Rect) {
    let h = area.height.saturating_sub(2) as usize;
    let top = d.top(h);
    let lines: Vec<Line> = d
        .lines
        .iter()
        .enumerate()
        .skip(top)
        .take(h)
        .map(|(i, l)| if i == d.scroll { l.clone().patch_style(Style::new().bg(Color::DarkGray)) } else { l.clone() })
        .collect();
    let block = Block::default()
        .borders(Borders::ALL)
        .title(format!(" {} ", d.title))
        .title_bottom(Line::from(format!(" {}/{} ", d.scroll + 1, d.lines.len())).right_aligned());
    f.render_widget(Paragraph::new(lines).block(block), area);
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_outside_the_last_months_show_their_year() {
        let now = 1_794_700_800; // 2026-11-15
        assert_eq!(super::date(now - 86_400, now), "Nov 14");
        assert_eq!(super::date(1_258_543_800, now), "2009-11");
        assert_eq!(super::date(now - 400 * 86_400, now), "2025-10");
    }
}
