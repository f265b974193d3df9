"""Job-title normalisation: a vacancy title without seniority, hiring words, brackets and locations."""

from __future__ import annotations

import csv
import re
from pathlib import Path

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


def vacancy_titles_path(knowledge_dir: Path) -> Path:
    """Where the knowledge base keeps annotated vacancy titles (evals/train_title_encoder.py --memory)."""
    return knowledge_dir / "models" / "vacancy_titles.csv"


def load_vacancy_titles(knowledge_dir: Path) -> list[tuple[str, str]]:
    """(vacancy title, ESCO occupation URI) rows the linker remembers; none when the knowledge base lacks them."""
    path = vacancy_titles_path(knowledge_dir)
    if not path.exists():
        return []
    with open(path, encoding="utf-8", newline="") as fh:
        return [(row["title"], row["occupation_uri"]) for row in csv.DictReader(fh) if row["title"].strip()]
