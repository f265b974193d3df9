"""Drafts quality: are ten learners' drafts different, grounded and honest about status, and does the claim checker
stop a chat model that adds facts?

Data: the ten sample profiles in tests/data/profiles/ (hand-written, varied careers). Full mode drafts each with
the real catalogue and, when the planner is available, a real pathway for the learner's target; quick mode drafts
from the profiles alone without the catalogue (the claim checker then has no catalogue vocabulary).

Metrics:
- identical_sentence_share: share of draft sentences (4+ words) that also appear in another learner's drafts.
- shared_skeleton_share: the same after replacing every word that comes from the learner's own inputs with a
  placeholder, i.e. how often two learners get the same template sentence (lower is more varied).
- unsupported_claims: claims the checker finds in the offline drafts (must be 0).
- status_errors: texts naming an in-progress or planned credential without saying so (must be 0).
- adversarial_rejection_rate: share of rewrites by a scripted chat model that appends an unsupported credential,
  employer, number, amount or date which the checker rejects (must be 1.0).
- faithful_acceptance_rate: share of harmless rewrites (punctuation changes) that are kept.
"""

from __future__ import annotations

import json
import re
import statistics
import time
from collections.abc import Callable
from datetime import date
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from coach.claims import allowed_facts, find_unsupported_claims, normalise
from coach.models import Pathway, Profile
from coach.presenter import Drafts, draft_all
from coach.settings import REPO_ROOT

PROFILES = REPO_ROOT / "tests" / "data" / "profiles"
TODAY = date(2026, 11, 24)
ADDITIONS = [
    " I also hold the CISSP.",
    " Before that I worked at Deloitte.",
    " This cut costs by 35%.",
    " I managed a $25,000 budget.",
    " I will finish by June 2031.",
]
_PENDING_WORDS = ("expected", "planned", "in progress", "completing", "working towards", "under way", "next")


class ScriptedChatModel(BaseChatModel):
    """A chat model that rewrites by a fixed rule and counts its calls (no network)."""

    rule: Callable[[str, int], str]
    calls: int = 0

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any
    ) -> ChatResult:
        text = str(messages[-1].content).rsplit("Text to rewrite:\n", 1)[-1]
        reply = self.rule(text, self.calls)
        self.calls += 1
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=reply))])


def _sentences(drafts: Drafts) -> list[str]:
    out = []
    for _, text in drafts.texts():
        out += [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n", text) if len(s.split()) >= 4]
    return out


def _skeleton(sentence: str, own_words: set[str]) -> str:
    words = normalise(sentence).split()
    return " ".join("_" if w in own_words else w for w in words)


def _load_catalog_and_planner(quick: bool) -> tuple[Any, Any, str]:
    if quick:
        return None, None, "quick: no catalogue (drafts from the inputs alone), no planner"
    from coach.context import process_context

    ctx = process_context()
    catalog = ctx.catalog
    try:
        import coach.planner  # noqa: F401
    except ImportError:
        return catalog, None, "real catalogue; planner not available"
    return catalog, ctx.plan_pathway, "real catalogue and planner"


def _plan(plan_pathway: Any, profile: Profile, catalog: Any) -> tuple[Pathway | None, str]:
    """The planner's pathway for the learner's target; else a simple stand-in (see `_overlap_pathway`)."""
    if catalog is None or not profile.target.role:
        return None, "none"
    if plan_pathway is not None:
        try:
            pathway = plan_pathway(profile, role=profile.target.role, catalog=catalog)
        except Exception:  # a planner failure for one learner: fall back below
            pathway = None
        if isinstance(pathway, Pathway) and pathway.steps:
            return pathway, "planner"
    fallback = _overlap_pathway(profile, catalog)
    return (fallback, "stand-in") if fallback is not None else (None, "none")


def _overlap_pathway(profile: Profile, catalog: Any) -> Pathway | None:
    """A stand-in plan when the planner gives none: the two certifications or certificates sharing the most ESCO
    skills with the target role, 10 weeks each, then a portfolio project. Only the drafts are evaluated here."""
    from coach.models import PathwayStep, SkillRef

    try:
        wanted = dict(catalog.occupation_skills(profile.target.role or ""))
    except Exception:
        return None
    held = {c.name.lower() for c in profile.credentials}
    scored = []
    for cred in catalog.credentials.values():
        if cred.type not in ("certification", "professional_certificate") or cred.name.lower() in held:
            continue
        overlap = [u for u in cred.skills if u in wanted]
        if overlap:
            scored.append((-sum(wanted[u] for u in overlap), cred.id, cred, overlap))
    scored.sort(key=lambda row: row[:2])
    steps = []
    for i, (_, _, cred, overlap) in enumerate(scored[:2]):
        skills = [SkillRef(uri=u, label=catalog.skill_label(u)) for u in overlap[:3]]
        steps.append(
            PathwayStep(
                id=cred.id,
                name=cred.name,
                kind="certification",
                provider=cred.provider,
                start_week=1 + 10 * i,
                end_week=10 * (i + 1),
                skills=skills,
                url=cred.url,
            )
        )
    if not steps:
        return None
    steps.append(
        PathwayStep(
            id="work:portfolio_project:capstone",
            name="Capstone portfolio project",
            kind="portfolio_project",
            start_week=21,
            end_week=26,
            skills=steps[0].skills,
        )
    )
    return Pathway(status="feasible", target=profile.target.role or "", steps=steps)


def run(quick: bool = False) -> dict[str, Any]:
    """Draft for the ten sample profiles and measure variety, grounding, status honesty and the checker."""
    catalog, plan_pathway, mode = _load_catalog_and_planner(quick)
    paths = sorted(PROFILES.glob("*.json"))[:10]
    per_learner: list[set[str]] = []
    skeletons: list[set[str]] = []
    unsupported = 0
    unsupported_examples: list[str] = []
    status_errors = 0
    texts = 0
    with_plan = 0
    times = []
    rejected = attempted = kept = faithful = 0
    accepted_examples: list[str] = []
    plan_sources: dict[str, int] = {}
    for path in paths:
        profile = Profile.model_validate(json.loads(path.read_text(encoding="utf-8")))
        pathway, source = _plan(plan_pathway, profile, catalog)
        with_plan += pathway is not None
        plan_sources[source] = plan_sources.get(source, 0) + 1
        started = time.perf_counter()
        drafts = draft_all(profile, pathway, today=TODAY, catalog=catalog)
        times.append((time.perf_counter() - started) * 1000)
        allowed = allowed_facts(profile, pathway, None, catalog, today=TODAY, include_catalog_skills=False)
        own_words = set(allowed.corpus.split())
        sentences = _sentences(drafts)
        per_learner.append(set(sentences))
        skeletons.append({_skeleton(s, own_words) for s in sentences})
        for label, text in drafts.texts():
            texts += 1
            problems = find_unsupported_claims(text, allowed)
            unsupported += len(problems)
            if problems and len(unsupported_examples) < 5:
                unsupported_examples.append(f"{path.stem} {label}: {problems}")
        pending = [c.name for c in drafts.credentials if c.status != "earned"]
        for _, text in drafts.texts():
            low = text.lower()
            for name in pending:
                if name.lower() in low and not any(w in low for w in _PENDING_WORDS):
                    status_errors += 1
        # A model that adds one unsupported fact to every text (including "I also hold <a pending credential>"):
        # every rewrite must be rejected.
        additions = ADDITIONS + [f" I also hold {name}." for name in pending[:1]]
        adversary = ScriptedChatModel(rule=lambda text, i, a=additions: text + a[i % len(a)])
        attacked = draft_all(profile, pathway, model=adversary, today=TODAY, catalog=catalog)
        attempted += adversary.calls
        rejected += adversary.calls - len(attacked.rewritten)
        for label in attacked.rewritten[:2]:
            if len(accepted_examples) < 5:
                accepted_examples.append(f"{path.stem} {label}")
        # A model that only changes punctuation: its rewrites should be kept.
        polisher = ScriptedChatModel(rule=lambda text, i: text.replace(", and ", "; and "))
        polished = draft_all(profile, pathway, model=polisher, today=TODAY, catalog=catalog)
        faithful += polisher.calls
        kept += len(polished.rewritten)

    counts: dict[str, int] = {}
    for sentences in per_learner:
        for s in sentences:
            counts[s] = counts.get(s, 0) + 1
    total = sum(len(s) for s in per_learner)
    shared = sum(1 for sentences in per_learner for s in sentences if counts[s] > 1)
    shared_examples = sorted((s for s, n in counts.items() if n > 1), key=lambda s: (-counts[s], s))[:3]
    sk_counts: dict[str, int] = {}
    for group in skeletons:
        for s in group:
            sk_counts[s] = sk_counts.get(s, 0) + 1
    sk_total = sum(len(g) for g in skeletons)
    sk_shared = sum(1 for group in skeletons for s in group if sk_counts[s] > 1)
    metrics = {
        "learners": float(len(paths)),
        "learners_with_plan": float(with_plan),
        "texts_per_learner": texts / max(1, len(paths)),
        "identical_sentence_share": shared / max(1, total),
        "shared_skeleton_share": sk_shared / max(1, sk_total),
        "unsupported_claims": float(unsupported),
        "status_errors": float(status_errors),
        "adversarial_rejection_rate": rejected / max(1, attempted),
        "faithful_acceptance_rate": kept / max(1, faithful),
        "draft_ms_median": statistics.median(times) if times else 0.0,
    }
    rows = "\n".join(f"| {k} | {v:.3f} |" for k, v in metrics.items())
    markdown = (
        "## Drafts (issue 5)\n\n"
        f"Ten sample learners ({mode}; {with_plan} with a pathway: {plan_sources}, where 'stand-in' is a simple "
        f"skill-overlap plan used when the planner returned none), drafted offline as of {TODAY}; "
        f"{total} sentences of four words or more.\n\n"
        "| metric | value |\n|---|---|\n"
        f"{rows}\n\n"
        f"The scripted adversary appended one of {len(ADDITIONS) + 1} unsupported facts (a credential, an employer, "
        "a percentage, an amount, a date, or 'I also hold' one of the learner's pending credentials) to each of "
        f"{attempted} texts; {rejected} rewrites were rejected and "
        "replaced by the offline text with a notice. The polisher changed punctuation only; "
        f"{kept} of {faithful} rewrites were kept."
        + (f"\n\nUnsupported claims found: {unsupported_examples}" if unsupported_examples else "")
        + (f"\n\nAdversarial rewrites accepted: {accepted_examples}" if accepted_examples else "")
        + (f"\n\nMost shared sentences: {shared_examples}" if shared_examples else "")
    )
    return {
        "suite": "drafts",
        "title": "Drafts: variety, grounding, status honesty, claim checker",
        "data": f"tests/data/profiles/*.json: {len(paths)} hand-written sample profiles ({mode})",
        "metrics": metrics,
        "anchors": {
            "requirement": "unsupported_claims = 0, status_errors = 0, adversarial_rejection_rate = 1.0",
        },
        "markdown": markdown,
    }


if __name__ == "__main__":
    import sys

    result = run(quick="--quick" in sys.argv)
    print(json.dumps(result["metrics"], indent=2))
    print(result["markdown"])
