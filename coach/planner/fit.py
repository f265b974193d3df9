"""How squarely a credential sits in the target role's field: the cosine between the role (title, alternate
titles, description) and the credential (name, description, skill tags) in the bundled sentence encoder.

Skill links say which taxonomy skills a credential teaches, and they are noisy: a GraphQL course links to
"software components libraries", which an IT-support role lists. The field fit reads the whole description,
so a course about technical support fits an IT-support role and the GraphQL course does not. Credential
vectors are embedded once per catalogue and cached on disk; a request embeds one role text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from coach.embeddings import cached_matrix
from coach.knowledge.catalog import Catalog
from coach.models import Credential, Occupation

if TYPE_CHECKING:
    from coach.embeddings import Embedder

# Cosines are read relative to the best-fitting credential for the role: within FIT_SPAN of it a credential
# fits fully, FIT_SPAN below that not at all. Below TANGENT_BELOW_TOP it is off the field (a tangent).
FIT_SPAN = 0.2
TANGENT_BELOW_TOP = 0.25
TOP_OF = 5  # the role's "best" is the mean of its five best-fitting credentials (one outlier does not set it)
# Boilerplate the catalogue readers put in descriptions: it says nothing about the field.
_BOILERPLATE_RE = re.compile(
    r"^(?:Coursera|edX) [\w ]+? by [^.]+\.\s*|Length: [^.]+\.\s*|Listed as eligible for college credit\.\s*"
    r"|Subject: [^.]+\.\s*|Prerequisites \(as stated\):.*",
    re.S,
)


def credential_text(cred: Credential, catalog: Catalog) -> str:
    """What the encoder reads of a credential: name, description and the skills it teaches (the source's tags,
    or, for an exam whose source lists none, the taxonomy skills it is linked to by hand)."""
    about = _BOILERPLATE_RE.sub("", cred.description or "").strip()[:300]
    skills = cred.skill_tags[:8] or [catalog.skill_label(u) for u in cred.skills[:8]]
    return f"{cred.name}. {about} {', '.join(skills)}".strip()


# The person noun a job title ends with; what is left is the field the title names ("IT Support Specialist" →
# "it support", "Help Desk Technician" → "help desk").
_PERSON_RE = re.compile(
    r"^(?:specialists?|technicians?|techs?|analysts?|engineers?|managers?|administrators?|admins?|developers?|"
    r"coordinators?|assistants?|agents?|representatives?|reps?|officers?|consultants?|designers?|workers?|"
    r"associates?|operators?|professionals?|experts?|leads?|supervisors?|clerks?|scientists?|architects?|"
    r"programmers?|trainees?|interns?|liaisons?|technologists?)$"
)
NAMED_FIELD_TITLES = (
    2  # a field counts when at least this many of the role's titles name it (or its own title)
)


def role_fields(occ: Occupation) -> set[str]:
    """The fields a role's titles name, as lower-case word sequences of two words or more: its own title's,
    and any that NAMED_FIELD_TITLES of its alternate titles share (one title's field, such as "customer
    service" among an IT-support role's titles, is too loose to go by)."""
    counts: dict[str, int] = {}
    own = ""
    for i, title in enumerate([occ.title, *occ.alt_titles]):
        words = re.findall(r"[a-z0-9+#]+", re.sub(r"\([^)]*\)", " ", title).lower())
        while words and _PERSON_RE.match(words[-1]):
            words.pop()
        if len(words) >= 2:
            phrase = " ".join(words)
            counts[phrase] = counts.get(phrase, 0) + 1
            own = own or (phrase if i == 0 else "")
    return {p for p, n in counts.items() if n >= NAMED_FIELD_TITLES or p == own}


def names_a_field(name: str, fields: set[str]) -> bool:
    """True when a credential's name says one of the fields ("Google IT Support Professional Certificate" names
    "it support"; "Cybersecurity" names "cyber security")."""
    return field_namer(fields)(name)


def field_namer(fields: set[str]) -> Callable[[str], bool]:
    """`names_a_field` for one set of fields, prepared once (a plan asks it of every credential)."""
    if not fields:
        return lambda name: False
    phrases = re.compile(" (?:" + "|".join(re.escape(f) for f in sorted(fields)) + ") ")
    joined = frozenset(f.replace(" ", "") for f in fields)

    def names(name: str) -> bool:
        text, words = _name_words(name)
        return bool(phrases.search(text)) or not joined.isdisjoint(words)

    return names


@lru_cache(maxsize=16_384)
def _name_words(name: str) -> tuple[str, frozenset[str]]:
    """A name's lower-case words, space-padded and as a set (every plan checks every credential's name)."""
    words = re.findall(r"[a-z0-9+#]+", name.lower())
    return f" {' '.join(words)} ", frozenset(words)


def role_text(occ: Occupation) -> str:
    """What the encoder reads of a role."""
    return f"{occ.title}. {'; '.join(occ.alt_titles[:12])}. {occ.description}"


def _matrix(catalog: Catalog, embedder: Embedder, cache_dir: Path) -> tuple[list[str], np.ndarray]:
    """Credential ids and their unit vectors, kept on the catalogue (per encoder) and cached on disk."""

    def build(cat: Catalog) -> tuple[list[str], np.ndarray]:
        creds = sorted((c for c in cat.credentials.values() if c.is_microcredential), key=lambda c: c.id)
        matrix = cached_matrix(
            "credential-fit", [credential_text(c, cat) for c in creds], embedder, cache_dir
        )
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        return [c.id for c in creds], matrix / np.where(norms > 0, norms, 1.0)

    return catalog.derived(f"credential-fit:{embedder.fingerprint}", build)


def prepare_field_fit(catalog: Catalog, embedder: Embedder, cache_dir: Path) -> int:
    """Embed every credential for the field fit now (cached on disk), so the first plan does not wait for it;
    returns how many credentials it covers. `coach kb build` calls it."""
    ids, _ = _matrix(catalog, embedder, cache_dir)
    return len(ids)


# Role texts embedded this process, by encoder and text (immutable keys: nothing can go stale); roles are few.
_role_vectors: dict[tuple[str, str], np.ndarray] = {}
MAX_ROLE_VECTORS = 2048


def _role_vector(embedder: Embedder, text: str) -> np.ndarray:
    key = (embedder.fingerprint, text)
    v = _role_vectors.get(key)
    if v is None:
        v = embedder.embed_one(text)
        v = v / (np.linalg.norm(v) or 1.0)
        if len(_role_vectors) >= MAX_ROLE_VECTORS:
            _role_vectors.clear()
        _role_vectors[key] = v
    return v


def field_fit(catalog: Catalog, occ: Occupation, embedder: Embedder, cache_dir: Path) -> dict[str, float]:
    """Credential id → fit 0..1 to the role's field (1 within FIT_SPAN of the best fits, or named for a field
    the role's titles name), or -1 for a tangent (TANGENT_BELOW_TOP or more below them)."""
    ids, unit = _matrix(catalog, embedder, cache_dir)
    names_the_field = field_namer(role_fields(occ))
    v = _role_vector(embedder, role_text(occ))
    cos = unit @ v
    top = float(np.mean(np.sort(cos)[-TOP_OF:]))
    out: dict[str, float] = {}
    for cid, c in zip(ids, cos.tolist(), strict=True):
        below = top - c
        out[cid] = (
            -1.0 if below >= TANGENT_BELOW_TOP else float(min(1.0, max(0.0, (FIT_SPAN - below) / FIT_SPAN)))
        )
        # A credential named for the field is in it, whatever the encoder makes of its tags: Google's IT
        # Support certificate lists networking topics, and read alone they put it below a Salesforce exam.
        if out[cid] < 1.0 and names_the_field(catalog.credentials[cid].name):
            out[cid] = 1.0
    return out
