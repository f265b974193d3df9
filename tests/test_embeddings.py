"""The bundled embedding model gives the real all-MiniLM-L6-v2 vectors, without torch."""

import json
from pathlib import Path

import numpy as np
import pytest

from coach.embeddings import DIM, Embedder, cached_matrix, get_embedder

REFERENCE = Path(__file__).parent / "data" / "minilm_reference.json"


@pytest.fixture(scope="module")
def reference() -> dict:
    return json.loads(REFERENCE.read_text())


def test_vectors_match_sentence_transformers(reference: dict) -> None:
    # Reference vectors were made once with sentence-transformers + torch (see the file's "made_with").
    got = get_embedder().embed(reference["texts"])
    want = np.array(reference["vectors"], dtype=np.float32)
    assert got.shape == (len(reference["texts"]), DIM)
    assert np.abs(got - want).max() < 1e-4


def test_batch_size_does_not_change_vectors(reference: dict) -> None:
    # Padding to the longest text in each batch must not leak into the pooled vector.
    small = Embedder(batch_size=1).embed(reference["texts"])
    big = get_embedder().embed(reference["texts"])
    assert np.abs(small - big).max() < 1e-5


def test_vectors_are_unit_length_and_ordered() -> None:
    texts = ["cloud security", "baking bread", "cloud security"]
    v = get_embedder().embed(texts)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert np.allclose(v[0], v[2], atol=1e-6)
    assert float(v[0] @ v[1]) < 0.5


def test_empty_input_gives_empty_matrix() -> None:
    assert get_embedder().embed([]).shape == (0, DIM)


def test_cached_matrix_reuses_and_invalidates(tmp_path: Path) -> None:
    e = get_embedder()
    calls: list[int] = []
    a = cached_matrix("t", ["alpha", "beta"], e, tmp_path)
    b = cached_matrix("t", ["alpha", "beta"], e, tmp_path, progress=calls.append)
    assert np.array_equal(a, b) and calls == [2]
    files = list(tmp_path.glob("t-*.npy"))
    cached_matrix("t", ["alpha", "gamma"], e, tmp_path)
    assert len(list(tmp_path.glob("t-*.npy"))) == 1 and list(tmp_path.glob("t-*.npy")) != files


def test_concurrent_callers_embed_once_and_share_the_result(tmp_path: Path) -> None:
    """Two callers asking for the same uncached matrix at once: one embeds, the other waits and reads it."""
    import threading
    import time

    real = get_embedder()
    calls: list[int] = []

    class SlowEmbedder:
        fingerprint = real.fingerprint

        def embed(self, texts, progress=None):  # type: ignore[no-untyped-def]
            calls.append(len(texts))
            time.sleep(0.5)  # long enough that the second caller arrives while the first is embedding
            return real.embed(texts, progress=progress)

    out: list[np.ndarray] = []
    texts = ["network security", "incident response"]
    threads = [
        threading.Thread(target=lambda: out.append(cached_matrix("c", texts, SlowEmbedder(), tmp_path)))  # type: ignore[arg-type]
        for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == [2] and len(out) == 2 and np.array_equal(out[0], out[1])
    assert [p.name for p in tmp_path.glob("c-*.npy")] and not list(tmp_path.glob("*.tmp.npy"))


def test_padded_batches_respect_the_token_budget_and_cover_every_text() -> None:
    from coach.embeddings import padded_batches

    lengths = [3, 40, 5, 5, 120, 7, 3, 300, 9, 12] * 5
    token_ids = [list(range(1, n + 1)) for n in lengths]
    seen: list[int] = []
    for idx, ids, mask in padded_batches(token_ids, max_batch=8, token_budget=64):
        assert ids.shape == mask.shape and len(idx) == ids.shape[0] <= 8
        assert ids.size <= 64 or len(idx) == 1  # only a single long text may exceed the budget
        for row, i in enumerate(idx):
            n = lengths[i]
            assert ids[row, :n].tolist() == token_ids[i] and mask[row].sum() == n
        seen.extend(idx)
    assert sorted(seen) == list(range(len(lengths)))


def test_embedding_does_not_depend_on_batch_neighbours() -> None:
    e = get_embedder()
    texts = ["short", "a much longer sentence about configuring network firewalls and routers " * 3, "sql"]
    together = e.embed(texts)
    alone = np.stack([e.embed([t])[0] for t in texts])
    np.testing.assert_allclose(together, alone, atol=1e-5)


def _tuned_file(tmp_path: Path, scale: float) -> Path:
    """A tuned-layers file like the title encoder's: the last layer's output projection scaled."""
    from safetensors.numpy import load_file, save_file

    from coach.embeddings import model_dir

    base = load_file(str(model_dir() / "model.safetensors"))
    name = "encoder.layer.5.output.dense.weight"
    path = tmp_path / "tuned.safetensors"
    save_file({name: (base[name] * scale).astype(np.float16)}, str(path))
    return path


def test_tuned_layers_replace_the_bundled_ones_and_change_the_fingerprint(tmp_path: Path) -> None:
    texts = ["help desk technician", "warehouse shift supervisor"]
    base = get_embedder()
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    same = Embedder(tuned=_tuned_file(tmp_path / "a", 1.0))
    changed = Embedder(tuned=_tuned_file(tmp_path / "b", 3.0))
    # float16 storage of unchanged weights keeps the vectors (within half precision); a changed layer moves them
    assert np.abs(same.embed(texts) - base.embed(texts)).max() < 2e-3
    moved = changed.embed(texts)
    assert np.allclose(np.linalg.norm(moved, axis=1), 1.0, atol=1e-5)
    assert (moved * base.embed(texts)).sum(axis=1).max() < 0.999
    # Cached label matrices are keyed by the fingerprint: a tuned encoder never reads the bundled one's cache.
    assert len({base.fingerprint, same.fingerprint, changed.fingerprint}) == 3


def test_a_tuned_file_that_does_not_fit_the_encoder_is_a_clear_error(tmp_path: Path) -> None:
    from safetensors.numpy import save_file

    from coach.errors import CoachError

    path = tmp_path / "wrong.safetensors"
    save_file({"encoder.layer.5.output.dense.weight": np.zeros((3, 3), np.float16)}, str(path))
    with pytest.raises(CoachError, match="does not fit"):
        Embedder(tuned=path)


def test_the_knowledge_base_ships_the_title_encoder() -> None:
    from coach.embeddings import get_title_embedder, title_encoder_path
    from coach.settings import get_settings

    knowledge = get_settings().knowledge_dir
    assert title_encoder_path(knowledge).exists()
    titles = get_title_embedder(knowledge)
    assert titles is not get_embedder() and "title_encoder" in titles.name
