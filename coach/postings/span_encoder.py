"""The span encoder: MiniLM fine-tuned offline to tag SKILL and KNOWLEDGE words in postings.

`evals/train_span_encoder.py` retrains the bundled encoder's transformer layers with one BIO head per span type
on SkillSpan; `knowledge_base/models/span_encoder.safetensors` holds those layers and the heads. Here the ONNX
Runtime graph is rebuilt from the bundled weights with the retrained layers in place (8-bit weights, as the
linker's encoder), and each word is scored by its first word piece.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from coach.embeddings import DIM, MAX_TOKENS, model_dir, padded_batches
from coach.errors import CoachError

log = logging.getLogger(__name__)

HEAD = "span.head"
_CUT_OFF = np.array([0.0, -30.0, -30.0])  # a word past the encoder's length limit scores as O


class SpanEncoder:
    """Per-word log-probabilities of O, B and I for each span type, from the fine-tuned encoder."""

    def __init__(self, path: Path, threads: int = 2, *, int8: bool = True) -> None:
        from safetensors import safe_open
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        from coach.skills.encoder import encoder_session, token_graph

        try:
            tensors = load_file(str(path))
            with safe_open(str(path), "np") as fh:
                meta = fh.metadata() or {}
            self.span_types: list[str] = json.loads(meta["span_types"])
            self.bias: dict[str, float] = json.loads(meta["bias"])
            self.crf_weight = float(meta.get("crf_weight", "0"))
            self.layers = int(meta.get("layers", "6"))
        except (OSError, ValueError, KeyError) as exc:
            raise CoachError(f"The span encoder {path} is missing or unreadable: {exc}") from exc
        self._head_w = tensors.pop(f"{HEAD}.weight").astype(np.float32)
        self._head_b = tensors.pop(f"{HEAD}.bias").astype(np.float32)
        self.meta = meta
        graph = token_graph(tensors, self.layers)
        self._session, self.int8 = encoder_session(graph, threads, int8, "span encoder")
        self._tok = Tokenizer.from_file(str(model_dir() / "tokenizer.json"))
        self._tok.no_padding()
        self._tok.enable_truncation(MAX_TOKENS)
        self._lock = threading.Lock()

    def scores(self, sentences: Sequence[Sequence[str]]) -> list[dict[str, np.ndarray]]:
        """Per sentence (a list of words) and span type, log-probabilities of O, B, I per word (words × 3)."""
        return self.read(sentences)[0]

    def read(self, sentences: Sequence[Sequence[str]]) -> tuple[list[dict[str, np.ndarray]], np.ndarray]:
        """`scores`, and each sentence's pooled unit vector (zero for an empty one) from the same pass: the
        linker reads a requirement in its sentence with it (as good a context as the bundled encoder's on the
        ESCO benchmark, evals/skills_eval.py, at no extra pass)."""
        todo = [i for i, words in enumerate(sentences) if words]
        encs = self._tok.encode_batch([list(sentences[i]) for i in todo], is_pretokenized=True)
        out: list[dict[str, np.ndarray]] = [{k: np.zeros((0, 3)) for k in self.span_types} for _ in sentences]
        vectors = np.zeros((len(sentences), DIM), dtype=np.float32)
        for idx, ids, mask in padded_batches([e.ids for e in encs], 64):
            with self._lock:
                pooled, states = self._session.run(None, {"input_ids": ids, "attention_mask": mask})
            vectors[[todo[i] for i in idx]] = pooled
            logits = states @ self._head_w.T + self._head_b  # batch × pieces × (3 per span type)
            for row, i in enumerate(idx):
                enc, n_words = encs[i], len(sentences[todo[i]])
                first = np.full(n_words, -1, dtype=np.int64)
                for pos, w in enumerate(enc.word_ids):
                    if w is not None and first[w] < 0:
                        first[w] = pos
                for t, kind in enumerate(self.span_types):
                    z = logits[row, :, 3 * t : 3 * t + 3].astype(np.float64)
                    z = z - z.max(axis=1, keepdims=True)
                    lp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
                    words = np.tile(_CUT_OFF, (n_words, 1))
                    seen = first >= 0
                    words[seen] = lp[first[seen]]
                    out[todo[i]][kind] = words
        return out, vectors
