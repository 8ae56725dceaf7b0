//! Every user action, with the name the palette matches and the description help shows.

macro_rules! actions {
    ($($v:ident = $name:literal, $desc:literal;)+) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Action { $($v),+ }
        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$v),+];
            pub fn name(self) -> &'static str { match self { $(Action::$v => $name),+ } }
            pub fn description(self) -> &'static str { match self { $(Action::$v => $desc),+ } }
            pub fn from_name(s: &str) -> Option<Action> { Self::ALL.iter().copied().find(|a| a.name() == s) }
        }
    };
}

actions! {
    Quit = "quit", "Close the open view; quit from a pane's list";
    Back = "back", "Back one level: close the view, clear the selection, the view or the filter";
    Help = "help", "Show the key bindings";
    Palette = "palette", "Run any action by name";
    NextPane = "next-pane", "Next pane";
    PrevPane = "prev-pane", "Previous pane";
    PaneInbox = "pane-inbox", "Go to the inbox";
    PaneTickets = "pane-tickets", "Go to tickets";
    PaneIssues = "pane-issues", "Go to issues";
    PaneContacts = "pane-contacts", "Go to contacts and accounts";
    PaneDashboard = "pane-dashboard", "Go to the dashboard";
    Up = "up", "Move up";
    Down = "down", "Move down";
    Top = "top", "Go to the first row";
    Bottom = "bottom", "Go to the last row";
    PageUp = "page-up", "One screen up";
    PageDown = "page-down", "One screen down";
    Open = "open", "Open the selected row";
    Filter = "filter", "Search: owner: stage: account: sev: tag: is:unassigned is:mine has:issue, words";
    GoTo = "go-to", "Go to an item by its ID (TKT-12)";
    NextNeedsResponse = "next-needs-response", "Open the next item that needs a response";
    Sort = "sort", "Sort by inbox order, newest, updated, created, severity, waiting time";
    Mark = "mark", "Select the row for a bulk change (stage, owner, severity, tags)";
    MarkAll = "mark-all", "Select every row of the list (again: none)";
    NextMessage = "next-message", "Next message of the thread";
    PrevMessage = "prev-message", "Previous message of the thread";
    ToggleQuotes = "toggle-quotes", "Fold or show quoted text and signatures";
    Headers = "headers", "Show or hide message headers (From/To/Cc/Date/Message-ID)";
    Find = "find", "Find text in this view";
    FindNext = "find-next", "Next match of the find";
    FindPrev = "find-prev", "Previous match of the find";
    Pager = "pager", "Open the message under the cursor in $PAGER";
    PagerThread = "pager-thread", "Open the whole thread in $PAGER";
    OpenAttachment = "open-attachment", "Open the attachment under the cursor ($OPENER or xdg-open)";
    SaveAttachment = "save-attachment", "Save the attachment under the cursor into a directory";
    Refresh = "refresh", "Reload from the database";
    Stage = "stage", "Move to a legal next stage";
    Assign = "assign", "Set the owner";
    Tag = "tag", "Add tags, or remove one with -tag";
    Severity = "severity", "Set the severity";
    Part = "part", "Set the part";
    Link = "link", "Link to another item";
    TicketFromConversation = "ticket-from-conversation", "Create a ticket from this conversation";
    NewItem = "new", "Create an item of this pane's kind";
    NewIssue = "new-issue", "Create an issue linked to this ticket";
    NewTask = "new-task", "Create a task for this issue";
    Reply = "reply", "Reply to the customer (inline editor)";
    ReplyAll = "reply-all", "Reply to the customer and everyone else the last message went to";
    Forward = "forward", "Forward the message under the cursor (with its attachments) to an address";
    Note = "note", "Write an internal note (inline editor)";
    EditorReply = "reply-in-editor", "Reply to the customer in $EDITOR";
    Snippet = "snippet", "Reply with a canned response";
    NextTab = "next-tab", "Next message tab";
    PrevTab = "prev-tab", "Previous message tab";
    ToggleAccounts = "toggle-accounts", "Switch between contacts and accounts";
    Undo = "undo", "Undo the last change";
    Export = "export", "Export the current view to CSV or JSON";
    SaveView = "save-view", "Save the current filter as a named view";
    OpenView = "open-view", "Open a saved view";
    ThumbUp = "similar-good", "Mark the selected similar item as a good match";
    ThumbDown = "similar-bad", "Mark the selected similar item or article as a wrong match";
    InsertArticle = "insert-article", "Insert the suggested knowledge article into the reply (again: the next one)";
    EditRecord = "edit-record", "Rename an item, or edit a contact or account field";
    Notifications = "notifications", "Your notifications: assigned to you, @mentions in notes, customer answers on your items";
}

impl Action {
    /// Actions the palette offers for what was typed, best match first.
    pub fn matching(query: &str) -> Vec<Action> {
        use fuzzy_matcher::FuzzyMatcher;
        let m = fuzzy_matcher::skim::SkimMatcherV2::default();
        let mut scored: Vec<(i64, Action)> = Action::ALL
            .iter()
            .filter_map(|a| {
                if query.trim().is_empty() {
                    return Some((0, *a));
                }
                let hay = format!("{} {}", a.name(), a.description());
                m.fuzzy_match(&hay, query.trim()).map(|s| (s, *a))
            })
            .collect();
        scored.sort_by_key(|s| std::cmp::Reverse(s.0));
        scored.into_iter().map(|(_, a)| a).collect()
    }
}
