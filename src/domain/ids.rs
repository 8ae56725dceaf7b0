//! Display ids of records (`CONT-7`, `ACC-12`, `FEAT-9`): parsed and shown in one place.

use super::{PartKind, split_display};
use crate::Error;
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// Records that are not work items but have display ids too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordKind {
    Contact,
    Account,
    Product,
    Capability,
    Feature,
    Article,
}

impl RecordKind {
    pub fn prefix(self) -> &'static str {
        match self {
            RecordKind::Contact => "CONT",
            RecordKind::Account => "ACC",
            RecordKind::Product => "PROD",
            RecordKind::Capability => "CAPL",
            RecordKind::Feature => "FEAT",
            RecordKind::Article => "KB",
        }
    }
}

/// Parse `CONT-4` / `ACC-2` / `FEAT-9` style ids into their number, checking the prefix.
pub fn parse_record_id(s: &str, kinds: &[RecordKind]) -> Result<(RecordKind, i64), Error> {
    let want: Vec<&str> = kinds.iter().map(|k| k.prefix()).collect();
    let bad = || Error::invalid(format!("'{s}' is not a {} id", want.join("/")));
    let (p, num) = split_display(s).ok_or_else(bad)?;
    let kind = kinds.iter().copied().find(|k| k.prefix() == p).ok_or_else(bad)?;
    Ok((kind, num))
}

/// A record whose display number is its row: `CONT-7`, `ACC-12`.
macro_rules! record_id {
    ($(#[$m:meta])* $name:ident, $kind:expr) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        pub struct $name(pub i64);
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}-{}", $kind.prefix(), self.0)
            }
        }
        impl FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self, Error> {
                Ok($name(parse_record_id(s, &[$kind])?.1))
            }
        }
        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
    };
}

record_id!(
    /// A contact: `CONT-7`.
    ContactId,
    RecordKind::Contact
);
record_id!(
    /// An account: `ACC-12`.
    AccountId,
    RecordKind::Account
);

record_id!(
    /// A knowledge article: `KB-3`.
    ArticleId,
    RecordKind::Article
);

/// A part of the product tree: `PROD-1`, `CAPL-4`, `FEAT-9`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PartRef {
    pub kind: PartKind,
    pub num: i64,
}

impl fmt::Display for PartRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.kind.record().prefix(), self.num)
    }
}

impl FromStr for PartRef {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        let (k, num) = parse_record_id(s, &[RecordKind::Product, RecordKind::Capability, RecordKind::Feature])?;
        let kind = PartKind::ALL.iter().copied().find(|p| p.record() == k).unwrap_or(PartKind::Product);
        Ok(PartRef { kind, num })
    }
}

impl Serialize for PartRef {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A contact with its name, shown as `CONT-7 Nadia Novak`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedContact {
    pub id: ContactId,
    pub name: String,
}

impl fmt::Display for NamedContact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.id, self.name)
    }
}

impl Serialize for NamedContact {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}
