//! `db copy`: a SQLite help desk into an empty PostgreSQL database and back, every table counted and every row kept.
#![allow(clippy::unwrap_used)]

#[path = "common/pg.rs"]
mod pg;

use rusqlite::types::Value as Sql;
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn hd(dir: &Path, db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_helpdesk"))
        .arg("--db")
        .arg(db)
        .arg("--config")
        .arg(dir.join("config.toml"))
        .args(args)
        .env_remove("HELPDESK_DB")
        .env("PGPASSWORD", pg::PASSWORD)
        .env("HELPDESK_USER", "tester")
        .env("XDG_STATE_HOME", dir)
        .env("XDG_DATA_HOME", dir)
        .env("HOME", dir)
        .output()
        .unwrap()
}

fn ok(o: Output) -> String {
    assert!(o.status.success(), "failed: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

fn json(o: Output) -> Value {
    serde_json::from_str(&ok(o)).unwrap()
}

/// The tickets as a list shows them: id, title and stage, in list order.
fn tickets(dir: &Path, db: &str, extra: &[&str]) -> Vec<(String, String, String)> {
    let mut args = vec!["ticket", "list", "--json", "--limit", "100000"];
    args.extend_from_slice(extra);
    let list = json(hd(dir, db, &args));
    list.as_array()
        .unwrap()
        .iter()
        .map(|t| (t["id"].to_string(), t["title"].to_string(), t["stage"].to_string()))
        .collect()
}

/// Every row of every table of a SQLite file, in a fixed order.
fn contents(db: &Path, tables: &[String]) -> Vec<(String, Vec<Vec<Sql>>)> {
    let c = rusqlite::Connection::open(db).unwrap();
    tables
        .iter()
        .map(|t| {
            let n: i64 =
                c.query_row(&format!("SELECT COUNT(*) FROM pragma_table_info('{t}')"), [], |r| r.get(0)).unwrap();
            let order = (1..=n).map(|i| i.to_string()).collect::<Vec<_>>().join(", ");
            let mut st = c.prepare(&format!("SELECT * FROM {t} ORDER BY {order}")).unwrap();
            let rows = st.query_map([], |r| (0..n as usize).map(|i| r.get::<_, Sql>(i)).collect()).unwrap();
            (t.clone(), rows.collect::<Result<_, _>>().unwrap())
        })
        .collect()
}

/// Rows in the tables a demo leaves empty, so that the copy is shown to carry every table.
fn fill_the_rest(db: &Path) {
    let c = rusqlite::Connection::open(db).unwrap();
    let empty: Vec<String> = c
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|t| t.unwrap())
        .collect();
    let rows = [
        ("saved_views", "INSERT INTO saved_views VALUES ('mine', 'ticket', 'owner:me')"),
        ("similar_feedback", "INSERT INTO similar_feedback VALUES (1, 2, 1, 100)"),
        (
            "drafts",
            "INSERT INTO drafts(item_id, member, internal, body, updated_at) VALUES (1, 'tester', 0, 'half a reply', 5)",
        ),
        (
            "articles",
            "INSERT INTO articles(title, body, created_at, updated_at) VALUES ('Reset a PIN', 'Open settings', 1, 1)",
        ),
        ("item_reads", "INSERT INTO item_reads VALUES ((SELECT MIN(id) FROM members), 1, 1)"),
        ("article_feedback", "INSERT INTO article_feedback VALUES (1, (SELECT MIN(id) FROM articles), 1, 6)"),
        ("message_refs", "INSERT INTO message_refs VALUES (1, '<first@example.com>')"),
        ("mail_cursor", "INSERT INTO mail_cursor VALUES ('support', 'INBOX', 7, 42)"),
        (
            "outbox",
            "INSERT INTO outbox(msg_row, mailbox, next_try_at) VALUES ((SELECT MAX(id) FROM messages), 'support', 9)",
        ),
        ("audit", "INSERT INTO audit(who, what, at) VALUES ('tester', 'moved TKT-1', 3)"),
        ("raw_mail", "INSERT INTO raw_mail VALUES (x'00ff10', 3, 0, x'00ff00fe0a')"),
        ("attachments", "INSERT INTO attachments VALUES ('abc', 4, 'application/pdf', x'25504400')"),
        ("message_attachments", "INSERT INTO message_attachments VALUES (1, 'abc', 'a.pdf')"),
        (
            "ledger",
            "INSERT INTO ledger(source_key, sha256, outcome, reason, at) VALUES ('file:x', x'00ff10', 'quarantined', 'bad', 4)",
        ),
        ("quarantine", "INSERT INTO quarantine VALUES ((SELECT MAX(id) FROM ledger), x'', 'bad')"),
        (
            "item_changes",
            "INSERT INTO item_changes(item_id, version, by, at, what) VALUES (1, 1, 'tester', 5, 'tag +x')",
        ),
        (
            "notifications",
            "INSERT INTO notifications(member_id, item_id, kind, by, at) VALUES ((SELECT MIN(id) FROM members), 1, 'assigned', 'bob', 6)",
        ),
    ];
    for (table, sql) in rows {
        assert!(empty.iter().any(|t| t == table), "{table}");
        let n: i64 = c.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0)).unwrap();
        if n == 0 {
            c.execute(sql, []).unwrap();
        }
    }
}

#[test]
fn a_sqlite_help_desk_goes_to_postgres_and_back_with_every_row() {
    let Some(url) = pg::fresh_db() else { return };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("config.toml"), "").unwrap();
    let src = d.join("s.db");
    let src_s = src.to_str().unwrap();
    ok(hd(d, src_s, &["demo", "--tickets", "120"]));
    fill_the_rest(&src);

    let copied = json(hd(d, src_s, &["--json", "db", "copy", "--to", &url]));
    let tables: Vec<String> = copied["tables"].as_object().unwrap().keys().cloned().collect();
    assert!(tables.len() >= 26 && tables.contains(&"raw_mail".to_string()), "{copied}");
    for t in &tables {
        assert!(copied["tables"][t].as_i64().unwrap() > 0, "{t} is copied with rows: {copied}");
    }
    let mut cfg: postgres::Config = url.parse().unwrap();
    let mut server = cfg.password(pg::PASSWORD).connect(postgres::NoTls).unwrap();
    let lite = rusqlite::Connection::open(&src).unwrap();
    for t in &tables {
        let here: i64 = lite.query_row(&format!("SELECT COUNT(*) FROM {t}"), [], |r| r.get(0)).unwrap();
        let there: i64 = server.query_one(&format!("SELECT COUNT(*) FROM {t}"), &[]).unwrap().get(0);
        assert_eq!((here, there), (here, copied["tables"][t].as_i64().unwrap()), "{t}");
    }

    let all = tickets(d, src_s, &[]);
    assert_eq!(all.len(), 120);
    assert_eq!(tickets(d, &url, &[]), all, "the same ticket list on PostgreSQL");
    let word = all[0].1.trim_matches('"').split_whitespace().max_by_key(|w| w.len()).unwrap().to_lowercase();
    let found = tickets(d, src_s, &["--query", &word]);
    assert!(!found.is_empty(), "{word}");
    assert_eq!(tickets(d, &url, &["--query", &word]), found, "PostgreSQL's full text holds the copied tickets");

    let again = hd(d, src_s, &["db", "copy", "--to", &url]);
    let e = String::from_utf8_lossy(&again.stderr);
    assert!(!again.status.success() && e.contains("not empty") && e.trim().lines().count() == 1, "{e}");

    let back = d.join("back.db");
    let back_s = back.to_str().unwrap();
    let copied_back = json(hd(d, &url, &["--json", "db", "copy", "--to", back_s]));
    assert_eq!(copied_back["tables"], copied["tables"]);
    assert_eq!(contents(&back, &tables), contents(&src, &tables), "every row comes back as it was");
    assert_eq!(tickets(d, back_s, &["--query", &word]), found, "SQLite's full-text index is rebuilt");
    let msgs = |db: &str| ok(hd(d, db, &["search", &word, "--limit", "1000"]));
    assert_eq!(msgs(back_s), msgs(src_s), "message search finds the same messages");

    for db in [url.as_str(), back_s] {
        let part = json(hd(d, db, &["part", "new", "--name", "After the copy", "--json"]));
        let part = part["id"].as_str().unwrap();
        let t = json(hd(d, db, &["ticket", "new", "--title", "After the copy", "--part", part, "--json"]));
        assert_eq!(t["id"], "TKT-121", "new rows get ids past the copied ones");
        ok(hd(d, db, &["ticket", "note", "TKT-121", "--body", "a note after the copy"]));
    }
}

#[test]
fn a_copy_into_a_help_desk_that_has_rows_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("config.toml"), "").unwrap();
    let (a, b) = (d.join("a.db"), d.join("b.db"));
    ok(hd(d, a.to_str().unwrap(), &["member", "new", "alice", "--name", "Alice"]));
    ok(hd(d, b.to_str().unwrap(), &["member", "new", "bob", "--name", "Bob"]));
    let e = hd(d, a.to_str().unwrap(), &["db", "copy", "--to", b.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&e.stderr);
    assert!(!e.status.success() && err.contains("members has 1 rows"), "{err}");
    let members = ok(hd(d, b.to_str().unwrap(), &["member", "list", "--json"]));
    assert!(members.contains("bob") && !members.contains("alice"), "{members}");
    let same = hd(d, a.to_str().unwrap(), &["db", "copy", "--to", a.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&same.stderr).contains("is the database being copied"));
}
