//! CLI tests: drive the real binary on a temporary database.
#![allow(clippy::unwrap_used)]

#[path = "common/db.rs"]
mod db;

use db::Db;

fn with_part(db: &Db) -> String {
    db.ok(&["member", "new", "alice", "--name", "Alice A"]);
    let p = db.json(&["part", "new", "--name", "Mobile app", "--json"]);
    p["id"].as_str().unwrap().to_string()
}

#[test]
fn create_list_show_stage() {
    let db = Db::new();
    let part = with_part(&db);
    let t = db.json(&[
        "ticket",
        "new",
        "--title",
        "Login fails after reset",
        "--part",
        &part,
        "--severity",
        "high",
        "--json",
    ]);
    assert_eq!(t["id"], "TKT-1");
    assert_eq!(t["stage"], "queued");
    assert_eq!(t["severity"], "high");
    assert_eq!(t["part"], part);
    for f in ["id", "title", "stage", "severity", "part", "account", "owner", "tags", "created_at", "updated_at"] {
        assert!(t.get(f).is_some(), "missing {f}");
    }
    db.ok(&["ticket", "new", "--title", "Export slow", "--part", "Mobile app"]);
    let list = db.json(&["ticket", "list", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[0]["id"], "TKT-2");
    db.ok(&["ticket", "stage", "TKT-1", "work-in-progress"]);
    db.ok(&["ticket", "assign", "TKT-1", "alice"]);
    db.ok(&["ticket", "tag", "TKT-1", "stalled", "impact:many"]);
    db.ok(&["ticket", "title", "TKT-2", "Export slow on large files"]);
    assert_eq!(db.json(&["ticket", "show", "TKT-2", "--json"])["title"], "Export slow on large files");
    assert!(db.err(&["ticket", "title", "TKT-2", " "]).contains("a title cannot be empty"));
    let s = db.json(&["ticket", "show", "TKT-1", "--json"]);
    assert_eq!(s["stage"], "work-in-progress");
    assert_eq!(s["owner"], "alice");
    assert_eq!(s["tags"], serde_json::json!(["impact:many", "stalled"]));
    assert_eq!(s["history"][1]["by"], "tester");
    let text = db.ok(&["ticket", "show", "1"]);
    assert!(text.contains("work in progress"), "{text}");
    assert!(text.contains("  stage     work in progress (work-in-progress)\n"), "the name to type as well: {text}");
    let other = db.ok(&["ticket", "show", "TKT-2"]);
    assert!(other.contains("  stage     queued\n"), "said once when it reads the same: {other}");
    assert!(text.contains("queued → work in progress"), "the history names stages as the TUI does: {text}");
    let stats = db.ok(&["stats"]);
    assert!(stats.contains("  work in progress ") && !stats.contains("work-in-progress"), "{stats}");
}

#[test]
fn filters() {
    let db = Db::new();
    let part = with_part(&db);
    for (t, sev) in [("a", "low"), ("b", "high"), ("c", "high")] {
        db.ok(&["ticket", "new", "--title", t, "--part", &part, "--severity", sev]);
    }
    db.ok(&["ticket", "stage", "TKT-3", "work-in-progress"]);
    db.ok(&["ticket", "tag", "TKT-1", "blocked"]);
    let n = |args: &[&str]| db.json(args).as_array().unwrap().len();
    assert_eq!(n(&["ticket", "list", "--severity", "high", "--json"]), 2);
    assert_eq!(n(&["ticket", "list", "--stage", "work-in-progress", "--json"]), 1);
    assert_eq!(n(&["ticket", "list", "--tag", "blocked", "--json"]), 1);
    assert_eq!(n(&["ticket", "list", "--part", &part, "--limit", "2", "--json"]), 2);
}

#[test]
fn illegal_move_names_legal_ones() {
    let db = Db::new();
    let part = with_part(&db);
    db.ok(&["ticket", "new", "--title", "x", "--part", &part]);
    let e = db.err(&["ticket", "stage", "TKT-1", "resolved"]);
    assert!(e.contains("work-in-progress") && e.contains("canceled"), "{e}");
    assert_eq!(e.trim().lines().count(), 1, "{e}");
    let e = db.err(&["ticket", "stage", "TKT-1", "flying"]);
    assert!(e.contains("awaiting-customer-response"), "{e}");
}

#[test]
fn links() {
    let db = Db::new();
    let part = with_part(&db);
    db.ok(&["ticket", "new", "--title", "a", "--part", &part]);
    db.ok(&["ticket", "new", "--title", "b", "--part", &part]);
    db.ok(&["issue", "new", "--title", "fix", "--part", &part]);
    db.ok(&["task", "new", "--title", "test it", "--issue", "ISS-1"]);
    db.ok(&["ticket", "link", "TKT-2", "TKT-1", "--as", "duplicate-of"]);
    db.ok(&["ticket", "link", "TKT-1", "ISS-1", "--as", "issue"]);
    let s = db.json(&["issue", "show", "ISS-1", "--json"]);
    let rels: Vec<String> =
        s["links"].as_array().unwrap().iter().map(|l| format!("{} {}", l["rel"], l["id"])).collect();
    assert!(rels.contains(&"\"issue\" \"TKT-1\"".to_string()), "{rels:?}");
    assert!(rels.contains(&"\"task\" \"TASK-1\"".to_string()), "{rels:?}");
    let e = db.err(&["issue", "link", "ISS-1", "TKT-1", "--as", "issue"]);
    assert!(e.contains("from a ticket to an issue"), "{e}");
}

#[test]
fn bad_input_is_one_clear_line_and_writes_nothing() {
    let db = Db::new();
    let part = with_part(&db);
    let cases: &[&[&str]] = &[
        &["ticket", "new", "--title", "x"],
        &["ticket", "new", "--title", "x", "--part", "NOPE-1"],
        &["ticket", "new", "--title", "x", "--part", &part, "--severity", "urgent"],
        &["ticket", "new", "--title", "x", "--part", &part, "--reported-by", "nobody@example.org"],
        &["ticket", "new", "--title", "  ", "--part", &part],
        &["ticket", "show", "TKT-99"],
        &["ticket", "show", "ISS-1"],
        &["ticket", "assign", "TKT-1", "nobody"],
        &["task", "new", "--title", "orphan"],
    ];
    for c in cases {
        let e = db.err(c);
        assert!(e.starts_with("error: "), "{c:?}: {e}");
        assert_eq!(e.trim().lines().count(), 1, "{c:?}: {e}");
    }
    assert_eq!(db.json(&["ticket", "list", "--json"]).as_array().unwrap().len(), 0);
}

#[test]
fn records() {
    let db = Db::new();
    with_part(&db);
    let a = db.json(&["account", "new", "--name", "Acme", "--domain", "acme.test", "--tier", "premium", "--json"]);
    assert_eq!(a["id"], "ACC-1");
    let c =
        db.json(&["contact", "new", "--name", "Ada", "--email", "ada@acme.test", "--account", "acme.test", "--json"]);
    assert_eq!(c["account"], "ACC-1");
    db.err(&["contact", "new", "--name", "Bad", "--email", "not-an-email"]);
    assert_eq!(db.json(&["contact", "list", "--json"]).as_array().unwrap().len(), 1);
    assert_eq!(db.json(&["account", "show", "Acme", "--json"])["tier"], "premium");
    assert_eq!(db.json(&["contact", "show", "ada@acme.test", "--json"])["name"], "Ada");
    db.ok(&["contact", "edit", "ada@acme.test", "--tag", "blocked", "--tag", "vip"]);
    db.ok(&["contact", "edit", "ada@acme.test", "--untag", "blocked"]);
    assert_eq!(db.json(&["contact", "show", "ada@acme.test", "--json"])["tags"], serde_json::json!(["vip"]));
    db.ok(&["part", "new", "--kind", "capability", "--name", "Login", "--parent", "PROD-1"]);
    db.err(&["part", "new", "--kind", "feature", "--name", "Reset", "--parent", "PROD-1"]);
    assert_eq!(db.json(&["member", "list", "--json"])[0]["login"], "alice");
}

#[test]
fn demo_and_completions() {
    let db = Db::new();
    db.ok(&["demo", "--tickets", "300"]);
    assert_eq!(db.json(&["ticket", "list", "--json", "--limit", "100000"]).as_array().unwrap().len(), 300);
    let stages: std::collections::HashSet<String> = db
        .json(&["ticket", "list", "--json", "--limit", "1000"])
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["stage"].as_str().unwrap().to_string())
        .collect();
    assert!(stages.len() >= 8, "{stages:?}");
    db.err(&["demo", "--tickets", "10"]);
    db.ok(&["demo", "--tickets", "10", "--force"]);
    assert_eq!(db.json(&["ticket", "list", "--json"]).as_array().unwrap().len(), 10);
    assert!(db.ok(&["completions", "bash"]).contains("helpdesk"));
    assert!(db.ok(&["man"]).contains(".TH"));
}

#[test]
fn attachments_are_listed_and_saved_under_safe_names() {
    let db = Db::new();
    let mail = db.0.path().join("a.eml");
    std::fs::write(
        &mail,
        "From: Ada <ada@example.org>\r\nSubject: logs\r\nMessage-ID: <att@example.org>\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n--b\r\n\
Content-Type: text/plain; name=\"../../evil.txt\"\r\nContent-Disposition: attachment; filename=\"../../evil.txt\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\naGVsbG8=\r\n--b--\r\n",
    )
    .unwrap();
    db.ok(&["import", "mail", mail.to_str().unwrap()]);
    let list = db.json(&["message", "attachments", "1", "--json"]);
    assert_eq!(list[0]["name"], "evil.txt");
    let out = db.0.path().join("saved");
    db.ok(&["message", "attachments", "1", "--save", out.to_str().unwrap()]);
    db.ok(&["message", "attachments", "1", "--save", out.to_str().unwrap()]);
    assert_eq!(std::fs::read_to_string(out.join("evil.txt")).unwrap(), "hello");
    assert!(out.join("2-evil.txt").exists(), "a second save does not overwrite");
    db.err(&["message", "attachments", "99"]);
}

#[test]
fn search_finds_messages_with_every_word_newest_first() {
    let db = Db::new();
    for (n, subject, body) in [
        (1, "ATM problem", "My card was swallowed by the ATM this morning."),
        (2, "Re: ATM problem", "Still no card. The machine swallowed it."),
        (3, "Top up", "My top-up is pending since yesterday."),
    ] {
        let mail = db.0.path().join(format!("{n}.eml"));
        let text = format!(
            "From: Ada <ada@example.org>\r\nSubject: {subject}\r\nMessage-ID: <s{n}@example.org>\r\n\
Date: Mon, {n} Jun 2026 10:00:00 +0000\r\n\r\n{body}\r\n"
        );
        std::fs::write(&mail, text).unwrap();
        db.ok(&["import", "mail", mail.to_str().unwrap()]);
    }
    let hits = db.json(&["search", "Swallowed", "CARD", "--json"]);
    let subjects: Vec<&str> = hits.as_array().unwrap().iter().map(|h| h["subject"].as_str().unwrap()).collect();
    assert_eq!(subjects, ["Re: ATM problem", "ATM problem"], "every word, newest first");
    assert!(hits[0]["item"].as_str().unwrap().starts_with("CONV-"), "{hits}");
    assert!(hits[1]["excerpt"].as_str().unwrap().contains("card was swallowed"), "{hits}");
    assert_eq!(db.json(&["search", "pending", "--json"]).as_array().unwrap().len(), 1);
    assert!(db.ok(&["search", "nowhere"]).contains("no message has every word"));
    assert!(db.ok(&["search", "atm", "--limit", "1"]).contains("Re: ATM problem"));
    db.err(&["search"]);
}

#[test]
fn a_moved_message_makes_its_sender_a_participant_of_the_new_item() {
    let db = Db::new();
    let mail = db.0.path().join("m.eml");
    std::fs::write(
        &mail,
        "From: Ada <ada@example.org>\r\nSubject: two questions\r\nMessage-ID: <mv@example.org>\r\n\r\nHi\r\n",
    )
    .unwrap();
    db.ok(&["import", "mail", mail.to_str().unwrap()]);
    assert!(db.ok(&["message", "move", "1", "--to", "new"]).contains("CONV-2"));
    let moved = db.json(&["conversation", "show", "CONV-2", "--json"]);
    let reporters = moved["reported_by"].as_array().unwrap();
    assert!(reporters.iter().any(|r| r.as_str().unwrap().contains("Ada")), "{moved}");
}

#[test]
fn knowledge_articles_import_update_suggest_and_edit() {
    let db = Db::new();
    db.ok(&["part", "new", "--name", "Cards"]);
    let dir = db.0.path().join("kb");
    std::fs::create_dir_all(dir.join("cards")).unwrap();
    std::fs::write(
        dir.join("cards/atm-kept-card.md"),
        "---\ntags: [cards, atm]\npart: Cards\n---\n# The ATM kept my card\n\nCall the number on the machine; we block the card.\n",
    )
    .unwrap();
    std::fs::write(dir.join("reset-password.md"), "Open Settings, then Security.\n").unwrap();
    let r = db.json(&["kb", "import", dir.to_str().unwrap(), "--json"]);
    assert_eq!((r["new"].as_u64(), r["updated"].as_u64()), (Some(2), Some(0)), "{r}");
    let all = db.json(&["kb", "list", "--json"]);
    let titles: Vec<&str> = all.as_array().unwrap().iter().map(|a| a["title"].as_str().unwrap()).collect();
    assert_eq!(titles, vec!["reset password", "The ATM kept my card"], "title from the heading, else the file name");
    let kept = all.as_array().unwrap().iter().find(|a| a["title"] == "The ATM kept my card").unwrap();
    assert_eq!((kept["part"].as_str(), kept["tags"].as_array().unwrap().len()), (Some("PROD-1"), 2));
    std::fs::write(dir.join("reset-password.md"), "# Reset your password\n\nSettings › Security › Reset.\n").unwrap();
    let r = db.json(&["kb", "import", dir.to_str().unwrap(), "--json"]);
    assert_eq!((r["new"].as_u64(), r["updated"].as_u64()), (Some(0), Some(2)), "a re-import updates: {r}");
    let hits = db.json(&["similar", "the machine kept my card", "--type", "article", "--json"]);
    assert_eq!(hits[0]["title"], "The ATM kept my card", "{hits}");
    let id = hits[0]["id"].as_str().unwrap().to_string();
    assert!(db.ok(&["kb", "show", &id]).contains("we block the card"));
    db.ok(&["kb", "edit", &id, "--title", "Card kept by an ATM"]);
    assert_eq!(db.json(&["kb", "show", &id, "--json"])["title"], "Card kept by an ATM");
    let new = db.ok(&["kb", "new", "--title", "Refund times", "--body", "Refunds take 5 days.", "--tag", "refunds"]);
    assert!(new.starts_with("KB-3"), "{new}");
    assert!(db.err(&["kb", "show", "KB-99"]).contains("KB-99 not found"));
}

#[test]
fn a_database_that_cannot_be_reached_is_named_once() {
    let dir = tempfile::tempdir().unwrap();
    let url = "postgres://helpdesk@127.0.0.1:1/hd";
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_helpdesk"))
        .args(["--db", url, "ticket", "list"])
        .env("XDG_CONFIG_HOME", dir.path())
        .env("PGPASSWORD", "x")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert_eq!(err.matches(url).count(), 1, "{err}");
    assert_eq!(err.trim().lines().count(), 1, "one clear line: {err}");
}

/// A list cut at its `--limit` says so (on stderr: the rows on stdout stay data); one that fits says nothing.
#[test]
fn lists_cut_at_their_limit_say_so() {
    let db = Db::new();
    with_part(&db);
    for (name, dom) in [("Acme", "acme.test"), ("Globex", "globex.test")] {
        db.ok(&["account", "new", "--name", name, "--domain", dom]);
        db.ok(&["contact", "new", "--name", name, "--email", &format!("a@{dom}")]);
        db.ok(&["ticket", "new", "--title", name, "--part", "PROD-1"]);
    }
    for what in ["account", "contact", "ticket"] {
        let o = db.run(&[what, "list", "--limit", "1"]);
        let (out, err) = (String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
        let rows = |out: &str| out.lines().filter(|l| !l.starts_with("ID ")).count();
        assert_eq!(rows(&out), 1, "{what}: {out}");
        assert!(err.contains("the first 1 ") && err.contains("more with `--limit N`"), "{what}: {err}");
        let o = db.run(&[what, "list", "--limit", "2"]);
        assert_eq!(rows(&String::from_utf8_lossy(&o.stdout)), 2, "{what}");
        assert!(o.stderr.is_empty(), "{what}: {}", String::from_utf8_lossy(&o.stderr));
    }
}

/// `config path` and `config check` work on a config that does not read (they are how one finds and mends it), with
/// no `--db`: neither blames the database.
#[test]
fn config_path_and_check_work_on_a_config_that_does_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.toml");
    std::fs::write(&cfg, "[mailbox]\naddress = \"support@example.test\"\n").unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_helpdesk"))
            .args(args)
            .env("HELPDESK_CONFIG", &cfg)
            .env_remove("HELPDESK_DB")
            .env("XDG_DATA_HOME", dir.path())
            .env("XDG_STATE_HOME", dir.path())
            .output()
            .unwrap()
    };
    let o = run(&["config", "path"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), cfg.to_str().unwrap());
    let o = run(&["config", "check"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(err.contains(&format!("config {}", cfg.display())) && !err.contains("database"), "{err}");
}
