//! Sentence embeddings from a static model inside the binary: WordPiece tokens, the mean of their vectors, normalised.

mod wordpiece;

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// The model: a model2vec distillation of all-MiniLM-L6-v2 (Apache-2.0), made by `tools/distil-model.py`.
pub const MODEL_BYTES: &[u8] = include_bytes!("../assets/model/minilm-static.bin.zst");
/// Stored vectors carry this; a new model makes older vectors missing, so they are computed again.
pub const MODEL_VERSION: i64 = 1;
/// Characters of an item's text that are embedded (its title and the start of its description).
pub const TEXT_CHARS: usize = 2000;
/// Dimensions of the embedded model's vectors.
pub const DIMS: usize = 256;

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
        if dims != DIMS {
            return Err(ModelError(format!("{dims} dimensions: want {DIMS}")));
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

/// Is this a whole word of the model's vocabulary (the word list of the language)? Reads only the vocabulary of
/// the model inside the binary, once per process (a couple of MiB, not the tens the decoded vectors take).
pub fn is_word(w: &str) -> bool {
    static WORDS: OnceLock<HashSet<String>> = OnceLock::new();
    WORDS
        .get_or_init(|| match vocabulary(MODEL_BYTES) {
            Ok(words) => words,
            Err(e) => {
                tracing::error!("the embedded model is damaged: {e}");
                HashSet::new()
            }
        })
        .contains(w)
}

/// The whole words of a model's vocabulary (pieces, "##…", left out), decoding no further than the vocabulary.
fn vocabulary(zst: &[u8]) -> std::io::Result<HashSet<String>> {
    use std::io::Read;
    let mut r = zstd::stream::read::Decoder::new(zst)?;
    let mut head = [0u8; 16];
    r.read_exact(&mut head)?;
    let n = u32::from_le_bytes([head[12], head[13], head[14], head[15]]) as usize;
    let mut words = HashSet::with_capacity(n);
    let mut buf = [0u8; 256];
    for _ in 0..n {
        let mut len = [0u8; 1];
        r.read_exact(&mut len)?;
        let w = &mut buf[..usize::from(len[0])];
        r.read_exact(w)?;
        if let Ok(w) = std::str::from_utf8(w)
            && !w.starts_with("##")
        {
            words.insert(w.to_string());
        }
    }
    Ok(words)
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
pub struct Probe {
    scale: f32,
    /// i8 values held as i16: products of two fit in i16, and sixteen lanes of partial sums vectorise on SSE2.
    values: Vec<i16>,
}

impl Probe {
    pub fn new(q: &[f32]) -> Probe {
        let max = q.iter().fold(0f32, |m, x| m.max(x.abs()));
        let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
        Probe { scale, values: q.iter().map(|x| (x / scale).round().clamp(-127.0, 127.0) as i16).collect() }
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

    /// Cosine similarity with a whole stored vector (`to_blob`), if it has the query's dimensions.
    pub fn cosine(&self, blob: &[u8]) -> Option<f32> {
        let (s, v) = from_blob(blob, self.values.len())?;
        let v: Vec<i8> = v.iter().map(|&b| b as i8).collect();
        Some(self.dot(s, &v))
    }
}

/// A stored vector back as floats (its quantisation error is well under a percent of its length).
pub fn from_stored(b: &[u8], dims: usize) -> Option<Vec<f32>> {
    let (s, v) = from_blob(b, dims)?;
    Some(v.iter().map(|&x| s * f32::from(x as i8)).collect())
}

/// Many items' vectors searched by brute force over their leading dimensions, contiguous in one flat array; the
/// whole vectors of the shortlist are ranked by the caller, from memory when the index keeps them (`keeping_all`)
/// or from the store (a resident process holds 72 bytes per item instead of 330).
#[derive(Debug, Default)]
pub struct Index {
    dims: usize,
    rows: Vec<i64>,
    scales: Vec<f32>,
    /// The leading `PREFIX_DIMS` of each vector.
    head: Vec<i8>,
    /// Whole vectors, when kept.
    data: Option<Vec<i8>>,
}

impl Index {
    /// An index of leading dimensions only.
    pub fn new(dims: usize) -> Index {
        Index { dims, ..Default::default() }
    }

    /// An index that also keeps whole vectors (for many queries in a row, such as an evaluation).
    pub fn keeping_all(dims: usize) -> Index {
        Index { dims, data: Some(vec![]), ..Default::default() }
    }

    pub fn keeps_all(&self) -> bool {
        self.data.is_some()
    }

    pub fn dims(&self) -> usize {
        self.dims
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

    /// Bytes of a stored vector an index of leading dimensions reads.
    pub const HEAD_BYTES: usize = 4 + PREFIX_DIMS;

    /// Add a stored vector (whole, or its first `HEAD_BYTES` when the index keeps no whole vectors); false (and
    /// nothing added) if it has the wrong size.
    pub fn push(&mut self, row: i64, blob: &[u8]) -> bool {
        let p = PREFIX_DIMS.min(self.dims);
        let whole = blob.len() == 4 + self.dims;
        if !(whole || (self.data.is_none() && blob.len() == 4 + p)) {
            return false;
        }
        let Some((s, v)) = from_blob(&blob[..4 + p], p) else { return false };
        self.rows.push(row);
        self.scales.push(s);
        self.head.extend(v.iter().map(|&b| b as i8));
        if let Some(data) = self.data.as_mut() {
            data.extend(blob[4..].iter().map(|&b| b as i8));
        }
        true
    }

    /// Where a row's vector is, in push order.
    pub fn position(&self, row: i64) -> Option<usize> {
        self.rows.binary_search(&row).ok()
    }

    pub fn row(&self, i: usize) -> i64 {
        self.rows[i]
    }

    /// Cosine similarity with the whole vector of a row, if the index keeps it.
    pub fn similarity(&self, q: &Probe, row: i64) -> Option<f32> {
        let i = self.position(row)?;
        let data = self.data.as_ref()?;
        (q.values.len() == self.dims).then(|| q.dot(self.scales[i], &data[i * self.dims..(i + 1) * self.dims]))
    }

    /// Positions (in push order) that `keep` accepts whose leading dimensions match the query best: enough for the
    /// best `k` by whole vectors. The model's dimensions come from PCA, largest variance first, so the leading ones
    /// shortlist well (a quarter of the work and memory for 100k items).
    pub fn shortlist(&self, q: &Probe, k: usize, keep: impl Fn(usize) -> bool) -> Vec<usize> {
        if q.values.len() != self.dims || k == 0 {
            return vec![];
        }
        let p = PREFIX_DIMS.min(self.dims);
        let head = Probe { scale: q.scale, values: q.values[..p].to_vec() };
        let mut partial: Vec<(f32, usize)> = Vec::with_capacity(self.rows.len().min(1 << 16));
        for (i, v) in self.head.chunks_exact(p).enumerate() {
            if keep(i) {
                partial.push((head.dot(self.scales[i], v), i));
            }
        }
        let want = (k * 16).max(SHORTLIST);
        if partial.len() > want {
            partial.select_nth_unstable_by(want, |a, b| b.0.total_cmp(&a.0));
            partial.truncate(want);
        }
        partial.into_iter().map(|(_, i)| i).collect()
    }

    /// The `k` rows most similar to the query among the positions that `keep` accepts, best first, with cosine
    /// similarity; from memory, so only for an index `keeping_all`.
    pub fn nearest(&self, q: &[f32], k: usize, keep: impl Fn(usize) -> bool) -> Vec<(i64, f32)> {
        let q = Probe::new(q);
        let mut top: Vec<(i64, f32)> = self
            .shortlist(&q, k, keep)
            .into_iter()
            .filter_map(|i| Some((self.rows[i], self.similarity(&q, self.rows[i])?)))
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
