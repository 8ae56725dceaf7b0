//! `notifications`: the member's list, and marking them read.

use super::args::NotificationsCmd;
use super::out;
use super::util::me;
use anyhow::Result;
use helpdesk::Store;
use helpdesk::sanitize::line;
use std::process::ExitCode;

pub fn run(store: &mut Store, all: bool, cmd: Option<NotificationsCmd>, json: bool) -> Result<ExitCode> {
    let who = me();
    match cmd {
        Some(NotificationsCmd::Read { id, all: every }) => {
            let id = if every { None } else { id };
            let n = store.write(|w| w.read_notifications(&who, id, helpdesk::now()))?;
            if json {
                out::json(&serde_json::json!({ "read": n }))?;
            } else {
                println!("{n} notification(s) marked read");
            }
        }
        None => {
            let list = store.read().notifications(&who, all, 200)?;
            if json {
                out::json(&list)?;
            } else if list.is_empty() {
                println!("{who}: no {}notifications", if all { "" } else { "unread " });
            } else {
                let now = helpdesk::now();
                for n in &list {
                    let mark = if n.read { " " } else { "●" };
                    let ago = helpdesk::store::ago(now - n.at);
                    println!("{mark} {:>5}  {:<10} {}", n.id, ago, line(&n.line()));
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
