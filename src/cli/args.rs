//! The clap definition of every subcommand.

mod items;
mod notifications;

pub use items::{ItemCmd, ListArgs, NewArgs};
pub use notifications::NotificationsCmd;

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(name = "helpdesk", version, about = "A keyboard-driven terminal help desk over one SQLite file")]
pub struct Cli {
    /// Database: a file (default: helpdesk.db in the XDG data dir) or postgres://USER@HOST:PORT/DBNAME
    #[arg(long, global = true, env = "HELPDESK_DB")]
    pub db: Option<PathBuf>,
    /// Config file (default: config.toml in the XDG config dir)
    #[arg(long, global = true, env = "HELPDESK_CONFIG")]
    pub config: Option<PathBuf>,
    /// Print JSON instead of text (every command that prints records)
    #[arg(long, global = true)]
    pub json: bool,
    /// Open the TUI on a demo database in the data dir, generating it the first time
    #[arg(long)]
    pub demo: bool,
    #[command(subcommand)]
    pub cmd: Option<Cmd>,
}

#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Tickets: customer-facing records of work
    #[command(subcommand)]
    Ticket(ItemCmd),
    /// Conversations with customers
    #[command(subcommand)]
    Conversation(ItemCmd),
    /// Engineering issues
    #[command(subcommand)]
    Issue(ItemCmd),
    /// Tasks of issues
    #[command(subcommand)]
    Task(ItemCmd),
    /// The product part tree (product > capability > feature)
    #[command(subcommand)]
    Part(PartCmd),
    /// Contacts: external people
    #[command(subcommand)]
    Contact(ContactCmd),
    /// Accounts: customer organisations
    #[command(subcommand)]
    Account(AccountCmd),
    /// Members of our own team
    #[command(subcommand)]
    Member(MemberCmd),
    /// Fill the database with a realistic generated help desk
    Demo {
        /// How many tickets (about ten messages each, with conversations, issues and tasks around them)
        #[arg(long, default_value_t = 2000)]
        tickets: usize,
        /// Replace an existing database
        #[arg(long)]
        force: bool,
    },
    /// Import mail, contacts or accounts
    #[command(subcommand)]
    Import(ImportCmd),
    /// Messages that could not be parsed (kept raw)
    #[command(subcommand)]
    Quarantine(QuarantineCmd),
    /// Messages: re-thread one
    #[command(subcommand)]
    Message(MessageCmd),
    /// Messages (subjects and bodies) that have every word, newest first, with their item
    Search {
        #[arg(required = true)]
        words: Vec<String>,
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Machine mail (auto-replies, unmatched delivery and abuse reports) that belongs to no item
    Lane {
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Similar existing work for a text, best first, with why it matched
    Similar {
        text: String,
        /// ticket, issue, conversation or article (default: tickets, issues and conversations)
        #[arg(long = "type")]
        kind: Option<String>,
        #[arg(long, default_value_t = 10)]
        limit: usize,
    },
    /// Evaluations
    #[command(subcommand)]
    Eval(EvalCmd),
    /// Export a list as CSV or JSON, or the original messages of items as an mbox
    Export(ExportArgs),
    /// Re-derive stored messages (bodies, attachments, class) from their raw bytes after a parser change; threads stay
    Reparse {
        /// One message (as `show` numbers it)
        msg: Option<i64>,
        /// Every message with a raw copy
        #[arg(long, conflicts_with = "msg", required_unless_present = "msg")]
        all: bool,
    },
    /// The database itself: check, size, copy
    #[command(subcommand)]
    Db(DbCmd),
    /// Saved views
    #[command(subcommand)]
    View(ViewCmd),
    /// Dashboard figures: volume, open tickets by stage and severity, first response, oldest waiting
    Stats {
        #[arg(long, default_value_t = 30)]
        days: i64,
    },
    /// Fetch new mail and send the outbox, once (or keep going with --watch)
    Sync {
        #[arg(long)]
        watch: bool,
    },
    /// Replies waiting to be sent and their delivery state
    #[command(subcommand)]
    Outbox(OutboxCmd),
    /// Your unread notifications, newest first: items assigned to you, @mentions in internal notes, customer answers
    /// on items you own
    Notifications {
        /// Read ones too (the latest 200)
        #[arg(long)]
        all: bool,
        #[command(subcommand)]
        cmd: Option<NotificationsCmd>,
    },
    /// The config file
    #[command(subcommand)]
    Config(ConfigCmd),
    /// OAuth2 sign-in of a mailbox
    #[command(subcommand)]
    Auth(AuthCmd),
    /// Knowledge articles (Markdown), suggested beside similar work
    #[command(subcommand)]
    Kb(KbCmd),
    /// Print shell completions
    Completions { shell: clap_complete::Shell },
    /// Print the man page
    Man,
}

#[derive(Subcommand, Debug)]
pub enum PartCmd {
    New {
        /// product, capability or feature
        #[arg(long, default_value = "product")]
        kind: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        parent: Option<String>,
    },
    List,
}

#[derive(Subcommand, Debug)]
pub enum ContactCmd {
    New {
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: Vec<String>,
        #[arg(long)]
        phone: Vec<String>,
        #[arg(long)]
        account: Option<String>,
        #[arg(long = "external-ref")]
        external_ref: Option<String>,
        #[arg(long)]
        verified: bool,
        #[arg(long)]
        tag: Vec<String>,
    },
    List {
        #[arg(long)]
        account: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    Show {
        id: String,
    },
    /// Change a contact; emails, phones and tags are added
    Edit {
        id: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        email: Vec<String>,
        #[arg(long)]
        phone: Vec<String>,
        #[arg(long)]
        account: Option<String>,
        #[arg(long = "external-ref")]
        external_ref: Option<String>,
        #[arg(long)]
        verified: Option<bool>,
        #[arg(long)]
        tag: Vec<String>,
        /// Remove a tag (`--untag blocked --untag spammer` restores normal mail handling)
        #[arg(long)]
        untag: Vec<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum AccountCmd {
    New {
        #[arg(long)]
        name: String,
        #[arg(long)]
        domain: Vec<String>,
        #[arg(long)]
        tier: Option<String>,
        #[arg(long, default_value = "")]
        description: String,
        #[arg(long)]
        owner: Option<String>,
        #[arg(long = "external-ref")]
        external_ref: Option<String>,
        #[arg(long)]
        tag: Vec<String>,
    },
    List {
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    Show {
        id: String,
    },
    /// Change an account; domains and tags are added
    Edit {
        id: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        domain: Vec<String>,
        #[arg(long)]
        tier: Option<String>,
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        owner: Option<String>,
        #[arg(long = "external-ref")]
        external_ref: Option<String>,
        #[arg(long)]
        tag: Vec<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum MemberCmd {
    New {
        login: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        email: Option<String>,
    },
    List,
}

#[derive(Subcommand, Debug)]
pub enum ImportCmd {
    /// Contacts from CSV: bad rows are reported by line and skipped, good rows import, known ones update
    Contacts(CsvImportArgs),
    /// Accounts from CSV, as contacts
    Accounts(CsvImportArgs),
    /// Maildir folders, mbox files, .eml files and directories of them
    Mail {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// conversations or tickets (default: the mailbox's mode from the config, else conversations)
        #[arg(long)]
        mode: Option<String>,
        /// Our own address (never a contact)
        #[arg(long)]
        mailbox: Option<String>,
        /// Report what would happen and write nothing
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum EvalCmd {
    /// Duplicate-detection protocol on a GitBugs-style data set (or short texts grouped by intent): recall-rate@1/5/10
    /// and MAP of the lexical, embedding and hybrid rankings
    Similar {
        #[arg(long, required_unless_present = "intents", requires = "pairs")]
        reports: Option<PathBuf>,
        #[arg(long, requires = "reports")]
        pairs: Option<PathBuf>,
        /// A `text,category` CSV (banking77): each category's texts are one duplicate cluster
        #[arg(long, conflicts_with = "reports")]
        intents: Option<PathBuf>,
        /// With --intents: use every Nth row
        #[arg(long, default_value_t = 10)]
        every: usize,
    },
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// tickets, conversations, issues, tasks, contacts or accounts
    pub what: String,
    /// csv, json, or mbox (the original messages of the selected items)
    #[arg(long, default_value = "csv")]
    pub format: String,
    /// JSON includes each item's whole thread; CSV adds a message count
    #[arg(long)]
    pub with_messages: bool,
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub filter: ListArgs,
}

#[derive(Subcommand, Debug)]
pub enum ViewCmd {
    /// Save the given filters under a name
    Save {
        name: String,
        /// ticket, conversation, issue or task
        #[arg(long = "type", default_value = "ticket")]
        kind: String,
        #[command(flatten)]
        filter: Box<ListArgs>,
    },
    List,
}

#[derive(Subcommand, Debug)]
pub enum OutboxCmd {
    List,
}

#[derive(Subcommand, Debug)]
pub enum ConfigCmd {
    /// Validate the config and try every IMAP and SMTP connection
    Check,
    /// Print the path of the config file in use
    Path,
    /// Make a config: asks for what the flags do not give (or reads the answers from stdin), tries IMAP and SMTP at
    /// once, and writes the file with mode 0600
    Init(Box<InitArgs>),
}

#[derive(Args, Debug, Default)]
pub struct InitArgs {
    /// The support address (the mailbox)
    #[arg(long)]
    pub address: Option<String>,
    /// The mailbox's name customers see ("Example Support")
    #[arg(long)]
    pub name: Option<String>,
    /// gmail, outlook, fastmail, yahoo or zoho (fills hosts, ports, security and sign-in); "none" for your own hosts
    #[arg(long)]
    pub provider: Option<String>,
    #[arg(long)]
    pub imap_host: Option<String>,
    #[arg(long)]
    pub imap_port: Option<u16>,
    #[arg(long)]
    pub smtp_host: Option<String>,
    #[arg(long)]
    pub smtp_port: Option<u16>,
    /// tls, starttls or plain (loopback only), for both servers
    #[arg(long)]
    pub security: Option<String>,
    /// The login on both servers (default: the address)
    #[arg(long)]
    pub user: Option<String>,
    /// password or oauth2
    #[arg(long)]
    pub auth: Option<String>,
    /// A command printing the password (password sign-in)
    #[arg(long)]
    pub password_command: Option<String>,
    /// A command printing a current access token (oauth2 sign-in without the built-in flow)
    #[arg(long)]
    pub token_command: Option<String>,
    /// The OAuth2 client id of the built-in flow (`helpdesk auth login` then stores a refresh token)
    #[arg(long)]
    pub client_id: Option<String>,
    /// A CA certificate to trust besides the system's (test servers)
    #[arg(long)]
    pub ca_file: Option<String>,
    /// conversations or tickets
    #[arg(long)]
    pub mode: Option<String>,
    /// Your member login ([me] login)
    #[arg(long)]
    pub login: Option<String>,
    /// Your name as customers read it ([me] name)
    #[arg(long)]
    pub my_name: Option<String>,
    /// Replace an existing config file
    #[arg(long)]
    pub force: bool,
    /// Write the file without trying the servers
    #[arg(long)]
    pub no_check: bool,
}

#[derive(Subcommand, Debug)]
pub enum KbCmd {
    /// Import every .md file under DIR (title from the first heading; a file imported before updates its article)
    Import { dir: PathBuf },
    /// Articles by title
    List {
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// One article
    Show { id: String },
    /// Write a new article (the text from --body, --body-file or $EDITOR)
    New {
        #[arg(long)]
        title: String,
        #[arg(long)]
        body: Option<String>,
        #[arg(long)]
        body_file: Option<PathBuf>,
        /// Tags (repeatable)
        #[arg(long)]
        tag: Vec<String>,
        /// Part id (FEAT-3) or name
        #[arg(long)]
        part: Option<String>,
    },
    /// Edit an article's text in $EDITOR (or replace it with --body / --title)
    Edit {
        id: String,
        #[arg(long)]
        title: Option<String>,
        #[arg(long)]
        body: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum AuthCmd {
    /// Sign a mailbox in with the OAuth2 device flow (RFC 8628) and store its refresh token (0600, data dir)
    Login { mailbox: String },
}

#[derive(Subcommand, Debug)]
pub enum QuarantineCmd {
    List {
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// Print a quarantined message's raw bytes (or save them with -o)
    Show {
        id: i64,
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Try to ingest quarantined messages again (all, or one id)
    Retry { id: Option<i64> },
}

#[derive(Subcommand, Debug)]
pub enum MessageCmd {
    /// List a message's attachments, or save them to a directory under sanitised file names
    Attachments {
        msg: i64,
        #[arg(long)]
        save: Option<PathBuf>,
    },
    /// Print the message as it was received, byte for byte
    Raw { msg: i64 },
    /// Move a message to another item, or to a new one with `--to new`
    Move {
        /// Message number (as `show` prints it)
        msg: i64,
        #[arg(long)]
        to: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum DbCmd {
    /// Full integrity check (PRAGMA integrity_check), read-only; exit 1 when damaged (PostgreSQL: reached and current)
    Check,
    /// Sizes: the database, and the raw messages kept (as received and compressed)
    Size,
    /// Copy the whole help desk into an empty database (a postgres:// URL or a SQLite file) and verify the row
    /// counts of every table
    Copy {
        /// The target: postgres://USER@HOST:PORT/DBNAME, or the path of a new SQLite file
        #[arg(long)]
        to: PathBuf,
    },
}

#[derive(Args, Debug)]
pub struct CsvImportArgs {
    #[arg(required_unless_present = "sample")]
    pub file: Option<PathBuf>,
    /// Print a sample CSV: the header, and a row marking each column mandatory or optional
    #[arg(long)]
    pub sample: bool,
    #[arg(long)]
    pub dry_run: bool,
    /// Write rejected rows, with a reason column, to this file
    #[arg(long)]
    pub errors_out: Option<PathBuf>,
}
