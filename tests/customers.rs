//! Customers and views: CSV import with exact per-row reports, upserts, malformed files, export round trips,
//! views, and dashboard figures against a hand-built history.
#![allow(clippy::unwrap_used)]

use helpdesk::Store;
use helpdesk::domain::{Kind, SourceChannel};
use helpdesk::io::export::{self, Format};
use helpdesk::io::import::{Target, import, sample, write_errors};
use helpdesk::store::{By, NewItem};

fn lines(r: &helpdesk::io::import::Report) -> Vec<(u64, String)> {
    r.errors.iter().map(|e| (e.line, e.reason.clone())).collect()
}

const GOOD_AND_BAD: &str = "Full Name,Email Address,Phone,External reference,Verified,Company\r\n\
Ada Lovelace,ada@acme.test,+44 1,ext-1,yes,Acme\r\n\
Bad Email,not-an-email,,ext-2,no,Acme\r\n\
\"Grace, Hopper\",grace@acme.test,,ext-3,true,\r\n\
,,,,,\r\n\
Linus,linus@example.net,,ext-1,no,\r\n\
Ghost,ghost@example.net,,ext-5,no,Nowhere Inc\r\n\
Maybe,maybe@example.net,,ext-6,perhaps,\r\n\
\"Multi\nLine\",multi@example.net,,ext-7,no,\r\n\
Short,short@example.net\r\n";

fn store_with_account() -> Store {
    let mut s = Store::open_in_memory().unwrap();
    s.write(|w| {
        w.add_account(
            &helpdesk::store::NewAccount {
                name: "Acme".into(),
                domains: vec!["acme.test".into()],
                ..Default::default()
            },
            0,
        )
    })
    .unwrap();
    s
}

#[test]
fn import_reports_every_bad_row_exactly() {
    let mut s = store_with_account();
    let r = import(&mut s, GOOD_AND_BAD.as_bytes(), Target::Contacts, false).unwrap();
    assert_eq!((r.imported, r.updated, r.rejected), (3, 0, 6));
    assert_eq!(
        lines(&r),
        vec![
            (3, "'not-an-email' is not an email address".to_string()),
            (5, "email is mandatory and empty".to_string()),
            (6, "external reference ext-1 appears on line 2 already".to_string()),
            (7, "unknown account 'Nowhere Inc'".to_string()),
            (8, "verified must be true or false, not 'perhaps'".to_string()),
            (11, "has 2 fields, the header has 6".to_string()),
        ]
    );
    let ada = s.read().contact_row("ext-1").unwrap();
    let c = s.read().contact(ada).unwrap();
    assert_eq!(
        (c.name.as_str(), c.account.map(|a| a.to_string()), c.verified),
        ("Ada Lovelace", Some("ACC-1".to_string()), true)
    );
    let multi = s.read().contact(s.read().contact_row("ext-7").unwrap()).unwrap();
    assert_eq!(multi.name, "Multi\nLine");

    let mut out = vec![];
    write_errors(&r, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    assert_eq!(rdr.headers().unwrap().iter().next_back(), Some("reason"));
    let rows: Vec<csv::StringRecord> = rdr.records().map(|x| x.unwrap()).collect();
    assert_eq!(rows.len(), 6);
    assert_eq!(&rows[0][1], "not-an-email");
    assert!(rows[0][6].starts_with("line 3:"));

    let again = import(&mut s, GOOD_AND_BAD.as_bytes(), Target::Contacts, false).unwrap();
    assert_eq!((again.imported, again.updated, again.rejected), (0, 3, 6), "re-import updates instead of duplicating");
    let mut fixed = String::from("Name,Email,External reference\n");
    fixed.push_str("Bad Email,bad@acme.test,ext-2\n");
    let f = import(&mut s, fixed.as_bytes(), Target::Contacts, false).unwrap();
    assert_eq!((f.imported, f.updated, f.rejected), (1, 0, 0));
    assert_eq!(s.read().contact(s.read().contact_row("bad@acme.test").unwrap()).unwrap().account, None);
}

#[test]
fn dry_run_writes_nothing() {
    let mut s = store_with_account();
    let r = import(&mut s, GOOD_AND_BAD.as_bytes(), Target::Contacts, true).unwrap();
    assert_eq!((r.imported, r.rejected), (3, 6));
    assert!(s.read().contacts(None, 0, 10).unwrap().is_empty());
}

#[test]
fn malformed_files_get_precise_errors() {
    let mut s = store_with_account();
    let e = import(&mut s, b"", Target::Contacts, false).unwrap_err().to_string();
    assert!(e.contains("empty"), "{e}");
    let e = import(&mut s, b"Name,Email\r\n", Target::Contacts, false).unwrap_err().to_string();
    assert!(e.contains("no rows"), "{e}");
    let e = import(&mut s, b"Name,Phone\nA,1\n", Target::Contacts, false).unwrap_err().to_string();
    assert!(e.contains("no email column") && e.contains("--sample"), "{e}");
    let bom = b"\xef\xbb\xbfEmail,Name\nbom@x.test,Bom\n";
    let r = import(&mut s, bom, Target::Contacts, false).unwrap();
    assert_eq!((r.imported, r.rejected), (1, 0), "a BOM is not part of the first header");
    let latin1 = b"Email,Name\nlat@x.test,Ren\xe9\nok@x.test,Ok\n";
    let r = import(&mut s, latin1, Target::Contacts, false).unwrap();
    assert_eq!((r.imported, r.rejected), (1, 1));
    assert_eq!(r.errors[0].line, 2);
    assert!(r.errors[0].reason.contains("not valid UTF-8"), "{}", r.errors[0].reason);
}

#[test]
fn sample_marks_mandatory_columns() {
    let c = sample(Target::Contacts);
    let mut lines = c.lines();
    assert_eq!(lines.next(), Some("Name,Email,Phone,External reference,Verified,Account,Tags"));
    assert_eq!(lines.next(), Some("optional,mandatory,optional,optional,optional,optional,optional"));
    let mut s = store_with_account();
    let r = import(
        &mut s,
        c.replace("optional,mandatory,optional,optional,optional,optional,optional\n", "")
            .replace("Acme Ltd", "Acme")
            .as_bytes(),
        Target::Contacts,
        false,
    )
    .unwrap();
    assert_eq!((r.imported, r.rejected), (1, 0), "{:?}", r.errors);
    assert!(sample(Target::Accounts).lines().nth(1).unwrap().starts_with("mandatory"));
}

#[test]
fn export_import_round_trips_contacts_and_accounts() {
    let mut a = Store::open_in_memory().unwrap();
    a.write(|w| w.add_member("alice", "Alice", None)).unwrap();
    let accounts = "Name,Domains,Tier,Description,Owner,External reference,Tags\nAcme,acme.test; acme.example,premium,\"Pays, late\",alice,acc-1,vip\n=Evil,evil.test,free,@SUM(1),,acc-2,\n";
    let r = import(&mut a, accounts.as_bytes(), Target::Accounts, false).unwrap();
    assert_eq!((r.imported, r.rejected), (2, 0), "{:?}", r.errors);
    let contacts = "Name,Email,Phone,External reference,Verified,Account,Tags\nAda,ada@acme.test; ada@home.test,+44 1; +44 2,c-1,true,acc-1,power-user\nBob,bob@evil.test,,c-2,false,=Evil,\n";
    let r = import(&mut a, contacts.as_bytes(), Target::Contacts, false).unwrap();
    assert_eq!((r.imported, r.rejected), (2, 0), "{:?}", r.errors);
    let dump = |s: &Store| {
        let (mut acc, mut con) = (vec![], vec![]);
        export::accounts(&s.read(), Format::Csv, &mut acc).unwrap();
        export::contacts(&s.read(), Format::Csv, &mut con).unwrap();
        (String::from_utf8(acc).unwrap(), String::from_utf8(con).unwrap())
    };
    let (acc1, con1) = dump(&a);
    assert!(acc1.contains("'=Evil") && acc1.contains("'@SUM(1)"), "formula cells are defused: {acc1}");
    let mut b = Store::open_in_memory().unwrap();
    b.write(|w| w.add_member("alice", "Alice", None)).unwrap();
    let ra = import(&mut b, acc1.as_bytes(), Target::Accounts, false).unwrap();
    let rc = import(&mut b, con1.as_bytes(), Target::Contacts, false).unwrap();
    assert_eq!((ra.imported, rc.imported, ra.rejected + rc.rejected), (2, 2, 0), "{:?} {:?}", ra.errors, rc.errors);
    assert_eq!(dump(&b), (acc1, con1));
    let evil = b.read().account(b.read().account_row("acc-2").unwrap()).unwrap();
    assert_eq!((evil.name.as_str(), evil.description.as_str()), ("=Evil", "@SUM(1)"));
}

#[test]
fn dashboard_figures_from_a_hand_built_history() {
    let mut s = Store::open_in_memory().unwrap();
    let day = 86_400;
    let now = 1_767_225_600 + 12 * 3600;
    let h = 3600;
    // Conversations answered after 30 min, 2 h, 5 h, 10 h and 2 days; one never answered.
    let answers = [30 * 60, 2 * h, 5 * h, 10 * h, 2 * day];
    s.write(|w| {
        w.add_part(helpdesk::domain::PartKind::Product, "App", None)?;
        for (i, after) in answers.iter().enumerate() {
            let at = now - 5 * day + i as i64 * 3600;
            let mut n = NewItem::new(Kind::Conversation, format!("c{i}"), SourceChannel::Email);
            n.needs_response = true;
            let c = w.create_item(&n, &By::at("cust", at))?;
            let row = w.item_row(c)?;
            w.apply_member_reply(row, &By::at("alice", at + after))?;
        }
        let mut n = NewItem::new(Kind::Conversation, "waiting", SourceChannel::Email);
        n.needs_response = true;
        w.create_item(&n, &By::at("cust", now - 3 * h))?;
        let part = w.part_row("App")?;
        for (i, (sev, stage)) in
            [("high", None), ("high", Some("work-in-progress")), ("low", Some("work-in-progress"))].iter().enumerate()
        {
            let mut t = NewItem::new(Kind::Ticket, format!("t{i}"), SourceChannel::Cli);
            t.part_row = Some(part);
            t.severity = Some(helpdesk::domain::Severity::parse(sev)?);
            let id = w.create_item(&t, &By::at("alice", now - day))?;
            if let Some(st) = stage {
                w.set_stage(id, stage_of(id, st), &By::at("alice", now - day + 60))?;
            }
        }
        Ok(())
    })
    .unwrap();
    let st = helpdesk::stats::compute(&s.read(), now, 7).unwrap();
    let fr = &st.first_response;
    assert_eq!(fr.count, 5);
    assert_eq!(fr.median_hours, Some(5.0));
    assert_eq!(fr.p90_hours, Some(48.0));
    let hist: Vec<usize> = fr.histogram.iter().map(|x| x.1).collect();
    assert_eq!(hist, vec![1, 1, 1, 1, 1, 0]);
    let stage: std::collections::HashMap<_, _> =
        st.open_tickets_by_stage.iter().map(|(s, n)| (s.as_str(), *n)).collect();
    assert_eq!((stage["queued"], stage["work-in-progress"]), (1, 2));
    let sev: std::collections::HashMap<_, _> = st.open_tickets_by_severity.iter().cloned().collect();
    assert_eq!((sev["high"], sev["low"], sev["blocker"]), (2, 1, 0));
    assert_eq!(st.incoming_per_day.len(), 7);
    assert_eq!(st.incoming_per_day.iter().map(|d| d.1).sum::<i64>(), 9);
    assert_eq!(st.incoming_per_day[6].1, 1, "today: the waiting conversation");
    assert_eq!(st.oldest_waiting.len(), 1);
    assert_eq!(st.oldest_waiting[0].title, "waiting");
    assert_eq!(st.oldest_waiting[0].hours, 3.0);
}

#[test]
fn cli_import_export_views_and_stats() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_helpdesk"))
            .arg("--db")
            .arg(&db)
            .args(args)
            .env("XDG_DATA_HOME", dir.path())
            .env("XDG_STATE_HOME", dir.path())
            .output()
            .unwrap()
    };
    let csv = dir.path().join("c.csv");
    std::fs::write(&csv, "Email,Name\na@x.test,A\nbad,B\n").unwrap();
    let errs = dir.path().join("errors.csv");
    let o = run(&["import", "contacts", csv.to_str().unwrap(), "--errors-out", errs.to_str().unwrap(), "--json"]);
    assert_eq!(o.status.code(), Some(3), "rejected rows make the exit status 3");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (v["imported"].as_u64(), v["rejected"].as_u64(), v["errors"][0]["line"].as_u64()),
        (Some(1), Some(1), Some(3))
    );
    assert!(std::fs::read_to_string(&errs).unwrap().contains("line 3: 'bad' is not an email address"));
    assert!(run(&["demo", "--tickets", "100", "--force"]).status.success());
    let o = run(&["view", "save", "blockers", "--severity", "blocker"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let all: serde_json::Value =
        serde_json::from_slice(&run(&["ticket", "list", "--view", "blockers", "--json", "--limit", "1000"]).stdout)
            .unwrap();
    assert!(all.as_array().unwrap().iter().all(|t| t["severity"] == "blocker"));
    let active: serde_json::Value =
        serde_json::from_slice(&run(&["ticket", "list", "--active", "--json", "--limit", "1000"]).stdout).unwrap();
    let assist: serde_json::Value =
        serde_json::from_slice(&run(&["ticket", "list", "--with-issue", "--json", "--limit", "1000"]).stdout).unwrap();
    assert_eq!(active.as_array().unwrap().len() + assist.as_array().unwrap().len(), 100);
    let out = dir.path().join("t.json");
    assert!(
        run(&[
            "export",
            "tickets",
            "--format",
            "json",
            "--with-messages",
            "-o",
            out.to_str().unwrap(),
            "--severity",
            "high"
        ])
        .status
        .success()
    );
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert!(
        v.as_array().unwrap().iter().all(|t| t["severity"] == "high" && t["messages"].as_array().unwrap().len() > 1)
    );
    let s: serde_json::Value = serde_json::from_slice(&run(&["stats", "--json"]).stdout).unwrap();
    assert_eq!(s["incoming_per_day"].as_array().unwrap().len(), 30);
    assert!(s["first_response"]["median_hours"].as_f64().is_some());
}

/// A stage of the item's kind, by name.
fn stage_of(r: helpdesk::domain::ItemRef, name: &str) -> helpdesk::stage::AnyStage {
    helpdesk::stage::AnyStage::parse(r.kind, name).unwrap()
}
