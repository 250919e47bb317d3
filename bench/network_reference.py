#!/usr/bin/env python3
"""Python reference for `grotius bench network`: the same graph, subject and queries with
networkx, as an analyst would script them.

    grotius bench network --export /tmp/netbench     # writes nodes.tsv, edges.tsv, queries.tsv, rust.tsv
    python3 bench/network_reference.py /tmp/netbench

The visibility filter is applied once, up front, by building the subject's visible subgraph
(favourable to Python: Grotius filters during every traversal instead). Reports p50/p99 per
question and the ratio to the Rust figures in rust.tsv.
"""
import sys
import time
from itertools import islice

import networkx as nx

d = sys.argv[1] if len(sys.argv) > 1 else "/tmp/netbench"
CLEARANCE = 2  # confidential
MEMBER = {"c0", "c1"}


def visible(level, comp):
    return int(level) <= CLEARANCE and (comp == "-" or comp in MEMBER)


t0 = time.perf_counter()
G = nx.Graph()
ours = []
for line in open(f"{d}/nodes.tsv"):
    nid, level, comp, is_ours = line.rstrip("\n").split("\t")
    if visible(level, comp):
        G.add_node(nid)
        if is_ours == "1":
            ours.append(nid)
for line in open(f"{d}/edges.tsv"):
    a, b, level, comp = line.rstrip("\n").split("\t")
    if visible(level, comp) and a in G and b in G:
        G.add_edge(a, b)
# "Us" as one virtual source, so that shortest paths start at any of our actors.
G.add_node("__us__")
for o in ours:
    G.add_edge("__us__", o)
load = time.perf_counter() - t0
queries = [q.strip() for q in open(f"{d}/queries.tsv")]


def pct(xs, p):
    xs = sorted(xs)
    return xs[round((len(xs) - 1) * p)]


ego_ms, intro_ms = [], []
for q in queries:
    s = time.perf_counter()
    if q in G:
        nx.ego_graph(G, q, radius=2)
    ego_ms.append((time.perf_counter() - s) * 1000)
    s = time.perf_counter()
    if q in G:
        try:
            list(islice(nx.shortest_simple_paths(G, "__us__", q), 3))
        except nx.NetworkXNoPath:
            pass
    intro_ms.append((time.perf_counter() - s) * 1000)

rust = dict(line.split("\t") for line in open(f"{d}/rust.tsv").read().split("\n") if line)
print(f"networkx {nx.__version__}: visible graph {G.number_of_nodes() - 1} actors, {G.number_of_edges() - len(ours)} relationships, loaded in {load:.1f} s")
print("| question (100k actors, 1M relationships, policy filter on) | Grotius p50 | Grotius p99 | networkx p50 | networkx p99 | ratio at p99 |")
print("|---|---:|---:|---:|---:|---:|")
for name, key, xs in [("ego network, depth 2", "ego", ego_ms), ("3 shortest introduction paths", "intro", intro_ms)]:
    rp50, rp99 = float(rust[f"{key}_p50"]), float(rust[f"{key}_p99"])
    print(f"| {name} | {rp50:.2f} ms | {rp99:.2f} ms | {pct(xs, 0.5):.2f} ms | {pct(xs, 0.99):.2f} ms | {pct(xs, 0.99) / rp99:.0f}× |")
