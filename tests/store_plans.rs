//! Query plans of the SQLite store: list pages and ingest lookups use their indexes.
#![allow(clippy::unwrap_used)]

use helpdesk::Store;
use helpdesk::domain::{Kind, PartKind};
use helpdesk::store::{ItemFilter, SortOrder};

fn setup() -> (tempfile::TempDir, Store, i64) {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("t.db")).unwrap();
    let part = s
        .write(|w| {
            w.add_member("alice", "Alice", None)?;
            let p = w.add_part(PartKind::Product, "App", None)?;
            w.part_row_of(p)
        })
        .unwrap();
    (dir, s, part)
}

#[test]
fn list_queries_use_their_indexes() {
    let (_d, s, part) = setup();
    let cases = [
        ItemFilter { kind: Some(Kind::Ticket), ..Default::default() },
        ItemFilter {
            kind: Some(Kind::Ticket),
            stages: vec![helpdesk::stage::AnyStage::Ticket(helpdesk::stage::TicketStage::Queued)],
            ..Default::default()
        },
        ItemFilter { kind: Some(Kind::Ticket), part_row: Some(part), ..Default::default() },
        ItemFilter { kind: Some(Kind::Ticket), owner_row: Some(1), ..Default::default() },
        ItemFilter { kind: Some(Kind::Ticket), severity: Some(helpdesk::domain::Severity::High), ..Default::default() },
        ItemFilter { kind: Some(Kind::Ticket), account_row: Some(1), ..Default::default() },
        ItemFilter { kind: Some(Kind::Conversation), sort: SortOrder::Inbox, ..Default::default() },
    ];
    for f in cases {
        let plan = s.explain_list(&f).unwrap().join(" | ");
        assert!(plan.contains("USING INDEX") || plan.contains("USING COVERING INDEX"), "{f:?}: {plan}");
        assert!(!plan.contains("TEMP B-TREE FOR ORDER BY"), "{f:?} sorts: {plan}");
    }
}

#[test]
fn ingest_lookups_use_their_indexes() {
    let (_d, s, _) = setup();
    let plans: std::collections::HashMap<_, _> = s.read().explain_ingest_lookups().unwrap().into_iter().collect();
    let by_id = &plans["item_of_message_id"];
    assert!(by_id.contains("messages_message_id (message_id=?)") && !by_id.contains("SCAN"), "{by_id}");
    let refs = &plans["item_referencing"];
    assert!(refs.contains("USING PRIMARY KEY (ref_id=?)") && !refs.contains("TEMP B-TREE"), "{refs}");
    // Through the sender's items by row id, never a walk over every item of a kind.
    let subject = &plans["open_item_by_subject"];
    assert!(subject.contains("SEARCH i USING INTEGER PRIMARY KEY (rowid=?)"), "{subject}");
    assert!(subject.contains("items_contact") && subject.contains("item_contacts_contact"), "{subject}");
    assert!(!subject.contains("SCAN"), "{subject}");
    // Asked of every follow-up to a conversation: a sort set up per message was a tenth of a follow-up's cost.
    let ticket = &plans["ticket_of_conversation"];
    assert!(ticket.contains("USING PRIMARY KEY (from_id=?)") && !ticket.contains("TEMP B-TREE"), "{ticket}");
}

/// Loading item vectors a page at a time walks them from the last one loaded, never sorting every item of a kind.
#[test]
fn vector_pages_walk_the_vectors() {
    let (_d, s, _) = setup();
    let plan = s.read().explain_vectors_after().unwrap();
    assert!(plan.contains("SEARCH v USING INTEGER PRIMARY KEY (rowid>?)"), "{plan}");
    assert!(!plan.contains("TEMP B-TREE"), "{plan}");
}
