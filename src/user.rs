//! What both faces take from the user's environment: directories, the config, who acts, `$EDITOR`, logging.

use anyhow::{Context, Result, anyhow};
use directories::ProjectDirs;
use std::io::Write;
use std::path::{Path, PathBuf};

pub fn dirs() -> Result<ProjectDirs> {
    ProjectDirs::from("", "", "helpdesk").ok_or_else(|| anyhow!("no home directory: pass --db PATH"))
}

/// The config file in use: `--config`, else the default location.
pub fn config_path(path: &Option<PathBuf>) -> Result<PathBuf> {
    match path {
        Some(p) => Ok(p.clone()),
        None => Ok(dirs()?.config_dir().join("config.toml")),
    }
}

/// The config: `--config` must exist; the default location may be absent.
/// Warnings about the file (a password source readable by others) go to stderr.
pub fn config(path: &Option<PathBuf>) -> Result<helpdesk::config::Config> {
    let c = helpdesk::config::Config::load(&config_path(path)?, path.is_some())?;
    for w in &c.warnings {
        eprintln!("{}", helpdesk::sanitize::line(w));
    }
    Ok(c)
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

/// An error chain as one line; a cause whose text is already said (SQLite's message wrapped twice) is left out.
pub fn one_line(e: &anyhow::Error) -> String {
    let mut parts: Vec<String> = vec![];
    for c in e.chain().map(|c| c.to_string()) {
        if !parts.iter().any(|p| p.contains(c.as_str())) {
            parts.push(c);
        }
    }
    helpdesk::sanitize::line(&parts.join(": "))
}

/// Who acts: `HELPDESK_USER`, else `[me] login` from the config, else the login name, else `fallback` (both faces
/// pass "me", so the TUI and the CLI act as the same member).
pub fn me(cfg_user: Option<&str>, fallback: &str) -> String {
    std::env::var("HELPDESK_USER")
        .ok()
        .filter(|u| !u.trim().is_empty())
        .or_else(|| cfg_user.map(String::from))
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_else(|| fallback.into())
}

/// Write text in `$VISUAL`/`$EDITOR` (as git does); lines starting with `#` are dropped.
pub fn editor(initial: &str) -> Result<String> {
    edit_with(&editor_command(), initial, true)
}

/// Edit Markdown in `$VISUAL`/`$EDITOR`: every line is kept (a `#` starts a heading there, not a comment).
pub fn edit_markdown(initial: &str) -> Result<String> {
    edit_with(&editor_command(), initial, false)
}

fn editor_command() -> String {
    std::env::var("VISUAL").or_else(|_| std::env::var("EDITOR")).unwrap_or_else(|_| "vi".into())
}

/// Show text in `$PAGER` (`less -R` when unset), fed on its standard input.
pub fn pager(text: &str) -> Result<()> {
    let pager = std::env::var("PAGER").ok().filter(|p| !p.trim().is_empty()).unwrap_or_else(|| "less".into());
    let mut child = std::process::Command::new("sh")
        .arg("-c")
        .arg(&pager)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot run {pager}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        // A pager quit before reading everything closes the pipe: not an error.
        let _ = stdin.write_all(text.as_bytes());
    }
    child.wait()?;
    Ok(())
}

/// Hand a file to `$OPENER` (else `xdg-open`), detached from the terminal; helpdesk never runs the file itself.
pub fn open_file(path: &std::path::Path) -> Result<()> {
    let opener = std::env::var("OPENER").ok().filter(|p| !p.trim().is_empty()).unwrap_or_else(|| "xdg-open".into());
    let program = opener.split_whitespace().next().unwrap_or_default();
    let found = program.contains('/')
        || std::env::var_os("PATH").is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()));
    if !found {
        anyhow::bail!("nothing to open it with ({program} not found; set $OPENER); the file is at {}", path.display());
    }
    std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{opener} \"$1\""))
        .arg("sh")
        .arg(path)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .with_context(|| format!("cannot run {opener}"))?;
    Ok(())
}

/// [`editor`] with the editor command given. The buffer is a fresh 0600 temp file with an unpredictable name
/// (`tempfile`), removed afterwards.
fn edit_with(editor: &str, initial: &str, comments: bool) -> Result<String> {
    let suffix = if comments { ".txt" } else { ".md" };
    let mut file = tempfile::Builder::new().prefix("helpdesk-").suffix(suffix).tempfile().context("editor buffer")?;
    if comments {
        write!(file, "{initial}\n# Write above. Lines starting with # are removed; an empty text sends nothing.\n")?;
    } else {
        write!(file, "{initial}")?;
    }
    file.flush()?;
    let path = file.path().to_path_buf();
    let status =
        std::process::Command::new("sh").arg("-c").arg(format!("{editor} \"$1\"")).arg("sh").arg(&path).status()?;
    // Editors may replace the file instead of writing into it: read it back by name.
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    drop(file);
    let _ = std::fs::remove_file(&path);
    if !status.success() {
        anyhow::bail!("{editor} exited with {status}");
    }
    Ok(text.lines().filter(|l| !comments || !l.starts_with('#')).collect::<Vec<_>>().join("\n").trim().to_string())
}

/// A path as typed: `~/x` is under the home directory.
pub fn expand_home(typed: &str) -> PathBuf {
    match (typed.strip_prefix("~/"), directories::BaseDirs::new()) {
        (Some(rest), Some(b)) => b.home_dir().join(rest),
        _ => PathBuf::from(typed),
    }
}

/// Say so before a database opens that has no search index beside it yet (one made before the index had a file of
/// its own): the store builds it first, which takes a while for a large help desk.
pub fn announce_index(db: &Path) {
    if db.is_file() && !helpdesk::store::search_index_path(db).exists() {
        eprintln!(
            "building the search index {} (once; about 15 s per million messages)",
            helpdesk::store::search_index_path(db).display()
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn editor_buffer_is_private_unpredictable_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let seen = dir.path().join("seen");
        let editor = format!("f() {{ stat -c '%a %n' \"$1\" > {}; echo world >> \"$1\"; }}; f", seen.display());
        assert_eq!(super::edit_with(&editor, "hello", true).unwrap(), "hello\nworld");
        assert_eq!(super::edit_with("true", "## Steps\n1. Call us", false).unwrap(), "## Steps\n1. Call us");
        let s = std::fs::read_to_string(&seen).unwrap();
        let (mode, path) = s.trim().split_once(' ').unwrap();
        assert_eq!(mode, "600");
        assert!(!path.ends_with(&format!("helpdesk-{}.txt", std::process::id())), "{path}");
        assert!(!std::path::Path::new(path).exists(), "buffer left behind: {path}");
    }
}
