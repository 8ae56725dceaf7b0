//! Live mail against real servers: Dovecot and Postfix from Debian, started on loopback by tests/mail/servers.sh
//! with configs in a temp dir and stopped by PID. Mail in → items; replies out with threading headers; answers thread
//! back; \Seen untouched; UIDVALIDITY change; SIGKILL crash safety; SMTP outage; bounces; the background worker.
#![allow(clippy::unwrap_used)]

#[path = "mail/harness.rs"]
mod harness;

use harness::*;
use helpdesk::Store;
use serde_json::Value;
use std::process::Command;
use std::time::Duration;

#[test]
fn mail_in_reply_out_answer_back_and_seen_untouched() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let Some(s) = Servers::start() else { return };
    s.config("");
    let subjects = [
        "Cannot log in after password reset",
        "Invoice shows the wrong VAT number",
        "Export to CSV times out",
        "Feature request: dark mode",
        "App crashes when uploading a PNG",
    ];
    for subj in subjects {
        s.send(
            "Carol Customer <customer@example.org>",
            "support@example.test",
            subj,
            &format!("Hello,\n\n{subj}. Please help.\n\nCarol"),
            &[],
        );
    }
    s.wait_inbox("support@example.test", "supportpw", 5);
    s.ok(&["sync"]);
    let convs = s.json(&["conversation", "list", "--json"]);
    assert_eq!(convs.as_array().unwrap().len(), 5);
    let cid = convs
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["title"].as_str().unwrap().contains("password reset"))
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let first = s.json(&["conversation", "show", &cid, "--json"]);
    let original_id = first["messages"][0]["message_id"].as_str().unwrap().to_string();
    assert_eq!(first["account"], "ACC-1", "customer@example.org gets an account for example.org");

    s.ok(&["conversation", "reply", &cid, "--body", "Please try the reset link again; it now works."]);
    let queued = s.json(&["outbox", "list", "--json"]);
    assert_eq!(queued[0]["state"], "in-transit");
    assert_eq!(
        s.json(&["conversation", "show", &cid, "--json"])["stage"],
        "waiting-on-user",
        "a reply moves the stage"
    );
    s.ok(&["sync"]);
    assert_eq!(s.json(&["outbox", "list", "--json"])[0]["state"], "sent");
    let got = s.wait_inbox("customer@example.org", "customerpw", 1);
    let reply = got.last().unwrap();
    assert_eq!(header(reply, "in-reply-to").as_deref(), Some(original_id.as_str()));
    assert!(header(reply, "references").unwrap().contains(&original_id));
    assert_eq!(header(reply, "from").as_deref(), Some("support@example.test"));
    assert_eq!(header(reply, "subject").as_deref(), Some("Re: Cannot log in after password reset"));
    let reply_id = header(reply, "message-id").unwrap();

    s.send(
        "customer@example.org",
        "support@example.test",
        "Re: Cannot log in after password reset",
        "Thanks, that worked.",
        &[("In-Reply-To", format!("<{reply_id}>")), ("References", format!("<{original_id}> <{reply_id}>"))],
    );
    s.wait_inbox("support@example.test", "supportpw", 6);
    s.ok(&["sync"]);
    assert_eq!(s.json(&["conversation", "list", "--json"]).as_array().unwrap().len(), 5, "the answer threads back");
    let conv = s.json(&["conversation", "show", &cid, "--json"]);
    let last = conv["messages"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["body"].as_str().unwrap().trim(), "Thanks, that worked.");
    assert!(last["thread_reason"].as_str().unwrap().contains(&reply_id), "{}", last["thread_reason"]);
    assert_eq!(conv["stage"], "needs-response");

    let (msgs, seen) = s.inbox("support@example.test", "supportpw");
    assert_eq!((msgs.len(), seen), (6, 0), "\\Seen flags on the server are unchanged");

    // config check: both connections work; then each failure says which step failed.
    let out = s.ok(&["config", "check"]);
    assert_eq!(out.matches("ok     support@example.test").count(), 2, "{out}");
    let good = std::fs::read_to_string(s.dir.path().join("config.toml")).unwrap();
    for (from, to, want) in [
        ("printf %s supportpw", "printf %s wrong", "login refused"),
        (&format!("port = {}", s.submission), "port = 1", "cannot connect"),
        (&format!("ca_file = \"{}\"", s.ca().display()), "ca_file = \"/etc/ssl/certs/ca-certificates.crt\"", "TLS"),
    ] {
        std::fs::write(s.dir.path().join("config.toml"), good.replacen(from, to, 1)).unwrap();
        let o = s.hd(&["config", "check"]);
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(!o.status.success() && text.contains("FAILED") && text.contains(want), "{want}: {text}");
    }
    std::fs::write(s.dir.path().join("config.toml"), good).unwrap();

    // UIDVALIDITY changes (the server lost its UID list): a re-scan stores nothing twice.
    let before = s.json(&["conversation", "show", &cid, "--json"])["messages"].as_array().unwrap().len();
    s.script("stop");
    for e in std::fs::read_dir(s.maildir("support@example.test")).unwrap() {
        let p = e.unwrap().path();
        if p.file_name().unwrap().to_str().unwrap().starts_with("dovecot") {
            let _ = std::fs::remove_file(&p);
        }
    }
    assert!(s.script("start").status.success());
    let out = s.ok(&["sync", "--json"]);
    let r: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["fetched"], 6, "everything is fetched again under the new UIDVALIDITY");
    assert_eq!(r["ingest"]["new_items"], 0);
    assert_eq!(s.json(&["conversation", "list", "--json"]).as_array().unwrap().len(), 5);
    assert_eq!(s.json(&["conversation", "show", &cid, "--json"])["messages"].as_array().unwrap().len(), before);
}

#[test]
fn smtp_outage_keeps_replies_and_sends_each_once() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let Some(s) = Servers::start() else { return };
    s.config("[limits]\nretry_seconds = 0\n");
    for i in 0..3 {
        s.send("Dan <customer@example.org>", "support@example.test", &format!("Question {i}"), "Hi", &[]);
    }
    s.wait_inbox("support@example.test", "supportpw", 3);
    s.ok(&["sync"]);
    assert!(s.script("stop-postfix").status.success());
    for c in ["CONV-1", "CONV-2", "CONV-3"] {
        s.ok(&["conversation", "reply", c, "--body", &format!("Answer for {c}")]);
    }
    let o = s.hd(&["sync"]);
    assert!(!o.status.success(), "sync reports the failed sends");
    let out = s.json(&["outbox", "list", "--json"]);
    for r in out.as_array().unwrap() {
        assert_eq!(r["state"], "in-transit");
        assert_eq!(r["attempts"], 1);
        assert!(r["last_error"].as_str().unwrap().contains("connect"), "{}", r["last_error"]);
    }
    assert!(s.script("start-postfix").status.success());
    s.ok(&["sync"]);
    s.ok(&["sync"]);
    let out = s.json(&["outbox", "list", "--json"]);
    assert!(out.as_array().unwrap().iter().all(|r| r["state"] == "sent"));
    let got = s.wait_inbox("customer@example.org", "customerpw", 3);
    std::thread::sleep(Duration::from_millis(500));
    let (got2, _) = s.inbox("customer@example.org", "customerpw");
    assert_eq!(got.len(), 3);
    assert_eq!(got2.len(), 3, "none sent twice");
    let ids: std::collections::HashSet<String> = got2.iter().map(|m| header(m, "message-id").unwrap()).collect();
    assert_eq!(ids.len(), 3);
}

#[test]
fn bounce_is_matched_to_the_reply() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let Some(s) = Servers::start() else { return };
    s.config("");
    s.send("Eve <eve@example.org>", "support@example.test", "Where is my card", "Hi", &[]);
    s.wait_inbox("support@example.test", "supportpw", 1);
    s.ok(&["sync"]);
    s.ok(&["conversation", "reply", "CONV-1", "--body", "It is on its way."]);
    s.ok(&["sync"]);
    let mid = s.json(&["outbox", "list", "--json"])[0]["message_id"].as_str().unwrap().to_string();
    let dsn = format!(
        "--b\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.org\r\n\r\nFinal-Recipient: rfc822; eve@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 mailbox unavailable\r\n--b\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <{mid}>\r\nSubject: Re: Where is my card\r\n--b--"
    );
    s.send(
        "Mail Delivery System <MAILER-DAEMON@mx.example.org>",
        "support@example.test",
        "Undelivered Mail Returned to Sender",
        &dsn,
        &[
            ("MIME-Version", "1.0".into()),
            ("Content-Type", "multipart/report; report-type=delivery-status; boundary=\"b\"".into()),
        ],
    );
    s.wait_inbox("support@example.test", "supportpw", 2);
    let r: Value = serde_json::from_str(&s.ok(&["sync", "--json"])).unwrap();
    assert_eq!(r["bounces"][0][0], "CONV-1", "the worker reports the bounce for a toast: {r}");
    assert!(r["bounces"][0][1].as_str().unwrap().contains("5.1.1"));
    let conv = s.json(&["conversation", "show", "CONV-1", "--json"]);
    let reply = conv["messages"].as_array().unwrap().iter().find(|m| m["message_id"] == mid.as_str()).unwrap().clone();
    assert_eq!(reply["delivery_state"], "bounced");
    assert!(reply["delivery_detail"].as_str().unwrap().contains("5.1.1"));
    assert_eq!(conv["stage"], "waiting-on-user", "machine mail moves no stage");
    assert_eq!(s.json(&["conversation", "list", "--json"]).as_array().unwrap().len(), 1, "a bounce creates nothing");
}

#[test]
fn sync_survives_sigkill_while_500_messages_arrive() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let Some(s) = Servers::start() else { return };
    s.config("");
    s.send("Setup <setup@example.org>", "support@example.test", "setup", "creates the Maildir", &[]);
    s.wait_inbox("support@example.test", "supportpw", 1);
    let md = s.maildir("support@example.test");
    let writer = {
        let md = md.clone();
        std::thread::spawn(move || {
            for i in 0..500 {
                let from = format!("sender{}@example.org", i % 50);
                let raw = format!(
                    "From: {from}\r\nTo: support@example.test\r\nSubject: Crash test {i}\r\nMessage-ID: <crash-{i}@example.org>\r\nDate: Mon, 2 Jun 2025 10:{:02}:00 +0000\r\n\r\nMessage {i}\r\n",
                    i % 60
                );
                let tmp = md.join("tmp").join(format!("crash{i}"));
                std::fs::write(&tmp, raw).unwrap();
                let _ = Command::new("chown").arg("mail:mail").arg(&tmp).status();
                std::fs::rename(&tmp, md.join("new").join(format!("{}.crash{i}.test", 1_700_000_000 + i))).unwrap();
                if i % 25 == 0 {
                    std::thread::sleep(Duration::from_millis(60));
                }
            }
        })
    };
    let kills: usize = std::env::var("HELPDESK_KILLS").ok().and_then(|k| k.parse().ok()).unwrap_or(24);
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..kills {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let mut child = Command::new(env!("CARGO_BIN_EXE_helpdesk"))
            .arg("--db")
            .arg(s.dir.path().join("h.db"))
            .arg("--config")
            .arg(s.dir.path().join("config.toml"))
            .arg("sync")
            .env("SUPPORT_PW", "supportpw")
            .env("XDG_STATE_HOME", s.dir.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(20 + seed % 250));
        child.kill().unwrap();
        child.wait().unwrap();
    }
    writer.join().unwrap();
    s.ok(&["sync"]);
    s.ok(&["sync"]);
    let store = Store::open(&s.dir.path().join("h.db")).unwrap();
    let ids = store.read().message_threads().unwrap();
    let crash: Vec<&String> = ids.iter().map(|(m, _)| m).filter(|m| m.starts_with("crash-")).collect();
    let distinct: std::collections::HashSet<&&String> = crash.iter().collect();
    assert_eq!((crash.len(), distinct.len()), (500, 500), "every message present exactly once after {kills} kills");
    let convs = s.json(&["conversation", "list", "--json", "--limit", "10000"]);
    assert_eq!(convs.as_array().unwrap().len(), 501);
}

#[test]
fn background_worker_reports_new_mail_without_a_keypress() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let Some(s) = Servers::start() else { return };
    let cfg_path = s.config_with("", "password_command = \"printf %s supportpw\"");
    let cfg = helpdesk::config::Config::load(&cfg_path, true).unwrap();
    let db = s.dir.path().join("w.db");
    Store::open(&db).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let handle = helpdesk::mail::worker::spawn_if_configured(&db, &cfg, move |n| tx.send(n).is_ok()).unwrap();
    let first = wait_notice(&rx, |n| matches!(n, helpdesk::mail::worker::Notice::State(s) if s == "online"));
    assert!(first, "worker came online");
    s.send("Fay <fay@example.org>", "support@example.test", "Pushed by IDLE", "Hi", &[]);
    let got = wait_notice(&rx, |n| matches!(n, helpdesk::mail::worker::Notice::Synced { new, .. } if *new > 0));
    assert!(got, "new mail reported");
    drop(handle);
    let store = Store::open(&db).unwrap();
    assert_eq!(store.read().count(&helpdesk::store::ItemFilter::default()).unwrap(), 1);
}

fn wait_notice(
    rx: &std::sync::mpsc::Receiver<helpdesk::mail::worker::Notice>,
    want: impl Fn(&helpdesk::mail::worker::Notice) -> bool,
) -> bool {
    let end = std::time::Instant::now() + Duration::from_secs(20);
    while let Some(left) = end.checked_duration_since(std::time::Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(n) if want(&n) => return true,
            Ok(_) => {}
            Err(_) => return false,
        }
    }
    false
}

/// Reply-all copies everyone the message answered went to (also those the item does not list: here the 21st Cc,
/// past the 20 participants an item takes); a file goes along as a MIME attachment; a forward carries the original's
/// attachment to a third party, with "Fwd:" and no threading headers, and leaves the stage alone.
#[test]
fn reply_all_attachments_and_forward_go_out_as_mime() {
    use mail_parser::{MessageParser, MimeHeaders};
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let Some(s) = Servers::start() else { return };
    s.config("");
    let mut cc: Vec<String> = (1..=20).map(|n| format!("watcher{n}@example.net")).collect();
    cc.push("alice@example.test".into());
    let body = "--b1\r\nContent-Type: text/plain\r\n\r\nThe export fails, log attached.\r\n--b1\r\n\
                Content-Type: text/plain; name=\"export.log\"\r\nContent-Disposition: attachment; filename=\"export.log\"\r\n\
                \r\nERROR 42 at row 7\r\n--b1--";
    s.send(
        "Carol Customer <customer@example.org>",
        "support@example.test",
        "Export fails",
        body,
        &[
            ("Cc", cc.join(", ")),
            ("MIME-Version", "1.0".into()),
            ("Content-Type", "multipart/mixed; boundary=\"b1\"".into()),
        ],
    );
    s.wait_inbox("support@example.test", "supportpw", 1);
    s.ok(&["sync"]);
    let cid = s.json(&["conversation", "list", "--json"])[0]["id"].as_str().unwrap().to_string();
    let shown = s.json(&["conversation", "show", &cid, "--json"]);
    let first = shown["messages"][0]["id"].as_i64().unwrap();
    let file = s.dir.path().join("steps.txt");
    std::fs::write(&file, "1. Open Settings\n2. Export again\n").unwrap();

    s.ok(&["conversation", "reply", &cid, "--body", "Looking into it."]);
    s.ok(&[
        "conversation",
        "reply",
        &cid,
        "--all",
        "--body",
        "Fixed; steps attached.",
        "--attach",
        file.to_str().unwrap(),
    ]);
    let stage = s.json(&["conversation", "show", &cid, "--json"])["stage"].clone();
    s.ok(&[
        "conversation",
        "reply",
        &cid,
        "--forward",
        &first.to_string(),
        "--to",
        "alice@example.test",
        "--body",
        "FYI",
    ]);
    assert_eq!(s.json(&["conversation", "show", &cid, "--json"])["stage"], stage, "a forward leaves the stage");
    let out = s.json(&["outbox", "list", "--json"]);
    let ccs =
        |i: usize| out[i]["cc"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect::<Vec<_>>();
    assert!(!ccs(0).contains(&"alice@example.test".to_string()), "a reply copies the item's people: {:?}", ccs(0));
    assert!(ccs(1).contains(&"alice@example.test".to_string()), "reply-all copies the 21st Cc too: {:?}", ccs(1));
    assert_eq!(out[2]["subject"], "Fwd: Export fails");

    s.ok(&["sync"]);
    let got = s.wait_inbox("alice@example.test", "alicepw", 2);
    let parsed: Vec<_> = got.iter().map(|raw| MessageParser::default().parse(raw).unwrap()).collect();
    let all = parsed.iter().find(|m| m.subject() == Some("Re: Export fails")).expect("the reply-all reached alice");
    let a = all.attachments().next().expect("the file went along");
    assert_eq!(a.attachment_name(), Some("steps.txt"));
    assert_eq!(a.contents(), b"1. Open Settings\n2. Export again\n");
    let fwd = parsed.iter().find(|m| m.subject() == Some("Fwd: Export fails")).expect("the forward reached alice");
    assert!(fwd.in_reply_to().is_empty() && fwd.references().is_empty(), "a forward starts a thread of its own");
    let text = fwd.body_text(0).unwrap();
    assert!(text.starts_with("FYI") && text.contains("---------- Forwarded message ----------"), "{text}");
    assert!(
        text.contains("From: Carol Customer <customer@example.org>") && text.contains("The export fails"),
        "{text}"
    );
    let carried = fwd.attachments().next().expect("the original's attachment went along");
    assert_eq!(carried.attachment_name(), Some("export.log"));
    assert!(String::from_utf8_lossy(carried.contents()).contains("ERROR 42 at row 7"));
}
