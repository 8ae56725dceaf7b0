//! `sync`, `outbox list` and `config check|path`.

use super::args::ConfigCmd;
use super::out;
use anyhow::{Result, bail};
use helpdesk::Store;
use helpdesk::config::Config;
use helpdesk::domain::fmt_ts;
use helpdesk::mail::worker::{Notice, sync_once, watch_forever};
use helpdesk::sanitize::line;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub fn sync(db: &Path, cfg: &Config, watch: bool, json: bool) -> Result<ExitCode> {
    if cfg.mailbox.iter().all(|m| m.imap.is_none() && m.smtp.is_none()) {
        bail!("no mailbox with [mailbox.imap] or [mailbox.smtp] in the config (see `helpdesk config path`)");
    }
    if watch {
        watch_forever(db, cfg, &|n| {
            match n {
                Notice::State(s) => eprintln!("{} {s}", fmt_ts(helpdesk::now())),
                Notice::Synced { new, .. } => println!("{} synced: {new} new", fmt_ts(helpdesk::now())),
                Notice::Sent { count } => println!("{} sent {count}", fmt_ts(helpdesk::now())),
                Notice::Bounced { item, detail } => println!("bounce {}: {detail}", item.unwrap_or_default()),
                Notice::Failed(e) => eprintln!("{} error: {e}", fmt_ts(helpdesk::now())),
            }
            true
        });
        return Ok(ExitCode::SUCCESS);
    }
    let mut store = super::open(db)?;
    let r = sync_once(&mut store, cfg);
    if json {
        out::json(&r)?;
    } else {
        let s = &r.ingest;
        println!(
            "fetched {} messages: {} new items, {} follow-ups, {} duplicates, {} auto-replies, {} bounces, {} rate-limited, {} quarantined",
            r.fetched,
            s.new_items,
            s.follow_ups,
            s.duplicates,
            s.auto_replies,
            s.bounces,
            s.rate_limited,
            s.quarantined
        );
        println!("sent {} replies, {} failed (will retry)", r.sent, r.send_failed);
        for m in &r.standby {
            println!("not fetched: {} (another mail worker holds it)", line(m));
        }
        for e in &r.errors {
            eprintln!("error: {}", line(e));
        }
    }
    Ok(if r.errors.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(4) })
}

pub fn outbox(store: &Store, json: bool) -> Result<ExitCode> {
    let rows = store.read().outbox(None)?;
    if json {
        out::json(&rows)?;
    } else if rows.is_empty() {
        println!("the outbox is empty");
    } else {
        for o in rows {
            println!(
                "{:<6} {:<10} {:<11} tries {:<2} {:<30} {}{}",
                o.message,
                o.item.map(|i| i.to_string()).unwrap_or_default(),
                o.state.map(|s| s.as_str()).unwrap_or_default(),
                o.attempts,
                o.to.join(", "),
                line(&o.subject),
                o.last_error.map(|e| format!("  [{}]", line(&e))).unwrap_or_default()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn config(path: &Option<PathBuf>, c: ConfigCmd) -> Result<ExitCode> {
    let shown = crate::user::config_path(path)?;
    match c {
        ConfigCmd::Path => {
            println!("{}", shown.display());
            Ok(ExitCode::SUCCESS)
        }
        ConfigCmd::Check => super::setup::check(&shown),
        ConfigCmd::Init(a) => super::setup::init(&shown, *a),
    }
}
