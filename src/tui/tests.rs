//! State tests: drive `update` with keys and actions on a demo store, and snapshot the screens.

use super::app::{App, Modal, Pane};
use super::update::on_key;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

pub fn app(tickets: usize) -> App {
    let mut store = helpdesk::Store::open_in_memory().unwrap();
    helpdesk::demo::generate(&mut store, tickets, &mut |_, _| {}).unwrap();
    let cfg = helpdesk::config::Config { reopen_days: 14, ..Default::default() };
    let mut app = super::new_app(store, &cfg, (100, 30)).unwrap();
    app.user = "alice".into();
    app
}

pub fn keys(app: &mut App, s: &str) {
    for c in s.chars() {
        on_key(app, KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
}

pub fn key(app: &mut App, code: KeyCode) {
    on_key(app, KeyEvent::new(code, KeyModifiers::NONE));
}

pub fn ctrl(app: &mut App, c: char) {
    on_key(app, KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
}

fn errors(app: &App) -> Vec<String> {
    app.toasts.iter().filter(|t| t.error).map(|t| t.text.clone()).collect()
}

#[test]
fn reply_opens_composer_and_queues() {
    let mut a = app(60);
    key(&mut a, KeyCode::Enter);
    keys(&mut a, "r");
    assert!(matches!(a.modal, Some(Modal::Compose { .. })), "{:?}", errors(&a));
    keys(&mut a, "Thanks!");
    ctrl(&mut a, 's');
    assert!(a.modal.is_none(), "{:?}", errors(&a));
    assert!(errors(&a).is_empty(), "{:?}", errors(&a));
    let d = a.detail.last().unwrap();
    assert!(d.lines.iter().any(|l| l.to_string().contains("Thanks!")));
    assert!(d.lines.iter().any(|l| l.to_string().contains("Waiting on user")));
}

#[test]
fn panes_switch_with_numbers_and_tab() {
    let mut a = app(30);
    keys(&mut a, "2");
    assert_eq!(a.pane, Pane::Tickets);
    key(&mut a, KeyCode::Tab);
    assert_eq!(a.pane, Pane::Issues);
    keys(&mut a, "4");
    assert_eq!(a.pane, Pane::Contacts);
    assert!(a.list().total > 0);
    keys(&mut a, "5");
    assert!(a.stats.is_some());
}
