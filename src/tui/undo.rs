//! Undo: the last change, or the last bulk change as a whole, put back in one transaction.

use super::app::{App, Undo};
use anyhow::{Result, bail};
use helpdesk::store::{By, Writer};

pub fn undo(app: &mut App) -> Result<()> {
    let Some(u) = app.undo.pop() else { bail!("nothing to undo") };
    if let Undo::Barrier(what) = &u {
        bail!("{what} cannot be undone (u again undoes your change before it)");
    }
    let b = app.by();
    let what = super::team::undo(app, u, |w, u| apply(w, u, &b))?;
    app.toast(format!("undone: {what}"));
    app.refresh_all()
}

fn apply(w: &Writer<'_>, u: &Undo, b: &By) -> helpdesk::Result<String> {
    Ok(match u {
        Undo::Stage { item, from, needs, auto } => {
            for m in auto.iter().rev() {
                w.restore_stage(m.item, m.from, None, b)?;
            }
            w.restore_stage(*item, *from, Some(*needs), b)?;
            let also: String = auto.iter().map(|m| format!(", {} back to {}", m.item, m.from.label())).collect();
            format!("{item} back to {}{also}", from.label())
        }
        Undo::Assign { item, prev } => {
            w.assign(*item, prev.as_deref(), b)?;
            // Neither the member the change assigned nor the one it gives back to hears of it.
            w.withdraw_notices(*item, helpdesk::domain::NoticeKind::Assigned, &b.who)?;
            format!("{item} owner back to {}", prev.as_deref().unwrap_or("nobody"))
        }
        Undo::Severity { item, prev } => {
            w.set_severity(*item, *prev, b)?;
            format!("{item} severity back to {}", prev.map(|s| s.as_str()).unwrap_or("none"))
        }
        Undo::Part { item, prev } => {
            if let Some(p) = prev {
                let row = w.part_row_of(*p)?;
                w.set_part(*item, row, b)?;
            }
            format!("{item} part back to {}", prev.map(|p| p.to_string()).unwrap_or("none".into()))
        }
        Undo::Tag { item, tag } => {
            w.untag_item(*item, tag, b)?;
            format!("{item}: tag {tag} removed")
        }
        Undo::Untag { item, tag } => {
            w.tag_item(*item, std::slice::from_ref(tag), b)?;
            format!("{item}: tag {tag} back")
        }
        Undo::Title { item, prev } => {
            w.set_title(*item, prev, b)?;
            format!("{item}: title back to '{prev}'")
        }
        Undo::Link { from, to, rel, auto } => {
            w.unlink(*from, *to, *rel, b)?;
            for m in auto.iter().rev() {
                w.restore_stage(m.item, m.from, None, b)?;
            }
            let also: String = auto.iter().map(|m| format!(", {} back to {}", m.item, m.from.label())).collect();
            format!("{from} {rel} {to} unlinked{also}")
        }
        Undo::Versions(_, inner) => apply(w, inner, b)?,
        Undo::Barrier(what) => format!("{what}: nothing to undo"),
        Undo::Batch(all) => {
            let mut items = std::collections::BTreeSet::new();
            for u in all.iter().rev() {
                apply(w, u, b)?;
                items.insert(match u {
                    Undo::Stage { item, .. }
                    | Undo::Assign { item, .. }
                    | Undo::Severity { item, .. }
                    | Undo::Part { item, .. }
                    | Undo::Tag { item, .. }
                    | Undo::Untag { item, .. }
                    | Undo::Title { item, .. } => item.to_string(),
                    Undo::Link { from, .. } => from.to_string(),
                    Undo::Batch(_) | Undo::Versions(..) | Undo::Barrier(_) => String::new(),
                });
            }
            items.remove("");
            let on = if items.len() <= 3 {
                items.into_iter().collect::<Vec<_>>().join(", ")
            } else {
                format!("{} items", items.len())
            };
            format!("{} changes on {on}", all.len())
        }
    })
}
