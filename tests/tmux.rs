//! The real binary in a real terminal (tmux): open, switch panes, filter, move a ticket to the next stage, quit;
//! the database shows the change.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

struct Tmux {
    name: String,
}

impl Tmux {
    fn keys(&self, keys: &[&str]) {
        let st = Command::new("tmux").args(["send-keys", "-t", &self.name]).args(keys).status().unwrap();
        assert!(st.success());
    }
    fn literal(&self, text: &str) {
        let st = Command::new("tmux").args(["send-keys", "-t", &self.name, "-l", text]).status().unwrap();
        assert!(st.success());
    }
    fn screen(&self) -> String {
        String::from_utf8(Command::new("tmux").args(["capture-pane", "-t", &self.name, "-p"]).output().unwrap().stdout)
            .unwrap()
    }
    fn wait_for(&self, what: &str) -> String {
        let t0 = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(what) {
                return s;
            }
            assert!(t0.elapsed() < Duration::from_secs(10), "'{what}' never appeared:\n{s}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux").args(["kill-session", "-t", &self.name]).status();
    }
}

#[test]
fn drive_the_real_binary_in_tmux() {
    if Command::new("tmux").arg("-V").output().is_err() {
        assert!(std::env::var("CI").is_err(), "tmux is needed: tests/run-all.sh installs it");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let bin = env!("CARGO_BIN_EXE_helpdesk");
    let hd = |args: &[&str]| {
        let o = Command::new(bin).arg("--db").arg(&db).args(args).env("HELPDESK_USER", "tmux-user").output().unwrap();
        assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    };
    hd(&["demo", "--tickets", "500"]);
    let made: serde_json::Value = serde_json::from_str(&hd(&[
        "ticket",
        "new",
        "--title",
        "Zebra printer jams on page two",
        "--part",
        "PROD-1",
        "--json",
    ]))
    .unwrap();
    let id = made["id"].as_str().unwrap().to_string();
    let t = Tmux { name: format!("helpdesk-test-{}", std::process::id()) };
    let exit = dir.path().join("exit");
    let cmd = format!(
        "HELPDESK_USER=tmux-user XDG_STATE_HOME={} '{bin}' --db '{}'; echo EXIT=$? > '{}'; sleep 5",
        dir.path().display(),
        db.display(),
        exit.display()
    );
    let st = Command::new("tmux")
        .args(["new-session", "-d", "-s", &t.name, "-x", "120", "-y", "40", &cmd])
        .status()
        .unwrap();
    assert!(st.success());
    let first = t.wait_for("CONV-");
    for pane in ["Inbox", "Tickets", "Issues", "Contacts", "Dashboard"] {
        assert!(first.contains(pane), "first screen lacks {pane}:\n{first}");
    }
    t.keys(&["2"]);
    t.wait_for("TKT-");
    t.keys(&["/"]);
    t.literal("zebra");
    let filtered = t.wait_for("/ zebra");
    t.keys(&["Enter"]);
    let s = t.wait_for("1/1 items");
    assert!(s.contains(&id), "the filtered list shows {id}:\n{s}\n{filtered}");
    t.keys(&["s"]);
    let menu = t.wait_for("Move");
    assert!(menu.contains("Work in progress") && menu.contains("Canceled"), "{menu}");
    assert!(!menu.contains("Resolved"), "only legal moves are offered:\n{menu}");
    t.keys(&["Enter"]);
    t.wait_for("Work in progress");
    t.keys(&["Enter"]);
    let detail = t.wait_for("Stage history");
    assert!(detail.contains("Queued → Work in progress"), "history names stages as every screen does:\n{detail}");
    t.keys(&["Escape"]);
    std::thread::sleep(Duration::from_millis(300));
    t.keys(&["q"]);
    let t0 = Instant::now();
    while !exit.exists() {
        assert!(t0.elapsed() < Duration::from_secs(5), "q did not quit:\n{}", t.screen());
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(std::fs::read_to_string(&exit).unwrap().trim(), "EXIT=0");
    let shown: serde_json::Value = serde_json::from_str(&hd(&["ticket", "show", &id, "--json"])).unwrap();
    assert_eq!(shown["stage"], "work-in-progress");
    let last = shown["history"].as_array().unwrap().last().unwrap();
    assert_eq!((last["from"].as_str(), last["by"].as_str()), (Some("queued"), Some("tmux-user")));
    assert!(Path::new(&db).exists());
}
