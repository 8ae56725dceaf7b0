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
    values: Vec<i8>,
}

impl Quantised {
    fn new(q: &[f32]) -> Quantised {
        let max = q.iter().fold(0f32, |m, x| m.max(x.abs()));
        let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
        Quantised { scale, values: q.iter().map(|x| (x / scale).round().clamp(-127.0, 127.0) as i8).collect() }
    }

    fn dot(&self, scale: f32, v: &[i8]) -> f32 {
        let sum: i32 = self.values.iter().zip(v).map(|(&a, &b)| i32::from(a) * i32::from(b)).sum();
        self.scale * scale * sum as f32
    }
}

/// Vectors of many items in one flat array, searched by brute force (100k × 256 bytes: a few ms per query).
#[derive(Debug, Default)]
pub struct Index {
    dims: usize,
    rows: Vec<i64>,
    scales: Vec<f32>,
    data: Vec<i8>,
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

    /// Add a stored vector (ignored if it has the wrong size).
    pub fn push(&mut self, row: i64, blob: &[u8]) {
        if let Some((s, v)) = from_blob(blob, self.dims) {
            self.rows.push(row);
            self.scales.push(s);
            self.data.extend(v.iter().map(|&b| b as i8));
        }
    }

    /// Cosine similarity of the query with one row's vector, if the row has one.
    pub fn similarity(&self, q: &[f32], row: i64) -> Option<f32> {
        let i = self.rows.binary_search(&row).ok()?;
        (q.len() == self.dims)
            .then(|| Quantised::new(q).dot(self.scales[i], &self.data[i * self.dims..(i + 1) * self.dims]))
    }

    /// The `k` rows most similar to the query that `keep` accepts, best first, with cosine similarity.
    pub fn nearest(&self, q: &[f32], k: usize, keep: impl Fn(i64) -> bool) -> Vec<(i64, f32)> {
        if q.len() != self.dims || k == 0 {
            return vec![];
        }
        let mut top: Vec<(i64, f32)> = Vec::with_capacity(k + 1);
        let mut floor = f32::MIN;
        let q = Quantised::new(q);
        for (i, v) in self.data.chunks_exact(self.dims).enumerate() {
            let s = q.dot(self.scales[i], v);
            if s <= floor && top.len() == k {
                continue;
            }
            let row = self.rows[i];
            if !keep(row) {
                continue;
            }
            let at = top.partition_point(|(_, t)| *t >= s);
            top.insert(at, (row, s));
            top.truncate(k);
            if top.len() == k {
                floor = top[k - 1].1;
            }
        }
        top
    }
}

#[cfg(test)]
mod tests;
