//! Relevance computed over the scope only.
//!
//! BM25 weighs a term by how many documents hold it and a document by its length against the
//! average length. Tantivy takes those statistics from the whole index, so the *scores and the
//! order* of visible hits would move when a hidden document with the same words is added — a
//! side channel (it tells that some hidden record holds the word). Here every statistic is taken
//! over the documents of the scope instead:
//!
//! * [`ScopeSet`] is, per segment, the bit set of the documents a scope may read (alive ones),
//!   with their number and the total length of each text field. It is built once per searcher
//!   generation and scope and cached ([`ScopeCache`]); a new generation takes over the bits of
//!   the segments that did not change, so after a commit only new segments (and segments with
//!   new deletions) are scanned.
//! * [`ScopeFilter`] is the query "document in the scope" over that bit set; it scores 0, so the
//!   filter adds nothing to a hit's score (a term query on the labels would add a BM25 score
//!   computed from index-wide counts).
//! * [`ScopeStats`] is the BM25 statistics provider over the set: document count, document
//!   frequency of a term among readable documents, and the field lengths of readable documents.
//!
//! The same statistics choose the snippet fragment and the terms of "more like this".

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tantivy::index::SegmentId;
use tantivy::query::{
    BitSetDocSet, Bm25StatisticsProvider, ConstScorer, EmptyScorer, EnableScoring, Explanation,
    Query, Scorer, Weight,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{BitSet, DocId, DocSet, Searcher, SegmentReader, TERMINATED, Term};

use crate::Scope;

/// The readable documents of one scope in one searcher generation.
pub(crate) struct ScopeSet {
    generation: u64,
    scope: Scope,
    segments: Vec<ScopeSegment>,
    /// Readable documents.
    docs: u64,
    /// Total length (field norms) of each text field over the readable documents.
    tokens: Vec<(Field, u64)>,
    /// Readable documents per term, as asked (the same for every query of this generation
    /// and scope).
    df: Mutex<HashMap<Term, u64>>,
}

/// The readable documents of one segment.
struct ScopeSegment {
    id: SegmentId,
    /// Deleted documents of the segment when the bits were made: a segment never changes
    /// otherwise (deletions only grow), so only documents deleted since need removing.
    deleted: u32,
    bits: BitSet,
    docs: u64,
    tokens: Vec<u64>,
}

/// Terms whose readable-document counts are remembered per scope set.
const REMEMBERED_TERMS: usize = 100_000;

impl ScopeSet {
    fn bits(&self, segment: SegmentId) -> Option<&BitSet> {
        self.position(segment).map(|i| self.bits_at(i))
    }

    /// Where a segment's bits are, if the segment has readable documents.
    pub(crate) fn position(&self, segment: SegmentId) -> Option<usize> {
        self.segments
            .iter()
            .position(|s| s.id == segment && s.docs > 0)
    }

    pub(crate) fn bits_at(&self, position: usize) -> &BitSet {
        &self.segments[position].bits
    }

    /// The number of readable documents.
    pub(crate) fn len(&self) -> u64 {
        self.docs
    }

    /// Builds the set of a new generation. The bits of segments that `previous` (the same
    /// scope in an older generation) already has are taken over, less documents deleted since,
    /// so a small change costs the new segment and a pass over changed segments' bits.
    fn build(
        searcher: &Searcher,
        scope: &Scope,
        filter: &dyn Query,
        text: &[Field],
        previous: Option<&ScopeSet>,
    ) -> tantivy::Result<ScopeSet> {
        let weight = filter.weight(EnableScoring::disabled_from_searcher(searcher))?;
        let mut segments = Vec::with_capacity(searcher.segment_readers().len());
        for reader in searcher.segment_readers() {
            let id = reader.segment_id();
            let deleted = reader.num_deleted_docs();
            let earlier = previous.and_then(|p| p.segments.iter().find(|s| s.id == id));
            let norms = text
                .iter()
                .map(|f| reader.get_fieldnorms_reader(*f))
                .collect::<tantivy::Result<Vec<_>>>()?;
            let (bits, docs, tokens) = match earlier {
                // Same segment: deletions can only have grown; drop the newly deleted.
                Some(s) => {
                    let mut bits = s.bits.clone();
                    let mut docs = s.docs;
                    let mut tokens = s.tokens.clone();
                    if let (Some(alive), true) = (reader.alive_bitset(), s.deleted != deleted) {
                        let mut readable = BitSetDocSet::from(s.bits.clone());
                        let mut d = readable.doc();
                        while d != TERMINATED {
                            if !alive.is_alive(d) {
                                bits.remove(d);
                                docs -= 1;
                                for (i, n) in norms.iter().enumerate() {
                                    tokens[i] -= u64::from(n.fieldnorm(d));
                                }
                            }
                            d = readable.advance();
                        }
                    }
                    (bits, docs, tokens)
                }
                None => {
                    let mut bits = BitSet::with_max_value(reader.max_doc().max(1));
                    let mut docs = 0u64;
                    let mut tokens = vec![0u64; text.len()];
                    let alive = reader.alive_bitset();
                    weight.for_each_no_score(reader, &mut |block: &[DocId]| {
                        for &d in block {
                            if alive.is_none_or(|a| a.is_alive(d)) {
                                bits.insert(d);
                                docs += 1;
                                for (i, n) in norms.iter().enumerate() {
                                    tokens[i] += u64::from(n.fieldnorm(d));
                                }
                            }
                        }
                    })?;
                    (bits, docs, tokens)
                }
            };
            segments.push(ScopeSegment {
                id,
                deleted,
                bits,
                docs,
                tokens,
            });
        }
        let docs = segments.iter().map(|s| s.docs).sum();
        let tokens = text
            .iter()
            .enumerate()
            .map(|(i, f)| (*f, segments.iter().map(|s| s.tokens[i]).sum()))
            .collect();
        Ok(ScopeSet {
            generation: searcher.generation().generation_id(),
            scope: scope.clone(),
            segments,
            docs,
            tokens,
            df: Mutex::new(HashMap::new()),
        })
    }
}

/// The scope sets of the current searcher generation, most recent first.
#[derive(Default)]
pub(crate) struct ScopeCache {
    sets: Mutex<Vec<Arc<ScopeSet>>>,
}

/// Scopes kept per generation (one per distinct clearance × compartments × kinds in use).
const CACHED_SCOPES: usize = 32;

impl ScopeCache {
    pub(crate) fn get(
        &self,
        searcher: &Searcher,
        scope: &Scope,
        filter: &dyn Query,
        text: &[Field],
    ) -> tantivy::Result<Arc<ScopeSet>> {
        let generation = searcher.generation().generation_id();
        let previous = {
            let sets = self.sets.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(s) = sets
                .iter()
                .find(|s| s.generation == generation && s.scope == *scope)
            {
                return Ok(s.clone());
            }
            sets.iter().find(|s| s.scope == *scope).cloned()
        };
        let set = Arc::new(ScopeSet::build(
            searcher,
            scope,
            filter,
            text,
            previous.as_deref(),
        )?);
        let mut sets = self.sets.lock().unwrap_or_else(|e| e.into_inner());
        // Sets of older generations stay only as the base of their scope's next set.
        sets.retain(|s| s.scope != *scope);
        sets.insert(0, set.clone());
        sets.truncate(CACHED_SCOPES);
        Ok(set)
    }
}

/// "The document is in the scope", from the cached bit sets; scores 0.
#[derive(Clone)]
pub(crate) struct ScopeFilter(pub(crate) Arc<ScopeSet>);

impl std::fmt::Debug for ScopeFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScopeFilter")
            .field("docs", &self.0.docs)
            .finish()
    }
}

impl Query for ScopeFilter {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(ScopeWeight(self.0.clone())))
    }
}

struct ScopeWeight(Arc<ScopeSet>);

impl Weight for ScopeWeight {
    fn scorer(&self, reader: &SegmentReader, _boost: f32) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(match self.0.bits(reader.segment_id()) {
            Some(bits) if bits.len() > 0 => {
                Box::new(ConstScorer::new(BitSetDocSet::from(bits.clone()), 0.0))
            }
            _ => Box::new(EmptyScorer),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let inside = self
            .0
            .bits(reader.segment_id())
            .is_some_and(|b| doc < b.max_value() && b.contains(doc));
        if inside {
            Ok(Explanation::new("in scope", 0.0))
        } else {
            Err(tantivy::TantivyError::InvalidArgument(
                "document not in the scope".into(),
            ))
        }
    }
}

/// BM25 statistics over the readable documents only.
pub(crate) struct ScopeStats<'a> {
    set: &'a ScopeSet,
    searcher: &'a Searcher,
}

impl<'a> ScopeStats<'a> {
    pub(crate) fn new(set: &'a ScopeSet, searcher: &'a Searcher) -> Self {
        ScopeStats { set, searcher }
    }

    /// Readable documents holding `term` (remembered for the set's generation and scope).
    pub(crate) fn df(&self, term: &Term) -> tantivy::Result<u64> {
        if let Some(n) = self
            .set
            .df
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(term)
        {
            return Ok(*n);
        }
        let mut n = 0u64;
        for reader in self.searcher.segment_readers() {
            let Some(bits) = self.set.bits(reader.segment_id()) else {
                continue;
            };
            let inverted = reader.inverted_index(term.field())?;
            if let Some(mut postings) = inverted.read_postings(term, IndexRecordOption::Basic)? {
                let mut d = postings.doc();
                while d != TERMINATED {
                    if d < bits.max_value() && bits.contains(d) {
                        n += 1;
                    }
                    d = postings.advance();
                }
            }
        }
        let mut memo = self.set.df.lock().unwrap_or_else(|e| e.into_inner());
        if memo.len() >= REMEMBERED_TERMS {
            memo.clear();
        }
        memo.insert(term.clone(), n);
        Ok(n)
    }
}

impl Bm25StatisticsProvider for ScopeStats<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        // Fields without text (labels, countries as terms) count one token per document.
        Ok(self
            .set
            .tokens
            .iter()
            .find(|(f, _)| *f == field)
            .map_or(self.set.docs, |(_, n)| *n)
            .max(1))
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Ok(self.set.docs.max(1))
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        self.df(term)
    }
}
