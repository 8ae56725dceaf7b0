//! Text for similar-work search: words, query terms without stop words, FTS5 expressions, edit distance.

use crate::store::fts;

const STOP: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "been", "but", "by", "can", "could", "did", "do", "does", "for", "from",
    "get", "got", "had", "has", "have", "how", "i", "if", "in", "into", "is", "it", "its", "me", "my", "no", "not",
    "of", "on", "or", "our", "so", "some", "than", "that", "the", "their", "them", "then", "there", "these", "this",
    "to", "was", "we", "were", "what", "when", "where", "which", "while", "who", "why", "will", "with", "would", "you",
    "your", "should", "after", "before", "also", "all", "any", "just", "only", "more", "most", "other", "such", "via",
    "up", "out", "use", "used", "using", "one", "two", "new", "need", "needs", "there", "here", "hello", "hi",
    "thanks", "please", "re", "fw", "fwd",
];

/// Lower-case words of a text; identifiers split at camelCase and dots as well as kept whole.
pub fn words(s: &str) -> Vec<String> {
    let mut out = vec![];
    for raw in s.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.')) {
        let raw = raw.trim_matches(['.', '_']);
        if raw.is_empty() {
            continue;
        }
        let parts: Vec<&str> = raw.split(['.', '_']).filter(|p| !p.is_empty()).collect();
        for p in &parts {
            let camel = split_camel(p);
            if camel.len() > 1 {
                out.push(p.to_lowercase());
            }
            out.extend(camel.into_iter().map(|w| w.to_lowercase()));
        }
    }
    out
}

fn split_camel(w: &str) -> Vec<String> {
    let mut out = vec![];
    let mut cur = String::new();
    let chars: Vec<char> = w.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let boundary = i > 0
            && c.is_uppercase()
            && (chars[i - 1].is_lowercase()
                || chars.get(i + 1).is_some_and(|n| n.is_lowercase()) && chars[i - 1].is_uppercase());
        if boundary && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Distinct query terms (no stop words, no single letters), in order, at most `max`.
pub fn terms(s: &str, max: usize) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    words(s)
        .into_iter()
        .filter(|w| w.chars().count() > 1 && !STOP.contains(&w.as_str()) && w.chars().count() < 40)
        .filter(|w| seen.insert(w.clone()))
        .take(max)
        .collect()
}

/// An FTS5 expression: any of the terms; the last title term as a prefix while typing.
pub fn fts_expr(title: &[String], body: &[String], typing: bool) -> Option<String> {
    let mut parts: Vec<String> = vec![];
    for (i, t) in title.iter().enumerate() {
        parts.push(if typing && i + 1 == title.len() { fts::prefix(t) } else { fts::phrase(t) });
    }
    for t in body {
        if !title.contains(t) {
            parts.push(fts::phrase(t));
        }
    }
    (!parts.is_empty()).then(|| parts.join(" OR "))
}

/// Damerau–Levenshtein (optimal string alignment) distance, counting a swap of neighbours as one edit.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > 2 {
        return 3;
    }
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_split() {
        assert_eq!(
            words("FSNamesystem.getBlocks fails"),
            vec!["fsnamesystem", "fs", "namesystem", "getblocks", "get", "blocks", "fails"]
        );
        assert_eq!(terms("The login fails after the reset", 10), vec!["login", "fails", "reset"]);
    }

    #[test]
    fn reply_prefixes_are_no_terms() {
        assert_eq!(terms("[Spambayes] Re: Fwd: New application", 8), ["spambayes", "application"]);
    }

    #[test]
    fn distance() {
        assert_eq!(edit_distance("loign", "login"), 1);
        assert_eq!(edit_distance("passwrd", "password"), 1);
        assert_eq!(edit_distance("abc", "xyz"), 3);
    }

    #[test]
    fn expression() {
        assert_eq!(fts_expr(&["login".into(), "fai".into()], &[], true).unwrap(), "\"login\" OR \"fai\"*");
        assert!(fts_expr(&[], &[], false).is_none());
    }
}
