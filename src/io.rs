//! Import and export: CSV (RFC 4180, with the `csv` crate) and JSON.

pub mod articles;
pub mod export;
pub mod import;

/// Protect a CSV cell from spreadsheet formula injection: a leading `= + - @` gets a `'` in front.
pub fn csv_safe(s: &str) -> String {
    let clean = crate::sanitize::line_keep_newlines(s);
    if clean.starts_with(['=', '+', '-', '@']) { format!("'{clean}") } else { clean }
}

/// Undo [`csv_safe`] on import.
pub fn csv_unsafe(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
        _ => s,
    }
}
