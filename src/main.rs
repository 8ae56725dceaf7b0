//! The helpdesk binary: command line and terminal UI over the core library.
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod cli;
mod tui;
mod user;

use std::process::ExitCode;

#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // `helpdesk ticket list | head`: a closed pipe ends the output quietly, as it does for other tools.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let msg = info.payload().downcast_ref::<String>().map(String::as_str).unwrap_or_default();
        if msg.contains("failed printing to stdout") && msg.contains("Broken pipe") {
            std::process::exit(141);
        }
        default_hook(info);
    }));
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
