//! Two members, each in the real binary in a terminal of 80×24 (tmux), on one PostgreSQL database (a SQLite file
//! when PostgreSQL is not installed): a stale stage move, a colliding reply, a mention.
#![allow(clippy::unwrap_used)]

#[path = "common/pg.rs"]
mod pg;
#[path = "common/tmux.rs"]
mod tmux;

use std::process::Command;
use tmux::Tmux;

#[test]
fn two_members_see_each_others_changes_collisions_and_mentions() {
    if Command::new("tmux").arg("-V").output().is_err() {
        assert!(std::env::var("CI").is_err(), "tmux is needed: tests/run-all.sh installs it");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = pg::fresh_db().unwrap_or_else(|| d.join("t.db").display().to_string());
    let config = d.join("config.toml");
    std::fs::write(
        &config,
        "[[mailbox]]\naddress = \"support@helpdesk.example\"\nname = \"Support\"\n[mailbox.smtp]\n\
         host = \"127.0.0.1\"\nport = 1\nsecurity = \"plain\"\npassword_env = \"NO_PASSWORD_HERE\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&config, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let bin = env!("CARGO_BIN_EXE_helpdesk");
    let hd = |args: &[&str]| {
        let o = Command::new(bin)
            .args(["--db", &db, "--config"])
            .arg(&config)
            .args(args)
            .env("HELPDESK_USER", "alice")
            .env("PGPASSWORD", pg::PASSWORD)
            .env("XDG_DATA_HOME", d)
            .output()
            .unwrap();
        assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    };
    hd(&["demo", "--tickets", "30"]);
    hd(&["member", "new", "bob", "--name", "Bob"]);
    let open = |who: &str| {
        let t = Tmux { name: format!("helpdesk-team-{who}-{}", std::process::id()) };
        let cmd = format!(
            "HELPDESK_USER={who} PGPASSWORD={} XDG_STATE_HOME={} XDG_DATA_HOME={} '{bin}' --db '{db}' --config '{}'; sleep 5",
            pg::PASSWORD,
            d.join(who).display(),
            d.join(who).display(),
            config.display()
        );
        let st = Command::new("tmux")
            .args(["new-session", "-d", "-s", &t.name, "-x", "80", "-y", "24", &cmd])
            .status()
            .unwrap();
        assert!(st.success());
        t.wait_for("CONV-");
        t.keys(&["C-g"]);
        t.wait_for("Go to");
        t.literal("TKT-1");
        t.keys(&["Enter"]);
        t.wait_for("Stage history");
        t
    };
    let (alice, bob) = (open("alice"), open("bob"));

    // A stale edit: alice's stage menu is open when bob moves the ticket; her choice is refused with who did what,
    // and her view shows the ticket as it is.
    alice.keys(&["s"]);
    alice.wait_for("Move TKT-1");
    bob.keys(&["s"]);
    bob.wait_for("Move TKT-1");
    bob.keys(&["Enter"]);
    bob.wait_for("TKT-1 →");
    alice.keys(&["Enter"]);
    let s = alice.wait_for("TKT-1 changed by bob");
    let stage = s.lines().find(|l| l.contains("  stage ")).unwrap_or_default().to_string();
    assert!(!stage.contains("work in progress"), "the view shows bob's stage: {s}");

    // A colliding reply: bob adds a note mentioning alice while she writes; her reply is held with what is new.
    alice.keys(&["r"]);
    alice.wait_for("Reply on TKT-1");
    alice.literal("Your new card is on its way.");
    bob.keys(&["I"]);
    bob.wait_for("Note on TKT-1");
    bob.literal("@alice she called, card already sent");
    bob.keys(&["C-s"]);
    bob.wait_for("note added");
    alice.keys(&["C-s"]);
    let s = alice.wait_for("HELD, not sent");
    assert!(s.contains("bob added a note") && s.contains("send anyway"), "{s}");
    alice.keys(&["s"]);
    alice.wait_for("queued");

    // The mention waits for alice in her notifications; opening it marks it read.
    alice.wait_for("1 for you (b)");
    alice.keys(&["b"]);
    alice.wait_for("bob mentioned you on TKT-1");
    alice.keys(&["Enter"]);
    alice.wait_for("Stage history");
    let s = alice.screen();
    assert!(!s.contains("for you (b)"), "read: {s}");
}
