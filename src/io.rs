//! Import and export: CSV (RFC 4180, with the `csv` crate) and JSON.

pub mod articles;
pub mod export;
pub mod import;
pub mod mbox;
pub mod save;

/// Protect a CSV cell from spreadsheet formula injection: a leading `= + - @` gets a `'` in front.
pub fn csv_safe(s: &str) -> String {
    crate::sanitize::csv_cell(s)
}

/// Undo [`csv_safe`] on import.
pub fn csv_unsafe(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if crate::sanitize::starts_formula(rest) => rest,
        _ => s,
    }
}
