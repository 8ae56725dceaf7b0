//! Command-line interface: argument parsing and dispatch to one module per noun.

mod args;
mod db;
mod io;
mod items;
mod kb;
mod live;
mod mail;
mod notifications;
mod out;
mod records;
mod reply;
mod setup;
mod similar;
mod util;

use anyhow::{Context, Result};
pub use args::Cli;
use args::{Cmd, DbCmd, EvalCmd, ImportCmd, OutboxCmd};
use clap::{CommandFactory, Parser};
use helpdesk::Store;
use helpdesk::domain::Kind;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// What the command line asks for: a command, or the terminal UI on a database.
pub enum Face {
    Command(Box<Cli>),
    Tui { db: PathBuf, config: Option<PathBuf> },
}

/// Read the arguments. Without a command the TUI runs (on a generated demo with `--demo`, made the first time).
pub fn parse() -> Result<Face> {
    let cli = Cli::parse();
    if cli.cmd.is_some() {
        return Ok(Face::Command(Box::new(cli)));
    }
    let db = db_path(&cli)?;
    if cli.demo && !db.exists() {
        eprintln!("Generating a demo help desk in {} …", db.display());
        let mut store = Store::open(&db)?;
        helpdesk::demo::generate(&mut store, 5_000, &mut |_, _| {})?;
    }
    Ok(Face::Tui { db, config: cli.config })
}

/// Run a command.
pub fn run(cli: Box<Cli>) -> Result<ExitCode> {
    // `config path` and `config check` are how one finds and mends a config that does not read: they need no database.
    let needs_db = !matches!(cli.cmd, Some(Cmd::Config(_) | Cmd::Completions { .. } | Cmd::Man));
    let db = if needs_db { db_path(&cli)? } else { PathBuf::new() };
    let cli_db = cli.db.clone();
    let cli_config = cli.config.clone();
    let json = cli.json;
    // A config that does not read is reported by the commands that need it, not by every command.
    util::set_me(config(&cli_config).ok().as_ref().and_then(|c| c.me_login()));
    let Some(cmd) = cli.cmd else { return Ok(ExitCode::SUCCESS) };
    match cmd {
        Cmd::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "helpdesk", &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Man => {
            clap_mangen::Man::new(Cli::command()).render(&mut std::io::stdout())?;
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Demo { tickets, force } => records::demo(&db, tickets, force, json),
        Cmd::Ticket(c) => items::run(&mut open(&db)?, &config(&cli_config)?, Kind::Ticket, c, json),
        Cmd::Conversation(c) => items::run(&mut open(&db)?, &config(&cli_config)?, Kind::Conversation, c, json),
        Cmd::Issue(c) => items::run(&mut open(&db)?, &config(&cli_config)?, Kind::Issue, c, json),
        Cmd::Task(c) => items::run(&mut open(&db)?, &config(&cli_config)?, Kind::Task, c, json),
        Cmd::Part(c) => records::part(&mut open(&db)?, c, json),
        Cmd::Contact(c) => records::contact(&mut open(&db)?, c, json),
        Cmd::Account(c) => records::account(&mut open(&db)?, c, json),
        Cmd::Member(c) => records::member(&mut open(&db)?, c, json),
        Cmd::Import(ImportCmd::Contacts(a)) => io::import(&db, a, helpdesk::io::import::Target::Contacts, json),
        Cmd::Import(ImportCmd::Accounts(a)) => io::import(&db, a, helpdesk::io::import::Target::Accounts, json),
        Cmd::Import(c) => mail::import(&mut open(&db)?, &config(&cli_config)?, c, json, cli_db.as_deref()),
        Cmd::Similar { text, kind, limit } => similar::similar(&mut open(&db)?, &text, kind.as_deref(), limit, json),
        Cmd::Eval(EvalCmd::Similar { reports, pairs, intents, every }) => {
            similar::eval(cli_db.as_deref(), reports.as_deref(), pairs.as_deref(), intents.as_deref(), every, json)
        }
        Cmd::Export(a) => io::export(&open(&db)?, a),
        Cmd::View(c) => io::view(&mut open(&db)?, c, json),
        Cmd::Stats { days } => io::stats(&open(&db)?, days, json),
        Cmd::Sync { watch } => live::sync(&db, &config(&cli_config)?, watch, json),
        Cmd::Outbox(OutboxCmd::List) => live::outbox(&open(&db)?, json),
        Cmd::Notifications { all, cmd } => notifications::run(&mut open(&db)?, all, cmd, json),
        Cmd::Config(c) => live::config(&cli_config, c),
        Cmd::Auth(c) => setup::auth(&config(&cli_config)?, c),
        Cmd::Kb(c) => kb::run(&mut open(&db)?, c, json),
        Cmd::Quarantine(c) => mail::quarantine(&mut open(&db)?, &config(&cli_config)?, c, json),
        Cmd::Message(c) => mail::message(&mut open(&db)?, c, json),
        Cmd::Lane { limit } => mail::lane(&open(&db)?, limit, json),
        Cmd::Search { words, limit } => mail::search(&open(&db)?, &words.join(" "), limit, json),
        Cmd::Reparse { msg, all: _ } => mail::reparse(&mut open(&db)?, &config(&cli_config)?, msg, json),
        Cmd::Db(DbCmd::Check) => mail::db_check(&db),
        Cmd::Db(DbCmd::Size) => mail::db_size(&open(&db)?, json),
        Cmd::Db(DbCmd::Copy { to }) => db::copy(&db, &to, json),
    }
}

pub fn open(db: &Path) -> Result<Store> {
    let at = helpdesk::store::shown_location(&db.to_string_lossy());
    crate::user::announce_index(db);
    Store::open(db).map_err(|e| {
        // A PostgreSQL error names the database already.
        if e.to_string().contains(&at) {
            anyhow::anyhow!("cannot open {e}")
        } else {
            anyhow::anyhow!("cannot open database {at}: {e}")
        }
    })
}

fn config(path: &Option<PathBuf>) -> Result<helpdesk::config::Config> {
    crate::user::config(path)
}

/// The database: `--db` (or HELPDESK_DB), else the config's `database`, else the default file. A
/// `postgres://` URL in its place is a PostgreSQL database (the store opens it); the config's
/// `database_password_command` is remembered for it.
fn db_path(cli: &Cli) -> Result<PathBuf> {
    let cfg = crate::user::config_path(&cli.config).map(|p| helpdesk::config::Config::load(&p, false));
    if let Ok(Ok(c)) = &cfg
        && let Some(cmd) = &c.database_password_command
    {
        helpdesk::store::set_database_password_command(cmd);
    }
    if let Some(p) = &cli.db {
        return Ok(p.clone());
    }
    match cfg {
        // Without --db the config may name the database: one that does not read cannot be passed over.
        Ok(Err(e)) => return Err(e).context("cannot tell which database to open"),
        Ok(Ok(c)) if c.database.is_some() => return Ok(PathBuf::from(c.database.unwrap_or_default())),
        _ => {}
    }
    let dirs = crate::user::dirs()?;
    Ok(dirs.data_dir().join(if cli.demo { "demo.db" } else { "helpdesk.db" }))
}
