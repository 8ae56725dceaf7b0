//! Untrusted text made safe wherever it is shown or exported: terminal, CSV, JSON and file names.

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
        // Zero-width characters: terminals and layout code disagree on their width, which breaks the layout.
        _ if is_zero_width(c) => {}
        _ => out.push(c),
    }
}

/// Zero-width spaces, joiners and marks, and the byte-order mark.
pub fn is_zero_width(c: char) -> bool {
    matches!(c as u32, 0x200b..=0x200d | 0x2060..=0x2064 | 0xfeff | 0x180e | 0x034f | 0x00ad)
}

/// Bidi embeddings, overrides, isolates and marks.
pub fn is_bidi(c: char) -> bool {
    matches!(c as u32, 0x202a..=0x202e | 0x2066..=0x2069 | 0x200e | 0x200f | 0x061c)
}

/// JSON text with every control character, bidi control, zero-width character and line separator written as a
/// `\uXXXX` escape (serde_json escapes only C0). Such characters only occur inside strings, so the result is
/// the same JSON value.
pub fn json_escape(json: String) -> String {
    if json.chars().all(|c| !needs_json_escape(c)) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if needs_json_escape(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

fn needs_json_escape(c: char) -> bool {
    (c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        || is_bidi(c)
        || is_zero_width(c)
        || matches!(c as u32, 0x2028 | 0x2029)
}

/// A cell of a CSV file a spreadsheet may open: sanitised as [`line_keep_newlines`], line breaks made LF (a bare CR
/// rewrites a terminal line), and a leading formula character (`=`, `+`, `-`, `@`, tab, or their full-width forms)
/// neutralised with a leading `'`.
pub fn csv_cell(s: &str) -> String {
    let clean = line_keep_newlines(&s.replace("\r\n", "\n")).replace('\r', "\n");
    if starts_formula(&clean) { format!("'{clean}") } else { clean }
}

/// Would a spreadsheet read this cell as a formula?
pub fn starts_formula(s: &str) -> bool {
    s.trim_start_matches([' ', '\n']).starts_with(['=', '+', '-', '@', '\t', '＝', '＋', '－', '＠'])
}

/// The bytes a saved file's name may take (most file systems allow 255).
pub const FILE_NAME_BYTES: usize = 200;

/// A file name safe to save: no directories, no control, bidi or zero-width characters, no leading dots, no names
/// Windows reserves (`con`, `nul.txt`, …), at most [`FILE_NAME_BYTES`] bytes cut at a character boundary
/// (keeping the extension where it is short).
pub fn file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let clean: String = base
        .chars()
        .filter(|&c| !c.is_control() && !is_bidi(c) && !is_zero_width(c) && !matches!(c as u32, 0x2028 | 0x2029))
        .map(|c| if matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|') { '_' } else { c })
        .collect();
    let clean = clean.trim().trim_start_matches('.').trim_end_matches(['.', ' ']).to_string();
    if clean.is_empty() {
        return "attachment".into();
    }
    let stem = clean.split('.').next().unwrap_or("").to_ascii_lowercase();
    let reserved = matches!(stem.as_str(), "con" | "prn" | "aux" | "nul")
        || (stem.len() == 4
            && (stem.starts_with("com") || stem.starts_with("lpt"))
            && stem.as_bytes()[3].is_ascii_digit());
    let clean = if reserved { format!("_{clean}") } else { clean };
    if clean.len() <= FILE_NAME_BYTES {
        return clean;
    }
    let ext = clean.rfind('.').map(|i| &clean[i..]).filter(|e| e.len() <= 16).unwrap_or("");
    let mut end = FILE_NAME_BYTES - ext.len();
    while !clean.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{ext}", &clean[..end])
}

/// True when the text would be shown unchanged.
pub fn is_clean(s: &str) -> bool {
    s.chars().all(|c| !c.is_control() && !is_bidi(c) && !is_zero_width(c) && !matches!(c as u32, 0x2028 | 0x2029))
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
    fn zero_width_characters_are_removed() {
        let s = line("a\u{200b}b\u{200c}c\u{200d}d\u{2060}e\u{feff}f");
        assert_eq!(s, "abcdef");
        assert!(!is_clean("a\u{200b}b"));
        assert_eq!(text("x\u{feff}\ny"), "x\ny");
    }

    #[test]
    fn json_escapes_c1_bidi_and_zero_width() {
        let v = serde_json::to_string(&serde_json::json!({"s": "a\u{85}b\u{9b}c\u{202e}d\u{200b}e"})).unwrap();
        let out = json_escape(v);
        assert!(out.is_ascii(), "{out}");
        let back: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(back["s"], "a\u{85}b\u{9b}c\u{202e}d\u{200b}e");
    }

    #[test]
    fn csv_cells_never_start_a_formula_or_carry_a_bare_cr() {
        for f in ["=cmd|' /C calc'!A0", "@SUM(A1)", "+SUM(A1)", "-1+1", "\t=1", "＝1+1", "＋1", "＠SUM(1)", " =1"] {
            assert!(csv_cell(f).starts_with('\''), "{f}");
        }
        assert_eq!(csv_cell("plain"), "plain");
        assert!(!csv_cell("a\rb\r\nc").contains('\r'));
    }

    #[test]
    fn file_names_are_capped_by_bytes_and_cleaned() {
        let long = format!("{}.txt", "é".repeat(200));
        let n = file_name(&long);
        assert!(n.len() <= FILE_NAME_BYTES && n.ends_with(".txt"), "{} bytes", n.len());
        assert_eq!(file_name("invoice\u{202e}gpj.exe"), "invoicegpj.exe");
        assert_eq!(file_name("a\u{200b}b.txt"), "ab.txt");
        assert_eq!(file_name("con"), "_con");
        assert_eq!(file_name("NUL.txt"), "_NUL.txt");
        assert_eq!(file_name("com1.log"), "_com1.log");
        assert_eq!(file_name("console.txt"), "console.txt");
        assert_eq!(file_name("../../etc/passwd"), "passwd");
        assert_eq!(file_name(".."), "attachment");
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
