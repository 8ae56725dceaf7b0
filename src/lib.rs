//! helpdesk core: domain, stage machines, store, mail pipeline, similar work, import/export, demo data.
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod background;
pub mod config;
pub mod demo;
pub mod domain;
pub mod embed;
pub mod io;
pub mod mail;
pub mod sanitize;
pub mod similar;
pub mod stage;
pub mod stats;
pub mod store;

pub use store::Store;

/// Errors of the core. The faces turn them into one clear line.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Invalid(String),
    #[error("{0} not found")]
    NotFound(String),
    #[error("cannot move from {from} to {to}; {}", legal_moves(.legal))]
    IllegalMove { from: String, to: String, legal: Vec<String> },
    #[error("database: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("database: {}", store::describe_postgres_error(.0))]
    Pg(#[from] postgres::Error),
    #[error("database migration: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("a write failed in a transaction without savepoints; run it again with them")]
    NeedsSavepoints,
    /// An edit of an item another member changed after this one saw it.
    #[error("{0}")]
    Stale(Box<store::Stale>),
    /// A reply or note held: the thread changed after the member opened it.
    #[error("{0}")]
    Held(Box<store::Held>),
}

fn legal_moves(legal: &[String]) -> String {
    if legal.is_empty() {
        "it is a final stage with no legal moves".into()
    } else {
        format!("legal next stages: {}", legal.join(", "))
    }
}

impl Error {
    pub fn invalid(msg: impl Into<String>) -> Error {
        Error::Invalid(msg.into())
    }
    pub fn not_found(what: impl Into<String>) -> Error {
        Error::NotFound(what.into())
    }

    /// Did the database refuse a write for a constraint (a unique key taken, a missing reference)?
    pub fn is_constraint(&self) -> bool {
        match self {
            Error::Db(e) => e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation),
            Error::Pg(e) => e.code().is_some_and(|c| c.code().starts_with("23")),
            _ => false,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Current time as unix seconds: the one clock of the core.
pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}
