//! Terminal UI: one event channel (keys, mouse, ticks, mail), `update` mutates the state, one pure `draw`.

pub mod action;
pub mod app;
mod compose;
mod detail;
mod items;
pub mod jobs;
pub mod keymap;
pub mod list;
mod modal;
mod nav;
mod presence;
mod reading;
mod records;
mod similar;
mod team;
mod theme;
mod triage;
pub mod ui;
mod undo;
pub mod update;
mod views;

use anyhow::{Context, Result};
use app::{App, Pane};
use ratatui::crossterm::event::{self, DisableMouseCapture, EnableMouseCapture, Event as CEvent, KeyEvent, MouseEvent};
use ratatui::crossterm::execute;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

/// Everything the loop reacts to.
pub enum Event {
    /// A key and when the input thread read it (the frame log times keys from there).
    Key(KeyEvent, std::time::Instant),
    Mouse(MouseEvent),
    Resize(u16, u16),
    Tick,
    Mail(helpdesk::mail::worker::Notice),
    Stats(std::result::Result<helpdesk::stats::Stats, String>),
    Count {
        list: usize,
        seq: u64,
        total: std::result::Result<usize, String>,
        /// The first rows of the full match, when the list shows a quick one.
        rows: Option<Vec<helpdesk::store::ItemRow>>,
    },
    Similar {
        seq: u64,
        found: std::result::Result<Vec<helpdesk::similar::Suggestion>, String>,
    },
    /// The blended list for the create form whose keystroke `seq` asked for it.
    Blend {
        seq: u64,
        found: std::result::Result<Vec<helpdesk::similar::Suggestion>, String>,
    },
    /// The check of a database not closed cleanly: a damaged one refuses writes.
    Health(std::result::Result<(), String>),
    /// Another member's change was announced (PostgreSQL): re-read what is shown.
    Changed,
    /// Who else is on which item now.
    Presence(Vec<helpdesk::store::Presence>),
}

/// Whoever runs the TUI is a member of the help desk from the first start: assignment, notifications and unread
/// marks are per member (`is:unread` answered "not a member" until someone ran `member new`).
/// The fallback login "me" (no `HELPDESK_USER`, `[me] login` or `$USER`) joins too: it is who the TUI acts as.
pub(crate) fn join_as_member(store: &mut helpdesk::Store, cfg: &helpdesk::config::Config) {
    join_as(store, cfg, &crate::user::me(cfg.me_login(), "me"));
}

pub(crate) fn join_as(store: &mut helpdesk::Store, cfg: &helpdesk::config::Config, me: &str) {
    if store.read().member_row(me).is_ok() {
        return;
    }
    let name = cfg.me.name.clone().filter(|_| cfg.me_login() == Some(me)).unwrap_or_else(|| me.to_string());
    if let Err(e) = store.write(|w| w.add_member(me, &name, None)) {
        tracing::warn!("adding member {me}: {e}");
    }
}

/// Build the app on a store: config keys, snippets, user and first pane loaded.
pub fn new_app(store: helpdesk::Store, cfg: &helpdesk::config::Config, size: (u16, u16)) -> Result<App> {
    let keymap = keymap::Keymap::new(&cfg.keys).map_err(|e| anyhow::anyhow!(e))?;
    let user = crate::user::me(cfg.me_login(), "me");
    let mut app = App::new(store, user, keymap, cfg.snippets.clone(), size);
    app.cfg = cfg.clone();
    app.reopen_days = cfg.reopen_days;
    app.switch(Pane::Inbox)?;
    team::count(&mut app);
    Ok(app)
}

pub fn run(db: &Path, config: Option<&Path>) -> Result<()> {
    let cfg = crate::user::config(&config.map(Path::to_path_buf))?;
    crate::user::announce_index(db);
    let (mut store, check) = helpdesk::Store::open_deferring_check(db)
        .with_context(|| format!("cannot open {}", helpdesk::store::shown_location(&db.to_string_lossy())))?;
    if !check {
        join_as_member(&mut store, &cfg);
    }
    // The screen reads a screenful at a time: a page cache of 4 MiB holds what it reads again (each item opened
    // brought new pages into the default 32 MiB one, which stayed resident). The file stays in the OS's cache.
    store.set_cache_kib(4096)?;
    let mut terminal = init_terminal()?;
    let _ = execute!(std::io::stdout(), EnableMouseCapture);
    let size = terminal.size().map(|s| (s.width, s.height)).unwrap_or((80, 24));
    let result = (|| -> Result<()> {
        let mut app = new_app(store, &cfg, size)?;
        let (tx, rx) = mpsc::channel::<Event>();
        let paused = Arc::new(AtomicBool::new(false));
        let (ack_tx, ack_rx) = mpsc::channel::<()>();
        spawn_input(tx.clone(), paused.clone(), ack_tx);
        spawn_ticker(tx.clone());
        app.jobs = Some(jobs::spawn(db.to_path_buf(), tx.clone()));
        app.others = presence::spawn(db, &app.user, app.store.is_postgres(), tx.clone());
        let mut doing = None;
        jobs::spawn_filler(db.to_path_buf());
        if check {
            // Its own thread and connection: at 100k tickets the check takes seconds, and neither the frames nor
            // the jobs thread's counts and figures wait for it.
            let (tx, db) = (tx.clone(), db.to_path_buf());
            std::thread::spawn(move || {
                // A small page cache: the check reads every page once, and a large cache would stay in the
                // process's memory after it (+32 MiB at 100k tickets).
                let r = helpdesk::Store::open_deferring_check(&db)
                    .and_then(|(s, _)| s.set_cache_kib(1024).and_then(|_| s.check_health()));
                let _ = tx.send(Event::Health(r.map_err(|e| e.to_string())));
            });
        }
        let worker = helpdesk::mail::worker::spawn_if_configured(db, &cfg, move |n| tx.send(Event::Mail(n)).is_ok());
        let mut frame_log = std::env::var_os("HELPDESK_FRAME_LOG")
            .and_then(|p| std::fs::OpenOptions::new().create(true).append(true).open(p).ok());
        let mut key_at: Option<(std::time::Instant, String)> = None;
        loop {
            terminal.draw(|f| ui::draw(f, &app))?;
            if let (Some((t, key)), Some(log)) = (key_at.take(), frame_log.as_mut()) {
                use std::io::Write;
                let shown = app.detail.last().map(|d| d.title.split(' ').next().unwrap_or("")).unwrap_or("");
                let _ = writeln!(log, "{} {key} {:?} {shown}", t.elapsed().as_micros(), app.pane);
            }
            // Work that can wait (a page ahead, similar work without a jobs thread) waits for a moment with no key.
            let first = match rx.try_recv() {
                Ok(ev) => ev,
                Err(_) if app.settle() => continue,
                Err(_) => rx.recv().context("event channel closed")?,
            };
            if let Event::Key(k, at) = &first {
                key_at = Some((*at, k.code.to_string()));
            }
            handle(&mut app, first);
            while let Ok(ev) = rx.try_recv() {
                handle(&mut app, ev);
            }
            if app.quit {
                break;
            }
            let now_doing = doing_now(&app);
            if now_doing != doing {
                doing = now_doing;
                app.others.publish(doing);
            }
            if let Some(text) = app.pager.take() {
                paused.store(true, Ordering::SeqCst);
                let _ = ack_rx.recv_timeout(Duration::from_millis(500));
                let _ = execute!(std::io::stdout(), DisableMouseCapture);
                ratatui::restore();
                let shown = crate::user::pager(&text);
                terminal = init_terminal()?;
                let _ = execute!(std::io::stdout(), EnableMouseCapture);
                paused.store(false, Ordering::SeqCst);
                if let Err(e) = shown {
                    app.error(format!("pager: {e:#}"));
                }
                terminal.clear()?;
            }
            if let Some(req) = app.editor.take() {
                paused.store(true, Ordering::SeqCst);
                let _ = ack_rx.recv_timeout(Duration::from_millis(500));
                let _ = execute!(std::io::stdout(), DisableMouseCapture);
                ratatui::restore();
                let text = crate::user::editor(&req.initial);
                terminal = init_terminal()?;
                let _ = execute!(std::io::stdout(), EnableMouseCapture);
                paused.store(false, Ordering::SeqCst);
                match text {
                    // Left as it was given (the quote alone): nothing was written.
                    Ok(t) if t.trim() == req.initial.trim() => app.toast("nothing written: nothing sent"),
                    Ok(t) if !t.trim().is_empty() => {
                        if let Err(e) =
                            update::compose_from_editor(&mut app, req.target, req.internal, &t, req.opened.clone())
                        {
                            app.error(format!("{e:#}"));
                        }
                    }
                    Ok(_) => app.toast("empty message: nothing sent"),
                    Err(e) => app.error(format!("editor: {e:#}")),
                }
                terminal.clear()?;
            }
        }
        drop(worker);
        if app.others.live() {
            // The others see this member leave now, not when the heartbeat expires.
            let _ = app.store.leave(&app.others.session);
        }
        Ok(())
    })();
    let _ = execute!(std::io::stdout(), DisableMouseCapture);
    ratatui::restore();
    result
}

/// What the member is doing, for the others (team presence): replying in the composer or the editor, else
/// viewing the item on top.
fn doing_now(app: &App) -> Option<(helpdesk::domain::ItemRef, helpdesk::domain::Doing)> {
    use helpdesk::domain::Doing;
    if let Some(e) = &app.editor {
        return Some((e.target, Doing::Replying));
    }
    if let Some(app::Modal::Compose(c)) = &app.modal {
        return Some((c.target, Doing::Replying));
    }
    match app.detail.last()?.target {
        app::Target::Item(r) => Some((r, Doing::Viewing)),
        _ => None,
    }
}

type Terminal = ratatui::Terminal<ratatui::backend::CrosstermBackend<std::io::BufWriter<std::io::Stdout>>>;

/// Raw mode, the alternate screen and a panic hook that restores the terminal (as `ratatui::init`), with the frames
/// buffered: a frame leaves in one write, not in one write per kilobyte of a line-buffered stdout.
fn init_terminal() -> Result<Terminal> {
    drop(ratatui::try_init().context("cannot start the terminal UI (is this a terminal?)")?);
    // In front of the terminal's hook: a panic caught in one message's ingest must not restore the terminal.
    helpdesk::mail::guard::install_hook();
    let out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout());
    Ok(ratatui::Terminal::new(ratatui::backend::CrosstermBackend::new(out))?)
}

fn handle(app: &mut App, ev: Event) {
    match ev {
        Event::Key(k, _) => update::on_key(app, k),
        Event::Mouse(m) => update::on_mouse(app, m),
        Event::Resize(w, h) => {
            app.size = (w, h);
            let _ = app.reload();
            let _ = app.rebuild_detail();
        }
        Event::Tick => {
            compose::autosave(app);
            while app.toasts.front().is_some_and(|t| t.at.elapsed().as_secs() > 6) {
                app.toasts.pop_front();
            }
            // With a team thread, changes are announced (Event::Changed) and need no looking for.
            if !app.others.live()
                && let Err(e) = app.poll_changes()
            {
                app.error(format!("{e:#}"));
            }
        }
        Event::Changed => {
            if let Err(e) = app.reload_changed() {
                app.error(format!("{e:#}"));
            }
        }
        Event::Presence(all) => app.others.set(all),
        Event::Mail(n) => update::on_mail(app, n),
        Event::Stats(s) => app.on_stats(s),
        Event::Count { list, seq, total, rows } => app.on_count(list, seq, total, rows),
        Event::Similar { seq, found } => app.on_similar(seq, found),
        Event::Blend { seq, found } => similar::on_blend(app, seq, found),
        // Checked after the start (a database not closed cleanly): whoever runs the TUI joins now.
        Event::Health(Ok(())) => {
            let cfg = app.cfg.clone();
            join_as(&mut app.store, &cfg, &app.user.clone());
        }
        Event::Health(Err(why)) => {
            app.store.refuse_writes(why.clone());
            app.error(why);
        }
    }
}

/// Read terminal input on its own thread; while `paused` (an editor owns the terminal) it reads nothing.
fn spawn_input(tx: mpsc::Sender<Event>, paused: Arc<AtomicBool>, ack: mpsc::Sender<()>) {
    std::thread::spawn(move || {
        loop {
            if paused.load(Ordering::SeqCst) {
                let _ = ack.send(());
                while paused.load(Ordering::SeqCst) {
                    std::thread::sleep(Duration::from_millis(20));
                }
                continue;
            }
            match event::poll(Duration::from_millis(50)) {
                Ok(true) => {}
                Ok(false) => continue,
                Err(_) => break,
            }
            if paused.load(Ordering::SeqCst) {
                continue;
            }
            let ev = match event::read() {
                Ok(CEvent::Key(k)) => Event::Key(k, std::time::Instant::now()),
                Ok(CEvent::Mouse(m)) => Event::Mouse(m),
                Ok(CEvent::Resize(w, h)) => Event::Resize(w, h),
                Ok(_) => continue,
                Err(_) => break,
            };
            if tx.send(ev).is_err() {
                break;
            }
        }
    });
}

fn spawn_ticker(tx: mpsc::Sender<Event>) {
    std::thread::spawn(move || {
        while tx.send(Event::Tick).is_ok() {
            std::thread::sleep(Duration::from_millis(400));
        }
    });
}

#[cfg(test)]
mod tests;
