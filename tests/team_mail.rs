//! Mail exactly once for a team, against real servers (Dovecot and Postfix from tests/mail/servers.sh, PostgreSQL
//! from tests/pg/server.sh): several `helpdesk sync --watch` processes on one help desk; one fetches each mailbox
//! and another takes over when it is killed; three send the queued replies and the customer gets each once.
#![allow(clippy::unwrap_used)]

#[path = "mail/harness.rs"]
mod harness;
#[path = "common/pg.rs"]
mod pg;

use harness::*;
use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A command of the binary on the PostgreSQL help desk `url`, as member `who`.
fn hd(s: &Servers, url: &str, who: &str, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_helpdesk"));
    c.arg("--db")
        .arg(url)
        .arg("--config")
        .arg(s.dir.path().join("config.toml"))
        .args(args)
        .env("SUPPORT_PW", "supportpw")
        .env("PGPASSWORD", pg::PASSWORD)
        .env("HELPDESK_USER", who)
        .env("XDG_STATE_HOME", s.dir.path())
        .env("XDG_DATA_HOME", s.dir.path().join("data"));
    c
}

fn ok(s: &Servers, url: &str, args: &[&str]) -> String {
    let o = hd(s, url, "alice", args).output().unwrap();
    assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

fn json(s: &Servers, url: &str, args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&ok(s, url, args)).unwrap()
}

/// A mail worker (`sync --watch`) of member `who`, its state lines in a file.
fn worker(s: &Servers, url: &str, who: &str) -> (Child, std::path::PathBuf) {
    let log = s.dir.path().join(format!("worker-{who}.log"));
    let f = std::fs::File::create(&log).unwrap();
    let child = hd(s, url, who, &["sync", "--watch"]).stdout(Stdio::null()).stderr(f).spawn().unwrap();
    (child, log)
}

fn conversations(s: &Servers, url: &str) -> usize {
    json(s, url, &["conversation", "list", "--json"]).as_array().unwrap().len()
}

fn wait(what: &str, limit: Duration, mut done: impl FnMut() -> bool) -> Duration {
    let t0 = Instant::now();
    while !done() {
        assert!(t0.elapsed() < limit, "{what}: not within {limit:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
    t0.elapsed()
}

fn stop(mut c: Child) {
    let _ = c.kill();
    let _ = c.wait();
}

#[test]
fn one_worker_fetches_and_another_takes_over_when_it_is_killed() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let Some(s) = Servers::start() else { return };
    let Some(url) = pg::fresh_db() else { return };
    s.config("");
    let (first, first_log) = worker(&s, &url, "alice");
    let log = |p: &std::path::Path| std::fs::read_to_string(p).unwrap_or_default();
    wait("the first worker online", Duration::from_secs(20), || log(&first_log).contains("online"));
    let (second, second_log) = worker(&s, &url, "bob");
    wait("the second worker standing by", Duration::from_secs(20), || log(&second_log).contains("standby"));
    assert!(log(&second_log).contains("fetched by alice@"), "{}", log(&second_log));

    s.send("Carol <customer@example.org>", "support@example.test", "First question", "Hello?", &[]);
    wait("the first mail fetched", Duration::from_secs(20), || conversations(&s, &url) == 1);
    stop(first);
    s.send("Carol <customer@example.org>", "support@example.test", "Second question", "Anyone?", &[]);
    let took = wait("the second worker took over", Duration::from_secs(30), || conversations(&s, &url) == 2);
    eprintln!("taken over and fetched in {took:?}");
    assert!(log(&second_log).contains("online"), "{}", log(&second_log));
    stop(second);
    assert_eq!(conversations(&s, &url), 2, "nothing fetched twice");
}

#[test]
fn three_workers_send_each_queued_reply_exactly_once() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let Some(s) = Servers::start() else { return };
    let Some(url) = pg::fresh_db() else { return };
    s.config("");
    const N: usize = 12;
    for i in 0..N {
        s.send("Carol <customer@example.org>", "support@example.test", &format!("Question {i}"), "Help?", &[]);
    }
    s.wait_inbox("support@example.test", "supportpw", N);
    ok(&s, &url, &["sync"]);
    assert_eq!(conversations(&s, &url), N);
    let workers: Vec<_> = ["alice", "bob", "dave"].iter().map(|w| worker(&s, &url, w)).collect();
    std::thread::sleep(Duration::from_secs(2));
    // Replies queued while the three run: each queue wakes all of them, and they race for the claims.
    let convs = json(&s, &url, &["conversation", "list", "--json"]);
    for c in convs.as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        ok(&s, &url, &["conversation", "reply", id, "--body", &format!("Answer to {id}")]);
    }
    wait("every reply sent", Duration::from_secs(60), || {
        json(&s, &url, &["outbox", "list", "--json"]).as_array().unwrap().iter().all(|o| o["state"] == "sent")
    });
    s.wait_inbox("customer@example.org", "customerpw", N);
    std::thread::sleep(Duration::from_secs(3));
    let (got, _) = s.inbox("customer@example.org", "customerpw");
    let mut by_id: BTreeMap<String, usize> = BTreeMap::new();
    for m in &got {
        *by_id.entry(header(m, "message-id").unwrap()).or_default() += 1;
    }
    let sent: Vec<String> = json(&s, &url, &["outbox", "list", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["message_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(sent.len(), N);
    for id in &sent {
        assert_eq!(by_id.get(id), Some(&1), "{id}: {by_id:?}");
    }
    assert_eq!(got.len(), N, "nothing else arrived: {by_id:?}");
    for (w, _) in workers {
        stop(w);
    }
}
