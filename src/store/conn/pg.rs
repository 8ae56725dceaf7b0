//! Connecting to PostgreSQL: the `postgres://` URL, and its password from PGPASSWORD, a pgpass file or a command.

use crate::{Error, Result};
use postgres::config::{Host, SslMode};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

/// The command the config names for the database password (`database_password_command`), set once by the faces.
static PASSWORD_COMMAND: OnceLock<String> = OnceLock::new();

/// Remember the config's `database_password_command` for every connection this process makes.
pub fn set_password_command(cmd: &str) {
    let _ = PASSWORD_COMMAND.set(cmd.to_string());
}

/// Does this database location name a PostgreSQL server (a `postgres://` or `postgresql://` URL)?
pub fn is_url(s: &str) -> bool {
    s.starts_with("postgres://") || s.starts_with("postgresql://")
}

/// The URL in a database location given as a path (`--db`, `HELPDESK_DB`), if it is one.
pub fn url_of(path: &Path) -> Option<&str> {
    path.to_str().filter(|s| is_url(s))
}

/// The session's parameters from `url`, with the password found for it (`password` given wins: tests pass theirs).
pub(crate) fn config(url: &str, password: Option<&str>) -> Result<postgres::Config> {
    let bad = |why: String| Error::invalid(format!("database {}: {why}", shown(url)));
    let (rest, tls) = split_tls(url);
    let mut cfg: postgres::Config = rest.parse().map_err(|e| bad(format!("{e}")))?;
    cfg.ssl_mode(match tls.mode.as_deref() {
        None | Some("disable") => SslMode::Disable,
        Some("prefer") => SslMode::Prefer,
        Some("require" | "verify-ca" | "verify-full") => SslMode::Require,
        Some(m) => return Err(bad(format!("sslmode={m}: want disable, prefer, require, verify-ca or verify-full"))),
    });
    if cfg.get_password().is_some() {
        return Err(bad(
            "a password in the URL is not accepted (it shows in process lists and shell history); use PGPASSWORD, \
             ~/.pgpass or database_password_command in the config"
                .into(),
        ));
    }
    if cfg.get_hosts().is_empty() {
        cfg.host("localhost");
    }
    if cfg.get_user().is_none() {
        let me = std::env::var("PGUSER").or_else(|_| std::env::var("USER"));
        let me = me.map_err(|_| bad("the URL names no user (postgres://USER@HOST:PORT/DBNAME)".into()))?;
        cfg.user(&me);
    }
    if cfg.get_dbname().is_none() {
        let user = cfg.get_user().unwrap_or_default().to_string();
        cfg.dbname(&user);
    }
    let pw = match password {
        Some(p) => Some(p.to_string()),
        None => find_password(&cfg)?,
    };
    if let Some(pw) = pw {
        cfg.password(pw);
    }
    cfg.application_name("helpdesk");
    cfg.connect_timeout(Duration::from_secs(10));
    Ok(cfg)
}

/// A session on the server `url` names.
pub(crate) fn connect(url: &str, password: Option<&str>) -> Result<postgres::Client> {
    let cfg = config(url, password)?;
    let failed = |e: postgres::Error| Error::invalid(format!("database {}: {}", shown(url), describe(&e)));
    if cfg.get_ssl_mode() == SslMode::Disable {
        return cfg.connect(postgres::NoTls).map_err(failed);
    }
    let tls = tls_config(&split_tls(url).1).map_err(|why| Error::invalid(format!("database {}: {why}", shown(url))))?;
    cfg.connect(tokio_postgres_rustls::MakeRustlsConnect::new(tls)).map_err(failed)
}

/// What the URL asks of TLS beyond what the driver reads: `sslmode` (libpq's names) and `sslrootcert`.
#[derive(Debug, Default, PartialEq)]
struct Tls {
    mode: Option<String>,
    root_cert: Option<PathBuf>,
}

/// The URL without its `sslmode` and `sslrootcert` parameters, and them.
fn split_tls(url: &str) -> (String, Tls) {
    let Some((base, query)) = url.split_once('?') else { return (url.to_string(), Tls::default()) };
    let mut tls = Tls::default();
    let mut kept = vec![];
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some(("sslmode", v)) => tls.mode = Some(v.to_string()),
            Some(("sslrootcert", v)) => tls.root_cert = Some(PathBuf::from(v)),
            _ => kept.push(pair),
        }
    }
    let rest = if kept.is_empty() { base.to_string() } else { format!("{base}?{}", kept.join("&")) };
    (rest, tls)
}

/// TLS that always verifies the server: its certificate chains to `sslrootcert` (else the system's roots) and names
/// the host connected to. libpq's `require` would accept any certificate; here it means `verify-full`.
fn tls_config(tls: &Tls) -> std::result::Result<rustls::ClientConfig, String> {
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    match &tls.root_cert {
        Some(path) => {
            let pem = std::fs::read(path).map_err(|e| format!("cannot read sslrootcert {}: {e}", path.display()))?;
            for cert in rustls::pki_types::CertificateDer::pem_slice_iter(&pem) {
                let cert = cert.map_err(|e| format!("sslrootcert {}: {e}", path.display()))?;
                roots.add(cert).map_err(|e| format!("sslrootcert {}: {e}", path.display()))?;
            }
        }
        None => {
            for cert in rustls_native_certs::load_native_certs().certs {
                let _ = roots.add(cert);
            }
        }
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// What went wrong, in one line: the server's own message when it sent one (the driver's text is only "db error").
pub fn describe(e: &postgres::Error) -> String {
    let text = match e.as_db_error() {
        Some(d) => format!("{}: {}", d.severity(), d.message()),
        None => {
            let mut s = e.to_string();
            let mut cause = std::error::Error::source(e);
            while let Some(c) = cause {
                s.push_str(": ");
                s.push_str(&c.to_string());
                cause = c.source();
            }
            s
        }
    };
    crate::sanitize::line(&text)
}

/// A database location as it may be shown: a password in a URL is left out.
pub fn shown(location: &str) -> String {
    let redacted = match location.split_once("://") {
        Some((scheme, rest)) if is_url(location) => {
            let end = rest.find('/').unwrap_or(rest.len());
            match rest[..end].rsplit_once('@') {
                Some((user_info, host)) if user_info.contains(':') => {
                    let user = user_info.split(':').next().unwrap_or_default();
                    format!("{scheme}://{user}@{host}{}", &rest[end..])
                }
                _ => location.to_string(),
            }
        }
        _ => location.to_string(),
    };
    crate::sanitize::line(&redacted)
}

/// The password for the session: PGPASSWORD, then the pgpass file, then `database_password_command` (None: the
/// server may not ask for one).
fn find_password(cfg: &postgres::Config) -> Result<Option<String>> {
    if let Ok(pw) = std::env::var("PGPASSWORD") {
        return Ok(Some(pw));
    }
    let file = std::env::var_os("PGPASSFILE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".pgpass")));
    if let Some(pw) = file.and_then(|f| from_pgpass(&f, cfg)) {
        return Ok(Some(pw));
    }
    match PASSWORD_COMMAND.get() {
        Some(cmd) => run_command(cmd).map(Some),
        None => Ok(None),
    }
}

fn run_command(cmd: &str) -> Result<String> {
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| Error::invalid(format!("database_password_command: {e}")))?;
    if !out.status.success() {
        return Err(Error::invalid(format!("database_password_command failed ({})", out.status)));
    }
    let s = String::from_utf8(out.stdout).map_err(|_| Error::invalid("database_password_command printed no text"))?;
    Ok(s.trim_end_matches(['\n', '\r']).to_string())
}

/// The password of the first line of a pgpass file that matches the session (`host:port:db:user:password`, `*`
/// matching anything, `\` escaping `:` and `\`). A file others can read is ignored, as libpq does.
fn from_pgpass(file: &Path, cfg: &postgres::Config) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(file).ok()?;
    if meta.permissions().mode() & 0o077 != 0 {
        tracing::warn!("ignoring {}: it is readable by others (chmod 600 it)", file.display());
        return None;
    }
    let text = std::fs::read_to_string(file).ok()?;
    let host = match cfg.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        _ => "localhost".to_string(),
    };
    let port = cfg.get_ports().first().copied().unwrap_or(5432).to_string();
    let want = [host.as_str(), port.as_str(), cfg.get_dbname().unwrap_or(""), cfg.get_user().unwrap_or("")];
    text.lines().filter(|l| !l.trim_start().starts_with('#')).find_map(|line| {
        let fields = pgpass_fields(line);
        let [h, p, d, u, pw] = <[String; 5]>::try_from(fields).ok()?;
        [h, p, d, u].iter().zip(want).all(|(f, w)| f == "*" || f == w).then_some(pw)
    })
}

fn pgpass_fields(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let (Some(n), Some(last)) = (chars.next(), out.last_mut()) {
                    last.push(n);
                }
            }
            ':' if out.len() < 5 => out.push(String::new()),
            c => {
                if let Some(last) = out.last_mut() {
                    last.push(c);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_in_the_url_is_refused() {
        let e = config("postgres://alice:secret@127.0.0.1:5432/hd", None).unwrap_err().to_string();
        assert!(e.contains("password in the URL is not accepted") && !e.contains("secret"), "{e}");
        assert_eq!(shown("postgres://alice:s@cret@h:5/db?x=1"), "postgres://alice@h:5/db?x=1");
        assert!(config("postgres://alice@127.0.0.1:5432/hd", Some("x")).is_ok());
    }

    #[test]
    fn pgpass_lines_match_with_wildcards_and_escapes() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("pgpass");
        std::fs::write(
            &f,
            "# team\nother:5432:*:*:no\n127.0.0.1:5433:hd:alice:wrong\n127.0.0.1:*:hd:alice:a\\:b\\\\c\n",
        )
        .unwrap();
        let cfg = config("postgres://alice@127.0.0.1:5432/hd", Some("-")).unwrap();
        std::fs::set_permissions(&f, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
        assert_eq!(from_pgpass(&f, &cfg), None, "a file others read is ignored");
        std::fs::set_permissions(&f, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
        assert_eq!(from_pgpass(&f, &cfg).as_deref(), Some("a:b\\c"));
    }

    #[test]
    fn tls_parameters_are_taken_out_of_the_url() {
        let (rest, tls) = split_tls("postgres://a@h:5/db?sslmode=verify-full&application_name=x&sslrootcert=/c.pem");
        assert_eq!(rest, "postgres://a@h:5/db?application_name=x");
        assert_eq!(tls, Tls { mode: Some("verify-full".into()), root_cert: Some("/c.pem".into()) });
        assert_eq!(split_tls("postgres://a@h/db").0, "postgres://a@h/db");
        let cfg = config("postgres://a@h/db?sslmode=require", Some("x")).unwrap();
        assert_eq!(cfg.get_ssl_mode(), SslMode::Require);
        assert_eq!(config("postgres://a@h/db", Some("x")).unwrap().get_ssl_mode(), SslMode::Disable);
        assert!(config("postgres://a@h/db?sslmode=maybe", Some("x")).is_err());
    }
}
