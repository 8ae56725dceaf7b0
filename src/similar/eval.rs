//! The standard duplicate-detection protocol on GitBugs-style CSVs (or short texts grouped by intent): each report in
//! a duplicate cluster queries the reports created before it; recall-rate@1/5/10 and MAP of the lexical, embedding
//! and hybrid rankings over those queries.

use super::{Finder, Query, Suggestion, Vectors, by_meaning, fill_vectors, hybrid};
use crate::domain::{Kind, PartKind, SourceChannel};
use crate::store::{By, NewItem};
use crate::{Error, Result, Store};
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, Serialize)]
pub struct EvalReport {
    pub reports: usize,
    pub clusters: usize,
    pub queries: usize,
    pub lexical: Scores,
    pub embedding: Scores,
    pub hybrid: Scores,
    pub seconds: f64,
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Scores {
    pub rr1: f64,
    pub rr5: f64,
    pub rr10: f64,
    pub map: f64,
}

/// `30/Sep/21 17:20` (Jira), RFC 3339 / ISO 8601, or `2021-09-30 17:20[:00]`.
pub fn parse_created(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(d) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(d.timestamp());
    }
    for f in [
        "%d/%b/%y %H:%M",
        "%d/%b/%Y %H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(d) = chrono::NaiveDateTime::parse_from_str(s, f) {
            return Some(d.and_utc().timestamp());
        }
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc().timestamp())
}

struct Report {
    id: String,
    summary: String,
    description: String,
    created: i64,
}

fn read_reports(bytes: &[u8]) -> Result<Vec<Report>> {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let headers = rdr.headers().map_err(|e| Error::invalid(format!("reports: {e}")))?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
            .ok_or_else(|| Error::invalid(format!("reports: no '{name}' column")))
    };
    let (s, i, c, d) = (col("Summary")?, col("Issue id")?, col("Created")?, col("Description")?);
    let mut out = vec![];
    for (n, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| Error::invalid(format!("reports row {}: {e}", n + 2)))?;
        let get = |k: usize| rec.get(k).unwrap_or("").to_string();
        let created = parse_created(&get(c))
            .ok_or_else(|| Error::invalid(format!("reports row {}: cannot read Created '{}'", n + 2, get(c))))?;
        out.push(Report { id: get(i).trim().to_string(), summary: get(s), description: get(d), created });
    }
    Ok(out)
}

/// Clusters from pair rows; a cell may hold several comma-separated ids.
fn read_clusters(bytes: &[u8], known: &HashMap<String, usize>) -> Result<Vec<Vec<usize>>> {
    let mut parent: Vec<usize> = (0..known.len()).collect();
    fn root(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let mut members = std::collections::HashSet::new();
    for (n, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| Error::invalid(format!("pairs row {}: {e}", n + 2)))?;
        let ids: Vec<usize> = rec
            .iter()
            .flat_map(|cell| cell.split([',', ';', ' ']))
            .filter_map(|id| known.get(id.trim()).copied())
            .collect();
        for w in ids.windows(2) {
            let (a, b) = (root(&mut parent, w[0]), root(&mut parent, w[1]));
            parent[a] = b;
        }
        if ids.len() >= 2 {
            members.extend(ids);
        }
    }
    let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
    for m in members {
        let r = root(&mut parent, m);
        groups.entry(r).or_default().push(m);
    }
    Ok(groups.into_values().filter(|g| g.len() > 1).collect())
}

/// A GitBugs-style set: reports (`Summary, Issue id, Created, Description`) and duplicate pairs, loaded into
/// `store` (an empty database: in memory, or a server to measure its ranking).
pub fn evaluate(store: Store, reports: &[u8], pairs: &[u8]) -> Result<EvalReport> {
    let reps = read_reports(reports)?;
    let index: HashMap<String, usize> = reps.iter().enumerate().map(|(i, r)| (r.id.clone(), i)).collect();
    let clusters = read_clusters(pairs, &index)?;
    run(store, reps, clusters)
}

/// A short-text set from a `text,category` CSV (banking77): every `every`-th row is a report, created in file order,
/// and the reports of one category form a duplicate cluster.
pub fn evaluate_intents(store: Store, csv_bytes: &[u8], every: usize) -> Result<EvalReport> {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(csv_bytes);
    let mut reps = vec![];
    let mut by_intent: HashMap<String, Vec<usize>> = HashMap::new();
    for (n, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| Error::invalid(format!("intents row {}: {e}", n + 2)))?;
        if n % every.max(1) != 0 {
            continue;
        }
        let (Some(text), Some(intent)) = (rec.get(0), rec.get(1)) else {
            return Err(Error::invalid(format!("intents row {}: want text,category", n + 2)));
        };
        by_intent.entry(intent.to_string()).or_default().push(reps.len());
        reps.push(Report {
            id: n.to_string(),
            summary: text.to_string(),
            description: String::new(),
            created: n as i64,
        });
    }
    let clusters = by_intent.into_values().filter(|c| c.len() > 1).collect();
    run(store, reps, clusters)
}

fn run(mut store: Store, reps: Vec<Report>, clusters: Vec<Vec<usize>>) -> Result<EvalReport> {
    let t0 = std::time::Instant::now();
    if store.read().table_counts()?.iter().any(|(table, n)| *table == "items" && *n > 0) {
        return Err(Error::invalid(
            "eval similar loads the data set into the database: give an empty one (without --db it uses one in memory)",
        ));
    }
    let rows: Vec<i64> = store.write(|w| {
        let p = w.add_part(PartKind::Product, "Evaluation", None)?;
        let part = w.part_row_of(p)?;
        let mut rows = vec![];
        for r in &reps {
            let mut n = NewItem::new(
                Kind::Issue,
                if r.summary.trim().is_empty() { "(no summary)" } else { r.summary.as_str() },
                SourceChannel::Import,
            );
            n.description = r.description.chars().take(8000).collect();
            n.part_row = Some(part);
            let id = w.create_item(&n, &By::at("eval", r.created))?;
            rows.push(w.item_row(id)?);
        }
        Ok(rows)
    })?;
    fill_vectors(&mut store, 1000, &|| true)?;
    let mut vectors = Vectors::keeping_all();
    vectors.refresh(&store.read())?;
    let row_to_report: HashMap<i64, usize> = rows.iter().enumerate().map(|(i, r)| (*r, i)).collect();
    let mut tally = [Tally::default(); 3];
    let mut queries = 0;
    for cluster in &clusters {
        for &q in cluster {
            let relevant: Vec<usize> =
                cluster.iter().copied().filter(|&o| o != q && reps[o].created < reps[q].created).collect();
            if relevant.is_empty() {
                continue;
            }
            queries += 1;
            let query = Query {
                title: reps[q].summary.clone(),
                body: reps[q].description.chars().take(2000).collect(),
                kinds: vec![Kind::Issue],
                before: Some(reps[q].created),
                item_row: Some(rows[q]),
                ..Default::default()
            };
            let r = store.read();
            let finder = Finder::default();
            let lists = [
                finder.find(&r, &query, 100)?,
                by_meaning(&r, &query, &vectors, 100)?,
                hybrid(&r, &query, &vectors, &finder, 100)?,
            ];
            for (t, ranked) in tally.iter_mut().zip(&lists) {
                t.add(ranked, &relevant, &row_to_report);
            }
        }
    }
    let [lexical, embedding, hybrid] = tally.map(|t| t.scores(queries));
    Ok(EvalReport {
        reports: reps.len(),
        clusters: clusters.len(),
        queries,
        lexical,
        embedding,
        hybrid,
        seconds: t0.elapsed().as_secs_f64(),
    })
}

#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    h1: usize,
    h5: usize,
    h10: usize,
    ap_sum: f64,
}

impl Tally {
    fn add(&mut self, ranked: &[Suggestion], relevant: &[usize], row_to_report: &HashMap<i64, usize>) {
        let ranks: Vec<usize> = ranked
            .iter()
            .enumerate()
            .filter(|(_, s)| row_to_report.get(&s.row).is_some_and(|r| relevant.contains(r)))
            .map(|(i, _)| i + 1)
            .collect();
        let first = ranks.first().copied().unwrap_or(usize::MAX);
        self.h1 += usize::from(first <= 1);
        self.h5 += usize::from(first <= 5);
        self.h10 += usize::from(first <= 10);
        self.ap_sum += ranks.iter().enumerate().map(|(k, &rank)| (k + 1) as f64 / rank as f64).sum::<f64>()
            / relevant.len() as f64;
    }

    fn scores(&self, queries: usize) -> Scores {
        let q = queries.max(1) as f64;
        Scores { rr1: self.h1 as f64 / q, rr5: self.h5 as f64 / q, rr10: self.h10 as f64 / q, map: self.ap_sum / q }
    }
}
