//! The helpdesk binary: command line and terminal UI over the core library.
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod cli;
mod tui;
mod user;

use std::process::ExitCode;

fn main() -> ExitCode {
    let _log = user::init_logging();
    let result = cli::parse().and_then(|face| match face {
        cli::Face::Command(c) => cli::run(c),
        cli::Face::Tui { db, config } => tui::run(&db, config.as_deref()).map(|_| ExitCode::SUCCESS),
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", user::one_line(&e));
            ExitCode::FAILURE
        }
    }
}
