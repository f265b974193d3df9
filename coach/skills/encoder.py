"""The encoder with token states: one pass gives the sentence vector and every span's contextual vector."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from coach.embeddings import DIM, padded_batches, session_options

log = logging.getLogger(__name__)


def token_graph(tuned: Mapping[str, np.ndarray] | None = None, layers: int = 6) -> bytes:
    """The sentence-embedding graph of coach.embeddings (with `tuned` tensors in place of the bundled ones) and
    the last layer's token states as a second output."""
    import onnx
    from onnx import TensorProto, helper

    from coach.embeddings import model_dir, model_graph

    model = onnx.load_from_string(model_graph(model_dir(), tuned, layers))
    last = [n for n in model.graph.node if n.op_type == "LayerNormalization"][-1]
    model.graph.output.append(
        helper.make_tensor_value_info(last.output[0], TensorProto.FLOAT, ["batch", "seq", DIM])
    )
    return model.SerializeToString()


def encoder_session(graph: bytes, threads: int, int8: bool, what: str) -> tuple[Any, bool]:
    """An onnxruntime session for an encoder graph, with 8-bit weights (`int8_weights`) when asked and the
    runtime has them, and whether it got them (else float32: same results, slower)."""
    import onnxruntime as ort

    options = session_options(threads)
    if int8:
        try:
            return ort.InferenceSession(
                int8_weights(graph), options, providers=["CPUExecutionProvider"]
            ), True
        except Exception as exc:  # an onnxruntime without 8-bit MatMulNBits
            log.warning("8-bit %s unavailable (%s); using float32", what, exc)
    return ort.InferenceSession(graph, options, providers=["CPUExecutionProvider"]), False


def int8_weights(model_bytes: bytes, block: int = 32) -> bytes:
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
    8-bit (see `int8_weights`): about 1.3× faster here, with vectors within 0.999 cosine of float32 (the
    label matrices stay float32).
    """

    def __init__(self, threads: int = 2, batch_size: int = 64, *, int8: bool = False) -> None:
        from tokenizers import Tokenizer

        from coach.embeddings import MAX_TOKENS, model_dir

        path = model_dir()
        self._session, self.int8 = encoder_session(token_graph(), threads, int8, "linker encoder")
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
