//! Similar work by meaning: item vectors kept up to date in the store, a brute-force index over them in memory, and
//! the hybrid list that fuses the lexical ranking with the embedding ranking by reciprocal rank.

use super::{POOL, Query, Suggestion, search};
use crate::domain::Kind;
use crate::embed::{self, Index, MODEL_VERSION};
use crate::store::Reader;
use crate::{Result, Store};
use std::collections::HashMap;

/// Reciprocal-rank fusion: each list adds `weight / (K + rank)`; K = 60 as in Cormack et al. (2009), not tuned here.
mod fusion {
    pub const K: f64 = 60.0;
    pub const LEXICAL: f64 = 1.0;
    pub const MEANING: f64 = 1.0;
}

/// Compute the vectors that items lack, `batch` items per transaction; returns how many were added.
/// `keep_going` is asked between batches (a background pass stops when the program does).
pub fn fill_vectors(store: &mut Store, batch: usize, keep_going: &dyn Fn() -> bool) -> Result<usize> {
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

/// The stored vectors of all items, in memory, with what a search filters on.
#[derive(Debug, Default)]
pub struct Vectors {
    index: Index,
    meta: HashMap<i64, (Kind, i64)>,
}

impl Vectors {
    /// Load the vectors stored since the last load (all of them the first time).
    pub fn refresh(&mut self, r: &Reader<'_>) -> Result<()> {
        let Some(model) = embed::model() else { return Ok(()) };
        if self.index.is_empty() {
            self.index = Index::new(model.dims());
        }
        let (index, meta) = (&mut self.index, &mut self.meta);
        r.vectors_after(MODEL_VERSION, index.last_row(), &mut |row, kind, created, blob| {
            index.push(row, blob);
            meta.insert(row, (kind, created));
        })
    }

    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Items nearest in meaning to the query (its title and body), best first, with cosine similarity.
    pub fn nearest(&self, q: &Query, k: usize) -> Vec<(i64, f32)> {
        let Some(model) = embed::model() else { return vec![] };
        let v = model.embed(&embed::item_text(&q.title, &q.body));
        if v.iter().all(|x| *x == 0.0) {
            return vec![];
        }
        self.index.nearest(&v, k, |row| {
            Some(row) != q.item_row
                && self.meta.get(&row).is_some_and(|(kind, created)| {
                    (q.kinds.is_empty() || q.kinds.contains(kind)) && q.before.is_none_or(|b| *created < b)
                })
        })
    }
}

/// The embedding ranking alone (for evaluation and for `--by meaning`).
pub fn by_meaning(r: &Reader<'_>, q: &Query, vectors: &Vectors, limit: usize) -> Result<Vec<Suggestion>> {
    let near = vectors.nearest(q, limit + 8);
    let mut out = suggestions(r, q, &near)?;
    out.truncate(limit);
    Ok(out)
}

/// Lexical and embedding rankings fused by reciprocal rank, best first.
pub fn hybrid(
    r: &Reader<'_>,
    q: &Query,
    vectors: &Vectors,
    finder: &super::Finder,
    limit: usize,
) -> Result<Vec<Suggestion>> {
    let lexical = search(r, q, POOL, finder)?;
    let near = vectors.nearest(q, POOL);
    let mut fused: Vec<(Suggestion, f64)> =
        lexical.into_iter().enumerate().map(|(i, s)| (s, fusion::LEXICAL / (fusion::K + 1.0 + i as f64))).collect();
    let only_near: Vec<(i64, f32)> =
        near.iter().copied().filter(|(row, _)| !fused.iter().any(|(s, _)| s.row == *row)).collect();
    let mut extra = suggestions(r, q, &only_near)?;
    for (rank, (row, sim)) in near.iter().enumerate() {
        let add = fusion::MEANING / (fusion::K + 1.0 + rank as f64);
        if let Some((s, score)) = fused.iter_mut().find(|(s, _)| s.row == *row) {
            *score += add;
            s.reason = format!("{}, meaning {sim:.2}", s.reason);
        } else if let Some(at) = extra.iter().position(|s| s.row == *row) {
            fused.push((extra.swap_remove(at), add));
        }
    }
    fused.sort_by(|a, b| b.1.total_cmp(&a.1));
    fused.truncate(limit);
    Ok(fused
        .into_iter()
        .map(|(mut s, score)| {
            s.score = score * fusion::K;
            s
        })
        .collect())
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
