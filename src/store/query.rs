//! The search language of the list box and `--query`: `owner:alice stage:wip account:acme sev:high tag:x
//! is:unassigned is:mine is:open has:issue` and free words matched over ID, title, account, contact and messages.

use super::lists::ItemFilter;
use super::search::terms;
use super::{Reader, Writer};
use crate::domain::{ItemRef, Kind, Severity};
use crate::stage::AnyStage;

/// What a query asked for that names nothing: the term and the reason, one line each.
pub type Problems = Vec<String>;

/// The stages of `kinds` that `s` names: the stored name, the display name, a prefix of either, or the initials
/// (`wip` is Work in progress).
pub fn stages_named(kinds: &[Kind], s: &str) -> Vec<AnyStage> {
    let s = s.trim().to_lowercase().replace(['_', ' '], "-");
    let mut out = vec![];
    for k in kinds {
        for st in AnyStage::all(*k) {
            let label = st.label().to_lowercase().replace(' ', "-");
            let initials: String = st.as_str().split('-').filter_map(|w| w.chars().next()).collect();
            if st.as_str() == s || label == s || initials == s {
                out.push(st);
            }
        }
    }
    if out.is_empty() {
        for k in kinds {
            out.extend(
                AnyStage::all(*k)
                    .into_iter()
                    .filter(|st| st.as_str().starts_with(&s) || st.label().to_lowercase().starts_with(&s)),
            );
        }
    }
    out
}

impl Writer<'_> {
    /// `login` has seen item `r` as it is now: its messages so far are read for them. Not a member: nothing to mark.
    pub fn mark_read(&self, login: &str, r: ItemRef) -> crate::Result<()> {
        self.c.execute(
            "INSERT INTO item_reads(member_id, item_id, seen_msg)
             SELECT m.id, i.id, COALESCE((SELECT MAX(id) FROM messages WHERE item_id = i.id), 0)
             FROM members m, items i WHERE m.login = ?1 AND i.kind = ?2 AND i.num = ?3
             ON CONFLICT(member_id, item_id) DO UPDATE SET seen_msg = excluded.seen_msg",
            &[&login, &r.kind, &r.num],
        )?;
        Ok(())
    }
}

impl Reader<'_> {
    /// Does any item carry this tag?
    fn item_tag_exists(&self, tag: &str) -> crate::Result<bool> {
        Ok(self
            .c
            .value::<i64>(
                "SELECT 1 FROM tags WHERE target = ?1 AND tag = ?2 LIMIT 1",
                &[&crate::domain::TagTarget::Item, &tag],
            )?
            .is_some())
    }

    /// The one member with a word of their name that is `word`, accents aside (`owner:petrovic`).
    fn member_named(&self, word: &str) -> crate::Result<Option<i64>> {
        let word = crate::domain::unaccented(word).to_lowercase();
        let found: Vec<String> = self
            .members()?
            .into_iter()
            .filter(|m| crate::domain::unaccented(&m.name).to_lowercase().split_whitespace().any(|w| w == word))
            .map(|m| m.login)
            .collect();
        match &found[..] {
            [one] => Ok(Some(self.member_row(one)?)),
            _ => Ok(None),
        }
    }

    /// A number that changes when another connection (the CLI, a second TUI, the mail worker) commits: SQLite's
    /// `data_version`; on PostgreSQL the changes the other sessions announced (every write transaction notifies
    /// `helpdesk_change` as it commits; reading what arrived costs no round trip).
    pub fn data_version(&self) -> crate::Result<i64> {
        match self.c {
            super::conn::Conn::Pg(p) => p.data_version(),
            super::conn::Conn::Lite(_) => self.c.one("PRAGMA data_version", &[], |r| r.get(0)),
        }
    }

    /// Read query `q` into `base`: what its terms name narrows the filter, the other words become the free text.
    /// `me` is the login `is:mine` means. A term that names nothing is left out and reported with the reason.
    pub fn apply_query(&self, base: ItemFilter, q: &str, me: &str) -> (ItemFilter, Problems) {
        let mut f = base;
        let mut problems = vec![];
        let mut free = vec![];
        let kinds: Vec<Kind> = f.kind.map(|k| vec![k]).unwrap_or_else(|| Kind::ALL.to_vec());
        const KEYS: [&str; 9] = ["owner", "stage", "account", "sev", "severity", "tag", "is", "has", "no"];
        for t in terms(q) {
            // A known key with nothing after it yet is still being typed.
            if t.strip_suffix(':').is_some_and(|k| KEYS.contains(&k.to_lowercase().as_str())) {
                continue;
            }
            let Some((key, value)) = t.split_once(':').filter(|(k, v)| !k.is_empty() && !v.is_empty()) else {
                free.push(t);
                continue;
            };
            let mut bad = |why: String| problems.push(format!("{t}: {why}"));
            match (key.to_lowercase().as_str(), value.to_lowercase().as_str()) {
                ("owner", v) => match self.member_row(v).map(Some).or_else(|_| self.member_named(v)) {
                    Ok(Some(row)) => f.owner_row = Some(row),
                    Ok(None) | Err(_) => bad(format!("no member '{v}'")),
                },
                ("stage", v) => {
                    let found = stages_named(&kinds, v);
                    if found.is_empty() {
                        let names: Vec<&str> = kinds.iter().flat_map(|k| AnyStage::all_names(*k)).collect();
                        bad(format!("no stage '{v}' (one of {})", names.join(", ")));
                    } else {
                        f.stages = found;
                    }
                }
                // A name several accounts share (mail from python.org and python.net) means all of them.
                ("account", _) => match self.account_row(value) {
                    Ok(row) if self.accounts_named(value).unwrap_or(0) <= 1 => f.account_row = Some(row),
                    _ => f.account_text = Some(value.to_string()),
                },
                ("sev" | "severity", v) => {
                    match Severity::parse(v)
                        .ok()
                        .or_else(|| Severity::ALL.iter().copied().find(|s| s.as_str().starts_with(v)))
                    {
                        Some(s) => f.severity = Some(s),
                        None => bad(format!("no severity '{v}' (low, medium, high, blocker)")),
                    }
                }
                ("tag", _) => match crate::domain::normalise_tag(value) {
                    Ok(tag) if self.item_tag_exists(&tag).unwrap_or(true) => f.tag = Some(tag),
                    Ok(tag) => bad(format!("no item is tagged '{tag}'")),
                    Err(e) => bad(e.to_string()),
                },
                ("is", "unassigned") => f.unassigned = true,
                ("is", "mine") => match self.member_row(me) {
                    Ok(row) => f.owner_row = Some(row),
                    Err(_) => bad(format!("'{me}' is not a member")),
                },
                ("is", "unread") if f.reader_row.is_some() => f.unread = true,
                ("is", "unread") => bad(format!("'{me}' is not a member: nothing is unread for them")),
                ("is", "open") => f.open = Some(true),
                ("is", "closed") => f.open = Some(false),
                ("is", "waiting" | "needs-response") => f.needs_response = Some(true),
                ("has", "issue") => f.has_issue = Some(true),
                ("no", "issue") => f.has_issue = Some(false),
                (k @ ("is" | "has" | "no"), v) => bad(format!(
                    "'{k}:{v}' is not known (is:unassigned, is:mine, is:unread, is:open, is:closed, is:waiting, has:issue, no:issue)"
                )),
                _ => free.push(t),
            }
        }
        let text = free.join(" ");
        f.text = (!text.trim().is_empty()).then_some(text);
        (f, problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_keep_quoted_spaces() {
        assert_eq!(
            super::super::search::terms(r#"owner:al account:"acme bank" late"#),
            ["owner:al", "account:acme bank", "late"]
        );
    }

    /// `owner:` takes a login, an email, or a word of one member's name with or without its accents (fresh eyes:
    /// `owner:petrovic` named no member though the owner menu finds him).
    #[test]
    fn owner_by_a_word_of_the_name_accents_aside() {
        let mut s = crate::Store::open_in_memory().unwrap();
        s.write(|w| {
            w.add_member("goran", "Goran Petrović", None)?;
            w.add_member("ana", "Ana Petrović", None)?;
            w.add_member("chen", "Chen Wei", None)
        })
        .unwrap();
        let owner = |q: &str| {
            let (f, problems) = s.read().apply_query(ItemFilter::default(), q, "me");
            (f.owner_row, problems.len())
        };
        let goran = s.read().member_row("goran").unwrap();
        assert_eq!(owner("owner:goran"), (Some(goran), 0));
        assert_eq!(owner("owner:wei"), (Some(s.read().member_row("chen").unwrap()), 0));
        assert_eq!(owner("owner:petrovic"), (None, 1), "two members named so: named nobody");
        assert_eq!(owner("owner:Chén").0, s.read().member_row("chen").ok());
    }

    /// A tag no item carries names nothing and says so, as every other term does (fresh eyes: `tag:nosuch` listed
    /// nothing without a reason).
    #[test]
    fn a_tag_no_item_carries_is_reported() {
        let mut s = crate::Store::open_in_memory().unwrap();
        crate::demo::generate(&mut s, 5, &mut |_, _| {}).unwrap();
        let r = s.read().list_all(&ItemFilter { kind: Some(Kind::Ticket), ..Default::default() }, 1).unwrap()[0].id;
        s.write(|w| w.tag_item(r, &["vip".into()], &crate::store::By::now("t"))).unwrap();
        let (f, problems) = s.read().apply_query(ItemFilter::default(), "tag:vip", "me");
        assert_eq!((f.tag.as_deref(), problems.len()), (Some("vip"), 0));
        let (f, problems) = s.read().apply_query(ItemFilter::default(), "tag:nosuch", "me");
        assert_eq!(f.tag, None);
        assert_eq!(problems, vec!["tag:nosuch: no item is tagged 'nosuch'".to_string()]);
    }

    #[test]
    fn stages_by_initials_label_and_prefix() {
        let wip = stages_named(&[Kind::Ticket], "wip");
        assert_eq!(wip.len(), 1);
        assert_eq!(wip[0].as_str(), "work-in-progress");
        assert!(!stages_named(&[Kind::Ticket], "resol").is_empty());
        assert!(stages_named(&[Kind::Ticket], "zzz").is_empty());
    }
}
