//! Accounts and contacts, and the tags of any record.

use super::{Reader, Writer};
use crate::domain::{AccountId, ContactId, RecordKind, TagTarget, Tier, parse_record_id};
use crate::{Error, Result};
use serde::Serialize;

#[derive(Debug, Clone, Default, Serialize)]
pub struct Account {
    pub id: AccountId,
    #[serde(skip)]
    pub row: i64,
    pub name: String,
    pub domains: Vec<String>,
    pub tier: Option<Tier>,
    pub description: String,
    pub owner: Option<String>,
    pub tags: Vec<String>,
    pub external_ref: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Default)]
pub struct NewAccount {
    pub name: String,
    pub domains: Vec<String>,
    pub tier: Option<Tier>,
    pub description: String,
    pub owner: Option<String>,
    pub tags: Vec<String>,
    pub external_ref: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Contact {
    pub id: ContactId,
    #[serde(skip)]
    pub row: i64,
    pub name: String,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub external_ref: Option<String>,
    pub verified: bool,
    pub account: Option<AccountId>,
    pub account_name: Option<String>,
    pub tags: Vec<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Default)]
pub struct NewContact {
    pub name: String,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub external_ref: Option<String>,
    pub verified: bool,
    pub account_row: Option<i64>,
    pub tags: Vec<String>,
}

impl Reader<'_> {
    pub fn account(&self, row: i64) -> Result<Account> {
        let mut a = self
            .c
            .row(
                "SELECT a.id, a.name, a.tier, a.description, m.login, a.external_ref, a.created_at, a.updated_at
                 FROM accounts a LEFT JOIN members m ON m.id = a.owner_id WHERE a.id = ?1",
                &[&row],
                |r| {
                    Ok(Account {
                        row: r.get("id")?,
                        id: r.get("id")?,
                        name: r.get("name")?,
                        tier: r.get("tier")?,
                        description: r.get("description")?,
                        owner: r.get("login")?,
                        external_ref: r.get("external_ref")?,
                        created_at: r.get("created_at")?,
                        updated_at: r.get("updated_at")?,
                        ..Default::default()
                    })
                },
            )?
            .ok_or_else(|| Error::not_found(format!("account ACC-{row}")))?;
        a.domains = self.strings("SELECT domain FROM account_domains WHERE account_id = ?1 ORDER BY domain", row)?;
        a.tags = self.tags_of(TagTarget::Account, row)?;
        Ok(a)
    }

    pub fn accounts(&self, limit: usize) -> Result<Vec<Account>> {
        let rows = self.ids("SELECT id FROM accounts ORDER BY lower(name), id LIMIT ?1", limit as i64)?;
        rows.into_iter().map(|r| self.account(r)).collect()
    }

    /// An account by external reference, domain, `ACC-n` or exact name (in that order: an external reference may
    /// look like a display id).
    pub fn account_row(&self, s: &str) -> Result<i64> {
        let s = s.trim();
        let by_ref: Option<i64> = self.c.value(
            "SELECT id FROM accounts WHERE external_ref = ?1
             UNION ALL SELECT account_id FROM account_domains WHERE domain = lower(?1) LIMIT 1",
            &[&s],
        )?;
        if let Some(id) = by_ref {
            return Ok(id);
        }
        if let Ok((_, n)) = parse_record_id(s, &[RecordKind::Account]) {
            let hit: Option<i64> = self.c.value("SELECT id FROM accounts WHERE id = ?1", &[&n])?;
            return hit.ok_or_else(|| Error::not_found(format!("account '{s}'")));
        }
        let hit: Option<i64> =
            self.c.value("SELECT id FROM accounts WHERE lower(name) = lower(?1) ORDER BY id LIMIT 1", &[&s])?;
        hit.ok_or_else(|| Error::not_found(format!("account '{s}'")))
    }

    /// How many accounts have this name (any case).
    pub fn accounts_named(&self, name: &str) -> Result<i64> {
        self.c.one("SELECT COUNT(*) FROM accounts WHERE lower(name) = lower(?1)", &[&name.trim()], |r| r.get(0))
    }

    pub fn account_by_domain(&self, domain: &str) -> Result<Option<i64>> {
        self.c.value("SELECT account_id FROM account_domains WHERE domain = ?1", &[&domain.to_ascii_lowercase()])
    }

    /// The contact with this email: its row, account and name, in one lookup.
    pub fn contact_and_account_by_email(&self, email: &str) -> Result<Option<(i64, Option<i64>, String)>> {
        self.c.row(
            "SELECT e.contact_id, c.account_id, c.name FROM contact_emails e JOIN contacts c ON c.id = e.contact_id
             WHERE e.email = ?1",
            &[&email.to_lowercase()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
    }

    /// The login of an account's owner, if it has one.
    pub fn account_owner(&self, row: i64) -> Result<Option<String>> {
        self.c.value("SELECT m.login FROM accounts a JOIN members m ON m.id = a.owner_id WHERE a.id = ?1", &[&row])
    }

    /// Which of the given tags a record carries.
    pub fn tags_among(&self, target: TagTarget, id: i64, wanted: &[&str]) -> Result<Vec<String>> {
        let tags: Vec<String> =
            self.c.rows("SELECT tag FROM tags WHERE target = ?1 AND target_id = ?2", &[&target, &id], |r| r.get(0))?;
        Ok(tags.into_iter().filter(|t| wanted.contains(&t.as_str())).collect())
    }

    pub fn contact(&self, row: i64) -> Result<Contact> {
        let mut c = self
            .c
            .row(
                "SELECT c.id, c.name, c.phones, c.external_ref, c.verified, c.account_id, a.name AS account_name,
                        c.created_at, c.updated_at
                 FROM contacts c LEFT JOIN accounts a ON a.id = c.account_id WHERE c.id = ?1",
                &[&row],
                |r| {
                    let phones: String = r.get("phones")?;
                    Ok(Contact {
                        row: r.get("id")?,
                        id: r.get("id")?,
                        name: r.get("name")?,
                        phones: phones.split('\n').filter(|p| !p.is_empty()).map(String::from).collect(),
                        external_ref: r.get("external_ref")?,
                        verified: r.get("verified")?,
                        account: r.get("account_id")?,
                        account_name: r.get("account_name")?,
                        created_at: r.get("created_at")?,
                        updated_at: r.get("updated_at")?,
                        ..Default::default()
                    })
                },
            )?
            .ok_or_else(|| Error::not_found(format!("contact CONT-{row}")))?;
        c.emails =
            self.strings("SELECT email FROM contact_emails WHERE contact_id = ?1 ORDER BY position, email", row)?;
        c.tags = self.tags_of(TagTarget::Contact, row)?;
        Ok(c)
    }

    /// Contacts in id order, starting after `after` (keyset), optionally of one account.
    pub fn contacts(&self, account: Option<i64>, after: i64, limit: usize) -> Result<Vec<Contact>> {
        let ids: Vec<i64> = self.c.rows(
            "SELECT id FROM contacts WHERE id > ?1 AND (?2 IS NULL OR account_id = ?2) ORDER BY id LIMIT ?3",
            &[&after, &account, &(limit as i64)],
            |r| r.get(0),
        )?;
        ids.into_iter().map(|r| self.contact(r)).collect()
    }

    /// A contact by external reference, email or `CONT-n`.
    pub fn contact_row(&self, s: &str) -> Result<i64> {
        let s = s.trim();
        if let Some(c) = self.contact_by_ref_or_email(Some(s), Some(s))? {
            return Ok(c);
        }
        let (_, n) =
            parse_record_id(s, &[RecordKind::Contact]).map_err(|_| Error::not_found(format!("contact '{s}'")))?;
        let hit: Option<i64> = self.c.value("SELECT id FROM contacts WHERE id = ?1", &[&n])?;
        hit.ok_or_else(|| Error::not_found(format!("contact '{s}'")))
    }

    pub fn contact_by_ref_or_email(&self, ext: Option<&str>, email: Option<&str>) -> Result<Option<i64>> {
        if let Some(e) = ext.filter(|e| !e.is_empty()) {
            let hit: Option<i64> = self.c.value("SELECT id FROM contacts WHERE external_ref = ?1", &[&e])?;
            if hit.is_some() {
                return Ok(hit);
            }
        }
        match email.filter(|e| !e.is_empty()) {
            Some(e) => self.c.value("SELECT contact_id FROM contact_emails WHERE email = ?1", &[&e.to_lowercase()]),
            None => Ok(None),
        }
    }

    pub fn tags_of(&self, target: TagTarget, id: i64) -> Result<Vec<String>> {
        self.c.rows("SELECT tag FROM tags WHERE target = ?1 AND target_id = ?2 ORDER BY tag", &[&target, &id], |r| {
            r.get(0)
        })
    }

    pub fn has_tag(&self, target: TagTarget, id: i64, tag: &str) -> Result<bool> {
        Ok(self
            .c
            .value::<i64>(
                "SELECT 1 FROM tags WHERE target = ?1 AND target_id = ?2 AND tag = ?3",
                &[&target, &id, &tag],
            )?
            .is_some())
    }

    pub(super) fn strings(&self, sql: &str, id: i64) -> Result<Vec<String>> {
        self.c.rows(sql, &[&id], |r| r.get(0))
    }

    pub(super) fn ids(&self, sql: &str, arg: i64) -> Result<Vec<i64>> {
        self.c.rows(sql, &[&arg], |r| r.get(0))
    }
}

impl Writer<'_> {
    pub fn add_account(&self, a: &NewAccount, at: i64) -> Result<i64> {
        if a.name.trim().is_empty() {
            return Err(Error::invalid("an account needs a name"));
        }
        let owner = a.owner.as_deref().map(|o| self.member_row(o)).transpose()?;
        let row: i64 = self
            .c
            .insert_id(
                "INSERT INTO accounts(name, tier, description, owner_id, external_ref, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                &[&a.name.trim(), &a.tier, &a.description, &owner, &a.external_ref, &at],
            )
            .map_err(|e| unique_err(e, "an account with that external reference exists already"))?;
        for d in &a.domains {
            self.add_account_domain(row, d)?;
        }
        for t in &a.tags {
            self.tag(TagTarget::Account, row, t)?;
        }
        Ok(row)
    }

    pub fn add_account_domain(&self, account: i64, domain: &str) -> Result<()> {
        let d = domain.trim().to_ascii_lowercase();
        if d.is_empty() || !d.contains('.') {
            return Err(Error::invalid(format!("'{domain}' is not a domain")));
        }
        self.c
            .execute("INSERT INTO account_domains(domain, account_id) VALUES (?1, ?2)", &[&d, &account])
            .map_err(|e| unique_err(e, &format!("domain {d} belongs to another account already")))?;
        // Contacts at this domain that have no account yet belong to it (a participant of a thread before the
        // domain's first mail of its own, a contact made before the account), and so do their items that have none.
        let at = format!("%@{}", d.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        self.c.execute(
            "UPDATE contacts SET account_id = ?2 WHERE account_id IS NULL
               AND id IN (SELECT contact_id FROM contact_emails WHERE email LIKE ?1 ESCAPE '\\')",
            &[&at, &account],
        )?;
        self.items_join_account(account)
    }

    /// A contact without an account joins this one, with their items that have none (their domain's account).
    pub fn join_account(&self, contact: i64, account: i64) -> Result<()> {
        self.c.execute(
            "UPDATE contacts SET account_id = ?2 WHERE id = ?1 AND account_id IS NULL",
            &[&contact, &account],
        )?;
        self.items_join_account(account)
    }

    /// Items without an account take their contact's, when that is this one.
    fn items_join_account(&self, account: i64) -> Result<()> {
        self.c.execute(
            "UPDATE items SET account_id = ?1, known = 1 WHERE account_id IS NULL
               AND contact_id IN (SELECT id FROM contacts WHERE account_id = ?1)",
            &[&account],
        )?;
        Ok(())
    }

    /// A contact named after their address (mail without a display name) takes the name later mail gives, unless
    /// their name changed meanwhile (an edit, an import).
    pub fn name_contact_from_mail(&self, contact: i64, placeholder: &str, name: &str, at: i64) -> Result<()> {
        self.c.execute(
            "UPDATE contacts SET name = ?3, updated_at = ?4 WHERE id = ?1 AND name = ?2",
            &[&contact, &placeholder, &name, &at],
        )?;
        Ok(())
    }

    pub fn add_contact(&self, c: &NewContact, at: i64) -> Result<i64> {
        if c.name.trim().is_empty() && c.emails.is_empty() {
            return Err(Error::invalid("a contact needs a name or an email"));
        }
        let row: i64 = self
            .c
            .insert_id(
                "INSERT INTO contacts(name, external_ref, verified, account_id, phones, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                &[&c.name.trim(), &c.external_ref, &c.verified, &c.account_row, &c.phones.join("\n"), &at],
            )
            .map_err(|e| unique_err(e, "a contact with that external reference exists already"))?;
        for (i, e) in c.emails.iter().enumerate() {
            self.c
                .execute(
                    "INSERT INTO contact_emails(email, contact_id, position) VALUES (?1, ?2, ?3)",
                    &[&e.trim().to_lowercase(), &row, &(i as i64)],
                )
                .map_err(|err| unique_err(err, &format!("email {e} belongs to another contact already")))?;
        }
        for t in &c.tags {
            self.tag(TagTarget::Contact, row, t)?;
        }
        Ok(row)
    }

    pub fn tag(&self, target: TagTarget, id: i64, tag: &str) -> Result<bool> {
        let tag = crate::domain::normalise_tag(tag)?;
        let n = self.c.execute(
            "INSERT INTO tags(target, target_id, tag) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
            &[&target, &id, &tag],
        )?;
        Ok(n > 0)
    }

    pub fn untag(&self, target: TagTarget, id: i64, tag: &str) -> Result<bool> {
        let n = self.c.execute(
            "DELETE FROM tags WHERE target = ?1 AND target_id = ?2 AND tag = ?3",
            &[&target, &id, &tag.trim().to_lowercase()],
        )?;
        Ok(n > 0)
    }
}

/// A unique key taken becomes `msg`; any other error stays.
pub(super) fn unique_err(e: Error, msg: &str) -> Error {
    let taken = match &e {
        Error::Db(rusqlite::Error::SqliteFailure(f, _)) => matches!(
            f.extended_code,
            rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
        ),
        Error::Pg(p) => p.code() == Some(&postgres::error::SqlState::UNIQUE_VIOLATION),
        _ => false,
    };
    if taken { Error::invalid(msg) } else { e }
}
