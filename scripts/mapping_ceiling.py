#!/usr/bin/env python3
"""How well could anything built on the engine's sentence vectors map responses to a framework?

Trains a classifier per theme on the gold labels themselves (10-fold cross-validation, so every
response is predicted by a model that never saw it) over the accurate model's vectors of whole
responses, and gives each response as many labels as the gold has (an oracle count). The figure
is an upper bound for map-mode F1 with these vectors: the engine has no gold labels to learn
from. Needs numpy and scikit-learn, and the model (`heard model install`).

    cargo build --release --example embed_lines -p heard-analysis
    python3 scripts/mapping_ceiling.py ../shared/data/themefinder-gambling-xs [MODEL_DIR]
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold

CATCH_ALLS = {"None of the Above", "No Reason Given"}


def sample_f1(predicted, gold):
    total = 0.0
    for p, g in zip(predicted, gold):
        p, g = set(p), set(g)
        hits = len(p & g)
        total += 1.0 if not p and not g else (2 * hits / (len(p) + len(g)) if hits else 0.0)
    return total / len(gold)


def embed(texts, model_dir):
    target = Path(os.environ.get("CARGO_TARGET_DIR", "target"))
    tool = target / "release" / "examples" / "embed_lines"
    if not tool.exists():
        sys.exit(f"{tool} is missing: run `cargo build --release --example embed_lines -p heard-analysis` first")
    with tempfile.TemporaryDirectory() as tmp:
        lines, vectors = Path(tmp, "in.txt"), Path(tmp, "out.f32")
        lines.write_text("".join(t.replace("\n", " ").replace("\r", " ") + "\n" for t in texts))
        subprocess.run([str(tool), model_dir, str(lines), str(vectors)], check=True, capture_output=True)
        return np.fromfile(vectors, dtype="<f4").reshape(len(texts), -1)


def main():
    folder = Path(sys.argv[1])
    model_dir = sys.argv[2] if len(sys.argv) > 2 else os.environ.get("HEARD_MODEL_DIR", "")
    gold_root = next((folder / "outputs" / "mapping").iterdir())
    means = []
    for question in sorted((folder / "inputs").glob("question_part_*")):
        responses = [json.loads(l) for l in (question / "responses.jsonl").open()]
        gold_dir = gold_root / question.name
        gold = {json.loads(l)["response_id"]: json.loads(l)["labels"] for l in (gold_dir / "mapping.jsonl").open()}
        themes = [t["topic_id"] for t in json.load((gold_dir / "themes.json").open()) if t["topic_label"] not in CATCH_ALLS]
        responses = [r for r in responses if r["response_id"] in gold]
        x = embed([r["response"] for r in responses], model_dir)
        y = np.array([[t in gold[r["response_id"]] for t in themes] for r in responses], dtype=int)
        scores = np.zeros(y.shape)
        for train, test in KFold(10, shuffle=True, random_state=0).split(x):
            for t in range(len(themes)):
                if y[train, t].min() == y[train, t].max():
                    scores[test, t] = -9.0 if y[train, t].max() == 0 else 9.0
                    continue
                model = LogisticRegression(C=10.0, max_iter=2000).fit(x[train], y[train, t])
                scores[test, t] = model.decision_function(x[test])
        golds = [gold[r["response_id"]] for r in responses]
        predicted = [[themes[t] for t in np.argsort(-s)[: max(1, len(g))]] for s, g in zip(scores, golds)]
        f1 = sample_f1(predicted, golds)
        means.append(f1)
        print(f"{question.name:<20} {len(responses):>9} supervised, oracle count: map F1 {f1:.3f}")
    print(f"{'mean':<30} supervised, oracle count: map F1 {np.mean(means):.3f}")


if __name__ == "__main__":
    main()
