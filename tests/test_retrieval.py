"""The retrieval index: hybrid ranking, filters, incremental and resumable builds (fixture catalogue)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from coach import retrieval
from coach.embeddings import get_embedder
from coach.errors import BadInput, IndexMissing
from coach.knowledge import Catalog
from coach.models import Credential, Occupation, Rule, Skill, Source
from coach.retrieval import KnowledgeIndex, build_index, norm_key, tokenize
from coach.retrieval import build as retrieval_build
from coach.retrieval.search import _looks_like_a_name
from coach.settings import Settings

ESCO = "http://data.europa.eu/esco/skill/"


def small_catalog() -> Catalog:
    """A dozen real-looking records of each kind, enough to tell the rankers apart."""
    src = [Source(name="curated-credentials", url="https://example.org/catalogue", as_of="2026-11")]
    creds = [
        Credential(
            id="comptia-security-plus",
            name="CompTIA Security+",
            provider="CompTIA",
            type="certification",
            level="entry",
            cost=404,
            currency="USD",
            exam_code="SY0-701",
            url="https://www.comptia.org/certifications/security",
            description="Baseline skills to perform core security functions and pursue an IT security career.",
            sources=src,
        ),
        Credential(
            id="isc2-cc",
            name="ISC2 Certified in Cybersecurity (CC)",
            provider="ISC2",
            type="certification",
            level="entry",
            cost=199,
            currency="USD",
            url="https://www.isc2.org/Certifications/CC",
            sources=src,
        ),
        Credential(
            id="isc2-cissp",
            name="ISC2 Certified Information Systems Security Professional (CISSP)",
            provider="ISC2",
            type="certification",
            level="advanced",
            cost=749,
            currency="USD",
            description="Five years of paid work experience in two of the eight domains of the CISSP CBK.",
            sources=src,
        ),
        Credential(
            id="aws-saa",
            name="AWS Certified Solutions Architect – Associate",
            provider="AWS",
            type="certification",
            level="intermediate",
            cost=150,
            currency="USD",
            exam_code="SAA-C03",
            description="Design cost-optimised, resilient architectures on Amazon Web Services.",
            sources=src,
        ),
        Credential(
            id="google-data-analytics",
            name="Google Data Analytics Professional Certificate",
            provider="Google (Coursera)",
            type="professional_certificate",
            level="entry",
            description="Clean, analyse and visualise data with spreadsheets, SQL and Tableau.",
            sources=src,
        ),
        Credential(
            id="google-cloud-ace",
            name="Google Cloud Associate Cloud Engineer",
            provider="Google Cloud",
            type="certification",
            level="intermediate",
            cost=125,
            currency="USD",
            description="Deploy applications, monitor operations and manage enterprise solutions on Google Cloud.",
            sources=src,
        ),
        Credential(
            id="coursera-bread-baking",
            name="Sourdough Bread Baking Basics",
            provider="Coursera",
            type="course",
            level="entry",
            description="Feed a starter, shape loaves and bake crusty sourdough at home.",
            sources=src,
        ),
        Credential(
            id="pmi-capm",
            name="PMI Certified Associate in Project Management (CAPM)",
            provider="PMI",
            type="certification",
            level="entry",
            cost=225,
            currency="USD",
            description="Entry-level project management certification covering predictive and agile methods.",
            sources=src,
        ),
    ]
    occs = [
        Occupation(
            id="15-1212.00",
            source="onet",
            title="Information Security Analysts",
            code="15-1212.00",
            description="Plan, implement, upgrade, or monitor security measures for the protection of computer "
            "networks and information.",
            alt_titles=["Security Analyst", "Cyber Security Analyst"],
        ),
        Occupation(
            id="29-1216.00",
            source="onet",
            title="General Internal Medicine Physicians",
            code="29-1216.00",
            description="Diagnose and provide non-surgical treatment for a wide range of diseases and injuries "
            "of internal organ systems.",
        ),
        Occupation(
            id="http://data.europa.eu/esco/occupation/baker",
            source="esco",
            title="baker",
            code="7512.1",
            description="Bakers make a wide range of breads, pastries, and other baked goods.",
        ),
        Occupation(
            id="http://data.europa.eu/esco/occupation/data-analyst",
            source="esco",
            title="data analyst",
            code="2511.3",
            description="Data analysts import, inspect, clean, transform, validate, model, or interpret "
            "collections of data with regard to the business goals of the company.",
        ),
    ]
    skills = [
        Skill(uri=ESCO + "python", label="Python (computer programming)", alt_labels=["Python"]),
        Skill(
            uri=ESCO + "firewall",
            label="implement a firewall",
            description="Download, install and update a network security system designed to prevent "
            "unauthorised access to a private network.",
        ),
        Skill(uri=ESCO + "knead", label="knead dough", description="Work flour and water into a dough."),
        Skill(
            uri=ESCO + "empathy",
            label="show empathy",
            description="Understand and share the feelings of another person.",
        ),
    ]
    rules = [
        Rule(
            id="r010",
            type="experience_required",
            subject="isc2-cissp",
            experience_years=5,
            condition="Five years cumulative paid work experience in two or more CISSP domains.",
            source_url="https://www.isc2.org/Certifications/CISSP/experience-requirements",
        ),
        Rule(
            id="r011",
            type="recommended_before",
            subject="comptia-security-plus",
            objects=["isc2-cc"],
            condition="Recommended order for newcomers.",
            source_url="https://example.org/rules",
        ),
    ]
    return Catalog(
        occupations={o.id: o for o in occs},
        skills={s.uri: s for s in skills},
        credentials={c.id: c for c in creds},
        rules=rules,
    )


class CountingEmbedder:
    """The real embedder, counting how many texts it was asked to embed (and able to fail on purpose)."""

    def __init__(self, fail_after_calls: int | None = None) -> None:
        self.inner = get_embedder()
        self.fingerprint = self.inner.fingerprint
        self.texts = 0
        self.calls = 0
        self.fail_after_calls = fail_after_calls

    def embed(self, texts, progress=None) -> np.ndarray:
        if self.fail_after_calls is not None and self.calls >= self.fail_after_calls:
            raise KeyboardInterrupt("simulated interruption")
        self.calls += 1
        self.texts += len(texts)
        return self.inner.embed(texts, progress)

    def embed_one(self, text: str) -> np.ndarray:
        return self.inner.embed_one(text)


@pytest.fixture(scope="module")
def fixture_index(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeIndex:
    home = tmp_path_factory.mktemp("coach-home")
    settings = Settings(home=home)
    build_index(small_catalog(), settings, progress=False)
    return KnowledgeIndex(settings)


def test_tokenize_keeps_compounds_and_parts() -> None:
    toks = tokenize("CompTIA Security+ (SY0-701) certifications")
    assert "security+" in toks and "security" in toks
    assert "sy0-701" in toks and "sy0" in toks
    assert "certif" in toks and tokenize("Certified")[0] == "certif"  # one family
    assert norm_key("SAA-C03") == "saa c03" and norm_key("Security+") == "security+"


def test_exact_exam_code_and_short_name_rank_first(fixture_index: KnowledgeIndex) -> None:
    assert fixture_index.search("SAA-C03", kind="credential", k=3)[0].id == "aws-saa"
    assert fixture_index.search("Security+", k=3)[0].id == "comptia-security-plus"
    assert fixture_index.search("CISSP", kind="credential", k=3)[0].id == "isc2-cissp"


def test_lexical_only_match_is_found(fixture_index: KnowledgeIndex) -> None:
    # "SY0-701" is only an exam code: the embedding of a code says little, BM25 finds the rare token.
    query = "SY0-701 voucher"
    dense_rank = _dense_ranking(fixture_index, query, "credential")
    lexical = fixture_index.lexical.scores(query)
    target = fixture_index.position[("credential", "comptia-security-plus")]
    assert lexical[target] == lexical.max() > 0
    assert dense_rank[0] != "comptia-security-plus"  # the dense ranker alone would miss it
    assert fixture_index.search(query, kind="credential", k=3)[0].id == "comptia-security-plus"


def test_dense_only_match_is_found(fixture_index: KnowledgeIndex) -> None:
    # No word in common with "General Internal Medicine Physicians": only the embedding connects them.
    query = "doctor who treats patients"
    target = fixture_index.position[("occupation", "29-1216.00")]
    assert fixture_index.lexical.scores(query)[target] == 0
    hits = fixture_index.search(query, kind="occupation", k=2)
    assert hits[0].id == "29-1216.00"
    assert hits[0].source.name == "O*NET 29.2" and hits[0].source.url.endswith("29-1216.00")


def test_hybrid_semantic_query_across_kinds(fixture_index: KnowledgeIndex) -> None:
    hits = fixture_index.search("making bread at home", k=4)
    assert {h.id for h in hits[:3]} & {"coursera-bread-baking", ESCO + "knead"}
    assert all(h.source.name for h in hits)


def test_entry_level_certification_intent(fixture_index: KnowledgeIndex) -> None:
    hits = fixture_index.search("entry level cybersecurity certification", kind="credential", k=3)
    assert hits[0].id in {"comptia-security-plus", "isc2-cc"}
    assert "isc2-cissp" not in [h.id for h in hits[:2]]  # advanced, though it is about security


def test_filters_provider_level_cost(fixture_index: KnowledgeIndex) -> None:
    google = fixture_index.search("certificate", provider="google", k=10)
    assert {h.id for h in google} == {"google-data-analytics", "google-cloud-ace"}
    entry = fixture_index.search("security", level="entry", k=10)
    assert entry and all(h.metadata["level"] == "entry" for h in entry)
    cheap = fixture_index.search("certification", max_cost=200, k=10)
    assert {h.id for h in cheap} == {"isc2-cc", "aws-saa", "google-cloud-ace"}  # unknown cost is excluded
    both = fixture_index.search("security", provider="ISC2", level="entry", k=10)
    assert [h.id for h in both] == ["isc2-cc"]
    assert fixture_index.search("security", provider="no such provider") == []
    assert fixture_index.search("security", kind="skill", provider="ISC2") == []


def test_kind_filter_and_hit_shape(fixture_index: KnowledgeIndex) -> None:
    hits = fixture_index.search("network security", kind="skill", k=5)
    assert hits and all(h.kind == "skill" for h in hits)
    assert hits[0].id == ESCO + "firewall"
    assert hits[0].source.url == ESCO + "firewall"
    rule = fixture_index.search("years of work experience before certification", kind="rule", k=1)[0]
    assert rule.id == "r010" and rule.source.url.startswith("https://www.isc2.org")
    assert "CISSP" in rule.title  # rules read with credential names, not ids


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"query": "  "}, "empty"),
        ({"query": "x", "kind": "course"}, "unknown kind"),
        ({"query": "x", "level": "godlike"}, "unknown level"),
        ({"query": "x", "k": 0}, "k must"),
        ({"query": "x", "max_cost": -1}, "max_cost"),
    ],
)
def test_bad_search_input(fixture_index: KnowledgeIndex, kwargs: dict, message: str) -> None:
    with pytest.raises(BadInput, match=message):
        fixture_index.search(**kwargs)


def test_missing_index_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(IndexMissing, match="coach kb build"):
        KnowledgeIndex(Settings(home=tmp_path))


def test_rebuild_is_idempotent_and_incremental(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    catalog = small_catalog()
    first = CountingEmbedder()
    report = build_index(catalog, settings, embedder=first, progress=False)
    total = sum(len(v) for v in retrieval.catalog_documents(catalog).values())
    assert first.texts == total == sum(report.documents.values())

    again = CountingEmbedder()
    report = build_index(catalog, settings, embedder=again, progress=False)
    assert again.texts == 0 and report.total_embedded == 0

    # A price changes (metadata only), a description changes (re-embed), one credential disappears.
    catalog.credentials["pmi-capm"] = catalog.credentials["pmi-capm"].model_copy(update={"cost": 300.0})
    aws = catalog.credentials["aws-saa"]
    catalog.credentials["aws-saa"] = aws.model_copy(update={"description": "Design secure architectures."})
    del catalog.credentials["coursera-bread-baking"]
    changed = CountingEmbedder()
    report = build_index(catalog, settings, embedder=changed, progress=False)
    assert changed.texts == 1
    assert report.updated["credential"] == 1 and report.embedded["credential"] == 1
    assert report.deleted["credential"] == 1 and report.documents["credential"] == 7
    index = KnowledgeIndex(settings)
    assert index.get("credential", "coursera-bread-baking") is None
    assert index.search("PMI CAPM", kind="credential", k=1)[0].metadata["cost"] == 300.0
    assert index.collection("credential").get(ids=["pmi-capm"])["metadatas"][0]["cost"] == 300.0
    assert "pmi-capm" not in [h.id for h in index.search("project management", max_cost=250, k=10)]

    forced = CountingEmbedder()
    build_index(catalog, settings, force=True, embedder=forced, progress=False)
    assert forced.texts == sum(report.documents.values())


def test_interrupted_build_finishes_on_rerun(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retrieval_build, "EMBED_BATCH", 4)
    settings = Settings(home=tmp_path)
    catalog = small_catalog()
    total = sum(len(v) for v in retrieval.catalog_documents(catalog).values())
    with pytest.raises(KeyboardInterrupt):
        build_index(catalog, settings, embedder=CountingEmbedder(fail_after_calls=2), progress=False)
    with pytest.raises(IndexMissing, match="did not finish"):
        KnowledgeIndex(settings)
    rerun = CountingEmbedder()
    report = build_index(catalog, settings, embedder=rerun, progress=False)
    assert rerun.texts == total - 8  # the two batches stored before the interruption are kept
    assert sum(report.documents.values()) == total
    assert KnowledgeIndex(settings).search("Security+", k=1)[0].id == "comptia-security-plus"


def test_killed_build_process_finishes_on_rerun(tmp_path: Path) -> None:
    """A real SIGKILL half-way through embedding: the rerun embeds only what was not stored."""
    script = textwrap.dedent(
        f"""
        import sys, time
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_retrieval import small_catalog, CountingEmbedder
        from coach import retrieval
        from coach.retrieval import build as retrieval_build
        from coach.settings import Settings

        class Slow(CountingEmbedder):
            def embed(self, texts, progress=None):
                out = super().embed(texts, progress)
                if self.calls == 3:
                    print("stored", flush=True)
                    time.sleep(60)  # killed here
                return out

        retrieval_build.EMBED_BATCH = 4
        retrieval.build_index(small_catalog(), Settings(home={str(tmp_path)!r}), embedder=Slow(), progress=False)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.strip() == "stored"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    time.sleep(0.2)
    settings = Settings(home=tmp_path)
    manifest = json.loads((settings.index_path / "manifest.json").read_text())
    assert manifest["complete"] is False
    catalog = small_catalog()
    total = sum(len(v) for v in retrieval.catalog_documents(catalog).values())
    rerun = CountingEmbedder()
    report = build_index(catalog, settings, embedder=rerun, progress=False)
    assert rerun.texts == total - 8  # two full batches had been upserted before the kill
    assert sum(report.documents.values()) == total
    assert KnowledgeIndex(settings).manifest["complete"] is True


def _dense_ranking(index: KnowledgeIndex, query: str, kind: str) -> list[str]:
    vec = index.embedder.embed_one(query)
    res = index.collection(kind).query(query_embeddings=[vec], n_results=5, include=["distances"])
    return res["ids"][0]


def test_chroma_server_instead_of_embedded_index(tmp_path: Path) -> None:
    """`COACH_CHROMA_HOST` → the same build and search through a real Chroma server on loopback."""
    import shutil
    import socket

    import httpx

    # chromadb installs the `chroma` command beside this interpreter (a virtualenv's bin/ need not be on PATH).
    beside = Path(sys.executable).parent / "chroma"
    chroma = str(beside) if beside.exists() else shutil.which("chroma")
    assert chroma is not None, "chromadb's `chroma` command is missing: the chromadb install is incomplete"
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [chroma, "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "chroma server did not start"
            time.sleep(0.2)
        settings = Settings(home=tmp_path / "home", chroma_host="127.0.0.1", chroma_port=port)
        report = build_index(small_catalog(), settings, progress=False)
        assert report.documents["credential"] == 8
        assert not (
            settings.index_path / "chroma"
        ).exists()  # nothing embedded on disk: vectors live in the server
        index = KnowledgeIndex(settings)
        assert index.search("SAA-C03", kind="credential", k=1)[0].id == "aws-saa"
        assert index.manifest["chroma"] == f"127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_lexical_joins_words_written_as_one_elsewhere() -> None:
    lex = retrieval.LexicalIndex.build(["cyber security basics", "cybersecurity analyst", "bread baking"])
    scores = lex.scores("cybersecurity")
    assert scores[0] > 0 and scores[1] > 0 and scores[2] == 0
    assert lex.scores("cyber security")[1] > 0  # and the other way round


@pytest.mark.parametrize(
    ("query", "lookup"),
    [
        ("SAA-C03", True),
        ("CISSP", True),
        ("how hard is Security+ for beginners", True),
        ("ISC2 CC exam cost", True),
        ("entry level cybersecurity certification", False),
        ("doctor who treats patients", False),
    ],
)
def test_query_kind_sets_lexical_weight(query: str, lookup: bool) -> None:
    assert _looks_like_a_name(query) is lookup


def test_query_intent_reads_level_and_type() -> None:
    assert retrieval.query_intent("Entry-level cloud certifications") == (
        "entry",
        {"certification", "professional_certificate"},
    )
    assert retrieval.query_intent("advanced python course") == ("advanced", {"course"})
    assert retrieval.query_intent("nurse") == (None, set())


def test_provider_filter_matches_whole_words(fixture_index: KnowledgeIndex, monkeypatch) -> None:
    monkeypatch.setattr(
        fixture_index, "providers", ["google", "google cloud", "google coursera", "metasploit"]
    )
    assert fixture_index._providers_matching("Google") == ["google", "google cloud", "google coursera"]
    assert fixture_index._providers_matching("google cloud") == ["google cloud"]
    assert fixture_index._providers_matching("meta") == []
