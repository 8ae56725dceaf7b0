//! Shared helpers of the faces: directories, logging, the acting user, error lines.

use anyhow::{Result, anyhow};
use directories::ProjectDirs;

pub fn dirs() -> Result<ProjectDirs> {
    ProjectDirs::from("", "", "helpdesk").ok_or_else(|| anyhow!("no home directory: pass --db PATH"))
}

/// Log to a daily file in the XDG state (or data) dir; never to the terminal.
pub fn init_logging() -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let d = dirs().ok()?;
    let dir = d.state_dir().unwrap_or_else(|| d.data_local_dir()).join("logs");
    std::fs::create_dir_all(&dir).ok()?;
    let (w, guard) = tracing_appender::non_blocking(tracing_appender::rolling::daily(dir, "helpdesk.log"));
    let filter = tracing_subscriber::EnvFilter::try_from_env("HELPDESK_LOG").unwrap_or_else(|_| "info".into());
    tracing_subscriber::fmt().with_writer(w).with_ansi(false).with_env_filter(filter).try_init().ok()?;
    Some(guard)
}

/// Who acts: `HELPDESK_USER`, else the login name, else "cli".
pub fn me() -> String {
    std::env::var("HELPDESK_USER").or_else(|_| std::env::var("USER")).unwrap_or_else(|_| "cli".into())
}

/// An error chain as one line.
pub fn one_line(e: &anyhow::Error) -> String {
    let parts: Vec<String> = e.chain().map(|c| c.to_string()).collect();
    helpdesk::sanitize::line(&parts.join(": "))
}

/// Write text in `$VISUAL`/`$EDITOR` (as git does); lines starting with `#` are dropped.
pub fn editor(initial: &str) -> Result<String> {
    let editor = std::env::var("VISUAL").or_else(|_| std::env::var("EDITOR")).unwrap_or_else(|_| "vi".into());
    let path = std::env::temp_dir().join(format!("helpdesk-{}.txt", std::process::id()));
    std::fs::write(
        &path,
        format!("{initial}\n# Write above. Lines starting with # are removed; an empty text sends nothing.\n"),
    )?;
    let status =
        std::process::Command::new("sh").arg("-c").arg(format!("{editor} \"$1\"")).arg("sh").arg(&path).status()?;
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let _ = std::fs::remove_file(&path);
    if !status.success() {
        anyhow::bail!("{editor} exited with {status}");
    }
    Ok(text.lines().filter(|l| !l.starts_with('#')).collect::<Vec<_>>().join("\n").trim().to_string())
}
