//! Export lists of items, contacts and accounts as CSV or JSON.

use super::csv_safe;
use crate::domain::fmt_ts;
use crate::store::{Account, Contact, Item, ItemFilter, Message, Reader};
use crate::{Error, Result};
use serde::Serialize;
use std::io::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
}

impl Format {
    pub fn parse(s: &str) -> Result<Format> {
        match s.to_ascii_lowercase().as_str() {
            "csv" => Ok(Format::Csv),
            "json" => Ok(Format::Json),
            _ => Err(Error::invalid(format!("format '{s}': use csv or json"))),
        }
    }
}

#[derive(Serialize)]
struct WithMessages<'a> {
    #[serde(flatten)]
    item: &'a Item,
    messages: Vec<Message>,
}

fn csv_err(e: csv::Error) -> Error {
    Error::invalid(format!("csv: {e}"))
}

/// Export the items a filter selects. Returns how many were written.
pub fn items(
    r: &Reader<'_>,
    f: &ItemFilter,
    format: Format,
    with_messages: bool,
    out: &mut dyn Write,
) -> Result<usize> {
    let rows = r.list_all(f, usize::MAX >> 1)?;
    match format {
        Format::Json => {
            out.write_all(b"[")?;
            for (n, row) in rows.iter().enumerate() {
                let item = r.item_by_row(row.row)?;
                let v = if with_messages {
                    serde_json::to_vec(&WithMessages { messages: r.messages(row.row, None)?, item: &item })
                } else {
                    serde_json::to_vec(&item)
                }
                .map_err(|e| Error::invalid(e.to_string()))?;
                out.write_all(if n == 0 { b"\n" } else { b",\n" })?;
                out.write_all(&v)?;
            }
            out.write_all(b"\n]\n")?;
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record([
                "id",
                "kind",
                "title",
                "stage",
                "severity",
                "part",
                "account",
                "owner",
                "needs_response",
                "tags",
                "created_at",
                "updated_at",
                "messages",
            ])
            .map_err(csv_err)?;
            for row in &rows {
                let count = if with_messages { r.messages(row.row, None)?.len().to_string() } else { String::new() };
                w.write_record([
                    row.id.to_string(),
                    row.id.kind.as_str().to_string(),
                    csv_safe(&row.title),
                    row.stage.clone(),
                    row.severity.clone().unwrap_or_default(),
                    row.part.clone().unwrap_or_default(),
                    csv_safe(row.account.as_deref().unwrap_or("")),
                    row.owner.clone().unwrap_or_default(),
                    row.needs_response.to_string(),
                    row.tags.join(" "),
                    fmt_ts(row.created_at),
                    fmt_ts(row.updated_at),
                    count,
                ])
                .map_err(csv_err)?;
            }
            w.flush()?;
        }
    }
    Ok(rows.len())
}

/// The CSV header of contacts, shared with import so that export → import round-trips.
pub const CONTACT_COLUMNS: [&str; 7] = ["Name", "Email", "Phone", "External reference", "Verified", "Account", "Tags"];
pub const ACCOUNT_COLUMNS: [&str; 7] =
    ["Name", "Domains", "Tier", "Description", "Owner", "External reference", "Tags"];

pub fn contacts(r: &Reader<'_>, format: Format, out: &mut dyn Write) -> Result<usize> {
    let mut all: Vec<Contact> = vec![];
    let mut after = 0;
    loop {
        let page = r.contacts(None, after, 1000)?;
        let Some(last) = page.last() else { break };
        after = last.row;
        all.extend(page);
    }
    match format {
        Format::Json => serde_json::to_writer_pretty(&mut *out, &all).map_err(|e| Error::invalid(e.to_string()))?,
        Format::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(CONTACT_COLUMNS).map_err(csv_err)?;
            for c in &all {
                let account = match c.account.as_deref().and_then(|a| a.trim_start_matches("ACC-").parse::<i64>().ok())
                {
                    Some(a) => {
                        let acc = r.account(a)?;
                        acc.external_ref.unwrap_or(acc.name)
                    }
                    None => String::new(),
                };
                w.write_record([
                    csv_safe(&c.name),
                    c.emails.join("; "),
                    csv_safe(&c.phones.join("; ")),
                    csv_safe(c.external_ref.as_deref().unwrap_or("")),
                    c.verified.to_string(),
                    csv_safe(&account),
                    c.tags.join(" "),
                ])
                .map_err(csv_err)?;
            }
            w.flush()?;
        }
    }
    Ok(all.len())
}

pub fn accounts(r: &Reader<'_>, format: Format, out: &mut dyn Write) -> Result<usize> {
    let all: Vec<Account> = r.accounts(usize::MAX >> 1)?;
    match format {
        Format::Json => serde_json::to_writer_pretty(&mut *out, &all).map_err(|e| Error::invalid(e.to_string()))?,
        Format::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(ACCOUNT_COLUMNS).map_err(csv_err)?;
            for a in &all {
                w.write_record([
                    csv_safe(&a.name),
                    a.domains.join("; "),
                    a.tier.clone().unwrap_or_default(),
                    csv_safe(&a.description),
                    a.owner.clone().unwrap_or_default(),
                    csv_safe(a.external_ref.as_deref().unwrap_or("")),
                    a.tags.join(" "),
                ])
                .map_err(csv_err)?;
            }
            w.flush()?;
        }
    }
    Ok(all.len())
}
