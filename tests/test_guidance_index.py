"""Guidance as its own kind in the hybrid index: documents with citations, search in learners' own words, the
agent tool and `coach kb search|stats`, and edits that reach the index (fixture catalogue + the real guidance)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from test_kb_cli import _use_catalog, run_cli
from test_retrieval import CountingEmbedder, small_catalog

from coach import knowledge, retrieval
from coach.knowledge import Catalog, _cache_key
from coach.knowledge.guidance import GuidanceEntry, guidance_dir, load_guidance
from coach.models import Profile
from coach.retrieval import KnowledgeIndex, build_index
from coach.retrieval.documents import guidance_document
from coach.settings import Settings, get_settings
from coach.tools import Backends, ToolContext, run_tool

ROOT = Path(__file__).resolve().parent.parent
FOLDER = guidance_dir(ROOT / "knowledge_base")

# Learners' questions in their own words (none is a title or question form of the files: checked below), and
# the entry that answers each. Searched with kind="guidance", each must come first.
OWN_WORDS = {
    # apprenticeships
    "are US apprenticeships actual paying jobs with training": "apprenticeship-us-registered",
    "where do I search for apprenticeship openings": "apprenticeship-us-find",
    # renewal
    "my security plus runs out in 2027, what do I do to keep it": "renewal-comptia-ce",
    "how do I keep my PMP active": "renewal-pmi-pdu",
    "do AWS certs expire": "renewal-aws-recertification",
    # DoD 8140
    "I heard 8570 was replaced, what are the rules for defense cyber jobs now": "sector-dod-8140",
    "do I need Security+ to work as a defense contractor": "sector-dod-8140",
    # free options
    "I have no money, is there anything that costs nothing": "funding-free-options",
    "are there free courses or certs I can do": "funding-free-options",
    # degree needed
    "is a bachelor's required to work in IT or can I skip college": "planning-do-i-need-a-degree",
    "can I get an IT job without going to college": "planning-do-i-need-a-degree",
    # and more
    "do employers recognise certificates": "recognition-check-job-postings",
    "can I sit the exam at my kitchen table": "exams-online-proctored",
    "I'm a vet, will the VA cover my test": "funding-gi-bill-test-fees",
    "is a company obliged to hire a data protection officer": "sector-gdpr-dpo",
    "I don't have 5 years in security, can I still do CISSP": "eligibility-cissp-experience",
}
# In unfiltered search too (every kind competes), these come first.
UNFILTERED = [
    "are US apprenticeships actual paying jobs with training",
    "I heard 8570 was replaced, what are the rules for defense cyber jobs now",
    "I have no money, is there anything that costs nothing",
    "is a bachelor's required to work in IT or can I skip college",
    "do employers recognise certificates",
    "can I sit the exam at my kitchen table",
    "I'm a vet, will the VA cover my test",
]


@pytest.fixture(scope="module")
def entries() -> list[GuidanceEntry]:
    return load_guidance(FOLDER)


def _with_guidance(entries: list[GuidanceEntry]) -> Catalog:
    catalog = small_catalog()
    catalog.guidance = list(entries)
    return catalog


@pytest.fixture(scope="module")
def guidance_index_dir(tmp_path_factory: pytest.TempPathFactory, entries: list[GuidanceEntry]) -> Path:
    settings = Settings(home=tmp_path_factory.mktemp("guidance-index"))
    build_index(_with_guidance(entries), settings, progress=False)
    return settings.index_path


@pytest.fixture(scope="module")
def index(guidance_index_dir: Path) -> KnowledgeIndex:
    return KnowledgeIndex(Settings(index_dir=guidance_index_dir))


# ---- documents -------------------------------------------------------------------------------------------------


def test_one_document_per_entry_with_its_citations(entries: list[GuidanceEntry]) -> None:
    docs = retrieval.catalog_documents(_with_guidance(entries))["guidance"]
    assert [d.id for d in docs] == [e.id for e in entries]
    for entry, doc in zip(entries, docs, strict=True):
        assert doc.kind == "guidance" and doc.title == entry.title
        meta = doc.metadata
        assert meta["topic"] == entry.topic and meta["answer"] == entry.answer
        urls = list(dict.fromkeys(st.source_url for st in entry.statements))
        assert [s["url"] for s in meta["sources"]] == urls
        for src in meta["sources"]:
            assert src["url"].startswith("https://") and src["publisher"] and src["title"] and src["as_of"]
            assert src["name"] == f"{src['publisher']}: {src['title']}"
        assert [s["text"] for s in meta["statements"]] == [st.text for st in entry.statements]
        assert doc.source.url == urls[0] and doc.source.as_of == entry.statements[0].as_of
        # Searched by the question, the ways it is asked, the answer and the statements.
        for text in [entry.title, *entry.question_forms, entry.answer, *(st.text for st in entry.statements)]:
            assert text in doc.lexical_text
        assert entry.title in doc.dense_text and all(q in doc.dense_text for q in entry.question_forms)


def test_credential_names_reach_the_lexical_text(entries: list[GuidanceEntry]) -> None:
    entry = next(e for e in entries if e.id == "renewal-comptia-ce")
    names = {"comptia-network-plus": "CompTIA Network+"}
    doc = guidance_document(entry, lambda cid: names.get(cid, cid))
    assert "CompTIA Network+" in doc.lexical_text


def test_a_catalogue_without_guidance_has_no_guidance_documents() -> None:
    assert retrieval.catalog_documents(small_catalog())["guidance"] == []


def test_own_words_queries_are_not_copied_from_the_files(entries: list[GuidanceEntry]) -> None:
    def norm(s: str) -> str:
        return " ".join(s.lower().strip(" ?.!").split())

    written = {norm(q) for e in entries for q in [e.title, *e.question_forms]}
    assert not {norm(q) for q in OWN_WORDS} & written
    assert set(OWN_WORDS.values()) <= {e.id for e in entries}


# ---- search ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("query", "entry_id"), list(OWN_WORDS.items()))
def test_a_question_in_own_words_finds_its_entry(index: KnowledgeIndex, query: str, entry_id: str) -> None:
    hits = index.search(query, kind="guidance", k=3)
    assert hits and all(h.kind == "guidance" for h in hits)
    assert hits[0].id == entry_id, [(h.id, h.score) for h in hits]


@pytest.mark.parametrize("query", UNFILTERED)
def test_guidance_competes_in_unfiltered_search(index: KnowledgeIndex, query: str) -> None:
    top = index.search(query, k=5)[0]
    assert (top.kind, top.id) == ("guidance", OWN_WORDS[query])


@pytest.mark.parametrize(
    ("query", "entry_id"),
    [
        ("do i need a degree for this?", "planning-do-i-need-a-degree"),
        ("would I need a degree to become a data analyst?", "planning-do-i-need-a-degree"),
        ("do I need a law degree to work in privacy?", "planning-do-i-need-a-law-degree"),
    ],
)
def test_guidance_for_some_sectors_answers_only_when_the_question_names_one(
    index: KnowledgeIndex, query: str, entry_id: str
) -> None:
    """ "Do I need a law degree?" outranked the general degree entry for a data analyst's "do I need a degree for
    this?"; an entry scoped to sectors (legal, compliance, data protection) now leads only when the question
    names one of them."""
    assert index.search(query, kind="guidance", k=3)[0].id == entry_id


def test_names_and_codes_still_find_credentials_first(index: KnowledgeIndex) -> None:
    assert index.search("Security+", k=3)[0].id == "comptia-security-plus"
    assert index.search("SAA-C03", k=3)[0].id == "aws-saa"
    assert index.search("CISSP", kind="credential", k=3)[0].id == "isc2-cissp"


def test_a_hit_can_be_cited(index: KnowledgeIndex, entries: list[GuidanceEntry]) -> None:
    hit = index.search("do I need Security+ to work as a defense contractor", kind="guidance", k=1)[0]
    entry = next(e for e in entries if e.id == hit.id)
    assert hit.metadata["answer"] == entry.answer and hit.metadata["topic"] == "sector_rules"
    assert [c.url for c in hit.citations] == [st.source_url for st in entry.sources]
    assert all(c.name and c.as_of for c in hit.citations)
    assert hit.source.url == entry.statements[0].source_url
    assert hit.similarity is not None and 0.0 < hit.similarity <= 1.0
    assert index.get("guidance", "sector-dod-8140") is not None
    # Credential filters describe credentials only.
    assert index.search("renewal", kind="guidance", provider="CompTIA") == []


def test_counts_include_guidance(index: KnowledgeIndex, entries: list[GuidanceEntry]) -> None:
    assert index.counts()["guidance"] == len(entries)


# ---- the agent tool and the CLI --------------------------------------------------------------------------------


def test_search_knowledge_tool_accepts_guidance(index: KnowledgeIndex) -> None:
    def search(query: str, **filters: object) -> list[dict]:
        return [h.model_dump() for h in index.search(query, **filters)]  # type: ignore[arg-type]

    def unused(*args: object, **kwargs: object) -> dict:
        raise AssertionError("not called")

    backends = Backends(search=search, analyze=unused, plan=unused, draft=unused, store=None)  # type: ignore[arg-type]
    ctx = ToolContext(learner_id="t", profile=Profile(), backends=backends)
    out = run_tool(
        "search_knowledge", {"query": "can I sit the exam at my kitchen table", "kind": "guidance"}, ctx
    )
    assert out.ok, out.result
    top = out.result["hits"][0]
    assert top["kind"] == "guidance" and top["id"] == "exams-online-proctored"
    assert top["answer"].startswith(top["snippet"].rstrip("…")[:40]) and top["topic"] == "exams"
    assert top["sources"] and all(s["url"].startswith("https://") and s["name"] for s in top["sources"])
    assert top["similarity"] is not None
    bad = run_tool("search_knowledge", {"query": "x", "kind": "faq"}, ctx)
    assert not bad.ok


@pytest.fixture
def use_guidance_index(guidance_index_dir: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("COACH_INDEX_DIR", str(guidance_index_dir))
    get_settings.cache_clear()
    retrieval.get_index.cache_clear()
    yield guidance_index_dir
    get_settings.cache_clear()
    retrieval.get_index.cache_clear()


def test_kb_search_kind_guidance_prints_sources(use_guidance_index, monkeypatch, capsys, entries) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run_cli(
        ["kb", "search", "--kind", "guidance", "do employers recognise certificates", "--k", "2"],
        monkeypatch,
        capsys,
    )
    assert code == 0, out
    lines = out.strip().splitlines()
    assert lines[0].lstrip().startswith("1.") and "[guidance recognition-check-job-postings]" in lines[0]
    entry = next(e for e in entries if e.id == "recognition-check-job-postings")
    first = "\n".join(lines[: lines.index(next(ln for ln in lines if ln.startswith(" 2.")))])
    for st in entry.sources:
        assert f"source: {st.publisher}: {st.source_title} — {st.source_url} ({st.as_of})" in first

    code, out, _ = run_cli(["kb", "search", "--kind", "guidance", "renew PMP", "--json"], monkeypatch, capsys)
    doc = json.loads(out)
    assert code == 0 and doc["kind"] == "guidance" and doc["hits"][0]["id"] == "renewal-pmi-pdu"
    assert doc["hits"][0]["metadata"]["sources"][0]["url"].startswith("https://")


def test_kb_stats_counts_guidance(use_guidance_index, monkeypatch, capsys, entries) -> None:  # type: ignore[no-untyped-def]
    catalog = _with_guidance(entries)
    monkeypatch.setattr(knowledge, "get_catalog", lambda: catalog)
    _use_catalog(monkeypatch, catalog)
    code, out, _ = run_cli(["kb", "stats", "--json"], monkeypatch, capsys)
    stats = json.loads(out)
    assert code == 0 and stats["guidance"] == len(entries) == stats["indexed"]["guidance"]
    code, out, _ = run_cli(["kb", "stats"], monkeypatch, capsys)
    assert code == 0
    assert any(ln.split() == ["guidance", str(len(entries))] for ln in out.splitlines())
    assert any(ln.split() == ["indexed", "guidance", str(len(entries))] for ln in out.splitlines())


# ---- edits reach the index -------------------------------------------------------------------------------------


def _edit(path: Path, entry_id: str, change) -> None:  # type: ignore[no-untyped-def]
    rows = json.loads(path.read_text(encoding="utf-8"))
    for row in rows:
        if row["id"] == entry_id:
            change(row)
    path.write_text(json.dumps(rows, ensure_ascii=False, indent=2), encoding="utf-8")


def test_editing_a_guidance_file_changes_what_the_build_embeds(tmp_path: Path) -> None:
    folder = tmp_path / "kb" / "guidance"
    folder.mkdir(parents=True)
    for name in ("renewal.json", "sector_rules.json"):  # a few entries keep the test fast
        shutil.copy(FOLDER / name, folder / name)
    settings = Settings(home=tmp_path / "home")

    def build() -> tuple[retrieval.BuildReport, CountingEmbedder]:
        catalog = small_catalog()
        catalog.guidance = load_guidance(folder)
        embedder = CountingEmbedder()
        return build_index(catalog, settings, embedder=embedder, progress=False), embedder

    first, _ = build()
    n = first.documents["guidance"]
    assert n == len(load_guidance(folder)) == first.embedded["guidance"]
    again, emb = build()
    assert emb.texts == 0 and again.total_embedded == 0

    # The answer changes: that entry, and only it, is embedded again; the index serves the new text.
    new_answer = (
        "CompTIA certifications last three years. Renew them through continuing education in that time."
    )
    _edit(folder / "renewal.json", "renewal-comptia-ce", lambda row: row.update(answer=new_answer))
    changed, emb = build()
    assert emb.texts == 1 and changed.embedded == {**dict.fromkeys(retrieval.KINDS, 0), "guidance": 1}
    index = KnowledgeIndex(settings)
    assert index.search("does Security+ expire", kind="guidance", k=1)[0].metadata["answer"] == new_answer

    # A statement's date changes (not embedded text): the metadata is updated, nothing re-embedded.
    def redate(row: dict) -> None:
        row["statements"][-1]["as_of"] = "2026-11-30"

    _edit(folder / "sector_rules.json", "sector-dod-8140", redate)
    dated, emb = build()
    assert emb.texts == 0 and dated.updated["guidance"] == 1
    hit = KnowledgeIndex(settings).get("guidance", "sector-dod-8140")
    assert hit is not None and hit.metadata["statements"][-1]["as_of"] == "2026-11-30"

    # An entry removed from its file is removed from the index.
    rows = json.loads((folder / "sector_rules.json").read_text(encoding="utf-8"))
    (folder / "sector_rules.json").write_text(json.dumps([r for r in rows if r["id"] != "sector-gdpr-dpo"]))
    removed, _ = build()
    assert removed.deleted["guidance"] == 1 and removed.documents["guidance"] == n - 1
    assert KnowledgeIndex(settings).get("guidance", "sector-gdpr-dpo") is None


def test_catalogue_cache_key_covers_guidance_files(tmp_path: Path) -> None:
    kdir = tmp_path / "kb"
    (kdir / "guidance").mkdir(parents=True)
    shutil.copy(FOLDER / "renewal.json", kdir / "guidance" / "renewal.json")
    before = _cache_key(kdir, [])
    assert _cache_key(kdir, []) == before
    _edit(kdir / "guidance" / "renewal.json", "renewal-pmi-pdu", lambda row: row.update(title="Renewing PMP"))
    assert _cache_key(kdir, []) != before


def test_catalog_stats_count_guidance(entries: list[GuidanceEntry]) -> None:
    assert _with_guidance(entries).stats()["guidance"] == len(entries)
    assert small_catalog().stats()["guidance"] == 0
