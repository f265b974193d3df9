"""Helpers the source readers (and the bring-your-own readers) share: file reading, label and id keys."""

from __future__ import annotations

import csv
import gzip
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

ESCO_SKILL_PREFIX = "http://data.europa.eu/esco/skill/"
LICENCE_UNKNOWN = "public, licence unknown"
# Coursera's and edX's level words as the records' levels.
LEVELS = {
    "beginner": "entry",
    "introductory": "entry",
    "intermediate": "intermediate",
    "advanced": "advanced",
}

# O*NET and ESCO CSVs hold long multi-line cells.
csv.field_size_limit(10_000_000)


def norm(text: str) -> str:
    """Normalise a label for exact matching: NFKC, lower case, '&' as 'and', punctuation as spaces."""
    text = unicodedata.normalize("NFKC", text).lower().replace("&", " and ")
    text = re.sub(r"[^\w+#.]+", " ", text)  # keep + # . so "C++", "C#", ".NET", "Security+" survive
    text = re.sub(r"(?<!\w)\.|\.(?!\w)", " ", text)
    return " ".join(text.split())


def read_csv(path: Path) -> Iterator[dict[str, str]]:
    """The rows of a UTF-8 CSV file (gzipped when its name ends in .gz), as dicts by header."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as fh:
        yield from csv.DictReader(fh)


def read_tsv(path: Path) -> Iterator[dict[str, str]]:
    """The rows of a tab-separated file without quoting (O*NET's text files), as dicts by header."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        yield from csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)


def slug(text: str) -> str:
    """A URL-safe id fragment: 'CompTIA Security+' → 'comptia-security-plus'."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    text = text.replace("+", " plus ").replace("#", " sharp ").replace("&", " and ")
    return "-".join(re.findall(r"[a-z0-9]+", text))[:80].strip("-")


def domain(url: str) -> str:
    """The host of a URL, lower case and without 'www.' ('' when there is none)."""
    from urllib.parse import urlparse

    return urlparse((url or "").strip().lower()).netloc.removeprefix("www.")


def url_key(url: str | None) -> str | None:
    """An official URL reduced for comparison (scheme, www., trailing slash and query dropped)."""
    if not url or "://" not in url:
        return None
    from urllib.parse import urlparse

    p = urlparse(url.strip().lower())
    return p.netloc.removeprefix("www.") + p.path.rstrip("/")


def provider_key(provider: str) -> str:
    """A provider reduced for de-duplication: 'Google (Coursera)' → 'google'."""
    return norm(re.sub(r"\(.*?\)", " ", provider))


_NAME_SUFFIX = re.compile(
    r"\s+(professional certificate|professional certification|certificate|specialization|certification)$"
)


def name_key(name: str, provider: str = "") -> str:
    """A credential name reduced for de-duplication: provider prefix, kind suffix and bracketed notes dropped."""
    n = norm(re.sub(r"\[.*?\]", " ", name))
    n = _NAME_SUFFIX.sub("", n).strip()
    p = provider_key(provider)
    if p and n.startswith(p + " "):
        n = n[len(p) + 1 :]
    return n
