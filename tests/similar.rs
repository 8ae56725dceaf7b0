//! Similar work: ranking with typos and partial words, the feedback rule (on SQLite and on PostgreSQL), and the
//! evaluation protocol.
#![allow(clippy::unwrap_used)]

use helpdesk::Store;
use helpdesk::domain::{ItemRef, Kind, PartKind, SourceChannel};
use helpdesk::similar::{Query, evaluate, find};
use helpdesk::store::{By, NewItem};

#[path = "common/pg.rs"]
mod pg;

/// The same tickets on each backend.
fn fixtures() -> Vec<(Store, Vec<ItemRef>)> {
    pg::stores().into_iter().map(fixture).collect()
}

fn fixture(mut s: Store) -> (Store, Vec<ItemRef>) {
    let titles = [
        "Login fails after password reset",
        "Export to CSV times out for large accounts",
        "Invoice shows the wrong VAT number",
        "Dark mode for the dashboard",
        "App crashes when uploading a PNG",
        "Password reset email never arrives",
        "Cannot change the billing address",
        "Password field accepts spaces",
        "Reset button does nothing on the settings page",
    ];
    let ids = s
        .write(|w| {
            let p = w.add_part(PartKind::Product, "App", None)?;
            let part = w.part_row_of(p)?;
            let mut ids = vec![];
            for (i, t) in titles.iter().enumerate() {
                let mut n = NewItem::new(Kind::Ticket, *t, SourceChannel::Cli);
                n.part_row = Some(part);
                n.description = format!("Customer report number {i}: {t}.");
                ids.push(w.create_item(&n, &By::at("t", 1_700_000_000 + i as i64 * 3600))?);
            }
            Ok(ids)
        })
        .unwrap();
    (s, ids)
}

fn q(title: &str) -> Query {
    Query { title: title.into(), kinds: vec![Kind::Ticket], now: Some(1_700_100_000), ..Default::default() }
}

#[test]
fn exact_duplicate_with_typos_ranks_first() {
    for (s, ids) in fixtures() {
        let r = find(&s.read(), &q("Login fials after pasword reset"), 5).unwrap();
        assert_eq!(r[0].id, ids[0], "{r:#?}");
        assert!(r[0].reason.contains("title ~"), "{}", r[0].reason);
        assert!(r[0].reason.contains("typo"), "{}", r[0].reason);
    }
}

/// "held" is in no item, but it is an English word: it is not "repaired" to "help".
#[test]
fn real_words_are_not_repaired() {
    let mut s = Store::open_in_memory().unwrap();
    s.write(|w| {
        let p = w.add_part(PartKind::Product, "App", None)?;
        let part = w.part_row_of(p)?;
        for t in ["My transfer failed. Help", "Identity check needs help", "Refund help please"] {
            let mut n = NewItem::new(Kind::Ticket, t, SourceChannel::Cli);
            n.part_row = Some(part);
            w.create_item(&n, &By::at("t", 1_700_000_000))?;
        }
        Ok(())
    })
    .unwrap();
    let r = find(&s.read(), &q("Transfer held"), 5).unwrap();
    assert!(r.iter().all(|x| !x.reason.contains("typo")), "{r:#?}");
    assert!(r.iter().all(|x| x.title.contains("transfer")), "only the transfer matches: {r:#?}");
    let r = find(&s.read(), &q("Tranfser failed"), 5).unwrap();
    assert!(r[0].reason.contains("typo tranfser→transfer"), "a misspelling is still repaired: {r:#?}");
}

#[test]
fn partial_words_match_while_typing() {
    for (s, ids) in fixtures() {
        let r = find(&s.read(), &Query { typing: true, ..q("csv expo") }, 5).unwrap();
        assert_eq!(r[0].id, ids[1], "{r:#?}");
        let r = find(&s.read(), &Query { typing: true, ..q("invo") }, 5).unwrap();
        assert_eq!(r[0].id, ids[2], "{r:#?}");
    }
}

/// What the item is linked to already (a ticket made from a conversation, a duplicate marked) is no suggestion.
#[test]
fn linked_items_are_not_suggested() {
    for (mut s, ids) in fixtures() {
        let me = s.read().item_row(ids[0]).unwrap();
        let query = Query { item_row: Some(me), ..q("Login fails after password reset") };
        assert_eq!(find(&s.read(), &query, 5).unwrap()[0].id, ids[5]);
        s.write(|w| w.link(ids[5], ids[0], helpdesk::domain::LinkRel::DuplicateOf, &By::at("t", 1_700_000_000)))
            .unwrap();
        let after = find(&s.read(), &query, 5).unwrap();
        assert!(after.iter().all(|x| x.id != ids[5]), "{after:#?}");
    }
}

#[test]
fn feedback_changes_later_ranking() {
    for (mut s, ids) in fixtures() {
        let me = s.read().item_row(ids[0]).unwrap();
        let query = Query { item_row: Some(me), ..q("Login fails after password reset") };
        let before = find(&s.read(), &query, 5).unwrap();
        assert!(before.iter().all(|x| x.id != ids[0]), "the item itself is not suggested");
        assert_eq!(before[0].id, ids[5], "the other password-reset ticket is the best match");
        let first = s.read().item_row(ids[5]).unwrap();
        let last = before.last().unwrap().clone();
        s.write(|w| w.set_feedback(me, first, false, 0)).unwrap();
        s.write(|w| w.set_feedback(me, last.row, true, 0)).unwrap();
        let after = find(&s.read(), &query, 5).unwrap();
        assert!(after.iter().all(|x| x.id != ids[5]), "a rejected pair does not come back");
        assert_eq!(after[0].id, last.id, "an accepted pair ranks higher");
        assert!(after[0].reason.contains("👍"));
    }
}

#[test]
fn context_signals_break_ties() {
    for (mut s, ids) in fixtures() {
        let acc = s
            .write(|w| w.add_account(&helpdesk::store::NewAccount { name: "Acme".into(), ..Default::default() }, 0))
            .unwrap();
        let mut n = NewItem::new(Kind::Ticket, "Password reset email never arrives", SourceChannel::Cli);
        n.part_row = Some(s.read().part_row("App").unwrap());
        n.account_row = Some(acc);
        let twin = s.write(|w| w.create_item(&n, &By::at("t", 1_600_000_000))).unwrap();
        let r = find(&s.read(), &Query { account_row: Some(acc), ..q("password reset email") }, 5).unwrap();
        assert_eq!(r[0].id, twin, "{r:#?}");
        assert!(r[0].reason.contains("same account"));
        assert!(r.iter().any(|x| x.id == ids[5]));
    }
}

const REPORTS: &str = "Summary,Issue id,Status,Created,Description
NameNode crashes on startup with NPE,1,Open,01/Jan/21 10:00,Stack trace in FSNamesystem when loading the edit log
Balancer is slow on large clusters,2,Open,2021-01-02T10:00:00Z,The balancer moves one block at a time
NPE in NameNode startup while loading edits,3,Open,03/Jan/21 10:00,FSNamesystem throws NullPointerException loading the edit log
Add metrics for the balancer,4,Open,2021-01-04 10:00,Expose bytes moved per iteration
DataNode heartbeat logs are too verbose,5,Open,05/Jan/21 10:00,Every heartbeat is logged at INFO
NameNode startup fails: NullPointerException in edit log loading,6,Open,06/Jan/21 10:00,Same crash as before during edit log replay
";
const PAIRS: &str = "Issue id,Duplicate id\n3,1\n\"6\",\"1,3\"\n";

#[test]
fn evaluation_protocol_on_a_tiny_set() {
    for store in pg::stores() {
        let e = evaluate(store, REPORTS.as_bytes(), PAIRS.as_bytes()).unwrap();
        assert_eq!((e.reports, e.clusters, e.queries), (6, 1, 2), "reports 3 and 6 query the ones before them");
        for s in [e.lexical, e.hybrid] {
            assert_eq!((s.rr1, s.rr5, s.rr10), (1.0, 1.0, 1.0), "{e:?}");
            assert!(s.map > 0.9, "{e:?}");
        }
    }
    let mut used = Store::open_in_memory().unwrap();
    used.write(|w| w.create_item(&NewItem::new(Kind::Conversation, "Hello", SourceChannel::Cli), &By::at("t", 1)))
        .unwrap();
    let e = evaluate(used, REPORTS.as_bytes(), PAIRS.as_bytes()).unwrap_err();
    assert!(e.to_string().contains("give an empty one"), "a help desk in use is not written into: {e}");
}

#[test]
fn eval_and_similar_commands() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("r.csv"), REPORTS).unwrap();
    std::fs::write(dir.path().join("p.csv"), PAIRS).unwrap();
    let bin = env!("CARGO_BIN_EXE_helpdesk");
    let o = std::process::Command::new(bin)
        .args(["--db"])
        .arg(dir.path().join("x.db"))
        .args(["eval", "similar", "--json", "--reports"])
        .arg(dir.path().join("r.csv"))
        .arg("--pairs")
        .arg(dir.path().join("p.csv"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["queries"], 2);
    for ranking in ["lexical", "embedding", "hybrid"] {
        assert!(v[ranking]["rr5"].as_f64().is_some(), "{v}");
    }
    assert_eq!(v["hybrid"]["rr5"], 1.0);
    let db = dir.path().join("d.db");
    let run = |args: &[&str]| std::process::Command::new(bin).arg("--db").arg(&db).args(args).output().unwrap();
    assert!(run(&["demo", "--tickets", "200"]).status.success());
    let o = run(&["similar", "my card was declined in a shop", "--type", "ticket", "--limit", "3", "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let a = v.as_array().unwrap();
    assert_eq!(a.len(), 3);
    for s in a {
        assert!(s["id"].as_str().unwrap().starts_with("TKT-"));
        assert!(s["reason"].as_str().unwrap().len() > 3);
    }
}

#[test]
fn hadoop_duplicates_meet_the_goal() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora/gitbugs-dups/hadoop");
    if !dir.is_dir() {
        assert!(std::env::var("CI").is_err(), "../shared/corpora is missing: CI needs it beside the project");
        return;
    }
    let (reports, pairs) = (
        std::fs::read(dir.join("hadoop_bugs.csv")).unwrap(),
        std::fs::read(dir.join("hadoop_bugs-combined.csv")).unwrap(),
    );
    let mut lite = None;
    for store in pg::stores() {
        let on = if lite.is_none() { "SQLite" } else { "PostgreSQL" };
        let e = evaluate(store, &reports, &pairs).unwrap();
        println!("Hadoop on {on}: {e:?}");
        assert_eq!(e.queries, 66);
        match lite {
            None => {
                assert!(e.lexical.rr5 >= 0.85 && e.lexical.rr1 >= 0.65, "{e:?}");
                assert!(e.hybrid.rr5 >= 58.0 / 66.0 - 1e-9, "no loss against the lexical 58 of 66: {e:?}");
                lite = Some(e);
            }
            Some(ref l) => {
                // tsvector ranking is not bm25: the team issue asks for RR@5 within .03 of SQLite's.
                assert!((e.hybrid.rr5 - l.hybrid.rr5).abs() <= 0.03 + 1e-9, "{e:?} vs SQLite {l:?}");
            }
        }
    }
}

/// Short customer sentences grouped by intent: meaning finds what shares no word.
#[test]
fn intents_set_short_texts_gain_from_meaning() {
    let csv = "text,category\n\
        my card got swallowed by the ATM,card_swallowed\n\
        how do I reset my password,password\n\
        where can I change my passcode,password\n\
        the cash machine kept my card,card_swallowed\n";
    let e = helpdesk::similar::evaluate_intents(Store::open_in_memory().unwrap(), csv.as_bytes(), 1).unwrap();
    assert_eq!((e.reports, e.clusters, e.queries), (4, 2, 2));
    assert!(e.embedding.rr1 > e.lexical.rr1, "{e:?}");
    assert_eq!(e.hybrid.rr1, 1.0, "{e:?}");
}

/// Articles that share no word with the question are found by meaning.
#[test]
fn articles_are_found_by_paraphrase() {
    let mut s = Store::open_in_memory().unwrap();
    s.write(|w| {
        for (title, body) in [
            (
                "Card kept by a cash machine",
                "If an ATM retains your card, freeze it in the app and order a replacement.",
            ),
            ("Changing your password", "Open Settings, then Security, then Change password."),
            ("Exchange rates for foreign payments", "We use the interbank rate plus a small margin on weekends."),
        ] {
            let a = helpdesk::store::NewArticle { title: title.into(), body: body.into(), ..Default::default() };
            w.put_article(&a, 1_700_000_000)?;
        }
        Ok(())
    })
    .unwrap();
    for (q, want) in [
        ("forgot my login secret", "Changing your password"),
        ("the dispenser ate my debit plastic", "Card kept by a cash machine"),
        ("what conversion do you apply abroad", "Exchange rates for foreign payments"),
    ] {
        let found = helpdesk::similar::articles(&s.read(), q, "", 3).unwrap();
        assert_eq!(found.first().map(|a| a.title.as_str()), Some(want), "{q}: {found:?}");
    }
}

/// Vectors are stored for every item; a new title makes the item's vector missing until it is computed again (on
/// each backend); 👍/👎 on articles is kept per item.
#[test]
fn vectors_follow_the_items() {
    for (mut s, ids) in fixtures() {
        let missing = |s: &Store| s.read().items_without_vector(helpdesk::embed::MODEL_VERSION, 100).unwrap();
        assert_eq!(missing(&s).len(), ids.len());
        assert_eq!(helpdesk::similar::fill_vectors(&mut s, 4, &|| true).unwrap(), ids.len(), "in batches of 4");
        assert!(missing(&s).is_empty());
        s.write(|w| w.set_title(ids[3], "Night theme for the dashboard", &By::at("t", 1_700_000_000))).unwrap();
        let titles: Vec<String> = missing(&s).into_iter().map(|m| m.title).collect();
        assert_eq!(titles, ["Night theme for the dashboard"]);
        assert_eq!(helpdesk::similar::fill_vectors(&mut s, 4, &|| true).unwrap(), 1);
        let mut v = helpdesk::similar::Vectors::default();
        v.refresh_kinds(&s.read(), &[Kind::Issue]).unwrap();
        assert!(v.is_empty(), "only the kinds asked for are loaded (the fixture has tickets)");
        v.refresh_kinds(&s.read(), &[Kind::Ticket]).unwrap();
        assert_eq!(v.len(), ids.len());
        v.refresh(&s.read()).unwrap();
        assert_eq!(v.len(), ids.len(), "loaded once");
        let q = Query { title: "dark colours for the dashboard at night".into(), ..Default::default() };
        let near = v.nearest(&s.read(), &q, 1).unwrap();
        assert_eq!(near[0].0, s.read().item_row(ids[3]).unwrap(), "{near:?}");
        // A running process holds leading dimensions only and reads whole vectors from the store: an item whose
        // vector was made again since its load ranks by the new one.
        let third = s.read().item_row(ids[2]).unwrap();
        let cos = |v: &helpdesk::similar::Vectors, s: &Store| {
            v.nearest(&s.read(), &q, 9).unwrap().into_iter().find(|(r, _)| *r == third).map(|(_, c)| c).unwrap()
        };
        let before = cos(&v, &s);
        s.write(|w| w.set_title(ids[2], "Dark colours for the dashboard at night", &By::at("t", 1_700_000_001)))
            .unwrap();
        assert_eq!(helpdesk::similar::fill_vectors(&mut s, 4, &|| true).unwrap(), 1);
        v.refresh(&s.read()).unwrap();
        let after = cos(&v, &s);
        assert!(after > before + 0.3, "{before} → {after}");
        let row = s.read().item_row(ids[0]).unwrap();
        let (a, _) = s
            .write(|w| {
                let a =
                    helpdesk::store::NewArticle { title: "Reset".into(), body: "How.".into(), ..Default::default() };
                w.put_article(&a, 1)
            })
            .unwrap();
        s.write(|w| w.set_article_feedback(row, a, false, 2)).unwrap();
        s.write(|w| w.set_article_feedback(row, a, true, 3)).unwrap();
        assert_eq!(s.read().article_feedback(row).unwrap(), [(a, true)]);
    }
}
