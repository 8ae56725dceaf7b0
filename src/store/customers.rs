//! Customer records in bulk: list pages of contacts and accounts, and the updates imports and edits make.

use super::records::{Account, Contact, NewAccount, NewContact};
use super::{Reader, Writer};
use crate::domain::TagTarget;
use crate::{Error, Result};
use std::borrow::Cow;

/// What a hand edit of a contact changes: fields left `None` stay; emails, phones and tags are added.
#[derive(Debug, Clone, Default)]
pub struct ContactEdit {
    pub name: Option<String>,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub account_row: Option<i64>,
    pub external_ref: Option<String>,
    pub verified: Option<bool>,
    pub tags: Vec<String>,
}

impl Reader<'_> {
    /// A page of contacts in id order for a list view: after `after`, or with `before` the page ending before it
    /// (`after = None, before = true` is the last page). `text` matches name, email or external reference.
    pub fn contact_page(
        &self,
        text: Option<&str>,
        after: Option<i64>,
        before: bool,
        limit: usize,
    ) -> Result<Vec<Contact>> {
        let like = like_pattern(text);
        let sql = if before {
            "SELECT c.id FROM contacts c WHERE (CAST(?1 AS BIGINT) IS NULL OR c.id < ?1) AND (CAST(?2 AS TEXT) IS NULL OR lower(c.name) LIKE ?2
               OR c.external_ref LIKE ?2 OR EXISTS (SELECT 1 FROM contact_emails e WHERE e.contact_id = c.id AND e.email LIKE ?2))
             ORDER BY c.id DESC LIMIT ?3"
        } else {
            "SELECT c.id FROM contacts c WHERE (CAST(?1 AS BIGINT) IS NULL OR c.id > ?1) AND (CAST(?2 AS TEXT) IS NULL OR lower(c.name) LIKE ?2
               OR c.external_ref LIKE ?2 OR EXISTS (SELECT 1 FROM contact_emails e WHERE e.contact_id = c.id AND e.email LIKE ?2))
             ORDER BY c.id ASC LIMIT ?3"
        };
        let ids = self.page_ids(sql, after, like, before, limit)?;
        ids.into_iter().map(|r| self.contact(r)).collect()
    }

    pub fn contact_count(&self, text: Option<&str>) -> Result<i64> {
        let like = like_pattern(text);
        let sql = "SELECT COUNT(*) FROM contacts c WHERE CAST(?1 AS TEXT) IS NULL OR lower(c.name) LIKE ?1
                   OR c.external_ref LIKE ?1
                   OR EXISTS (SELECT 1 FROM contact_emails e WHERE e.contact_id = c.id AND e.email LIKE ?1)";
        self.c.one(&self.like_sql(sql), &[&like], |r| r.get(0))
    }

    /// A page of accounts in id order, as [`Reader::contact_page`].
    pub fn account_page(
        &self,
        text: Option<&str>,
        after: Option<i64>,
        before: bool,
        limit: usize,
    ) -> Result<Vec<Account>> {
        let like = like_pattern(text);
        let sql = if before {
            "SELECT a.id FROM accounts a WHERE (CAST(?1 AS BIGINT) IS NULL OR a.id < ?1) AND (CAST(?2 AS TEXT) IS NULL OR lower(a.name) LIKE ?2
               OR EXISTS (SELECT 1 FROM account_domains d WHERE d.account_id = a.id AND d.domain LIKE ?2))
             ORDER BY a.id DESC LIMIT ?3"
        } else {
            "SELECT a.id FROM accounts a WHERE (CAST(?1 AS BIGINT) IS NULL OR a.id > ?1) AND (CAST(?2 AS TEXT) IS NULL OR lower(a.name) LIKE ?2
               OR EXISTS (SELECT 1 FROM account_domains d WHERE d.account_id = a.id AND d.domain LIKE ?2))
             ORDER BY a.id ASC LIMIT ?3"
        };
        let ids = self.page_ids(sql, after, like, before, limit)?;
        ids.into_iter().map(|r| self.account(r)).collect()
    }

    pub fn account_count(&self, text: Option<&str>) -> Result<i64> {
        let like = like_pattern(text);
        let sql = "SELECT COUNT(*) FROM accounts a WHERE CAST(?1 AS TEXT) IS NULL OR lower(a.name) LIKE ?1
                   OR EXISTS (SELECT 1 FROM account_domains d WHERE d.account_id = a.id AND d.domain LIKE ?1)";
        self.c.one(&self.like_sql(sql), &[&like], |r| r.get(0))
    }
}

impl Writer<'_> {
    /// Overwrite a contact's fields from an import row; emails and tags are added, never removed.
    pub fn update_contact(&self, row: i64, c: &NewContact, at: i64) -> Result<()> {
        self.c.execute(
            "UPDATE contacts SET name = CASE WHEN ?2 = '' THEN name ELSE ?2 END, external_ref = COALESCE(?3, external_ref),
               verified = ?4, account_id = COALESCE(?5, account_id), phones = CASE WHEN ?6 = '' THEN phones ELSE ?6 END,
               updated_at = ?7 WHERE id = ?1",
            &[&row, &c.name.trim(), &c.external_ref, &c.verified, &c.account_row, &c.phones.join("\n"), &at],
        )?;
        for e in &c.emails {
            let e = e.trim().to_lowercase();
            match self.contact_by_ref_or_email(None, Some(&e))? {
                Some(other) if other != row => {
                    return Err(Error::invalid(format!("email {e} belongs to CONT-{other} already")));
                }
                Some(_) => {}
                None => {
                    self.c.execute(
                        "INSERT INTO contact_emails(email, contact_id, position) VALUES (?1, ?2, 99)",
                        &[&e, &row],
                    )?;
                    self.contact_words_changed(row)?;
                }
            }
        }
        for t in &c.tags {
            self.tag(TagTarget::Contact, row, t)?;
        }
        Ok(())
    }

    /// Edit a contact by hand (both faces): set fields change, emails, phones and tags are added.
    pub fn edit_contact(&self, row: i64, e: &ContactEdit, at: i64) -> Result<()> {
        if let Some(bad) = e.emails.iter().find(|m| !crate::domain::valid_email(m)) {
            return Err(Error::invalid(format!("'{bad}' is not an email address")));
        }
        let cur = self.contact(row)?;
        let n = NewContact {
            name: e.name.clone().unwrap_or_default(),
            emails: e.emails.clone(),
            phones: if e.phones.is_empty() { vec![] } else { cur.phones.iter().chain(&e.phones).cloned().collect() },
            external_ref: e.external_ref.clone(),
            verified: e.verified.unwrap_or(cur.verified),
            account_row: e.account_row,
            tags: e.tags.clone(),
        };
        self.update_contact(row, &n, at)
    }

    /// Overwrite an account's fields from an import row; domains and tags are added.
    pub fn update_account(&self, row: i64, a: &NewAccount, at: i64) -> Result<()> {
        let owner = a.owner.as_deref().map(|o| self.member_row(o)).transpose()?;
        self.c.execute(
            "UPDATE accounts SET name = ?2, tier = COALESCE(?3, tier), description = CASE WHEN ?4 = '' THEN description ELSE ?4 END,
               owner_id = COALESCE(?5, owner_id), external_ref = COALESCE(?6, external_ref), updated_at = ?7 WHERE id = ?1",
            &[&row, &a.name.trim(), &a.tier, &a.description, &owner, &a.external_ref, &at],
        )?;
        for d in &a.domains {
            if self.account_by_domain(d)? != Some(row) {
                self.add_account_domain(row, d)?;
            }
        }
        for t in &a.tags {
            self.tag(TagTarget::Account, row, t)?;
        }
        Ok(())
    }

    pub fn account_by_ref(&self, ext: &str) -> Result<Option<i64>> {
        self.c.value("SELECT id FROM accounts WHERE external_ref = ?1", &[&ext])
    }
}

/// A case-insensitive LIKE pattern for free text, or None for no text.
fn like_pattern(text: Option<&str>) -> Option<String> {
    text.filter(|t| !t.trim().is_empty()).map(|t| format!("%{}%", t.trim().to_lowercase()))
}

impl Reader<'_> {
    /// `sql` matching text without regard to case on both backends (SQLite's LIKE already ignores it).
    fn like_sql<'s>(&self, sql: &'s str) -> Cow<'s, str> {
        if self.c.is_pg() { Cow::Owned(sql.replace(" LIKE ", " ILIKE ")) } else { Cow::Borrowed(sql) }
    }

    /// Ids of a keyset page (`sql` takes the boundary id, the pattern and the limit), in list order.
    fn page_ids(
        &self,
        sql: &str,
        after: Option<i64>,
        like: Option<String>,
        before: bool,
        limit: usize,
    ) -> Result<Vec<i64>> {
        let mut ids: Vec<i64> = self.c.rows(&self.like_sql(sql), &[&after, &like, &(limit as i64)], |r| r.get(0))?;
        if before {
            ids.reverse();
        }
        Ok(ids)
    }
}

impl super::Reader<'_> {
    /// The contacts that carry any of these tags, newest first (who the rate limit holds: `spammer`, `blocked`).
    pub fn contacts_tagged(&self, tags: &[&str], limit: usize) -> Result<Vec<super::Contact>> {
        let rows: Vec<i64> = self.c.rows(
            "SELECT DISTINCT target_id FROM tags WHERE target = ?1 AND (tag = ?2 OR tag = ?3)
             ORDER BY target_id DESC LIMIT ?4",
            &[
                &crate::domain::TagTarget::Contact,
                &tags.first().copied().unwrap_or_default(),
                &tags.get(1).copied().unwrap_or_default(),
                &(limit as i64),
            ],
            |r| r.get(0),
        )?;
        rows.into_iter().map(|row| self.contact(row)).collect()
    }
}
