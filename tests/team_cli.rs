//! The team's guards through the binary, on a SQLite file and on PostgreSQL: member processes moving one ticket at
//! once, `--if-version`, a held note, and notifications.
#![allow(clippy::unwrap_used)]

#[path = "common/pg.rs"]
mod pg;

use serde_json::Value;
use std::process::{Command, Output};

struct Desk {
    dir: tempfile::TempDir,
    db: String,
}

impl Desk {
    fn all() -> Vec<Desk> {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("h.db").display().to_string();
        let mut out = vec![Desk { dir, db }];
        if let Some(url) = pg::fresh_db() {
            out.push(Desk { dir: tempfile::tempdir().unwrap(), db: url });
        }
        for d in &out {
            std::fs::write(d.dir.path().join("config.toml"), "").unwrap();
        }
        out
    }
    fn cmd(&self, who: &str, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_helpdesk"));
        c.arg("--db")
            .arg(&self.db)
            .arg("--config")
            .arg(self.dir.path().join("config.toml"))
            .args(args)
            .env("HELPDESK_USER", who)
            .env("PGPASSWORD", pg::PASSWORD)
            .env("XDG_STATE_HOME", self.dir.path())
            .env("XDG_DATA_HOME", self.dir.path())
            .env("HOME", self.dir.path());
        c
    }
    fn run(&self, who: &str, args: &[&str]) -> Output {
        self.cmd(who, args).output().unwrap()
    }
    fn ok(&self, who: &str, args: &[&str]) -> String {
        let o = self.run(who, args);
        assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    }
    fn json(&self, who: &str, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(who, &[args, &["--json"]].concat())).unwrap()
    }
    /// Members alice and bob, ticket TKT-1 owned by nobody.
    fn setup(&self) {
        self.ok("alice", &["member", "new", "alice", "--name", "Alice"]);
        self.ok("alice", &["member", "new", "bob", "--name", "Bob"]);
        let part = self.json("alice", &["part", "new", "--name", "App"]);
        self.ok("alice", &["ticket", "new", "--title", "Card declined", "--part", part["id"].as_str().unwrap()]);
    }
}

#[test]
fn member_processes_moving_one_ticket_at_once_keep_the_history_a_chain() {
    for d in Desk::all() {
        d.setup();
        d.ok("alice", &["ticket", "stage", "TKT-1", "work-in-progress"]);
        let mut moved = 0;
        for _round in 0..3 {
            let procs: Vec<_> = (0..10)
                .map(|k| {
                    let to = if k % 2 == 0 { "awaiting-customer-response" } else { "work-in-progress" };
                    d.cmd(&format!("m{k}"), &["ticket", "stage", "TKT-1", to]).output()
                })
                .collect();
            for p in procs {
                let o = p.unwrap();
                let e = String::from_utf8_lossy(&o.stderr);
                assert!(o.status.success() || e.contains("cannot move"), "{e}");
                moved += usize::from(o.status.success());
            }
        }
        let t = d.json("alice", &["ticket", "show", "TKT-1"]);
        let history = t["history"].as_array().unwrap();
        assert_eq!(history.len(), 2 + moved, "every move that succeeded is in the history");
        for pair in history.windows(2) {
            assert_eq!(pair[1]["from"], pair[0]["to"], "{history:?}");
        }
    }
}

#[test]
fn an_edit_from_an_old_version_is_refused_in_one_line() {
    for d in Desk::all() {
        d.setup();
        let v = d.json("alice", &["ticket", "show", "TKT-1"])["version"].as_i64().unwrap();
        d.ok("bob", &["ticket", "assign", "TKT-1", "bob", "--if-version", &v.to_string()]);
        let o = d.run("alice", &["ticket", "tag", "TKT-1", "vip", "--if-version", &v.to_string()]);
        let e = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success(), "refused");
        assert!(e.contains("TKT-1 changed by bob") && e.contains("(owner nobody → bob); reload to see it"), "{e}");
        assert_eq!(e.trim().lines().count(), 1, "{e}");
        assert!(d.json("alice", &["ticket", "show", "TKT-1"])["tags"].as_array().unwrap().is_empty());
    }
}

#[test]
fn a_note_is_held_when_a_colleague_wrote_after_the_last_message_read_and_mentions_notify() {
    for d in Desk::all() {
        d.setup();
        d.ok("bob", &["ticket", "note", "TKT-1", "--body", "first"]);
        let seen = d.json("alice", &["ticket", "show", "TKT-1"])["messages"][0]["id"].as_i64().unwrap();
        d.ok("bob", &["ticket", "note", "TKT-1", "--body", "@alice the customer called"]);
        let o = d.run("alice", &["ticket", "note", "TKT-1", "--body", "I will call back", "--seen", &seen.to_string()]);
        let e = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(3), "{e}");
        assert!(e.starts_with("TKT-1: held, not added: since you opened it, bob added a note"), "{e}");
        assert!(e.contains("--anyway") && e.trim().lines().count() == 1, "{e}");
        assert_eq!(d.json("alice", &["ticket", "show", "TKT-1"])["messages"].as_array().unwrap().len(), 2);
        d.ok(
            "alice",
            &["ticket", "note", "TKT-1", "--body", "I will call back", "--seen", &seen.to_string(), "--anyway"],
        );

        // bob's mention and the assignment reach alice; her own doing does not.
        d.ok("bob", &["ticket", "assign", "TKT-1", "alice"]);
        d.ok("alice", &["ticket", "assign", "TKT-1", "alice"]);
        let list = d.json("alice", &["notifications"]);
        let kinds: Vec<&str> = list.as_array().unwrap().iter().map(|n| n["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["assigned", "mentioned"], "{list}");
        let text = d.ok("alice", &["notifications"]);
        assert!(text.contains("bob mentioned you on TKT-1: “@alice the customer called”"), "{text}");
        assert!(d.ok("bob", &["notifications"]).contains("bob: no unread notifications"));
        let id = list[1]["id"].as_i64().unwrap().to_string();
        d.ok("alice", &["notifications", "read", &id]);
        assert_eq!(d.json("alice", &["notifications"]).as_array().unwrap().len(), 1);
        assert_eq!(d.json("alice", &["notifications", "--all"]).as_array().unwrap().len(), 2);
        d.ok("alice", &["notifications", "read", "--all"]);
        assert!(d.json("alice", &["notifications"]).as_array().unwrap().is_empty());
    }
}

/// A reply written in `$EDITOR` is held when a colleague's note arrives while it is written; given with `--body`,
/// nothing says when the thread was read, and it goes.
#[test]
fn a_reply_written_while_a_colleague_wrote_is_held() {
    for d in Desk::all() {
        d.setup();
        let editor = d.dir.path().join("editor.sh");
        let note = d.cmd("bob", &["ticket", "note", "TKT-1", "--body", "I am on the phone with her"]);
        let args: Vec<String> = note.get_args().map(|a| format!("'{}'", a.to_string_lossy())).collect();
        let envs: Vec<String> = note
            .get_envs()
            .filter_map(|(k, v)| Some(format!("{}='{}'", k.to_string_lossy(), v?.to_string_lossy())))
            .collect();
        std::fs::write(
            &editor,
            format!(
                "#!/bin/sh\n{} '{}' {} >/dev/null\necho 'Hello, it is fixed.' > \"$1\"\n",
                envs.join(" "),
                env!("CARGO_BIN_EXE_helpdesk"),
                args.join(" ")
            ),
        )
        .unwrap();
        std::fs::set_permissions(&editor, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        let o = d
            .cmd("alice", &["ticket", "reply", "TKT-1", "--to", "c@example.org"])
            .env("EDITOR", &editor)
            .output()
            .unwrap();
        let e = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(3), "{e}");
        assert!(e.contains("bob added a note") && e.contains("I am on the phone with her"), "{e}");
        assert!(d.ok("alice", &["ticket", "draft", "TKT-1"]).contains("Hello, it is fixed."), "kept as her draft");
        let o = d.run("alice", &["ticket", "reply", "TKT-1", "--to", "c@example.org", "--body", "Hello"]);
        assert_ne!(o.status.code(), Some(3), "{}", String::from_utf8_lossy(&o.stderr));
    }
}
