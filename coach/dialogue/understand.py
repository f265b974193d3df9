"""Understanding one learner message: the facts it states, each with its evidence, and what the learner wants.

`Understander.read(text, asked, today)` returns an `Understanding`: the target role and the current role (read
as occupations through `roles`), years of experience, budget with currency, weekly study hours, deadline,
credentials held or in progress (through `mentions`), skills, and the intents of the message (the closed set of
`coach.dialogue.intents.INTENTS`). `asked` is the fact the coach asked for last, so a bare "8, maybe more" is read as hours and "like two
grand tops" as a budget.

It tells apart what a naive reader mixes up: the role someone wants from the one they have, experience from a
deadline, a budget from a price or a salary, a held credential from one they only consider, a question from a
fact. `Understanding.contract()` gives the `coach understand` JSON object (see the README).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from coach.dialogue.amounts import (
    Found,
    declined_budget,
    read_budget,
    read_deadline,
    read_experience,
    read_hours,
)
from coach.dialogue.facts import posting_start
from coach.dialogue.intents import _FAKE_RE, _mask_quotes, _sentences, detect_intents
from coach.dialogue.mentions import read_credentials
from coach.dialogue.places import local_currency
from coach.knowledge.catalog import Catalog
from coach.knowledge.names import CredentialIndex, Mention
from coach.knowledge.titles import GENERIC_NOUNS, RoleIndex, RoleMatch

SKILL_LINK_MIN = 0.68  # below this the linker's best skill is a guess: the phrase is kept without a link
ASKABLE = ("target_role", "background", "budget", "hours_per_week", "deadline")

# ---- target role --------------------------------------------------------------------------------------------

_ARTICLE = r"(?:(?:an?|the|my|some|something|a job|a role|a career|a position|a job as|a role as|work|job)\s+(?:as\s+an?\s+|as\s+|in\s+|with\s+)?)?"
_TARGET_VERB = (
    r"be(?:\s+hired)?\s+as|be|become|get\s+into|go\s+into|move\s+(?:up\s+)?(?:in)?to|move\s+over\s+to|switch\s+(?:in)?to|"
    r"shift\s+(?:in)?to|transition\s+(?:in)?to|pivot\s+(?:in)?to|break\s+into|work\s+as|work\s+in|retrain\s+as|"
    r"end\s+up\s+(?:as|in)|land|do|go\s+for|try|get|start\s+(?:as|in)|make\s+the\s+(?:move|switch|jump)\s+(?:in)?to|"
    r"qualify\s+as|train\s+as|go\s+(?:abroad|overseas)\s+as|(?:find|get)\s+work\s+as|change\s+(?:in)?to|"
    r"change\s+(?:my\s+)?career\s+to|(?:re)?train\s+(?:to\s+be|for)"
)
_TARGET_RES = [
    re.compile(
        rf"\b(?:want|wanna|wants|wanted|would\s+like|'d\s+like|like|hope|hoping|plan|planning|aim|aiming|trying|"
        rf"keen|going|dream|ready|'d\s+love|would\s+love|love|looking|decided|need|'d\s+rather|would\s+rather|rather)"
        rf"\s+(?:is\s+)?(?:to\s+)?(?:{_TARGET_VERB})\s+{_ARTICLE}(?P<role>[^.,;!?()]+)",
        re.I,
    ),
    re.compile(
        r"\b(?:want|wanna|need|looking for|find|get|land)\s+(?:an?\s+|my\s+first\s+|a\s+new\s+|the\s+)?(?P<role>[\w/&+ -]{2,40}?)\s+(?:job|role|position|work|career|gig)s?\b",
        re.I,
    ),
    re.compile(
        r"\b(?:want|need)\s+(?:a\s+)?(?:job|role|position|career)\s+(?:as|in)\s+(?:an?\s+)?(?P<role>[^.,;!?()]+)",
        re.I,
    ),
    re.compile(
        rf"\b(?:fancy|considering|consider|thinking(?:\s+about)?(?:\s+(?:becoming|switching\s+to|moving\s+(?:in)?to|going\s+into|getting\s+into|doing))?|looking\s+at|interested\s+in|aiming\s+for|going\s+for|set\s+on|eyeing|targeting)\s+(?:moving\s+into\s+|becoming\s+|getting\s+into\s+|switching\s+to\s+)?{_ARTICLE}(?P<role>[^.,;!?()]+)",
        re.I,
    ),
    re.compile(
        r"\b(?:goal|target|aim|objective|dream|plan)\s*(?:is|:|=|-)\s*(?:to\s+(?:be|become|get|land)\s+)?(?:an?\s+)?(?P<role>[^.,;!?()]+)",
        re.I,
    ),
    re.compile(
        r"(?:^|[.!?]\s+|\b(?:so|and|but)\s+)(?P<role>[\w/&+ -]{2,40}?)\s+is\s+(?:the\s+goal|my\s+goal|the\s+dream|the\s+plan|what\s+i(?:'m| am)\s+(?:aiming|going|shooting)\s+for|where\s+i\s+want\s+to\s+(?:be|end\s+up))\b",
        re.I,
    ),
    re.compile(
        r"\b(?:switching|switch|changing|change|moving|move|transitioning|transition|pivoting|career\s+changer|career\s+change|going)\s+from\s+[\w\s/&-]{2,40}?\s+(?:to|into)\s+(?P<role>[^.,;!?()]+)",
        re.I,
    ),
    re.compile(
        r"\b(?:for|towards?)\s+(?:an?\s+|the\s+)?(?:entry[- ]level\s+|junior\s+)?(?P<role>[\w/&+ ()-]{2,50}?)\s+(?:role|job|position|opening)s?\b",
        re.I,
    ),
    re.compile(r"\bjob[- ]ready\s+as\s+(?:an?\s+)?(?P<role>[^.,;!?()]+)", re.I),
    re.compile(
        r"\binterviewing\s+for\s+(?:an?\s+|the\s+)?(?P<role>[^.,;!?()]+?)\s+(?:role|job|position)\b", re.I
    ),
    re.compile(r"\binto\s+(?P<role>[\w/&+ -]{2,40}?)\s+(?:resume|cv)\b", re.I),
    re.compile(
        rf"\bto\s+(?:move|get|break|transition|switch|pivot|shift|go)\s+(?:over\s+)?(?:in)?to\s+{_ARTICLE}(?P<role>[^.,;!?()]+)",
        re.I,
    ),
    re.compile(
        rf"\b(?:move|get|put|promote|switch|transfer)\s+me\s+(?:over\s+|up\s+)?(?:in)?to\s+{_ARTICLE}(?P<role>[^.,;!?()]+)",
        re.I,
    ),
    re.compile(
        r"\b(?:want|need|looking\s+for|get|land|find)\s+(?:an?\s+)?(?:\w+\s+)?(?:job|role|career|position)s?\s+in\s+(?P<role>[^.,;!?()]+)",
        re.I,
    ),
    re.compile(r"(?:^|\bso\s+|,\s*)an?\s+(?P<role>[\w/&+ -]{2,40}?)\s+(?:role|position)\b", re.I),
    # "want IT support by June": a bare "want X" counts only when X sounds like a job (checked when read).
    re.compile(r"\b(?:want|wanna|aiming\s+at)\s+(?!to\b)(?:an?\s+|the\s+)?(?P<bare>[^.,;!?()]+)", re.I),
]
# A more specific role right after the first: "into automation, like QA automation engineer".
_SPECIFIC_RE = re.compile(
    r"^\s*,?\s*(?:(?:like|e\.?g\.?|such as|specifically|ideally|especially|probably|maybe|mainly|so)\s+(?:an?\s+)?(?P<role>[^.,;!?()]+)|"
    r"(?P<role2>[\w/&+ -]{3,40}?)\s+(?:maybe|probably|perhaps|ideally|especially|i think)\b)",
    re.I,
)
_ROLE_END_RE = re.compile(
    r"\s+(?:in\s+\d+|within|by|before|after|because|but|so|since|as\s+soon|eventually|someday|one day|ideally|"
    r"maybe|probably|i\s+guess|i\s+think|for\s+real|long\s+term|short\s+term|instead|though|too|at\s+(?:a|an|the|some)\b|"
    r"at\s+[A-Z]|for\s+(?:a|an|the|my|some|ed-?tech|\w+\s+companies)\b|with\s+|if\s+|when\s+|where\s+|which\s+|who\s+|and\s+then|"
    r"and\s+i\b|and\s+(?:want|have|need|can|would|am)|then\b|now\b|asap|next\s+year|this\s+year|or\s+something|"
    r"or\s+so|etc|in\s+(?:the|a|an|my|our)\s|in\s+(?:bangalore|london|[A-Z]\w+))\b.*$",
    re.I | re.S,
)
_NOT_TARGET_RE = re.compile(
    r"\b(?:not\s+sure\s+(?:i\s+)?(?:even\s+)?want|don'?t\s+(?:really\s+)?want|do\s+not\s+want|not\s+interested|"
    r"forget|no\s+longer|not\s+\w+\s+anymore|rather\s+than|instead\s+of|never\s+want|hate)\b[^.!?,;]*$",
    re.I,
)
_VAGUE_ROLE_RE = re.compile(
    r"^(?:something|anything|stuff|things|that|this|them|job|jobs|career|work|more|better|out|there|go|start|"
    r"money|experience|it official|ahead|back|started|help(?!\s+desk)|a change|change|into it|the exam|the cert|certified|"
    r"(?:a\s+)?(?:desk|office|remote|better|good|real|new|stable|first)\s+job|a plan|plan|hired|abroad|on|somewhere)\b",
    re.I,
)


def _clean_role(raw: str) -> str:
    role = re.sub(r"\s*\([^)]*\)?", " ", raw)
    role = _ROLE_END_RE.sub("", " " + role.strip()).strip()
    role = re.sub(r"^(?:an?|the|some|my|into|in|as|to|be|become|more|like)\s+", "", role, flags=re.I)
    role = re.sub(r"^(?:an?|the)\s+", "", role, flags=re.I)
    role = re.sub(
        r"\s+(?:roles?|jobs?|positions?|work|career|field|stuff|side|type of (?:job|role)|kind of (?:job|role)|"
        r"thing|industry|sector|space|world|one|person|people|lol|haha|pls|please|tbh|honestly|really|lmao|"
        r"full[- ]time|for real|tho|though|too|as well|also|eventually|someday)$",
        "",
        role,
        flags=re.I,
    )
    return role.strip(" .,:;!?\"'-")


# ---- current role -------------------------------------------------------------------------------------------

_ROLE = r"(?P<role>[^.,;!?()]+)"
_CURRENT_RES = [
    # Ranked: the first patterns are the surest ("promoted to", "work as"); the last only catch what is left.
    re.compile(rf"\b(?:got|been|was\s+just)\s+promoted\s+to\s+(?:an?\s+|the\s+)?{_ROLE}", re.I),
    re.compile(rf"\bhere\s*[,:-]\s*(?=\S)(?!i\b|i'|my\b|we\b)(?:an?\s+|and\s+i'?m\s+an?\s+)?{_ROLE}", re.I),
    # "I work for the county as an eligibility worker", "working in a logistics company as MIS executive"
    re.compile(
        rf"\bwork(?:ing|s)?\s+(?:full[- ]time\s+|part[- ]time\s+)?(?:for|at|in)\s+[^.,;!?]{{2,50}}?\s+as\s+(?:an?\s+|the\s+)?{_ROLE}",
        re.I,
    ),
    re.compile(
        rf"\b(?:i\s+|currently\s+|still\s+|now\s+)?(?:work|working|worked|employed|serving|hired)(?:\s+(?:full[- ]time|part[- ]time|nights|days|currently|\d+(?:\.\d+)?\s+(?:years?|yrs?)))?\s+as\s+(?:an?\s+|the\s+)?{_ROLE}",
        re.I,
    ),
    re.compile(
        rf"\b(?:i'?m|i\s+am|im|ich\s+bin|je\s+suis|soy|sono)\s+(?:currently\s+|now\s+|still\s+|just\s+|working\s+as\s+)?"
        rf"(?:an?\s+|the\s+|une?\s+|eine?\s+)?{_ROLE}",
        re.I,
    ),
    re.compile(
        rf"\bcurrent(?:ly)?\s*(?:job|role|position|work)?\s*(?:is|:|-)?\s*(?:an?\s+|working\s+as\s+an?\s+|working\s+as\s+|doing\s+|in\s+)?{_ROLE}",
        re.I,
    ),
    re.compile(
        rf"\b(?:i'?ve|i\s+have|i'?d)\s+been\s+(?:an?\s+|working\s+as\s+an?\s+|working\s+in\s+|doing\s+|in\s+){_ROLE}",
        re.I,
    ),
    re.compile(
        r"\bbeen\s+(?:an?\s+|doing\s+|working\s+in\s+|in\s+)?(?P<role>[^.,;!?()]+?)\s+(?:for|since)\b", re.I
    ),
    re.compile(
        r"\b(?:i|we)\s+(?:do|run|manage|teach|drive|handle|lead|fix|work\s+nights|work\s+days)\s+(?!an?\s+hour|\d|about|around|maybe|some|it\b|that\b|this\b)(?P<role>[^.,;!?()]+)",
        re.I,
    ),
    re.compile(
        r"\b(?:i'?m|i\s+am)\s+in\s+(?P<role>[^.,;!?()]+?)\s+(?:right\s+now|rn|currently|at the moment|now)\b",
        re.I,
    ),
    re.compile(r"\b(?:i'?ve|i\s+have)\s+done\s+(?P<role>[^.,;!?()]+?)\s+for\b", re.I),
    re.compile(rf"\b(?:worked|been)\s+\d+(?:\.\d+)?\s+(?:years?|yrs?)\s+as\s+(?:an?\s+)?{_ROLE}", re.I),
    re.compile(rf"\b\d+(?:\.\d+)?\s*(?:years?|yrs?)\s+(?:as|in)\s+(?:an?\s+)?{_ROLE}", re.I),
    re.compile(
        rf"\b(?:years?|yrs?|months?)\s+(?:of\s+)?(?:exp|experience)\s+(?:in|at|as)\s+(?:an?\s+|the\s+)?{_ROLE}",
        re.I,
    ),
    re.compile(
        r"\b\d+(?:\.\d+)?\s*(?:years?|yrs?)\s+of\s+(?P<role>[\w/&+ -]+?)\s+(?:experience|exp)\b", re.I
    ),
    re.compile(rf"\b(?:my\s+)?time\s+as\s+(?:an?\s+)?{_ROLE}", re.I),
    re.compile(
        r"\b(?:coming|switching|moving|transitioning|changer|change|pivoting)\s+from\s+(?:an?\s+)?(?P<role>[^.,;!?()]+?)(?:\s+(?:to|into)\b|\s*[(,.]|$)",
        re.I,
    ),
    re.compile(rf"\bbackground\s*:\s*(?:\d+\s*(?:years?|yrs?)\s+)?{_ROLE}", re.I),
    re.compile(rf"\b(?:i\s+)?make\s+[$£€₹]?\d+k?\s+(?:as\s+an?\s+|doing\s+){_ROLE}", re.I),
    re.compile(
        rf"\b(?:i'?m\s+|i\s+am\s+|im\s+(?:\d+\s+)?|currently\s+|been\s+|i'?ve\s+|i\s+have\s+|i\s+)?(?:work|working|worked)\s+(?:in|at|for)\s+(?:an?\s+|the\s+)?{_ROLE}",
        re.I,
    ),
    re.compile(r"\bbeen\s+(?P<role>\w+ing)\s+(?:for|since)\b", re.I),
    re.compile(r"\bmy\s+(?P<role>[\w -]{3,30}?)\s+(?:experience|background|career)\b", re.I),
    re.compile(r"\b(?:gets?|getting)\s+me\s+out\s+of\s+(?P<role>[^.,;!?()]+)", re.I),
    re.compile(r"\bat\s+(?:an?|the)\s+(?P<role>[\w' -]{3,30}?)\s+for\s+\d+\s+(?:years?|yrs?)", re.I),
]
_DOER = {"drive": "driver", "teach": "teacher", "manage": "manager", "lead": "lead"}
# What a learner may be instead of a job title ("I'm a veteran", "I'm a senior in high school").
_STATUS_RE = re.compile(
    r"\b(?:veteran|vet|student|graduate|grad|senior|junior|freshman|sophomore|parent|mum|mom|dad|homemaker|"
    r"freelancer|contractor|volunteer|intern|apprentice|trainee|civil servant|public servant)\b",
    re.I,
)
_CURRENT_END_RE = re.compile(
    r"\s+(?:and\s+(?:i\b|want|have|need|would|am|my|looking|thinking|honestly)|but\b|so\b|since\b|for\s+(?:about\s+|around\s+|almost\s+|over\s+|nearly\s+)?(?:\d|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|a\s+(?:year|couple|few|decade))\b|"
    r"for\s+(?:the\s+)?(?:past|last)|who\b|which\b|because\b|while\b|where\b|looking\b|trying\b|wanting\b|hoping\b|"
    r"right\s+now|lol\b|currently\b|now\b|from\s+\d|\d+\s*(?:years?|yrs?)|though\b|just\b|until\b|"
    r"(?-i:rn)\b|last\s+week|last\s+month|last\s+year|vs\b|or\s+\w+\s+\w+\s+\w+).*$",
    re.I | re.S,
)
_NOT_CURRENT_RE = re.compile(
    r"^(?:\d+\s*$|\d+\s+(?:years?|yrs?|months?)|pls|please|plz|it\b|this|that|there|bit|little|lot|good|great|decent|quick|fast|big|huge|total|complete|beginner|newbie|career changer|"
    r"fan|mom|dad|mum|parent|single|native|former|ex-|retired from|person|people|huge fan|team player|"
    r"basically|kind of|sort of|practically|pretty|very|really|so|too|not|also|just|done|tired|burnt|burned|"
    r"interested|looking|thinking|trying|hoping|planning|currently|still|happy|keen|new to|good at|confident|"
    r"halfway|studying|doing|working on|in\s+(?:the\s+)?(?:middle|process)|from\b|based|here\b|in\s+[A-Z])",
    re.I,
)
_PAST_RE = re.compile(r"\b(?:used to|was|were|back in|before that|previously|formerly|ex-)\s*$", re.I)


def _clean_current(raw: str) -> str:
    role = re.sub(r"^(?:been|was|am|i'?m|im|currently|now)\s+(?:an?\s+)?", "", raw.strip(), flags=re.I)
    role = re.sub(r"^(?:on|in|at)\s+the\s+", "", role, flags=re.I)
    role = _CURRENT_END_RE.sub("", " " + role).strip()
    role = re.sub(
        r"\s+(?:here|lol|haha|tbh|honestly|full[- ]time|part[- ]time|at the moment|like|mostly|basically)$",
        "",
        role,
        flags=re.I,
    )
    return role.strip(" .,:;!?\"'-")[:80]


# ---- skills ---------------------------------------------------------------------------------------------------

_SKILL_CUE_RE = re.compile(
    r"\b(?:i\s+know|i\s+(?:can\s+)?use|i'?m\s+(?:good|decent|great|ok|okay|strong|solid|comfortable|confident)\s+(?:at|with|in)|"
    r"(?:good|decent|great|strong|solid)\s+(?:at|with)|experience\s+(?:with|in|using)|familiar\s+with|"
    r"proficient\s+(?:in|with)|comfortable\s+with|skills?\s*(?::|include|are)|(?:(?<=^)|(?<=[.,;!]\s)|(?<=\bi\s))know(?:\s+how\s+to)?|"
    r"(?:i'?m|been|currently|now|started)\s+learning|background\s+in)\s+(?P<skills>[^.;!?]+?)(?=\band\s+i\b|\bbut\b|[.;!?]|$)",
    re.I,
)
_SKILL_TRIM_RE = re.compile(
    r"^(?:a\s+(?:bit|little)\s+(?:of\s+)?|some\s+|basic\s+|the\s+|my\s+|how\s+to\s+|lots\s+of\s+|a\s+lot\s+of\s+)+|"
    r"\s+(?:basics|stuff|things|side|too|as\s+well|a\s+lot|well|every\s+day|daily|at\s+work|lol|mostly|pretty\s+well)$",
    re.I,
)
_NOT_SKILL_RE = re.compile(
    r"^(?:it|that|this|them|what|how|where|why|anything|everything|nothing|something|i|you|he|she|they|we|"
    r"a|an|the|much|more|sure|not|no|yes|too|so|well|people|someone|nobody|everyone|him|her|about|me|\d+)\b",
    re.I,
)


def skill_phrases(text: str) -> list[tuple[str, int]]:
    """Short skill phrases the learner says they have ("a bit of SQL" → "SQL"), with their offsets; never a
    fragment of a sentence (at most four words, cut at the first verb-like joint)."""
    out: list[tuple[str, int]] = []
    for m in _SKILL_CUE_RE.finditer(text):
        chunk = re.split(
            r"\b(?:but|because|so|and\s+i|and\s+want|which|who|when|if|since|for\s+\d|at\s+(?:a|an|the|my))\b",
            m.group("skills"),
            flags=re.I,
        )[0]
        start = m.start("skills")
        for part in re.split(r",|/|\band\b|\bor\b|&|\(|\)", chunk):
            phrase = _SKILL_TRIM_RE.sub("", part.strip(" .,:;!?\"'-")).strip()
            if not phrase or len(phrase) < 2 or len(phrase.split()) > 4 or _NOT_SKILL_RE.match(phrase):
                continue
            if re.search(
                r"\b(?:want|need|have|am|is|are|was|were|been|will|would|can|could|should)\b", phrase, re.I
            ):
                continue
            out.append((phrase, text.find(phrase, start)))
    unique: dict[str, tuple[str, int]] = {}
    for phrase, at in out:
        unique.setdefault(phrase.lower(), (phrase, at))
    return list(unique.values())


def _questioned(text: str, m: Mention) -> bool:
    """True when the mention sits in a question ("do I want the CCNA or the CCST?"): no plan is stated."""
    end = text.find("?", m.end)
    stops = [i for i in (text.find(".", m.end), text.find("!", m.end)) if i >= 0]
    return 0 <= end < min(stops or [len(text)])


@dataclass
class Understanding:
    """Everything one message says (see the module docstring). Spans are (start, end) into `text`."""

    text: str
    asked: str | None = None
    intents: list[str] = field(default_factory=list)
    target: RoleMatch | None = None
    target_phrase: str | None = None  # the learner's words for the target, resolved or not
    target_span: tuple[int, int] | None = None
    current_role: str | None = None
    current_soc: str | None = None
    current_span: tuple[int, int] | None = None
    experience: Found | None = None
    budget: Found | None = None
    hours: Found | None = None
    deadline: Found | None = None
    deadline_date: date | None = None
    credentials: list[Mention] = field(default_factory=list)  # held or in progress
    planned: list[Mention] = field(default_factory=list)  # the learner means to take it ("now I want Sec+")
    mentioned: list[Mention] = field(default_factory=list)  # only named: compared, asked about
    skills: list[dict[str, Any]] = field(default_factory=list)
    declined: list[str] = field(default_factory=list)  # facts the learner declined or left open
    fabrication: bool = False  # asked to claim something untrue

    def has_facts(self) -> bool:
        """True when the message states at least one fact about the learner."""
        return bool(
            self.target
            or self.target_phrase
            or self.current_role
            or self.experience
            or self.budget
            or self.hours
            or self.deadline
            or self.credentials
            or self.skills
        )

    def contract(self, uid: Any) -> dict[str, Any]:
        """The `coach understand` output object for this message."""
        target = None
        if self.target is not None:
            target = {
                "onet_soc": self.target.onet_soc,
                "uri": self.target.uri,
                "label": self.target.label,
                "text": self.target.text,
            }
        elif self.target_phrase:
            target = {"onet_soc": None, "uri": None, "label": None, "text": self.target_phrase}
        return {
            "id": uid,
            "intents": self.intents,
            "target_role": target,
            "current_role": {"text": self.current_role, "onet_soc": self.current_soc}
            if self.current_role
            else None,
            "experience_years": self.experience.value if self.experience else None,
            "budget": {"amount": self.budget.value, "currency": self.budget.currency}
            if self.budget
            else None,
            "hours_per_week": self.hours.value if self.hours else None,
            "deadline_weeks": int(self.deadline.value) if self.deadline else None,
            "credentials": [{"id": m.credential_id, "status": m.status} for m in self.credentials],
            "skills": self.skills,
        }


class Understander:
    """Reads learner messages against one catalogue (built once per face; see `read`)."""

    def __init__(self, catalog: Catalog, linker: Any | None = None) -> None:
        self.catalog = catalog
        self.linker = linker

    @property
    def roles(self) -> RoleIndex:
        """Job titles → occupations (the catalogue's own lookup, built once per catalogue)."""
        return self.catalog.titles

    @property
    def credential_names(self) -> CredentialIndex:
        """Credential names → catalogue ids (the catalogue's own lookup)."""
        return self.catalog.names

    # ---- roles ----------------------------------------------------------------------------------------------

    def _target_candidates(self, text: str, asked: str | None) -> list[tuple[str, int, int]]:
        found: list[tuple[str, int, int]] = []
        fallback: list[tuple[str, int, int]] = []  # bare "want X" matches, with their true spans
        for rx in _TARGET_RES:
            for m in rx.finditer(text):
                if "bare" in rx.groupindex:
                    if _NOT_TARGET_RE.search(text[max(0, m.start() - 60) : m.start()]):
                        continue
                    bare = _clean_role(m.group("bare"))
                    if bare and not _VAGUE_ROLE_RE.match(bare) and self.roles.resolve(bare, text) is not None:
                        fallback.append((bare, m.start("bare"), m.start("bare") + len(bare)))
                    continue
                s = m.start("role")
                if _NOT_TARGET_RE.search(text[max(0, s - 60) : s]):
                    continue
                if re.search(
                    r"\b(?:don'?t|not|never)\s+(?:\w+\s+){0,2}$",
                    text[max(0, m.start() - 16) : m.start()],
                    re.I,
                ):
                    continue
                if re.match(
                    r"(?:forget|not|no|never|quit|leave|leaving|escape)\b", m.group("role").strip(), re.I
                ):
                    continue
                role = _clean_role(m.group("role"))
                rest = text[s + len(role) :]
                spec = (
                    _SPECIFIC_RE.match(rest) if role and not re.match(r"\s*,?\s*or\b", rest, re.I) else None
                )
                if spec:
                    specific = _clean_role(spec.group("role") or spec.group("role2"))
                    if specific and len(specific) > 3 and self.roles.looks_like_role(specific):
                        found.append((specific, s - 1, s))  # listed first: the learner narrowed it down
                # "it" is a pronoun in lower case and the IT field in capitals ("move into IT support").
                if role and not _VAGUE_ROLE_RE.match(role) and len(role) >= 2 and not re.match(r"it\b", role):
                    found.append((role, s, s + len(role)))
        if asked == "target_role":
            # The answer to "what role?" is the role itself ("corporate trainer or L&D specialist").
            first = re.split(
                r"[.!?;]|,\s*(?:long|short)\s+term|\bthinking\b|\bshort\s+term\b", text, flags=re.I
            )[0]
            first = re.sub(
                r"^\W*(?:ok(?:ay)?|so|well|hmm+|um+|i\s+think|i\s+guess|maybe|probably|ideally|honestly)\b[\s,]*",
                "",
                first,
                flags=re.I,
            )
            role = _clean_role(first)
            if role and not _VAGUE_ROLE_RE.match(role):
                found.append((role, -1, len(role)))
        # A bare "want X" is the weakest cue: tried only after every explicit one.
        return sorted(found, key=lambda f: f[1]) + fallback

    def _resolve_target(
        self, text: str, candidates: list[tuple[str, int, int]]
    ) -> tuple[RoleMatch | None, str | None, tuple[int, int] | None]:
        first_phrase: tuple[str, tuple[int, int]] | None = None
        for phrase, s, e in candidates:
            options = [
                o
                for o in re.split(
                    r"\s*(?:,|/|\bor\b|\bthen\b|&(?!\s*d)|\band\s+then\b)\s*", phrase, flags=re.I
                )
                if o.strip()
            ]
            if not options:
                continue
            if first_phrase is None:
                first_phrase = (options[0], (s, e))
            for option in [phrase, *options]:
                option = _clean_role(option)
                if not option or option.lower() in GENERIC_NOUNS:
                    continue
                match = self.roles.resolve(option, text)
                if match is not None:
                    return match, option, (s, e)
        if first_phrase and self.roles.looks_like_role(first_phrase[0]):
            return None, first_phrase[0], first_phrase[1]
        return None, None, None

    def _current_role(
        self, text: str, asked: str | None, target_span: tuple[int, int] | None
    ) -> tuple[str, tuple[int, int]] | None:
        cands: list[tuple[int, str, int]] = []
        for rank, rx in enumerate(_CURRENT_RES):
            for m in rx.finditer(text):
                s = m.start("role")
                if target_span and target_span[0] <= s < target_span[1]:
                    continue
                before = text[max(0, m.start() - 40) : m.start()]
                if _PAST_RE.search(before) or re.search(
                    r"\b(?:telling|told|say|says|said|call|calls)\s+me\s*$", before, re.I
                ):
                    continue
                if re.search(
                    r"\b(?:want|like|hope|plan|trying|wish|aim|love|going|need)\s+to\s*(?:\w+\s+)?$",
                    before,
                    re.I,
                ):
                    continue
                if (
                    re.search(
                        r"\b(?:can|could|should|would|will|to|do|might)\s+(?:i\s+)?$",
                        text[max(0, m.start() - 12) : m.start() + 2],
                        re.I,
                    )
                    and rank >= 6
                ):
                    continue  # "can I do trade school?" asks about an option, it is not a job
                role = _clean_current(m.group("role"))
                if not role or _NOT_CURRENT_RE.match(role) or len(role) < 2:
                    continue
                verb = (m.groupdict().get("verb") or "").lower()
                if verb in _DOER:  # "I drive for a delivery company" → "driver for a delivery company"
                    role = (
                        f"{_DOER[verb]} {role}"
                        if re.match(r"(?:for|at|in|with)\b", role, re.I)
                        else f"{_DOER[verb]} ({role})"
                    )
                core = re.split(r"\s+(?:at|in|for|with|from|on|of)\s+", role, maxsplit=1)[0]
                if rank == 4 and not (self.roles.looks_like_role(core) or _STATUS_RE.search(core)):
                    continue  # "I'm an early riser" is not a job
                if re.fullmatch(r"[A-Z][\w'-]+(?:,\s*\w+)?", role) and local_currency(role):
                    continue  # a place ("I'm in Leeds")
                cands.append((rank, role, s))
        # "Loan officer at a credit union. 8 years." / "truck driver 15 yrs": a job title opening a sentence.
        for s, e in _sentences(text):
            sent = text[s:e]
            opening = re.match(
                r"\s*(?:(?:hi|hey|hello|hiya|ok|so)\W+)?(?P<role>[A-Za-z][\w/&+' -]{1,50}?)\s*(?:,|\(|\bfor\s+\d|\bfor\s+(?:about\s+)?\w+\s+years|\d+\s*(?:years?|yrs?)|\bat\s+(?:an?|the)\b|\bin\s+[A-Z]|\s*$|\.)",
                sent,
            )
            if not opening:
                continue
            role = _clean_current(opening.group("role"))
            role = re.sub(r"\s+(?:at|in)\s*$", "", role)
            rest = text[s : min(len(text), e + 40)]
            has_years = bool(re.search(r"\d+(?:\.\d+)?\s*(?:years?|yrs?)|\b(?:years?|yrs?)\b", rest, re.I))
            if not role or _NOT_CURRENT_RE.match(role) or len(role.split()) > 7:
                continue
            if target_span and s <= target_span[0] < s + opening.end("role"):
                continue
            if asked == "target_role" or re.match(
                r"\s*(?:i|my|we|you|it|this|that|what|how|is|are|do|can|want)\b", role, re.I
            ):
                continue
            if re.search(r"\b(?:vs|versus|or)\b", role, re.I):
                continue
            now = bool(re.search(r"\b(?:rn|right\s+now|currently|at\s+the\s+moment|here)\b", sent, re.I))
            if (has_years or now or asked == "background") and self.roles.looks_like_role(role):
                cands.append((len(_CURRENT_RES), role, s + opening.start("role")))
        if not cands and asked == "background":
            for piece in re.split(r"[.!?;]", text):
                if re.search(r"\b(?:was|were|used to|before that|back in)\b", piece, re.I):
                    continue  # an earlier job
                first = _clean_current(piece)
                core = re.split(r"\s+(?:at|in|for|with|from|on|of)\s+", first, maxsplit=1)[0] if first else ""
                if (
                    first
                    and not _NOT_CURRENT_RE.match(first)
                    and not re.search(r"\d|\$|€|£|₹|\b(?:want|plan|budget|hours?|says?|think)\b", first, re.I)
                    and (
                        self.roles.looks_like_role(core)
                        or _STATUS_RE.search(first)
                        or len(first.split()) <= 4
                    )
                ):
                    cands.append((99, first, text.find(first)))
                    break
        if not cands:
            return None
        rank, role, s = min(cands, key=lambda c: (c[0], c[2]))
        return role, (s, s + len(role))

    # ---- the whole message ----------------------------------------------------------------------------------

    def read(self, text: str, asked: str | None = None, today: date | None = None) -> Understanding:
        """Facts and intents of one message (see the module docstring); `today` anchors deadlines."""
        today = today or date.today()
        asked = asked if asked in ASKABLE else None
        u = Understanding(text=text, asked=asked)
        if not text.strip():
            return u
        masked, quoted = _mask_quotes(text)
        # A pasted posting is the employer's words: what it asks for is not what the learner has.
        pasted = posting_start(text)
        if pasted is not None:
            masked = masked[:pasted] + " " * (len(masked) - pasted)
        u.fabrication = bool(_FAKE_RE.search(masked))
        local = local_currency(masked)

        deadline = read_deadline(masked, asked, today)
        if deadline is not None:
            u.deadline, u.deadline_date = deadline
        u.experience = read_experience(masked, u.deadline, today)
        u.hours = read_hours(masked, asked)
        u.budget = read_budget(masked, asked, local)
        if declined_budget(masked):
            u.declined.append("budget")
            u.budget = None
        if u.deadline is None and re.search(
            r"\b(?:no\s+(?:rush|hurry|deadline)|whenever\s+i'?m\s+ready|no\s+time\s+limit)\b", masked, re.I
        ):
            u.declined.append("deadline")
        candidates = self._target_candidates(masked, asked)
        u.target, u.target_phrase, u.target_span = self._resolve_target(masked, candidates)
        current = self._current_role(masked, asked, u.target_span)
        if current is not None:
            u.current_role, u.current_span = current
            if u.target_phrase and u.current_role.lower() == u.target_phrase.lower():
                u.current_role = u.current_span = None
            else:
                match = self.roles.resolve(u.current_role, masked)
                u.current_soc = match.onet_soc if match else None
        u.skills = self._skills(masked)
        mentions = read_credentials(masked, self.credential_names.find(masked))
        if u.fabrication:
            u.mentioned = mentions
        else:
            u.credentials = [m for m in mentions if m.status in ("earned", "in_progress")]
            u.planned = [m for m in mentions if m.status == "planned" and not _questioned(masked, m)]
            u.mentioned = [m for m in mentions if m not in u.credentials and m not in u.planned]
        u.intents = detect_intents(text, masked, quoted or pasted is not None, u)
        if pasted is not None and "posting" not in u.intents:
            u.intents = [i for i in u.intents if i not in ("greeting", "other")] + ["posting"]
        if "other" in u.intents and "give_facts" not in u.intents:
            # Abuse, injections and requests to fake credentials state nothing about the learner.
            u.target = u.target_phrase = u.current_role = None
            u.experience = u.budget = u.hours = u.deadline = None
            u.credentials = []
        return u

    def _skills(self, text: str) -> list[dict[str, Any]]:
        """Skill phrases, each linked to the taxonomy when a linker is at hand and it links with confidence."""
        phrases = [p for p, _ in skill_phrases(text)]
        # "learning AWS Cloud Practitioner" names a credential; a bare "CSS" or "SQL" stays a skill even when some
        # credential uses it as a short name.
        phrases = [
            p
            for p in phrases
            if not (self.credential_names.find(p) and (len(p.split()) > 1 or re.search(r"[\d+]", p)))
        ]
        if not phrases:
            return []
        links: list[Any] = [[] for _ in phrases]
        if self.linker is not None:
            try:
                links = self.linker.rank_skills_batch(phrases, 1)
            except Exception:  # a linker failure must not lose the facts of the message; the phrases stay
                links = [[] for _ in phrases]
        out = []
        for phrase, ranked in zip(phrases, links, strict=True):
            best = ranked[0] if ranked else None
            if best is not None and (best.score or 0.0) >= SKILL_LINK_MIN:
                out.append({"text": phrase, "uri": best.uri, "label": best.label})
            else:
                out.append({"text": phrase, "uri": None, "label": None})
        return out
