//! Full-text rows written when a transaction commits (SQLite; PostgreSQL's index follows generated columns).

use super::conn::Conn;
use super::{Fts, Writer};
use crate::Result;

impl Writer<'_> {
    /// Index the queued rows. Done last, because FTS5 flushes its buffer at every statement savepoint after its first write.
    /// (PostgreSQL's index follows generated columns: nothing to do.)
    pub(super) fn flush_fts(&self) -> Result<()> {
        let Conn::Lite(c) = self.c else {
            self.fts.borrow_mut().clear();
            return Ok(());
        };
        let mut msgs = c.prepare_cached("INSERT INTO messages_fts(rowid, subject, body) VALUES (?1, ?2, ?3)")?;
        let mut words = std::collections::BTreeMap::new();
        for f in self.fts.borrow_mut().drain(..) {
            match f {
                Fts::Message(row, a, b) => {
                    msgs.execute(rusqlite::params![row, a, b])?;
                }
                Fts::Words(row, fresh) => *words.entry(row).or_insert(false) |= fresh,
            }
        }
        // The items whose words changed in this transaction, each indexed once (schema V20): those the triggers noted
        // (rarer changes) from their table, the writer's own (new items, new people) here.
        let noted: std::collections::HashSet<i64> =
            if c.prepare_cached("SELECT EXISTS (SELECT 1 FROM item_words_stale)")?.query_row([], |r| r.get(0))? {
                let mut st = c.prepare_cached("SELECT item_id FROM item_words_stale")?;
                st.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?
            } else {
                Default::default()
            };
        let mut unindex = c.prepare_cached("DELETE FROM items_fts WHERE rowid = ?1")?;
        // Read, then written with VALUES: an INSERT … SELECT takes a statement savepoint, at which FTS5 flushes its
        // buffer to disk (every item a new segment).
        let mut doc = c.prepare_cached("SELECT title, description, people FROM item_doc WHERE id = ?1")?;
        let mut index =
            c.prepare_cached("INSERT INTO items_fts(rowid, title, description, people) VALUES (?1, ?2, ?3, ?4)")?;
        let mut fresh_noted = c.prepare_cached("UPDATE item_words_stale SET fresh = 1 WHERE item_id = ?1")?;
        for (row, fresh) in words {
            if noted.contains(&row) {
                if fresh {
                    fresh_noted.execute([row])?;
                }
                continue;
            }
            if !fresh {
                unindex.execute([row])?;
            }
            let (title, description, people): (String, String, String) =
                doc.query_row([row], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            index.execute(rusqlite::params![row, title, description, people])?;
        }
        if !noted.is_empty() {
            c.execute_batch(
                "DELETE FROM items_fts WHERE rowid IN (SELECT item_id FROM item_words_stale WHERE fresh = 0);
                 INSERT INTO items_fts(rowid, title, description, people)
                   SELECT d.id, d.title, d.description, d.people
                   FROM item_words_stale s CROSS JOIN item_doc d ON d.id = s.item_id;
                 DELETE FROM item_words_stale;",
            )?;
        }
        Ok(())
    }
}
