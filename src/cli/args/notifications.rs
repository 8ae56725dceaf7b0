//! The verbs of notifications: list (the default) and read.

use clap::Subcommand;

#[derive(Subcommand, Debug)]
pub enum NotificationsCmd {
    /// Mark a notification read (its ID from the list), or all of yours with --all
    Read {
        #[arg(required_unless_present = "all")]
        id: Option<i64>,
        #[arg(long, conflicts_with = "id")]
        all: bool,
    },
}
