"""Fine-tuning a sentence-transformers encoder on accepted links (``linker train --finetune``).

Accepted (sub-goal, evidence) pairs are trained with in-batch negatives (the
loss of sentence-transformers' MultipleNegativesRankingLoss: cross-entropy over
the scaled cosine matrix of a batch), in a plain torch loop so that no extra
training library is needed. A model with ``query``/``passage`` prompts (e5, and
the bundled e5 exported by :mod:`linker.e5export`) is trained with them, as it is
used; two pairs of a batch that share their sub-goal or their evidence are not
taken as each other's negatives. The token-embedding matrix stays frozen by
default (for e5 it is 96 of the 118 million weights, and a few hundred pairs do
not move it usefully). The result is a new model directory under ``models/``
that describes itself (``linker-finetune.json``) and is used with ``--model st:PATH``.
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
    freeze_embeddings: bool = True,
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
    if freeze_embeddings:
        for name, weights in model.named_parameters():
            if name.endswith("word_embeddings.weight"):
                weights.requires_grad = False
    model.train()
    opt = torch.optim.AdamW([w for w in model.parameters() if w.requires_grad], lr=lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    losses: list[float] = []
    prompts = getattr(model, "prompts", {}) or {}
    q_prompt, p_prompt = prompts.get("query", ""), prompts.get("passage", "")

    tokenize = getattr(model, "preprocess", None) or model.tokenize  # tokenize() is deprecated in sentence-transformers 6

    def embed(texts: list[str], prompt: str) -> torch.Tensor:
        feats = tokenize([prompt + t for t in texts])
        out = model(feats)["sentence_embedding"]
        return torch.nn.functional.normalize(out, dim=-1)

    for _ in range(epochs):
        order = pairs[:]
        rng.shuffle(order)
        for i in range(0, len(order), batch_size):
            batch = order[i : i + batch_size]
            if len(batch) < 2:
                continue
            q = embed([a for a, _ in batch], q_prompt)
            p = embed([b for _, b in batch], p_prompt)
            logits = scale * q @ p.T
            same = torch.tensor([[r != c and (batch[r][0] == batch[c][0] or batch[r][1] == batch[c][1])
                                  for c in range(len(batch))] for r in range(len(batch))])
            logits = logits.masked_fill(same, -1e4)  # another positive of the same pair is no negative
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
             "prompts": {"query": q_prompt, "passage": p_prompt}, "frozen_token_embeddings": freeze_embeddings,
             "loss_first": losses[0] if losses else None, "loss_last": losses[-1] if losses else None,
             "trained": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
            indent=2,
        ),
        encoding="utf-8",
    )
    return out
