//! Command-line interface: argument parsing and dispatch to one module per noun.

mod args;
mod bench;
mod io;
mod items;
mod live;
mod mail;
mod out;
mod records;
mod similar;
pub mod util;

use anyhow::{Context, Result};
use args::{Cli, Cmd, EvalCmd, ImportCmd, OutboxCmd};
use clap::{CommandFactory, Parser};
use helpdesk::Store;
use helpdesk::domain::Kind;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let _log = util::init_logging();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", util::one_line(&e));
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    let db = db_path(&cli)?;
    let cli_config = cli.config.clone();
    let Some(cmd) = cli.cmd else {
        if cli.demo && !db.exists() {
            eprintln!("Generating a demo help desk in {} …", db.display());
            let mut store = Store::open(&db)?;
            helpdesk::demo::generate(&mut store, 5_000, &mut |_, _| {})?;
        }
        return crate::tui::run(&db, cli.config.as_deref()).map(|_| ExitCode::SUCCESS);
    };
    match cmd {
        Cmd::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "helpdesk", &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Man => {
            clap_mangen::Man::new(Cli::command()).render(&mut std::io::stdout())?;
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Demo { tickets, force, json } => records::demo(&db, tickets, force, json),
        Cmd::Ticket(c) => items::run(&mut open(&db)?, &config(&cli_config)?, Kind::Ticket, c),
        Cmd::Conversation(c) => items::run(&mut open(&db)?, &config(&cli_config)?, Kind::Conversation, c),
        Cmd::Issue(c) => items::run(&mut open(&db)?, &config(&cli_config)?, Kind::Issue, c),
        Cmd::Task(c) => items::run(&mut open(&db)?, &config(&cli_config)?, Kind::Task, c),
        Cmd::Part(c) => records::part(&mut open(&db)?, c),
        Cmd::Contact(c) => records::contact(&mut open(&db)?, c),
        Cmd::Account(c) => records::account(&mut open(&db)?, c),
        Cmd::Member(c) => records::member(&mut open(&db)?, c),
        Cmd::Import(ImportCmd::Contacts(a)) => io::import(&db, a, helpdesk::io::import::Target::Contacts),
        Cmd::Import(ImportCmd::Accounts(a)) => io::import(&db, a, helpdesk::io::import::Target::Accounts),
        Cmd::Import(c) => mail::import(&mut open(&db)?, &config(&cli_config)?, c),
        Cmd::Similar { text, kind, limit, json } => similar::similar(&open(&db)?, &text, kind.as_deref(), limit, json),
        Cmd::Eval(EvalCmd::Similar { reports, pairs, json }) => similar::eval(&reports, &pairs, json),
        Cmd::Export(a) => io::export(&open(&db)?, a),
        Cmd::View(c) => io::view(&mut open(&db)?, c),
        Cmd::Stats { days, json } => io::stats(&open(&db)?, days, json),
        Cmd::Sync { watch, json } => live::sync(&db, &config(&cli_config)?, watch, json),
        Cmd::Outbox(OutboxCmd::List { json }) => live::outbox(&open(&db)?, json),
        Cmd::Config(c) => live::config(&cli_config, c),
        Cmd::Bench(a) => bench::run(&db, a),
        Cmd::Quarantine(c) => mail::quarantine(&mut open(&db)?, &config(&cli_config)?, c),
        Cmd::Message(c) => mail::message(&mut open(&db)?, c),
        Cmd::Lane { limit, json } => mail::lane(&open(&db)?, limit, json),
        Cmd::Search { words, limit, json } => mail::search(&open(&db)?, &words.join(" "), limit, json),
    }
}

pub fn open(db: &Path) -> Result<Store> {
    Store::open(db).with_context(|| format!("cannot open database {}", db.display()))
}

/// The config: `--config` must exist; the default location may be absent.
pub fn config(path: &Option<PathBuf>) -> Result<helpdesk::config::Config> {
    Ok(match path {
        Some(p) => helpdesk::config::Config::load(p, true)?,
        None => helpdesk::config::Config::load(&util::dirs()?.config_dir().join("config.toml"), false)?,
    })
}

fn db_path(cli: &Cli) -> Result<PathBuf> {
    if let Some(p) = &cli.db {
        return Ok(p.clone());
    }
    let dirs = util::dirs()?;
    Ok(dirs.data_dir().join(if cli.demo { "demo.db" } else { "helpdesk.db" }))
}
