"""Small text helpers shared by the planner's modules (money, ids) and the readable plan for the terminal."""

from __future__ import annotations

import re

from coach.models import Pathway


def _money(v: float, currency: str = "USD") -> str:
    return f"{currency} {v:,.0f}" if abs(v - round(v)) < 0.005 else f"{currency} {v:,.2f}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "item"


def pathway_text(pathway: Pathway) -> str:
    """A readable plan for the terminal."""
    from coach.texts import render

    return render("planner_text.md", p=pathway, money=_money)
