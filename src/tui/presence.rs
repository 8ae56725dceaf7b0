//! A team on PostgreSQL, live: a thread with its own session hears other members' changes (LISTEN) and tells the
//! UI to re-read at once; it keeps this member's presence (the item viewed or answered) fresh and brings the
//! others' back as a small map the list and the detail view draw from.

use super::Event;
use helpdesk::domain::{Doing, ItemRef};
use helpdesk::store::{Channel, Presence};
use std::collections::HashMap;
use std::path::Path;
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A heartbeat lasts this long (seconds): a member whose TUI died is gone from the others' screens within it.
const TTL: i64 = 10;
/// How often the heartbeat is renewed, and others' presence read when nothing was announced.
const BEAT: Duration = Duration::from_secs(3);
const READ: Duration = Duration::from_secs(2);
/// At most one re-read of the UI per this time, however many changes are announced.
const RELOAD_GAP: Duration = Duration::from_millis(300);

/// Where this member is, as the team thread last heard from the UI.
type Mine = Arc<Mutex<Option<(ItemRef, Doing)>>>;

/// The UI's side: who else is on which item, and where this session is.
#[derive(Default)]
pub struct Others {
    pub on: HashMap<ItemRef, Vec<(String, Doing)>>,
    /// None: no team thread (SQLite, or tests).
    mine: Option<Mine>,
    pub session: String,
}

impl Others {
    /// Others on the item `r`, for drawing: "alice is viewing · bob is replying".
    pub fn describe(&self, r: ItemRef) -> Option<String> {
        let on = self.on.get(&r)?;
        let said: Vec<String> = on.iter().map(|(m, d)| format!("{} is {d}", helpdesk::sanitize::line(m))).collect();
        Some(said.join(" · "))
    }

    /// The mark of a list row: a glyph and name per member on it ("◆bob ✎carol").
    pub fn mark(&self, r: ItemRef) -> Option<String> {
        let on = self.on.get(&r)?;
        let marks: Vec<String> = on
            .iter()
            .map(|(m, d)| {
                let glyph = if *d == Doing::Replying { '✎' } else { '◆' };
                format!("{glyph}{}", helpdesk::sanitize::line(m))
            })
            .collect();
        Some(marks.join(" "))
    }

    pub fn set(&mut self, all: Vec<Presence>) {
        self.on.clear();
        for p in all {
            let v = self.on.entry(p.item).or_default();
            // One mark per member on an item (two TUIs of one member: replying wins).
            match v.iter_mut().find(|(m, _)| *m == p.member) {
                Some(e) if p.doing == Doing::Replying => e.1 = Doing::Replying,
                Some(_) => {}
                None => v.push((p.member, p.doing)),
            }
        }
    }

    /// Is a team thread running (it announces changes, so the tick need not look)?
    pub fn live(&self) -> bool {
        self.mine.is_some()
    }

    /// Tell the team thread where this member is now (it beats at once when that changed).
    pub fn publish(&self, now: Option<(ItemRef, Doing)>) {
        if let Some(mine) = &self.mine
            && let Ok(mut m) = mine.lock()
        {
            *m = now;
        }
    }
}

/// Start the team thread when the store is PostgreSQL; the UI's side of it.
pub fn spawn(db: &Path, user: &str, is_postgres: bool, tx: Sender<Event>) -> Others {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    let session = format!("{user}@{}:{}", host.trim(), std::process::id());
    if !is_postgres {
        return Others { session, ..Default::default() };
    }
    let mine: Mine = Arc::default();
    let (db, user, s, m) = (db.to_path_buf(), user.to_string(), session.clone(), mine.clone());
    let _ = std::thread::Builder::new().name("team".into()).spawn(move || {
        // A lost session is opened again after a pause; the loop ends when the UI is gone.
        while let Err(e) = run(&db, &user, &s, &m, &tx) {
            tracing::warn!("team: {e}");
            if tx.send(Event::Changed).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_secs(2));
        }
    });
    Others { session, mine: Some(mine), ..Default::default() }
}

/// The thread's loop: Ok when the UI has gone.
fn run(db: &Path, user: &str, session: &str, mine: &Mine, tx: &Sender<Event>) -> helpdesk::Result<()> {
    let store = helpdesk::Store::open(db)?;
    store.listen(Channel::Change)?;
    store.listen(Channel::Presence)?;
    let (mut said, mut beat_at, mut read_at) = (None, None::<Instant>, None::<Instant>);
    let (mut shown, mut reload_at, mut reload_due) = (None::<Vec<Presence>>, None::<Instant>, false);
    loop {
        let heard = store.wait_announced(Duration::from_millis(150))?;
        reload_due |= heard.contains(&Channel::Change);
        if reload_due && reload_at.is_none_or(|t| t.elapsed() >= RELOAD_GAP) {
            if tx.send(Event::Changed).is_err() {
                return Ok(());
            }
            reload_due = false;
            reload_at = Some(Instant::now());
        }
        let now_doing = mine.lock().map(|m| *m).unwrap_or_default();
        let changed = now_doing != said;
        if changed || beat_at.is_none_or(|t| t.elapsed() >= BEAT) {
            let now = helpdesk::now();
            store.beat(session, user, now_doing, now, now + TTL, changed)?;
            said = now_doing;
            beat_at = Some(Instant::now());
        }
        if heard.contains(&Channel::Presence) || read_at.is_none_or(|t| t.elapsed() >= READ) {
            let all = store.read().presence(helpdesk::now(), session)?;
            read_at = Some(Instant::now());
            if shown.as_ref() != Some(&all) {
                shown = Some(all.clone());
                if tx.send(Event::Presence(all)).is_err() {
                    let _ = store.leave(session);
                    return Ok(());
                }
            }
        }
    }
}
