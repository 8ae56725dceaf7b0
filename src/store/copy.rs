//! `db copy`: a whole help desk into an empty database of either backend, table by table in one transaction, the
//! rows of each table counted on both sides before it commits.

mod cells;

use super::{Db, Store};
use crate::Result;
use cells::Cell;
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::Type;

/// Every table of the schema, parents before children. The full-text tables of SQLite (and its `item_words_stale`,
/// empty between transactions, and `search_gen`) and PostgreSQL's `helpdesk_schema` belong to their backend: rebuilt or kept there
/// (`raw_gaps` is measured again on the target);
/// `presence` holds heartbeats of the sessions on the source, not the help desk.
const TABLES: &[&str] = &[
    "members",
    "parts",
    "accounts",
    "account_domains",
    "contacts",
    "contact_emails",
    "items",
    "tags",
    "links",
    "item_contacts",
    "messages",
    "message_refs",
    "attachments",
    "message_attachments",
    "stage_history",
    "ledger",
    "quarantine",
    "outbox",
    "mail_cursor",
    "saved_views",
    "similar_feedback",
    "audit",
    "drafts",
    "articles",
    "item_reads",
    "raw_mail",
    "item_vectors",
    "article_feedback",
    "item_changes",
    "notifications",
];

/// One table copied: its rows, counted in the source and in the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    pub table: &'static str,
    pub rows: i64,
}

impl Store {
    /// Copy everything this database holds into `to`, which must be empty (a new file, or a new PostgreSQL
    /// database). The source is read in one snapshot; the target is written in one transaction that commits only
    /// when every table has as many rows there as in the source. PostgreSQL's identity columns continue after the
    /// copied ids; SQLite's full-text indexes are rebuilt (PostgreSQL's follow their generated columns).
    pub fn copy_to(&self, to: &Store) -> Result<Vec<Copied>> {
        if let Some(why) = &to.refused {
            return Err(crate::Error::invalid(why.clone()));
        }
        for s in [self, to] {
            s.check_tables()?;
        }
        for t in TABLES {
            let n = to.count(t)?;
            if n > 0 {
                return Err(crate::Error::invalid(format!(
                    "the target database is not empty ({t} has {n} rows): db copy only fills an empty database"
                )));
            }
        }
        self.batch(["BEGIN", "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"])?;
        to.batch(["BEGIN IMMEDIATE; PRAGMA defer_foreign_keys = ON", "BEGIN"])?;
        let out = self.copy_all(to);
        let (end_to, end_from) = if out.is_ok() { ("COMMIT", "COMMIT") } else { ("ROLLBACK", "ROLLBACK") };
        let ended = to.batch([end_to; 2]);
        self.batch([end_from; 2])?;
        let out = out?;
        ended?;
        if let Db::Pg(p) = &to.db {
            p.client().batch_execute("ANALYZE")?;
        }
        Ok(out)
    }

    fn copy_all(&self, to: &Store) -> Result<Vec<Copied>> {
        let mut out = vec![];
        for &table in TABLES {
            let cols = to.columns(table)?;
            let mut theirs = self.columns(table)?;
            let mut ours = cols.clone();
            theirs.sort();
            ours.sort();
            if theirs != ours {
                return Err(crate::Error::invalid(format!(
                    "{table} has the columns {} here and {} in the target (databases of different versions?)",
                    theirs.join(", "),
                    ours.join(", ")
                )));
            }
            let written = self.copy_table(to, table, &cols)?;
            let (here, there) = (self.count(table)?, to.count(table)?);
            if here != there || written != here {
                return Err(crate::Error::invalid(format!(
                    "{table}: {here} rows in the source, {written} copied, {there} in the target; nothing was copied"
                )));
            }
            out.push(Copied { table, rows: here });
        }
        match &to.db {
            Db::Lite(c) => {
                c.execute_batch(super::schema::lighter::REMEASURE_RAW_GAPS)?;
                c.execute_batch("INSERT INTO articles_fts(articles_fts) VALUES ('rebuild');")?;
                super::index_file::refill(c)?;
            }
            Db::Pg(p) => {
                let mut c = p.client();
                c.batch_execute(super::schema::lighter::REMEASURE_RAW_GAPS)?;
                let ids = c.query(
                    "SELECT table_name::text, column_name::text FROM information_schema.columns
                     WHERE table_schema = current_schema() AND is_identity = 'YES'",
                    &[],
                )?;
                for r in ids {
                    let (t, col): (String, String) = (r.get(0), r.get(1));
                    c.execute(
                        &format!(
                            "SELECT setval(pg_get_serial_sequence($1, $2), COALESCE((SELECT MAX({col}) FROM {t}), 0) + 1,
                             false)"
                        ),
                        &[&t, &col],
                    )?;
                }
            }
        }
        Ok(out)
    }

    /// Copy the rows of `table` (its columns `cols`, in this order) into `to`: how many were written.
    fn copy_table(&self, to: &Store, table: &str, cols: &[String]) -> Result<i64> {
        let list = cols.join(", ");
        let mut n = 0i64;
        match &to.db {
            Db::Lite(c) => {
                let marks = vec!["?"; cols.len()].join(", ");
                let mut st = c.prepare(&format!("INSERT INTO {table}({list}) VALUES ({marks})"))?;
                self.each_row(table, &list, |row| {
                    st.execute(rusqlite::params_from_iter(row.iter()))?;
                    n += 1;
                    Ok(())
                })?;
            }
            Db::Pg(p) => {
                let mut c = p.client();
                let types: Vec<Type> = c
                    .prepare(&format!("SELECT {list} FROM {table}"))?
                    .columns()
                    .iter()
                    .map(|c| c.type_().clone())
                    .collect();
                let sink = c.copy_in(&format!("COPY {table}({list}) FROM STDIN (FORMAT binary)"))?;
                let mut w = BinaryCopyInWriter::new(sink, &types);
                self.each_row(table, &list, |row| {
                    let typed = row
                        .iter()
                        .zip(&types)
                        .zip(cols)
                        .map(|((v, ty), col)| v.typed(ty, col))
                        .collect::<Result<Vec<_>>>()?;
                    w.write(&typed.iter().map(|t| t.sql()).collect::<Vec<_>>())?;
                    n += 1;
                    Ok(())
                })?;
                w.finish()?;
            }
        }
        Ok(n)
    }

    /// Run `f` on every row of `table` (the columns `list`), as they are read.
    fn each_row(&self, table: &str, list: &str, mut f: impl FnMut(Vec<Cell>) -> Result<()>) -> Result<()> {
        let sql = format!("SELECT {list} FROM {table}");
        match &self.db {
            Db::Lite(c) => {
                let mut st = c.prepare(&sql)?;
                let width = st.column_count();
                let mut rows = st.query([])?;
                while let Some(r) = rows.next()? {
                    f((0..width).map(|i| Cell::lite(r, i)).collect::<Result<_>>()?)?;
                }
            }
            Db::Pg(p) => {
                let mut c = p.client();
                let mut rows = c.query_raw(&sql, std::iter::empty::<i64>())?;
                while let Some(r) = rows.next()? {
                    f((0..r.len()).map(|i| Cell::pg(&r, i)).collect::<Result<_>>()?)?;
                }
            }
        }
        Ok(())
    }

    /// The columns of `table` a copy writes (not PostgreSQL's generated full-text columns), in their order.
    fn columns(&self, table: &str) -> Result<Vec<String>> {
        match &self.db {
            Db::Lite(c) => {
                let mut st = c.prepare("SELECT name FROM pragma_table_info(?1) ORDER BY cid")?;
                let names = st.query_map([table], |r| r.get(0))?.collect::<Result<Vec<String>, _>>()?;
                Ok(names)
            }
            Db::Pg(p) => Ok(p
                .client()
                .query(
                    "SELECT column_name::text FROM information_schema.columns
                     WHERE table_schema = current_schema() AND table_name::text = $1 AND is_generated = 'NEVER'
                     ORDER BY ordinal_position",
                    &[&table],
                )?
                .iter()
                .map(|r| r.get(0))
                .collect()),
        }
    }

    /// The tables of this database that hold the help desk must be [`TABLES`]: a table added to the schema and not
    /// to the copy would be left behind.
    fn check_tables(&self) -> Result<()> {
        let mut found: Vec<String> = match &self.db {
            Db::Lite(c) => {
                let mut st = c.prepare(
                    "SELECT t.name FROM sqlite_master t WHERE t.type = 'table' AND t.name NOT LIKE 'sqlite_%'
                       AND t.name NOT IN ('item_words_stale', 'search_gen', 'raw_gaps', 'presence') AND t.sql NOT LIKE 'CREATE VIRTUAL TABLE%'
                       AND NOT EXISTS (SELECT 1 FROM sqlite_master v WHERE v.sql LIKE 'CREATE VIRTUAL TABLE%'
                                         AND t.name LIKE v.name || '\\_%' ESCAPE '\\')",
                )?;
                st.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?
            }
            Db::Pg(p) => p
                .client()
                .query(
                    "SELECT table_name::text FROM information_schema.tables
                     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
                       AND table_name NOT IN ('helpdesk_schema', 'raw_gaps', 'presence')",
                    &[],
                )?
                .iter()
                .map(|r| r.get(0))
                .collect(),
        };
        found.sort();
        let mut known: Vec<String> = TABLES.iter().map(|t| t.to_string()).collect();
        known.sort();
        if found != known {
            let odd: Vec<_> = found
                .iter()
                .filter(|t| !known.contains(t))
                .chain(known.iter().filter(|t| !found.contains(t)))
                .cloned()
                .collect();
            return Err(crate::Error::invalid(format!(
                "db copy does not know the tables {} of this schema (a helpdesk of another version?)",
                odd.join(", ")
            )));
        }
        Ok(())
    }

    fn count(&self, table: &str) -> Result<i64> {
        Ok(self.conn().value(&format!("SELECT COUNT(*) FROM {table}"), &[])?.unwrap_or(0))
    }

    /// Run the transaction statement of this backend: `[sqlite, postgresql]`.
    fn batch(&self, [lite, pg]: [&str; 2]) -> Result<()> {
        match &self.db {
            Db::Lite(c) => c.execute_batch(lite)?,
            Db::Pg(p) => p.client().batch_execute(pg)?,
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_copy_knows_every_table_of_the_schema() {
        let store = crate::Store::open_in_memory().unwrap();
        store.check_tables().unwrap();
    }
}
