"""The taxonomy linker (coach.skills) and its CLI contract (`coach skills rank`, `coach roles rank`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from typer.testing import CliRunner, Result

from coach.cli import app
from coach.errors import BadInput
from coach.skills import (
    MAX_TEXT_CHARS,
    LabelIVF,
    SkillLinker,
    candidate_spans,
    get_linker,
    iter_line_batches,
    lexical_hits,
    lexical_index,
    normalise_title,
    parse_rank_line,
)

PYTHON_URI = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"


@pytest.fixture(scope="module")
def linker() -> SkillLinker:
    return get_linker()


def _skill_labels(refs: list) -> list[str]:
    return [r.label for r in refs]


# ---- the linker -------------------------------------------------------------------------------------------------


def test_python_programming_finds_the_python_skill(linker: SkillLinker) -> None:
    top = linker.rank_skills("Python programming", top_k=3)
    assert "Python (computer programming)" in _skill_labels(top)


def test_skills_in_a_posting_sentence(linker: SkillLinker) -> None:
    top = _skill_labels(linker.rank_skills("Experience with Java and SQL databases is required", top_k=10))
    assert "Java (computer programming)" in top
    assert "SQL" in top


def test_scores_sorted_and_top_k_respected(linker: SkillLinker) -> None:
    for k in (1, 4, 12):
        refs = linker.rank_skills("manage a team of nurses in a hospital ward", top_k=k)
        assert len(refs) == k
        scores = [r.score for r in refs]
        assert scores == sorted(scores, reverse=True)
        assert len({r.uri for r in refs}) == k
        assert all(r.uri in linker.catalog.skills for r in refs)


def test_registered_nurse_title_finds_a_nursing_occupation(linker: SkillLinker) -> None:
    roles = linker.rank_roles("Registered Nurse (m/f/d) - night shifts", top_k=3)
    assert any("nurse" in r.label.lower() for r in roles)
    assert all(r.uri in linker.catalog.occupations for r in roles)


def test_empty_and_whitespace_text_give_empty_lists(linker: SkillLinker) -> None:
    assert linker.rank_skills("", top_k=5) == []
    assert linker.rank_skills("   \n\t ", top_k=5) == []
    assert linker.rank_roles("  ", top_k=5) == []
    # A batch keeps its order and shape around empty entries.
    out = linker.rank_skills_batch(["", "Python programming", " "], top_k=2)
    assert [len(x) for x in out] == [0, 2, 0]


def test_bad_arguments_are_clear_errors(linker: SkillLinker) -> None:
    with pytest.raises(BadInput):
        linker.rank_skills("python", top_k=0)
    with pytest.raises(BadInput):
        linker.rank_skills(None, top_k=3)  # type: ignore[arg-type]


def test_huge_text_is_truncated_not_fatal(linker: SkillLinker) -> None:
    text = "We need strong Python programming skills. " * 25_000  # ~1 MB
    assert len(text) > 100 * MAX_TEXT_CHARS
    refs = linker.rank_skills(text, top_k=5)
    assert len(refs) == 5
    assert "Python (computer programming)" in _skill_labels(refs)


def test_non_english_text_gives_results(linker: SkillLinker) -> None:
    for text in ("Erfahrung in der Softwareentwicklung mit Java", "熟悉数据库管理", "Gestión de proyectos"):
        refs = linker.rank_skills(text, top_k=5)
        assert len(refs) == 5
    assert len(linker.rank_roles("Krankenschwester", top_k=3)) == 3


# ---- stream helpers ---------------------------------------------------------------------------------------------


def test_parse_rank_line_cases() -> None:
    assert parse_rank_line(b"   ") is None
    assert parse_rank_line(b'{"id": 7, "text": "python"}') == (7, "python", None)
    rid, _, err = parse_rank_line(b'{"id": "a", "text": 3}')
    assert rid == "a" and err and "text" in err
    assert parse_rank_line(b"not json")[2].startswith("invalid JSON")
    assert parse_rank_line(b"[1, 2]")[2]


def test_iter_line_batches_groups_available_lines() -> None:
    read_fd, write_fd = os.pipe()
    os.write(write_fd, b"a\nb\nc")
    os.close(write_fd)
    batches = list(iter_line_batches(read_fd, max_batch=2))
    os.close(read_fd)
    assert [line for batch in batches for line in batch] == [b"a", b"b", b"c"]
    assert max(len(b) for b in batches) <= 2


# ---- CLI contract (in-process with CliRunner, reusing the loaded linker; one real subprocess for streaming) ----


def _run_cli(args: list[str], stdin: str) -> Result:
    return CliRunner().invoke(app, args, input=stdin)


def test_cli_skills_rank_contract(linker: SkillLinker) -> None:
    lines = [
        {"id": "a", "text": "Python programming and data analysis"},
        "this is not json",
        {"id": 2, "text": ""},
        {"id": "c", "text": 42},
        {"id": "d", "text": "Customer service in retail"},
    ]
    stdin = "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n\n"
    result = _run_cli(["skills", "rank", "--top", "3"], stdin)
    assert result.exit_code == 0, result.output
    rows = [json.loads(x) for x in result.stdout.splitlines()]
    assert len(rows) == 5  # one line per non-blank input line, in order
    assert [r["id"] for r in rows] == ["a", None, 2, "c", "d"]
    assert "error" in rows[1] and "error" in rows[3]
    assert rows[2]["skills"] == []
    for row in (rows[0], rows[4]):
        skills = row["skills"]
        assert len(skills) == 3
        assert all(set(s) == {"uri", "label", "score"} for s in skills)
        assert [s["score"] for s in skills] == sorted((s["score"] for s in skills), reverse=True)
    assert "Python (computer programming)" in [s["label"] for s in rows[0]["skills"]]


def test_cli_skills_rank_precise_flag(linker: SkillLinker) -> None:
    result = _run_cli(["skills", "rank", "--top", "4", "--precise"], json.dumps({"id": 1, "text": "SQL"}))
    assert result.exit_code == 0, result.output
    row = json.loads(result.stdout)
    assert row["id"] == 1 and len(row["skills"]) == 4
    assert row["skills"][0]["label"] == "SQL"


def test_cli_roles_rank_contract(linker: SkillLinker) -> None:
    stdin = "\n".join(
        json.dumps({"id": i, "text": t}) for i, t in enumerate(["Registered nurse", "Java developer", "Chef"])
    )
    result = _run_cli(["roles", "rank", "--top", "2"], stdin)
    assert result.exit_code == 0, result.output
    rows = [json.loads(x) for x in result.stdout.splitlines()]
    assert [r["id"] for r in rows] == [0, 1, 2]
    for row in rows:
        assert len(row["roles"]) == 2
        assert all(set(r) == {"uri", "label", "onet_soc", "score"} for r in row["roles"])
    assert any("nurse" in r["label"] for r in rows[0]["roles"])


def test_cli_thousands_of_lines_in_one_process(linker: SkillLinker) -> None:
    texts = ["Java", "welding", "customer service", "SQL databases"]
    stdin = "".join(json.dumps({"id": i, "text": texts[i % 4]}) + "\n" for i in range(1200))
    result = _run_cli(["skills", "rank", "--top", "1"], stdin)
    assert result.exit_code == 0, result.output
    rows = [json.loads(x) for x in result.stdout.splitlines()]
    assert [r["id"] for r in rows] == list(range(1200))
    assert rows[0]["skills"][0]["label"] == rows[4]["skills"][0]["label"]


def test_cli_streams_one_answer_per_line_without_waiting_for_eof(linker: SkillLinker) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "coach.cli", "skills", "rank", "--top", "2"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdin and proc.stdout
        answers = []
        for i, text in enumerate(["SQL databases", "welding steel pipes"]):
            proc.stdin.write(json.dumps({"id": i, "text": text}) + "\n")
            proc.stdin.flush()
            answers.append(json.loads(proc.stdout.readline()))  # answered while stdin is still open
        assert [a["id"] for a in answers] == [0, 1]
        assert all(len(a["skills"]) == 2 for a in answers)
    finally:
        if proc.stdin:
            proc.stdin.close()
        proc.wait(timeout=60)
    assert proc.returncode == 0


def test_cli_bad_top_is_one_line_error() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "coach.cli", "skills", "rank", "--top", "0"],
        input="",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode != 0
    assert proc.stderr.strip().startswith("error:")
    assert "Traceback" not in proc.stderr


# ---- building blocks ---------------------------------------------------------------------------------------------


def test_candidate_spans_cut_at_lists_and_skip_frame_words() -> None:
    text = "Strong experience with Java, SQL and work in teams"
    spans = {text[a:b] for a, b in candidate_spans(text)}
    assert {"Java", "SQL", "work in teams"} <= spans
    assert not any(s.lower().startswith(("strong", "experience", "with")) for s in spans)
    assert not any("," in s or " and " in s for s in spans)


def test_ivf_with_every_cluster_probed_equals_exact_max() -> None:
    rng = np.random.default_rng(1)
    matrix = rng.normal(size=(300, 16)).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    owner = np.repeat(np.arange(100), 3).astype(np.int32)
    ivf = LabelIVF(matrix, owner, 8, LabelIVF.kmeans(matrix, 8, iters=3))
    vecs = matrix[[5, 50, 120, 299]] + 0.01
    group = np.array([0, 0, 1, 1])
    got = ivf.max_by_group(vecs, group, 2, 100, nprobe=8)
    exact = np.maximum.reduceat(vecs @ matrix.T, np.arange(0, 300, 3), axis=1)
    want = np.stack([exact[:2].max(0), exact[2:].max(0)])
    np.testing.assert_allclose(got, np.maximum(want, 0.0), atol=1e-5)  # similarities below 0 count as 0
    # Clusters split over two threads give exactly the same maxima.
    np.testing.assert_array_equal(ivf.max_by_group(vecs, group, 2, 100, nprobe=8, workers=2), got)


def test_threaded_span_scan_matches_one_thread_on_many_texts() -> None:
    rng = np.random.default_rng(7)
    matrix = rng.normal(size=(2000, 24)).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    owner = np.sort(rng.integers(0, 400, size=2000)).astype(np.int32)
    ivf = LabelIVF(matrix, owner, 32, LabelIVF.kmeans(matrix, 32, iters=3))
    vecs = rng.normal(size=(300, 24)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    group = np.sort(rng.integers(0, 40, size=300))
    one = ivf.max_by_group(vecs, group, 40, 400, nprobe=6)
    assert one.max() > 0.5  # the scan found real matches, not an all-zero result
    np.testing.assert_array_equal(ivf.max_by_group(vecs, group, 40, 400, nprobe=6, workers=2), one)


def test_distinct_rows_drops_near_duplicate_labels_of_the_same_skill_only() -> None:
    from coach.skills.ivf import distinct_rows
    from coach.skills.labels import _LabelSpace

    base = np.eye(4, dtype=np.float32)
    near = base[0] * 0.99 + base[1] * 0.05
    near /= np.linalg.norm(near)
    # Skill 0: preferred, a near-duplicate of it, a different label; skill 1: the same vector as skill 0's
    # preferred label (another skill's label is never dropped), then its own different label.
    matrix = np.stack([base[0], near, base[2], base[0], base[3]])
    space = _LabelSpace(
        ids=["a", "b"],
        labels=["a", "b"],
        texts=["a0", "a1", "a2", "b0", "b1"],
        owner=np.array([0, 0, 0, 1, 1], dtype=np.int32),
        starts=np.array([0, 3, 5]),
        matrix=matrix,
    )
    assert distinct_rows(space, 0.95).tolist() == [True, False, True, True, True]
    assert distinct_rows(space, 0.999).all()


def test_linker_index_keeps_every_skill_and_drops_only_near_duplicates(linker: SkillLinker) -> None:
    ivf = linker._skill_ivf
    assert set(np.unique(ivf.owner).tolist()) == set(range(len(linker.skill_ids)))  # no skill lost
    assert len(ivf.matrix) < len(linker._skills.texts)  # some near-duplicate labels were left out


def test_normalise_title_drops_noise_but_keeps_the_job() -> None:
    assert normalise_title("Senior Registered Nurse (m/f/d) - Berlin") == "Registered Nurse"
    assert normalise_title("Production Operator 1") == "Production Operator"


def test_lexical_index_ignores_common_one_word_alternatives() -> None:
    index = lexical_index(
        [["think creatively", "design"], ["SQL", "Structured Query Language"], ["JavaScript", "JS"]]
    )
    assert lexical_hits("architecture and design", index) == set()
    assert lexical_hits("knowledge of sql and js", index) == {1, 2}


def test_int8_token_encoder_stays_close_to_float32_and_ignores_batch_neighbours() -> None:
    from coach.skills import TokenEncoder

    texts = [
        "Experience with Python and SQL required",
        "Manage a team of nurses on night shifts",
        "Kubernetes",
    ]
    fp32 = TokenEncoder(int8=False).encode(texts)
    encoder = TokenEncoder(int8=True)
    int8 = encoder.encode(texts)
    for (p32, s32, o32), (p8, s8, o8) in zip(fp32, int8, strict=True):
        assert float(p32 @ p8) > 0.995  # the pooled sentence vector barely moves
        assert s8.shape == s32.shape and np.array_equal(o8, o32)
        cos = (s8 * s32).sum(1) / np.linalg.norm(s8, axis=1) / np.linalg.norm(s32, axis=1)
        assert cos.min() > 0.99  # nor does any token state
    assert float(fp32[0][0] @ int8[0][0]) < 1.0 - 1e-6  # it really is the 8-bit model, not the float32 one
    # A text's vector does not depend on what else is in its batch (per-row activation quantization).
    for text, (pooled, _, _) in zip(texts, int8, strict=True):
        np.testing.assert_allclose(encoder.encode([text])[0][0], pooled, atol=2e-5)


def test_int8_encoder_falls_back_to_float32_when_the_runtime_refuses_it(monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    import coach.skills.encoder as encoder_module
    from coach.skills import TokenEncoder

    monkeypatch.setattr(encoder_module, "int8_weights", lambda graph: b"not an onnx model")
    with caplog.at_level("WARNING", logger="coach.skills.encoder"):
        encoder = TokenEncoder(int8=True)
    assert encoder.int8 is False and "using float32" in caplog.text
    reference = TokenEncoder(int8=False).encode(["Python and SQL"])[0][0]
    np.testing.assert_allclose(encoder.encode(["Python and SQL"])[0][0], reference, atol=1e-6)


def _with_memory(linker: SkillLinker, rows: list[tuple[str, str]], monkeypatch: pytest.MonkeyPatch) -> None:
    """Give the linker these annotated vacancy titles as its memory (the shipped one set aside)."""
    row_of = {uri: i for i, uri in enumerate(linker._roles.ids)}
    vecs = (
        linker.title_embedder.embed([t for t, _ in rows]) if rows else np.zeros((0, linker._memory.shape[1]))
    )
    monkeypatch.setattr(linker, "_memory", np.asarray(vecs, dtype=np.float32))
    monkeypatch.setattr(linker, "_memory_role", np.array([row_of[u] for _, u in rows], dtype=np.int64))


def test_title_ranking_uses_what_occupations_are_not_only_their_names(
    linker: SkillLinker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Names alone put "digital forensics expert" first for an information security analyst; BM25 over the
    occupations' descriptions and the title↔description similarity bring the ICT security roles forward (on
    their own: without the vacancy-title memory, whose annotations file cybersecurity analysts under security
    consultant)."""
    _with_memory(linker, [], monkeypatch)
    top = [r.label for r in linker.rank_roles("information security analyst", top_k=3)]
    assert top[0] in {"ICT security engineer", "ICT security manager", "chief ICT security officer"}
    assert top[0] != "digital forensics expert"
    care = [r.label for r in linker.rank_roles("looks after elderly people at home", top_k=3)]
    assert {"home care aide", "residential home older adult care worker"} & set(care)


def test_annotated_vacancy_titles_vote_for_their_occupation(
    linker: SkillLinker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A vacancy title like one the memory holds goes where that one was annotated; titles far from every
    remembered one keep the ranking the names and descriptions give."""
    agent = next(
        u
        for u, label in zip(linker._roles.ids, linker._roles.labels, strict=True)
        if label == "call centre agent"
    )
    _with_memory(linker, [], monkeypatch)
    before = [r.label for r in linker.rank_roles("Happiness Hero - live chat", top_k=3)]
    nurse_before = linker.rank_roles("registered nurse", top_k=3)
    assert "call centre agent" not in before
    _with_memory(
        linker,
        [("Happiness Hero (Live Chat, evenings)", agent), ("Happiness Hero - phones", agent)],
        monkeypatch,
    )
    after = linker.rank_roles("Happiness Hero - live chat", top_k=3)
    assert after[0].label == "call centre agent"
    # A title unlike every remembered one gets no votes.
    assert linker.rank_roles("registered nurse", top_k=3) == nurse_before


def test_the_shipped_vacancy_titles_hold_no_scored_title() -> None:
    """The memory is the JobBERT set's train and tune parts: no title `coach eval` scores is in it, and every row
    names an occupation the catalogue has."""
    from coach.knowledge import get_catalog
    from coach.settings import get_settings
    from coach.skills.titles import load_vacancy_titles
    from evals.skills_eval import title_split

    rows = load_vacancy_titles(get_settings().knowledge_dir)
    assert len(rows) > 5_000
    assert {title_split(t) for t, _ in rows} == {"train", "tune"}
    occupations = get_catalog().occupations
    assert all(uri in occupations for _, uri in rows)
