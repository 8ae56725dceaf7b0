//! `import mail`, `quarantine`, `message move` and the machine `lane`.

use super::args::{ImportCmd, MessageCmd, QuarantineCmd};
use super::out;
use super::util::me;
use anyhow::{Context, Result, bail};
use helpdesk::Store;
use helpdesk::config::Config;
use helpdesk::domain::{ItemRef, SourceChannel, fmt_ts};
use helpdesk::mail::source::{self, RawMail};
use helpdesk::mail::{IngestOptions, Mode, Summary, ingest_batch};
use helpdesk::sanitize::line;
use helpdesk::store::{By, NewItem};
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

pub fn options(cfg: &Config, mode: Option<&str>, mailbox: Option<String>) -> Result<IngestOptions> {
    let mb = mailbox.as_deref().and_then(|a| cfg.mailbox.iter().find(|m| m.address == a)).or(cfg.mailbox.first());
    let mode = match mode.or(mb.map(|m| m.mode.as_str())) {
        None | Some("conversations") => Mode::Conversations,
        Some("tickets") => Mode::Tickets,
        Some(x) => bail!("--mode must be conversations or tickets, not '{x}'"),
    };
    Ok(IngestOptions {
        mode,
        mailbox: mailbox.or(mb.map(|m| m.address.clone())).map(|a| a.to_lowercase()),
        limits: cfg.limits.clone(),
        routing: cfg.routing.clone(),
        reopen_days: cfg.reopen_days,
        part: mb.and_then(|m| m.part.clone()),
    })
}

/// `db`: the `--db` given, for the commands the summary suggests.
pub fn import(store: &mut Store, cfg: &Config, c: ImportCmd, json: bool, db: Option<&Path>) -> Result<ExitCode> {
    let ImportCmd::Mail { paths, mode, mailbox, dry_run } = c else {
        bail!("contacts and accounts are imported by `helpdesk import contacts|accounts`");
    };
    let o = options(cfg, mode.as_deref(), mailbox)?;
    let (mut files, skipped) = source::files(&paths)?;
    source::sort_by_date(&mut files);
    let mut mails = files.iter().flat_map(|f| match source::read(f) {
        Ok(v) => v.into_iter().map(Ok).collect::<Vec<_>>(),
        Err(e) => vec![Err(std::io::Error::new(e.kind(), format!("{}: {e}", f.display())))],
    });
    let tty = std::io::stderr().is_terminal();
    let t0 = std::time::Instant::now();
    let mut progress = |s: &Summary| {
        if tty {
            eprint!(
                "\rimporting: {} messages ({:.0}/s)",
                s.messages,
                s.messages as f64 / t0.elapsed().as_secs_f64().max(1e-3)
            );
            let _ = std::io::stderr().flush();
        }
    };
    let mut sum = ingest_batch(
        store,
        &mut mails as &mut (dyn Iterator<Item = std::io::Result<RawMail>> + Send),
        &o,
        dry_run,
        &mut progress,
    )?;
    if tty {
        eprintln!();
    }
    sum.skipped = skipped;
    if json {
        out::json(&sum)?;
    } else {
        let held = if sum.rate_limited > 0 {
            store.read().contacts_tagged(&["spammer", "blocked"], HELD_SHOWN + 1)?
        } else {
            vec![]
        };
        let hd = match db {
            Some(p) => format!("helpdesk --db {}", shell_word(&p.to_string_lossy())),
            None => "helpdesk".to_string(),
        };
        print_summary(&sum, t0.elapsed().as_secs_f64(), &held, &hd);
    }
    Ok(ExitCode::SUCCESS)
}

/// Senders held by the rate limit named in an import's summary.
const HELD_SHOWN: usize = 5;

/// A path as one shell word (quoted when it has anything but plain characters).
fn shell_word(s: &str) -> String {
    if s.chars().all(|c| c.is_alphanumeric() || "/._-+:@".contains(c)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// `hd`: how to run helpdesk on this database (`helpdesk --db PATH` when one was given).
fn print_summary(s: &Summary, secs: f64, held: &[helpdesk::store::Contact], hd: &str) {
    let what = if s.dry_run { "would import" } else { "imported" };
    println!("{what} {} messages in {secs:.1} s ({:.0}/s)", s.messages, s.messages as f64 / secs.max(1e-3));
    for (k, v) in [
        ("new items", s.new_items),
        ("follow-ups", s.follow_ups),
        ("duplicates skipped", s.duplicates),
        ("auto-replies", s.auto_replies),
        ("bounces", s.bounces),
        ("abuse reports", s.abuse_reports),
        ("rate-limited", s.rate_limited),
        ("quarantined", s.quarantined),
    ] {
        println!("  {k:<19} {v}");
        if k == "rate-limited" && v > 0 {
            // Where held mail went: the per-sender rate limit is not a verdict on the mail.
            println!(
                "    kept as spam      {} (Suspended, at the end of the Inbox: `{hd} conversation list --stage suspended`)",
                s.rate_limited - s.dropped
            );
            if s.dropped > 0 {
                println!("    dropped           {} (raw kept; the sender is tagged blocked)", s.dropped);
            }
        }
    }
    if s.rate_limited > 0 {
        println!("  a sender over the rate limit is tagged spammer (then blocked); to restore normal handling:");
        for c in held.iter().take(HELD_SHOWN) {
            let email = c.emails.first().map(|e| format!(" <{e}>")).unwrap_or_default();
            println!(
                "    {} {}{email}: `{hd} contact edit {} --untag spammer --untag blocked`",
                c.id,
                line(&c.name),
                c.id
            );
        }
        if held.is_empty() {
            println!("  `{hd} contact edit CONT-n --untag spammer --untag blocked`");
        } else if held.len() > HELD_SHOWN {
            println!("    and more: `{hd} contact show CONT-n` shows a contact's tags");
        }
        println!("  then `{hd} quarantine retry` (the rate limit does not count what is retried)");
    }
    if s.messages > 0 && s.duplicates == s.messages {
        println!("  nothing new: every message was imported before");
    }
    for sk in &s.skipped {
        println!("  skipped {} ({})", line(&sk.path), sk.reason);
    }
    if s.quarantined + s.dropped > 0 {
        println!("  see `{hd} quarantine list`");
    }
}

pub fn quarantine(store: &mut Store, cfg: &Config, c: QuarantineCmd, json: bool) -> Result<ExitCode> {
    match c {
        QuarantineCmd::List { limit } => {
            let mut q = store.read().quarantine(limit)?;
            for e in &mut q {
                let raw = store.read().quarantined_raw(e.id)?.map(|(_, raw)| raw).unwrap_or_default();
                let (from, subject) = helpdesk::mail::parse::headline(&raw);
                (e.from, e.subject) = (Some(from), Some(subject));
            }
            if json {
                out::json(&q)?
            } else if q.is_empty() {
                println!("quarantine is empty");
            } else {
                let shown = q.len() as i64;
                for e in q {
                    let from = e.from.filter(|f| !f.is_empty()).unwrap_or_else(|| "(no sender)".into());
                    let subject = e.subject.filter(|s| !s.is_empty()).unwrap_or_else(|| "(no subject)".into());
                    println!("{:<6} {} {:>9} B  {}  {}", e.id, fmt_ts(e.at), e.size, line(&e.reason), line(&e.source));
                    println!("       from {}: {}", out::cut(&from, 50), out::cut(&subject, 60));
                }
                let total = store.read().quarantine_count()?;
                if total > shown {
                    println!("{shown} of {total} shown; all of them: `helpdesk quarantine list --limit {total}`");
                }
            }
        }
        QuarantineCmd::Show { id, output } => {
            let (_, raw) = store.read().quarantined_raw(id)?.with_context(|| format!("no quarantined message {id}"))?;
            match output {
                Some(p) => std::fs::write(&p, &raw).with_context(|| format!("cannot write {}", p.display()))?,
                None => println!("{}", helpdesk::sanitize::text(&String::from_utf8_lossy(&raw))),
            }
        }
        QuarantineCmd::Retry { id } => {
            // A retry is a person's decision: the rate limit's counts do not hold it again (a sender still tagged
            // spammer or blocked still is).
            let mut o = options(cfg, None, None)?;
            o.limits.max_per_window = i64::MAX;
            let entries = store.read().quarantine(usize::MAX >> 1)?;
            let mut retried = 0;
            for e in entries.into_iter().filter(|e| id.is_none_or(|i| i == e.id)) {
                let Some((key, raw)) = store.read().quarantined_raw(e.id)? else {
                    continue;
                };
                let outcome = store.write(|w| {
                    w.release_quarantine(e.id)?;
                    helpdesk::mail::ingest(w, &raw, &key, &o, helpdesk::now())
                })?;
                retried += 1;
                match outcome {
                    helpdesk::mail::Outcome::Dropped => println!(
                        "{}: dropped again: its sender is over the rate limit (tagged blocked); remove the tag \
                         (`helpdesk contact edit CONT-n --untag blocked --untag spammer`) and retry",
                        e.id
                    ),
                    o => println!("{}: {}", e.id, o.name()),
                }
            }
            if retried == 0 && id.is_some() {
                bail!("no quarantined message {}", id.unwrap_or_default());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn message(store: &mut Store, c: MessageCmd, json: bool) -> Result<ExitCode> {
    let (msg, to) = match c {
        MessageCmd::Attachments { msg, save } => return attachments(store, msg, save.as_deref(), json),
        MessageCmd::Move { msg, to } => (msg, to),
        MessageCmd::Raw { msg } => {
            let raw = store.read().raw_of_message(msg)?.with_context(|| {
                format!("message {msg} has no raw copy (written here, or stored before raw mail was kept)")
            })?;
            std::io::stdout().lock().write_all(&raw)?;
            return Ok(ExitCode::SUCCESS);
        }
    };
    let current = store.read().message_item(msg)?.with_context(|| format!("no message {msg}"))?;
    let target = store.write(|w| {
        let row = if to.eq_ignore_ascii_case("new") {
            let kind = match current {
                Some(i) => w.item_ref(i)?.kind,
                None => helpdesk::domain::Kind::Conversation,
            };
            let subject = w.messages_by_row(msg)?.subject;
            let mut n = NewItem::new(
                kind,
                if subject.trim().is_empty() { "(no subject)".to_string() } else { subject },
                SourceChannel::Cli,
            );
            if kind == helpdesk::domain::Kind::Ticket {
                let cur = w.item_by_row(current.unwrap_or_default())?;
                n.part_row = cur.part.map(|p| w.part_row_of(p)).transpose()?;
            }
            let r = w.create_item(&n, &By::now(me()))?;
            w.item_row(r)?
        } else {
            let r: ItemRef = to.parse()?;
            w.item_row(r)?
        };
        w.move_message(msg, Some(row), &format!("moved by {}", me()))?;
        w.item_ref(row)
    })?;
    println!("message {msg} moved to {target}");
    Ok(ExitCode::SUCCESS)
}

pub fn lane(store: &Store, limit: usize, json: bool) -> Result<ExitCode> {
    let rows = store.read().machine_lane(limit)?;
    if json {
        out::json(&rows)?;
    } else {
        for e in rows {
            println!("{:<7} {} {:<10} {:<32} {}", e.message, fmt_ts(e.at), e.class, line(&e.from), line(&e.subject));
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn search(store: &Store, text: &str, limit: usize, json: bool) -> Result<ExitCode> {
    let hits = store.read().message_hits(text, limit)?;
    if json {
        out::json(&hits)?;
        return Ok(ExitCode::SUCCESS);
    }
    if hits.is_empty() {
        println!("no message has every word of '{}'", line(text));
    }
    for h in hits {
        let item = h.item.map(|r| r.to_string()).unwrap_or_else(|| "lane".into());
        println!("{:<7} {} {:<10} {:<32} {}", h.message, fmt_ts(h.at), item, line(&h.from), line(&h.subject));
        println!("        {}", line(&h.excerpt));
    }
    Ok(ExitCode::SUCCESS)
}

fn attachments(store: &Store, msg: i64, save: Option<&std::path::Path>, json: bool) -> Result<ExitCode> {
    store.read().message_item(msg)?.with_context(|| format!("no message {msg}"))?;
    let list = store.read().attachments(msg)?;
    if let Some(dir) = save {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        for a in &list {
            let data = store
                .read()
                .attachment_data(&a.sha256)?
                .with_context(|| format!("attachment {} is missing", a.name))?;
            let path = helpdesk::io::save::save_new(dir, &a.name, &data)
                .with_context(|| format!("cannot save attachment {}", line(&a.name)))?;
            println!("saved {}", line(&path.display().to_string()));
        }
    } else if json {
        out::json(&list)?;
    } else if list.is_empty() {
        println!("message {msg} has no attachments");
    } else {
        for a in &list {
            println!("{:<40} {:<28} {:>9} B", line(&a.name), a.mime, a.size);
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn reparse(store: &mut Store, cfg: &Config, msg: Option<i64>, json: bool) -> Result<ExitCode> {
    let o = options(cfg, None, None)?;
    let r = helpdesk::mail::reparse::reparse(store, msg, &o)?;
    if json {
        out::json(&r)?;
    } else {
        println!(
            "reparsed {} messages: {} changed, {} the parser refuses (left as stored)",
            r.messages, r.changed, r.failed
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn db_check(db: &std::path::Path) -> Result<ExitCode> {
    if let Some(url) = helpdesk::store::pg_url(db) {
        // The server checks its own pages (data checksums, pg_amcheck); here: it answers and the schema is current.
        let store = Store::open(db)?;
        let (count, _, _) = store.read().raw_sizes()?;
        println!(
            "{}: ok (reached, schema current, {count} raw messages readable; the server's pages: pg_amcheck)",
            helpdesk::store::shown_location(url)
        );
        return Ok(ExitCode::SUCCESS);
    }
    let problems = helpdesk::store::health::integrity_check(db)?;
    if problems.is_empty() {
        println!("{}: ok", db.display());
        return Ok(ExitCode::SUCCESS);
    }
    for p in &problems {
        println!("{}", line(p));
    }
    eprintln!(
        "error: database {} is damaged: restore it from a backup, or recover what it holds with \
         `sqlite3 {} .recover | sqlite3 recovered.db`",
        db.display(),
        db.display()
    );
    Ok(ExitCode::FAILURE)
}

pub fn db_size(store: &Store, json: bool) -> Result<ExitCode> {
    let file = store.read().database_bytes()?;
    let (count, raw, packed) = store.read().raw_sizes()?;
    if json {
        out::json(
            &serde_json::json!({"file_bytes": file, "raw_messages": count, "raw_bytes": raw, "raw_stored_bytes": packed}),
        )?;
    } else {
        println!("database           {file:>14} B");
        println!("raw messages kept  {count:>14}");
        println!("  as received      {raw:>14} B");
        println!("  as stored (zstd) {packed:>14} B");
    }
    Ok(ExitCode::SUCCESS)
}
