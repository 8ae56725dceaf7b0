//! The team's guards in the store, on SQLite and PostgreSQL: stale edits refused with who changed what, replies and
//! notes held when the thread changed, notifications per member.
#![allow(clippy::unwrap_used)]

#[path = "common/pg.rs"]
mod pg;

use helpdesk::Store;
use helpdesk::domain::{Direction, ItemRef, Kind, LinkRel, MsgChannel, NoticeKind, PartKind, Severity, SourceChannel};
use helpdesk::mail::outbox::{self, Reply};
use helpdesk::stage::AnyStage;
use helpdesk::store::{By, NewItem, NewMessage, NewsKind, Opened};

type Edit<'a> = dyn Fn(&helpdesk::store::Writer<'_>) -> helpdesk::Result<()> + 'a;

fn stage(name: &str) -> AnyStage {
    AnyStage::parse(Kind::Ticket, name).unwrap()
}

/// A ticket owned by alice, with members alice, bob and carol and a customer's first message.
fn ticket(s: &mut Store) -> (ItemRef, i64) {
    s.write(|w| {
        for m in ["alice", "bob", "carol"] {
            w.add_member(m, m, None)?;
        }
        let part = w.part_row_of(w.add_part(PartKind::Product, "App", None)?)?;
        let mut n = NewItem::new(Kind::Ticket, "Card declined", SourceChannel::Cli);
        n.part_row = Some(part);
        n.owner = Some("alice".into());
        let (row, t) = w.create_item_row(&n, &By::at("alice", 1000))?;
        let mut first = customer(row, "My card is declined.", 1001);
        first.message_id = Some("first@example.org".into());
        w.add_message(&first)?;
        Ok((t, row))
    })
    .unwrap()
}

fn customer(row: i64, body: &str, at: i64) -> NewMessage {
    let mut m = NewMessage::internal(row, "x", body, at);
    m.channel = MsgChannel::Customer;
    m.direction = Direction::Inbound;
    m.author = None;
    m.from_addr = "carol@example.org".into();
    m.from_name = "Carol".into();
    m.class = "normal".into();
    m
}

#[test]
fn every_edit_counts_and_a_stale_one_is_refused_with_who_changed_what() {
    pg::each_store(|mut s| {
        let (t, _) = ticket(&mut s);
        let other = s
            .write(|w| {
                let part = w.parts()?[0].row;
                let mut n = NewItem::new(Kind::Ticket, "Other", SourceChannel::Cli);
                n.part_row = Some(part);
                w.create_item(&n, &By::at("bob", 1000))
            })
            .unwrap();
        let v0 = s.read().item(t).unwrap().version;
        let bob = By::at("bob", 2000);
        let part2 = s.write(|w| w.part_row_of(w.add_part(PartKind::Product, "Web", None)?)).unwrap();
        // Each kind of edit moves the version by one; an edit that changes nothing does not.
        let edits: Vec<Box<Edit<'_>>> = vec![
            Box::new(|w| w.set_stage(t, stage("work-in-progress"), &bob)),
            Box::new(|w| w.assign(t, Some("bob"), &bob).map(drop)),
            Box::new(|w| w.set_severity(t, Some(Severity::High), &bob).map(drop)),
            Box::new(|w| w.set_part(t, part2, &bob)),
            Box::new(|w| w.set_title(t, "Card declined abroad", &bob)),
            Box::new(|w| w.tag_item(t, &["vip".into()], &bob).map(drop)),
            Box::new(|w| w.untag_item(t, "vip", &bob).map(drop)),
            Box::new(|w| w.link(t, other, LinkRel::Related, &bob).map(drop)),
            Box::new(|w| w.unlink(t, other, LinkRel::Related, &bob).map(drop)),
        ];
        for (i, e) in edits.iter().enumerate() {
            s.write(|w| e(w)).unwrap();
            assert_eq!(s.read().item(t).unwrap().version, v0 + 1 + i as i64, "edit {i}");
        }
        let v = s.read().item(t).unwrap().version;
        s.write(|w| w.assign(t, Some("bob"), &bob).map(drop)).unwrap();
        s.write(|w| w.set_severity(t, Some(Severity::High), &bob).map(drop)).unwrap();
        assert_eq!(s.read().item(t).unwrap().version, v, "an edit that changes nothing is no change");

        // alice saw the ticket at v; bob moves it on; alice's edit from what she saw is refused and changes nothing.
        s.write(|w| w.set_stage(t, stage("awaiting-customer-response"), &By::at("bob", 2096))).unwrap();
        let e = s
            .write(|w| {
                w.expect_version(t, v, &By::at("alice", 2100))?;
                w.set_severity(t, Some(Severity::Low), &By::at("alice", 2100))
            })
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "TKT-1 changed by bob 4 s ago (stage work in progress → awaiting customer response); reload to see it"
        );
        let helpdesk::Error::Stale(st) = &e else { panic!("{e:?}") };
        assert_eq!((st.seen, st.version), (v, v + 1));
        assert_eq!(s.read().item(t).unwrap().severity, Some(Severity::High), "nothing of the refused edit");
        // Against the version she has now, it goes through.
        let now = s.read().version_of(t).unwrap();
        s.write(|w| {
            w.expect_version(t, now, &By::at("alice", 2101))?;
            w.set_severity(t, Some(Severity::Low), &By::at("alice", 2101))
        })
        .unwrap();
        let row = s.read().item_row(t).unwrap();
        let changes = s.read().changes_since(row, v0).unwrap();
        assert_eq!(changes.len() as i64, s.read().version_of(t).unwrap() - v0);
        assert_eq!(changes[1].what, "owner alice → bob");
    });
}

/// Members acting on one ticket at once, each from the version they read: every accepted edit is in the history
/// (nothing lost), every other one is refused as stale, and the stage history stays a chain.
#[test]
fn members_editing_one_item_at_once_lose_nothing_and_the_history_stays_a_chain() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t.db");
    let mut opens: Vec<Box<dyn Fn() -> Store + Sync>> =
        vec![Box::new(move || Store::open(&file).unwrap()) as Box<dyn Fn() -> Store + Sync>];
    if let Some(url) = pg::fresh_db() {
        opens.push(Box::new(move || Store::open_postgres(&url, Some(pg::PASSWORD)).unwrap()));
    }
    for open in &opens {
        let (t, row) = ticket(&mut open());
        open().write(|w| w.set_stage(t, stage("work-in-progress"), &By::now("alice"))).unwrap();
        let v0 = open().read().version_of(t).unwrap();
        let h0 = open().read().item(t).unwrap().history.len();
        let accepted: usize = std::thread::scope(|sc| {
            let members: Vec<_> = (0..6)
                .map(|k| {
                    let mut s = open();
                    sc.spawn(move || {
                        let (wip, acr) = (stage("work-in-progress"), stage("awaiting-customer-response"));
                        let mut ok = 0;
                        for i in 0..15 {
                            let seen = s.read().item(t).unwrap();
                            let by = By::now(format!("m{k}"));
                            let r = s.write(|w| {
                                w.expect_version(t, seen.version, &by)?;
                                if i % 3 == 2 {
                                    return w.tag_item(t, &[format!("m{k}-{i}")], &by).map(drop);
                                }
                                w.set_stage(t, if seen.stage == wip { acr } else { wip }, &by)
                            });
                            match r {
                                Ok(()) => ok += 1,
                                Err(helpdesk::Error::Stale(_)) => {}
                                Err(e) => panic!("{e}"),
                            }
                        }
                        ok
                    })
                })
                .collect();
            members.into_iter().map(|m| m.join().unwrap()).sum()
        });
        let s = open();
        let item = s.read().item(t).unwrap();
        assert!(accepted >= 15, "{accepted} edits accepted");
        assert_eq!(item.version - v0, accepted as i64, "one version per accepted edit");
        assert_eq!(s.read().changes_since(row, v0).unwrap().len(), accepted, "every accepted edit recorded");
        let moves = item.history.len() - h0;
        let tags = item.tags.len();
        assert_eq!(moves + tags, accepted, "every accepted move and tag is there: nothing lost");
        for pair in item.history.windows(2) {
            assert_eq!(pair[1].from, Some(pair[0].to), "{:?} then {:?}", pair[0], pair[1]);
        }
    }
}

fn config(dir: &std::path::Path) -> helpdesk::config::Config {
    let p = dir.join("config.toml");
    std::fs::write(
        &p,
        "[[mailbox]]\naddress = \"support@example.com\"\nname = \"Support\"\n[mailbox.smtp]\nhost = \"127.0.0.1\"\nport = 2525\nsecurity = \"plain\"\npassword_env = \"NO_SUCH_PASSWORD\"\n",
    )
    .unwrap();
    helpdesk::config::Config::load(&p, true).unwrap()
}

#[test]
fn a_reply_or_note_is_held_when_the_thread_changed_after_it_was_opened() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path());
    pg::each_store(|mut s| {
        let (t, row) = ticket(&mut s);
        let opened = s.read().opened(row, "alice").unwrap();
        // Her own note is no news to her.
        s.write(|w| w.add_message(&NewMessage::internal(row, "alice", "looking", 1100))).unwrap();
        s.write(|w| w.guard_thread(t, &opened, &By::at("alice", 1101))).unwrap();
        // A colleague's note and a customer's message are.
        s.write(|w| w.add_message(&NewMessage::internal(row, "bob", "I called her", 1102))).unwrap();
        s.write(|w| w.add_message(&customer(row, "> old\nStill declined!", 1103))).unwrap();
        let reply = Reply { body: "Try again now.".into(), opened: Some(opened.clone()), ..Default::default() };
        let e = s.write(|w| outbox::reply(w, t, &reply, &By::at("alice", 1110), &cfg, None)).unwrap_err();
        let helpdesk::Error::Held(h) = &e else { panic!("{e:?}") };
        let news: Vec<(NewsKind, &str, &str)> =
            h.news.iter().map(|n| (n.kind, n.who.as_str(), n.excerpt.as_str())).collect();
        assert_eq!(
            news,
            [
                (NewsKind::Note, "bob", "I called her"),
                (NewsKind::Customer, "Carol <carol@example.org>", "Still declined!")
            ]
        );
        assert_eq!(
            e.to_string(),
            "TKT-1: held, not sent: since you opened it, bob added a note 8 s ago, Carol <carol@example.org> wrote 7 s ago"
        );
        assert!(s.read().outbox(None).unwrap().is_empty(), "nothing queued");
        // Opened again (she read them), or sent anyway: it goes.
        let again = Reply { opened: Some(s.read().opened(row, "alice").unwrap()), ..reply.clone() };
        s.write(|w| outbox::reply(w, t, &again, &By::at("alice", 1111), &cfg, None)).unwrap();
        let anyway = Reply { opened: None, ..reply.clone() };
        s.write(|w| outbox::reply(w, t, &anyway, &By::at("alice", 1112), &cfg, None)).unwrap();
        // bob, who opened before alice's replies, is held by them; `--seen ROW` counts what came after ROW.
        let e = s.write(|w| w.guard_thread(t, &opened, &By::at("bob", 1120))).unwrap_err().to_string();
        assert!(e.contains("alice replied"), "{e}");
        let last = s.read().messages(row, None).unwrap().last().unwrap().id;
        s.write(|w| w.guard_thread(t, &Opened::through(last), &By::at("bob", 1121))).unwrap();
    });
}

#[test]
fn recipients_are_fixed_when_the_reply_is_queued() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path());
    pg::each_store(|mut s| {
        let (t, row) = ticket(&mut s);
        s.write(|w| {
            let c = w.add_contact(
                &helpdesk::store::NewContact {
                    name: "Carol".into(),
                    emails: vec!["carol@example.org".into()],
                    ..Default::default()
                },
                1190,
            )?;
            w.add_item_contact(row, c, helpdesk::domain::ContactRole::ReportedBy)
        })
        .unwrap();
        let reply = Reply { body: "On it.".into(), ..Default::default() };
        s.write(|w| outbox::reply(w, t, &reply, &By::at("alice", 1200), &cfg, None)).unwrap();
        // Someone else joins the item after the reply was queued: the queued reply still goes to whom it was written.
        s.write(|w| {
            let d = w.add_contact(
                &helpdesk::store::NewContact {
                    name: "Dan".into(),
                    emails: vec!["dan@example.org".into()],
                    ..Default::default()
                },
                1201,
            )?;
            w.add_item_contact(row, d, helpdesk::domain::ContactRole::ReportedBy)?;
            w.add_item_contact(row, d, helpdesk::domain::ContactRole::EmailMember)
        })
        .unwrap();
        let out = s.read().outbox(None).unwrap();
        assert_eq!(
            (out.len(), out[0].to.clone(), out[0].cc.clone()),
            (1, vec!["carol@example.org".to_string()], vec![])
        );
        assert_eq!(outbox::addressing(&s.read(), t, &cfg).unwrap().to, ["carol@example.org", "dan@example.org"]);
        // The mail the worker sends is built from the queued row.
        let mail = helpdesk::mail::sync::build_message(&out[0], "Support", &[]).unwrap();
        let mail = String::from_utf8(mail.formatted()).unwrap();
        assert!(mail.contains("To: carol@example.org") && !mail.contains("dan@"), "{mail}");
    });
}

#[test]
fn members_are_notified_of_assignments_mentions_and_answers_but_not_of_their_own_doing() {
    pg::each_store(|mut s| {
        let (t, row) = ticket(&mut s);
        s.write(|w| {
            w.assign(t, Some("bob"), &By::at("alice", 1300))?;
            w.assign(t, Some("bob"), &By::at("bob", 1301))?;
            w.add_message(&NewMessage::internal(
                row,
                "bob",
                "@alice @carol see the log; mail me at bob@example.com",
                1302,
            ))?;
            w.add_message(&NewMessage::internal(row, "carol", "thanks @carol", 1303))?;
            Ok(())
        })
        .unwrap();
        let kinds = |s: &Store, who: &str| -> Vec<NoticeKind> {
            s.read().notifications(who, true, 50).unwrap().iter().map(|n| n.kind).collect()
        };
        assert_eq!(kinds(&s, "bob"), [NoticeKind::Assigned]);
        assert_eq!(kinds(&s, "alice"), [NoticeKind::Mentioned]);
        assert_eq!(kinds(&s, "carol"), [NoticeKind::Mentioned], "not of her own note");
        let n = &s.read().notifications("alice", false, 50).unwrap()[0];
        assert_eq!(n.line(), "bob mentioned you on TKT-1: “@alice @carol see the log; mail me at bob@example.com”");

        // A customer answers on bob's ticket by mail: bob is told.
        let raw = "From: Carol <carol@example.org>\r\nTo: support@example.com\r\nSubject: Re: Card declined\r\n\
                   Message-ID: <a2@example.org>\r\nIn-Reply-To: <first@example.org>\r\n\r\nStill nothing.\r\n";
        let o = helpdesk::mail::IngestOptions::default();
        s.write(|w| helpdesk::mail::ingest(w, raw.as_bytes(), "test:1", &o, 1400)).unwrap();
        let bob = s.read().notifications("bob", false, 50).unwrap();
        assert_eq!(bob[0].kind, NoticeKind::Answered, "{bob:?}");
        assert_eq!(bob[0].line(), "carol@example.org answered on TKT-1: “Still nothing.”");

        // Read per member: bob's reading leaves alice's unread.
        assert_eq!(s.write(|w| w.read_notifications("bob", Some(bob[1].id), 1500)).unwrap(), 1);
        assert_eq!(s.read().unread_notifications("bob").unwrap(), 1);
        assert!(s.write(|w| w.read_notifications("bob", Some(n.id), 1500)).is_err(), "alice's is not bob's to read");
        assert_eq!(s.write(|w| w.read_notifications("bob", None, 1501)).unwrap(), 1);
        assert_eq!(
            (s.read().unread_notifications("bob").unwrap(), s.read().unread_notifications("alice").unwrap()),
            (0, 1)
        );
    });
}
