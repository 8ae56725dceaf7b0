//! Free words of a list filter as SQL: each word matched over ID, title, account, contact and message text.

use super::ItemFilter;
use crate::Result;
use crate::domain::ItemRef;
use rusqlite::Connection;
use rusqlite::types::Value;

/// Words in at least this many messages are common: their message match is checked item by item (a page of a list
/// then stops early) instead of collecting every message that has them (100 ms for `card` at 20k tickets).
const COMMON: i64 = 3000;

/// The free words of a filter as SQL: every word must match the item's ID, its title or description (prefix), its
/// account's name, a contact's name or email, or (as a whole word) one of its messages. `common` are the words that
/// many messages have.
pub(super) fn free_words(text: &str, common: &[String], sql: &mut String, args: &mut Vec<Value>) {
    for t in super::super::search::terms(text) {
        if let Ok(id) = t.parse::<ItemRef>() {
            sql.push_str(" AND i.kind = ? AND i.num = ?");
            args.push(Value::Text(id.kind.as_str().into()));
            args.push(Value::Integer(id.num));
            continue;
        }
        for w in super::super::search::words(&t) {
            let like = format!("%{}%", w.replace(['%', '_', '\\'], ""));
            sql.push_str(
                " AND (i.id IN (SELECT rowid FROM items_fts WHERE items_fts MATCH ?)
                  OR i.account_id IN (SELECT id FROM accounts WHERE name LIKE ?)
                  OR i.contact_id IN (SELECT id FROM contacts WHERE name LIKE ?
                       UNION SELECT contact_id FROM contact_emails WHERE email LIKE ?)
                  OR ",
            );
            sql.push_str(if common.contains(&w) {
                "EXISTS (SELECT 1 FROM messages mm WHERE mm.item_id = i.id AND mm.id IN
                       (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?)))"
            } else {
                "i.id IN (SELECT item_id FROM messages WHERE id IN
                       (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?)))"
            });
            args.push(Value::Text(super::super::fts::prefix(&w)));
            args.push(Value::Text(like.clone()));
            args.push(Value::Text(like.clone()));
            args.push(Value::Text(like));
            args.push(Value::Text(super::super::fts::phrase(&w)));
        }
    }
}

/// The free words of the filter that at least [`COMMON`] messages have (each probe reads at most that many).
pub(super) fn common(c: &Connection, f: &ItemFilter) -> Result<Vec<String>> {
    let mut out = vec![];
    let Some(text) = f.text.as_deref() else { return Ok(out) };
    let mut st =
        c.prepare_cached("SELECT count(*) FROM (SELECT 1 FROM messages_fts WHERE messages_fts MATCH ?1 LIMIT ?2)")?;
    for t in super::super::search::terms(text).iter().filter(|t| t.parse::<ItemRef>().is_err()) {
        for w in super::super::search::words(t) {
            if st.query_row(rusqlite::params![super::super::fts::phrase(&w), COMMON], |r| r.get::<_, i64>(0))? >= COMMON
            {
                out.push(w);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::{ItemFilter, Page, list_sql};
    use crate::domain::Kind;

    /// A common word is matched item by item, a rare one through the set of its messages: the same rows either way.
    #[test]
    fn common_and_rare_words_find_the_same_rows() {
        let mut store = crate::Store::open_in_memory().unwrap();
        crate::demo::generate_at(&mut store, 80, 1_767_225_600, &mut |_, _| {}).unwrap();
        let r = store.read();
        for word in ["card", "transfer", "zebra"] {
            let f = ItemFilter { kind: Some(Kind::Ticket), text: Some(word.into()), ..Default::default() };
            let ids = |common: &[String]| -> Vec<i64> {
                let (sql, args) = list_sql(&f, common, Page::default(), 500);
                let mut st = r.c.prepare(&sql).unwrap();
                st.query_map(rusqlite::params_from_iter(args), |row| row.get::<_, i64>("id"))
                    .unwrap()
                    .collect::<Result<_, _>>()
                    .unwrap()
            };
            assert_eq!(ids(&[word.to_string()]), ids(&[]), "{word}");
        }
    }
}
