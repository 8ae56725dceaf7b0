//! Colours of domain values, shared by the detail builder and the drawing code.

use helpdesk::stage::{AnyStage, Tone};
use ratatui::style::Color;

pub fn stage_color(s: AnyStage) -> Color {
    match s.tone() {
        Tone::Attention => Color::Yellow,
        Tone::Active => Color::Blue,
        Tone::Done => Color::Green,
        Tone::Dropped => Color::DarkGray,
    }
}
