"""Whether a learner holds, is studying for, or only names each credential their message mentions.

The mentions come from `Catalog.names` (`coach.knowledge.names`); `read_credentials` decides, from the words
around each, whether the learner holds it ("I passed", "have", "done"), is working on it ("studying for",
"halfway through", "exam booked", "retaking"), or only wants, compares or asks about it ("thinking about",
"should I get", "or", "required").
"""

from __future__ import annotations

import re

from coach.dialogue.intents import _FAKE_RE
from coach.knowledge.names import Mention, Status

# ---- what the learner says about each mention -------------------------------------------------------------

_EARNED = r"have|has|had|got|gotten|hold|holding|holds|passed|finished|completed|earned|achieved|obtained|did|done|already|with my|my"
_IN_PROGRESS = r"studying|learning|study(?:ing)? for|working on|working towards?|doing|prepping|preparing|prep(?:ping)? for|halfway|half way|half of|in the middle of|enrolled|taking|retake|retaking|failed|booked|sitting"
_WANTED = r"want|wants|wanted|wanna|thinking|think|considering|consider|planning|plan to|should i|should|need|needs|needed|required|requires|require|preferred|recommend|worth|or|vs|versus|compared|than|would|could|if i|get|getting|go for|interested|aiming|looking at|next|instead|between|about the|is the|does the|do the|how"
_PLANNED = r"want|wanna|planning\s+to\s+(?:take|do|get|sit)|going\s+to\s+(?:take|do|get|sit)|next\s+(?:is|up)|aiming\s+for"
_CUE_RE = re.compile(
    rf"\b(?:(?P<planned>{_PLANNED})|(?P<neg>don'?t have|do not have|haven'?t|never|not yet)|(?P<prog>{_IN_PROGRESS})|(?P<earned>{_EARNED})|(?P<want>{_WANTED}))\b",
    re.I,
)
_AFTER_RE = re.compile(
    r"^[^.!?;]{0,24}?\b(?:(?P<prog>in progress|prep|booked|now|right now|rn|currently)|(?P<earned>done|finished|completed|passed|already|earned|certified|✅)|(?P<want>required|preferred|next|worth it))\b|^\s*(?P<earned2>✅)",
    re.I,
)
_PRONOUN_RE = re.compile(
    rf"\b(?:(?P<prog>{_IN_PROGRESS})|(?P<earned>passed|finished|completed|earned|done with|got))\s+(?:through\s+)?(?:it|that one|that)\b",
    re.I,
)


def _sentence_bounds(text: str, pos: int) -> tuple[int, int]:
    starts = [m.end() for m in re.finditer(r"[.!?;\n]+\s*", text[:pos])]
    start = starts[-1] if starts else 0
    m = re.search(r"[.!?;\n]", text[pos:])
    return start, pos + m.start() if m else len(text)


def _status_from(groups: dict[str, str | None]) -> Status | None:
    if groups.get("planned"):
        return "planned"
    if groups.get("neg"):
        return "mentioned"
    if groups.get("prog"):
        return "in_progress"
    if groups.get("earned") or groups.get("earned2"):
        return "earned"
    if groups.get("want"):
        return "mentioned"
    return None


def read_credentials(text: str, mentions: list[Mention]) -> list[Mention]:
    """The mentions with the status the words around each give them (see the module docstring)."""
    out: list[Mention] = []
    for k, mention in enumerate(mentions):
        s_start, s_end = _sentence_bounds(text, mention.start)
        if _FAKE_RE.search(text[s_start:s_end]) or _FAKE_RE.search(text):
            out.append(mention)
            continue
        # The nearest cue before the mention, not reaching back past the previous mention's own cue.
        prev_end = max(s_start, mentions[k - 1].end if k and mentions[k - 1].end > s_start else s_start)
        window = text[s_start : mention.start]
        cues = list(_CUE_RE.finditer(window))
        status: Status | None = None
        near = [c for c in cues if s_start + c.end() >= mention.start - 14]
        after = _AFTER_RE.match(text[mention.end : s_end])
        if near:
            status = _status_from(near[-1].groupdict())
        if status is None and after:
            status = _status_from(after.groupdict())
        if status is None and cues:
            status = _status_from(cues[-1].groupdict())
        if status is None and k and mentions[k - 1].start >= s_start and prev_end >= s_start:
            # A list ("have A+, Net+ and Security+"): the item takes the status of the one before it.
            between = text[mentions[k - 1].end : mention.start]
            if re.fullmatch(r"[\s,]*(?:and|&|plus|as well as)?[\s,]*(?:the|my|an?)?\s*", between, re.I):
                status = out[-1].status if out else None
        out.append(
            Mention(mention.credential_id, mention.name, mention.start, mention.end, status or "mentioned")
        )
    # "... on Coursera. I'm halfway through it": a pronoun takes the last credential named before it.
    for m in _PRONOUN_RE.finditer(text):
        before = [i for i, x in enumerate(out) if x.end <= m.start()]
        if before and not _FAKE_RE.search(text):
            i = before[-1]
            status = _status_from(m.groupdict())
            if status and out[i].status == "mentioned":
                x = out[i]
                out[i] = Mention(x.credential_id, x.name, x.start, x.end, status)
    return out
