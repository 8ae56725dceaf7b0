//! Queries for similar-work search: FTS5 candidates with bm25, the term vocabulary for typo repair, feedback pairs.

use super::{Reader, Writer};
use crate::Result;
use crate::domain::{ItemRef, Kind};
use crate::stage::AnyStage;
use rusqlite::{OptionalExtension, params};

/// A candidate with what the ranker needs to know about it.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub row: i64,
    pub id: ItemRef,
    pub title: String,
    pub stage: AnyStage,
    pub bm25: f64,
    pub account_row: Option<i64>,
    pub contact_row: Option<i64>,
    pub part_row: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub closed: bool,
}

impl Reader<'_> {
    /// Items matching an FTS5 expression, best bm25 first (title weighted `title_w`, description 1), optionally only of
    /// some kinds and created before a time.
    pub fn fts_candidates(
        &self,
        expr: &str,
        title_w: f64,
        kinds: &[Kind],
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<Candidate>> {
        self.candidates(expr, title_w, kinds, before, limit, false)
    }

    /// As [`Reader::fts_candidates`] but the newest matches: for a query whose relevance would not tell items apart,
    /// FTS5 then stops after `limit` rows instead of scoring every match.
    pub fn fts_newest(&self, expr: &str, kinds: &[Kind], before: Option<i64>, limit: usize) -> Result<Vec<Candidate>> {
        self.candidates(expr, 1.0, kinds, before, limit, true)
    }

    fn candidates(
        &self,
        expr: &str,
        title_w: f64,
        kinds: &[Kind],
        before: Option<i64>,
        limit: usize,
        newest: bool,
    ) -> Result<Vec<Candidate>> {
        let kinds: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
        let kinds = kinds.join(",");
        // bm25 reads the whole doclist of every phrase on its first call (for document counts): newest-first
        // candidates, which are ranked without it, skip it and carry an equal score.
        let (score, order) =
            if newest { ("-?2", "items_fts.rowid DESC") } else { ("bm25(items_fts, ?2, 1.0)", "score") };
        let sql = format!(
            "SELECT i.id, i.kind, i.num, i.title, i.stage, {score} AS score, i.account_id,
                i.contact_id, i.part_id, i.created_at, i.updated_at, i.closed_at IS NOT NULL AS closed
             FROM items_fts JOIN items i ON i.id = items_fts.rowid
             WHERE items_fts MATCH ?1 AND (?3 = '' OR instr(',' || ?3 || ',', ',' || i.kind || ',') > 0)
               AND (?4 IS NULL OR i.created_at < ?4)
             ORDER BY {order} LIMIT ?5"
        );
        let mut st = self.lite()?.prepare_cached(&sql)?;
        let rows = st.query_map(params![expr, title_w, kinds, before, limit as i64], |r| {
            let id = ItemRef { kind: r.get("kind")?, num: r.get("num")? };
            Ok(Candidate {
                row: r.get("id")?,
                id,
                title: r.get("title")?,
                stage: super::types::stage(id.kind, &r.get::<_, String>("stage")?)?,
                bm25: r.get("score")?,
                account_row: r.get("account_id")?,
                contact_row: r.get("contact_id")?,
                part_row: r.get("part_id")?,
                created_at: r.get("created_at")?,
                updated_at: r.get("updated_at")?,
                closed: r.get("closed")?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Does any item contain this term (after stemming)?
    pub fn term_exists(&self, term: &str) -> Result<bool> {
        let expr = super::fts::phrase(term);
        Ok(self
            .lite()?
            .prepare_cached("SELECT 1 FROM items_fts WHERE items_fts MATCH ?1 LIMIT 1")?
            .query_row([expr], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// How many items contain a term, counted up to `cap` (so a common word costs at most `cap` steps).
    pub fn term_docs(&self, term: &str, cap: usize) -> Result<usize> {
        let expr = super::fts::phrase(term);
        Ok(self
            .lite()?
            .prepare_cached("SELECT COUNT(*) FROM (SELECT 1 FROM items_fts WHERE items_fts MATCH ?1 LIMIT ?2)")?
            .query_row(params![expr, cap as i64], |r| r.get::<_, i64>(0))? as usize)
    }

    /// Indexed terms that start with `prefix`, with their document counts.
    pub fn terms_with_prefix(&self, prefix: &str, limit: usize) -> Result<Vec<(String, i64)>> {
        let upper = format!("{prefix}\u{10ffff}");
        let mut st = self.lite()?.prepare_cached(
            "SELECT term, doc FROM items_vocab WHERE term >= ?1 AND term < ?2 ORDER BY doc DESC LIMIT ?3",
        )?;
        let rows = st.query_map(params![prefix, upper, limit as i64], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Feedback on a pair of items: Some(true) accepted, Some(false) rejected.
    pub fn feedback(&self, a: i64, b: i64) -> Result<Option<bool>> {
        let (a, b) = (a.min(b), a.max(b));
        Ok(self
            .lite()?
            .prepare_cached("SELECT verdict FROM similar_feedback WHERE a = ?1 AND b = ?2")?
            .query_row(params![a, b], |r| r.get::<_, i64>(0))
            .optional()?
            .map(|v| v > 0))
    }
}

impl Writer<'_> {
    pub fn set_feedback(&self, a: i64, b: i64, good: bool, at: i64) -> Result<()> {
        let (a, b) = (a.min(b), a.max(b));
        self.lite()?
            .prepare_cached(
                "INSERT INTO similar_feedback(a, b, verdict, at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(a, b) DO UPDATE SET verdict = excluded.verdict, at = excluded.at",
            )?
            .execute(params![a, b, if good { 1 } else { -1 }, at])?;
        Ok(())
    }
}
