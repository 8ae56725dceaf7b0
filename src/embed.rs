//! Sentence embeddings from a static model inside the binary: WordPiece tokens, the mean of their vectors, normalised.

mod wordpiece;

use std::collections::HashMap;
use std::sync::OnceLock;

/// The model: a model2vec distillation of all-MiniLM-L6-v2 (Apache-2.0), made by `tools/distil-model.py`.
pub const MODEL_BYTES: &[u8] = include_bytes!("../assets/model/minilm-static.bin.zst");
/// Stored vectors carry this; a new model makes older vectors missing, so they are computed again.
pub const MODEL_VERSION: i64 = 1;
/// Characters of an item's text that are embedded (its title and the start of its description).
const TEXT_CHARS: usize = 2000;

/// Token vectors, quantised to i8 with one scale per token.
pub struct Model {
    dims: usize,
    vocab: HashMap<String, u32>,
    scale: Vec<f32>,
    vecs: Vec<i8>,
}

#[derive(Debug, thiserror::Error)]
#[error("the embedded model is damaged: {0}")]
pub struct ModelError(String);

impl Model {
    /// Read the format written by `tools/distil-model.py`.
    pub fn parse(zst: &[u8]) -> Result<Model, ModelError> {
        let raw = zstd::stream::decode_all(zst).map_err(|e| ModelError(e.to_string()))?;
        let bad = || ModelError("truncated".into());
        let u32_at = |at: usize| -> Result<usize, ModelError> {
            let b: [u8; 4] = raw.get(at..at + 4).ok_or_else(bad)?.try_into().map_err(|_| bad())?;
            Ok(u32::from_le_bytes(b) as usize)
        };
        if raw.get(..4) != Some(b"HDM2".as_slice()) || u32_at(4)? != 1 {
            return Err(ModelError("not a version 1 model".into()));
        }
        let (dims, n) = (u32_at(8)?, u32_at(12)?);
        if dims == 0 || dims % 16 != 0 {
            return Err(ModelError(format!("{dims} dimensions: want a multiple of 16")));
        }
        let mut at = 16;
        let mut vocab = HashMap::with_capacity(n);
        for id in 0..n {
            let len = *raw.get(at).ok_or_else(bad)? as usize;
            let word = std::str::from_utf8(raw.get(at + 1..at + 1 + len).ok_or_else(bad)?)
                .map_err(|e| ModelError(e.to_string()))?;
            vocab.insert(word.to_string(), id as u32);
            at += 1 + len;
        }
        let scale: Vec<f32> = raw
            .get(at..at + 4 * n)
            .ok_or_else(bad)?
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        at += 4 * n;
        let vecs: Vec<i8> = raw.get(at..at + n * dims).ok_or_else(bad)?.iter().map(|&b| b as i8).collect();
        Ok(Model { dims, vocab, scale, vecs })
    }

    pub fn dims(&self) -> usize {
        self.dims
    }

    /// Is this a whole word of the model's vocabulary (not a piece of one)?
    pub fn knows_word(&self, w: &str) -> bool {
        self.vocab.contains_key(w)
    }

    pub fn tokens(&self, text: &str) -> Vec<u32> {
        wordpiece::tokenize(text, &self.vocab)
    }

    /// The unit-length embedding of a text (all zeros when no token is known).
    pub fn embed(&self, text: &str) -> Vec<f32> {
        let mut sum = vec![0f32; self.dims];
        let ids = self.tokens(text);
        for &id in &ids {
            let (id, d) = (id as usize, self.dims);
            let s = self.scale[id];
            for (acc, &v) in sum.iter_mut().zip(&self.vecs[id * d..(id + 1) * d]) {
                *acc += s * f32::from(v);
            }
        }
        normalise(&mut sum);
        sum
    }
}

fn normalise(v: &mut [f32]) {
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if n > 0.0 {
        v.iter_mut().for_each(|x| *x /= n);
    }
}

/// The model inside the binary, decoded on first use (once per process).
pub fn model() -> Option<&'static Model> {
    static M: OnceLock<Option<Model>> = OnceLock::new();
    M.get_or_init(|| match Model::parse(MODEL_BYTES) {
        Ok(m) => Some(m),
        Err(e) => {
            tracing::error!("{e}");
            None
        }
    })
    .as_ref()
}

/// The text of an item that is embedded.
pub fn item_text(title: &str, description: &str) -> String {
    let mut s = String::with_capacity(title.len() + 1 + description.len().min(TEXT_CHARS));
    s.push_str(title);
    s.push('\n');
    s.extend(description.chars().take(TEXT_CHARS));
    s
}

/// A stored vector: its scale (f32, little-endian) then one i8 per dimension.
pub fn to_blob(v: &[f32]) -> Vec<u8> {
    let max = v.iter().fold(0f32, |m, x| m.max(x.abs()));
    let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
    let mut out = Vec::with_capacity(4 + v.len());
    out.extend_from_slice(&scale.to_le_bytes());
    out.extend(v.iter().map(|x| (x / scale).round().clamp(-127.0, 127.0) as i8 as u8));
    out
}

/// The scale and quantised values of a stored vector, if it has `dims` of them.
pub fn from_blob(b: &[u8], dims: usize) -> Option<(f32, &[u8])> {
    if b.len() != 4 + dims {
        return None;
    }
    Some((f32::from_le_bytes([b[0], b[1], b[2], b[3]]), &b[4..]))
}

/// A query quantised like the stored vectors, so that a scan is integer arithmetic (which the compiler vectorises;
/// a float sum it may not reorder).
struct Quantised {
    scale: f32,
    /// i8 values held as i16: products of two fit in i16, and sixteen lanes of partial sums vectorise on SSE2.
    values: Vec<i16>,
}

impl Quantised {
    fn new(q: &[f32]) -> Quantised {
        let max = q.iter().fold(0f32, |m, x| m.max(x.abs()));
        let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
        Quantised { scale, values: q.iter().map(|x| (x / scale).round().clamp(-127.0, 127.0) as i16).collect() }
    }

    /// The product with a stored vector over the first `v.len()` dimensions (a multiple of 16).
    fn dot(&self, scale: f32, v: &[i8]) -> f32 {
        let mut acc = [0i32; 16];
        for (a, b) in self.values.chunks_exact(16).zip(v.chunks_exact(16)) {
            for i in 0..16 {
                acc[i] += i32::from(a[i] * i16::from(b[i]));
            }
        }
        self.scale * scale * acc.iter().sum::<i32>() as f32
    }
}

/// Vectors of many items in one flat array, searched by brute force (100k × 256 bytes: a few ms per query).
#[derive(Debug, Default)]
pub struct Index {
    dims: usize,
    rows: Vec<i64>,
    scales: Vec<f32>,
    data: Vec<i8>,
    /// The leading `PREFIX_DIMS` of each vector again, contiguous: the first pass reads memory in order.
    head: Vec<i8>,
}

impl Index {
    pub fn new(dims: usize) -> Index {
        Index { dims, ..Default::default() }
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The highest row held (vectors are added in row order).
    pub fn last_row(&self) -> i64 {
        self.rows.last().copied().unwrap_or(0)
    }

    /// Add a stored vector; false (and nothing added) if it has the wrong size.
    pub fn push(&mut self, row: i64, blob: &[u8]) -> bool {
        let Some((s, v)) = from_blob(blob, self.dims) else { return false };
        self.rows.push(row);
        self.scales.push(s);
        self.data.extend(v.iter().map(|&b| b as i8));
        self.head.extend(v.iter().take(PREFIX_DIMS).map(|&b| b as i8));
        true
    }

    /// Where a row's vector is, in push order.
    pub fn position(&self, row: i64) -> Option<usize> {
        self.rows.binary_search(&row).ok()
    }

    /// Cosine similarity of the query with one row's vector, if the row has one.
    pub fn similarity(&self, q: &[f32], row: i64) -> Option<f32> {
        let i = self.rows.binary_search(&row).ok()?;
        (q.len() == self.dims)
            .then(|| Quantised::new(q).dot(self.scales[i], &self.data[i * self.dims..(i + 1) * self.dims]))
    }

    /// The `k` rows most similar to the query among the positions (in push order) that `keep` accepts, best first,
    /// with cosine similarity. The model's dimensions come from PCA, largest variance first: a product over the
    /// leading ones shortlists candidates that the full product then ranks (a quarter of the work for 100k items).
    pub fn nearest(&self, q: &[f32], k: usize, keep: impl Fn(usize) -> bool) -> Vec<(i64, f32)> {
        if q.len() != self.dims || k == 0 {
            return vec![];
        }
        let q = Quantised::new(q);
        let p = PREFIX_DIMS.min(self.dims);
        let mut partial: Vec<(f32, usize)> = Vec::with_capacity(self.rows.len());
        for (i, v) in self.head.chunks_exact(p).enumerate() {
            if keep(i) {
                partial.push((q.dot(self.scales[i], v), i));
            }
        }
        let want = (k * 16).max(SHORTLIST);
        if partial.len() > want {
            partial.select_nth_unstable_by(want, |a, b| b.0.total_cmp(&a.0));
            partial.truncate(want);
        }
        let mut top: Vec<(i64, f32)> = partial
            .into_iter()
            .map(|(_, i)| (self.rows[i], q.dot(self.scales[i], &self.data[i * self.dims..(i + 1) * self.dims])))
            .collect();
        top.sort_by(|a, b| b.1.total_cmp(&a.1));
        top.truncate(k);
        top
    }
}

/// Leading dimensions of the first pass of a search, and how many candidates it passes on (at least).
const PREFIX_DIMS: usize = 64;
const SHORTLIST: usize = 1000;

#[cfg(test)]
mod tests;
