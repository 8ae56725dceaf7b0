//! Reading a thread: message to message, folded quotes, headers, find in the view, `$PAGER`, attachments.

use super::app::{App, Detail, Modal, PromptPurpose, Target};
use anyhow::{Context, Result, bail};
use tui_input::Input;

fn view(app: &mut App) -> Result<&mut Detail> {
    app.detail.last_mut().context("open an item first")
}

/// Put the cursor on the next (or previous) message's first line.
pub fn message(app: &mut App, forward: bool) -> Result<()> {
    let d = view(app)?;
    if d.messages.is_empty() {
        bail!("no messages in this view");
    }
    let at = d.scroll;
    let to = if forward {
        d.messages.iter().map(|m| m.0).find(|l| *l > at)
    } else {
        d.messages.iter().map(|m| m.0).rev().find(|l| *l < at)
    };
    match to {
        Some(l) => {
            d.scroll = l;
            d.anchor = Some(l);
        }
        None if forward => bail!("this is the last message"),
        None => bail!("this is the first message"),
    }
    Ok(())
}

/// Rebuild the view with other options, keeping the cursor on the message it was in.
fn rebuild(app: &mut App, change: impl FnOnce(&mut super::app::ViewOpts)) -> Result<()> {
    let d = view(app)?;
    let msg = d.messages.iter().rev().find(|m| m.0 <= d.scroll).map(|m| m.1);
    change(&mut d.opts);
    app.rebuild_detail()?;
    let d = view(app)?;
    if let Some(line) = msg.and_then(|id| d.messages.iter().find(|m| m.1 == id)).map(|m| m.0) {
        d.scroll = line;
        d.anchor = Some(line);
    }
    Ok(())
}

pub fn toggle_quotes(app: &mut App) -> Result<()> {
    rebuild(app, |o| o.fold = !o.fold)?;
    let fold = view(app)?.opts.fold;
    app.toast(if fold { "quotes and signatures folded" } else { "quotes and signatures shown (dimmed)" });
    Ok(())
}

pub fn toggle_headers(app: &mut App) -> Result<()> {
    rebuild(app, |o| o.headers = !o.headers)
}

pub fn find_prompt(app: &mut App) -> Result<()> {
    let last = view(app)?.find.clone().unwrap_or_default();
    app.modal = Some(Modal::Prompt {
        title: "Find in this view (n next · N previous)".into(),
        input: Input::new(last),
        purpose: PromptPurpose::Find,
        similar: vec![],
        pick: None,
    });
    Ok(())
}

pub fn find(app: &mut App, text: &str) -> Result<()> {
    let d = view(app)?;
    d.find = Some(text.to_string()).filter(|t| !t.is_empty());
    if d.find.is_none() {
        return Ok(());
    }
    d.scroll = d.scroll.saturating_sub(1);
    find_next(app, true)
}

fn line_text(l: &ratatui::text::Line<'_>) -> String {
    l.spans.iter().map(|s| s.content.as_ref()).collect::<String>().to_lowercase()
}

/// The next (or previous) line with the found text, wrapping around the view.
pub fn find_next(app: &mut App, forward: bool) -> Result<()> {
    let d = view(app)?;
    let Some(what) = d.find.clone().map(|f| f.to_lowercase()) else { bail!("nothing to find: / first") };
    let n = d.lines.len();
    let hit = (1..=n)
        .map(|k| if forward { (d.scroll + k) % n } else { (d.scroll + n * 2 - k) % n })
        .find(|i| line_text(&d.lines[*i]).contains(&what));
    match hit {
        Some(i) => {
            d.scroll = i;
            Ok(())
        }
        None => bail!("'{what}' is not in this view"),
    }
}

/// The message under the cursor (or the whole thread of the tab shown) in `$PAGER`.
pub fn pager(app: &mut App, thread: bool) -> Result<()> {
    let d = view(app)?;
    let Target::Item(r) = d.target else { bail!("open a conversation or ticket first") };
    let ids: Vec<i64> = if thread {
        d.messages.iter().map(|m| m.1).collect()
    } else {
        d.messages.iter().rev().find(|m| m.0 <= d.scroll).or(d.messages.first()).map(|m| m.1).into_iter().collect()
    };
    if ids.is_empty() {
        bail!("no messages in this view");
    }
    let row = app.store.read().item_row(r)?;
    let all = app.store.read().messages(row, None)?;
    let text: Vec<String> = all.iter().filter(|m| ids.contains(&m.id)).map(super::detail::plain).collect();
    app.pager = Some(text.join(&format!("\n{}\n\n", "─".repeat(72))));
    Ok(())
}

/// The attachment on the cursor's line, else the first of the message the cursor is in.
fn attachment_here(app: &mut App) -> Result<(i64, String)> {
    let d = view(app)?;
    if let Some((_, m, n)) = d.attachments.iter().find(|a| a.0 == d.scroll) {
        return Ok((*m, n.clone()));
    }
    let msg = d.messages.iter().rev().find(|m| m.0 <= d.scroll).map(|m| m.1);
    d.attachments
        .iter()
        .find(|a| Some(a.1) == msg)
        .map(|a| (a.1, a.2.clone()))
        .context("move the cursor onto an attachment (📎) line")
}

fn data(app: &App, msg: i64, name: &str) -> Result<Vec<u8>> {
    let r = app.store.read();
    let a = r.attachments(msg)?.into_iter().find(|a| a.name == name).context("the attachment is gone")?;
    r.attachment_data(&a.sha256)?.with_context(|| format!("attachment {name} has no stored data"))
}

/// Write `bytes` under the sanitised `name` into `dir`, never over an existing file (`2-name`, `3-name`, …).
fn write_into(dir: &std::path::Path, name: &str, bytes: &[u8]) -> Result<std::path::PathBuf> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let name = helpdesk::mail::parse::sanitise_filename(name);
    let mut path = dir.join(&name);
    let mut n = 1;
    while path.exists() {
        n += 1;
        path = dir.join(format!("{n}-{name}"));
    }
    std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path)
}

/// Open with `$OPENER`/`xdg-open`: the file is written to a private temporary directory first.
pub fn open_attachment(app: &mut App) -> Result<()> {
    let (msg, name) = attachment_here(app)?;
    let bytes = data(app, msg, &name)?;
    // A fresh directory only this user can enter (0700, unpredictable name), kept for the opener to read.
    let dir = tempfile::Builder::new().prefix("helpdesk-attachments-").tempdir()?.keep();
    let path = write_into(&dir, &name, &bytes)?;
    crate::user::open_file(&path)?;
    app.toast(format!("opened {}", path.display()));
    Ok(())
}

pub fn save_prompt(app: &mut App) -> Result<()> {
    let (msg, name) = attachment_here(app)?;
    let dir = directories::UserDirs::new()
        .and_then(|u| u.download_dir().map(|p| p.to_path_buf()))
        .filter(|p| p.is_dir())
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_default();
    app.modal = Some(Modal::Prompt {
        title: format!("Save {} into directory", helpdesk::sanitize::line(&name)),
        input: Input::new(dir.display().to_string()),
        purpose: PromptPurpose::SaveAttachment(msg, name),
        similar: vec![],
        pick: None,
    });
    Ok(())
}

pub fn save(app: &mut App, msg: i64, name: &str, dir: &str) -> Result<()> {
    if dir.is_empty() {
        bail!("not saved: a directory is needed");
    }
    let bytes = data(app, msg, name)?;
    let path = write_into(std::path::Path::new(dir), name, &bytes)?;
    app.toast(format!("saved {}", path.display()));
    Ok(())
}
