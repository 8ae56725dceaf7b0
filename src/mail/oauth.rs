//! OAuth2 access tokens for XOAUTH2: from a `token_command`, or the built-in flow (a refresh token exchanged at the
//! provider's token endpoint, refreshed before it expires and once after a refusal; RFC 8628 device login stores
//! the refresh token in a 0600 file). Tokens never reach logs or the terminal.

use crate::config::{OAuth2, Server};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Why a token could not be had, in words a person can act on (never the token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenError {
    /// A secret command failed.
    Password(String),
    /// The identity provider refused or could not be reached.
    Auth(String),
}

impl std::fmt::Display for TokenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TokenError::Password(e) | TokenError::Auth(e) => f.write_str(e),
        }
    }
}

impl std::error::Error for TokenError {}

/// What a secret command prints (run with `sh -c`, trailing newline trimmed); its name in errors.
pub fn secret_from_command(cmd: &str, name: &str) -> Result<String, TokenError> {
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .output()
        .map_err(|e| TokenError::Password(format!("cannot run {name}: {e}")))?;
    if !out.status.success() {
        return Err(TokenError::Password(format!("{name} exited with {}", out.status)));
    }
    let s = String::from_utf8(out.stdout).map_err(|_| TokenError::Password(format!("{name} printed non-UTF-8")))?;
    Ok(s.trim_end_matches(['\n', '\r']).to_string())
}

/// Access tokens of the built-in flow, by token endpoint and user, with when to stop using them.
static CACHE: Mutex<Option<HashMap<String, (String, Instant)>>> = Mutex::new(None);

fn key(o: &OAuth2, user: &str) -> String {
    format!("{} {user}", o.token_url)
}

/// A current access token for the server.
pub fn access_token(s: &Server) -> Result<String, TokenError> {
    if let Some(cmd) = &s.token_command {
        return secret_from_command(cmd, "token_command");
    }
    let Some(o) = &s.oauth2 else {
        return Err(TokenError::Auth("auth = \"oauth2\" needs token_command or a [mailbox.oauth2] table".into()));
    };
    let k = key(o, &s.user);
    if let Ok(mut c) = CACHE.lock()
        && let Some((t, until)) = c.get_or_insert_with(HashMap::new).get(&k)
        && Instant::now() < *until
    {
        return Ok(t.clone());
    }
    let (token, expires_in) = refresh(o, &s.user)?;
    // Refreshed a minute before the provider's expiry, so that a token never runs out mid-session.
    let until = Instant::now() + Duration::from_secs(expires_in.saturating_sub(60).max(1));
    if let Ok(mut c) = CACHE.lock() {
        c.get_or_insert_with(HashMap::new).insert(k, (token.clone(), until));
    }
    Ok(token)
}

/// The server refused a token: forget it so that the next sign-in gets a fresh one. True if trying again can help.
pub fn forget(s: &Server) -> bool {
    match &s.oauth2 {
        Some(o) if s.token_command.is_none() => {
            if let Ok(mut c) = CACHE.lock() {
                c.get_or_insert_with(HashMap::new).remove(&key(o, &s.user));
            }
            true
        }
        _ => s.token_command.is_some(),
    }
}

/// Where `helpdesk auth login` keeps a mailbox's refresh token.
pub fn token_file(address: &str) -> Option<PathBuf> {
    let d = directories::ProjectDirs::from("", "", "helpdesk")?;
    Some(d.data_dir().join("oauth2").join(format!("{address}.refresh")))
}

fn stored_refresh_token(user: &str) -> Result<String, TokenError> {
    let path = token_file(user).ok_or_else(|| TokenError::Auth("no home directory for the OAuth2 token".into()))?;
    std::fs::read_to_string(&path).map(|t| t.trim().to_string()).map_err(|_| {
        TokenError::Auth(format!(
            "no OAuth2 refresh token for {user}: run `helpdesk auth login {user}` (or set refresh_token_command)"
        ))
    })
}

fn store_refresh_token(user: &str, token: &str) -> Result<PathBuf, TokenError> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let path = token_file(user).ok_or_else(|| TokenError::Auth("no home directory for the OAuth2 token".into()))?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| TokenError::Auth(format!("cannot store the token: {e}")))?;
    }
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(|e| TokenError::Auth(format!("cannot store the token: {e}")))?;
    f.write_all(token.as_bytes()).map_err(|e| TokenError::Auth(format!("cannot store the token: {e}")))?;
    std::fs::rename(&tmp, &path).map_err(|e| TokenError::Auth(format!("cannot store the token: {e}")))?;
    Ok(path)
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: Option<String>,
    refresh_token: Option<String>,
    expires_in: Option<u64>,
    error: Option<String>,
    error_description: Option<String>,
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(20)))
        .http_status_as_error(false)
        .build()
        .into()
}

/// POST a form to an OAuth2 endpoint and read its JSON answer (also on 4xx: errors come as JSON).
fn post<T: for<'de> Deserialize<'de>>(url: &str, form: &[(&str, &str)]) -> Result<T, TokenError> {
    let mut r = agent()
        .post(url)
        .send_form(form.iter().copied())
        .map_err(|e| TokenError::Auth(format!("OAuth2 endpoint {url}: {e}")))?;
    let text = r.body_mut().read_to_string().map_err(|e| TokenError::Auth(format!("OAuth2 endpoint {url}: {e}")))?;
    serde_json::from_str(&text).map_err(|_| TokenError::Auth(format!("OAuth2 endpoint {url} did not answer in JSON")))
}

fn client_secret(o: &OAuth2) -> Result<Option<String>, TokenError> {
    o.client_secret_command.as_deref().map(|c| secret_from_command(c, "client_secret_command")).transpose()
}

/// Exchange the refresh token for an access token: (token, seconds it lives).
fn refresh(o: &OAuth2, user: &str) -> Result<(String, u64), TokenError> {
    let stored = o.refresh_token_command.is_none();
    let refresh = match &o.refresh_token_command {
        Some(c) => secret_from_command(c, "refresh_token_command")?,
        None => stored_refresh_token(user)?,
    };
    let secret = client_secret(o)?;
    let scope = o.scopes.join(" ");
    let mut form =
        vec![("grant_type", "refresh_token"), ("refresh_token", refresh.as_str()), ("client_id", &o.client_id)];
    if let Some(s) = &secret {
        form.push(("client_secret", s));
    }
    if !scope.is_empty() {
        form.push(("scope", &scope));
    }
    let a: TokenAnswer = post(&o.token_url, &form)?;
    let Some(token) = a.access_token else {
        return Err(TokenError::Auth(format!(
            "OAuth2 token refresh refused: {}{}",
            a.error.unwrap_or_else(|| "no access_token".into()),
            a.error_description.map(|d| format!(" ({d})")).unwrap_or_default()
        )));
    };
    if stored && let Some(new) = a.refresh_token.filter(|n| *n != refresh) {
        store_refresh_token(user, &new)?;
    }
    Ok((token, a.expires_in.unwrap_or(3600)))
}

#[derive(Deserialize)]
struct DeviceAnswer {
    device_code: String,
    user_code: String,
    #[serde(alias = "verification_url")]
    verification_uri: String,
    interval: Option<u64>,
    expires_in: Option<u64>,
}

/// RFC 8628 device login: ask for a code, tell the person where to enter it, wait for the grant, store the refresh
/// token. Returns where it was stored.
pub fn device_login(o: &OAuth2, user: &str, tell: &mut dyn FnMut(&str)) -> Result<PathBuf, TokenError> {
    let url = o.device_url.as_deref().filter(|u| !u.is_empty()).ok_or_else(|| {
        TokenError::Auth("[mailbox.oauth2] needs device_url (or a provider that has one) for `auth login`".into())
    })?;
    let scope = o.scopes.join(" ");
    let d: DeviceAnswer = post(url, &[("client_id", &o.client_id), ("scope", &scope)])?;
    tell(&format!("Open {} and enter the code {}", d.verification_uri, d.user_code));
    let secret = client_secret(o)?;
    let mut interval = d.interval.unwrap_or(5).max(1);
    let deadline = Instant::now() + Duration::from_secs(d.expires_in.unwrap_or(900));
    let grant = "urn:ietf:params:oauth:grant-type:device_code";
    while Instant::now() < deadline {
        std::thread::sleep(Duration::from_secs(interval));
        let mut form =
            vec![("grant_type", grant), ("device_code", d.device_code.as_str()), ("client_id", &o.client_id)];
        if let Some(s) = &secret {
            form.push(("client_secret", s));
        }
        let a: TokenAnswer = post(&o.token_url, &form)?;
        match (a.refresh_token, a.error.as_deref()) {
            (Some(r), _) => return store_refresh_token(user, &r),
            (None, Some("authorization_pending")) => {}
            (None, Some("slow_down")) => interval += 5,
            (None, e) => {
                return Err(TokenError::Auth(format!("device login refused: {}", e.unwrap_or("no refresh token"))));
            }
        }
    }
    Err(TokenError::Auth("device login: the code expired before it was entered".into()))
}
