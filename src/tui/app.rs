//! The state of the terminal UI: panes with their lists, the open detail view, the modal, toasts, undo history.

mod choices;
mod refresh;

pub use choices::{Chosen, Composer, Field, MenuItem, Modal, Pending, PromptPurpose, ViewChoice, menu_rows};

use super::keymap::Keymap;
use super::list::{ListState, Source};
use helpdesk::Store;
use helpdesk::domain::{AccountId, ContactId, ItemRef, Kind, LinkRel, PartRef, Severity};
use helpdesk::stage::AnyStage;
use helpdesk::store::{ItemFilter, SortOrder};
use ratatui::text::Line;
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

/// How a view shows its messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ViewOpts {
    /// Columns the body wraps at.
    pub width: usize,
    /// Quoted text and signatures folded into one line each.
    pub fold: bool,
    /// From/To/Cc/Date/Message-ID under each message's header line.
    pub headers: bool,
}

impl Default for ViewOpts {
    fn default() -> Self {
        ViewOpts { width: 100, fold: true, headers: false }
    }
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
    /// Knowledge articles shown in the view, by line, for 👍/👎.
    pub articles: Vec<(usize, helpdesk::domain::ArticleId)>,
    /// The similar-work section is still to be filled in (see `update::settle`).
    pub similar_pending: bool,
    /// Its query, until it is handed to the jobs thread.
    pub similar_query: Option<helpdesk::similar::Query>,
    /// The number of the jobs-thread search it waits for.
    pub similar_seq: Option<u64>,
    /// Width, folding and headers the messages were built with.
    pub opts: ViewOpts,
    /// The first line of each message shown, with the message's row.
    pub messages: Vec<(usize, i64)>,
    /// Attachment lines: (line, message row, name).
    pub attachments: Vec<(usize, i64, String)>,
    /// Text searched for with `/` in the view.
    pub find: Option<String>,
    /// A line jumped to, shown at the top of the view (see `Detail::top`).
    pub anchor: Option<usize>,
    /// The item's version the view shows: edits from it are checked against it.
    pub version: Option<i64>,
}

/// How to undo one change.
#[derive(Debug, Clone)]
pub enum Undo {
    /// A stage move and the automatic moves it caused (undone with it, last first).
    Stage {
        item: ItemRef,
        from: AnyStage,
        /// Needs-response before the move (a move to a closed stage clears it; undo gives it back).
        needs: bool,
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
    /// A tag removed (`-tag` typed at the tag prompt): undo puts it back.
    Untag {
        item: ItemRef,
        tag: String,
    },
    /// The title before a rename.
    Title {
        item: ItemRef,
        prev: String,
    },
    Link {
        from: ItemRef,
        to: ItemRef,
        rel: LinkRel,
        auto: Vec<helpdesk::store::Moved>,
    },
    /// A bulk change: undone all at once.
    Batch(Vec<Undo>),
    /// A change with the versions it left its items at: undone only if nobody changed them since.
    Versions(Vec<helpdesk::store::Edited>, Box<Undo>),
    /// A change that cannot be undone (an item made): `u` says so, instead of undoing an older change past it.
    Barrier(String),
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
    /// The thread as it was when the editor opened: what arrives while the member writes holds the reply.
    pub opened: helpdesk::store::Opened,
}

/// Mail worker state shown in the status bar.
#[derive(Debug, Clone, Default)]
pub struct MailStatus {
    pub state: String,
    pub last_sync: Option<i64>,
    pub new_mail: usize,
    pub outbox: usize,
    /// A reply whose send failed: the error and the time of the next try (shown until it is sent).
    pub failing: Option<(String, i64)>,
}

impl MailStatus {
    /// Read the outbox again: after a reply is queued, and after each report of the worker.
    pub fn reread_outbox(&mut self, store: &helpdesk::Store) {
        self.outbox = store.read().outbox_pending().unwrap_or(0) as usize;
        self.failing = store.read().outbox_failing().ok().flatten();
    }
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
    /// The keystroke of the open create form whose blended list is awaited.
    pub blend_seq: Option<u64>,
    /// Where slow queries go off the UI thread (the running TUI); None runs them in place (tests).
    pub jobs: Option<std::sync::mpsc::Sender<super::jobs::Job>>,
    /// Figures were asked for and have not arrived yet.
    pub stats_pending: bool,
    /// A fixed clock (tests and snapshots); None is the real time.
    pub clock: Option<i64>,
    /// Similar-work search state kept across the keystrokes of create forms.
    pub finder: helpdesk::similar::Finder,
    /// The store's `data_version` last seen: when another process writes, the lists reload on the tick.
    pub data_version: i64,
    /// A create form left open under the view its ctrl-o opened (at that detail depth): back returns to it.
    pub stashed: Option<(usize, Modal)>,
    /// The row of the dashboard's oldest-waiting list under the cursor.
    pub dash_cursor: usize,
    /// Text to show in `$PAGER`, for the event loop (the terminal is handed over).
    pub pager: Option<String>,
    /// The version of each item the member chose a change from (when its menu or prompt opened).
    pub seen: std::collections::HashMap<ItemRef, i64>,
    /// The member's unread notifications.
    pub unread: i64,
    /// The other members on items, and this session's presence (PostgreSQL).
    pub others: super::presence::Others,
}

impl App {
    pub fn new(
        store: Store,
        user: String,
        keymap: Keymap,
        snippets: BTreeMap<String, String>,
        size: (u16, u16),
    ) -> App {
        let reader_row = store.read().member_row(&user).ok();
        let items = |kind, sort| Source::Items(ItemFilter { kind: Some(kind), sort, reader_row, ..Default::default() });
        let mut lists = vec![
            ListState::new(items(Kind::Conversation, SortOrder::Inbox)),
            ListState::new(items(Kind::Ticket, SortOrder::Newest)),
            ListState::new(items(Kind::Issue, SortOrder::Newest)),
            ListState::new(Source::Contacts),
            ListState::new(Source::Accounts),
        ];
        // `is:mine` in a search means the member using the TUI.
        for l in &mut lists {
            l.me = user.clone();
        }
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
            blend_seq: None,
            stats_pending: false,
            clock: None,
            finder: helpdesk::similar::Finder::default(),
            data_version: 0,
            stashed: None,
            dash_cursor: 0,
            pager: None,
            seen: Default::default(),
            unread: 0,
            others: Default::default(),
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
        self.menu_at(title, items, 0);
    }

    /// Show a menu with a row (the current value) selected.
    pub fn menu_at(&mut self, title: impl Into<String>, items: Vec<MenuItem>, selected: usize) {
        let selected = selected.min(items.len().saturating_sub(1));
        self.modal = Some(Modal::Menu { title: title.into(), items, selected, filter: Input::default() });
    }

    /// The items a change applies to: the open view's item, else the selected rows, else the row under the cursor.
    pub fn targets(&self) -> anyhow::Result<Vec<ItemRef>> {
        if self.detail.is_empty() && !self.list().marked.is_empty() {
            return Ok(self.list().marked.to_vec());
        }
        Ok(vec![self.need_item()?])
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
