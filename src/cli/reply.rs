//! `reply` and `note`: queued or stored in one transaction, held when the thread changed after the member opened it.

use super::args::ItemCmd;
use super::util::{me, parse_id};
use anyhow::{Context, Result, bail};
use helpdesk::Store;
use helpdesk::domain::{ItemRef, Kind};
use helpdesk::mail::outbox::{self, Reply};
use helpdesk::store::{By, Draft, NewMessage, Opened};
use std::process::ExitCode;

/// What says when the member opened the thread: `--seen ROW`, else (for text written in $EDITOR) the moment the
/// editor opened; nothing with `--anyway`, or when the text came with the command (read and written in one go).
fn opened(store: &Store, r: ItemRef, seen: Option<i64>, editing: bool, anyway: bool) -> Result<Option<Opened>> {
    if anyway {
        return Ok(None);
    }
    if let Some(row) = seen {
        return Ok(Some(Opened::through(row)));
    }
    if editing {
        let row = store.read().item_row(r)?;
        return Ok(Some(store.read().opened(row, &me())?));
    }
    Ok(None)
}

/// The one line a held reply or note is refused with.
fn held(e: &helpdesk::Error, kind: Kind, r: ItemRef, not: &str, kept: &str) -> Option<String> {
    let helpdesk::Error::Held(h) = e else { return None };
    let news: Vec<String> = h
        .news
        .iter()
        .map(|n| {
            if n.excerpt.is_empty() {
                n.line(h.tried_at)
            } else {
                format!("{} “{}”", n.line(h.tried_at), n.excerpt)
            }
        })
        .collect();
    Some(format!(
        "{r}: held, {not}: since you opened it, {}; read it (`helpdesk {} show {r}`), then run again with \
         --anyway{kept}",
        news.join(", "),
        kind.as_str()
    ))
}

pub fn run(store: &mut Store, cfg: &helpdesk::config::Config, kind: Kind, cmd: ItemCmd) -> Result<ExitCode> {
    match cmd {
        ItemCmd::Reply { id, body, body_file, to, cc, subject, all, attach, forward, seen, anyway } => {
            let r = parse_id(kind, &id)?;
            let editing = body.is_none() && body_file.is_none() && forward.is_none();
            let opened = opened(store, r, seen, editing, anyway)?;
            let mut text = match (body, body_file) {
                (Some(b), _) => b,
                (None, Some(f)) if f.as_os_str() == "-" => std::io::read_to_string(std::io::stdin())?,
                (None, Some(f)) => {
                    std::fs::read_to_string(&f).with_context(|| format!("cannot read {}", f.display()))?
                }
                (None, None) if forward.is_some() => String::new(),
                (None, None) => crate::user::editor("")?,
            };
            if let Some(row) = forward {
                let item = store.read().item(r)?;
                let m = store.read().messages(item.row, None)?.into_iter().find(|m| m.id == row);
                let m =
                    m.with_context(|| format!("{r} has no message {row} (see `helpdesk {} show {r}`)", kind.as_str()))?;
                text = format!("{}\n\n{}", text.trim_end(), outbox::forwarded_text(&m)).trim_start().to_string();
            }
            if text.trim().is_empty() {
                bail!("empty reply: nothing queued");
            }
            let attach_paths: Vec<String> =
                attach.iter().map(|p| std::path::absolute(p).unwrap_or(p.clone()).display().to_string()).collect();
            let attach = attach.iter().map(|p| outbox::Attached::read(p)).collect::<helpdesk::Result<Vec<_>>>()?;
            let reply = Reply {
                body: text,
                to: (!to.is_empty()).then_some(to),
                cc: (!cc.is_empty()).then_some(cc),
                subject,
                all,
                attach,
                attach_paths,
                forward_of: forward,
                answering: None,
                opened,
            };
            let by = By::now(me());
            let person = outbox::person_name(&store.read(), cfg, &by.who)?;
            // A draft begun earlier (in the TUI) that this reply replaces if it is kept as the draft.
            let earlier = store.read().draft(r, &by.who, false)?.filter(|d| {
                let old = d.body.trim();
                !old.is_empty() && old != reply.body.trim()
            });
            let outcome = store.write(|w| outbox::reply(w, r, &reply, &by, cfg, person.as_deref()));
            if matches!(outcome, Ok(outbox::Outcome::Draft(_)) | Err(_))
                && let Some(old) = &earlier
            {
                replaced(old, kind, r);
            }
            match outcome {
                Ok(outbox::Outcome::Queued { to, cc, message_id, .. }) => {
                    let cc = if cc.is_empty() { String::new() } else { format!(", cc {}", cc.join(", ")) };
                    let what = if reply.forward_of.is_some() { "forward" } else { "reply" };
                    println!("{r}: {what} to {}{cc} queued as <{message_id}>; `helpdesk sync` sends it", to.join(", "));
                }
                Ok(outbox::Outcome::Draft(why)) => {
                    eprintln!("{why}");
                    return Ok(ExitCode::from(2));
                }
                Err(e) => {
                    // Nothing typed is lost: the text stays as the member's draft.
                    let d = Draft {
                        to: reply.to.clone().unwrap_or_default(),
                        cc: reply.cc.clone().unwrap_or_default(),
                        subject: reply.subject.clone().unwrap_or_default(),
                        body: reply.body.clone(),
                        attach: reply.attach_paths.clone(),
                        forward_of: reply.forward_of,
                    };
                    store.write(|w| w.save_draft(r, &by.who, false, &d, by.at))?;
                    let kept = format!(" (your text is kept as your draft: `helpdesk {} draft {r}`)", kind.as_str());
                    if let Some(line) = held(&e, kind, r, "not sent", &kept) {
                        eprintln!("{line}");
                        return Ok(ExitCode::from(3));
                    }
                    bail!("{e}{kept}");
                }
            }
        }
        ItemCmd::Note { id, body, author, seen, anyway } => {
            let r = parse_id(kind, &id)?;
            if body.trim().is_empty() {
                bail!("a note needs a body");
            }
            let opened = opened(store, r, seen, false, anyway)?;
            let author = author.unwrap_or_else(me);
            let by = By::now(author.clone());
            let added = store.write(|w| {
                if let Some(o) = &opened {
                    w.guard_thread(r, o, &by)?;
                }
                let row = w.item_row(r)?;
                w.add_message(&NewMessage::internal(row, &author, &body, by.at))
            });
            if let Err(e) = added {
                if let Some(line) = held(&e, kind, r, "not added", "") {
                    eprintln!("{line}");
                    return Ok(ExitCode::from(3));
                }
                return Err(e.into());
            }
            println!("{r}: internal note added");
        }
        _ => {}
    }
    Ok(ExitCode::SUCCESS)
}

/// A reply kept as the draft in place of an earlier, different one: the earlier text is printed, so that it is not
/// lost without a word (the draft holds the new text, as a retry expects).
fn replaced(old: &Draft, kind: Kind, r: ItemRef) {
    eprintln!(
        "this text is now your draft (`helpdesk {} draft {r}`); it replaced your earlier draft, which read:",
        kind.as_str()
    );
    for l in old.body.trim().lines() {
        eprintln!("> {}", helpdesk::sanitize::line(l));
    }
}
