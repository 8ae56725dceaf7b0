//! Raw bytes to a plain `Parsed` value with mail-parser: decoded headers, text body, attachments, report parts.

use mail_parser::{Address, HeaderValue, MessageParser, MimeHeaders, PartType};

/// Everything later steps need from one message.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    pub message_id: Option<String>,
    pub in_reply_to: Vec<String>,
    pub references: Vec<String>,
    pub subject: String,
    pub from: Option<(String, String)>,
    pub to: Vec<(String, String)>,
    pub cc: Vec<(String, String)>,
    pub list_post: Option<String>,
    pub date: Option<i64>,
    pub body: String,
    pub attachments: Vec<ParsedAttachment>,
    /// Lower-cased header values used by the classifier.
    pub auto_submitted: Option<String>,
    pub precedence: Option<String>,
    /// The List-Id header (RFC 2919), lower-cased.
    pub list_id: Option<String>,
    pub x_autoreply: bool,
    /// `Some("")` when the Return-Path is present and empty (`<>`).
    pub return_path: Option<String>,
    /// `multipart/report` type parameter (`delivery-status`, `feedback-report`), lower-cased.
    pub report_type: Option<String>,
    /// Text of `message/delivery-status` and `message/feedback-report` parts.
    pub report_text: String,
    /// Message-ID of a returned original (`message/rfc822` or `text/rfc822-headers` part).
    pub returned_message_id: Option<String>,
    pub has_returned_message: bool,
    /// A `message/delivery-status` part exists (even outside `multipart/report`).
    pub has_delivery_status: bool,
    /// The From header as written (name and address, lower-cased), for senders like `MAILER-DAEMON <>`.
    pub from_raw: String,
    /// The subject as threading compares it ([`crate::domain::normalise_subject`]), made with the rest of the
    /// preparation for ingest, on the reading thread.
    pub norm_subject: String,
}

#[derive(Debug, Clone)]
pub struct ParsedAttachment {
    pub name: String,
    pub mime: String,
    pub data: Vec<u8>,
}

/// Why a message could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    Empty,
    TooLarge(usize),
    NotMail,
    ParserFailed,
    /// Reading the message failed in an unexpected way (a panic, caught): the reason says where.
    Unexpected(String),
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ParseError::Empty => f.write_str("empty message"),
            ParseError::TooLarge(n) => write!(f, "message of {n} bytes is over the size limit"),
            ParseError::NotMail => f.write_str("no mail headers (From, Date, Subject, Message-ID) found"),
            ParseError::ParserFailed => f.write_str("the MIME parser failed on this message"),
            ParseError::Unexpected(why) => write!(f, "could not be read: {why}"),
        }
    }
}

/// Message-IDs of In-Reply-To or References as notmuch reads them: the `<…>` tokens. Without any, the bare tokens
/// that look like an id (`local@domain`, no quotes); prose such as `Ann's message of "Wed, …"` is no id.
fn ids(raw: Option<&str>) -> Vec<String> {
    let Some(raw) = raw else { return vec![] };
    let bracketed: Vec<String> = raw
        .split('<')
        .skip(1)
        .filter_map(|s| s.split_once('>'))
        .map(|(id, _)| id.split_whitespace().collect::<String>())
        .filter(|id| !id.is_empty())
        .collect();
    if !bracketed.is_empty() {
        return bracketed;
    }
    raw.split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| t.contains('@') && !t.contains(['"', '\'', '(', ')', '<', '>']))
        .map(str::to_string)
        .collect()
}

fn addrs(a: Option<&Address<'_>>) -> Vec<(String, String)> {
    a.map(|a| {
        a.iter()
            .filter_map(|x| {
                let email: String =
                    x.address.as_deref()?.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_lowercase();
                crate::domain::valid_email(&email).then(|| (email, display_name(x.name.as_deref().unwrap_or(""))))
            })
            .collect()
    })
    .unwrap_or_default()
}

/// A display name without the quotes some mailers wrap it in (`'Eugen Leitl' <eugen@…>`).
fn display_name(name: &str) -> String {
    let n = name.trim();
    let unquoted = ['\'', '"'].iter().find_map(|q| n.strip_prefix(*q).and_then(|r| r.strip_suffix(*q)));
    unquoted.unwrap_or(n).trim().to_string()
}

fn text_of(v: Option<&HeaderValue<'_>>) -> Option<String> {
    match v? {
        HeaderValue::Text(t) => Some(t.trim().to_lowercase()),
        HeaderValue::TextList(l) => l.first().map(|t| t.trim().to_lowercase()),
        _ => None,
    }
}

/// A header as written, trimmed and lower-cased (mail-parser reads List-* headers as addresses, which URLs and
/// list ids are not).
fn raw_of(msg: &mail_parser::Message<'_>, name: &str) -> Option<String> {
    msg.header_raw(name).map(|v| v.trim().to_lowercase()).filter(|v| !v.is_empty())
}

/// Who a raw message says it is from and what it is about, from its headers alone (for lists of mail that was not
/// stored, such as quarantine): empty where it has no such header or is no mail.
pub fn headline(raw: &[u8]) -> (String, String) {
    let Some(msg) = super::guard::catch(|| MessageParser::default().parse_headers(raw)).ok().flatten() else {
        return Default::default();
    };
    let from = match addrs(msg.from()).into_iter().next() {
        Some((addr, name)) if name.is_empty() => addr,
        Some((addr, name)) => format!("{name} <{addr}>"),
        None => String::new(),
    };
    (from, msg.subject().unwrap_or("").trim().to_string())
}

/// Parse one raw message. Anything mail-parser accepts with at least one mail header is a message.
pub fn parse(raw: &[u8], max_size: usize) -> Result<Parsed, ParseError> {
    if raw.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ParseError::Empty);
    }
    if raw.len() > max_size {
        return Err(ParseError::TooLarge(raw.len()));
    }
    // A parser bug must cost one message (quarantined), not the import or the sync worker.
    let parsed = super::guard::catch(|| MessageParser::default().parse(raw));
    let msg = parsed.map_err(|_| ParseError::ParserFailed)?.ok_or(ParseError::NotMail)?;
    let has_headers =
        msg.from().is_some() || msg.date().is_some() || msg.subject().is_some() || msg.message_id().is_some();
    if !has_headers {
        return Err(ParseError::NotMail);
    }
    let mut p = Parsed {
        message_id: msg.message_id().map(|m| m.trim().trim_matches(['<', '>']).to_string()).filter(|m| !m.is_empty()),
        in_reply_to: ids(msg.header_raw("In-Reply-To")),
        references: ids(msg.header_raw("References")),
        subject: msg.subject().unwrap_or("").trim().to_string(),
        from: addrs(msg.from()).into_iter().next().or_else(|| addrs(msg.sender()).into_iter().next()),
        to: addrs(msg.to()),
        cc: addrs(msg.cc()),
        list_post: raw_of(&msg, "List-Post").and_then(|l| {
            let l = l.trim_start_matches('<');
            l.strip_prefix("mailto:").map(|a| a.split(['>', '?']).next().unwrap_or("").to_string())
        }),
        // No Date header: when the newest Received header says the mail arrived (not when it was imported, which
        // would put years-old mail at the top of every list and search).
        date: msg
            .date()
            .map(|d| d.to_timestamp())
            .filter(|t| *t > 0)
            .or_else(|| msg.received_all().find_map(|r| r.date.map(|d| d.to_timestamp()).filter(|t| *t > 0))),
        body: String::new(),
        attachments: vec![],
        auto_submitted: text_of(msg.header("Auto-Submitted")),
        precedence: text_of(msg.header("Precedence")),
        list_id: raw_of(&msg, "List-Id"),
        x_autoreply: msg.header("X-Autoreply").is_some() || msg.header("X-Autorespond").is_some(),
        return_path: match msg.header("Return-Path") {
            None => None,
            Some(HeaderValue::Text(t)) => Some(t.trim().trim_matches(['<', '>']).trim().to_lowercase()),
            Some(HeaderValue::TextList(l)) => {
                Some(l.first().map(|t| t.trim().trim_matches(['<', '>']).to_lowercase()).unwrap_or_default())
            }
            Some(HeaderValue::Address(a)) => {
                Some(a.first().and_then(|x| x.address.as_deref()).unwrap_or("").to_lowercase())
            }
            Some(_) => Some(String::new()),
        },
        report_type: msg
            .content_type()
            .filter(|ct| {
                ct.ctype().eq_ignore_ascii_case("multipart")
                    && ct.subtype().is_some_and(|s| s.eq_ignore_ascii_case("report"))
            })
            .and_then(|ct| ct.attribute("report-type"))
            .map(|r| r.to_lowercase()),
        ..Default::default()
    };
    p.from_raw = msg.header_raw("From").unwrap_or("").trim().to_lowercase();
    p.body = match msg.text_body.first().and_then(|&i| msg.parts.get(i as usize)).map(|part| &part.body) {
        Some(PartType::Html(h)) => super::html::to_text(h),
        _ => msg.body_text(0).map(|b| b.into_owned()).unwrap_or_default(),
    };
    if p.body.trim().is_empty()
        && let Some(PartType::Html(h)) = msg.html_part(0).map(|part| &part.body)
    {
        p.body = super::html::to_text(h);
    }
    for (n, part) in msg.parts.iter().enumerate().skip(1) {
        let ct = part.content_type();
        let (t, sub) =
            ct.map(|c| (c.ctype().to_lowercase(), c.subtype().unwrap_or("").to_lowercase())).unwrap_or_default();
        match (t.as_str(), sub.as_str()) {
            ("message", "delivery-status") | ("message", "feedback-report") | ("message", "global-delivery-status") => {
                p.has_delivery_status |= sub != "feedback-report";
                p.report_text.push_str(&String::from_utf8_lossy(part.contents()));
                p.report_text.push('\n');
            }
            ("text", "rfc822-headers") | ("text", "rfc822-header") => {
                p.has_returned_message = true;
                if p.returned_message_id.is_none() {
                    p.returned_message_id = header_in(&String::from_utf8_lossy(part.contents()), "message-id");
                }
            }
            _ => {}
        }
        if let PartType::Message(inner) = &part.body {
            p.has_returned_message = true;
            if p.returned_message_id.is_none() {
                p.returned_message_id = inner.message_id().map(|m| m.to_string());
            }
        }
        if msg.attachments.contains(&(n as u32)) {
            let mime = if t.is_empty() { "application/octet-stream".to_string() } else { format!("{t}/{sub}") };
            let name = part.attachment_name().map(sanitise_filename).unwrap_or_else(|| unnamed(n, &mime));
            p.attachments.push(ParsedAttachment { name, mime, data: part.contents().to_vec() });
        }
    }
    if p.report_text.is_empty() && p.report_type.is_some() {
        // Some reports carry the status block as text/plain; the raw body still holds it.
        p.report_text = String::from_utf8_lossy(raw).chars().take(20_000).collect();
    }
    Ok(p)
}

/// A name for a part that gives none: numbered, with the extension its type is known by (so that it opens).
fn unnamed(n: usize, mime: &str) -> String {
    let ext = match mime.to_ascii_lowercase().as_str() {
        "text/plain" | "text/enriched" | "text/richtext" => ".txt",
        "text/html" => ".html",
        "text/calendar" => ".ics",
        "text/csv" => ".csv",
        "message/rfc822" | "message/global" => ".eml",
        "message/delivery-status" | "message/global-delivery-status" => ".txt",
        "application/pdf" => ".pdf",
        "application/zip" => ".zip",
        "image/png" => ".png",
        "image/jpeg" => ".jpg",
        "image/gif" => ".gif",
        _ => "",
    };
    format!("attachment-{n}{ext}")
}

/// The value of a header in a block of header text (for returned headers and report fields).
pub fn header_in(text: &str, name: &str) -> Option<String> {
    text.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().trim_matches(['<', '>']).to_string())
            .filter(|v| !v.is_empty())
    })
}

/// A file name safe to save (see [`crate::sanitize::file_name`]).
pub fn sanitise_filename(name: &str) -> String {
    crate::sanitize::file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_headers_and_ids() {
        let raw = b"From: Ada <ADA@Example.org>\r\nTo: support@x.test\r\nSubject: =?utf-8?q?Caf=C3=A9?= down\r\nMessage-ID: <a1@x>\r\nIn-Reply-To: <p@x>\r\nReferences: <r1@x> <p@x>\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\n\r\nBody\r\n";
        let p = parse(raw, 1 << 20).unwrap();
        assert_eq!(p.message_id.as_deref(), Some("a1@x"));
        assert_eq!(p.subject, "Café down");
        assert_eq!(p.from, Some(("ada@example.org".into(), "Ada".into())));
        assert_eq!(p.in_reply_to, vec!["p@x"]);
        assert_eq!(p.references, vec!["r1@x", "p@x"]);
        assert_eq!(p.date, Some(1_704_103_200));
        assert!(p.body.contains("Body"));
    }

    /// Mail without a Date header is dated by its newest Received header (easy-ham's 2052 has none). Found by fresh
    /// eyes: it was dated at import and came first in every search.
    #[test]
    fn mail_without_a_date_is_dated_when_it_was_received() {
        let raw = b"Received: from b.example by mx.example; Fri, 4 Oct 2002 10:00:00 -0700\r\n\
Received: from a.example by b.example; Fri, 4 Oct 2002 09:59:00 -0700\r\nFrom: Sam <sam@example.org>\r\n\
Subject: Re: ActiveBuddy\r\n\r\nBody\r\n";
        assert_eq!(parse(raw, 1 << 20).unwrap().date, Some(1_033_750_800));
        let undated = b"From: Sam <sam@example.org>\r\nSubject: no date at all\r\n\r\nBody\r\n";
        assert_eq!(parse(undated, 1 << 20).unwrap().date, None);
    }

    /// An alternative part with no name (text/enriched beside text/plain, in easy-ham) is saved with an extension.
    #[test]
    fn an_unnamed_part_gets_the_extension_of_its_type() {
        let raw = b"From: a@b.c\r\nSubject: x\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\n\
Content-Type: text/plain\r\n\r\nhello\r\n--B\r\nContent-Type: text/enriched\r\n\r\n<bold>hello</bold>\r\n\
--B\r\nContent-Type: application/x-unknown\r\n\r\nzz\r\n--B--\r\n";
        let p = parse(raw, 1 << 20).unwrap();
        let names: Vec<&str> = p.attachments.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["attachment-2.txt", "attachment-3"], "{names:?}");
    }

    #[test]
    fn html_only_becomes_text() {
        let raw = b"From: a@b.c\r\nSubject: x\r\nContent-Type: text/html\r\n\r\n<html><body><p>Hello <b>there</b></p><script>x()</script></body></html>";
        let p = parse(raw, 1 << 20).unwrap();
        assert!(p.body.contains("Hello") && p.body.contains("there") && !p.body.contains("<b>"), "{}", p.body);
    }

    /// Found on spamassassin easy-ham: `In-Reply-To: yyyy@x's message of "…"` gave ids `message`, `yyyy@x's`…
    #[test]
    fn reply_ids_are_ids_not_prose() {
        let raw = b"From: a@b.c\r\nSubject: x\r\nIn-Reply-To: Ann's message of \"Wed, 25 Sep 2002 10:00:00 +0100\"\r\n\t<20020925.1@x.test>\r\nReferences: <r1@x.test> <r2@x.test>\r\n\r\nx";
        let p = parse(raw, 1 << 20).unwrap();
        assert_eq!(p.in_reply_to, vec!["20020925.1@x.test"]);
        assert_eq!(p.references, vec!["r1@x.test", "r2@x.test"]);
        let raw = b"From: a@b.c\r\nSubject: x\r\nIn-Reply-To: yyyy@x.test's message of \"Wed, 25 Sep 2002\"\r\nReferences: bare@x.test\r\n\r\nx";
        let p = parse(raw, 1 << 20).unwrap();
        assert!(p.in_reply_to.is_empty(), "{:?}", p.in_reply_to);
        assert_eq!(p.references, vec!["bare@x.test"]);
    }

    #[test]
    fn list_headers_are_read_as_written() {
        let raw = b"From: a@b.c\r\nSubject: x\r\nList-Id: Dev list <dev.lists.example.org>\r\nList-Post: <mailto:dev@lists.example.org>\r\n\r\nx";
        let p = parse(raw, 1 << 20).unwrap();
        assert_eq!(p.list_id.as_deref(), Some("dev list <dev.lists.example.org>"));
        assert_eq!(p.list_post.as_deref(), Some("dev@lists.example.org"));
    }

    #[test]
    fn refuses_non_mail() {
        assert_eq!(parse(b"", 100).unwrap_err(), ParseError::Empty);
        assert_eq!(parse(b"x".repeat(200).as_slice(), 100).unwrap_err(), ParseError::TooLarge(200));
        assert_eq!(parse(b"{\"json\": true}", 100).unwrap_err(), ParseError::NotMail);
    }

    #[test]
    fn a_headline_reads_sender_and_subject_or_nothing() {
        let raw = b"From: \"Ann Lee\" <ann@x.test>\r\nSubject: Refund\r\n\r\n\xff\xfe broken body";
        assert_eq!(super::headline(raw), ("Ann Lee <ann@x.test>".to_string(), "Refund".to_string()));
        assert_eq!(super::headline(b"\x00\x01 no mail"), (String::new(), String::new()));
    }

    #[test]
    fn display_names_lose_their_quotes() {
        assert_eq!(display_name(" 'Eugen Leitl' "), "Eugen Leitl");
        assert_eq!(display_name("\"Ann\""), "Ann");
        assert_eq!(display_name("O'Brien"), "O'Brien");
        assert_eq!(display_name("'"), "'");
    }

    #[test]
    fn filenames_are_sanitised() {
        assert_eq!(sanitise_filename("../../etc/passwd"), "passwd");
        assert_eq!(sanitise_filename("..\\evil\x1b.exe"), "evil.exe");
        assert_eq!(sanitise_filename(".."), "attachment");
    }
}
