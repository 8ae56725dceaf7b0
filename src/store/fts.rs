//! Full-text query text: for FTS5 every term one quoted phrase, for PostgreSQL's `to_tsquery` one lexeme, so nothing a
//! person types is read as query syntax.

/// A term as an FTS5 phrase (`"card"`).
pub fn phrase(term: &str) -> String {
    format!("\"{}\"", term.replace('"', ""))
}

/// A term as an FTS5 prefix phrase (`"car"*`).
pub fn prefix(term: &str) -> String {
    format!("{}*", phrase(term))
}

/// A word as a `to_tsquery` term: only its letters and digits (`card`).
pub fn pg_word(term: &str) -> String {
    let w: String = term.chars().filter(|c| c.is_alphanumeric()).collect();
    if w.is_empty() { "''".into() } else { w }
}

/// A word as a `to_tsquery` prefix term (`car:*`).
pub fn pg_prefix(term: &str) -> String {
    format!("{}:*", pg_word(term))
}

#[cfg(test)]
mod tests {
    #[test]
    fn quotes_cannot_escape_the_phrase() {
        assert_eq!(super::phrase("a\"b OR c"), "\"ab OR c\"");
        assert_eq!(super::prefix("car"), "\"car\"*");
        assert_eq!(super::pg_prefix("c'a:r|!"), "car:*");
    }
}
