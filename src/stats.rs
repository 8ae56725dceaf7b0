//! Dashboard figures: incoming volume, open tickets by stage and severity, time to first response, oldest waiting.

use crate::Result;
use crate::domain::{ItemRef, Severity, fmt_ts};
use crate::stage::{AnyStage, ConversationStage, Stage, TicketStage};
use crate::store::Reader;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct FirstResponse {
    /// Conversations that got a first response.
    pub count: usize,
    pub median_hours: Option<f64>,
    pub p90_hours: Option<f64>,
    /// (bucket label, conversations)
    pub histogram: Vec<(String, usize)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Waiting {
    pub id: ItemRef,
    pub title: String,
    pub stage: AnyStage,
    pub since: String,
    pub hours: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    /// Conversations and tickets created per day, oldest first, one entry per day (zeros included).
    pub incoming_per_day: Vec<(String, i64)>,
    pub open_tickets_by_stage: Vec<(AnyStage, i64)>,
    /// (severity name or "none", tickets)
    pub open_tickets_by_severity: Vec<(String, i64)>,
    pub first_response: FirstResponse,
    pub oldest_waiting: Vec<Waiting>,
}

pub const BUCKETS: [(i64, &str); 6] = [
    (3600, "<1h"),
    (4 * 3600, "1-4h"),
    (8 * 3600, "4-8h"),
    (24 * 3600, "8-24h"),
    (72 * 3600, "1-3d"),
    (i64::MAX, ">3d"),
];

/// The value at quantile `q` (0..=1) of sorted values, by nearest rank.
pub fn quantile(sorted: &[i64], q: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

pub fn compute(r: &Reader<'_>, now: i64, days: i64) -> Result<Stats> {
    let today = now - now.rem_euclid(86_400);
    let since = today - (days - 1) * 86_400;
    let counts: std::collections::HashMap<String, i64> = r.created_per_day(since)?.into_iter().collect();
    let incoming_per_day = (0..days)
        .map(|d| {
            let day = fmt_ts(since + d * 86_400)[..10].to_string();
            let n = counts.get(&day).copied().unwrap_or(0);
            (day, n)
        })
        .collect();
    let open: Vec<AnyStage> =
        TicketStage::ALL.iter().filter(|s| !s.is_closed()).map(|s| AnyStage::Ticket(*s)).collect();
    let counts = r.count_tickets_by_stage_and_severity(&open)?;
    let open_tickets_by_stage =
        open.iter().map(|s| (*s, counts.iter().filter(|(k, _, _)| k == s).map(|x| x.2).sum())).collect();
    let severities = [Some(Severity::Blocker), Some(Severity::High), Some(Severity::Medium), Some(Severity::Low), None];
    let open_tickets_by_severity = severities
        .iter()
        .map(|s| {
            let n: i64 = counts.iter().filter(|(_, k, _)| k == s).map(|x| x.2).sum();
            (s.map(|s| s.as_str()).unwrap_or("none").to_string(), n)
        })
        .filter(|(k, n)| k != "none" || *n > 0)
        .collect();
    let mut secs = r.time_to_stage(AnyStage::Conversation(ConversationStage::WaitingOnUser))?;
    secs.sort_unstable();
    let mut histogram: Vec<(String, usize)> = BUCKETS.iter().map(|(_, l)| (l.to_string(), 0)).collect();
    for s in &secs {
        let i = BUCKETS.iter().position(|(limit, _)| s < limit).unwrap_or(BUCKETS.len() - 1);
        histogram[i].1 += 1;
    }
    let hours = |x: Option<i64>| x.map(|s| (s as f64 / 3600.0 * 10.0).round() / 10.0);
    let first_response = FirstResponse {
        count: secs.len(),
        median_hours: hours(quantile(&secs, 0.5)),
        p90_hours: hours(quantile(&secs, 0.9)),
        histogram,
    };
    let oldest_waiting = r
        .oldest_waiting(10)?
        .into_iter()
        .map(|(id, title, stage, since)| Waiting {
            id,
            title,
            stage,
            since: fmt_ts(since),
            hours: ((now - since) as f64 / 3600.0 * 10.0).round() / 10.0,
        })
        .collect();
    Ok(Stats { incoming_per_day, open_tickets_by_stage, open_tickets_by_severity, first_response, oldest_waiting })
}

#[cfg(test)]
mod tests {
    #[test]
    fn nearest_rank_quantiles() {
        let v = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        assert_eq!(super::quantile(&v, 0.5), Some(5));
        assert_eq!(super::quantile(&v, 0.9), Some(9));
        assert_eq!(super::quantile(&[], 0.5), None);
    }
}
