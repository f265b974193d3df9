"""The taxonomy linker: free text → ranked ESCO skills, job titles → ranked ESCO occupations (+ O*NET-SOC).

Everything runs offline on the bundled all-MiniLM-L6-v2 encoder. Label matrices (every preferred and
alternative label) are embedded once, cached under settings.home/cache and kept in memory.

Skills: a sentence usually names several skills, each in a short span, so one encoder pass gives both the
sentence vector and the token states; every 1-3-word candidate phrase (cut at punctuation and list words) gets
the mean of its tokens' states. A skill's score fuses the sentence's similarity to its preferred label, the best
phrase's similarity to any of its labels (an inverted-file index over the ~100k label rows keeps this cheap) and
a bonus when one of its labels is written out in the text. `precise=True` also embeds each phrase on its own.
Titles: the title as written and its normalised form (no seniority, brackets, locations) against every
occupation title and alternative title, plus a lexical bonus.

The modules, each importing only those above it in this list:

- `labels`: label spaces (entities with their embedded labels), input checks, top-k
- `titles`: job-title normalisation
- `phrases`: candidate phrases of a text, and labels written out word for word
- `encoder`: the ONNX encoder with token states (float32 or 8-bit weights)
- `ivf`: the inverted-file index over label rows
- `linker`: `SkillLinker` (score fusion for skills and roles) and the process-wide `get_linker`
- `stream`: the JSON-lines stream of `coach skills rank` / `coach roles rank`

The public names are re-exported here; internals (names starting with `_`) are imported from their module.
"""

from __future__ import annotations

from coach.retrieval.documents import CatalogLike
from coach.skills.encoder import TokenEncoder, span_vectors
from coach.skills.ivf import LabelIVF, distinct_rows
from coach.skills.labels import MAX_TEXT_CHARS, MAX_TITLE_CHARS, MAX_TOP_K
from coach.skills.linker import SkillLinker, get_linker
from coach.skills.phrases import candidate_spans, lexical_hits, lexical_index, lexical_tokens
from coach.skills.stream import MAX_LINE_BATCH, iter_line_batches, iter_stdin_batches, parse_rank_line
from coach.skills.titles import normalise_title

__all__ = [
    "MAX_LINE_BATCH",
    "MAX_TEXT_CHARS",
    "MAX_TITLE_CHARS",
    "MAX_TOP_K",
    "CatalogLike",
    "LabelIVF",
    "SkillLinker",
    "TokenEncoder",
    "candidate_spans",
    "distinct_rows",
    "get_linker",
    "iter_line_batches",
    "iter_stdin_batches",
    "lexical_hits",
    "lexical_index",
    "lexical_tokens",
    "normalise_title",
    "parse_rank_line",
    "span_vectors",
]
