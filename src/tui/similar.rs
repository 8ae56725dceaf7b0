//! Similar work in the TUI: the panel under a create form, updated on every keystroke, and 👍/👎 in detail views.

use super::app::{App, Modal, PromptPurpose, Target};
use anyhow::{Result, bail};
use helpdesk::domain::{ItemRef, Kind, LinkRel};
use helpdesk::similar::Query;

/// Recompute the suggestions of an open create prompt from its current title.
pub fn refresh_prompt(app: &mut App) -> Result<()> {
    let Some(Modal::Prompt { input, purpose: PromptPurpose::NewTitle(kind, parent), similar, pick, .. }) =
        &mut app.modal
    else {
        return Ok(());
    };
    let kind = *kind;
    let kinds = searched_kinds(kind);
    let mut q = Query { title: input.value().to_string(), kinds, typing: true, now: app.clock, ..Default::default() };
    if let Some(p) = parent {
        let i = app.store.read().item(*p)?;
        q.item_row = Some(i.row);
        q.account_row = i.account.map(|a| a.0);
        q.contact_row = i.contact.map(|c| c.0);
    }
    let (finder, store) = (&app.finder, &app.store);
    *similar = helpdesk::similar::kind_first(&q, |q| finder.find(&store.read(), q, SHOWN))?;
    *pick = pick.filter(|p| *p < similar.len());
    // The blended list follows from the jobs thread once the keys settle.
    if app.jobs.is_some() {
        app.similar_seq += 1;
        app.blend_seq = Some(app.similar_seq);
        app.queued.push(super::jobs::Job::Blend { seq: app.similar_seq, query: q });
    }
    Ok(())
}

/// The kinds a create form searches: its own kind first.
pub fn searched_kinds(kind: Kind) -> Vec<Kind> {
    match kind {
        Kind::Ticket => vec![Kind::Ticket, Kind::Conversation],
        Kind::Issue => vec![Kind::Issue, Kind::Ticket],
        k => vec![k],
    }
}

/// Rows of the similar-work panel.
const SHOWN: usize = helpdesk::similar::SHOWN;

/// The blended list for the open create form, if it answers the latest keystroke: the item under the cursor keeps
/// its row.
pub fn on_blend(app: &mut App, seq: u64, found: std::result::Result<Vec<helpdesk::similar::Suggestion>, String>) {
    if app.blend_seq != Some(seq) {
        return;
    }
    let Some(Modal::Prompt { purpose: PromptPurpose::NewTitle(..), similar, pick, .. }) = &mut app.modal else {
        return;
    };
    let found = match found {
        Ok(f) => f,
        Err(e) => return app.error(format!("similar work: {e}")),
    };
    *similar = keep_cursor_row(similar, found, *pick);
}

/// `new`, with the suggestion at row `pick` of `old` put back at that row.
fn keep_cursor_row(
    old: &[helpdesk::similar::Suggestion],
    mut new: Vec<helpdesk::similar::Suggestion>,
    pick: Option<usize>,
) -> Vec<helpdesk::similar::Suggestion> {
    let Some((p, held)) = pick.and_then(|p| old.get(p).map(|s| (p, s.clone()))) else { return new };
    new.retain(|s| s.row != held.row);
    new.insert(p.min(new.len()), held);
    new.truncate(old.len().max(SHOWN));
    new
}

/// Act on the picked suggestion of a create prompt instead of creating: open it, or link the source item to it.
pub fn use_pick(app: &mut App, rel: Option<LinkRel>) -> Result<()> {
    let Some(Modal::Prompt { purpose: PromptPurpose::NewTitle(_, parent), similar, pick, .. }) = &app.modal else {
        return Ok(());
    };
    let Some(s) = pick.and_then(|p| similar.get(p)).cloned() else { bail!("pick a suggestion first (↓)") };
    let parent = *parent;
    let form = app.modal.take();
    match (rel, parent) {
        (Some(rel), Some(src)) => {
            let rel = natural_rel(src, s.id, rel);
            let b = app.by();
            let ((new, auto), edited) =
                super::team::edit(app, &[src], |w| Ok((w.link(src, s.id, rel, &b)?, w.take_auto_moves())))?;
            if new {
                // `u` undoes this link, like one made with `l`.
                super::team::push_undo(app, vec![super::app::Undo::Link { from: src, to: s.id, rel, auto }], edited);
            }
            app.toast(format!("not created: {src} linked to the existing {} ({rel})", s.id));
            app.refresh_all()?;
        }
        (Some(_), None) => app.toast(format!("not created: {} covers it", s.id)),
        (None, _) => {
            // Only a look: back from the view returns to the form as it was typed.
            app.open(Target::Item(s.id))?;
            app.stashed = form.map(|m| (app.detail.len(), m));
            return Ok(());
        }
    }
    app.open(Target::Item(s.id))
}

/// A conversation is linked to an existing ticket, and a ticket to an existing issue, by their own link kinds.
fn natural_rel(src: ItemRef, to: ItemRef, asked: LinkRel) -> LinkRel {
    match (src.kind, to.kind, asked) {
        (Kind::Conversation, Kind::Ticket, LinkRel::DuplicateOf) => LinkRel::Ticket,
        (Kind::Ticket, Kind::Issue, LinkRel::DuplicateOf) => LinkRel::Issue,
        _ => asked,
    }
}

/// 👍 / 👎 on the similar item under the cursor of a detail view.
pub fn feedback(app: &mut App, good: bool) -> Result<()> {
    let Some(d) = app.detail.last() else { bail!("open an item to rate its similar work") };
    let Target::Item(me) = d.target else { bail!("similar work is shown for items") };
    if let Some(&(_, article)) = d.articles.iter().find(|(l, _)| *l == d.scroll) {
        let me_row = app.store.read().item_row(me)?;
        let at = app.now();
        app.store.write(|w| w.set_article_feedback(me_row, article, good, at))?;
        app.toast(if good {
            format!("👍 {article} helps with {me}")
        } else {
            format!("👎 {article} will not be suggested for {me} again")
        });
        return app.rebuild_detail();
    }
    let Some(&(_, row, id)) = d.similar.iter().find(|(l, _, _)| *l == d.scroll) else {
        bail!("move the cursor onto a similar item or an article first")
    };
    let me_row = app.store.read().item_row(me)?;
    let at = app.now();
    app.store.write(|w| w.set_feedback(me_row, row, good, at))?;
    app.toast(if good {
        format!("👍 {id} is similar to {me}")
    } else {
        format!("👎 {id} will not be suggested for {me} again")
    });
    app.rebuild_detail()
}
