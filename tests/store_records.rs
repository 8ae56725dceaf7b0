//! Store tests on each backend for records around items: views, drafts, the outbox and mail cursors, contact and
//! account pages, unread markers and the dashboard's aggregates.
#![allow(clippy::unwrap_used)]

#[path = "common/pg.rs"]
mod pg;

use helpdesk::Store;
use helpdesk::domain::{DeliveryState, Kind, PartKind, SourceChannel, TagTarget};
use helpdesk::store::{By, Draft, ItemFilter, NewAccount, NewContact, NewItem, NewMessage};

fn ticket(s: &mut Store, title: &str) -> helpdesk::domain::ItemRef {
    s.write(|w| {
        let p = match w.part_row("App") {
            Ok(p) => p,
            Err(_) => w.part_row_of(w.add_part(PartKind::Product, "App", None)?)?,
        };
        let mut n = NewItem::new(Kind::Ticket, title, SourceChannel::Cli);
        n.part_row = Some(p);
        n.needs_response = true;
        w.create_item(&n, &By::at("t", 1_767_225_600))
    })
    .unwrap()
}

#[test]
fn views_and_drafts_are_kept_and_replaced() {
    pg::each_store(|mut s| {
        let t = ticket(&mut s, "Printer offline");
        let f = ItemFilter { kind: Some(Kind::Ticket), text: Some("printer".into()), ..Default::default() };
        s.write(|w| w.save_view("printers", &f)).unwrap();
        s.write(|w| w.save_view("printers", &ItemFilter { kind: Some(Kind::Issue), ..f.clone() })).unwrap();
        assert_eq!(s.read().view("printers").unwrap().kind, Some(Kind::Issue));
        assert_eq!(s.read().views().unwrap().len(), 1);
        let d = Draft {
            to: vec!["a@x.test".into()],
            subject: "Re".into(),
            body: "Hello".into(),
            attach: vec!["/tmp/a b.pdf".into()],
            ..Default::default()
        };
        s.write(|w| w.save_draft(t, "alice", false, &d, 5)).unwrap();
        s.write(|w| w.save_draft(t, "alice", false, &Draft { body: "Hello again".into(), ..d.clone() }, 6)).unwrap();
        let kept = s.read().draft(t, "alice", false).unwrap().unwrap();
        assert_eq!((kept.body.as_str(), kept.attach.as_slice()), ("Hello again", &["/tmp/a b.pdf".to_string()][..]));
        assert_eq!(s.read().draft(t, "alice", true).unwrap(), None, "a note's draft is another");
        s.write(|w| w.drop_draft(t, "alice", false)).unwrap();
        assert_eq!(s.read().draft(t, "alice", false).unwrap(), None);
    });
}

#[test]
fn the_outbox_retries_and_cursors_move() {
    pg::each_store(|mut s| {
        let t = ticket(&mut s, "Export fails");
        let msg = s
            .write(|w| {
                let row = w.item_row(t)?;
                let mut m = NewMessage::internal(row, "alice", "We are on it", 10);
                m.channel = helpdesk::domain::MsgChannel::Customer;
                m.message_id = Some("<r1@x.test>".into());
                m.to = vec!["c@x.test".into()];
                m.delivery = Some(DeliveryState::InTransit);
                let msg = w.add_message(&m)?;
                w.enqueue(msg, "support@x.test", 10)?;
                Ok(msg)
            })
            .unwrap();
        assert_eq!(s.read().outbox_pending().unwrap(), 1);
        assert_eq!(s.read().outbox(Some(9)).unwrap().len(), 0, "not due yet");
        s.write(|w| w.mark_failed(msg, "timeout", 20)).unwrap();
        let due = s.read().outbox(Some(20)).unwrap();
        assert_eq!((due.len(), due[0].attempts, due[0].last_error.as_deref()), (1, 1, Some("timeout")));
        assert_eq!(due[0].to, ["c@x.test"]);
        s.write(|w| w.mark_sent(msg)).unwrap();
        assert_eq!(s.read().outbox_pending().unwrap(), 0);
        assert_eq!(s.read().cursor("support@x.test", "INBOX").unwrap(), None);
        s.write(|w| w.set_cursor("support@x.test", "INBOX", u32::MAX, 7)).unwrap();
        s.write(|w| w.set_cursor("support@x.test", "INBOX", u32::MAX, 9)).unwrap();
        assert_eq!(s.read().cursor("support@x.test", "INBOX").unwrap(), Some((u32::MAX, 9)));
    });
}

/// Accounts made from mail domains can share a name (python.org, python.net): `account:python` means all of them.
#[test]
fn an_account_name_several_accounts_share_filters_by_all_of_them() {
    pg::each_store(|mut s| {
        let by = By::at("t", 1);
        s.write(|w| {
            for d in ["python.org", "python.net", "acme.test"] {
                let name = if d == "acme.test" { "Acme" } else { "Python" };
                let a =
                    w.add_account(&NewAccount { name: name.into(), domains: vec![d.into()], ..Default::default() }, 1)?;
                let mut n = NewItem::new(Kind::Conversation, format!("from {d}"), SourceChannel::Email);
                n.account_row = Some(a);
                w.create_item(&n, &by)?;
            }
            Ok(())
        })
        .unwrap();
        let r = s.read();
        let count = |q: &str| {
            let (f, problems) = r.apply_query(ItemFilter::default(), q, "t");
            assert!(problems.is_empty(), "{problems:?}");
            r.count(&f).unwrap()
        };
        assert_eq!(count("account:python"), 2);
        assert_eq!(count("account:acme"), 1);
        assert_eq!(count("account:python.net"), 1, "a domain names one account");
        // A renamed account: its items are indexed again (noted by a trigger) and found by the new name.
        let acme = r.account_row("acme.test").unwrap();
        s.write(|w| w.update_account(acme, &NewAccount { name: "Zebrafish".into(), ..Default::default() }, 2)).unwrap();
        let r = s.read();
        let (f, _) = r.apply_query(ItemFilter::default(), "zebrafi", "t");
        assert_eq!(r.count(&f).unwrap(), 1);
    });
}

#[test]
fn contact_and_account_pages_match_text_without_case() {
    pg::each_store(|mut s| {
        s.write(|w| {
            let acme = w.add_account(
                &NewAccount { name: "Acme Bank".into(), domains: vec!["acme.test".into()], ..Default::default() },
                1,
            )?;
            for (i, name) in ["Ada Lovelace", "Grace Hopper", "Alan Turing"].iter().enumerate() {
                let c = NewContact {
                    name: name.to_string(),
                    emails: vec![format!("p{i}@acme.test")],
                    external_ref: Some(format!("EXT-{i}")),
                    account_row: Some(acme),
                    ..Default::default()
                };
                w.add_contact(&c, 1)?;
            }
            Ok(())
        })
        .unwrap();
        let r = s.read();
        assert_eq!(r.contact_count(Some("GRACE")).unwrap(), 1);
        assert_eq!(r.contact_count(Some("ext-2")).unwrap(), 1, "external references too");
        assert_eq!(r.contact_count(None).unwrap(), 3);
        let first = r.contact_page(None, None, false, 2).unwrap();
        assert_eq!(first.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["Ada Lovelace", "Grace Hopper"]);
        let next = r.contact_page(None, Some(first[1].row), false, 2).unwrap();
        assert_eq!(next.len(), 1);
        let last = r.contact_page(None, None, true, 2).unwrap();
        assert_eq!(last.last().unwrap().name, "Alan Turing");
        assert_eq!(r.account_count(Some("ACME.T")).unwrap(), 1, "by domain");
        assert_eq!(r.account_page(Some("bank"), None, false, 10).unwrap()[0].domains, ["acme.test"]);
        let ada = r.contact_row("p0@acme.test").unwrap();
        s.write(|w| {
            w.update_contact(ada, &NewContact { emails: vec!["ADA@x.test".into()], ..Default::default() }, 2)?;
            w.tag(TagTarget::Contact, ada, "vip")
        })
        .unwrap();
        let c = s.read().contact(ada).unwrap();
        assert_eq!((c.name.as_str(), c.emails.len(), c.tags.as_slice()), ("Ada Lovelace", 2, &["vip".to_string()][..]));
    });
}

#[test]
fn unread_marks_and_the_dashboard_count() {
    pg::each_store(|mut s| {
        let t = ticket(&mut s, "Card swallowed");
        let alice = s
            .write(|w| {
                w.add_member("alice", "Alice", None)?;
                let row = w.item_row(t)?;
                let mut m = NewMessage::internal(row, "c", "My card", 20);
                (m.channel, m.direction) =
                    (helpdesk::domain::MsgChannel::Customer, helpdesk::domain::Direction::Inbound);
                w.add_message(&m)?;
                w.member_row("alice")
            })
            .unwrap();
        let unread = ItemFilter { reader_row: Some(alice), unread: true, ..Default::default() };
        assert_eq!(s.read().count(&unread).unwrap(), 1);
        assert!(s.read().list(&unread, Default::default(), 10).unwrap()[0].unread);
        s.write(|w| w.mark_read("alice", t)).unwrap();
        assert_eq!(s.read().count(&unread).unwrap(), 0);
        let waiting = s.read().oldest_waiting(5).unwrap();
        assert_eq!(waiting.len(), 1);
        assert_eq!(waiting[0].0, t);
        let per_day = s.read().created_per_day(0).unwrap();
        assert_eq!(per_day, [("2026-01-01".to_string(), 1)]);
        let by = s.read().count_tickets_by_stage_and_severity(&[waiting[0].2]).unwrap();
        assert_eq!(by.len(), 1);
        s.write(|w| {
            w.set_stage(
                t,
                helpdesk::stage::AnyStage::parse(Kind::Ticket, "work-in-progress")?,
                &By::at("a", 1_767_225_660),
            )
        })
        .unwrap();
        let wip = helpdesk::stage::AnyStage::parse(Kind::Ticket, "work-in-progress").unwrap();
        assert_eq!(s.read().time_to_stage(wip).unwrap(), [60]);
    });
}

#[test]
fn articles_and_message_search_find_words_and_keep_odd_text() {
    pg::each_store(|mut s| {
        let t = ticket(&mut s, "ATM kept my card");
        s.write(|w| {
            let a = helpdesk::store::NewArticle {
                title: "Card swallowed by an ATM".into(),
                body: "Call the bank; the card is destroyed after a day.".into(),
                source: Some("kb/atm.md".into()),
                ..Default::default()
            };
            w.put_article(&a, 1)?;
            let b = helpdesk::store::NewArticle {
                title: "Resetting a password".into(),
                body: "An ATM card is not needed.".into(),
                ..Default::default()
            };
            w.put_article(&b, 1)?;
            let row = w.item_row(t)?;
            let mut m = NewMessage::internal(row, "c", "The machine swallowed my card\0 at noon", 30);
            m.message_id = Some("<nul\0@x.test>".into());
            w.add_message(&m)?;
            Ok(())
        })
        .unwrap();
        let (again, new) = s
            .write(|w| {
                let a = helpdesk::store::NewArticle {
                    title: "Card swallowed by an ATM".into(),
                    body: "Updated.".into(),
                    source: Some("kb/atm.md".into()),
                    ..Default::default()
                };
                w.put_article(&a, 2)
            })
            .unwrap();
        assert!(!new, "a re-import updates the article from the same source");
        let hits = s.read().article_hits("\"atm\" OR \"card\"", 3.0, 5).unwrap();
        assert_eq!(hits[0].0.id, again, "the title match ranks first: {hits:?}");
        assert_eq!(hits.len(), 2);
        assert_eq!(s.read().articles(10).unwrap()[0].title, "Card swallowed by an ATM");
        let found = s.read().message_hits("swallowed card", 10).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].item, Some(t));
        assert!(found[0].excerpt.contains("swallowed my card"), "{}", found[0].excerpt);
        assert!(s.read().message_by_message_id("<nul\0@x.test>").unwrap().is_some(), "found as it was stored");
        assert!(s.read().message_hits("zebra", 10).unwrap().is_empty());
    });
}
