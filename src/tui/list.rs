//! A virtualised list: a window of rows around the cursor, paged from the store by keyset, never the whole list.

use helpdesk::Result;
use helpdesk::domain::ItemRef;
use helpdesk::store::{Account, Contact, ItemFilter, ItemRow, Page, Reader};

const PAGE: usize = 200;
/// The first page after a (re)load is a screenful and one row more (to tell whether the list goes on), at least this
/// many: a filter keystroke reads only what its frame shows; scrolling loads the next pages.
const FIRST: usize = 24;
const KEEP: usize = 1200;
/// Filtered lists count at most this many rows; the status bar then says `1000+`.
pub const CAP: usize = 1_000;

/// What a list shows.
#[derive(Debug, Clone)]
pub enum Source {
    Items(ItemFilter),
    Contacts,
    Accounts,
}

#[derive(Debug, Clone)]
pub enum Row {
    Item(ItemRow),
    Contact(Contact),
    Account(Account),
}

#[derive(Debug, Clone)]
pub struct ListState {
    pub source: Source,
    /// Free text typed after `/`.
    pub text: String,
    /// Rows `start .. start + rows.len()` of the list.
    pub rows: Vec<Row>,
    pub start: usize,
    pub total: usize,
    pub cursor: usize,
    /// First row on screen.
    pub offset: usize,
    /// False until loaded, and again after a write elsewhere made it stale.
    pub loaded: bool,
    /// The count stopped at [`CAP`]: the true end of the list is further.
    pub capped: bool,
    /// A count of this filter was asked of the jobs thread (by this number) and has not arrived: `total` is the rows
    /// loaded so far.
    pub counting: Option<u64>,
    /// `G` was pressed while counting: the cursor goes to the last row when the count arrives.
    pub bottom_pending: bool,
    /// The filter of the count last asked for, as its `Debug` text.
    asked: Option<String>,
    seq: u64,
    /// The source with the typed query read into it, and what in the query names nothing.
    query: Option<ItemFilter>,
    pub problems: Vec<String>,
    /// Who `is:mine` means.
    pub me: String,
    /// The name of the view shown instead of the pane's own list, and that list to go back to.
    pub view: Option<(String, Source)>,
    /// Rows selected for a bulk change.
    pub marked: Vec<ItemRef>,
    /// The rows match the free words in the items' own words only; the full match (messages too) was asked of the
    /// jobs thread with the count and replaces them when it comes.
    pub quick: bool,
}

impl ListState {
    pub fn new(source: Source) -> ListState {
        ListState {
            source,
            text: String::new(),
            rows: vec![],
            start: 0,
            total: 0,
            cursor: 0,
            offset: 0,
            loaded: false,
            capped: false,
            counting: None,
            bottom_pending: false,
            asked: None,
            seq: 0,
            query: None,
            problems: vec![],
            me: String::new(),
            view: None,
            marked: vec![],
            quick: false,
        }
    }

    /// The item under the cursor, if the list shows items.
    pub fn selected_item(&self) -> Option<&ItemRow> {
        match self.selected()? {
            Row::Item(i) => Some(i),
            _ => None,
        }
    }

    /// The filter of the list: the source with the typed query read into it (the full match, even while the rows
    /// shown are a quick one).
    pub fn item_filter(&self) -> Option<ItemFilter> {
        self.query.clone().or_else(|| match &self.source {
            Source::Items(f) => Some(f.clone()),
            _ => None,
        })
    }

    pub fn selected(&self) -> Option<&Row> {
        self.cursor.checked_sub(self.start).and_then(|i| self.rows.get(i))
    }

    /// Rows visible in a viewport of `height` lines starting at `offset`.
    pub fn visible(&self, height: usize) -> impl Iterator<Item = (usize, &Row)> {
        let from = self.offset.saturating_sub(self.start);
        self.rows.iter().enumerate().skip(from).take(height).map(move |(i, r)| (self.start + i, r))
    }

    fn text(&self) -> Option<&str> {
        (!self.text.trim().is_empty()).then_some(self.text.as_str())
    }

    fn filter(&self) -> Option<ItemFilter> {
        match &self.source {
            Source::Items(f) => {
                Some(ItemFilter { quick: self.quick, ..self.query.clone().unwrap_or_else(|| f.clone()) })
            }
            _ => None,
        }
    }

    /// The typed query has free words (not only IDs and `key:value` terms) that may match message text.
    fn has_free_words(&self) -> bool {
        let text = self.query.as_ref().and_then(|q| q.text.as_deref()).unwrap_or_default();
        helpdesk::store::terms(text).iter().any(|t| t.parse::<ItemRef>().is_err())
    }

    /// Read the typed text as a query (`owner:alice sev:high card`) against the store.
    fn parse(&mut self, r: &Reader<'_>) {
        self.problems.clear();
        self.query = match (&self.source, self.text()) {
            (Source::Items(f), Some(t)) => {
                let (q, problems) = r.apply_query(f.clone(), t, &self.me);
                self.problems = problems;
                Some(q)
            }
            _ => None,
        };
    }

    /// Count and load the first page again (after a filter change or a write), keeping the cursor where it can.
    /// With `defer`, a list of items with more than a page of rows is not counted here: the filter to count is
    /// returned with a number for [`ListState::counted`], and the list acts as capped until then.
    pub fn reload(&mut self, r: &Reader<'_>, height: usize, defer: bool) -> Result<Option<(u64, ItemFilter)>> {
        let keep = self.cursor;
        let keep_id = self.selected_item().map(|i| i.id).filter(|_| keep > 0);
        self.parse(r);
        self.loaded = true;
        let pending = self.counting.take();
        if !self.problems.is_empty() {
            // A term that names nothing (`owner:bilall`) matches nothing: never the whole list under its label, where
            // a select-all would then change every row.
            (self.rows, self.total, self.start, self.cursor, self.offset, self.quick) = (vec![], 0, 0, 0, 0, false);
            self.capped = false;
            return Ok(None);
        }
        self.quick = defer && self.has_free_words();
        let first = (height + 1).max(FIRST);
        self.rows = self.fetch(r, None, false, first)?;
        let mut ask = None;
        self.total = match (&self.source, self.item_filter()) {
            (_, Some(_)) if self.rows.len() < first && !self.quick => self.rows.len(),
            (_, Some(f)) if defer => {
                // The same filter is being counted already (a write elsewhere reloaded the rows): that answer is
                // awaited, not asked again, or writes every few seconds would keep a slow count from ever ending.
                let asked = format!("{f:?}");
                match pending.filter(|_| self.asked.as_deref() == Some(asked.as_str())) {
                    Some(seq) => self.counting = Some(seq),
                    None => {
                        self.seq += 1;
                        self.counting = Some(self.seq);
                        self.asked = Some(asked);
                        ask = Some((self.seq, f));
                    }
                }
                self.rows.len()
            }
            (_, Some(f)) if f.text.is_some() => r.count_upto(&f, CAP as i64)? as usize,
            (_, Some(f)) => r.count(&f)? as usize,
            (Source::Contacts, _) => r.contact_count(self.text())? as usize,
            _ => r.account_count(self.text())? as usize,
        };
        self.capped = (self.total >= CAP && !self.text.trim().is_empty()) || self.counting.is_some();
        if self.counting.is_none() || self.counting != pending {
            self.bottom_pending = false;
        }
        self.start = 0;
        self.cursor = 0;
        self.offset = 0;
        if keep > 0 && self.total > 0 {
            self.move_to(r, keep.min(self.total - 1), height)?;
        }
        // A change elsewhere moved rows: the cursor stays on its item when that is still loaded.
        if let Some(id) = keep_id.filter(|id| self.selected_item().map(|i| i.id) != Some(*id)) {
            let at = self.rows.iter().position(|row| matches!(row, Row::Item(i) if i.id == id));
            if let Some(at) = at {
                self.move_to(r, self.start + at, height)?;
            }
        }
        Ok(ask)
    }

    /// The full match of a quick list arrived (its first rows): it replaces the rows. A cursor moved off the first
    /// row keeps its item under it, on the same line of the screen; one not moved starts on the full match's first
    /// row (the newest: rows above the quick match's first would be out of sight).
    pub fn completed(&mut self, rows: Vec<ItemRow>, height: usize) {
        if !self.quick {
            return;
        }
        self.quick = false;
        let line = self.cursor.saturating_sub(self.offset);
        let keep = (self.cursor > 0).then(|| self.selected_item().map(|i| i.row)).flatten();
        self.rows = rows.into_iter().map(Row::Item).collect();
        self.start = 0;
        let at = keep.and_then(|k| self.rows.iter().position(|r| matches!(r, Row::Item(i) if i.row == k)));
        self.cursor = at.unwrap_or(if keep.is_some() { self.cursor } else { 0 }).min(self.rows.len().saturating_sub(1));
        self.offset = self.cursor.saturating_sub(line.min(height.saturating_sub(1)));
    }

    /// The count asked for by [`ListState::reload`] arrived.
    pub fn counted(&mut self, n: usize) {
        self.counting = None;
        self.total = n.max(self.start + self.rows.len());
        self.capped = self.total >= CAP && !self.text.trim().is_empty();
    }

    fn fetch(&self, r: &Reader<'_>, edge: Option<&Row>, before: bool, size: usize) -> Result<Vec<Row>> {
        Ok(match &self.source {
            Source::Items(_) => {
                let f = self.filter().unwrap_or_default();
                let page = match edge {
                    Some(Row::Item(i)) if before => i.cursor_before(),
                    Some(Row::Item(i)) => i.cursor(),
                    _ if before => Page::last(),
                    _ => Page::default(),
                };
                r.list(&f, page, size)?.into_iter().map(Row::Item).collect()
            }
            Source::Contacts => {
                let id = match edge {
                    Some(Row::Contact(c)) => Some(c.row),
                    _ => None,
                };
                r.contact_page(self.text(), id, before, size)?.into_iter().map(Row::Contact).collect()
            }
            Source::Accounts => {
                let id = match edge {
                    Some(Row::Account(a)) => Some(a.row),
                    _ => None,
                };
                r.account_page(self.text(), id, before, size)?.into_iter().map(Row::Account).collect()
            }
        })
    }

    /// Put the cursor on row `to`, loading pages as needed, and scroll so that it is visible.
    pub fn move_to(&mut self, r: &Reader<'_>, to: usize, height: usize) -> Result<()> {
        if self.total == 0 {
            self.cursor = 0;
            self.offset = 0;
            return Ok(());
        }
        let to = to.min(self.total - 1);
        if !self.capped && to + PAGE / 2 >= self.total && to >= self.start + self.rows.len() + PAGE {
            // Far below the window and near the end: load the last page directly.
            let rows = self.fetch(r, None, true, PAGE)?;
            self.start = self.total.saturating_sub(rows.len());
            self.rows = rows;
        }
        if to < PAGE && to < self.start {
            self.rows = self.fetch(r, None, false, PAGE)?;
            self.start = 0;
        }
        while to >= self.start + self.rows.len() {
            let more = self.fetch(r, self.rows.last(), false, PAGE)?;
            if more.is_empty() {
                break;
            }
            self.rows.extend(more);
            if self.rows.len() > KEEP {
                let cut = self.rows.len() - KEEP;
                self.rows.drain(..cut);
                self.start += cut;
            }
        }
        while to < self.start {
            let mut more = self.fetch(r, self.rows.first(), true, PAGE)?;
            if more.is_empty() {
                break;
            }
            self.start = self.start.saturating_sub(more.len());
            more.append(&mut self.rows);
            more.truncate(KEEP);
            self.rows = more;
        }
        self.cursor = to.min(self.start + self.rows.len().saturating_sub(1));
        let height = height.max(1);
        if self.cursor < self.offset {
            self.offset = self.cursor;
        } else if self.cursor >= self.offset + height {
            self.offset = self.cursor + 1 - height;
        }
        Ok(())
    }

    /// Load the next page before the cursor needs it (called after a frame when no key is waiting, so that a key
    /// crossing a page boundary does not wait for it). Not before the cursor has left the first screen: a filter
    /// keystroke does not pay for rows nobody scrolled to. True if a page was loaded.
    pub fn prefetch(&mut self, r: &Reader<'_>, height: usize) -> Result<bool> {
        let end = self.start + self.rows.len();
        if !self.loaded || self.rows.is_empty() || end >= self.total && !self.capped || self.cursor + height < end {
            return Ok(false);
        }
        let more = self.fetch(r, self.rows.last(), false, PAGE)?;
        if more.is_empty() {
            return Ok(false);
        }
        self.rows.extend(more);
        if self.counting.is_some() || self.capped {
            self.total = self.total.max(self.start + self.rows.len());
        }
        if self.rows.len() > KEEP {
            let cut = (self.rows.len() - KEEP).min(self.offset.saturating_sub(self.start));
            self.rows.drain(..cut);
            self.start += cut;
        }
        Ok(true)
    }

    pub fn move_by(&mut self, r: &Reader<'_>, delta: isize, height: usize) -> Result<()> {
        let to =
            if delta < 0 { self.cursor.saturating_sub(delta.unsigned_abs()) } else { self.cursor + delta as usize };
        self.move_to(r, to, height)
    }
}
