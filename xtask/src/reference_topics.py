#!/usr/bin/env python3
"""The reference for `cargo xtask bench analysis`: a BERTopic-like topic model made of
scikit-learn parts, run on the same corpus as heard.

BERTopic embeds documents, reduces the dimensions (UMAP), clusters (HDBSCAN) and names each
cluster by class-based TF-IDF. Here the same four steps use scikit-learn only, as BERTopic's own
documentation allows for its "cluster_model" and "embedding_model": TF-IDF vectors of words and
word pairs, reduced with TruncatedSVD (LSA) in place of UMAP, clustered with KMeans (mini-batch on the
whole corpus, so that a million responses fit), and named by
c-TF-IDF. The number of topics (4 to 20) is chosen by silhouette on a sample of 2,000
responses, unless --topics says.

Input: JSONL with "response_id" and "response". Output (--out DIR): mapping.jsonl with
{"response_id": ..., "labels": ["k3"]} (one topic per response, as BERTopic gives) and
topics.json with each topic's size and top words. Prints one JSON line of figures on stdout.
"""

import argparse
import json
import os
import sys
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("input")
    parser.add_argument("--out", required=True)
    parser.add_argument("--topics", type=int, default=None, help="topics to find (default: by silhouette)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    started = time.perf_counter()
    try:
        import numpy as np
        from sklearn.cluster import KMeans, MiniBatchKMeans
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.metrics import silhouette_score
        from sklearn.preprocessing import normalize
    except ImportError as e:
        print(f"scikit-learn is missing ({e}); install it with `python3 -m pip install --user scikit-learn`",
              file=sys.stderr)
        return 3

    ids, texts = [], []
    with open(args.input, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                row = json.loads(line)
                ids.append(row["response_id"])
                texts.append(row["response"])
    n = len(texts)
    if n < 3:
        print("too few responses for topics", file=sys.stderr)
        return 2

    # 1. "Embeddings": TF-IDF of words and word pairs, English stop words out.
    tfidf = TfidfVectorizer(stop_words="english", ngram_range=(1, 2), min_df=2, max_features=50000,
                            sublinear_tf=True, dtype=np.float32)
    x = tfidf.fit_transform(texts)
    # 2. Dimension reduction, as UMAP does in BERTopic.
    dims = max(2, min(100, x.shape[1] - 1, n - 1))
    reduced = normalize(TruncatedSVD(n_components=dims, random_state=args.seed).fit_transform(x))
    # 3. Clustering; the number of topics chosen on a sample by silhouette.
    rng = np.random.default_rng(args.seed)
    # The same size of sample heard's discovery clusters.
    sample = rng.choice(n, size=min(n, 2000), replace=False)

    def kmeans(k):
        return MiniBatchKMeans(n_clusters=k, random_state=args.seed, n_init=3, batch_size=4096)

    if args.topics:
        k = args.topics
    else:
        best = None
        for k_try in range(4, 21):
            if k_try >= len(sample):
                break
            # Plain KMeans on the sample: MiniBatchKMeans is slower than it on small data.
            labels = KMeans(n_clusters=k_try, random_state=args.seed, n_init=1).fit_predict(reduced[sample])
            score = silhouette_score(reduced[sample], labels)
            if best is None or score > best[0]:
                best = (score, k_try)
        k = best[1]
    labels = kmeans(k).fit_predict(reduced)
    # 4. Topic names by class-based TF-IDF: term frequency per topic, weighted by how rare the term
    #    is across topics.
    counts = TfidfVectorizer(stop_words="english", use_idf=False, norm=None, min_df=2, max_features=50000)
    tf = counts.fit_transform(texts)
    vocabulary = np.array(counts.get_feature_names_out())
    per_topic = np.vstack([np.asarray(tf[labels == t].sum(axis=0)).ravel() for t in range(k)])
    average_words = per_topic.sum() / k
    idf = np.log(1 + average_words / np.maximum(per_topic.sum(axis=0), 1))
    ctfidf = normalize(per_topic, norm="l1") * idf
    topics = []
    for t in range(k):
        top = vocabulary[np.argsort(-ctfidf[t])[:6]]
        topics.append({"topic_id": f"k{t}", "size": int((labels == t).sum()), "keywords": list(top)})

    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "mapping.jsonl"), "w", encoding="utf-8") as f:
        for rid, label in zip(ids, labels):
            f.write(json.dumps({"response_id": rid, "labels": [f"k{int(label)}"]}) + "\n")
    with open(os.path.join(args.out, "topics.json"), "w", encoding="utf-8") as f:
        json.dump(topics, f, indent=1)
    print(json.dumps({"responses": n, "topics": k, "seconds": round(time.perf_counter() - started, 3)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
