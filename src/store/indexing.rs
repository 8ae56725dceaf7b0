//! Full-text rows written when a transaction commits (SQLite; PostgreSQL's index follows generated columns).

use super::conn::Conn;
use super::{Fts, Writer};
use crate::Result;
use rusqlite::OptionalExtension;

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
        // The items whose words changed in this transaction, each indexed once (schema V20): the writer's own (new
        // items, new people) and those the triggers noted in their table (rarer changes).
        if c.prepare_cached("SELECT EXISTS (SELECT 1 FROM item_words_stale)")?.query_row([], |r| r.get(0))? {
            let mut st = c.prepare_cached("SELECT item_id, fresh FROM item_words_stale")?;
            for noted in st.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, bool>(1)?)))? {
                let (row, fresh) = noted?;
                *words.entry(row).or_insert(false) |= fresh;
            }
            c.execute_batch("DELETE FROM item_words_stale")?;
        }
        let mut unindex = c.prepare_cached("DELETE FROM items_fts WHERE rowid = ?1")?;
        // Read, then written with VALUES: an INSERT … SELECT takes a statement savepoint, at which FTS5 flushes its
        // buffer to disk (every item a new segment).
        let mut doc = c.prepare_cached("SELECT title, description, people FROM item_doc WHERE id = ?1")?;
        let mut index =
            c.prepare_cached("INSERT INTO items_fts(rowid, title, description, people) VALUES (?1, ?2, ?3, ?4)")?;
        for (row, fresh) in words {
            if !fresh {
                unindex.execute([row])?;
            }
            // An item deleted since it was noted has no row to index.
            let Some((title, description, people)) = doc
                .query_row([row], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))
                .optional()?
            else {
                continue;
            };
            index.execute(rusqlite::params![row, title, description, people])?;
        }
        Ok(())
    }
}
