//! Keeping what the app shows in step with the store: list reloads, detail rebuilds, pane switches, and the jobs
//! thread's requests and answers.

use super::{App, Pane, Target};
use crate::tui::detail;
use crate::tui::jobs::Job;
use anyhow::Result;

impl App {
    /// Re-read the current list (its count goes to the jobs thread when there is one).
    pub fn reload(&mut self) -> Result<()> {
        let h = self.list_height();
        let i = self.list_index();
        let r = self.store.read();
        let defer = self.jobs.is_some();
        if let Some((seq, filter)) = self.lists[i].reload(&r, h, defer)? {
            let cap = if filter.text.is_some() { crate::tui::list::CAP as i64 } else { i64::MAX };
            let first = if self.lists[i].quick { self.lists[i].rows.len().max(h + 1) } else { 0 };
            self.queued.push(Job::Count { list: i, seq, filter, cap, first });
        }
        Ok(())
    }

    /// After a write: every list is stale; the current one and the open detail are rebuilt now.
    pub fn refresh_all(&mut self) -> Result<()> {
        self.finder = helpdesk::similar::Finder::default();
        crate::tui::team::count(self);
        for l in &mut self.lists {
            l.loaded = false;
        }
        self.stats_at = None;
        if self.pane == Pane::Dashboard {
            self.request_stats()?;
        } else {
            self.reload()?;
        }
        self.rebuild_detail()
    }

    pub fn rebuild_detail(&mut self) -> Result<()> {
        let similar = if self.jobs.is_some() { detail::Similar::Pending } else { detail::Similar::Inline };
        self.rebuild_detail_with(similar)?;
        self.request_similar();
        Ok(())
    }

    fn rebuild_detail_with(&mut self, similar: detail::Similar) -> Result<()> {
        if let Some(d) = self.detail.pop() {
            let opts = super::ViewOpts { width: self.view_width(), ..d.opts };
            let mut fresh = detail::build(&self.store, d.target, d.tab, self.clock, similar, opts)?;
            // In a message, the cursor stays on its message when lines above it change (similar work arriving).
            let in_msg = d.messages.iter().rev().find(|m| m.0 <= d.scroll).map(|m| (m.1, d.scroll - m.0));
            let moved = in_msg.and_then(|(id, off)| fresh.messages.iter().find(|m| m.1 == id).map(|m| m.0 + off));
            fresh.scroll = moved.unwrap_or(d.scroll).min(fresh.lines.len().saturating_sub(1));
            fresh.find = d.find;
            fresh.anchor = match (d.anchor, in_msg) {
                (Some(a), Some((id, off))) if a + off == d.scroll => {
                    fresh.messages.iter().find(|m| m.1 == id).map(|m| m.0)
                }
                _ => None,
            };
            self.detail.push(fresh);
        }
        Ok(())
    }

    /// The user has seen the item: its unread marker and their notifications of it go, in the store and in the
    /// rows loaded.
    fn mark_read(&mut self, r: helpdesk::domain::ItemRef) -> Result<()> {
        let (user, at) = (self.user.clone(), self.now());
        let notified = self.store.write(|w| {
            w.mark_read(&user, r)?;
            w.read_item_notifications(&user, r, at)
        })?;
        if notified > 0 {
            crate::tui::team::count(self);
        }
        for l in &mut self.lists {
            for row in &mut l.rows {
                if let crate::tui::list::Row::Item(i) = row
                    && i.id == r
                {
                    i.unread = false;
                }
            }
        }
        Ok(())
    }

    /// Columns inside a detail view's border.
    pub fn view_width(&self) -> usize {
        (self.size.0 as usize).saturating_sub(2).max(20)
    }

    /// On the tick: if another process wrote to the store, reload what is shown (the cursor stays on its item).
    pub fn poll_changes(&mut self) -> Result<()> {
        let v = self.store.read().data_version()?;
        if v == self.data_version {
            return Ok(());
        }
        let first = self.data_version == 0;
        self.data_version = v;
        crate::tui::team::count(self);
        if first {
            return Ok(());
        }
        self.reload_shown()
    }

    /// Another member's change was announced: re-read what is shown (the cursor stays on its item).
    pub fn reload_changed(&mut self) -> Result<()> {
        self.data_version = self.store.read().data_version()?;
        self.reload_shown()
    }

    fn reload_shown(&mut self) -> Result<()> {
        for l in &mut self.lists {
            l.loaded = false;
        }
        self.stats_at = None;
        if self.pane == Pane::Dashboard {
            if !self.stats_pending {
                self.request_stats()?;
            }
        } else {
            self.reload()?;
        }
        if self.modal.is_none() {
            self.rebuild_detail()?;
        }
        Ok(())
    }

    pub fn switch(&mut self, p: Pane) -> Result<()> {
        self.pane = p;
        self.detail.clear();
        self.filtering = None;
        if p == Pane::Dashboard {
            if !self.stats_pending && self.stats_at.is_none_or(|t| t.elapsed().as_secs() >= 60) {
                self.request_stats()?;
            }
        } else if !self.list().loaded {
            self.reload()?;
        }
        Ok(())
    }

    /// Open a detail view on top of what is shown.
    pub fn open(&mut self, t: Target) -> Result<()> {
        let opts = super::ViewOpts { width: self.view_width(), ..Default::default() };
        let d = detail::build(&self.store, t, super::MsgTab::Customer, self.clock, detail::Similar::Pending, opts)?;
        self.detail.push(d);
        if let Target::Item(r) = t {
            self.mark_read(r)?;
        }
        self.request_similar();
        Ok(())
    }

    /// After a frame: send the queued jobs, then finish work left for now (the similar-work section of a
    /// just-opened view when there is no jobs thread). True if there was some to draw.
    pub fn settle(&mut self) -> bool {
        self.dispatch();
        if self.detail.is_empty() && self.pane != Pane::Dashboard {
            let (h, i) = (self.list_height(), self.list_index());
            let fetched = self.lists[i].prefetch(&self.store.read(), h);
            if let Err(e) = fetched {
                self.error(format!("{e:#}"));
            }
        }
        if !self.detail.last().is_some_and(|d| d.similar_pending && d.similar_seq.is_none()) {
            return false;
        }
        if let Err(e) = self.rebuild_detail_with(detail::Similar::Inline) {
            if let Some(d) = self.detail.last_mut() {
                d.similar_pending = false;
            }
            self.error(format!("{e:#}"));
        }
        true
    }

    /// Send the jobs asked for while handling the last events. Done after the frame is drawn, so the jobs thread
    /// does not take a core from the frame it would delay.
    fn dispatch(&mut self) {
        for job in std::mem::take(&mut self.queued) {
            if self.jobs.as_ref().is_some_and(|tx| tx.send(job).is_err()) {
                self.jobs = None;
                self.error("the background jobs thread stopped; reopen the view");
            }
        }
    }

    /// The count of a filtered list arrived from the jobs thread; it is used if the list still shows that filter.
    pub fn on_count(
        &mut self,
        list: usize,
        seq: u64,
        total: std::result::Result<usize, String>,
        rows: Option<Vec<helpdesk::store::ItemRow>>,
    ) {
        let height = self.list_height();
        let Some(l) = self.lists.get_mut(list) else { return };
        if l.counting != Some(seq) {
            return;
        }
        if let Some(rows) = rows {
            l.completed(rows, height);
        }
        match total {
            Ok(n) => {
                l.counted(n);
                if std::mem::take(&mut l.bottom_pending)
                    && let Err(e) = l.move_to(&self.store.read(), l.total.saturating_sub(1), height)
                {
                    self.error(format!("to the last row: {e}"));
                }
            }
            Err(e) => self.error(format!("count: {e}")),
        }
    }

    /// Hand the open view's similar-work query to the jobs thread; without one, `settle` runs it after the frame.
    fn request_similar(&mut self) {
        if self.jobs.is_none() {
            return;
        }
        let Some(d) = self.detail.last_mut() else { return };
        let Some(query) = d.similar_query.take() else { return };
        self.similar_seq += 1;
        d.similar_seq = Some(self.similar_seq);
        self.queued.push(Job::Similar { seq: self.similar_seq, query });
    }

    /// Similar work found by the jobs thread, for the view that asked if it is still open on top.
    pub fn on_similar(&mut self, seq: u64, found: std::result::Result<Vec<helpdesk::similar::Suggestion>, String>) {
        if !self.detail.last().is_some_and(|d| d.similar_pending && d.similar_seq == Some(seq)) {
            return;
        }
        let r = match found {
            Ok(v) => self.rebuild_detail_with(detail::Similar::Found(v)),
            Err(e) => Err(anyhow::anyhow!("similar work: {e}")),
        };
        if let Err(e) = r {
            if let Some(d) = self.detail.last_mut() {
                d.similar_pending = false;
            }
            self.error(format!("{e:#}"));
        }
    }

    /// Ask for fresh dashboard figures: from the jobs thread when there is one (they arrive as an event), else now.
    pub fn request_stats(&mut self) -> Result<()> {
        if self.jobs.is_some() {
            self.queued.push(Job::Stats(self.now()));
            self.stats_pending = true;
            return Ok(());
        }
        let s = helpdesk::stats::compute(&self.store.read(), self.now(), 30)?;
        self.on_stats(Ok(s));
        Ok(())
    }

    pub fn on_stats(&mut self, s: std::result::Result<helpdesk::stats::Stats, String>) {
        self.stats_pending = false;
        match s {
            Ok(s) => {
                self.stats = Some(s);
                self.stats_at = Some(std::time::Instant::now());
            }
            Err(e) => self.error(format!("dashboard: {e}")),
        }
    }
}
