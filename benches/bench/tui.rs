//! The TUI rows of the bench: the real binary in a pseudo-terminal, its frames read with a terminal emulator.

use super::{Bench, pct, pty};
use anyhow::{Context, Result};
use std::path::Path;
use std::time::{Duration, Instant};

pub(super) fn rows(b: &mut Bench, db: &Path) -> Result<()> {
    vectors(db)?;
    run(b, db, &[])
}

/// Every item's meaning vector, before the TUI is timed: otherwise its background thread computes those missing
/// (16 s of a core at 100k) while the keys are timed.
fn vectors(db: &Path) -> Result<()> {
    let mut s = helpdesk::Store::open(db)?;
    let n = helpdesk::similar::fill_vectors(&mut s, 256, &|| true)?;
    if n > 0 {
        eprintln!("computed {n} missing meaning vectors before timing the TUI");
    }
    Ok(())
}

/// The same rows with the help desk copied into a PostgreSQL database on loopback (`db copy`).
pub(super) fn on_postgres(b: &mut Bench, db: &Path) -> Result<()> {
    vectors(db)?;
    let pg = super::pg::Pg::start()?;
    let url = pg.fresh("tui")?;
    let pw = ("PGPASSWORD", super::pg::PASSWORD);
    let t0 = Instant::now();
    let o = std::process::Command::new(super::exe())
        .arg("--db")
        .arg(db)
        .args(["db", "copy", "--to", &url])
        .env(pw.0, pw.1)
        .output()?;
    anyhow::ensure!(o.status.success(), "db copy: {}", String::from_utf8_lossy(&o.stderr).trim());
    b.row("db copy of the demo to PostgreSQL", format!("{:.1} s", t0.elapsed().as_secs_f64()), "", None);
    b.tag = " [PostgreSQL]".into();
    let r = run(b, Path::new(&url), &[pw]);
    if let Err(e) = &r {
        b.row("TUI in a pseudo-terminal", format!("failed: {e:#}"), "", Some(false));
    }
    b.tag.clear();
    Ok(())
}

fn run(b: &mut Bench, db: &Path, env: &[(&str, &str)]) -> Result<()> {
    let exe = super::exe();
    let args = ["--db", db.to_str().context("path")?];
    let inbox_ready = |s: &str| s.contains("CONV-") && s.contains("items");
    let mut starts = vec![];
    for _ in 0..11 {
        let t0 = Instant::now();
        let mut t = pty::Term::spawn(&exe, &args, env, 120, 40)?;
        t.wait(Duration::from_secs(20), inbox_ready)?;
        starts.push(t0.elapsed());
        t.send(b"q")?;
        t.kill();
    }
    let (p50, _) = pct(&mut starts);
    b.row("TUI cold start → first frame (median of 11)", format!("{p50:.1} ms"), "≤ 50 ms", Some(p50 <= 50.0));

    let log = std::env::temp_dir().join(format!("helpdesk-bench-frames-{}.log", std::process::id()));
    let _ = std::fs::remove_file(&log);
    let mut with_log = env.to_vec();
    with_log.push(("HELPDESK_FRAME_LOG", log.to_str().context("path")?));
    let mut t = pty::Term::spawn(&exe, &args, &with_log, 120, 40)?;
    t.wait(Duration::from_secs(20), inbox_ready)?;
    let mut rss = vec![("Inbox", t.rss_mib())];
    let timeout = Duration::from_secs(5);
    let (mut scroll, mut panes, mut open, mut filter) = (vec![], vec![], vec![], vec![]);
    for i in 0..300 {
        let t0 = Instant::now();
        t.send(b"j")?;
        let want = format!(" {}/", i + 2);
        t.wait(timeout, |s| s.contains(&want))?;
        scroll.push(t0.elapsed());
    }
    let mut figures = None;
    for (n, key, marker) in [
        (0, b"2", &["┌ Tickets", " TKT-"][..]),
        (1, b"3", &["┌ Issues", " ISS-"]),
        (2, b"4", &["┌ Contacts", "CONT-"]),
        (3, b"5", &["computing the figures"]),
        (4, b"1", &["┌ Inbox", "CONV-"]),
    ] {
        let t0 = Instant::now();
        t.send(key)?;
        // A pane's frame: its title and its rows (the dashboard's figures may be there already if they were fresh).
        t.wait(timeout, |s| {
            marker.iter().all(|m| s.contains(m)) || (n == 3 && s.contains("Incoming conversations per day"))
        })?;
        if n < 4 {
            panes.push(t0.elapsed());
        }
        if n == 3 {
            // The dashboard's frame comes first; its figures follow from the jobs thread.
            t.wait(timeout, |s| s.contains("First response (conversations)"))?;
            figures = Some(t0.elapsed());
        }
        if n < 4 {
            rss.push((["Tickets", "Issues", "Contacts", "Dashboard"][n], t.rss_mib()));
        }
    }
    for _ in 0..100 {
        for (key, title, row) in [(&b"2"[..], "┌ Tickets", " TKT-"), (&b"3"[..], "┌ Issues", " ISS-")] {
            let t0 = Instant::now();
            t.send(key)?;
            t.wait(timeout, |s| s.contains(title) && s.contains(row))?;
            panes.push(t0.elapsed());
        }
    }
    t.send(b"2")?;
    t.wait(timeout, |s| s.contains("TKT-"))?;
    for _ in 0..200 {
        let t0 = Instant::now();
        t.send(b"\r")?;
        t.wait(timeout, |s| s.contains("┌ TKT-"))?;
        open.push(t0.elapsed());
        t.send(b"\x1b")?;
        t.wait(timeout, |s| s.contains("┌ Tickets"))?;
        t.send(b"j")?;
        t.quiet(Duration::from_millis(20));
    }
    rss.push(("Ticket detail", t.rss_mib()));
    for _ in 0..50 {
        t.send(b"/")?;
        t.wait(timeout, |s| s.contains("enter keep"))?;
        let mut typed = String::new();
        for c in "card".chars() {
            typed.push(c);
            let t0 = Instant::now();
            t.send(c.to_string().as_bytes())?;
            let want = format!("/ {typed}▏");
            t.wait(timeout, |s| s.contains(&want))?;
            filter.push(t0.elapsed());
        }
        t.send(b"\x1b")?;
        t.wait(timeout, |s| !s.contains("enter keep"))?;
    }
    t.send(b"q")?;
    let count = scroll.len() + panes.len() + open.len() + filter.len();
    let mut all: Vec<Duration> = scroll.iter().chain(&panes).chain(&open).chain(&filter).copied().collect();
    for (name, v) in [
        ("scroll (j)", &mut scroll),
        ("switch pane", &mut panes),
        ("open ticket", &mut open),
        ("filter keystroke", &mut filter),
    ] {
        b.latency(&format!("keypress → frame: {name} ({} keys)", v.len()), v, Some(5.0));
    }
    b.latency(&format!("keypress → frame: all ({count} keys)"), &mut all, Some(5.0));
    // The same keys timed inside the app (key read → frame written), and how late this machine wakes a sleeping
    // thread: together they tell the app's own time from the pseudo-terminal's and the host's.
    t.quiet(Duration::from_millis(100));
    let mut inside: Vec<Duration> = std::fs::read_to_string(&log)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split(' ').next()?.parse().ok())
        .map(Duration::from_micros)
        .collect();
    if std::env::var_os("HELPDESK_BENCH_KEEP").is_none() {
        let _ = std::fs::remove_file(&log);
    }
    if !inside.is_empty() {
        b.latency(&format!("in the app: key read → frame written ({} keys)", inside.len()), &mut inside, Some(5.0));
    }
    let mut jitter: Vec<Duration> = (0..1000)
        .map(|_| {
            let t0 = Instant::now();
            std::thread::sleep(Duration::from_millis(1));
            t0.elapsed().saturating_sub(Duration::from_millis(1))
        })
        .collect();
    b.latency("machine noise: oversleep of a 1 ms sleep (1000)", &mut jitter, None);
    if let Some(f) = figures {
        let ms = f.as_secs_f64() * 1e3;
        b.row("dashboard figures on screen after `5` (jobs thread)", format!("{ms:.0} ms"), "", None);
    }
    for (pane, r) in rss {
        if let Some(r) = r {
            b.row(
                &format!("resident memory after opening {pane}"),
                format!("{r:.1} MiB"),
                "≤ 60 MB",
                Some(r <= 60.0 / 1.048_576),
            );
        }
    }
    Ok(())
}
