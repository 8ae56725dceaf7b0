//! The helpdesk binary: command line and terminal UI over the core library.
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod cli;
mod tui;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::main()
}
