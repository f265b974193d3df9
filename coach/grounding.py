"""The grounding validator: every final answer is checked against the knowledge base before it is shown.

An answer may only name credentials, roles and skills that resolve in the catalogue or came back from a tool
this conversation; links must come from the knowledge base; prices and durations must equal a figure a tool
returned (or one the learner stated). The system prompt must not leak. An answer that fails is repaired by
dropping the offending sentences, or rejected so the agent can replace it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage

URL_RE = re.compile(r"https?://[^\s)>\]\"'`]+")
MONEY_RE = re.compile(
    r"(?:(?:USD|EUR|GBP|US\$|\$|€|£)\s?(?P<a>\d[\d,]*(?:\.\d+)?)\s?(?P<k>[kK]\b)?)"
    r"|(?:(?P<b>\d[\d,]*(?:\.\d+)?)\s?(?:dollars|usd|euros?|pounds)\b)",
    re.I,
)
DURATION_RE = re.compile(
    r"(?P<n>\d[\d,]*(?:\.\d+)?)(?:\s?(?:-|–|to)\s?(?P<m>\d[\d,]*(?:\.\d+)?))?\s?"
    r"(?P<unit>hours?|hrs?|h|weeks?|months?)\b",
    re.I,
)
EXAM_CODE_RE = re.compile(r"\b[A-Z]{2,4}\d?-[A-Z]?\d{2,4}\b")
# Claims about the learner: "you hold the CISSP", "your 8 years of experience", "you're a Kubernetes expert".
HOLDS_RE = re.compile(
    r"\byou(?:'ve| have| hold| already hold| already have| earned| passed| completed)\s+(?:the\s+|your\s+|an?\s+)?"
    r"(?P<name>[A-Z][\w+\-]*\+?(?:\s+[A-Z][\w+\-]*\+?){0,4})",
)
YEARS_CLAIM_RE = re.compile(r"\b(?:your|you have|you've got|with)\s+(?P<n>\d+(?:\.\d+)?)\+?\s+years?\b", re.I)
EXPERT_CLAIM_RE = re.compile(r"\byou(?:'re| are)\s+(?:an?\s+)?(?:[\w+-]+\s+){0,3}expert\b", re.I)
PLUS_CERT_RE = re.compile(r"(?<![\w+])([A-Z][A-Za-z]{0,12}\+)(?![\w+])")
CERT_ACRONYMS = {
    "CISSP", "CISM", "CISA", "CRISC", "CGEIT", "CCNA", "CCNP", "CCIE", "CCT", "PMP", "CAPM", "CEH", "OSCP",
    "OSCE", "OSWE", "CKA", "CKAD", "CKS", "CCSP", "SSCP", "CSSLP", "GSEC", "GCIH", "GPEN", "GCIA", "ITIL",
    "CSM", "PSM", "CBAP", "CCBA", "RHCSA", "RHCE", "LPIC", "CFA", "CPA", "SHRM-CP", "PHR", "CSCP", "CPIM",
}  # fmt: skip
PROVIDER_RE = re.compile(
    r"\b(CompTIA|AWS|Amazon Web Services|Microsoft|Azure|Google|Cisco|ISC2|\(ISC\)²|PMI|Salesforce|Oracle|"
    r"Red Hat|Linux Foundation|ISACA|EC-Council|GIAC|Offensive Security|Scrum Alliance|HubSpot|IBM|Tableau|"
    r"Splunk|VMware|Juniper|Palo Alto Networks|Fortinet|Snowflake|Databricks|Kubernetes)\s+"
    r"(?P<rest>(?:[A-Z0-9(][\w+\-.:()]*\s?){1,7})"
)
ROLE_CLAIM_RE = re.compile(
    r"\b(?:become|becoming|work as|working as|role as|job as|position as|career as|hired as)\s+(?:an?\s+|the\s+)?"
    r"(?P<role>[A-Za-z][\w\- ]{2,60}?)(?=\s+(?:in|within|by|with|and|but|because|so|for|at|after|if|who|that|role|"
    r"position|job)\b|[.,;:!?)]|$)"
)
NOT_A_ROLE_RE = re.compile(
    r"(?:better|stronger|more|most|competitive|good|great|successful|confident|strong|valuable|qualified|"
    r"certified|ready|part|member|team player|expert in|professional in|lot|bit|little)\b",
    re.I,
)
BOLD_RE = re.compile(r"\*\*([^*\n]{2,120})\*\*")
QUOTED_RE = re.compile(r"\"[^\"\n]{0,120}\"|“[^”\n]{0,120}”")
SENTENCE_SPLIT_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9*\"(])")
CERT_WORDS_RE = re.compile(
    r"(certif|certified|\+|exam|associate|professional|practitioner|fundamentals)", re.I
)


@dataclass
class Violation:
    """One thing in an answer the knowledge base does not support."""

    kind: str  # url | price | duration | credential | role | entity | prompt_leak
    text: str
    detail: str = ""


@dataclass
class GroundingReport:
    """The validator's verdict on one answer."""

    ok: bool
    text: str
    violations: list[Violation] = field(default_factory=list)
    repaired: bool = False
    rejected: bool = False

    def as_dict(self) -> dict[str, Any]:
        """JSON-able summary (stored in the agent state and shown in traces)."""
        return {
            "ok": self.ok,
            "repaired": self.repaired,
            "rejected": self.rejected,
            "violations": [{"kind": v.kind, "text": v.text, "detail": v.detail} for v in self.violations],
        }


@dataclass
class Evidence:
    """What an answer may state: figures, links and names from tool results, the profile and the learner."""

    numbers: list[float] = field(default_factory=list)
    urls: set[str] = field(default_factory=set)
    blob: str = ""
    held: set[str] = field(default_factory=set)  # names and ids of the credentials the profile says are held
    learner_words: str = ""  # what the learner wrote, lower case (claims about them must come from here)


def _walk(value: Any, strings: list[str], numbers: list[float]) -> None:
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, int | float):
        numbers.append(float(value))
    elif isinstance(value, str):
        strings.append(value)
    elif isinstance(value, dict):
        for k, v in value.items():
            if k == "text" and isinstance(v, str) and len(v) > 2000:
                continue  # a pasted posting is the learner's text, kept below; not repeated here
            _walk(v, strings, numbers)
    elif isinstance(value, list | tuple):
        for v in value:
            _walk(v, strings, numbers)


def _numbers_in(text: str) -> list[float]:
    out = []
    for m in re.finditer(r"\d[\d,]*(?:\.\d+)?", text):
        try:
            out.append(float(m.group(0).replace(",", "")))
        except ValueError:
            continue
    return out


def collect_evidence(messages: Sequence[BaseMessage], profile: dict | None = None) -> Evidence:
    """Everything the conversation established: tool results, the learner's words and the profile."""
    strings: list[str] = []
    numbers: list[float] = []
    if profile:
        _walk(profile, strings, numbers)
    for msg in messages:
        if isinstance(msg, ToolMessage):
            try:
                _walk(json.loads(str(msg.content)), strings, numbers)
            except json.JSONDecodeError:
                strings.append(str(msg.content))
        elif isinstance(msg, HumanMessage):
            strings.append(str(msg.content))
        elif isinstance(msg, SystemMessage) and "<learner_profile>" in str(msg.content):
            block = str(msg.content).split("<learner_profile>", 1)[1]
            strings.append(block)
    for s in strings:
        numbers.extend(_numbers_in(s))
    urls = {u.rstrip(".,;:") for s in strings for u in URL_RE.findall(s)}
    held = {
        str(c.get(k)).lower()
        for c in ((profile or {}).get("credentials") or [])
        if isinstance(c, dict)
        for k in ("id", "name")
        if c.get(k)
    }
    said = "\n".join(str(m.content) for m in messages if isinstance(m, HumanMessage)).lower()
    return Evidence(
        numbers=numbers, urls=urls, blob="\n".join(strings).lower(), held=held, learner_words=said
    )


class Grounder:
    """Validates answers against the catalogue (optional) and the conversation's evidence."""

    def __init__(self, catalog: Any = None, system_prompt: str = "") -> None:
        self.catalog = catalog
        self._prompt_shingles = _shingles(system_prompt, 8)
        self._catalog_urls: set[str] | None = None
        self._labels: set[str] | None = None

    # ---- catalogue lookups ----------------------------------------------------------------------------------

    def catalog_urls(self) -> set[str]:
        """Every official URL and source URL in the catalogue, and every page its guidance cites."""
        if self._catalog_urls is None:
            urls: set[str] = set()
            if self.catalog is not None:
                for cred in self.catalog.credentials.values():
                    if cred.url:
                        urls.add(cred.url.rstrip("/"))
                    for src in cred.sources:
                        if src.url:
                            urls.add(src.url.rstrip("/"))
                for rule in self.catalog.rules:
                    if rule.source_url:
                        urls.add(rule.source_url.rstrip("/"))
                for entry in getattr(self.catalog, "guidance", None) or []:  # the pages guidance cites
                    urls.update(st.source_url.rstrip("/") for st in entry.statements)
            self._catalog_urls = urls
        return self._catalog_urls

    def labels(self) -> set[str]:
        """Lower-cased names of every occupation and skill (with alternative labels) in the catalogue."""
        if self._labels is None:
            labels: set[str] = set()
            if self.catalog is not None:
                for occ in self.catalog.occupations.values():
                    labels.add(occ.title.lower())
                    labels.update(t.lower() for t in occ.alt_titles)
                    labels.update(t.name.lower() for t in occ.technology)
                for skill in self.catalog.skills.values():
                    labels.add(skill.label.lower())
                    labels.update(a.lower() for a in skill.alt_labels)
            self._labels = labels
        return self._labels

    def _credential_known(self, name: str, ev: Evidence) -> bool:
        name = name.strip(" .,:;()")
        if not name:
            return True
        if name.lower() in ev.blob:
            return True
        if self.catalog is not None:
            words = name.split()
            for n in range(len(words), 0, -1):
                candidate = " ".join(words[:n])
                if self.catalog.find_credential(candidate) is not None:
                    return True
        return False

    def _entity_known(self, name: str, ev: Evidence) -> bool:
        low = name.strip(" .,:;").lower()
        if not low or low in ev.blob:
            return True
        if self.catalog is not None:
            if (
                self.catalog.find_credential(name) is not None
                or self.catalog.find_occupation(name) is not None
            ):
                return True
            if low in self.labels():
                return True
        return False

    def _role_known(self, role: str, ev: Evidence) -> bool:
        low = role.lower()
        if low in ev.blob or low.rstrip("s") in ev.blob:
            return True
        if self.catalog is None:
            return True  # without a catalogue, roles cannot be checked; the other checks still apply
        return (
            any(self.catalog.find_occupation(c) is not None for c in (role, role.rstrip("s"), role + "s"))
            or low in self.labels()
        )

    # ---- checks ---------------------------------------------------------------------------------------------

    def check(self, text: str, ev: Evidence) -> list[Violation]:
        """Every unsupported claim in `text`."""
        out: list[Violation] = []
        if self._prompt_shingles and _shingles(text, 8) & self._prompt_shingles:
            out.append(Violation("prompt_leak", text[:80], "quotes the system prompt"))
        for url in URL_RE.findall(text):
            u = url.rstrip(".,;:)")
            if (
                u not in ev.urls
                and u.rstrip("/") not in self.catalog_urls()
                and u.rstrip("/") not in {x.rstrip("/") for x in ev.urls}
            ):
                out.append(Violation("url", u, "link not in the knowledge base"))
        unquoted = QUOTED_RE.sub(" ", text)
        for m in MONEY_RE.finditer(unquoted):
            raw = m.group("a") or m.group("b")
            value = float(raw.replace(",", ""))
            if m.group("k"):
                value *= 1000
            if not _near(value, ev.numbers, money=True):
                out.append(Violation("price", m.group(0).strip(), "price not from the catalogue"))
        for m in DURATION_RE.finditer(unquoted):
            unit = m.group("unit").lower()
            for raw in (m.group("n"), m.group("m")):
                if not raw:
                    continue
                value = float(raw.replace(",", ""))
                small = 4 if unit.startswith("h") else 1
                if value <= small:
                    continue  # "1-2 hours a day" style advice is not a catalogue claim
                ok = _near(value, ev.numbers)
                if not ok and unit.startswith("month"):
                    ok = _near(round(value * 52 / 12), ev.numbers, tolerance=2)
                if not ok and unit.startswith("week"):
                    ok = _near(value * 12 / 52, ev.numbers, tolerance=0.5)
                if not ok:
                    out.append(Violation("duration", m.group(0).strip(), "duration not from the catalogue"))
        for code in EXAM_CODE_RE.findall(text):
            if not self._credential_known(code, ev):
                out.append(Violation("credential", code, "unknown exam code"))
        for name in PLUS_CERT_RE.findall(text):
            if not self._credential_known(name, ev):
                out.append(Violation("credential", name, "unknown credential"))
        for token in re.findall(r"\b[A-Z][A-Z\-]{2,7}\b", text):
            if token in CERT_ACRONYMS and not self._credential_known(token, ev):
                out.append(Violation("credential", token, "unknown credential"))
        for m in PROVIDER_RE.finditer(text):
            phrase = f"{m.group(1)} {m.group('rest').strip()}"
            if (
                CERT_WORDS_RE.search(phrase)
                and not self._credential_known(phrase, ev)
                and not self._entity_known(phrase, ev)
            ):
                out.append(Violation("credential", phrase, "credential not in the catalogue"))
        for m in ROLE_CLAIM_RE.finditer(text):
            role = m.group("role").strip()
            if NOT_A_ROLE_RE.match(role):
                continue
            if not self._role_known(role, ev):
                out.append(Violation("role", role, "role not in O*NET or ESCO"))
        for name in BOLD_RE.findall(text):
            if not self._entity_known(name, ev) and not self._credential_known(name, ev):
                out.append(Violation("entity", name, "name not in the knowledge base"))
        out.extend(self._learner_claims(unquoted, ev))
        return out

    def _learner_claims(self, text: str, ev: Evidence) -> list[Violation]:
        """Claims about the learner the profile does not support: a credential they "hold", years of experience,
        being an "expert"."""
        out: list[Violation] = []
        for m in HOLDS_RE.finditer(text):
            name = m.group("name").strip(" .,:;")
            cred = self.catalog.find_credential(name) if self.catalog is not None else None
            known = {name.lower()} | ({cred.id.lower(), cred.name.lower()} if cred is not None else set())
            if (
                cred is not None or PLUS_CERT_RE.fullmatch(name) or name in CERT_ACRONYMS
            ) and not known & ev.held:
                out.append(
                    Violation(
                        "learner_claim", m.group(0).strip(), "the profile does not hold this credential"
                    )
                )
        for m in YEARS_CLAIM_RE.finditer(text):
            if not _near(float(m.group("n")), _numbers_in(ev.learner_words) + ev.numbers, tolerance=0.5):
                out.append(Violation("learner_claim", m.group(0).strip(), "years the learner did not state"))
        for m in EXPERT_CLAIM_RE.finditer(text):
            if "expert" not in ev.learner_words or re.search(
                r"nobody checks|no one checks|just (?:say|put|write)", ev.learner_words
            ):
                out.append(
                    Violation("learner_claim", m.group(0).strip(), "expertise the learner did not show")
                )
        return out

    def validate(
        self, text: str, messages: Sequence[BaseMessage], profile: dict | None = None
    ) -> GroundingReport:
        """Check an answer; repair it by dropping offending sentences, or reject it when little would remain."""
        ev = collect_evidence(messages, profile)
        violations = self.check(text, ev)
        if not violations:
            return GroundingReport(ok=True, text=text)
        if any(v.kind == "prompt_leak" for v in violations):
            return GroundingReport(ok=False, text="", violations=violations, rejected=True)
        units = _units(text)
        kept = [u for u in units if not self.check(u, ev)]
        if not kept or len(kept) < max(1, len(units) // 2):
            return GroundingReport(ok=False, text="", violations=violations, rejected=True)
        repaired = _join(kept)
        return GroundingReport(ok=False, text=repaired, violations=violations, repaired=True)


def _near(value: float, numbers: Iterable[float], money: bool = False, tolerance: float = 1.0) -> bool:
    for n in numbers:
        if money:
            # Prices are shown rounded to whole units: allow that rounding and nothing more.
            if abs(n - value) <= 0.5 + 0.001 * abs(n):
                return True
        elif abs(n - value) <= tolerance:
            return True
    return False


def _shingles(text: str, n: int) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9']+", text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def _units(text: str) -> list[str]:
    """Lines, and sentences within prose lines: the pieces an answer can lose without becoming garbled."""
    units: list[str] = []
    for line in text.split("\n"):
        if not line.strip():
            units.append("")
            continue
        if re.match(r"\s*([-*•]|\d+\.)\s", line):
            units.append(line)
        else:
            units.extend(SENTENCE_SPLIT_RE.split(line))
    return units


def _join(units: list[str]) -> str:
    out: list[str] = []
    for u in units:
        if u == "":
            if out and out[-1] != "\n\n":
                out.append("\n\n")
        elif re.match(r"\s*([-*•]|\d+\.)\s", u):
            if out and out[-1] not in ("\n\n", "\n"):
                out.append("\n")
            out.extend([u, "\n"])
        else:
            if out and out[-1] not in ("\n\n", "\n"):
                out.append(" ")
            out.append(u)
    return "".join(out).strip()


def answer_text(message: AIMessage) -> str:
    """The text of a chat model answer (content may be a list of parts)."""
    content = message.content
    if isinstance(content, str):
        return content
    parts = []
    for part in content:
        if isinstance(part, str):
            parts.append(part)
        elif isinstance(part, dict) and part.get("type") == "text":
            parts.append(str(part.get("text", "")))
    return "".join(parts)
