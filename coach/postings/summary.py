"""A short readable summary of an analysis (what the CLI prints without --json)."""

from __future__ import annotations

from coach.models import PostingAnalysis


def summary_lines(analysis: PostingAnalysis) -> list[str]:
    """A few lines a person can read: title, role, requirements by kind, and the match when there is one."""
    out = [f"Title: {analysis.title or '(not found)'}"]
    if analysis.occupation:
        occ = analysis.occupation
        out.append(f"Occupation: {occ.label} ({occ.onet_soc or occ.uri}, score {occ.score:.2f})")
    if analysis.seniority:
        out.append(f"Seniority: {analysis.seniority}")
    if analysis.salary:
        out.append(f"Salary: {analysis.salary}")
    out.extend(f"Note: {n}" for n in analysis.notices)
    if analysis.requirements:
        out.append(f"Requirements ({len(analysis.requirements)}):")
    for r in analysis.requirements:
        tag = "required" if r.required else "preferred"
        extra = f", {r.years:g}+ years" if r.years is not None else ""
        mark = f"[{r.match}] " if r.match else ""
        skills = ", ".join(s.label for s in r.skills[:2])
        line = f"  {mark}{r.text} ({r.kind}, {tag}{extra})"
        if r.credentials:
            line += f" → {', '.join(r.credentials)}"
        elif skills:
            line += f" → {skills}"
        out.append(line)
        if r.evidence:
            out.append(f"      evidence: {'; '.join(r.evidence)}")
    if analysis.score is not None:
        out.append(f"Match score: {analysis.score:g}/100")
        if analysis.score_explanation:
            out.append(analysis.score_explanation)
    if analysis.gap_credentials:
        out.append("Credentials that close gaps:")
        for c in analysis.gap_credentials:
            cost = f"{c.cost:,.0f}" if c.cost is not None else "cost not stated"
            hours = f"{c.hours:,.0f} h" if c.hours is not None else "hours not stated"
            out.append(f"  {c.name} ({c.provider}; {cost}; {hours}) covers: {'; '.join(c.covers)}")
    return out
