"""The span tagger: a first-order linear-chain CRF over BIO tags, one model per span type (SKILL, KNOWLEDGE).

The model is trained offline on the SkillSpan training data (`evals/train_span_tagger.py`, L-BFGS) and stored
in `knowledge_base/models/span_tagger.json.gz`; here it is read, its features computed and its spans decoded
with a constrained Viterbi.
"""

from __future__ import annotations

import gzip
import json
import math
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from coach.errors import CoachError

TAGS = ("O", "B", "I")
SPAN_TYPES = ("skill", "knowledge")
_NEG = -1e9


def word_shape(tok: str) -> str:
    """A compressed character-class shape: 'Python' → 'Xx', 'C++' → 'X+', 'AZ-900' → 'X-d'."""
    out: list[str] = []
    for ch in tok:
        if ch.isupper():
            c = "X"
        elif ch.islower():
            c = "x"
        elif ch.isdigit():
            c = "d"
        else:
            c = ch
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out)[:6]


def _norm_token(tok: str) -> str:
    t = tok.lower()
    return re.sub(r"\d", "0", t)


@dataclass
class Gazetteer:
    """Lower-cased phrases by type (ESCO knowledge/skill labels, O*NET technology names) and label-word stats."""

    phrases: dict[str, set[str]] = field(default_factory=dict)
    first_words: dict[str, float] = field(default_factory=dict)  # share of ESCO skill labels starting with it
    max_len: int = 5

    def tag(self, lowered: Sequence[str]) -> dict[str, list[str]]:
        """Per type, a mark per token from greedy longest matching: B starts a phrase of several words, I
        continues it, U is a one-word phrase, - is no phrase."""
        marks: dict[str, list[str]] = {}
        n = len(lowered)
        for kind, phrases in self.phrases.items():
            m = ["-"] * n
            i = 0
            while i < n:
                hit = 0
                for k in range(min(self.max_len, n - i), 0, -1):
                    if " ".join(lowered[i : i + k]) in phrases:
                        hit = k
                        break
                if hit:
                    m[i] = "B" if hit > 1 else "U"
                    for j in range(i + 1, i + hit):
                        m[j] = "I"
                    i += hit
                else:
                    i += 1
            marks[kind] = m
        return marks


def marked_runs(marks: Sequence[str]) -> list[tuple[int, int]]:
    """Token ranges [i, j) of the phrases in one type's marks from `Gazetteer.tag` (a B or U, then its I's)."""
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(marks):
        if marks[i] in ("B", "U"):
            j = i + 1
            while j < len(marks) and marks[j] == "I":
                j += 1
            runs.append((i, j))
            i = j
        else:
            i += 1
    return runs


def token_features(tokens: Sequence[str], gazetteer: Gazetteer | None) -> list[list[str]]:
    """Feature strings per token (word, context, affixes, shape and gazetteer marks)."""
    low = [_norm_token(t) for t in tokens]
    shapes = [word_shape(t) for t in tokens]
    marks = gazetteer.tag([t.lower() for t in tokens]) if gazetteer else {}
    firsts = gazetteer.first_words if gazetteer else {}
    n = len(tokens)

    def at(seq: Sequence[str], i: int) -> str:
        return seq[i] if 0 <= i < n else ("<s>" if i < 0 else "</s>")

    feats: list[list[str]] = []
    for i in range(n):
        w = low[i]
        f = [
            "b",
            "w=" + w,
            "w-1=" + at(low, i - 1),
            "w+1=" + at(low, i + 1),
            "w-2=" + at(low, i - 2),
            "w+2=" + at(low, i + 2),
            "w-1w=" + at(low, i - 1) + "|" + w,
            "ww+1=" + w + "|" + at(low, i + 1),
            "s3=" + w[-3:],
            "s2=" + w[-2:],
            "s4=" + w[-4:],
            "p3=" + w[:3],
            "sh=" + shapes[i],
            "sh-1=" + at(shapes, i - 1),
            "sh+1=" + at(shapes, i + 1),
            "sh-1sh+1=" + at(shapes, i - 1) + "|" + shapes[i] + "|" + at(shapes, i + 1),
        ]
        if i == 0:
            f.append("first")
        if i == n - 1:
            f.append("last")
        if len(w) == 1 and not w.isalnum():
            f.append("punct")
        for kind, m in marks.items():
            f.append(f"g{kind}={m[i]}")
            f.append(f"g{kind}-1={m[i - 1] if i else '<s>'}|{m[i]}")
            if i + 1 < n:
                f.append(f"g{kind}+1={m[i + 1]}")
        share = firsts.get(tokens[i].lower())
        if share is not None:
            f.append(f"fw={min(4, int(-math.log10(max(share, 1e-5))))}")
        prev = tokens[i - 1].lower() if i else ""
        if prev and prev in firsts:
            f.append("fw-1")
        feats.append(f)
    return feats


@dataclass
class SpanTagger:
    """Linear-chain CRF taggers (BIO) for SKILL and KNOWLEDGE spans sharing one feature space."""

    feature_index: dict[str, int]
    weights: dict[str, np.ndarray]  # span type → (n_features, 3)
    transitions: dict[str, np.ndarray]  # span type → (4, 3): rows are previous tag (O, B, I) and start
    gazetteer: Gazetteer | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    # Added to the B and I scores at decoding: the CRF is tuned for likelihood and under-predicts spans; a
    # bias chosen on the development block trades precision for recall where F1 gains.
    bias: dict[str, float] = field(default_factory=dict)
    # The fine-tuned encoder (coach.postings.span_encoder), when the knowledge base ships it: its per-word
    # log-probabilities decide, with the CRF's emissions added at the weight and bias chosen with it.
    encoder: Any = None

    def emissions(self, feats: list[list[str]]) -> dict[str, np.ndarray]:
        """Per span type, emission scores (n_tokens, 3)."""
        ids: list[int] = []
        owners: list[int] = []
        for i, f in enumerate(feats):
            for name in f:
                j = self.feature_index.get(name)
                if j is not None:
                    ids.append(j)
                    owners.append(i)
        n = len(feats)
        out: dict[str, np.ndarray] = {}
        idx = np.asarray(ids, dtype=np.int64)
        own = np.asarray(owners, dtype=np.int64)
        for kind, w in self.weights.items():
            e = np.zeros((n, len(TAGS)), dtype=np.float64)
            if len(idx):
                # owners are sorted, so a segmented sum (reduceat) replaces the slower np.add.at
                starts = np.flatnonzero(np.r_[True, own[1:] != own[:-1]])
                e[own[starts]] = np.add.reduceat(w[idx], starts, axis=0)
            out[kind] = e
        return out

    def predict(self, tokens: Sequence[str]) -> dict[str, list[tuple[int, int]]]:
        """Spans per type as token index ranges [i, j)."""
        return self.predict_batch([tokens])[0]

    def predict_batch(self, sentences: Sequence[Sequence[str]]) -> list[dict[str, list[tuple[int, int]]]]:
        """`predict` for many sentences (one batched encoder pass when the span encoder is loaded)."""
        return self.read(sentences)[0]

    def read(
        self, sentences: Sequence[Sequence[str]]
    ) -> tuple[list[dict[str, list[tuple[int, int]]]], np.ndarray | None]:
        """`predict_batch`, and the span encoder's sentence vectors (None without the encoder)."""
        if self.encoder is None:
            return [self._decode(tokens, None) for tokens in sentences], None
        neural, vectors = self.encoder.read(sentences)
        spans = [self._decode(tokens, scores) for tokens, scores in zip(sentences, neural, strict=True)]
        return spans, vectors

    def _decode(
        self, tokens: Sequence[str], neural: dict[str, np.ndarray] | None
    ) -> dict[str, list[tuple[int, int]]]:
        if not tokens:
            return {k: [] for k in self.weights}
        crf_weight = 1.0 if neural is None else self.encoder.crf_weight
        em = self.emissions(token_features(tokens, self.gazetteer)) if crf_weight else {}
        out = {}
        for k in self.weights:
            if neural is None:
                e, trans, b = em[k], self.transitions[k], self.bias.get(k, 0.0)
            else:
                e = neural[k] + (crf_weight * em[k] if crf_weight else 0.0)
                trans = crf_weight * self.transitions[k]
                b = self.encoder.bias.get(k, 0.0)
            if b:
                e = e + np.array([0.0, b, b])
            out[k] = tags_to_spans(viterbi(e, trans))
        return out

    def save(self, path: Path) -> None:
        """Write the model as gzipped JSON (weights pruned to non-zero rows)."""
        names = sorted(self.feature_index, key=self.feature_index.__getitem__)
        keep = [
            i for i in range(len(names)) if any(np.any(np.abs(w[i]) > 1e-6) for w in self.weights.values())
        ]
        doc = {
            "meta": self.meta,
            "features": [names[i] for i in keep],
            "weights": {k: np.round(w[keep], 4).tolist() for k, w in self.weights.items()},
            "transitions": {k: np.round(t, 4).tolist() for k, t in self.transitions.items()},
            "bias": self.bias,
            "gazetteer": None
            if self.gazetteer is None
            else {
                "phrases": {k: sorted(v) for k, v in self.gazetteer.phrases.items()},
                "first_words": self.gazetteer.first_words,
                "max_len": self.gazetteer.max_len,
            },
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            json.dump(doc, fh, separators=(",", ":"))

    @classmethod
    def load(cls, path: Path) -> SpanTagger:
        """Read a model written by `save`."""
        try:
            with gzip.open(path, "rt", encoding="utf-8") as fh:
                doc = json.load(fh)
        except (OSError, ValueError) as exc:
            raise CoachError(f"The span tagger model {path} is missing or unreadable: {exc}") from exc
        gz = doc.get("gazetteer")
        gazetteer = (
            Gazetteer(
                phrases={k: set(v) for k, v in gz["phrases"].items()},
                first_words=gz["first_words"],
                max_len=gz["max_len"],
            )
            if gz
            else None
        )
        return cls(
            feature_index={name: i for i, name in enumerate(doc["features"])},
            weights={k: np.asarray(v, dtype=np.float64) for k, v in doc["weights"].items()},
            transitions={k: np.asarray(v, dtype=np.float64) for k, v in doc["transitions"].items()},
            gazetteer=gazetteer,
            meta=doc.get("meta", {}),
            bias=doc.get("bias", {}),
        )


# Transition constraints: I may not follow O or start a sentence (strict BIO).
_ALLOWED = np.array(
    [
        [0.0, 0.0, _NEG],  # from O
        [0.0, 0.0, 0.0],  # from B
        [0.0, 0.0, 0.0],  # from I
        [0.0, 0.0, _NEG],  # from start
    ]
)


def viterbi(emissions: np.ndarray, transitions: np.ndarray) -> list[int]:
    """Best BIO tag sequence under emission + transition scores, with I never after O or at the start."""
    n = emissions.shape[0]
    if n == 0:
        return []
    trans = transitions + _ALLOWED
    score = trans[3] + emissions[0]
    back = np.zeros((n, 3), dtype=np.int64)
    for i in range(1, n):
        cand = score[:, None] + trans[:3]
        back[i] = cand.argmax(axis=0)
        score = cand.max(axis=0) + emissions[i]
    tags = [int(score.argmax())]
    for i in range(n - 1, 0, -1):
        tags.append(int(back[i, tags[-1]]))
    return tags[::-1]


def tags_to_spans(tags: Sequence[int]) -> list[tuple[int, int]]:
    """Token ranges [i, j) from BIO tag ids (0=O, 1=B, 2=I); a stray I opens a span (conlleval style)."""
    spans: list[tuple[int, int]] = []
    start: int | None = None
    for i, t in enumerate(tags):
        if t == 1 or (t == 2 and start is None):
            if start is not None:
                spans.append((start, i))
            start = i
        elif t == 0:
            if start is not None:
                spans.append((start, i))
            start = None
    if start is not None:
        spans.append((start, len(tags)))
    return spans


def default_model_path(knowledge_dir: Path | None = None) -> Path:
    """Where the trained span tagger lives in `knowledge_dir` (default: the process settings' knowledge base)."""
    if knowledge_dir is None:
        from coach.settings import get_settings

        knowledge_dir = get_settings().knowledge_dir
    return knowledge_dir / "models" / "span_tagger.json.gz"


_TAGGER_LOCK = threading.Lock()
SPAN_ENCODER_FILE = "span_encoder.safetensors"


@lru_cache(maxsize=2)
def _load_tagger(path: str) -> SpanTagger:
    from coach.postings.span_encoder import SpanEncoder

    with _TAGGER_LOCK:
        tagger = SpanTagger.load(Path(path))
        encoder = Path(path).with_name(SPAN_ENCODER_FILE)
        if encoder.exists():
            tagger.encoder = SpanEncoder(encoder)
        return tagger


def get_span_tagger(path: Path | None = None) -> SpanTagger:
    """The trained span tagger (loaded once per process), with the span encoder when it sits beside the CRF."""
    return _load_tagger(str(path or default_model_path()))
