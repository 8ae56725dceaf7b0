//! The test mail servers: Dovecot and Postfix from Debian on loopback ports (tests/mail/servers.sh), a config for
//! support@example.test, the binary run against them, and mail sent and read as the customers.
#![allow(dead_code)]

use helpdesk::config::Server;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;
use std::time::Duration;

pub static SERIAL: Mutex<()> = Mutex::new(());

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub struct Servers {
    pub dir: tempfile::TempDir,
    pub imap: u16,
    pub smtp: u16,
    pub submission: u16,
    pub env: Vec<(&'static str, String)>,
}

pub fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mail/servers.sh")
}

impl Servers {
    pub fn start() -> Option<Servers> {
        Self::start_with(&[])
    }

    /// Start with more settings for tests/mail/servers.sh (e.g. OAUTH2_INTROSPECT_URL).
    pub fn start_with(extra: &[(&'static str, String)]) -> Option<Servers> {
        let have = Path::new("/usr/sbin/dovecot").exists() && Path::new("/usr/sbin/postfix").exists();
        if !have {
            assert!(std::env::var("CI").is_err(), "dovecot and postfix are needed: tests/run-all.sh installs them");
            eprintln!("skipping: dovecot/postfix not installed (tests/run-all.sh installs them)");
            return None;
        }
        // A port picked free can be taken by a test starting servers at the same moment before our server binds
        // it: then start again on other ports (the failed start is stopped first).
        let mut last = String::new();
        for _ in 0..3 {
            let dir = tempfile::tempdir().unwrap();
            // Postfix runs as its own user and must reach its files under the temp dir.
            std::fs::set_permissions(dir.path(), std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
            let (imap, smtp, submission) = (free_port(), free_port(), free_port());
            let env = vec![
                ("MT_DIR", dir.path().join("mt").display().to_string()),
                ("IMAP_PORT", imap.to_string()),
                ("SMTP_PORT", smtp.to_string()),
                ("SUBMISSION_PORT", submission.to_string()),
                ("LMTP_PORT", free_port().to_string()),
                ("SASL_PORT", free_port().to_string()),
            ];
            let env = env.into_iter().chain(extra.iter().cloned()).collect();
            let s = Servers { dir, imap, smtp, submission, env };
            let o = s.script("start");
            if o.status.success() {
                return Some(s);
            }
            last = String::from_utf8_lossy(&o.stderr).to_string();
            let log = std::fs::read_to_string(s.dir.path().join("mt/log/postfix.log")).unwrap_or_default();
            eprintln!("servers did not start, trying other ports: {last}{log}");
            drop(s);
        }
        panic!("servers did not start three times: {last}");
    }

    pub fn script(&self, cmd: &str) -> Output {
        Command::new("bash")
            .arg(script())
            .arg(cmd)
            .envs(self.env.iter().map(|(k, v)| (*k, v.as_str())))
            .output()
            .unwrap()
    }

    pub fn ca(&self) -> PathBuf {
        self.dir.path().join("mt/tls/ca.crt")
    }

    pub fn config(&self, extra: &str) -> PathBuf {
        self.config_with(extra, "password_env = \"SUPPORT_PW\"")
    }

    pub fn config_with(&self, extra: &str, imap_password: &str) -> PathBuf {
        let p = self.dir.path().join("config.toml");
        std::fs::write(
            &p,
            format!(
                r#"{extra}
[[mailbox]]
address = "support@example.test"
name = "Example Support"
mode = "conversations"
[mailbox.imap]
host = "127.0.0.1"
port = {imap}
security = "starttls"
user = "support@example.test"
{imap_password}
ca_file = "{ca}"
[mailbox.smtp]
host = "127.0.0.1"
port = {sub}
security = "starttls"
user = "support@example.test"
password_command = "printf %s supportpw"
ca_file = "{ca}"
"#,
                imap = self.imap,
                sub = self.submission,
                ca = self.ca().display()
            ),
        )
        .unwrap();
        // The SMTP password_command holds its (test) secret inline: only a file no one else reads may do that.
        std::fs::set_permissions(&p, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
        p
    }

    pub fn hd(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_helpdesk"))
            .arg("--db")
            .arg(self.dir.path().join("h.db"))
            .arg("--config")
            .arg(self.dir.path().join("config.toml"))
            .args(args)
            .env("SUPPORT_PW", "supportpw")
            .env("HELPDESK_USER", "alice")
            .env("XDG_STATE_HOME", self.dir.path())
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .output()
            .unwrap()
    }

    pub fn ok(&self, args: &[&str]) -> String {
        let o = self.hd(args);
        assert!(
            o.status.success(),
            "{args:?}: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8(o.stdout).unwrap()
    }

    pub fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }

    pub fn send(&self, from: &str, to: &str, subject: &str, body: &str, headers: &[(&str, String)]) -> String {
        use lettre::Transport;
        let id = format!("{}.{}@example.org", subject.len(), rand_id());
        let mut raw = format!(
            "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\nDate: {}\r\n",
            chrono::Utc::now().to_rfc2822()
        );
        for (k, v) in headers {
            raw.push_str(&format!("{k}: {v}\r\n"));
        }
        raw.push_str(&format!("\r\n{body}\r\n"));
        let t = lettre::SmtpTransport::builder_dangerous("127.0.0.1").port(self.smtp).build();
        let env =
            lettre::address::Envelope::new(Some(from_addr(from).parse().unwrap()), vec![to.parse().unwrap()]).unwrap();
        t.send_raw(&env, raw.as_bytes()).unwrap();
        id
    }

    pub fn user(&self, user: &str, pw: &str) -> Server {
        Server {
            host: "127.0.0.1".into(),
            port: self.imap,
            security: "starttls".into(),
            user: user.into(),
            password_env: None,
            password_command: Some(format!("printf %s {pw}")),
            ca_file: Some(self.ca().display().to_string()),
            folders: vec!["INBOX".into()],
            ..Default::default()
        }
    }

    /// Raw messages in a user's INBOX, read without touching flags, and the number flagged \Seen.
    pub fn inbox(&self, user: &str, pw: &str) -> (Vec<Vec<u8>>, usize) {
        let server = self.user(user, pw);
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            use futures_util::TryStreamExt;
            let mut s = helpdesk::mail::net::imap_login(&server).await.unwrap();
            let mb = s.examine("INBOX").await.unwrap();
            if mb.exists == 0 {
                return (vec![], 0);
            }
            let msgs: Vec<Vec<u8>> = s
                .fetch("1:*", "BODY.PEEK[]")
                .await
                .unwrap()
                .map_ok(|f| f.body().unwrap_or_default().to_vec())
                .try_collect()
                .await
                .unwrap();
            let seen = s.search("SEEN").await.unwrap().len();
            (msgs, seen)
        })
    }

    /// Wait until a user's INBOX holds at least `n` messages.
    pub fn wait_inbox(&self, user: &str, pw: &str, n: usize) -> Vec<Vec<u8>> {
        for _ in 0..100 {
            let (m, _) = self.inbox(user, pw);
            if m.len() >= n {
                return m;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("{user} never got {n} messages");
    }

    pub fn maildir(&self, user: &str) -> PathBuf {
        let (local, domain) = user.split_once('@').unwrap();
        self.dir.path().join("mt/mail").join(domain).join(local).join("Maildir")
    }
}

impl Drop for Servers {
    fn drop(&mut self) {
        self.script("stop");
    }
}

pub fn from_addr(from: &str) -> String {
    from.rsplit('<').next().unwrap().trim_end_matches('>').to_string()
}

pub fn rand_id() -> String {
    format!(
        "{}{}",
        std::process::id(),
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
    )
}

pub fn header(raw: &[u8], name: &str) -> Option<String> {
    let p = helpdesk::mail::parse(raw, 1 << 24).unwrap();
    match name {
        "subject" => Some(p.subject),
        "message-id" => p.message_id,
        "in-reply-to" => p.in_reply_to.first().cloned(),
        "references" => Some(p.references.join(" ")),
        "from" => p.from.map(|f| f.0),
        _ => None,
    }
}
