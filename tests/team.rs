//! Team mode in the store, on both backends with a connection per member: outbox claims (each reply taken by one
//! worker), mail leases (one holder, passed on when it goes), announced changes and presence.
#![allow(clippy::unwrap_used)]

#[path = "common/pg.rs"]
mod pg;

use helpdesk::Store;
use helpdesk::domain::{DeliveryState, Doing, ItemRef, Kind, PartKind, SourceChannel};
use helpdesk::store::{By, Channel, NewItem, NewMessage};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Each backend's location with a fresh help desk: a SQLite file and, when installed, a PostgreSQL database.
fn locations() -> (tempfile::TempDir, Vec<PathBuf>) {
    let dir = tempfile::tempdir().unwrap();
    let mut out = vec![dir.path().join("team.db")];
    if let Some(url) = pg::fresh_db() {
        out.push(PathBuf::from(url));
    }
    (dir, out)
}

fn open(at: &std::path::Path) -> Store {
    match at.to_str().filter(|s| s.starts_with("postgres://")) {
        Some(url) => Store::open_postgres(url, Some(pg::PASSWORD)).unwrap(),
        None => Store::open(at).unwrap(),
    }
}

fn ticket(s: &mut Store, title: &str) -> ItemRef {
    s.write(|w| {
        let p = match w.part_row("App") {
            Ok(p) => p,
            Err(_) => w.part_row_of(w.add_part(PartKind::Product, "App", None)?)?,
        };
        let mut n = NewItem::new(Kind::Ticket, title, SourceChannel::Cli);
        n.part_row = Some(p);
        w.create_item(&n, &By::now("t"))
    })
    .unwrap()
}

/// A reply to `to` queued on item `t` at `at`, in transit.
fn queue_reply(s: &mut Store, t: ItemRef, to: &str, body: &str, at: i64) -> i64 {
    s.write(|w| {
        let mut m = NewMessage::internal(w.item_row(t)?, "alice", body, at);
        m.channel = helpdesk::domain::MsgChannel::Customer;
        m.message_id = Some(format!("<{body}.{at}@x.test>").replace(' ', "-"));
        m.to = vec![to.into()];
        m.delivery = Some(DeliveryState::InTransit);
        let msg = w.add_message(&m)?;
        w.enqueue(msg, "support@x.test", at)?;
        Ok(msg)
    })
    .unwrap()
}

/// Three workers, each on its own connection, claim from 60 queued replies at once: every reply is claimed by
/// exactly one of them, and a sent one is never claimed again.
#[test]
fn each_queued_reply_is_claimed_by_exactly_one_worker() {
    let (_dir, places) = locations();
    for at in places {
        let mut s = open(&at);
        let t = ticket(&mut s, "Replies");
        let now = helpdesk::now();
        let queued: Vec<i64> =
            (0..60).map(|i| queue_reply(&mut s, t, "c@x.test", &format!("reply {i}"), now)).collect();
        let workers: Vec<_> = (0..3)
            .map(|k| {
                let at = at.clone();
                std::thread::spawn(move || {
                    let mut s = open(&at);
                    let mut mine = vec![];
                    while let Some(row) = s.write(|w| w.claim_outbox(&format!("w{k}"), now, 0)).unwrap() {
                        mine.push(row);
                        s.write(|w| w.mark_sent(row)).unwrap();
                    }
                    mine
                })
            })
            .collect();
        let mut claimed: Vec<i64> = workers.into_iter().flat_map(|w| w.join().unwrap()).collect();
        claimed.sort();
        assert_eq!(claimed, queued, "{}", at.display());
        assert_eq!(s.read().outbox_pending().unwrap(), 0);
        assert_eq!(
            s.write(|w| w.claim_outbox("late", now + 5000, 0)).unwrap(),
            None,
            "a sent reply is not claimed again"
        );
    }
}

/// A claim given back, or left by a worker that died (stale after ten minutes), is taken by another.
#[test]
fn a_claim_given_back_or_left_stale_is_taken_again() {
    let (_dir, places) = locations();
    for at in places {
        let mut s = open(&at);
        let t = ticket(&mut s, "One reply");
        let msg = queue_reply(&mut s, t, "c@x.test", "hello", 100);
        assert_eq!(s.write(|w| w.claim_outbox("a", 100, 0)).unwrap(), Some(msg));
        assert_eq!(s.write(|w| w.claim_outbox("b", 101, 0)).unwrap(), None, "claimed by a");
        s.write(|w| w.release_claim(msg, "b")).unwrap();
        assert_eq!(s.write(|w| w.claim_outbox("b", 102, 0)).unwrap(), None, "only a gives its claim back");
        s.write(|w| w.release_claim(msg, "a")).unwrap();
        assert_eq!(s.write(|w| w.claim_outbox("b", 103, 0)).unwrap(), Some(msg));
        let stale = 103 + helpdesk::store::team::CLAIM_STALE + 1;
        assert_eq!(s.write(|w| w.claim_outbox("c", stale, 0)).unwrap(), Some(msg), "b died while sending");
        assert_eq!(s.read().outgoing(msg).unwrap().unwrap().to, ["c@x.test"]);
    }
}

/// A send refused for good (an addressee that cannot be written, a 5xx) is marked bounced with its reason and never
/// claimed again; a message that cannot be written is such a refusal.
#[test]
fn a_refused_reply_is_bounced_not_retried() {
    let (_dir, places) = locations();
    for at in places {
        let mut s = open(&at);
        let t = ticket(&mut s, "One reply");
        let msg = queue_reply(&mut s, t, "chlo\u{e9} novak@@x.test", "hello", 100);
        let out = s.read().outgoing(msg).unwrap().unwrap();
        let e = helpdesk::mail::sync::build_message(&out, "Support", &[]).unwrap_err();
        assert!(e.starts_with("To "), "an addressee that cannot be written is named: {e}");
        assert_eq!(s.write(|w| w.claim_outbox("a", 100, 0)).unwrap(), Some(msg));
        s.write(|w| w.mark_refused(msg, &e)).unwrap();
        assert_eq!(s.write(|w| w.claim_outbox("b", 100_000, 0)).unwrap(), None, "never tried again");
        let m = s.read().messages(s.read().item_row(t).unwrap(), None).unwrap();
        let m = m.iter().find(|x| x.id == msg).unwrap();
        assert_eq!(m.delivery_state, Some(DeliveryState::Bounced));
        assert_eq!(s.read().outbox_pending().unwrap(), 0);
    }
}

/// One lease holder at a time; when it lets go (or its process, session or file goes), another takes it.
#[test]
fn one_process_holds_a_lease_until_it_goes() {
    let (_dir, places) = locations();
    for at in places {
        let (a, b) = (open(&at), open(&at));
        let mut held = a.try_lease("mail support@x.test", "alice@h:1").unwrap().expect("free at first");
        assert!(held.alive());
        assert!(b.try_lease("mail support@x.test", "bob@h:2").unwrap().is_none(), "{}", at.display());
        assert_eq!(b.lease_holder("mail support@x.test").unwrap().as_deref(), Some("alice@h:1"));
        assert!(b.try_lease("mail sales@x.test", "bob@h:2").unwrap().is_some(), "another mailbox is free");
        drop(held);
        let mut taken = b.try_lease("mail support@x.test", "bob@h:2").unwrap().expect("given up");
        assert!(taken.alive());
        assert!(a.try_lease("mail support@x.test", "alice@h:1").unwrap().is_none());
    }
}

/// PostgreSQL: a holder whose session the server ended (a crash, a lost machine) has lost the lease and knows it;
/// another takes it at once.
#[test]
fn a_lease_whose_session_ended_is_lost() {
    let Some(url) = pg::fresh_db() else { return };
    let (a, b) = (open(&PathBuf::from(&url)), open(&PathBuf::from(&url)));
    let mut held = a.try_lease("mail support@x.test", "alice@h:1").unwrap().unwrap();
    let mut cfg: postgres::Config = url.parse().unwrap();
    cfg.password(pg::PASSWORD);
    let mut admin = cfg.connect(postgres::NoTls).unwrap();
    let ended = admin
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = current_database() AND application_name LIKE 'helpdesk lease%'",
            &[],
        )
        .unwrap();
    assert_eq!(ended, 1);
    let t0 = Instant::now();
    while held.alive() {
        assert!(t0.elapsed() < Duration::from_secs(5), "the holder did not notice");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(b.try_lease("mail support@x.test", "bob@h:2").unwrap().is_some());
}

/// A write of another connection is announced: the reader's `data_version` moves (PostgreSQL: without a query),
/// its own writes leave it; a listener hears the change within a second.
#[test]
fn other_members_writes_are_announced() {
    let (_dir, places) = locations();
    for at in places {
        let (mut a, mut b) = (open(&at), open(&at));
        let v0 = a.read().data_version().unwrap();
        ticket(&mut a, "mine");
        assert_eq!(a.read().data_version().unwrap(), v0, "own writes are not news");
        ticket(&mut b, "theirs");
        let t0 = Instant::now();
        while a.read().data_version().unwrap() == v0 {
            assert!(t0.elapsed() < Duration::from_secs(1), "{}: the change was not seen", at.display());
            std::thread::sleep(Duration::from_millis(10));
        }
        if !a.is_postgres() {
            continue;
        }
        let mut quiet = open(&at);
        quiet.set_announce(false);
        let v = a.read().data_version().unwrap();
        ticket(&mut quiet, "vectors, say");
        std::thread::sleep(Duration::from_millis(200));
        assert_eq!(a.read().data_version().unwrap(), v, "a session that does not announce is not heard");
        let l = open(&at);
        l.listen(Channel::Change).unwrap();
        let writer = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(200));
            ticket(&mut b, "later");
        });
        let t0 = Instant::now();
        let heard = l.wait_announced(Duration::from_secs(5)).unwrap();
        assert_eq!(heard, [Channel::Change]);
        assert!(t0.elapsed() < Duration::from_secs(1), "{:?}", t0.elapsed());
        writer.join().unwrap();
    }
}

/// Presence: who is on which item and doing what, the asker's own session left out, gone when it expires or leaves.
#[test]
fn presence_shows_who_is_where_until_they_leave() {
    let (_dir, places) = locations();
    for at in places {
        let mut s = open(&at);
        let (t1, t2) = (ticket(&mut s, "one"), ticket(&mut s, "two"));
        let bob = open(&at);
        bob.beat("bob-1", "bob", Some((t1, Doing::Replying)), 100, 110, true).unwrap();
        s.beat("alice-1", "alice", Some((t2, Doing::Viewing)), 100, 110, true).unwrap();
        let seen = s.read().presence(105, "alice-1").unwrap();
        assert_eq!(seen.len(), 1);
        assert_eq!((seen[0].member.as_str(), seen[0].item, seen[0].doing), ("bob", t1, Doing::Replying));
        assert_eq!(bob.read().presence(105, "bob-1").unwrap()[0].item, t2);
        assert!(s.read().presence(111, "alice-1").unwrap().is_empty(), "expired");
        bob.beat("bob-1", "bob", None, 106, 116, true).unwrap();
        assert!(s.read().presence(107, "alice-1").unwrap().is_empty(), "back in the lists");
        bob.beat("bob-1", "bob", Some((t2, Doing::Viewing)), 107, 117, true).unwrap();
        assert_eq!(s.read().presence(108, "alice-1").unwrap().len(), 1);
        bob.leave("bob-1").unwrap();
        assert!(s.read().presence(108, "alice-1").unwrap().is_empty(), "left");
    }
}

/// Members who add a note and move the stage of one item in one transaction at once do not deadlock (a stage move's
/// row lock must not wait for the key-share locks the notes' inserts take), and the history stays a chain.
#[test]
fn notes_and_moves_on_one_item_at_once_do_not_deadlock() {
    let Some(url) = pg::fresh_db() else { return };
    let at = PathBuf::from(&url);
    let stage = |name: &str| helpdesk::stage::AnyStage::parse(Kind::Ticket, name).unwrap();
    let t = ticket(&mut open(&at), "Contested");
    open(&at).write(|w| w.set_stage(t, stage("work-in-progress"), &By::now("t"))).unwrap();
    let members: Vec<_> = (0..4)
        .map(|k| {
            let at = at.clone();
            std::thread::spawn(move || {
                let mut s = open(&at);
                let (wip, acr) = (stage("work-in-progress"), stage("awaiting-customer-response"));
                for i in 0..30 {
                    let to = if s.read().item(t).unwrap().stage == wip { acr } else { wip };
                    let by = By::now(format!("m{k}"));
                    let done = s.write(|w| {
                        w.add_message(&NewMessage::internal(w.item_row(t)?, &by.who, &format!("note {i}"), by.at))?;
                        w.set_stage(t, to, &by)
                    });
                    match done {
                        Ok(()) | Err(helpdesk::Error::IllegalMove { .. }) => {}
                        Err(e) => panic!("{e}"),
                    }
                }
            })
        })
        .collect();
    for m in members {
        m.join().unwrap();
    }
    let history = open(&at).read().item(t).unwrap().history;
    for pair in history.windows(2) {
        assert_eq!(pair[1].from, Some(pair[0].to));
    }
}

/// Members assigning one item at once: each assign reports the owner it replaced, and those follow one another (a
/// path from the first owner to the last), so "who changed what" and undo name the right owner.
#[test]
fn assigns_at_once_each_replace_the_owner_before_them() {
    let Some(url) = pg::fresh_db() else { return };
    let at = PathBuf::from(&url);
    let mut s = open(&at);
    let t = ticket(&mut s, "Contested owner");
    let logins = ["ann", "ben", "cat", "dan"];
    for l in logins {
        s.write(|w| w.add_member(l, l, None)).unwrap();
    }
    let members: Vec<_> = (0..4)
        .map(|k| {
            let at = at.clone();
            std::thread::spawn(move || {
                let mut s = open(&at);
                (0..40)
                    .map(|i| {
                        let to = logins[(k + i) % 4];
                        (s.write(|w| w.assign(t, Some(to), &By::now("m"))).unwrap(), to.to_string())
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut balance: std::collections::HashMap<Option<String>, i64> = Default::default();
    for m in members {
        for (prev, new) in m.join().unwrap() {
            *balance.entry(prev).or_default() -= 1;
            *balance.entry(Some(new)).or_default() += 1;
        }
    }
    *balance.entry(None).or_default() += 1;
    *balance.entry(s.read().item(t).unwrap().owner).or_default() -= 1;
    assert!(balance.values().all(|v| *v == 0), "owners replaced without being seen: {balance:?}");
}
