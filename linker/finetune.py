"""Fine-tuning a sentence-transformers encoder on accepted links (``linker train --finetune``).

Accepted (sub-goal, evidence) pairs are trained with in-batch negatives (the
loss of sentence-transformers' MultipleNegativesRankingLoss: cross-entropy over
the scaled cosine matrix of a batch), in a plain torch loop so that no extra
training library is needed. The result is a new model directory under
``models/`` that describes itself (``linker-finetune.json``) and is used with
``--model st:PATH``.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Sequence
from pathlib import Path

from linker.errors import ModelError
from linker.evaluate import GoldSet


def accepted_pairs(gold_sets: Sequence[GoldSet]) -> list[tuple[str, str]]:
    pairs = []
    for gs in gold_sets:
        for r in gs.records:
            if r.label == "accept" and r.evidence:
                pairs.append((r.subgoal.strip(), " ".join(r.evidence.split())))
    return list(dict.fromkeys(pairs))


def finetune_encoder(
    model_dir: str,
    gold_sets: Sequence[GoldSet],
    root: Path,
    models_dir: Path,
    *,
    epochs: int = 1,
    batch_size: int = 16,
    lr: float = 2e-5,
    scale: float = 20.0,
    seed: int = 13,
) -> Path:
    """Train on the accepted pairs; returns the directory of the fine-tuned model."""
    src = Path(model_dir).expanduser()
    if not src.is_dir():
        raise ModelError(f"{model_dir}: no such model directory")
    pairs = accepted_pairs(gold_sets)
    if len(pairs) < 2:
        raise ModelError("fine-tuning needs at least two accepted links in the annotations")
    try:
        import torch
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise ModelError("fine-tuning needs sentence-transformers and torch: pip install torch==2.13.0 'linker[st]'") from exc
    torch.manual_seed(seed)
    rng = random.Random(seed)
    model = SentenceTransformer(str(src), device="cpu", local_files_only=True)
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    losses: list[float] = []

    def embed(texts: list[str]) -> torch.Tensor:
        feats = model.tokenize(texts)
        out = model(feats)["sentence_embedding"]
        return torch.nn.functional.normalize(out, dim=-1)

    for _ in range(epochs):
        order = pairs[:]
        rng.shuffle(order)
        for i in range(0, len(order), batch_size):
            batch = order[i : i + batch_size]
            if len(batch) < 2:
                continue
            q = embed([a for a, _ in batch])
            p = embed([b for _, b in batch])
            logits = scale * q @ p.T
            loss = loss_fn(logits, torch.arange(len(batch)))
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(float(loss.detach()))
    model.eval()
    out = models_dir / f"encoder-{src.name}-finetuned"
    out.mkdir(parents=True, exist_ok=True)
    model.save(str(out))
    (out / "linker-finetune.json").write_text(
        json.dumps(
            {"base": str(src), "pairs": len(pairs), "epochs": epochs, "batch_size": batch_size, "lr": lr,
             "loss_first": losses[0] if losses else None, "loss_last": losses[-1] if losses else None,
             "trained": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
            indent=2,
        ),
        encoding="utf-8",
    )
    return out
