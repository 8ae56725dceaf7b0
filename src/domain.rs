//! Domain types: item kinds and display ids, attributes, links, messages.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::Error;

/// What kind of work item (or record) a display id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Conversation,
    Ticket,
    Issue,
    Task,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Conversation, Kind::Ticket, Kind::Issue, Kind::Task];

    pub fn prefix(self) -> &'static str {
        match self {
            Kind::Conversation => "CONV",
            Kind::Ticket => "TKT",
            Kind::Issue => "ISS",
            Kind::Task => "TASK",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Conversation => "conversation",
            Kind::Ticket => "ticket",
            Kind::Issue => "issue",
            Kind::Task => "task",
        }
    }

    pub fn parse(s: &str) -> Result<Kind, Error> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| Error::invalid(format!("unknown kind '{s}'")))
    }
}

/// A display id such as `TKT-12`: a kind and its per-kind number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ItemRef {
    pub kind: Kind,
    pub num: i64,
}

impl fmt::Display for ItemRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.kind.prefix(), self.num)
    }
}

pub(crate) fn split_display(s: &str) -> Option<(String, i64)> {
    let (p, n) = s.trim().split_once('-')?;
    let num = n.parse::<i64>().ok().filter(|n| *n > 0)?;
    Some((p.to_ascii_uppercase(), num))
}

impl FromStr for ItemRef {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        let bad = || Error::invalid(format!("'{s}' is not an item id (like TKT-12, CONV-3, ISS-4, TASK-5)"));
        let (p, num) = split_display(s).ok_or_else(bad)?;
        let kind = Kind::ALL.into_iter().find(|k| k.prefix() == p).ok_or_else(bad)?;
        Ok(ItemRef { kind, num })
    }
}

impl Serialize for ItemRef {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// What a tag is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TagTarget {
    Item,
    Contact,
    Account,
}

impl TagTarget {
    pub fn as_str(self) -> &'static str {
        match self {
            TagTarget::Item => "item",
            TagTarget::Contact => "contact",
            TagTarget::Account => "account",
        }
    }
}

/// How a contact takes part in an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContactRole {
    /// Reported the work: replies go To them.
    ReportedBy,
    /// On the mail thread: replies Cc them.
    EmailMember,
}

impl ContactRole {
    pub fn as_str(self) -> &'static str {
        match self {
            ContactRole::ReportedBy => "reported_by",
            ContactRole::EmailMember => "email_member",
        }
    }
}

/// Which end of a link an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkEnd {
    /// This item is the link's source (`TKT-1 duplicate-of TKT-2` seen from TKT-1).
    Out,
    In,
}

macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str { match self { $($name::$variant => $text),+ } }
            pub fn parse(s: &str) -> Result<Self, Error> {
                let norm = s.trim().to_ascii_lowercase().replace('_', "-");
                Self::ALL.iter().copied().find(|v| v.as_str() == norm).ok_or_else(|| {
                    let names: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                    Error::invalid(format!("'{s}' is not a {}; use one of: {}", stringify!($name).to_ascii_lowercase(), names.join(", ")))
                })
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.pad(self.as_str()) }
        }
        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool { self.as_str() == *other }
        }
        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> { s.serialize_str(self.as_str()) }
        }
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                $name::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

string_enum!(Severity { Low = "low", Medium = "medium", High = "high", Blocker = "blocker" });
string_enum!(Subtype { Bug = "bug", FeatureRequest = "feature-request", Question = "question" });
string_enum!(SourceChannel { Email = "email", Cli = "cli", Tui = "tui", Import = "import" });
string_enum!(PartKind { Product = "product", Capability = "capability", Feature = "feature" });
string_enum!(LinkRel {
    DuplicateOf = "duplicate-of",
    Related = "related",
    Blocks = "blocks",
    Issue = "issue",
    Ticket = "ticket",
    Task = "task",
});
string_enum!(MsgChannel { Customer = "customer", Internal = "internal" });
string_enum!(Direction { Inbound = "in", Outbound = "out" });
string_enum!(DeliveryState { InTransit = "in-transit", Sent = "sent", Delivered = "delivered", Bounced = "bounced" });
string_enum!(
    /// Why a member is notified: an item was assigned to them, an internal note @mentions them, or a customer
    /// answered on an item they own.
    NoticeKind { Assigned = "assigned", Mentioned = "mentioned", Answered = "answered" }
);
string_enum!(
    /// What a member is doing on an item, as the others see it (team presence).
    Doing { Viewing = "viewing", Replying = "replying" }
);
string_enum!(Tier { Free = "free", Standard = "standard", Premium = "premium", Enterprise = "enterprise" });

impl PartKind {
    pub fn record(self) -> RecordKind {
        match self {
            PartKind::Product => RecordKind::Product,
            PartKind::Capability => RecordKind::Capability,
            PartKind::Feature => RecordKind::Feature,
        }
    }
    /// The kind a child of this part has, if it may have children.
    pub fn child(self) -> Option<PartKind> {
        match self {
            PartKind::Product => Some(PartKind::Capability),
            PartKind::Capability => Some(PartKind::Feature),
            PartKind::Feature => None,
        }
    }
}

impl LinkRel {
    /// Link kinds a user may create between arbitrary work items from the CLI or TUI.
    pub fn check_kinds(self, from: Kind, to: Kind) -> Result<(), Error> {
        let ok = match self {
            LinkRel::DuplicateOf | LinkRel::Related | LinkRel::Blocks => true,
            LinkRel::Issue => from == Kind::Ticket && to == Kind::Issue,
            LinkRel::Ticket => from == Kind::Conversation && to == Kind::Ticket,
            LinkRel::Task => {
                return Err(Error::invalid("a task belongs to its issue from its creation (task new --issue ISS-n)"));
            }
        };
        if ok {
            Ok(())
        } else {
            Err(Error::invalid(format!(
                "a '{}' link goes {}; not from a {} to a {}",
                self,
                match self {
                    LinkRel::Issue => "from a ticket to an issue",
                    _ => "from a conversation to a ticket",
                },
                from.as_str(),
                to.as_str()
            )))
        }
    }
}

/// Stock tags that carry meaning on contacts.
pub mod tags {
    pub const SPAMMER: &str = "spammer";
    pub const BLOCKED: &str = "blocked";
    pub const POWER_USER: &str = "power-user";
}

/// Normalise a tag: trimmed, lower-case, inner whitespace to '-'.
pub fn normalise_tag(t: &str) -> Result<String, Error> {
    let t = t.trim().to_lowercase().split_whitespace().collect::<Vec<_>>().join("-");
    if t.is_empty() || t.len() > 64 {
        return Err(Error::invalid("a tag must have 1 to 64 characters"));
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_ids_round_trip() {
        for (s, k) in
            [("TKT-12", Kind::Ticket), ("conv-3", Kind::Conversation), ("ISS-1", Kind::Issue), ("TASK-9", Kind::Task)]
        {
            let r: ItemRef = s.parse().unwrap();
            assert_eq!(r.kind, k);
            assert_eq!(r.to_string(), s.to_ascii_uppercase());
        }
        assert!("TKT-0".parse::<ItemRef>().is_err());
        assert!("XYZ-3".parse::<ItemRef>().is_err());
        assert!("12".parse::<ItemRef>().is_err());
    }

    #[test]
    fn enums_parse_kebab_and_snake() {
        assert_eq!(Subtype::parse("feature_request").unwrap(), Subtype::FeatureRequest);
        assert_eq!(Severity::parse("HIGH").unwrap(), Severity::High);
        let e = Severity::parse("urgent").unwrap_err().to_string();
        assert!(e.contains("low, medium, high, blocker"), "{e}");
    }

    #[test]
    fn link_kinds_are_checked() {
        assert!(LinkRel::Issue.check_kinds(Kind::Ticket, Kind::Issue).is_ok());
        assert!(LinkRel::Issue.check_kinds(Kind::Issue, Kind::Ticket).is_err());
        assert!(LinkRel::Related.check_kinds(Kind::Task, Kind::Conversation).is_ok());
    }

    #[test]
    fn record_ids() {
        assert_eq!(parse_record_id("CONT-4", &[RecordKind::Contact]).unwrap().1, 4);
        assert!(parse_record_id("ACC-4", &[RecordKind::Contact]).is_err());
        assert_eq!("cont-7".parse::<ContactId>().unwrap(), ContactId(7));
        assert_eq!(AccountId(12).to_string(), "ACC-12");
        assert!("CONT-7".parse::<AccountId>().is_err());
        let p: PartRef = "FEAT-9".parse().unwrap();
        assert_eq!((p.kind, p.num, p.to_string().as_str()), (PartKind::Feature, 9, "FEAT-9"));
    }
}

/// Unix seconds as RFC 3339 UTC, the form timestamps take in JSON and on screen.
pub fn fmt_ts(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0).map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string()).unwrap_or_default()
}

/// A span of hours as people read it: hours, days past two days, years past one (mail imported from years back).
pub fn fmt_hours(h: f64) -> String {
    match h / 24.0 {
        d if d >= 365.0 => format!("{:.1} y", d / 365.25),
        d if d > 2.0 => format!("{d:.1} d"),
        _ => format!("{h:.1} h"),
    }
}

pub fn ser_ts<S: serde::Serializer>(t: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&fmt_ts(*t))
}

pub fn ser_opt_ts<S: serde::Serializer>(t: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&fmt_ts(*t)),
        None => s.serialize_none(),
    }
}

/// A plain syntax check of an email address: one `@`, a local part, and a dotted domain without spaces.
/// Text without its accents (`Petrović` → `Petrovic`), to match names as people type them.
pub fn unaccented(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfd().filter(|c| !unicode_normalization::char::is_combining_mark(*c)).collect()
}

pub fn valid_email(s: &str) -> bool {
    let s = s.trim();
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && !local.contains(char::is_whitespace)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && domain.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '.')
}

pub mod ids;
pub mod subject;
pub use ids::{AccountId, ArticleId, ContactId, NamedContact, PartRef, RecordKind, parse_record_id};
pub use subject::normalise_subject;
