//! Classify a parsed message: a person's mail, list traffic, an auto-reply, a delivery report, or an abuse report.

use super::parse::{Parsed, header_in};
use crate::domain::DeliveryState;

/// What a delivery-status report says about the message it reports on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// `failed`, `delayed`, `delivered`, `relayed` or `expanded` (RFC 3464 Action).
    pub action: String,
    pub status: Option<String>,
    pub diagnostic: Option<String>,
    pub original_message_id: Option<String>,
}

impl Delivery {
    /// The outbound state this report sets, if any (a delay leaves the state alone).
    pub fn state(&self) -> Option<DeliveryState> {
        match self.action.as_str() {
            "failed" | "expired" => Some(DeliveryState::Bounced),
            "delivered" | "relayed" | "expanded" => Some(DeliveryState::Delivered),
            _ => None,
        }
    }
    pub fn is_failure(&self) -> bool {
        matches!(self.action.as_str(), "failed" | "delayed" | "expired")
    }
    pub fn detail(&self) -> String {
        let mut s = self.action.clone();
        if let Some(st) = &self.status {
            s.push_str(&format!(" {st}"));
        }
        if let Some(d) = &self.diagnostic {
            s.push_str(&format!(": {d}"));
        }
        s
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Class {
    Normal,
    /// A person's mail distributed to many (`Precedence: bulk|list|junk` or `List-Id`, RFC 3834 §2): it creates and
    /// joins items like any other, but is never answered automatically and never reopens a closed item.
    List,
    AutoReply(String),
    Dsn(Delivery),
    Abuse,
}

impl Class {
    pub fn name(&self) -> &'static str {
        match self {
            Class::Normal => "normal",
            Class::List => "list",
            Class::AutoReply(_) => "auto-reply",
            Class::Dsn(_) => "dsn",
            Class::Abuse => "abuse",
        }
    }
    /// Machine mail (RFC 3464 delivery reports, RFC 5965 abuse reports, RFC 3834 `Auto-Submitted: auto-*` and other
    /// auto-replies) never creates an item, reopens one or gets an answer.
    pub fn is_machine(&self) -> bool {
        matches!(self, Class::AutoReply(_) | Class::Dsn(_) | Class::Abuse)
    }
}

const DAEMONS: &[&str] = &[
    "mailer-daemon",
    "postmaster",
    "post_master",
    "mail-daemon",
    "maildaemon",
    "mailerdaemon",
    "mail.delivery.system",
];
const NO_REPLY: &[&str] = &["no-reply", "noreply", "do-not-reply", "donotreply", "no_reply", "bounce", "bounces"];
const FAILURE_SUBJECTS: &[&str] = &[
    "fail",
    "undeliver",
    "not delivered",
    "returned mail",
    "returning message",
    "delivery status",
    "status notification",
    "could not be delivered",
    "delivery problem",
    "non-delivery",
    "nondeliver",
    "mail system error",
    "delayed",
    "error",
    "warning: message",
    "rejected",
    "не доставлено",
    "エラー",
    "unzustellbar",
    "non recapitabile",
    "no entregado",
];

fn local_part(addr: &str) -> &str {
    addr.split('@').next().unwrap_or("")
}

/// A sender that only machines use: mailer-daemon, postmaster, no-reply, or an empty Return-Path.
fn is_daemon(p: &Parsed) -> bool {
    let raw = &p.from_raw;
    let lp = p.from.as_ref().map(|(a, _)| local_part(a).to_lowercase()).unwrap_or_default();
    p.return_path.as_deref() == Some("")
        || DAEMONS.iter().any(|d| lp == *d || raw.contains(d))
        || NO_REPLY.iter().any(|n| lp == *n)
        || raw.contains("mail delivery")
        || raw.contains("mailer daemon")
        || raw.contains("ndr administrator")
        || raw.is_empty() && p.from.is_none()
}

/// The first SMTP enhanced status code (`5.1.1`) in a text, and the line it is on.
fn status_in(text: &str) -> Option<(String, String)> {
    for line in text.lines().take(400) {
        let b = line.as_bytes();
        for i in 0..b.len().saturating_sub(4) {
            let boundary = i == 0 || !b[i - 1].is_ascii_alphanumeric() && b[i - 1] != b'.';
            if boundary && matches!(b[i], b'4' | b'5') && b[i + 1] == b'.' && b[i + 2].is_ascii_digit() {
                let code: String = line[i..].chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
                if code.matches('.').count() == 2 && !code.ends_with('.') {
                    return Some((code, line.trim().chars().take(200).collect()));
                }
            }
        }
    }
    // No enhanced code: a bare SMTP reply such as "550 - no such user" or "554 rejected".
    text.lines().take(400).find_map(|line| {
        let t = line.trim_start();
        let code: String = t.chars().take(3).collect();
        let rest = t.get(3..).unwrap_or("");
        (code.len() == 3
            && matches!(code.as_bytes()[0], b'4' | b'5')
            && code.bytes().all(|b| b.is_ascii_digit())
            && rest.starts_with([' ', '-']))
        .then(|| (code.clone(), t.chars().take(200).collect()))
    })
}

/// Amazon SES notifications carry their type in a JSON body.
fn ses_notification(body: &str) -> Option<&'static str> {
    let i = body.find("\"notificationType\"")?;
    let tail: String = body[i..].chars().take(60).filter(|c| !c.is_whitespace()).collect();
    ["Bounce", "Complaint", "Delivery"].into_iter().find(|t| tail.starts_with(&format!("\"notificationType\":\"{t}\"")))
}

const AUTO_SUBJECTS: &[&str] = &[
    "auto reply",
    "auto-reply",
    "autoreply",
    "automatic reply",
    "out of office",
    "out of the office",
    "abwesenheitsnotiz",
    "réponse automatique",
    "respuesta automática",
    "risposta automatica",
    "自動応答",
];

fn report_delivery(p: &Parsed) -> Delivery {
    let r = &p.report_text;
    let action = header_in(r, "action").map(|a| a.to_lowercase()).unwrap_or_else(|| "failed".into());
    let action = action.split_whitespace().next().unwrap_or("failed").to_string();
    let status =
        header_in(r, "status").map(|s| s.split_whitespace().next().unwrap_or("").to_string()).filter(|s| !s.is_empty());
    Delivery {
        action,
        status,
        diagnostic: header_in(r, "diagnostic-code").map(|d| d.chars().take(300).collect()),
        original_message_id: header_in(r, "original-message-id")
            .or_else(|| header_in(r, "x-original-message-id"))
            .or_else(|| p.returned_message_id.clone()),
    }
}

fn text_delivery(p: &Parsed) -> Delivery {
    let found = status_in(&p.body);
    let subject = p.subject.to_lowercase();
    let action = if subject.contains("delay") || subject.contains("warning") { "delayed" } else { "failed" };
    Delivery {
        action: action.into(),
        status: found.as_ref().map(|f| f.0.clone()),
        diagnostic: found.map(|f| f.1),
        original_message_id: p.returned_message_id.clone().or_else(|| header_in(&p.body, "message-id")),
    }
}

pub fn classify(p: &Parsed) -> Class {
    match p.report_type.as_deref() {
        Some("feedback-report") => return Class::Abuse,
        Some("delivery-status") | Some("global-delivery-status") => {
            return Class::Dsn(report_delivery(p));
        }
        _ => {}
    }
    if p.has_delivery_status {
        return Class::Dsn(report_delivery(p));
    }
    let subject = p.subject.to_lowercase();
    match ses_notification(&p.body) {
        Some("Bounce") => return Class::Dsn(text_delivery(p)),
        Some("Complaint") => return Class::Abuse,
        Some(_) => {
            return Class::Dsn(Delivery {
                action: "delivered".into(),
                status: None,
                diagnostic: None,
                original_message_id: None,
            });
        }
        None => {}
    }
    if is_daemon(p) {
        let failure_subject = FAILURE_SUBJECTS.iter().any(|k| subject.contains(k));
        if failure_subject || p.has_returned_message || status_in(&p.body).is_some() {
            return Class::Dsn(text_delivery(p));
        }
    }
    if AUTO_SUBJECTS.iter().any(|a| subject.starts_with(a)) {
        return Class::AutoReply(format!("subject '{}'", p.subject));
    }
    if let Some(a) = p.auto_submitted.as_deref().filter(|a| !a.starts_with("no")) {
        return Class::AutoReply(format!("Auto-Submitted: {a}"));
    }
    if p.x_autoreply {
        return Class::AutoReply("X-Autoreply".into());
    }
    if p.precedence.as_deref() == Some("auto_reply") {
        return Class::AutoReply("Precedence: auto_reply".into());
    }
    if p.return_path.as_deref() == Some("") {
        return Class::AutoReply("empty Return-Path".into());
    }
    if let Some((addr, _)) = &p.from {
        let lp = local_part(addr).to_lowercase();
        if DAEMONS.contains(&lp.as_str()) || NO_REPLY.iter().any(|n| lp == *n || lp.starts_with(&format!("{n}+"))) {
            return Class::AutoReply(format!("machine sender {addr}"));
        }
    }
    if matches!(p.precedence.as_deref(), Some("bulk" | "list" | "junk")) || p.list_id.is_some() {
        return Class::List;
    }
    Class::Normal
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::parse::parse;

    fn c(raw: &str) -> Class {
        classify(&parse(raw.as_bytes(), 1 << 20).unwrap())
    }

    #[test]
    fn auto_replies() {
        assert!(matches!(c("From: a@b.c\nAuto-Submitted: auto-replied\nSubject: Away\n\nx"), Class::AutoReply(_)));
        assert!(matches!(c("From: a@b.c\nReturn-Path: <>\nSubject: x\n\nx"), Class::AutoReply(_)));
        assert!(matches!(c("From: no-reply@b.c\nSubject: x\n\nx"), Class::AutoReply(_)));
        assert_eq!(c("From: a@b.c\nAuto-Submitted: no\nSubject: x\n\nx"), Class::Normal);
        assert!(matches!(c("From: a@b.c\nPrecedence: auto_reply\nSubject: x\n\nx"), Class::AutoReply(_)));
        assert!(matches!(c("From: a@b.c\nAuto-Submitted: auto-generated\nPrecedence: bulk\n\nx"), Class::AutoReply(_)));
    }

    /// RFC 3834 §2: Precedence and List-Id only say "do not answer automatically"; a person wrote the mail.
    #[test]
    fn list_and_bulk_mail_is_a_persons_mail() {
        for h in ["Precedence: list", "Precedence: bulk", "Precedence: junk", "List-Id: <dev.lists.example.org>"] {
            let cl = c(&format!("From: Ann <ann@b.c>\n{h}\nSubject: Build broken\n\nThe build fails."));
            assert_eq!(cl, Class::List, "{h}");
            assert!(!cl.is_machine(), "{h}");
        }
        let both = "From: Dev List <dev@lists.example.org>\nPrecedence: bulk\nList-Id: <dev.lists.example.org>\n\nx";
        assert_eq!(c(both), Class::List);
        // A list's own machine mail is still machine mail.
        let bounce =
            "From: dev-owner@lists.example.org\nAuto-Submitted: auto-replied\nList-Id: <dev.lists.example.org>\n\nx";
        assert!(matches!(c(bounce), Class::AutoReply(_)));
    }

    #[test]
    fn rfc3464_report() {
        let raw = "From: MAILER-DAEMON@mx.test\nSubject: Undelivered Mail\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\nSorry.\n--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.test\n\nFinal-Recipient: rfc822; x@y.test\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 user unknown\n--b\nContent-Type: text/rfc822-headers\n\nMessage-ID: <orig@helpdesk.test>\nSubject: hi\n--b--\n";
        match c(raw) {
            Class::Dsn(d) => {
                assert_eq!(d.action, "failed");
                assert_eq!(d.status.as_deref(), Some("5.1.1"));
                assert_eq!(d.original_message_id.as_deref(), Some("orig@helpdesk.test"));
                assert_eq!(d.state(), Some(DeliveryState::Bounced));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn plain_text_bounce() {
        let raw = "From: MAILER-DAEMON@mx4.example.jp\nReturn-Path: <>\nSubject: failure notice\n\nSorry, I couldn't deliver.\n<x@y.jp>:\n550 5.1.1 unknown user\n";
        match c(raw) {
            Class::Dsn(d) => assert_eq!(d.status.as_deref(), Some("5.1.1")),
            other => panic!("{other:?}"),
        }
    }
}
