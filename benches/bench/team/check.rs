//! What the team row checks afterwards: each acknowledged move, note and assign is in the store, every history is
//! a chain, and the customer's mailbox holds each reply once.

use super::member::{HOT, Tally};
use anyhow::Result;
use helpdesk::Store;
use helpdesk::domain::{ItemRef, Kind, MsgChannel};
use std::collections::HashMap;
use std::time::{Duration, Instant};

pub struct Found {
    /// Lost stage moves, notes and assigns.
    pub lost: [usize; 3],
    pub broken: usize,
}

fn ticket(num: i64) -> ItemRef {
    ItemRef { kind: Kind::Ticket, num }
}

/// The owners of the worked tickets before the run.
pub fn owners(s: &Store) -> Result<HashMap<i64, Option<String>>> {
    (1..=HOT).map(|n| Ok((n, s.read().item(ticket(n))?.owner))).collect()
}

/// Lost updates and broken history chains. An assign is lost when the owners it saw replaced do not follow one
/// another: per ticket, the assigns (before → after, as the store reported them) must form one path from the owner
/// before the run to the owner after it.
pub fn found(s: &Store, all: &Tally, before: &HashMap<i64, Option<String>>, start: i64) -> Result<Found> {
    let (mut lost, mut broken) = ([0usize; 3], 0);
    let r = s.read();
    for num in 1..=HOT {
        let it = r.item(ticket(num))?;
        let moves = it.history.iter().filter(|h| h.by.starts_with("bench-m") && h.at >= start).count();
        lost[0] += moves.abs_diff(all.moved.get(&num).copied().unwrap_or(0));
        broken += it.history.windows(2).filter(|p| p[1].from != Some(p[0].to)).count();
        let notes = r.messages(it.row, Some(MsgChannel::Internal))?;
        let notes = notes.iter().filter(|m| m.body.starts_with("bench note")).count();
        lost[1] += notes.abs_diff(all.noted.get(&num).copied().unwrap_or(0));
        let mut balance: HashMap<Option<String>, i64> = HashMap::new();
        for (_, prev, new) in all.assigns.iter().filter(|a| a.0 == num) {
            *balance.entry(prev.clone()).or_default() -= 1;
            *balance.entry(Some(new.clone())).or_default() += 1;
        }
        let was = before.get(&num).cloned().flatten();
        *balance.entry(was).or_default() += 1;
        *balance.entry(it.owner.clone()).or_default() -= 1;
        lost[2] += balance.values().filter(|v| **v > 0).sum::<i64>() as usize;
    }
    let mut replied = all.replied.clone();
    replied.sort_by_key(|c| c.num);
    replied.dedup();
    for c in replied {
        let h = r.item(c)?.history;
        broken += h.windows(2).filter(|p| p[1].from != Some(p[0].to)).count();
    }
    Ok(Found { lost, broken })
}

/// The Message-IDs in the customer's mailbox, each with how often it arrived, once `expect` messages are there (or
/// a minute has passed).
pub fn received(server: helpdesk::config::Server, expect: usize) -> Result<HashMap<String, usize>> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let read = || -> Result<Vec<Vec<u8>>> {
        rt.block_on(async {
            use futures_util::TryStreamExt;
            let mut s = helpdesk::mail::net::imap_login(&server).await?;
            let mb = s.examine("INBOX").await?;
            if mb.exists == 0 {
                return Ok(vec![]);
            }
            let all = s.fetch("1:*", "BODY.PEEK[HEADER]").await?;
            let heads: Vec<Vec<u8>> = all.map_ok(|f| f.header().unwrap_or_default().to_vec()).try_collect().await?;
            Ok(heads)
        })
    };
    let until = Instant::now() + Duration::from_secs(60);
    let mut got = read()?;
    while got.len() < expect && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(500));
        got = read()?;
    }
    std::thread::sleep(Duration::from_secs(2));
    let mut by_id = HashMap::new();
    for head in read()? {
        let p = helpdesk::mail::parse(&head, 1 << 20).map_err(|e| anyhow::anyhow!("{e:?}"))?;
        *by_id.entry(p.message_id.unwrap_or_default()).or_default() += 1;
    }
    Ok(by_id)
}
