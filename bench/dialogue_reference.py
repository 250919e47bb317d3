#!/usr/bin/env python3
"""Python reference for the opinion-group benchmark (issue 14, BENCHMARKS.md "Dialogues").

Reads the synthetic conversation that `examples/dialogue_scale --write-csv DIR` writes
(DIR/votes.csv: participant,statement,vote; DIR/groups.csv: participant,group, the planted
groups) and computes opinion groups with one of:

    reddwarf   red-dwarf's `run_pipeline` (the Python reimplementation of Pol.is's math:
               dense vote matrix, PCA, k-means with k by silhouette, repness, consensus)
    numpy      a plain numpy / scikit-learn pipeline: dense matrix centred by statement means
               over cast votes (missing = 0 after centring), PCA to 2 components, Pol.is's
               scaling sqrt(statements / votes cast), participants with >= 7 votes clustered
               by KMeans for k in 2..5, k by silhouette (on a fixed sample of 10,000)

    python3 bench/dialogue_reference.py DIR [--impl reddwarf|numpy]

Prints the time of the computation alone (reading the CSV is not counted), the peak resident
memory of the whole process (resource.getrusage ru_maxrss, CSV and Python included), the
number of clustered participants, k, and the ARI against the planted groups over the clustered
participants.
"""
import argparse
import resource
import sys
import time

import numpy as np
from sklearn.metrics import adjusted_rand_score


def load(d):
    v = np.loadtxt(f"{d}/votes.csv", delimiter=",", skiprows=1, dtype=np.int64)
    g = np.loadtxt(f"{d}/groups.csv", delimiter=",", skiprows=1, dtype=np.int64)
    return v[:, 0], v[:, 1], v[:, 2], g[:, 1]


def run_reddwarf(p, s, v, n_p):
    from reddwarf.implementations.polis import run_pipeline

    votes = [
        {"participant_id": int(a), "statement_id": int(b), "vote": int(c), "modified": 0}
        for a, b, c in zip(p, s, v)
    ]
    t = time.perf_counter()
    r = run_pipeline(votes=votes, random_state=0)
    took = time.perf_counter() - t
    labels = r.participants_df["cluster_id"].dropna()
    clustered = {int(i): int(x) for i, x in labels.items()}
    k = len(set(clustered.values()))
    return took, clustered, k


def run_numpy(p, s, v, n_p):
    from sklearn.cluster import KMeans
    from sklearn.decomposition import PCA
    from sklearn.metrics import silhouette_score

    t = time.perf_counter()
    n_s = int(s.max()) + 1
    m = np.zeros((n_p, n_s))
    cast = np.zeros((n_p, n_s), dtype=bool)
    m[p, s] = v
    cast[p, s] = True
    seen = cast.sum(axis=0)
    mean = np.divide(m.sum(axis=0), seen, out=np.zeros(n_s), where=seen > 0)
    x = np.where(cast, m - mean, 0.0)
    pca = PCA(n_components=2, random_state=0)
    pca.fit(x)
    proj = x @ pca.components_.T
    n_cast = cast.sum(axis=1)
    proj *= np.sqrt(n_s / np.maximum(n_cast, 1))[:, None]
    members = np.flatnonzero(n_cast >= min(7, n_s))
    pts = proj[members]
    best = None
    for k in range(2, 6):
        km = KMeans(n_clusters=k, n_init=10, random_state=0).fit(pts)
        sil = silhouette_score(pts, km.labels_, sample_size=min(10_000, len(pts)), random_state=0)
        if best is None or sil >= best[0]:
            best = (sil, k, km.labels_)
    took = time.perf_counter() - t
    clustered = {int(i): int(g) for i, g in zip(members, best[2])}
    return took, clustered, best[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--impl", choices=["reddwarf", "numpy"], default="reddwarf")
    a = ap.parse_args()
    p, s, v, planted = load(a.dir)
    n_p = len(planted)
    took, clustered, k = (run_reddwarf if a.impl == "reddwarf" else run_numpy)(p, s, v, n_p)
    ids = sorted(clustered)
    ari = adjusted_rand_score([planted[i] for i in ids], [clustered[i] for i in ids])
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if a.impl == "reddwarf":
        from importlib.metadata import version

        name = f"red-dwarf {version('red-dwarf')}"
    else:
        import sklearn

        name = f"numpy {np.__version__} / scikit-learn {sklearn.__version__}"
    print(f"{name}: {n_p} participants, {len(v)} votes")
    print(f"compute: {took:.3f} s; peak RSS (whole process): {peak_mib:.0f} MiB")
    print(f"clustered: {len(ids)}; k = {k}; ARI vs planted groups: {ari:.4f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
