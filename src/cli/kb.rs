//! `kb`: knowledge articles from Markdown files or written here.

use super::args::KbCmd;
use super::out;
use anyhow::{Context, Result, bail};
use helpdesk::Store;
use helpdesk::domain::ArticleId;
use helpdesk::sanitize::{line, text};
use helpdesk::store::NewArticle;
use std::process::ExitCode;

pub fn run(store: &mut Store, c: KbCmd, json: bool) -> Result<ExitCode> {
    let now = helpdesk::now();
    match c {
        KbCmd::Import { dir } => {
            let r = store.write(|w| helpdesk::io::articles::import_dir(w, &dir, now))?;
            if json {
                out::json(&r)?;
            } else {
                println!("{} new, {} updated, {} skipped", r.new, r.updated, r.skipped.len());
                for (f, why) in &r.skipped {
                    println!("  {}: {}", line(f), line(why));
                }
            }
        }
        KbCmd::List { limit } => {
            let all = store.read().articles(limit)?;
            if json {
                out::json(&all)?;
            } else if all.is_empty() {
                println!("no articles: `helpdesk kb import DIR` or `helpdesk kb new --title T`");
            } else {
                for a in all {
                    println!("{:<8} {:<60} {}", a.id.to_string(), line(&a.title), a.tags.join(" "));
                }
            }
        }
        KbCmd::Show { id } => {
            let a = store.read().article(id.parse::<ArticleId>()?)?;
            if json {
                out::json(&a)?;
            } else {
                println!("{}  {}", a.id, line(&a.title));
                if !a.tags.is_empty() {
                    println!("  tags  {}", a.tags.join(" "));
                }
                if let Some(p) = a.part {
                    println!("  part  {p}");
                }
                println!("\n{}", text(&a.body));
            }
        }
        KbCmd::New { title, body, body_file, tag, part } => {
            let body = match (body, body_file) {
                (Some(b), _) => b,
                (None, Some(f)) => {
                    std::fs::read_to_string(&f).with_context(|| format!("cannot read {}", f.display()))?
                }
                (None, None) => crate::user::edit_markdown("")?,
            };
            if body.trim().is_empty() {
                bail!("an empty article: nothing written");
            }
            let (id, _) = store.write(|w| {
                let part_row = part.as_deref().map(|p| w.part_row(p)).transpose()?;
                w.put_article(&NewArticle { title, body, tags: tag, part_row, source: None }, now)
            })?;
            if json { out::json(&store.read().article(id)?)? } else { println!("{id} written") }
        }
        KbCmd::Edit { id, title, body } => {
            let id: ArticleId = id.parse()?;
            let cur = store.read().article(id)?;
            let body = match body {
                Some(b) => b,
                None if title.is_some() => cur.body.clone(),
                None => crate::user::edit_markdown(&cur.body)?,
            };
            let part_row = match cur.part {
                Some(p) => Some(store.read().part_row_of(p)?),
                None => None,
            };
            let a =
                NewArticle { title: title.unwrap_or(cur.title), body, tags: cur.tags, part_row, source: cur.source };
            store.write(|w| w.update_article(id, &a, now))?;
            println!("{id} updated");
        }
    }
    Ok(ExitCode::SUCCESS)
}
