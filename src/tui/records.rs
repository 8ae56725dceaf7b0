//! Contacts and accounts in the TUI: create them in one line, edit them field by field (`field=value`).

use super::app::{App, Modal, PromptPurpose, Target};
use super::list::Row;
use anyhow::{Result, bail};
use helpdesk::domain::{AccountId, ContactId, Tier, valid_email};
use helpdesk::store::{ContactEdit, NewAccount, NewContact};
use tui_input::Input;

/// The contact or account the edit applies to: the open detail's, else the selected row's.
fn record(app: &App) -> Option<Target> {
    match app.detail.last().map(|d| d.target) {
        Some(t @ (Target::Contact(_) | Target::Account(_))) => Some(t),
        Some(Target::Item(_)) => None,
        None => match app.list().selected()? {
            Row::Contact(c) => Some(Target::Contact(c.id)),
            Row::Account(a) => Some(Target::Account(a.id)),
            Row::Item(_) => None,
        },
    }
}

/// `=`: a field of a contact or account, or an item's title.
pub fn edit(app: &mut App) -> Result<()> {
    let Some(t) = record(app) else {
        return match app.current_item() {
            Some(r) => super::items::retitle_prompt(app, r),
            None => bail!("select an item, a contact or an account to edit"),
        };
    };
    let fields = match t {
        Target::Contact(_) => "name= email= phone= account= ref= verified=yes|no tag=",
        _ => "name= domain= tier= owner= ref= description= tag=",
    };
    app.modal = Some(Modal::Prompt {
        title: format!("Edit ({fields})"),
        input: Input::default(),
        purpose: PromptPurpose::EditRecord(t),
        similar: vec![],
        pick: None,
    });
    Ok(())
}

/// `Ada Lovelace <ada@x.org>` or `ada@x.org`.
fn name_and_email(text: &str) -> Result<(String, String)> {
    let (name, email) = match text.rsplit_once('<') {
        Some((n, e)) => (n.trim().to_string(), e.trim_end_matches('>').trim().to_string()),
        None if text.contains('@') => (String::new(), text.trim().to_string()),
        None => bail!("write it as: Name <email>"),
    };
    if !valid_email(&email) {
        bail!("'{email}' is not an email address");
    }
    Ok((name, email))
}

/// `field=value` pairs; a value runs until the next ` word=`.
fn pairs(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = vec![];
    for word in text.split(' ') {
        match word.split_once('=') {
            Some((k, v)) if !k.is_empty() && k.chars().all(|c| c.is_ascii_alphabetic()) => {
                out.push((k.to_lowercase(), v.to_string()))
            }
            _ => {
                if let Some(last) = out.last_mut() {
                    last.1.push(' ');
                    last.1.push_str(word);
                }
            }
        }
    }
    out.into_iter().map(|(k, v)| (k, v.trim().to_string())).collect()
}

/// `Name <email>` was typed: the contact is made (in the account of its email's domain) and opened.
pub fn new_contact(app: &mut App, text: &str) -> Result<()> {
    let (name, email) = name_and_email(text)?;
    let domain = email.rsplit_once('@').map(|(_, d)| d.to_string()).unwrap_or_default();
    let account_row = app.store.read().account_by_domain(&domain)?;
    let c = NewContact { name, emails: vec![email], account_row, ..Default::default() };
    let now = app.now();
    let id = ContactId(app.store.write(|w| w.add_contact(&c, now))?);
    app.toast(format!("{id} created"));
    app.refresh_all()?;
    app.open(Target::Contact(id))
}

/// `Name, domain, …` was typed: the account is made and opened.
pub fn new_account(app: &mut App, text: &str) -> Result<()> {
    let mut parts = text.split(',').map(str::trim);
    let name = parts.next().unwrap_or("").to_string();
    let domains = parts.filter(|d| !d.is_empty()).map(String::from).collect();
    let now = app.now();
    let id = AccountId(app.store.write(|w| w.add_account(&NewAccount { name, domains, ..Default::default() }, now))?);
    app.toast(format!("{id} created"));
    app.refresh_all()?;
    app.open(Target::Account(id))
}

/// `field=value …` was typed for a contact or an account.
pub fn apply_edit(app: &mut App, t: Target, text: &str) -> Result<()> {
    let fields = pairs(text);
    if fields.is_empty() {
        bail!("write field=value, e.g. phone=+44 20 7946 0000");
    }
    let now = app.now();
    match t {
        Target::Contact(id) => edit_contact(app, id.0, &fields, now)?,
        Target::Account(id) => edit_account(app, id.0, &fields, now)?,
        Target::Item(r) => bail!("{r} is not a contact or an account"),
    }
    app.toast("saved");
    app.refresh_all()?;
    app.rebuild_detail()
}

fn edit_contact(app: &mut App, row: i64, fields: &[(String, String)], now: i64) -> Result<()> {
    let mut e = ContactEdit::default();
    for (k, v) in fields {
        match k.as_str() {
            "name" => e.name = Some(v.clone()),
            "email" => e.emails.push(v.clone()),
            "phone" => e.phones.push(v.clone()),
            "account" => e.account_row = Some(app.store.read().account_row(v)?),
            "ref" => e.external_ref = Some(v.clone()),
            "verified" => {
                e.verified = Some(match v.to_lowercase().as_str() {
                    "yes" | "true" | "1" => true,
                    "no" | "false" | "0" => false,
                    _ => bail!("verified takes yes or no, not '{v}'"),
                })
            }
            "tag" => e.tags.push(v.clone()),
            other => bail!("a contact has no field '{other}'"),
        }
    }
    app.store.write(|w| w.edit_contact(row, &e, now))?;
    Ok(())
}

fn edit_account(app: &mut App, row: i64, fields: &[(String, String)], now: i64) -> Result<()> {
    let cur = app.store.read().account(row)?;
    let mut a = NewAccount { name: cur.name.clone(), ..Default::default() };
    for (k, v) in fields {
        match k.as_str() {
            "name" => a.name = v.clone(),
            "domain" => a.domains.push(v.clone()),
            "tier" => a.tier = Some(Tier::parse(v)?),
            "owner" => a.owner = Some(v.clone()),
            "ref" => a.external_ref = Some(v.clone()),
            "description" => a.description = v.clone(),
            "tag" => a.tags.push(v.clone()),
            other => bail!("an account has no field '{other}'"),
        }
    }
    app.store.write(|w| w.update_account(row, &a, now))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::tests::{app, key, keys};
    use super::*;
    use ratatui::crossterm::event::KeyCode;

    #[test]
    fn pairs_read_values_with_spaces() {
        assert_eq!(
            pairs("name=Ada King phone=+44 1 tag=vip"),
            vec![("name".into(), "Ada King".into()), ("phone".into(), "+44 1".into()), ("tag".into(), "vip".into())]
        );
    }

    #[test]
    fn create_and_edit_contacts_and_accounts() {
        let mut a = app(20);
        keys(&mut a, "4n");
        keys(&mut a, "Ada Lovelace <ada@analytical.test>");
        key(&mut a, KeyCode::Enter);
        let Some(Target::Contact(row)) = a.detail.last().map(|d| d.target) else {
            panic!("{:?}", super::super::tests::errors(&a))
        };
        keys(&mut a, "=");
        keys(&mut a, "phone=+44 20 7946 0000 verified=yes tag=vip");
        key(&mut a, KeyCode::Enter);
        let c = a.store.read().contact(row.0).unwrap();
        assert_eq!(
            (c.phones.clone(), c.verified, c.tags.clone()),
            (vec!["+44 20 7946 0000".to_string()], true, vec!["vip".to_string()])
        );
        key(&mut a, KeyCode::Esc);
        keys(&mut a, "An");
        keys(&mut a, "Analytical Engines, analytical.test");
        key(&mut a, KeyCode::Enter);
        let Some(Target::Account(acc)) = a.detail.last().map(|d| d.target) else { panic!() };
        keys(&mut a, "=");
        keys(&mut a, "tier=enterprise description=Babbage's firm");
        key(&mut a, KeyCode::Enter);
        let ac = a.store.read().account(acc.0).unwrap();
        assert_eq!(
            (ac.tier.map(|t| t.as_str()), ac.description.as_str(), ac.domains.clone()),
            (Some("enterprise"), "Babbage's firm", vec!["analytical.test".to_string()])
        );
    }
}
