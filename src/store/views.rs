//! Saved views: a list filter stored under a name.

use super::{ItemFilter, Reader, Writer};
use crate::{Error, Result};

impl Reader<'_> {
    pub fn views(&self) -> Result<Vec<(String, ItemFilter)>> {
        let rows: Vec<(String, String)> =
            self.c.rows("SELECT name, filter FROM saved_views ORDER BY name", &[], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let mut out = vec![];
        for (name, json) in rows {
            let f: ItemFilter = serde_json::from_str(&json).map_err(|e| Error::invalid(format!("view {name}: {e}")))?;
            out.push((name, f.with_kind_stages()));
        }
        Ok(out)
    }

    pub fn view(&self, name: &str) -> Result<ItemFilter> {
        let json: String = self
            .c
            .value("SELECT filter FROM saved_views WHERE name = ?1", &[&name])?
            .ok_or_else(|| Error::not_found(format!("view '{name}'")))?;
        let f: ItemFilter = serde_json::from_str(&json).map_err(|e| Error::invalid(format!("view {name}: {e}")))?;
        Ok(f.with_kind_stages())
    }
}

impl Writer<'_> {
    /// Save (or replace) a named view.
    pub fn save_view(&self, name: &str, f: &ItemFilter) -> Result<()> {
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::invalid("a view needs a name"));
        }
        let json = serde_json::to_string(f).map_err(|e| Error::invalid(e.to_string()))?;
        let kind = f.kind.map(|k| k.as_str()).unwrap_or("any");
        self.c.execute(
            "INSERT INTO saved_views(name, kind, filter) VALUES (?1, ?2, ?3)
             ON CONFLICT(name) DO UPDATE SET kind = excluded.kind, filter = excluded.filter",
            &[&name, &kind, &json],
        )?;
        Ok(())
    }
}
