//! `db copy`: the help desk into another database, SQLite or PostgreSQL, with the counts of every table.

use super::{open, out};
use anyhow::{Result, bail};
use std::path::Path;
use std::process::ExitCode;

pub fn copy(from: &Path, to: &Path, json: bool) -> Result<ExitCode> {
    let shown = |p: &Path| helpdesk::store::shown_location(&p.to_string_lossy());
    let same = match (std::fs::canonicalize(from), std::fs::canonicalize(to)) {
        (Ok(a), Ok(b)) => a == b,
        _ => from == to,
    };
    if same {
        bail!("{} is the database being copied: name another one with --to", shown(to));
    }
    let source = open(from)?;
    let target = open(to)?;
    let copied = source.copy_to(&target)?;
    let total: i64 = copied.iter().map(|c| c.rows).sum();
    if json {
        let tables: serde_json::Map<_, _> = copied.iter().map(|c| (c.table.to_string(), c.rows.into())).collect();
        out::json(&serde_json::json!({"from": shown(from), "to": shown(to), "tables": tables, "rows": total}))?;
    } else {
        println!("copied {} to {} (rows per table, the same in both):", shown(from), shown(to));
        for c in &copied {
            println!("  {:<20} {:>10}", c.table, c.rows);
        }
        println!("  {:<20} {:>10}", "total", total);
    }
    Ok(ExitCode::SUCCESS)
}
