//! The verbs of work items: new, list, show, stage, assign, tag, link, reply, note.

use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Subcommand, Debug)]
pub enum ItemCmd {
    /// Create one
    New(NewArgs),
    /// List, newest first (conversations: needs-response first)
    List(ListArgs),
    /// Show one with links, history and messages
    Show { id: String },
    /// Move to another stage (kebab-case, e.g. work-in-progress); automatic moves it causes are named
    Stage {
        id: String,
        stage: String,
        /// Complete an issue although some of its tasks are open
        #[arg(long)]
        force: bool,
        /// Only if the item is still at this version (`show` prints it): another member's edit since
        /// refuses this one, saying who changed what
        #[arg(long, value_name = "N")]
        if_version: Option<i64>,
    },
    /// Set the owner (a member login), or clear it with "-"
    Assign {
        id: String,
        member: String,
        /// Only if the item is still at this version (`show` prints it): another member's edit since
        /// refuses this one, saying who changed what
        #[arg(long, value_name = "N")]
        if_version: Option<i64>,
    },
    /// Change the title
    Title {
        id: String,
        title: String,
        /// Only if the item is still at this version (`show` prints it): another member's edit since
        /// refuses this one, saying who changed what
        #[arg(long, value_name = "N")]
        if_version: Option<i64>,
    },
    /// Add tags
    Tag {
        id: String,
        #[arg(required = true)]
        tags: Vec<String>,
        /// Only if the item is still at this version (`show` prints it): another member's edit since
        /// refuses this one, saying who changed what
        #[arg(long, value_name = "N")]
        if_version: Option<i64>,
    },
    /// Link to another item
    Link {
        id: String,
        other: String,
        #[arg(long = "as", value_name = "duplicate-of|related|blocks|issue|ticket")]
        rel: String,
        /// Only if the item is still at this version (`show` prints it): another member's edit since
        /// refuses this one, saying who changed what
        #[arg(long, value_name = "N")]
        if_version: Option<i64>,
    },
    /// Reply to the customer (queued in the outbox; `helpdesk sync` sends it). Without a mailbox that can send, the
    /// reply is kept as your draft and the command says what to add
    Reply {
        id: String,
        #[arg(long, conflicts_with = "body_file")]
        body: Option<String>,
        /// Read the reply from a file (`-` for stdin); without --body or --body-file, $EDITOR opens
        #[arg(long)]
        body_file: Option<PathBuf>,
        /// Addressees instead of the item's *reported by* contacts (repeatable)
        #[arg(long)]
        to: Vec<String>,
        /// Copies instead of the item's other *email members* (repeatable)
        #[arg(long)]
        cc: Vec<String>,
        /// Subject instead of "Re:" the customer's last one
        #[arg(long)]
        subject: Option<String>,
        /// Reply to all: the other addressees of the customer message answered go in Cc too
        #[arg(long)]
        all: bool,
        /// A file to send with it (repeatable; up to 20 MB each)
        #[arg(long, value_name = "FILE")]
        attach: Vec<PathBuf>,
        /// Forward message ROW of this item (the number `show` prints after ──) to --to instead of replying: "Fwd:" its subject,
        /// its attachments along, your text above it; the item's stage is left as it is
        #[arg(long, value_name = "ROW", requires = "to", conflicts_with = "all")]
        forward: Option<i64>,
        /// The last message ROW of the thread you read (`show` prints it after ──): the reply is held if a customer
        /// message or a colleague's reply or note arrived after it. Written in $EDITOR, the
        /// thread is also checked for what arrived while you wrote
        #[arg(long, value_name = "ROW")]
        seen: Option<i64>,
        /// Send even if the thread changed since you opened it
        #[arg(long)]
        anyway: bool,
    },
    /// Your kept draft of a reply on this item, if any
    Draft { id: String },
    /// Add an internal note (never emailed)
    Note {
        id: String,
        #[arg(long)]
        body: String,
        /// Who writes it (default: who acts, `[me] login` or HELPDESK_USER)
        #[arg(long)]
        author: Option<String>,
        /// The last message ROW of the thread you read (`show` prints it after ──): the note is held if a customer
        /// message or a colleague's reply or note arrived after it.
        #[arg(long, value_name = "ROW")]
        seen: Option<i64>,
        /// Send even if the thread changed since you opened it
        #[arg(long)]
        anyway: bool,
    },
}

#[derive(Args, Debug)]
pub struct NewArgs {
    /// Required unless --from gives the conversation whose title it takes
    #[arg(long)]
    pub title: Option<String>,
    /// A ticket from this conversation (CONV-n): title, description, customer and mail thread carried over, linked
    #[arg(long)]
    pub from: Option<String>,
    /// Part id (FEAT-3) or name; required for tickets and issues
    #[arg(long)]
    pub part: Option<String>,
    #[arg(long, default_value = "")]
    pub description: String,
    #[arg(long)]
    pub severity: Option<String>,
    /// bug, feature-request or question
    #[arg(long)]
    pub subtype: Option<String>,
    /// Account id, name, domain or external reference
    #[arg(long)]
    pub account: Option<String>,
    /// Contact id, email or external reference (repeatable)
    #[arg(long = "reported-by")]
    pub reported_by: Vec<String>,
    #[arg(long)]
    pub owner: Option<String>,
    /// The issue a task belongs to
    #[arg(long)]
    pub issue: Option<String>,
}

#[derive(Args, Debug, Default)]
pub struct ListArgs {
    /// Start from a saved view (other filters narrow it)
    #[arg(long)]
    pub view: Option<String>,
    /// Tickets without a linked issue (the Active tickets tracker)
    #[arg(long, conflicts_with = "with_issue")]
    pub active: bool,
    /// Tickets with a linked issue (the Product assist tracker)
    #[arg(long)]
    pub with_issue: bool,
    #[arg(long)]
    pub stage: Vec<String>,
    #[arg(long)]
    pub owner: Option<String>,
    #[arg(long)]
    pub severity: Option<String>,
    #[arg(long)]
    pub part: Option<String>,
    #[arg(long)]
    pub tag: Option<String>,
    #[arg(long)]
    pub account: Option<String>,
    #[arg(long)]
    pub contact: Option<String>,
    #[arg(long)]
    pub needs_response: bool,
    /// Free words over ID, title, description, account, contact and message text
    #[arg(long)]
    pub text: Option<String>,
    /// A search as typed in the TUI's `/` box: `owner:alice stage:wip account:acme sev:high tag:x is:unassigned
    /// is:mine is:open has:issue` and free words
    #[arg(long, short = 'q')]
    pub query: Option<String>,
    /// Order: inbox, newest, updated, created, severity or waiting
    #[arg(long)]
    pub sort: Option<String>,
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
}
