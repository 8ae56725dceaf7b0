//! Setting up a mailbox: `config init` (asks, tries the servers, writes a 0600 config), `config check`, and
//! `auth login` (the OAuth2 device flow).

use super::args::{AuthCmd, InitArgs};
use anyhow::{Context, Result, bail};
use helpdesk::config::{Auth, Config, PROVIDERS};
use helpdesk::mail::net::{imap_login, smtp, smtp_error};
use helpdesk::sanitize::line;
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

/// Answers to the questions `config init` asks, from stdin (a terminal or a pipe); an empty line takes the default.
struct Asker {
    lines: std::io::Lines<std::io::StdinLock<'static>>,
    tty: bool,
}

impl Asker {
    fn ask(&mut self, question: &str, default: &str) -> Result<String> {
        if self.tty {
            let shown = if default.is_empty() { String::new() } else { format!(" [{default}]") };
            eprint!("{question}{shown}: ");
            std::io::stderr().flush()?;
        }
        let answer = self.lines.next().transpose()?.unwrap_or_default();
        let answer = answer.trim();
        Ok(if answer.is_empty() { default.to_string() } else { answer.to_string() })
    }

    fn or_ask(&mut self, given: &Option<String>, question: &str, default: &str) -> Result<String> {
        match given {
            Some(v) => Ok(v.clone()),
            None => self.ask(question, default),
        }
    }
}

fn quote(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// `helpdesk config init`.
pub fn init(path: &Path, a: InitArgs) -> Result<ExitCode> {
    if path.exists() && !a.force {
        bail!("{} exists; `helpdesk config check` tries it, --force replaces it", path.display());
    }
    let stdin = std::io::stdin();
    let mut q = Asker { tty: stdin.is_terminal(), lines: stdin.lock().lines() };
    let address = q.or_ask(&a.address, "Support address", "")?;
    if !helpdesk::domain::valid_email(&address) {
        bail!("'{address}' is not an email address");
    }
    let name = q.or_ask(&a.name, "Mailbox name customers see", "Support")?;
    let provider = q.or_ask(&a.provider, &format!("Provider ({} or none)", PROVIDERS.join(", ")), "none")?;
    let provider = (provider != "none").then_some(provider);
    let mut toml = String::from("# Written by `helpdesk config init`; README \"Mail\" lists every key.\n");
    let login = q.or_ask(&a.login, "Your member login", &crate::user::me(None, ""))?;
    let my_name = q.or_ask(&a.my_name, "Your name as customers read it", "")?;
    toml.push_str("[me]\n");
    if !login.is_empty() {
        toml.push_str(&format!("login = {}\n", quote(&login)));
    }
    if !my_name.is_empty() {
        toml.push_str(&format!("name = {}\n", quote(&my_name)));
    }
    let mode = q.or_ask(&a.mode, "Mail becomes conversations or tickets", "conversations")?;
    toml.push_str(&format!(
        "\n[[mailbox]]\naddress = {}\nname = {}\nmode = {}\n",
        quote(&address),
        quote(&name),
        quote(&mode)
    ));
    if let Some(p) = &provider {
        toml.push_str(&format!("provider = {}\n", quote(p)));
    }
    let default_auth = if matches!(provider.as_deref(), Some("gmail" | "outlook")) { "oauth2" } else { "password" };
    let auth = q.or_ask(&a.auth, "Sign-in: password or oauth2", default_auth)?;
    let secret = match auth.as_str() {
        "password" => format!(
            "password_command = {}\n",
            quote(&q.or_ask(&a.password_command, "Command that prints the password", "")?)
        ),
        "oauth2" => match (&a.token_command, &a.client_id) {
            (Some(t), _) => format!("auth = \"oauth2\"\ntoken_command = {}\n", quote(t)),
            (None, Some(_)) => "auth = \"oauth2\"\n".to_string(),
            (None, None) => {
                let t = q.ask("Command that prints an access token (empty: the built-in flow)", "")?;
                if t.is_empty() {
                    "auth = \"oauth2\"\n".to_string()
                } else {
                    format!("auth = \"oauth2\"\ntoken_command = {}\n", quote(&t))
                }
            }
        },
        other => bail!("sign-in '{other}': use password or oauth2"),
    };
    let user = a.user.clone().unwrap_or(address.clone());
    for (table, host, port, default_port) in
        [("imap", &a.imap_host, a.imap_port, 993u16), ("smtp", &a.smtp_host, a.smtp_port, 465u16)]
    {
        toml.push_str(&format!("[mailbox.{table}]\n"));
        if provider.is_none() {
            let h = q.or_ask(host, &format!("{} host", table.to_uppercase()), "")?;
            let p = match port {
                Some(p) => p,
                None => q.ask(&format!("{} port", table.to_uppercase()), &default_port.to_string())?.parse()?,
            };
            let sec = q.or_ask(&a.security, "Security: tls, starttls or plain", "tls")?;
            toml.push_str(&format!("host = {}\nport = {p}\nsecurity = {}\n", quote(&h), quote(&sec)));
        }
        toml.push_str(&format!("user = {}\n{secret}", quote(&user)));
        if let Some(ca) = &a.ca_file {
            toml.push_str(&format!("ca_file = {}\n", quote(ca)));
        }
    }
    if auth == "oauth2" && a.token_command.is_none() {
        let client = q.or_ask(&a.client_id, "OAuth2 client id", "")?;
        toml.push_str(&format!("[mailbox.oauth2]\nclient_id = {}\n", quote(&client)));
    }
    // The file must read back as a config before it is written.
    let parsed: Config = toml::from_str(&toml).context("the answers do not make a valid config")?;
    drop(parsed);
    write_private(path, &toml)?;
    println!("wrote {} (mode 0600)", path.display());
    if a.no_check {
        return Ok(ExitCode::SUCCESS);
    }
    let cfg = Config::load(path, true)?;
    if cfg.mailbox.iter().any(|m| {
        [&m.imap, &m.smtp].into_iter().flatten().any(|s| s.auth == Some(Auth::Oauth2) && s.token_command.is_none())
    }) {
        println!("next: `helpdesk auth login {address}` signs the mailbox in; then `helpdesk config check`");
        return Ok(ExitCode::SUCCESS);
    }
    check_servers(&cfg)
}

fn write_private(path: &Path, text: &str) -> Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    f.write_all(text.as_bytes())?;
    Ok(())
}

/// `helpdesk config check`: the file reads, and every IMAP and SMTP server takes the sign-in.
pub fn check(path: &Path) -> Result<ExitCode> {
    if !path.exists() {
        bail!(
            "no config file at {}: `helpdesk config init` makes one (it asks for the address, the provider or hosts, \
             and the sign-in, then tries them)",
            path.display()
        );
    }
    let cfg = Config::load(path, true)?;
    for w in &cfg.warnings {
        eprintln!("{}", helpdesk::sanitize::line(w));
    }
    println!("{}: valid", path.display());
    if cfg.mailbox.is_empty() {
        println!("no [[mailbox]]: mail is only imported from files");
    }
    check_servers(&cfg)
}

fn check_servers(cfg: &Config) -> Result<ExitCode> {
    let mut ok = true;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    for m in &cfg.mailbox {
        if let Some(i) = &m.imap {
            let r = rt.block_on(async {
                let mut s = imap_login(i).await?;
                for f in &i.folders {
                    helpdesk::mail::net::step(i, "EXAMINE", async {
                        s.examine(f).await.map_err(|e| helpdesk::mail::net::NetError::Folder(format!("{f}: {e}")))
                    })
                    .await?;
                }
                let _ = tokio::time::timeout(helpdesk::mail::net::deadline(i), s.logout()).await;
                Ok::<(), helpdesk::mail::net::NetError>(())
            });
            report(
                &mut ok,
                &format!("{} IMAP {}:{} ({})", m.address, i.host, i.port, i.security),
                r.map_err(|e| e.to_string()),
            );
        }
        if let Some(s) = &m.smtp {
            let r = smtp(s).map_err(|e| e.to_string()).and_then(|t| match t.test_connection() {
                Ok(true) => Ok(()),
                Ok(false) => Err("the server did not answer".to_string()),
                Err(e) => Err(smtp_error(s, &e).to_string()),
            });
            report(&mut ok, &format!("{} SMTP {}:{} ({})", m.address, s.host, s.port, s.security), r);
        }
    }
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn report(ok: &mut bool, what: &str, r: Result<(), String>) {
    match r {
        Ok(()) => println!("ok     {what}"),
        Err(e) => {
            *ok = false;
            println!("FAILED {what}: {}", line(&e));
        }
    }
}

/// `helpdesk auth login MAILBOX`.
pub fn auth(cfg: &Config, c: AuthCmd) -> Result<ExitCode> {
    let AuthCmd::Login { mailbox } = c;
    let m = cfg
        .mailbox
        .iter()
        .find(|m| m.address.eq_ignore_ascii_case(&mailbox))
        .with_context(|| format!("no [[mailbox]] with address {mailbox} in the config"))?;
    let o = m.oauth2.as_ref().with_context(|| format!("mailbox {mailbox} has no [mailbox.oauth2] table"))?;
    let user = m.imap.as_ref().or(m.smtp.as_ref()).map(|s| s.user.clone()).unwrap_or(m.address.clone());
    let path = helpdesk::mail::oauth::device_login(o, &user, &mut |msg| println!("{msg}"))?;
    println!("signed in: the refresh token is in {} (mode 0600)", path.display());
    Ok(ExitCode::SUCCESS)
}
