//! Free words of a list filter as SQL: each word matched over ID, the item's own words and its messages.

use super::ItemFilter;
use crate::Result;
use crate::domain::ItemRef;
use crate::store::conn::{Conn, Value};

/// Words in at least this many messages are common: their message match is checked item by item (a page of a list
/// then stops early) instead of collecting every message that has them (100 ms for `card` at 20k tickets).
const COMMON: i64 = 3000;

/// The free words of a filter as SQL: every word must match the item's ID, its own words (prefix of a word of its
/// title, description, account, owner or contacts: the `items_fts` index) or, unless `quick`, as a whole word one
/// of its messages. `common` are the words that many messages have.
pub(super) fn free_words(
    text: &str,
    quick: bool,
    common: &[String],
    pg: bool,
    sql: &mut String,
    args: &mut Vec<Value>,
) {
    let mut own = vec![];
    for t in super::super::search::terms(text) {
        if let Ok(id) = t.parse::<ItemRef>() {
            sql.push_str(" AND i.kind = ? AND i.num = ?");
            args.push(Value::Text(id.kind.as_str().into()));
            args.push(Value::Int(id.num));
            continue;
        }
        for w in super::super::search::words(&t) {
            // A bare number is also an ID's number (`951` finds CONV-951 in the Inbox), besides a word in the text.
            let num = number(&w);
            if let Some(n) = num {
                sql.push_str(" AND (i.num = ? OR (1 = 1");
                args.push(Value::Int(n));
            }
            if pg {
                pg_word(&w, quick, common, sql, args);
            } else if quick && num.is_some() {
                sql.push_str(" AND i.id IN (SELECT rowid FROM items_fts WHERE items_fts MATCH ?)");
                args.push(Value::Text(super::super::fts::prefix(&w)));
            } else if quick {
                own.push(super::super::fts::prefix(&w));
            } else {
                lite_word(&w, common, sql, args);
            }
            if num.is_some() {
                sql.push_str("))");
            }
        }
    }
    if !own.is_empty() {
        sql.push_str(" AND i.id IN (SELECT rowid FROM items_fts WHERE items_fts MATCH ?)");
        args.push(Value::Text(own.join(" AND ")));
    }
}

/// A word that is a number an ID may have.
fn number(w: &str) -> Option<i64> {
    (w.len() <= 12 && w.bytes().all(|b| b.is_ascii_digit())).then(|| w.parse().ok()).flatten()
}

/// The items whose messages (`id IN (…)` follows) have a word: their own, and a ticket those of the conversations it
/// was made from (their thread continues there).
const HAVING_MESSAGES: &str = "i.id IN (WITH hit AS (SELECT item_id FROM messages WHERE id IN";
const AND_THEIR_TICKETS: &str =
    ") SELECT item_id FROM hit UNION ALL SELECT l.to_id FROM links l JOIN hit ON l.from_id = hit.item_id
       WHERE l.rel = 'ticket')";
/// One item's messages and those of the conversations it was made from, where `cond` holds (a common word: checked
/// item by item). Two lookups by item, each on an index: one `item_id IN (SELECT i.id UNION ALL …)` built a table
/// for every item, and the TUI's count of a common word on the 100k demo no longer ended.
fn its_messages(cond: &str) -> String {
    format!(
        "(EXISTS (SELECT 1 FROM messages mm WHERE mm.item_id = i.id AND mm.{cond})
          OR EXISTS (SELECT 1 FROM links l JOIN messages mm ON mm.item_id = l.from_id
                     WHERE l.to_id = i.id AND l.rel = 'ticket' AND mm.{cond}))"
    )
}

/// A word on SQLite: a prefix of the item's own words, or a whole word of one of its messages.
fn lite_word(w: &str, common: &[String], sql: &mut String, args: &mut Vec<Value>) {
    sql.push_str(" AND (i.id IN (SELECT rowid FROM items_fts WHERE items_fts MATCH ?) OR ");
    args.push(Value::Text(super::super::fts::prefix(w)));
    if common.iter().any(|c| c == w) {
        sql.push_str(&its_messages("id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?)"));
        sql.push(')');
        args.push(Value::Text(super::super::fts::phrase(w)));
    } else {
        sql.push_str(HAVING_MESSAGES);
        sql.push_str(" (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?)");
        sql.push_str(AND_THEIR_TICKETS);
        sql.push(')');
    }
    args.push(Value::Text(super::super::fts::phrase(w)));
}

/// A word on PostgreSQL: the item's title and description by prefix (`word:*`), its account, owner and contacts by
/// part of a name or email and, unless `quick`, its messages by the whole word (checked item by item when the word is
/// common, else through the set of its messages).
fn pg_word(w: &str, quick: bool, common: &[String], sql: &mut String, args: &mut Vec<Value>) {
    sql.push_str(
        " AND (i.fts @@ to_tsquery('english', ?)
          OR i.account_id IN (SELECT id FROM accounts WHERE name ILIKE ?)
          OR i.owner_id IN (SELECT id FROM members WHERE login ILIKE ? OR name ILIKE ?)
          OR i.contact_id IN (SELECT id FROM contacts WHERE name ILIKE ?
               UNION SELECT contact_id FROM contact_emails WHERE email ILIKE ?)
          OR i.id IN (SELECT ic.item_id FROM item_contacts ic WHERE ic.contact_id IN (SELECT id FROM contacts
               WHERE name ILIKE ? UNION SELECT contact_id FROM contact_emails WHERE email ILIKE ?))",
    );
    let like = format!("%{}%", w.replace(['%', '_', '\\'], ""));
    args.push(Value::Text(super::super::fts::pg_prefix(w)));
    args.extend(std::iter::repeat_n(Value::Text(like), 7));
    match (quick, common.iter().any(|c| c == w)) {
        (true, _) => sql.push(')'),
        (false, true) => {
            sql.push_str(" OR ");
            sql.push_str(&its_messages("fts @@ to_tsquery('english', ?)"));
            sql.push(')');
            args.push(Value::Text(super::super::fts::pg_word(w)));
        }
        (false, false) => {
            sql.push_str(" OR ");
            sql.push_str(HAVING_MESSAGES);
            sql.push_str(" (SELECT id FROM messages WHERE fts @@ to_tsquery('english', ?))");
            sql.push_str(AND_THEIR_TICKETS);
            sql.push(')');
        }
    }
    if !quick {
        args.push(Value::Text(super::super::fts::pg_word(w)));
    }
}

/// The full-text query that drives a quick newest-first list (its rows in the index's order), if the filter is one:
/// free words and no ID among them.
pub(super) fn driving(f: &ItemFilter) -> Option<String> {
    if !f.quick || f.sort != super::SortOrder::Newest {
        return None;
    }
    let mut own = vec![];
    for t in super::super::search::terms(f.text.as_deref()?) {
        if t.parse::<ItemRef>().is_ok() {
            return None;
        }
        for w in super::super::search::words(&t) {
            // A number may be an ID's: the list is not the full-text index's alone.
            if number(&w).is_some() {
                return None;
            }
            own.push(super::super::fts::prefix(&w));
        }
    }
    (!own.is_empty()).then(|| own.join(" AND "))
}

/// The free words of the filter that at least [`COMMON`] messages have (each probe reads at most that many).
pub(super) fn common(c: Conn<'_>, f: &ItemFilter) -> Result<Vec<String>> {
    let mut out = vec![];
    let Some(text) = f.text.as_deref().filter(|_| !f.quick) else { return Ok(out) };
    let (sql, word): (&str, fn(&str) -> String) = if c.is_pg() {
        (
            "SELECT count(*) FROM (SELECT 1 FROM messages WHERE fts @@ to_tsquery('english', ?1) LIMIT ?2) AS n",
            super::super::fts::pg_word,
        )
    } else {
        (
            "SELECT count(*) FROM (SELECT 1 FROM messages_fts WHERE messages_fts MATCH ?1 LIMIT ?2)",
            super::super::fts::phrase,
        )
    };
    for t in super::super::search::terms(text).iter().filter(|t| t.parse::<ItemRef>().is_err()) {
        for w in super::super::search::words(t) {
            if c.one(sql, &[&word(&w), &COMMON], |r| r.get::<i64>(0))? >= COMMON {
                out.push(w);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::{ItemFilter, Page, SortOrder, list_sql};
    use crate::domain::{ItemRef, Kind};
    use crate::store::conn::Param;

    /// A common word is matched item by item, a rare one through the set of its messages: the same rows either way.
    #[test]
    fn common_and_rare_words_find_the_same_rows() {
        let mut store = crate::Store::open_in_memory().unwrap();
        crate::demo::generate_at(&mut store, 80, 1_767_225_600, &mut |_, _| {}).unwrap();
        let r = store.read();
        for word in ["card", "transfer", "zebra"] {
            let f = ItemFilter { kind: Some(Kind::Ticket), text: Some(word.into()), ..Default::default() };
            let ids = |common: &[String]| -> Vec<i64> {
                let (sql, args) = list_sql(&f, common, false, Page::default(), 500);
                let mut st = r.lite().unwrap().prepare(&sql).unwrap();
                st.query_map(rusqlite::params_from_iter(args.iter().map(|a| a.lite())), |row| row.get::<_, i64>("id"))
                    .unwrap()
                    .collect::<Result<_, _>>()
                    .unwrap()
            };
            assert_eq!(ids(&[word.to_string()]), ids(&[]), "{word}");
        }
    }

    fn exec(store: &mut crate::Store, sql: &str, arg: i64) {
        store.write(|w| w.c.execute(sql, &[&arg])).unwrap();
    }

    fn rows(store: &crate::Store, text: &str, quick: bool) -> Vec<i64> {
        let f = ItemFilter { text: Some(text.into()), quick, ..Default::default() };
        store.read().list_all(&f, 10_000).unwrap().iter().map(|r| r.row).collect()
    }

    /// The quick match finds an item by its account, contact names and emails and owner, kept in step when those
    /// change; words only in its messages wait for the full match.
    #[test]
    fn own_words_follow_renames_and_message_words_need_the_full_match() {
        let mut store = crate::Store::open_in_memory().unwrap();
        crate::demo::generate_at(&mut store, 80, 1_767_225_600, &mut |_, _| {}).unwrap();
        let (item, account, contact): (i64, i64, i64) = store
            .read()
            .lite()
            .unwrap()
            .query_row(
                "SELECT id, account_id, contact_id FROM items WHERE kind = 'ticket' AND account_id IS NOT NULL
                 AND contact_id IS NOT NULL AND owner_id IS NOT NULL LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        for quick in [true, false] {
            assert!(!rows(&store, "zyxwquartz", quick).contains(&item));
        }
        exec(&mut store, "UPDATE accounts SET name = 'Zyxwquartz Ltd' WHERE id = ?1", account);
        exec(&mut store, "UPDATE contacts SET name = 'Quillonia Brandt' WHERE id = ?1", contact);
        let edit = crate::store::ContactEdit { emails: vec!["bramblewick@x.test".into()], ..Default::default() };
        store.write(|w| w.edit_contact(contact, &edit, 1_767_225_600)).unwrap();
        assert!(rows(&store, "bramblewick", true).contains(&item), "an email added through the store");
        exec(
            &mut store,
            "UPDATE members SET login = 'oberwald' WHERE id = (SELECT owner_id FROM items WHERE id = ?1)",
            item,
        );
        for quick in [true, false] {
            for word in ["zyxwq", "ltd zyxwquartz", "quillon", "bramblewick", "oberwald"] {
                assert!(rows(&store, word, quick).contains(&item), "{word} quick={quick}");
            }
        }
        exec(&mut store, "DELETE FROM contact_emails WHERE email = 'bramblewick@x.test' AND contact_id = ?1", contact);
        assert!(!rows(&store, "bramblewick", true).contains(&item), "a removed email no longer finds the item");

        let lite = store.read().lite().unwrap();
        let mut st = lite
            .prepare(
                "SELECT m.item_id, m.body FROM messages m JOIN items i ON i.id = m.item_id WHERE i.kind = 'ticket'",
            )
            .unwrap();
        let bodies: Vec<(i64, String)> =
            st.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().collect::<Result<_, _>>().unwrap();
        let found = bodies.iter().find_map(|(id, body)| {
            let word = body
                .split(|c: char| !c.is_ascii_alphabetic())
                .filter(|w| w.len() >= 6)
                .find(|w| !rows(&store, w, true).contains(id))?;
            Some((*id, word.to_lowercase()))
        });
        let (id, word) = found.expect("a word of some message that is not among its item's own words");
        assert!(rows(&store, &word, false).contains(&id), "the full match finds '{word}' in a message");
    }

    /// `42` in a list's filter finds item 42 of the list's kind, with or without the words that say 42, in the quick
    /// match (newest first, which the full-text index drives otherwise) and the full one.
    #[test]
    fn a_bare_number_finds_the_item_with_that_number() {
        let mut store = crate::Store::open_in_memory().unwrap();
        crate::demo::generate_at(&mut store, 80, 1_767_225_600, &mut |_, _| {}).unwrap();
        for (quick, sort) in [(true, SortOrder::Newest), (true, SortOrder::default()), (false, SortOrder::default())] {
            let f = ItemFilter { kind: Some(Kind::Ticket), text: Some("42".into()), quick, sort, ..Default::default() };
            let ids: Vec<ItemRef> = store.read().list_all(&f, 10_000).unwrap().iter().map(|r| r.id).collect();
            assert!(ids.contains(&ItemRef { kind: Kind::Ticket, num: 42 }), "quick {quick} {sort:?}: {ids:?}");
            let f = ItemFilter { text: Some("42 zzqqxx".into()), ..f };
            assert!(store.read().list_all(&f, 10_000).unwrap().is_empty(), "every word still has to match");
        }
    }
}
