//! The four transition tables of SPEC §2.

use super::{Category, Stage, Tone};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConversationStage {
    New,
    NeedsResponse,
    Hold,
    WaitingOnUser,
    Resolved,
    Suspended,
    Archived,
}

impl Stage for ConversationStage {
    const ALL: &'static [Self] = &[
        Self::New,
        Self::NeedsResponse,
        Self::Hold,
        Self::WaitingOnUser,
        Self::Resolved,
        Self::Suspended,
        Self::Archived,
    ];
    fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::NeedsResponse => "needs-response",
            Self::Hold => "hold",
            Self::WaitingOnUser => "waiting-on-user",
            Self::Resolved => "resolved",
            Self::Suspended => "suspended",
            Self::Archived => "archived",
        }
    }
    fn label(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::NeedsResponse => "needs response",
            Self::Hold => "hold",
            Self::WaitingOnUser => "waiting on user",
            Self::Resolved => "resolved",
            Self::Suspended => "suspended",
            Self::Archived => "archived",
        }
    }
    fn next(self) -> &'static [Self] {
        use ConversationStage::*;
        match self {
            New => &[WaitingOnUser, Resolved, Archived],
            NeedsResponse => &[WaitingOnUser, Hold, Resolved],
            Hold => &[WaitingOnUser, NeedsResponse],
            WaitingOnUser => &[NeedsResponse, Resolved],
            Resolved => &[NeedsResponse, Archived],
            Suspended => &[New, Archived],
            Archived => &[],
        }
    }
    fn category(self) -> Category {
        match self {
            Self::New => Category::Open,
            Self::NeedsResponse | Self::Hold | Self::WaitingOnUser | Self::Suspended => Category::InProgress,
            Self::Resolved | Self::Archived => Category::Closed,
        }
    }
    fn tone(self) -> Tone {
        match self {
            Self::New | Self::NeedsResponse => Tone::Attention,
            Self::Hold | Self::WaitingOnUser => Tone::Active,
            Self::Resolved | Self::Archived => Tone::Done,
            Self::Suspended => Tone::Dropped,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TicketStage {
    Queued,
    WorkInProgress,
    AwaitingProductAssist,
    AwaitingDevelopment,
    InDevelopment,
    AwaitingCustomerResponse,
    Accepted,
    Resolved,
    Canceled,
}

impl Stage for TicketStage {
    const ALL: &'static [Self] = &[
        Self::Queued,
        Self::WorkInProgress,
        Self::AwaitingProductAssist,
        Self::AwaitingDevelopment,
        Self::InDevelopment,
        Self::AwaitingCustomerResponse,
        Self::Accepted,
        Self::Resolved,
        Self::Canceled,
    ];
    fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::WorkInProgress => "work-in-progress",
            Self::AwaitingProductAssist => "awaiting-product-assist",
            Self::AwaitingDevelopment => "awaiting-development",
            Self::InDevelopment => "in-development",
            Self::AwaitingCustomerResponse => "awaiting-customer-response",
            Self::Accepted => "accepted",
            Self::Resolved => "resolved",
            Self::Canceled => "canceled",
        }
    }
    fn label(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::WorkInProgress => "work in progress",
            Self::AwaitingProductAssist => "awaiting product assist",
            Self::AwaitingDevelopment => "awaiting development",
            Self::InDevelopment => "in development",
            Self::AwaitingCustomerResponse => "awaiting customer response",
            Self::Accepted => "accepted",
            Self::Resolved => "resolved",
            Self::Canceled => "canceled",
        }
    }
    fn next(self) -> &'static [Self] {
        use TicketStage::*;
        match self {
            Queued => &[WorkInProgress, Canceled],
            WorkInProgress => &[AwaitingProductAssist, AwaitingCustomerResponse, Canceled],
            AwaitingProductAssist => &[WorkInProgress, AwaitingDevelopment, Accepted, Canceled],
            AwaitingDevelopment => &[InDevelopment, Canceled],
            InDevelopment => &[AwaitingCustomerResponse, Canceled],
            AwaitingCustomerResponse => &[WorkInProgress, Resolved, Canceled],
            Accepted => &[],
            Resolved => &[WorkInProgress],
            Canceled => &[],
        }
    }
    fn category(self) -> Category {
        match self {
            Self::Queued => Category::Open,
            Self::WorkInProgress
            | Self::AwaitingProductAssist
            | Self::AwaitingDevelopment
            | Self::InDevelopment
            | Self::AwaitingCustomerResponse => Category::InProgress,
            Self::Accepted | Self::Resolved | Self::Canceled => Category::Closed,
        }
    }
    fn tone(self) -> Tone {
        match self {
            Self::Queued => Tone::Attention,
            Self::WorkInProgress
            | Self::AwaitingProductAssist
            | Self::AwaitingDevelopment
            | Self::InDevelopment
            | Self::AwaitingCustomerResponse => Tone::Active,
            Self::Accepted | Self::Resolved => Tone::Done,
            Self::Canceled => Tone::Dropped,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IssueStage {
    Triage,
    Backlog,
    Prioritized,
    InDevelopment,
    InReview,
    InTesting,
    InDeployment,
    Completed,
    WontFix,
    Duplicate,
}

impl Stage for IssueStage {
    const ALL: &'static [Self] = &[
        Self::Triage,
        Self::Backlog,
        Self::Prioritized,
        Self::InDevelopment,
        Self::InReview,
        Self::InTesting,
        Self::InDeployment,
        Self::Completed,
        Self::WontFix,
        Self::Duplicate,
    ];
    fn as_str(self) -> &'static str {
        match self {
            Self::Triage => "triage",
            Self::Backlog => "backlog",
            Self::Prioritized => "prioritized",
            Self::InDevelopment => "in-development",
            Self::InReview => "in-review",
            Self::InTesting => "in-testing",
            Self::InDeployment => "in-deployment",
            Self::Completed => "completed",
            Self::WontFix => "wont-fix",
            Self::Duplicate => "duplicate",
        }
    }
    fn label(self) -> &'static str {
        match self {
            Self::Triage => "triage",
            Self::Backlog => "backlog",
            Self::Prioritized => "prioritized",
            Self::InDevelopment => "in development",
            Self::InReview => "in review",
            Self::InTesting => "in testing",
            Self::InDeployment => "in deployment",
            Self::Completed => "completed",
            Self::WontFix => "won't fix",
            Self::Duplicate => "duplicate",
        }
    }
    fn next(self) -> &'static [Self] {
        use IssueStage::*;
        match self {
            Triage => &[Backlog, WontFix, Duplicate],
            Backlog => &[Prioritized, WontFix, Duplicate],
            Prioritized => &[InDevelopment, WontFix, Duplicate],
            InDevelopment => &[InReview, WontFix, Duplicate],
            InReview => &[InTesting, WontFix, Duplicate],
            InTesting => &[InDeployment, WontFix, Duplicate],
            InDeployment => &[Completed, WontFix, Duplicate],
            Completed | WontFix | Duplicate => &[],
        }
    }
    fn category(self) -> Category {
        match self {
            Self::Triage | Self::Backlog | Self::Prioritized => Category::Open,
            Self::InDevelopment | Self::InReview | Self::InTesting | Self::InDeployment => Category::InProgress,
            Self::Completed | Self::WontFix | Self::Duplicate => Category::Closed,
        }
    }
    fn tone(self) -> Tone {
        match self {
            Self::Triage => Tone::Attention,
            Self::Backlog
            | Self::Prioritized
            | Self::InDevelopment
            | Self::InReview
            | Self::InTesting
            | Self::InDeployment => Tone::Active,
            Self::Completed => Tone::Done,
            Self::WontFix | Self::Duplicate => Tone::Dropped,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaskStage {
    Open,
    InProgress,
    Done,
    WontDo,
}

impl Stage for TaskStage {
    const ALL: &'static [Self] = &[Self::Open, Self::InProgress, Self::Done, Self::WontDo];
    fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::InProgress => "in-progress",
            Self::Done => "done",
            Self::WontDo => "wont-do",
        }
    }
    fn label(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::InProgress => "in progress",
            Self::Done => "done",
            Self::WontDo => "won't do",
        }
    }
    fn next(self) -> &'static [Self] {
        use TaskStage::*;
        match self {
            Open => &[InProgress],
            InProgress => &[Done, WontDo],
            Done | WontDo => &[],
        }
    }
    fn category(self) -> Category {
        match self {
            Self::Open => Category::Open,
            Self::InProgress => Category::InProgress,
            Self::Done | Self::WontDo => Category::Closed,
        }
    }
    fn tone(self) -> Tone {
        match self {
            Self::Open => Tone::Attention,
            Self::InProgress => Tone::Active,
            Self::Done => Tone::Done,
            Self::WontDo => Tone::Dropped,
        }
    }
}
