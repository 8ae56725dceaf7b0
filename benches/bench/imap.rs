//! The IMAP rows: sync of generated mail from a local Dovecot, and the SIGKILL soak.

use anyhow::Result;
use helpdesk::Store;
use helpdesk::config::Config;
use helpdesk::mail::worker::sync_once;
use std::path::{Path, PathBuf};

/// Start the project's Dovecot + Postfix harness (tests/mail/servers.sh) under `dir`; returns the CA path.
pub fn start_servers(dir: &Path, ports: &[(&str, u16)]) -> Result<PathBuf> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mail/servers.sh");
    anyhow::ensure!(script.exists(), "{} is missing (bench runs from a clone of the repository)", script.display());
    let mut cmd = std::process::Command::new("bash");
    cmd.arg(&script).arg("start").env("MT_DIR", dir);
    for (k, v) in ports {
        cmd.env(k, v.to_string());
    }
    let o = cmd.output()?;
    anyhow::ensure!(o.status.success(), "mail servers did not start: {}", String::from_utf8_lossy(&o.stderr).trim());
    Ok(dir.join("tls/ca.crt"))
}

pub fn stop_servers(dir: &Path) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mail/servers.sh");
    let _ = std::process::Command::new("bash").arg(script).arg("stop").env("MT_DIR", dir).output();
}

/// IMAP sync of `n` messages from a local Dovecot: messages/s, and with `kills` a SIGKILL soak that must end with
/// every message stored exactly once.
pub fn bench_imap(dir: &Path, n: usize, kills: Option<usize>) -> Result<Vec<(String, String)>> {
    let mt = dir.join("mailservers");
    let ports = [
        ("IMAP_PORT", 13143u16),
        ("SMTP_PORT", 13525),
        ("SUBMISSION_PORT", 13587),
        ("LMTP_PORT", 13424),
        ("SASL_PORT", 13426),
    ];
    let ca = start_servers(&mt, &ports)?;
    let result = (|| -> Result<Vec<(String, String)>> {
        let home = mt.join("mail/example.test/bench");
        let _ = std::fs::remove_dir_all(&home);
        let md = home.join("Maildir");
        helpdesk::demo::maildir::write(&md, n)?;
        let cur = md.join("cur");
        for e in std::fs::read_dir(&cur)? {
            let p = e?.path();
            let name = p.file_name().and_then(|x| x.to_str()).unwrap_or("").trim_end_matches(":2,").to_string();
            std::fs::rename(&p, md.join("new").join(name))?;
        }
        let _ = std::process::Command::new("chown").args(["-R", "mail:mail"]).arg(&home).status();
        let cfg_path = dir.join("bench-config.toml");
        std::fs::write(
            &cfg_path,
            format!(
                "[[mailbox]]\naddress = \"support@example.test\"\n[mailbox.imap]\nhost = \"127.0.0.1\"\nport = 13143\nsecurity = \"starttls\"\nuser = \"bench@example.test\"\npassword_command = \"printf %s benchpw\"\nca_file = \"{}\"\n",
                ca.display()
            ),
        )?;
        let cfg = Config::load(&cfg_path, true)?;
        let db = dir.join("imap.db");
        for f in helpdesk::store::files_of(&db) {
            let _ = std::fs::remove_file(f);
        }
        let mut rows = vec![];
        if let Some(k) = kills {
            rows.push(soak(&db, &cfg_path, n, k)?);
            for f in helpdesk::store::files_of(&db) {
                let _ = std::fs::remove_file(f);
            }
        }
        let mut store = Store::open(&db)?;
        let t0 = std::time::Instant::now();
        let r = sync_once(&mut store, &cfg);
        let secs = t0.elapsed().as_secs_f64();
        anyhow::ensure!(r.errors.is_empty(), "sync: {}", r.errors.join("; "));
        rows.insert(
            0,
            (
                format!("IMAP sync of {} messages from local Dovecot", r.fetched),
                format!("{:.0} msg/s ({secs:.1} s)", r.fetched as f64 / secs),
            ),
        );
        Ok(rows)
    })();
    stop_servers(&mt);
    result
}

/// Kill `helpdesk sync` with SIGKILL `kills` times at random points, then sync cleanly and count.
fn soak(db: &Path, cfg: &Path, n: usize, kills: usize) -> Result<(String, String)> {
    let exe = super::exe();
    let mut seed = 0x9e37_79b9u64;
    for _ in 0..kills {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let mut child = std::process::Command::new(&exe)
            .arg("--db")
            .arg(db)
            .arg("--config")
            .arg(cfg)
            .arg("sync")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()?;
        std::thread::sleep(std::time::Duration::from_millis(30 + seed % 400));
        let _ = child.kill();
        let _ = child.wait();
    }
    let o = std::process::Command::new(&exe).arg("--db").arg(db).arg("--config").arg(cfg).arg("sync").output()?;
    anyhow::ensure!(o.status.success(), "final sync failed: {}", String::from_utf8_lossy(&o.stderr));
    let store = Store::open(db)?;
    let ids = store.read().message_threads()?;
    let distinct: std::collections::HashSet<&String> = ids.iter().map(|(m, _)| m).collect();
    anyhow::ensure!(distinct.len() == ids.len(), "duplicates after the soak");
    Ok((
        format!("sync killed {kills}× with SIGKILL, then resumed"),
        format!("{} of {n} messages, each once", ids.len()),
    ))
}
