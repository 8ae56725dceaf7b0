//! CSV import of contacts and accounts: every row validated, good rows imported in one transaction, bad rows reported
//! with their line number and reason, existing records (same external reference, else same email or name) updated.

use super::csv_unsafe;
use super::export::{account_columns, contact_columns};
use crate::domain::{Tier, valid_email};
use crate::store::{NewAccount, NewContact, Writer};
use crate::{Error, Result, Store};
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Contacts,
    Accounts,
}

#[derive(Debug, Clone, Serialize)]
pub struct RowError {
    pub line: u64,
    pub reason: String,
    #[serde(skip)]
    pub fields: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub imported: usize,
    pub updated: usize,
    pub rejected: usize,
    pub errors: Vec<RowError>,
    #[serde(skip)]
    pub header: Vec<String>,
    pub dry_run: bool,
}

/// Our columns, in order, with the header names other help desks and CRMs use for them.
fn aliases(t: Target) -> &'static [(&'static str, &'static [&'static str])] {
    match t {
        Target::Contacts => &[
            ("name", &["name", "fullname", "contactname", "displayname", "contact", "customername"]),
            ("first", &["firstname", "givenname", "forename"]),
            ("last", &["lastname", "surname", "familyname"]),
            ("email", &["email", "emailaddress", "emails", "mail", "primaryemail", "workemail", "emailaddresses"]),
            ("phone", &["phone", "phones", "phonenumber", "mobile", "mobilephone", "telephone", "workphone"]),
            (
                "external_ref",
                &[
                    "externalreference",
                    "externalref",
                    "externalid",
                    "customerid",
                    "contactid",
                    "reference",
                    "ref",
                    "uniqueexternalid",
                ],
            ),
            ("verified", &["verified", "isverified", "emailverified"]),
            ("account", &["account", "company", "companyname", "organization", "organisation", "accountname", "org"]),
            ("tags", &["tags", "labels", "tag"]),
        ],
        Target::Accounts => &[
            ("name", &["name", "accountname", "company", "companyname", "organization", "organisation"]),
            ("domains", &["domains", "domain", "website", "domainnames"]),
            ("tier", &["tier", "plan", "level"]),
            ("description", &["description", "notes", "about"]),
            ("owner", &["owner", "accountowner", "manager"]),
            ("external_ref", &["externalreference", "externalref", "externalid", "accountid", "reference", "ref"]),
            ("tags", &["tags", "labels", "tag"]),
        ],
    }
}

fn norm(h: &str) -> String {
    h.chars().filter(|c| c.is_alphanumeric()).collect::<String>().to_lowercase()
}

/// A sample file: the header, then a row saying which columns are mandatory.
pub fn sample(t: Target) -> String {
    let (cols, mandatory) = match t {
        Target::Contacts => (contact_columns(), "Email"),
        Target::Accounts => (account_columns(), "Name"),
    };
    let marks: Vec<&str> = cols.iter().map(|c| if *c == mandatory { "mandatory" } else { "optional" }).collect();
    let example = match t {
        Target::Contacts => "Ada Lovelace,ada@example.org,+44 20 7946 0000,crm-0001,true,Acme Ltd,power-user",
        Target::Accounts => {
            "Acme Ltd,acme.example; acme.test,premium,Pays by invoice,alice,acc-0001,priority/escalated"
        }
    };
    format!("{}\n{}\n{}\n", cols.join(","), marks.join(","), example)
}

/// Parse, validate and import a CSV file. Bad rows are collected with their line numbers; good rows go in one
/// transaction (rolled back with `dry_run`).
pub fn import(store: &mut Store, bytes: &[u8], t: Target, dry_run: bool) -> Result<Report> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Error::invalid("the file is empty: no header and no rows"));
    }
    let mut rdr = csv::ReaderBuilder::new().flexible(true).has_headers(false).from_reader(bytes);
    let mut records = rdr.byte_records();
    let header_rec = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => return Err(Error::invalid(format!("line 1: cannot read the header: {e}"))),
        None => return Err(Error::invalid("the file is empty: no header")),
    };
    let header: Vec<String> = header_rec.iter().map(|f| String::from_utf8_lossy(f).trim().to_string()).collect();
    let mut col: HashMap<&str, usize> = HashMap::new();
    for (i, h) in header.iter().enumerate() {
        let n = norm(h);
        if let Some((ours, _)) = aliases(t)
            .iter()
            .find(|(ours, al)| !col.contains_key(ours) && (norm(ours) == n || al.contains(&n.as_str())))
        {
            col.insert(ours, i);
        }
    }
    let required = if t == Target::Contacts { "email" } else { "name" };
    if !col.contains_key(required) {
        return Err(Error::invalid(format!(
            "line 1: no {required} column (the header has: {}); `helpdesk import {} --sample` shows the expected columns",
            header.join(", "),
            if t == Target::Contacts { "contacts" } else { "accounts" }
        )));
    }
    let mut report = Report { header: header.clone(), dry_run, ..Default::default() };
    let mut good: Vec<(u64, Vec<String>)> = vec![];
    let mut seen_ref: HashMap<String, u64> = HashMap::new();
    let mut seen_key: HashMap<String, u64> = HashMap::new();
    let mut rows = 0;
    let mut lines = LineCounter { bytes, at: 0, line: 1 };
    for rec in records {
        let (line, fields) = match rec {
            Ok(r) => {
                let line = r.position().map(|p| lines.line_at(p.byte())).unwrap_or(0);
                let fields: std::result::Result<Vec<String>, usize> = r
                    .iter()
                    .enumerate()
                    .map(|(i, f)| {
                        String::from_utf8(f.to_vec()).map(|s| csv_unsafe(s.trim()).to_string()).map_err(|_| i)
                    })
                    .collect();
                match fields {
                    Ok(f) => (line, f),
                    Err(i) => {
                        let raw: Vec<String> = r.iter().map(|f| String::from_utf8_lossy(f).to_string()).collect();
                        reject(
                            &mut report,
                            line,
                            format!(
                                "column {} ({}) is not valid UTF-8",
                                i + 1,
                                header.get(i).map(String::as_str).unwrap_or("?")
                            ),
                            raw,
                        );
                        rows += 1;
                        continue;
                    }
                }
            }
            Err(e) => {
                let line = e.position().map(|p| lines.line_at(p.byte())).unwrap_or(0);
                reject(&mut report, line, format!("unreadable CSV: {e}"), vec![]);
                rows += 1;
                continue;
            }
        };
        rows += 1;
        if fields.iter().all(|f| f.is_empty()) && fields.len() <= 1 {
            rows -= 1;
            continue;
        }
        if fields.len() != header.len() {
            reject(&mut report, line, format!("has {} fields, the header has {}", fields.len(), header.len()), fields);
            continue;
        }
        let row = Fields { col: &col, fields: &fields };
        let ext = row.get("external_ref").to_string();
        let key = if t == Target::Contacts { row.get("email").to_lowercase() } else { row.get("name").to_lowercase() };
        let problem = if let Some(first) = seen_ref.get(&ext).filter(|_| !ext.is_empty()) {
            Some(format!("external reference {ext} appears on line {first} already"))
        } else if let Some(first) = seen_key.get(&key).filter(|_| ext.is_empty() && !key.is_empty()) {
            Some(format!("{key} appears on line {first} already"))
        } else {
            validate(t, &row).err()
        };
        if let Some(reason) = problem {
            reject(&mut report, line, reason, fields.clone());
            continue;
        }
        if !ext.is_empty() {
            seen_ref.insert(ext.clone(), line);
        }
        if !key.is_empty() {
            seen_key.insert(key, line);
        }
        good.push((line, fields));
    }
    if rows == 0 {
        return Err(Error::invalid("the file has a header but no rows"));
    }
    let now = crate::now();
    let apply = |w: &Writer<'_>| -> Result<(usize, usize, Vec<RowError>)> {
        let (mut new, mut upd, mut errs) = (0, 0, vec![]);
        for (line, fields) in &good {
            match apply_row(w, t, &Fields { col: &col, fields }, now) {
                Ok(true) => new += 1,
                Ok(false) => upd += 1,
                Err(e) => errs.push(RowError { line: *line, reason: e.to_string(), fields: fields.clone() }),
            }
        }
        Ok((new, upd, errs))
    };
    let (new, upd, errs) = if dry_run { store.dry_run(apply)? } else { store.write(apply)? };
    report.imported = new;
    report.updated = upd;
    for e in errs {
        reject(&mut report, e.line, e.reason, e.fields);
    }
    report.errors.sort_by_key(|e| e.line);
    Ok(report)
}

/// Line numbers from byte offsets (csv's own line count drifts on CRLF files); offsets only grow.
struct LineCounter<'a> {
    bytes: &'a [u8],
    at: usize,
    line: u64,
}

impl LineCounter<'_> {
    fn line_at(&mut self, offset: u64) -> u64 {
        let mut off = (offset as usize).min(self.bytes.len());
        while off < self.bytes.len() && matches!(self.bytes[off], b'\r' | b'\n') {
            off += 1;
        }
        if off >= self.at {
            self.line += self.bytes[self.at..off].iter().filter(|&&b| b == b'\n').count() as u64;
            self.at = off;
        }
        self.line
    }
}

/// One row's fields, looked up by our column names.
struct Fields<'a> {
    col: &'a HashMap<&'static str, usize>,
    fields: &'a [String],
}

impl Fields<'_> {
    fn get(&self, k: &str) -> &str {
        self.col.get(k).and_then(|i| self.fields.get(*i)).map(String::as_str).unwrap_or("")
    }
}

fn reject(r: &mut Report, line: u64, reason: String, fields: Vec<String>) {
    r.rejected += 1;
    r.errors.push(RowError { line, reason, fields });
}

fn list(s: &str) -> Vec<String> {
    s.split([';', '\n', '|']).map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect()
}

fn parse_bool(s: &str) -> std::result::Result<bool, String> {
    match s.trim().to_lowercase().as_str() {
        "" | "false" | "no" | "0" | "n" => Ok(false),
        "true" | "yes" | "1" | "y" => Ok(true),
        x => Err(format!("verified must be true or false, not '{x}'")),
    }
}

fn validate(t: Target, row: &Fields<'_>) -> std::result::Result<(), String> {
    let get = |k| row.get(k);
    match t {
        Target::Contacts => {
            let emails = list(get("email"));
            if emails.is_empty() {
                return Err("email is mandatory and empty".into());
            }
            if let Some(bad) = emails.iter().find(|e| !valid_email(e)) {
                return Err(format!("'{bad}' is not an email address"));
            }
            parse_bool(get("verified"))?;
        }
        Target::Accounts => {
            if get("name").is_empty() {
                return Err("name is mandatory and empty".into());
            }
            if !get("tier").is_empty() {
                Tier::parse(get("tier")).map_err(|e| e.to_string())?;
            }
            if let Some(bad) = list(get("domains")).iter().find(|d| !d.contains('.') || d.contains(char::is_whitespace))
            {
                return Err(format!("'{bad}' is not a domain"));
            }
        }
    }
    Ok(())
}

/// Import one validated row; true when a record was created, false when one was updated.
fn apply_row(w: &Writer<'_>, t: Target, row: &Fields<'_>, now: i64) -> Result<bool> {
    let get = |k| row.get(k);
    let ext = Some(get("external_ref")).filter(|e| !e.is_empty()).map(String::from);
    let tags: Vec<String> = get("tags").split([' ', ';', ',']).filter(|x| !x.is_empty()).map(String::from).collect();
    match t {
        Target::Contacts => {
            let emails = list(get("email"));
            let account_row = match get("account") {
                "" => None,
                a => Some(w.account_row(a).map_err(|_| Error::invalid(format!("unknown account '{a}'")))?),
            };
            let name = match (get("name"), get("first"), get("last")) {
                ("", f, l) if !(f.is_empty() && l.is_empty()) => format!("{f} {l}").trim().to_string(),
                (n, _, _) => n.to_string(),
            };
            let c = NewContact {
                name: if name.is_empty() { emails[0].split('@').next().unwrap_or("").to_string() } else { name },
                emails: emails.clone(),
                phones: list(get("phone")),
                external_ref: ext.clone(),
                verified: parse_bool(get("verified")).map_err(Error::Invalid)?,
                account_row,
                tags,
            };
            match w.contact_by_ref_or_email(ext.as_deref(), ext.is_none().then(|| emails[0].as_str()))? {
                Some(row) => w.update_contact(row, &c, now).map(|_| false),
                None => {
                    if let Some(other) = w.contact_by_ref_or_email(None, Some(&emails[0]))? {
                        return Err(Error::invalid(format!(
                            "email {} belongs to CONT-{other}, which has another external reference",
                            emails[0]
                        )));
                    }
                    w.add_contact(&c, now).map(|_| true)
                }
            }
        }
        Target::Accounts => {
            let owner = Some(get("owner")).filter(|o| !o.is_empty()).map(String::from);
            if let Some(o) = &owner {
                w.member_row(o).map_err(|_| Error::invalid(format!("unknown owner '{o}' (not a member)")))?;
            }
            let a = NewAccount {
                name: get("name").to_string(),
                domains: list(get("domains"))
                    .iter()
                    .map(|d| {
                        d.trim_start_matches("https://")
                            .trim_start_matches("http://")
                            .trim_start_matches("www.")
                            .trim_end_matches('/')
                            .to_lowercase()
                    })
                    .collect(),
                tier: Some(get("tier")).filter(|x| !x.is_empty()).map(Tier::parse).transpose()?,
                description: get("description").to_string(),
                owner,
                tags,
                external_ref: ext.clone(),
            };
            let existing = match &ext {
                Some(e) => w.account_by_ref(e)?,
                None => w.account_row(&a.name).ok(),
            };
            match existing {
                Some(row) => w.update_account(row, &a, now).map(|_| false),
                None => w.add_account(&a, now).map(|_| true),
            }
        }
    }
}

/// Write rejected rows, with a `reason` column, so they can be fixed and imported again. Every field of a row is
/// kept (extra columns get `extra N` headers) and every cell is made safe for a spreadsheet.
pub fn write_errors(r: &Report, out: &mut dyn std::io::Write) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let width = r.errors.iter().map(|e| e.fields.len()).max().unwrap_or(0).max(r.header.len());
    let mut header: Vec<String> = r.header.iter().map(|h| super::csv_safe(h)).collect();
    header.extend((r.header.len()..width).map(|i| format!("extra {}", i + 1 - r.header.len())));
    header.push("reason".into());
    w.write_record(&header).map_err(|e| Error::invalid(e.to_string()))?;
    for e in &r.errors {
        let mut f: Vec<String> = e.fields.iter().map(|c| super::csv_safe(c)).collect();
        f.resize(width, String::new());
        f.push(super::csv_safe(&format!("line {}: {}", e.line, e.reason)));
        w.write_record(&f).map_err(|e| Error::invalid(e.to_string()))?;
    }
    w.flush()?;
    Ok(())
}
