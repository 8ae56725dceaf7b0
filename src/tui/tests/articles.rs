//! Knowledge articles in the TUI: suggested in item views and the reply composer, inserted with one key, rated.

use super::super::app::Modal;
use super::*;
use helpdesk::store::NewArticle;

/// A demo app with an article written for the selected ticket's request, and one about something else.
fn with_articles() -> (App, helpdesk::domain::ItemRef, helpdesk::domain::ArticleId) {
    let mut a = app(60);
    let r = a.current_item().unwrap();
    let title = a.store.read().item(r).unwrap().title;
    let (good, _) = a
        .store
        .write(|w| {
            let good = w.put_article(
                &NewArticle {
                    title: format!("How we answer: {title}"),
                    body: format!("When a customer writes \"{title}\", check the account first.\nSTEP-MARKER"),
                    ..Default::default()
                },
                NOW,
            )?;
            let other = w.put_article(
                &NewArticle {
                    title: "Quarterly tax forms for small breweries".into(),
                    body: "Excise filing deadlines.".into(),
                    ..Default::default()
                },
                NOW,
            )?;
            Ok((good.0, other.0))
        })
        .unwrap();
    (a, r, good)
}

#[test]
fn a_ticket_view_suggests_its_article_and_a_thumbs_down_removes_it() {
    let (mut a, r, good) = with_articles();
    key(&mut a, KeyCode::Enter);
    let d = a.detail.last().unwrap();
    assert_eq!(d.target, super::super::app::Target::Item(r));
    let text: Vec<String> = d.lines.iter().map(|l| l.to_string()).collect();
    assert!(text.iter().any(|l| l.contains("Knowledge articles")), "{text:#?}");
    let Some(&(line, id)) = d.articles.first() else { panic!("no article suggested: {text:#?}") };
    assert_eq!(id, good);
    assert!(!text.iter().any(|l| l.contains("breweries")), "an unrelated article stays out");
    a.detail.last_mut().unwrap().scroll = line;
    keys(&mut a, "-");
    assert!(errors(&a).is_empty(), "{:?}", errors(&a));
    assert!(a.detail.last().unwrap().articles.iter().all(|(_, x)| *x != good), "👎 removes it from this item");
    let row = a.store.read().item_row(r).unwrap();
    assert_eq!(a.store.read().article_feedback(row).unwrap(), [(good, false)]);
}

#[test]
fn ctrl_k_in_the_reply_inserts_the_article() {
    let (mut a, _, good) = with_articles();
    key(&mut a, KeyCode::Enter);
    keys(&mut a, "r");
    let Some(Modal::Compose(c)) = &a.modal else { panic!("no composer: {:?}", errors(&a)) };
    assert_eq!(c.articles.first().map(|x| x.id), Some(good));
    assert!(!c.area.lines().join("\n").contains("STEP-MARKER"));
    ctrl(&mut a, 'k');
    let Some(Modal::Compose(c)) = &a.modal else { panic!("the composer stays open") };
    let body = c.area.lines().join("\n");
    assert!(body.contains("STEP-MARKER") && body.contains(&good.to_string()), "{body}");
    assert!(errors(&a).is_empty(), "{:?}", errors(&a));
    assert_eq!(a.keymap.key_for(super::super::action::Action::InsertArticle).as_deref(), Some("ctrl-k"));
}

/// With no article to insert, ctrl-k says so and the composer stays open with what was typed.
#[test]
fn ctrl_k_with_no_article_keeps_the_reply() {
    let mut a = app(60);
    key(&mut a, KeyCode::Enter);
    keys(&mut a, "r");
    keys(&mut a, "TYPED-TEXT");
    ctrl(&mut a, 'k');
    let Some(Modal::Compose(c)) = &a.modal else { panic!("the composer was closed: {:?}", errors(&a)) };
    assert!(c.area.lines().join("\n").contains("TYPED-TEXT"));
    assert!(errors(&a).iter().any(|e| e.contains("no knowledge article matches")), "{:?}", errors(&a));
}
