"""The built-in offline chat model: a LangChain chat model that coaches without any remote LLM.

It reads the conversation (the learner's profile is in the system message between <learner_profile> tags),
recognises what the learner wants and the facts they gave (target role and skills through the taxonomy
linker; money, hours, deadlines through regular expressions), asks for what is missing one question at a
time, emits tool calls, and, once the tools have answered, writes its reply from the `prompts/answers/`
templates filled with the tool results. Every turn takes at most two model calls: one that decides the tool
calls (run in order by the agent), one that writes the answer.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import ConfigDict

from coach.texts import render

META_KEY = "coach_engine"
PROFILE_RE = re.compile(r"<learner_profile>\s*(.*?)\s*</learner_profile>", re.S)

# --------------------------------------------------------------------------------------------------------------
# Recognising what the learner said
# --------------------------------------------------------------------------------------------------------------

_NUM_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "eighteen": 18,
    "twenty": 20,
}
_UNIT_WEEKS = {"week": 1.0, "month": 52 / 12, "year": 52.0}
_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})

SKIP_RE = re.compile(
    r"\b(skip|not sure|unsure|don'?t know|do not know|dunno|no idea|doesn'?t matter|whatever|"
    r"no preference|n/?a|pass|rather not say|prefer not|no deadline|no rush|no hurry|flexible|whenever|"
    r"no limit|unlimited|not a concern|not an issue|any budget|any amount|as long as it takes)\b",
    re.I,
)
NO_DEADLINE_RE = re.compile(
    r"\b(no deadline|no rush|no hurry|no time limit|no fixed date|whenever|at my own pace|in my own time)\b",
    re.I,
)
NO_BUDGET_LIMIT_RE = re.compile(
    r"\b(no budget limit|money is no(t an)? (issue|object|problem)|cost doesn'?t matter|any budget|unlimited budget)\b",
    re.I,
)
GO_AHEAD_RE = re.compile(
    r"\b(go ahead|just plan|plan (it|now|anyway)|make (me )?(a|the) plan|show me (a|the) (plan|pathway)|"
    r"let'?s see (a|the) plan|skip the questions|enough questions)\b",
    re.I,
)
ZERO_BUDGET_RE = re.compile(
    r"\b(no money|can'?t (afford|spend) anything|cannot (afford|spend) anything|zero budget|budget (is )?zero|"
    r"free (only|options|stuff|courses)|only free|nothing to spend|broke|no budget)\b(?! limit)",
    re.I,
)
ABUSE_RE = re.compile(
    r"\b(fuck\w*|shit\w*|idiot\w*|stupid|moron\w*|dumbass|dumb|useless|pathetic|bitch\w*|bastard\w*|"
    r"shut up|hate you|screw you|piece of crap|crap(py)?|garbage|trash)\b",
    re.I,
)
REVEAL_RE = re.compile(
    r"(system prompt|your (instructions|prompt|rules|guidelines|configuration)|initial prompt|hidden prompt|"
    r"ignore (all |any |the |your )?(previous|prior|above|earlier|preceding) (instructions|prompts?|rules|messages)|"
    r"disregard (the |your |all )?(previous |prior )?(instructions|rules)|developer mode|jailbreak|\bDAN\b|"
    r"repeat (the|everything) (text )?above|what were you told|print your (prompt|instructions)|"
    r"you are now (?!ready)|pretend (you are|to be) (?!a (hiring|recruit))|act as (an? )?(unrestricted|evil|different))",
    re.I,
)
INJECTION_IN_DATA_RE = re.compile(
    r"(ignore (all |any |the |your )?(previous|prior|above|earlier) (instructions|prompts?|rules)|"
    r"disregard (the |your |all )?(instructions|rules)|system prompt|"
    r"(ai|assistant|language model|llm|chatbot)s?\b[^.\n]{0,40}\b(must|should|shall|are instructed|will)\b|"
    r"(rate|score|rank) (this|the) (candidate|applicant)|reveal (your|the) (prompt|instructions)|"
    r"respond only with|you are now)",
    re.I,
)
GREETING_RE = re.compile(
    r"^\s*(hi|hello|hey|hiya|good (morning|afternoon|evening)|greetings|yo|howdy)\b[\s!.,]*(there|coach)?[\s!.,]*$",
    re.I,
)
THANKS_RE = re.compile(
    r"^\s*(thanks|thank you|thx|cheers|great,? thanks|ok,? thanks|perfect,? thanks)\b", re.I
)
CAREER_RE = re.compile(
    r"\b(job|career|role|work|credential|certif\w*|cert|course|skill\w*|resume|cv|plan|pathway|learn\w*|study|"
    r"budget|hours?|interview|salary|posting|apply|exam|training|coach|degree|employ\w*|hire|hiring|"
    r"linkedin|portfolio|analyst|engineer|developer|manager|technician|specialist|administrator)\b",
    re.I,
)
OFFTOPIC_RE = re.compile(
    r"\b(weather|recipe|cook(ing)?|bake|joke|football|soccer|basketball|baseball|nba|nfl|movie|film|song|"
    r"lyrics|poem|capital of|president|election|politic\w*|bitcoin|crypto|stock price|horoscope|dating|"
    r"girlfriend|boyfriend|translate|pizza|vacation|holiday destination|celebrity|video game|who won)\b",
    re.I,
)
POSTING_CUES = (
    "responsibilities",
    "requirements",
    "qualifications",
    "we are looking",
    "we're looking",
    "you will",
    "about the role",
    "what you'll do",
    "what you will do",
    "must have",
    "nice to have",
    "years of experience",
    "apply",
    "job description",
    "benefits",
    "preferred",
    "about us",
    "the ideal candidate",
)
INTENT_PATTERNS: dict[str, re.Pattern[str]] = {
    "submit": re.compile(
        r"\b(submit|send (it|this|the plan|my plan)? ?(to|for)|coach (to )?review|for review|"
        r"human (coach|review)|have (a|my) coach|get (it|this) (reviewed|checked)|review (it|this|my plan))\b",
        re.I,
    ),
    "save": re.compile(r"\b(save|keep|store) (it|this|the plan|my plan|the pathway|that)\b|\bsave\b", re.I),
    "draft": re.compile(
        r"\b(resume|résumé|cv|cover letter|bullet points?|bullets|linkedin|headline|present (it|them|my|this)|"
        r"how (should|do) i (present|list|show)|draft)\b",
        re.I,
    ),
    "profile": re.compile(
        r"\b(my profile|what do you know about me|what have i told you|show (me )?my (details|info|profile))\b",
        re.I,
    ),
    "alternatives": re.compile(
        r"\b(alternatives?|other options?|cheaper|faster|quicker|less expensive|another (plan|pathway|option))\b",
        re.I,
    ),
    "plan": re.compile(
        r"\b(plan|pathway|roadmap|path|become|switch|transition|career change|change careers?|get into|"
        r"break into|move into|which (certs?|certifications|credentials|courses) (should|do)|what should i (do|learn|take|study)|"
        r"where (do|should) i start|help me (get|become|reach))\b",
        re.I,
    ),
    "info": re.compile(
        r"\b(what is|what's|what are|tell me about|how much|cost of|price of|how long|how many hours|"
        r"difference between|compare|versus|vs\.?|is (it|the) .{0,40}worth|worth it|do i need|prerequisite|"
        r"required before|before (taking|doing|i take)|which is better|recommend)\b",
        re.I,
    ),
    "advice": re.compile(
        r"\b(how (do|should|can) i|any (tips|advice)|should i|is it (a good idea|worth)|prepare|study tips|"
        r"motivat\w*|balance|interview|network(ing)?|experience|portfolio|nervous|overwhelmed|too old|"
        r"imposter)\b",
        re.I,
    ),
    "reset": re.compile(r"\b(start over|start again|forget (everything|it all)|reset)\b", re.I),
}
ADVICE_TOPICS: list[tuple[str, re.Pattern[str]]] = [
    ("interview", re.compile(r"\binterview", re.I)),
    ("study", re.compile(r"\b(prepare|study|exam|pass|practice test|revision|learn faster)", re.I)),
    ("time", re.compile(r"\b(balance|busy|time|full[- ]time job|kids|family|tired|motivat)", re.I)),
    (
        "experience",
        re.compile(r"\b(experience|portfolio|project|no background|entry[- ]level|first job)", re.I),
    ),
    ("network", re.compile(r"\b(network|linkedin|mentor|referral|meetup)", re.I)),
    ("worth", re.compile(r"\b(worth|value|employers care|does it matter|degree)", re.I)),
    ("confidence", re.compile(r"\b(nervous|overwhelmed|too old|imposter|scared|afraid|confiden)", re.I)),
]
QUESTION_ORDER = ("target", "background", "hours", "budget", "deadline")

ROLE_TARGET_RE = re.compile(
    r"(?:(?:want|would like|'d like|hope|hoping|plan|planning|trying|try|aim|aiming|wish|need|going|goal is|dream is)"
    r"\s+to\s+(?:become|be(?=\s+(?:an?|the)\s)|work as|get into|move into|switch to|transition to|break into|get a job as|"
    r"land a job as|land a role as|start as|pivot to)"
    r"|\bbecom(?:e|ing)|\btransition(?:ing)?\s+(?:in)?to|\bswitch(?:ing)?\s+(?:careers?\s+)?(?:in)?to|"
    r"\bmov(?:e|ing)\s+into|\bbreak(?:ing)?\s+into|\bget(?:ting)?\s+into|\baiming\s+for|\bpivot(?:ing)?\s+(?:in)?to|"
    r"\btarget(?:ing)?(?:\s+role)?(?:\s+is)?|\bcareer\s+(?:in|as)|\bjob\s+as|\brole\s+as|\bposition\s+as|"
    r"\b(?:want|like|hope|hoping|plan|planning|love)\s+to\s+work\s+in|\binterested\s+in(?:\s+becoming)?|"
    r"\b(?:ideally|preferably|probably|maybe|specifically|perhaps|hopefully|something)\s+as|"
    r"\b(?:go|going)\s+(?:with|for)|\b(?:pick|choose|settle on|let'?s do|i'?ll take))"
    r"\s+(?:an?\s+|the\s+|some\s+)?(?P<role>[^.,;!?\n]{2,80})",
    re.I,
)
ROLE_STOP_RE = re.compile(
    r"\s+(?:in|within|by|with|and|but|because|so|while|for|over|next|after|before|without|if|i|my|"
    r"asap|someday|eventually|role|job|position|career|field|one day|soon|though|please|who|that|which|"
    r"where|when|using|or|at|on)\b.*$",
    re.I,
)
CURRENT_ROLE_RE = re.compile(
    r"\b(?:i am|i'm|im|i've been|i have been|i currently work as|i work as|currently working as|"
    r"working as|my (?:current )?(?:job|role|position) is)\s+(?:currently\s+|now\s+|still\s+)?"
    r"(?:working as\s+)?(?:an?\s+|the\s+)(?P<role>[a-z][\w \-/&]{2,60}?)"
    r"(?=\s+(?:at|in|for|with|who|and|but|looking|trying|wanting|hoping|aiming|planning|interested|keen|eager|"
    r"ready|since|of|to|that|which|,)\b|[.,;!?]|$)",
    re.I,
)
NOT_ROLES = {
    "bit",
    "little",
    "lot",
    "fan",
    "big fan",
    "quick learner",
    "fast learner",
    "total beginner",
    "complete beginner",
    "beginner",
    "newbie",
    "person",
    "good fit",
    "mess",
    "career changer",
    "plan",
}
SKILLS_RE = re.compile(
    r"\b(?:i know|i'm good at|i am good at|good at|i can use|skills? (?:include|are|is)|my skills:?|"
    r"experienced (?:with|in)|experience (?:with|in)|familiar with|proficient (?:in|with)|comfortable with|"
    r"i use|i've used|i have used|skilled (?:in|at)|know how to)\s+(?P<skills>[^.;!?\n]{2,200})",
    re.I,
)
HELD_RE = re.compile(
    r"\b(?:i (?:already )?(?:have|hold|earned|got|passed|completed|finished|obtained)|"
    r"i'm certified in|i am certified in|i've (?:got|earned|passed|completed)|i have already (?:got|earned|passed))\s+"
    r"(?:the\s+|my\s+|a\s+|an\s+)?(?P<creds>[^.;!?\n]{2,160})",
    re.I,
)
STUDYING_RE = re.compile(
    r"\b(?:i'?m|i am)\s+(?:currently\s+)?(?:studying for|working (?:on|towards)|taking|doing|preparing for)\s+"
    r"(?:the\s+|my\s+|a\s+|an\s+)?(?P<creds>[^.;!?\n]{2,160})",
    re.I,
)
MONEY_RE = re.compile(
    r"(?P<cur>\$|€|£|usd|us\$|eur|gbp)?\s?(?P<num>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s?(?P<k>k\b)?"
    r"\s?(?P<cur2>dollars|usd|euros?|eur|pounds|gbp|bucks)?",
    re.I,
)
BUDGET_CONTEXT_RE = re.compile(
    r"\b(budget|spend|afford|saved|savings|up to|max(imum)?|cost|pay|invest)\b", re.I
)
SALARY_CONTEXT_RE = re.compile(r"\b(salary|per year|a year|/yr|annually|earn|make|paid|wage)\b", re.I)
HOURS_RE = re.compile(
    r"(?P<a>\d+(?:\.\d+)?|an?|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty)"
    r"(?:\s*(?:-|to|or)\s*(?P<b>\d+(?:\.\d+)?))?\s*(?:hours?|hrs?|h)\b\s*(?:of study\s+)?"
    r"(?:a|per|each|every|/|in a)?\s*(?P<unit>week|wk|weekly|day|daily|night|evening|weekend|weekday)",
    re.I,
)
WEEKS_RE = re.compile(
    r"\b(?:in|within|over|next|under|less than|inside|in about|in the next|for)\s+(?:the\s+next\s+|about\s+)?"
    r"(?P<n>\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|eighteen|twenty)"
    r"\s+(?P<unit>weeks?|months?|years?)\b",
    re.I,
)
BY_MONTH_RE = re.compile(
    r"\bby\s+(?:the\s+end\s+of\s+)?(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\b"
    r"(?:\s+(?P<year>\d{4}))?",
    re.I,
)
END_OF_YEAR_RE = re.compile(r"\bby (the )?end of (the|this) year\b", re.I)
EXAM_CODE_RE = re.compile(r"\b[A-Z]{2,4}\d?-[A-Z]?\d{2,4}\b")
CRED_HINT_RE = re.compile(r"(\+|certif|certificate|\b[A-Z]{3,6}\b|\b[A-Z]{2,4}-\d{2,4}\b)")


def _number(token: str) -> float | None:
    token = token.lower().strip()
    if token in _NUM_WORDS:
        return float(_NUM_WORDS[token])
    try:
        return float(token.replace(",", ""))
    except ValueError:
        return None


def _clean_phrase(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip(" .,:;!?\"'()-")
    return text


@dataclass
class Facts:
    """Facts found in one learner message."""

    target_phrase: str | None = None
    target_candidates: list[str] = field(default_factory=list)
    current_role: str | None = None
    skills: list[str] = field(default_factory=list)
    credentials: list[tuple[str, str]] = field(default_factory=list)  # (name, status)
    budget: float | None = None
    currency: str | None = None
    hours_per_week: float | None = None
    hours_note: str | None = None
    weeks: int | None = None
    name: str | None = None
    skipped: str | None = None

    def any(self) -> bool:
        """True when the message stated at least one profile fact."""
        return bool(
            self.target_phrase
            or self.current_role
            or self.skills
            or self.credentials
            or self.budget is not None
            or self.hours_per_week is not None
            or self.weeks is not None
            or self.name
        )


def extract_money(text: str, expecting_budget: bool = False) -> tuple[float, str] | None:
    """A budget stated in the text (amount, currency), or None; salaries are not budgets."""
    if ZERO_BUDGET_RE.search(text):
        return 0.0, "USD"
    for m in MONEY_RE.finditer(text):
        has_cur = bool(m.group("cur") or m.group("cur2"))
        window = text[max(0, m.start() - 60) : m.end() + 40]
        if SALARY_CONTEXT_RE.search(window):
            continue
        after = text[m.end() : m.end() + 14].lower()
        if re.match(r"\s*(hours?|hrs?|h\b|weeks?|months?|years?|days?|%)", after):
            continue
        if not has_cur and not (expecting_budget or BUDGET_CONTEXT_RE.search(window)):
            continue
        value = _number(m.group("num"))
        if value is None:
            continue
        if m.group("k"):
            value *= 1000
        cur_tok = (m.group("cur") or m.group("cur2") or "").lower()
        currency = (
            "EUR"
            if cur_tok in ("€", "eur", "euro", "euros")
            else "GBP"
            if cur_tok in ("£", "gbp", "pounds")
            else "USD"
        )
        return value, currency
    return None


def extract_hours(text: str, expecting: bool = False) -> tuple[float, str | None] | None:
    """Hours per week (and a note on how a daily figure was converted), or None."""
    m = HOURS_RE.search(text)
    if m:
        a = _number(m.group("a"))
        b = _number(m.group("b")) if m.group("b") else None
        if a is None:
            return None
        value = (a + b) / 2 if b is not None else a
        unit = m.group("unit").lower()
        if unit in ("day", "daily", "night", "evening", "weekday"):
            return value * 5, f"{value:g} h a day on weekdays"
        return value, None
    if expecting:
        bare = re.fullmatch(
            r"\s*(?:about|around|maybe|roughly)?\s*(\d+(?:\.\d+)?)\s*(?:hours?|hrs?|h)?\s*[.!]?\s*",
            text,
            re.I,
        )
        if bare:
            return float(bare.group(1)), None
    return None


def extract_weeks(text: str, today: date, expecting: bool = False) -> int | None:
    """A deadline in weeks from today, or None."""
    m = WEEKS_RE.search(text)
    if m:
        before = text[max(0, m.start() - 12) : m.start()].lower()
        if "hour" not in before:
            n = _number(m.group("n")) or 1
            unit = m.group("unit").lower().rstrip("s")
            return max(1, round(n * _UNIT_WEEKS[unit]))
    if END_OF_YEAR_RE.search(text):
        return max(1, round((date(today.year, 12, 31) - today).days / 7))
    m = BY_MONTH_RE.search(text)
    if m:
        month = _MONTHS[m.group("month").lower()]
        year = int(m.group("year")) if m.group("year") else today.year
        if not m.group("year") and month <= today.month:
            year += 1
        target = date(year, month, calendar.monthrange(year, month)[1] if "end" in m.group(0).lower() else 1)
        days = (target - today).days
        return max(1, round(days / 7)) if days > 0 else None
    if expecting:
        bare = re.fullmatch(
            r"\s*(?:about|around|maybe)?\s*(\d+)\s*(weeks?|months?|years?)?\s*[.!]?\s*", text, re.I
        )
        if bare:
            n = float(bare.group(1))
            unit = (bare.group(2) or "months").lower().rstrip("s")
            return max(1, round(n * _UNIT_WEEKS[unit]))
    return None


def _split_list(text: str) -> list[str]:
    parts = re.split(r",|;|\band\b|\bor\b|&|/|\bplus\b|\bas well as\b", text, flags=re.I)
    return [_clean_phrase(p) for p in parts if _clean_phrase(p)]


def extract_skills(text: str) -> list[str]:
    """Skills the learner says they have, as short phrases in their words."""
    found: list[str] = []
    for m in SKILLS_RE.finditer(text):
        chunk = re.split(
            r"\b(?:but|because|although|though|which|so|and i|i want|i'd like|i would)\b",
            m.group("skills"),
            flags=re.I,
        )[0]
        for part in _split_list(chunk):
            part = re.sub(
                r"^(?:some|basic|a bit of|a little|little|lots of|a lot of|strong|good|great|using|use)\s+",
                "",
                part,
                flags=re.I,
            )
            part = re.sub(
                r"\s+(?:skills?|experience|too|as well|a lot|well|every day|daily|at work|each day)$",
                "",
                part,
                flags=re.I,
            )
            if (
                1 < len(part) <= 40
                and len(part.split()) <= 5
                and not re.match(r"^(it|that|this|them|things|stuff|anything|everything)$", part, re.I)
            ):
                found.append(part)
    return list(dict.fromkeys(found))


def extract_current_role(text: str) -> str | None:
    """What the learner does now ("I'm a retail sales associate"), or None."""
    for m in CURRENT_ROLE_RE.finditer(text):
        before = text[max(0, m.start() - 25) : m.start()].lower()
        if re.search(r"(want|like|hope|plan|trying|wish|aim|love) to\s*$", before):
            continue
        role = _clean_phrase(m.group("role"))
        if role.lower() in NOT_ROLES or len(role) < 3:
            continue
        if re.match(r"(student|graduate|parent|stay[- ]at[- ]home)", role, re.I) or len(role.split()) <= 6:
            return role
    return None


NOT_TARGETS_RE = re.compile(
    r"(it|that|this|there|them|something|anything|better|more|a better job|shape|trouble|ready|able|done|"
    r"prepared|sure|honest|certified|good|happy|that one|the first( one)?|the second( one)?|option \d|"
    r"computers?|tech|technology|it field)",
    re.I,
)


def extract_target_phrases(text: str) -> list[str]:
    """Every phrase naming the role the learner aims for ("data analyst"), in order of mention."""
    found: list[str] = []
    for m in ROLE_TARGET_RE.finditer(text):
        role = ROLE_STOP_RE.sub("", m.group("role").strip())
        role = re.sub(
            r"^(?:an?|the|some|something (?:in|with)|a job (?:in|as)|a career in|a role in|as an?|as)\s+",
            "",
            role,
            flags=re.I,
        )
        role = _clean_phrase(role)
        if not role or role.lower() in NOT_ROLES or len(role) < 3 or NOT_TARGETS_RE.fullmatch(role):
            continue
        found.append(role)
    return list(dict.fromkeys(found))


def extract_target_phrase(text: str) -> str | None:
    """The most specific role phrase: the last one mentioned ("...into security, ideally as an analyst")."""
    phrases = extract_target_phrases(text)
    return phrases[-1] if phrases else None


def is_posting(text: str) -> bool:
    """True when the message looks like a pasted job posting rather than a chat message."""
    if len(text) < 300:
        return False
    low = text.lower()
    cues = sum(1 for c in POSTING_CUES if c in low)
    lines = text.count("\n")
    return cues >= 2 or (cues >= 1 and lines >= 5)


def _variant(seed: str, n: int) -> int:
    return int(hashlib.sha1(seed.encode("utf-8")).hexdigest(), 16) % n if n > 0 else 0


# --------------------------------------------------------------------------------------------------------------
# Reading the conversation
# --------------------------------------------------------------------------------------------------------------


@dataclass
class Turn:
    """The conversation as the engine sees it on one call."""

    profile: dict
    text: str
    human_count: int
    last_asked: str | None
    skipped: set[str]
    tool_results: list[tuple[str, dict, dict]]  # (tool name, args, result) of this turn, in order
    turn_meta: dict
    pathway: dict | None
    posting: dict | None


def _profile_from(messages: list[BaseMessage]) -> dict:
    for msg in messages:
        if isinstance(msg, SystemMessage):
            content = str(msg.content)
            start = content.rfind("<learner_profile>")  # the prompt mentions the tag before the block
            m = PROFILE_RE.search(content, start) if start >= 0 else None
            if m:
                try:
                    return json.loads(m.group(1))
                except json.JSONDecodeError:
                    return {}
    return {}


def _parse_result(msg: ToolMessage) -> dict:
    try:
        value = json.loads(str(msg.content))
        return value if isinstance(value, dict) else {"value": value}
    except json.JSONDecodeError:
        return {"text": str(msg.content)}


def read_turn(messages: list[BaseMessage]) -> Turn:
    """Split the conversation into the profile, the current learner message and this turn's tool results."""
    profile = _profile_from(messages)
    last_human = max((i for i, m in enumerate(messages) if isinstance(m, HumanMessage)), default=-1)
    text = str(messages[last_human].content) if last_human >= 0 else ""
    human_count = sum(1 for m in messages if isinstance(m, HumanMessage))
    calls: dict[str, tuple[str, dict]] = {}
    pathway = posting = None
    last_asked: str | None = None
    skipped: set[str] = set()
    pending_ask: str | None = None
    for i, msg in enumerate(messages):
        if isinstance(msg, AIMessage):
            for tc in msg.tool_calls:
                calls[tc["id"] or ""] = (tc["name"], tc["args"])
            meta = (msg.response_metadata or {}).get(META_KEY) or {}
            if i < last_human and not msg.tool_calls:
                pending_ask = meta.get("asked")
        elif isinstance(msg, HumanMessage):
            content = str(msg.content)
            # Said outright at any point ("no deadline"), a constraint is settled without being asked.
            if NO_DEADLINE_RE.search(content):
                skipped.add("deadline")
            if NO_BUDGET_LIMIT_RE.search(content):
                skipped.add("budget")
            if i < last_human and pending_ask:
                # A reply that did not give what was asked counts as "skip": never ask the same thing twice.
                if SKIP_RE.search(content) or not _answers(pending_ask, content):
                    skipped.add(pending_ask)
                pending_ask = None
        elif isinstance(msg, ToolMessage):
            name, _ = calls.get(msg.tool_call_id, (msg.name or "", {}))
            result = _parse_result(msg)
            if "error" not in result:
                if name == "plan_pathway":
                    pathway = result
                elif name == "analyze_posting":
                    posting = result
    # last_asked is only meaningful for the message right after the question
    if last_human > 0:
        prev_ai = next(
            (m for m in reversed(messages[:last_human]) if isinstance(m, AIMessage) and not m.tool_calls),
            None,
        )
        last_asked = ((prev_ai.response_metadata or {}).get(META_KEY) or {}).get("asked") if prev_ai else None
    tool_results: list[tuple[str, dict, dict]] = []
    turn_meta: dict = {}
    for msg in messages[last_human + 1 :]:
        if isinstance(msg, AIMessage) and msg.tool_calls and not turn_meta:
            turn_meta = (msg.response_metadata or {}).get(META_KEY) or {}
        if isinstance(msg, ToolMessage):
            name, args = calls.get(msg.tool_call_id, (msg.name or "", {}))
            tool_results.append((name, args, _parse_result(msg)))
    return Turn(profile, text, human_count, last_asked, skipped, tool_results, turn_meta, pathway, posting)


def _answers(asked: str, reply: str) -> bool:
    """Whether a reply plausibly answers the question asked (used to detect skipped questions)."""
    if asked == "budget":
        return extract_money(reply, expecting_budget=True) is not None
    if asked == "hours":
        return extract_hours(reply, expecting=True) is not None
    if asked == "deadline":
        return extract_weeks(reply, date.today(), expecting=True) is not None
    return bool(reply.strip())


# --------------------------------------------------------------------------------------------------------------
# The chat model
# --------------------------------------------------------------------------------------------------------------


class OfflineCoachModel(BaseChatModel):
    """A rule-based coaching chat model that emits real tool calls and templated, grounded answers."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    linker: Any = None
    catalog: Any = None
    prompts_dir: Path | None = None
    today: date | None = None
    role_min_score: float = 0.6

    @property
    def _llm_type(self) -> str:
        return "pathway-coach-offline"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"engine": "offline"}

    def bind_tools(self, tools: Any, **kwargs: Any) -> Any:
        """Accept tools like any chat model; the engine knows the coach's tools by name."""
        names = [
            getattr(t, "name", None) or (t.get("name") if isinstance(t, dict) else str(t)) for t in tools
        ]
        return self.bind(tool_names=names)

    # ---- LangChain entry point ------------------------------------------------------------------------------

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> ChatResult:
        turn = read_turn(messages)
        message = self._compose(turn) if turn.tool_results else self._decide(turn)
        return ChatResult(generations=[ChatGeneration(message=message)])

    # ---- helpers --------------------------------------------------------------------------------------------

    def _render(self, template: str, /, **variables: Any) -> str:
        return render(f"answers/{template}", self.prompts_dir, **variables)

    def _today(self) -> date:
        return self.today or date.today()

    def _get_linker(self) -> Any:
        if self.linker is None:
            try:
                from coach.skills import get_linker

                self.linker = get_linker()
            except Exception:  # the linker is optional: without it roles fall back to catalogue lookups
                self.linker = False
        return self.linker or None

    def _get_catalog(self) -> Any:
        if self.catalog is None:
            try:
                from coach.knowledge import get_catalog

                self.catalog = get_catalog()
            except Exception:  # without a catalogue, credentials are kept as the learner named them
                self.catalog = False
        return self.catalog or None

    def resolve_role(self, phrase: str) -> dict | None:
        """A target phrase → {"id", "label", "score"}: an exact title in the catalogue, else the linker's best."""
        catalog = self._get_catalog()
        if catalog is not None:
            for candidate in (phrase, re.sub(r"s$", "", phrase), phrase + "s"):
                occ = catalog.find_occupation(candidate)
                if occ is not None:
                    return {"id": occ.id, "label": occ.title, "score": 1.0}
        linker = self._get_linker()
        if linker is None:
            return None
        try:
            matches = linker.rank_roles(phrase, top_k=3)
        except Exception:  # a linker failure must not end the conversation; the role stays unresolved
            return None
        if not matches:
            return None
        best = matches[0]
        data = best if isinstance(best, dict) else best.model_dump()
        score = float(data.get("score") or 0.0)
        if score < self.role_min_score:
            return None
        # The ESCO concept the linker matched (its own label), not the SOC group it maps to: the label the
        # learner reads must be the role that was matched.
        return {"id": data.get("uri") or data.get("onet_soc"), "label": data.get("label"), "score": score}

    def resolve_roles(self, phrases: list[str]) -> dict | None:
        """The best role among several phrases: an exact catalogue title wins, else the linker's top score."""
        catalog = self._get_catalog()
        if catalog is not None:
            for phrase in reversed(phrases):
                for candidate in (phrase, re.sub(r"s$", "", phrase), phrase + "s"):
                    occ = catalog.find_occupation(candidate)
                    if occ is not None:
                        return {"id": occ.id, "label": occ.title, "score": 1.0}
        scored = [r for r in (self.resolve_role(p) for p in reversed(phrases)) if r is not None]
        return max(scored, key=lambda r: r["score"]) if scored else None

    def find_credentials(self, text: str) -> list[dict]:
        """Catalogue credentials named in free text (longest match first), as {"id", "name"}."""
        catalog = self._get_catalog()
        if catalog is None:
            return []
        tokens = re.findall(r"[A-Za-z0-9][\w+\-.:()]*\+?", text)
        found: dict[str, dict] = {}
        used: set[int] = set()
        for size in range(6, 0, -1):
            for i in range(len(tokens) - size + 1):
                if any(j in used for j in range(i, i + size)):
                    continue
                gram = " ".join(tokens[i : i + size]).strip(".:,")
                if size == 1 and not (re.search(r"\+|\d", gram) or re.fullmatch(r"[A-Z]{3,6}", gram)):
                    continue
                cred = catalog.find_credential(gram)
                if cred is None and gram.lower().endswith((" certification", " certificate", " cert")):
                    cred = catalog.find_credential(gram.rsplit(" ", 1)[0])
                if cred is not None:
                    found.setdefault(cred.id, {"id": cred.id, "name": cred.name})
                    used.update(range(i, i + size))
        return list(found.values())

    def extract_facts(self, text: str, last_asked: str | None) -> Facts:
        """Every profile fact stated in one learner message."""
        f = Facts()
        if (
            last_asked
            and SKIP_RE.search(text)
            and not (last_asked == "budget" and ZERO_BUDGET_RE.search(text))
        ):
            f.skipped = last_asked
        money = extract_money(text, expecting_budget=last_asked == "budget")
        if money is not None and f.skipped != "budget":
            f.budget, f.currency = money
        hours = extract_hours(text, expecting=last_asked == "hours")
        if hours is not None:
            f.hours_per_week, f.hours_note = hours
        weeks = extract_weeks(text, self._today(), expecting=last_asked == "deadline")
        if weeks is not None:
            f.weeks = weeks
        f.target_candidates = extract_target_phrases(text)
        f.target_phrase = f.target_candidates[-1] if f.target_candidates else None
        other = f.budget is not None or f.hours_per_week is not None or f.weeks is not None
        if (
            not f.target_phrase
            and last_asked == "target"
            and not f.skipped
            and not other
            and "?" not in text
            and not any(rx.search(text) for k, rx in INTENT_PATTERNS.items() if k not in ("plan",))
            and not INTEREST_RE.search(text)
            and not OFFTOPIC_RE.search(text)
            and not ABUSE_RE.search(text)
            and len(text.split()) <= 8
        ):
            phrase = re.sub(
                r"^(?:i (?:think|guess)\s+)?(?:i'?d like to be|i want to be|maybe|probably|something like|"
                r"ideally|perhaps|let'?s (?:go with|do|try)|i'?ll (?:go with|take)|i choose)?\s*(?:an?\s+|the\s+)?",
                "",
                text.strip(),
                flags=re.I,
            )
            f.target_phrase = _clean_phrase(ROLE_STOP_RE.sub("", phrase)) or None
        f.current_role = extract_current_role(text)
        if f.current_role and f.target_phrase and f.current_role.lower() in f.target_phrase.lower():
            f.current_role = None
        f.skills = extract_skills(text)
        held = [(m.group("creds"), "earned") for m in HELD_RE.finditer(text)]
        held += [(m.group("creds"), "in_progress") for m in STUDYING_RE.finditer(text)]
        for chunk, status in held:
            for cred in self.find_credentials(chunk):
                f.credentials.append((cred["name"], status))
        if (
            last_asked == "background"
            and not (f.current_role or f.skills or f.credentials or f.skipped or other or f.target_phrase)
            and "?" not in text
            and len(text.split()) <= 12
            # a request ("please save my pathway") is not an answer about where the learner stands
            and not any(rx.search(text) for rx in INTENT_PATTERNS.values())
            and not re.match(r"\s*(?:please|can you|could you|let'?s)\b", text, re.I)
        ):
            f.current_role = (
                _clean_phrase(
                    re.sub(r"^(?:i'?m|i am|i work as|currently)\s+(?:an?\s+)?", "", text, flags=re.I)
                )[:60]
                or None
            )
        m = re.search(r"\b(?:my name is|i'm called|call me)\s+([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)", text)
        if m:
            f.name = m.group(1)
        return f

    # ---- deciding what to do with a new learner message -----------------------------------------------------

    def _decide(self, turn: Turn) -> AIMessage:
        text = turn.text.strip()
        seed = f"{turn.human_count}:{text}"
        profile = turn.profile
        if not text:
            return self._answer(
                self._render("welcome", variant=_variant(seed, 3), learner_name=profile.get("name") or ""),
                asked="target" if not _target(profile) else None,
            )

        if is_posting(text):
            # Lines of the posting that address an AI are data to ignore: they are not shown as requirements.
            injected = [ln.strip() for ln in text.splitlines() if INJECTION_IN_DATA_RE.search(ln)]
            posting_calls = [self._call("analyze_posting", {"text": text})]
            return self._tools(posting_calls, intent=["posting"], injected=injected)

        low = text.lower()
        if REVEAL_RE.search(text):
            return self._answer(self._render("refuse_instructions", variant=_variant(seed, 3)))
        facts = self.extract_facts(text, turn.last_asked)
        if ABUSE_RE.search(text) and not facts.any():
            question = self._next_question(profile, turn.skipped, seed)
            return self._answer(
                self._render("abusive", variant=_variant(seed, 3), question=question[1] if question else ""),
                asked=question[0] if question else None,
            )
        if GREETING_RE.match(text) and not facts.any():
            question = self._next_question(profile, turn.skipped, seed)
            return self._answer(
                self._render(
                    "welcome",
                    variant=_variant(seed, 3),
                    learner_name=profile.get("name") or "",
                    returning=bool(_target(profile) or turn.pathway),
                    target=_target_label(profile),
                    question=question[1] if question else "",
                ),
                asked=question[0] if question else None,
            )
        if THANKS_RE.match(text) and not facts.any() and len(text) < 60:
            return self._answer(
                self._render("thanks", variant=_variant(seed, 3), has_plan=bool(turn.pathway))
            )
        if OFFTOPIC_RE.search(text) and not CAREER_RE.search(text) and not facts.any():
            question = self._next_question(profile, turn.skipped, seed)
            return self._answer(
                self._render(
                    "off_topic", variant=_variant(seed, 3), question=question[1] if question else ""
                ),
                asked=question[0] if question else None,
            )

        intents = {name for name, rx in INTENT_PATTERNS.items() if rx.search(text)}
        if "reset" in intents:
            return self._answer(self._render("reset", variant=_variant(seed, 2)))
        skipped = set(turn.skipped)
        if facts.skipped:
            skipped.add(facts.skipped)

        calls: list[dict] = []
        update: dict[str, Any] = {}
        role = None
        if facts.target_phrase:
            role = self.resolve_roles(facts.target_candidates or [facts.target_phrase])
            if role is not None:
                update["target_role"] = role["id"]
                update["target_role_label"] = role["label"]
        if facts.current_role:
            update["current_role"] = facts.current_role
        if facts.skills:
            update["add_skills"] = facts.skills
        if facts.credentials:
            update["add_credentials"] = [{"name": n, "status": s} for n, s in facts.credentials]
        if facts.budget is not None:
            update["budget"] = facts.budget
            if facts.currency and facts.currency != "USD":
                update["currency"] = facts.currency
        if facts.hours_per_week is not None and 0 < facts.hours_per_week <= 100:
            update["hours_per_week"] = facts.hours_per_week
        if facts.weeks is not None and 0 < facts.weeks <= 520:
            update["weeks"] = facts.weeks
        if facts.name:
            update["name"] = facts.name
        if update:
            calls.append(self._call("update_profile", update))
        merged = _merge(profile, update)

        meta: dict[str, Any] = {"intent": sorted(intents)}
        if facts.hours_note:
            meta["hours_note"] = facts.hours_note
        if facts.target_phrase and role is None:
            meta["unresolved_role"] = facts.target_phrase
        has_plan = turn.pathway is not None

        if "profile" in intents:
            calls.append(self._call("get_profile", {}))
        if "submit" in intents or (
            "save" in intents and not ("draft" in intents and "save" not in low.split())
        ):
            if has_plan:
                calls.append(
                    self._call("submit_for_review" if "submit" in intents else "save_pathway", {"note": ""})
                )
            elif _target(merged):
                calls.append(self._call("plan_pathway", {"alternatives": 0}))
                calls.append(
                    self._call("submit_for_review" if "submit" in intents else "save_pathway", {"note": ""})
                )
            else:
                meta["need_plan_first"] = True
            return self._finish(calls, meta, merged, skipped, seed)
        if "draft" in intents:
            calls.append(self._call("draft_presentation", {"focus": _draft_focus(low)}))
            return self._finish(calls, meta, merged, skipped, seed)

        named = self.find_credentials(text)
        question_like = "?" in text or bool(intents & {"info", "advice"})
        wants_plan = "plan" in intents or bool(GO_AHEAD_RE.search(text))
        constraints_changed = any(k in update for k in ("budget", "hours_per_week", "weeks", "target_role"))
        planning_mode = (turn.last_asked in QUESTION_ORDER) or has_plan

        if named and question_like and not wants_plan:
            query = " ".join(c["name"] for c in named[:3])
            kind = None if re.search(r"\b(before|prerequisite|require|need)\b", low) else "credential"
            args: dict[str, Any] = {"query": query[:300], "k": 5}
            if kind:
                args["kind"] = kind
            calls.append(self._call("search_knowledge", args))
            meta["named"] = [c["id"] for c in named]
            # Credential names ("Network+", "CCNA") must not pick the advice topic ("network").
            meta["advice_topic"] = _advice_topic(re.sub(r"\S*\+\S*|\b[A-Z]{3,}\b", " ", text))
            return self._finish(calls, meta, merged, skipped, seed, plan_offer=True)

        if "alternatives" in intents and has_plan:
            calls.append(self._call("plan_pathway", {"alternatives": 2}))
            meta["alternatives_focus"] = True
            return self._finish(calls, meta, merged, skipped, seed)

        if wants_plan or constraints_changed or planning_mode or (update and not question_like):
            if not _target(merged) and turn.posting is not None and "role_suggestions" not in meta:
                calls.append(self._call("plan_pathway", {"use_posting": True, "alternatives": 1}))
                return self._finish(calls, meta, merged, skipped, seed)
            if not _target(merged):
                interest = facts.target_phrase or _interest_phrase(text)
                if interest:
                    calls.append(
                        self._call("search_knowledge", {"query": interest, "kind": "occupation", "k": 3})
                    )
                    meta["role_suggestions"] = interest
                return self._finish(calls, meta, merged, skipped, seed, force_question="target")
            go = bool(GO_AHEAD_RE.search(text)) or (has_plan and constraints_changed)
            question = None if go else self._next_question(merged, skipped, seed)
            if question is None:
                calls.append(self._call("plan_pathway", {"alternatives": 1}))
                return self._finish(calls, meta, merged, skipped, seed)
            return self._finish(calls, meta, merged, skipped, seed)

        if question_like and (intents & {"advice", "info"}):
            topic = _advice_topic(text)
            if "info" in intents and not topic:
                calls.append(self._call("search_knowledge", {"query": text[:300], "k": 5}))
                return self._finish(calls, meta, merged, skipped, seed, plan_offer=True)
            meta["advice_topic"] = topic or "general"
            if calls:
                return self._finish(calls, meta, merged, skipped, seed)
            return self._answer(
                self._render("advice", topic=topic or "general", variant=_variant(seed, 2))
                + "\n\n"
                + self._next_step_text(merged, turn, seed),
                asked=None,
            )

        if calls:
            return self._finish(calls, meta, merged, skipped, seed)
        # Nothing recognised: a vague goal or a message we could not place. Ask the next useful question.
        interest = _interest_phrase(text)
        if interest and not _target(merged):
            calls.append(self._call("search_knowledge", {"query": interest, "kind": "occupation", "k": 3}))
            meta["role_suggestions"] = interest
            return self._finish(calls, meta, merged, skipped, seed, force_question="target")
        question = self._next_question(merged, skipped, seed)
        return self._answer(
            self._render(
                "clarify",
                variant=_variant(seed, 3),
                question=question[1] if question else "",
                has_plan=has_plan,
            ),
            asked=question[0] if question else None,
        )

    def _finish(
        self,
        calls: list[dict],
        meta: dict,
        merged: dict,
        skipped: set[str],
        seed: str,
        force_question: str | None = None,
        plan_offer: bool = False,
    ) -> AIMessage:
        """Emit the tool calls (the answer comes after they ran), or ask the next question right away."""
        if force_question:
            meta["ask"] = force_question
        elif not any(c["name"] == "plan_pathway" for c in calls) and not plan_offer:
            q = self._next_question(merged, skipped, seed)
            if q is not None and not any(
                c["name"]
                in (
                    "draft_presentation",
                    "save_pathway",
                    "submit_for_review",
                    "search_knowledge",
                    "get_profile",
                )
                for c in calls
            ):
                meta["ask"] = q[0]
        if calls:
            return self._tools(calls, **meta)
        ask = force_question or meta.get("ask")
        parts = [self._render("need_plan_first")] if meta.get("need_plan_first") else []
        if ask:
            parts.append(self._question_text(ask, merged, seed))
        elif not parts:
            parts.append(self._render("clarify", variant=0, question="", has_plan=False))
        text = "\n\n".join(parts)
        return self._answer(text, asked=ask)

    # ---- composing the answer once tools have run -----------------------------------------------------------

    def _compose(self, turn: Turn) -> AIMessage:
        seed = f"{turn.human_count}:{turn.text}"
        meta = turn.turn_meta
        profile = turn.profile
        parts: list[str] = []
        asked: str | None = None
        results = turn.tool_results
        errors = [(n, r["error"]) for n, _, r in results if "error" in r]
        by_name = {n: r for n, _, r in results if "error" not in r}

        if meta.get("injected"):
            parts.append(self._render("injection_notice", variant=_variant(seed, 2)))
        if "update_profile" in by_name:
            updated = by_name["update_profile"].get("updated", [])
            if updated:
                parts.append(
                    self._render(
                        "ack",
                        variant=_variant(seed, 4),
                        updated=updated,
                        profile=by_name["update_profile"].get("profile", profile),
                        hours_note=meta.get("hours_note"),
                    )
                )
        if meta.get("unresolved_role") and not meta.get("role_suggestions"):
            parts.append(self._render("role_unresolved", phrase=meta["unresolved_role"]))
        for name, error in errors:
            parts.append(self._render("tool_error", tool=name, error=error, variant=_variant(seed, 2)))
        if "analyze_posting" in by_name:
            analysis = dict(by_name["analyze_posting"])
            injected = [ln.lower() for ln in meta.get("injected") or [] if isinstance(ln, str)]
            if injected:
                analysis["requirements"] = [
                    r
                    for r in analysis.get("requirements") or []
                    if not any(str(r.get("text", "")).lower() in ln for ln in injected)
                ]
            parts.append(self._render("posting", a=analysis, has_profile=_has_background(profile)))
        if "search_knowledge" in by_name:
            res = by_name["search_knowledge"]
            if meta.get("role_suggestions"):
                parts.append(
                    self._render(
                        "role_suggestions", hits=res.get("hits", []), interest=meta["role_suggestions"]
                    )
                )
                asked = "target"
            else:
                hits = res.get("hits", [])
                named = set(meta.get("named") or [])
                if named and any(h.get("id") in named for h in hits):
                    # Asked about specific credentials: answer about those (and rules), not their neighbours.
                    hits = [h for h in hits if h.get("id") in named or h.get("kind") == "rule"]
                parts.append(self._render("search", hits=hits, query=res.get("query", "")))
                if meta.get("advice_topic"):
                    parts.append(
                        self._render("advice", topic=meta["advice_topic"], variant=_variant(seed, 2))
                    )
        if "plan_pathway" in by_name:
            parts.append(
                self._render(
                    "plan",
                    p=by_name["plan_pathway"],
                    variant=_variant(seed, 3),
                    constraints=(profile.get("constraints") or {}),
                    focus_alternatives=bool(meta.get("alternatives_focus")),
                    target_label=_target_label(profile),
                )
            )
        if "draft_presentation" in by_name:
            parts.append(
                self._render(
                    "draft",
                    d=by_name["draft_presentation"],
                    blocks=_draft_blocks(by_name["draft_presentation"]),
                )
            )
        if "get_profile" in by_name:
            parts.append(self._render("profile", p=by_name["get_profile"].get("profile", profile)))
        if "save_pathway" in by_name:
            parts.append(
                self._render("saved", s=by_name["save_pathway"].get("saved", {}), variant=_variant(seed, 2))
            )
        if "submit_for_review" in by_name:
            parts.append(
                self._render(
                    "submitted",
                    s=by_name["submit_for_review"].get("submitted", {}),
                    variant=_variant(seed, 2),
                )
            )
        if meta.get("need_plan_first"):
            parts.append(self._render("need_plan_first"))

        ask = meta.get("ask")
        if ask and asked is None:
            parts.append(self._question_text(ask, profile, seed))
            asked = ask
        elif asked == "target":
            pass
        elif (by_name.get("plan_pathway") or {}).get("status") == "infeasible" or (
            "plan_pathway" in by_name and not by_name["plan_pathway"].get("steps")
        ):
            pass  # the infeasible-plan answer ends with its own question
        elif not errors or by_name:
            parts.append(self._next_step_text(profile, turn, seed, just_ran=set(by_name)))
        if not parts:
            parts.append(self._render("clarify", variant=0, question="", has_plan=bool(turn.pathway)))
        return self._answer("\n\n".join(p for p in parts if p.strip()), asked=asked)

    # ---- questions and next steps ---------------------------------------------------------------------------

    def _next_question(self, profile: dict, skipped: set[str], seed: str) -> tuple[str, str] | None:
        for field_name in QUESTION_ORDER:
            if field_name in skipped or _known(profile, field_name):
                continue
            return field_name, self._question_text(field_name, profile, seed)
        return None

    def _question_text(self, field_name: str, profile: dict, seed: str) -> str:
        return self._render(
            f"ask_{field_name}",
            # Rotate with the turn number so a question asked again never repeats word for word.
            variant=(int(seed.split(":", 1)[0] or 0) + len(field_name)) % 3,
            target=_target_label(profile),
            current_role=profile.get("current_role") or "",
        )

    def _next_step_text(self, profile: dict, turn: Turn, seed: str, just_ran: set[str] | None = None) -> str:
        just_ran = just_ran or set()
        return self._render(
            "next_steps",
            variant=_variant(seed, 3),
            has_plan=bool(turn.pathway) or "plan_pathway" in just_ran,
            has_target=bool(_target(profile)),
            has_posting=bool(turn.posting) or "analyze_posting" in just_ran,
            just_ran=sorted(just_ran),
        )

    # ---- message builders -----------------------------------------------------------------------------------

    @staticmethod
    def _call(name: str, args: dict) -> dict:
        return {"name": name, "args": args, "id": f"call_{uuid.uuid4().hex[:12]}", "type": "tool_call"}

    @staticmethod
    def _tools(calls: list[dict], **meta: Any) -> AIMessage:
        return AIMessage(content="", tool_calls=calls, response_metadata={META_KEY: meta})

    @staticmethod
    def _answer(text: str, asked: str | None = None) -> AIMessage:
        return AIMessage(content=text.strip(), response_metadata={META_KEY: {"asked": asked}})


# --------------------------------------------------------------------------------------------------------------
# Small helpers over the profile dict
# --------------------------------------------------------------------------------------------------------------


def _target(profile: dict) -> str | None:
    return ((profile.get("target") or {}).get("role")) or None


def _target_label(profile: dict) -> str:
    target = profile.get("target") or {}
    return target.get("role_label") or target.get("role") or ""


def _has_background(profile: dict) -> bool:
    return bool(profile.get("current_role") or profile.get("skills") or profile.get("credentials"))


def _known(profile: dict, field_name: str) -> bool:
    c = profile.get("constraints") or {}
    if field_name == "target":
        return bool(_target(profile))
    if field_name == "background":
        return _has_background(profile) or bool(profile.get("experience"))
    if field_name == "hours":
        return c.get("hours_per_week") is not None
    if field_name == "budget":
        return c.get("budget") is not None
    if field_name == "deadline":
        return c.get("weeks") is not None
    return True


def _merge(profile: dict, update: dict) -> dict:
    """The profile as it will be once update_profile has run (so the engine can plan ahead in one step)."""
    merged = json.loads(json.dumps(profile or {}))
    target = merged.setdefault("target", {})
    c = merged.setdefault("constraints", {})
    if "target_role" in update:
        target["role"] = update["target_role"]
        target["role_label"] = update.get("target_role_label") or update["target_role"]
    if "current_role" in update:
        merged["current_role"] = update["current_role"]
    merged.setdefault("skills", []).extend(update.get("add_skills", []))
    merged.setdefault("credentials", []).extend(update.get("add_credentials", []))
    for key in ("budget", "hours_per_week", "weeks", "currency"):
        if key in update:
            c[key] = update[key]
    return merged


def _draft_focus(low: str) -> str:
    if "cover letter" in low:
        return "cover_letter"
    if "linkedin" in low or "headline" in low:
        return "linkedin"
    if re.search(r"\b(resume|résumé|cv|bullet)", low):
        return "resume"
    return "all"


def _advice_topic(text: str) -> str | None:
    for topic, rx in ADVICE_TOPICS:
        if rx.search(text):
            return topic
    return None


INTEREST_RE = re.compile(
    r"\b(?:i (?:like|love|enjoy)|interested in|passionate about|good with|something (?:with|in|involving|related to)|"
    r"into|fascinated by|curious about)\s+(?P<x>[^.;!?\n]{3,80})",
    re.I,
)


def _interest_phrase(text: str) -> str | None:
    m = INTEREST_RE.search(text)
    if not m:
        return None
    phrase = _clean_phrase(re.split(r"\b(?:but|because|though|so)\b", m.group("x"), flags=re.I)[0])
    return phrase or None


SKIP_DRAFT_KEYS = {
    "notices",
    "warnings",
    "meta",
    "unsupported",
    "sources",
    "exports",
    "learner",
    "target",
    "today",
    "model",
    "cover_letter_for",
    "rewritten",
    "credentials",
    "talking_points",
}


def _draft_blocks(result: dict) -> list[dict]:
    """Presenter drafts as titled blocks of lines, whatever exact shape the presenter returns."""
    drafts = result.get("drafts") or {}
    focus = result.get("focus", "all")
    blocks: list[dict] = []

    def lines_of(value: Any) -> list[str]:
        if isinstance(value, str):
            return [value] if value.strip() else []
        if isinstance(value, list):
            out: list[str] = []
            for v in value:
                if isinstance(v, str):
                    out.append(v)
                elif isinstance(v, dict):
                    text = v.get("text") or v.get("bullet") or v.get("line") or v.get("content")
                    if isinstance(text, str):
                        out.append(text)
            return out
        if isinstance(value, dict):
            text = value.get("text") or value.get("content")
            return [text] if isinstance(text, str) else []
        return []

    order = {"resume": 0, "cover_letter": 1, "linkedin": 2}
    for key, value in drafts.items() if isinstance(drafts, dict) else []:
        if key in SKIP_DRAFT_KEYS:
            continue
        if isinstance(value, dict) and ("headline" in value or "about" in value):
            lines = [v for v in (value.get("headline"), value.get("about")) if isinstance(v, str) and v]
        else:
            lines = lines_of(value)
        if not lines:
            continue
        k = key.lower()
        kind = (
            "resume"
            if ("resume" in k or "bullet" in k)
            else "cover_letter"
            if "cover" in k
            else "linkedin"
            if ("linkedin" in k or "headline" in k)
            else "other"
        )
        blocks.append({"title": key.replace("_", " ").capitalize(), "lines": lines[:8], "kind": kind})
    blocks.sort(key=lambda b: (0 if b["kind"] == focus else 1, order.get(b["kind"], 3)))
    return blocks
