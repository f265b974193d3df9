"""A remote model's tool arguments, checked against what the learner actually wrote.

A remote chat model can read "jobs paying 120k" as a budget, "6 years in retail" as a deadline, or write into
the profile a credential the learner only asked about (or asked it to fake). Before `update_profile` runs, its
arguments are compared with the offline understanding of the learner's last message: figures (budget, hours,
weeks) and credentials are kept only as the understanding read them, and a request to claim something untrue
records nothing.
"""

from __future__ import annotations

from typing import Any

from coach.dialogue.understand import Understanding

_FIGURES = ("budget", "currency", "hours_per_week", "weeks")


def checked_profile_update(args: dict[str, Any], u: Understanding, catalog: Any) -> dict[str, Any]:
    """`update_profile` arguments as the learner's words support them (see the module docstring)."""
    if u.fabrication:
        return {}
    out = {k: v for k, v in args.items() if k not in _FIGURES and k != "add_credentials"}
    if u.budget is not None:
        out["budget"] = u.budget.value
        out["currency"] = u.budget.currency
    if u.hours is not None and 0 < u.hours.value <= 100:
        out["hours_per_week"] = u.hours.value
    if u.deadline is not None and 0 < u.deadline.value <= 520:
        out["weeks"] = int(u.deadline.value)
    if u.credentials:
        names = getattr(catalog, "credentials", {}) or {}
        out["add_credentials"] = [
            {"name": names[m.credential_id].name if m.credential_id in names else m.name, "status": m.status}
            for m in u.credentials
        ]
    if u.target is not None and (u.target.onet_soc or u.target.uri):
        out["target_role"] = u.target.onet_soc or u.target.uri
        out["target_role_label"] = u.target.matched
    return out
