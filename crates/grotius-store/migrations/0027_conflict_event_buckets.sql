-- Early warning at a million events: the series, the signals, the spread windows and the dyads
-- read these buckets (tens of thousands of rows) instead of every event. They are derived from
-- conflict_events and kept in step with it in the same transaction as every write of an event
-- (the importer adds, changes and removes events and applies the buckets' deltas before it
-- commits), so a reader never sees the two disagree.
--
-- All events of a bucket share its labels (classification, compartment), so the visibility
-- filter applies to a bucket exactly as it would to each of its events. `bucket` is the key of
-- the grouping as one text (fixed-width fields first; free text last or prefixed by its length,
-- so no two groupings share a key); a bucket whose events reach zero is deleted.

-- Country × month × type of violence (0 for ACLED's non-violent events) × labels.
CREATE TABLE conflict_event_months (
    bucket TEXT PRIMARY KEY,
    country TEXT NOT NULL,
    month TEXT NOT NULL,
    violence INTEGER NOT NULL,
    classification INTEGER NOT NULL,
    compartment_id TEXT REFERENCES compartments(id),
    events INTEGER NOT NULL,
    deaths_best INTEGER NOT NULL,
    deaths_low INTEGER NOT NULL,
    deaths_high INTEGER NOT NULL
);
CREATE INDEX conflict_event_months_country ON conflict_event_months(country, month);

-- Organised violence (violence > 0) per country × admin-1 area × month × labels: the spread
-- signal and a country's admin-1 series.
CREATE TABLE conflict_event_areas (
    bucket TEXT PRIMARY KEY,
    country TEXT NOT NULL,
    adm_1 TEXT NOT NULL,
    month TEXT NOT NULL,
    classification INTEGER NOT NULL,
    compartment_id TEXT REFERENCES compartments(id),
    events INTEGER NOT NULL,
    deaths_best INTEGER NOT NULL
);
CREATE INDEX conflict_event_areas_month ON conflict_event_areas(month);
CREATE INDEX conflict_event_areas_country ON conflict_event_areas(country, month);

-- Country × month × conflict × dyad × type of violence × labels: the dyads of a country's page.
CREATE TABLE conflict_event_dyads (
    bucket TEXT PRIMARY KEY,
    country TEXT NOT NULL,
    month TEXT NOT NULL,
    conflict_name TEXT NOT NULL,
    dyad_name TEXT NOT NULL,
    violence INTEGER NOT NULL,
    classification INTEGER NOT NULL,
    compartment_id TEXT REFERENCES compartments(id),
    events INTEGER NOT NULL,
    deaths_best INTEGER NOT NULL
);
CREATE INDEX conflict_event_dyads_country ON conflict_event_dyads(country, month);

-- The events already stored.
INSERT INTO conflict_event_months (bucket, country, month, violence, classification, compartment_id,
    events, deaths_best, deaths_low, deaths_high)
SELECT country || '|' || month || '|' || violence || '|' || classification || '|' || COALESCE(compartment_id, ''),
       country, month, violence, classification, compartment_id,
       COUNT(*), SUM(best), SUM(low), SUM(high)
FROM conflict_events WHERE country IS NOT NULL
GROUP BY country, month, violence, classification, compartment_id;

INSERT INTO conflict_event_areas (bucket, country, adm_1, month, classification, compartment_id, events,
    deaths_best)
SELECT country || '|' || month || '|' || classification || '|' || COALESCE(compartment_id, '') || '|' || adm_1,
       country, adm_1, month, classification, compartment_id, COUNT(*), SUM(best)
FROM conflict_events WHERE country IS NOT NULL AND violence > 0 AND adm_1 <> ''
GROUP BY country, adm_1, month, classification, compartment_id;

INSERT INTO conflict_event_dyads (bucket, country, month, conflict_name, dyad_name, violence,
    classification, compartment_id, events, deaths_best)
SELECT country || '|' || month || '|' || violence || '|' || classification || '|' || COALESCE(compartment_id, '')
           || '|' || LENGTH(conflict_name) || '|' || conflict_name || '|' || dyad_name,
       country, month, conflict_name, dyad_name, violence, classification, compartment_id,
       COUNT(*), SUM(best)
FROM conflict_events WHERE country IS NOT NULL
GROUP BY country, month, conflict_name, dyad_name, violence, classification, compartment_id;

-- Nothing reads events by GED country name or by labels alone any more (the importer reads a
-- source's events once; readers filter the buckets or a country's events): two indexes fewer to
-- write for every imported event.
DROP INDEX conflict_events_country_name;
DROP INDEX conflict_events_labels;

-- The map's grid cells are the one reader of a country's events themselves: an index that holds
-- every column it reads (month, position, deaths, labels), so it never visits the table's rows,
-- which lie scattered across the file in import order. Its second key is the event's id (a
-- UUIDv7, increasing as events are written), not the month: an import then appends to one place
-- per country instead of writing into every country's every month, which, over a million events
-- in 200 transactions, rewrote index pages so often that it took longer than the rest of the
-- import (measured with the sqlite3 shell on the benchmark's file: 48 s by (country, month, ...)
-- against 20 s by (country, id, ...)). The cells filter the month inside the index.
DROP INDEX conflict_events_country_month;
CREATE INDEX conflict_events_country_cells ON conflict_events(country, id, month, lat_micro, lon_micro, best, classification, compartment_id);
