//! The real binary in a real terminal (tmux): open, switch panes, filter, move a ticket to the next stage, quit;
//! the database shows the change.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

#[path = "common/tmux.rs"]
mod tmux;

use tmux::Tmux;

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
    let screen = t.wait_for("Move");
    // The menu's rows: the text inside its box, below its title line.
    let lines: Vec<&str> = screen.lines().collect();
    let top = lines.iter().position(|l| l.contains("┌ Move")).unwrap();
    let col = lines[top].chars().take_while(|c| *c != '┌').count();
    let menu: Vec<String> = lines[top + 1..]
        .iter()
        .map(|l| l.chars().skip(col + 1).take_while(|c| *c != '│').collect::<String>())
        .take_while(|row| !row.starts_with('─'))
        // Item rows start with the cursor mark or its two blanks; the filter line and the footer do not.
        .filter(|row| row.starts_with('▸') || row.starts_with("  "))
        .map(|row| row.trim().trim_start_matches('▸').trim().to_string())
        .filter(|row| !row.is_empty())
        .collect();
    assert_eq!(menu, vec!["work in progress", "canceled"], "only legal moves are offered:\n{screen}");
    t.keys(&["Enter"]);
    t.wait_for("work in progress");
    t.keys(&["Enter"]);
    let detail = t.wait_for("Stage history");
    assert!(detail.contains("queued → work in progress"), "history names stages as every screen does:\n{detail}");
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

/// A thread of four mails from one customer: replies quote the mail before and end in a signature; the third
/// carries a PDF.
fn write_thread(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    for n in 0..4 {
        let reply = if n == 0 {
            String::new()
        } else {
            format!("In-Reply-To: <zebra{}@acme.example>\nReferences: <zebra0@acme.example>\n", n - 1)
        };
        let body = format!(
            "Update {n}: the zebra printer still jams on page two.\n\nOn Monday you wrote:\n> an earlier line {n}\n> \
             quoted twice\n> and thrice\n\n-- \nNadia Novak\nAcme Ltd\n"
        );
        let (ctype, text) = if n == 2 {
            (
                "Content-Type: multipart/mixed; boundary=\"b\"\n".to_string(),
                format!(
                    "--b\nContent-Type: text/plain\n\n{body}\n--b\nContent-Type: application/pdf\nContent-Disposition: \
                     attachment; filename=\"jam-report.pdf\"\nContent-Transfer-Encoding: base64\n\nJVBERi0xLjQgamFt\n--b--\n"
                ),
            )
        } else {
            ("Content-Type: text/plain\n".to_string(), body)
        };
        let mail = format!(
            "From: Nadia Novak <nadia@acme.example>\nTo: support@helpdesk.example\nCc: ops@acme.example\nSubject: {}Zebra \
             printer jams\nDate: Mon, {} Nov 2026 09:00:00 +0000\nMessage-ID: <zebra{n}@acme.example>\n{reply}\
             MIME-Version: 1.0\n{ctype}\n{text}",
            if n == 0 { "" } else { "Re: " },
            20 + n
        );
        std::fs::write(dir.join(format!("{n}.eml")), mail).unwrap();
    }
}

/// A morning's queue on the demo database, as the issue tells it: search by account and by owner, go to an ID, the
/// next item needing a response, bulk-assign three rows and undo, read a long thread message by message with quotes
/// folded, save an attachment. Each step checks what the screen shows.
#[test]
fn a_mornings_queue_in_tmux() {
    if Command::new("tmux").arg("-V").output().is_err() {
        assert!(std::env::var("CI").is_err(), "tmux is needed: tests/run-all.sh installs it");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    let bin = env!("CARGO_BIN_EXE_helpdesk");
    let hd = |args: &[&str]| {
        let o = Command::new(bin).arg("--db").arg(&db).args(args).env("HELPDESK_USER", "alice").output().unwrap();
        assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    };
    hd(&["demo", "--tickets", "500"]);
    write_thread(&dir.path().join("mail"));
    hd(&["import", "mail", dir.path().join("mail").to_str().unwrap()]);
    let found: serde_json::Value =
        serde_json::from_str(&hd(&["conversation", "list", "--query", "zebra printer", "--json"])).unwrap();
    let conv = found[0]["id"].as_str().unwrap().to_string();
    let downloads = dir.path().join("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    // A mailbox that can send (nothing listens there: the reply is only queued).
    let cfg = dir.path().join("helpdesk/config.toml");
    std::fs::create_dir_all(cfg.parent().unwrap()).unwrap();
    std::fs::write(
        &cfg,
        "[me]\nname = \"Alice Moreau\"\n[[mailbox]]\naddress = \"support@helpdesk.example\"\nname = \"Support\"\n\
         [mailbox.smtp]\nhost = \"127.0.0.1\"\nport = 1\nsecurity = \"plain\"\npassword_env = \"NO_SUCH_PW\"\n",
    )
    .unwrap();
    let t = Tmux { name: format!("helpdesk-morning-{}", std::process::id()) };
    let cmd = format!(
        "cd '{}' && HELPDESK_USER=alice XDG_STATE_HOME={} XDG_CONFIG_HOME={} '{bin}' --db '{}'; sleep 5",
        downloads.display(),
        dir.path().display(),
        dir.path().display(),
        db.display()
    );
    let st = Command::new("tmux")
        .args(["new-session", "-d", "-s", &t.name, "-x", "200", "-y", "50", &cmd])
        .status()
        .unwrap();
    assert!(st.success());
    let first = t.wait_for("CONV-");

    // Search by account: the account of the first row, typed into the one search box.
    let account = first
        .lines()
        .find_map(|l| l.split("  ").map(str::trim).find(|c| c.ends_with("Logistics")).map(String::from))
        .expect("an account on the first screen");
    t.keys(&["/"]);
    t.literal(&account);
    t.keys(&["Enter"]);
    let s = t.wait_for(&format!("filter: {account}"));
    let rows: Vec<&str> = s.lines().filter(|l| l.contains("CONV-")).collect();
    assert!(!rows.is_empty() && rows.iter().all(|l| l.contains(&account)), "only {account}'s rows:\n{s}");

    // By owner, on the Tickets pane.
    t.esc();
    t.keys(&["2", "/"]);
    t.literal("owner:alice");
    t.keys(&["Enter"]);
    let s = t.wait_for("filter: owner:alice");
    let rows: Vec<&str> = s.lines().filter(|l| l.contains("TKT-")).collect();
    assert!(!rows.is_empty() && rows.iter().all(|l| l.contains(" alice ")), "only alice's tickets:\n{s}");

    // Go to an ID; q goes back to the list, not out.
    t.esc();
    t.keys(&["C-g"]);
    t.wait_for("Go to");
    t.literal("TKT-7");
    t.keys(&["Enter"]);
    t.wait_for("TKT-7 ");
    t.wait_for("Stage history");
    t.keys(&["q"]);
    t.wait_for("Tickets · by newest");

    // The next item that needs a response opens.
    t.keys(&["C-n"]);
    let s = t.wait_for("Stage history");
    assert!(s.contains("needs response yes"), "{s}");
    t.keys(&["q"]);

    // Bulk-assign three rows to chen, and one undo puts all three back.
    let owners = || -> Vec<serde_json::Value> {
        let top: serde_json::Value = serde_json::from_str(&hd(&["ticket", "list", "--limit", "3", "--json"])).unwrap();
        top.as_array().unwrap().iter().map(|t| t["owner"].clone()).collect()
    };
    let before = owners();
    t.keys(&["g", "Space", "Space", "Space"]);
    t.wait_for("3 selected");
    t.keys(&["a"]);
    t.wait_for("Owner of 3 selected items");
    t.keys(&["/"]);
    t.literal("chen");
    t.keys(&["Enter"]);
    t.wait_for("3 selected items owner: chen");
    assert_eq!(owners(), vec![serde_json::json!("chen"); 3]);
    let top: serde_json::Value = serde_json::from_str(&hd(&["ticket", "list", "--limit", "3", "--json"])).unwrap();
    let mut ids: Vec<String> = top.as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_string()).collect();
    ids.sort();
    t.keys(&["u"]);
    // The toast names the items it changed back.
    t.wait_for(&format!("undone: 3 changes on {}", ids.join(", ")));
    assert_eq!(owners(), before, "one undo restores the three owners");
    t.esc();

    // A long thread: quotes and signatures folded, message by message, quotes shown on z.
    t.keys(&["C-g"]);
    t.wait_for("Go to");
    t.literal(&conv);
    t.keys(&["Enter"]);
    let s = t.wait_for("quoted line(s) folded");
    assert!(!s.contains("quoted twice"), "quotes are folded:\n{s}");
    t.keys(&["J"]);
    t.wait_for("message 1/4");
    t.keys(&["J", "J"]);
    let s = t.wait_for("message 3/4");
    assert!(s.contains("jam-report.pdf"), "the attachment is under its message:\n{s}");
    t.keys(&["z"]);
    t.wait_for("quoted twice");

    // Save the attachment into the directory offered (the working directory here).
    t.keys(&["w"]);
    t.wait_for("Save jam-report.pdf into directory");
    t.keys(&["Enter"]);
    t.wait_for("saved");
    let saved = std::fs::read(downloads.join("jam-report.pdf")).unwrap();
    assert!(saved.starts_with(b"%PDF-1.4"), "{saved:?}");

    // Reply with the customer's message quoted and a colleague in Cc.
    t.keys(&["r"]);
    let s = t.wait_for("Reply on");
    assert!(s.contains("wrote:") && s.contains("To:"), "the reply starts above the quoted message:\n{s}");
    t.literal("The jam is fixed by the new firmware.");
    t.keys(&["Tab", "Tab"]);
    t.literal("dana@example.test");
    t.keys(&["C-s"]);
    t.wait_for("queued");
    let out: serde_json::Value = serde_json::from_str(&hd(&["outbox", "list", "--json"])).unwrap();
    let r = out.as_array().unwrap().last().unwrap();
    assert_eq!(r["cc"][0], "dana@example.test", "{r}");
    let body = r["body"].as_str().unwrap();
    assert!(body.starts_with("The jam is fixed") && body.contains("wrote:\n> "), "{body}");
    assert_eq!(r["from_name"], "Alice Moreau via Support");
    t.keys(&["q", "q"]);
}
