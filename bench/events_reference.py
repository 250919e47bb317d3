"""Reference for `grotius bench events`: DuckDB (in-memory, all cores) and polars on the same
synthetic GED CSV — load, the country-month aggregation over every row, and the escalation
top 20 (3 recent months against the 12 before, Poisson upper tail) — printed as lines.

Usage: python3 bench/events_reference.py FILE.csv [RUNS]
"""
import math
import sys
import time

path = sys.argv[1]
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2]


def upper_tail(k, lam):
    if k <= 0:
        return 1.0
    if lam <= 0:
        return 0.0
    term = math.exp(-lam + k * math.log(lam) - math.lgamma(k + 1))
    s, i = 0.0, k
    while True:
        s += term
        i += 1
        term *= lam / i
        if i > lam and term <= s * 1e-17:
            return min(s, 1.0)


RANK_SQL = """
WITH cm AS (SELECT country_id, strftime(CAST(date_start AS TIMESTAMP), '%Y-%m') AS month,
                   COUNT(*) AS n FROM ged WHERE type_of_violence > 0 GROUP BY 1, 2),
     ref AS (SELECT max(month) AS m FROM cm),
     w AS (SELECT country_id,
                  SUM(CASE WHEN month > strftime(CAST((SELECT m FROM ref) || '-01' AS DATE) - INTERVAL 3 MONTH, '%Y-%m')
                           AND month <= (SELECT m FROM ref) THEN n ELSE 0 END) AS recent,
                  SUM(CASE WHEN month > strftime(CAST((SELECT m FROM ref) || '-01' AS DATE) - INTERVAL 15 MONTH, '%Y-%m')
                           AND month <= strftime(CAST((SELECT m FROM ref) || '-01' AS DATE) - INTERVAL 3 MONTH, '%Y-%m') THEN n ELSE 0 END) AS baseline
           FROM cm GROUP BY 1)
SELECT country_id, recent, baseline * 3.0 / 12 AS expected FROM w
"""

try:
    import duckdb

    load, agg, rank = [], [], []
    for _ in range(runs):
        con = duckdb.connect()
        con.execute("SET threads TO 2")
        t = time.perf_counter()
        con.execute(f"CREATE TABLE ged AS SELECT * FROM read_csv('{path}', header=true, all_varchar=false)")
        load.append(time.perf_counter() - t)
        t = time.perf_counter()
        con.execute("""SELECT country_id, strftime(CAST(date_start AS TIMESTAMP), '%Y-%m') AS month,
                              COUNT(*), SUM(best) FROM ged GROUP BY 1, 2""").fetchall()
        agg.append(time.perf_counter() - t)
        t = time.perf_counter()
        rows = con.execute(RANK_SQL).fetchall()
        ranked = sorted(rows, key=lambda r: (upper_tail(r[1], r[2]) if r[1] > r[2] else 1.0, -r[1]))[:20]
        rank.append(time.perf_counter() - t)
        con.close()
    print(f"duckdb {duckdb.__version__} (2 threads, in memory): load {median(load):.2f} s, "
          f"country-month {median(agg):.3f} s, escalation top 20 {median(rank):.3f} s")
except ImportError:
    print("duckdb: not installed (pip install duckdb)")

try:
    import polars as pl

    load, agg = [], []
    for _ in range(runs):
        t = time.perf_counter()
        df = pl.read_csv(path, infer_schema_length=10000)
        load.append(time.perf_counter() - t)
        t = time.perf_counter()
        (df.with_columns(pl.col("date_start").str.slice(0, 7).alias("month"))
           .group_by(["country_id", "month"]).agg(pl.len(), pl.col("best").sum()))
        agg.append(time.perf_counter() - t)
    print(f"polars {pl.__version__}: load {median(load):.2f} s, country-month {median(agg):.3f} s")
except ImportError:
    print("polars: not installed (pip install polars)")
