//! The team row: 20 members, each on a PostgreSQL session of their own, work one queue (stage moves, assigns,
//! notes, replies) while customer mail arrives over IMAP and three mail workers run; afterwards every acknowledged
//! write must be found, every history must be a chain and every reply must have reached the customer once.

mod check;
mod member;

use super::pg::{PASSWORD, Pg, free_port};
use super::{Bench, imap};
use anyhow::{Context, Result};
use helpdesk::Store;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const MEMBERS: usize = 20;
const WORKERS: usize = 3;

pub(super) fn rows(b: &mut Bench, dir: &Path, seconds: u64) -> Result<()> {
    let pg = Pg::start()?;
    let url = pg.fresh("team")?;
    // Under /tmp: Postfix and Dovecot run as their own users, who cannot reach a root-owned home directory.
    let mt = std::env::temp_dir().join(format!("helpdesk-bench-mail-{}", std::process::id()));
    std::fs::create_dir_all(&mt)?;
    std::fs::set_permissions(&mt, std::os::unix::fs::PermissionsExt::from_mode(0o755))?;
    let ports = ["IMAP_PORT", "SMTP_PORT", "SUBMISSION_PORT", "LMTP_PORT", "SASL_PORT"]
        .into_iter()
        .map(|k| Ok((k, free_port()?)))
        .collect::<Result<Vec<_>>>()?;
    let port = |k: &str| ports.iter().find(|p| p.0 == k).map(|p| p.1).unwrap_or_default();
    let ca = imap::start_servers(&mt, &ports)?;
    let result = (|| {
        let cfg_path = write_config(dir, port("IMAP_PORT"), port("SUBMISSION_PORT"), &ca)?;
        let cfg = helpdesk::config::Config::load(&cfg_path, true)?;
        run(b, &url, &cfg_path, &cfg, port("SMTP_PORT"), &ca, seconds)
    })();
    imap::stop_servers(&mt);
    let _ = std::fs::remove_dir_all(&mt);
    result
}

fn write_config(dir: &Path, imap: u16, submission: u16, ca: &Path) -> Result<std::path::PathBuf> {
    let p = dir.join("team-config.toml");
    let server = |port: u16| {
        format!(
            "host = \"127.0.0.1\"\nport = {port}\nsecurity = \"starttls\"\nuser = \"support@example.test\"\n\
             password_command = \"printf %s supportpw\"\nca_file = \"{}\"\n",
            ca.display()
        )
    };
    std::fs::write(
        &p,
        format!(
            "[[mailbox]]\naddress = \"support@example.test\"\nname = \"Example Support\"\nmode = \"conversations\"\n\
             [mailbox.imap]\n{}[mailbox.smtp]\n{}",
            server(imap),
            server(submission)
        ),
    )?;
    std::fs::set_permissions(&p, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    Ok(p)
}

fn run(
    b: &mut Bench,
    url: &str,
    cfg_path: &Path,
    cfg: &helpdesk::config::Config,
    smtp: u16,
    ca: &Path,
    seconds: u64,
) -> Result<()> {
    let mut seed = Store::open_postgres(url, Some(PASSWORD))?;
    helpdesk::demo::generate(&mut seed, 1000, &mut |_, _| {})?;
    let logins: Vec<String> = seed.read().members()?.into_iter().map(|m| m.login).collect();
    let before = check::owners(&seed)?;
    let start = helpdesk::now();
    let workers: Vec<std::process::Child> = (0..WORKERS)
        .map(|i| {
            std::process::Command::new(super::exe())
                .arg("--db")
                .arg(url)
                .arg("--config")
                .arg(cfg_path)
                .args(["sync", "--watch"])
                .env("PGPASSWORD", PASSWORD)
                .env("HELPDESK_USER", format!("worker{i}"))
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .context("a mail worker")
        })
        .collect::<Result<_>>()?;
    let stop = Arc::new(AtomicBool::new(false));
    let arrived = Arc::new(AtomicUsize::new(0));
    let mail = {
        let (stop, arrived) = (stop.clone(), arrived.clone());
        std::thread::spawn(move || customer_mail(smtp, &stop, &arrived))
    };
    let t0 = Instant::now();
    let members: Vec<_> = (0..MEMBERS)
        .map(|k| {
            let (url, cfg, logins, stop) = (url.to_string(), cfg.clone(), logins.clone(), stop.clone());
            std::thread::spawn(move || member::work(k, &url, &cfg, &logins, &stop))
        })
        .collect();
    std::thread::sleep(Duration::from_secs(seconds));
    stop.store(true, Ordering::SeqCst);
    let mut all = member::Tally::default();
    for m in members {
        all.merge(m.join().map_err(|_| anyhow::anyhow!("a member panicked"))??);
    }
    let worked = t0.elapsed();
    let _ = mail.join();
    // The workers send what is still queued.
    let until = Instant::now() + Duration::from_secs(180);
    while seed.read().outbox_pending()? > 0 && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(200));
    }
    let received = check::received(smtp_inbox(ca, cfg)?, all.replies.len())?;
    for mut w in workers {
        let _ = w.kill();
        let _ = w.wait();
    }
    let found = check::found(&seed, &all, &before, start)?;
    let ops = all.list.len() + all.open.len() + all.moves.len() + all.assigns.len() + all.notes + all.replies.len();
    b.row(
        &format!("team: {MEMBERS} members × {:.0} s on PostgreSQL, {WORKERS} mail workers", worked.as_secs_f64()),
        format!(
            "{ops} operations: {} moves ({} refused: stale), {} assigns, {} notes, {} replies; {} mails in",
            all.moves.len(),
            all.refused,
            all.assigns.len(),
            all.notes,
            all.replies.len(),
            arrived.load(Ordering::SeqCst)
        ),
        "",
        None,
    );
    if !all.errors.is_empty() {
        b.row("team: errors", format!("{}: {}", all.errors.len(), all.errors[0]), "0", Some(false));
    }
    let [moves, notes, assigns] = found.lost;
    let lost = moves + notes + assigns;
    let what = format!("{lost} (moves {moves}, notes {notes}, assigns {assigns})");
    b.row("team: lost updates", what, "0", Some(lost == 0));
    b.row("team: broken history chains", found.broken.to_string(), "0", Some(found.broken == 0));
    let (double, missing) = duplicates(&received, &all.replies);
    b.row("team: double / missing replies", format!("{double} / {missing}"), "0 / 0", Some(double + missing == 0));
    b.latency("team: list page (50 tickets)", &mut all.list, None);
    b.latency("team: item open (item and its messages)", &mut all.open, None);
    b.latency("team: stage move", &mut all.moves, None);
    Ok(())
}

/// Replies received more than once, and replies never received.
fn duplicates(received: &std::collections::HashMap<String, usize>, queued: &[String]) -> (usize, usize) {
    let double = received.values().map(|n| n.saturating_sub(1)).sum();
    let missing = queued.iter().filter(|id| !received.contains_key(*id)).count();
    (double, missing)
}

/// Customer mail arriving through Postfix, a message every 300 ms (each a new conversation, `benchq` in its title).
fn customer_mail(smtp: u16, stop: &AtomicBool, arrived: &AtomicUsize) {
    use lettre::Transport;
    let t = lettre::SmtpTransport::builder_dangerous("127.0.0.1").port(smtp).build();
    let mut n = 0;
    while !stop.load(Ordering::SeqCst) {
        n += 1;
        let raw = format!(
            "From: Carol <customer@example.org>\r\nTo: support@example.test\r\nSubject: benchq {n} card question\r\n\
             Message-ID: <benchq-{n}-{}@example.org>\r\nDate: {}\r\n\r\nMy card does not work ({n}).\r\n",
            std::process::id(),
            chrono::Utc::now().to_rfc2822()
        );
        let env = lettre::address::Envelope::new(
            "customer@example.org".parse().ok(),
            "support@example.test".parse().into_iter().collect(),
        );
        if let Ok(env) = env
            && t.send_raw(&env, raw.as_bytes()).is_ok()
        {
            arrived.fetch_add(1, Ordering::SeqCst);
        }
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// The customer's mailbox, to count the replies in.
fn smtp_inbox(ca: &Path, cfg: &helpdesk::config::Config) -> Result<helpdesk::config::Server> {
    let imap = cfg.mailbox.first().and_then(|m| m.imap.clone()).context("the config's IMAP server")?;
    Ok(helpdesk::config::Server {
        user: "customer@example.org".into(),
        password_command: Some("printf %s customerpw".into()),
        ca_file: Some(ca.display().to_string()),
        ..imap
    })
}
