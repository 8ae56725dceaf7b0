//! SQLite statements a write transaction keeps prepared: an import runs the same few statements thousands of times,
//! and rusqlite's own cache hashes, copies and re-files the SQL text and clears the bindings at every use.

use crate::Result;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// An SQLite connection, with the statements its write transaction keeps (none outside one).
#[derive(Clone, Copy)]
pub(crate) struct Lite<'a> {
    pub c: &'a rusqlite::Connection,
    pub kept: Option<&'a dyn Statements>,
}

impl std::ops::Deref for Lite<'_> {
    type Target = rusqlite::Connection;
    fn deref(&self) -> &rusqlite::Connection {
        self.c
    }
}

/// Statements kept prepared, their borrow of the connection hidden (so that a [`Lite`] has one lifetime).
pub(crate) trait Statements {
    fn with(&self, sql: &str, f: &mut dyn FnMut(&mut rusqlite::Statement<'_>) -> Result<()>) -> Result<()>;
}

type Shared<'c> = Rc<RefCell<rusqlite::CachedStatement<'c>>>;

/// The statements of one transaction, by their SQL text; they go back to rusqlite's cache when it ends.
pub(crate) struct Kept<'c> {
    conn: &'c rusqlite::Connection,
    statements: RefCell<HashMap<String, Shared<'c>, foldhash::fast::RandomState>>,
}

impl<'c> Kept<'c> {
    pub fn new(conn: &'c rusqlite::Connection) -> Kept<'c> {
        Kept { conn, statements: Default::default() }
    }
}

impl Statements for Kept<'_> {
    fn with(&self, sql: &str, f: &mut dyn FnMut(&mut rusqlite::Statement<'_>) -> Result<()>) -> Result<()> {
        let found = self.statements.borrow().get(sql).cloned();
        let st = match found {
            Some(st) => st,
            None => {
                let st = Rc::new(RefCell::new(self.conn.prepare_cached(sql)?));
                self.statements.borrow_mut().insert(sql.to_string(), st.clone());
                st
            }
        };
        // Running already, further up (a query made while reading another's rows): a statement of its own.
        match st.try_borrow_mut() {
            Ok(mut st) => f(&mut st),
            Err(_) => f(&mut self.conn.prepare(sql)?),
        }
    }
}

impl Lite<'_> {
    /// Run `f` on the prepared statement of `sql`: the transaction's, or rusqlite's cache's.
    pub fn with<T>(self, sql: &str, f: impl FnOnce(&mut rusqlite::Statement<'_>) -> Result<T>) -> Result<T> {
        let Some(kept) = self.kept else {
            let mut st = self.c.prepare_cached(sql)?;
            return f(&mut st);
        };
        let (mut f, mut out) = (Some(f), None);
        kept.with(sql, &mut |st| {
            if let Some(f) = f.take() {
                out = Some(f(st)?);
            }
            Ok(())
        })?;
        out.ok_or_else(|| crate::Error::invalid("a kept statement did not run"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_statement_runs_again_and_inside_itself() {
        let c = rusqlite::Connection::open_in_memory().unwrap();
        c.execute_batch("CREATE TABLE t(a INTEGER); INSERT INTO t VALUES (1), (2);").unwrap();
        let kept = Kept::new(&c);
        let lite = Lite { c: &c, kept: Some(&kept) };
        let sql = "SELECT a FROM t WHERE a >= ?1 ORDER BY a";
        let all = |from: i64| -> Result<Vec<i64>> {
            lite.with(sql, |st| {
                let mut rows = st.query([from])?;
                let mut out = vec![];
                while let Some(r) = rows.next()? {
                    out.push(r.get(0)?);
                }
                Ok(out)
            })
        };
        assert_eq!(all(1).unwrap(), vec![1, 2]);
        assert_eq!(all(2).unwrap(), vec![2]);
        // The same SQL while its kept statement is reading rows.
        let nested = lite
            .with(sql, |st| {
                let mut rows = st.query([1])?;
                let mut out = vec![];
                while let Some(r) = rows.next()? {
                    out.push((r.get::<_, i64>(0)?, all(r.get(0)?)?.len()));
                }
                Ok(out)
            })
            .unwrap();
        assert_eq!(nested, vec![(1, 2), (2, 1)]);
        assert_eq!(kept.statements.borrow().len(), 1);
    }
}
