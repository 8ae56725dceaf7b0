//! bm25 on PostgreSQL, as FTS5 computes it: `ts_rank` gathers a pool of candidates, each is scored from its
//! tsvector's positions (title A, description B) with document counts of the query's words (kept a minute).

use super::super::Reader;
use super::super::conn::Conn;
use crate::Result;
use std::time::{Duration, Instant};

/// FTS5's bm25 constants.
const K1: f64 = 1.2;
const B: f64 = 0.75;
/// How long document counts are reused: they move slowly, and counting a common word reads much of the index.
const KEPT: Duration = Duration::from_secs(60);

/// A word of a tsquery: its lexeme, whether it is a prefix (`:*`) and whether only the title counts (`:A`).
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    pub lexeme: String,
    pub prefix: bool,
    pub title_only: bool,
}

/// The words of a tsquery as PostgreSQL prints it (`'login' | 'fail':*A | ( 'name' <-> 'node' )`).
pub fn words(tsquery: &str) -> Vec<Word> {
    let mut out: Vec<Word> = vec![];
    let mut chars = tsquery.chars().peekable();
    while let Some(lexeme) = next_lexeme(&mut chars) {
        let (mut prefix, mut title_only) = (false, false);
        if chars.next_if_eq(&':').is_some() {
            while let Some(f) = chars.next_if(|c| c.is_ascii_alphabetic() || *c == '*') {
                prefix |= f == '*';
                title_only |= f == 'A';
            }
        }
        let w = Word { lexeme, prefix, title_only };
        if !out.contains(&w) {
            out.push(w);
        }
    }
    out
}

/// The next quoted lexeme of a printed tsquery or tsvector (`'o''brien'` is `o'brien`), the rest left after it.
fn next_lexeme(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Option<String> {
    chars.find(|c| *c == '\'')?;
    let mut lexeme = String::new();
    while let Some(c) = chars.next() {
        if c == '\'' && chars.next_if_eq(&'\'').is_none() {
            break;
        }
        lexeme.push(c);
    }
    Some(lexeme)
}

/// A document's tsvector as printed (`'card':1A,7 'declin':2A,9B`): (lexeme, positions in the title, elsewhere).
pub fn positions(tsvector: &str) -> Vec<(String, u32, u32)> {
    let mut out = vec![];
    let mut chars = tsvector.chars().peekable();
    while let Some(lexeme) = next_lexeme(&mut chars) {
        let (mut title, mut other) = (0, 0);
        if chars.next_if_eq(&':').is_some() {
            let list: String = chars.by_ref().take_while(|c| *c != ' ').collect();
            for p in list.split(',') {
                if p.ends_with('A') { title += 1 } else { other += 1 }
            }
        } else {
            other = 1;
        }
        out.push((lexeme, title, other));
    }
    out
}

impl Reader<'_> {
    /// A count, reused for a minute on this session (`sql` takes the one argument `arg`).
    fn counted(&self, sql: &str, arg: &str) -> Result<i64> {
        let Conn::Pg(pg) = self.c else { return Ok(0) };
        let key = format!("{sql}\u{0}{arg}");
        if let Some((n, at)) = pg.counts.borrow().get(&key)
            && at.elapsed() < KEPT
        {
            return Ok(*n);
        }
        let n: i64 = self.c.one(sql, &[&arg], |r| r.get(0))?;
        let mut counts = pg.counts.borrow_mut();
        if counts.len() > 50_000 {
            counts.clear();
        }
        counts.insert(key, (n, Instant::now()));
        Ok(n)
    }

    /// bm25 (negated, smaller is better, as FTS5 gives it) of each candidate's tsvector for the tsquery, the title
    /// weighing `title_w`; the length of a document is its count of positions, against the pool's mean.
    pub(in crate::store) fn pg_bm25(&self, tsquery: &str, title_w: f64, docs: &[String]) -> Result<Vec<f64>> {
        let ws = words(tsquery);
        let n = self.counted("SELECT COUNT(*) FROM items WHERE ?1 <> ''", "all")? as f64;
        let mut idf = Vec::with_capacity(ws.len());
        for w in &ws {
            let q = format!("'{}'{}", w.lexeme.replace('\'', "''"), if w.prefix { ":*" } else { "" });
            let d = self.counted("SELECT COUNT(*) FROM items WHERE fts @@ to_tsquery('simple', ?1)", &q)? as f64;
            idf.push(((n - d + 0.5) / (d + 0.5)).ln().max(1e-6));
        }
        let parsed: Vec<Vec<(String, u32, u32)>> = docs.iter().map(|d| positions(d)).collect();
        let len = |p: &[(String, u32, u32)]| p.iter().map(|(_, a, b)| f64::from(a + b)).sum::<f64>();
        let avg = (parsed.iter().map(|p| len(p)).sum::<f64>() / parsed.len().max(1) as f64).max(1.0);
        Ok(parsed
            .iter()
            .map(|p| {
                let norm = K1 * (1.0 - B + B * len(p) / avg);
                -ws.iter()
                    .zip(&idf)
                    .map(|(w, idf)| {
                        let f: f64 = p
                            .iter()
                            .filter(|(l, _, _)| if w.prefix { l.starts_with(&w.lexeme) } else { *l == w.lexeme })
                            .map(|(_, a, b)| title_w * f64::from(*a) + if w.title_only { 0.0 } else { f64::from(*b) })
                            .sum();
                        idf * f * (K1 + 1.0) / (f + norm)
                    })
                    .sum::<f64>()
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_of_a_tsquery() {
        let ws = words("'login' | 'fail':*A | ( 'name' <-> 'node' ) | 'o''brien' | 'login'");
        let lex: Vec<&str> = ws.iter().map(|w| w.lexeme.as_str()).collect();
        assert_eq!(lex, ["login", "fail", "name", "node", "o'brien"]);
        assert!(ws[1].prefix && ws[1].title_only && !ws[0].prefix && !ws[0].title_only);
    }

    #[test]
    fn positions_of_a_tsvector() {
        let p = positions("'card':1A,7 'declin':2A,9B,12B 'o''brien':3 'x'");
        assert_eq!(p, [("card".into(), 1, 1), ("declin".into(), 1, 2), ("o'brien".into(), 0, 1), ("x".into(), 0, 1)]);
    }
}
