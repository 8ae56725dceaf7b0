//! What menus, prompts and dialogs hold: the typed choice a menu row makes, what a prompt's text is for.

use super::Target;
use helpdesk::domain::{ItemRef, Kind, LinkRel, PartRef, Severity};
use helpdesk::io::export::Format;
use helpdesk::stage::AnyStage;
use ratatui_textarea::TextArea;
use tui_input::Input;

#[derive(Debug, Clone)]
pub struct MenuItem {
    pub label: String,
    pub then: Chosen,
}

/// What choosing a menu row does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Chosen {
    /// A stage for one item or the selected rows.
    Stage(Vec<ItemRef>, AnyStage),
    /// A member's login, or nobody.
    Assign(Vec<ItemRef>, Option<String>),
    Severity(Vec<ItemRef>, Option<Severity>),
    Part(ItemRef, PartRef),
    Link(ItemRef, ItemRef, LinkRel),
    /// A snippet by name.
    Snippet(ItemRef, String),
    /// The part of a new item, whose title was typed before.
    NewItemPart {
        kind: Kind,
        title: String,
        parent: Option<ItemRef>,
        part: PartRef,
    },
    ExportFormat(Format),
    OpenView(ViewChoice),
    /// A notification (its id) and the item it is about.
    Notification(i64, ItemRef),
}

/// A view to open: one of the standing trackers or a saved view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ViewChoice {
    /// Tickets with no linked issue.
    Active,
    /// Tickets with issues, and issues.
    Assist,
    /// Open conversations and tickets waiting on us.
    NeedsResponse,
    /// Open items the user owns.
    Mine,
    /// Open tickets nobody owns.
    Unassigned,
    Saved(String),
}

impl ViewChoice {
    pub fn title(&self) -> &str {
        match self {
            ViewChoice::Active => "Active tickets",
            ViewChoice::Assist => "Product assist",
            ViewChoice::NeedsResponse => "Needs response",
            ViewChoice::Mine => "Mine",
            ViewChoice::Unassigned => "Unassigned",
            ViewChoice::Saved(n) => n,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptPurpose {
    Tag(Vec<ItemRef>),
    GoTo,
    /// Text to find in the open view.
    Find,
    /// The directory an attachment (by message row and name) is saved into.
    SaveAttachment(i64, String),
    LinkTarget(ItemRef),
    /// Title of a new item; the parent is the issue of a task, or the ticket an issue is created from.
    NewTitle(Kind, Option<ItemRef>),
    /// The name of the first product part, asked when an item that needs one is made before any exists: the item
    /// (kind, title, parent) is made in it next.
    FirstPart(Kind, String, Option<ItemRef>),
    ExportPath(Format),
    SaveView,
    NewContact,
    NewAccount,
    EditRecord(Target),
    /// A new title for the item (its old one is the prompt's starting text).
    Retitle(ItemRef),
}

/// A change waiting for confirmation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pending {
    Stage(Vec<ItemRef>, AnyStage),
}

pub enum Modal {
    Help {
        scroll: usize,
    },
    Palette {
        input: Input,
        selected: usize,
    },
    /// A picker: typing filters its rows (fuzzy); `selected` indexes the rows that pass the filter.
    Menu {
        title: String,
        items: Vec<MenuItem>,
        selected: usize,
        filter: Input,
    },
    Prompt {
        title: String,
        input: Input,
        purpose: PromptPurpose,
        similar: Vec<helpdesk::similar::Suggestion>,
        pick: Option<usize>,
    },
    Confirm {
        message: String,
        then: Pending,
    },
    Compose(Box<Composer>),
}

/// A reply or note being written. A reply's addressees and subject are fields of their own.
pub struct Composer {
    pub target: ItemRef,
    pub internal: bool,
    pub to: Input,
    pub cc: Input,
    pub subject: Input,
    /// Files to send with it: paths, comma-separated.
    pub attach: Input,
    /// Reply to all (the other addressees of the message answered were put in Cc).
    pub all: bool,
    /// The customer message answered (the one being read when the composer opened): None, the last one.
    pub answering: Option<i64>,
    /// A forward: the message (row) it carries, and the names of that message's attachments that go along.
    pub forward_of: Option<(i64, Vec<String>)>,
    pub area: TextArea<'static>,
    pub field: Field,
    /// Esc was pressed once on a non-empty text: a second Esc throws it away.
    pub discard: bool,
    /// Typed since the draft was last saved.
    pub dirty: bool,
    /// Knowledge articles for the item, best first, and how many were inserted already.
    pub articles: Vec<helpdesk::similar::ArticleSuggestion>,
    pub inserted: usize,
    /// What of the thread the member had seen when the composer opened (a reply or note is held if more came).
    pub opened: helpdesk::store::Opened,
    /// Held, not sent: what arrived since; the member sends anyway, edits or discards.
    pub held: Option<Box<helpdesk::store::Held>>,
    /// Just tabbed into a list field (To, Cc, Attach): a letter typed now starts another entry after ", ".
    pub entered: bool,
}

/// Which part of the composer takes the keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    To,
    Cc,
    Subject,
    Attach,
    Body,
}

impl Composer {
    /// The draft as the store keeps it.
    pub fn draft(&self) -> helpdesk::store::Draft {
        let list = |i: &Input| {
            i.value().split([',', ';']).map(str::trim).filter(|x| !x.is_empty()).map(String::from).collect()
        };
        helpdesk::store::Draft {
            to: list(&self.to),
            cc: list(&self.cc),
            subject: self.subject.value().trim().to_string(),
            body: self.area.lines().join("\n"),
            attach: self
                .attach
                .value()
                .split(',')
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .map(|p| {
                    let p = crate::user::expand_home(p);
                    std::path::absolute(&p).unwrap_or(p).display().to_string()
                })
                .collect(),
            forward_of: self.forward_of.as_ref().map(|f| f.0),
        }
    }
}

/// The rows of a menu that match what was typed into it (fuzzy, best first), as indexes into `items`; all of them
/// in their own order when nothing was typed.
pub fn menu_rows(items: &[MenuItem], typed: &str) -> Vec<usize> {
    use fuzzy_matcher::FuzzyMatcher;
    if typed.trim().is_empty() {
        return (0..items.len()).collect();
    }
    let m = fuzzy_matcher::skim::SkimMatcherV2::default().ignore_case();
    let typed = helpdesk::domain::unaccented(typed.trim());
    let mut scored: Vec<(i64, usize)> = items
        .iter()
        .enumerate()
        .filter_map(|(i, it)| m.fuzzy_match(&helpdesk::domain::unaccented(&it.label), &typed).map(|s| (s, i)))
        .collect();
    scored.sort_by_key(|(s, i)| (std::cmp::Reverse(*s), *i));
    scored.into_iter().map(|(_, i)| i).collect()
}
