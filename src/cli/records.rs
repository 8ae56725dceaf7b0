//! `part`, `contact`, `account`, `member` and `demo`.

use super::args::{AccountCmd, ContactCmd, MemberCmd, PartCmd};
use super::out;
use anyhow::{Result, bail};
use helpdesk::Store;
use helpdesk::domain::{ContactId, PartKind, Tier};
use helpdesk::sanitize::line;
use helpdesk::store::{ContactEdit, NewAccount, NewContact};
use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

pub fn part(store: &mut Store, c: PartCmd, json: bool) -> Result<ExitCode> {
    match c {
        PartCmd::New { kind, name, parent } => {
            let kind = PartKind::parse(&kind)?;
            let parent = parent.as_deref().map(|p| store.read().part_row(p)).transpose()?;
            let id = store.write(|w| w.add_part(kind, &name, parent))?;
            if json {
                let p = store.read().parts()?.into_iter().find(|p| p.id == id);
                out::json(&p)?
            } else {
                println!("{id} created");
            }
        }
        PartCmd::List => {
            let parts = store.read().parts()?;
            if json {
                out::json(&parts)?
            } else {
                for p in parts {
                    let depth = match p.kind.as_str() {
                        "product" => 0,
                        "capability" => 1,
                        _ => 2,
                    };
                    println!("{}{:<8} {}", "  ".repeat(depth), p.id, line(&p.name));
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn contact(store: &mut Store, c: ContactCmd, json: bool) -> Result<ExitCode> {
    match c {
        ContactCmd::New { name, email, phone, account, external_ref, verified, tag } => {
            for e in &email {
                if !helpdesk::domain::valid_email(e) {
                    bail!("'{e}' is not an email address");
                }
            }
            let account_row = account.as_deref().map(|a| store.read().account_row(a)).transpose()?;
            let n = NewContact { name, emails: email, phones: phone, external_ref, verified, account_row, tags: tag };
            let row = store.write(|w| w.add_contact(&n, helpdesk::now()))?;
            let c = store.read().contact(row)?;
            if json { out::json(&c)? } else { println!("{} created", c.id) }
        }
        ContactCmd::List { account, limit } => {
            let acc = account.as_deref().map(|a| store.read().account_row(a)).transpose()?;
            let mut list = store.read().contacts(acc, 0, limit.saturating_add(1))?;
            out::cut_at(&mut list, limit, "contacts");
            if json {
                out::json(&list)?
            } else {
                for c in list {
                    println!(
                        "{:<10} {:<28} {:<36} {}",
                        c.id,
                        line(&c.name),
                        c.emails.join(", "),
                        c.account_name.unwrap_or_default()
                    );
                }
            }
        }
        ContactCmd::Edit { id, name, email, phone, account, external_ref, verified, tag, untag } => {
            let row = store.read().contact_row(&id)?;
            let account_row = account.as_deref().map(|a| store.read().account_row(a)).transpose()?;
            let e = ContactEdit { name, emails: email, phones: phone, account_row, external_ref, verified, tags: tag };
            store.write(|w| {
                w.edit_contact(row, &e, helpdesk::now())?;
                for t in &untag {
                    w.untag(helpdesk::domain::TagTarget::Contact, row, t)?;
                }
                Ok(())
            })?;
            println!("{} updated", ContactId(row));
        }
        ContactCmd::Show { id } => {
            let row = store.read().contact_row(&id)?;
            let c = store.read().contact(row)?;
            if json {
                out::json(&c)?
            } else {
                println!("{}  {}", c.id, line(&c.name));
                println!("  emails    {}", c.emails.join(", "));
                println!("  phones    {}", c.phones.join(", "));
                println!("  account   {}", c.account_name.unwrap_or_default());
                println!("  ext ref   {}", c.external_ref.unwrap_or_default());
                println!("  verified  {}", c.verified);
                println!("  tags      {}", c.tags.join(" "));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn account(store: &mut Store, c: AccountCmd, json: bool) -> Result<ExitCode> {
    match c {
        AccountCmd::New { name, domain, tier, description, owner, external_ref, tag } => {
            let tier = tier.as_deref().map(Tier::parse).transpose()?;
            let n = NewAccount { name, domains: domain, tier, description, owner, tags: tag, external_ref };
            let row = store.write(|w| w.add_account(&n, helpdesk::now()))?;
            let a = store.read().account(row)?;
            if json { out::json(&a)? } else { println!("{} created", a.id) }
        }
        AccountCmd::List { limit } => {
            let mut list = store.read().accounts(limit.saturating_add(1))?;
            out::cut_at(&mut list, limit, "accounts");
            if json {
                out::json(&list)?
            } else {
                for a in list {
                    println!(
                        "{:<9} {:<30} {:<11} {}",
                        a.id,
                        line(&a.name),
                        a.tier.map(|t| t.as_str()).unwrap_or_default(),
                        a.domains.join(", ")
                    );
                }
            }
        }
        AccountCmd::Edit { id, name, domain, tier, description, owner, external_ref, tag } => {
            let row = store.read().account_row(&id)?;
            let cur = store.read().account(row)?;
            let n = NewAccount {
                name: name.unwrap_or(cur.name.clone()),
                domains: domain,
                tier: tier.as_deref().map(Tier::parse).transpose()?,
                description: description.unwrap_or_default(),
                owner,
                tags: tag,
                external_ref,
            };
            store.write(|w| w.update_account(row, &n, helpdesk::now()))?;
            println!("{} updated", cur.id);
        }
        AccountCmd::Show { id } => {
            let row = store.read().account_row(&id)?;
            let a = store.read().account(row)?;
            if json {
                out::json(&a)?
            } else {
                println!("{}  {}", a.id, line(&a.name));
                println!("  domains   {}", a.domains.join(", "));
                println!("  tier      {}", a.tier.map(|t| t.as_str()).unwrap_or_default());
                println!("  owner     {}", a.owner.unwrap_or_default());
                println!("  ext ref   {}", a.external_ref.unwrap_or_default());
                println!("  tags      {}", a.tags.join(" "));
                println!("  {}", line(&a.description));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn member(store: &mut Store, c: MemberCmd, json: bool) -> Result<ExitCode> {
    match c {
        MemberCmd::New { login, name, email } => {
            store.write(|w| w.add_member(&login, name.as_deref().unwrap_or(&login), email.as_deref()))?;
            println!("member {login} created");
        }
        MemberCmd::List => {
            let m = store.read().members()?;
            if json {
                out::json(&m)?
            } else {
                for m in m {
                    println!("{:<12} {:<24} {}", m.login, line(&m.name), m.email.unwrap_or_default());
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn demo(db: &Path, tickets: usize, force: bool, json: bool) -> Result<ExitCode> {
    if db.exists() {
        if !force {
            let store = super::open(db)?;
            if !store.read().members()?.is_empty() {
                bail!("{} already holds data; pass --force to replace it", db.display());
            }
        } else {
            for p in helpdesk::store::files_of(db) {
                if p.exists() {
                    std::fs::remove_file(&p)?;
                }
            }
        }
    }
    let mut store = super::open(db)?;
    let t0 = Instant::now();
    let tty = std::io::stderr().is_terminal();
    let sum = helpdesk::demo::generate(&mut store, tickets, &mut |done, total| {
        if tty {
            eprint!("\rgenerating: {done}/{total} tickets");
        }
    })?;
    if tty {
        eprintln!();
    }
    let secs = t0.elapsed().as_secs_f64();
    // Meaning vectors in batches after the items (the TUI's background pass would also fill them).
    let t1 = Instant::now();
    let vectors = helpdesk::similar::fill_vectors(&mut store, 1000, &|| true)?;
    let vector_secs = t1.elapsed().as_secs_f64();
    if json {
        out::json(&serde_json::json!({
            "summary": sum, "seconds": secs, "vectors": vectors, "vector_seconds": vector_secs
        }))?;
    } else {
        println!(
            "demo: {} tickets, {} conversations, {} issues, {} tasks, {} messages, {} contacts, {} accounts in {:.1} s",
            sum.tickets, sum.conversations, sum.issues, sum.tasks, sum.messages, sum.contacts, sum.accounts, secs
        );
        println!("meaning vectors: {vectors} items in {vector_secs:.1} s");
    }
    Ok(ExitCode::SUCCESS)
}
