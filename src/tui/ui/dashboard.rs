//! The dashboard: incoming volume sparkline, open tickets by stage and severity, first-response times, oldest waiting.

use super::super::app::App;
use helpdesk::sanitize::line;
use helpdesk::stage::{AnyStage, TicketStage};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::Line;
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, Borders, Paragraph, Sparkline};

fn bars(data: &[(String, i64)], color: Color) -> BarGroup<'static> {
    let bars: Vec<Bar> = data
        .iter()
        .map(|(k, v)| {
            Bar::default().value((*v).max(0) as u64).label(Line::from(k.to_string())).style(Style::new().fg(color))
        })
        .collect();
    BarGroup::default().bars(&bars)
}

/// A ticket stage as a bar label, a few letters wide.
fn bar_label(s: AnyStage) -> String {
    match s {
        AnyStage::Ticket(TicketStage::WorkInProgress) => "in prog".into(),
        AnyStage::Ticket(TicketStage::AwaitingProductAssist) => "assist".into(),
        AnyStage::Ticket(TicketStage::AwaitingDevelopment) => "aw dev".into(),
        AnyStage::Ticket(TicketStage::InDevelopment) => "in dev".into(),
        AnyStage::Ticket(TicketStage::AwaitingCustomerResponse) => "aw cust".into(),
        other => other.label().to_lowercase(),
    }
}

/// Hours as hours, or as days past two days.
fn age(h: f64) -> String {
    if h > 48.0 { format!("{:.1} d", h / 24.0) } else { format!("{h:.1} h") }
}

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let Some(s) = &app.stats else {
        f.render_widget(Paragraph::new("computing the figures…"), area);
        return;
    };
    let [top, mid, bottom] =
        Layout::vertical([Constraint::Length(7), Constraint::Fill(1), Constraint::Fill(1)]).areas(area);
    let total: i64 = s.incoming_per_day.iter().map(|d| d.1).sum();
    let per = (top.width.saturating_sub(2) as usize / s.incoming_per_day.len().max(1)).max(1);
    let data: Vec<u64> = s.incoming_per_day.iter().flat_map(|d| std::iter::repeat_n(d.1.max(0) as u64, per)).collect();
    let first = s.incoming_per_day.first().map(|d| d.0.clone()).unwrap_or_default();
    let last = s.incoming_per_day.last().map(|d| d.0.clone()).unwrap_or_default();
    f.render_widget(
        Sparkline::default().data(&data).style(Style::new().fg(Color::Cyan)).block(
            Block::default().borders(Borders::ALL).title(format!(
                " Incoming per day, {first} … {last}: {total}{} ",
                if app.stats_pending { " (updating…)" } else { "" }
            )),
        ),
        top,
    );
    let [stage, sev, frt] =
        Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(25), Constraint::Percentage(30)])
            .areas(mid);
    let bw = |n: usize, w: u16| ((w.saturating_sub(2) as usize / n.max(1)).saturating_sub(1)).clamp(1, 9) as u16;
    f.render_widget(
        BarChart::default()
            .data(bars(
                &s.open_tickets_by_stage.iter().map(|(k, n)| (bar_label(*k), *n)).collect::<Vec<_>>(),
                Color::Blue,
            ))
            .bar_width(bw(s.open_tickets_by_stage.len(), stage.width))
            .bar_gap(1)
            .block(Block::default().borders(Borders::ALL).title(" Open tickets by stage ")),
        stage,
    );
    f.render_widget(
        BarChart::default()
            .data(bars(&s.open_tickets_by_severity, Color::Red))
            .bar_width(bw(s.open_tickets_by_severity.len(), sev.width))
            .bar_gap(1)
            .block(Block::default().borders(Borders::ALL).title(" …by severity ")),
        sev,
    );
    let fr = &s.first_response;
    let hist: Vec<(String, i64)> = fr.histogram.iter().map(|(k, v)| (k.clone(), *v as i64)).collect();
    let fmt = |h: Option<f64>| h.map(|h| format!("{h} h")).unwrap_or_else(|| "–".into());
    let block = Block::default().borders(Borders::ALL).title(" Time to first response ");
    let inner = block.inner(frt);
    f.render_widget(block, frt);
    let [head, chart] = Layout::vertical([Constraint::Length(2), Constraint::Fill(1)]).areas(inner);
    let summary = vec![
        Line::raw(format!("median {} · p90 {}", fmt(fr.median_hours), fmt(fr.p90_hours))),
        Line::raw(format!("{} conversations answered", fr.count)),
    ];
    f.render_widget(Paragraph::new(summary).style(Style::new().fg(Color::Green)), head);
    let hist_bars: Vec<Bar> = hist
        .iter()
        .map(|(k, v)| Bar::default().value(*v as u64).label(Line::from(k.clone())).style(Style::new().fg(Color::Green)))
        .collect();
    let chart_w = bw(hist.len(), inner.width + 2);
    f.render_widget(
        BarChart::default().data(BarGroup::default().bars(&hist_bars)).bar_width(chart_w).bar_gap(1),
        chart,
    );
    let lines: Vec<Line> = s
        .oldest_waiting
        .iter()
        .map(|w| {
            Line::raw(format!(
                "{:<10} {:>8}  {:<17} {}",
                w.id.to_string(),
                age(w.hours),
                w.stage.label(),
                line(&w.title)
            ))
        })
        .collect();
    f.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title(" Oldest waiting on us ")),
        bottom,
    );
}
