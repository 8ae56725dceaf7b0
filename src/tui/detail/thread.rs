//! An item's messages in a detail view: a header per message (its headers on demand), the body wrapped to the
//! view, quoted text and signatures folded or dimmed, and the attachments under the message they came with.

use super::super::app::ViewOpts;
use super::{Builder, wrap};
use helpdesk::domain::{DeliveryState, Direction, MsgChannel, fmt_ts};
use helpdesk::sanitize::{line, text};
use helpdesk::store::Message;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

const DIM: Style = Style::new().fg(Color::DarkGray);

/// Who wrote a message: name and address, or the one of them there is (an internal note has no address).
pub fn who(m: &Message) -> String {
    match (m.channel, m.from.is_empty(), m.from_name.is_empty()) {
        // Internal notes have an author, not an address.
        (MsgChannel::Internal, _, _) | (_, true, false) => m.author.clone().unwrap_or(m.from_name.clone()),
        (_, _, true) => m.from.clone(),
        _ => format!("{} <{}>", m.from_name, m.from),
    }
}

/// A message as plain text, as `$PAGER` shows it.
pub fn plain(m: &Message) -> String {
    let mut s = format!("From: {}\nDate: {}\n", who(m), fmt_ts(m.sent_at));
    if !m.to.is_empty() {
        s.push_str(&format!("To: {}\n", m.to.join(", ")));
    }
    if !m.cc.is_empty() {
        s.push_str(&format!("Cc: {}\n", m.cc.join(", ")));
    }
    if !m.subject.is_empty() {
        s.push_str(&format!("Subject: {}\n", m.subject));
    }
    if let Some(id) = &m.message_id {
        s.push_str(&format!("Message-ID: <{id}>\n"));
    }
    for a in &m.attachments {
        s.push_str(&format!("Attachment: {} ({}, {} bytes)\n", a.name, a.mime, a.size));
    }
    s.push('\n');
    s.push_str(&text(&m.body));
    s.push('\n');
    s
}

impl Builder {
    pub(super) fn message(&mut self, m: &Message, opts: ViewOpts) {
        let arrow = if m.direction == Direction::Inbound { "←" } else { "→" };
        let state = m.delivery_state.map(|s| format!("  [{s}]")).unwrap_or_default();
        self.blank();
        self.messages.push((self.lines.len(), m.id));
        let bounced = m.delivery_state == Some(DeliveryState::Bounced);
        self.push(Line::from(vec![
            Span::styled(format!("{arrow} {} ", fmt_ts(m.sent_at)), DIM),
            Span::styled(line(&who(m)), Style::new().add_modifier(Modifier::BOLD)),
            Span::styled(state, if bounced { Style::new().fg(Color::Red) } else { DIM }),
        ]));
        if opts.headers {
            let mut h = |k: &str, v: String| {
                if !v.is_empty() {
                    self.push(Line::from(vec![Span::styled(format!("  {k:<11}"), DIM), Span::raw(line(&v))]));
                }
            };
            h("From", who(m));
            h("To", m.to.join(", "));
            h("Cc", m.cc.join(", "));
            h("Date", fmt_ts(m.sent_at));
            h("Subject", m.subject.clone());
            h("Message-ID", m.message_id.clone().map(|i| format!("<{i}>")).unwrap_or_default());
        }
        if !m.thread_reason.is_empty() && m.direction == Direction::Inbound {
            self.push(Line::styled(format!("  threaded: {}", line(&m.thread_reason)), DIM));
        }
        if let Some(d) = m.delivery_detail.as_deref() {
            self.push(Line::styled(format!("  delivery: {}", line(d)), Style::new().fg(Color::Red)));
        }
        for a in &m.attachments {
            self.attachments.push((self.lines.len(), m.id, a.name.clone()));
            self.push(Line::from(vec![
                Span::styled("  📎 ", Style::new().fg(Color::Yellow)),
                Span::styled(line(&a.name), Style::new().fg(Color::Yellow)),
                Span::styled(format!("  {}  {}   (o open · w save)", a.mime, size(a.size)), DIM),
            ]));
        }
        self.thread_body(&m.body.chars().take(20_000).collect::<String>(), opts);
    }

    /// A body with its quoted runs and signature folded (one dim line each) or shown dimmed.
    fn thread_body(&mut self, body: &str, opts: ViewOpts) {
        let width = opts.width.saturating_sub(6).max(20);
        let clean = text(body);
        let all: Vec<&str> = clean.lines().collect();
        let sig = all.iter().position(|l| *l == "-- " || *l == "--").unwrap_or(all.len());
        let mut i = 0;
        while i < sig {
            if all[i].trim_start().starts_with('>') {
                let end = (i..sig).find(|j| !all[*j].trim_start().starts_with('>')).unwrap_or(sig);
                if opts.fold {
                    self.push(Line::styled(format!("    ┆ {} quoted line(s) folded (z shows)", end - i), DIM));
                } else {
                    for l in &all[i..end] {
                        for part in wrap(l, width) {
                            self.push(Line::styled(format!("    {part}"), DIM));
                        }
                    }
                }
                i = end;
                continue;
            }
            // A line the sender wrapped wider than this view is joined with the rest of its paragraph before it is
            // wrapped again, instead of leaving one orphan word per line; lines that fit are never touched.
            let mut para = all[i].to_string();
            let mut j = i;
            while all[j].chars().count() > width && j + 1 < sig && continues(all[j + 1]) {
                j += 1;
                para.push(' ');
                para.push_str(all[j]);
            }
            for part in wrap(&para, width) {
                self.push(Line::raw(format!("    {part}")));
            }
            i = j + 1;
        }
        if sig < all.len() {
            if opts.fold {
                self.push(Line::styled(format!("    ┆ signature, {} line(s) folded (z shows)", all.len() - sig), DIM));
            } else {
                for l in &all[sig..] {
                    for part in wrap(l, width) {
                        self.push(Line::styled(format!("    {part}"), DIM));
                    }
                }
            }
        }
    }
}

/// Does this line go on the paragraph above it: text, not a blank line, a quote, an indented line or a list item.
fn continues(l: &str) -> bool {
    let Some(first) = l.chars().next() else { return false };
    let list = l.starts_with("- ") || l.starts_with("* ") || l.starts_with("• ") || {
        let digits = l.chars().take_while(char::is_ascii_digit).count();
        digits > 0 && matches!(l[digits..].chars().next(), Some('.' | ')'))
    };
    !first.is_whitespace() && first != '>' && !list
}

fn size(n: i64) -> String {
    match n {
        n if n >= 1 << 20 => format!("{:.1} MB", n as f64 / (1 << 20) as f64),
        n if n >= 1 << 10 => format!("{:.0} kB", n as f64 / 1024.0),
        n => format!("{n} B"),
    }
}

#[cfg(test)]
mod tests {
    use super::super::Builder;
    use crate::tui::app::ViewOpts;

    fn shown(body: &str, width: usize) -> Vec<String> {
        let mut b = Builder::new(width);
        b.thread_body(body, ViewOpts { width, fold: true, ..Default::default() });
        b.lines.iter().map(|l| l.to_string().trim_end().to_string()).collect()
    }

    /// Mail wrapped at 76 columns in a 74-column view: the paragraph is wrapped again, with no orphan words; a list,
    /// a quote and lines that fit stay as they are.
    #[test]
    fn a_paragraph_wrapped_wider_than_the_view_is_wrapped_again() {
        let body = "You cannot simply boot off the cdrom?  It must be quite an old laptop then\n\
or else cdrom booting is disabled in the BIOS.  Is the cdrom external or\n\
strange in some way?\n\
\n\
- first item of a list that is long enough to be wider than the view here\n\
- second item\n\
short line\n\
another short line";
        let lines = shown(body, 70);
        assert_eq!(
            lines[..3],
            [
                "    You cannot simply boot off the cdrom?  It must be quite an old",
                "    laptop then or else cdrom booting is disabled in the BIOS.  Is",
                "    the cdrom external or strange in some way?",
            ],
            "{lines:#?}"
        );
        assert!(lines.contains(&"    - second item".to_string()), "{lines:#?}");
        assert!(lines.contains(&"    short line".to_string()) && lines.contains(&"    another short line".to_string()));
    }
}
