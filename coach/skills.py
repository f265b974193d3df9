"""The taxonomy linker: free text → ranked ESCO skills, job titles → ranked ESCO occupations (+ O*NET-SOC).

Everything runs offline on the bundled all-MiniLM-L6-v2 encoder. Label matrices (every preferred and
alternative label) are embedded once, cached under settings.home/cache and kept in memory.

Skills: a sentence usually names several skills, each in a short span, so one encoder pass gives both the
sentence vector and the token states; every 1-3-word candidate phrase (cut at punctuation and list words) gets
the mean of its tokens' states. A skill's score fuses the sentence's similarity to its preferred label, the best
phrase's similarity to any of its labels (an inverted-file index over the ~100k label rows keeps this cheap) and
a bonus when one of its labels is written out in the text. `precise=True` also embeds each phrase on its own.
Titles: the title as written and its normalised form (no seniority, brackets, locations) against every
occupation title and alternative title, plus a lexical bonus.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import os
import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from coach.embeddings import DIM, Embedder, cached_matrix, load_npy, padded_batches
from coach.errors import BadInput
from coach.models import Occupation, RoleMatch, Skill, SkillRef

log = logging.getLogger(__name__)

# A sentence-level linker: longer inputs are cut here (the encoder sees at most 256 tokens anyway).
MAX_TEXT_CHARS = 2_000
MAX_TITLE_CHARS = 300
MAX_TOP_K = 200
MAX_SPANS = 96  # candidate phrases per text (a long sentence has a few dozen)
_CHUNK = 256  # texts per span scan: bigger products run faster; bounds memory (256 × 14k skills ≈ 14 MB)
PHRASE_CACHE = 50_000  # phrase embeddings kept in memory (precise mode): ~77 MB at most

# Score fusion, chosen for stated reasons and checked on the dev splits (evals/skills_eval.py):
# a sentence names several skills, each in a short span, so the best-matching phrase counts most (SPAN_W);
# the whole sentence adds context (SENTENCE_W) and is matched to preferred labels only, because with ~7 labels
# per skill a long sentence finds some loosely related alternative label for many skills.
SENTENCE_W = 0.3
SPAN_W = 0.7
PRECISE_WEIGHTS = (0.4, 0.2, 0.4)  # sentence, contextual spans, separately embedded phrases
SPAN_WORDS = 3  # phrases of 1-3 words: ESCO labels are short
# Labels of one skill this close to another kept label of it are near-duplicates, left out of the phrase index
# (about a third of all labels; on the dev splits the ranking is unchanged and the span stage 1.3× faster).
DISTINCT_COS = 0.95
# A skill whose label is written out in the text gets this much more: the encoder's contextual vector of a short
# name ("SQL" in "Java and SQL databases") can drift towards its neighbours, the words themselves do not.
LEXICAL_W = 0.1
LEXICAL_MAX_WORDS = 6
TITLE_LEXICAL_W = 0.05
TITLE_BM25_W = 0.1  # BM25 over an occupation's titles and description, scaled to the best hit
TITLE_DESC_W = 0.2  # the normalised title's similarity to the occupation's description

# Job-title noise: seniority, contract terms and hiring words say nothing about the occupation.
_TITLE_NOISE = re.compile(
    r"\b(senior|snr|sr|junior|jr|trainee|intern|internship|urgent|urgently|hiring|immediate|vacancy|fresh|"
    r"graduates?|entry|level|part[- ]time|full[- ]time|contract|temporary|permanent|wanted|needed|required|"
    r"position|m/f/d|m/f|f/m|h/f|m/w/d|w/m/d)\b",
    re.IGNORECASE,
)


def normalise_title(title: str) -> str:
    """A vacancy title without brackets, trailing " - location" parts, numbers and seniority/hiring words."""
    t = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", title)
    t = re.sub(r"\s[-–|@]\s.*$", "", t)
    t = _TITLE_NOISE.sub(" ", re.sub(r"\d+", " ", t))
    t = re.sub(r"[^\w&/+#]+", " ", t)
    return " ".join(t.split())


class CatalogLike(Protocol):
    """What the linker needs from coach.knowledge.Catalog."""

    skills: dict[str, Skill]
    occupations: dict[str, Occupation]


@dataclass
class _LabelSpace:
    """Entities with their label rows: `matrix[starts[i]:starts[i+1]]` are the labels of entity i."""

    ids: list[str]
    labels: list[str]
    texts: list[str]
    owner: np.ndarray
    starts: np.ndarray
    matrix: np.ndarray

    @property
    def preferred(self) -> np.ndarray:
        """One row per entity: its preferred label (the first of its group)."""
        return self.matrix[self.starts]


def _dedupe(texts: Sequence[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for t in texts:
        t = " ".join(t.split())
        if t and t.lower() not in seen:
            seen.add(t.lower())
            out.append(t)
    return out


def _label_space(
    name: str,
    entries: Sequence[tuple[str, str, Sequence[str]]],
    embedder: Embedder,
    cache_dir: Path,
) -> _LabelSpace:
    """Embed every (id, preferred label, other labels) entry's labels, grouped by entity."""
    ids: list[str] = []
    labels: list[str] = []
    texts: list[str] = []
    owner: list[int] = []
    starts: list[int] = []
    for i, (eid, label, others) in enumerate(entries):
        group = _dedupe([label, *others]) or [eid]
        ids.append(eid)
        labels.append(label)
        starts.append(len(texts))
        texts.extend(group)
        owner.extend([i] * len(group))
    matrix = cached_matrix(name, texts, embedder, cache_dir)
    return _LabelSpace(
        ids=ids,
        labels=labels,
        texts=texts,
        owner=np.asarray(owner, dtype=np.int32),
        starts=np.asarray(starts, dtype=np.int64),
        matrix=matrix,
    )


def _clean(text: object, limit: int) -> str:
    """Whitespace-normalised text cut to `limit` characters; refuses non-strings."""
    if not isinstance(text, str):
        raise BadInput(f"text must be a string, not {type(text).__name__}")
    return " ".join(text[:limit].split())


def _check_top(top_k: int) -> int:
    if not isinstance(top_k, int) or isinstance(top_k, bool) or top_k < 1:
        raise BadInput(f"top_k must be a positive integer, got {top_k!r}")
    return min(top_k, MAX_TOP_K)


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k best scores, best first (argpartition, then a small sort)."""
    k = min(k, scores.shape[0])
    part = np.argpartition(-scores, k - 1)[:k]
    return part[np.argsort(-scores[part], kind="stable")]


# --------------------------------------------------------------------------------------------------------------
# Candidate phrases: the spans a skill can be named by
# --------------------------------------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W_](?:[\w+#.&'’-]*[\w+#])?")
_BREAK_CHARS = frozenset(',;:()[]{}•*?!|/"“”<>·–—')
# Words that separate skills in a list ("Java, Python and SQL", "such as", "e.g.").
_SEPARATORS = frozenset(
    [
        "and",
        "or",
        "&",
        "plus",
        "including",
        "incl",
        "e.g",
        "eg",
        "i.e",
        "ie",
        "etc",
        "such",
        "as",
        "well",
        "like",
        "nor",
        "but",
        "also",
        "either",
    ]
)
# Words a skill phrase neither starts nor ends with: function words and the frame around skills in postings
# ("strong knowledge of", "experience with", "ability to"). "work"/"use" stay: ESCO labels start with verbs.
_EDGE_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "in",
        "on",
        "for",
        "to",
        "with",
        "within",
        "at",
        "by",
        "from",
        "into",
        "our",
        "your",
        "their",
        "its",
        "his",
        "her",
        "we",
        "you",
        "they",
        "is",
        "are",
        "be",
        "been",
        "being",
        "was",
        "were",
        "will",
        "would",
        "should",
        "can",
        "could",
        "may",
        "must",
        "have",
        "has",
        "had",
        "do",
        "does",
        "this",
        "that",
        "these",
        "those",
        "it",
        "who",
        "which",
        "what",
        "where",
        "when",
        "how",
        "any",
        "all",
        "some",
        "other",
        "others",
        "more",
        "most",
        "very",
        "strong",
        "good",
        "excellent",
        "great",
        "solid",
        "proven",
        "demonstrated",
        "ability",
        "able",
        "experience",
        "experienced",
        "knowledge",
        "understanding",
        "skills",
        "skill",
        "proficiency",
        "proficient",
        "familiarity",
        "familiar",
        "years",
        "year",
        "not",
        "no",
        "required",
        "preferred",
        "desirable",
        "nice",
        "ideally",
        "least",
        "one",
        "two",
        "three",
        "new",
    ]
)


def candidate_spans(text: str, max_words: int = SPAN_WORDS, limit: int = MAX_SPANS) -> list[tuple[int, int]]:
    """Character ranges of candidate skill phrases: 1..max_words-word windows inside list items.

    The text is cut into segments at punctuation and list separators; inside a segment every window of up to
    `max_words` words that neither starts nor ends with a function word is a candidate.
    """
    segments: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []
    pos = 0
    for m in _WORD.finditer(text):
        gap = text[pos : m.start()]
        if current and (any(c in _BREAK_CHARS for c in gap) or ". " in gap or gap.endswith(".")):
            segments.append(current)
            current = []
        pos = m.end()
        if m.group().lower() in _SEPARATORS:
            if current:
                segments.append(current)
                current = []
            continue
        current.append((m.start(), m.end()))
    if current:
        segments.append(current)
    out: list[tuple[int, int]] = []
    for seg in segments:
        edge_ok = [text[a:b].lower() not in _EDGE_WORDS for a, b in seg]
        for i in range(len(seg)):
            if not edge_ok[i]:
                continue
            for j in range(i, min(len(seg), i + max_words)):
                if edge_ok[j]:
                    out.append((seg[i][0], seg[j][1]))
                    if len(out) >= limit:
                        return out
    return out


_LEX_TOKEN = re.compile(r"[a-z0-9][a-z0-9+#]*(?:[.'][a-z0-9+#]+)*")


def lexical_tokens(text: str) -> list[str]:
    """Lower-cased, accent-free word tokens ("C#", "node.js" and "ASP.NET" stay whole)."""
    folded = unicodedata.normalize("NFKD", text.lower())
    return _LEX_TOKEN.findall("".join(ch for ch in folded if not unicodedata.combining(ch)))


def lexical_index(space_labels: Sequence[Sequence[str]]) -> dict[str, list[int]]:
    """Normalised label → entity indices. Labels without their "(computer programming)"-style qualifier count
    too; a one-word alternative label counts only when written as a name or acronym ("SQL", "C#"), because
    one-word alternative labels in lower case are often common words ("design" for "think creatively")."""
    index: dict[str, list[int]] = {}
    for i, labels in enumerate(space_labels):
        for n, label in enumerate(labels):
            base = re.sub(r"\s*\([^)]*\)", "", label).strip()
            for form in {label, base}:
                toks = lexical_tokens(form)
                if not toks or len(toks) > LEXICAL_MAX_WORDS:
                    continue
                if len(toks) == 1 and n > 0 and form == form.lower() and form.isalpha():
                    continue
                ids = index.setdefault(" ".join(toks), [])
                if i not in ids:
                    ids.append(i)
    return index


def lexical_hits(text: str, index: dict[str, list[int]]) -> set[int]:
    """Entities whose (normalised) label appears in the text as whole words."""
    toks = lexical_tokens(text)
    found: set[int] = set()
    for n in range(1, LEXICAL_MAX_WORDS + 1):
        for i in range(len(toks) - n + 1):
            found.update(index.get(" ".join(toks[i : i + n]), ()))
    return found


# --------------------------------------------------------------------------------------------------------------
# The encoder with token states (one pass gives the sentence vector and every span's contextual vector)
# --------------------------------------------------------------------------------------------------------------


def _token_graph() -> bytes:
    """The sentence-embedding graph of coach.embeddings with the last layer's token states as a second output."""
    import onnx
    from onnx import TensorProto, helper

    from coach.embeddings import model_dir, model_graph

    model = onnx.load_from_string(model_graph(model_dir()))
    last = [n for n in model.graph.node if n.op_type == "LayerNormalization"][-1]
    model.graph.output.append(
        helper.make_tensor_value_info(last.output[0], TensorProto.FLOAT, ["batch", "seq", DIM])
    )
    return model.SerializeToString()


def _int8_weights(model_bytes: bytes, block: int = 32) -> bytes:
    """The same graph with every weight MatMul as an 8-bit MatMulNBits (onnxruntime's contrib operator).

    Weights are quantized symmetrically per output column and block of 32 inputs; with accuracy level 4 the
    kernel also quantizes each input row per block, so a text's vector never depends on the other texts in its
    batch (as it would with per-tensor dynamic quantization) and stays within 0.999 cosine of float32.
    """
    import onnx
    from onnx import helper, numpy_helper

    model = onnx.load_from_string(model_bytes)
    weights = {t.name: t for t in model.graph.initializer}
    nodes, replaced = [], set()
    for node in model.graph.node:
        if node.op_type != "MatMul" or node.input[1] not in weights:
            nodes.append(node)
            continue
        w = numpy_helper.to_array(weights[node.input[1]]).astype(np.float32)  # K × N
        k, n = w.shape
        blocks = -(-k // block)
        padded = np.zeros((blocks * block, n), dtype=np.float32)
        padded[:k] = w
        by_block = padded.T.reshape(n, blocks, block)
        scale = np.abs(by_block).max(axis=2) / 127.0
        scale[scale == 0] = 1.0
        q = (np.clip(np.round(by_block / scale[..., None]), -127, 127) + 128).astype(np.uint8)
        name = node.input[1]
        model.graph.initializer.extend(
            [
                numpy_helper.from_array(q, f"{name}.q8"),
                numpy_helper.from_array(scale.astype(np.float32).reshape(-1), f"{name}.q8scale"),
            ]
        )
        replaced.add(name)
        nodes.append(
            helper.make_node(
                "MatMulNBits",
                [node.input[0], f"{name}.q8", f"{name}.q8scale"],
                list(node.output),
                name=node.name or node.output[0],
                domain="com.microsoft",
                K=k,
                N=n,
                bits=8,
                block_size=block,
                accuracy_level=4,
            )
        )
    kept = [t for t in model.graph.initializer if t.name not in replaced]
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    del model.graph.initializer[:]
    model.graph.initializer.extend(kept)
    model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    return model.SerializeToString()


class TokenEncoder:
    """all-MiniLM-L6-v2 returning the pooled sentence vector and the last layer's token states.

    The same ONNX graph as coach.embeddings with one more output; a span's vector is the mean of its tokens'
    states, so every candidate phrase of a sentence costs no extra encoder pass. With `int8` the weights are
    8-bit (see `_int8_weights`): about 1.3× faster here, with vectors within 0.999 cosine of float32 (the
    label matrices stay float32).
    """

    def __init__(self, threads: int = 2, batch_size: int = 64, *, int8: bool = False) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        from coach.embeddings import MAX_TOKENS, model_dir

        path = model_dir()
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        graph = _token_graph()
        self.int8 = False
        if int8:
            try:
                self._session = ort.InferenceSession(
                    _int8_weights(graph), options, providers=["CPUExecutionProvider"]
                )
                self.int8 = True
            except Exception as exc:  # an onnxruntime without 8-bit MatMulNBits: same results, float32 speed
                log.warning("8-bit linker encoder unavailable (%s); using float32", exc)
        if not self.int8:
            self._session = ort.InferenceSession(graph, options, providers=["CPUExecutionProvider"])
        self._tok = Tokenizer.from_file(str(path / "tokenizer.json"))
        self._tok.no_padding()
        self._tok.enable_truncation(MAX_TOKENS)
        self._lock = threading.Lock()
        self.batch_size = batch_size

    def encode(self, texts: Sequence[str]) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Per text: (pooled unit vector, token states n×384, token character offsets n×2)."""
        encs = self._tok.encode_batch(list(texts))
        out: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = [None] * len(encs)  # type: ignore[list-item]
        for idx, ids, mask in padded_batches([e.ids for e in encs], self.batch_size):
            with self._lock:
                pooled, states = self._session.run(None, {"input_ids": ids, "attention_mask": mask})
            for row, i in enumerate(idx):
                m = len(encs[i].ids)
                out[i] = (pooled[row], states[row, :m], np.asarray(encs[i].offsets, dtype=np.int64))
        return out


def span_vectors(states: np.ndarray, offsets: np.ndarray, spans: Sequence[tuple[int, int]]) -> np.ndarray:
    """Unit vectors of character spans: the mean of the token states inside each span (zero if none)."""
    if not spans or len(states) < 3:
        return np.zeros((len(spans), states.shape[1]), dtype=np.float32)
    states, offsets = states[1:-1], offsets[1:-1]  # drop [CLS] and [SEP]
    cum = np.vstack([np.zeros((1, states.shape[1]), np.float32), np.cumsum(states, axis=0)])
    a = np.array([s for s, _ in spans])
    b = np.array([e for _, e in spans])
    # Tokens are in text order: the first token starting at/after a, the last ending at/before b.
    first = np.searchsorted(np.maximum.accumulate(offsets[:, 0]), a, side="left")
    last = np.searchsorted(np.maximum.accumulate(offsets[:, 1]), b, side="right")
    count = np.maximum(last - first, 0)
    vecs = (cum[np.maximum(last, first)] - cum[first]) / np.maximum(count, 1)[:, None]
    norms = np.linalg.norm(vecs, axis=1, keepdims=True)
    return (vecs / np.maximum(norms, 1e-9)).astype(np.float32) * (count > 0)[:, None]


# --------------------------------------------------------------------------------------------------------------
# An inverted-file index over label rows: phrases are compared with the labels of the nearest clusters only
# --------------------------------------------------------------------------------------------------------------


class LabelIVF:
    """Label rows grouped into k-means clusters (spherical), each cluster's rows sorted by owner entity.

    Comparing a phrase with the labels of its `nprobe` nearest clusters instead of all ~100k labels makes the
    span stage about 10× cheaper; the skills found are the same for nearly all strong matches.
    """

    def __init__(self, matrix: np.ndarray, owner: np.ndarray, n_lists: int, assign: np.ndarray) -> None:
        order = np.lexsort((owner, assign))
        self.matrix = np.ascontiguousarray(matrix[order])
        self.owner = owner[order]
        assign = assign[order]
        self.bounds = np.searchsorted(assign, np.arange(n_lists + 1))
        cent = np.zeros((n_lists, matrix.shape[1]), dtype=np.float32)
        np.add.at(cent, assign, self.matrix)
        self.centroids = cent / np.maximum(np.linalg.norm(cent, axis=1, keepdims=True), 1e-9)
        # Per cluster: where each owner's run starts (for a max over labels of the same entity).
        self.runs: list[tuple[np.ndarray, np.ndarray]] = []
        for c in range(n_lists):
            lo, hi = self.bounds[c], self.bounds[c + 1]
            own = self.owner[lo:hi]
            if hi == lo:
                self.runs.append((np.zeros(0, np.int64), np.zeros(0, np.int32)))
                continue
            run_starts = np.flatnonzero(np.r_[True, own[1:] != own[:-1]])
            self.runs.append((run_starts, own[run_starts]))

    @staticmethod
    def kmeans(
        matrix: np.ndarray, n_lists: int, iters: int = 8, sample: int = 40_000, seed: int = 0
    ) -> np.ndarray:
        """Cluster assignment of every row (spherical k-means trained on a fixed sample)."""
        rng = np.random.default_rng(seed)
        train = matrix[rng.choice(len(matrix), size=min(sample, len(matrix)), replace=False)]
        cent = train[rng.choice(len(train), size=n_lists, replace=False)].copy()
        for _ in range(iters):
            assign = np.argmax(train @ cent.T, axis=1)
            new = np.zeros_like(cent)
            np.add.at(new, assign, train)
            empty = np.linalg.norm(new, axis=1) == 0
            new[empty] = train[rng.choice(len(train), size=int(empty.sum()), replace=False)]
            cent = new / np.linalg.norm(new, axis=1, keepdims=True)
        return np.concatenate(
            [np.argmax(matrix[i : i + 8192] @ cent.T, axis=1) for i in range(0, len(matrix), 8192)]
        ).astype(np.int32)

    def max_by_group(
        self,
        vecs: np.ndarray,
        group: np.ndarray,
        n_groups: int,
        n_entities: int,
        nprobe: int,
        workers: int = 1,
    ) -> np.ndarray:
        """For each group (a text), the best similarity of any of its vectors to each entity's labels.

        `group` gives each vector's text (sorted ascending). Entities never probed, and similarities below 0,
        count as 0.
        """
        out = np.zeros((n_groups, n_entities), dtype=np.float32)
        if len(vecs) == 0:
            return out
        nprobe = min(nprobe, len(self.centroids))
        probe = np.argpartition(-(vecs @ self.centroids.T), nprobe - 1, axis=1)[:, :nprobe]
        rows = np.repeat(np.arange(len(vecs)), nprobe)
        lists = probe.ravel()
        by_list = np.argsort(lists, kind="stable")
        lists, rows = lists[by_list], rows[by_list]
        cuts = np.flatnonzero(np.r_[True, lists[1:] != lists[:-1], True])
        spans = [(int(a), int(b)) for a, b in itertools.pairwise(cuts)]
        if workers < 2 or len(spans) < 2 * workers:
            self._scan(vecs, group, lists, rows, spans, out)
            return out
        # Clusters split over threads, each with its own result (one entity can sit in several clusters);
        # numpy releases the GIL in the products and reductions, and idle threads block instead of spinning.
        parts = [out] + [np.zeros_like(out) for _ in range(workers - 1)]
        list(
            _scan_pool(workers).map(
                lambda w: self._scan(vecs, group, lists, rows, spans[w::workers], parts[w]), range(workers)
            )
        )
        for part in parts[1:]:
            np.maximum(out, part, out=out)
        return out

    def _scan(
        self,
        vecs: np.ndarray,
        group: np.ndarray,
        lists: np.ndarray,
        rows: np.ndarray,
        spans: Sequence[tuple[int, int]],
        out: np.ndarray,
    ) -> None:
        """Merge into `out` the best similarity per (group, entity) over the given clusters' probes."""
        for a, b in spans:
            c = lists[a]
            lo, hi = self.bounds[c], self.bounds[c + 1]
            if hi == lo:
                continue
            r = np.sort(rows[a:b])
            g = group[r]
            gcuts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
            # Best over each group's vectors first (rows are grouped), then over each entity's labels.
            per_group = np.maximum.reduceat(vecs[r] @ self.matrix[lo:hi].T, gcuts, axis=0)
            run_starts, run_owner = self.runs[c]
            ix = np.ix_(g[gcuts], run_owner)
            out[ix] = np.maximum(out[ix], np.maximum.reduceat(per_group, run_starts, axis=1))


_pools: dict[int, ThreadPoolExecutor] = {}
_pools_lock = threading.Lock()


def _scan_pool(workers: int) -> ThreadPoolExecutor:
    """A process-wide pool of `workers` threads for the span scan (starting threads per call costs ~5 ms)."""
    with _pools_lock:
        if workers not in _pools:
            _pools[workers] = ThreadPoolExecutor(workers, thread_name_prefix="span-scan")
        return _pools[workers]


def distinct_rows(space: _LabelSpace, threshold: float = DISTINCT_COS) -> np.ndarray:
    """Mask of the label rows worth comparing: per entity, a label within `threshold` cosine of an earlier kept
    label of the same entity ("manage staff" after "managing staff") is dropped, since the best similarity over
    an entity's labels barely changes without it. The preferred label (first row) is always kept."""
    keep = np.ones(len(space.matrix), dtype=bool)
    for lo, hi in itertools.pairwise(space.starts):
        if hi - lo < 2:
            continue
        sims = space.matrix[lo:hi] @ space.matrix[lo:hi].T
        kept = [0]
        for j in range(1, hi - lo):
            if sims[j, kept].max() >= threshold:
                keep[lo + j] = False
            else:
                kept.append(j)
    return keep


def _ivf_for(space: _LabelSpace, name: str, cache_dir: Path, n_lists: int) -> LabelIVF:
    """The IVF over the distinct label rows of a space; the cluster of each row (-1: a dropped near-duplicate)
    is cached next to the label matrix."""
    digest = hashlib.sha256(space.matrix[:: max(1, len(space.matrix) // 997)].tobytes())
    digest.update(f"{space.matrix.shape}{n_lists}{DISTINCT_COS}".encode())
    path = cache_dir / f"{name}-{digest.hexdigest()[:20]}.npy"
    assign = load_npy(path, (len(space.matrix),))
    if assign is None:
        keep = distinct_rows(space)
        assign = np.full(len(space.matrix), -1, dtype=np.int32)
        assign[keep] = LabelIVF.kmeans(space.matrix[keep], n_lists)
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp.npy")
        np.save(tmp, assign)
        tmp.replace(path)
        for old in cache_dir.glob(f"{name}-*.npy"):
            if old != path and ".tmp" not in old.name:
                old.unlink(missing_ok=True)
    keep = assign >= 0
    return LabelIVF(space.matrix[keep], space.owner[keep], n_lists, assign[keep])


_blas = None


def _one_blas_thread() -> Any:
    """Limit BLAS to one thread: the span stage does hundreds of small products, where OpenBLAS's thread
    hand-offs cost more than the arithmetic (5× slower on a busy 2-core machine); the encoder keeps its own
    threads."""
    global _blas
    from threadpoolctl import ThreadpoolController

    if _blas is None:
        _blas = ThreadpoolController()
    return _blas.limit(limits=1, user_api="blas")


class SkillLinker:
    """Ranks ESCO skills for a text and ESCO occupations for a job title."""

    def __init__(
        self,
        catalog: CatalogLike,
        embedder: Embedder,
        cache_dir: Path,
        encoder: TokenEncoder | None = None,
        nprobe: int = 32,
        int8: bool = True,
        span_workers: int = 2,
    ) -> None:
        self.catalog = catalog
        self.embedder = embedder
        skills = sorted(catalog.skills.values(), key=lambda s: s.uri)
        self._skills = _label_space(
            "linker-skill-labels", [(s.uri, s.label, s.alt_labels) for s in skills], embedder, cache_dir
        )
        self._skill_pref = np.ascontiguousarray(self._skills.preferred)
        self._skill_lexicon = lexical_index([[s.label, *s.alt_labels] for s in skills])
        n_lists = int(max(1, min(256, round(np.sqrt(len(self._skills.texts)) * 0.8))))
        self._skill_ivf = _ivf_for(self._skills, "linker-skill-ivf", cache_dir, n_lists)
        # The IVF holds the label rows (reordered by cluster); dropping the original saves 150 MB per process.
        self._skills.matrix = np.zeros((0, DIM), dtype=np.float32)
        self.nprobe = nprobe
        self.span_workers = span_workers
        occs = sorted((o for o in catalog.occupations.values() if o.source == "esco"), key=lambda o: o.id)
        self._soc = _soc_links(catalog)
        self._roles = _label_space(
            "linker-role-labels", [(o.id, o.title, o.alt_titles) for o in occs], embedder, cache_dir
        )
        self._role_lexicon = lexical_index([[o.title, *o.alt_titles] for o in occs])
        # What an occupation is, beyond its names: BM25 over its titles and description, and the description's
        # vector (a vacancy title like "Account & Analytics Executive" shares words with no ESCO title).
        from coach.retrieval import LexicalIndex

        self._role_bm25 = LexicalIndex.build(
            [" ".join([o.title, *o.alt_titles, o.description]) for o in occs]
        )
        self._role_desc = cached_matrix(
            "linker-role-descriptions", [o.description or o.title for o in occs], embedder, cache_dir
        )
        self.encoder = encoder or TokenEncoder(threads=getattr(embedder, "threads", 2), int8=int8)
        self._phrase_cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_lock = threading.Lock()

    def describe(self) -> str:
        """A one-line description of the method and label space, for reports."""
        return (
            f"skills: {SENTENCE_W} × sentence↔preferred labels + {SPAN_W} × best 1-{SPAN_WORDS}-word phrase↔"
            f"{len(self._skill_ivf.matrix):,} distinct labels (of {len(self._skills.texts):,}) of "
            f"{len(self._skills.ids):,} skills + {LEXICAL_W} when a label is written out; encoder "
            f"{'int8' if self.encoder.int8 else 'float32'}; titles: raw and normalised title ↔ "
            f"{len(self._roles.texts):,} titles of "
            f"{len(self._roles.ids):,} occupations + {TITLE_BM25_W} BM25 (titles, description) + {TITLE_DESC_W} × "
            f"title↔description + {TITLE_LEXICAL_W} lexical"
        )

    # ---- skills --------------------------------------------------------------------------------------------

    def rank_skills(self, text: str, top_k: int = 10, *, precise: bool = False) -> list[SkillRef]:
        """The ESCO skills a text mentions or implies, best first (empty text → empty list).

        `precise` also embeds every candidate phrase on its own (about 3× slower, a few points better).
        """
        return self.rank_skills_batch([text], top_k, precise=precise)[0]

    def rank_skills_batch(
        self, texts: Sequence[str], top_k: int = 10, *, precise: bool = False
    ) -> list[list[SkillRef]]:
        """`rank_skills` for many texts at once (batched encoder passes; much faster per text)."""
        k = _check_top(top_k)
        cleaned = [_clean(t, MAX_TEXT_CHARS) for t in texts]
        out: list[list[SkillRef]] = [[] for _ in cleaned]
        todo = [i for i, t in enumerate(cleaned) if t]
        sp = self._skills
        for c in range(0, len(todo), _CHUNK):
            chunk = todo[c : c + _CHUNK]
            scores = self.skill_scores([cleaned[i] for i in chunk], precise=precise)
            for row, i in enumerate(chunk):
                out[i] = [
                    SkillRef(uri=sp.ids[j], label=sp.labels[j], score=round(float(scores[row, j]), 4))
                    for j in _top(scores[row], k)
                ]
        return out

    def skill_scores(self, texts: Sequence[str], *, precise: bool = False) -> np.ndarray:
        """Fused scores of every skill (columns in `skill_ids` order) for non-empty cleaned texts."""
        encoded = self.encoder.encode(texts)
        with _one_blas_thread():
            return self._fuse(texts, encoded, precise)

    def _fuse(
        self, texts: Sequence[str], encoded: list[tuple[np.ndarray, np.ndarray, np.ndarray]], precise: bool
    ) -> np.ndarray:
        sentence = np.stack([e[0] for e in encoded]) @ self._skill_pref.T
        vecs, group, phrases, phrase_group = [], [], [], []
        for i, (text, (_, states, offsets)) in enumerate(zip(texts, encoded, strict=True)):
            spans = candidate_spans(text)
            v = span_vectors(states, offsets, spans)
            keep = np.linalg.norm(v, axis=1) > 0
            vecs.append(v[keep])
            group.extend([i] * int(keep.sum()))
            if precise:
                words = list(dict.fromkeys(text[a:b] for a, b in spans))
                phrases.extend(words)
                phrase_group.extend([i] * len(words))
        n, n_skills = len(texts), len(self._skills.ids)
        context = self._skill_ivf.max_by_group(
            np.concatenate(vecs) if vecs else np.zeros((0, DIM), np.float32),
            np.asarray(group, dtype=np.int64),
            n,
            n_skills,
            self.nprobe,
            self.span_workers,
        )
        lexical = np.zeros_like(sentence)
        for i, text in enumerate(texts):
            lexical[i, list(lexical_hits(text, self._skill_lexicon))] = LEXICAL_W
        # Divided by the weights' sum so scores stay on the cosine scale (at most 1).
        if not precise:
            return (SENTENCE_W * sentence + SPAN_W * context + lexical) / (SENTENCE_W + SPAN_W + LEXICAL_W)
        isolated = self._skill_ivf.max_by_group(
            self._embed_phrases(phrases),
            np.asarray(phrase_group, dtype=np.int64),
            n,
            n_skills,
            self.nprobe,
            self.span_workers,
        )
        w_sent, w_ctx, w_iso = PRECISE_WEIGHTS
        fused = w_sent * sentence + w_ctx * context + w_iso * isolated + lexical
        return fused / (w_sent + w_ctx + w_iso + LEXICAL_W)

    @property
    def skill_ids(self) -> list[str]:
        """Skill URIs in the column order of `skill_scores`."""
        return self._skills.ids

    def _embed_phrases(self, phrases: list[str]) -> np.ndarray:
        """Embeddings of short phrases, with an in-memory LRU cache (postings repeat their phrases)."""
        out = np.zeros((len(phrases), DIM), dtype=np.float32)
        with self._cache_lock:
            missing = [p for p in dict.fromkeys(phrases) if p not in self._phrase_cache]
        fresh = dict(zip(missing, self.embedder.embed(missing), strict=True)) if missing else {}
        with self._cache_lock:
            for p, v in fresh.items():
                self._phrase_cache[p] = v
            for row, p in enumerate(phrases):
                v = fresh.get(p)
                if v is None:
                    v = self._phrase_cache[p]
                    self._phrase_cache.move_to_end(p)
                out[row] = v
            while len(self._phrase_cache) > PHRASE_CACHE:
                self._phrase_cache.popitem(last=False)
        return out

    # ---- roles ---------------------------------------------------------------------------------------------

    def rank_roles(self, title: str, top_k: int = 10) -> list[RoleMatch]:
        """ESCO occupations for a job title, best first, each with its linked O*NET-SOC code when known."""
        return self.rank_roles_batch([title], top_k)[0]

    def rank_roles_batch(self, titles: Sequence[str], top_k: int = 10) -> list[list[RoleMatch]]:
        """`rank_roles` for many titles at once."""
        k = _check_top(top_k)
        cleaned = [_clean(t, MAX_TITLE_CHARS) for t in titles]
        out: list[list[RoleMatch]] = [[] for _ in cleaned]
        todo = [i for i, t in enumerate(cleaned) if t]
        sp = self._roles
        for c in range(0, len(todo), _CHUNK):
            chunk = todo[c : c + _CHUNK]
            scores = self.role_scores([cleaned[i] for i in chunk])
            for row, i in enumerate(chunk):
                out[i] = [
                    RoleMatch(
                        uri=sp.ids[j],
                        label=sp.labels[j],
                        onet_soc=self._soc.get(sp.ids[j]),
                        score=round(float(scores[row, j]), 4),
                    )
                    for j in _top(scores[row], k)
                ]
        return out

    def role_scores(self, titles: Sequence[str]) -> np.ndarray:
        """Scores of every ESCO occupation for non-empty titles: the mean of the best label similarity of the
        title as written and of its normalised form, plus BM25 over each occupation's titles and description
        (scaled to the best hit), the normalised title's similarity to the description, and a bonus when an
        occupation's title is written out."""
        normed = [normalise_title(t) or t for t in titles]
        unique = list(dict.fromkeys([*titles, *normed]))
        vecs = dict(zip(unique, self.embedder.embed(unique), strict=True))
        sp = self._roles
        with _one_blas_thread():
            normed_vecs = np.stack([vecs[t] for t in normed])
            raw = np.maximum.reduceat(np.stack([vecs[t] for t in titles]) @ sp.matrix.T, sp.starts, axis=1)
            norm = np.maximum.reduceat(normed_vecs @ sp.matrix.T, sp.starts, axis=1)
            described = normed_vecs @ self._role_desc.T
        bm25 = np.stack([self._role_bm25.scores(t) for t in normed])
        bm25 /= np.maximum(bm25.max(axis=1, keepdims=True), 1e-9)
        scores = (raw + norm) / 2 + TITLE_BM25_W * bm25 + TITLE_DESC_W * described
        for i, title in enumerate(titles):
            scores[i, list(lexical_hits(title, self._role_lexicon))] += TITLE_LEXICAL_W
        return scores / (1 + TITLE_LEXICAL_W + TITLE_BM25_W + TITLE_DESC_W)


def _soc_links(catalog: CatalogLike) -> dict[str, str]:
    """ESCO occupation URI → its best-linked O*NET-SOC code (from either side's links), when the catalogue has one."""
    best: dict[str, tuple[float, str]] = {}

    def offer(uri: str, soc: str, conf: float) -> None:
        if conf > best.get(uri, (-1.0, ""))[0]:
            best[uri] = (conf, soc)

    for occ in catalog.occupations.values():
        for link in occ.links:
            if occ.source == "esco" and link.target[:2].isdigit():  # a SOC code such as "15-1212.00"
                offer(occ.id, link.target, link.confidence)
            elif occ.source == "onet" and link.target in catalog.occupations:
                offer(link.target, occ.id, link.confidence)
    return {uri: soc for uri, (_, soc) in best.items()}


_lock = threading.Lock()
_linker: SkillLinker | None = None


def get_linker() -> SkillLinker:
    """The process-wide linker over the default catalogue (label matrices cached under settings.home/cache)."""
    global _linker
    with _lock:
        if _linker is None:
            from coach.embeddings import get_embedder
            from coach.knowledge import get_catalog
            from coach.settings import get_settings

            settings = get_settings()
            _linker = SkillLinker(
                get_catalog(),
                get_embedder(),
                settings.home / "cache",
                int8=settings.linker_int8,
                span_workers=settings.embedding_threads,
            )
        return _linker


# --------------------------------------------------------------------------------------------------------------
# The JSON-lines stream of `coach skills rank` / `coach roles rank`
# --------------------------------------------------------------------------------------------------------------

MAX_LINE_BATCH = 256


def iter_line_batches(fd: int, max_batch: int = MAX_LINE_BATCH) -> Iterator[list[bytes]]:
    """Complete lines from a file descriptor, grouped by what has already arrived (at most `max_batch`).

    Reads with os.read, which returns whatever is waiting: a piped file yields big batches (fast, one
    embedding call each) while an interactive writer gets an answer per line without waiting for more input.
    """
    pending = b""
    while True:
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            break
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for start in range(0, len(lines), max_batch):
            yield lines[start : start + max_batch]
    if pending.strip():
        yield [pending]


def iter_stdin_batches(stream: Any, max_batch: int = MAX_LINE_BATCH) -> Iterator[list[bytes]]:
    """`iter_line_batches` over a text stream's file descriptor, or line by line when it has none (tests)."""
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):
        fd = None
    if fd is not None:
        yield from iter_line_batches(fd, max_batch)
        return
    # No descriptor (an in-memory stream): nothing interactive can be waiting, so group lines freely.
    batch: list[bytes] = []
    for line in getattr(stream, "buffer", stream):
        batch.append(line if isinstance(line, bytes) else line.encode("utf-8"))
        if len(batch) >= max_batch:
            yield batch
            batch = []
    if batch:
        yield batch


def parse_rank_line(raw: bytes) -> tuple[object, str, str | None] | None:
    """One input line → (id, text, error); None for a blank line. Never raises."""
    line = raw.decode("utf-8", "replace").strip()
    if not line:
        return None
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, "", f"invalid JSON: {exc.msg} at column {exc.colno}"
    if not isinstance(obj, dict):
        return None, "", 'each line must be a JSON object {"id": ..., "text": ...}'
    text = obj.get("text")
    if not isinstance(text, str):
        return obj.get("id"), "", '"text" must be a string'
    return obj.get("id"), text, None
