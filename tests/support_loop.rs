//! The loop a support engineer runs all day, against the real mail servers: customer mail in → conversation that
//! needs a response → reply (threaded) → ticket from the conversation → reply from the ticket with a Cc → the
//! customer's answer threads back to the ticket → resolve → no longer waiting. Also list mail, drafts, and the
//! sender customers see.
#![allow(clippy::unwrap_used)]

#[path = "mail/harness.rs"]
mod harness;

use harness::*;
use serde_json::Value;

fn header(raw: &[u8], name: &str) -> String {
    let text = String::from_utf8_lossy(raw);
    let mut out = String::new();
    let mut on = false;
    for l in text.lines() {
        if l.is_empty() {
            break;
        }
        if l.starts_with([' ', '\t']) && on {
            out.push(' ');
            out.push_str(l.trim());
        } else {
            on = l.to_ascii_lowercase().starts_with(&format!("{}:", name.to_ascii_lowercase()));
            if on {
                out = l[name.len() + 1..].trim().to_string();
            }
        }
    }
    out
}

fn ids(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_string()).collect()
}

#[test]
fn mail_reply_ticket_cc_answer_resolve() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let Some(s) = Servers::start() else { return };
    s.config("[me]\nname = \"Alice Moreau\"\n");
    let first = s.send(
        "Carol Customer <customer@example.org>",
        "support@example.test",
        "Cannot export my invoices",
        "Hello, the invoice export fails.\n\nCarol",
        &[],
    );
    s.wait_inbox("support@example.test", "supportpw", 1);
    s.ok(&["sync"]);
    let conv = ids(&s.json(&["conversation", "list", "--needs-response", "--json"]));
    assert_eq!(conv.len(), 1, "the customer's mail waits for an answer");
    let conv = conv[0].clone();

    s.ok(&["conversation", "reply", &conv, "--body", "Looking into it."]);
    s.ok(&["sync"]);
    let got = s.wait_inbox("customer@example.org", "customerpw", 1);
    assert_eq!(header(&got[0], "In-Reply-To"), format!("<{first}>"));
    assert_eq!(
        header(&got[0], "From"),
        "\"Alice Moreau via Example Support\" <support@example.test>",
        "a person and the mailbox, never a login"
    );

    s.ok(&["part", "new", "--name", "Billing"]);
    let tkt = s.json(&["ticket", "new", "--from", &conv, "--part", "Billing", "--json"]);
    let tkt = tkt["id"].as_str().unwrap().to_string();
    let shown = s.json(&["ticket", "show", &tkt, "--json"]);
    assert!(
        shown["messages"].as_array().unwrap().iter().any(|m| m["message_id"] == first.as_str()),
        "the ticket's customer messages hold the mail it came from"
    );
    assert_eq!(shown["title"], "Cannot export my invoices");

    let out =
        s.ok(&["ticket", "reply", &tkt, "--body", "We found the cause: marker-7731.", "--cc", "alice@example.test"]);
    assert!(out.contains("customer@example.org") && out.contains("cc alice@example.test"), "{out}");
    s.ok(&["sync"]);
    let got = s.wait_inbox("customer@example.org", "customerpw", 2);
    let t = got.last().unwrap();
    assert!(String::from_utf8_lossy(t).contains("marker-7731"));
    assert!(header(t, "References").contains(&first), "the ticket reply threads into the customer's mail");
    assert!(header(t, "Cc").contains("alice@example.test"), "{}", header(t, "Cc"));
    assert_eq!(s.wait_inbox("alice@example.test", "alicepw", 1).len(), 1, "the Cc reached alice");
    let tmid = header(t, "Message-ID");

    s.send(
        "Carol Customer <customer@example.org>",
        "support@example.test",
        "Re: Cannot export my invoices",
        "Thanks! answer-5512",
        &[("In-Reply-To", tmid.clone()), ("References", format!("<{first}> {tmid}"))],
    );
    s.wait_inbox("support@example.test", "supportpw", 2);
    s.ok(&["sync"]);
    assert!(s.ok(&["ticket", "show", &tkt, "--json"]).contains("answer-5512"), "the answer threads back to the ticket");
    assert_eq!(s.json(&["conversation", "list", "--json"]).as_array().unwrap().len(), 1, "no new conversation");

    s.ok(&["conversation", "stage", &conv, "resolved"]);
    assert_eq!(s.json(&["conversation", "show", &conv, "--json"])["needs_response"], false);
    assert!(!ids(&s.json(&["conversation", "list", "--needs-response", "--json"])).contains(&conv));
}

#[test]
fn without_a_sending_mailbox_a_reply_stays_a_draft() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let Some(s) = Servers::start() else { return };
    s.config("");
    s.send("Dan <dan@example.org>", "support@example.test", "Where is my order", "Order 55 is late.", &[]);
    s.wait_inbox("support@example.test", "supportpw", 1);
    s.ok(&["sync"]);
    let conv = ids(&s.json(&["conversation", "list", "--json"]))[0].clone();
    // The same help desk, read with a config that has no [mailbox.smtp].
    let cfg = std::fs::read_to_string(s.dir.path().join("config.toml")).unwrap();
    let no_smtp = cfg.split("[mailbox.smtp]").next().unwrap().to_string();
    std::fs::write(s.dir.path().join("config.toml"), &no_smtp).unwrap();
    let o = s.hd(&["conversation", "reply", &conv, "--body", "It ships tomorrow."]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success() && err.contains("[mailbox.smtp]") && err.contains("draft"), "{err}");
    assert!(s.json(&["outbox", "list", "--json"]).as_array().unwrap().is_empty(), "nothing pretends to be queued");
    let d = s.json(&["conversation", "draft", &conv, "--json"]);
    assert_eq!((d["body"].as_str().unwrap(), d["to"][0].as_str().unwrap()), ("It ships tomorrow.", "dan@example.org"));
    // A send that cannot work for another reason (a bad address) keeps the text too.
    std::fs::write(s.dir.path().join("config.toml"), &cfg).unwrap();
    let o = s.hd(&["conversation", "reply", &conv, "--body", "Second try.", "--to", "not-an-address"]);
    assert!(!o.status.success(), "a bad address is refused");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("replaced your earlier draft") && err.contains("> It ships tomorrow."), "{err}");
    assert_eq!(s.json(&["conversation", "draft", &conv, "--json"])["body"], "Second try.");
    s.ok(&["conversation", "reply", &conv, "--body", "Second try."]);
    assert!(s.ok(&["conversation", "draft", &conv]).contains("no draft"), "a sent reply leaves no draft behind");
}
