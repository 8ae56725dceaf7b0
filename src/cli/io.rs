//! `import contacts|accounts`, `export`, `view` and `stats`.

use super::args::{CsvImportArgs, ExportArgs, ViewCmd};
use super::items::filter;
use super::out;
use anyhow::{Context, Result, bail};
use helpdesk::Store;
use helpdesk::domain::Kind;
use helpdesk::io::export::{self, Format};
use helpdesk::io::import::{self, Target};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

pub fn import(db: &Path, a: CsvImportArgs, t: Target, json: bool) -> Result<ExitCode> {
    if a.sample {
        print!("{}", import::sample(t));
        return Ok(ExitCode::SUCCESS);
    }
    let Some(file) = a.file else { bail!("give a CSV file, or --sample") };
    let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
    let mut store = super::open(db)?;
    let report = import::import(&mut store, &bytes, t, a.dry_run)?;
    if let Some(path) = &a.errors_out {
        let mut f = std::fs::File::create(path).with_context(|| format!("cannot write {}", path.display()))?;
        import::write_errors(&report, &mut f)?;
    }
    if json {
        out::json(&report)?;
    } else {
        let what = if t == Target::Contacts { "contacts" } else { "accounts" };
        let verb = if report.dry_run { "would import" } else { "imported" };
        println!("{what}: {verb} {}, updated {}, rejected {}", report.imported, report.updated, report.rejected);
        for e in &report.errors {
            println!("  line {}: {}", e.line, helpdesk::sanitize::line(&e.reason));
        }
        if let (Some(p), true) = (&a.errors_out, report.rejected > 0) {
            println!("  rejected rows written to {} (fix them and import that file again)", p.display());
        }
    }
    Ok(if report.rejected > 0 { ExitCode::from(3) } else { ExitCode::SUCCESS })
}

pub fn export(store: &Store, a: ExportArgs) -> Result<ExitCode> {
    let mbox = a.format.eq_ignore_ascii_case("mbox");
    let format = if mbox { Format::Json } else { Format::parse(&a.format)? };
    let mut sink: Box<dyn Write> = match &a.output {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("cannot write {}", p.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let r = store.read();
    let n = match a.what.as_str() {
        "contacts" => export::contacts(&r, format, &mut sink)?,
        "accounts" => export::accounts(&r, format, &mut sink)?,
        _ if mbox && matches!(a.what.as_str(), "contacts" | "accounts") => {
            anyhow::bail!("--format mbox writes the messages of items, not {}", a.what)
        }
        other => {
            let kind = Kind::parse(other.trim_end_matches('s'))?;
            let f = filter(&r, kind, &a.filter)?;
            if mbox {
                let (n, missing) = helpdesk::io::mbox::items(&r, &f, &mut sink)?;
                if missing > 0 {
                    eprintln!("{missing} messages have no raw copy (written here, or stored before raw mail was kept)");
                }
                n
            } else {
                export::items(&r, &f, format, a.with_messages, &mut sink)?
            }
        }
    };
    sink.flush()?;
    if let Some(p) = &a.output {
        eprintln!("exported {n} {} to {}", a.what, p.display());
    }
    Ok(ExitCode::SUCCESS)
}

pub fn view(store: &mut Store, c: ViewCmd, json: bool) -> Result<ExitCode> {
    match c {
        ViewCmd::Save { name, kind, filter: args } => {
            let kind = Kind::parse(&kind)?;
            let f = filter(&store.read(), kind, &args)?;
            store.write(|w| w.save_view(&name, &f))?;
            println!("view '{name}' saved; list it with `helpdesk {} list --view '{name}'`", kind.as_str());
        }
        ViewCmd::List => {
            let views = store.read().views()?;
            if json {
                let v: Vec<_> = views.iter().map(|(n, f)| serde_json::json!({"name": n, "filter": f})).collect();
                out::json(&v)?;
            } else {
                for (n, f) in views {
                    println!("{n:<24} {}", f.kind.map(|k| k.as_str()).unwrap_or("any"));
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn stats(store: &Store, days: i64, json: bool) -> Result<ExitCode> {
    let s = helpdesk::stats::compute(&store.read(), helpdesk::now(), days.clamp(1, 3650))?;
    if json {
        out::json(&s)?;
        return Ok(ExitCode::SUCCESS);
    }
    let max = s.incoming_per_day.iter().map(|d| d.1).max().unwrap_or(0).max(1);
    let bars = "▁▂▃▄▅▆▇█";
    let spark: String =
        s.incoming_per_day.iter().map(|d| bars.chars().nth((d.1 * 7 / max) as usize).unwrap_or('▁')).collect();
    let total: i64 = s.incoming_per_day.iter().map(|d| d.1).sum();
    println!("New conversations and tickets, last {days} days: {total}\n  {spark}");
    println!("Open tickets by stage");
    for (k, v) in &s.open_tickets_by_stage {
        println!("  {:<27} {v:>7}", k.label());
    }
    println!("Open tickets by severity");
    for (k, v) in &s.open_tickets_by_severity {
        println!("  {k:<27} {v:>7}");
    }
    let fr = &s.first_response;
    let h = |x: Option<f64>| x.map(helpdesk::domain::fmt_hours).unwrap_or_else(|| "–".into());
    println!(
        "Time to first response ({} conversations): median {}, p90 {}",
        fr.count,
        h(fr.median_hours),
        h(fr.p90_hours)
    );
    for (k, v) in &fr.histogram {
        println!("  {k:<6} {v:>7}");
    }
    println!("Oldest waiting on us");
    for w in &s.oldest_waiting {
        println!(
            "  {:<10} {:>8}  {:<16} {}",
            w.id.to_string(),
            helpdesk::domain::fmt_hours(w.hours),
            w.stage,
            helpdesk::sanitize::line(&w.title)
        );
    }
    Ok(ExitCode::SUCCESS)
}
