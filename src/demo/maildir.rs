//! A generated Maildir of realistic support mail (threads with References, replies, some HTML) for ingest benchmarks.

use super::text::{PARTS, Rng, Seeds, customer_body, customer_followup, person, title_from};
use std::fmt::Write as _;
use std::io;
use std::path::Path;

/// Write `n` messages into `dir/cur` (creating `cur`, `new`, `tmp`). About a third are replies in existing threads.
pub fn write(dir: &Path, n: usize) -> io::Result<()> {
    for d in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(dir.join(d))?;
    }
    let seeds = Seeds::load();
    let intents: Vec<&str> =
        PARTS.iter().flat_map(|(_, caps)| caps.iter().flat_map(|(_, i)| i.iter().copied())).collect();
    let mut rng = Rng::new(0xba5e_0001);
    let start = 1_700_000_000i64;
    // (subject, Message-ID, name, address) of recent threads: a reply comes from the customer who wrote first.
    let mut threads: Vec<(String, String, String, String)> = vec![];
    for i in 0..n {
        let id = format!("{i:07}.{}@mail.example", rng.next() % 1_000_000);
        let t = start + (i as i64) * 37;
        let date = chrono::DateTime::from_timestamp(t, 0).map(|d| d.to_rfc2822()).unwrap_or_default();
        let mut m = String::with_capacity(1500);
        let reply = !threads.is_empty() && rng.below(3) == 0;
        let (subject, body, name, from) = if reply {
            let (sub, parent, name, from) = threads[rng.below(threads.len())].clone();
            let _ = write!(m, "In-Reply-To: <{parent}>\r\nReferences: <{parent}>\r\n");
            (format!("Re: {sub}"), customer_followup(&name, &mut rng), name, from)
        } else {
            let (first, last) = person(rng.below(5000));
            let from = format!(
                "{}.{}{}@{}.example",
                first.to_lowercase(),
                last.to_lowercase(),
                rng.below(5000),
                ["acme", "globex", "initech", "umbrella", "hooli"][rng.below(5)]
            );
            let name = format!("{first} {last}");
            let q = seeds.query(intents[rng.below(intents.len())], &mut rng);
            (title_from(q), customer_body(&name, q, &mut rng), name, from)
        };
        let _ = write!(
            m,
            "Return-Path: <{from}>\r\nFrom: {name} <{from}>\r\nTo: Support <support@helpdesk.example>\r\nSubject: {subject}\r\nDate: {date}\r\nMessage-ID: <{id}>\r\nMIME-Version: 1.0\r\n"
        );
        if i % 10 == 0 {
            let html = body.replace('\n', "<br>\n");
            let _ =
                write!(m, "Content-Type: text/html; charset=utf-8\r\n\r\n<html><body><p>{html}</p></body></html>\r\n");
        } else {
            let _ = write!(m, "Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n");
        }
        if !reply {
            threads.push((subject, id.clone(), name, from));
            if threads.len() > 5000 {
                threads.remove(0);
            }
        }
        std::fs::write(dir.join("cur").join(format!("{t}.{i}.bench:2,")), m)?;
    }
    Ok(())
}
