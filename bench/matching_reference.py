#!/usr/bin/env python3
"""Python reference for `grotius bench matching`: the same scoring as grotius-domain's
`roster::rank_top` (expertise 40, language 20, region 15 by tier, availability 15, track 10;
conflicts of interest and insufficient clearance excluded), on the same roster CSV and requests,
in plain Python (what an analyst would script).

`grotius bench matching` runs it as a child and alternates with it, query by query: for each
line `Q` on stdin it ranks request Q (modulo the number of requests) and answers one line,
`MILLISECONDS<TAB>["name", ...]` (the top 20; the time is of the ranking alone). Grotius checks
every answer against its own top 20.

    python3 bench/matching_reference.py DIR data/iso3166-countries.csv
"""
import csv
import json
import sys
import time
from datetime import date

W_EXPERTISE, W_LANGUAGE, W_REGION, W_AVAILABILITY, W_TRACK = 40.0, 20.0, 15.0, 15.0, 10.0
LEVEL = {"public": 0, "internal": 1, "confidential": 2, "secret": 3}


def day(s):
    return date.fromisoformat(s).toordinal()


def load(dirname, countries_csv):
    regions = {}
    with open(countries_csv, newline="") as f:
        for r in csv.DictReader(f):
            regions[r["alpha-2"]] = (r["region"], r["sub-region"], r["intermediate-region"])
    experts = []
    with open(f"{dirname}/roster.csv", newline="") as f:
        for r in csv.DictReader(f):
            split = lambda k: [x.strip() for x in r[k].split(";") if x.strip()]
            windows = []
            for w in split("availability"):
                a, b = w.split("/")
                windows.append((day(a), day(b)))
            conflicts = [c.split(":")[0].strip() for c in split("conflicts_of_interest")]
            experts.append({
                "name": r["name"], "expertise": split("expertise"), "languages": split("languages"),
                "regions": split("regions"), "tracks": split("tracks"), "windows": windows,
                "conflicts": conflicts, "clearance": LEVEL[r["clearance"]],
            })
    with open(f"{dirname}/requests.json") as f:
        data = json.load(f)
    return regions, experts, data["requests"]


def wanted_areas(request, regions):
    areas = {}
    for c in request["countries"]:
        region, sub, inter = regions.get(c, ("", "", ""))
        for area, pts in ((c, W_REGION), (inter, W_REGION * 0.8), (sub, W_REGION * 0.7), (region, W_REGION * 0.4)):
            if area:
                areas[area] = max(areas.get(area, 0), pts)
    return sorted(areas.items(), key=lambda kv: -kv[1])


def overlap(windows, a, b):
    spans = sorted((max(x, a), min(y, b)) for x, y in windows if max(x, a) <= min(y, b))
    total, covered = 0, None
    for x, y in spans:
        start = x if covered is None else max(x, covered + 1)
        if start <= y:
            total += y - start + 1
        covered = y if covered is None else max(covered, y)
    return total


def rank(experts, request, regions, limit=20):
    areas = wanted_areas(request, regions)
    a = day(request["start"]) if request["start"] else None
    b = day(request["end"]) if request["end"] else None
    names = {request["requester"].lower()}
    out = []
    for e in experts:
        if e["clearance"] < request["classification"]:
            continue
        if any(c in request["countries"] or c.lower() in names for c in e["conflicts"]):
            continue
        score = 0.0
        if request["expertise"]:
            hit = sum(1 for x in request["expertise"] if x in e["expertise"])
            score += W_EXPERTISE * hit / len(request["expertise"])
        if request["languages"]:
            hit = sum(1 for x in request["languages"] if x in e["languages"])
            score += W_LANGUAGE * hit / len(request["languages"])
        for area, pts in areas:
            if area in e["regions"]:
                score += pts
                break
        if a is not None and b is not None:
            score += W_AVAILABILITY * overlap(e["windows"], a, b) / (b - a + 1)
        if request.get("track") and request["track"] in e["tracks"]:
            score += W_TRACK
        score = round(score * 10) / 10
        if score > 0:
            out.append((-score, e["name"]))
    out.sort()
    return [name for _, name in out[:limit]]


def main():
    dirname, countries_csv = sys.argv[1], sys.argv[2]
    regions, experts, requests = load(dirname, countries_csv)
    print(f"ready {len(experts)}", flush=True)
    for line in sys.stdin:
        r = requests[int(line) % len(requests)]
        s = time.perf_counter()
        names = rank(experts, r, regions)
        ms = (time.perf_counter() - s) * 1000
        print(f"{ms:.4f}\t{json.dumps(names)}", flush=True)


if __name__ == "__main__":
    main()
