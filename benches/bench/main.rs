//! The benchmark (`cargo bench --bench bench -- …`): builds the 100k-ticket demo once and measures every figure the README promises.
#![forbid(unsafe_code)]

mod imap;
mod meaning;
mod pg;
mod pty;
mod team;
mod tui;

use anyhow::{Context, Result};
use clap::Parser;
use helpdesk::Store;
use helpdesk::domain::Kind;
use helpdesk::store::{ItemFilter, Page, SortOrder};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// The shipped binary's allocator, so that the ingest rows measure what users run.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub name: String,
    pub value: String,
    pub goal: String,
    pub met: Option<bool>,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// p50 and p99 of durations, in ms.
pub fn pct(v: &mut [Duration]) -> (f64, f64) {
    v.sort();
    let at = |q: f64| {
        v.get(((v.len() as f64 * q).ceil() as usize).clamp(1, v.len().max(1)) - 1).map(|d| ms(*d)).unwrap_or(0.0)
    };
    (at(0.5), at(0.99))
}

struct Bench {
    rows: Vec<Row>,
    json: bool,
    /// Appended to the name of each row (the backend the rows ran on).
    tag: String,
}

impl Bench {
    /// A row of p50 and p99; with a goal, met when the p99 is within it.
    fn latency(&mut self, name: &str, v: &mut [Duration], goal_ms: Option<f64>) {
        let (p50, p99) = pct(v);
        let goal = goal_ms.map(|g| format!("p99 ≤ {g} ms")).unwrap_or_default();
        self.row(name, format!("p50 {p50:.2} ms, p99 {p99:.2} ms"), &goal, goal_ms.map(|g| p99 <= g));
    }

    fn row(&mut self, name: &str, value: String, goal: &str, met: Option<bool>) {
        let name = format!("{name}{}", self.tag);
        if !self.json {
            let mark = match met {
                Some(true) => "met",
                Some(false) => "MISSED",
                None => "",
            };
            println!("{name:<44} {value:<34} {goal:<18} {mark}");
        }
        self.rows.push(Row { name, value, goal: goal.into(), met });
    }
}

fn wanted(only: &Option<String>, what: &str) -> bool {
    only.as_deref().is_none_or(|o| o.split(',').any(|x| x.trim() == what))
}

/// Measure every figure the README promises, on generated data kept between runs.
#[derive(Parser, Debug)]
#[command(name = "bench")]
struct BenchArgs {
    /// Tickets in the generated help desk (about ten messages each)
    #[arg(long, default_value_t = 100_000)]
    scale: usize,
    /// Messages in the generated Maildir for the ingest comparison
    #[arg(long, default_value_t = 100_000)]
    maildir: usize,
    /// Where to keep the generated data between runs (default: a directory in the XDG cache dir)
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Only these rows: demo, list, tui, tui-pg, search, similar, ingest, imap, team (comma-separated)
    #[arg(long)]
    only: Option<String>,
    /// How long the team row's members work (seconds)
    #[arg(long, default_value_t = 120)]
    seconds: u64,
    /// Kill-and-resume soak for IMAP sync crash safety: this many SIGKILLs
    #[arg(long)]
    kills: Option<usize>,
    #[arg(long)]
    json: bool,
    /// Passed by `cargo bench`; ignored
    #[arg(long, hide = true)]
    bench: bool,
}

/// The helpdesk binary cargo built for this run.
fn exe() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_helpdesk"))
}

fn main() -> ExitCode {
    match run(BenchArgs::parse()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("bench: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(a: BenchArgs) -> Result<ExitCode> {
    let dir = match &a.dir {
        Some(d) => d.clone(),
        None => directories::ProjectDirs::from("", "", "helpdesk")
            .context("no home directory: pass --dir")?
            .cache_dir()
            .join("bench"),
    };
    std::fs::create_dir_all(&dir)?;
    let mut b = Bench { rows: vec![], json: a.json, tag: String::new() };
    if !a.json {
        println!("helpdesk bench: scale {} tickets, data in {}", a.scale, dir.display());
        println!("{:<44} {:<34} {:<18}", "measure", "figure", "goal");
    }
    let db = dir.join(format!("demo-{}.db", a.scale));
    let on_demo = ["demo", "list", "tui", "tui-pg", "search", "similar"].iter().any(|w| wanted(&a.only, w));
    let demo_secs = if on_demo { ensure_demo(&db, a.scale)? } else { 0.0 };
    if wanted(&a.only, "demo") {
        b.row(
            &format!("demo --tickets {} (build once)", a.scale),
            format!("{demo_secs:.1} s"),
            "< 60 s",
            Some(demo_secs < 60.0),
        );
    }
    if wanted(&a.only, "list") {
        list_rows(&mut b, &db)?;
    }
    if wanted(&a.only, "tui")
        && let Err(e) = tui::rows(&mut b, &db)
    {
        b.row("TUI in a pseudo-terminal", format!("failed: {e:#}"), "", Some(false));
    }
    if wanted(&a.only, "search") {
        search_rows(&mut b, &db)?;
    }
    if wanted(&a.only, "similar") {
        let small = dir.join("demo-10000.db");
        ensure_demo(&small, 10_000)?;
        similar_row(&mut b, &small, 10_000)?;
        similar_row(&mut b, &db, a.scale)?;
        meaning::rows(&mut b, &db, a.scale, &SIMILAR_TITLES)?;
    }
    if wanted(&a.only, "ingest") {
        ingest_rows(&mut b, &dir, a.maildir)?;
    }
    if wanted(&a.only, "imap") {
        imap_row(&mut b, &dir, a.kills)?;
    }
    if wanted(&a.only, "tui-pg") {
        tui::on_postgres(&mut b, &db)?;
    }
    if wanted(&a.only, "team") {
        team::rows(&mut b, &dir, a.seconds)?;
    }
    if a.json {
        println!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({ "scale": a.scale, "rows": b.rows, "machine": machine() })
            )?
        );
    } else {
        println!("machine: {}", machine());
    }
    Ok(ExitCode::SUCCESS)
}

pub fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_default();
    let n = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    format!("{cpu}, {n} cores")
}

/// Build the demo database once; the build time is kept beside it.
fn ensure_demo(db: &Path, tickets: usize) -> Result<f64> {
    let stamp = db.with_extension("seconds");
    if db.exists()
        && let Some(s) = std::fs::read_to_string(&stamp).ok().and_then(|s| s.trim().parse().ok())
    {
        return Ok(s);
    }
    for f in helpdesk::store::files_of(db) {
        let _ = std::fs::remove_file(f);
    }
    eprint!("building the {tickets}-ticket demo database (once)… ");
    let t0 = Instant::now();
    let mut store = Store::open(db)?;
    helpdesk::demo::generate(&mut store, tickets, &mut |_, _| {})?;
    drop(store);
    let secs = t0.elapsed().as_secs_f64();
    eprintln!("{secs:.1} s");
    std::fs::write(&stamp, format!("{secs}"))?;
    Ok(secs)
}

fn list_rows(b: &mut Bench, db: &Path) -> Result<()> {
    let mut times = vec![];
    for _ in 0..30 {
        let t0 = Instant::now();
        let s = Store::open(db)?;
        let rows =
            s.read().list(&ItemFilter { kind: Some(Kind::Ticket), ..Default::default() }, Page::default(), 50)?;
        assert!(!rows.is_empty());
        times.push(t0.elapsed());
    }
    let (p50, p99) = pct(&mut times);
    b.row("ticket list: open + first page (50 rows)", format!("p50 {p50:.2} ms, p99 {p99:.2} ms"), "instant", None);
    let exe = exe();
    let mut cli = vec![];
    for _ in 0..10 {
        let t0 = Instant::now();
        let o =
            std::process::Command::new(&exe).arg("--db").arg(db).args(["ticket", "list", "--limit", "50"]).output()?;
        anyhow::ensure!(o.status.success(), "ticket list failed");
        cli.push(t0.elapsed());
    }
    let (p50, _) = pct(&mut cli);
    b.row("`helpdesk ticket list` (process, 50 rows)", format!("median {p50:.1} ms"), "", None);
    let s = Store::open(db)?;
    let r = s.read();
    let last = ItemFilter { kind: Some(Kind::Conversation), sort: SortOrder::Inbox, ..Default::default() };
    let t0 = Instant::now();
    r.list(&last, Page::last(), 50)?;
    b.row("inbox: last page (keyset, reverse)", format!("{:.2} ms", ms(t0.elapsed())), "", None);
    Ok(())
}

fn search_rows(b: &mut Bench, db: &Path) -> Result<()> {
    let s = Store::open(db)?;
    for (what, term) in [("selective", "swallowed"), ("common", "card")] {
        let mut v = vec![];
        let mut n = 0;
        for _ in 0..20 {
            let t0 = Instant::now();
            n = s.read().message_hits(term, 50)?.len();
            v.push(t0.elapsed());
        }
        let (p50, p99) = pct(&mut v);
        let goal = if what == "selective" { "≤ 50 ms" } else { "" };
        let met = (what == "selective").then_some(p99 <= 50.0);
        b.row(
            &format!("full-text search, {what} term '{term}' (top {n})"),
            format!("p50 {p50:.1} ms, p99 {p99:.1} ms"),
            goal,
            met,
        );
    }
    Ok(())
}

/// Titles typed key by key in the similar-work rows.
const SIMILAR_TITLES: [&str; 6] = [
    "My card payment was declined at the supermarket",
    "Transfer not received by the recipient after two days",
    "How do I verify my identity for the top up",
    "Exchange rate looks wrong for my cash withdrawal",
    "Cannot activate the new card in the app",
    "Refund still not showing up on my statement",
];

fn similar_row(b: &mut Bench, db: &Path, scale: usize) -> Result<()> {
    let s = Store::open(db)?;
    let titles = SIMILAR_TITLES;
    let mut v = vec![];
    // Three passes, each with new finders (nothing remembered from the pass before): 816 keystrokes, so that the
    // p99 is not the third-worst key of a shared machine's worst moment.
    for t in titles.iter().chain(&titles).chain(&titles) {
        // One form, one finder: as the TUI keeps it across the keystrokes of a title.
        let finder = helpdesk::similar::Finder::default();
        let mut typed = String::new();
        for c in t.chars() {
            typed.push(c);
            let q = helpdesk::similar::Query {
                title: typed.clone(),
                kinds: vec![Kind::Ticket],
                typing: true,
                ..Default::default()
            };
            let t0 = Instant::now();
            finder.find(&s.read(), &q, 5)?;
            v.push(t0.elapsed());
        }
    }
    let n = v.len();
    // The same keystroke in each pass: its best time is its cost without the host's interruptions.
    let mut best: Vec<Duration> = (0..n / 3).map(|i| v[i].min(v[i + n / 3]).min(v[i + 2 * n / 3])).collect();
    b.latency(&format!("similar work per keystroke, {scale} tickets ({n} keys)"), &mut v, Some(10.0));
    b.latency(&format!("  same, best of the 3 passes per keystroke ({} keys)", best.len()), &mut best, None);
    Ok(())
}

/// Write back what earlier steps left dirty, so that a timed run does not pay for the one before it.
fn settle_disk() {
    let _ = std::process::Command::new("sync").status();
}

fn ingest_once(paths: &[PathBuf], db: &Path, mailbox: Option<&str>) -> Result<(usize, f64)> {
    for f in helpdesk::store::files_of(db) {
        let _ = std::fs::remove_file(f);
    }
    settle_disk();
    let mut store = Store::open(db)?;
    let t0 = Instant::now();
    let (mut files, _) = helpdesk::mail::source::files(paths)?;
    helpdesk::mail::source::sort_by_date(&mut files);
    let mut it = files.iter().flat_map(|f| helpdesk::mail::source::read(f).unwrap_or_default().into_iter().map(Ok));
    let sum = helpdesk::mail::ingest_batch(
        &mut store,
        &mut it as &mut (dyn Iterator<Item = std::io::Result<helpdesk::mail::source::RawMail>> + Send),
        &helpdesk::mail::IngestOptions { mailbox: mailbox.map(String::from), ..Default::default() },
        false,
        &mut |_| {},
    )?;
    Ok((sum.messages, t0.elapsed().as_secs_f64()))
}

fn notmuch(dir: &Path, files: usize) -> Result<Option<f64>> {
    if std::process::Command::new("notmuch").arg("--version").output().is_err() {
        return Ok(None);
    }
    let _ = std::fs::remove_dir_all(dir.join(".notmuch"));
    let cfg = dir.with_extension("notmuch-config");
    std::fs::write(
        &cfg,
        format!(
            "[database]\npath={}\n[user]\nname=bench\nprimary_email=bench@helpdesk.example\n[new]\ntags=inbox\n",
            dir.display()
        ),
    )?;
    settle_disk();
    let t0 = Instant::now();
    let o = std::process::Command::new("notmuch").arg(format!("--config={}", cfg.display())).arg("new").output()?;
    anyhow::ensure!(o.status.success(), "notmuch new failed: {}", String::from_utf8_lossy(&o.stderr));
    let secs = t0.elapsed().as_secs_f64();
    let _ = std::fs::remove_dir_all(dir.join(".notmuch"));
    Ok(Some(files as f64 / secs))
}

fn ingest_rows(b: &mut Bench, dir: &Path, n: usize) -> Result<()> {
    let md = dir.join(format!("maildir-{n}"));
    if !md.join("cur").is_dir() || std::fs::read_dir(md.join("cur"))?.count() != n {
        eprint!("generating a {n}-message Maildir (once)… ");
        let t0 = Instant::now();
        let _ = std::fs::remove_dir_all(&md);
        helpdesk::demo::maildir::write(&md, n)?;
        eprintln!("{:.1} s", t0.elapsed().as_secs_f64());
    }
    let ham_src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora/spamassassin/easy-ham-1");
    // The generated mail is written to the demo's support address: the help desk's own mailbox, as configured.
    let mut sets = vec![(format!("generated Maildir, {n} messages"), md.clone(), Some("support@helpdesk.example"))];
    if ham_src.is_dir() {
        let ham = dir.join("easy-ham-1");
        if !ham.is_dir() {
            std::fs::create_dir_all(&ham)?;
            for e in std::fs::read_dir(&ham_src)? {
                let p = e?.path();
                if p.is_file() {
                    std::fs::copy(&p, ham.join(p.file_name().context("name")?))?;
                }
            }
        }
        sets.insert(0, ("spamassassin easy-ham-1".to_string(), ham, None));
    }
    // Two rounds, each side in turn, and the better of each side's two: this host's speed drifts by a third within
    // minutes, and a pair run back to back is compared under the same conditions.
    for (name, path, mailbox) in sets {
        let (mut ours, mut theirs) = (vec![], vec![]);
        for _ in 0..2 {
            let (msgs, secs) = ingest_once(std::slice::from_ref(&path), &dir.join("ingest.db"), mailbox)?;
            ours.push(msgs as f64 / secs);
            if let Some(t) = notmuch(&path, msgs)? {
                theirs.push(t);
            }
        }
        let best = ours.iter().copied().fold(0.0, f64::max);
        let runs = |v: &[f64]| v.iter().map(|r| format!("{r:.0}")).collect::<Vec<_>>().join(" and ");
        let (ratio, met) = match theirs.iter().copied().reduce(f64::max) {
            Some(t) => {
                (format!(", notmuch new {t:.0}/s ({}), ratio {:.1}×", runs(&theirs), best / t), Some(best / t >= 10.0))
            }
            None => (", notmuch not installed".to_string(), None),
        };
        b.row(&format!("ingest {name}"), format!("{best:.0} msg/s ({}){ratio}", runs(&ours)), "≥ 10× notmuch", met);
    }
    Ok(())
}

fn imap_row(b: &mut Bench, dir: &Path, kills: Option<usize>) -> Result<()> {
    match imap::bench_imap(dir, 10_000, kills) {
        Ok(rows) => {
            for (name, value) in rows {
                b.row(&name, value, "", None);
            }
        }
        Err(e) => b.row("IMAP sync of 10k messages from local Dovecot", format!("not run: {e:#}"), "", None),
    }
    Ok(())
}
