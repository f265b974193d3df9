"""The lexical index: BM25 as a sparse document × term matrix of precomputed term weights."""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from coach.retrieval.layout import LEXICAL_FILE, VOCAB_FILE, _write_json
from coach.retrieval.text import tokenize


def _joined(tokens: Sequence[str], known: Collection[str]) -> list[str]:
    """Adjacent words written as one elsewhere in the corpus: 'cyber security' also counts as 'cybersecurity'."""
    out = []
    for a, b in itertools.pairwise(tokens):
        if a.isalpha() and b.isalpha() and (a + b) in known:
            out.append(a + b)
    return out


class LexicalIndex:
    """Okapi BM25 over tokenised documents; a query sums a few sparse columns (well under a millisecond)."""

    def __init__(self, matrix: Any, vocab: dict[str, int]) -> None:
        self.matrix = matrix.tocsc()
        self.vocab = vocab

    @classmethod
    def build(cls, texts: Sequence[str], k1: float = 1.2, b: float = 0.75) -> LexicalIndex:
        """Index `texts` (one per document, in document order)."""
        from scipy import sparse

        vocab: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        tfs: list[float] = []
        lengths = np.zeros(len(texts), dtype=np.float32)
        tokenised = [tokenize(t) for t in texts]
        known = {t for toks in tokenised for t in toks}
        for i, toks in enumerate(tokenised):
            counts: dict[int, int] = {}
            toks = toks + _joined(toks, known)
            lengths[i] = len(toks)
            for t in toks:
                j = vocab.setdefault(t, len(vocab))
                counts[j] = counts.get(j, 0) + 1
            rows.extend([i] * len(counts))
            cols.extend(counts.keys())
            tfs.extend(counts.values())
        n = max(len(texts), 1)
        r = np.asarray(rows, dtype=np.int64)
        c = np.asarray(cols, dtype=np.int64)
        tf = np.asarray(tfs, dtype=np.float32)
        df = np.bincount(c, minlength=len(vocab)).astype(np.float32)
        idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5))
        avgdl = float(lengths.mean()) if len(texts) else 1.0
        norm = k1 * (1 - b + b * lengths[r] / max(avgdl, 1e-9))
        weights = idf[c] * tf * (k1 + 1) / (tf + norm)
        matrix = sparse.csr_matrix(
            (weights, (r, c)), shape=(len(texts), max(len(vocab), 1)), dtype=np.float32
        )
        return cls(matrix, vocab)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every document for `query` (zeros when no term matches)."""
        toks = tokenize(query)
        cols = sorted({self.vocab[t] for t in toks + _joined(toks, self.vocab) if t in self.vocab})
        out = np.zeros(self.matrix.shape[0], dtype=np.float32)
        m = self.matrix
        for col in cols:  # add each term's postings straight from the CSC arrays (no sparse slicing)
            lo, hi = m.indptr[col], m.indptr[col + 1]
            out[m.indices[lo:hi]] += m.data[lo:hi]
        return out

    def save(self, folder: Path) -> None:
        """Write the matrix and vocabulary atomically."""
        from scipy import sparse

        tmp = folder / f"{LEXICAL_FILE}.{os.getpid()}.tmp.npz"
        sparse.save_npz(tmp, self.matrix.tocsr())
        tmp.replace(folder / LEXICAL_FILE)
        _write_json(folder / VOCAB_FILE, self.vocab)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        """Read a saved index."""
        from scipy import sparse

        return cls(
            sparse.load_npz(folder / LEXICAL_FILE), json.loads((folder / VOCAB_FILE).read_text("utf-8"))
        )
