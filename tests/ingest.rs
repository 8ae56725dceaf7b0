//! Ingestion against the real corpora in ../shared/corpora: threading agreement with notmuch, hostile input,
//! bounce and auto-reply classification, idempotence; the store-level ones on SQLite and on PostgreSQL.
#![allow(clippy::unwrap_used)]

use helpdesk::Store;
use helpdesk::mail::source::{self, RawMail};
use helpdesk::mail::{IngestOptions, Outcome, ingest, ingest_batch};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

#[path = "common/pg.rs"]
mod pg;

fn corpora() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora");
    if p.is_dir() {
        return Some(p);
    }
    assert!(std::env::var("CI").is_err(), "../shared/corpora is missing: CI needs it beside the project");
    eprintln!("skipping: ../shared/corpora not found (not in CI)");
    None
}

fn import(store: &mut Store, paths: &[PathBuf]) -> helpdesk::mail::Summary {
    let (mut files, _) = source::files(paths).unwrap();
    source::sort_by_date(&mut files);
    let mut it = files.iter().flat_map(|f| source::read(f).unwrap().into_iter().map(Ok));
    ingest_batch(
        store,
        &mut it as &mut (dyn Iterator<Item = std::io::Result<RawMail>> + Send),
        &IngestOptions::default(),
        false,
        &mut |_| {},
    )
    .unwrap()
}

/// Pairwise precision and recall of our grouping against notmuch's, over messages both know.
fn agreement(store: &Store, tsv: &Path) -> (f64, f64, usize, usize) {
    let expected: HashMap<String, String> = std::fs::read_to_string(tsv)
        .unwrap()
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut f = l.split('\t');
            let (t, m) = (f.next()?, f.next()?);
            Some((m.trim_matches(['<', '>']).to_string(), t.to_string()))
        })
        .collect();
    let ours: HashMap<String, Option<i64>> = store.read().message_threads().unwrap().into_iter().collect();
    let ids: Vec<&String> = expected.keys().filter(|m| ours.contains_key(*m)).collect();
    let (mut tp, mut fp, mut fneg) = (0, 0, 0);
    for (i, a) in ids.iter().enumerate() {
        for b in &ids[i + 1..] {
            let same_exp = expected[*a] == expected[*b];
            let same_ours = ours[*a].is_some() && ours[*a] == ours[*b];
            match (same_exp, same_ours) {
                (true, true) => tp += 1,
                (false, true) => fp += 1,
                (true, false) => fneg += 1,
                _ => {}
            }
        }
    }
    let p = if tp + fp == 0 { 1.0 } else { tp as f64 / (tp + fp) as f64 };
    let r = if tp + fneg == 0 { 1.0 } else { tp as f64 / (tp + fneg) as f64 };
    let threads: HashSet<Option<i64>> = ids.iter().map(|m| ours[*m]).collect();
    (p, r, threads.len(), ids.len())
}

#[test]
fn notmuch_default_gives_24_conversations_agreeing_with_notmuch() {
    let Some(c) = corpora() else { return };
    for mut s in pg::stores() {
        import(&mut s, &[c.join("notmuch/default")]);
        let conversations = s
            .read()
            .count(&helpdesk::store::ItemFilter {
                kind: Some(helpdesk::domain::Kind::Conversation),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(conversations, 24);
        let (p, r, threads, msgs) = agreement(&s, &c.join("notmuch/expected/notmuch-0.37-threads-default.tsv"));
        println!("notmuch/default: {msgs} messages in {threads} threads; pairwise precision {p:.3} recall {r:.3}");
        assert_eq!((threads, msgs), (24, 52));
        assert_eq!((p, r), (1.0, 1.0));
    }
}

#[test]
fn notmuch_threading_cases_agree_with_notmuch() {
    let Some(c) = corpora() else { return };
    for mut s in pg::stores() {
        import(&mut s, &[c.join("notmuch/threading")]);
        let (p, r, threads, msgs) = agreement(&s, &c.join("notmuch/expected/notmuch-0.37-threads-threading.tsv"));
        println!("notmuch/threading: {msgs} messages in {threads} threads; pairwise precision {p:.3} recall {r:.3}");
        assert_eq!(msgs, 12);
        assert_eq!((p, r), (1.0, 1.0), "threads: {threads}");
    }
}

#[test]
fn hostile_corpora_ingest_without_panic_or_silent_drop() {
    let Some(c) = corpora() else { return };
    let dirs =
        ["mail-parser", "ruby-mail", "cpython-email", "sisimai-bounces", "notmuch/broken", "spamassassin/spam-1"];
    let (files, _) = source::files(&dirs.iter().map(|d| c.join(d)).collect::<Vec<_>>()).unwrap();
    for mut s in pg::stores() {
        let mut seen_sha: HashMap<String, String> = HashMap::new();
        let mut counts: HashMap<&'static str, usize> = HashMap::new();
        for f in &files {
            for m in source::read(f).unwrap() {
                let out = s.write(|w| ingest(w, &m.bytes, &m.key, &IngestOptions::default(), 1_700_000_000)).unwrap();
                *counts.entry(out.name()).or_default() += 1;
                let ledger = s.read().ledger_by_source().unwrap();
                match &out {
                    Outcome::Duplicate(why) => assert!(!why.is_empty()),
                    _ => {
                        let (outcome, reason) =
                            ledger.get(&m.key).unwrap_or_else(|| panic!("{} has no ledger record", m.key));
                        assert_eq!(outcome, out.name());
                        assert!(!reason.is_empty(), "{}: no reason", m.key);
                    }
                }
                seen_sha.insert(m.key.clone(), out.name().to_string());
            }
        }
        println!("{} raw messages from {} files: {counts:?}", seen_sha.len(), files.len());
        assert!(seen_sha.len() >= files.len());
    }
}

#[test]
fn sisimai_bounces_and_auto_replies_classify() {
    let Some(c) = corpora() else { return };
    let dir = c.join("sisimai-bounces/maildir");
    let class_of = |p: &Path| {
        let raw = std::fs::read(p).unwrap();
        helpdesk::mail::parse(&raw, 1 << 26).map(|m| helpdesk::mail::classify::classify(&m)).ok()
    };
    let mut rates = vec![];
    for (prefix, want) in [("lhost-", "dsn"), ("rfc3464-", "dsn"), ("rhost-", "dsn"), ("rfc3834-", "auto-reply")] {
        let files: Vec<_> = std::fs::read_dir(dir.join("bsd"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.file_name().unwrap().to_str().unwrap().starts_with(prefix))
            .collect();
        let hits = files
            .iter()
            .filter(|p| match class_of(p) {
                Some(helpdesk::mail::Class::Dsn(d)) => want == "dsn" && d.is_failure(),
                Some(cl) => cl.name() == want,
                None => false,
            })
            .count();
        let rate = hits as f64 / files.len() as f64;
        println!("{prefix}*: {hits}/{} classified as {want} ({:.1} %)", files.len(), rate * 100.0);
        rates.push((prefix, rate));
    }
    for (prefix, rate) in &rates {
        let floor = if *prefix == "rfc3834-" { 1.0 } else { 0.95 };
        assert!(*rate >= floor, "{prefix}: {rate}");
    }
    for e in std::fs::read_dir(dir.join("not")).unwrap() {
        let p = e.unwrap().path();
        let cl = class_of(&p);
        println!("not/{}: {:?}", p.file_name().unwrap().to_str().unwrap(), cl.as_ref().map(|c| c.name()));
        assert!(!matches!(cl, Some(helpdesk::mail::Class::Dsn(_))), "{} classed as a bounce", p.display());
    }
}

fn mail(id: &str, from: &str, headers: &str, subject: &str, date: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: dev@lists.example.org\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\n{headers}\
         Date: {date}\r\n\r\nThe nightly build fails since yesterday.\r\n"
    )
    .into_bytes()
}

/// RFC 3834: `Precedence: bulk|list` and `List-Id` say "never answer automatically", not "machine mail".
#[test]
fn list_mail_creates_and_joins_items_and_never_reopens_one() {
    let mut s = Store::open_in_memory().unwrap();
    let o = IngestOptions::default();
    let list = "Precedence: bulk\r\nList-Id: <dev.lists.example.org>\r\n";
    let mut put = |raw: Vec<u8>| s.write(|w| ingest(w, &raw, "t", &o, 1_800_000_000)).unwrap();
    let first = put(mail(
        "l1@x.test",
        "Dev List <dev@lists.example.org>",
        list,
        "Build broken on main",
        "Mon, 1 Jun 2026 10:00:00 +0000",
    ));
    let Outcome::New(conv) = first else { panic!("list mail made no item: {first:?}") };
    let reply = format!("In-Reply-To: <l1@x.test>\r\nPrecedence: list\r\n{list}");
    let second = put(mail(
        "l2@x.test",
        "Bob <bob@example.org>",
        &reply,
        "Re: Build broken on main",
        "Mon, 1 Jun 2026 11:00:00 +0000",
    ));
    assert_eq!(second, Outcome::FollowUp(conv));
    let resolved = helpdesk::stage::AnyStage::Conversation(helpdesk::stage::ConversationStage::Resolved);
    s.write(|w| w.set_stage(conv, resolved, &helpdesk::store::By::at("alice", 1_780_308_000))).unwrap();
    let mut put = |raw: Vec<u8>| s.write(|w| ingest(w, &raw, "t", &o, 1_800_000_000)).unwrap();
    let third = put(mail(
        "l3@x.test",
        "Cy <cy@example.org>",
        &reply,
        "Re: Build broken on main",
        "Tue, 2 Jun 2026 09:00:00 +0000",
    ));
    assert_eq!(third, Outcome::FollowUp(conv), "list mail joins its thread");
    let item = s.read().item(conv).unwrap();
    assert_eq!((item.stage.as_str(), item.needs_response), ("resolved", false), "and never reopens it");
    let direct = "In-Reply-To: <l3@x.test>\r\n";
    let mut put = |raw: Vec<u8>| s.write(|w| ingest(w, &raw, "t", &o, 1_800_000_000)).unwrap();
    put(mail("l4@x.test", "Cy <cy@example.org>", direct, "Re: Build broken on main", "Tue, 2 Jun 2026 10:00:00 +0000"));
    let item = s.read().item(conv).unwrap();
    assert_eq!((item.stage.as_str(), item.needs_response), ("needs-response", true), "a person's own reply does");
    assert_eq!(item.message_count, 4);
    // A reply answers the one who wrote, not every poster of the list; reply-all adds the list.
    let cfg = helpdesk::config::Config::default();
    let a = helpdesk::mail::outbox::addressing(&s.read(), conv, &cfg).unwrap();
    assert_eq!((a.to, a.cc), (vec!["cy@example.org".to_string()], vec![]));
    let all = helpdesk::mail::outbox::addressing_all(&s.read(), conv, &cfg, None).unwrap();
    assert_eq!(all.cc, ["dev@lists.example.org"]);
}

/// Real list mail (spamassassin easy-ham-1, 2002) makes conversations, grouped as notmuch groups it by its headers.
#[test]
fn easy_ham_list_mail_makes_conversations_threaded_as_notmuch_does() {
    let Some(c) = corpora() else { return };
    let mut s = Store::open_in_memory().unwrap();
    let sum = import(&mut s, &[c.join("spamassassin/easy-ham-1")]);
    // The RSS gateway's mail is held by the per-sender rate limit (spam or dropped), not by the machine lane.
    let in_items = sum.new_items + sum.follow_ups + sum.rate_limited;
    println!("easy-ham-1: {sum:?}");
    println!(
        "easy-ham-1: {in_items} of {} messages past the machine lane ({:.1} %)",
        sum.messages,
        100.0 * in_items as f64 / sum.messages as f64
    );
    let tsv = c.join("spamassassin/reference-threads/notmuch-0.37-threads-easy-ham-1.tsv");
    let (p, r, threads, msgs) = agreement(&s, &tsv);
    println!(
        "easy-ham-1: {msgs} messages in {threads} threads; pairwise precision {p:.3} recall {r:.3} against notmuch"
    );
    assert!(in_items as f64 >= 0.95 * sum.messages as f64, "list mail went to the machine lane: {sum:?}");
    // Recall stays under 1: when a later message references two threads notmuch joins them, while two items, once
    // made, stay two (a member may have answered or moved either).
    assert!(p >= 0.95 && r >= 0.9, "precision {p:.3} recall {r:.3}");
}

#[test]
fn importing_twice_adds_nothing() {
    let Some(c) = corpora() else { return };
    for mut s in pg::stores() {
        let paths = [c.join("notmuch/default"), c.join("cpython-email"), c.join("sisimai-bounces/maildir/bsd")];
        let first = import(&mut s, &paths);
        let before = s.read().table_counts().unwrap();
        let second = import(&mut s, &paths);
        assert_eq!(s.read().table_counts().unwrap(), before);
        assert_eq!(second.duplicates, second.messages);
        assert_eq!(first.messages, second.messages);
    }
}

/// A batch runs without per-message savepoints until a message fails to store; then it runs again with them, so the
/// failing message is quarantined and the rest of the batch is stored once.
#[test]
fn a_message_that_cannot_be_stored_is_quarantined_and_its_batch_still_lands() {
    for mut s in pg::stores() {
        let mail = |id: &str, reply_to: Option<&str>, subject: &str| {
            RawMail {
            key: format!("test:{id}"),
            bytes: format!(
                "From: Ann <ann@example.org>\r\nTo: help@ours.test\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\n{}Date: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nbody of {id}\r\n",
                reply_to.map(|r| format!("In-Reply-To: <{r}>\r\n")).unwrap_or_default()
            )
            .into_bytes(),
        }
        };
        let run = |s: &mut Store, mails: Vec<RawMail>, o: &IngestOptions| {
            let mut it = mails.into_iter().map(Ok);
            ingest_batch(
                s,
                &mut it as &mut (dyn Iterator<Item = std::io::Result<RawMail>> + Send),
                o,
                false,
                &mut |_| {},
            )
            .unwrap()
        };
        let first = run(&mut s, vec![mail("a@x", None, "printer on fire")], &IngestOptions::default());
        assert_eq!(first.new_items, 1);
        // Tickets need a part: this one does not exist, so only the new thread fails; the follow-up needs no part.
        let bad = IngestOptions {
            mode: helpdesk::mail::Mode::Tickets,
            part: Some("no such part".into()),
            ..Default::default()
        };
        let sum = run(
            &mut s,
            vec![
                mail("b@x", Some("a@x"), "Re: printer on fire"),
                mail("c@x", None, "new trouble"),
                mail("d@x", Some("a@x"), "Re: again"),
            ],
            &bad,
        );
        assert_eq!((sum.messages, sum.follow_ups, sum.quarantined, sum.new_items), (3, 2, 1, 0));
        let q = s.read().quarantine(10).unwrap();
        assert_eq!(q.len(), 1);
        assert_eq!(q[0].source, "test:c@x");
        assert!(q[0].reason.contains("no such part"), "{}", q[0].reason);
        let again = run(&mut s, vec![mail("b@x", Some("a@x"), "Re: printer on fire")], &bad);
        assert_eq!(again.duplicates, 1);
    }
}

#[test]
fn several_batches_land_once_while_another_thread_checkpoints() {
    let d = tempfile::tempdir().unwrap();
    let md = d.path().join("Maildir");
    helpdesk::demo::maildir::write(&md, 5_300).unwrap();
    let mut s = Store::open(&d.path().join("h.db")).unwrap();
    let sum = import(&mut s, std::slice::from_ref(&md));
    assert_eq!(sum.messages, 5_300);
    assert_eq!(sum.new_items + sum.follow_ups, 5_300, "{sum:?}");
    assert!(sum.follow_ups > 1_000, "replies thread into their conversations: {sum:?}");
    assert_eq!(s.autocheckpoint().unwrap(), 1000, "the writer checkpoints again afterwards");
    let again = import(&mut s, &[md]);
    assert_eq!(again.duplicates, 5_300);
    assert_eq!(again.new_items + again.follow_ups, 0);
}

/// A conversation made into a ticket goes on there: a customer answering an earlier message of the conversation
/// reaches the ticket (needs response, its owner's stage machine), and the conversation left the queue when the
/// ticket took over its waiting customer.
#[test]
fn a_conversation_made_into_a_ticket_continues_on_the_ticket() {
    let mut s = Store::open_in_memory().unwrap();
    let o = IngestOptions::default();
    let at = 1_800_000_000;
    let first = mail("c1@x.test", "Carol <carol@shop.example>", "", "Refund stuck", "Mon, 1 Jun 2026 10:00:00 +0000");
    let Outcome::New(conv) = s.write(|w| ingest(w, &first, "t", &o, at)).unwrap() else { panic!("no conversation") };
    let by = helpdesk::store::By::at("alice", at + 60);
    let begun = helpdesk::store::Draft { body: "Refunds take five days".into(), ..Default::default() };
    s.write(|w| w.save_draft(conv, "alice", false, &begun, at + 30)).unwrap();
    let ticket = s
        .write(|w| {
            let p = w.add_part(helpdesk::domain::PartKind::Product, "Payments", None)?;
            let part = w.part_row_of(p)?;
            w.ticket_from_conversation(conv, part, helpdesk::domain::SourceChannel::Tui, &by)
        })
        .unwrap();
    let (c, t) = (s.read().item(conv).unwrap(), s.read().item(ticket).unwrap());
    assert!(t.needs_response && !c.needs_response, "the ticket answers the waiting customer now");
    let draft = |item| s.read().draft(item, "alice", false).unwrap();
    assert_eq!(draft(ticket).map(|d| d.body), Some(begun.body.clone()), "the reply begun goes on on the ticket");
    assert_eq!(draft(conv), None);
    for (stage, t) in [("work-in-progress", 120), ("awaiting-customer-response", 130)] {
        let stage = helpdesk::stage::AnyStage::parse(helpdesk::domain::Kind::Ticket, stage).unwrap();
        s.write(|w| w.set_stage(ticket, stage, &helpdesk::store::By::at("alice", at + t))).unwrap();
    }
    let answer = mail(
        "c2@x.test",
        "Carol <carol@shop.example>",
        "In-Reply-To: <c1@x.test>\r\n",
        "Re: Refund stuck",
        "Mon, 1 Jun 2026 12:00:00 +0000",
    );
    let out = s.write(|w| ingest(w, &answer, "t", &o, at + 200)).unwrap();
    assert_eq!(out, Outcome::FollowUp(ticket), "the answer goes where the work is");
    let t = s.read().item(ticket).unwrap();
    assert!(t.needs_response, "{t:?}");
    assert_eq!(t.stage.as_str(), "work-in-progress");
    assert!(!s.read().item(conv).unwrap().needs_response);
}

/// A Date far ahead of arrival (spam dated 3609) does not sort above today's work: the message is dated on arrival.
#[test]
fn a_date_in_the_future_is_taken_as_the_arrival() {
    let mut s = Store::open_in_memory().unwrap();
    let o = IngestOptions::default();
    let now = 1_800_000_000;
    let far = mail("f1@x.test", "Spam <s@spam.example>", "", "Win", "Tue, 1 Jun 3609 10:00:00 +0000");
    let Outcome::New(a) = s.write(|w| ingest(w, &far, "t", &o, now)).unwrap() else { panic!() };
    assert_eq!(s.read().item(a).unwrap().updated_at, now);
    let ahead = mail("f2@x.test", "Bob <b@x.example>", "", "Hello", "Sun, 17 Jan 2027 08:00:00 +0000");
    let Outcome::New(b) = s.write(|w| ingest(w, &ahead, "t", &o, now)).unwrap() else { panic!() };
    assert_eq!(s.read().item(b).unwrap().updated_at, now, "two days ahead");
    let skewed = mail("f3@x.test", "Cy <c@x.example>", "", "Hi", "Fri, 15 Jan 2027 09:00:00 +0000");
    let Outcome::New(c) = s.write(|w| ingest(w, &skewed, "t", &o, now)).unwrap() else { panic!() };
    assert_eq!(s.read().item(c).unwrap().updated_at, now + 3600, "an hour ahead is a clock a little off: kept");
}

/// A first mail without a display name names its contact after the address; the name a later mail gives replaces
/// that placeholder (and finds their items), never a name that was edited since.
#[test]
fn a_contact_named_after_the_address_takes_the_name_later_mail_gives() {
    let mut s = Store::open_in_memory().unwrap();
    let o = IngestOptions::default();
    let now = 1_800_000_000;
    let date = "Fri, 15 Jan 2027 09:00:00 +0000";
    let name = |s: &Store, email: &str| s.read().contact_and_account_by_email(email).unwrap().unwrap().2;
    let bare = mail("n1@corp.test", "bob.stone@corp.test", "", "Invoice", date);
    let Outcome::New(item) = s.write(|w| ingest(w, &bare, "t", &o, now)).unwrap() else { panic!() };
    assert_eq!(name(&s, "bob.stone@corp.test"), "bob.stone");
    let named = mail("n2@corp.test", "\"Bob Stone\" <bob.stone@corp.test>", "", "Invoice again", date);
    s.write(|w| ingest(w, &named, "t", &o, now)).unwrap();
    assert_eq!(name(&s, "bob.stone@corp.test"), "Bob Stone");
    let f = helpdesk::store::ItemFilter { text: Some("stone".into()), quick: true, ..Default::default() };
    let found: Vec<_> = s.read().list_all(&f, 100).unwrap().iter().map(|r| r.id).collect();
    assert!(found.contains(&item), "their first item is found by the new name: {found:?}");
    let as_address = mail("n3@corp.test", "\"bob.stone@corp.test\" <bob.stone@corp.test>", "", "Hi", date);
    let other = mail("n4@corp.test", "\"B. Stone (Corp)\" <bob.stone@corp.test>", "", "Hello", date);
    s.write(|w| ingest(w, &as_address, "t", &o, now)).unwrap();
    s.write(|w| ingest(w, &other, "t", &o, now)).unwrap();
    assert_eq!(name(&s, "bob.stone@corp.test"), "Bob Stone", "a name given before is kept");
}
