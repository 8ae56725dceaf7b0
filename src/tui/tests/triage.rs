//! Triage and reading through keys: the search language, go-to, next-needs-response, views, sorts, bulk changes
//! with one undo, pickers, threads, attachments, live reload; and the new screens at 80×24 and 200×50.

use super::super::app::{Modal, Pane, Target};
use super::super::list::Row;
use super::*;
use helpdesk::domain::{Direction, ItemRef, Kind, MsgChannel};
use helpdesk::store::NewMessage;
use insta::assert_snapshot;

fn rows(a: &App) -> Vec<helpdesk::store::ItemRow> {
    a.list()
        .visible(200)
        .filter_map(|(_, r)| match r {
            Row::Item(i) => Some(i.clone()),
            _ => None,
        })
        .collect()
}

fn search(a: &mut App, q: &str) {
    keys(a, "/");
    keys(a, q);
    key(a, KeyCode::Enter);
}

#[test]
fn the_search_box_reads_terms_and_free_words() {
    let mut a = app(120);
    keys(&mut a, "2");
    search(&mut a, "owner:alice");
    let r = rows(&a);
    assert!(!r.is_empty() && r.iter().all(|i| i.owner.as_deref() == Some("alice")), "{r:?}");
    key(&mut a, KeyCode::Esc);
    let account = a.store.read().item(rows(&a)[0].id).unwrap().account_name.unwrap();
    search(&mut a, &account);
    let r = rows(&a);
    assert!(!r.is_empty() && r[0].account.as_deref() == Some(account.as_str()), "{account}: {r:?}");
    key(&mut a, KeyCode::Esc);
    search(&mut a, "TKT-7");
    assert_eq!(rows(&a).iter().map(|i| i.id.to_string()).collect::<Vec<_>>(), ["TKT-7"]);
    key(&mut a, KeyCode::Esc);
    search(&mut a, "is:unassigned sev:high");
    let r = rows(&a);
    assert!(r.iter().all(|i| i.owner.is_none() && i.severity.map(|s| s.as_str()) == Some("high")), "{r:?}");
    key(&mut a, KeyCode::Esc);
    keys(&mut a, "/owner:nobodyhere");
    assert!(a.list().problems[0].contains("no member 'nobodyhere'"), "{:?}", a.list().problems);
    let screen = format!("{}", render(&mut a, 100, 30).backend());
    assert!(screen.contains("no member 'nobodyhere'"), "{screen}");
}

#[test]
fn go_to_from_anywhere_and_q_goes_back_before_quitting() {
    let mut a = app(60);
    keys(&mut a, "5");
    ctrl(&mut a, 'g');
    keys(&mut a, "tkt-9");
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.pane, Pane::Tickets);
    assert_eq!(a.detail.last().map(|d| d.target), Some(Target::Item("TKT-9".parse().unwrap())));
    keys(&mut a, "q");
    assert!(a.detail.is_empty() && !a.quit);
    ctrl(&mut a, 'g');
    keys(&mut a, "TKT-99999");
    key(&mut a, KeyCode::Enter);
    assert!(errors(&a).iter().any(|e| e.contains("TKT-99999")), "{:?}", errors(&a));
    // The prompt stays with what was typed, to be mended; esc leaves it.
    let Some(super::super::app::Modal::Prompt { input, .. }) = &a.modal else { panic!("the prompt stays") };
    assert_eq!(input.value(), "TKT-99999");
    key(&mut a, KeyCode::Esc);
    keys(&mut a, "q");
    assert!(a.quit);
}

#[test]
fn next_needs_response_opens_the_next_waiting_item() {
    let mut a = app(60);
    keys(&mut a, "2");
    ctrl(&mut a, 'n');
    let first = a.current_item().unwrap();
    assert!(a.store.read().item(first).unwrap().needs_response);
    ctrl(&mut a, 'n');
    let second = a.current_item().unwrap();
    assert!(second != first && a.store.read().item(second).unwrap().needs_response);
    assert_eq!(a.detail.len(), 1, "one view open, not a stack");
}

#[test]
fn bulk_assign_three_rows_and_one_undo() {
    let mut a = app(60);
    keys(&mut a, "2");
    let before: Vec<(ItemRef, Option<String>)> = rows(&a).iter().take(3).map(|i| (i.id, i.owner.clone())).collect();
    keys(&mut a, "   ");
    assert_eq!(a.list().marked.len(), 3);
    keys(&mut a, "a");
    let Some(Modal::Menu { title, .. }) = &a.modal else { panic!("no owner menu") };
    assert!(title.contains("3 selected items"), "{title}");
    keys(&mut a, "/chen");
    key(&mut a, KeyCode::Enter);
    for (id, _) in &before {
        assert_eq!(a.store.read().item(*id).unwrap().owner.as_deref(), Some("chen"));
    }
    keys(&mut a, "u");
    for (id, owner) in &before {
        assert_eq!(&a.store.read().item(*id).unwrap().owner, owner, "{id} restored by one undo");
    }
    key(&mut a, KeyCode::Esc);
    assert!(a.list().marked.is_empty(), "esc clears the selection first");
    keys(&mut a, "*");
    assert_eq!(a.list().marked.len(), a.list().total);
}

#[test]
fn views_retitle_the_pane_and_esc_leaves_them() {
    let mut a = app(120);
    super::super::views::open_view(&mut a, &super::super::app::ViewChoice::Active).unwrap();
    let screen = format!("{}", render(&mut a, 100, 30).backend());
    assert!(screen.contains("Tickets › Active tickets"), "{screen}");
    assert!(rows(&a).iter().all(|i| !i.stage.is_closed()), "active tickets are open");
    key(&mut a, KeyCode::Esc);
    assert!(a.list().view.is_none());
    let screen = format!("{}", render(&mut a, 100, 30).backend());
    assert!(!screen.contains("Active tickets"), "{screen}");
    super::super::views::open_view(&mut a, &super::super::app::ViewChoice::Unassigned).unwrap();
    assert!(rows(&a).iter().all(|i| i.owner.is_none()));
    super::super::views::open_view(&mut a, &super::super::app::ViewChoice::Mine).unwrap();
    assert!(rows(&a).iter().all(|i| i.owner.as_deref() == Some("alice")));
}

#[test]
fn sort_cycles_and_orders_rows() {
    let mut a = app(60);
    keys(&mut a, "2");
    keys(&mut a, "ooo");
    let r = rows(&a);
    let ranks: Vec<u8> = r.iter().map(|i| i.severity.map(|s| s as u8 + 1).unwrap_or(0)).collect();
    assert!(ranks.windows(2).all(|w| w[0] >= w[1]), "severity order: {ranks:?}");
    keys(&mut a, "o");
    let r = rows(&a);
    assert!(r.iter().take_while(|i| i.needs_response).count() > 0);
    let waiting: Vec<i64> = r.iter().filter(|i| i.needs_response).map(|i| i.updated_at).collect();
    assert!(waiting.windows(2).all(|w| w[0] <= w[1]), "longest waiting first");
}

#[test]
fn pickers_filter_and_select_the_current_value() {
    let mut a = app(60);
    keys(&mut a, "2");
    let t = a.current_item().unwrap();
    let part = a.store.read().item(t).unwrap().part.unwrap();
    keys(&mut a, "p");
    let Some(Modal::Menu { items, selected, .. }) = &a.modal else { panic!() };
    assert!(items[*selected].label.contains(&part.to_string()), "{}", items[*selected].label);
    let n = items.len();
    keys(&mut a, "G");
    let Some(Modal::Menu { selected, .. }) = &a.modal else { panic!() };
    assert_eq!(*selected, n - 1);
    keys(&mut a, "xyzzy");
    let Some(Modal::Menu { items, filter, .. }) = &a.modal else { panic!() };
    assert!(super::super::app::menu_rows(items, filter.value()).is_empty());
    key(&mut a, KeyCode::Esc);
    assert!(a.modal.is_some(), "esc clears the typed filter first");
    key(&mut a, KeyCode::Esc);
    assert!(a.modal.is_none());
}

#[test]
fn tags_say_what_was_stored_and_c_says_when_a_ticket_exists() {
    let mut a = app(60);
    keys(&mut a, "2");
    let t = a.current_item().unwrap();
    keys(&mut a, "t");
    keys(&mut a, "Compliance payments");
    key(&mut a, KeyCode::Enter);
    let tags = a.store.read().item(t).unwrap().tags;
    assert!(tags.contains(&"compliance".into()) && tags.contains(&"payments".into()), "{tags:?}");
    assert!(a.toasts.back().unwrap().text.contains("compliance, payments"), "{:?}", a.toasts);
    let with: ItemRef = "CONV-5".parse().unwrap();
    let b = a.by();
    a.store
        .write(|w| {
            let part = w.part_row_of(w.parts()?[0].id)?;
            w.ticket_from_conversation(with, part, helpdesk::domain::SourceChannel::Tui, &b)
        })
        .unwrap();
    super::super::triage::go_to(&mut a, &with.to_string()).unwrap();
    keys(&mut a, "c");
    assert!(a.modal.is_none());
    assert!(errors(&a).last().unwrap().contains("already has ticket"), "{:?}", errors(&a));
}

#[test]
fn ctrl_o_on_a_suggestion_then_esc_returns_to_the_form() {
    let mut a = app(120);
    keys(&mut a, "2n");
    keys(&mut a, "card declined");
    key(&mut a, KeyCode::Down);
    ctrl(&mut a, 'o');
    assert!(a.modal.is_none() && a.detail.len() == 1, "{:?}", errors(&a));
    key(&mut a, KeyCode::Esc);
    let Some(Modal::Prompt { input, .. }) = &a.modal else { panic!("the form is gone") };
    assert_eq!(input.value(), "card declined");
}

#[test]
fn dashboard_rows_open_their_item() {
    let mut a = app(120);
    keys(&mut a, "5j");
    let want = a.stats.as_ref().unwrap().oldest_waiting[1].id;
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.detail.last().map(|d| d.target), Some(Target::Item(want)));
}

/// A ticket with a long thread: quoted replies, a signature and an attachment.
fn thread(a: &mut App) -> ItemRef {
    let t: ItemRef = "TKT-3".parse().unwrap();
    let row = a.store.read().item_row(t).unwrap();
    a.store
        .write(|w| {
            for n in 0..4 {
                let mut m = NewMessage::internal(row, "x", "", NOW + n);
                m.channel = MsgChannel::Customer;
                m.direction = Direction::Inbound;
                m.from_addr = "nadia@example.com".into();
                m.from_name = "Nadia".into();
                m.cc = vec!["ops@example.com".into()];
                m.message_id = Some(format!("m{n}@example.com"));
                m.body = format!(
                    "Reply number {n} about the zebra printer.\n\nOn Monday you wrote:\n> first quoted line\n> second \
                     quoted line\n> third\n\n-- \nNadia\nExample Corp"
                );
                let id = w.add_message(&m)?;
                if n == 2 {
                    w.add_attachment(id, "invoice 2.pdf", "application/pdf", b"%PDF-1.4 test")?;
                }
            }
            Ok(())
        })
        .unwrap();
    t
}

#[test]
fn reading_a_thread_message_by_message_with_folded_quotes() {
    let mut a = app(60);
    let t = thread(&mut a);
    super::super::triage::go_to(&mut a, &t.to_string()).unwrap();
    let d = a.detail.last().unwrap();
    let text: Vec<String> = d.lines.iter().map(|l| l.to_string()).collect();
    assert!(text.iter().any(|l| l.contains("3 quoted line(s) folded")), "{text:#?}");
    assert!(!text.iter().any(|l| l.contains("second quoted line")));
    let n = d.messages.len();
    keys(&mut a, "J");
    let first = a.detail.last().unwrap().scroll;
    keys(&mut a, "J");
    assert!(a.detail.last().unwrap().scroll > first);
    keys(&mut a, "K");
    assert_eq!(a.detail.last().unwrap().scroll, first);
    let on = |a: &App| {
        let d = a.detail.last().unwrap();
        d.messages.iter().find(|m| m.0 == d.scroll).map(|m| m.1)
    };
    let was = on(&a);
    keys(&mut a, "z");
    let d = a.detail.last().unwrap();
    assert!(d.lines.iter().any(|l| l.to_string().contains("second quoted line")));
    assert!(was.is_some() && on(&a) == was, "the cursor stays on its message");
    keys(&mut a, "H");
    assert!(a.detail.last().unwrap().lines.iter().any(|l| l.to_string().contains("Message-ID")));
    keys(&mut a, "/");
    keys(&mut a, "Reply number 3");
    key(&mut a, KeyCode::Enter);
    let d = a.detail.last().unwrap();
    assert!(d.lines[d.scroll].to_string().contains("Reply number 3"));
    keys(&mut a, "N");
    assert!(errors(&a).is_empty() || !errors(&a).last().unwrap().contains("not in"), "{:?}", errors(&a));
    assert!(n >= 4);
}

#[test]
fn attachments_are_listed_under_their_message_and_saved() {
    let mut a = app(60);
    let t = thread(&mut a);
    super::super::triage::go_to(&mut a, &t.to_string()).unwrap();
    let d = a.detail.last().unwrap();
    let (line, msg, _) = d.attachments[0].clone();
    let owner = d.messages.iter().rev().find(|m| m.0 < line).unwrap().1;
    assert_eq!(owner, msg, "listed under the message it came with");
    a.detail.last_mut().unwrap().scroll = line;
    let dir = tempfile::tempdir().unwrap();
    keys(&mut a, "w");
    let Some(Modal::Prompt { input, .. }) = &mut a.modal else { panic!("no save prompt {:?}", errors(&a)) };
    *input = tui_input::Input::new(dir.path().display().to_string());
    key(&mut a, KeyCode::Enter);
    let saved = std::fs::read(dir.path().join("invoice 2.pdf")).unwrap();
    assert_eq!(saved, b"%PDF-1.4 test");
    assert!(a.toasts.back().unwrap().text.contains("saved"), "{:?}", a.toasts);
}

#[test]
fn another_process_writing_reloads_the_list_and_keeps_the_cursor() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("live.db");
    let mut store = helpdesk::Store::open(&db).unwrap();
    helpdesk::demo::generate_at(&mut store, 40, NOW, &mut |_, _| {}).unwrap();
    let mut a = app_on(store);
    keys(&mut a, "2jjj");
    let on = a.current_item().unwrap();
    a.poll_changes().unwrap();
    let mut other = helpdesk::Store::open(&db).unwrap();
    let b = helpdesk::store::By::at("cli".to_string(), NOW + 10);
    let created = other
        .write(|w| {
            let part = w.parts()?.first().map(|p| p.id).unwrap();
            let mut n =
                helpdesk::store::NewItem::new(Kind::Ticket, "Made elsewhere", helpdesk::domain::SourceChannel::Cli);
            n.part_row = Some(w.part_row_of(part)?);
            w.create_item(&n, &b)
        })
        .unwrap();
    a.poll_changes().unwrap();
    assert_eq!(rows(&a)[0].id, created, "the new ticket shows without a key");
    assert_eq!(a.current_item(), Some(on), "the cursor stays on its item");
}

fn snaps(a: &mut App, name: &str) {
    assert_snapshot!(format!("{name}_80x24"), format!("{}", render(a, 80, 24).backend()));
    assert_snapshot!(format!("{name}_200x50"), format!("{}", render(a, 200, 50).backend()));
}

#[test]
fn new_screens_at_80x24_and_200x50() {
    let mut a = app(120);
    let t = thread(&mut a);
    snaps(&mut a, "inbox");
    keys(&mut a, "2");
    keys(&mut a, "/owner:alice sev:");
    snaps(&mut a, "search_with_a_problem");
    key(&mut a, KeyCode::Esc);
    keys(&mut a, "  ");
    snaps(&mut a, "two_rows_selected");
    keys(&mut a, "a");
    snaps(&mut a, "owner_picker_for_the_selection");
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Esc);
    keys(&mut a, "p");
    keys(&mut a, "card");
    snaps(&mut a, "part_picker_filtered");
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Esc);
    super::super::views::open_view(&mut a, &super::super::app::ViewChoice::NeedsResponse).unwrap();
    snaps(&mut a, "needs_response_view");
    super::super::triage::go_to(&mut a, &t.to_string()).unwrap();
    keys(&mut a, "GKK");
    snaps(&mut a, "thread_folded");
    keys(&mut a, "z");
    snaps(&mut a, "thread_unfolded");
    keys(&mut a, "F");
    snaps(&mut a, "forward_composer");
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Esc);
    keys(&mut a, "R");
    snaps(&mut a, "reply_all_composer");
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Esc);
    keys(&mut a, "5");
    snaps(&mut a, "dashboard");
    keys(&mut a, "?");
    snaps(&mut a, "help");
}

#[test]
fn unread_markers_are_per_member_cleared_by_a_read_and_set_by_customer_mail() {
    let mut a = app(60);
    keys(&mut a, "1");
    let first = rows(&a)[0].clone();
    assert!(first.unread, "customer mail nobody opened is unread");
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Esc);
    assert!(!rows(&a)[0].unread, "opening the item read it");
    a.refresh_all().unwrap();
    let again = rows(&a).into_iter().find(|r| r.id == first.id).unwrap();
    assert!(!again.unread, "and the store keeps the read");
    // For bilal it is still unread.
    let bilal = a.store.read().member_row("bilal").unwrap();
    let f = helpdesk::store::ItemFilter {
        kind: Some(Kind::Conversation),
        reader_row: Some(bilal),
        unread: true,
        ..Default::default()
    };
    assert!(a.store.read().list_all(&f, 500).unwrap().iter().any(|r| r.id == first.id));
    let row = a.store.read().item_row(first.id).unwrap();
    a.store
        .write(|w| {
            let mut m = NewMessage::internal(row, "x", "One more thing.", NOW + 60);
            m.channel = MsgChannel::Customer;
            m.direction = Direction::Inbound;
            m.from_addr = "someone@example.com".into();
            w.add_message(&m).map(|_| ())
        })
        .unwrap();
    a.refresh_all().unwrap();
    let again = rows(&a).into_iter().find(|r| r.id == first.id).unwrap();
    assert!(again.unread, "new customer mail sets the marker again");
    search(&mut a, "is:unread");
    assert!(rows(&a).iter().all(|r| r.unread));
}

#[test]
fn assigning_a_mixed_selection_starts_on_you_not_nobody() {
    let mut a = app(40);
    keys(&mut a, "2");
    keys(&mut a, "  ");
    let marked = a.list().marked.to_vec();
    let owners: std::collections::BTreeSet<_> = marked.iter().map(|r| a.store.read().item(*r).unwrap().owner).collect();
    assert!(marked.len() == 2 && owners.len() == 2, "two items of two owners: {owners:?}");
    keys(&mut a, "a");
    key(&mut a, KeyCode::Enter);
    for r in marked {
        assert_eq!(a.store.read().item(r).unwrap().owner.as_deref(), Some(a.user.as_str()), "{r}");
    }
}
