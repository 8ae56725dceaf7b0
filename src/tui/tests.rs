//! State tests drive `update` with keys; snapshots render every pane, detail view, menu and dialog at 100×30.

mod articles;
mod daily;
mod screens;
mod state;
mod team;
mod triage;

use super::app::App;
use super::update::on_key;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// 2026-01-01T00:00:00Z: the fixed clock of every test app.
pub const NOW: i64 = 1_767_225_600;

pub fn app(tickets: usize) -> App {
    let mut store = helpdesk::Store::open_in_memory().unwrap();
    helpdesk::demo::generate_at(&mut store, tickets, NOW, &mut |_, _| {}).unwrap();
    app_on(store)
}

pub fn app_on(store: helpdesk::Store) -> App {
    let mut cfg = helpdesk::config::Config { reopen_days: 14, user: Some("alice".into()), ..Default::default() };
    // A mailbox that can send (nothing connects to it in these tests: the outbox only queues).
    cfg.mailbox.push(helpdesk::config::Mailbox {
        address: "support@helpdesk.example".into(),
        name: "Helpdesk Support".into(),
        mode: "conversations".into(),
        imap: None,
        smtp: Some(helpdesk::config::Server {
            host: "127.0.0.1".into(),
            port: 1,
            security: "plain".into(),
            user: "support".into(),
            password_env: None,
            password_command: None,
            ca_file: None,
            folders: vec![],
            ..Default::default()
        }),
        part: None,
        provider: None,
        oauth2: None,
        sent_folder: None,
        save_sent: None,
    });
    cfg.snippets.insert(
        "thanks".into(),
        "Hi {{contact.first_name}},\n\nthanks for reporting {{ticket.id}}.\n\n{{member.name}}".into(),
    );
    let mut app = super::new_app(store, &cfg, (100, 30)).unwrap();
    app.clock = Some(NOW);
    app
}

/// One key as the event loop handles it: update, then the work left for after the frame.
fn press(app: &mut App, e: KeyEvent) {
    on_key(app, e);
    app.settle();
}

pub fn keys(app: &mut App, s: &str) {
    for c in s.chars() {
        press(app, KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
}

pub fn key(app: &mut App, code: KeyCode) {
    press(app, KeyEvent::new(code, KeyModifiers::NONE));
}

pub fn ctrl(app: &mut App, c: char) {
    press(app, KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
}

pub fn errors(app: &App) -> Vec<String> {
    app.toasts.iter().filter(|t| t.error).map(|t| t.text.clone()).collect()
}

/// Render at a size; toasts are cleared first so that snapshots do not depend on timing.
pub fn render(app: &mut App, w: u16, h: u16) -> Terminal<TestBackend> {
    app.toasts.clear();
    app.size = (w, h);
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| super::ui::draw(f, app)).unwrap();
    t
}
