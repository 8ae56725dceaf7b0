//! FTS5 query text: every term one quoted phrase, so nothing a person types is read as FTS5 syntax.

/// A term as an FTS5 phrase (`"card"`).
pub fn phrase(term: &str) -> String {
    format!("\"{}\"", term.replace('"', ""))
}

/// A term as an FTS5 prefix phrase (`"car"*`).
pub fn prefix(term: &str) -> String {
    format!("{}*", phrase(term))
}

#[cfg(test)]
mod tests {
    #[test]
    fn quotes_cannot_escape_the_phrase() {
        assert_eq!(super::phrase("a\"b OR c"), "\"ab OR c\"");
        assert_eq!(super::prefix("car"), "\"car\"*");
    }
}
