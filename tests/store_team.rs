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
