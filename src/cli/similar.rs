//! `similar` and `eval similar`.

use super::out;
use anyhow::{Context, Result};
use helpdesk::Store;
use helpdesk::domain::Kind;
use helpdesk::sanitize::line;
use helpdesk::similar::{Query, evaluate, find};
use std::path::Path;
use std::process::ExitCode;

pub fn similar(store: &Store, text: &str, kind: Option<&str>, limit: usize, json: bool) -> Result<ExitCode> {
    let kinds = match kind {
        Some("article") => return articles(store, text, limit, json),
        Some(k) => vec![Kind::parse(k)?],
        None => vec![Kind::Ticket, Kind::Issue, Kind::Conversation],
    };
    let found = find(&store.read(), &Query { title: text.to_string(), kinds, ..Default::default() }, limit)?;
    if json {
        out::json(&found)?;
    } else if found.is_empty() {
        println!("nothing similar");
    } else {
        for s in found {
            println!(
                "{:<10} {:>5.2}  {:<26} {}  — {}",
                s.id.to_string(),
                s.score,
                s.stage.label(),
                line(&s.title),
                line(&s.reason)
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn articles(store: &Store, text: &str, limit: usize, json: bool) -> Result<ExitCode> {
    let found = helpdesk::similar::articles(&store.read(), text, "", limit)?;
    if json {
        out::json(&found)?;
    } else if found.is_empty() {
        println!("no article matches");
    } else {
        for a in found {
            println!("{:<8} {:>5.2}  {}", a.id.to_string(), a.score, line(&a.title));
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn eval(reports: &Path, pairs: &Path, json: bool) -> Result<ExitCode> {
    let r = std::fs::read(reports).with_context(|| format!("cannot read {}", reports.display()))?;
    let p = std::fs::read(pairs).with_context(|| format!("cannot read {}", pairs.display()))?;
    let e = evaluate(&r, &p)?;
    if json {
        out::json(&e)?;
    } else {
        println!(
            "{} reports, {} duplicate clusters, {} queries ({:.1} s)",
            e.reports, e.clusters, e.queries, e.seconds
        );
        println!("recall-rate@1  {:.3}", e.rr1);
        println!("recall-rate@5  {:.3}", e.rr5);
        println!("recall-rate@10 {:.3}", e.rr10);
        println!("MAP            {:.3}", e.map);
    }
    Ok(ExitCode::SUCCESS)
}
