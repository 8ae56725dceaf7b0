//! The dashboard: incoming volume sparkline, open tickets by stage and severity, first-response times, oldest waiting.

use super::super::app::App;
use super::lists::fit;
use helpdesk::sanitize::line;
use ratatui::Frame;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, Borders, Paragraph, Sparkline};

use helpdesk::domain::fmt_hours as age;

/// The rows a chart of `rows` lines shows: all when they fit, else those that are not zero first (in their order),
/// so that a short screen never hides a count behind zeros; and what was left out, said in the chart's title.
fn fitting(data: &[(String, i64)], rows: usize) -> (Vec<(String, i64)>, String) {
    if data.len() <= rows {
        return (data.to_vec(), String::new());
    }
    let nonzero = data.iter().filter(|d| d.1 != 0).count();
    let mut zeros_left = rows.saturating_sub(nonzero);
    let mut kept: Vec<(String, i64)> = data
        .iter()
        .filter(|d| {
            d.1 != 0 || {
                let keep = zeros_left > 0;
                zeros_left = zeros_left.saturating_sub(1);
                keep
            }
        })
        .cloned()
        .collect();
    kept.truncate(rows);
    let hidden = data.len() - kept.len();
    let more = nonzero.saturating_sub(kept.iter().filter(|d| d.1 != 0).count());
    let note = if more > 0 { format!(" +{hidden} more") } else { format!(" +{hidden} at 0") };
    (kept, note)
}

/// A horizontal bar chart: full labels on the left, counts at the bars' ends, the unit in the title.
fn hbars(f: &mut Frame, area: Rect, title: &str, data: &[(String, i64)], color: Color, foot: Option<Line>) {
    let (data, note) = fitting(data, area.height.saturating_sub(2) as usize);
    let title = format!("{title}{note}");
    let label_w = data.iter().map(|d| d.0.chars().count()).max().unwrap_or(4);
    let bars: Vec<Bar> = data
        .iter()
        .map(|(k, v)| {
            Bar::default()
                .value((*v).max(0) as u64)
                .label(Line::from(format!("{k:>label_w$} ")))
                .text_value(format!("{v}"))
                .style(Style::new().fg(color))
        })
        .collect();
    f.render_widget(
        BarChart::default()
            .direction(Direction::Horizontal)
            .data(BarGroup::default().bars(&bars))
            .bar_width(1)
            .bar_gap(0)
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(format!(" {title} "))
                    .title_bottom(foot.unwrap_or_default()),
            ),
        area,
    );
}

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let Some(s) = &app.stats else {
        f.render_widget(Paragraph::new("computing the figures…"), area);
        return;
    };
    // The charts as tall as their rows (at most half of what the volume chart leaves), the oldest-waiting list the rest.
    let rows =
        s.open_tickets_by_stage.len().max(s.open_tickets_by_severity.len()).max(s.first_response.histogram.len());
    let mid_h = (rows as u16 + 2).min(area.height.saturating_sub(8) / 2);
    let [top, mid, bottom] =
        Layout::vertical([Constraint::Length(8), Constraint::Length(mid_h), Constraint::Fill(1)]).areas(area);
    let total: i64 = s.incoming_per_day.iter().map(|d| d.1).sum();
    let peak = s.incoming_per_day.iter().map(|d| d.1).max().unwrap_or(0);
    let first = s.incoming_per_day.first().map(|d| d.0.clone()).unwrap_or_default();
    let last = s.incoming_per_day.last().map(|d| d.0.clone()).unwrap_or_default();
    let block = Block::default().borders(Borders::ALL).title(format!(
        " New conversations and tickets per day: {total} in {} days{} ",
        s.incoming_per_day.len(),
        if app.stats_pending { " (updating…)" } else { "" }
    ));
    let inner = block.inner(top);
    f.render_widget(block, top);
    let [yaxis, plot] = Layout::horizontal([Constraint::Length(6), Constraint::Fill(1)]).areas(inner);
    let [plot, xaxis] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(plot);
    let per = (plot.width as usize / s.incoming_per_day.len().max(1)).max(1);
    let data: Vec<u64> = s.incoming_per_day.iter().flat_map(|d| std::iter::repeat_n(d.1.max(0) as u64, per)).collect();
    f.render_widget(Sparkline::default().data(&data).style(Style::new().fg(Color::Cyan)), plot);
    let dim = Style::new().fg(Color::DarkGray);
    let mut ylabels = vec![Line::styled(format!("{peak:>4} ┤"), dim)];
    ylabels.extend((2..yaxis.height).map(|_| Line::styled("     │", dim)));
    ylabels.push(Line::styled("   0 ┤", dim));
    f.render_widget(Paragraph::new(ylabels), yaxis);
    let gap = (xaxis.width as usize).saturating_sub(first.chars().count() + last.chars().count());
    f.render_widget(Paragraph::new(Line::styled(format!("{first}{}{last}", " ".repeat(gap)), dim)), xaxis);
    let [stage, sev, frt] =
        Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(25), Constraint::Percentage(30)])
            .areas(mid);
    let by_stage: Vec<(String, i64)> =
        s.open_tickets_by_stage.iter().map(|(k, n)| (k.label().to_string(), *n)).collect();
    hbars(f, stage, "Open tickets by stage", &by_stage, Color::Blue, None);
    hbars(f, sev, "…by severity (tickets)", &s.open_tickets_by_severity, Color::Red, None);
    let fr = &s.first_response;
    let hist: Vec<(String, i64)> = fr.histogram.iter().map(|(k, v)| (k.clone(), *v as i64)).collect();
    let fmt = |h: Option<f64>| h.map(age).unwrap_or_else(|| "–".into());
    // The summary on the box's lower border: it belongs to that chart, and a short screen keeps it.
    let summary = format!(" median {} · p90 {} · {} answered ", fmt(fr.median_hours), fmt(fr.p90_hours), fr.count);
    let foot = Line::styled(fit(&summary, frt.width.saturating_sub(2) as usize), Style::new().fg(Color::Green));
    hbars(f, frt, "First response (conversations)", &hist, Color::Green, Some(foot));
    let lines: Vec<Line> = s
        .oldest_waiting
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let text = fit(
                &format!("{:<10} {:>8}  {:<26} {}", w.id.to_string(), age(w.hours), w.stage.label(), line(&w.title)),
                bottom.width.saturating_sub(2) as usize,
            );
            if i == app.dash_cursor {
                Line::styled(text, Style::new().bg(Color::DarkGray).add_modifier(Modifier::BOLD))
            } else {
                Line::raw(text)
            }
        })
        .collect();
    let h = bottom.height.saturating_sub(2) as usize;
    let skip = app.dash_cursor.saturating_sub(h.saturating_sub(1));
    f.render_widget(
        Paragraph::new(lines.into_iter().skip(skip).collect::<Vec<_>>())
            .block(Block::default().borders(Borders::ALL).title(" Oldest waiting on us (waiting time) · enter opens ")),
        bottom,
    );
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_short_chart_keeps_its_counts_before_its_zeros() {
        let d: Vec<(String, i64)> =
            [("a", 0), ("b", 0), ("c", 0), ("d", 1), ("e", 0)].iter().map(|(k, v)| (k.to_string(), *v)).collect();
        let (kept, note) = super::fitting(&d, 3);
        let names: Vec<&str> = kept.iter().map(|k| k.0.as_str()).collect();
        assert_eq!((names, note.as_str()), (vec!["a", "b", "d"], " +2 at 0"));
        assert_eq!(super::fitting(&d, 5).1, "");
        // More counts than rows: the title says some are not shown, not that they are zero.
        let d: Vec<(String, i64)> = [("a", 1), ("b", 2), ("c", 0)].iter().map(|(k, v)| (k.to_string(), *v)).collect();
        let (kept, note) = super::fitting(&d, 1);
        assert_eq!((kept.len(), note.as_str()), (1, " +2 more"));
    }

    #[test]
    fn ages_read_in_hours_days_or_years() {
        assert_eq!(super::age(5.0), "5.0 h");
        assert_eq!(super::age(72.0), "3.0 d");
        assert_eq!(super::age(9068.2 * 24.0), "24.8 y");
    }
}
