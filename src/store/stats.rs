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
            "SELECT date(created_at, 'unixepoch') AS d, COUNT(*) FROM items
             WHERE kind IN ('conversation', 'ticket') AND created_at >= ?1 GROUP BY d ORDER BY d",
        )?;
        let rows = st.query_map([since], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Items of a kind in the given stages, grouped by a column: `stage` or `severity`.
    pub fn count_by(&self, kind: &str, by_severity: bool, stages: &[&str]) -> Result<Vec<(String, i64)>> {
        let sql = if by_severity {
            "SELECT COALESCE(severity, 'none'), COUNT(*) FROM items WHERE kind = ?1 AND instr(',' || ?2 || ',', ',' || stage || ',') > 0 GROUP BY 1"
        } else {
            "SELECT stage, COUNT(*) FROM items WHERE kind = ?1 AND instr(',' || ?2 || ',', ',' || stage || ',') > 0 GROUP BY 1"
        };
        let mut st = self.c.prepare_cached(sql)?;
        let rows = st.query_map(params![kind, stages.join(",")], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
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
            "SELECT kind, num, title, stage, updated_at FROM items
             WHERE needs_response = 1 AND kind IN ('conversation', 'ticket') AND closed_at IS NULL AND stage != 'suspended'
             ORDER BY updated_at LIMIT ?1",
        )?;
        let rows = st.query_map([limit as i64], |r| {
            Ok((item_ref(&r.get::<_, String>(0)?, r.get(1)?)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
