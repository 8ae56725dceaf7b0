//! Requests to the jobs thread (queued during a key, sent after the frame) and what to do with its answers.

use super::super::app::App;
use super::super::detail;
use anyhow::Result;

/// Send the jobs asked for while handling the last events. Done after the frame is drawn, so the jobs thread does
/// not take a core from the frame it would delay.
pub(super) fn dispatch(app: &mut App) {
    for job in std::mem::take(&mut app.queued) {
        if app.jobs.as_ref().is_some_and(|tx| tx.send(job).is_err()) {
            app.jobs = None;
            app.error("the background jobs thread stopped; reopen the view");
        }
    }
}

/// The count of a filtered list arrived from the jobs thread; it is used if the list still shows that filter.
pub fn on_count(app: &mut App, list: usize, seq: u64, total: std::result::Result<usize, String>) {
    let Some(l) = app.lists.get_mut(list) else { return };
    if l.counting != Some(seq) {
        return;
    }
    match total {
        Ok(n) => l.counted(n),
        Err(e) => app.error(format!("count: {e}")),
    }
}

/// Hand the open view's similar-work query to the jobs thread; without one, `settle` runs it after the frame.
pub(super) fn request_similar(app: &mut App) {
    if app.jobs.is_none() {
        return;
    }
    let Some(d) = app.detail.last_mut() else { return };
    let Some(query) = d.similar_query.take() else { return };
    app.similar_seq += 1;
    d.similar_seq = Some(app.similar_seq);
    app.queued.push(super::super::jobs::Job::Similar { seq: app.similar_seq, query });
}

/// Similar work found by the jobs thread, for the view that asked if it is still open on top.
pub fn on_similar(app: &mut App, seq: u64, found: std::result::Result<Vec<helpdesk::similar::Suggestion>, String>) {
    if !app.detail.last().is_some_and(|d| d.similar_pending && d.similar_seq == Some(seq)) {
        return;
    }
    let r = match found {
        Ok(v) => super::rebuild_detail_with(app, detail::Similar::Found(v)),
        Err(e) => Err(anyhow::anyhow!("similar work: {e}")),
    };
    if let Err(e) = r {
        if let Some(d) = app.detail.last_mut() {
            d.similar_pending = false;
        }
        app.error(format!("{e:#}"));
    }
}

/// Ask for fresh dashboard figures: from the stats thread when there is one (they arrive as an event), else now.
pub(super) fn request_stats(app: &mut App) -> Result<()> {
    if app.jobs.is_some() {
        app.queued.push(super::super::jobs::Job::Stats(app.now()));
        app.stats_pending = true;
        return Ok(());
    }
    let s = helpdesk::stats::compute(&app.store.read(), app.now(), 30)?;
    on_stats(app, Ok(s));
    Ok(())
}

pub fn on_stats(app: &mut App, s: std::result::Result<helpdesk::stats::Stats, String>) {
    app.stats_pending = false;
    match s {
        Ok(s) => {
            app.stats = Some(s);
            app.stats_at = Some(std::time::Instant::now());
        }
        Err(e) => app.error(format!("dashboard: {e}")),
    }
}
