//! List queries: filters, keyset paging and counts, built from fixed SQL fragments with bound values.

use super::Reader;
use super::conn::{Param, Value};
use crate::Result;
use crate::domain::{ItemRef, Kind, PartKind, PartRef, Severity};
use crate::stage::AnyStage;
use rusqlite::{Connection, params_from_iter};
use serde::Serialize;

mod words;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
pub enum SortOrder {
    /// Newest first (by number).
    #[default]
    Newest,
    /// Needs-response first, known accounts above unknown ones, then most recently updated.
    Inbox,
    /// Most recently updated first.
    Updated,
    /// Most recently created first.
    Created,
    /// Highest severity first, then most recently updated.
    Severity,
    /// Needs-response first, the longest waiting (least recently updated) first.
    Waiting,
}

impl SortOrder {
    pub const ALL: [SortOrder; 6] = [
        SortOrder::Inbox,
        SortOrder::Newest,
        SortOrder::Updated,
        SortOrder::Created,
        SortOrder::Severity,
        SortOrder::Waiting,
    ];
    pub fn name(self) -> &'static str {
        match self {
            SortOrder::Newest => "newest",
            SortOrder::Inbox => "inbox",
            SortOrder::Updated => "updated",
            SortOrder::Created => "created",
            SortOrder::Severity => "severity",
            SortOrder::Waiting => "waiting",
        }
    }
    pub fn parse(s: &str) -> crate::Result<SortOrder> {
        Self::ALL.into_iter().find(|o| o.name() == s.trim().to_lowercase()).ok_or_else(|| {
            let names: Vec<&str> = Self::ALL.iter().map(|o| o.name()).collect();
            crate::Error::invalid(format!("'{s}' is not a sort order (one of {})", names.join(", ")))
        })
    }
    /// The three sort keys before the number, each sorted descending.
    fn keys(self) -> [&'static str; 3] {
        const SEV: &str = "CASE i.severity WHEN 'blocker' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END";
        match self {
            SortOrder::Newest => ["0", "0", "0"],
            SortOrder::Inbox => ["i.needs_response", "i.known", "i.updated_at"],
            SortOrder::Updated => ["0", "0", "i.updated_at"],
            SortOrder::Created => ["0", "0", "i.created_at"],
            SortOrder::Severity => [SEV, "0", "i.updated_at"],
            SortOrder::Waiting => ["i.needs_response", "0", "-i.updated_at"],
        }
    }
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
    /// Only items nobody owns.
    pub unassigned: bool,
    /// Open (true) or closed (false) items only.
    pub open: Option<bool>,
    /// Part of an account's name (`account:acm` naming no account exactly).
    pub account_text: Option<String>,
    /// The member whose unread markers the rows carry (not saved with a view).
    #[serde(skip)]
    pub reader_row: Option<i64>,
    /// Only items with customer mail the reader has not seen.
    pub unread: bool,
    /// Free words are looked for in the item's own words only (title, description, account, owner, contacts), not
    /// in its messages: what a keystroke can afford. The full match follows from the TUI's jobs thread.
    #[serde(skip)]
    pub quick: bool,
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
    /// Who the item is from: the name its first customer mail gives, else its contact's name.
    pub contact: Option<String>,
    pub owner: Option<String>,
    pub needs_response: bool,
    pub tags: Vec<String>,
    #[serde(serialize_with = "crate::domain::ser_ts")]
    pub created_at: i64,
    #[serde(serialize_with = "crate::domain::ser_ts")]
    pub updated_at: i64,
    #[serde(skip)]
    pub known: bool,
    /// The sort keys of this row in its list's order.
    #[serde(skip)]
    pub keys: (i64, i64, i64),
    /// Customer mail the filter's reader has not seen (false without a reader).
    #[serde(skip)]
    pub unread: bool,
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
        (self.keys.0, self.keys.1, self.keys.2, self.num())
    }
    fn num(&self) -> i64 {
        self.id.num
    }
}

fn where_clause(f: &ItemFilter, common: &[String], pg: bool, sql: &mut String, args: &mut Vec<Value>) {
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
    eq(" AND i.owner_id = ?", f.owner_row.map(Value::Int));
    eq(" AND i.severity = ?", f.severity.map(|s| Value::Text(s.as_str().into())));
    eq(" AND i.part_id = ?", f.part_row.map(Value::Int));
    eq(" AND i.account_id = ?", f.account_row.map(Value::Int));
    eq(" AND i.needs_response = ?", f.needs_response.map(|b| Value::Int(b as i64)));
    eq(" AND i.id IN (SELECT target_id FROM tags WHERE target = 'item' AND tag = ?)", f.tag.clone().map(Value::Text));
    if let Some(c) = f.contact_row {
        sql.push_str(" AND (i.contact_id = ? OR i.id IN (SELECT item_id FROM item_contacts WHERE contact_id = ?))");
        args.push(Value::Int(c));
        args.push(Value::Int(c));
    }
    if let Some(t) = f.text.as_deref() {
        words::free_words(t, f.quick, common, pg, sql, args);
    }
    if f.unassigned {
        sql.push_str(" AND i.owner_id IS NULL");
    }
    if let (true, Some(reader)) = (f.unread, f.reader_row) {
        sql.push_str(" AND ");
        sql.push_str(UNREAD);
        args.push(Value::Int(reader));
    }
    match f.open {
        Some(true) => sql.push_str(" AND i.closed_at IS NULL"),
        Some(false) => sql.push_str(" AND i.closed_at IS NOT NULL"),
        None => {}
    }
    if let Some(a) = &f.account_text {
        sql.push_str(if pg {
            " AND i.account_id IN (SELECT id FROM accounts WHERE name ILIKE ?)"
        } else {
            " AND i.account_id IN (SELECT id FROM accounts WHERE name LIKE ?)"
        });
        args.push(Value::Text(format!("%{}%", a.replace(['%', '_'], ""))));
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
    COALESCE((SELECT NULLIF(mf.from_name, '') FROM messages mf WHERE mf.item_id = i.id AND mf.direction = 'in'
      ORDER BY mf.sent_at, mf.id LIMIT 1), (SELECT ct.name FROM contacts ct WHERE ct.id = i.contact_id)) AS contact";
const TAGS_LITE: &str =
    "(SELECT group_concat(tag, ' ') FROM tags t WHERE t.target = 'item' AND t.target_id = i.id) AS tags";
const TAGS_PG: &str =
    "(SELECT string_agg(tag, ' ') FROM tags t WHERE t.target = 'item' AND t.target_id = i.id) AS tags";
const FROM_ITEMS: &str = " FROM items i";
const JOINS: &str = " LEFT JOIN parts p ON p.id = i.part_id LEFT JOIN accounts a ON a.id = i.account_id
    LEFT JOIN members m ON m.id = i.owner_id";

/// Customer mail newer than what the reader (the one bound value) has seen of the item.
const UNREAD: &str = "EXISTS (SELECT 1 FROM messages mm WHERE mm.item_id = i.id AND mm.channel = 'customer'
    AND mm.direction = 'in' AND mm.id > COALESCE((SELECT seen_msg FROM item_reads r WHERE r.member_id = ?
    AND r.item_id = i.id), 0))";

/// The SQL of a list page. On PostgreSQL the sort keys are BIGINTs like the bound cursor (a literal is an INTEGER).
fn list_sql(f: &ItemFilter, common: &[String], pg: bool, page: Page, limit: usize) -> (String, Vec<Value>) {
    let keys = f.sort.keys();
    let pg_keys = keys.map(|k| {
        if k.starts_with("i.") || k.starts_with("-i.") { k.to_string() } else { format!("CAST({k} AS BIGINT)") }
    });
    let [k1, k2, k3] = if pg { pg_keys.each_ref().map(String::as_str) } else { keys };
    let mut args = vec![];
    let unread = match f.reader_row {
        Some(reader) => {
            args.push(Value::Int(reader));
            UNREAD
        }
        None if pg => "FALSE",
        None => "0",
    };
    let tags = if pg { TAGS_PG } else { TAGS_LITE };
    let mut sql = format!("{SELECT_ROW}, {tags}, {k1} AS k1, {k2} AS k2, {k3} AS k3, {unread} AS unread");
    let cmp = if page.before { ">" } else { "<" };
    let dir = if page.before { "ASC" } else { "DESC" };
    if let Some(q) = words::driving(f).filter(|_| !pg) {
        // Newest first by the index's own row order: FTS5 streams rows and the query stops after `limit`.
        sql.push_str(" FROM items_fts w CROSS JOIN items i ON i.id = w.rowid");
        sql.push_str(JOINS);
        where_clause(&ItemFilter { text: None, ..f.clone() }, common, pg, &mut sql, &mut args);
        sql.push_str(" AND items_fts MATCH ?");
        args.push(Value::Text(q));
        if let Some(row) = page.after_row {
            sql.push_str(&format!(" AND w.rowid {cmp} ?"));
            args.push(Value::Int(row));
        }
        sql.push_str(&format!(" ORDER BY w.rowid {dir} LIMIT ?"));
        args.push(Value::Int(limit as i64));
        return (sql, args);
    }
    sql.push_str(FROM_ITEMS);
    sql.push_str(JOINS);
    where_clause(f, common, pg, &mut sql, &mut args);
    match (f.sort, page.after) {
        (SortOrder::Newest, Some((_, _, _, num))) => {
            sql.push_str(" AND i.num ");
            sql.push_str(cmp);
            sql.push_str(" ?");
            args.push(Value::Int(num));
        }
        (_, Some((a, b, c, num))) => {
            sql.push_str(&format!(" AND ({k1}, {k2}, {k3}, i.num) {cmp} (?, ?, ?, ?)"));
            args.extend([a, b, c, num].map(Value::Int));
        }
        (_, None) => {}
    }
    if f.sort == SortOrder::Newest {
        sql.push_str(&format!(" ORDER BY i.num {dir}"));
    } else {
        let used: Vec<String> =
            [k1, k2, k3].iter().zip(keys).filter(|(_, k)| *k != "0").map(|(k, _)| format!("{k} {dir}")).collect();
        sql.push_str(&format!(" ORDER BY {}, i.num {dir}", used.join(", ")));
    }
    sql.push_str(" LIMIT ?");
    args.push(Value::Int(limit as i64));
    (sql, args)
}

impl Reader<'_> {
    /// One page of a list, in the filter's order, starting after `page`.
    pub fn list(&self, f: &ItemFilter, page: Page, limit: usize) -> Result<Vec<ItemRow>> {
        let common = self.common_words(f)?;
        let (sql, args) = list_sql(f, &common, self.c.is_pg(), page, limit);
        let args: Vec<&dyn Param> = args.iter().map(|a| a as &dyn Param).collect();
        let mut out = self.c.rows(&sql, &args, |r| {
            let id = ItemRef { kind: r.get("kind")?, num: r.get("num")? };
            let part_kind: Option<PartKind> = r.get("part_kind")?;
            let tags: Option<String> = r.get("tags")?;
            Ok(ItemRow {
                row: r.get("id")?,
                id,
                title: r.get("title")?,
                stage: super::items::stage_at(r, id.kind, "stage")?,
                severity: r.get("severity")?,
                part: part_kind.zip(r.get("part_num")?).map(|(kind, num)| PartRef { kind, num }),
                account: r.get("account")?,
                contact: r.get("contact")?,
                owner: r.get("owner")?,
                needs_response: r.get("needs_response")?,
                created_at: r.get("created_at")?,
                updated_at: r.get("updated_at")?,
                known: r.get("known")?,
                keys: (r.get("k1")?, r.get("k2")?, r.get("k3")?),
                unread: r.get("unread")?,
                tags: tags.map(|t| t.split(' ').map(String::from).collect()).unwrap_or_default(),
            })
        })?;
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

    fn common_words(&self, f: &ItemFilter) -> Result<Vec<String>> {
        words::common(self.c, f)
    }

    pub fn count(&self, f: &ItemFilter) -> Result<i64> {
        self.count_upto(f, i64::MAX)
    }

    /// The number of rows, counting at most `cap` (a common word in a filter matches tens of thousands).
    pub fn count_upto(&self, f: &ItemFilter, cap: i64) -> Result<i64> {
        let mut sql = String::from("SELECT COUNT(*) FROM (SELECT 1");
        sql.push_str(FROM_ITEMS);
        let mut args = vec![];
        let common = self.common_words(f)?;
        where_clause(f, &common, self.c.is_pg(), &mut sql, &mut args);
        sql.push_str(" LIMIT ?) AS n");
        args.push(Value::Int(cap));
        let args: Vec<&dyn Param> = args.iter().map(|a| a as &dyn Param).collect();
        self.c.one(&sql, &args, |r| r.get(0))
    }
}

pub(super) fn explain(c: &Connection, f: &ItemFilter) -> Result<Vec<String>> {
    let (sql, args) = list_sql(f, &[], false, Page::default(), 50);
    super::query_plan(c, &sql, params_from_iter(args.iter().map(|a| a.lite())))
}
