//! Daily-loop details found by working a queue: tags removed, closed rows, kept prompts and filters, the status
//! line, help, views, recipients and the editor.

use super::super::app::{Modal, Pane, ViewChoice};
use super::state::{resolve_first_in_inbox, selected_ticket};
use super::*;

#[test]
fn a_tag_typed_with_a_minus_is_removed_and_undo_puts_it_back() {
    let mut a = app(40);
    keys(&mut a, "2");
    let t = selected_ticket(&a);
    let tags = |a: &App| a.store.read().item(t).unwrap().tags;
    keys(&mut a, "t");
    keys(&mut a, "laptop stalled");
    key(&mut a, KeyCode::Enter);
    assert!(tags(&a).contains(&"laptop".to_string()) && tags(&a).contains(&"stalled".to_string()));
    keys(&mut a, "t");
    keys(&mut a, "-laptop -nosuch");
    key(&mut a, KeyCode::Enter);
    assert!(!tags(&a).contains(&"laptop".to_string()), "{:?}", tags(&a));
    assert!(!tags(&a).iter().any(|t| t.starts_with('-')), "no literal '-laptop' tag: {:?}", tags(&a));
    assert!(tags(&a).contains(&"stalled".to_string()));
    let said = a.toasts.back().map(|t| t.text.clone()).unwrap_or_default();
    assert!(said.contains("tag laptop removed") && said.contains("not tagged nosuch"), "{said}");
    keys(&mut a, "u");
    assert!(tags(&a).contains(&"laptop".to_string()), "undo puts it back: {:?}", tags(&a));
}

/// A resolved conversation reads as done in the Inbox at any width: its row is grey (80 columns show no stage).
#[test]
fn a_closed_item_is_grey_in_its_list() {
    let mut a = app(40);
    let (c, _) = resolve_first_in_inbox(&mut a);
    keys(&mut a, "j");
    let d = a.current_item().unwrap();
    let resolved = helpdesk::stage::AnyStage::Conversation(helpdesk::stage::ConversationStage::Resolved);
    super::super::items::set_stage(&mut a, &[d], resolved).unwrap();
    assert_ne!(c, d);
    keys(&mut a, "/is:closed");
    key(&mut a, KeyCode::Enter);
    // The cursor's row has its own colours: look at the other one.
    let other = if a.current_item() == Some(c) { d } else { c };
    let t = render(&mut a, 80, 24);
    let buf = t.backend().buffer();
    let id = format!("{other} ");
    let row = (0..buf.area.height)
        .find(|y| (0..buf.area.width).map(|x| buf[(x, *y)].symbol().to_string()).collect::<String>().contains(&id))
        .expect("the row is on screen");
    let x = (0..buf.area.width).find(|x| buf[(*x, row)].symbol() == "C").unwrap();
    assert_eq!(buf[(x, row)].fg, ratatui::style::Color::DarkGray, "row {row}");
}

/// A record edit refused for one bad field keeps what was typed, to be mended, instead of closing.
#[test]
fn a_refused_edit_keeps_what_was_typed() {
    let mut a = app(40);
    keys(&mut a, "4");
    keys(&mut a, "=");
    keys(&mut a, "name=Ada Byron verified=maybe");
    key(&mut a, KeyCode::Enter);
    assert!(!errors(&a).is_empty(), "refused");
    let Some(Modal::Prompt { input, .. }) = &a.modal else { panic!("the prompt stays: {:?}", errors(&a)) };
    assert_eq!(input.value(), "name=Ada Byron verified=maybe");
    key(&mut a, KeyCode::Esc);
    assert!(a.modal.is_none());
}

/// `/` on a kept filter edits it, and what is typed next is one more term.
#[test]
fn a_kept_filter_takes_one_more_term() {
    let mut a = app(40);
    keys(&mut a, "2/card");
    key(&mut a, KeyCode::Enter);
    keys(&mut a, "/is:open");
    assert_eq!(a.filtering.as_ref().map(|i| i.value().to_string()).as_deref(), Some("card is:open"));
}

/// A message on the status line covers the whole mail state, never leaving a piece of it beside the message.
#[test]
fn a_toast_covers_the_whole_mail_state() {
    let mut a = app(40);
    a.mail.state = "online".into();
    a.mail.last_sync = Some(1_767_225_600);
    let status = |a: &mut App| format!("{}", render(a, 200, 50).backend()).lines().next_back().unwrap().to_string();
    assert!(status(&mut a).contains("mail: online · synced"), "{}", status(&mut a));
    a.toast("TKT-1 created");
    // Drawn as the event loop does (the tests' `render` clears messages for stable snapshots).
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(200, 50)).unwrap();
    t.draw(|f| super::super::ui::draw(f, &a)).unwrap();
    let s = format!("{}", t.backend()).lines().next_back().unwrap().to_string();
    assert!(s.contains("TKT-1 created") && !s.contains("mail:"), "{s}");
}

/// Help scrolls like a list: G to its end (its last line in sight, no further), k back up from there, g to the top.
#[test]
fn help_scrolls_to_its_end_and_back() {
    let mut a = app(40);
    a.size = (80, 24);
    keys(&mut a, "?");
    keys(&mut a, "G");
    let Some(Modal::Help { scroll }) = a.modal else { panic!("help") };
    let lines = super::super::ui::help_lines(&a, 74).len();
    assert_eq!(scroll, lines - 20, "the last line at the frame's bottom");
    keys(&mut a, "j");
    assert!(matches!(a.modal, Some(Modal::Help { scroll: s }) if s == scroll), "no further than the end");
    keys(&mut a, "k");
    assert!(matches!(a.modal, Some(Modal::Help { scroll: s }) if s == scroll - 1));
    keys(&mut a, "g");
    assert!(matches!(a.modal, Some(Modal::Help { scroll: 0 })));
    let screen = format!("{}", render(&mut a, 80, 24).backend());
    assert!(screen.contains("Everywhere") && !screen.contains("In everywhere"), "{screen}");
}

/// A view of every kind opens where the user is (the Inbox stays the Inbox), says so in its title, and leaving it
/// says so too.
#[test]
fn a_view_of_every_kind_opens_where_the_user_is() {
    let mut a = app(40);
    keys(&mut a, "1");
    super::super::views::open_view(&mut a, &ViewChoice::NeedsResponse).unwrap();
    assert_eq!(a.pane, Pane::Inbox);
    let screen = format!("{}", render(&mut a, 100, 30).backend());
    assert!(screen.contains("Every kind › Needs response"), "{screen}");
    key(&mut a, KeyCode::Esc);
    assert!(a.list().view.is_none());
    assert_eq!(a.toasts.back().map(|t| t.text.as_str()), Some("left view: Needs response"));
}

/// Tabbing into To and typing adds an address after the one there ("a@x.test, b@y.test"), never glued to it.
#[test]
fn typing_in_a_recipient_field_just_entered_adds_an_address() {
    let mut a = app(60);
    key(&mut a, KeyCode::Enter);
    keys(&mut a, "r");
    let Some(Modal::Compose(c)) = &a.modal else { panic!("{:?}", errors(&a)) };
    let first = c.to.value().to_string();
    assert!(!first.is_empty());
    key(&mut a, KeyCode::Tab);
    keys(&mut a, "b@y.test");
    let Some(Modal::Compose(c)) = &a.modal else { panic!() };
    assert_eq!(c.to.value(), format!("{first}, b@y.test"));
    // Editing what is there (a key that moves first) adds nothing.
    key(&mut a, KeyCode::Tab);
    key(&mut a, KeyCode::BackTab);
    key(&mut a, KeyCode::Backspace);
    let Some(Modal::Compose(c)) = &a.modal else { panic!() };
    assert_eq!(c.to.value(), format!("{first}, b@y.tes"));
}

/// `E` starts the editor as `r` starts the composer: the message being read quoted under an attribution.
#[test]
fn the_editor_starts_with_the_message_quoted() {
    let mut a = app(60);
    key(&mut a, KeyCode::Enter);
    keys(&mut a, "E");
    let req = a.editor.as_ref().expect("an editor request");
    assert!(req.initial.starts_with("\n\n") && req.initial.contains("wrote:\n> "), "{:?}", req.initial);
}

/// A filter typed and left as it is: the full match puts the cursor on its first row, the newest, not on the quick
/// match's first row further down (rows above it hidden, blank lines below). Found by fresh eyes.
#[test]
fn the_full_match_of_a_filter_not_moved_in_starts_at_its_first_row() {
    use super::state::{answer_count, word_found_more_in_full};
    let mut a = app(300);
    let (word, full) = word_found_more_in_full(&a, true);
    let (tx, rx) = std::sync::mpsc::channel();
    a.jobs = Some(tx);
    keys(&mut a, &format!("2/{word}"));
    answer_count(&mut a, &rx);
    let l = a.list();
    assert_eq!((l.cursor, l.offset), (0, 0));
    assert_eq!(l.selected_item().map(|i| i.row), full.first().copied(), "the newest match");
}

/// `=` on an item edits its title in place (there was no way to rename a ticket; found by fresh eyes); undo puts the
/// old one back, and an empty title changes nothing.
#[test]
fn equals_on_a_ticket_renames_it_and_undo_takes_the_old_title_back() {
    let mut a = app(40);
    keys(&mut a, "2");
    let t = selected_ticket(&a);
    let title = |a: &App| a.store.read().item(t).unwrap().title;
    let before = title(&a);
    keys(&mut a, "=");
    assert!(matches!(&a.modal, Some(Modal::Prompt { input, .. }) if input.value() == before), "starts on the title");
    ctrl(&mut a, 'u');
    keys(&mut a, "Printer on fire");
    key(&mut a, KeyCode::Enter);
    assert_eq!(title(&a), "Printer on fire");
    assert!(errors(&a).is_empty(), "{:?}", errors(&a));
    keys(&mut a, "u");
    assert_eq!(title(&a), before);
    keys(&mut a, "=");
    ctrl(&mut a, 'u');
    key(&mut a, KeyCode::Enter);
    assert_eq!(title(&a), before, "an empty title changes nothing");
}

/// The owner menu finds a name typed without its accents, and `ctrl-u` clears what was typed (it was appended to).
/// Found by fresh eyes.
#[test]
fn a_menu_finds_names_without_their_accents_and_ctrl_u_clears_the_typing() {
    use super::super::app::menu_rows;
    let mut a = app(40);
    keys(&mut a, "2a");
    keys(&mut a, "petrovic");
    let shown = |a: &App| -> Vec<String> {
        let Some(Modal::Menu { items, filter, .. }) = &a.modal else { panic!("no menu: {:?}", errors(a)) };
        menu_rows(items, filter.value()).into_iter().map(|i| items[i].label.clone()).collect()
    };
    assert!(shown(&a).first().is_some_and(|l| l.contains("Petrović")), "{:?}", shown(&a));
    ctrl(&mut a, 'u');
    let Some(Modal::Menu { filter, .. }) = &a.modal else { panic!("the menu stays open") };
    assert_eq!(filter.value(), "");
    keys(&mut a, "goran");
    assert!(shown(&a).first().is_some_and(|l| l.contains("Petrović")), "{:?}", shown(&a));
}

/// A member known only by login is named once in the owner menu (`me  (me)` read `me (me)  (me)`; fresh eyes).
#[test]
fn a_member_without_a_name_is_named_once_in_the_owner_menu() {
    let mut store = helpdesk::Store::open_in_memory().unwrap();
    helpdesk::demo::generate_at(&mut store, 10, super::NOW, &mut |_, _| {}).unwrap();
    store.write(|w| w.add_member("solo", "solo", None)).unwrap();
    let mut a = super::app_on(store);
    keys(&mut a, "2a");
    let Some(Modal::Menu { items, .. }) = &a.modal else { panic!("no menu: {:?}", errors(&a)) };
    let labels: Vec<&str> = items.iter().map(|i| i.label.as_str()).collect();
    assert!(labels.contains(&"solo"), "{labels:?}");
    assert!(labels.iter().any(|l| l.starts_with("Alice") && l.ends_with("(alice)  (me)")), "{labels:?}");
}

/// A kept draft comes back with the cursor where its writing ended (above the quote), so that typing goes on from
/// there; it started at the top, and new text landed in front of the old ("SECONDFirst line…"; fresh eyes).
#[test]
fn a_draft_reopened_goes_on_where_its_writing_ended() {
    let mut a = app(60);
    key(&mut a, KeyCode::Enter);
    keys(&mut a, "r");
    keys(&mut a, "First line I typed.");
    ctrl(&mut a, 'w');
    assert!(a.modal.is_none(), "ctrl-w closes and keeps the draft: {:?}", errors(&a));
    keys(&mut a, "r");
    keys(&mut a, " SECOND");
    let Some(Modal::Compose(c)) = &a.modal else { panic!("{:?}", errors(&a)) };
    assert_eq!(c.area.lines()[0], "First line I typed. SECOND");
    assert!(c.area.lines().iter().any(|l| l.starts_with('>')), "the quote is still below");
}

/// Go-to takes a bare number as the pane's kind, as the filter does (it was refused; fresh eyes).
#[test]
fn go_to_takes_a_bare_number_as_the_panes_kind() {
    let mut a = app(40);
    keys(&mut a, "2");
    ctrl(&mut a, 'g');
    keys(&mut a, "3");
    key(&mut a, KeyCode::Enter);
    assert!(errors(&a).is_empty(), "{:?}", errors(&a));
    let opened = a.detail.last().map(|d| d.target);
    assert!(matches!(opened, Some(super::super::app::Target::Item(r)) if r.to_string() == "TKT-3"), "{opened:?}");
}
