//! List queries: filters, keyset paging and counts, built from fixed SQL fragments with bound values.

use super::Reader;
use crate::Result;
use crate::domain::{ItemRef, Kind, PartKind, PartRef, Severity};
use crate::stage::AnyStage;
use rusqlite::types::Value;
use rusqlite::{Connection, params_from_iter};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
pub enum SortOrder {
    /// Newest first (by number).
    #[default]
    Newest,
    /// Needs-response first, known accounts above unknown ones, then most recently updated.
    Inbox,
}

/// Filters of a list view. Rows are resolved ids; `text` is matched with full-text search (prefix per word).
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct ItemFilter {
    pub kind: Option<Kind>,
    #[serde(deserialize_with = "stages_by_name")]
    pub stages: Vec<AnyStage>,
    pub owner_row: Option<i64>,
    pub severity: Option<Severity>,
    pub part_row: Option<i64>,
    pub account_row: Option<i64>,
    pub contact_row: Option<i64>,
    pub tag: Option<String>,
    pub needs_response: Option<bool>,
    pub text: Option<String>,
    /// Tickets with (true) or without (false) a linked issue: the two standing trackers.
    pub has_issue: Option<bool>,
    pub sort: SortOrder,
}

/// Saved filters name their stages; the name is read as a stage of the first kind that has it (the same text in
/// the database) and [`ItemFilter::with_kind_stages`] reads it again once the filter's kind is known.
fn stages_by_name<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Vec<AnyStage>, D::Error> {
    let names: Vec<String> = serde::Deserialize::deserialize(d)?;
    names
        .iter()
        .map(|n| {
            Kind::ALL
                .iter()
                .find_map(|k| AnyStage::parse(*k, n).ok())
                .ok_or_else(|| serde::de::Error::custom(format!("'{n}' is not a stage")))
        })
        .collect()
}

impl ItemFilter {
    /// The stages as stages of the filter's kind, where it has one.
    pub fn with_kind_stages(mut self) -> ItemFilter {
        if let Some(k) = self.kind {
            self.stages = self.stages.iter().map(|s| AnyStage::parse(k, s.as_str()).unwrap_or(*s)).collect();
        }
        self
    }
}

/// Where a page starts: the sort key of a boundary row. With `before`, the page holds the rows just before that row
/// (still returned in list order), for scrolling up and for the last page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Page {
    pub after: Option<(i64, i64, i64, i64)>,
    /// The row id of that boundary row (text-filtered lists page by it: FTS5 then stops early).
    pub after_row: Option<i64>,
    pub before: bool,
}

impl Page {
    /// The last page of the list.
    pub fn last() -> Page {
        Page { after: None, after_row: None, before: true }
    }
}

/// One row of a list view.
#[derive(Debug, Clone, Serialize)]
pub struct ItemRow {
    pub id: ItemRef,
    #[serde(skip)]
    pub row: i64,
    pub title: String,
    pub stage: AnyStage,
    pub severity: Option<Severity>,
    pub part: Option<PartRef>,
    /// The account's name.
    pub account: Option<String>,
    pub owner: Option<String>,
    pub needs_response: bool,
    pub tags: Vec<String>,
    #[serde(serialize_with = "crate::domain::ser_ts")]
    pub created_at: i64,
    #[serde(serialize_with = "crate::domain::ser_ts")]
    pub updated_at: i64,
    #[serde(skip)]
    pub known: bool,
}

impl ItemRow {
    /// The keyset cursor that continues after this row.
    pub fn cursor(&self) -> Page {
        Page { after: Some(self.key()), after_row: Some(self.row), before: false }
    }
    /// The page of rows just before this one.
    pub fn cursor_before(&self) -> Page {
        Page { after: Some(self.key()), after_row: Some(self.row), before: true }
    }
    fn key(&self) -> (i64, i64, i64, i64) {
        (self.needs_response as i64, self.known as i64, self.updated_at, self.num())
    }
    fn num(&self) -> i64 {
        self.id.num
    }
}

/// Turn free text into an FTS5 query: each word a quoted prefix term, all required.
pub fn fts_prefix_query(text: &str) -> Option<String> {
    let terms: Vec<String> = super::search::words(text).map(|w| super::fts::prefix(&w)).collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

/// Newest-first lists with a text filter are driven by the full-text index in rowid order (row ids grow with the
/// per-kind numbers), so a page costs the same however many items match.
fn fts_driven(f: &ItemFilter) -> Option<String> {
    (f.sort == SortOrder::Newest).then(|| f.text.as_deref().and_then(fts_prefix_query)).flatten()
}

fn where_clause(f: &ItemFilter, sql: &mut String, args: &mut Vec<Value>) {
    sql.push_str(" WHERE 1=1");
    if let Some(k) = f.kind {
        sql.push_str(" AND i.kind = ?");
        args.push(Value::Text(k.as_str().into()));
    }
    if !f.stages.is_empty() {
        sql.push_str(" AND i.stage IN (");
        for (n, s) in f.stages.iter().enumerate() {
            sql.push_str(if n == 0 { "?" } else { ",?" });
            args.push(Value::Text(s.as_str().into()));
        }
        sql.push(')');
    }
    let mut eq = |col: &str, v: Option<Value>| {
        if let Some(v) = v {
            sql.push_str(col);
            args.push(v);
        }
    };
    eq(" AND i.owner_id = ?", f.owner_row.map(Value::Integer));
    eq(" AND i.severity = ?", f.severity.map(|s| Value::Text(s.as_str().into())));
    eq(" AND i.part_id = ?", f.part_row.map(Value::Integer));
    eq(" AND i.account_id = ?", f.account_row.map(Value::Integer));
    eq(" AND i.needs_response = ?", f.needs_response.map(|b| Value::Integer(b as i64)));
    eq(" AND i.id IN (SELECT target_id FROM tags WHERE target = 'item' AND tag = ?)", f.tag.clone().map(Value::Text));
    if let Some(c) = f.contact_row {
        sql.push_str(" AND (i.contact_id = ? OR i.id IN (SELECT item_id FROM item_contacts WHERE contact_id = ?))");
        args.push(Value::Integer(c));
        args.push(Value::Integer(c));
    }
    if let Some(q) = fts_driven(f) {
        sql.push_str(" AND items_fts MATCH ?");
        args.push(Value::Text(q));
    } else if let Some(q) = f.text.as_deref().and_then(fts_prefix_query) {
        sql.push_str(" AND i.id IN (SELECT rowid FROM items_fts WHERE items_fts MATCH ?)");
        args.push(Value::Text(q));
    }
    match f.has_issue {
        Some(true) => sql.push_str(
            " AND (i.kind = 'issue' OR EXISTS (SELECT 1 FROM links l WHERE l.from_id = i.id AND l.rel = 'issue'))",
        ),
        Some(false) => {
            sql.push_str(" AND NOT EXISTS (SELECT 1 FROM links l WHERE l.from_id = i.id AND l.rel = 'issue')")
        }
        None => {}
    }
}

const SELECT_ROW: &str = "SELECT i.id, i.kind, i.num, i.title, i.stage, i.severity, p.kind AS part_kind,
    p.num AS part_num, a.name AS account, m.login AS owner, i.needs_response, i.created_at, i.updated_at, i.known,
    (SELECT group_concat(tag, ' ') FROM tags t WHERE t.target = 'item' AND t.target_id = i.id) AS tags";
const FROM_ITEMS: &str = " FROM items i";
const FROM_FTS: &str = " FROM items_fts JOIN items i ON i.id = items_fts.rowid";
const JOINS: &str = " LEFT JOIN parts p ON p.id = i.part_id LEFT JOIN accounts a ON a.id = i.account_id
    LEFT JOIN members m ON m.id = i.owner_id";

fn list_sql(f: &ItemFilter, page: Page, limit: usize) -> (String, Vec<Value>) {
    let fts = fts_driven(f).is_some();
    let mut sql = String::from(SELECT_ROW);
    sql.push_str(if fts { FROM_FTS } else { FROM_ITEMS });
    sql.push_str(JOINS);
    let mut args = vec![];
    where_clause(f, &mut sql, &mut args);
    let cmp = if page.before { ">" } else { "<" };
    if fts {
        if let Some(row) = page.after_row {
            sql.push_str(" AND items_fts.rowid ");
            sql.push_str(cmp);
            sql.push_str(" ?");
            args.push(Value::Integer(row));
        }
        sql.push_str(if page.before {
            " ORDER BY items_fts.rowid ASC LIMIT ?"
        } else {
            " ORDER BY items_fts.rowid DESC LIMIT ?"
        });
        args.push(Value::Integer(limit as i64));
        return (sql, args);
    }
    match (f.sort, page.after) {
        (SortOrder::Newest, Some((_, _, _, num))) => {
            sql.push_str(" AND i.num ");
            sql.push_str(cmp);
            sql.push_str(" ?");
            args.push(Value::Integer(num));
        }
        (SortOrder::Inbox, Some((nr, known, upd, num))) => {
            sql.push_str(" AND (i.needs_response, i.known, i.updated_at, i.num) ");
            sql.push_str(cmp);
            sql.push_str(" (?, ?, ?, ?)");
            args.extend([nr, known, upd, num].map(Value::Integer));
        }
        (_, None) => {}
    }
    sql.push_str(match (f.sort, page.before) {
        (SortOrder::Newest, false) => " ORDER BY i.num DESC",
        (SortOrder::Newest, true) => " ORDER BY i.num ASC",
        (SortOrder::Inbox, false) => " ORDER BY i.needs_response DESC, i.known DESC, i.updated_at DESC, i.num DESC",
        (SortOrder::Inbox, true) => " ORDER BY i.needs_response ASC, i.known ASC, i.updated_at ASC, i.num ASC",
    });
    sql.push_str(" LIMIT ?");
    args.push(Value::Integer(limit as i64));
    (sql, args)
}

impl Reader<'_> {
    /// One page of a list, in the filter's order, starting after `page`.
    pub fn list(&self, f: &ItemFilter, page: Page, limit: usize) -> Result<Vec<ItemRow>> {
        let (sql, args) = list_sql(f, page, limit);
        let mut st = self.c.prepare_cached(&sql)?;
        let rows = st.query_map(params_from_iter(args), |r| {
            let id = ItemRef { kind: r.get("kind")?, num: r.get("num")? };
            let part_kind: Option<PartKind> = r.get("part_kind")?;
            let tags: Option<String> = r.get("tags")?;
            Ok(ItemRow {
                row: r.get("id")?,
                id,
                title: r.get("title")?,
                stage: super::types::stage(id.kind, &r.get::<_, String>("stage")?)?,
                severity: r.get("severity")?,
                part: part_kind.zip(r.get("part_num")?).map(|(kind, num)| PartRef { kind, num }),
                account: r.get("account")?,
                owner: r.get("owner")?,
                needs_response: r.get("needs_response")?,
                created_at: r.get("created_at")?,
                updated_at: r.get("updated_at")?,
                known: r.get("known")?,
                tags: tags.map(|t| t.split(' ').map(String::from).collect()).unwrap_or_default(),
            })
        })?;
        let mut out: Vec<ItemRow> = rows.collect::<Result<_, _>>()?;
        if page.before {
            out.reverse();
        }
        Ok(out)
    }

    /// Every row of a list, page by page.
    pub fn list_all(&self, f: &ItemFilter, limit: usize) -> Result<Vec<ItemRow>> {
        let mut out: Vec<ItemRow> = Vec::new();
        let mut page = Page::default();
        while out.len() < limit {
            let batch = self.list(f, page, (limit - out.len()).min(5000))?;
            let Some(last) = batch.last() else { break };
            page = last.cursor();
            let done = batch.len() < 5000;
            out.extend(batch);
            if done {
                break;
            }
        }
        Ok(out)
    }

    pub fn count(&self, f: &ItemFilter) -> Result<i64> {
        self.count_upto(f, i64::MAX)
    }

    /// The number of rows, counting at most `cap` (a common word in a filter matches tens of thousands).
    pub fn count_upto(&self, f: &ItemFilter, cap: i64) -> Result<i64> {
        let mut sql = String::from("SELECT COUNT(*) FROM (SELECT 1");
        sql.push_str(if fts_driven(f).is_some() { FROM_FTS } else { FROM_ITEMS });
        let mut args = vec![];
        where_clause(f, &mut sql, &mut args);
        sql.push_str(" LIMIT ?)");
        args.push(Value::Integer(cap));
        Ok(self.c.prepare_cached(&sql)?.query_row(params_from_iter(args), |r| r.get(0))?)
    }
}

pub(super) fn explain(c: &Connection, f: &ItemFilter) -> Result<Vec<String>> {
    let (sql, args) = list_sql(f, Page::default(), 50);
    super::query_plan(c, &sql, params_from_iter(args))
}
