//! The connection under the store: SQL written once with `?N` placeholders and run on SQLite or PostgreSQL, values
//! bound through [`Param`], rows read by column through [`Row`].

mod kept;
pub mod pg;

pub(crate) use kept::{Kept, Lite};

use crate::Result;
use postgres::types::ToSql as PgToSql;
use std::cell::RefCell;
use std::collections::HashMap;

/// A bound value as each backend takes it.
pub(crate) trait Param {
    fn lite(&self) -> &dyn rusqlite::ToSql;
    fn pg(&self) -> &(dyn PgToSql + Sync);
    /// The value, when it is a text (PostgreSQL's TEXT cannot hold a NUL: see [`pg_args`]).
    fn text(&self) -> Option<&str> {
        None
    }
}

/// Text values that both drivers bind as they are.
macro_rules! text_param {
    ($($t:ty),+) => {$(
        impl Param for $t {
            fn lite(&self) -> &dyn rusqlite::ToSql {
                self
            }
            fn pg(&self) -> &(dyn PgToSql + Sync) {
                self
            }
            fn text(&self) -> Option<&str> {
                Some(self)
            }
        }
        impl Param for Option<$t> {
            fn lite(&self) -> &dyn rusqlite::ToSql {
                self
            }
            fn pg(&self) -> &(dyn PgToSql + Sync) {
                self
            }
            fn text(&self) -> Option<&str> {
                self.as_deref()
            }
        }
    )+};
}

text_param!(String, &str);

/// Types both drivers bind the same way (and their `Option`s, bound as NULL when `None`).
macro_rules! param {
    ($($t:ty),+ $(,)?) => {$(
        impl $crate::store::conn::Param for $t {
            fn lite(&self) -> &dyn rusqlite::ToSql {
                self
            }
            fn pg(&self) -> &(dyn postgres::types::ToSql + Sync) {
                self
            }
        }
        impl $crate::store::conn::Param for Option<$t> {
            fn lite(&self) -> &dyn rusqlite::ToSql {
                self
            }
            fn pg(&self) -> &(dyn postgres::types::ToSql + Sync) {
                self
            }
        }
    )+};
}

pub(crate) use param;

param!(i64, f64, Vec<u8>, &[u8]);

/// Flags are 0/1 integers on both backends (one schema, one SQL text: `needs_response = 1`, keyset keys that compare
/// as numbers), so a `bool` binds as a BIGINT on PostgreSQL.
impl Param for bool {
    fn lite(&self) -> &dyn rusqlite::ToSql {
        self
    }
    fn pg(&self) -> &(dyn PgToSql + Sync) {
        if *self { &1i64 } else { &0i64 }
    }
}

impl Param for Option<bool> {
    fn lite(&self) -> &dyn rusqlite::ToSql {
        self
    }
    fn pg(&self) -> &(dyn PgToSql + Sync) {
        match self {
            Some(true) => &Some(1i64),
            Some(false) => &Some(0i64),
            None => &None::<i64>,
        }
    }
}

/// A value built at run time (the list filters): an integer or a text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Int(i64),
    Text(String),
}

impl Param for Value {
    fn lite(&self) -> &dyn rusqlite::ToSql {
        match self {
            Value::Int(i) => i,
            Value::Text(s) => s,
        }
    }
    fn pg(&self) -> &(dyn PgToSql + Sync) {
        match self {
            Value::Int(i) => i,
            Value::Text(s) => s,
        }
    }
    fn text(&self) -> Option<&str> {
        match self {
            Value::Int(_) => None,
            Value::Text(s) => Some(s),
        }
    }
}

/// The values as PostgreSQL binds them. Its TEXT cannot hold a NUL character (SQLite's can, and hostile mail has
/// them): a text with one is bound with U+FFFD in its place, the same for what is stored and what is looked up; the
/// raw message keeps the exact bytes.
fn pg_args<'a>(args: &'a [&'a dyn Param], fixed: &'a mut Vec<Option<String>>) -> Vec<&'a (dyn PgToSql + Sync)> {
    *fixed = args.iter().map(|a| a.text().filter(|t| t.contains('\0')).map(|t| t.replace('\0', "\u{FFFD}"))).collect();
    args.iter()
        .zip(fixed.iter())
        .map(|(a, f)| match f {
            Some(t) => t as &(dyn PgToSql + Sync),
            None => a.pg(),
        })
        .collect()
}

/// A column position or name, for either driver.
pub(crate) trait Idx: rusqlite::RowIndex + postgres::row::RowIndex + std::fmt::Display + Copy {}
impl Idx for usize {}
impl Idx for &str {}

/// A type read from a column of either driver.
pub(crate) trait Col: Sized {
    fn lite(r: &rusqlite::Row<'_>, i: impl Idx) -> rusqlite::Result<Self>;
    fn pg(r: &postgres::Row, i: impl Idx) -> Result<Self, postgres::Error>;
}

macro_rules! col {
    ($($t:ty),+ $(,)?) => {$(
        impl $crate::store::conn::Col for $t {
            fn lite(r: &rusqlite::Row<'_>, i: impl $crate::store::conn::Idx) -> rusqlite::Result<Self> {
                r.get(i)
            }
            fn pg(r: &postgres::Row, i: impl $crate::store::conn::Idx) -> Result<Self, postgres::Error> {
                r.try_get(i)
            }
        }
        impl $crate::store::conn::Col for Option<$t> {
            fn lite(r: &rusqlite::Row<'_>, i: impl $crate::store::conn::Idx) -> rusqlite::Result<Self> {
                r.get(i)
            }
            fn pg(r: &postgres::Row, i: impl $crate::store::conn::Idx) -> Result<Self, postgres::Error> {
                r.try_get(i)
            }
        }
    )+};
}

pub(crate) use col;

col!(String, Vec<u8>);

/// Numbers PostgreSQL may give narrower than they are read (a literal `1` is an INTEGER, `ts_rank` a REAL).
macro_rules! widening_col {
    ($($t:ty: $narrow:ty),+) => {$(
        impl Col for $t {
            fn lite(r: &rusqlite::Row<'_>, i: impl Idx) -> rusqlite::Result<Self> {
                r.get(i)
            }
            fn pg(r: &postgres::Row, i: impl Idx) -> Result<Self, postgres::Error> {
                r.try_get::<_, $t>(i).or_else(|e| r.try_get::<_, $narrow>(i).map(<$t>::from).map_err(|_| e))
            }
        }
        impl Col for Option<$t> {
            fn lite(r: &rusqlite::Row<'_>, i: impl Idx) -> rusqlite::Result<Self> {
                r.get(i)
            }
            fn pg(r: &postgres::Row, i: impl Idx) -> Result<Self, postgres::Error> {
                r.try_get::<_, Option<$t>>(i)
                    .or_else(|e| r.try_get::<_, Option<$narrow>>(i).map(|v| v.map(<$t>::from)).map_err(|_| e))
            }
        }
    )+};
}

widening_col!(i64: i32, f64: f32);

/// A flag column (BIGINT 0/1), or a computed truth value (`x IS NULL` is a BOOLEAN on PostgreSQL).
impl Col for bool {
    fn lite(r: &rusqlite::Row<'_>, i: impl Idx) -> rusqlite::Result<Self> {
        r.get(i)
    }
    fn pg(r: &postgres::Row, i: impl Idx) -> Result<Self, postgres::Error> {
        r.try_get::<_, bool>(i).or_else(|_| <i64 as Col>::pg(r, i).map(|v| v != 0))
    }
}

/// One row of a result, read by column name or position.
pub(crate) enum Row<'r> {
    Lite(&'r rusqlite::Row<'r>),
    Pg(&'r postgres::Row),
}

impl Row<'_> {
    pub fn get<T: Col>(&self, i: impl Idx) -> Result<T> {
        Ok(match self {
            Row::Lite(r) => T::lite(r, i)?,
            Row::Pg(r) => T::pg(r, i)?,
        })
    }
}

/// A PostgreSQL session and its prepared statements (by their SQL text as written, before `$N` translation).
pub(crate) struct PgConn {
    client: RefCell<postgres::Client>,
    statements: RefCell<HashMap<String, postgres::Statement>>,
    /// Counts reused for a while (bm25's document counts), by what they count.
    pub counts: RefCell<HashMap<String, (i64, std::time::Instant)>>,
    /// The URL and password this session was opened with, for the sessions beside it (a mail lease).
    pub(super) location: (String, Option<String>),
    /// Changes announced by other sessions (`helpdesk_change`) since this one began to listen, and its own
    /// backend's process id, once it listens.
    pub(super) changes: std::cell::Cell<i64>,
    pub(super) listening: std::cell::Cell<Option<i32>>,
    /// Whether this session's commits announce themselves (`helpdesk_change`).
    pub(super) announce: std::cell::Cell<bool>,
}

impl PgConn {
    pub fn new(client: postgres::Client, url: &str, password: Option<&str>) -> PgConn {
        PgConn {
            client: RefCell::new(client),
            statements: Default::default(),
            counts: Default::default(),
            location: (url.to_string(), password.map(String::from)),
            changes: Default::default(),
            listening: Default::default(),
            announce: std::cell::Cell::new(true),
        }
    }

    /// The session itself, for what runs beside the store's queries (`db copy`'s COPY and its snapshot).
    pub fn client(&self) -> std::cell::RefMut<'_, postgres::Client> {
        self.client.borrow_mut()
    }

    fn statement(&self, sql: &str) -> Result<postgres::Statement> {
        if let Some(st) = self.statements.borrow().get(sql) {
            return Ok(st.clone());
        }
        let st = self.client.borrow_mut().prepare(&dollars(sql))?;
        self.statements.borrow_mut().insert(sql.to_string(), st.clone());
        Ok(st)
    }

    fn query(&self, sql: &str, args: &[&dyn Param]) -> Result<Vec<postgres::Row>> {
        let st = self.statement(sql)?;
        let mut fixed = vec![];
        Ok(self.client.borrow_mut().query(&st, &pg_args(args, &mut fixed))?)
    }
}

/// The connection the store's queries run on.
#[derive(Clone, Copy)]
pub(crate) enum Conn<'a> {
    Lite(Lite<'a>),
    Pg(&'a PgConn),
}

impl<'a> Conn<'a> {
    /// Every row of `sql`, each made into a `T` by `f`.
    pub fn rows<T>(self, sql: &str, args: &[&dyn Param], mut f: impl FnMut(&Row<'_>) -> Result<T>) -> Result<Vec<T>> {
        match self {
            Conn::Lite(c) => c.with(sql, |st| {
                let mut rows = st.query(rusqlite::params_from_iter(args.iter().map(|a| a.lite())))?;
                let mut out = vec![];
                while let Some(r) = rows.next()? {
                    out.push(f(&Row::Lite(r))?);
                }
                Ok(out)
            }),
            Conn::Pg(p) => p.query(sql, args)?.iter().map(|r| f(&Row::Pg(r))).collect(),
        }
    }

    /// The first row of `sql`, if there is one.
    pub fn row<T>(self, sql: &str, args: &[&dyn Param], f: impl FnOnce(&Row<'_>) -> Result<T>) -> Result<Option<T>> {
        match self {
            Conn::Lite(c) => c.with(sql, |st| {
                let mut rows = st.query(rusqlite::params_from_iter(args.iter().map(|a| a.lite())))?;
                rows.next()?.map(|r| f(&Row::Lite(r))).transpose()
            }),
            Conn::Pg(p) => p.query(sql, args)?.first().map(|r| f(&Row::Pg(r))).transpose(),
        }
    }

    /// The first row of `sql`, which must have one (an aggregate, or a row known to exist).
    pub fn one<T>(self, sql: &str, args: &[&dyn Param], f: impl FnOnce(&Row<'_>) -> Result<T>) -> Result<T> {
        self.row(sql, args, f)?.ok_or_else(|| crate::Error::not_found("the row a query expected"))
    }

    /// The one column of the first row of `sql`, if there is one.
    pub fn value<T: Col>(self, sql: &str, args: &[&dyn Param]) -> Result<Option<T>> {
        self.row(sql, args, |r| r.get(0))
    }

    /// Insert one row: its `id`. SQLite reads the connection's last row id; `RETURNING` would make every such insert
    /// keep a statement journal (a copy of each page it touches) inside a transaction.
    pub fn insert_id(self, sql: &str, args: &[&dyn Param]) -> Result<i64> {
        match self {
            Conn::Lite(c) => {
                c.with(sql, |st| Ok(st.execute(rusqlite::params_from_iter(args.iter().map(|a| a.lite())))?))?;
                Ok(c.last_insert_rowid())
            }
            Conn::Pg(_) => self.one(&format!("{sql} RETURNING id"), args, |r| r.get(0)),
        }
    }

    /// Run a statement: the number of rows it changed.
    pub fn execute(self, sql: &str, args: &[&dyn Param]) -> Result<usize> {
        match self {
            Conn::Lite(c) => {
                c.with(sql, |st| Ok(st.execute(rusqlite::params_from_iter(args.iter().map(|a| a.lite())))?))
            }
            Conn::Pg(p) => {
                let st = p.statement(sql)?;
                let mut fixed = vec![];
                Ok(p.client.borrow_mut().execute(&st, &pg_args(args, &mut fixed))? as usize)
            }
        }
    }

    /// Run statements without values (transaction control, savepoints).
    pub fn batch(self, sql: &str) -> Result<()> {
        match self {
            Conn::Lite(c) => Ok(c.execute_batch(sql)?),
            Conn::Pg(p) => Ok(p.client.borrow_mut().batch_execute(sql)?),
        }
    }

    pub fn is_pg(self) -> bool {
        matches!(self, Conn::Pg(_))
    }

    /// Hold, until the transaction ends, the right to number new rows of `what` (`MAX(num) + 1`): PostgreSQL's
    /// transactions run side by side, SQLite's writers one at a time already.
    pub fn lock_numbering(self, what: std::fmt::Arguments<'_>) -> Result<()> {
        if self.is_pg() {
            self.execute("SELECT pg_advisory_xact_lock(hashtext(?1))", &[&format!("helpdesk numbering {what}")])?;
        }
        Ok(())
    }

    /// The statement of this backend, where the dialects differ: `[sqlite, postgresql]`.
    pub fn pick(self, [lite, pg]: [&'static str; 2]) -> &'static str {
        if self.is_pg() { pg } else { lite }
    }
}

/// `?N` and `?` placeholders as PostgreSQL's `$N`; a bare `?` takes one more than the largest number so far, as in
/// SQLite. Text in quotes is left alone.
pub(crate) fn dollars(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let (mut max, mut quoted) = (0usize, false);
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                quoted = !quoted;
                out.push(c);
            }
            '?' if !quoted => {
                let mut n = 0usize;
                let mut digits = false;
                while let Some(d) = chars.peek().and_then(|d| d.to_digit(10)) {
                    n = n * 10 + d as usize;
                    digits = true;
                    chars.next();
                }
                let n = if digits { n } else { max + 1 };
                max = max.max(n);
                out.push('$');
                out.push_str(&n.to_string());
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_become_numbered_dollars() {
        assert_eq!(super::dollars("a = ?1 AND b = ?2 OR c = ?1"), "a = $1 AND b = $2 OR c = $1");
        assert_eq!(super::dollars("a = ? AND b IN (?, ?)"), "a = $1 AND b IN ($2, $3)");
        assert_eq!(super::dollars("a = ?3 AND b = ?"), "a = $3 AND b = $4");
        assert_eq!(super::dollars("a = '?' AND b = ?12"), "a = '?' AND b = $12");
    }
}
