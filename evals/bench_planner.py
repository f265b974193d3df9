"""Planning latency (warm): the real catalogue for several roles, and synthetic catalogues of 5,000 and 20,000
credentials. Targets: p95 < 100 ms on the real catalogue, < 2 s at 20,000.

Real: the sample profile tests/data/profiles/ana_retail_to_security.json with its limits (budget, hours a week,
weeks), skill phrases matched by exact label (`linker=None`: the linker has its own benchmark), no alternatives,
one untimed warm-up per role. Synthetic: 3,000 skills, a role of 80 weighted skills, credentials covering 1-6
skills (popular skills more often), prices 0-600 (10% unknown), 5-200 hours, 5% with AND/OR prerequisites;
budget 1,500, 8 h a week, 40 weeks.
"""

from __future__ import annotations

import json
import os
import random
import resource
import statistics
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PROFILE = ROOT / "tests" / "data" / "profiles" / "ana_retail_to_security.json"
ROLES = [
    "Information Security Analysts",
    "15-1252.00",
    "Registered Nurses",
    "Data Scientists",
    "Project Management Specialists",
    "Network and Computer Systems Administrators",
]


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def synthetic_catalog(n: int, seed: int = 7) -> Any:
    """A synthetic catalogue of `n` credentials over 3,000 skills with one role of 80 weighted skills."""
    from coach.knowledge import Catalog
    from coach.models import Credential, Occupation, Rule, Skill

    rng = random.Random(seed)
    n_skills = 3000
    skills = {f"syn:s{i}": Skill(uri=f"syn:s{i}", label=f"synthetic skill {i}") for i in range(n_skills)}
    popular = list(range(n_skills))
    weights = [1.0 / (1 + i / 50) for i in popular]  # a long tail: some skills are taught everywhere
    creds, rules = [], []
    for j in range(n):
        hours = float(rng.randint(5, 200))
        picked = set(rng.choices(popular, weights=weights, k=rng.randint(1, 6)))
        creds.append(
            Credential(
                id=f"syn-{j}",
                name=f"Synthetic credential {j}",
                provider=f"Provider {j % 40}",
                type=rng.choice(["certification", "course", "course", "specialization"]),
                level=rng.choice(["entry", "intermediate", "advanced"]),
                cost=None if rng.random() < 0.1 else float(rng.randint(0, 600)),
                hours_min=hours,
                hours_max=hours,
                skills=[f"syn:s{i}" for i in sorted(picked)],
            )
        )
        if j > 10 and rng.random() < 0.05:
            objs = [f"syn-{p}" for p in rng.sample(range(j), 2)]
            rules.append(
                Rule(id=f"r{j}", type="prerequisite_required", subject=f"syn-{j}", objects=objs,
                     any_of=rng.random() < 0.5)
            )  # fmt: skip
    target = rng.sample(range(400), 80)  # role skills among the commoner ones, as real roles are
    occ = Occupation(
        id="syn:role",
        source="esco",
        title="Synthetic role",
        essential_skills=[f"syn:s{i}" for i in target[:50]],
        optional_skills=[f"syn:s{i}" for i in target[50:]],
    )
    return Catalog(
        occupations={occ.id: occ}, skills=skills, credentials={c.id: c for c in creds}, rules=rules
    )


def _row(name: str, times: list[float], target: str, note: str) -> dict[str, Any]:
    return {
        "name": name,
        "unit": "ms",
        "median": round(statistics.median(times), 1),
        "p95": round(_pct(times, 0.95), 1),
        "n": len(times),
        "target": target,
        "note": note,
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def run(quick: bool = False) -> list[dict[str, Any]]:
    """Rows: each real role, all real roles pooled, synthetic 5,000 and 20,000."""
    from coach.context import process_context
    from coach.models import Profile
    from coach.planner import plan_pathway

    ctx = process_context()
    load = f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    profile = Profile.model_validate(json.loads(PROFILE.read_text(encoding="utf-8")))
    catalog = ctx.catalog
    # As the product plans: the field fit reads with the bundled encoder (credential vectors cached on disk).
    real = {"catalog": catalog, "linker": None, "embedder": ctx.embedder, "cache_dir": ctx.phrase_cache_dir}
    reps = 5 if quick else 20
    rows, pooled = [], []
    for role in ROLES if not quick else ROLES[:3]:
        plan_pathway(profile, role=role, **real)  # warm-up
        times = []
        for _ in range(reps):
            t0 = time.perf_counter()
            p = plan_pathway(profile, role=role, **real)
            times.append(1000 * (time.perf_counter() - t0))
        pooled += times
        rows.append(_row(f"plan, real catalogue: {role}", times, "p95 < 100 ms",
                         f"{p.status}, {len(p.steps)} steps, {len(catalog.credentials)} credentials; {load}"))  # fmt: skip
    rows.append(_row("plan, real catalogue: all roles", pooled, "p95 < 100 ms", load))
    for n in (5000, 20000):
        cat = synthetic_catalog(n)
        syn = Profile.model_validate({"constraints": {"budget": 1500, "hours_per_week": 8, "weeks": 40}})
        plan_pathway(syn, role="syn:role", catalog=cat, linker=None)  # warm-up (indexes)
        times = []
        for _ in range(3 if quick else 10):
            t0 = time.perf_counter()
            p = plan_pathway(syn, role="syn:role", catalog=cat, linker=None)
            times.append(1000 * (time.perf_counter() - t0))
        rows.append(_row(f"plan, synthetic {n:,} credentials", times, "p95 < 2000 ms" if n == 20000 else "",
                         f"{p.status}, {len(p.steps)} steps, 80 target skills; {load}"))  # fmt: skip
    return rows


if __name__ == "__main__":
    for row in run(quick=True):
        print(row)
