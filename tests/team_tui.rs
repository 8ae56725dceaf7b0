//! Two members' TUIs on one PostgreSQL help desk, the real binary in tmux at 80x24: each sees where the other is
//! (a mark in the list, a line under the item), gone when they leave; a third member's change shows on an open
//! TUI with no key pressed.
#![allow(clippy::unwrap_used)]

#[path = "common/pg.rs"]
mod pg;

use std::process::Command;
use std::time::{Duration, Instant};

struct Tmux {
    name: String,
}

impl Tmux {
    fn start(name: &str, who: &str, url: &str, dir: &std::path::Path) -> Tmux {
        let t = Tmux { name: format!("helpdesk-team-{name}-{}", std::process::id()) };
        let cmd = format!(
            "HELPDESK_USER={who} PGPASSWORD={} XDG_STATE_HOME={} '{}' --db '{url}'; sleep 5",
            pg::PASSWORD,
            dir.join(who).display(),
            env!("CARGO_BIN_EXE_helpdesk"),
        );
        let st = Command::new("tmux")
            .args(["new-session", "-d", "-s", &t.name, "-x", "80", "-y", "24", &cmd])
            .status()
            .unwrap();
        assert!(st.success());
        t
    }
    fn keys(&self, keys: &[&str]) {
        assert!(Command::new("tmux").args(["send-keys", "-t", &self.name]).args(keys).status().unwrap().success());
    }
    fn screen(&self) -> String {
        String::from_utf8(Command::new("tmux").args(["capture-pane", "-t", &self.name, "-p"]).output().unwrap().stdout)
            .unwrap()
    }
    /// The screen once `done` holds for it, and how long that took.
    fn until(&self, what: &str, limit: Duration, done: impl Fn(&str) -> bool) -> (String, Duration) {
        let t0 = Instant::now();
        loop {
            let s = self.screen();
            if done(&s) {
                return (s, t0.elapsed());
            }
            assert!(t0.elapsed() < limit, "{what}: not within {limit:?}:\n{s}");
            std::thread::sleep(Duration::from_millis(25));
        }
    }
    fn wait_for(&self, what: &str) -> String {
        self.until(what, Duration::from_secs(15), |s| s.contains(what)).0
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux").args(["kill-session", "-t", &self.name]).status();
    }
}

fn hd(url: &str, who: &str, args: &[&str]) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_helpdesk"))
        .arg("--db")
        .arg(url)
        .args(args)
        .env("HELPDESK_USER", who)
        .env("PGPASSWORD", pg::PASSWORD)
        .output()
        .unwrap();
    assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

#[test]
fn members_see_each_other_and_each_others_changes_live() {
    if Command::new("tmux").arg("-V").output().is_err() {
        assert!(std::env::var("CI").is_err(), "tmux is needed: tests/run-all.sh installs it");
        return;
    }
    let Some(url) = pg::fresh_db() else { return };
    let dir = tempfile::tempdir().unwrap();
    hd(&url, "setup", &["demo", "--tickets", "60"]);
    let alice = Tmux::start("alice", "alice", &url, dir.path());
    let bob = Tmux::start("bob", "bob", &url, dir.path());
    let first = alice.wait_for("CONV-");
    bob.wait_for("CONV-");
    // The first row of the Inbox: both members see the same list.
    let row = first.lines().find(|l| l.contains("CONV-")).unwrap();
    let id = row.split_whitespace().find(|w| w.starts_with("CONV-")).unwrap().to_string();

    bob.keys(&["Enter"]);
    bob.wait_for(&format!("┌ {id} "));
    let (s, took) = alice.until("bob's mark in the list", Duration::from_secs(5), |s| {
        s.lines().any(|l| l.contains(&format!("{id} ")) && l.contains("◆bob"))
    });
    eprintln!("bob viewing shown to alice after {took:?}");
    assert!(!s.contains("◆alice"), "a member is not shown their own presence:\n{s}");

    alice.keys(&["Enter"]);
    alice.wait_for("bob is viewing");
    bob.wait_for("alice is viewing");
    bob.keys(&["r"]);
    let (_, took) = alice.until("bob replying", Duration::from_secs(5), |s| s.contains("bob is replying"));
    eprintln!("bob replying shown to alice after {took:?}");

    bob.keys(&["Escape"]);
    std::thread::sleep(Duration::from_millis(300));
    bob.keys(&["Escape"]);
    alice.wait_for("bob is viewing");
    bob.keys(&["Escape"]);
    std::thread::sleep(Duration::from_millis(300));
    bob.keys(&["q"]);
    let (_, took) = alice.until("bob gone", Duration::from_secs(5), |s| !s.contains("bob is"));
    eprintln!("bob's leaving shown to alice after {took:?}");

    // A change by a third member (the CLI) appears on alice's open list with no key pressed.
    alice.keys(&["Escape"]);
    std::thread::sleep(Duration::from_millis(300));
    alice.keys(&["2"]);
    alice.wait_for("TKT-");
    let t0 = Instant::now();
    hd(&url, "carol", &["ticket", "new", "--title", "Live from carol", "--part", "PROD-1"]);
    let made = t0.elapsed();
    let (_, took) = alice.until("carol's ticket", Duration::from_secs(3), |s| s.contains("Live from carol"));
    eprintln!("carol's new ticket on alice's screen {took:?} after the command ended ({made:?} to run it)");
    assert!(took < Duration::from_secs(2), "{took:?}");
}
