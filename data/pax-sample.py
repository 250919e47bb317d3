#!/usr/bin/env python3
"""Cuts the demo sample data/pax-sample.csv (at most 100 agreements, all 267 columns) from the
PA-X Peace Agreements Database v6 export (University of Edinburgh, PeaceRep).

    python3 data/pax-sample.py ../shared/data/pax/pax_all_agreements_data_v6.csv data/pax-sample.csv

Deterministic: per demo country a quota; first agreements with water and with women/gender
provisions (so every facet has hits), then agreements spread evenly over time.
"""
import csv
import sys

QUOTAS = [  # PA-X country name, agreements
    ("Sudan", 18), ("South Sudan", 18), ("Yemen", 12), ("Colombia", 14), ("Mozambique", 8),
    ("Myanmar", 8), ("Mali", 8), ("Niger", 4), ("Ukraine", 5), ("Ethiopia", 5),
]
LIMIT = 100


def main(src, dst):
    with open(src, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = list(reader)
    col = {h: i for i, h in enumerate(header)}
    chosen, seen = [], set()

    def take(row):
        if row[col["AgtId"]] not in seen and len(chosen) < LIMIT:
            seen.add(row[col["AgtId"]])
            chosen.append(row)

    for country, quota in QUOTAS:
        mine = sorted((r for r in rows if country in r[col["Con"]].split("/")),
                      key=lambda r: (r[col["Dat"]], int(r[col["AgtId"]])))
        start = len(chosen)
        for code in ("Wat", "GeWom", "TjGen", "CeProv", "SsrDdr"):
            for r in [r for r in mine if r[col[code]] not in ("", "0")][:2]:
                if len(chosen) - start < quota:
                    take(r)
        step = max(1, len(mine) // max(1, quota))
        for r in mine[::step] + mine:
            if len(chosen) - start >= quota:
                break
            take(r)
    chosen.sort(key=lambda r: int(r[col["AgtId"]]))
    with open(dst, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(header)
        w.writerows(chosen)
    print(f"{len(chosen)} agreements written to {dst}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
