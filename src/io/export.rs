//! Export lists of items, contacts and accounts as CSV or JSON.

use super::csv_safe;
use crate::domain::{ItemRef, Kind, PartRef, Severity, Tier, fmt_ts};
use crate::stage::AnyStage;
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
    pub fn name(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }
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

/// Pretty JSON with every control character escaped (see [`crate::sanitize::json_escape`]).
fn json_pretty<T: Serialize>(v: &T, out: &mut dyn Write) -> Result<()> {
    let s = serde_json::to_string_pretty(v).map_err(|e| Error::invalid(e.to_string()))?;
    out.write_all(crate::sanitize::json_escape(s).as_bytes())?;
    Ok(())
}

fn csv_err(e: csv::Error) -> Error {
    Error::invalid(format!("csv: {e}"))
}

/// Text a spreadsheet opens without running it (see [`csv_safe`]).
fn safe<S: serde::Serializer>(v: &str, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&csv_safe(v))
}

fn safe_opt<S: serde::Serializer>(v: &Option<String>, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&csv_safe(v.as_deref().unwrap_or("")))
}

fn spaced<S: serde::Serializer>(v: &[String], s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&v.join(" "))
}

fn listed<S: serde::Serializer>(v: &[String], s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&csv_safe(&v.join("; ")))
}

/// One CSV row of an item list.
#[derive(Serialize)]
struct ItemCsv<'a> {
    id: ItemRef,
    kind: Kind,
    #[serde(serialize_with = "safe")]
    title: &'a str,
    stage: AnyStage,
    severity: Option<Severity>,
    part: Option<PartRef>,
    #[serde(serialize_with = "safe_opt")]
    account: &'a Option<String>,
    owner: &'a Option<String>,
    needs_response: bool,
    #[serde(serialize_with = "spaced")]
    tags: &'a [String],
    created_at: String,
    updated_at: String,
    messages: Option<usize>,
}

/// One CSV row of contacts; its header is what `import contacts` reads.
#[derive(Serialize, Default)]
struct ContactCsv {
    #[serde(rename = "Name", serialize_with = "safe")]
    name: String,
    #[serde(rename = "Email", serialize_with = "listed")]
    emails: Vec<String>,
    #[serde(rename = "Phone", serialize_with = "listed")]
    phones: Vec<String>,
    #[serde(rename = "External reference", serialize_with = "safe_opt")]
    external_ref: Option<String>,
    #[serde(rename = "Verified")]
    verified: bool,
    #[serde(rename = "Account", serialize_with = "safe")]
    account: String,
    #[serde(rename = "Tags", serialize_with = "spaced")]
    tags: Vec<String>,
}

/// One CSV row of accounts; its header is what `import accounts` reads.
#[derive(Serialize, Default)]
struct AccountCsv {
    #[serde(rename = "Name", serialize_with = "safe")]
    name: String,
    #[serde(rename = "Domains", serialize_with = "listed")]
    domains: Vec<String>,
    #[serde(rename = "Tier")]
    tier: Option<Tier>,
    #[serde(rename = "Description", serialize_with = "safe")]
    description: String,
    #[serde(rename = "Owner")]
    owner: Option<String>,
    #[serde(rename = "External reference", serialize_with = "safe_opt")]
    external_ref: Option<String>,
    #[serde(rename = "Tags", serialize_with = "spaced")]
    tags: Vec<String>,
}

/// The header serde writes for a row type.
fn header_of<T: Serialize + Default>() -> Vec<String> {
    let mut w = csv::Writer::from_writer(vec![]);
    let _ = w.serialize(T::default());
    let bytes = w.into_inner().unwrap_or_default();
    let mut r = csv::ReaderBuilder::new().has_headers(false).from_reader(bytes.as_slice());
    r.records().next().and_then(|h| h.ok()).map(|h| h.iter().map(String::from).collect()).unwrap_or_default()
}

/// The contact columns of export and import.
pub fn contact_columns() -> Vec<String> {
    header_of::<ContactCsv>()
}

/// The account columns of export and import.
pub fn account_columns() -> Vec<String> {
    header_of::<AccountCsv>()
}

/// Rows as CSV under their header (written even when there are no rows).
fn write_csv<T: Serialize>(
    header: Vec<String>,
    rows: impl IntoIterator<Item = Result<T>>,
    out: &mut dyn Write,
) -> Result<()> {
    let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(out);
    w.write_record(&header).map_err(csv_err)?;
    for row in rows {
        w.serialize(row?).map_err(csv_err)?;
    }
    w.flush()?;
    Ok(())
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
                    serde_json::to_string(&WithMessages { messages: r.messages(row.row, None)?, item: &item })
                } else {
                    serde_json::to_string(&item)
                }
                .map(crate::sanitize::json_escape)
                .map_err(|e| Error::invalid(e.to_string()))?;
                out.write_all(if n == 0 { b"\n" } else { b",\n" })?;
                out.write_all(v.as_bytes())?;
            }
            out.write_all(b"\n]\n")?;
        }
        Format::Csv => {
            let header = [
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
            ];
            let csv_rows = rows.iter().map(|row| {
                Ok(ItemCsv {
                    id: row.id,
                    kind: row.id.kind,
                    title: &row.title,
                    stage: row.stage,
                    severity: row.severity,
                    part: row.part,
                    account: &row.account,
                    owner: &row.owner,
                    needs_response: row.needs_response,
                    tags: &row.tags,
                    created_at: fmt_ts(row.created_at),
                    updated_at: fmt_ts(row.updated_at),
                    messages: if with_messages { Some(r.messages(row.row, None)?.len()) } else { None },
                })
            });
            write_csv(header.map(String::from).to_vec(), csv_rows, out)?;
        }
    }
    Ok(rows.len())
}

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
        Format::Json => json_pretty(&all, out)?,
        Format::Csv => {
            let rows = all.iter().map(|c| {
                let account = match c.account {
                    Some(a) => {
                        let acc = r.account(a.0)?;
                        acc.external_ref.unwrap_or(acc.name)
                    }
                    None => String::new(),
                };
                Ok(ContactCsv {
                    name: c.name.clone(),
                    emails: c.emails.clone(),
                    phones: c.phones.clone(),
                    external_ref: c.external_ref.clone(),
                    verified: c.verified,
                    account,
                    tags: c.tags.clone(),
                })
            });
            write_csv(contact_columns(), rows, out)?;
        }
    }
    Ok(all.len())
}

pub fn accounts(r: &Reader<'_>, format: Format, out: &mut dyn Write) -> Result<usize> {
    let all: Vec<Account> = r.accounts(usize::MAX >> 1)?;
    match format {
        Format::Json => json_pretty(&all, out)?,
        Format::Csv => {
            let rows = all.iter().map(|a| {
                Ok(AccountCsv {
                    name: a.name.clone(),
                    domains: a.domains.clone(),
                    tier: a.tier,
                    description: a.description.clone(),
                    owner: a.owner.clone(),
                    external_ref: a.external_ref.clone(),
                    tags: a.tags.clone(),
                })
            });
            write_csv(account_columns(), rows, out)?;
        }
    }
    Ok(all.len())
}
