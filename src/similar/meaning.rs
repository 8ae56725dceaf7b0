//! Similar work by meaning: item vectors kept up to date in the store, a brute-force index over them in memory, and
//! the hybrid list: the lexical score plus a fixed weight times the cosine similarity, over both candidate lists.

use super::{POOL, Query, Suggestion, search};
use crate::domain::Kind;
use crate::embed::{self, Index, MODEL_VERSION, Probe};
use crate::store::Reader;
use crate::{Result, Store};
use std::collections::HashMap;

/// Weight of the cosine similarity added to the lexical score. A short query (a customer's sentence) carries little
/// lexical evidence, so meaning counts fully; a long one (a bug report with its description) is ranked well by its
/// words, and meaning only breaks near-ties. Chosen among 0.3/0.5/1.0 after measuring both shared sets (see README).
mod blend {
    pub const SHORT_QUERY_TERMS: usize = 24;
    pub const SHORT: f64 = 1.0;
    pub const LONG: f64 = 0.3;
}

/// At most this many articles are compared by meaning per query.
const ARTICLES_SCANNED: usize = 2000;

/// Compute the vectors that items lack, `batch` items per transaction; returns how many were added.
/// `keep_going` is asked between batches (a background pass stops when the program does).
pub fn fill_vectors(store: &mut Store, batch: usize, keep_going: &dyn Fn() -> bool) -> Result<usize> {
    // Nothing missing (the usual start): the model is not even loaded (it is tens of MiB once decoded).
    if store.read().items_without_vector(MODEL_VERSION, 1)?.is_empty() {
        return Ok(0);
    }
    let Some(model) = embed::model() else { return Ok(0) };
    let mut done = 0;
    loop {
        let todo = store.read().items_without_vector(MODEL_VERSION, batch)?;
        if todo.is_empty() {
            return Ok(done);
        }
        let blobs: Vec<(i64, Vec<u8>)> = todo
            .iter()
            .map(|t| (t.row, embed::to_blob(&model.embed(&embed::item_text(&t.title, &t.description)))))
            .collect();
        store.write(|w| {
            for (row, b) in &blobs {
                w.put_vector(*row, MODEL_VERSION, b)?;
            }
            Ok(())
        })?;
        done += blobs.len();
        if todo.len() < batch || !keep_going() {
            return Ok(done);
        }
    }
}

/// The stored vectors of items, one index per kind loaded when a query first asks for that kind, by their leading
/// dimensions (or whole, `keeping_all`), with the creation times a search filters on.
#[derive(Debug, Default)]
pub struct Vectors {
    kinds: Vec<KindVectors>,
    keep_all: bool,
}

#[derive(Debug)]
struct KindVectors {
    kind: Kind,
    index: Index,
    /// Creation time of each vector, in the index's order.
    created: Vec<i64>,
}

/// Vectors read from the store per statement while loading (a page at a time: never all blobs at once).
const LOAD_PAGE: usize = 4096;

impl Vectors {
    /// Vectors that keep whole item vectors in memory: for many queries in a row (an evaluation, a bench).
    pub fn keeping_all() -> Vectors {
        Vectors { keep_all: true, ..Default::default() }
    }

    /// Load the vectors of every kind stored since the last load (all of them the first time).
    pub fn refresh(&mut self, r: &Reader<'_>) -> Result<()> {
        self.refresh_kinds(r, &Kind::ALL)
    }

    /// Load the vectors of these kinds (all kinds when empty) stored since their last load.
    pub fn refresh_kinds(&mut self, r: &Reader<'_>, kinds: &[Kind]) -> Result<()> {
        for &kind in if kinds.is_empty() { &Kind::ALL[..] } else { kinds } {
            let i = match self.kinds.iter().position(|k| k.kind == kind) {
                Some(i) => i,
                None => {
                    let index = if self.keep_all { Index::keeping_all(embed::DIMS) } else { Index::new(embed::DIMS) };
                    self.kinds.push(KindVectors { kind, index, created: vec![] });
                    self.kinds.len() - 1
                }
            };
            self.kinds[i].refresh(r)?;
        }
        Ok(())
    }

    /// The query's embedding, if any of its words is known.
    pub fn embed(q: &Query) -> Option<Vec<f32>> {
        let v = embed::model()?.embed(&embed::item_text(&q.title, &q.body));
        v.iter().any(|x| *x != 0.0).then_some(v)
    }

    /// The query's embedding: the stored vector of the item it is about when it asks with that item's own text (a
    /// ticket opened: no model decoded in the process), else the model's.
    pub fn query_vector(r: &Reader<'_>, q: &Query) -> Result<Option<Vec<f32>>> {
        if let Some(row) = q.item_row
            && let Some(t) = r.item_text(row)?
            && t.title == q.title
            && t.description.chars().take(embed::TEXT_CHARS).eq(q.body.chars().take(embed::TEXT_CHARS))
            && let Some((_, blob)) = r.vectors_of(MODEL_VERSION, &[row])?.pop()
            && let Some(v) = embed::from_stored(&blob, embed::DIMS)
        {
            return Ok(v.iter().any(|x| *x != 0.0).then_some(v));
        }
        Ok(Vectors::embed(q))
    }

    /// Vectors loaded, of all kinds.
    pub fn len(&self) -> usize {
        self.kinds.iter().map(|k| k.index.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Items nearest in meaning to the query (its title and body), best first, with cosine similarity.
    pub fn nearest(&self, r: &Reader<'_>, q: &Query, k: usize) -> Result<Vec<(i64, f32)>> {
        match Vectors::query_vector(r, q)? {
            Some(v) => self.nearest_to(r, &Probe::new(&v), q, k),
            None => Ok(vec![]),
        }
    }

    fn nearest_to(&self, r: &Reader<'_>, p: &Probe, q: &Query, k: usize) -> Result<Vec<(i64, f32)>> {
        let mut rows = vec![];
        for kv in self.kinds.iter().filter(|kv| q.kinds.is_empty() || q.kinds.contains(&kv.kind)) {
            let me = q.item_row.and_then(|row| kv.index.position(row));
            let short = kv.index.shortlist(p, k, |i| Some(i) != me && q.before.is_none_or(|b| kv.created[i] < b));
            rows.extend(short.into_iter().map(|i| kv.index.row(i)));
        }
        let mut top = self.similarities(r, p, &rows)?;
        top.sort_by(|a, b| b.1.total_cmp(&a.1));
        top.truncate(k);
        Ok(top)
    }

    /// Cosine similarity of the query with each row's whole vector (rows without one are left out), in no order.
    fn similarities(&self, r: &Reader<'_>, p: &Probe, rows: &[i64]) -> Result<Vec<(i64, f32)>> {
        if self.keep_all {
            let sim = |row: i64| self.kinds.iter().find_map(|kv| kv.index.similarity(p, row));
            return Ok(rows.iter().filter_map(|&row| Some((row, sim(row)?))).collect());
        }
        Ok(r.vectors_of(MODEL_VERSION, rows)?.into_iter().filter_map(|(row, b)| Some((row, p.cosine(&b)?))).collect())
    }
}

impl KindVectors {
    fn refresh(&mut self, r: &Reader<'_>) -> Result<()> {
        let bytes = (!self.index.keeps_all()).then_some(Index::HEAD_BYTES);
        loop {
            let page = r.vectors_after(MODEL_VERSION, self.kind, self.index.last_row(), LOAD_PAGE, bytes)?;
            for (row, _, created, blob) in &page {
                if self.index.push(*row, blob) {
                    self.created.push(*created);
                }
            }
            if page.len() < LOAD_PAGE {
                return Ok(());
            }
        }
    }
}

/// The embedding ranking alone (for evaluation and for `--by meaning`).
pub fn by_meaning(r: &Reader<'_>, q: &Query, vectors: &Vectors, limit: usize) -> Result<Vec<Suggestion>> {
    let near = vectors.nearest(r, q, limit + 8)?;
    let mut out = suggestions(r, q, &near)?;
    out.truncate(limit);
    Ok(out)
}

/// Lexical and embedding rankings blended, best first: each candidate of either list scores its lexical score (0
/// when only its meaning matched) plus a weight times its cosine similarity to the query.
pub fn hybrid(
    r: &Reader<'_>,
    q: &Query,
    vectors: &Vectors,
    finder: &super::Finder,
    limit: usize,
) -> Result<Vec<Suggestion>> {
    let lexical = search(r, q, POOL, finder)?;
    let Some(v) = Vectors::query_vector(r, q)? else {
        let mut out = lexical;
        out.truncate(limit);
        return Ok(out);
    };
    let p = Probe::new(&v);
    let terms = super::terms(&q.title, 64).len() + super::terms(&q.body, 64).len();
    let w = if terms <= blend::SHORT_QUERY_TERMS { blend::SHORT } else { blend::LONG };
    let near = vectors.nearest_to(r, &p, q, POOL)?;
    let only_near: Vec<(i64, f32)> =
        near.iter().copied().filter(|(row, _)| !lexical.iter().any(|s| s.row == *row)).collect();
    let lexical_rows: Vec<i64> = lexical.iter().map(|s| s.row).collect();
    let cosines: HashMap<i64, f32> = vectors.similarities(r, &p, &lexical_rows)?.into_iter().collect();
    let mut out = lexical;
    for s in out.iter_mut() {
        if let Some(cos) = cosines.get(&s.row) {
            s.score += w * f64::from(*cos);
            s.reason = format!("{}, meaning {cos:.2}", s.reason);
        }
    }
    for mut s in suggestions(r, q, &only_near)? {
        s.score *= w;
        out.push(s);
    }
    out.sort_by(|a, b| b.score.total_cmp(&a.score));
    out.truncate(limit);
    Ok(out)
}

/// Articles are few (hundreds): each query embeds them all and adds the weighted similarity to their lexical score,
/// adding those that only match in meaning.
pub fn add_articles(r: &Reader<'_>, q: &Query, terms: usize, out: &mut Vec<super::ArticleSuggestion>) -> Result<()> {
    let all = r.articles(ARTICLES_SCANNED)?;
    if all.is_empty() {
        return Ok(());
    }
    let (Some(model), Some(v)) = (embed::model(), Vectors::query_vector(r, q)?) else { return Ok(()) };
    let w = if terms <= blend::SHORT_QUERY_TERMS { blend::SHORT } else { blend::LONG };
    for a in all {
        let e = article_vector(model, &a);
        let cos = f64::from(v.iter().zip(&e).map(|(x, y)| x * y).sum::<f32>());
        match out.iter_mut().find(|s| s.id == a.id) {
            Some(s) => s.score += w * cos,
            None => out.push(super::ArticleSuggestion { id: a.id, title: a.title, score: w * cos }),
        }
    }
    Ok(())
}

/// An article's vector, remembered per process until the article changes (a view is rebuilt often; articles rarely).
fn article_vector(model: &embed::Model, a: &crate::store::Article) -> Vec<f32> {
    type Cache = HashMap<crate::domain::ArticleId, (i64, Vec<f32>)>;
    static CACHE: std::sync::OnceLock<std::sync::Mutex<Cache>> = std::sync::OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Ok(c) = cache.lock()
        && let Some((at, v)) = c.get(&a.id)
        && *at == a.updated_at
    {
        return v.clone();
    }
    let v = model.embed(&embed::item_text(&a.title, &a.body));
    if let Ok(mut c) = cache.lock() {
        c.insert(a.id, (a.updated_at, v.clone()));
    }
    v
}

/// Suggestions for rows found by meaning, in the given order, without those marked 👎 for the query's item.
fn suggestions(r: &Reader<'_>, q: &Query, near: &[(i64, f32)]) -> Result<Vec<Suggestion>> {
    let rows: Vec<i64> = near.iter().map(|(row, _)| *row).collect();
    let cands = r.candidates_by_rows(&rows)?;
    let mut out = vec![];
    for (row, sim) in near {
        let Some(c) = cands.iter().find(|c| c.row == *row) else { continue };
        if let Some(me) = q.item_row
            && r.feedback(me, c.row)? == Some(false)
        {
            continue;
        }
        out.push(Suggestion {
            id: c.id,
            row: c.row,
            kind: c.id.kind,
            stage: c.stage,
            title: c.title.clone(),
            score: f64::from(*sim),
            reason: format!("meaning {sim:.2}"),
        });
    }
    Ok(out)
}
