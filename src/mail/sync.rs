//! One sync pass: fetch new mail from every watched folder into the pipeline (cursor advanced in the same
//! transaction as the ingest), then send what the outbox holds.

use super::ingest::{IngestOptions, Mode, Summary, ingest};
use super::net::{NetError, Stream, deadline, imap_login, smtp, step, timed_out};
use crate::Store;
use crate::config::Server;
use crate::config::{Config, Mailbox};
use crate::store::Outgoing;
use async_imap::Session;
use futures_util::TryStreamExt;
use serde::Serialize;

/// UIDs fetched per round trip and per transaction.
pub const BATCH: u32 = 200;

#[derive(Debug, Clone, Default, Serialize)]
pub struct SyncReport {
    pub fetched: usize,
    pub ingest: Summary,
    pub sent: usize,
    pub send_failed: usize,
    pub errors: Vec<String>,
    /// Items of delivery reports that bounced a reply, with the reason.
    pub bounces: Vec<(Option<String>, String)>,
    /// Mailboxes another worker holds the lease of (it fetches them; this one did not).
    pub standby: Vec<String>,
}

pub fn options(cfg: &Config, m: &Mailbox) -> IngestOptions {
    IngestOptions {
        mode: if m.mode == "tickets" { Mode::Tickets } else { Mode::Conversations },
        mailbox: Some(m.address.to_lowercase()),
        limits: cfg.limits.clone(),
        routing: cfg.routing.clone(),
        reopen_days: cfg.reopen_days,
        part: m.part.clone(),
    }
}

fn err<E: std::fmt::Display>(what: &str) -> impl FnOnce(E) -> NetError + '_ {
    move |e| NetError::Protocol(format!("{what}: {e}"))
}

/// Fetch new messages of one folder. `BODY.PEEK[]` never sets `\Seen`; the folder is opened read-only (EXAMINE).
pub async fn fetch_folder(
    server: &Server,
    session: &mut Session<Stream>,
    store: &mut Store,
    m: &Mailbox,
    folder: &str,
    o: &IngestOptions,
    report: &mut SyncReport,
) -> Result<(), NetError> {
    let mb = step(server, "EXAMINE", async {
        session.examine(folder).await.map_err(|e| NetError::Folder(format!("{folder}: {e}")))
    })
    .await?;
    let validity = mb.uid_validity.unwrap_or(0);
    let uid_next = mb.uid_next.unwrap_or(u32::MAX);
    let cursor = {
        let store = &mut *store;
        off_runtime(move || store.read().cursor(&m.address, folder))
    };
    let last = match cursor.map_err(err("cursor"))? {
        Some((v, last)) if v == validity => last,
        Some((v, _)) => {
            tracing::warn!(
                folder,
                old = v,
                new = validity,
                "UIDVALIDITY changed: re-scanning (the ledger skips what is stored)"
            );
            0
        }
        None => 0,
    };
    if mb.exists == 0 || last + 1 >= uid_next {
        return Ok(());
    }
    let mut from = last + 1;
    while from < uid_next {
        let to = from.saturating_add(BATCH - 1).min(uid_next.saturating_sub(1));
        let range = format!("{from}:{to}");
        let mut got: Vec<(u32, Vec<u8>)> = vec![];
        {
            let fetch = step(server, "UID FETCH", async {
                session.uid_fetch(&range, "(UID BODY.PEEK[])").await.map_err(err("UID FETCH"))
            })
            .await?;
            let mut fetch = std::pin::pin!(fetch);
            // Each response must come within the deadline; a large batch as a whole may take longer.
            loop {
                let next = tokio::time::timeout(deadline(server), fetch.try_next())
                    .await
                    .map_err(|_| timed_out(server, "IMAP", "UID FETCH"))?
                    .map_err(err("UID FETCH"))?;
                let Some(f) = next else { break };
                if let Some(u) = f.uid.filter(|u| *u >= from) {
                    got.push((u, f.body().unwrap_or_default().to_vec()));
                }
            }
        }
        got.sort_by_key(|g| g.0);
        let now = crate::now();
        let (store, got) = (&mut *store, &got);
        let (part, bounces) = off_runtime(move || {
            store.write(|w| {
                let mut s = Summary::default();
                let mut bounces = vec![];
                for (uid, raw) in got {
                    let key = format!("imap:{}/{folder}/{validity}/{uid}", m.address);
                    let out = ingest(w, raw, &key, o, now)?;
                    if let super::Outcome::Bounce(item, Some(detail)) = &out {
                        bounces.push((item.map(|i| i.to_string()), detail.clone()));
                    }
                    s.add(&out);
                }
                w.set_cursor(&m.address, folder, validity, to)?;
                Ok((s, bounces))
            })
        })
        .map_err(err("store"))?;
        report.bounces.extend(bounces);
        report.fetched += got.len();
        report.ingest.merge(part);
        from = to + 1;
    }
    Ok(())
}

/// Run a store call on a thread of its own, outside the async runtime: PostgreSQL's client drives a runtime of its
/// own, which cannot start on a thread that drives one.
fn off_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| s.spawn(f).join()).unwrap_or_else(|e| std::panic::resume_unwind(e))
}

/// Fetch every watched folder of every mailbox with IMAP settings that `leases` holds.
pub async fn fetch_all(store: &mut Store, cfg: &Config, leases: &super::lease::Leases, report: &mut SyncReport) {
    for m in cfg.mailbox.iter().filter(|m| leases.holds(m)) {
        let Some(imap) = &m.imap else { continue };
        let o = options(cfg, m);
        let result = async {
            let mut s = imap_login(imap).await?;
            for folder in &imap.folders {
                fetch_folder(imap, &mut s, store, m, folder, &o, report).await?;
            }
            let _ = tokio::time::timeout(deadline(imap), s.logout()).await;
            Ok::<(), NetError>(())
        }
        .await;
        if let Err(e) = result {
            report.errors.push(format!("{} IMAP: {e}", m.address));
        }
    }
}

/// Build the RFC 5322 message of an outbox row.
pub fn build_message(
    o: &Outgoing,
    mailbox_name: &str,
    attached: &[super::outbox::Attached],
) -> Result<lettre::Message, String> {
    use lettre::message::header::ContentType;
    let display = if o.from_name.contains(" via ") || o.from_name == mailbox_name {
        o.from_name.clone()
    } else {
        // Replies queued before the sender's display name was stored carry a login there: the mailbox's name it is.
        super::outbox::display_name(None, mailbox_name)
    };
    let from = lettre::message::Mailbox::new(Some(display), o.mailbox.parse().map_err(|e| format!("From: {e}"))?);
    let mut b = lettre::Message::builder()
        .from(from)
        .subject(o.subject.clone())
        .message_id(Some(format!("<{}>", o.message_id)))
        .date_now();
    for to in &o.to {
        b = b.to(to.parse().map_err(|e| format!("To {to}: {e}"))?);
    }
    for cc in &o.cc {
        b = b.cc(cc.parse().map_err(|e| format!("Cc {cc}: {e}"))?);
    }
    if let Some(r) = &o.in_reply_to {
        b = b.in_reply_to(format!("<{r}>"));
    }
    if !o.references.is_empty() {
        b = b.references(o.references.iter().map(|r| format!("<{r}>")).collect::<Vec<_>>().join(" "));
    }
    if attached.is_empty() {
        return b.header(ContentType::TEXT_PLAIN).body(o.body.clone()).map_err(|e| e.to_string());
    }
    use lettre::message::{Attachment, MultiPart, SinglePart};
    let mut parts = MultiPart::mixed().singlepart(SinglePart::plain(o.body.clone()));
    for a in attached {
        let kind = ContentType::parse(&a.mime)
            .unwrap_or(ContentType::parse("application/octet-stream").map_err(|e| e.to_string())?);
        // Base64 whatever the type: a text file's bytes (line ends too) arrive as they were.
        let body = lettre::message::Body::new_with_encoding(
            a.data.clone(),
            lettre::message::header::ContentTransferEncoding::Base64,
        )
        .map_err(|_| format!("attachment {} cannot be encoded", a.name))?;
        parts = parts.singlepart(Attachment::new(a.name.clone()).body(body, kind));
    }
    b.multipart(parts).map_err(|e| e.to_string())
}

/// The files stored with an outbox message, to send along.
fn attached_to(store: &Store, msg_row: i64) -> crate::Result<Vec<super::outbox::Attached>> {
    let r = store.read();
    let mut out = vec![];
    for a in r.attachments(msg_row)? {
        let data = r.attachment_data(&a.sha256)?.unwrap_or_default();
        out.push(super::outbox::Attached { name: a.name, mime: a.mime, data });
    }
    Ok(out)
}

/// Send every due outbox message, each claimed by `worker` first so that no other worker sends it too; failures
/// are retried later with exponential backoff.
pub fn send_outbox(store: &mut Store, cfg: &Config, worker: &str, report: &mut SyncReport) {
    let now = crate::now();
    // Rows this worker cannot send (no such mailbox or no SMTP here): given back at the end, for another worker.
    let mut give_back = vec![];
    // Each reply is tried once per pass, in order (a failed one may be due again at once: `retry_seconds = 0`).
    let mut after = 0;
    loop {
        let row = match store.write(|w| w.claim_outbox(worker, now, after)) {
            Ok(Some(row)) => row,
            Ok(None) => break,
            Err(e) => {
                report.errors.push(format!("outbox: {e}"));
                break;
            }
        };
        after = row;
        let o = match store.read().outgoing(row) {
            Ok(Some(o)) => o,
            Ok(None) => continue,
            Err(e) => {
                report.errors.push(format!("outbox: {e}"));
                give_back.push(row);
                break;
            }
        };
        let Some(mb) = cfg.mailbox.iter().find(|m| m.address.eq_ignore_ascii_case(&o.mailbox)) else {
            report.errors.push(format!("outbox message {}: no mailbox {} in the config", o.message, o.mailbox));
            give_back.push(row);
            continue;
        };
        let Some(server) = &mb.smtp else {
            report.errors.push(format!("outbox message {}: mailbox {} has no [mailbox.smtp]", o.message, o.mailbox));
            give_back.push(row);
            continue;
        };
        send_one(store, cfg, mb, server, &o, now, report);
    }
    for row in give_back {
        if let Err(e) = store.write(|w| w.release_claim(row, worker)) {
            report.errors.push(format!("outbox: {e}"));
        }
    }
}

/// Send one claimed message and record how it went.
fn send_one(
    store: &mut Store,
    cfg: &Config,
    mb: &Mailbox,
    server: &Server,
    o: &Outgoing,
    now: i64,
    report: &mut SyncReport,
) {
    let mut raw = vec![];
    // Refused (an addressee that cannot be written, a 5xx answer) is final; anything else is tried again later.
    let mut refused = false;
    let attached = attached_to(store, o.message).map_err(|e| e.to_string());
    let result = attached
        .and_then(|a| {
            build_message(o, &mb.name, &a).inspect_err(|e| refused = e.starts_with("To ") || e.starts_with("Cc "))
        })
        .and_then(|msg| {
            let t = smtp(server).map_err(|e| e.to_string())?;
            raw = msg.formatted();
            lettre::Transport::send(&t, &msg).map(|_| ()).map_err(|e| {
                refused = e.is_permanent();
                super::net::smtp_error(server, &e).to_string()
            })
        });
    if result.is_ok() && super::sent::wanted(mb) {
        // The reply went out; a copy that cannot be made is reported, never a reason to send again.
        let copied = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| super::net::NetError::Protocol(e.to_string()))
            .and_then(|rt| rt.block_on(super::sent::append(mb, &raw)));
        if let Err(e) = copied {
            report.errors.push(format!("copy of {} to Sent: {e}", o.message_id));
        }
    }
    let outcome = match &result {
        Ok(()) => store.write(|w| w.mark_sent(o.message)),
        Err(e) if refused => store.write(|w| w.mark_refused(o.message, e)),
        Err(e) => {
            let backoff = (cfg.limits.retry_seconds << o.attempts.clamp(0, 7)).min(3600);
            store.write(|w| w.mark_failed(o.message, e, now + backoff))
        }
    };
    match (result, outcome) {
        (Ok(()), Ok(())) => report.sent += 1,
        (Err(e), _) => {
            report.send_failed += 1;
            report.errors.push(format!("send {}: {e}", o.message_id));
        }
        (_, Err(e)) => report.errors.push(format!("outbox: {e}")),
    }
}
