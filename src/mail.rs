//! Mail: parse raw messages, classify them, and ingest them into the store; sources are Maildir, mbox and .eml.

pub mod batch;
pub mod caps;
pub mod classify;
pub mod guard;
pub mod html;
pub mod identity;
pub mod ingest;
pub mod lease;
pub mod net;
pub mod oauth;
pub mod outbox;
pub mod outcome;
pub mod parse;
pub mod reparse;
pub mod sent;
pub mod source;
pub mod sync;
pub mod worker;

pub use batch::ingest_batch;
pub use classify::{Class, Delivery};
pub use ingest::{IngestOptions, Mode, Outcome, Summary, ingest};
pub use parse::{Parsed, parse};
