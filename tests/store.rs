//! Store tests on each backend (a temporary SQLite file, and a PostgreSQL database when the server is installed):
//! creation, stage moves and automation, links, paging, concurrency.
#![allow(clippy::unwrap_used)]

use helpdesk::Store;
use helpdesk::domain::{ItemRef, Kind, LinkRel, PartKind, SourceChannel};
use helpdesk::store::{By, ItemFilter, NewContact, NewItem, Page, SortOrder};

#[path = "common/pg.rs"]
mod pg;

/// Run `test` on a SQLite file and on a PostgreSQL database, each with member alice and a product part.
fn each(test: impl Fn(Store, i64)) {
    pg::each_store(|s| test_on(s, &test));
}

fn test_on(mut s: Store, test: &impl Fn(Store, i64)) {
    let part = s
        .write(|w| {
            w.add_member("alice", "Alice", None)?;
            let p = w.add_part(PartKind::Product, "App", None)?;
            w.part_row_of(p)
        })
        .unwrap();
    test(s, part)
}

fn ticket(s: &mut Store, part: i64, title: &str) -> ItemRef {
    let mut n = NewItem::new(Kind::Ticket, title, SourceChannel::Cli);
    n.part_row = Some(part);
    s.write(|w| w.create_item(&n, &By::now("t"))).unwrap()
}

#[test]
fn create_show_and_history() {
    each(|mut s, part| {
        let t = ticket(&mut s, part, "Login fails");
        assert_eq!(t.to_string(), "TKT-1");
        s.write(|w| w.set_stage(t, stage_of(t, "work-in-progress"), &By::at("alice", 100))).unwrap();
        let i = s.read().item(t).unwrap();
        assert_eq!(i.stage, "work-in-progress");
        assert_eq!(i.history.len(), 2);
        assert_eq!(i.history[1].from.map(|s| s.as_str()), Some("queued"));
        assert_eq!(i.history[1].by, "alice");
    });
}

#[test]
fn illegal_move_changes_nothing() {
    each(|mut s, part| {
        let t = ticket(&mut s, part, "x");
        let e = s.write(|w| w.set_stage(t, stage_of(t, "resolved"), &By::now("t"))).unwrap_err().to_string();
        assert!(e.contains("work-in-progress"), "{e}");
        let i = s.read().item(t).unwrap();
        assert_eq!((i.stage.as_str(), i.history.len()), ("queued", 1));
    });
}

#[test]
fn ticket_without_part_is_refused_and_nothing_written() {
    each(|mut s, _| {
        let n = NewItem::new(Kind::Ticket, "no part", SourceChannel::Cli);
        assert!(s.write(|w| w.create_item(&n, &By::now("t"))).is_err());
        assert_eq!(s.read().count(&ItemFilter { kind: Some(Kind::Ticket), ..Default::default() }).unwrap(), 0);
    });
}

#[test]
fn failed_transaction_rolls_back_everything() {
    each(|mut s, part| {
        let r = s.write(|w| {
            let mut n = NewItem::new(Kind::Ticket, "first", SourceChannel::Cli);
            n.part_row = Some(part);
            w.create_item(&n, &By::now("t"))?;
            w.set_stage(
                ItemRef { kind: Kind::Ticket, num: 1 },
                stage_of(ItemRef { kind: Kind::Ticket, num: 1 }, "resolved"),
                &By::now("t"),
            )
        });
        assert!(r.is_err());
        assert_eq!(s.read().count(&ItemFilter::default()).unwrap(), 0);
    });
}

/// Numbers are read once per transaction and then counted on: an attempt undone leaves no gap, and the next
/// transaction reads them again.
#[test]
fn numbers_follow_on_in_a_transaction_and_past_an_undone_attempt() {
    each(|mut s, part| {
        let make = |w: &helpdesk::store::Writer<'_>, title: &str| {
            let mut n = NewItem::new(Kind::Ticket, title, SourceChannel::Cli);
            n.part_row = Some(part);
            w.create_item(&n, &By::now("t"))
        };
        let made = s
            .write(|w| {
                let a = make(w, "first")?;
                let undone =
                    w.attempt(|w| make(w, "undone").and_then(|_| Err::<(), _>(helpdesk::Error::invalid("no"))));
                assert!(undone.is_err());
                Ok((a, make(w, "second")?, make(w, "third")?))
            })
            .unwrap();
        assert_eq!([made.0.num, made.1.num, made.2.num], [1, 2, 3]);
        assert_eq!(ticket(&mut s, part, "fourth").num, 4);
        assert_eq!(s.read().item(made.1).unwrap().title, "second");
    });
}

#[test]
fn tickets_follow_their_issues() {
    each(|mut s, part| {
        let t = ticket(&mut s, part, "Export times out");
        let mut n = NewItem::new(Kind::Issue, "Export query is slow", SourceChannel::Cli);
        n.part_row = Some(part);
        let by = By::now("alice");
        let iss = s.write(|w| w.create_item(&n, &by)).unwrap();
        s.write(|w| {
            for st in ["work-in-progress", "awaiting-product-assist", "awaiting-development"] {
                w.set_stage(t, stage_of(t, st), &by)?;
            }
            w.link(t, iss, LinkRel::Issue, &by)?;
            for st in ["backlog", "prioritized", "in-development"] {
                w.set_stage(iss, stage_of(iss, st), &by)?;
            }
            Ok(())
        })
        .unwrap();
        assert_eq!(s.read().item(t).unwrap().stage, "in-development");
        s.write(|w| {
            for st in ["in-review", "in-testing", "in-deployment", "completed"] {
                w.set_stage(iss, stage_of(iss, st), &by)?;
            }
            Ok(())
        })
        .unwrap();
        let i = s.read().item(t).unwrap();
        assert_eq!(i.stage, "awaiting-customer-response");
        assert!(i.history.last().unwrap().by.starts_with("auto"));
    });
}

#[test]
fn customer_message_reopens_within_window_only() {
    each(|mut s, part| {
        let t = ticket(&mut s, part, "x");
        let day = 86_400;
        s.write(|w| {
            for st in ["work-in-progress", "awaiting-customer-response", "resolved"] {
                w.set_stage(t, stage_of(t, st), &By::at("alice", 1_000 * day))?;
            }
            Ok(())
        })
        .unwrap();
        let row = s.read().item_row(t).unwrap();
        let eff = s.write(|w| w.apply_customer_message(row, &By::at("c", 1_020 * day), 14)).unwrap();
        assert_eq!(eff, helpdesk::store::CustomerEffect::NeedsNewTicket);
        assert_eq!(s.read().item(t).unwrap().stage, "resolved");
        let eff = s.write(|w| w.apply_customer_message(row, &By::at("c", 1_010 * day), 14)).unwrap();
        assert_eq!(eff, helpdesk::store::CustomerEffect::Applied);
        let i = s.read().item(t).unwrap();
        assert_eq!(i.stage, "work-in-progress");
        assert!(i.needs_response);
    });
}

#[test]
fn conversation_ticket_link_and_reply_automation() {
    each(|mut s, part| {
        let mut n = NewItem::new(Kind::Conversation, "Card declined", SourceChannel::Email);
        n.needs_response = true;
        let c = s.write(|w| w.create_item(&n, &By::now("x"))).unwrap();
        let row = s.read().item_row(c).unwrap();
        s.write(|w| w.apply_member_reply(row, &By::now("alice"))).unwrap();
        let conv = s.read().item(c).unwrap();
        assert_eq!((conv.stage.as_str(), conv.needs_response), ("waiting-on-user", false));
        s.write(|w| w.apply_customer_message(row, &By::now("cust"), 14)).unwrap();
        assert_eq!(s.read().item(c).unwrap().stage, "needs-response");
        let t = s.write(|w| w.ticket_from_conversation(c, part, SourceChannel::Cli, &By::now("alice"))).unwrap();
        let ti = s.read().item(t).unwrap();
        assert_eq!(ti.title, "Card declined");
        assert!(ti.links.iter().any(|l| l.id == c && l.rel == "ticket"));
        let again = s.write(|w| w.ticket_from_conversation(c, part, SourceChannel::Cli, &By::now("bob")));
        let e = again.expect_err("one conversation, one ticket").to_string();
        assert!(e.contains(&format!("already has ticket {t}")), "{e}");
    });
}

/// A ticket made from a conversation carries its thread: a word of a later message there finds the ticket.
#[test]
fn a_ticket_is_found_by_the_words_of_the_conversation_it_was_made_from() {
    each(|mut s, part| {
        let n = NewItem::new(Kind::Conversation, "Laptop will not install", SourceChannel::Email);
        let c = s.write(|w| w.create_item(&n, &By::now("x"))).unwrap();
        let row = s.read().item_row(c).unwrap();
        let t = s.write(|w| w.ticket_from_conversation(c, part, SourceChannel::Cli, &By::now("alice"))).unwrap();
        let mut reply = helpdesk::store::NewMessage::internal(row, "phil", "The mobilix driver fixed it", 5);
        reply.channel = helpdesk::domain::MsgChannel::Customer;
        s.write(|w| w.add_message(&reply)).unwrap();
        let find = |kind: Kind, words: &str| {
            let f = ItemFilter { kind: Some(kind), text: Some(words.into()), ..Default::default() };
            s.read().list(&f, Page::default(), 10).unwrap().iter().map(|r| r.id).collect::<Vec<_>>()
        };
        assert_eq!(find(Kind::Ticket, "mobilix"), vec![t], "the ticket, by its conversation's reply");
        assert_eq!(find(Kind::Conversation, "mobilix"), vec![c], "and the conversation, as before");
        assert_eq!(find(Kind::Ticket, "mobilix laptop"), vec![t], "with its own words");
        assert!(find(Kind::Ticket, "mobilix printer").is_empty());
        let hits = s.read().message_hits("mobilix", 5).unwrap();
        assert_eq!(hits.iter().map(|h| h.item).collect::<Vec<_>>(), vec![Some(t)], "search leads to the ticket");
    });
}

/// One rule: a customer's message sets needs-response, a member's reply clears it, a closing move clears it.
#[test]
fn needs_response_follows_the_stage_machine() {
    each(|mut s, part| {
        let needs = |s: &Store, r: ItemRef| s.read().item(r).unwrap().needs_response;
        let mut n = NewItem::new(Kind::Conversation, "Thanks, all good now", SourceChannel::Email);
        n.needs_response = true;
        let c = s.write(|w| w.create_item(&n, &By::now("x"))).unwrap();
        let row = s.read().item_row(c).unwrap();
        s.write(|w| w.set_stage(c, stage_of(c, "resolved"), &By::now("alice"))).unwrap();
        assert!(!needs(&s, c), "New -> Resolved (no reply needed) clears it");
        s.write(|w| w.apply_customer_message(row, &By::now("cust"), 14)).unwrap();
        assert_eq!((s.read().item(c).unwrap().stage.as_str(), needs(&s, c)), ("needs-response", true));
        s.write(|w| w.apply_member_reply(row, &By::now("alice"))).unwrap();
        assert!(!needs(&s, c));
        s.write(|w| w.apply_customer_message(row, &By::now("cust"), 14)).unwrap();
        s.write(|w| w.set_stage(c, stage_of(c, "hold"), &By::now("alice"))).unwrap();
        assert!(needs(&s, c), "a move to an open stage leaves it");
        s.write(|w| w.set_stage(c, stage_of(c, "needs-response"), &By::now("alice"))).unwrap();
        s.write(|w| w.set_stage(c, stage_of(c, "resolved"), &By::now("alice"))).unwrap();
        assert!(!needs(&s, c));

        let mut n = NewItem::new(Kind::Conversation, "list noise", SourceChannel::Email);
        n.needs_response = true;
        let noise = s.write(|w| w.create_item(&n, &By::now("x"))).unwrap();
        s.write(|w| w.set_stage(noise, stage_of(noise, "archived"), &By::now("alice"))).unwrap();
        assert!(!needs(&s, noise), "New -> Archived clears it");

        let t = ticket(&mut s, part, "Export fails");
        let trow = s.read().item_row(t).unwrap();
        s.write(|w| w.apply_customer_message(trow, &By::now("cust"), 14)).unwrap();
        assert!(needs(&s, t));
        s.write(|w| {
            for st in ["work-in-progress", "awaiting-customer-response", "resolved"] {
                w.set_stage(t, stage_of(t, st), &By::now("alice"))?;
            }
            Ok(())
        })
        .unwrap();
        assert!(!needs(&s, t), "a ticket moved to a closed stage no longer needs a response");
        s.write(|w| w.apply_customer_message(trow, &By::now("cust"), 14)).unwrap();
        assert_eq!((s.read().item(t).unwrap().stage.as_str(), needs(&s, t)), ("work-in-progress", true));
        s.write(|w| w.set_stage(t, stage_of(t, "canceled"), &By::now("alice"))).unwrap();
        assert!(!needs(&s, t));
        let f = ItemFilter { needs_response: Some(true), ..Default::default() };
        assert_eq!(s.read().count(&f).unwrap(), 0);
    });
}

#[test]
fn keyset_pages_cover_everything_once() {
    each(|mut s, part| {
        s.write(|w| {
            for i in 0..250 {
                let mut n = NewItem::new(Kind::Ticket, format!("t{i}"), SourceChannel::Cli);
                n.part_row = Some(part);
                w.create_item(&n, &By::at("t", i))?;
            }
            Ok(())
        })
        .unwrap();
        for sort in [SortOrder::Newest, SortOrder::Inbox] {
            let f = ItemFilter { kind: Some(Kind::Ticket), sort, ..Default::default() };
            let mut seen = pages_of_40(&s, &f);
            seen.sort();
            seen.dedup();
            assert_eq!(seen.len(), 250, "{sort:?}");
        }
    });
}

#[test]
fn filters_by_tag_text_and_contact() {
    each(|mut s, part| {
        let a = ticket(&mut s, part, "Printer offline again");
        ticket(&mut s, part, "Cannot log in");
        let c = s
            .write(|w| {
                w.add_contact(
                    &NewContact { name: "Ada".into(), emails: vec!["ada@x.org".into()], ..Default::default() },
                    0,
                )
            })
            .unwrap();
        s.write(|w| {
            w.tag_item(a, &["Blocked".into()], &By::now("t"))?;
            let row = w.item_row(a)?;
            w.add_item_contact(row, c, helpdesk::domain::ContactRole::ReportedBy)
        })
        .unwrap();
        let base = ItemFilter { kind: Some(Kind::Ticket), ..Default::default() };
        let q =
            |f: ItemFilter| s.read().list(&f, Page::default(), 10).unwrap().iter().map(|r| r.id).collect::<Vec<_>>();
        assert_eq!(q(ItemFilter { tag: Some("blocked".into()), ..base.clone() }), vec![a]);
        assert_eq!(q(ItemFilter { text: Some("printers".into()), ..base.clone() }), vec![a]);
        assert_eq!(q(ItemFilter { text: Some("print".into()), ..base.clone() }), vec![a]);
        assert_eq!(q(ItemFilter { contact_row: Some(c), ..base.clone() }), vec![a]);
    });
}

#[test]
fn two_connections_write_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let (_, mut s, part) = {
        let mut s = Store::open(&path).unwrap();
        let p = s.write(|w| {
            let p = w.add_part(PartKind::Product, "App", None)?;
            w.part_row_of(p)
        });
        (0, s, p.unwrap())
    };
    let handles: Vec<_> = (0..2)
        .map(|k| {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut s = Store::open(&path).unwrap();
                for i in 0..200 {
                    let mut n = NewItem::new(Kind::Ticket, format!("w{k} {i}"), SourceChannel::Cli);
                    n.part_row = Some(part);
                    s.write(|w| w.create_item(&n, &By::now("t"))).unwrap();
                }
            })
        })
        .collect();
    for i in 0..100 {
        s.write(|w| w.add_member(&format!("m{i}"), "M", None)).unwrap();
    }
    for h in handles {
        h.join().unwrap();
    }
    let f = ItemFilter { kind: Some(Kind::Ticket), ..Default::default() };
    assert_eq!(s.read().count(&f).unwrap(), 400);
    let nums: std::collections::HashSet<i64> = s.read().list_all(&f, 1000).unwrap().iter().map(|r| r.id.num).collect();
    assert_eq!(nums.len(), 400);
}

#[test]
fn text_filtered_pages_cover_everything_once_both_ways() {
    each(|mut s, part| {
        s.write(|w| {
            for i in 0..301 {
                let title = if i % 2 == 0 { format!("printer jam {i}") } else { format!("login issue {i}") };
                let mut n = NewItem::new(Kind::Ticket, title, SourceChannel::Cli);
                n.part_row = Some(part);
                w.create_item(&n, &By::at("t", i))?;
            }
            Ok(())
        })
        .unwrap();
        let f = ItemFilter { kind: Some(Kind::Ticket), text: Some("print".into()), ..Default::default() };
        assert_eq!(s.read().count(&f).unwrap(), 151);
        assert_eq!(s.read().count_upto(&f, 100).unwrap(), 100);
        let seen = pages_of_40(&s, &f);
        let mut sorted = seen.clone();
        sorted.sort_by(|a, b| b.cmp(a));
        assert_eq!(seen, sorted, "newest first");
        assert_eq!(seen.len(), 151);
        let last = s.read().list(&f, Page::last(), 40).unwrap();
        assert_eq!(last.last().unwrap().id.num, 1, "the last page ends with the oldest");
        let before = s.read().list(&f, last[0].cursor_before(), 40).unwrap();
        assert_eq!(before.last().unwrap().id.num, last[0].id.num + 2);
        if !s.is_postgres() {
            let plan = s.explain_list(&f).unwrap().join(" | ");
            assert!(plan.contains("VIRTUAL TABLE INDEX"), "{plan}");
        }
    });
}

/// A stage of the item's kind, by name.
fn stage_of(r: helpdesk::domain::ItemRef, name: &str) -> helpdesk::stage::AnyStage {
    helpdesk::stage::AnyStage::parse(r.kind, name).unwrap()
}

#[test]
fn automatic_moves_are_reported_with_their_cause() {
    each(|mut s, part| {
        let t = ticket(&mut s, part, "Export is slow");
        let by = By::now("alice");
        for st in ["work-in-progress", "awaiting-product-assist"] {
            s.write(|w| w.set_stage(t, stage_of(t, st), &by)).unwrap();
        }
        let mut n = NewItem::new(Kind::Issue, "Export query scans every row", SourceChannel::Cli);
        n.part_row = Some(part);
        let (iss, linked) = s
            .write(|w| {
                let iss = w.create_item(&n, &by)?;
                w.link(t, iss, LinkRel::Issue, &by)?;
                Ok((iss, w.take_auto_moves()))
            })
            .unwrap();
        assert_eq!(linked.len(), 1, "{linked:?}");
        assert_eq!(linked[0].to_string(), "TKT-1 → awaiting development");
        assert_eq!(s.read().item(t).unwrap().stage, "awaiting-development");
        let mut task = NewItem::new(Kind::Task, "Add an index", SourceChannel::Cli);
        task.parent = Some(iss);
        let task = s.write(|w| w.create_item(&task, &by)).unwrap();
        assert_eq!(s.read().open_tasks(iss).unwrap(), vec![task], "an issue knows its open tasks");
        let moved = s
            .write(|w| {
                for st in ["backlog", "prioritized", "in-development", "in-review", "in-testing", "in-deployment"] {
                    w.set_stage(iss, stage_of(iss, st), &by)?;
                }
                w.take_auto_moves();
                w.set_stage(iss, stage_of(iss, "completed"), &by)?;
                Ok(w.take_auto_moves())
            })
            .unwrap();
        assert_eq!(moved.iter().map(|m| m.to_string()).collect::<Vec<_>>(), vec!["TKT-1 → awaiting customer response"]);
        assert!(s.write(|w| Ok(w.take_auto_moves())).unwrap().is_empty(), "each transaction starts with none");
    });
}

/// Every row of a list read page by page (40 a page, keyset): the numbers in the order the pages gave them.
fn pages_of_40(s: &Store, f: &ItemFilter) -> Vec<i64> {
    let mut seen = vec![];
    let mut page = Page::default();
    loop {
        let rows = s.read().list(f, page, 40).unwrap();
        let Some(last) = rows.last() else { break };
        page = last.cursor();
        seen.extend(rows.iter().map(|r| r.id.num));
    }
    seen
}
