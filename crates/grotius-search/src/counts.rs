//! Facet counts from columnar fast fields: per segment, one counter per dictionary ordinal of
//! `kind`, `country` and `theme`, and per year — a few array increments per matching document
//! (tantivy's hierarchical facet collector costs several times more per document, which matters
//! at a million records). Like every collector here it only sees documents of `query AND scope`.

use std::collections::BTreeMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// Counts per value of kind, country, theme and year.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Counts {
    pub(crate) kind: BTreeMap<String, u64>,
    pub(crate) country: BTreeMap<String, u64>,
    pub(crate) theme: BTreeMap<String, u64>,
    pub(crate) year: BTreeMap<u64, u64>,
}

const STR_FIELDS: [&str; 3] = ["kind", "country", "theme"];
/// Years below this are counted in an array; others (none in practice) in a map.
const YEARS: usize = 4096;

pub(crate) struct FacetCounts;

pub(crate) struct SegmentCounts {
    columns: Vec<Option<StrColumn>>,
    counts: Vec<Vec<u64>>,
    year: Column<u64>,
    years: Vec<u64>,
    other_years: BTreeMap<u64, u64>,
}

impl Collector for FacetCounts {
    type Fruit = Counts;
    type Child = SegmentCounts;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentCounts> {
        let ff = reader.fast_fields();
        let columns = STR_FIELDS
            .iter()
            .map(|f| ff.str(f))
            .collect::<tantivy::Result<Vec<_>>>()?;
        let counts = columns
            .iter()
            .map(|c| vec![0u64; c.as_ref().map_or(0, |c| c.num_terms())])
            .collect();
        Ok(SegmentCounts {
            columns,
            counts,
            year: ff.u64("year")?,
            years: vec![0; YEARS],
            other_years: BTreeMap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Counts>) -> tantivy::Result<Counts> {
        let mut out = Counts::default();
        for f in fruits {
            for (into, from) in [
                (&mut out.kind, f.kind),
                (&mut out.country, f.country),
                (&mut out.theme, f.theme),
            ] {
                for (k, n) in from {
                    *into.entry(k).or_default() += n;
                }
            }
            for (y, n) in f.year {
                *out.year.entry(y).or_default() += n;
            }
        }
        Ok(out)
    }
}

impl SegmentCollector for SegmentCounts {
    type Fruit = Counts;

    fn collect(&mut self, doc: DocId, _: Score) {
        for (column, counts) in self.columns.iter().zip(self.counts.iter_mut()) {
            if let Some(c) = column {
                for ord in c.term_ords(doc) {
                    if let Some(n) = counts.get_mut(ord as usize) {
                        *n += 1;
                    }
                }
            }
        }
        for y in self.year.values_for_doc(doc) {
            match self.years.get_mut(y as usize) {
                Some(n) => *n += 1,
                None => *self.other_years.entry(y).or_default() += 1,
            }
        }
    }

    fn harvest(self) -> Counts {
        let mut out = Counts::default();
        let mut buf = String::new();
        for (i, (column, counts)) in self.columns.iter().zip(self.counts).enumerate() {
            let Some(c) = column else { continue };
            let into = match i {
                0 => &mut out.kind,
                1 => &mut out.country,
                _ => &mut out.theme,
            };
            for (ord, n) in counts.into_iter().enumerate() {
                if n > 0 && c.ord_to_str(ord as u64, &mut buf).unwrap_or(false) {
                    into.insert(buf.clone(), n);
                }
            }
        }
        for (y, n) in self.years.into_iter().enumerate() {
            if n > 0 {
                out.year.insert(y as u64, n);
            }
        }
        out.year.extend(self.other_years);
        out
    }
}
