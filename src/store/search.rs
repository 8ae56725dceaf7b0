//! Full-text search over every stored message (subjects and bodies), newest first.

use super::Reader;
use crate::Result;
use crate::domain::ItemRef;
use serde::Serialize;

/// A message that has every searched word.
#[derive(Debug, Clone, Serialize)]
pub struct MessageHit {
    pub message: i64,
    /// None: the message is in the machine lane.
    pub item: Option<ItemRef>,
    pub from: String,
    pub subject: String,
    #[serde(serialize_with = "crate::domain::ser_ts")]
    pub at: i64,
    /// A line of the body around the first searched word.
    pub excerpt: String,
}

/// The words of `text` as an FTS5 query: each a quoted term, all required.
fn all_words(text: &str) -> Option<String> {
    let terms: Vec<String> = words(text).map(|w| super::fts::phrase(&w)).collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

/// Split a query into terms; `"…"` keeps spaces inside a term (`account:"acme bank"`).
pub fn terms(q: &str) -> Vec<String> {
    let mut out = vec![];
    let mut cur = String::new();
    let mut quoted = false;
    for c in q.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The first eight words of `text` (runs of letters and digits), lowercased: what a search or a filter matches.
/// The tail of a contraction or possessive (`can't`, `Anna's`) is no word of its own: as a prefix `t*` it matched
/// nearly everything.
pub(super) fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    let apostrophe = |c: char| c == '\'' || c == '’';
    text.split(move |c: char| !c.is_alphanumeric() && !apostrophe(c))
        .flat_map(move |t| {
            let mut parts = t.split(apostrophe);
            parts.next().into_iter().chain(parts.filter(|p| p.chars().count() > 2))
        })
        .filter(|w| !w.is_empty())
        .take(8)
        .map(str::to_lowercase)
}

impl Reader<'_> {
    /// The messages with every word of `text`, newest first, with what a result list shows of each: FTS5 stops after
    /// `limit` rows, where ranking by relevance would score every message that has a common word.
    pub fn message_hits(&self, text: &str, limit: usize) -> Result<Vec<MessageHit>> {
        let Some(q) = all_words(text) else { return Ok(vec![]) };
        // PostgreSQL: every word as a lexeme, all required (`card & swallow`).
        let q = if self.c.is_pg() {
            words(text).map(|w| super::fts::pg_word(&w)).collect::<Vec<_>>().join(" & ")
        } else {
            q
        };
        let wanted: Vec<String> = words(text).collect();
        self.c.rows(self.c.pick(MESSAGE_HITS), &[&q, &(limit as i64)], |r| {
            let kind: Option<crate::domain::Kind> = r.get(1)?;
            let item = kind.zip(r.get(2)?).map(|(kind, num)| ItemRef { kind, num });
            let body: String = r.get(6)?;
            Ok(MessageHit {
                message: r.get(0)?,
                item,
                from: r.get(3)?,
                subject: r.get(4)?,
                at: r.get(5)?,
                excerpt: excerpt(&body, &wanted),
            })
        })
    }
}

/// The newest messages with every word: FTS5 streams its rows newest first and stops after the limit; PostgreSQL
/// walks the newest messages and checks each against the GIN index's matches. A message of a conversation made into
/// a ticket leads to the ticket, where its thread continues.
macro_rules! hits_from {
    () => {
        "SELECT m.id, i.kind, i.num, m.from_addr, m.subject, m.sent_at, m.body
     FROM messages m LEFT JOIN items i ON i.id = COALESCE((SELECT l.to_id FROM links l
       WHERE l.from_id = m.item_id AND l.rel = 'ticket' ORDER BY l.to_id DESC LIMIT 1), m.item_id)"
    };
}
const MESSAGE_HITS: [&str; 2] = [
    concat!(
        hits_from!(),
        "
     WHERE m.id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?1 ORDER BY rowid DESC LIMIT ?2)
     ORDER BY m.id DESC"
    ),
    concat!(
        hits_from!(),
        "
     WHERE m.fts @@ to_tsquery('english', ?1) ORDER BY m.id DESC LIMIT ?2"
    ),
];

/// About 100 characters of `body` on one line, from shortly before the first of `words` found (case-insensitive; a
/// stemmed match the text does not spell out starts the excerpt at the top).
fn excerpt(body: &str, words: &[String]) -> String {
    let flat: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    let lower = flat.to_lowercase();
    let at = words.iter().filter_map(|w| lower.find(w.as_str())).min().unwrap_or(0);
    // Counted in characters: near enough where lowercasing changes a character's length (İ), and never mid-character.
    let chars_before = lower[..at].chars().count();
    let start = chars_before.saturating_sub(30);
    let mut out: String = flat.chars().skip(start).take(100).collect();
    if start > 0 {
        out.insert(0, '…');
    }
    if flat.chars().count() > start + 100 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn contraction_tails_are_no_words() {
        let w: Vec<String> = super::words("Can't log in: O'Brien’s card").collect();
        assert_eq!(w, ["can", "log", "in", "o", "brien", "card"]);
    }

    #[test]
    fn excerpts_start_near_the_first_word_found() {
        let body =
            format!("{}\n\nMy CARD was\tswallowed by the machine. {}", "Hello. ".repeat(20), "Thanks. ".repeat(30));
        let e = super::excerpt(&body, &["swallowed".into(), "zzz".into()]);
        assert!(e.starts_with('…') && e.ends_with('…'), "{e}");
        assert!(e.contains("My CARD was swallowed by the machine."), "{e}");
        assert_eq!(super::excerpt("short text", &["missing".into()]), "short text");
        assert_eq!(super::excerpt("İİİ card", &["card".into()]), "İİİ card");
    }
}
