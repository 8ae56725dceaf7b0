//! Working beside other members: edits checked against the version the member saw (a stale one shows the fresh
//! item and who changed what), undo as such an edit, and the member's notifications.

use super::app::{App, Chosen, MenuItem, Target, Undo};
use anyhow::{Result, anyhow};
use helpdesk::domain::ItemRef;
use helpdesk::store::{Edited, Writer};

/// The member is about to choose a change of these items: remember the versions they see (the open view's, else
/// the store's now, which the menu shows).
pub fn see(app: &mut App, rs: &[ItemRef]) -> Result<()> {
    for r in rs {
        let shown = app.detail.last().filter(|d| d.target == Target::Item(*r)).and_then(|d| d.version);
        let v = match shown {
            Some(v) => v,
            None => app.store.read().version_of(*r)?,
        };
        app.seen.insert(*r, v);
    }
    Ok(())
}

/// Run an edit of `rs` in one transaction, each checked against the version the member saw. A stale one changes
/// nothing: the views reload to show the item as it is, and the error says who changed what.
pub fn edit<T>(
    app: &mut App,
    rs: &[ItemRef],
    f: impl FnOnce(&Writer<'_>) -> helpdesk::Result<T>,
) -> Result<(T, Vec<Edited>)> {
    let b = app.by();
    let mut seen: Vec<(ItemRef, i64)> = rs.iter().filter_map(|r| app.seen.get(r).map(|v| (*r, *v))).collect();
    // Locked in one order: two members changing overlapping selections wait for each other, never deadlock.
    seen.sort_by_key(|(r, _)| (r.kind.as_str(), r.num));
    let out = app.store.write(|w| {
        for (r, v) in &seen {
            w.expect_version(*r, *v, &b)?;
        }
        let t = f(w)?;
        Ok((t, w.edited()?))
    });
    match out {
        Ok((t, edited)) => {
            for e in &edited {
                app.seen.insert(e.item, e.after);
            }
            Ok((t, edited))
        }
        Err(e @ helpdesk::Error::Stale(_)) => Err(stale(app, rs, e)),
        Err(e) => Err(e.into()),
    }
}

/// A stale edit: what the member sees is reloaded, and the error names the change that came first.
fn stale(app: &mut App, rs: &[ItemRef], e: helpdesk::Error) -> anyhow::Error {
    for r in rs {
        app.seen.remove(r);
    }
    if let Err(re) = app.refresh_all() {
        return anyhow!("{e} ({re:#})");
    }
    match e {
        helpdesk::Error::Stale(s) => anyhow!("{}; yours not applied", s.what()),
        e => e.into(),
    }
}

/// Record one undo for a change of one or many items, with the versions it left them at.
pub fn push_undo(app: &mut App, mut undos: Vec<Undo>, edited: Vec<Edited>) {
    let u = match undos.len() {
        0 => return,
        1 => undos.remove(0),
        _ => Undo::Batch(undos),
    };
    app.undo.push(Undo::Versions(edited, Box::new(u)));
}

/// Undo the last change: an edit checked against the versions the change left (another member's edit since refuses
/// it, as any stale edit). Changes further down the stack that left an item where this one found it now expect the
/// version this undo leaves, so that undo goes on back through the member's own changes.
pub fn undo(
    app: &mut App,
    u: Undo,
    apply: impl FnOnce(&Writer<'_>, &Undo) -> helpdesk::Result<String>,
) -> Result<String> {
    let (expect, inner) = match u {
        Undo::Versions(e, inner) => (e, *inner),
        other => (vec![], other),
    };
    let b = app.by();
    let out = app.store.write(|w| {
        for e in &expect {
            w.expect_version(e.item, e.after, &b)?;
        }
        let what = apply(w, &inner)?;
        Ok((what, w.edited()?))
    });
    let (what, now) = match out {
        Ok(v) => v,
        Err(e @ helpdesk::Error::Stale(_)) => {
            let items: Vec<ItemRef> = expect.iter().map(|e| e.item).collect();
            return Err(stale(app, &items, e));
        }
        Err(e) => return Err(e.into()),
    };
    for e in &expect {
        let Some(n) = now.iter().find(|n| n.item == e.item) else { continue };
        for older in app.undo.iter_mut() {
            if let Undo::Versions(vs, _) = older {
                vs.iter_mut().filter(|v| v.item == e.item && v.after == e.before).for_each(|v| v.after = n.after);
            }
        }
    }
    Ok(what)
}

/// The member's notifications, unread first, as a menu: choosing one opens its item and marks it read.
pub fn notifications(app: &mut App) -> Result<()> {
    let mut list = app.store.read().notifications(&app.user, true, 100)?;
    list.sort_by_key(|n| n.read);
    if list.is_empty() {
        anyhow::bail!("no notifications for {}", app.user);
    }
    let now = app.now();
    let items = list
        .iter()
        .map(|n| MenuItem {
            label: format!(
                "{} {:<10} {}",
                if n.read { " " } else { "●" },
                helpdesk::store::ago(now - n.at),
                helpdesk::sanitize::line(&n.line())
            ),
            then: Chosen::Notification(n.id, n.item),
        })
        .collect();
    let unread = list.iter().filter(|n| !n.read).count();
    app.menu(format!("Notifications of {} ({unread} unread)", app.user), items);
    Ok(())
}

/// A notification was chosen: it is read, and its item opens.
pub fn open_notification(app: &mut App, id: i64, r: ItemRef) -> Result<()> {
    let (who, at) = (app.user.clone(), app.now());
    app.store.write(|w| w.read_notifications(&who, Some(id), at))?;
    count(app);
    app.open(Target::Item(r))
}

/// Re-count the member's unread notifications (for the status bar).
pub fn count(app: &mut App) {
    app.unread = app.store.read().unread_notifications(&app.user).unwrap_or(app.unread);
}
