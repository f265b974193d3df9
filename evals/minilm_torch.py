"""all-MiniLM-L6-v2's forward pass in torch over the bundled safetensors weights, for offline training only
(the product runs the same network in ONNX Runtime, built by coach.embeddings). Shared by the title encoder and
span encoder trainers."""

from __future__ import annotations

import math


def bundled_weights(torch: object) -> dict:
    """The bundled model's float tensors as torch tensors, named as coach.embeddings names them."""
    import numpy as np
    from safetensors.numpy import load_file

    from coach.embeddings import model_dir

    base = load_file(str(model_dir() / "model.safetensors"))
    return {
        k.removeprefix("bert."): torch.tensor(v.astype(np.float32))  # type: ignore[attr-defined]
        for k, v in base.items()
        if v.dtype != np.int64
    }


class MiniLM:  # a BERT forward in torch over the safetensors weights, as coach.embeddings builds it in ONNX
    def __init__(self, weights: dict, torch: object, layers: int = 6) -> None:
        self.t = torch
        self.w = weights
        self.layers = layers  # the first `layers` transformer layers (a smaller encoder)

    def states(self, ids: object, mask: object, dropout: float = 0.0) -> object:
        """The last layer's token states (batch × tokens × 384); `dropout` as BERT applies it, for training."""
        t, w = self.t, self.w
        F = t.nn.functional  # type: ignore[attr-defined]
        n = ids.shape[1]  # type: ignore[attr-defined]
        h = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:n][None]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        h = F.layer_norm(h, (384,), w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], 1e-12)
        bias = (1.0 - mask[:, None, None, :].float()) * -1e9  # type: ignore[index]
        for i in range(self.layers):
            p = f"encoder.layer.{i}."

            def lin(x: object, name: str, p: str = p) -> object:
                return F.linear(x, w[p + name + ".weight"], w[p + name + ".bias"])

            def heads(x: object) -> object:
                return x.view(x.shape[0], n, 12, 32).transpose(1, 2)  # type: ignore[attr-defined]

            q, k, v = (heads(lin(h, f"attention.self.{s}")) for s in ("query", "key", "value"))
            att = t.softmax(q @ k.transpose(-1, -2) / math.sqrt(32) + bias, dim=-1)  # type: ignore[attr-defined]
            att = F.dropout(att, dropout, training=dropout > 0)
            ctx = (att @ v).transpose(1, 2).reshape(h.shape[0], n, 384)  # type: ignore[attr-defined]
            h = F.layer_norm(
                F.dropout(lin(ctx, "attention.output.dense"), dropout, training=dropout > 0) + h,
                (384,),
                w[p + "attention.output.LayerNorm.weight"],
                w[p + "attention.output.LayerNorm.bias"],
                1e-12,
            )
            inter = F.gelu(lin(h, "intermediate.dense"))
            h = F.layer_norm(
                F.dropout(lin(inter, "output.dense"), dropout, training=dropout > 0) + h,
                (384,),
                w[p + "output.LayerNorm.weight"],
                w[p + "output.LayerNorm.bias"],
                1e-12,
            )
        return h

    def encode(self, ids: object, mask: object) -> object:
        """Mean-pooled, unit-length sentence vectors, as coach.embeddings computes them."""
        F = self.t.nn.functional  # type: ignore[attr-defined]
        h = self.states(ids, mask)
        m = mask[:, :, None].float()  # type: ignore[index]
        pooled = (h * m).sum(1) / m.sum(1).clamp(min=1e-9)
        return F.normalize(pooled, dim=-1)
