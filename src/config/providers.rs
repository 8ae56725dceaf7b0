//! Mail providers: presets that fill a mailbox's hosts, ports, security and sign-in, and OAuth2 settings.

use super::{Mailbox, Server};
use crate::{Error, Result};
use serde::Deserialize;

/// How a mailbox signs in to a server.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Auth {
    /// `password_command` or `password_env`.
    #[default]
    Password,
    /// SASL XOAUTH2 (IMAP, SMTP) with an access token from `token_command` or `[mailbox.oauth2]`.
    Oauth2,
}

/// `[mailbox.oauth2]`: the built-in token flow (refresh tokens, RFC 8628 device login).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OAuth2 {
    #[serde(default)]
    pub token_url: String,
    /// The device-authorization endpoint of `helpdesk auth login`.
    pub device_url: Option<String>,
    #[serde(default)]
    pub client_id: String,
    pub client_secret_command: Option<String>,
    /// Prints a refresh token; without it, the one `helpdesk auth login` stored (a 0600 file in the data dir).
    pub refresh_token_command: Option<String>,
    #[serde(default)]
    pub scopes: Vec<String>,
}

/// What a provider preset knows: (imap host, port, security), (smtp host, port, security), sign-in, OAuth2
/// endpoints and scopes, and whether the provider keeps a copy of mail sent through its SMTP server itself.
struct Preset {
    imap: (&'static str, u16, &'static str),
    smtp: (&'static str, u16, &'static str),
    auth: Auth,
    token_url: &'static str,
    device_url: &'static str,
    scopes: &'static [&'static str],
    saves_sent: bool,
}

fn preset(name: &str) -> Option<Preset> {
    Some(match name {
        "gmail" => Preset {
            imap: ("imap.gmail.com", 993, "tls"),
            smtp: ("smtp.gmail.com", 465, "tls"),
            auth: Auth::Oauth2,
            token_url: "https://oauth2.googleapis.com/token",
            device_url: "https://oauth2.googleapis.com/device/code",
            scopes: &["https://mail.google.com/"],
            saves_sent: true,
        },
        "outlook" => Preset {
            imap: ("outlook.office365.com", 993, "tls"),
            smtp: ("smtp.office365.com", 587, "starttls"),
            auth: Auth::Oauth2,
            token_url: "https://login.microsoftonline.com/common/oauth2/v2.0/token",
            device_url: "https://login.microsoftonline.com/common/oauth2/v2.0/devicecode",
            scopes: &[
                "https://outlook.office.com/IMAP.AccessAsUser.All",
                "https://outlook.office.com/SMTP.Send",
                "offline_access",
            ],
            saves_sent: true,
        },
        "fastmail" => Preset {
            imap: ("imap.fastmail.com", 993, "tls"),
            smtp: ("smtp.fastmail.com", 465, "tls"),
            auth: Auth::Password,
            token_url: "",
            device_url: "",
            scopes: &[],
            saves_sent: false,
        },
        "yahoo" => Preset {
            imap: ("imap.mail.yahoo.com", 993, "tls"),
            smtp: ("smtp.mail.yahoo.com", 465, "tls"),
            auth: Auth::Password,
            token_url: "",
            device_url: "",
            scopes: &[],
            saves_sent: false,
        },
        "zoho" => Preset {
            imap: ("imap.zoho.com", 993, "tls"),
            smtp: ("smtp.zoho.com", 465, "tls"),
            auth: Auth::Password,
            token_url: "",
            device_url: "",
            scopes: &[],
            saves_sent: false,
        },
        _ => return None,
    })
}

pub const PROVIDERS: &[&str] = &["gmail", "outlook", "fastmail", "yahoo", "zoho"];

fn empty_server() -> Server {
    Server { folders: super::default_folders(), ..Default::default() }
}

/// Fill what the mailbox leaves out: the provider's preset, then the general defaults (tls, user = the address,
/// password sign-in). Keys written in the config always win.
pub fn complete(m: &mut Mailbox) -> Result<()> {
    let p = match &m.provider {
        Some(name) => Some(preset(name).ok_or_else(|| {
            Error::invalid(format!("mailbox {}: provider '{name}' (use one of: {})", m.address, PROVIDERS.join(", ")))
        })?),
        None => None,
    };
    if let Some(p) = &p {
        m.imap.get_or_insert_with(empty_server);
        m.smtp.get_or_insert_with(empty_server);
        if m.save_sent.is_none() {
            m.save_sent = Some(!p.saves_sent);
        }
        if p.auth == Auth::Oauth2
            && let Some(o) = m.oauth2.as_mut()
        {
            if o.token_url.is_empty() {
                o.token_url = p.token_url.into();
            }
            if o.device_url.is_none() {
                o.device_url = Some(p.device_url.into());
            }
            if o.scopes.is_empty() {
                o.scopes = p.scopes.iter().map(|s| s.to_string()).collect();
            }
        }
    }
    let oauth2 = m.oauth2.clone();
    for (s, which) in [(m.imap.as_mut(), 0), (m.smtp.as_mut(), 1)] {
        let Some(s) = s else { continue };
        if let Some(p) = &p {
            let (host, port, security) = if which == 0 { p.imap } else { p.smtp };
            if s.host.is_empty() {
                s.host = host.into();
            }
            if s.port == 0 {
                s.port = port;
            }
            if s.security.is_empty() {
                s.security = security.into();
            }
            if s.auth.is_none() {
                s.auth = Some(p.auth);
            }
        }
        if s.security.is_empty() {
            s.security = "tls".into();
        }
        if s.user.is_empty() {
            s.user = m.address.clone();
        }
        s.oauth2 = oauth2.clone();
    }
    Ok(())
}
