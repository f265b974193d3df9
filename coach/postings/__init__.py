"""Job-posting analysis: sections, requirement spans, taxonomy links, an honest profile match and gap credentials.

`analyze_posting(text, profile)` is deterministic Python over the knowledge base. Requirements are spans of
the ORIGINAL text (`posting[start:end] == text`), found by a compact statistical span tagger (a linear-chain
CRF trained offline on the SkillSpan training data, see `evals/train_span_tagger.py` and
`knowledge_base/models/`) plus rules for what has a fixed shape (years of experience, certifications, degrees,
languages). Nothing is counted for a profile unless the profile evidences it.

The modules, each importing only those above it in this list:

- `text`: the input check, tokens and sentences with offsets into the original text
- `language`: is the text English?
- `tagger`: the CRF span tagger (features, gazetteer, Viterbi decoding, loading the trained model)
- `sections`: headings and the sections they open
- `spans`: the span record and the helpers that bound and trim spans in a sentence
- `rules`: years of experience, degrees, languages, soft skills, required vs preferred
- `certifications`: catalogue certifications and named ones found in the text
- `header`: title, seniority, salary
- `extract`: all requirement spans of a posting, merged
- `linking`: ESCO links for requirements, with the link and embedding caches
- `gaps`: credentials that close a profile's gaps
- `evidence`: what a profile evidences, and the word helpers the match uses
- `match`: met / partly / missing per requirement, the score
- `summary`: the readable summary the CLI prints
- `analyze`: `analyze_posting`, the whole analysis

The public names are re-exported here; internals (names starting with `_`) are imported from their module.
"""

from __future__ import annotations

from coach.postings.analyze import MIN_ROLE_SCORE, analyze_posting
from coach.postings.evidence import profile_is_english
from coach.postings.extract import Extraction, extract_requirements
from coach.postings.gaps import GAP_URI_SCORE, MAX_GAP_CREDENTIALS, gap_credentials
from coach.postings.header import find_salary, find_title, infer_seniority
from coach.postings.language import looks_english
from coach.postings.linking import MIN_SKILL_SCORE, MIN_TOOL_SCORE, SKILLS_PER_REQUIREMENT, clear_caches
from coach.postings.match import (
    CREDIT,
    EXPERIENCE_RELEVANCE,
    MET_SIMILARITY,
    PARTLY_SIMILARITY,
    SKILL_KINDS,
    URI_SCORE,
    match_profile,
)
from coach.postings.rules import LANGUAGES, SOFT_SKILLS
from coach.postings.sections import heading_section, split_sections
from coach.postings.summary import summary_lines
from coach.postings.tagger import (
    SPAN_TYPES,
    TAGS,
    Gazetteer,
    SpanTagger,
    default_model_path,
    get_span_tagger,
    marked_runs,
    tags_to_spans,
    token_features,
    viterbi,
    word_shape,
)
from coach.postings.text import NOTHING_FOUND, check_posting_text, split_sentences, tokenize

__all__ = [
    "CREDIT",
    "EXPERIENCE_RELEVANCE",
    "GAP_URI_SCORE",
    "LANGUAGES",
    "MAX_GAP_CREDENTIALS",
    "MET_SIMILARITY",
    "MIN_ROLE_SCORE",
    "MIN_SKILL_SCORE",
    "MIN_TOOL_SCORE",
    "NOTHING_FOUND",
    "PARTLY_SIMILARITY",
    "SKILLS_PER_REQUIREMENT",
    "SKILL_KINDS",
    "SOFT_SKILLS",
    "SPAN_TYPES",
    "TAGS",
    "URI_SCORE",
    "Extraction",
    "Gazetteer",
    "SpanTagger",
    "analyze_posting",
    "check_posting_text",
    "clear_caches",
    "default_model_path",
    "extract_requirements",
    "find_salary",
    "find_title",
    "gap_credentials",
    "get_span_tagger",
    "heading_section",
    "infer_seniority",
    "looks_english",
    "marked_runs",
    "match_profile",
    "profile_is_english",
    "split_sections",
    "split_sentences",
    "summary_lines",
    "tags_to_spans",
    "token_features",
    "tokenize",
    "viterbi",
    "word_shape",
]
