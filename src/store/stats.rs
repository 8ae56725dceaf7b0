//! Aggregates for the dashboard and `helpdesk stats`.

use super::Reader;
use crate::Result;
use crate::domain::{ItemRef, Kind, Severity};
use crate::stage::AnyStage;

impl Reader<'_> {
    /// Conversations and tickets created per UTC day since `since` (day as `YYYY-MM-DD`).
    pub fn created_per_day(&self, since: i64) -> Result<Vec<(String, i64)>> {
        self.c.rows(
            "SELECT created_at / 86400 AS d, COUNT(*) FROM items
             WHERE kind IN ('conversation', 'ticket') AND created_at >= ?1 GROUP BY d ORDER BY d",
            &[&since],
            |r| Ok((crate::domain::fmt_ts(r.get::<i64>(0)? * 86_400)[..10].to_string(), r.get(1)?)),
        )
    }

    /// Tickets in the given stages, counted by stage and severity.
    pub fn count_tickets_by_stage_and_severity(
        &self,
        stages: &[AnyStage],
    ) -> Result<Vec<(AnyStage, Option<Severity>, i64)>> {
        // One pass over the covering (stage, severity) index of tickets (schema V23), filtered here.
        let rows: Vec<(AnyStage, Option<Severity>, i64)> = self.c.rows(
            self.c.pick([
                "SELECT stage, severity, COUNT(*) AS n FROM items INDEXED BY tickets_stage_severity WHERE kind = 'ticket'
                 GROUP BY stage, severity",
                "SELECT stage, severity, COUNT(*) AS n FROM items WHERE kind = 'ticket' GROUP BY stage, severity",
            ]),
            &[],
            |r| Ok((super::items::stage_at(r, Kind::Ticket, "stage")?, r.get("severity")?, r.get("n")?)),
        )?;
        Ok(rows.into_iter().filter(|row| stages.contains(&row.0)).collect())
    }

    /// Seconds from creation to the first move into `stage`, for items of a kind that made that move.
    pub fn time_to_stage(&self, stage: AnyStage) -> Result<Vec<i64>> {
        self.c.rows(
            "SELECT MIN(h.at) - i.created_at FROM items i JOIN stage_history h ON h.item_id = i.id
             WHERE i.kind = ?1 AND h.to_stage = ?2 GROUP BY i.id",
            &[&stage.kind(), &stage],
            |r| r.get(0),
        )
    }

    /// Open items waiting on us (needs response), the longest-waiting first: (id, title, stage, since).
    pub fn oldest_waiting(&self, limit: usize) -> Result<Vec<(ItemRef, String, AnyStage, i64)>> {
        // SQLite is told the partial index; PostgreSQL's planner finds it.
        let sql: std::borrow::Cow<str> =
            if self.c.is_pg() { WAITING.replace(" INDEXED BY items_waiting", "").into() } else { WAITING.into() };
        self.c.rows(&sql, &[&(limit as i64)], |r| {
            let id = ItemRef { kind: r.get("kind")?, num: r.get("num")? };
            let stage = super::items::stage_at(r, id.kind, "stage")?;
            Ok((id, r.get("title")?, stage, r.get("updated_at")?))
        })
    }
}

const WAITING: &str = "SELECT kind, num, title, stage, updated_at FROM items INDEXED BY items_waiting
     WHERE needs_response = 1 AND closed_at IS NULL AND kind IN ('conversation', 'ticket') AND stage != 'suspended'
     ORDER BY updated_at LIMIT ?1";
