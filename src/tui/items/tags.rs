//! Tags on the selected items (added, or removed with `-tag`) and an item's title, each change undoable.

use super::super::app::{App, PromptPurpose, Undo};
use super::super::team::{edit, push_undo, see};
use super::{prompt, what};
use anyhow::Result;
use helpdesk::domain::ItemRef;
use helpdesk::store::By;

pub fn tag_prompt(app: &mut App) -> Result<()> {
    let rs = app.targets()?;
    see(app, &rs)?;
    prompt(
        app,
        format!("Tag {} with (tags separated by spaces or commas; -tag removes one)", what(&rs)),
        PromptPurpose::Tag(rs),
    );
    Ok(())
}

/// The typed tags (split at spaces and commas), each normalised as the store keeps it; `-tag` removes one. The toast
/// says what was stored and removed, and a tag the store refuses is refused with its reason before anything is written.
pub fn tag(app: &mut App, rs: Vec<ItemRef>, text: &str) -> Result<()> {
    let typed: Vec<&str> = text.split([' ', ',']).filter(|t| !t.is_empty() && *t != "-").collect();
    if typed.is_empty() {
        return Ok(());
    }
    let norm = |t: &str| helpdesk::domain::normalise_tag(t).map_err(|e| anyhow::anyhow!("not tagged: {e}"));
    let (mut add, mut remove, mut changed) = (vec![], vec![], false);
    for t in &typed {
        let (list, bare) = match t.strip_prefix('-') {
            Some(bare) => (&mut remove, bare),
            None => (&mut add, *t),
        };
        let n = norm(bare)?;
        changed |= n != bare;
        list.push(n);
    }
    let b: By = app.by();
    let (undos, edited) = edit(app, &rs, |w| {
        let mut undos = vec![];
        for r in &rs {
            for t in w.tag_item(*r, &add, &b)? {
                undos.push(Undo::Tag { item: *r, tag: t });
            }
            for t in &remove {
                if w.untag_item(*r, t, &b)? {
                    undos.push(Undo::Untag { item: *r, tag: t.clone() });
                }
            }
        }
        Ok(undos)
    })?;
    let (removed, missing): (Vec<&String>, Vec<&String>) =
        remove.iter().partition(|t| undos.iter().any(|u| matches!(u, Undo::Untag { tag, .. } if tag == *t)));
    push_undo(app, undos, edited);
    let note = if changed { " (as stored: lowercase)" } else { "" };
    let names = |ts: &[&String]| ts.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(", ");
    let mut said = vec![];
    if !add.is_empty() {
        said.push(format!("tagged {}", add.join(", ")));
    }
    if !removed.is_empty() {
        said.push(format!("tag {} removed", names(&removed)));
    }
    if !missing.is_empty() {
        said.push(format!("not tagged {}", names(&missing)));
    }
    app.toast(format!("{} {}{note}", what(&rs), said.join("; ")));
    app.refresh_all()
}

/// `=` on an item: its title, to edit in place.
pub fn retitle_prompt(app: &mut App, r: ItemRef) -> Result<()> {
    see(app, &[r])?;
    let title = app.store.read().item(r)?.title;
    app.modal = Some(super::super::app::Modal::Prompt {
        title: format!("Title of {r}"),
        input: tui_input::Input::new(title),
        purpose: PromptPurpose::Retitle(r),
        similar: vec![],
        pick: None,
    });
    Ok(())
}

/// Rename an item; an empty or unchanged title changes nothing.
pub fn retitle(app: &mut App, r: ItemRef, text: &str) -> Result<()> {
    let title = text.trim();
    let prev = app.store.read().item(r)?.title;
    if title.is_empty() || title == prev {
        app.toast(format!("{r}: title unchanged"));
        return Ok(());
    }
    let b: By = app.by();
    let (undos, edited) = edit(app, &[r], |w| {
        w.set_title(r, title, &b)?;
        Ok(vec![Undo::Title { item: r, prev }])
    })?;
    push_undo(app, undos, edited);
    app.toast(format!("{r} retitled"));
    app.refresh_all()
}
