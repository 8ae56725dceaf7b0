//! Connections to mail servers: passwords from a command or the environment, TLS with rustls (system roots or a
//! configured CA, always verified), IMAP sessions and SMTP transports, and errors that say which step failed.

use crate::config::{Auth, Server};
use async_imap::{Client, Session};
use rustls::pki_types::pem::PemObject;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

/// Which step of talking to a server failed, for messages a person can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetError {
    Password(String),
    Dns(String),
    Refused(String),
    Tls(String),
    Auth(String),
    Folder(String),
    Protocol(String),
    /// A step got no answer within its deadline: the whole line to show.
    Timeout(String),
}

impl fmt::Display for NetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NetError::Password(e) => write!(f, "password: {e}"),
            NetError::Dns(e) => write!(f, "cannot resolve the host: {e}"),
            NetError::Refused(e) => write!(f, "cannot connect: {e}"),
            NetError::Tls(e) => write!(f, "TLS: {e}"),
            NetError::Auth(e) => write!(f, "login refused: {e}"),
            NetError::Folder(e) => write!(f, "folder: {e}"),
            NetError::Protocol(e) => write!(f, "server: {e}"),
            NetError::Timeout(e) => f.write_str(e),
        }
    }
}

impl std::error::Error for NetError {}

/// What a secret command prints (run with `sh -c`, trailing newline trimmed); its name in errors.
pub fn secret_from_command(cmd: &str, name: &str) -> Result<String, NetError> {
    super::oauth::secret_from_command(cmd, name).map_err(NetError::from)
}

impl From<super::oauth::TokenError> for NetError {
    fn from(e: super::oauth::TokenError) -> NetError {
        match e {
            super::oauth::TokenError::Password(e) => NetError::Password(e),
            super::oauth::TokenError::Auth(e) => NetError::Auth(e),
        }
    }
}

/// The secret a server signs in with: a password, or with `auth = "oauth2"` a current access token.
pub fn secret(s: &Server) -> Result<String, NetError> {
    match s.auth.unwrap_or_default() {
        Auth::Password => password(s),
        Auth::Oauth2 => super::oauth::access_token(s).map_err(NetError::from),
    }
}

/// The password of a server: `password_command` (run with `sh -c`, trailing newline trimmed) or `password_env`.
pub fn password(s: &Server) -> Result<String, NetError> {
    if let Some(cmd) = &s.password_command {
        return secret_from_command(cmd, "password_command");
    }
    if let Some(var) = &s.password_env {
        return std::env::var(var).map_err(|_| NetError::Password(format!("environment variable {var} is not set")));
    }
    Err(NetError::Password("set password_command or password_env".into()))
}

/// A rustls client config trusting the system roots, or only the configured CA file.
pub fn tls_config(s: &Server) -> Result<Arc<rustls::ClientConfig>, NetError> {
    let mut roots = rustls::RootCertStore::empty();
    match &s.ca_file {
        Some(path) => {
            let pem = std::fs::read(path).map_err(|e| NetError::Tls(format!("cannot read ca_file {path}: {e}")))?;
            for cert in rustls::pki_types::CertificateDer::pem_slice_iter(&pem) {
                let cert = cert.map_err(|e| NetError::Tls(format!("ca_file {path}: {e}")))?;
                roots.add(cert).map_err(|e| NetError::Tls(format!("ca_file {path}: {e}")))?;
            }
        }
        None => {
            for cert in rustls_native_certs::load_native_certs().certs {
                let _ = roots.add(cert);
            }
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let cfg = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| NetError::Tls(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(cfg))
}

pub trait Io: AsyncRead + AsyncWrite + Unpin + Send + fmt::Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + fmt::Debug> Io for T {}

/// The stream under an IMAP session: plain TCP or TLS.
pub type Stream = Box<dyn Io>;

/// The deadline of one network step with this server.
pub fn deadline(s: &Server) -> Duration {
    Duration::from_secs(s.timeout_seconds.unwrap_or(30).max(1))
}

/// The error of a step that got no answer in time.
pub fn timed_out(s: &Server, proto: &str, step: &str) -> NetError {
    NetError::Timeout(format!(
        "{proto} server did not answer within {} s ({}:{}, {step})",
        deadline(s).as_secs(),
        s.host,
        s.port
    ))
}

/// Run one IMAP step under the server's deadline.
pub async fn step<T>(
    s: &Server,
    what: &str,
    f: impl std::future::Future<Output = Result<T, NetError>>,
) -> Result<T, NetError> {
    tokio::time::timeout(deadline(s), f).await.unwrap_or_else(|_| Err(timed_out(s, "IMAP", what)))
}

async fn tcp(s: &Server) -> Result<TcpStream, NetError> {
    let addrs = step(s, "name lookup", async {
        tokio::net::lookup_host((s.host.as_str(), s.port)).await.map_err(|e| NetError::Dns(format!("{}: {e}", s.host)))
    })
    .await?;
    let mut last = NetError::Dns(format!("{}: no address", s.host));
    for a in addrs {
        match tokio::time::timeout(deadline(s), TcpStream::connect(a)).await {
            Ok(Ok(t)) => return Ok(t),
            Ok(Err(e)) => last = NetError::Refused(format!("{a}: {e}")),
            Err(_) => last = NetError::Refused(format!("{a}: timed out")),
        }
    }
    Err(last)
}

async fn tls<T: AsyncRead + AsyncWrite + Unpin + Send + fmt::Debug + 'static>(
    s: &Server,
    io: T,
) -> Result<Stream, NetError> {
    let cfg = tls_config(s)?;
    let name = rustls::pki_types::ServerName::try_from(s.host.clone())
        .map_err(|e| NetError::Tls(format!("{}: {e}", s.host)))?;
    let t = step(s, "TLS handshake", async {
        tokio_rustls::TlsConnector::from(cfg).connect(name, io).await.map_err(|e| NetError::Tls(e.to_string()))
    })
    .await?;
    Ok(Box::new(t))
}

fn proto(e: impl fmt::Display) -> NetError {
    NetError::Protocol(e.to_string())
}

/// SASL XOAUTH2 (the Gmail and Microsoft form of RFC 7628's bearer token): the token once, then an empty answer to
/// the server's error challenge so that it sends its NO.
struct XOAuth2 {
    first: Option<String>,
}

impl async_imap::Authenticator for XOAuth2 {
    type Response = String;
    fn process(&mut self, _challenge: &[u8]) -> String {
        self.first.take().unwrap_or_default()
    }
}

pub fn xoauth2(user: &str, token: &str) -> String {
    format!("user={user}\x01auth=Bearer {token}\x01\x01")
}

/// Connect and log in to IMAP (`tls`, `starttls`, or `plain` on loopback); with `auth = "oauth2"`, a refused token
/// is refreshed once before the login counts as refused.
pub async fn imap_login(s: &Server) -> Result<Session<Stream>, NetError> {
    match imap_login_once(s).await {
        Err(NetError::Auth(_)) if s.auth == Some(Auth::Oauth2) && super::oauth::forget(s) => imap_login_once(s).await,
        r => r,
    }
}

/// The server's greeting, which must come within the deadline (a silent server, or TLS spoken to a plain port,
/// sends none).
async fn greeting<T: AsyncRead + AsyncWrite + Unpin + Send + fmt::Debug>(
    s: &Server,
    c: &mut Client<T>,
) -> Result<(), NetError> {
    step(s, "greeting", async {
        match c.read_response().await {
            Ok(Some(_)) => Ok(()),
            Ok(None) => Err(NetError::Protocol("the server closed the connection before its greeting".into())),
            Err(e) => Err(proto(e)),
        }
    })
    .await
}

/// Every step (connect, TLS, greeting, STARTTLS, login) has the server's deadline.
async fn imap_login_once(s: &Server) -> Result<Session<Stream>, NetError> {
    let pw = secret(s)?;
    let t = tcp(s).await?;
    let client = match s.security.as_str() {
        "tls" => {
            let mut c = Client::new(tls(s, t).await?);
            greeting(s, &mut c).await?;
            c
        }
        "starttls" => {
            let mut c = Client::new(t);
            greeting(s, &mut c).await?;
            step(s, "STARTTLS", async {
                c.run_command_and_check_ok("STARTTLS", None)
                    .await
                    .map_err(|e| NetError::Tls(format!("STARTTLS refused: {e}")))
            })
            .await?;
            Client::new(tls(s, c.into_inner()).await?)
        }
        _ => {
            let stream: Stream = Box::new(t);
            let mut c = Client::new(stream);
            greeting(s, &mut c).await?;
            c
        }
    };
    if s.auth == Some(Auth::Oauth2) {
        let auth = XOAuth2 { first: Some(xoauth2(&s.user, &pw)) };
        return step(s, "login", async {
            client
                .authenticate("XOAUTH2", auth)
                .await
                .map_err(|(e, _)| NetError::Auth(format!("OAuth2 token refused (XOAUTH2): {e}")))
        })
        .await;
    }
    step(s, "login", async { client.login(&s.user, &pw).await.map_err(|(e, _)| NetError::Auth(e.to_string())) }).await
}

/// An SMTP transport for a server (`starttls` required, `tls` wrapped, `plain` only on loopback).
pub fn smtp(s: &Server) -> Result<lettre::SmtpTransport, NetError> {
    use lettre::transport::smtp::authentication::{Credentials, Mechanism};
    use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
    let pw = secret(s)?;
    let params = || -> Result<TlsParameters, NetError> {
        let mut b = TlsParameters::builder(s.host.clone());
        if let Some(path) = &s.ca_file {
            let pem = std::fs::read(path).map_err(|e| NetError::Tls(format!("cannot read ca_file {path}: {e}")))?;
            b = b.add_root_certificate(Certificate::from_pem(&pem).map_err(|e| NetError::Tls(e.to_string()))?);
        }
        b.build_rustls().map_err(|e| NetError::Tls(e.to_string()))
    };
    let tls = match s.security.as_str() {
        "tls" => Tls::Wrapper(params()?),
        "starttls" => Tls::Required(params()?),
        _ => Tls::None,
    };
    let mechanisms = match s.auth.unwrap_or_default() {
        Auth::Oauth2 => vec![Mechanism::Xoauth2],
        Auth::Password => vec![Mechanism::Plain, Mechanism::Login],
    };
    Ok(lettre::SmtpTransport::builder_dangerous(s.host.clone())
        .port(s.port)
        .tls(tls)
        .authentication(mechanisms)
        .credentials(Credentials::new(s.user.clone(), pw))
        .timeout(Some(deadline(s)))
        .build())
}

/// Sort an SMTP error into the step that failed (a read that timed out says so, not "os error 11").
pub fn smtp_error(s: &Server, e: &lettre::transport::smtp::Error) -> NetError {
    let text = e.to_string();
    let lower = text.to_lowercase();
    if e.is_timeout()
        || lower.contains("(os error 11)")
        || lower.contains("temporarily unavailable")
        || lower.contains("would block")
        || lower.contains("timed out")
    {
        timed_out(s, "SMTP", "a command")
    } else if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake") {
        NetError::Tls(text)
    } else if lower.contains("535") || lower.contains("authentication") || lower.contains("credentials") {
        NetError::Auth(text)
    } else if lower.contains("refused") || lower.contains("connection") {
        NetError::Refused(text)
    } else if lower.contains("lookup") || lower.contains("resolve") {
        NetError::Dns(text)
    } else {
        NetError::Protocol(text)
    }
}
