#!/usr/bin/env python3
"""Writes data/world-110m.tsv — one line per country: ISO 3166-1 alpha-2, name, and its outline
as an SVG path in an equirectangular projection onto a 720 × 300 box (x = (lon + 180) × 2,
y = (84 − lat) × 2; Antarctica left out) — from Natural Earth's 110m admin-0 countries (CC0).

    python3 data/world-110m.py ../shared/data/geo/ne_110m_admin_0_countries.geojson data/iso3166-countries.csv data/world-110m.tsv

Natural Earth gives ISO_A2 = -99 for a few features (France, Norway, N. Cyprus, Somaliland);
those are joined on ADM0_A3 through the ISO 3166 table, and left out when it has no match.
"""
import csv
import json
import sys


def point(lon, lat):
    return f"{(lon + 180) * 2:.1f},{(84 - lat) * 2:.1f}"


def ring_path(ring):
    pts = [point(lon, lat) for lon, lat in ring]
    # Drop repeated points after rounding.
    out = [pts[0]]
    for p in pts[1:]:
        if p != out[-1]:
            out.append(p)
    return "M" + "L".join(out) + "Z"


def main(src, iso_csv, dst):
    alpha2_of = {}
    with open(iso_csv, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            alpha2_of[row["alpha-3"]] = row["alpha-2"]
    data = json.load(open(src, encoding="utf-8"))
    rows = []
    for feature in data["features"]:
        p = feature["properties"]
        code = p.get("ISO_A2")
        if not code or code == "-99":
            code = alpha2_of.get(p.get("ADM0_A3"), "")
        if not code or code == "AQ":
            continue
        g = feature["geometry"]
        polygons = g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]
        path = "".join(ring_path(poly[0]) for poly in polygons)
        rows.append((code, p["NAME"], path))
    rows.sort()
    with open(dst, "w", encoding="utf-8") as f:
        for code, name, path in rows:
            f.write(f"{code}\t{name}\t{path}\n")


if __name__ == "__main__":
    main(*sys.argv[1:4])
