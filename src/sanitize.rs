//! Untrusted text (subjects, names, bodies) made safe for a terminal: controls and bidi overrides become visible marks.

/// A single-line field: every control character, escape and bidi override is replaced by a visible mark;
/// line breaks and tabs become spaces.
pub fn line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            c => push_safe(&mut out, c),
        }
    }
    out
}

/// A multi-line body: as [`line`], but line breaks stay and tabs become four spaces.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' => out.push('\n'),
            '\r' => {}
            '\t' => out.push_str("    "),
            c => push_safe(&mut out, c),
        }
    }
    out
}

fn push_safe(out: &mut String, c: char) {
    match c as u32 {
        // C0 controls and DEL: their Unicode control pictures (ESC shows as ␛).
        0x00..=0x1f => out.push(char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}')),
        0x7f => out.push('\u{2421}'),
        // C1 controls, including the 8-bit CSI.
        0x80..=0x9f => out.push('\u{fffd}'),
        // Bidi embeddings, overrides and isolates, and the line/paragraph separators some terminals honour.
        0x202a..=0x202e | 0x2066..=0x2069 | 0x200e | 0x200f | 0x061c => out.push('\u{2af6}'),
        0x2028 | 0x2029 => out.push(' '),
        _ => out.push(c),
    }
}

/// True when the text would be shown unchanged.
pub fn is_clean(s: &str) -> bool {
    s.chars().all(|c| {
        !c.is_control()
            && !matches!(c as u32, 0x202a..=0x202e | 0x2066..=0x2069 | 0x200e | 0x200f | 0x061c | 0x2028 | 0x2029)
    })
}

/// Like [`text`] but for data files: control characters become visible marks, line breaks stay as they are.
pub fn line_keep_newlines(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(c),
            c => push_safe(&mut out, c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_become_visible() {
        let s = line("Hi\x1b[2J\x1b]0;pwned\x07 there\u{9b}31m \u{202e}txt.exe");
        assert!(!s.chars().any(|c| c.is_control()), "{s:?}");
        assert!(s.contains('␛'), "{s}");
        assert!(!s.contains('\u{202e}'));
        assert!(is_clean(&s));
    }

    #[test]
    fn bodies_keep_lines() {
        assert_eq!(text("a\r\nb\tc"), "a\nb    c");
        assert_eq!(line("a\r\nb"), "a  b");
    }

    #[test]
    fn every_char_is_safe() {
        for u in 0..0x3000u32 {
            if let Some(c) = char::from_u32(u) {
                let s = line(&c.to_string());
                assert!(is_clean(&s), "U+{u:04X} -> {s:?}");
            }
        }
    }
}
