//! One member of the team row: a PostgreSQL session of their own and a random mix of what members do, timed.

use super::super::pg::PASSWORD;
use anyhow::Result;
use helpdesk::Store;
use helpdesk::domain::{ItemRef, Kind};
use helpdesk::mail::outbox::{Outcome, Reply, reply};
use helpdesk::store::{By, ItemFilter, NewMessage, Page};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The tickets worked: few enough that members often act on the same one at once.
pub const HOT: i64 = 100;

/// What members did and were told was done.
#[derive(Default)]
pub struct Tally {
    pub list: Vec<Duration>,
    pub open: Vec<Duration>,
    pub moves: Vec<Duration>,
    /// Acknowledged stage moves per ticket number.
    pub moved: HashMap<i64, usize>,
    /// Moves refused because the ticket had left the stage the member saw.
    pub refused: usize,
    /// Acknowledged assigns: ticket number, the owner before (as the store said), the new owner.
    pub assigns: Vec<(i64, Option<String>, String)>,
    pub notes: usize,
    pub noted: HashMap<i64, usize>,
    /// Message-IDs of the replies queued, and the conversations answered.
    pub replies: Vec<String>,
    pub replied: Vec<ItemRef>,
    pub errors: Vec<String>,
}

impl Tally {
    pub fn merge(&mut self, o: Tally) {
        self.list.extend(o.list);
        self.open.extend(o.open);
        self.moves.extend(o.moves);
        for (k, v) in o.moved {
            *self.moved.entry(k).or_default() += v;
        }
        self.refused += o.refused;
        self.assigns.extend(o.assigns);
        self.notes += o.notes;
        for (k, v) in o.noted {
            *self.noted.entry(k).or_default() += v;
        }
        self.replies.extend(o.replies);
        self.replied.extend(o.replied);
        self.errors.extend(o.errors);
    }
}

/// Work until `stop`: list pages, item opens, stage moves, assigns, notes and replies, as member `k`.
pub fn work(
    k: usize,
    url: &str,
    cfg: &helpdesk::config::Config,
    logins: &[String],
    stop: &AtomicBool,
) -> Result<Tally> {
    let mut s = Store::open_postgres(url, Some(PASSWORD))?;
    let who = format!("bench-m{k}");
    let mut t = Tally::default();
    let mut rng = 0x9e37_79b9_7f4a_7c15u64 ^ ((k as u64 + 1) * 0x0100_0193);
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let (mut convs, mut convs_at) = (Vec::<ItemRef>::new(), None::<Instant>);
    let tickets = ItemFilter { kind: Some(Kind::Ticket), ..Default::default() };
    let benchq = ItemFilter { kind: Some(Kind::Conversation), text: Some("benchq".into()), ..Default::default() };
    while !stop.load(Ordering::SeqCst) {
        let roll = next() % 100;
        let r = ItemRef { kind: Kind::Ticket, num: 1 + (next() % HOT as u64) as i64 };
        let by = By::now(who.clone());
        let t0 = Instant::now();
        match roll {
            0..30 => {
                s.read().list(&tickets, Page::default(), 50)?;
                t.list.push(t0.elapsed());
            }
            30..55 => {
                let rd = s.read();
                let it = rd.item(r)?;
                rd.messages(it.row, None)?;
                t.open.push(t0.elapsed());
            }
            55..75 => {
                let choices = s.read().item(r)?.stage.next();
                if choices.is_empty() {
                    continue;
                }
                let to = choices[(next() % choices.len() as u64) as usize];
                let t0 = Instant::now();
                match s.write(|w| w.set_stage(r, to, &by)) {
                    Ok(()) => {
                        t.moves.push(t0.elapsed());
                        *t.moved.entry(r.num).or_default() += 1;
                    }
                    Err(helpdesk::Error::IllegalMove { .. }) => {
                        t.moves.push(t0.elapsed());
                        t.refused += 1;
                    }
                    Err(e) => t.errors.push(format!("move {r}: {e}")),
                }
            }
            75..85 => {
                let m = &logins[(next() % logins.len() as u64) as usize];
                match s.write(|w| w.assign(r, Some(m), &by)) {
                    Ok(prev) => t.assigns.push((r.num, prev, m.clone())),
                    Err(e) => t.errors.push(format!("assign {r}: {e}")),
                }
            }
            85..95 => {
                let body = format!("bench note {k}");
                let added = s.write(|w| {
                    let row = w.item_row(r)?;
                    w.add_message(&NewMessage::internal(row, &who, &body, by.at))
                });
                match added {
                    Ok(_) => {
                        t.notes += 1;
                        *t.noted.entry(r.num).or_default() += 1;
                    }
                    Err(e) => t.errors.push(format!("note {r}: {e}")),
                }
            }
            _ => {
                if convs_at.is_none_or(|a| a.elapsed() > Duration::from_secs(3)) {
                    convs = s.read().list(&benchq, Page::default(), 50)?.into_iter().map(|row| row.id).collect();
                    convs_at = Some(Instant::now());
                }
                if convs.is_empty() {
                    continue;
                }
                let c = convs[(next() % convs.len() as u64) as usize];
                let answer = Reply { body: format!("Answer from {who}"), ..Default::default() };
                match s.write(|w| reply(w, c, &answer, &by, cfg, None)) {
                    Ok(Outcome::Queued { message_id, .. }) => {
                        t.replies.push(message_id);
                        t.replied.push(c);
                    }
                    Ok(Outcome::Draft(why)) => t.errors.push(why),
                    Err(e) => t.errors.push(format!("reply {c}: {e}")),
                }
            }
        }
    }
    Ok(t)
}
