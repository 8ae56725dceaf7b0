//! The state of the terminal UI: panes with their lists, the open detail view, the modal, toasts, undo history.

mod refresh;

use super::keymap::Keymap;
use super::list::{ListState, Source};
use helpdesk::Store;
use helpdesk::domain::{AccountId, ContactId, ItemRef, Kind, LinkRel, PartRef, Severity};
use helpdesk::io::export::Format;
use helpdesk::stage::AnyStage;
use helpdesk::store::{ItemFilter, SortOrder};
use ratatui::text::Line;
use ratatui_textarea::TextArea;
use std::collections::{BTreeMap, VecDeque};
use std::time::Instant;
use tui_input::Input;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Inbox,
    Tickets,
    Issues,
    Contacts,
    Dashboard,
}

impl Pane {
    pub const ALL: [Pane; 5] = [Pane::Inbox, Pane::Tickets, Pane::Issues, Pane::Contacts, Pane::Dashboard];
    pub fn title(self) -> &'static str {
        match self {
            Pane::Inbox => "Inbox",
            Pane::Tickets => "Tickets",
            Pane::Issues => "Issues",
            Pane::Contacts => "Contacts",
            Pane::Dashboard => "Dashboard",
        }
    }
    pub fn index(self) -> usize {
        Pane::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }
}

/// What a detail view shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Item(ItemRef),
    Contact(ContactId),
    Account(AccountId),
}

/// Message tabs of an item's timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MsgTab {
    Customer,
    Internal,
}

#[derive(Debug, Clone)]
pub struct Detail {
    pub target: Target,
    pub title: String,
    /// Sanitised, styled lines built once when the view opens or its data changes.
    pub lines: Vec<Line<'static>>,
    pub scroll: usize,
    pub tab: MsgTab,
    /// Items listed in the view that Enter opens (linked items, a customer's items, similar work), by line.
    pub links: Vec<(usize, Target)>,
    /// Similar items shown in the view, by line, for 👍/👎: (line, row, id).
    pub similar: Vec<(usize, i64, ItemRef)>,
    /// The similar-work section is still to be filled in (see `update::settle`).
    pub similar_pending: bool,
    /// Its query, until it is handed to the jobs thread.
    pub similar_query: Option<helpdesk::similar::Query>,
    /// The number of the jobs-thread search it waits for.
    pub similar_seq: Option<u64>,
}

#[derive(Debug, Clone)]
pub struct MenuItem {
    pub label: String,
    pub then: Chosen,
}

/// What choosing a menu row does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Chosen {
    Stage(ItemRef, AnyStage),
    /// A member's login, or nobody.
    Assign(ItemRef, Option<String>),
    Severity(ItemRef, Option<Severity>),
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
}

/// A view to open: one of the standing trackers or a saved view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ViewChoice {
    /// Tickets with no linked issue.
    Active,
    /// Tickets with issues, and issues.
    Assist,
    Saved(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptPurpose {
    Tag(ItemRef),
    LinkTarget(ItemRef),
    /// Title of a new item; the parent is the issue of a task, or the ticket an issue is created from.
    NewTitle(Kind, Option<ItemRef>),
    ExportPath(Format),
    SaveView,
    NewContact,
    NewAccount,
    EditRecord(Target),
}

/// A change waiting for confirmation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pending {
    Stage(ItemRef, AnyStage),
}

pub enum Modal {
    Help {
        scroll: usize,
    },
    Palette {
        input: Input,
        selected: usize,
    },
    Menu {
        title: String,
        items: Vec<MenuItem>,
        selected: usize,
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
    pub area: TextArea<'static>,
    pub field: Field,
    /// Esc was pressed once on a non-empty text: a second Esc throws it away.
    pub discard: bool,
    /// Typed since the draft was last saved.
    pub dirty: bool,
}

/// Which part of the composer takes the keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    To,
    Cc,
    Subject,
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
        }
    }
}

/// How to undo one change.
#[derive(Debug, Clone)]
pub enum Undo {
    /// A stage move and the automatic moves it caused (undone with it, last first).
    Stage {
        item: ItemRef,
        from: AnyStage,
        auto: Vec<helpdesk::store::Moved>,
    },
    /// The previous owner's login.
    Assign {
        item: ItemRef,
        prev: Option<String>,
    },
    Severity {
        item: ItemRef,
        prev: Option<Severity>,
    },
    Part {
        item: ItemRef,
        prev: Option<PartRef>,
    },
    Tag {
        item: ItemRef,
        tag: String,
    },
    Link {
        from: ItemRef,
        to: ItemRef,
        rel: LinkRel,
        auto: Vec<helpdesk::store::Moved>,
    },
}

#[derive(Debug, Clone)]
pub struct Toast {
    pub text: String,
    pub error: bool,
    pub at: Instant,
}

/// A request the event loop carries out outside `update`: the terminal must be suspended for `$EDITOR`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditorRequest {
    pub target: ItemRef,
    pub internal: bool,
    pub initial: String,
}

/// Mail worker state shown in the status bar.
#[derive(Debug, Clone, Default)]
pub struct MailStatus {
    pub state: String,
    pub last_sync: Option<i64>,
    pub new_mail: usize,
    pub outbox: usize,
}

pub struct App {
    pub store: Store,
    pub user: String,
    /// The config the app was started with (mailboxes, `[me]`).
    pub cfg: helpdesk::config::Config,
    pub pane: Pane,
    pub lists: Vec<ListState>,
    pub detail: Vec<Detail>,
    pub modal: Option<Modal>,
    /// Set while the list filter is being typed.
    pub filtering: Option<Input>,
    pub toasts: VecDeque<Toast>,
    pub undo: Vec<Undo>,
    pub keymap: Keymap,
    pub snippets: BTreeMap<String, String>,
    pub reopen_days: i64,
    pub size: (u16, u16),
    pub quit: bool,
    pub editor: Option<EditorRequest>,
    pub mail: MailStatus,
    /// The Contacts pane shows accounts instead of contacts.
    pub accounts: bool,
    /// Dashboard figures, computed when the pane opens (at most once a minute) or is refreshed.
    pub stats: Option<helpdesk::stats::Stats>,
    pub stats_at: Option<Instant>,
    /// Jobs asked for while handling events, sent after the next frame.
    pub queued: Vec<super::jobs::Job>,
    /// Numbers the similar-work searches sent to the jobs thread.
    pub similar_seq: u64,
    /// Where slow queries go off the UI thread (the running TUI); None runs them in place (tests).
    pub jobs: Option<std::sync::mpsc::Sender<super::jobs::Job>>,
    /// Figures were asked for and have not arrived yet.
    pub stats_pending: bool,
    /// A fixed clock (tests and snapshots); None is the real time.
    pub clock: Option<i64>,
    /// Similar-work search state kept across the keystrokes of create forms.
    pub finder: helpdesk::similar::Finder,
}

impl App {
    pub fn new(
        store: Store,
        user: String,
        keymap: Keymap,
        snippets: BTreeMap<String, String>,
        size: (u16, u16),
    ) -> App {
        let items = |kind, sort| Source::Items(ItemFilter { kind: Some(kind), sort, ..Default::default() });
        let lists = vec![
            ListState::new(items(Kind::Conversation, SortOrder::Inbox)),
            ListState::new(items(Kind::Ticket, SortOrder::Newest)),
            ListState::new(items(Kind::Issue, SortOrder::Newest)),
            ListState::new(Source::Contacts),
            ListState::new(Source::Accounts),
        ];
        App {
            store,
            user,
            cfg: helpdesk::config::Config::default(),
            pane: Pane::Inbox,
            lists,
            detail: vec![],
            modal: None,
            filtering: None,
            toasts: VecDeque::new(),
            undo: vec![],
            keymap,
            snippets,
            reopen_days: helpdesk::stage::REOPEN_WINDOW_DAYS,
            size,
            quit: false,
            editor: None,
            mail: MailStatus::default(),
            accounts: false,
            stats: None,
            stats_at: None,
            jobs: None,
            queued: vec![],
            similar_seq: 0,
            stats_pending: false,
            clock: None,
            finder: helpdesk::similar::Finder::default(),
        }
    }

    /// Index of the list the current pane shows (the Contacts pane shows contacts or accounts).
    pub fn list_index(&self) -> usize {
        match self.pane {
            Pane::Contacts if self.show_accounts() => 4,
            p => p.index().min(3),
        }
    }

    pub fn show_accounts(&self) -> bool {
        self.accounts
    }

    pub fn list(&self) -> &ListState {
        &self.lists[self.list_index()]
    }

    pub fn list_mut(&mut self) -> &mut ListState {
        let i = self.list_index();
        &mut self.lists[i]
    }

    /// Rows of the list viewport: the screen minus tab bar, header, status bar and borders.
    pub fn list_height(&self) -> usize {
        (self.size.1 as usize).saturating_sub(5).max(1)
    }

    pub fn toast(&mut self, text: impl Into<String>) {
        self.push_toast(text.into(), false);
    }

    pub fn error(&mut self, text: impl Into<String>) {
        self.push_toast(text.into(), true);
    }

    fn push_toast(&mut self, text: String, error: bool) {
        tracing::info!(error, "{text}");
        self.toasts.push_back(Toast { text: helpdesk::sanitize::line(&text), error, at: Instant::now() });
        while self.toasts.len() > 3 {
            self.toasts.pop_front();
        }
    }

    pub fn now(&self) -> i64 {
        self.clock.unwrap_or_else(helpdesk::now)
    }

    /// Who acts, and when: the member at the app's clock.
    pub fn by(&self) -> helpdesk::store::By {
        helpdesk::store::By::at(self.user.clone(), self.now())
    }

    /// The item an item action applies to, or why there is none.
    pub fn need_item(&self) -> anyhow::Result<ItemRef> {
        self.current_item().ok_or_else(|| anyhow::anyhow!("select a conversation, ticket, issue or task first"))
    }

    /// Show a menu of choices.
    pub fn menu(&mut self, title: impl Into<String>, items: Vec<MenuItem>) {
        self.modal = Some(Modal::Menu { title: title.into(), items, selected: 0 });
    }

    /// The item the item actions apply to: the open detail's, else the selected row's.
    pub fn current_item(&self) -> Option<ItemRef> {
        if let Some(d) = self.detail.last() {
            return match d.target {
                Target::Item(r) => Some(r),
                _ => None,
            };
        }
        match self.list().selected()? {
            super::list::Row::Item(i) => Some(i.id),
            _ => None,
        }
    }
}
