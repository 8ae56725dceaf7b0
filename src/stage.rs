//! Stage machines: closed enums, one exhaustive transition table each, and the automatic moves as pure functions.

mod auto;
mod tables;

pub use auto::*;
pub use tables::{ConversationStage, IssueStage, TaskStage, TicketStage};

use crate::Error;
use crate::domain::Kind;

/// Ticket stage groups as the spec names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    Open,
    InProgress,
    Closed,
}

/// How a stage looks on any face: waiting on us, moving, finished well, or dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Attention,
    Active,
    Done,
    Dropped,
}

/// What every stage enum offers: names, its transition table, and a checked move.
pub trait Stage: Copy + Eq + std::fmt::Debug + 'static {
    const ALL: &'static [Self];
    /// The kebab-case name used on the command line and in the database.
    fn as_str(self) -> &'static str;
    /// The display name, the one spelling every face shows ("work in progress").
    fn label(self) -> &'static str;
    /// The legal next stages: the transition table.
    fn next(self) -> &'static [Self];
    fn category(self) -> Category;
    fn tone(self) -> Tone;

    fn parse(s: &str) -> Result<Self, Error> {
        let norm = s.trim().to_ascii_lowercase().replace(['_', ' '], "-");
        Self::ALL.iter().copied().find(|v| v.as_str() == norm).ok_or_else(|| {
            let names: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
            Error::invalid(format!("'{s}' is not a stage; stages are: {}", names.join(", ")))
        })
    }

    /// Check a move against the table; the error names the legal moves.
    fn check(self, to: Self) -> Result<(), Error> {
        if self.next().contains(&to) {
            Ok(())
        } else {
            Err(Error::IllegalMove {
                from: self.as_str().into(),
                to: to.as_str().into(),
                legal: self.next().iter().map(|s| s.as_str().to_string()).collect(),
            })
        }
    }

    fn is_closed(self) -> bool {
        self.category() == Category::Closed
    }
}

/// A stage of any kind, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnyStage {
    Conversation(ConversationStage),
    Ticket(TicketStage),
    Issue(IssueStage),
    Task(TaskStage),
}

impl AnyStage {
    pub fn parse(kind: Kind, s: &str) -> Result<AnyStage, Error> {
        Ok(match kind {
            Kind::Conversation => AnyStage::Conversation(ConversationStage::parse(s)?),
            Kind::Ticket => AnyStage::Ticket(TicketStage::parse(s)?),
            Kind::Issue => AnyStage::Issue(IssueStage::parse(s)?),
            Kind::Task => AnyStage::Task(TaskStage::parse(s)?),
        })
    }
    pub fn initial(kind: Kind) -> AnyStage {
        match kind {
            Kind::Conversation => AnyStage::Conversation(ConversationStage::New),
            Kind::Ticket => AnyStage::Ticket(TicketStage::Queued),
            Kind::Issue => AnyStage::Issue(IssueStage::Triage),
            Kind::Task => AnyStage::Task(TaskStage::Open),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            AnyStage::Conversation(s) => s.as_str(),
            AnyStage::Ticket(s) => s.as_str(),
            AnyStage::Issue(s) => s.as_str(),
            AnyStage::Task(s) => s.as_str(),
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            AnyStage::Conversation(s) => s.label(),
            AnyStage::Ticket(s) => s.label(),
            AnyStage::Issue(s) => s.label(),
            AnyStage::Task(s) => s.label(),
        }
    }
    pub fn tone(self) -> Tone {
        match self {
            AnyStage::Conversation(s) => s.tone(),
            AnyStage::Ticket(s) => s.tone(),
            AnyStage::Issue(s) => s.tone(),
            AnyStage::Task(s) => s.tone(),
        }
    }
    /// A move here drops the item's work (or archives a conversation for good): faces ask before making it.
    pub fn closing(self) -> bool {
        self == AnyStage::Conversation(ConversationStage::Archived)
            || (self.is_closed() && self.tone() == Tone::Dropped)
    }
    pub fn kind(self) -> Kind {
        match self {
            AnyStage::Conversation(_) => Kind::Conversation,
            AnyStage::Ticket(_) => Kind::Ticket,
            AnyStage::Issue(_) => Kind::Issue,
            AnyStage::Task(_) => Kind::Task,
        }
    }
    /// The legal next stages.
    pub fn next(self) -> Vec<AnyStage> {
        match self {
            AnyStage::Conversation(s) => s.next().iter().map(|n| AnyStage::Conversation(*n)).collect(),
            AnyStage::Ticket(s) => s.next().iter().map(|n| AnyStage::Ticket(*n)).collect(),
            AnyStage::Issue(s) => s.next().iter().map(|n| AnyStage::Issue(*n)).collect(),
            AnyStage::Task(s) => s.next().iter().map(|n| AnyStage::Task(*n)).collect(),
        }
    }
    /// Every stage of a kind, in table order.
    pub fn all(kind: Kind) -> Vec<AnyStage> {
        match kind {
            Kind::Conversation => ConversationStage::ALL.iter().map(|n| AnyStage::Conversation(*n)).collect(),
            Kind::Ticket => TicketStage::ALL.iter().map(|n| AnyStage::Ticket(*n)).collect(),
            Kind::Issue => IssueStage::ALL.iter().map(|n| AnyStage::Issue(*n)).collect(),
            Kind::Task => TaskStage::ALL.iter().map(|n| AnyStage::Task(*n)).collect(),
        }
    }
    pub fn is_closed(self) -> bool {
        match self {
            AnyStage::Conversation(s) => s.is_closed(),
            AnyStage::Ticket(s) => s.is_closed(),
            AnyStage::Issue(s) => s.is_closed(),
            AnyStage::Task(s) => s.is_closed(),
        }
    }
    /// Legal next stages as kebab names.
    pub fn next_names(self) -> Vec<&'static str> {
        fn names<S: Stage>(s: S) -> Vec<&'static str> {
            s.next().iter().map(|n| n.as_str()).collect()
        }
        match self {
            AnyStage::Conversation(s) => names(s),
            AnyStage::Ticket(s) => names(s),
            AnyStage::Issue(s) => names(s),
            AnyStage::Task(s) => names(s),
        }
    }
    /// Check a move between two stages of the same kind.
    pub fn check(self, to: AnyStage) -> Result<(), Error> {
        match (self, to) {
            (AnyStage::Conversation(a), AnyStage::Conversation(b)) => a.check(b),
            (AnyStage::Ticket(a), AnyStage::Ticket(b)) => a.check(b),
            (AnyStage::Issue(a), AnyStage::Issue(b)) => a.check(b),
            (AnyStage::Task(a), AnyStage::Task(b)) => a.check(b),
            _ => Err(Error::invalid("a stage of another kind of item")),
        }
    }
    /// All stage names of a kind, in table order.
    pub fn all_names(kind: Kind) -> Vec<&'static str> {
        fn names<S: Stage>() -> Vec<&'static str> {
            S::ALL.iter().map(|n| n.as_str()).collect()
        }
        match kind {
            Kind::Conversation => names::<ConversationStage>(),
            Kind::Ticket => names::<TicketStage>(),
            Kind::Issue => names::<IssueStage>(),
            Kind::Task => names::<TaskStage>(),
        }
    }
}

impl std::fmt::Display for AnyStage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// A stage equals its kebab name (`stage == "resolved"`).
impl PartialEq<&str> for AnyStage {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl serde::Serialize for AnyStage {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}
