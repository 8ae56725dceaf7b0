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

/// An FTS5 expression over `items_fts` limited to what an item says (title and description), not its people.
pub fn own_text(expr: &str) -> String {
    format!("{{title description}} : ({expr})")
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

/// An FTS5 expression as the store writes them (quoted terms, `*` prefixes, AND, OR, parentheses, `{title} : (…)`)
/// as a PostgreSQL tsquery: `&`, `|`, `:*`, and the title column as weight A (`card:A`, `car:*A`).
pub fn pg_query(expr: &str) -> String {
    let mut out = String::new();
    let mut chars = expr.chars().peekable();
    let (mut depth, mut title_at, mut title_next) = (0usize, None, false);
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                let phrase: String = chars.by_ref().take_while(|c| *c != '"').collect();
                let prefix = chars.next_if_eq(&'*').is_some();
                let label = match (prefix, title_at.is_some()) {
                    (true, true) => ":*A",
                    (true, false) => ":*",
                    (false, true) => ":A",
                    (false, false) => "",
                };
                let words: Vec<String> = phrase
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .map(|w| format!("{}{label}", w.to_lowercase()))
                    .collect();
                out.push_str(&if words.len() > 1 { format!("({})", words.join(" <-> ")) } else { words.concat() });
            }
            '(' => {
                depth += 1;
                if std::mem::take(&mut title_next) {
                    title_at = Some(depth);
                }
                out.push('(');
            }
            ')' => {
                if title_at == Some(depth) {
                    title_at = None;
                }
                depth = depth.saturating_sub(1);
                out.push(')');
            }
            '{' => {
                let column: String = chars.by_ref().take_while(|c| *c != '}').collect();
                title_next = column.trim() == "title";
            }
            c if c.is_alphabetic() => {
                let mut word = c.to_string();
                while let Some(n) = chars.next_if(|n| n.is_alphabetic()) {
                    word.push(n);
                }
                out.push_str(match word.as_str() {
                    "AND" => "&",
                    "OR" => "|",
                    "NOT" => "& !",
                    _ => "",
                });
            }
            c if c.is_whitespace() && !out.ends_with(' ') => out.push(' '),
            _ => {}
        }
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn quotes_cannot_escape_the_phrase() {
        assert_eq!(super::phrase("a\"b OR c"), "\"ab OR c\"");
        assert_eq!(super::prefix("car"), "\"car\"*");
        assert_eq!(super::pg_prefix("c'a:r|!"), "car:*");
    }

    #[test]
    fn fts5_expressions_become_tsqueries() {
        assert_eq!(super::pg_query("\"card\" OR \"swallow\"*"), "card | swallow:*");
        assert_eq!(
            super::pg_query("(\"atm\" AND \"card\") OR {title} : (\"Login\" OR \"pin\"*)"),
            "(atm & card) | (login:A | pin:*A)"
        );
        assert_eq!(super::pg_query("\"log in\""), "(log <-> in)");
    }
}
