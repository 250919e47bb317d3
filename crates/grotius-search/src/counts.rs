//! What one search computes over `query AND scope`, in two passes over the segments:
//!
//! * [`ScopedCounts`] visits every match without scoring (tantivy's block-at-a-time
//!   `for_each_no_score`, a bitset union for OR queries), keeps those in the scope and counts
//!   them: the total, the facet values of kind, country, theme and year, and — when the order is
//!   by date — the newest `k`.
//! * [`ScopedTopScore`] takes the best `k` by BM25 through `for_each_pruning`: block-max WAND
//!   skips blocks of postings that cannot beat the current `k`-th score. Documents outside the
//!   scope are never admitted, so the threshold only ever rises on readable documents and no
//!   readable document that belongs in the top `k` is skipped.
//!
//! Exact totals and facets must see every readable match, so the first pass cannot prune; it
//! does no scoring and reads facet values from [`SegmentFacets`] — per segment, the ordinals of
//! each facet field per document as plain arrays, built once per segment (segments never change;
//! deletions only shrink the scope) — an array increment per value instead of a columnar lookup.
//!
//! Neither collector relies on the query to apply the scope: the scope's bit sets (alive,
//! readable documents) are checked for every document, so a query may not widen it.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::sync::{Arc, Mutex};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::index::SegmentId;
use tantivy::query::Weight;
use tantivy::{BitSet, DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use crate::scoped::ScopeSet;

/// Counts per value of kind, country, theme and year.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Counts {
    pub(crate) kind: BTreeMap<String, u64>,
    pub(crate) country: BTreeMap<String, u64>,
    pub(crate) theme: BTreeMap<String, u64>,
    pub(crate) year: BTreeMap<u64, u64>,
}

const STR_FIELDS: [&str; 3] = ["kind", "country", "theme"];

/// The documents of a segment with more than one value of a facet field (or a value whose
/// ordinal does not fit a row): their ordinals.
#[derive(Default)]
struct ManyValues {
    spans: HashMap<DocId, (u32, u32)>,
    ords: Vec<u32>,
}

/// In a row: the document has several values, see [`ManyValues`].
const MANY: u16 = u16::MAX;

/// The facet values of every document of one segment. `rows[d]` holds, for kind, country,
/// theme and year, the value's ordinal plus one — 0 for no value, [`MANY`] for several —
/// eight bytes per document, so counting a match reads one small row and bumps four counters
/// without a branch that depends on the data (slot 0 of each counter array takes "no value").
pub(crate) struct SegmentFacets {
    rows: Vec<[u16; 4]>,
    many: [ManyValues; 4],
    /// Distinct values per field (a counter array has one more slot).
    values: [usize; 4],
    /// Values of kind, country and theme by ordinal.
    names: [Vec<String>; 3],
    /// Years by ordinal.
    years: Vec<u64>,
}

impl SegmentFacets {
    fn build(reader: &SegmentReader) -> tantivy::Result<SegmentFacets> {
        let ff = reader.fast_fields();
        let max_doc = reader.max_doc();
        let mut facets = SegmentFacets {
            rows: vec![[0u16; 4]; max_doc as usize],
            many: Default::default(),
            values: [0; 4],
            names: Default::default(),
            years: Vec::new(),
        };
        let mut buf: Vec<u32> = Vec::new();
        for (i, name) in STR_FIELDS.iter().enumerate() {
            let Some(column) = ff.str(name)? else {
                continue;
            };
            let n = column.num_terms();
            let mut text = String::new();
            for ord in 0..n as u64 {
                text.clear();
                column.ord_to_str(ord, &mut text)?;
                facets.names[i].push(text.clone());
            }
            facets.values[i] = n;
            for d in 0..max_doc {
                buf.clear();
                buf.extend(column.term_ords(d).map(|o| o as u32));
                facets.set(i, d, &buf);
            }
        }
        let year: Column<u64> = ff.u64("year")?;
        let mut ord_of: HashMap<u64, u32> = HashMap::new();
        for d in 0..max_doc {
            buf.clear();
            for y in year.values_for_doc(d) {
                let o = *ord_of.entry(y).or_insert_with(|| {
                    facets.years.push(y);
                    (facets.years.len() - 1) as u32
                });
                buf.push(o);
            }
            facets.set(3, d, &buf);
        }
        facets.values[3] = facets.years.len();
        Ok(facets)
    }

    fn set(&mut self, field: usize, doc: DocId, ords: &[u32]) {
        self.rows[doc as usize][field] = match ords {
            [] => 0,
            [one] if *one + 1 < u32::from(MANY) => (*one + 1) as u16,
            many => {
                let m = &mut self.many[field];
                let start = m.ords.len() as u32;
                m.ords.extend_from_slice(many);
                m.spans.insert(doc, (start, m.ords.len() as u32));
                MANY
            }
        };
    }

    /// Counter arrays for [`SegmentFacets::count`]: slot 0 is "no value", slot `o + 1` ordinal `o`.
    fn counters(&self) -> [Vec<u64>; 4] {
        self.values.map(|n| vec![0u64; n + 1])
    }

    #[inline]
    fn count(&self, doc: DocId, counts: &mut [Vec<u64>; 4]) {
        let row = self.rows[doc as usize];
        for (field, (slot, counts)) in row.into_iter().zip(counts.iter_mut()).enumerate() {
            if slot == MANY {
                let m = &self.many[field];
                if let Some(&(a, b)) = m.spans.get(&doc) {
                    for &o in &m.ords[a as usize..b as usize] {
                        counts[o as usize + 1] += 1;
                    }
                }
            } else {
                counts[slot as usize] += 1;
            }
        }
    }
}

/// Facet arrays per segment, kept while the segment is searched.
#[derive(Default)]
pub(crate) struct FacetCache {
    segments: Mutex<Vec<(SegmentId, Arc<SegmentFacets>)>>,
}

impl FacetCache {
    /// The arrays of every segment of `searcher`, building those of new segments (and
    /// forgetting those of segments merged away).
    pub(crate) fn for_searcher(
        &self,
        searcher: &tantivy::Searcher,
    ) -> tantivy::Result<Vec<Arc<SegmentFacets>>> {
        let mut cached = self.segments.lock().unwrap_or_else(|e| e.into_inner());
        let mut out = Vec::with_capacity(searcher.segment_readers().len());
        let mut kept = Vec::with_capacity(out.capacity());
        for reader in searcher.segment_readers() {
            let id = reader.segment_id();
            let facets = match cached.iter().find(|(s, _)| *s == id) {
                Some((_, f)) => f.clone(),
                None => Arc::new(SegmentFacets::build(reader)?),
            };
            kept.push((id, facets.clone()));
            out.push(facets);
        }
        *cached = kept;
        Ok(out)
    }
}

/// The newest `k` by the `date` fast field (and, for equal dates, the first in the index).
type DateHeap = BinaryHeap<Reverse<(i64, Reverse<DocId>)>>;

/// Total, facet counts and (optionally) the newest `k` of `query AND scope`.
pub(crate) struct ScopedCounts {
    pub(crate) set: Arc<ScopeSet>,
    /// Facet arrays by segment ordinal (from [`FacetCache::for_searcher`]).
    pub(crate) facets: Vec<Arc<SegmentFacets>>,
    /// Keep the newest `k` too.
    pub(crate) newest: Option<usize>,
}

#[derive(Default)]
pub(crate) struct CountsFruit {
    pub(crate) total: u64,
    pub(crate) counts: Counts,
    /// `(date, address)`, newest first.
    pub(crate) newest: Vec<(i64, DocAddress)>,
}

pub(crate) struct SegmentScopedCounts {
    bits: Option<Arc<ScopeSet>>,
    position: usize,
    facets: Arc<SegmentFacets>,
    total: u64,
    counts: [Vec<u64>; 4],
    newest: Option<(usize, Column<i64>, DateHeap)>,
    segment: SegmentOrdinal,
}

#[inline]
fn contains(bits: &BitSet, doc: DocId) -> bool {
    doc < bits.max_value() && bits.contains(doc)
}

impl Collector for ScopedCounts {
    type Fruit = CountsFruit;
    type Child = SegmentScopedCounts;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentScopedCounts> {
        let facets =
            self.facets.get(segment as usize).cloned().ok_or_else(|| {
                tantivy::TantivyError::InternalError("facets of a segment".into())
            })?;
        let position = self.set.position(reader.segment_id());
        let counts = facets.counters();
        let newest = match self.newest {
            Some(k) => Some((
                k,
                reader.fast_fields().i64("date")?,
                BinaryHeap::with_capacity(k + 1),
            )),
            None => None,
        };
        Ok(SegmentScopedCounts {
            bits: position.map(|_| self.set.clone()),
            position: position.unwrap_or(0),
            facets,
            total: 0,
            counts,
            newest,
            segment,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<CountsFruit>) -> tantivy::Result<CountsFruit> {
        let mut out = CountsFruit::default();
        let mut newest = Vec::new();
        for f in fruits {
            out.total += f.total;
            for (into, from) in [
                (&mut out.counts.kind, f.counts.kind),
                (&mut out.counts.country, f.counts.country),
                (&mut out.counts.theme, f.counts.theme),
            ] {
                for (k, n) in from {
                    *into.entry(k).or_default() += n;
                }
            }
            for (y, n) in f.counts.year {
                *out.counts.year.entry(y).or_default() += n;
            }
            newest.extend(f.newest);
        }
        if let Some(k) = self.newest {
            newest.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
            newest.truncate(k);
            out.newest = newest;
        }
        Ok(out)
    }

    /// Every match, block by block, without scores: the scope bits already leave out deleted
    /// documents, so tantivy's per-document alive check is not needed.
    fn collect_segment(
        &self,
        weight: &dyn Weight,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<CountsFruit> {
        let mut child = self.for_segment(segment, reader)?;
        if child.bits.is_some() {
            weight.for_each_no_score(reader, &mut |docs| child.collect_block(docs))?;
        }
        Ok(child.harvest())
    }
}

impl SegmentCollector for SegmentScopedCounts {
    type Fruit = CountsFruit;

    fn collect(&mut self, doc: DocId, _: Score) {
        self.collect_block(&[doc]);
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        let Some(set) = &self.bits else { return };
        let bits = set.bits_at(self.position);
        for &doc in docs {
            if !contains(bits, doc) {
                continue;
            }
            self.total += 1;
            self.facets.count(doc, &mut self.counts);
            if let Some((k, dates, heap)) = &mut self.newest {
                let date = dates.first(doc).unwrap_or(i64::MIN);
                heap.push(Reverse((date, Reverse(doc))));
                if heap.len() > *k {
                    heap.pop();
                }
            }
        }
    }

    fn harvest(self) -> CountsFruit {
        let mut out = CountsFruit {
            total: self.total,
            ..Default::default()
        };
        let [kind, country, theme, year] = self.counts;
        for (i, (into, counts)) in [
            (&mut out.counts.kind, kind),
            (&mut out.counts.country, country),
            (&mut out.counts.theme, theme),
        ]
        .into_iter()
        .enumerate()
        {
            for (ord, n) in counts.into_iter().skip(1).enumerate() {
                if n > 0 {
                    into.insert(self.facets.names[i][ord].clone(), n);
                }
            }
        }
        for (ord, n) in year.into_iter().skip(1).enumerate() {
            if n > 0 {
                *out.counts.year.entry(self.facets.years[ord]).or_default() += n;
            }
        }
        if let Some((_, _, heap)) = self.newest {
            out.newest = heap
                .into_iter()
                .map(|Reverse((date, Reverse(doc)))| (date, DocAddress::new(self.segment, doc)))
                .collect();
        }
        out
    }
}

/// The best `k` of `query AND scope` by score, with block-max WAND pruning.
pub(crate) struct ScopedTopScore {
    pub(crate) set: Arc<ScopeSet>,
    pub(crate) k: usize,
}

/// A score with a total order (scores are finite).
#[derive(Clone, Copy, PartialEq)]
struct Ranked(Score);

impl Eq for Ranked {}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

pub(crate) struct SegmentTopScore {
    bits: Option<Arc<ScopeSet>>,
    position: usize,
    k: usize,
    /// Smallest on top: the lowest score, and for equal scores the later document.
    heap: BinaryHeap<Reverse<(Ranked, Reverse<DocId>)>>,
    segment: SegmentOrdinal,
}

impl SegmentTopScore {
    /// The score a document must exceed to enter.
    fn threshold(&self) -> Score {
        if self.heap.len() < self.k {
            Score::MIN
        } else {
            self.heap.peek().map_or(Score::MIN, |Reverse((s, _))| s.0)
        }
    }
}

impl Collector for ScopedTopScore {
    type Fruit = Vec<(Score, DocAddress)>;
    type Child = SegmentTopScore;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentTopScore> {
        let position = self.set.position(reader.segment_id());
        Ok(SegmentTopScore {
            bits: position.map(|_| self.set.clone()),
            position: position.unwrap_or(0),
            k: self.k.max(1),
            heap: BinaryHeap::with_capacity(self.k + 1),
            segment,
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(
        &self,
        fruits: Vec<Vec<(Score, DocAddress)>>,
    ) -> tantivy::Result<Vec<(Score, DocAddress)>> {
        let mut all: Vec<(Score, DocAddress)> = fruits.into_iter().flatten().collect();
        all.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        all.truncate(self.k);
        Ok(all)
    }

    /// Matches scored by the weight's own pruning loop (block-max WAND for unions and
    /// intersections of terms); a document enters only when it is in the scope.
    fn collect_segment(
        &self,
        weight: &dyn Weight,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Vec<(Score, DocAddress)>> {
        let mut child = self.for_segment(segment, reader)?;
        if child.bits.is_some() {
            weight.for_each_pruning(Score::MIN, reader, &mut |doc, score| {
                child.collect(doc, score);
                child.threshold()
            })?;
        }
        Ok(child.harvest())
    }
}

impl SegmentCollector for SegmentTopScore {
    type Fruit = Vec<(Score, DocAddress)>;

    fn collect(&mut self, doc: DocId, score: Score) {
        let Some(set) = &self.bits else { return };
        if !contains(set.bits_at(self.position), doc) || score.is_nan() {
            return;
        }
        if self.heap.len() >= self.k && score <= self.threshold() {
            return;
        }
        self.heap.push(Reverse((Ranked(score), Reverse(doc))));
        if self.heap.len() > self.k {
            self.heap.pop();
        }
    }

    fn harvest(self) -> Vec<(Score, DocAddress)> {
        self.heap
            .into_iter()
            .map(|Reverse((s, Reverse(doc)))| (s.0, DocAddress::new(self.segment, doc)))
            .collect()
    }
}
