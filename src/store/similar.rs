//! Queries for similar-work search: FTS5 candidates with bm25, the term vocabulary for typo repair, feedback pairs.

use super::{Reader, Writer};
use crate::Result;
use crate::domain::{ItemRef, Kind};
use crate::stage::AnyStage;

mod bm25;

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
        if self.c.is_pg() {
            let expr = super::fts::pg_query(expr);
            if newest {
                return self.c.rows(PG_NEWEST, &[&expr, &title_w, &kinds, &before, &(limit as i64)], candidate);
            }
            // ts_rank is not bm25 (Hadoop RR@5 .80 against SQLite's .89): it picks a pool that bm25 then ranks.
            let pool = (limit * 4).max(PG_POOL);
            let rows = self.c.rows(PG_RANKED, &[&expr, &title_w, &kinds, &before, &(pool as i64)], |r| {
                Ok((candidate(r)?, r.get::<String>("doc")?, r.get::<String>("query")?))
            })?;
            let Some(query) = rows.first().map(|(_, _, q)| q.clone()) else { return Ok(vec![]) };
            let docs: Vec<String> = rows.iter().map(|(_, d, _)| d.clone()).collect();
            let scores = self.pg_bm25(&query, title_w, &docs)?;
            let mut out: Vec<Candidate> =
                rows.into_iter().zip(scores).map(|((c, _, _), bm25)| Candidate { bm25, ..c }).collect();
            out.sort_by(|a, b| a.bm25.total_cmp(&b.bm25).then(b.row.cmp(&a.row)));
            out.truncate(limit);
            return Ok(out);
        }
        // bm25 reads the whole doclist of every phrase on its first call (for document counts): newest-first
        // candidates, which are ranked without it, skip it and carry an equal score.
        let (score, order) =
            if newest { ("-?2", "items_fts.rowid DESC") } else { ("bm25(items_fts, ?2, 1.0, 0.0)", "score") };
        let expr = super::fts::own_text(expr);
        let sql = format!(
            "SELECT i.id, i.kind, i.num, i.title, i.stage, {score} AS score, i.account_id,
                i.contact_id, i.part_id, i.created_at, i.updated_at, i.closed_at IS NOT NULL AS closed
             FROM items_fts JOIN items i ON i.id = items_fts.rowid
             WHERE items_fts MATCH ?1 AND (?3 = '' OR instr(',' || ?3 || ',', ',' || i.kind || ',') > 0)
               AND (?4 IS NULL OR i.created_at < ?4)
             ORDER BY {order} LIMIT ?5"
        );
        self.c.rows(&sql, &[&expr, &title_w, &kinds, &before, &(limit as i64)], candidate)
    }

    /// Does any item contain this term (after stemming)?
    pub fn term_exists(&self, term: &str) -> Result<bool> {
        let expr =
            if self.c.is_pg() { super::fts::pg_word(term) } else { super::fts::own_text(&super::fts::phrase(term)) };
        Ok(self.c.value::<i64>(self.c.pick(TERM_EXISTS), &[&expr])?.is_some())
    }

    /// How many items contain a term, counted up to `cap` (so a common word costs at most `cap` steps).
    pub fn term_docs(&self, term: &str, cap: usize) -> Result<usize> {
        let expr =
            if self.c.is_pg() { super::fts::pg_word(term) } else { super::fts::own_text(&super::fts::phrase(term)) };
        let n: i64 = self.c.one(self.c.pick(TERM_DOCS), &[&expr, &(cap as i64)], |r| r.get(0))?;
        Ok(n as usize)
    }

    /// Indexed terms that start with `prefix`, with their document counts.
    pub fn terms_with_prefix(&self, prefix: &str, limit: usize) -> Result<Vec<(String, i64)>> {
        let upper = format!("{prefix}\u{10ffff}");
        self.c.rows(self.c.pick(VOCABULARY), &[&prefix, &upper, &(limit as i64)], |r| Ok((r.get(0)?, r.get(1)?)))
    }

    /// Feedback on a pair of items: Some(true) accepted, Some(false) rejected.
    pub fn feedback(&self, a: i64, b: i64) -> Result<Option<bool>> {
        let (a, b) = (a.min(b), a.max(b));
        Ok(self
            .c
            .value::<i64>("SELECT verdict FROM similar_feedback WHERE a = ?1 AND b = ?2", &[&a, &b])?
            .map(|v| v > 0))
    }
}

impl Writer<'_> {
    pub fn set_feedback(&self, a: i64, b: i64, good: bool, at: i64) -> Result<()> {
        let (a, b) = (a.min(b), a.max(b));
        self.c.execute(
            "INSERT INTO similar_feedback(a, b, verdict, at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(a, b) DO UPDATE SET verdict = excluded.verdict, at = excluded.at",
            &[&a, &b, &(if good { 1i64 } else { -1 }), &at],
        )?;
        Ok(())
    }
}

pub(super) fn candidate(r: &super::conn::Row<'_>) -> Result<Candidate> {
    let id = ItemRef { kind: r.get("kind")?, num: r.get("num")? };
    Ok(Candidate {
        row: r.get("id")?,
        id,
        title: r.get("title")?,
        stage: super::items::stage_at(r, id.kind, "stage")?,
        bm25: r.get("score")?,
        account_row: r.get("account_id")?,
        contact_row: r.get("contact_id")?,
        part_row: r.get("part_id")?,
        created_at: r.get("created_at")?,
        updated_at: r.get("updated_at")?,
        closed: r.get("closed")?,
    })
}

/// Candidates gathered by `ts_rank` on PostgreSQL for bm25 to rank (at least).
const PG_POOL: usize = 400;

/// Candidates on PostgreSQL: ranked by `ts_rank` with the title (weight A) `?2` times the description (B), length
/// normalised (rank / (1 + log length)) as bm25 is; negated, so that smaller is better as with FTS5's bm25.
const PG_RANKED: &str = concat!(
    "SELECT i.id, i.kind, i.num, i.title, i.stage, ",
    "-ts_rank(ARRAY[0, 0, LEAST(1.0, 1.0 / CAST(?2 AS DOUBLE PRECISION)), LEAST(1.0, CAST(?2 AS DOUBLE PRECISION))]::float4[], i.fts, q, 1) AS score,",
    " i.account_id, i.contact_id, i.part_id, i.created_at, i.updated_at, i.closed_at IS NOT NULL AS closed
     , i.fts::text AS doc, q::text AS query
     FROM items i, to_tsquery('english', ?1) q
     WHERE i.fts @@ q AND (?3 = '' OR strpos(',' || ?3 || ',', ',' || i.kind || ',') > 0)
       AND (CAST(?4 AS BIGINT) IS NULL OR i.created_at < ?4)
     ORDER BY score, i.id DESC LIMIT ?5"
);
const PG_NEWEST: &str = "SELECT i.id, i.kind, i.num, i.title, i.stage, -CAST(?2 AS DOUBLE PRECISION) AS score,
       i.account_id, i.contact_id, i.part_id, i.created_at, i.updated_at, i.closed_at IS NOT NULL AS closed
     FROM items i WHERE i.fts @@ to_tsquery('english', ?1)
       AND (?3 = '' OR strpos(',' || ?3 || ',', ',' || i.kind || ',') > 0)
       AND (CAST(?4 AS BIGINT) IS NULL OR i.created_at < ?4)
     ORDER BY i.id DESC LIMIT ?5";
const TERM_EXISTS: [&str; 2] = [
    "SELECT 1 FROM items_fts WHERE items_fts MATCH ?1 LIMIT 1",
    "SELECT 1 FROM items WHERE fts @@ to_tsquery('english', ?1) LIMIT 1",
];
const TERM_DOCS: [&str; 2] = [
    "SELECT COUNT(*) FROM (SELECT 1 FROM items_fts WHERE items_fts MATCH ?1 LIMIT ?2)",
    "SELECT COUNT(*) FROM (SELECT 1 FROM items WHERE fts @@ to_tsquery('english', ?1) LIMIT ?2) AS n",
];
/// PostgreSQL has no vocabulary table: `ts_stat` over the newest 5,000 items (every item's vector took seconds at
/// 100k items, per repaired word); their words and counts stand for the whole, as typo repair needs.
const VOCABULARY: [&str; 2] = [
    "SELECT term, MAX(doc) AS docs FROM items_vocab WHERE term >= ?1 AND term < ?2 AND col IN ('title', 'description')
     GROUP BY term ORDER BY docs DESC LIMIT ?3",
    "SELECT word, CAST(ndoc AS BIGINT) FROM ts_stat('SELECT fts FROM items ORDER BY id DESC LIMIT 5000')
     WHERE word >= ?1 AND word < ?2 ORDER BY ndoc DESC LIMIT ?3",
];
