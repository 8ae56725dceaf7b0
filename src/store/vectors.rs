//! Stored sentence vectors of items (one per item, tagged with the model that made it) and the reads around them;
//! 👍/👎 on articles suggested for an item. The same SQL runs on SQLite and PostgreSQL.

use super::similar::Candidate;
use super::{Reader, Writer};
use crate::Result;
use crate::domain::{ArticleId, Kind};

/// SQLite migration: item vectors, and 👍/👎 on an article suggested for an item (run after every earlier one).
pub const MIGRATION: &str = r#"
CREATE TABLE item_vectors(
  item_id INTEGER PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
  model INTEGER NOT NULL,
  vec BLOB NOT NULL
);
-- A changed title or description makes the item's vector missing again (the background pass recomputes it).
CREATE TRIGGER item_vectors_stale AFTER UPDATE OF title, description ON items
  WHEN old.title IS NOT new.title OR old.description IS NOT new.description
BEGIN
  DELETE FROM item_vectors WHERE item_id = new.id;
END;
CREATE TABLE article_feedback(
  item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  verdict INTEGER NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY(item_id, article_id)
) WITHOUT ROWID;
"#;

/// The same on PostgreSQL.
pub const PG_MIGRATION: &str = r#"
CREATE TABLE item_vectors(
  item_id BIGINT PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
  model BIGINT NOT NULL,
  vec BYTEA NOT NULL
);
CREATE FUNCTION item_vectors_stale() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM item_vectors WHERE item_id = NEW.id;
  RETURN NEW;
END $$;
CREATE TRIGGER item_vectors_stale AFTER UPDATE OF title, description ON items FOR EACH ROW
  WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.description IS DISTINCT FROM NEW.description)
  EXECUTE FUNCTION item_vectors_stale();
CREATE TABLE article_feedback(
  item_id BIGINT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  article_id BIGINT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  verdict BIGINT NOT NULL,
  at BIGINT NOT NULL,
  PRIMARY KEY(item_id, article_id)
);
"#;

/// The text of an item that has no vector from the current model.
#[derive(Debug, Clone)]
pub struct ItemText {
    pub row: i64,
    pub title: String,
    pub description: String,
}

/// A stored vector with what a search filters on: item row, kind, creation time, vector.
pub type StoredVector = (i64, Kind, i64, Vec<u8>);

impl Reader<'_> {
    /// Items with no vector from `model`, oldest first.
    pub fn items_without_vector(&self, model: i64, limit: usize) -> Result<Vec<ItemText>> {
        self.c.rows(
            "SELECT i.id, i.title, i.description FROM items i
             LEFT JOIN item_vectors v ON v.item_id = i.id AND v.model = ?1
             WHERE v.item_id IS NULL ORDER BY i.id LIMIT ?2",
            &[&model, &(limit as i64)],
            |r| Ok(ItemText { row: r.get(0)?, title: r.get(1)?, description: r.get(2)? }),
        )
    }

    /// At most `limit` vectors of `model` for items of `kind` after `row`, in row order, with the item's kind and
    /// creation time; each vector cut to its first `bytes` when given.
    pub fn vectors_after(
        &self,
        model: i64,
        kind: Kind,
        row: i64,
        limit: usize,
        bytes: Option<usize>,
    ) -> Result<Vec<StoredVector>> {
        // A constant of the program, not a value from outside: it may be part of the statement.
        let vec = match bytes {
            Some(n) => format!("substr(v.vec, 1, {n})"),
            None => "v.vec".into(),
        };
        self.c.rows(&vectors_after_sql(self.c.is_pg(), &vec), &[&row, &model, &kind, &(limit as i64)], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
    }

    /// The plan of a page of [`Reader::vectors_after`] on SQLite (for the test that asserts it walks the vectors).
    pub fn explain_vectors_after(&self) -> Result<String> {
        let sql = vectors_after_sql(false, "v.vec");
        Ok(super::query_plan(self.lite()?, &sql, rusqlite::params![0, 1, "ticket", 10])?.join(" | "))
    }

    /// The whole vectors of `model` of these item rows (those that have one), in no order.
    pub fn vectors_of(&self, model: i64, rows: &[i64]) -> Result<Vec<(i64, Vec<u8>)>> {
        const CHUNK: usize = 100;
        let mut out = Vec::with_capacity(rows.len());
        for chunk in rows.chunks(CHUNK) {
            let marks: Vec<String> = (2..chunk.len() + 2).map(|n| format!("?{n}")).collect();
            let mut args: Vec<&dyn super::conn::Param> = vec![&model];
            args.extend(chunk.iter().map(|r| r as &dyn super::conn::Param));
            out.extend(self.c.rows(
                &format!("SELECT item_id, vec FROM item_vectors WHERE model = ?1 AND item_id IN ({})", marks.join(",")),
                &args,
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?);
        }
        Ok(out)
    }

    /// An item's title and description (what its vector is made from).
    pub fn item_text(&self, row: i64) -> Result<Option<ItemText>> {
        self.c.row("SELECT id, title, description FROM items WHERE id = ?1", &[&row], |r| {
            Ok(ItemText { row: r.get(0)?, title: r.get(1)?, description: r.get(2)? })
        })
    }

    /// Candidates for these item rows (those that exist), in no order; their bm25 is 0.
    pub fn candidates_by_rows(&self, rows: &[i64]) -> Result<Vec<Candidate>> {
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            if let Some(c) = self.c.row(
                "SELECT i.id, i.kind, i.num, i.title, i.stage, i.account_id, i.contact_id, i.part_id, i.created_at,
                    i.updated_at, i.closed_at IS NOT NULL AS closed, CAST(0 AS DOUBLE PRECISION) AS score
                 FROM items i WHERE i.id = ?1",
                &[row],
                super::similar::candidate,
            )? {
                out.push(c);
            }
        }
        Ok(out)
    }

    /// 👍 (true) and 👎 (false) given to articles suggested for an item.
    pub fn article_feedback(&self, item_row: i64) -> Result<Vec<(ArticleId, bool)>> {
        self.c.rows("SELECT article_id, verdict FROM article_feedback WHERE item_id = ?1", &[&item_row], |r| {
            Ok((r.get(0)?, r.get::<i64>(1)? > 0))
        })
    }
}

/// SQLite walks the vectors in row order from the last loaded (CROSS JOIN keeps that order): by the items' kind
/// index it sorted every item of the kind for each page (3.2 s for 100k tickets, and again at every refresh).
fn vectors_after_sql(pg: bool, vec: &str) -> String {
    let join = if pg { "JOIN" } else { "CROSS JOIN" };
    format!(
        "SELECT v.item_id, i.kind, i.created_at, {vec} FROM item_vectors v {join} items i ON i.id = v.item_id
         WHERE v.item_id > ?1 AND v.model = ?2 AND i.kind = ?3 ORDER BY v.item_id LIMIT ?4"
    )
}

impl Writer<'_> {
    pub fn put_vector(&self, row: i64, model: i64, vec: &[u8]) -> Result<()> {
        self.c.execute(
            "INSERT INTO item_vectors(item_id, model, vec) VALUES (?1, ?2, ?3)
             ON CONFLICT(item_id) DO UPDATE SET model = excluded.model, vec = excluded.vec",
            &[&row, &model, &vec],
        )?;
        Ok(())
    }

    pub fn set_article_feedback(&self, item_row: i64, article: ArticleId, good: bool, at: i64) -> Result<()> {
        self.c.execute(
            "INSERT INTO article_feedback(item_id, article_id, verdict, at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(item_id, article_id) DO UPDATE SET verdict = excluded.verdict, at = excluded.at",
            &[&item_row, &article, &(if good { 1i64 } else { -1 }), &at],
        )?;
        Ok(())
    }
}
