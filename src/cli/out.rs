//! Printing: JSON for scripts, aligned plain text for people. Untrusted text is sanitised on the way out.

use anyhow::Result;
use helpdesk::domain::{Direction, LinkEnd, MsgChannel, fmt_ts};
use helpdesk::sanitize::{line, text};
use helpdesk::store::{Item, ItemRow, Message};
use serde::Serialize;

pub fn json<T: Serialize + ?Sized>(v: &T) -> Result<()> {
    println!("{}", helpdesk::sanitize::json_escape(serde_json::to_string_pretty(v)?));
    Ok(())
}

/// Text on one line (sanitised), cut to `n` characters with "…".
pub fn cut(s: &str, n: usize) -> String {
    let s = line(s);
    if s.chars().count() <= n { s } else { s.chars().take(n.saturating_sub(1)).collect::<String>() + "…" }
}

pub fn rows(rows: &[ItemRow]) {
    if rows.is_empty() {
        println!("(none)");
        return;
    }
    println!("{:<11} {:<27} {:<8} {:<8} TITLE", "ID", "STAGE", "SEV", "OWNER");
    for r in rows {
        println!(
            "{:<11} {:<27} {:<8} {:<8} {}{}",
            r.id.to_string(),
            r.stage.label(),
            r.severity.map(|s| s.as_str()).unwrap_or("-"),
            cut(r.owner.as_deref().unwrap_or("-"), 8),
            if r.needs_response { "● " } else { "" },
            cut(&r.title, 70)
        );
    }
}

pub fn item(i: &Item, msgs: &[Message]) {
    println!("{}  {}", i.id, line(&i.title));
    // The label, and the name the CLI takes when it reads otherwise (`work in progress (work-in-progress)`).
    if i.stage_label == i.stage.as_str() {
        println!("  stage     {}", i.stage_label);
    } else {
        println!("  stage     {} ({})", i.stage_label, i.stage);
    }
    let field = |k: &str, v: Option<String>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            println!("  {k:<9} {}", line(&v));
        }
    };
    field("severity", i.severity.map(|s| s.to_string()));
    field("subtype", i.subtype.map(|s| s.to_string()));
    field("part", i.part.as_ref().map(|p| format!("{p} {}", i.part_name.clone().unwrap_or_default())));
    field("account", i.account.as_ref().map(|a| format!("{a} {}", i.account_name.clone().unwrap_or_default())));
    field("owner", i.owner.clone());
    field("group", i.group.clone());
    field("parent", i.parent.map(|p| p.to_string()));
    field(
        "reported",
        (!i.reported_by.is_empty()).then(|| i.reported_by.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(", ")),
    );
    field("tags", (!i.tags.is_empty()).then(|| i.tags.join(" ")));
    println!("  needs response: {}  channel: {}", if i.needs_response { "yes" } else { "no" }, i.source_channel);
    println!(
        "  created {} by {}; updated {} by {} (version {})",
        fmt_ts(i.created_at),
        line(&i.created_by),
        fmt_ts(i.updated_at),
        line(&i.updated_by),
        i.version
    );
    if !i.description.is_empty() {
        println!("\n{}", indent(&text(&i.description)));
    }
    if !i.links.is_empty() {
        println!("\nLinks");
        for l in &i.links {
            let rel = match l.direction {
                LinkEnd::In => format!("{} (from)", l.rel),
                LinkEnd::Out => l.rel.to_string(),
            };
            println!("  {rel:<18} {:<10} {:<26} {}", l.id.to_string(), l.stage.label(), cut(&l.title, 60));
        }
    }
    println!("\nStage history");
    for h in &i.history {
        println!(
            "  {}  {:>26} → {:<26} {}",
            fmt_ts(h.at),
            h.from.map(|s| s.label()).unwrap_or("(created)"),
            h.to.label(),
            line(&h.by)
        );
    }
    if !msgs.is_empty() {
        println!("\nMessages");
        for m in msgs {
            let who = if m.from_name.is_empty() { m.from.clone() } else { format!("{} <{}>", m.from_name, m.from) };
            let state = m.delivery_state.map(|s| format!(" [{s}]")).unwrap_or_default();
            let kind = match (m.channel, m.direction) {
                (MsgChannel::Internal, _) => "internal note",
                (MsgChannel::Customer, Direction::Inbound) => "from the customer",
                (MsgChannel::Customer, Direction::Outbound) => "reply to the customer",
            };
            println!("── {} {} {kind}: {}{}", m.id, fmt_ts(m.sent_at), line(&who), state);
            if !m.thread_reason.is_empty() {
                println!("   threaded: {}", line(&m.thread_reason));
            }
            for a in &m.attachments {
                println!("   attachment: {} ({}, {} bytes)", line(&a.name), a.mime, a.size);
            }
            println!("{}", indent(&text(&m.body)));
        }
    }
}

fn indent(s: &str) -> String {
    s.lines().map(|l| format!("   {l}")).collect::<Vec<_>>().join("\n")
}

/// A list cut at its `--limit`: one row more was read to know. Said on stderr, so that the rows on stdout stay data.
pub fn cut_at<T>(rows: &mut Vec<T>, limit: usize, what: &str) {
    if rows.len() > limit {
        rows.truncate(limit);
        eprintln!("the first {limit} {what} are shown; more with `--limit N`");
    }
}
