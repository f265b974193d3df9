"""What the offline engine listens for: the regular expressions and word tables that read a learner's text.

Pure data, no logic: `facts` uses the extraction patterns (money, hours, deadlines, roles, skills,
credentials), `state` the ones that settle a constraint without a question, `policy` the intent, tone and
topic patterns.
"""

from __future__ import annotations

import calendar
import re

# The learner's profile, as the agent puts it in the system message.
PROFILE_RE = re.compile(r"<learner_profile>\s*(.*?)\s*</learner_profile>", re.S)


# Numbers written as words, units of time in weeks, month names (full and abbreviated) to numbers.
NUM_WORDS = {
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
UNIT_WEEKS = {"week": 1.0, "month": 52 / 12, "year": 52.0}
MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})


# Declining a question, settling a constraint without a number, asking to plan now.
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

# Tone and safety: abuse, attempts to read or override the instructions, injected lines in pasted data.
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

# Small talk, career vocabulary and off-topic subjects.
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

# Words that mark a pasted job posting.
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

# What the learner wants (several may match), and the topic of a request for advice.
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
    # Only a message that is the request itself: "reset" inside a sentence ("how do I reset my password for
    # the exam portal?") must not wipe the conversation.
    "reset": re.compile(
        r"^\W*(?:ok(?:ay)?\W+|please\W+|pls\W+|can\s+we\s+|could\s+we\s+|let'?s\s+|i\s+(?:want|would\s+like|'d\s+like)\s+to\s+)?"
        r"(?:start\s+(?:over|again|from\s+scratch)|forget\s+(?:everything|it\s+all)|reset(?:\s+(?:everything|the\s+chat|"
        r"the\s+conversation|my\s+profile|all))?|begin\s+again)(?:\s+(?:please|pls|from\s+scratch|then))?\W*$",
        re.I,
    ),
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

# Roles: the one aimed for, where its phrase ends, the one held now, and phrases that are not roles.
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

# Skills and credentials the learner has or is working on.
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

# Money, weekly hours and deadlines.
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
    r"\bby\s+(?:the\s+end\s+of\s+)?(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\b"
    r"(?:\s+(?P<year>\d{4}))?",
    re.I,
)
END_OF_YEAR_RE = re.compile(r"\bby (the )?end of (the|this) year\b", re.I)

# Phrases after "want to become" that name no role ("ready", "the first one").
NOT_TARGETS_RE = re.compile(
    r"(it|that|this|there|them|something|anything|better|more|a better job|shape|trouble|ready|able|done|"
    r"prepared|sure|honest|certified|good|happy|that one|the first( one)?|the second( one)?|option \d|"
    r"computers?|tech|technology|it field)",
    re.I,
)

# A field of interest ("I like working with computers") when no role is named.
INTEREST_RE = re.compile(
    r"\b(?:i (?:like|love|enjoy)|interested in|passionate about|good with|something (?:with|in|involving|related to)|"
    r"into|fascinated by|curious about)\s+(?P<x>[^.;!?\n]{3,80})",
    re.I,
)
