//! The automatic moves of SPEC §2 as pure functions of the current stage and the event.

use super::{ConversationStage as C, IssueStage, Stage, TicketStage as T};
use chrono::{DateTime, Duration, Utc};

/// Default reopen window for resolved tickets.
pub const REOPEN_WINDOW_DAYS: i64 = 14;

/// What happened to an item, as far as needs-response goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Happened {
    /// A customer's message arrived (a person's mail, not machine mail).
    CustomerWrote,
    MemberReplied,
    /// A stage move, by hand or automatic.
    Moved(super::AnyStage),
}

/// The one rule of needs-response: a customer's message sets it, a member's reply clears it, a move to a closed stage
/// clears it; nothing else changes it (`None`: unchanged).
pub fn needs_response_after(h: Happened) -> Option<bool> {
    match h {
        Happened::CustomerWrote => Some(true),
        Happened::MemberReplied => Some(false),
        Happened::Moved(s) => s.is_closed().then_some(false),
    }
}

/// A customer wrote to a conversation (already classified as a valid, human message).
pub fn conversation_on_customer_message(s: C) -> Option<C> {
    match s {
        C::WaitingOnUser | C::Resolved => Some(C::NeedsResponse),
        C::New | C::NeedsResponse | C::Hold | C::Suspended | C::Archived => None,
    }
}

/// A member replied to the customer.
pub fn conversation_on_member_reply(s: C) -> Option<C> {
    match s {
        C::New | C::NeedsResponse | C::Hold => Some(C::WaitingOnUser),
        C::WaitingOnUser | C::Resolved | C::Suspended | C::Archived => None,
    }
}

/// What a customer message does to a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketReaction {
    Stay,
    Move(T),
    /// The ticket is closed beyond reopening: start a new ticket linked `related`.
    NewRelated,
}

pub fn ticket_on_customer_message(
    s: T,
    closed_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    window_days: i64,
) -> TicketReaction {
    match s {
        T::AwaitingCustomerResponse => TicketReaction::Move(T::WorkInProgress),
        T::Resolved => match closed_at {
            Some(at) if now - at > Duration::days(window_days) => TicketReaction::NewRelated,
            _ => TicketReaction::Move(T::WorkInProgress),
        },
        T::Accepted | T::Canceled => TicketReaction::NewRelated,
        T::Queued | T::WorkInProgress | T::AwaitingProductAssist | T::AwaitingDevelopment | T::InDevelopment => {
            TicketReaction::Stay
        }
    }
}

/// An issue was created for, or linked to, the ticket: product assist has become development work.
pub fn ticket_on_issue_linked(s: T) -> Option<T> {
    match s {
        T::AwaitingProductAssist => Some(T::AwaitingDevelopment),
        _ => None,
    }
}

/// A linked issue moved to In development.
pub fn ticket_on_issue_started(s: T) -> Option<T> {
    match s {
        T::AwaitingDevelopment => Some(T::InDevelopment),
        _ => None,
    }
}

/// The linked issues' stages changed: when all are closed and at least one completed, the fix is validated.
pub fn ticket_on_issues_changed(s: T, linked: &[IssueStage]) -> Option<T> {
    let done = !linked.is_empty() && linked.iter().all(|i| i.is_closed()) && linked.contains(&IssueStage::Completed);
    match s {
        T::InDevelopment if done => Some(T::AwaitingCustomerResponse),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::{AnyStage, Stage, TaskStage};
    use super::*;
    use crate::domain::Kind;

    /// Every (from, to) pair of a table is legal exactly when the spec lists it.
    fn assert_table<S: Stage>(edges: &[(S, S)]) {
        for &from in S::ALL {
            for &to in S::ALL {
                let want = edges.contains(&(from, to));
                let got = from.check(to);
                assert_eq!(got.is_ok(), want, "{from:?} -> {to:?}");
                if let Err(e) = got {
                    for legal in from.next() {
                        assert!(e.to_string().contains(legal.as_str()), "{e} lacks {}", legal.as_str());
                    }
                }
            }
        }
    }

    #[test]
    fn conversation_table_is_the_spec() {
        use C::*;
        assert_table(&[
            (Suspended, New),
            (New, WaitingOnUser),
            (New, Resolved),
            (New, Archived),
            (NeedsResponse, WaitingOnUser),
            (Hold, WaitingOnUser),
            (WaitingOnUser, NeedsResponse),
            (NeedsResponse, Hold),
            (Hold, NeedsResponse),
            (NeedsResponse, Resolved),
            (WaitingOnUser, Resolved),
            (Resolved, NeedsResponse),
            (Resolved, Archived),
            (Suspended, Archived),
        ]);
    }

    #[test]
    fn ticket_table_is_the_spec() {
        use T::*;
        let mut edges = vec![
            (Queued, WorkInProgress),
            (WorkInProgress, AwaitingProductAssist),
            (AwaitingProductAssist, WorkInProgress),
            (AwaitingProductAssist, AwaitingDevelopment),
            (AwaitingProductAssist, Accepted),
            (AwaitingDevelopment, InDevelopment),
            (InDevelopment, AwaitingCustomerResponse),
            (WorkInProgress, AwaitingCustomerResponse),
            (AwaitingCustomerResponse, WorkInProgress),
            (AwaitingCustomerResponse, Resolved),
            (Resolved, WorkInProgress),
        ];
        for s in [
            Queued,
            WorkInProgress,
            AwaitingProductAssist,
            AwaitingDevelopment,
            InDevelopment,
            AwaitingCustomerResponse,
        ] {
            edges.push((s, Canceled));
        }
        assert_table(&edges);
    }

    #[test]
    fn issue_table_is_the_spec() {
        use IssueStage::*;
        let line = [Triage, Backlog, Prioritized, InDevelopment, InReview, InTesting, InDeployment, Completed];
        let mut edges: Vec<_> = line.windows(2).map(|w| (w[0], w[1])).collect();
        for s in &line[..7] {
            edges.push((*s, WontFix));
            edges.push((*s, Duplicate));
        }
        assert_table(&edges);
    }

    #[test]
    fn task_table_is_the_spec() {
        use TaskStage::*;
        assert_table(&[(Open, InProgress), (InProgress, Done), (InProgress, WontDo)]);
    }

    #[test]
    fn illegal_move_names_legal_ones() {
        let e = T::Queued.check(T::Resolved).unwrap_err().to_string();
        assert!(e.contains("work-in-progress") && e.contains("canceled"), "{e}");
        let e = AnyStage::parse(Kind::Ticket, "nope").unwrap_err().to_string();
        assert!(e.contains("awaiting-customer-response"), "{e}");
    }

    #[test]
    fn automatic_moves_are_legal_table_moves() {
        for &s in C::ALL {
            if let Some(to) = conversation_on_customer_message(s) {
                s.check(to).unwrap();
            }
            if let Some(to) = conversation_on_member_reply(s) {
                s.check(to).unwrap();
            }
        }
        let now = Utc::now();
        for &s in T::ALL {
            if let TicketReaction::Move(to) = ticket_on_customer_message(s, Some(now), now, 14) {
                s.check(to).unwrap();
            }
            if let Some(to) = ticket_on_issue_started(s) {
                s.check(to).unwrap();
            }
            if let Some(to) = ticket_on_issues_changed(s, &[IssueStage::Completed]) {
                s.check(to).unwrap();
            }
        }
    }

    #[test]
    fn conversation_automation_every_stage() {
        use C::*;
        let cust: Vec<_> = C::ALL.iter().map(|s| conversation_on_customer_message(*s)).collect();
        assert_eq!(cust, vec![None, None, None, Some(NeedsResponse), Some(NeedsResponse), None, None]);
        let reply: Vec<_> = C::ALL.iter().map(|s| conversation_on_member_reply(*s)).collect();
        assert_eq!(reply, vec![Some(WaitingOnUser), Some(WaitingOnUser), Some(WaitingOnUser), None, None, None, None]);
    }

    #[test]
    fn needs_response_follows_one_rule() {
        use AnyStage as A;
        assert_eq!(needs_response_after(Happened::CustomerWrote), Some(true));
        assert_eq!(needs_response_after(Happened::MemberReplied), Some(false));
        for &s in C::ALL {
            let want = matches!(s, C::Resolved | C::Archived).then_some(false);
            assert_eq!(needs_response_after(Happened::Moved(A::Conversation(s))), want, "{s:?}");
        }
        for &s in T::ALL {
            let want = matches!(s, T::Resolved | T::Canceled | T::Accepted).then_some(false);
            assert_eq!(needs_response_after(Happened::Moved(A::Ticket(s))), want, "{s:?}");
        }
    }

    #[test]
    fn ticket_reopen_window() {
        let now = Utc::now();
        let r = |s, days| ticket_on_customer_message(s, Some(now - Duration::days(days)), now, REOPEN_WINDOW_DAYS);
        assert_eq!(r(T::Resolved, 3), TicketReaction::Move(T::WorkInProgress));
        assert_eq!(r(T::Resolved, 15), TicketReaction::NewRelated);
        assert_eq!(r(T::AwaitingCustomerResponse, 0), TicketReaction::Move(T::WorkInProgress));
        assert_eq!(r(T::Canceled, 0), TicketReaction::NewRelated);
        assert_eq!(r(T::Accepted, 0), TicketReaction::NewRelated);
        for s in [T::Queued, T::WorkInProgress, T::AwaitingProductAssist, T::AwaitingDevelopment, T::InDevelopment] {
            assert_eq!(r(s, 0), TicketReaction::Stay);
        }
    }

    #[test]
    fn ticket_follows_issues() {
        use IssueStage::*;
        for &s in T::ALL {
            let want = (s == T::AwaitingDevelopment).then_some(T::InDevelopment);
            assert_eq!(ticket_on_issue_started(s), want);
        }
        assert_eq!(
            ticket_on_issues_changed(T::InDevelopment, &[Completed, WontFix]),
            Some(T::AwaitingCustomerResponse)
        );
        assert_eq!(ticket_on_issues_changed(T::InDevelopment, &[Completed, InReview]), None);
        assert_eq!(ticket_on_issues_changed(T::InDevelopment, &[WontFix]), None);
        assert_eq!(ticket_on_issues_changed(T::InDevelopment, &[]), None);
        assert_eq!(ticket_on_issues_changed(T::WorkInProgress, &[Completed]), None);
    }
}
