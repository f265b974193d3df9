"""The built-in offline dialogue engine: a LangChain chat model that coaches without any remote LLM.

It reads the conversation (the learner's profile is in the system message between <learner_profile> tags),
recognises what the learner wants and the facts they gave (target role through the catalogue and the
taxonomy linker, credentials through the catalogue; skills, money, hours, deadlines through regular
expressions), asks for what is missing one question at a time, emits tool calls, and, once the tools have
answered, writes its reply from the `prompts/answers/` templates filled with the tool results. Every turn
takes at most two model calls: one that decides the tool calls (run in order by the agent), one that writes
the answer.

The modules, in import order (each imports only those before it):

- `patterns`: the regular expressions and word tables;
- `facts`: the facts in one learner message (`Facts`, `extract_*`, `is_posting`, role and credential lookups);
- `state`: the conversation so far (`Turn`, `read_turn`) and helpers over the profile dict;
- `compose`: the wording of replies (templates, questions, next steps, the answer after the tools ran);
- `policy`: what to do with a new message (which tools to call, or which question to ask);
- `model`: `OfflineCoachModel`, the LangChain chat-model adapter over policy and compose.
"""

from coach.dialogue.facts import (
    Facts,
    extract_current_role,
    extract_hours,
    extract_money,
    extract_skills,
    extract_target_phrase,
    extract_target_phrases,
    extract_weeks,
    is_posting,
)
from coach.dialogue.model import OfflineCoachModel
from coach.dialogue.state import META_KEY, Turn, read_turn

__all__ = [
    "META_KEY",
    "Facts",
    "OfflineCoachModel",
    "Turn",
    "extract_current_role",
    "extract_hours",
    "extract_money",
    "extract_skills",
    "extract_target_phrase",
    "extract_target_phrases",
    "extract_weeks",
    "is_posting",
    "read_turn",
]
