//! Snapshots of every pane, detail view, menu and dialog at 100×30, and rendering edge cases.

use super::super::app::{Modal, Pane};
use super::*;
use insta::assert_snapshot;

fn snap(app: &mut App) -> String {
    format!("{}", render(app, 100, 30).backend())
}

#[test]
fn panes() {
    let mut a = app(120);
    assert_snapshot!("inbox", snap(&mut a));
    keys(&mut a, "2");
    assert_snapshot!("tickets", snap(&mut a));
    keys(&mut a, "3");
    assert_snapshot!("issues", snap(&mut a));
    keys(&mut a, "4");
    assert_snapshot!("contacts", snap(&mut a));
    keys(&mut a, "A");
    assert_snapshot!("accounts", snap(&mut a));
    keys(&mut a, "5");
    assert_snapshot!("dashboard", snap(&mut a));
}

#[test]
fn detail_views() {
    let mut a = app(120);
    key(&mut a, KeyCode::Enter);
    assert_snapshot!("conversation_detail", snap(&mut a));
    keys(&mut a, "2");
    key(&mut a, KeyCode::Enter);
    assert_snapshot!("ticket_detail_customer", snap(&mut a));
    keys(&mut a, "]");
    assert_snapshot!("ticket_detail_internal", snap(&mut a));
    keys(&mut a, "G");
    assert_snapshot!("ticket_detail_end", snap(&mut a));
    keys(&mut a, "3");
    key(&mut a, KeyCode::Enter);
    assert_snapshot!("issue_detail", snap(&mut a));
    keys(&mut a, "4");
    key(&mut a, KeyCode::Enter);
    assert_snapshot!("contact_customer_view", snap(&mut a));
    key(&mut a, KeyCode::Esc);
    keys(&mut a, "A");
    key(&mut a, KeyCode::Enter);
    assert_snapshot!("account_customer_view", snap(&mut a));
}

#[test]
fn menus_and_dialogs() {
    let mut a = app(120);
    keys(&mut a, "2");
    keys(&mut a, "s");
    assert_snapshot!("stage_menu", snap(&mut a));
    key(&mut a, KeyCode::Esc);
    keys(&mut a, "a");
    assert_snapshot!("assign_menu", snap(&mut a));
    key(&mut a, KeyCode::Esc);
    keys(&mut a, "v");
    assert_snapshot!("severity_menu", snap(&mut a));
    key(&mut a, KeyCode::Esc);
    keys(&mut a, "p");
    assert_snapshot!("part_menu", snap(&mut a));
    key(&mut a, KeyCode::Esc);
    keys(&mut a, "t");
    keys(&mut a, "stalled");
    assert_snapshot!("tag_prompt", snap(&mut a));
    key(&mut a, KeyCode::Esc);
    keys(&mut a, "l");
    assert_snapshot!("link_prompt", snap(&mut a));
    key(&mut a, KeyCode::Esc);
    keys(&mut a, "n");
    keys(&mut a, "card declined at shop");
    assert_snapshot!("new_ticket_with_similar_work", snap(&mut a));
    key(&mut a, KeyCode::Esc);
    keys(&mut a, "?");
    assert_snapshot!("help", snap(&mut a));
    key(&mut a, KeyCode::Esc);
    keys(&mut a, ":");
    keys(&mut a, "stag");
    assert_snapshot!("palette", snap(&mut a));
    key(&mut a, KeyCode::Esc);
    keys(&mut a, "/");
    keys(&mut a, "card");
    assert_snapshot!("filter", snap(&mut a));
    key(&mut a, KeyCode::Esc);
    keys(&mut a, "e");
    assert_snapshot!("export_menu", snap(&mut a));
    key(&mut a, KeyCode::Esc);
    keys(&mut a, "V");
    assert_snapshot!("open_view_menu", snap(&mut a));
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Enter);
    keys(&mut a, "r");
    keys(&mut a, "We are on it.");
    assert_snapshot!("reply_composer", snap(&mut a));
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Esc);
    keys(&mut a, "S");
    assert_snapshot!("snippet_menu", snap(&mut a));
    key(&mut a, KeyCode::Enter);
    assert_snapshot!("snippet_in_composer", snap(&mut a));
    a.modal = None;
    a.modal = Some(Modal::Confirm {
        message: "Move TKT-120 to canceled? It closes the item.".into(),
        then: super::super::app::Pending::Stage(
            vec![a.current_item().unwrap()],
            helpdesk::stage::AnyStage::Ticket(helpdesk::stage::TicketStage::Canceled),
        ),
    });
    assert_snapshot!("confirm", snap(&mut a));
}

/// An app on a store holding only these raw mails.
fn app_with_mail(raws: &[&[u8]]) -> App {
    let mut store = helpdesk::Store::open_in_memory().unwrap();
    for raw in raws {
        store.write(|w| helpdesk::mail::ingest(w, raw, "test", &Default::default(), NOW)).unwrap();
    }
    app_on(store)
}

#[test]
fn escape_bytes_never_reach_the_terminal() {
    let raw = b"From: Mallory \x1b[31mEvil\x1b[0m <m@evil.test>\r\nSubject: Hi \x1b[2J\x1b]0;pwned\x07 \xe2\x80\xae gnp.exe\r\nMessage-ID: <x@evil.test>\r\n\r\nBody \x1b[5m blink \x9b31m\r\n";
    let mut a = app_with_mail(&[raw]);
    for step in 0..2 {
        let t = render(&mut a, 100, 30);
        let buf = t.backend().buffer();
        for cell in buf.content() {
            let s = cell.symbol();
            assert!(
                !s.chars().any(|c| c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c) || c == '\u{9b}'),
                "step {step}: cell {s:?}"
            );
        }
        let text = format!("{}", t.backend());
        assert!(text.contains("␛"), "escape shown as a visible mark:\n{text}");
        key(&mut a, KeyCode::Enter);
    }
}

#[test]
fn tiny_and_resized_terminals_render() {
    let mut a = app(40);
    for (w, h) in [(40, 12), (20, 5), (1, 1), (100, 30), (250, 80)] {
        for setup in 0..8 {
            a.modal = None;
            a.detail.clear();
            match setup {
                0 => keys(&mut a, "1"),
                1 => keys(&mut a, "2"),
                2 => keys(&mut a, "5"),
                3 => {
                    keys(&mut a, "2");
                    key(&mut a, KeyCode::Enter);
                }
                4 => keys(&mut a, "?"),
                5 => keys(&mut a, "s"),
                6 => {
                    keys(&mut a, "2n");
                    keys(&mut a, "card");
                }
                _ => {
                    keys(&mut a, "4");
                    key(&mut a, KeyCode::Enter);
                }
            }
            render(&mut a, w, h);
            super::super::update::on_mouse(
                &mut a,
                ratatui::crossterm::event::MouseEvent {
                    kind: ratatui::crossterm::event::MouseEventKind::Down(ratatui::crossterm::event::MouseButton::Left),
                    column: w / 2,
                    row: h / 2,
                    modifiers: KeyModifiers::NONE,
                },
            );
            render(&mut a, w, h);
        }
    }
    assert_eq!(a.pane, Pane::Contacts);
}

/// A description longer than the view is wrapped at the view's width: every word stays on screen at 80 columns.
#[test]
fn long_descriptions_wrap_at_the_view_width() {
    let mut a = app(20);
    let text = "This is a long description that certainly exceeds eighty columns of width so that we can see \
                whether it wraps at the end or is simply cut off by the frame. END-MARKER";
    let mut n =
        helpdesk::store::NewItem::new(helpdesk::domain::Kind::Issue, "Long one", helpdesk::domain::SourceChannel::Cli);
    n.description = text.to_string();
    let id = a
        .store
        .write(|w| {
            let p = w.add_part(helpdesk::domain::PartKind::Product, "Wrap", None)?;
            n.part_row = Some(w.part_row_of(p)?);
            w.create_item(&n, &helpdesk::store::By::at("t", 1_700_000_000))
        })
        .unwrap();
    render(&mut a, 80, 24);
    a.open(super::super::app::Target::Item(id)).unwrap();
    let screen = format!("{}", render(&mut a, 80, 24).backend());
    let shown: String = screen
        .lines()
        .map(|l| l.trim_matches(|c: char| c == '"' || c == '│' || c.is_whitespace()))
        .collect::<Vec<_>>()
        .join(" ");
    assert!(shown.contains("so that we can see whether it wraps"), "{screen}");
    assert!(shown.contains("END-MARKER"), "{screen}");
}

#[test]
fn the_inbox_says_who_wrote_free_mail_too() {
    let raw = b"From: Olivia Brennan <olivia.brennan@gmail.com>\r\nTo: support@helpdesk.example\r\nSubject: Card stuck\r\nMessage-ID: <o1@gmail.com>\r\n\r\nThe ATM kept my card.\r\n";
    let mut a = app_with_mail(&[raw]);
    for (w, h) in [(80, 24), (130, 30), (200, 50)] {
        let text = format!("{}", render(&mut a, w, h).backend());
        let row = text.lines().find(|l| l.contains("Card stuck")).unwrap_or_default();
        assert!(row.contains("Olivia Brennan") && !row.contains("(unknown)"), "{w}×{h}: {row}");
        assert!(text.contains("From"), "{w}×{h}: the column says what it shows");
    }
}

#[test]
fn the_inbox_names_each_feed_behind_one_address_as_its_mail_does() {
    let feeds = [("newscientist", "Stem cells"), ("boingboing", "Robot toys")];
    let raws: Vec<String> = feeds
        .iter()
        .enumerate()
        .map(|(i, (name, subject))| {
            format!(
                "From: {name} <rssfeeds@feeds.test>\r\nTo: support@helpdesk.example\r\nSubject: {subject}\r\n\
                 Message-ID: <f{i}@feeds.test>\r\n\r\nA post.\r\n"
            )
        })
        .collect();
    let mut a = app_with_mail(&raws.iter().map(|r| r.as_bytes()).collect::<Vec<_>>());
    let text = format!("{}", render(&mut a, 80, 24).backend());
    for (name, subject) in feeds {
        let row = text.lines().find(|l| l.contains(subject)).unwrap_or_default();
        assert!(row.contains(name), "{row}");
    }
}

#[test]
fn an_empty_first_part_name_asks_again() {
    let raw = b"From: Ann <ann@corp.test>\r\nSubject: Login loop\r\nMessage-ID: <l1@corp.test>\r\n\r\nHelp.\r\n";
    let mut a = app_with_mail(&[raw]);
    key(&mut a, KeyCode::Enter);
    keys(&mut a, "c");
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Enter);
    assert!(errors(&a).iter().any(|e| e.contains("a part needs a name")), "{:?}", errors(&a));
    assert!(matches!(a.modal, Some(Modal::Prompt { .. })), "the prompt stays open");
    keys(&mut a, "Linux");
    key(&mut a, KeyCode::Enter);
    let made = a.current_item().unwrap();
    assert_eq!(made.kind, helpdesk::domain::Kind::Ticket, "{:?}", errors(&a));
}
