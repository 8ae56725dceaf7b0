//! `similar` and `eval similar`.

use super::out;
use anyhow::{Context, Result};
use helpdesk::Store;
use helpdesk::domain::Kind;
use helpdesk::sanitize::line;
use helpdesk::similar::{Finder, Query, Vectors, evaluate, fill_vectors, hybrid};
use std::path::Path;
use std::process::ExitCode;

pub fn similar(store: &mut Store, text: &str, kind: Option<&str>, limit: usize, json: bool) -> Result<ExitCode> {
    let kinds = match kind {
        Some("article") => return articles(store, text, limit, json),
        Some(k) => vec![Kind::parse(k)?],
        None => vec![Kind::Ticket, Kind::Issue, Kind::Conversation],
    };
    // Items written by an older build, or before a background pass finished, get their vectors now.
    fill_vectors(store, 2000, &|| true)?;
    let mut vectors = Vectors::default();
    vectors.refresh(&store.read())?;
    let q = Query { title: text.to_string(), kinds, ..Default::default() };
    let found = hybrid(&store.read(), &q, &vectors, &Finder::default(), limit)?;
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

pub fn eval(
    db: Option<&Path>,
    reports: Option<&Path>,
    pairs: Option<&Path>,
    intents: Option<&Path>,
    every: usize,
    json: bool,
) -> Result<ExitCode> {
    let read = |p: &Path| std::fs::read(p).with_context(|| format!("cannot read {}", p.display()));
    // Only a database named for it: the default one is the help desk's own.
    let store = match db {
        Some(db) => helpdesk::Store::open(db)?,
        None => helpdesk::Store::open_in_memory()?,
    };
    let e = match (reports, pairs, intents) {
        (Some(r), Some(p), _) => evaluate(store, &read(r)?, &read(p)?)?,
        (_, _, Some(i)) => helpdesk::similar::evaluate_intents(store, &read(i)?, every)?,
        _ => anyhow::bail!("give --reports and --pairs, or --intents"),
    };
    if json {
        out::json(&e)?;
    } else {
        println!(
            "{} reports, {} duplicate clusters, {} queries ({:.1} s)",
            e.reports, e.clusters, e.queries, e.seconds
        );
        println!("{:<10} {:>6} {:>6} {:>6} {:>6}", "ranking", "RR@1", "RR@5", "RR@10", "MAP");
        for (name, s) in [("lexical", e.lexical), ("embedding", e.embedding), ("hybrid", e.hybrid)] {
            println!("{name:<10} {:>6.3} {:>6.3} {:>6.3} {:>6.3}", s.rr1, s.rr5, s.rr10, s.map);
        }
    }
    Ok(ExitCode::SUCCESS)
}
