//! Members working at once on one PostgreSQL database: each with their own connection, as each runs the binary.
#![allow(clippy::unwrap_used)]

#[path = "common/pg.rs"]
mod pg;

use helpdesk::Store;
use helpdesk::domain::{Kind, PartKind, SourceChannel};
use helpdesk::store::{By, ItemFilter, NewItem};

/// New tickets and parts are numbered `MAX(num) + 1`: members creating at the same moment must not take one number
/// twice (PostgreSQL runs their transactions side by side, where SQLite runs writers one at a time).
#[test]
fn members_creating_at_once_get_distinct_numbers() {
    let Some(url) = pg::fresh_db() else { return };
    let open = || Store::open_postgres(&url, Some(pg::PASSWORD)).unwrap();
    let part = open()
        .write(|w| {
            let p = w.add_part(PartKind::Product, "App", None)?;
            w.part_row_of(p)
        })
        .unwrap();
    let members: Vec<_> = (0..4)
        .map(|k| {
            let mut s = open();
            std::thread::spawn(move || {
                for i in 0..25 {
                    let mut n = NewItem::new(Kind::Ticket, format!("member {k} ticket {i}"), SourceChannel::Cli);
                    n.part_row = Some(part);
                    s.write(|w| {
                        w.create_item(&n, &By::now(format!("m{k}")))?;
                        w.add_part(PartKind::Capability, &format!("cap {k} {i}"), Some(part))
                    })
                    .unwrap();
                }
            })
        })
        .collect();
    for m in members {
        m.join().unwrap();
    }
    let s = open();
    let f = ItemFilter { kind: Some(Kind::Ticket), ..Default::default() };
    let nums: std::collections::BTreeSet<i64> = s.read().list_all(&f, 1000).unwrap().iter().map(|r| r.id.num).collect();
    assert_eq!((nums.len(), nums.first(), nums.last()), (100, Some(&1), Some(&100)));
    assert_eq!(s.read().parts().unwrap().len(), 101);
}

/// Members move one ticket back and forth, each choosing the next stage from what they last saw: a move from a
/// stage the ticket has left is refused, and the history stays a chain (each move's *from* is the last one's *to*).
#[test]
fn the_stage_history_stays_a_chain_when_members_move_at_once() {
    let Some(url) = pg::fresh_db() else { return };
    let open = || Store::open_postgres(&url, Some(pg::PASSWORD)).unwrap();
    let stage = |name: &str| helpdesk::stage::AnyStage::parse(Kind::Ticket, name).unwrap();
    let t = open()
        .write(|w| {
            let part = w.part_row_of(w.add_part(PartKind::Product, "App", None)?)?;
            let mut n = NewItem::new(Kind::Ticket, "Contested", SourceChannel::Cli);
            n.part_row = Some(part);
            let t = w.create_item(&n, &By::now("t"))?;
            w.set_stage(t, stage("work-in-progress"), &By::now("t"))?;
            Ok(t)
        })
        .unwrap();
    let members: Vec<_> = (0..4)
        .map(|k| {
            let mut s = open();
            std::thread::spawn(move || {
                let (wip, acr) = (stage("work-in-progress"), stage("awaiting-customer-response"));
                for _ in 0..25 {
                    let seen = s.read().item(t).unwrap().stage;
                    let to = if seen == wip { acr } else { wip };
                    match s.write(|w| w.set_stage(t, to, &By::now(format!("m{k}")))) {
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
    let history = open().read().item(t).unwrap().history;
    assert!(history.len() > 20, "{}", history.len());
    for pair in history.windows(2) {
        assert_eq!(pair[1].from, Some(pair[0].to), "{:?} then {:?}", pair[0], pair[1]);
    }
}
