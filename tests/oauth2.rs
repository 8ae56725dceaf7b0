//! OAuth2 sign-in against the real servers: Dovecot (and Postfix through Dovecot's SASL) check XOAUTH2 tokens at a
//! loopback stand-in for the identity provider, which also serves the token and device-code endpoints. Covers
//! token_command, the refresh flow (and a refresh after a refusal), device login, a revoked token, Sent copies and
//! `config init`.
#![allow(clippy::unwrap_used)]

#[path = "mail/harness.rs"]
mod harness;

use harness::*;
use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::sync::{Arc, Mutex};

/// The identity provider: which access tokens are active, and how many refreshes and device polls it answered.
#[derive(Default)]
struct Idp {
    active: HashSet<String>,
    issued: usize,
    device_polls: usize,
    /// Seconds an issued access token lives (0: an hour).
    ttl: u64,
}

fn form(body: &str) -> Vec<(String, String)> {
    body.split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.replace('+', " ").replace("%3A", ":").replace("%2F", "/")))
        .collect()
}

fn serve(idp: Arc<Mutex<Idp>>) -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            let idp = idp.clone();
            std::thread::spawn(move || {
                let mut r = BufReader::new(s.try_clone().unwrap());
                let mut first = String::new();
                r.read_line(&mut first).unwrap();
                let mut len = 0;
                loop {
                    let mut h = String::new();
                    r.read_line(&mut h).unwrap();
                    if h.trim().is_empty() {
                        break;
                    }
                    if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                        len = v.trim().parse().unwrap();
                    }
                }
                let mut body = vec![0; len];
                r.read_exact(&mut body).unwrap();
                let f = form(&String::from_utf8_lossy(&body));
                let get = |k: &str| f.iter().find(|(a, _)| a == k).map(|(_, v)| v.clone()).unwrap_or_default();
                let mut st = idp.lock().unwrap();
                let out = if first.contains("/introspect") {
                    let ok = st.active.contains(&get("token"));
                    if ok {
                        r#"{"active":true,"username":"support@example.test"}"#.to_string()
                    } else {
                        r#"{"active":false}"#.into()
                    }
                } else if first.contains("/device") {
                    r#"{"device_code":"dev-1","user_code":"WDJB-MJHT","verification_uri":"http://127.0.0.1/verify","interval":1,"expires_in":60}"#.into()
                } else if get("grant_type").ends_with("device_code") {
                    st.device_polls += 1;
                    if st.device_polls < 2 {
                        r#"{"error":"authorization_pending"}"#.into()
                    } else {
                        r#"{"access_token":"unused","refresh_token":"refresh-dev","expires_in":3600}"#.into()
                    }
                } else if get("grant_type") == "refresh_token" && get("refresh_token").starts_with("refresh-") {
                    st.issued += 1;
                    let t = format!("tok-issued-{}", st.issued);
                    st.active.insert(t.clone());
                    let ttl = if st.ttl == 0 { 3600 } else { st.ttl };
                    format!(r#"{{"access_token":"{t}","expires_in":{ttl},"token_type":"Bearer"}}"#)
                } else {
                    r#"{"error":"invalid_grant"}"#.into()
                };
                let mut s = s;
                let _ = write!(
                    s,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{out}",
                    out.len()
                );
            });
        }
    });
    port
}

fn start() -> Option<(Servers, Arc<Mutex<Idp>>, u16)> {
    let idp = Arc::new(Mutex::new(Idp::default()));
    idp.lock().unwrap().active.insert("tok-good".into());
    let port = serve(idp.clone());
    let s = Servers::start_with(&[("OAUTH2_INTROSPECT_URL", format!("http://127.0.0.1:{port}/introspect"))])?;
    Some((s, idp, port))
}

/// A config whose IMAP and SMTP sign in with XOAUTH2; `sign_in` is the lines after `auth = "oauth2"`.
fn oauth_config(s: &Servers, sign_in: &str, extra: &str) {
    oauth_config_imap(s, sign_in, extra, "");
}

/// As [`oauth_config`], with more keys for `[mailbox.imap]`.
fn oauth_config_imap(s: &Servers, sign_in: &str, extra: &str, imap: &str) {
    let ca = s.dir.path().join("mt/tls/ca.crt");
    std::fs::write(
        s.dir.path().join("config.toml"),
        format!(
            "[[mailbox]]\naddress = \"support@example.test\"\nname = \"Example Support\"\n{extra}\n\
             [mailbox.imap]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"starttls\"\nauth = \"oauth2\"\n{sign_in}\n{imap}\nca_file = \"{}\"\n\
             [mailbox.smtp]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"starttls\"\nauth = \"oauth2\"\n{sign_in}\nca_file = \"{}\"\n",
            s.imap,
            ca.display(),
            s.submission,
            ca.display()
        ),
    )
    .unwrap();
}

fn sent_folder(s: &Servers) -> Vec<String> {
    let dir = s.maildir("support@example.test").join(".Sent");
    ["cur", "new"]
        .iter()
        .flat_map(|d| std::fs::read_dir(dir.join(d)).into_iter().flatten())
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect()
}

#[test]
fn token_command_syncs_sends_and_copies_to_sent_and_a_revoked_token_is_refused() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let Some((s, _idp, _)) = start() else { return };
    oauth_config(&s, "token_command = \"printf %s tok-good\"", "");
    s.send(
        "Carol <customer@example.org>",
        "support@example.test",
        "Login loop",
        "I keep landing on the login page.",
        &[],
    );
    s.wait_inbox("support@example.test", "supportpw", 1);
    s.ok(&["sync"]);
    let conv = s.json(&["conversation", "list", "--json"])[0]["id"].as_str().unwrap().to_string();
    s.ok(&["conversation", "reply", &conv, "--body", "Fixed on our side. oauth-reply-42"]);
    let out = s.ok(&["sync", "--json"]);
    assert!(!out.contains("tok-good"), "tokens never reach the terminal");
    let got = s.wait_inbox("customer@example.org", "customerpw", 1);
    assert!(String::from_utf8_lossy(&got[0]).contains("oauth-reply-42"), "sent over SMTP with XOAUTH2");
    let sent = sent_folder(&s);
    assert!(sent.iter().any(|m| m.contains("oauth-reply-42")), "the reply is copied to Sent: {}", sent.len());
    // The copy is known to the ledger: syncing the Sent folder stores nothing new.
    let before = s.json(&["conversation", "show", &conv, "--json"])["messages"].as_array().unwrap().len();

    oauth_config(&s, "token_command = \"printf %s tok-revoked\"", "");
    s.send("Carol <customer@example.org>", "support@example.test", "Another question", "Second mail.", &[]);
    s.wait_inbox("support@example.test", "supportpw", 2);
    let o = s.hd(&["sync"]);
    let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(!o.status.success(), "a refused token is not a successful sync: {text}");
    assert!(text.contains("OAuth2 token refused") && !text.contains("tok-revoked"), "{text}");
    // Nothing is lost: with a good token the waiting mail arrives.
    oauth_config_imap(&s, "token_command = \"printf %s tok-good\"", "", "folders = [\"INBOX\", \"Sent\"]");
    s.ok(&["sync"]);
    assert_eq!(s.json(&["conversation", "list", "--json"]).as_array().unwrap().len(), 2);
    let after = s.json(&["conversation", "show", &conv, "--json"])["messages"].as_array().unwrap().len();
    assert_eq!(before, after, "the Sent copy of our own reply is not ingested again");
}

#[test]
fn refresh_flow_device_login_and_a_refusal_refreshes_once() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let Some((s, idp, port)) = start() else { return };
    let oauth2 = format!(
        "[mailbox.oauth2]\ntoken_url = \"http://127.0.0.1:{port}/token\"\ndevice_url = \"http://127.0.0.1:{port}/device\"\nclient_id = \"helpdesk-test\""
    );
    oauth_config(&s, "", &format!("{oauth2}\nrefresh_token_command = \"printf %s refresh-1\""));
    // toml: the [mailbox.oauth2] table must come after the mailbox's plain keys; the helper puts `extra` there.
    s.send("Carol <customer@example.org>", "support@example.test", "Refresh me", "First.", &[]);
    s.wait_inbox("support@example.test", "supportpw", 1);
    let cfg = helpdesk::config::Config::load(&s.dir.path().join("config.toml"), true).unwrap();
    let mut store = helpdesk::Store::open(&s.dir.path().join("lib.db")).unwrap();
    let r = helpdesk::mail::worker::sync_once(&mut store, &cfg);
    assert!(r.errors.is_empty() && r.fetched == 1, "{:?}", r.errors);
    assert_eq!(idp.lock().unwrap().issued, 1, "one refresh, then the token is reused");
    // The provider revokes the token: the next sign-in is refused, refreshed once, and goes on.
    idp.lock().unwrap().active.clear();
    s.send("Carol <customer@example.org>", "support@example.test", "After revocation", "Second.", &[]);
    s.wait_inbox("support@example.test", "supportpw", 2);
    let r = helpdesk::mail::worker::sync_once(&mut store, &cfg);
    assert!(r.errors.is_empty() && r.fetched == 1, "{:?}", r.errors);
    assert_eq!(idp.lock().unwrap().issued, 2);
    // A short-lived token is replaced before it runs out, without waiting for a refusal.
    idp.lock().unwrap().ttl = 1;
    idp.lock().unwrap().active.clear();
    helpdesk::mail::oauth::forget(&cfg.mailbox[0].imap.clone().unwrap());
    assert!(helpdesk::mail::worker::sync_once(&mut store, &cfg).errors.is_empty());
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let before = idp.lock().unwrap().issued;
    assert!(helpdesk::mail::worker::sync_once(&mut store, &cfg).errors.is_empty());
    assert_eq!(idp.lock().unwrap().issued, before + 1, "an expired token is refreshed before the sign-in");

    // Device login stores a refresh token (0600) that the next sync uses without any command.
    oauth_config(&s, "", &oauth2);
    let out = s.ok(&["auth", "login", "support@example.test"]);
    assert!(out.contains("WDJB-MJHT") && out.contains("signed in"), "{out}");
    let file = s.dir.path().join("data/helpdesk/oauth2/support@example.test.refresh");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "refresh-dev");
    s.ok(&["sync"]);
    assert_eq!(s.json(&["conversation", "list", "--json"]).as_array().unwrap().len(), 2);
}

#[test]
fn config_init_writes_a_working_private_config() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let Some(s) = Servers::start() else { return };
    let path = s.dir.path().join("new.toml");
    let ca = s.dir.path().join("mt/tls/ca.crt").display().to_string();
    let (imap, sub) = (s.imap.to_string(), s.submission.to_string());
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_helpdesk"))
        .args(["--config", path.to_str().unwrap(), "config", "init", "--address", "support@example.test"])
        .args(["--name", "Example Support", "--provider", "none", "--imap-host", "127.0.0.1", "--imap-port", &imap])
        .args(["--smtp-host", "127.0.0.1", "--smtp-port", &sub, "--security", "starttls", "--auth", "password"])
        .args(["--password-command", "printf %s supportpw", "--ca-file", &ca, "--mode", "conversations"])
        .args(["--login", "alice", "--my-name", "Alice Moreau"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{out}{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(out.matches("ok     support@example.test").count(), 2, "IMAP and SMTP tried at once: {out}");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    let cfg = helpdesk::config::Config::load(&path, true).unwrap();
    assert_eq!((cfg.me.name.as_deref(), cfg.mailbox[0].name.as_str()), (Some("Alice Moreau"), "Example Support"));
    // Without a config file, check says how to make one.
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_helpdesk"))
        .args(["--config", s.dir.path().join("none.toml").to_str().unwrap(), "config", "check"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&o.stderr).contains("helpdesk config init"));
    let _ = std::io::stdout().flush();
}
