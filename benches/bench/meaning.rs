//! Rows for similar work by meaning: the model's load, filling item vectors, loading them, and the blended list.

use super::{Bench, pct};
use anyhow::Result;
use helpdesk::Store;
use helpdesk::domain::Kind;
use helpdesk::similar::{Finder, Query, Vectors, fill_vectors, hybrid};
use std::path::Path;
use std::time::{Duration, Instant};

/// The jobs thread waits this long for the next key before it computes (tui/jobs.rs SETTLE).
const SETTLE: Duration = Duration::from_millis(40);

pub fn rows(b: &mut Bench, db: &Path, scale: usize, titles: &[&str]) -> Result<()> {
    let mut loads = vec![];
    for _ in 0..5 {
        let t0 = Instant::now();
        helpdesk::embed::Model::parse(helpdesk::embed::MODEL_BYTES)?;
        loads.push(t0.elapsed());
    }
    let (p50, _) = pct(&mut loads);
    b.row(
        &format!("embedded model load ({:.1} MB zstd)", helpdesk::embed::MODEL_BYTES.len() as f64 / 1e6),
        format!("{p50:.0} ms"),
        "",
        None,
    );
    let mut s = Store::open(db)?;
    let t0 = Instant::now();
    let n = fill_vectors(&mut s, 1000, &|| true)?;
    if n > 0 {
        let secs = t0.elapsed().as_secs_f64();
        b.row(&format!("meaning vectors for {n} items (once)"), format!("{secs:.1} s"), "", None);
    }
    let t0 = Instant::now();
    let mut vectors = Vectors::default();
    vectors.refresh(&s.read())?;
    b.row(
        &format!("load {} vectors into memory", vectors.len()),
        format!("{:.0} ms", t0.elapsed().as_secs_f64() * 1000.0),
        "",
        None,
    );
    let mut v = vec![];
    for t in titles.iter().chain(titles) {
        let mut typed = String::new();
        for c in t.chars() {
            typed.push(c);
            let q = Query { title: typed.clone(), kinds: vec![Kind::Ticket], typing: true, ..Default::default() };
            let t0 = Instant::now();
            let r = s.read();
            vectors.refresh_kinds(&r, &q.kinds)?;
            hybrid(&r, &q, &vectors, &Finder::default(), 5)?;
            v.push(t0.elapsed() + SETTLE);
        }
    }
    let n = v.len();
    b.latency(
        &format!("blended list after the last key, {scale} tickets ({n} keys, 40 ms settle incl.)"),
        &mut v,
        Some(100.0),
    );
    Ok(())
}
