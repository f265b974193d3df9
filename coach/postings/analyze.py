"""`analyze_posting(text, profile)`: sections, requirement spans, taxonomy links, title → occupation,
seniority, salary and, with a profile, the honest match and gap credentials."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from coach.errors import BadInput
from coach.models import PostingAnalysis, Profile, Requirement, RoleMatch, SalaryRange
from coach.postings.extract import extract_requirements
from coach.postings.gaps import gap_credentials
from coach.postings.header import _salary_text, _title_core, find_salary, infer_seniority
from coach.postings.linking import _link_skills, _profile_skill_texts
from coach.postings.match import link_alternatives, match_profile
from coach.postings.rules import _required
from coach.postings.sections import _section_map
from coach.postings.spans import _Span
from coach.postings.tagger import SpanTagger
from coach.postings.text import NOTHING_FOUND, check_posting_text
from coach.settings import Settings

if TYPE_CHECKING:
    from coach.embeddings import Embedder
    from coach.knowledge.catalog import Catalog
    from coach.skills.linker import SkillLinker

# What a posting may hold when the caller states no limit (the settings' default; faces pass theirs).
DEFAULT_MAX_CHARS: int = Settings.model_fields["max_posting_chars"].default
# Below this the closest occupation is a guess ("ignore previous instructions" → "tourist guide").
MIN_ROLE_SCORE = 0.5


def analyze_posting(
    text: str,
    profile: Profile | None = None,
    *,
    catalog: Catalog,
    linker: SkillLinker,
    tagger: SpanTagger,
    embedder: Embedder | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
    today: date | None = None,
) -> PostingAnalysis:
    """Analyse a posting: sections, requirements (spans of `text`) with ESCO skills, title → occupation,
    seniority, salary; with a profile also the honest match, score and gap credentials (compared by meaning
    with `embedder`, default the linker's); without one, the credentials that cover the most requirements."""
    text = check_posting_text(text, max_chars)
    if isinstance(profile, dict):
        from pydantic import ValidationError

        try:
            profile = Profile.model_validate(profile)
        except ValidationError as exc:
            raise BadInput(
                f"The profile is not valid: {exc.errors()[0].get('msg', 'invalid value')}"
            ) from exc
    ex = extract_requirements(text, catalog, tagger)
    requirements = [_to_requirement(text, sp) for sp in ex.spans]
    link_alternatives(text, requirements)
    analysis = PostingAnalysis(
        title=ex.title,
        sections=_section_map(ex.sections),
        requirements=requirements,
        notices=list(ex.notices),
        untrusted_lines=list(ex.untrusted),
    )
    english = not any(n.startswith(NOTHING_FOUND) for n in ex.notices)
    if ex.title and english:
        analysis.occupation = _titled_occupation(catalog, _title_core(ex.title), text)
        roles = [] if analysis.occupation else linker.rank_roles(_title_core(ex.title), top_k=1)
        if analysis.occupation is None and roles and roles[0].score >= MIN_ROLE_SCORE:
            analysis.occupation = roles[0]
        elif analysis.occupation is None:
            analysis.notices.append(f"the title {ex.title!r} did not match an occupation closely enough")
    # Requirements are linked knowing the occupation (a link outside its field is demoted); the profile's
    # skills go in the same call, and match_profile then finds them in the link cache.
    _link_skills(
        requirements,
        ex.spans,
        linker,
        catalog,
        also=_profile_skill_texts(profile),
        occupation=analysis.occupation,
        sentence_vectors=ex.sentence_vectors,
    )
    years = [r.years for r in requirements if r.kind == "experience" and r.years is not None and r.required]
    analysis.seniority = infer_seniority(ex.title, years)
    salary = find_salary(text)
    if salary:
        analysis.salary = _salary_text(salary)
        analysis.salary_range = SalaryRange(**salary)
    if not requirements and not any(n.startswith(NOTHING_FOUND) for n in analysis.notices):
        analysis.notices.append(
            f"{NOTHING_FOUND}: no skills, tools, certifications or experience requirements"
        )
    if profile is not None:
        match_profile(analysis, profile, catalog=catalog, linker=linker, embedder=embedder, today=today)
    else:
        # Nothing to match against: every requirement is still to show, so name the credentials that cover the
        # most of what the posting asks (a job seeker without a profile still learns where to start).
        unique = {r.text.casefold(): r for r in requirements}
        analysis.gap_credentials = gap_credentials(list(unique.values()), catalog)
    return analysis


TITLED_SCORE = 1.0  # an exact title match: the occupation is known by that very title


def _titled_occupation(catalog: Catalog, title: str, text: str) -> RoleMatch | None:
    """The occupation a posting's title is, when the title is one an occupation is known by (O*NET's titles,
    alternate and reported titles, ESCO's labels: "Help Desk Technician" is a Computer User Support Specialist,
    not ESCO's after-sales technician); a title several occupations share is settled by the posting's words.
    None when the title is not a known title (the linker's similarity ranking decides then)."""
    found = catalog.titles.resolve(title, context=text[:3000])
    if found is None or found.how != "title" or not found.onet_soc:
        return None
    uri = found.uri
    if uri is None:  # an O*NET title: the ESCO occupation its crosswalk links first
        occ = catalog.occupations.get(found.onet_soc)
        uri = occ.links[0].target if occ is not None and occ.links else None
    esco = catalog.occupations.get(uri or "")
    if esco is None:
        return None
    # Named as the matched source names it: the O*NET occupation for an O*NET title ("Information Security
    # Analysts"), the ESCO one for an ESCO label; `uri` stays the ESCO concept for ESCO-based tools.
    onet = catalog.occupations.get(found.onet_soc)
    label = esco.title if found.uri else (onet.title if onet is not None else esco.title)
    return RoleMatch(uri=esco.id, label=label, onet_soc=found.onet_soc, score=TITLED_SCORE)


def _to_requirement(text: str, sp: _Span) -> Requirement:
    lo, hi = sp.sentence
    return Requirement(
        text=text[sp.start : sp.end],
        start=sp.start,
        end=sp.end,
        sentence=text[lo:hi],
        section=sp.section,
        kind=sp.kind,  # type: ignore[arg-type]
        required=_required(text, sp),
        credentials=list(sp.credentials),
        years=sp.years,
    )
