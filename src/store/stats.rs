//! Aggregates for the dashboard and `helpdesk stats`.

use super::Reader;
use super::items::item_ref;
use crate::Result;
use crate::domain::ItemRef;
use rusqlite::params;

impl Reader<'_> {
    /// Conversations and tickets created per UTC day since `since` (day as `YYYY-MM-DD`).
    pub fn created_per_day(&self, since: i64) -> Result<Vec<(String, i64)>> {
        let mut st = self.c.prepare_cached(
            "SELECT created_at / 86400 AS d, COUNT(*) FROM items
             WHERE kind IN ('conversation', 'ticket') AND created_at >= ?1 GROUP BY d ORDER BY d",
        )?;
        let rows = st.query_map([since], |r| {
            Ok((crate::domain::fmt_ts(r.get::<_, i64>(0)? * 86_400)[..10].to_string(), r.get(1)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Items of a kind in the given stages, grouped by a column: `stage` or `severity`.
    pub fn count_by(&self, kind: &str, by_severity: bool, stages: &[&str]) -> Result<Vec<(String, i64)>> {
        // One pass over the covering (kind, stage, severity) index, filtered and summed here.
        let mut st = self.c.prepare_cached(
            "SELECT stage, COALESCE(severity, 'none'), COUNT(*) FROM items WHERE kind = ?1 GROUP BY stage, severity",
        )?;
        let rows =
            st.query_map(params![kind], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?)))?;
        let mut out: Vec<(String, i64)> = vec![];
        for row in rows {
            let (stage, sev, n) = row?;
            if !stages.contains(&stage.as_str()) {
                continue;
            }
            let key = if by_severity { sev } else { stage };
            match out.iter_mut().find(|(k, _)| *k == key) {
                Some(e) => e.1 += n,
                None => out.push((key, n)),
            }
        }
        Ok(out)
    }

    /// Seconds from creation to the first move into `stage`, for items of a kind that made that move.
    pub fn time_to_stage(&self, kind: &str, stage: &str) -> Result<Vec<i64>> {
        let mut st = self.c.prepare_cached(
            "SELECT MIN(h.at) - i.created_at FROM items i JOIN stage_history h ON h.item_id = i.id
             WHERE i.kind = ?1 AND h.to_stage = ?2 GROUP BY i.id",
        )?;
        let rows = st.query_map(params![kind, stage], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Open items waiting on us (needs response), the longest-waiting first: (id, title, stage, since).
    pub fn oldest_waiting(&self, limit: usize) -> Result<Vec<(ItemRef, String, String, i64)>> {
        let mut st = self.c.prepare_cached(
            "SELECT kind, num, title, stage, updated_at FROM items INDEXED BY items_waiting
             WHERE needs_response = 1 AND closed_at IS NULL AND kind IN ('conversation', 'ticket') AND stage != 'suspended'
             ORDER BY updated_at LIMIT ?1",
        )?;
        let rows = st.query_map([limit as i64], |r| {
            Ok((item_ref(&r.get::<_, String>(0)?, r.get(1)?)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
