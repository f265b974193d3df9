"""What a learner message wants: the closed set of intents (plan, draft, posting, question, change, greeting...)
and the cues the reader needs for them (quoted pastes, sentences, keyboard mash, fabrication requests)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coach.dialogue.understand import Understanding

INTENTS = ("give_facts", "ask_plan", "ask_question", "ask_draft", "posting", "change", "greeting", "other")

# ---- intents ------------------------------------------------------------------------------------------------

_PLAN_RE = re.compile(
    r"\b(?:(?:make|build|give|create|draw up|put together|suggest|recommend|map out|lay out|plan)\s+(?:me\s+)?(?:an?\s+|the\s+|my\s+)?"
    r"(?:\d+[- ]\w+\s+)?(?:plan|pathway|roadmap|path|steps|route|schedule|study plan)|plan\s+(?:the\s+)?(?:steps|it|this|that|for\s+me|pls|please)|"
    r"(?:re-?do|redo|update|redo|re-?plan|re-?run|refresh|revise|change)\s+(?:the\s+|my\s+)?(?:plan|pathway|roadmap)|replan|re-plan|"
    r"what\s+(?:else\s+)?(?:should|do|would|could|can)\s+i\s+(?:learn|study|do|take|get|focus on|start with)|"
    r"where\s+(?:do|should|can)\s+i\s+(?:even\s+)?start|how\s+do\s+i\s+(?:move\s+up|get\s+there|get\s+started|start|get\s+into|break\s+into|become)|"
    r"what(?:'s|\s+is)\s+(?:the\s+)?(?:next\s+step|first\s+step|best\s+path|best\s+route|fastest\s+way)|now\s+what|what\s+next\b(?!\s*,)|"
    r"(?:suggest|recommend)\s+(?:some\s+|me\s+)?(?:certs?|certifications?|courses?|credentials?|a\s+roadmap|roadmap)|"
    r"(?:please|pls|plz)\s+(?:guide|help|suggest)|guide\s+me|roadmap\s+pls|plan\s+pls|"
    r"what\s+certs?\s+(?:should|would|could|do)|which\s+certs?\s+should\s+i|what\s+(?:certifications?|courses?)\s+(?:should|would|do)|"
    r"plan\s+for\s+\d+\s+\w+|\d+[- ](?:week|month)\s+plan|steps?\s+(?:for|to)\s+me|what\s+do\s+i\s+do\s+first|"
    r"help\s+me\s+(?:plan|get|become|move|switch)|(?:a|my)\s+plan\b(?=[^.?!]*\?)|"
    r"can\s+you\s+(?:re-?)?(?:plan|do\s+(?:it|that|a\s+plan)|redo\s+(?:it|that|the\s+plan)|make\s+(?:it|one))\b|"
    r"(?:re-?do|redo)\s+(?:it|that)\b|what\s+(?:would|do|can)\s+you\s+(?:suggest|recommend)|"
    r"suggest\s+i\s+(?:study|learn|do|take|start)|where\s+to\s+start)",
    re.I,
)
_DRAFT_RE = re.compile(
    r"\b(?:cover\s+letter|resume|résumé|cv\b|bullets?|linkedin|headline|about\s+section|elevator\s+pitch|pitch|"
    r"star\s+(?:answers?|stories|points|method|format)|\bSTAR\b|interview\s+answers?|personal\s+statement|"
    r"summary\s+for\s+my|bio\b|posts?\s+announcing)\b",
    re.I,
)
_DRAFT_ASK_RE = re.compile(
    r"\b(?:write|draft|do|give|make|turn|help|tailor|prepare|create|rewrite|polish|fix|need|want|could|can|would|pls|please)\b",
    re.I,
)
_POSTING_RE = re.compile(
    r"\b(?:(?:this|the|a|that)\s+(?:job\s+)?(?:posting|post|listing|ad|advert|advertisement|vacancy|opening|job\s+description|jd)|"
    r"here'?s\s+(?:a|the|one)|check\s+this|against\s+(?:this|the)\s+(?:job|posting|role)|"
    r"job\s+(?:posting|ad|description)\s*:|requirements\s*:|responsibilities\s*:|qualifications\s*:|"
    r"my\s+friend\s+sent\s+me\s+this|found\s+this\s+(?:job|one|posting))\b",
    re.I,
)
# A sentence without "?" is a question only when it is built like one: "how long does it take", "do I need",
# "is it worth"; "can spend 500" and "could do 5 hrs" are chat shorthand for facts.
_QUESTION_START_RE = re.compile(
    r"^(?:(?:how|what|what's|whats|which|why|when|where|who)\b|"
    r"(?:is|are|was|were|does|do|did|can|could|should|would|will|isn'?t|doesn'?t|am)\s+(?:i|you|we|it|they|there|"
    r"the|a|an|my|this|that|these|those|employers?|anyone|someone|people|companies|it)\b|"
    r"tell\s+me|explain|wondering|curious|any\s+(?:tips|advice|idea))",
    re.I,
)
_GREETING_RE = re.compile(
    r"^\W*(?:hi|hello|hey|hiya|howdy|yo|hallo|hola|bonjour|good\s+(?:morning|afternoon|evening|day)|g'?day|greetings|"
    r"thanks|thank\s+you|thx|ty|cheers|ok(?:ay)?|cool|great|awesome|nice|bye|goodbye|see\s+you|talk\s+soon|"
    r"have\s+a\s+(?:good|nice)\s+\w+|how\s+are\s+you(?:\s+today|\s+doing)?|what'?s\s+up|sup|hi\s+there|hey\s+there|"
    r"that\s+(?:plan\s+)?(?:looks|sounds|is)\s+(?:great|good|perfect|helpful|amazing)|coach|there|today|so\s+much|"
    r"a\s+lot|lots|again|for\s+(?:the|your|all\s+the|all\s+your)\s+help|for\s+that|mate|buddy|friend|folks|"
    r"everyone|appreciate\s+it|much\s+appreciated|see\s+ya|later|bye\s+for\s+now|catch\s+you\s+later|"
    r"lol|:\)|!+|\?+|\.+|,|\s)+\W*$",
    re.I,
)
_INJECTION_RE = re.compile(
    r"\b(?:ignore\s+(?:all\s+)?(?:your|the|previous|prior|above)\s+(?:\w+\s+)?(?:instructions|rules|prompts?)|"
    r"system\s+prompt|developer\s+mode|jailbreak|you\s+are\s+now|api\s+key|admin\s+rights|act\s+as\s+(?:an?\s+)?(?:unrestricted|dan)|"
    r"^\s*system\s*:|reveal\s+your|print\s+your\s+(?:prompt|instructions)|hack\s+(?:into|my\s+ex)|get\s+into\s+my\s+ex|"
    r"someone'?s\s+(?:account|password|instagram|email))",
    re.I | re.M,
)
# Asking the coach to claim what the learner has not done: "say I have", "bullets that say I already have the
# A+", "list Security+ as earned", "make it look like I passed", "nobody checks".
_CLAIM_VERBS = r"(?:have|hold|has|am|was|did|got|earned|passed|completed|finished|own|worked|led|managed)"
_FAKE_RE = re.compile(
    r"\b(?:put|say|saying|write|add|list|claim|claiming|state|stating|show|showing|pretend|mention|include)\s+"
    r"(?:down\s+|in\s+)?(?:that\s+)?i\s+"
    rf"(?:already\s+|actually\s+|really\s+|also\s+|have\s+)?{_CLAIM_VERBS}\b[^.?!]*|"
    # "bullets that say I already have the A+": what a draft is asked to say (not "my resume says I worked").
    r"\b(?:bullets?|resume|résumé|cv|cover\s+letter|letter|profile|linkedin|summary|headline|draft|it|one)\s+"
    r"(?:that|which|to)\s+(?:says?|shows?|states?|lists?|claims?|mentions?)\s+(?:that\s+)?i\s+"
    rf"(?:already\s+|actually\s+|also\s+|have\s+)?{_CLAIM_VERBS}\b[^.?!]*|"
    r"\b(?:list|put|add|mark|count|show|write)\s+(?:down\s+)?(?:the\s+|my\s+)?[\w+#./ -]{1,40}?\s+as\s+"
    r"(?:earned|done|completed|passed|held|finished|already\s+\w+)\b|"
    rf"\bas\s+if\s+i\s+(?:already\s+)?(?:had|have|held|hold|passed|earned|completed|was|did)\b|"
    r"\bpretend\b|\bnobody\s+checks\b|\bno\s+one\s+checks\b|\bfake\s+(?:a|the|my|it|some)\b|"
    r"\bmake\s+(?:it|me)\s+look\s+like\b",
    re.I,
)
_ABUSE_RE = re.compile(
    r"\b(?:useless|garbage|trash|stupid|idiot|dumb|sucks?|worthless|shut\s+up|hate\s+you|f+u+c+k\w*|shit\w*|crap|"
    r"moron|pathetic|waste\s+of\s+(?:my\s+)?time\s+talking)\b",
    re.I,
)
_CAREER_RE = re.compile(
    r"\b(?:job|jobs|career|work|role|cert\w*|course\w*|study|studying|learn\w*|skill\w*|resume|cv|interview|"
    r"salary|hire|hired|hiring|employ\w*|exam|degree|apprentice\w*|intern\w*|training|budget|posting|plan|"
    r"pathway|roadmap|experience|qualif\w*|promotion|boss|manager|company|industry|field|switch|transition|"
    r"informatics|management|analyst|engineer\w*|developer|technician|tech|nurs\w*|data|cloud|security|cyber\w*|"
    r"coding|marketing|accounting|bookkeep\w*|bootcamp|worth|employers?|recogni[sz]\w*|credential|pay|paid|"
    r"portfolio|linkedin|coach|advice|realistic|prerequisites?|renew\w*|voucher|free|study|deadline|hours|"
    r"cost\w*|price\w*|cheap\w*|expensive|fees?|afford\w*)\b",
    re.I,
)
_CHANGE_RE = re.compile(
    r"\b(?:actually|update[d:]?|correction|correct(?:ing)?\s+(?:that|myself)|scratch\s+that|forget\s+(?:that|it|about|what|the)|"
    r"instead|anymore|any\s+more|no\s+longer|changed?\s+my\s+mind|new\s+plan|i\s+said\b[^.]*\bbefore|sorry,?\s+i\s+(?:said|meant|gave)|"
    r"i\s+meant|not\s+\d[^.]*anymore|turns\s+out|has\s+to\s+go\s+(?:up|down)|now\s*,?\s+not\b|only\s+do\b[^.]*\bnow|"
    r"(?:got|been)\s+promoted|i'?d\s+rather|rather\s+be|was\s+wrong|thought\s+about\s+it\s+more|so\s+that'?s\s+done|"
    r"(?:can|could)\s+(?:actually\s+)?do\s+[^.]*\bnow\b|just\s+passed|passed\b[^.]*\byesterday|update\s+my|scrap|drop\s+the)\b",
    re.I,
)
_REFUSAL_RE = re.compile(
    r"\b(?:no\s+idea|no\s+clue|not\s+sure|dunno|don'?t\s+know|no\s+deadline|whenever|no\s+rush|asap|as\s+soon\s+as|"
    r"whatever\s+it\s+costs|money'?s?\s+not|not\s+a\s+(?:concern|problem)|flexible|depends|haven'?t\s+decided|"
    r"i\s+guess|something\s+with|like\s+yesterday|open\s+to\s+anything)\b",
    re.I,
)
_SELF_RE = re.compile(
    r"\b(?:i'?m|i\s+am|im|i\s+have|i'?ve|i\s+work|i\s+do|i\s+can|i\s+could|i\s+know|i\s+did|i\s+passed|i\s+finished|"
    r"my\s+(?:job|role|background|budget|experience|boss|company|employer)|i\s+teach|i\s+run|i\s+manage|i\s+make|"
    r"i\s+got|i\s+hold|i\s+just|i\s+want|i'?d\s+like|i\s+like|i\s+built|i\s+trained|i\s+led|my\s+name\s+is|"
    r"call\s+me|i'?m\s+called)\b",
    re.I,
)
# A quoted passage opens after a space or colon and closes before a space or punctuation, so the apostrophes
# of "I'm ... I've" never pair up.
_QUOTED_RE = re.compile(
    r"(?:(?<=^)|(?<=[\s:(]))(?:'|\"|“|‘)(?=\S)([^\"”’]{40,}?)(?<=\S)(?:'|\"|”|’)(?=[\s.,!?;:)]|$)", re.S
)


def _looks_like_gibberish(text: str) -> bool:
    """True for keyboard mash ("asdf jjjj"): most words are mash runs, repeated letters or have no vowel."""
    words = re.findall(r"[a-z]+", text.lower())
    if not words or _CAREER_RE.search(text):
        return False
    mash = [
        w
        for w in words
        if re.fullmatch(
            r"(?:asdf|qwer|zxcv|hjkl|jkl|sdf|fgh|dfg|wer)\w*|(\w)\1{2,}|[^aeiouy]{4,}|[^aeiouy]{1,2}", w
        )
        and w not in ("ok", "hi", "yo", "my", "by", "pm", "it", "hr", "ux", "qa", "bi")
    ]
    return len(mash) / len(words) >= 0.5


def _mask_quotes(text: str) -> tuple[str, bool]:
    """The text with long quoted passages (a pasted posting) blanked out, and whether there were any."""
    masked, n = _QUOTED_RE.subn(lambda m: " " * len(m.group(0)), text)
    return masked, n > 0


def _sentences(text: str) -> list[tuple[int, int]]:
    out, start = [], 0
    for m in re.finditer(r"[.!?]+(?=\s|$)|\n+", text):
        out.append((start, m.end()))
        start = m.end()
    if start < len(text):
        out.append((start, len(text)))
    return [(s, e) for s, e in out if text[s:e].strip()]


def detect_intents(text: str, masked: str, quoted: bool, u: Understanding) -> list[str]:
    """The intents of one message (of `INTENTS`), given its facts as read so far in `u`."""
    intents: list[str] = []
    low = text.strip()
    questions = [
        text[s:e]
        for s, e in _sentences(masked)
        if "?" in text[s:e] or _QUESTION_START_RE.match(text[s:e].strip())
    ]
    posting = (
        bool((quoted and _POSTING_RE.search(masked)) or (_POSTING_RE.search(masked) and quoted))
        or bool(
            quoted
            and re.search(
                r"\b(?:requirements?|required|preferred|experience|/hr|salary|hiring|remote|hybrid|shifts?)\b",
                text,
                re.I,
            )
        )
        or (
            len(text) > 400
            and len(
                re.findall(
                    r"\b(?:requirements?|responsibilities|qualifications|apply|benefits|experience)\b",
                    text,
                    re.I,
                )
            )
            >= 2
        )
    )
    draft = bool(_DRAFT_RE.search(masked) and _DRAFT_ASK_RE.search(masked)) and not re.search(
        r"\b(?:is|are|does|do)\s+(?:a|my|the)\s+(?:resume|cv|cover letter)\b[^?]*\?", masked, re.I
    )
    plan = bool(_PLAN_RE.search(masked))
    facts = (
        u.has_facts()
        or bool(u.declined)
        or bool(u.asked and _REFUSAL_RE.search(masked))
        or (u.asked is not None and not questions and len(masked.split()) <= 14)
    )
    if (
        not facts
        and _SELF_RE.search(masked)
        and not u.fabrication
        and not re.fullmatch(r"[^.?!]*\?", masked.strip())
    ):
        facts = bool(
            re.search(r"\b(?:i'?m|i\s+am|i\s+have|i'?ve|i\s+work|i\s+know|i\s+can|my\s+\w+)\b", masked, re.I)
        ) and not _QUESTION_START_RE.match(low)
    other = (
        bool(_INJECTION_RE.search(text))
        or u.fabrication
        or (_ABUSE_RE.search(text) and not facts and not plan)
    )
    gibberish = _looks_like_gibberish(text)
    greeting = bool(_GREETING_RE.match(low)) and not facts
    if other or (gibberish and not facts):
        return ["other"]
    if facts:
        intents.append("give_facts")
    if facts and _CHANGE_RE.search(masked):
        intents.append("change")
    if plan:
        intents.append("ask_plan")
    if draft:
        intents.append("ask_draft")
    if posting:
        intents.append("posting")
    plan_questions = [q for q in questions if _PLAN_RE.search(q)]
    draft_questions = [q for q in questions if draft and _DRAFT_RE.search(q)]
    real_questions = [q for q in questions if q not in plan_questions and q not in draft_questions]
    if real_questions and not (
        len(real_questions) == 1
        and re.fullmatch(
            r"\W*(?:by\s+\w+|plan\s+for[^?]*|\d+[^?]*|[^?]{0,20}maybe)\?\W*",
            real_questions[0].strip(),
            re.I,
        )
    ):
        intents.append("ask_question")
    if greeting and not intents:
        return ["greeting"]
    if intents == ["ask_question"] and not (_CAREER_RE.search(text) or u.mentioned or u.credentials):
        return ["other"]  # "what's the weather in Paris?": a question, but not one a career coach answers
    if not intents:
        if not _CAREER_RE.search(text) and not u.credentials and not u.mentioned:
            return ["other"]
        if "?" in text:
            return ["ask_question"]
    return intents
