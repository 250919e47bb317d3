#!/usr/bin/env python3
"""Python reference for `grotius bench network`: the same graph, subject and queries with
networkx, as an analyst would script them.

`grotius bench network --reference` writes nodes.tsv and edges.tsv, runs this script as a child
and alternates with it query by query: after Grotius answers a question for a target, this
script answers the same one. It reads lines from stdin and answers each with one line:

    version          networkx's version and the visible graph's size
    ego ID           milliseconds for nx.ego_graph(G, ID, radius=2)
    intro ID         milliseconds for the first 3 of nx.shortest_simple_paths(G, us, ID)

    python3 bench/network_reference.py DIR

The visibility filter is applied once, up front, by building the subject's visible subgraph
(favourable to Python: Grotius filters during every traversal instead).
"""
import sys
import time
from itertools import islice

import networkx as nx

CLEARANCE = 2  # confidential
MEMBER = {"c0", "c1"}


def visible(level, comp):
    return int(level) <= CLEARANCE and (comp == "-" or comp in MEMBER)


def load(d):
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
    return G, ours


def ego(G, q):
    if q in G:
        nx.ego_graph(G, q, radius=2)


def intro(G, q):
    if q in G:
        try:
            list(islice(nx.shortest_simple_paths(G, "__us__", q), 3))
        except nx.NetworkXNoPath:
            pass


def main():
    d = sys.argv[1]
    t0 = time.perf_counter()
    G, ours = load(d)
    load_s = time.perf_counter() - t0
    print(f"ready: visible graph loaded in {load_s:.1f} s", flush=True)
    for line in sys.stdin:
        what, _, q = line.strip().partition(" ")
        if what == "version":
            print(
                f"networkx {nx.__version__}, visible graph {G.number_of_nodes() - 1} actors, "
                f"{G.number_of_edges() - len(ours)} relationships",
                flush=True,
            )
            continue
        question = {"ego": ego, "intro": intro}[what]
        s = time.perf_counter()
        question(G, q)
        print(f"{(time.perf_counter() - s) * 1000:.4f}", flush=True)


if __name__ == "__main__":
    main()
