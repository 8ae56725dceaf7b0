//! The TOML config file: mailboxes, routing rules, rate limits, snippets and key bindings.

mod providers;

pub use providers::{Auth, OAuth2, PROVIDERS};

use crate::{Error, Result};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

pub mod secrets;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub mailbox: Vec<Mailbox>,
    #[serde(default)]
    pub routing: Vec<RoutingRule>,
    #[serde(default)]
    pub limits: Limits,
    /// Canned replies: name → text with `{{contact.name}}`, `{{ticket.id}}`, `{{ticket.title}}`, `{{member.name}}`.
    #[serde(default)]
    pub snippets: BTreeMap<String, String>,
    /// Key binding overrides: action name → key (`"ctrl-s"`, `"x"`, `"F2"`).
    #[serde(default)]
    pub keys: BTreeMap<String, String>,
    /// Who acts (the same as `[me] login`; kept for older configs).
    pub user: Option<String>,
    /// Who I am: the member login everything I do is recorded under, and the name customers see on my replies.
    #[serde(default)]
    pub me: Me,
    /// Days within which a customer message reopens a resolved ticket.
    #[serde(default = "default_reopen")]
    pub reopen_days: i64,
    /// The database when `--db` and HELPDESK_DB name none: a file, or `postgres://USER@HOST:PORT/DBNAME` for a
    /// team's PostgreSQL server (never with a password: PGPASSWORD, ~/.pgpass or `database_password_command`).
    pub database: Option<String>,
    /// A command that prints the PostgreSQL password (run with `sh -c`, trailing newline trimmed).
    pub database_password_command: Option<String>,
    /// Warnings about the file itself (permissions), for the faces to show.
    #[serde(skip)]
    pub warnings: Vec<String>,
}

fn default_reopen() -> i64 {
    crate::stage::REOPEN_WINDOW_DAYS
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mailbox {
    pub address: String,
    #[serde(default)]
    pub name: String,
    #[serde(default = "default_mode")]
    pub mode: String,
    pub imap: Option<Server>,
    pub smtp: Option<Server>,
    /// Part for tickets created from mail (id or name); default: the first product.
    pub part: Option<String>,
    /// gmail, outlook, fastmail, yahoo or zoho: fills hosts, ports, security and sign-in (written keys win).
    pub provider: Option<String>,
    pub oauth2: Option<OAuth2>,
    /// Where sent replies are copied (IMAP APPEND); default: the folder marked \Sent.
    pub sent_folder: Option<String>,
    /// Copy sent replies to the Sent folder (default: yes, but not for providers that keep SMTP mail themselves).
    pub save_sent: Option<bool>,
}

fn default_mode() -> String {
    "conversations".into()
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Server {
    #[serde(default)]
    pub host: String,
    #[serde(default)]
    pub port: u16,
    /// tls, starttls or plain (plain only to loopback); default tls.
    #[serde(default)]
    pub security: String,
    /// Default: the mailbox's address.
    #[serde(default)]
    pub user: String,
    /// password (default) or oauth2.
    pub auth: Option<Auth>,
    pub password_env: Option<String>,
    pub password_command: Option<String>,
    /// With auth = "oauth2": prints a current access token (like the scripts mutt and aerc users have).
    pub token_command: Option<String>,
    pub ca_file: Option<String>,
    #[serde(default = "default_folders")]
    pub folders: Vec<String>,
    /// Seconds every network step (connect, TLS handshake, greeting, login, each command) may take; default 30.
    pub timeout_seconds: Option<u64>,
    /// The mailbox's `[mailbox.oauth2]`, copied here when the config is read.
    #[serde(skip)]
    pub oauth2: Option<OAuth2>,
}

fn default_folders() -> Vec<String> {
    vec!["INBOX".into()]
}

/// `[me]`: who runs this copy of helpdesk.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Me {
    /// A member login (`helpdesk member list`).
    pub login: Option<String>,
    /// Shown to customers as "Name via Mailbox name".
    pub name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutingRule {
    /// Any of these words (case-insensitive) in the subject or body matches.
    pub keywords: Vec<String>,
    pub owner: Option<String>,
    pub group: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// More than `max_per_window` mails from one sender within `window_minutes` tags it `spammer`.
    pub window_minutes: i64,
    pub max_per_window: i64,
    /// A spammer's next `spam_cap` mails within `spam_window_hours` are kept as spam; beyond that they are dropped.
    pub spam_cap: i64,
    pub spam_window_hours: i64,
    /// Larger messages are quarantined.
    pub max_message_bytes: usize,
    /// A failed send is retried after this many seconds, doubling with each attempt (at most an hour).
    pub retry_seconds: i64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            window_minutes: 10,
            max_per_window: 30,
            spam_cap: 100,
            spam_window_hours: 24,
            max_message_bytes: 50 << 20,
            retry_seconds: 30,
        }
    }
}

impl Config {
    /// The login of `[me]` (or the older `user` key).
    pub fn me_login(&self) -> Option<&str> {
        self.me.login.as_deref().or(self.user.as_deref())
    }

    /// The mailbox that sends for an item: the item's own when it can send, else the first that can.
    pub fn sending_mailbox(&self, item_mailbox: Option<&str>) -> Option<&Mailbox> {
        let can = |m: &&Mailbox| m.smtp.is_some();
        item_mailbox
            .and_then(|a| self.mailbox.iter().filter(can).find(|m| m.address.eq_ignore_ascii_case(a)))
            .or_else(|| self.mailbox.iter().find(can))
    }

    /// Read a config file; a missing file at the default location is an empty config.
    pub fn load(path: &Path, must_exist: bool) -> Result<Config> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !must_exist => {
                return Ok(Config { reopen_days: default_reopen(), ..Config::default() });
            }
            Err(e) => {
                return Err(Error::invalid(format!("cannot read config {}: {e}", path.display())));
            }
        };
        let mut c: Config =
            toml::from_str(&text).map_err(|e| Error::invalid(format!("config {}: {e}", path.display())))?;
        for m in &mut c.mailbox {
            providers::complete(m)?;
        }
        c.validate()?;
        c.warnings = secrets::check(path, &c)?;
        Ok(c)
    }

    pub fn validate(&self) -> Result<()> {
        if let Some(url) = self.database.as_deref().filter(|d| crate::store::is_postgres_url(d)) {
            let user_info = url.split_once("://").and_then(|(_, rest)| rest.split_once('@')).map(|(u, _)| u);
            if user_info.is_some_and(|u| u.contains(':')) {
                return Err(Error::invalid(
                    "database: a password in the URL is not accepted; use PGPASSWORD, ~/.pgpass or \
                     database_password_command",
                ));
            }
        }
        for m in &self.mailbox {
            if !crate::domain::valid_email(&m.address) {
                return Err(Error::invalid(format!("mailbox address '{}' is not an email address", m.address)));
            }
            if m.mode != "conversations" && m.mode != "tickets" {
                return Err(Error::invalid(format!("mailbox {}: mode must be conversations or tickets", m.address)));
            }
            for (what, s) in [("imap", &m.imap), ("smtp", &m.smtp)] {
                let Some(s) = s else { continue };
                match s.security.as_str() {
                    "tls" | "starttls" => {}
                    "plain" if is_loopback(&s.host) => {}
                    "plain" => {
                        return Err(Error::invalid(format!(
                            "mailbox {}: {what} security 'plain' is only allowed to loopback",
                            m.address
                        )));
                    }
                    x => {
                        return Err(Error::invalid(format!(
                            "mailbox {}: {what} security '{x}' (use tls, starttls or plain)",
                            m.address
                        )));
                    }
                }
                if s.host.is_empty() || s.port == 0 {
                    return Err(Error::invalid(format!(
                        "mailbox {}: {what} needs host and port (or provider = \"gmail\", \"outlook\", …)",
                        m.address
                    )));
                }
                match s.auth.unwrap_or_default() {
                    Auth::Password if s.password_env.is_none() && s.password_command.is_none() => {
                        return Err(Error::invalid(format!(
                            "mailbox {}: {what} needs password_env or password_command (or auth = \"oauth2\")",
                            m.address
                        )));
                    }
                    Auth::Oauth2 if s.token_command.is_none() && m.oauth2.is_none() => {
                        return Err(Error::invalid(format!(
                            "mailbox {}: {what} with auth = \"oauth2\" needs token_command or a [mailbox.oauth2] table",
                            m.address
                        )));
                    }
                    Auth::Password | Auth::Oauth2 => {}
                }
            }
        }
        Ok(())
    }
}

pub fn is_loopback(host: &str) -> bool {
    host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_example_parses() {
        let c: Config = toml::from_str(
            r#"
[[mailbox]]
address = "support@example.test"
name = "Example Support"
mode = "conversations"
[mailbox.imap]
host = "127.0.0.1"
port = 1143
security = "starttls"
user = "support@example.test"
password_env = "SUPPORT_PW"
ca_file = "/path/to/test-ca.crt"
[mailbox.smtp]
host = "127.0.0.1"
port = 2587
security = "starttls"
user = "support@example.test"
password_command = "printf %s secret"
ca_file = "/path/to/test-ca.crt"
"#,
        )
        .unwrap();
        c.validate().unwrap();
        assert_eq!(c.mailbox[0].imap.as_ref().unwrap().folders, vec!["INBOX"]);
    }

    #[test]
    fn typos_and_plain_remote_fail() {
        assert!(toml::from_str::<Config>("[[mailbox]]\naddres = \"x@y.z\"").is_err());
        let c: Config = toml::from_str(
            "[[mailbox]]\naddress = \"a@b.test\"\n[mailbox.imap]\nhost = \"mail.example.com\"\nport = 143\nsecurity = \"plain\"\nuser = \"a\"\npassword_env = \"X\"",
        )
        .unwrap();
        assert!(c.validate().unwrap_err().to_string().contains("loopback"));
    }
}
