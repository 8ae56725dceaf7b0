//! Aggregates for the dashboard and `helpdesk stats`.

use super::Reader;
use crate::Result;
use crate::domain::{ItemRef, Kind, Severity};
use crate::stage::AnyStage;
use rusqlite::params;

impl Reader<'_> {
    /// Conversations and tickets created per UTC day since `since` (day as `YYYY-MM-DD`).
    pub fn created_per_day(&self, since: i64) -> Result<Vec<(String, i64)>> {
        let mut st = self.lite()?.prepare_cached(
            "SELECT created_at / 86400 AS d, COUNT(*) FROM items
             WHERE kind IN ('conversation', 'ticket') AND created_at >= ?1 GROUP BY d ORDER BY d",
        )?;
        let rows = st.query_map([since], |r| {
            Ok((crate::domain::fmt_ts(r.get::<_, i64>(0)? * 86_400)[..10].to_string(), r.get(1)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Items of a kind in the given stages, counted by stage and severity.
    pub fn count_by_stage_and_severity(
        &self,
        kind: Kind,
        stages: &[AnyStage],
    ) -> Result<Vec<(AnyStage, Option<Severity>, i64)>> {
        // One pass over the covering (kind, stage, severity) index, filtered here.
        let mut st = self.lite()?.prepare_cached(
            "SELECT stage, severity, COUNT(*) AS n FROM items WHERE kind = ?1 GROUP BY stage, severity",
        )?;
        let rows = st.query_map(params![kind], |r| {
            Ok((super::types::stage(kind, &r.get::<_, String>("stage")?)?, r.get("severity")?, r.get("n")?))
        })?;
        let mut out = vec![];
        for row in rows {
            let row: (AnyStage, Option<Severity>, i64) = row?;
            if stages.contains(&row.0) {
                out.push(row);
            }
        }
        Ok(out)
    }

    /// Seconds from creation to the first move into `stage`, for items of a kind that made that move.
    pub fn time_to_stage(&self, stage: AnyStage) -> Result<Vec<i64>> {
        let mut st = self.lite()?.prepare_cached(
            "SELECT MIN(h.at) - i.created_at FROM items i JOIN stage_history h ON h.item_id = i.id
             WHERE i.kind = ?1 AND h.to_stage = ?2 GROUP BY i.id",
        )?;
        let rows = st.query_map(params![stage.kind(), stage], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Open items waiting on us (needs response), the longest-waiting first: (id, title, stage, since).
    pub fn oldest_waiting(&self, limit: usize) -> Result<Vec<(ItemRef, String, AnyStage, i64)>> {
        let mut st = self.lite()?.prepare_cached(
            "SELECT kind, num, title, stage, updated_at FROM items INDEXED BY items_waiting
             WHERE needs_response = 1 AND closed_at IS NULL AND kind IN ('conversation', 'ticket') AND stage != 'suspended'
             ORDER BY updated_at LIMIT ?1",
        )?;
        let rows = st.query_map([limit as i64], |r| {
            let id = ItemRef { kind: r.get("kind")?, num: r.get("num")? };
            let stage = super::types::stage(id.kind, &r.get::<_, String>("stage")?)?;
            Ok((id, r.get("title")?, stage, r.get("updated_at")?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
