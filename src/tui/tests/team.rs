//! Two members on one help desk: alice in the TUI, bob through his own connection to the same database.

use super::super::app::{Chosen, Modal, Target};
use super::*;
use helpdesk::Store;
use helpdesk::domain::{Direction, ItemRef, Kind, MsgChannel, PartKind, Severity, SourceChannel};
use helpdesk::stage::AnyStage;
use helpdesk::store::{By, NewItem, NewMessage};

/// A help desk with members alice and bob and TKT-1 (owned by alice) with a customer's message; alice's TUI on it
/// with the ticket open, and bob's connection.
fn desk() -> (tempfile::TempDir, App, Store, ItemRef) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.db");
    let mut s = Store::open(&path).unwrap();
    let t = s
        .write(|w| {
            w.add_member("alice", "Alice", None)?;
            w.add_member("bob", "Bob", None)?;
            let part = w.part_row_of(w.add_part(PartKind::Product, "App", None)?)?;
            let c = w.add_contact(
                &helpdesk::store::NewContact {
                    name: "Carol".into(),
                    emails: vec!["carol@example.org".into()],
                    ..Default::default()
                },
                NOW - 100,
            )?;
            let mut n = NewItem::new(Kind::Ticket, "Card declined", SourceChannel::Email);
            n.part_row = Some(part);
            n.owner = Some("alice".into());
            n.reported_by = vec![c];
            let (row, t) = w.create_item_row(&n, &By::at("alice", NOW - 100))?;
            w.add_message(&customer(row, "My card is declined.", NOW - 90))?;
            Ok(t)
        })
        .unwrap();
    let mut a = app_on(s);
    a.open(Target::Item(t)).unwrap();
    let bob = Store::open(&path).unwrap();
    (dir, a, bob, t)
}

fn customer(row: i64, body: &str, at: i64) -> NewMessage {
    let mut m = NewMessage::internal(row, "x", body, at);
    m.channel = MsgChannel::Customer;
    m.direction = Direction::Inbound;
    m.author = None;
    m.from_addr = "carol@example.org".into();
    m.class = "normal".into();
    m
}

fn stage(name: &str) -> AnyStage {
    AnyStage::parse(Kind::Ticket, name).unwrap()
}

#[test]
fn a_stale_edit_is_refused_and_the_view_shows_the_fresh_item() {
    let (_d, mut a, mut bob, t) = desk();
    keys(&mut a, "s");
    assert!(matches!(a.modal, Some(Modal::Menu { .. })));
    // bob moves the ticket while alice's menu is open.
    bob.write(|w| w.set_stage(t, stage("work-in-progress"), &By::at("bob", NOW - 4))).unwrap();
    key(&mut a, KeyCode::Enter);
    assert_eq!(
        errors(&a),
        ["TKT-1 changed by bob 4 s ago (stage queued → work in progress); yours not applied"],
        "{:?}",
        a.store.read().item(t).unwrap().history
    );
    assert_eq!(a.store.read().item(t).unwrap().stage, stage("work-in-progress"), "bob's move stands");
    let d = a.detail.last().unwrap();
    assert_eq!(d.version, Some(a.store.read().version_of(t).unwrap()), "the view shows the item as it is");
    let shown: String = d.lines.iter().map(|l| l.to_string()).collect::<Vec<_>>().join("\n");
    assert!(shown.contains("work in progress"), "{shown}");
    // From what she sees now, her change goes through, and undo puts back bob's stage.
    keys(&mut a, "s");
    key(&mut a, KeyCode::Enter);
    let moved = a.store.read().item(t).unwrap().stage;
    assert_ne!(moved, stage("work-in-progress"), "{:?}", errors(&a));
    keys(&mut a, "u");
    assert_eq!(a.store.read().item(t).unwrap().stage, stage("work-in-progress"), "{:?}", errors(&a));
}

#[test]
fn undo_goes_back_through_own_changes_and_is_refused_after_another_members() {
    let (_d, mut a, mut bob, t) = desk();
    keys(&mut a, "v1");
    keys(&mut a, "tvip");
    key(&mut a, KeyCode::Enter);
    let i = a.store.read().item(t).unwrap();
    assert_eq!((i.severity, i.tags.clone()), (Some(Severity::Low), vec!["vip".to_string()]), "{:?}", errors(&a));
    keys(&mut a, "uu");
    let i = a.store.read().item(t).unwrap();
    assert_eq!((i.severity, i.tags.is_empty()), (None, true), "{:?}", errors(&a));
    assert!(errors(&a).is_empty(), "{:?}", errors(&a));

    keys(&mut a, "v1");
    bob.write(|w| w.set_severity(t, Some(Severity::Blocker), &By::at("bob", NOW - 2)).map(drop)).unwrap();
    keys(&mut a, "u");
    assert_eq!(errors(&a).last().unwrap(), "TKT-1 changed by bob 2 s ago (severity low → blocker); yours not applied");
    assert_eq!(a.store.read().item(t).unwrap().severity, Some(Severity::Blocker), "bob's change is not undone");
}

#[test]
fn a_reply_is_held_when_a_colleague_wrote_and_goes_once_the_member_chooses() {
    let (_d, mut a, mut bob, t) = desk();
    let row = a.store.read().item_row(t).unwrap();
    keys(&mut a, "r");
    keys(&mut a, "We are on it.");
    bob.write(|w| w.add_message(&NewMessage::internal(row, "bob", "I refunded her already", NOW - 8))).unwrap();
    ctrl(&mut a, 's');
    let Some(Modal::Compose(c)) = &a.modal else { panic!("the composer stays open: {:?}", errors(&a)) };
    let h = c.held.as_ref().expect("held");
    assert_eq!(h.news[0].line(NOW), "bob added a note 8 s ago");
    assert!(a.store.read().outbox(None).unwrap().is_empty(), "nothing queued");
    let screen = format!("{}", render(&mut a, 80, 24).backend());
    assert!(screen.contains("HELD, not sent") && screen.contains("I refunded her already"), "{screen}");
    assert!(screen.contains("send anyway"), "{screen}");
    // e: back to writing, the note counts as seen; what comes after it holds the reply again; then ctrl-s sends.
    keys(&mut a, "e");
    assert!(matches!(&a.modal, Some(Modal::Compose(c)) if c.held.is_none()));
    bob.write(|w| w.add_message(&NewMessage::internal(row, "bob", "and sent a new card", NOW - 5))).unwrap();
    ctrl(&mut a, 's');
    let Some(Modal::Compose(c)) = &a.modal else { panic!("held again: {:?}", errors(&a)) };
    let news: Vec<&str> = c.held.as_ref().unwrap().news.iter().map(|n| n.excerpt.as_str()).collect();
    assert_eq!(news, ["and sent a new card"], "only what is new since the last hold");
    keys(&mut a, "e");
    ctrl(&mut a, 's');
    assert!(a.modal.is_none(), "{:?}", errors(&a));
    assert_eq!(a.store.read().outbox(None).unwrap().len(), 1);

    // A customer writes while a note is being written: held; s sends it anyway; a held one discarded is gone.
    keys(&mut a, "I");
    keys(&mut a, "checking");
    bob.write(|w| w.add_message(&customer(row, "Any news?", NOW - 1))).unwrap();
    ctrl(&mut a, 's');
    assert!(matches!(&a.modal, Some(Modal::Compose(c)) if c.held.is_some()));
    keys(&mut a, "s");
    assert!(a.modal.is_none(), "{:?}", errors(&a));
    assert!(a.store.read().messages(row, Some(MsgChannel::Internal)).unwrap().iter().any(|m| m.body == "checking"));
    keys(&mut a, "I");
    keys(&mut a, "never mind");
    bob.write(|w| w.add_message(&customer(row, "Hello?", NOW))).unwrap();
    ctrl(&mut a, 's');
    keys(&mut a, "d");
    assert!(a.modal.is_none());
    assert!(!a.store.read().messages(row, None).unwrap().iter().any(|m| m.body == "never mind"));
    assert!(a.store.read().draft(t, "alice", true).unwrap().is_none(), "discarded");
}

#[test]
fn notifications_list_opens_the_item_and_marks_it_read() {
    let (_d, mut a, mut bob, t) = desk();
    let row = a.store.read().item_row(t).unwrap();
    bob.write(|w| {
        w.add_message(&NewMessage::internal(row, "bob", "@alice she called again", NOW - 30))?;
        w.assign(t, Some("bob"), &By::at("bob", NOW - 20))?;
        w.assign(t, Some("alice"), &By::at("bob", NOW - 10)).map(drop)
    })
    .unwrap();
    a.refresh_all().unwrap();
    assert_eq!(a.unread, 2);
    let screen = format!("{}", render(&mut a, 80, 24).backend());
    assert!(screen.contains("● 2 for you (b)"), "{screen}");
    keys(&mut a, "b");
    let Some(Modal::Menu { items, title, .. }) = &a.modal else { panic!("{:?}", errors(&a)) };
    assert_eq!(title, "Notifications of alice (2 unread)");
    assert!(items[0].label.contains("bob assigned TKT-1 to you"), "{}", items[0].label);
    assert!(items[1].label.contains("bob mentioned you on TKT-1: “@alice she called again”"), "{}", items[1].label);
    assert!(matches!(items[1].then, Chosen::Notification(_, r) if r == t));
    keys(&mut a, "j");
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.detail.last().map(|d| d.target), Some(Target::Item(t)));
    // Opening the item read both of its notifications.
    assert_eq!((a.unread, a.store.read().unread_notifications("alice").unwrap()), (0, 0));
    assert_eq!(a.store.read().notifications("alice", true, 10).unwrap().len(), 2);
    assert_eq!(a.store.read().unread_notifications("bob").unwrap(), 0, "bob is not told of his own doing");
}

/// A reply written in `$EDITOR` counts the thread from when the editor opened: what arrived while it was written
/// holds it when it comes back into the composer.
#[test]
fn a_reply_written_in_the_editor_is_held_by_what_arrived_while_it_was_written() {
    let (_d, mut a, mut bob, t) = desk();
    let row = a.store.read().item_row(t).unwrap();
    keys(&mut a, "E");
    let req = a.editor.take().expect("the editor is asked for");
    bob.write(|w| w.add_message(&customer(row, "Never mind, it works now.", NOW - 3))).unwrap();
    super::super::update::compose_from_editor(&mut a, req.target, req.internal, "Good news!", req.opened).unwrap();
    ctrl(&mut a, 's');
    let Some(Modal::Compose(c)) = &a.modal else { panic!("{:?}", errors(&a)) };
    assert_eq!(c.held.as_ref().map(|h| h.news[0].excerpt.as_str()), Some("Never mind, it works now."));
}
