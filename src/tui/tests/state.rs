//! State tests: key sequences and actions through `update`, checked against the store.

use super::super::app::{Chosen, Modal, Pane, Target, ViewChoice};
use super::*;
use helpdesk::domain::{ItemRef, Kind};

pub(super) fn selected_ticket(a: &App) -> ItemRef {
    a.current_item().unwrap()
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
    assert!(d.lines.iter().any(|l| l.to_string().contains("waiting on user")));
    assert_eq!(a.store.read().outbox_pending().unwrap(), 1);
    let out = &a.store.read().outbox(None).unwrap()[0];
    assert_eq!(out.from_name, "Alice Moreau via Helpdesk Support", "a person and the mailbox, never a login");
    assert!(out.body.starts_with("Thanks!") && out.body.contains("wrote:\n> "), "quoted below: {}", out.body);
    // The status bar counts it at once, not at the worker's next report.
    assert_eq!(a.mail.outbox, 1);
    // A failed send stays said on the status bar while the worker is back to "online" between tries.
    let msg = out.message;
    a.store.write(|w| w.mark_failed(msg, "cannot connect to 127.0.0.1:2525", 1_767_225_600)).unwrap();
    super::super::update::on_mail(&mut a, helpdesk::mail::worker::Notice::State("online".into()));
    let screen = format!("{}", render(&mut a, 200, 50).backend());
    let status = screen.lines().next_back().unwrap_or_default().to_string();
    assert!(status.contains("outbox 1 (failing, next try 00:00: cannot connect to 127.0.0.1:2525)"), "{status}");
}

/// `r` answers the message being read: it is quoted and the reply threads under it; the view stays on it.
#[test]
fn reply_answers_the_message_being_read() {
    let mut a = app(60);
    let r = selected_ticket(&a);
    let row = a.store.read().item_row(r).unwrap();
    let later = helpdesk::store::NewMessage {
        channel: helpdesk::domain::MsgChannel::Customer,
        direction: helpdesk::domain::Direction::Inbound,
        message_id: Some("second@customer.example".into()),
        from_addr: "second@customer.example".into(),
        subject: "Re: more".into(),
        body: "SECOND-MESSAGE".into(),
        thread_reason: "test".into(),
        class: "person".into(),
        ..helpdesk::store::NewMessage::internal(row, "x", "", NOW)
    };
    a.store.write(|w| w.add_message(&later)).unwrap();
    key(&mut a, KeyCode::Enter);
    let inbound: Vec<helpdesk::store::Message> = a
        .store
        .read()
        .timeline(row, Some(helpdesk::domain::MsgChannel::Customer))
        .unwrap()
        .into_iter()
        .filter(|m| m.direction == helpdesk::domain::Direction::Inbound)
        .collect();
    assert!(inbound.len() >= 2, "the demo ticket has two customer messages: {}", inbound.len());
    let first = &inbound[0];
    let v = a.detail.last_mut().unwrap();
    let line = v.messages.iter().find(|m| m.1 == first.id).map(|m| m.0).expect("the first message is shown");
    v.scroll = line;
    keys(&mut a, "r");
    let Some(Modal::Compose(c)) = &a.modal else { panic!("{:?}", errors(&a)) };
    assert_eq!(c.answering, Some(first.id));
    let body = c.area.lines().join("\n");
    let first_line = first.body.lines().find(|l| !l.trim().is_empty()).unwrap();
    assert!(body.contains(&format!("> {}", first_line.trim_end())), "{body}");
    assert_eq!(a.detail.last().unwrap().scroll, line, "the view stays on the message answered");
    keys(&mut a, "Answering the first.");
    ctrl(&mut a, 's');
    assert!(a.modal.is_none(), "{:?}", errors(&a));
    let out = &a.store.read().outbox(None).unwrap()[0];
    assert_eq!(out.in_reply_to, first.message_id, "threads under the message answered");
}

/// `F` forwards the message under the cursor: To first, "Fwd:", its attachments named and carried; a file typed in
/// the Attach field goes along; the stage stays. A file that cannot be read keeps the composer open with the reason.
#[test]
fn forward_carries_attachments_and_attach_sends_a_file() {
    let mut a = app(60);
    let r = selected_ticket(&a);
    key(&mut a, KeyCode::Enter);
    let row = a.store.read().item_row(r).unwrap();
    let msg = a.store.read().messages(row, None).unwrap()[0].id;
    a.store.write(|w| w.add_attachment(msg, "trace.log", "text/plain", b"boom\n")).unwrap();
    let stage = a.store.read().item(r).unwrap().stage;
    key(&mut a, KeyCode::Char('g'));
    keys(&mut a, "F");
    let Some(Modal::Compose(c)) = &a.modal else { panic!("{:?}", errors(&a)) };
    assert_eq!(c.field, super::super::app::Field::To, "a forward starts at its addressee");
    assert!(c.subject.value().starts_with("Fwd: "), "{}", c.subject.value());
    assert_eq!(c.forward_of, Some((msg, vec!["trace.log".to_string()])));
    assert!(c.area.lines().join("\n").contains("---------- Forwarded message ----------"));
    keys(&mut a, "eng@example.org");
    key(&mut a, KeyCode::Tab);
    key(&mut a, KeyCode::Tab);
    key(&mut a, KeyCode::Tab);
    keys(&mut a, "/nonexistent/notes.txt");
    ctrl(&mut a, 's');
    assert!(matches!(a.modal, Some(Modal::Compose(_))), "an unreadable file keeps the composer open");
    assert!(errors(&a).iter().any(|e| e.contains("cannot attach /nonexistent/notes.txt")), "{:?}", errors(&a));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("notes.txt");
    std::fs::write(&file, "see row 7").unwrap();
    let Some(Modal::Compose(c)) = &mut a.modal else { panic!() };
    c.attach = tui_input::Input::new(file.display().to_string());
    ctrl(&mut a, 's');
    assert!(a.modal.is_none(), "{:?}", errors(&a));
    let out = a.store.read().outbox(None).unwrap();
    let sent = out.last().unwrap();
    assert_eq!(sent.to, vec!["eng@example.org".to_string()]);
    assert!(sent.in_reply_to.is_none());
    let names: Vec<String> = a.store.read().attachments(sent.message).unwrap().into_iter().map(|x| x.name).collect();
    assert_eq!(names, ["notes.txt", "trace.log"]);
    assert_eq!(a.store.read().item(r).unwrap().stage, stage, "a forward leaves the stage");
}

/// `ctrl-w` closes the composer and keeps the draft; the next reply brings it back.
#[test]
fn ctrl_w_closes_the_composer_and_keeps_the_draft() {
    let mut a = app(40);
    key(&mut a, KeyCode::Enter);
    let r = a.current_item().unwrap();
    keys(&mut a, "r");
    keys(&mut a, "Half a thought");
    ctrl(&mut a, 'w');
    assert!(a.modal.is_none(), "{:?}", errors(&a));
    let d = a.store.read().draft(r, &a.user, false).unwrap().expect("kept");
    assert!(d.body.starts_with("Half a thought"));
    keys(&mut a, "r");
    let Some(Modal::Compose(c)) = &a.modal else { panic!() };
    assert!(c.area.lines().join("\n").starts_with("Half a thought"));
}

#[test]
fn the_composer_is_addressed_keeps_drafts_and_survives_a_failed_send() {
    let mut a = app(60);
    key(&mut a, KeyCode::Enter);
    let r = a.current_item().unwrap();
    keys(&mut a, "r");
    let Some(Modal::Compose(c)) = &a.modal else { panic!("{:?}", errors(&a)) };
    let (to, subject) = (c.to.value().to_string(), c.subject.value().to_string());
    assert!(to.contains('@') && subject.starts_with("Re: "), "{to} / {subject}");
    keys(&mut a, "Half a thought");
    super::super::compose::autosave(&mut a);
    assert_eq!(a.store.read().draft(r, "alice", false).unwrap().unwrap().body.lines().next(), Some("Half a thought"));
    // Clear To: the send fails, says why, and nothing typed is lost.
    key(&mut a, KeyCode::Tab);
    for _ in 0..to.chars().count() {
        key(&mut a, KeyCode::Backspace);
    }
    ctrl(&mut a, 's');
    assert!(matches!(a.modal, Some(Modal::Compose(_))), "the composer stays open");
    assert!(errors(&a).iter().any(|e| e.contains("no customer address")), "{:?}", errors(&a));
    key(&mut a, KeyCode::Esc);
    assert!(matches!(a.modal, Some(Modal::Compose(_))), "one esc only warns");
    key(&mut a, KeyCode::Esc);
    assert!(a.modal.is_none());
    assert!(a.store.read().draft(r, "alice", false).unwrap().is_none(), "esc esc throws the draft away");
    // Closed by a crash or a quit instead: the draft comes back when the composer opens again.
    keys(&mut a, "r");
    keys(&mut a, "Kept");
    super::super::compose::autosave(&mut a);
    a.modal = None;
    keys(&mut a, "r");
    let Some(Modal::Compose(c)) = &a.modal else { panic!() };
    assert!(c.area.lines()[0].starts_with("Kept"), "{:?}", c.area.lines());
}

#[test]
fn without_a_sending_mailbox_the_tui_keeps_a_draft() {
    let mut a = app(60);
    a.cfg.mailbox.clear();
    key(&mut a, KeyCode::Enter);
    let r = a.current_item().unwrap();
    keys(&mut a, "r");
    keys(&mut a, "Soon");
    ctrl(&mut a, 's');
    assert!(errors(&a).iter().any(|e| e.contains("[mailbox.smtp]") && e.contains("draft")), "{:?}", errors(&a));
    assert!(matches!(a.modal, Some(Modal::Compose(_))), "the composer stays open with the text");
    assert_eq!(a.store.read().outbox_pending().unwrap(), 0, "nothing pretends to be queued");
    assert!(a.store.read().draft(r, "alice", false).unwrap().is_some());
}

#[test]
fn panes_switch_with_numbers_tab_and_clicks() {
    let mut a = app(30);
    keys(&mut a, "2");
    assert_eq!(a.pane, Pane::Tickets);
    key(&mut a, KeyCode::Tab);
    assert_eq!(a.pane, Pane::Issues);
    key(&mut a, KeyCode::BackTab);
    assert_eq!(a.pane, Pane::Tickets);
    keys(&mut a, "4");
    assert_eq!(a.pane, Pane::Contacts);
    assert!(a.list().total > 0);
    keys(&mut a, "5");
    assert!(a.stats.is_some());
    let click = |a: &mut App, column, row| {
        super::super::update::on_mouse(
            a,
            ratatui::crossterm::event::MouseEvent {
                kind: ratatui::crossterm::event::MouseEventKind::Down(ratatui::crossterm::event::MouseButton::Left),
                column,
                row,
                modifiers: KeyModifiers::NONE,
            },
        )
    };
    click(&mut a, 14, 0);
    assert_eq!(a.pane, Pane::Tickets);
    click(&mut a, 10, 7);
    assert_eq!(a.list().cursor, 4);
    super::super::update::on_mouse(
        &mut a,
        ratatui::crossterm::event::MouseEvent {
            kind: ratatui::crossterm::event::MouseEventKind::ScrollDown,
            column: 5,
            row: 5,
            modifiers: KeyModifiers::NONE,
        },
    );
    assert_eq!(a.list().cursor, 6);
}

#[test]
fn stage_menu_offers_only_legal_moves_and_undo_restores() {
    let mut a = app(40);
    keys(&mut a, "2");
    let mut guard = 0;
    while a.store.read().item(selected_ticket(&a)).unwrap().stage != "queued" {
        keys(&mut a, "j");
        guard += 1;
        assert!(guard < 40, "no queued ticket");
    }
    let t = selected_ticket(&a);
    keys(&mut a, "s");
    let Some(Modal::Menu { items, .. }) = &a.modal else { panic!("no menu") };
    let values: Vec<&str> = items
        .iter()
        .map(|i| match &i.then {
            Chosen::Stage(_, s) => s.as_str(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(values, vec!["work-in-progress", "canceled"]);
    // An illegal stage typed: the menu stays and the message names the legal ones.
    keys(&mut a, "resolved");
    key(&mut a, KeyCode::Enter);
    let said = a.toasts.back().map(|t| t.text.clone()).unwrap_or_default();
    assert!(said.contains("nothing matches 'resolved': the legal next stages are"), "{said}");
    assert!(said.contains("work in progress") && said.contains("cancel"), "{said}");
    assert!(matches!(a.modal, Some(Modal::Menu { .. })), "the menu stays open");
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.store.read().item(t).unwrap().stage, "work-in-progress");
    keys(&mut a, "u");
    assert_eq!(a.store.read().item(t).unwrap().stage, "queued");
    keys(&mut a, "s");
    keys(&mut a, "j");
    key(&mut a, KeyCode::Enter);
    assert!(matches!(a.modal, Some(Modal::Confirm { .. })), "canceling asks first");
    keys(&mut a, "n");
    assert_eq!(a.store.read().item(t).unwrap().stage, "queued");
}

/// Resolve the Inbox's first conversation: it and the item as it was before.
pub(super) fn resolve_first_in_inbox(a: &mut App) -> (ItemRef, helpdesk::store::Item) {
    keys(a, "1");
    let c = a.current_item().unwrap();
    let before = a.store.read().item(c).unwrap();
    let resolved = helpdesk::stage::AnyStage::Conversation(helpdesk::stage::ConversationStage::Resolved);
    super::super::items::set_stage(a, &[c], resolved).unwrap();
    (c, before)
}

/// Resolving a conversation that needs a response and undoing it gives the needs-response back: the customer stays
/// in the queue.
#[test]
fn undoing_a_resolve_keeps_the_customer_waiting() {
    let mut a = app(60);
    let (c, before) = resolve_first_in_inbox(&mut a);
    assert!(before.needs_response);
    assert!(!a.store.read().item(c).unwrap().needs_response);
    keys(&mut a, "u");
    let i = a.store.read().item(c).unwrap();
    assert_eq!((i.stage, i.needs_response), (before.stage, true), "{:?}", errors(&a));
}

/// `u` after making an item says it cannot be undone: it never reaches past it to an older change of another item
/// unasked; a second `u` does, and names the item it changed.
#[test]
fn undo_after_making_an_item_says_so_and_never_reverts_another_item_unasked() {
    let mut a = app(60);
    let (c, before) = resolve_first_in_inbox(&mut a);
    let part = a.store.read().parts().unwrap()[0].id;
    let made = super::super::items::create(&mut a, Kind::Ticket, "Made by hand", Some(part), None).unwrap();
    keys(&mut a, "u");
    assert!(errors(&a).iter().any(|e| e.contains(&format!("{made} created cannot be undone"))), "{:?}", errors(&a));
    assert_eq!(a.store.read().item(c).unwrap().stage, "resolved", "the older change stays");
    keys(&mut a, "u");
    assert_eq!(a.store.read().item(c).unwrap().stage, before.stage, "asked again: undone");
    assert!(a.toasts.back().is_some_and(|t| t.text.contains(&c.to_string())), "the toast names the item");
}

/// A search term that names nothing shows nothing (never the whole list under its label, where select-all would
/// change every row); `is:mine` is the member using the TUI.
#[test]
fn a_term_naming_nothing_lists_nothing_and_is_mine_is_me() {
    let mut a = app(120);
    keys(&mut a, "1/owner:bilall");
    key(&mut a, KeyCode::Enter);
    assert_eq!((a.list().total, a.list().rows.len()), (0, 0));
    keys(&mut a, "*");
    assert!(a.list().marked.is_empty(), "nothing to select");
    let screen = format!("{}", render(&mut a, 120, 30).backend());
    assert!(screen.contains("no member 'bilall'"), "the reason stays on screen:\n{screen}");
    key(&mut a, KeyCode::Esc);
    keys(&mut a, "/is:mine");
    key(&mut a, KeyCode::Enter);
    assert!(a.list().problems.is_empty(), "{:?}", a.list().problems);
    let mine = a.list().rows.len();
    assert!(
        mine > 0
            && a.list()
                .rows
                .iter()
                .all(|r| matches!(r, super::super::list::Row::Item(i) if i.owner.as_deref() == Some("alice")))
    );
}

/// A link made from a create form's similar work is undone by `u`, like one made with `l`.
#[test]
fn a_link_from_the_create_forms_suggestions_is_undone() {
    let mut a = app(120);
    keys(&mut a, "2");
    key(&mut a, KeyCode::Enter);
    let t = a.current_item().unwrap();
    keys(&mut a, "i");
    keys(&mut a, "card");
    key(&mut a, KeyCode::Down);
    ctrl(&mut a, 'r');
    let links = |a: &App| a.store.read().item(t).unwrap().links.len();
    let after = links(&a);
    assert!(errors(&a).is_empty() && after > 0, "{:?}", errors(&a));
    keys(&mut a, "u");
    assert_eq!(links(&a), after - 1, "{:?}", errors(&a));
}

#[test]
fn filter_as_you_type_and_clear() {
    let mut a = app(200);
    keys(&mut a, "2");
    let all = a.list().total;
    keys(&mut a, "/card");
    let some = a.list().total;
    assert!(some > 0 && some < all, "{some} of {all}");
    // Free words match the title, description, account, contact or any message of the item.
    for (_, row) in a.list().visible(20) {
        let super::super::list::Row::Item(i) = row else { panic!() };
        let item = a.store.read().item(i.id).unwrap();
        let messages = a.store.read().messages(item.row, None).unwrap();
        let text = format!(
            "{} {} {} {}",
            item.title,
            item.description,
            item.account_name.clone().unwrap_or_default(),
            messages.iter().map(|m| format!("{} {}", m.subject, m.body)).collect::<Vec<_>>().join(" ")
        );
        assert!(text.to_lowercase().contains("card"), "{}", item.title);
    }
    key(&mut a, KeyCode::Enter);
    assert!(a.filtering.is_none());
    assert_eq!(a.list().total, some);
    key(&mut a, KeyCode::Esc);
    assert_eq!(a.list().total, all);
}

#[test]
fn tag_assign_severity_link_and_undo() {
    let mut a = app(40);
    keys(&mut a, "2");
    let t = selected_ticket(&a);
    keys(&mut a, "t");
    keys(&mut a, "stalled");
    key(&mut a, KeyCode::Enter);
    assert!(a.store.read().item(t).unwrap().tags.contains(&"stalled".to_string()));
    // The owner picker offers the user first and selects the current owner: g goes to the user.
    keys(&mut a, "ag");
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.store.read().item(t).unwrap().owner.as_deref(), Some("alice"));
    let prev_sev = a.store.read().item(t).unwrap().severity;
    let (pick, want) = if prev_sev.map(|s| s.as_str()) == Some("blocker") { ("1", "low") } else { ("4", "blocker") };
    keys(&mut a, "v");
    keys(&mut a, pick);
    assert_eq!(a.store.read().item(t).unwrap().severity.map(|s| s.as_str()), Some(want));
    keys(&mut a, "l");
    keys(&mut a, "TKT-1");
    key(&mut a, KeyCode::Enter);
    let Some(Modal::Menu { items, .. }) = &a.modal else { panic!("{:?}", errors(&a)) };
    assert_eq!(items.len(), 3, "duplicate-of, related, blocks");
    key(&mut a, KeyCode::Enter);
    assert!(a.store.read().item(t).unwrap().links.iter().any(|l| l.rel == "duplicate-of" && l.id.num == 1));
    for _ in 0..4 {
        keys(&mut a, "u");
    }
    let i = a.store.read().item(t).unwrap();
    assert!(!i.tags.contains(&"stalled".to_string()));
    assert!(i.links.iter().all(|l| l.rel != "duplicate-of"));
    assert_eq!(i.severity, prev_sev);
}

#[test]
fn ticket_from_conversation_copies_and_links() {
    let mut a = app(40);
    let conv = selected_ticket(&a);
    assert_eq!(conv.kind, Kind::Conversation);
    let title = a.store.read().item(conv).unwrap().title;
    keys(&mut a, "c");
    assert!(matches!(a.modal, Some(Modal::Prompt { .. })));
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Enter);
    let Some(d) = a.detail.last() else { panic!("{:?}", errors(&a)) };
    let Target::Item(t) = d.target else { panic!() };
    let ticket = a.store.read().item(t).unwrap();
    assert_eq!((t.kind, ticket.title.as_str()), (Kind::Ticket, title.as_str()));
    assert!(ticket.links.iter().any(|l| l.id == conv));
    // The conversation's similar work does not offer the ticket made from it (it is under Links), neither from the
    // word search nor from the search by meaning, whose answer comes from the jobs thread.
    let by_meaning = helpdesk::similar::Suggestion {
        id: t,
        row: ticket.row,
        kind: Kind::Ticket,
        stage: ticket.stage,
        title: ticket.title.clone(),
        score: 1.0,
        reason: "meaning 1.00".into(),
    };
    for similar in [super::super::detail::Similar::Inline, super::super::detail::Similar::Found(vec![by_meaning])] {
        let opts = super::super::app::ViewOpts { width: 80, ..Default::default() };
        let d = super::super::detail::build(
            &a.store,
            Target::Item(conv),
            super::super::app::MsgTab::Customer,
            None,
            similar,
            opts,
        );
        let d = d.unwrap();
        assert!(d.similar.iter().all(|s| s.2 != t), "{:?}", d.similar);
    }
}

#[test]
fn create_form_suggests_and_links_instead_of_creating() {
    let mut a = app(200);
    let conv = selected_ticket(&a);
    let before =
        a.store.read().count(&helpdesk::store::ItemFilter { kind: Some(Kind::Ticket), ..Default::default() }).unwrap();
    keys(&mut a, "c");
    let Some(Modal::Prompt { similar, .. }) = &a.modal else { panic!() };
    assert!(!similar.is_empty(), "suggestions for the conversation's own title");
    let target = similar.iter().find(|s| s.kind == Kind::Ticket).map(|s| s.id);
    let Some(target) = target else { return };
    while let Some(Modal::Prompt { similar, pick, .. }) = &a.modal {
        if pick.and_then(|p| similar.get(p)).map(|s| s.id) == Some(target) {
            break;
        }
        key(&mut a, KeyCode::Down);
    }
    ctrl(&mut a, 'd');
    let after =
        a.store.read().count(&helpdesk::store::ItemFilter { kind: Some(Kind::Ticket), ..Default::default() }).unwrap();
    assert_eq!(before, after, "nothing created");
    assert!(a.store.read().item(conv).unwrap().links.iter().any(|l| l.id == target && l.rel == "ticket"));
}

#[test]
fn similar_feedback_changes_the_detail_view() {
    let mut a = app(300);
    keys(&mut a, "2");
    key(&mut a, KeyCode::Enter);
    let (line, _, first) = a.detail.last().unwrap().similar[0];
    a.detail.last_mut().unwrap().scroll = line;
    keys(&mut a, "-");
    assert!(errors(&a).is_empty(), "{:?}", errors(&a));
    assert!(a.detail.last().unwrap().similar.iter().all(|s| s.2 != first), "rejected suggestion is gone");
    let (line, _, second) = a.detail.last().unwrap().similar[2];
    a.detail.last_mut().unwrap().scroll = line;
    keys(&mut a, "+");
    assert_eq!(a.detail.last().unwrap().similar[0].2, second, "accepted suggestion ranks first");
}

#[test]
fn palette_runs_actions_by_name() {
    let mut a = app(30);
    keys(&mut a, ":");
    keys(&mut a, "dashbo");
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.pane, Pane::Dashboard);
    keys(&mut a, ":");
    keys(&mut a, "quit");
    key(&mut a, KeyCode::Enter);
    assert!(a.quit);
}

#[test]
fn esc_closes_the_open_thing_first_and_q_quits() {
    let mut a = app(30);
    key(&mut a, KeyCode::Enter);
    keys(&mut a, "?");
    key(&mut a, KeyCode::Esc);
    assert!(a.modal.is_none() && !a.detail.is_empty());
    key(&mut a, KeyCode::Esc);
    assert!(a.detail.is_empty());
    keys(&mut a, "q");
    assert!(a.quit);
}

#[test]
fn views_save_and_open_and_trackers() {
    let mut a = app(80);
    keys(&mut a, "2/card");
    key(&mut a, KeyCode::Enter);
    let n = a.list().total;
    keys(&mut a, "W");
    keys(&mut a, "cards");
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Esc);
    keys(&mut a, "1V");
    let Some(Modal::Menu { items, .. }) = &a.modal else { panic!() };
    let idx = items.iter().position(|i| i.then == Chosen::OpenView(ViewChoice::Saved("cards".into()))).unwrap();
    for _ in 0..idx {
        keys(&mut a, "j");
    }
    key(&mut a, KeyCode::Enter);
    assert_eq!((a.pane, a.list().total), (Pane::Tickets, n));
    keys(&mut a, "V");
    key(&mut a, KeyCode::Enter);
    let active = a.list().total;
    let all =
        a.store.read().count(&helpdesk::store::ItemFilter { kind: Some(Kind::Ticket), ..Default::default() }).unwrap()
            as usize;
    assert!(active > 0 && active < all);
}

#[test]
fn export_writes_the_current_view() {
    let mut a = app(40);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.csv");
    keys(&mut a, "2e");
    key(&mut a, KeyCode::Enter);
    if let Some(Modal::Prompt { input, .. }) = &mut a.modal {
        *input = tui_input::Input::new(path.display().to_string());
    }
    key(&mut a, KeyCode::Enter);
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.lines().count(), 41, "header + 40 tickets");
}

#[test]
fn key_overrides_from_config() {
    let mut store = helpdesk::Store::open_in_memory().unwrap();
    helpdesk::demo::generate_at(&mut store, 20, NOW, &mut |_, _| {}).unwrap();
    let mut cfg = helpdesk::config::Config::default();
    cfg.keys.insert("quit".into(), "x".into());
    let mut a = super::super::new_app(store, &cfg, (100, 30)).unwrap();
    keys(&mut a, "q");
    assert!(!a.quit);
    keys(&mut a, "x");
    assert!(a.quit);
}

#[test]
fn scrolling_100k_style_windows() {
    let mut a = app(1500);
    keys(&mut a, "2G");
    assert_eq!(a.list().cursor, a.list().total - 1);
    let last = selected_ticket(&a);
    assert_eq!(last.num, 1, "oldest ticket last");
    keys(&mut a, "k");
    assert_eq!(selected_ticket(&a).num, 2);
    keys(&mut a, "g");
    assert_eq!(selected_ticket(&a).num, 1500);
    for _ in 0..30 {
        ctrl(&mut a, 'd');
    }
    let c = a.list().cursor;
    assert_eq!(selected_ticket(&a).num as usize, 1500 - c);
}

#[test]
fn opening_an_item_does_not_wait_for_similar_work() {
    let mut a = app(100);
    keys(&mut a, "2");
    super::super::update::on_key(&mut a, KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    let d = a.detail.last().unwrap();
    assert!(d.similar_pending && d.similar.is_empty());
    assert!(d.lines.iter().any(|l| l.to_string().contains("looking…")));
    assert!(a.settle());
    let d = a.detail.last().unwrap();
    assert!(!d.similar_pending && !d.similar.is_empty());
    assert!(!a.settle(), "nothing left to do");
}

/// A word of the tickets' messages that finds more tickets in full (message text too) than quick (their own words),
/// and at least two quick (with `newer_first`: the quick match's first row is within the full match's first page,
/// below newer rows); and the full match's rows, newest first.
pub(super) fn word_found_more_in_full(a: &App, newer_first: bool) -> (String, Vec<i64>) {
    use helpdesk::store::ItemFilter;
    let r = a.store.read();
    let tickets = r.list_all(&ItemFilter { kind: Some(helpdesk::domain::Kind::Ticket), ..Default::default() }, 400);
    let rows = |text: &str, quick: bool| -> Vec<i64> {
        let f = ItemFilter {
            kind: Some(helpdesk::domain::Kind::Ticket),
            text: Some(text.into()),
            quick,
            ..Default::default()
        };
        r.list_all(&f, 10_000).unwrap().iter().map(|i| i.row).collect()
    };
    let word = tickets
        .unwrap()
        .iter()
        .flat_map(|t| r.messages(t.row, None).unwrap())
        .flat_map(|m| m.body.split(|c: char| !c.is_ascii_alphabetic()).map(str::to_lowercase).collect::<Vec<_>>())
        .filter(|w| w.len() >= 5)
        .find(|w| {
            let (q, f) = (rows(w, true), rows(w, false));
            q.len() >= 2 && f.len() > q.len() && (!newer_first || f.iter().take(20).skip(1).any(|r| *r == q[0]))
        })
        .expect("a word found in more tickets by their messages than by their own words");
    let full = rows(&word, false);
    (word, full)
}

/// The newest count the list asked of the jobs thread.
pub(super) fn asked_count(rx: &std::sync::mpsc::Receiver<super::super::jobs::Job>) -> super::super::jobs::Job {
    use super::super::jobs::Job;
    rx.try_iter().filter(|j| matches!(j, Job::Count { .. })).last().expect("a count was asked")
}

/// Answer a count as the jobs thread would, with the full match's first rows: the number counted.
pub(super) fn answer(a: &mut App, job: super::super::jobs::Job) -> usize {
    let super::super::jobs::Job::Count { list, seq, filter, cap, first } = job else {
        panic!("not a count");
    };
    assert!(!filter.quick && first > 0, "the jobs thread gets the full filter and reads its first rows");
    let r = a.store.read();
    let rows = r.list(&filter, helpdesk::store::Page::default(), first).unwrap();
    let n = r.count_upto(&filter, cap).unwrap() as usize;
    a.on_count(list, seq, Ok(n), Some(rows));
    n
}

/// Answer the newest count the list asked of the jobs thread.
pub(super) fn answer_count(a: &mut App, rx: &std::sync::mpsc::Receiver<super::super::jobs::Job>) {
    answer(a, asked_count(rx));
}

/// A filter keystroke shows the matches in the items' own words at once; the full match (message text too) comes
/// from the jobs thread and replaces the rows with the row under the cursor kept under it.
#[test]
fn the_full_match_follows_a_quick_one_without_moving_the_cursor_row() {
    let mut a = app(300);
    let (word, full) = word_found_more_in_full(&a, false);
    let (tx, rx) = std::sync::mpsc::channel();
    a.jobs = Some(tx);
    keys(&mut a, &format!("2/{word}"));
    assert!(a.list().quick, "the keystroke shows the quick match");
    keys(&mut a, "\n");
    key(&mut a, KeyCode::Down);
    let under = a.list().selected_item().map(|i| i.row).unwrap();
    let line = a.list().cursor - a.list().offset;
    answer_count(&mut a, &rx);
    let l = a.list();
    assert!(!l.quick);
    assert_eq!(l.total, full.len());
    assert_eq!(l.selected_item().map(|i| i.row), Some(under), "the row under the cursor stays");
    assert_eq!(l.cursor - l.offset, line, "on the same line of the screen");
    let shown: Vec<i64> = l
        .rows
        .iter()
        .filter_map(|r| match r {
            super::super::list::Row::Item(i) => Some(i.row),
            _ => None,
        })
        .collect();
    assert_eq!(shown, full.iter().copied().take(shown.len()).collect::<Vec<_>>());
}

#[test]
fn slow_queries_go_to_the_jobs_thread_and_stale_answers_are_dropped() {
    use super::super::jobs::Job;
    let mut a = app(2000);
    let (tx, rx) = std::sync::mpsc::channel();
    a.jobs = Some(tx);
    keys(&mut a, "2/card");
    let l = a.list();
    assert!(l.counting.is_some() && l.total == l.rows.len(), "{:?} {}", l.counting, l.total);
    let screen = a.list_height();
    assert!(l.rows.len() > screen && l.rows.len() <= (screen + 1).max(24), "a screenful read: {}", l.rows.len());
    let counts: Vec<(usize, u64, helpdesk::store::ItemFilter, i64)> = rx
        .try_iter()
        .filter_map(|j| match j {
            Job::Count { list, seq, filter, cap, .. } => Some((list, seq, filter, cap)),
            Job::Stats(_) | Job::Similar { .. } | Job::Blend { .. } => None,
        })
        .collect();
    assert!(counts.len() >= 2, "one count per keystroke that filled a page: {}", counts.len());
    let (list, seq, filter, cap) = counts.last().unwrap().clone();
    assert_eq!(filter.text.as_deref(), Some("card"));
    let exact = a.store.read().count_upto(&filter, cap).unwrap() as usize;
    a.on_count(counts[0].0, counts[0].1, Ok(1), None);
    assert!(a.list().counting.is_some(), "an answer for an older filter is dropped");
    a.on_count(list, seq, Ok(exact), None);
    assert_eq!((a.list().total, a.list().counting), (exact, None));
    key(&mut a, KeyCode::Enter);
    let screen = format!("{}", render(&mut a, 100, 30).backend());
    let shown = if exact >= super::super::list::CAP { format!("/{exact}+ items") } else { format!("/{exact} items") };
    assert!(screen.contains(&shown), "status shows the count:\n{screen}");

    key(&mut a, KeyCode::Esc);
    keys(&mut a, "5");
    assert!(a.stats_pending && a.stats.is_none(), "the dashboard opens before its figures");
    let asked: Vec<Job> = rx.try_iter().collect();
    assert!(matches!(asked.last(), Some(Job::Stats(NOW))));
    let figures = helpdesk::stats::compute(&a.store.read(), NOW, 30).unwrap();
    a.on_stats(Ok(figures));
    assert!(a.stats.is_some() && !a.stats_pending);
}

#[test]
fn similar_work_of_an_open_ticket_comes_from_the_jobs_thread() {
    use super::super::jobs::Job;
    let mut a = app(300);
    let (tx, rx) = std::sync::mpsc::channel();
    a.jobs = Some(tx);
    keys(&mut a, "2");
    key(&mut a, KeyCode::Enter);
    let text = |a: &App| a.detail.last().unwrap().lines.iter().map(|l| l.to_string()).collect::<Vec<_>>().join("\n");
    assert!(text(&a).contains("looking…"), "the view opens before its similar work");
    let Some(Job::Similar { seq, query }) = rx.try_iter().last() else { panic!("no similar-work job") };
    let found = helpdesk::similar::find(&a.store.read(), &query, 5).unwrap();
    assert!(!found.is_empty());
    a.on_similar(seq + 1, Ok(vec![]));
    assert!(text(&a).contains("looking…"), "an answer for another view is dropped");
    a.on_similar(seq, Ok(found.clone()));
    let shown = text(&a);
    assert!(!shown.contains("looking…") && shown.contains(&found[0].id.to_string()), "{shown}");
    assert!(!a.detail.last().unwrap().similar_pending);
}

#[test]
fn the_next_page_loads_after_the_frame_before_the_cursor_needs_it() {
    let mut a = app(600);
    keys(&mut a, "2");
    let loaded = a.list().rows.len();
    assert!(loaded < 600, "the first page is a part of the list: {loaded}");
    for _ in 0..loaded.saturating_sub(a.list_height()) {
        keys(&mut a, "j");
    }
    assert!(a.list().rows.len() > loaded, "more rows were loaded while idle: {}", a.list().rows.len());
    let before = a.list().rows.len();
    let cursor = a.list().cursor;
    keys(&mut a, "j");
    assert_eq!((a.list().cursor, a.list().rows.len()), (cursor + 1, before), "the key itself loaded nothing");
}

#[test]
fn a_new_filter_starts_at_its_first_match_and_scrolls_past_the_first_page_before_its_count() {
    let mut a = app(2000);
    let (tx, _rx) = std::sync::mpsc::channel();
    a.jobs = Some(tx);
    keys(&mut a, "2jjjjj");
    assert_eq!(a.list().cursor, 5);
    keys(&mut a, "/card");
    assert_eq!(a.list().cursor, 0, "other rows: the cursor is on the first match");
    assert!(a.list().counting.is_some(), "the count was left to the jobs thread");
    key(&mut a, KeyCode::Enter);
    let first = a.list().rows.len();
    for _ in 0..first + 5 {
        keys(&mut a, "j");
    }
    assert_eq!(a.list().cursor, first + 5, "the cursor went past the first page while the count was pending");
}

#[test]
fn the_issue_form_lists_issues_first() {
    let mut a = app(300);
    keys(&mut a, "2i");
    keys(&mut a, "card payment declined transfer");
    let Some(Modal::Prompt { similar, .. }) = &a.modal else { panic!("no issue form") };
    let kinds: Vec<Kind> = similar.iter().map(|s| s.kind).collect();
    assert!(kinds.contains(&Kind::Issue), "{kinds:?}");
    let first_ticket = kinds.iter().position(|k| *k != Kind::Issue).unwrap_or(kinds.len());
    assert!(kinds[first_ticket..].iter().all(|k| *k != Kind::Issue), "issues first: {kinds:?}");
    assert_eq!(super::super::similar::searched_kinds(Kind::Issue), [Kind::Issue, Kind::Ticket]);
}

#[test]
fn the_blended_list_replaces_the_lexical_one_without_moving_the_picked_row() {
    use super::super::jobs::Job;
    let mut a = app(300);
    let (tx, rx) = std::sync::mpsc::channel();
    a.jobs = Some(tx);
    keys(&mut a, "2i");
    keys(&mut a, "card declined payment");
    key(&mut a, KeyCode::Down);
    key(&mut a, KeyCode::Down);
    let Some(Job::Blend { seq, query }) = rx.try_iter().filter(|j| matches!(j, Job::Blend { .. })).last() else {
        panic!("no blended-list job")
    };
    let Some(Modal::Prompt { similar, pick: Some(1), .. }) = &a.modal else { panic!("second row picked") };
    let held = similar[1].id;
    let mut store = helpdesk::Store::open_in_memory().unwrap();
    std::mem::swap(&mut store, &mut a.store);
    helpdesk::similar::fill_vectors(&mut store, 500, &|| true).unwrap();
    let mut v = helpdesk::similar::Vectors::default();
    v.refresh(&store.read()).unwrap();
    assert!(!v.is_empty());
    let mut blended =
        helpdesk::similar::hybrid(&store.read(), &query, &v, &helpdesk::similar::Finder::default(), 5).unwrap();
    std::mem::swap(&mut store, &mut a.store);
    blended.retain(|s| s.id != held);
    super::super::similar::on_blend(&mut a, seq + 1, Ok(vec![]));
    let Some(Modal::Prompt { similar, .. }) = &a.modal else { panic!() };
    assert!(!similar.is_empty(), "an answer to an older keystroke is dropped");
    super::super::similar::on_blend(&mut a, seq, Ok(blended.clone()));
    let Some(Modal::Prompt { similar, pick, .. }) = &a.modal else { panic!() };
    assert_eq!((similar[1].id, *pick), (held, Some(1)), "the picked row stays under the cursor");
    assert!(similar.iter().any(|s| s.id == blended[0].id), "{similar:#?}");
}

/// On a new help desk the first ticket asks for the first product part's name and keeps its title.
#[test]
fn the_first_ticket_names_the_first_part() {
    let mut a = app_on(helpdesk::Store::open_in_memory().unwrap());
    keys(&mut a, "2n");
    keys(&mut a, "Printer jams");
    key(&mut a, KeyCode::Enter);
    let Some(Modal::Prompt { title, .. }) = &a.modal else { panic!("no part prompt: {:?}", errors(&a)) };
    assert!(title.contains("No product part yet") && title.contains("Printer jams"), "{title}");
    keys(&mut a, "Office suite");
    key(&mut a, KeyCode::Enter);
    assert!(errors(&a).is_empty(), "{:?}", errors(&a));
    let d = a.detail.last().expect("the ticket is open");
    let Target::Item(t) = d.target else { panic!() };
    let item = a.store.read().item(t).unwrap();
    assert_eq!((t.kind, item.title.as_str()), (Kind::Ticket, "Printer jams"));
    assert_eq!(item.part_name.as_deref(), Some("Office suite"));
}

/// Whoever runs the TUI joins the help desk's members on the first start, once.
#[test]
fn the_user_joins_the_members() {
    let mut store = helpdesk::Store::open_in_memory().unwrap();
    let mut cfg = helpdesk::config::Config::default();
    cfg.me.login = Some("zoe".into());
    cfg.me.name = Some("Zoe Zhang".into());
    if std::env::var("HELPDESK_USER").is_ok() {
        return;
    }
    super::super::join_as_member(&mut store, &cfg);
    super::super::join_as_member(&mut store, &cfg);
    let members = store.read().members().unwrap();
    let zoe: Vec<_> = members.iter().filter(|m| m.login == "zoe").collect();
    assert_eq!(zoe.len(), 1);
    assert_eq!(zoe[0].name, "Zoe Zhang");
    // Nobody named (no HELPDESK_USER, [me] login or $USER): the TUI acts as "me", and "me" is a member, so that
    // is:mine, is:unread and the assign menu's "you" work.
    super::super::join_as(&mut store, &helpdesk::config::Config::default(), "me");
    assert!(store.read().member_row("me").is_ok());
}

/// Undoing an assignment takes back the notice it sent, and the undo itself tells no one.
#[test]
fn undoing_an_assignment_withdraws_its_notice() {
    let mut a = app(40);
    keys(&mut a, "2");
    let t = selected_ticket(&a);
    let prev = a.store.read().item(t).unwrap().owner;
    let by = a.by();
    let who = if prev.as_deref() == Some("bilal") { "chen" } else { "bilal" };
    let unread = |a: &App, who: &str| a.store.read().unread_notifications(who).unwrap();
    let (before, theirs) = (unread(&a, who), prev.as_deref().map(|p| unread(&a, p)));
    a.store.write(|w| w.assign(t, Some(who), &by).map(|_| ())).unwrap();
    assert_eq!(unread(&a, who), before + 1);
    a.undo.push(super::super::app::Undo::Assign { item: t, prev: prev.clone() });
    keys(&mut a, "u");
    assert!(errors(&a).is_empty(), "{:?}", errors(&a));
    assert_eq!(a.store.read().item(t).unwrap().owner, prev);
    assert_eq!(unread(&a, who), before, "the notice is taken back");
    if let (Some(p), Some(n)) = (prev.as_deref(), theirs) {
        assert_eq!(unread(&a, p), n, "{p} is not told of getting it back");
    }
}

/// A long message is shown whole above the status line at 80 columns, and the key hints stay readable.
#[test]
fn a_long_toast_wraps_above_the_hints_instead_of_covering_them() {
    let mut a = app(20);
    let long = "not sent, kept as your draft of CONV-951: no mailbox can send the reply (add a [[mailbox]] with \
                [mailbox.smtp] to the config, see `helpdesk config path`)";
    a.error(long);
    a.size = (80, 24);
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
    t.draw(|f| super::super::ui::draw(f, &a)).unwrap();
    let rows: Vec<String> =
        format!("{}", t.backend()).lines().map(|l| l.trim_matches('"').trim().to_string()).collect();
    let joined = rows.join(" ");
    assert!(joined.contains("(add a [[mailbox]] with [mailbox.smtp]"), "{rows:#?}");
    assert!(joined.contains("`helpdesk config path`)"), "the end of it too: {rows:#?}");
    let status = rows[23].clone();
    assert!(!status.contains("not sent"), "the status line keeps its hints: {status}");
}

/// A database that was not closed cleanly is checked after the start; once it passes, whoever runs the TUI joins.
#[test]
fn the_user_joins_once_the_deferred_check_passes() {
    let mut a = app(10);
    a.user = "zed".into();
    assert!(a.store.read().member_row("zed").is_err());
    super::super::handle(&mut a, super::super::Event::Health(Ok(())));
    assert!(a.store.read().member_row("zed").is_ok());
}

/// `G` while a filtered list is still counted goes to the last loaded row, then to the true last row when the count
/// comes; a move made in between wins.
#[test]
fn bottom_pressed_while_counting_reaches_the_true_last_row() {
    let mut a = app(2000);
    let (tx, rx) = std::sync::mpsc::channel();
    a.jobs = Some(tx);
    keys(&mut a, "2/card");
    key(&mut a, KeyCode::Enter);
    let loaded = a.list().rows.len();
    assert!(a.list().counting.is_some());
    key(&mut a, KeyCode::End);
    assert_eq!(a.list().cursor, loaded - 1, "the last row loaded, for now");
    answer_count(&mut a, &rx);
    let l = a.list();
    assert!(l.total > loaded, "more rows than loaded: {} {loaded}", l.total);
    assert_eq!(l.cursor, l.total - 1, "the true last row once counted");
    assert!(l.selected_item().is_some(), "and it is loaded");

    keys(&mut a, "/s");
    key(&mut a, KeyCode::Enter);
    assert!(a.list().counting.is_some());
    key(&mut a, KeyCode::End);
    key(&mut a, KeyCode::Up);
    let at = a.list().cursor;
    answer_count(&mut a, &rx);
    assert_eq!(a.list().cursor, at, "a move after the last row was asked for wins");
}

/// A write elsewhere reloads a list whose count is on its way: the count asked for is awaited, not asked again (a
/// desk written to every few seconds never saw a slow count end).
#[test]
fn a_reload_for_a_write_elsewhere_keeps_the_count_asked_for() {
    use super::super::jobs::Job;
    let mut a = app(2000);
    let (tx, rx) = std::sync::mpsc::channel();
    a.jobs = Some(tx);
    keys(&mut a, "2/card");
    key(&mut a, KeyCode::Enter);
    let job = asked_count(&rx);
    let Job::Count { seq, .. } = job else { unreachable!("asked_count gives counts") };
    a.reload_changed().unwrap();
    assert_eq!(a.list().counting, Some(seq), "still awaiting the same count");
    assert!(!rx.try_iter().any(|j| matches!(j, Job::Count { .. })), "not asked again");
    let n = answer(&mut a, job);
    assert_eq!((a.list().total, a.list().counting), (n, None));
    // Another filter is counted anew.
    keys(&mut a, "/s");
    assert!(rx.try_iter().any(|j| matches!(j, Job::Count { .. })));
}
