//! The full-text index of Grotius: one tantivy index per app node over the records of every
//! searchable kind ("sources"), with per-language analysers (English, Dutch, French, Arabic),
//! facets, highlighted snippets, "more like this" — and the authorisation filter inside every
//! query.
//!
//! * A [`SearchDoc`] is the *indexable view* of a record: its stored fields (title, body) hold
//!   only text kept in plaintext in the database (titles, summaries, descriptions). Text
//!   encrypted at rest that people must find (a document's extracted text) goes in
//!   `private_body`: it is analysed into terms of the language field and never stored, so the
//!   index holds terms of encrypted text, never its readable text. Snippets of such hits are made
//!   by the caller after the authorisation re-check, from the decrypted text ([`SearchIndex::snippet`]).
//! * A [`Scope`] is what a subject may read, compiled from its clearance, memberships and the
//!   role table ([`grotius_domain::grants`]). Every query — hits, total, facet counts, snippets
//!   and similar documents — runs as `user query AND scope`, so nothing is computed over a
//!   document the subject may not read. Callers re-check each hit with `decide()` as well.
//! * The index is derived data: [`SearchIndex::rebuild`] makes it from scratch; [`SearchIndex::apply`]
//!   follows the change feed. The last applied feed position is the commit payload, so it is
//!   saved atomically with the documents.
//!
//! * Relevance is computed over the scope too (see [`scoped`]): BM25's document counts, term
//!   frequencies and average lengths, the choice of the snippet fragment and the terms of "more
//!   like this" come from the documents the subject may read, so neither the scores nor the
//!   order of visible hits can change when a hidden document is added or removed.
//! * Suggestions ([`SearchIndex::suggest`]) complete the last word typed from the *titles* of
//!   documents in the scope (an unstemmed, accent-folded title field), so a word that only a
//!   hidden record holds is never proposed.
//!
//! A new source (agreements, documents, incidents) adds its kind to [`SOURCES`] with its URL
//! pattern, and the store a loader that returns its [`SearchDoc`]s.

mod counts;
mod scoped;

use std::collections::BTreeSet;
use std::ops::Bound;
use std::path::Path;

use grotius_domain::policy::{Action, Labels, ResourceKind, Subject, grants, organisation_bound};
use grotius_domain::security::{Classification, CompartmentId};
use tantivy::collector::TopDocs;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, Occur, Query, QueryParser, RangeQuery, RegexQuery,
    TermQuery,
};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    StopWordFilter, TextAnalyzer, TokenStream,
};
use tantivy::{
    DocAddress, Index, IndexReader, Order, ReloadPolicy, Searcher, TantivyDocument, Term,
    directory::MmapDirectory,
};

/// How much of a record's unstored text "more like this" reads to choose its terms.
pub const SIMILAR_TEXT_BYTES: usize = 256 * 1024;

/// Bumped whenever the schema or the analysers change: an index of another version is rebuilt.
pub const SCHEMA_VERSION: u32 = 3;

/// The analyser of the suggestion field: words as written, lower-cased and accent-folded, not
/// stemmed (a suggestion completes what the user types).
const WORDS_TOKENIZER: &str = "grotius_words";

fn words_analyser() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// The compartment value of a document without compartment (no compartment id can be "-").
const NO_COMPARTMENT: &str = "-";

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index directory: {0}")]
    Directory(String),
    #[error("search index: a hit failed the authorisation re-check")]
    Recheck,
}

pub type Result<T> = std::result::Result<T, SearchError>;

/// A searchable kind of record and where its page is.
#[derive(Debug, Clone, Copy)]
pub struct Source {
    pub kind: ResourceKind,
    /// Builds the UI path of a record from its id and its parent (the process) id.
    pub url: fn(&str, &str) -> String,
}

/// Every kind the index holds. Agreements, documents and incidents add a row here.
pub const SOURCES: [Source; 7] = [
    Source {
        kind: ResourceKind::Process,
        url: |id, _| format!("/processes/{id}"),
    },
    Source {
        kind: ResourceKind::Engagement,
        url: |id, parent| format!("/processes/{parent}#engagement-{id}"),
    },
    Source {
        kind: ResourceKind::Actor,
        url: |id, _| format!("/network/actors/{id}"),
    },
    Source {
        kind: ResourceKind::Debrief,
        url: |id, _| format!("/debriefs/{id}"),
    },
    Source {
        kind: ResourceKind::Document,
        url: |id, _| format!("/documents/{id}"),
    },
    Source {
        kind: ResourceKind::Incident,
        url: |id, _| format!("/incidents/{id}"),
    },
    Source {
        kind: ResourceKind::Agreement,
        url: |id, _| format!("/agreements/{id}"),
    },
];

/// The source of a kind, if the index holds it.
pub fn source(kind: &str) -> Option<&'static Source> {
    SOURCES.iter().find(|s| s.kind.as_str() == kind)
}

/// The languages with their own analyser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Nl,
    Fr,
    Ar,
}

impl Lang {
    pub const ALL: [Lang; 4] = [Lang::En, Lang::Nl, Lang::Fr, Lang::Ar];

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Nl => "nl",
            Lang::Fr => "fr",
            Lang::Ar => "ar",
        }
    }

    fn stemmer(self) -> Language {
        match self {
            Lang::En => Language::English,
            Lang::Nl => Language::Dutch,
            Lang::Fr => Language::French,
            Lang::Ar => Language::Arabic,
        }
    }

    fn analyser(self) -> TextAnalyzer {
        let base = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(40))
            .filter(LowerCaser);
        match (self, StopWordFilter::new(self.stemmer())) {
            // Accents are folded after stemming, so that the stemmer sees the real word and
            // "négociations" and "negociation" meet.
            (Lang::Ar, _) => base.filter(Stemmer::new(Language::Arabic)).build(),
            (l, Some(stop)) => base
                .filter(stop)
                .filter(Stemmer::new(l.stemmer()))
                .filter(AsciiFoldingFilter)
                .build(),
            (l, None) => base
                .filter(Stemmer::new(l.stemmer()))
                .filter(AsciiFoldingFilter)
                .build(),
        }
    }

    fn tokenizer_name(self) -> &'static str {
        match self {
            Lang::En => "grotius_en",
            Lang::Nl => "grotius_nl",
            Lang::Fr => "grotius_fr",
            Lang::Ar => "grotius_ar",
        }
    }

    /// The language of a text among English, Dutch, French and Arabic (English when unsure).
    pub fn detect(text: &str) -> Lang {
        // Only the four languages we analyse compete: a short Dutch text is otherwise easily
        // taken for Afrikaans, and would miss the Dutch stemmer.
        let detector = whatlang::Detector::with_allowlist(vec![
            whatlang::Lang::Eng,
            whatlang::Lang::Nld,
            whatlang::Lang::Fra,
            whatlang::Lang::Ara,
        ]);
        match detector.detect(text) {
            Some(info) => match info.lang() {
                whatlang::Lang::Nld => Lang::Nl,
                whatlang::Lang::Fra => Lang::Fr,
                whatlang::Lang::Ara => Lang::Ar,
                _ => Lang::En,
            },
            None => Lang::En,
        }
    }

    /// The terms this language's analyser makes of a text (what the index stores and matches).
    pub fn analyse(self, text: &str) -> Vec<String> {
        let mut a = self.analyser();
        let mut stream = a.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            out.push(stream.token().text.clone());
        }
        out
    }

    pub fn parse(code: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.code() == code)
    }
}

/// The indexable view of one record: only what is stored in plaintext.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchDoc {
    pub kind: ResourceKind,
    pub id: String,
    /// The process a record belongs to ("" for a process or an actor).
    pub parent: String,
    pub title: String,
    pub body: String,
    /// Text encrypted at rest that must be found (a document's extracted text): indexed as
    /// terms, never stored in the index.
    pub private_body: String,
    /// The language, when the record says; detected otherwise.
    pub lang: Option<Lang>,
    /// ISO 3166 alpha-2 codes.
    pub countries: Vec<String>,
    pub year: Option<u64>,
    /// For sorting by date: Unix micros (or a date as YYYYMMDD × 10⁶ — any monotone value).
    pub date: i64,
    pub themes: Vec<String>,
    pub labels: Labels,
}

/// What a subject may read in the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub clearance: Classification,
    pub compartments: BTreeSet<CompartmentId>,
    pub kinds: Vec<ResourceKind>,
}

impl Scope {
    /// The subject's scope: its clearance, its memberships, and the source kinds one of its
    /// roles may read. Kinds a subject reads only for its own organisation (partners) are left
    /// out: the index does not know organisations, so it fails closed.
    pub fn for_subject(subject: &Subject) -> Scope {
        let kinds = SOURCES
            .iter()
            .map(|s| s.kind)
            .filter(|k| {
                subject
                    .roles
                    .iter()
                    .any(|r| grants(*r, *k).contains(&Action::Read))
                    && organisation_bound(subject, *k).is_none()
            })
            .collect();
        Scope {
            clearance: subject.clearance,
            compartments: subject.compartments.clone(),
            kinds,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Relevance,
    /// Newest first.
    Date,
}

#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub q: String,
    pub limit: usize,
    pub offset: usize,
    pub sort: Sort,
}

/// A stretch of text with the byte ranges of the words that matched.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snippet {
    pub text: String,
    pub highlights: Vec<(usize, usize)>,
}

impl Snippet {
    /// The text cut into (piece, highlighted) parts, for rendering with escaping.
    pub fn parts(&self) -> Vec<(&str, bool)> {
        let mut out = Vec::new();
        let mut at = 0;
        for &(s, e) in &self.highlights {
            if s < at || e > self.text.len() || s > e {
                continue;
            }
            if s > at {
                out.push((&self.text[at..s], false));
            }
            out.push((&self.text[s..e], true));
            at = e;
        }
        if at < self.text.len() {
            out.push((&self.text[at..], false));
        }
        out
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub kind: ResourceKind,
    pub id: String,
    pub parent: String,
    pub title: String,
    pub snippet: Snippet,
    pub url: String,
    pub score: f32,
    pub labels: Labels,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facets {
    pub kind: Vec<(String, u64)>,
    pub country: Vec<(String, u64)>,
    pub year: Vec<(String, u64)>,
    pub theme: Vec<(String, u64)>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchResults {
    pub total: usize,
    pub hits: Vec<Hit>,
    pub facets: Facets,
    /// When nothing matched: the query with misspelt words replaced by the closest words of
    /// records the reader may read, if that finds something.
    pub did_you_mean: Option<String>,
}

#[derive(Clone, Copy)]
struct Fields {
    key: Field,
    kind: Field,
    id: Field,
    parent: Field,
    title: Field,
    body: Field,
    lang: Field,
    text: [Field; 4],
    /// Title words for suggestions (not stored: the title is).
    words: Field,
    /// Every word of the record as written (folded, not stemmed; not stored), the vocabulary
    /// of spelling corrections.
    spell: Field,
    country: Field,
    theme: Field,
    year: Field,
    date: Field,
    classification: Field,
    compartment: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text_field = |b: &mut tantivy::schema::SchemaBuilder, lang: Lang| {
        let opts = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(lang.tokenizer_name())
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        b.add_text_field(&format!("text_{}", lang.code()), opts)
    };
    let fields = Fields {
        key: b.add_text_field("key", STRING | STORED),
        kind: b.add_text_field("kind", STRING | STORED | FAST),
        id: b.add_text_field("id", STORED),
        parent: b.add_text_field("parent", STRING | STORED),
        title: b.add_text_field("title", STORED),
        body: b.add_text_field("body", STORED),
        lang: b.add_text_field("lang", STRING | STORED),
        text: [
            text_field(&mut b, Lang::En),
            text_field(&mut b, Lang::Nl),
            text_field(&mut b, Lang::Fr),
            text_field(&mut b, Lang::Ar),
        ],
        words: b.add_text_field(
            "words",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(WORDS_TOKENIZER)
                    .set_index_option(IndexRecordOption::Basic),
            ),
        ),
        spell: b.add_text_field(
            "spell",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(WORDS_TOKENIZER)
                    .set_index_option(IndexRecordOption::Basic),
            ),
        ),
        country: b.add_text_field("country", STRING | STORED | FAST),
        theme: b.add_text_field("theme", STRING | STORED | FAST),
        year: b.add_u64_field("year", INDEXED | FAST | STORED),
        date: b.add_i64_field("date", FAST | STORED),
        classification: b.add_u64_field("classification", INDEXED | FAST | STORED),
        compartment: b.add_text_field("compartment", STRING | STORED),
    };
    (b.build(), fields)
}

fn lang_index(l: Lang) -> usize {
    match l {
        Lang::En => 0,
        Lang::Nl => 1,
        Lang::Fr => 2,
        Lang::Ar => 3,
    }
}

fn key_of(kind: &str, id: &str) -> String {
    format!("{kind}/{id}")
}

/// One change to apply: a record's current view, or its removal.
#[derive(Debug, Clone)]
// Changes live briefly in one batch; boxing the document would only add an allocation each.
#[allow(clippy::large_enum_variant)]
pub enum Change {
    Upsert(SearchDoc),
    Delete {
        kind: ResourceKind,
        id: String,
    },
    /// Removes every record of a process (engagements, debriefs) — when the process is gone.
    DeleteChildren {
        parent: String,
    },
}

/// The index of one node.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    scopes: scoped::ScopeCache,
    facets: counts::FacetCache,
    /// Searches the segments of a query in parallel (see [`SearchIndex::merge_into`]).
    threads: tantivy::Executor,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex").finish()
    }
}

/// Where the index stands: which database it follows and the last change-feed position applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub instance: String,
    pub seq: i64,
}

impl Position {
    fn encode(&self) -> String {
        format!(
            "grotius-search v{SCHEMA_VERSION} {} {}",
            self.instance, self.seq
        )
    }

    fn decode(payload: &str) -> Option<Position> {
        let mut parts = payload.split(' ');
        if parts.next()? != "grotius-search" || parts.next()? != format!("v{SCHEMA_VERSION}") {
            return None;
        }
        let instance = parts.next()?.to_string();
        let seq = parts.next()?.parse().ok()?;
        Some(Position { instance, seq })
    }
}

impl SearchIndex {
    /// Opens the index in `dir`, creating it (or recreating it, when it was made with another
    /// schema) as needed.
    pub fn open(dir: &Path) -> Result<SearchIndex> {
        std::fs::create_dir_all(dir)
            .map_err(|e| SearchError::Directory(format!("cannot create {}: {e}", dir.display())))?;
        let (schema, fields) = schema();
        let mmap = MmapDirectory::open(dir)
            .map_err(|e| SearchError::Directory(format!("{}: {e}", dir.display())))?;
        let index = match Index::open_or_create(mmap, schema.clone()) {
            Ok(index) => index,
            Err(tantivy::TantivyError::SchemaError(_)) => {
                // Another schema: the index is derived data, start again.
                for entry in std::fs::read_dir(dir)
                    .map_err(|e| SearchError::Directory(e.to_string()))?
                    .flatten()
                {
                    let _ = std::fs::remove_file(entry.path());
                }
                let mmap = MmapDirectory::open(dir)
                    .map_err(|e| SearchError::Directory(format!("{}: {e}", dir.display())))?;
                Index::create(mmap, schema, Default::default())?
            }
            Err(e) => return Err(e.into()),
        };
        Self::finish(index, fields)
    }

    /// An index in memory (benchmarks, tests).
    pub fn in_memory() -> Result<SearchIndex> {
        let (schema, fields) = schema();
        Self::finish(Index::create_in_ram(schema), fields)
    }

    fn finish(index: Index, fields: Fields) -> Result<SearchIndex> {
        for l in Lang::ALL {
            index
                .tokenizers()
                .register(l.tokenizer_name(), l.analyser());
        }
        index
            .tokenizers()
            .register(WORDS_TOKENIZER, words_analyser());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(SearchIndex {
            index,
            reader,
            fields,
            scopes: Default::default(),
            facets: Default::default(),
            threads: tantivy::Executor::multi_thread(Self::search_threads(), "grotius-search-")?,
        })
    }

    /// The database and feed position of the last commit, if it was made by this version.
    pub fn position(&self) -> Result<Option<Position>> {
        let metas = self.index.load_metas()?;
        Ok(metas.payload.as_deref().and_then(Position::decode))
    }

    /// Sees commits made by another process on this directory (`grotius reindex`).
    pub fn refresh(&self) -> Result<()> {
        Ok(self.reader.reload()?)
    }

    /// The number of documents in the index.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn writer(&self) -> Result<tantivy::IndexWriter> {
        Ok(self.index.writer_with_num_threads(1, 32_000_000)?)
    }

    fn to_document(&self, d: &SearchDoc) -> TantivyDocument {
        let f = &self.fields;
        let mut doc = TantivyDocument::default();
        let kind = d.kind.as_str();
        doc.add_text(f.key, key_of(kind, &d.id));
        doc.add_text(f.kind, kind);
        doc.add_text(f.id, &d.id);
        doc.add_text(f.parent, &d.parent);
        doc.add_text(f.title, &d.title);
        doc.add_text(f.body, &d.body);
        let lang = d
            .lang
            .unwrap_or_else(|| Lang::detect(&format!("{} {}", d.title, d.body)));
        doc.add_text(f.lang, lang.code());
        doc.add_text(f.text[lang_index(lang)], format!("{}\n{}", d.title, d.body));
        if !d.private_body.is_empty() {
            // Indexed, not stored: the text fields have no STORED flag.
            doc.add_text(f.text[lang_index(lang)], &d.private_body);
        }
        doc.add_text(f.words, &d.title);
        doc.add_text(f.spell, &d.title);
        doc.add_text(f.spell, &d.body);
        if !d.private_body.is_empty() {
            doc.add_text(f.spell, &d.private_body);
        }
        for c in &d.countries {
            doc.add_text(f.country, c);
        }
        for t in &d.themes {
            doc.add_text(f.theme, t);
        }
        if let Some(y) = d.year {
            doc.add_u64(f.year, y);
        }
        doc.add_i64(f.date, d.date);
        doc.add_u64(f.classification, d.labels.classification as u64);
        doc.add_text(
            f.compartment,
            d.labels
                .compartment
                .as_ref()
                .map(|c| c.as_str())
                .unwrap_or(NO_COMPARTMENT),
        );
        doc
    }

    fn commit(&self, mut writer: tantivy::IndexWriter, at: &Position) -> Result<()> {
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&at.encode());
        prepared.commit()?;
        writer.wait_merging_threads()?;
        self.reader.reload()?;
        Ok(())
    }

    /// Merges the segments into `parts` segments of about equal size (after a bulk load: a
    /// query searches its segments in parallel, one thread each, so one segment per core
    /// answers fastest). Returns the number of segments before.
    pub fn merge_into(&self, parts: usize) -> Result<usize> {
        let mut segments: Vec<(u32, tantivy::index::SegmentId)> = self
            .index
            .searchable_segment_metas()?
            .iter()
            .map(|m| (m.num_docs(), m.id()))
            .collect();
        let before = segments.len();
        let parts = parts.max(1);
        if before > parts {
            // Largest first into the smallest group.
            segments.sort_by_key(|s| std::cmp::Reverse(s.0));
            let mut groups: Vec<(u64, Vec<tantivy::index::SegmentId>)> =
                vec![(0, Vec::new()); parts];
            for (docs, id) in segments {
                if let Some(g) = groups.iter_mut().min_by_key(|g| g.0) {
                    g.0 += u64::from(docs);
                    g.1.push(id);
                }
            }
            let mut writer = self.writer()?;
            for (_, ids) in groups.iter().filter(|g| g.1.len() > 1) {
                writer.merge(ids).wait()?;
            }
            writer.wait_merging_threads()?;
        }
        self.reader.reload()?;
        Ok(before)
    }

    /// The number of threads a query uses: one per core, at most four.
    pub fn search_threads() -> usize {
        std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 4))
    }

    /// Applies changes and records the new feed position, in one commit.
    pub fn apply(&self, changes: &[Change], at: &Position) -> Result<()> {
        let writer = self.writer()?;
        for c in changes {
            match c {
                Change::Upsert(d) => {
                    writer.delete_term(Term::from_field_text(
                        self.fields.key,
                        &key_of(d.kind.as_str(), &d.id),
                    ));
                    writer.add_document(self.to_document(d))?;
                }
                Change::DeleteChildren { parent } => {
                    if !parent.is_empty() {
                        writer.delete_term(Term::from_field_text(self.fields.parent, parent));
                    }
                }
                Change::Delete { kind, id } => {
                    writer.delete_term(Term::from_field_text(
                        self.fields.key,
                        &key_of(kind.as_str(), id),
                    ));
                }
            }
        }
        self.commit(writer, at)
    }

    /// Replaces the whole content.
    pub fn rebuild(&self, docs: impl IntoIterator<Item = SearchDoc>, at: &Position) -> Result<()> {
        self.rebuild_with(docs, at, 1, 32_000_000)
    }

    /// Replaces the whole content with `threads` indexing threads sharing `heap` bytes (bulk
    /// loads: benchmarks, large reindexes).
    pub fn rebuild_with(
        &self,
        docs: impl IntoIterator<Item = SearchDoc>,
        at: &Position,
        threads: usize,
        heap: usize,
    ) -> Result<()> {
        let writer = self
            .index
            .writer_with_num_threads(threads.max(1), heap.max(15_000_000 * threads.max(1)))?;
        writer.delete_all_documents()?;
        for d in docs {
            writer.add_document(self.to_document(&d))?;
        }
        self.commit(writer, at)
    }

    /// The authorisation filter: classification ≤ clearance AND compartment ∈ {none} ∪
    /// memberships AND kind ∈ readable kinds. `None` when the subject may read no kind.
    fn scope_query(&self, scope: &Scope) -> Option<Box<dyn Query>> {
        if scope.kinds.is_empty() {
            return None;
        }
        let f = &self.fields;
        let term_q = |field: Field, v: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(field, v),
                IndexRecordOption::Basic,
            ))
        };
        let classification: Box<dyn Query> = Box::new(RangeQuery::new(
            Bound::Unbounded,
            Bound::Included(Term::from_field_u64(
                f.classification,
                scope.clearance as u64,
            )),
        ));
        let compartments = BooleanQuery::new(
            std::iter::once(NO_COMPARTMENT)
                .chain(scope.compartments.iter().map(|c| c.as_str()))
                .map(|c| (Occur::Should, term_q(f.compartment, c)))
                .collect(),
        );
        let kinds = BooleanQuery::new(
            scope
                .kinds
                .iter()
                .map(|k| (Occur::Should, term_q(f.kind, k.as_str())))
                .collect(),
        );
        Some(Box::new(BooleanQuery::new(vec![
            (Occur::Must, classification),
            (Occur::Must, Box::new(compartments)),
            (Occur::Must, Box::new(kinds)),
        ])))
    }

    fn parser(&self) -> QueryParser {
        let mut p = QueryParser::for_index(&self.index, self.fields.text.to_vec());
        p.set_conjunction_by_default();
        p
    }

    /// The readable documents of a scope in this searcher (cached per generation and scope).
    fn scope_set(
        &self,
        searcher: &Searcher,
        scope: &Scope,
    ) -> Result<Option<std::sync::Arc<scoped::ScopeSet>>> {
        let Some(filter) = self.scope_query(scope) else {
            return Ok(None);
        };
        Ok(Some(self.scopes.get(
            searcher,
            scope,
            &*filter,
            &self.fields.text,
        )?))
    }

    /// Snippet generators (one per language field) whose term weights come from the scope.
    fn snippet_generators(
        &self,
        stats: &scoped::ScopeStats<'_>,
        query: &dyn Query,
    ) -> Result<Vec<SnippetGenerator>> {
        self.fields
            .text
            .iter()
            .map(|field| {
                let mut terms: BTreeSet<Term> = BTreeSet::new();
                query.query_terms(&mut |term, _| {
                    if term.field() == *field {
                        terms.insert(term.clone());
                    }
                });
                let mut weights = std::collections::BTreeMap::new();
                for term in terms {
                    let Some(text) = term.value().as_str().map(str::to_string) else {
                        continue;
                    };
                    let df = stats.df(&term)?;
                    if df > 0 {
                        weights.insert(text, 1.0 / (1.0 + df as f32));
                    }
                }
                Ok(SnippetGenerator::new(
                    weights,
                    self.index.tokenizer_for_field(*field)?,
                    *field,
                    220,
                ))
            })
            .collect()
    }

    /// Runs a collector over the segments — in parallel when there are several — scoring with
    /// the scope's statistics when the collector scores.
    fn collect<C: tantivy::collector::Collector>(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        collector: &C,
        stats: &scoped::ScopeStats<'_>,
    ) -> Result<C::Fruit> {
        let scoring = if collector.requires_scoring() {
            tantivy::query::EnableScoring::enabled_from_statistics_provider(stats, searcher)
        } else {
            tantivy::query::EnableScoring::disabled_from_searcher(searcher)
        };
        let single = tantivy::Executor::single_thread();
        let executor = if searcher.segment_readers().len() > 1 {
            &self.threads
        } else {
            &single
        };
        Ok(searcher.search_with_executor(query, collector, executor, scoring)?)
    }

    /// Searches within the scope. Every number and snippet is computed over readable documents
    /// only: the scope is part of the query, not a filter on the results, and relevance uses
    /// statistics of the readable documents only (see [`scoped`]).
    pub fn search(&self, scope: &Scope, req: &SearchRequest) -> Result<SearchResults> {
        let searcher = self.reader.searcher();
        let Some(set) = self.scope_set(&searcher, scope)? else {
            return Ok(SearchResults::default());
        };
        let stats = scoped::ScopeStats::new(&set, &searcher);
        let q = normalise_query(&req.q);
        let user: Box<dyn Query> = if q.trim().is_empty() {
            Box::new(AllQuery)
        } else {
            self.parser().parse_query_lenient(&q).0
        };
        let limit = req.limit.clamp(1, 100);
        let k = req.offset.saturating_add(limit);
        let Some(matching) = without_unreadable_terms(&stats, &*user)? else {
            // Nothing can match: the same answer as a query whose matches all fail the scope
            // below (total 0, no facets, a correction at every offset).
            return Ok(SearchResults {
                did_you_mean: self.correction(&searcher, &set, &stats, &req.q)?,
                ..Default::default()
            });
        };
        let counter = counts::ScopedCounts {
            set: set.clone(),
            facets: self.facets.for_searcher(&searcher)?,
            newest: (req.sort == Sort::Date).then_some(k),
        };
        let best = counts::ScopedTopScore {
            set: set.clone(),
            k,
        };
        let (counted, top): (counts::CountsFruit, Vec<(f32, DocAddress)>) = match req.sort {
            // One term or any of several: block-max WAND finds the best k without scoring
            // every match, so count unscored in one pass and rank in another.
            Sort::Relevance if prunable(&*matching, &self.fields.text) => (
                self.collect(&searcher, &*matching, &counter, &stats)?,
                self.collect(&searcher, &*matching, &best, &stats)?,
            ),
            // Intersections, phrases, exclusions, ranges: one scored pass counts and ranks.
            Sort::Relevance => self.collect(&searcher, &*matching, &(counter, best), &stats)?,
            Sort::Date => {
                let counted = self.collect(&searcher, &*matching, &counter, &stats)?;
                let top = counted.newest.iter().map(|(_, a)| (0.0, *a)).collect();
                (counted, top)
            }
        };
        let top: Vec<(f32, DocAddress)> = top.into_iter().skip(req.offset).collect();
        let total = counted.total as usize;
        let counts = counted.counts;
        let generators = self.snippet_generators(&stats, &*user)?;
        let mut hits = Vec::with_capacity(top.len());
        for (score, addr) in top {
            hits.push(self.hit(&searcher, addr, score, Some(&generators))?);
        }
        let facet_list = |m: std::collections::BTreeMap<String, u64>| -> Vec<(String, u64)> {
            let mut v: Vec<(String, u64)> = m.into_iter().collect();
            v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            v
        };
        // Newest year first.
        let year = counts
            .year
            .into_iter()
            .rev()
            .map(|(y, n)| (y.to_string(), n))
            .collect();
        // Whether to correct depends on the readable total only — never on the page asked for
        // nor on the path that found nothing (see `without_unreadable_terms`).
        let did_you_mean = if total == 0 {
            self.correction(&searcher, &set, &stats, &req.q)?
        } else {
            None
        };
        Ok(SearchResults {
            total,
            hits,
            did_you_mean,
            facets: Facets {
                kind: facet_list(counts.kind),
                country: facet_list(counts.country),
                year,
                theme: facet_list(counts.theme),
            },
        })
    }

    /// Completions of the last word of `q`, taken from the titles of readable documents that
    /// match the rest of `q` and have a title word starting with it: most frequent first, each
    /// the whole query with the last word completed. Nothing when the last word is shorter than
    /// two letters.
    pub fn suggest(&self, scope: &Scope, q: &str, limit: usize) -> Result<Vec<String>> {
        let words: Vec<&str> = q.split_whitespace().collect();
        let Some((last, rest)) = words.split_last() else {
            return Ok(Vec::new());
        };
        let mut folded = analyse_with(words_analyser(), last);
        if folded.len() != 1 {
            return Ok(Vec::new());
        }
        let prefix = folded.remove(0);
        if prefix.chars().count() < 2 || !prefix.chars().all(char::is_alphanumeric) {
            return Ok(Vec::new());
        }
        let searcher = self.reader.searcher();
        let Some(set) = self.scope_set(&searcher, scope)? else {
            return Ok(Vec::new());
        };
        let rest = rest.join(" ");
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![
            (
                Occur::Must,
                Box::new(RegexQuery::from_pattern(
                    &format!("{prefix}.*"),
                    self.fields.words,
                )?),
            ),
            (Occur::Must, Box::new(scoped::ScopeFilter(set))),
        ];
        if !rest.trim().is_empty() {
            clauses.push((
                Occur::Must,
                self.parser().parse_query_lenient(&normalise_query(&rest)).0,
            ));
        }
        // The newest 200 candidates: an order that depends on nothing outside the scope.
        let top = searcher.search(
            &BooleanQuery::new(clauses),
            &TopDocs::with_limit(200).order_by_fast_field::<i64>("date", Order::Desc),
        )?;
        let mut counts: std::collections::BTreeMap<String, (u64, String)> = Default::default();
        let mut plain = TextAnalyzer::builder(SimpleTokenizer::default()).build();
        for (_, addr) in top {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let title = doc
                .get_first(self.fields.title)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string();
            let mut seen = BTreeSet::new();
            let mut stream = plain.token_stream(&title);
            while stream.advance() {
                let word = stream.token().text.clone();
                let Some(key) = analyse_with(words_analyser(), &word).pop() else {
                    continue;
                };
                if key.starts_with(&prefix) && seen.insert(key.clone()) {
                    let e = counts
                        .entry(key)
                        .or_insert_with(|| (0, word.to_lowercase()));
                    e.0 += 1;
                }
            }
        }
        let mut ranked: Vec<(u64, String)> = counts.into_values().collect();
        ranked.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        Ok(ranked
            .into_iter()
            .take(limit.clamp(1, 20))
            .map(|(_, w)| {
                if rest.is_empty() {
                    w
                } else {
                    format!("{rest} {w}")
                }
            })
            .collect())
    }

    /// The query with each unknown word (none of the reader's records holds it) replaced by the
    /// closest word the reader's records do hold — within one edit for words up to five
    /// letters, two beyond; fewest edits first, then the word most readable records hold, then
    /// the word. Candidates come from the index's vocabulary, but a word counts only by the
    /// readable records that hold it: a word only hidden records hold is never offered, never
    /// counts toward the cap of [`SPELLING_CANDIDATES`] and never hides a readable one. `None`
    /// when no word changes or the corrected query finds nothing readable either.
    fn correction(
        &self,
        searcher: &Searcher,
        set: &std::sync::Arc<scoped::ScopeSet>,
        stats: &scoped::ScopeStats<'_>,
        q: &str,
    ) -> Result<Option<String>> {
        let mut changed = false;
        let mut words = Vec::new();
        for word in q.split_whitespace() {
            let plain =
                word.chars().all(char::is_alphabetic) && !matches!(word, "AND" | "OR" | "NOT");
            let folded = analyse_with(words_analyser(), word);
            let [typed] = folded.as_slice() else {
                words.push(word.to_string());
                continue;
            };
            let len = typed.chars().count();
            if !plain || len < 4 || stats.df(&Term::from_field_text(self.fields.spell, typed))? > 0
            {
                words.push(word.to_string());
                continue;
            }
            let distance = if len <= 5 { 1 } else { 2 };
            let automaton = tantivy::query::FuzzyTermQuery::new(
                Term::from_field_text(self.fields.spell, typed),
                distance,
                true,
            )
            .automaton()?;
            // Every word of the vocabulary within reach (a word a hidden record holds is among
            // them: the automaton sees the whole index), ranked by what the reader may read:
            // fewest edits, then the most readable records, then the word. Only readable
            // words count toward the cap, examined in (edits, word) order, so which words are
            // looked at — and the answer — never depends on a record outside the scope.
            let mut candidates: Vec<(usize, String)> = Vec::new();
            let mut seen = BTreeSet::new();
            for reader in searcher.segment_readers() {
                let inverted = reader.inverted_index(self.fields.spell)?;
                let mut stream = inverted
                    .terms()
                    .search(&automaton)
                    .into_stream()
                    .map_err(tantivy::TantivyError::from)?;
                while stream.advance() {
                    if let Ok(t) = std::str::from_utf8(stream.key())
                        && seen.insert(t.to_string())
                    {
                        candidates.push((strsim::osa_distance(typed, t), t.to_string()));
                    }
                }
            }
            candidates.sort();
            let mut best: Option<(usize, std::cmp::Reverse<u64>, String)> = None;
            let mut readable_seen = 0;
            for (edits, c) in candidates {
                if best.as_ref().is_some_and(|b| edits > b.0)
                    || readable_seen >= SPELLING_CANDIDATES
                {
                    break;
                }
                let readable = stats.df(&Term::from_field_text(self.fields.spell, &c))?;
                if readable == 0 {
                    continue;
                }
                readable_seen += 1;
                let key = (edits, std::cmp::Reverse(readable), c);
                if best.as_ref().is_none_or(|b| key < *b) {
                    best = Some(key);
                }
            }
            match best {
                Some((_, _, c)) => {
                    changed = true;
                    words.push(c);
                }
                None => words.push(word.to_string()),
            }
        }
        if !changed {
            return Ok(None);
        }
        let corrected = words.join(" ");
        let parsed = self
            .parser()
            .parse_query_lenient(&normalise_query(&corrected))
            .0;
        let Some(matching) = without_unreadable_terms(stats, &*parsed)? else {
            return Ok(None);
        };
        let found = searcher.search(
            &BooleanQuery::new(vec![
                (Occur::Must, matching),
                (Occur::Must, Box::new(scoped::ScopeFilter(set.clone()))),
            ]),
            &tantivy::collector::Count,
        )?;
        Ok((found > 0).then_some(corrected))
    }

    fn hit(
        &self,
        searcher: &Searcher,
        addr: DocAddress,
        score: f32,
        generators: Option<&[SnippetGenerator]>,
    ) -> Result<Hit> {
        let f = &self.fields;
        let doc: TantivyDocument = searcher.doc(addr)?;
        let text = |field: Field| -> String {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        };
        let kind_s = text(f.kind);
        let src = source(&kind_s).ok_or(SearchError::Recheck)?;
        let id = text(f.id);
        let parent = text(f.parent);
        let title = text(f.title);
        let body = text(f.body);
        let lang = Lang::parse(&text(f.lang)).unwrap_or(Lang::En);
        let snippet = match generators {
            Some(g) => {
                // The body around the matches; the title when only the title matches.
                let base = if body.is_empty() { &title } else { &body };
                let g = &g[lang_index(lang)];
                let mut s = g.snippet(base);
                if s.highlighted().is_empty() && !body.is_empty() {
                    let t = g.snippet(&title);
                    if !t.highlighted().is_empty() {
                        s = t;
                    }
                }
                if s.fragment().is_empty() {
                    plain_snippet(base)
                } else {
                    Snippet {
                        text: s.fragment().to_string(),
                        highlights: s.highlighted().iter().map(|r| (r.start, r.end)).collect(),
                    }
                }
            }
            None => plain_snippet(if body.is_empty() { &title } else { &body }),
        };
        let classification = doc
            .get_first(f.classification)
            .and_then(|v| v.as_u64())
            .and_then(|c| Classification::ALL.get(c as usize).copied())
            .ok_or(SearchError::Recheck)?;
        let compartment = text(f.compartment);
        let compartment = if compartment == NO_COMPARTMENT {
            None
        } else {
            Some(CompartmentId::parse(&compartment).map_err(|_| SearchError::Recheck)?)
        };
        Ok(Hit {
            kind: src.kind,
            url: (src.url)(&id, &parent),
            id,
            parent,
            title,
            snippet,
            score,
            labels: Labels {
                classification,
                compartment,
            },
        })
    }

    /// Records like the given one, among those the scope may read. `None` when the record itself
    /// is not in the scope (or not indexed): the caller answers "not found". The terms that
    /// describe the record are chosen by tf·idf with document frequencies over the scope, and
    /// the similar records are scored with the scope's statistics. `private_text` is the
    /// record's text the index does not store (a document's decrypted text, given by the
    /// caller after its own check; empty otherwise): its first [`SIMILAR_TEXT_BYTES`] count
    /// with the title and body.
    pub fn similar(
        &self,
        scope: &Scope,
        kind: ResourceKind,
        id: &str,
        private_text: &str,
        limit: usize,
    ) -> Result<Option<Vec<Hit>>> {
        let searcher = self.reader.searcher();
        let Some(set) = self.scope_set(&searcher, scope)? else {
            return Ok(None);
        };
        let stats = scoped::ScopeStats::new(&set, &searcher);
        let filter = scoped::ScopeFilter(set.clone());
        let f = &self.fields;
        let key = Term::from_field_text(f.key, &key_of(kind.as_str(), id));
        let own = BooleanQuery::new(vec![
            (
                Occur::Must,
                Box::new(TermQuery::new(key.clone(), IndexRecordOption::Basic)),
            ),
            (Occur::Must, Box::new(filter.clone())),
        ]);
        let found = searcher.search(&own, &TopDocs::with_limit(1).order_by_score())?;
        let Some((_, addr)) = found.first() else {
            return Ok(None);
        };
        let doc: TantivyDocument = searcher.doc(*addr)?;
        let text = |field: Field| -> String {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        };
        let lang = Lang::parse(&text(f.lang)).unwrap_or(Lang::En);
        let field = f.text[lang_index(lang)];
        let mut cut = private_text.len().min(SIMILAR_TEXT_BYTES);
        while !private_text.is_char_boundary(cut) {
            cut -= 1;
        }
        let content = format!(
            "{}\n{}\n{}",
            text(f.title),
            text(f.body),
            &private_text[..cut]
        );
        let mut tf: std::collections::BTreeMap<String, u32> = Default::default();
        for t in lang.analyse(&content) {
            if t.chars().count() >= 3 {
                *tf.entry(t).or_default() += 1;
            }
        }
        let n = set.len() as f32;
        let mut weighted = Vec::with_capacity(tf.len());
        for (t, freq) in tf {
            let term = Term::from_field_text(field, &t);
            let df = stats.df(&term)? as f32;
            if df > 0.0 {
                let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
                weighted.push((freq as f32 * idf, t, term));
            }
        }
        weighted.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        weighted.truncate(25);
        if weighted.is_empty() {
            return Ok(Some(Vec::new()));
        }
        let mlt = BooleanQuery::new(
            weighted
                .into_iter()
                .map(|(w, _, term)| {
                    let q: Box<dyn Query> = Box::new(BoostQuery::new(
                        Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)),
                        w,
                    ));
                    (Occur::Should, q)
                })
                .collect(),
        );
        let query = BooleanQuery::new(vec![
            (Occur::Must, Box::new(mlt)),
            (Occur::Must, Box::new(filter)),
            (
                Occur::MustNot,
                Box::new(TermQuery::new(key, IndexRecordOption::Basic)),
            ),
        ]);
        let top = searcher.search_with_statistics_provider(
            &query,
            &TopDocs::with_limit(limit.clamp(1, 50)).order_by_score(),
            &stats,
        )?;
        let mut hits = Vec::with_capacity(top.len());
        for (score, addr) in top {
            hits.push(self.hit(&searcher, addr, score, None)?);
        }
        Ok(Some(hits))
    }
}

impl SearchIndex {
    /// A highlighted snippet of `text` for the user query `q`, analysed as `lang` — for hits whose
    /// text the index does not store (documents): the caller decrypts the text after the
    /// authorisation re-check and asks here. Term weights come from the reader's scope, like
    /// every other snippet (see [`scoped`]).
    pub fn snippet(&self, scope: &Scope, q: &str, lang: Lang, text: &str) -> Result<Snippet> {
        let q = normalise_query(q);
        if q.trim().is_empty() {
            return Ok(plain_snippet(text));
        }
        let user = self.parser().parse_query_lenient(&q).0;
        let searcher = self.reader.searcher();
        let Some(set) = self.scope_set(&searcher, scope)? else {
            return Ok(plain_snippet(text));
        };
        let stats = scoped::ScopeStats::new(&set, &searcher);
        let mut generators = self.snippet_generators(&stats, &*user)?;
        let g = generators.swap_remove(lang_index(lang));
        let s = g.snippet(text);
        Ok(if s.fragment().is_empty() {
            plain_snippet(text)
        } else {
            Snippet {
                text: s.fragment().to_string(),
                highlights: s.highlighted().iter().map(|r| (r.start, r.end)).collect(),
            }
        })
    }
}

fn analyse_with(mut analyser: TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyser.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

fn plain_snippet(text: &str) -> Snippet {
    let mut end = text.len().min(220);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    Snippet {
        text: text[..end].to_string(),
        highlights: Vec::new(),
    }
}

/// Readable words of the vocabulary looked at per misspelt word (in order of edits, then word).
const SPELLING_CANDIDATES: usize = 200;

/// The query without the terms no readable document holds (a word is looked up in every
/// language's field; most of those terms exist in none). Scores are unchanged — a term no
/// readable document holds adds nothing to a readable hit — but a word left with one field is a
/// plain term query again, which the pruning of [`prunable`] queries needs. `None` when nothing
/// readable can match. The counts are the scope's ([`scoped::ScopeStats::df`]), never the
/// index's: a term only hidden records hold is dropped exactly like a term no record holds, so
/// the shape of the query — and with it the path (pruned or scored), whether "did you mean" is
/// asked, every score and order — is the same whether or not a hidden record holds the word.
fn without_unreadable_terms(
    stats: &scoped::ScopeStats<'_>,
    q: &dyn Query,
) -> Result<Option<Box<dyn Query>>> {
    let exists = |t: &Term| -> Result<bool> { Ok(stats.df(t)? > 0) };
    if let Some(t) = q.downcast_ref::<TermQuery>() {
        return Ok(exists(t.term())?.then(|| q.box_clone()));
    }
    if let Some(p) = q.downcast_ref::<tantivy::query::PhraseQuery>() {
        for t in p.phrase_terms() {
            if !exists(&t)? {
                return Ok(None);
            }
        }
        return Ok(Some(q.box_clone()));
    }
    let Some(b) = q.downcast_ref::<BooleanQuery>() else {
        return Ok(Some(q.box_clone()));
    };
    if b.get_minimum_number_should_match() > 1 {
        return Ok(Some(q.box_clone()));
    }
    let mut kept: Vec<(Occur, Box<dyn Query>)> = Vec::with_capacity(b.clauses().len());
    for (occur, sub) in b.clauses() {
        match (occur, without_unreadable_terms(stats, &**sub)?) {
            (Occur::Must, None) => return Ok(None),
            (_, None) => {}
            (occur, Some(sub)) => kept.push((*occur, sub)),
        }
    }
    if !kept.iter().any(|(o, _)| *o != Occur::MustNot) {
        return Ok(None);
    }
    if kept.len() == 1 {
        return Ok(kept.pop().map(|(_, q)| q));
    }
    Ok(Some(Box::new(BooleanQuery::new(kept))))
}

/// A term of the text, or any of several: tantivy's block-max WAND then skips most of the
/// matches when ranking (it needs term frequencies, which only the text fields keep). An
/// intersection is not worth a second pass: its cost is finding the common documents, which
/// the counting pass does anyway, and they are few enough to score there.
fn prunable(q: &dyn Query, text: &[Field]) -> bool {
    let text_term = |q: &dyn Query| {
        q.downcast_ref::<TermQuery>()
            .is_some_and(|t| text.contains(&t.term().field()))
    };
    if text_term(q) {
        return true;
    }
    let Some(b) = q.downcast_ref::<BooleanQuery>() else {
        return false;
    };
    b.clauses()
        .iter()
        .all(|(o, q)| *o == Occur::Should && text_term(&**q))
}

/// Rewrites the friendly field filters into tantivy's grammar: `year:2015..2020` →
/// `year:[2015 TO 2020]`, `country:sd` → `country:SD`, `kind:Process` → `kind:process`,
/// `theme:Water` → `theme:water`.
pub fn normalise_query(q: &str) -> String {
    let mut out = Vec::new();
    for word in q.split_whitespace() {
        let lower = word.to_ascii_lowercase();
        let rewritten = if let Some(v) = lower.strip_prefix("year:") {
            match v.split_once("..") {
                Some((a, b)) => {
                    let a = if a.is_empty() { "0" } else { a };
                    let b = if b.is_empty() { "9999" } else { b };
                    format!("year:[{a} TO {b}]")
                }
                None => format!("year:{v}"),
            }
        } else if let Some(v) = lower.strip_prefix("country:") {
            format!("country:{}", v.to_ascii_uppercase())
        } else if lower.starts_with("kind:") || lower.starts_with("theme:") {
            lower
        } else {
            word.to_string()
        };
        out.push(rewritten);
    }
    out.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(kind: ResourceKind, id: &str, title: &str, body: &str, labels: Labels) -> SearchDoc {
        SearchDoc {
            kind,
            id: id.into(),
            parent: String::new(),
            title: title.into(),
            body: body.into(),
            private_body: String::new(),
            lang: None,
            countries: vec!["SD".into()],
            year: Some(2018),
            date: 1,
            themes: vec!["water".into()],
            labels,
        }
    }

    fn scope(clearance: Classification) -> Scope {
        Scope {
            clearance,
            compartments: BTreeSet::new(),
            kinds: SOURCES.iter().map(|s| s.kind).collect(),
        }
    }

    fn req(q: &str) -> SearchRequest {
        SearchRequest {
            q: q.into(),
            limit: 10,
            ..Default::default()
        }
    }

    #[test]
    fn stems_and_filters() {
        let idx = SearchIndex::in_memory().unwrap();
        let secret = Labels {
            classification: Classification::Secret,
            compartment: None,
        };
        idx.rebuild(
            [
                doc(
                    ResourceKind::Process,
                    "1",
                    "Vredesoverleg",
                    "De onderhandeling tussen de partijen over het water in de regio verloopt moeizaam.",
                    Labels::public(),
                ),
                doc(
                    ResourceKind::Process,
                    "2",
                    "Zeldzaamwoord",
                    "Het geheime zeldzaamwoord staat hier in een Nederlandse tekst.",
                    secret,
                ),
            ],
            &Position {
                instance: "x".into(),
                seq: 3,
            },
        )
        .unwrap();
        assert_eq!(idx.position().unwrap().unwrap().seq, 3);
        let r = idx
            .search(&scope(Classification::Internal), &req("onderhandelingen"))
            .unwrap();
        assert_eq!(r.total, 1);
        assert!(r.hits[0].snippet.highlights.len() == 1);
        let r = idx
            .search(&scope(Classification::Internal), &req("zeldzaamwoord"))
            .unwrap();
        assert_eq!(r.total, 0);
        let r = idx
            .search(&scope(Classification::Secret), &req("zeldzaamwoord"))
            .unwrap();
        assert_eq!(r.total, 1);
        let r = idx
            .search(
                &scope(Classification::Internal),
                &req("country:sd year:2015..2020 kind:process"),
            )
            .unwrap();
        assert_eq!(r.total, 1);
        assert_eq!(r.facets.kind, vec![("process".to_string(), 1)]);
    }

    /// The proof of the scoped statistics: two indexes that differ only by a hidden document
    /// answer the same query and "more like this" identically — hits, order, scores, snippets,
    /// totals and facets.
    #[test]
    fn hidden_documents_change_no_score_order_or_snippet() {
        let visible = [
            (
                "1",
                "Water sharing talks",
                "The ceasefire commission met on water sharing along the river; the ceasefire held.",
            ),
            (
                "2",
                "Ceasefire monitoring",
                "Monitoring the ceasefire line and the exchange of prisoners between the parties.",
            ),
            (
                "3",
                "Grazing land",
                "Water points and grazing land: a local agreement on water and cattle routes, with a long description of many other matters that make this text longer than the others.",
            ),
        ];
        let secret = Labels {
            classification: Classification::Secret,
            compartment: None,
        };
        let hidden = doc(
            ResourceKind::Process,
            "h",
            "Ceasefire ceasefire water",
            "ceasefire water ceasefire water monitoring prisoners exchange grazing ceasefire",
            secret,
        );
        let build = |with_hidden: bool| {
            let idx = SearchIndex::in_memory().unwrap();
            let mut docs: Vec<SearchDoc> = Vec::new();
            if with_hidden {
                docs.push(hidden.clone());
            }
            docs.extend(
                visible
                    .iter()
                    .map(|(id, t, b)| doc(ResourceKind::Process, id, t, b, Labels::public())),
            );
            idx.rebuild(
                docs,
                &Position {
                    instance: "x".into(),
                    seq: 1,
                },
            )
            .unwrap();
            idx
        };
        let (a, b) = (build(false), build(true));
        let s = scope(Classification::Internal);
        for q in [
            "water",
            "ceasefire",
            "ceasefire water",
            "water OR monitoring OR grazing",
            "\"ceasefire line\" OR water",
            "",
        ] {
            let ra = a.search(&s, &req(q)).unwrap();
            let rb = b.search(&s, &req(q)).unwrap();
            assert!(ra.total > 0 || q.is_empty());
            assert_eq!(ra, rb, "query {q:?}");
        }
        let sa = a.similar(&s, ResourceKind::Process, "1", "", 10).unwrap();
        let sb = b.similar(&s, ResourceKind::Process, "1", "", 10).unwrap();
        assert!(sa.as_ref().is_some_and(|h| !h.is_empty()));
        assert_eq!(sa, sb);
        // The hidden document exists for a reader who may see it.
        let top = scope(Classification::Secret);
        assert_eq!(b.search(&top, &req("ceasefire")).unwrap().total, 3);
    }

    /// The differential proof for words only hidden records hold: two indexes that differ only
    /// by hidden records — holding words no readable record holds, near-misspellings of
    /// readable words, and more hidden words near a readable one than the spelling cap — give
    /// every reader the same whole answer (hits, scores, order, snippets, total, facets, "did
    /// you mean"), at every offset, page size and order, and the same suggestions and similar
    /// records.
    #[test]
    fn hidden_only_words_change_no_answer_at_any_offset_or_page_size() {
        let visible = [
            "Water sharing talks on the river; the ceasefire commission met in Kassala.",
            "Monitoring the ceasefire line; prisoners detained at the border were released.",
            "Negotiation support for the water commission and grazing routes.",
            "The detained mediators and the negotiation of a ceasefire in Kassala.",
            "Grazing land and water points: a local agreement on cattle routes.",
            "Ceasefire monitoring mechanism, sequencing of the negotiation agenda.",
        ];
        let secret = Labels {
            classification: Classification::Secret,
            compartment: None,
        };
        let compartment = Labels {
            classification: Classification::Confidential,
            compartment: Some(CompartmentId::parse("yemen").unwrap()),
        };
        // Hidden words: only hidden records hold them; "ceasfire", "comission" and "kasala" are
        // misspellings of readable words; "negotia??in" are 300 words within two edits of the
        // misspelling "negotiatoin", all sorting before the readable "negotiation".
        let mut near: Vec<String> = Vec::new();
        for x in 'a'..'t' {
            for y in 'a'..='z' {
                near.push(format!("negotia{x}{y}in"));
            }
        }
        near.truncate(300);
        let mut hidden = vec![
            doc(
                ResourceKind::Process,
                "h1",
                "Detainee exchange",
                "detainee zebrafinch ceasfire comission kasala water ceasefire negotiation",
                secret.clone(),
            ),
            doc(
                ResourceKind::Actor,
                "h2",
                "Zebrafinch broker",
                "zebrafinch detainee detaniee water grazing negotiation",
                compartment.clone(),
            ),
        ];
        for (i, chunk) in near.chunks(50).enumerate() {
            let mut d = doc(
                ResourceKind::Process,
                &format!("h-near-{i}"),
                "Negotiaaain",
                &chunk.join(" "),
                if i % 2 == 0 {
                    secret.clone()
                } else {
                    compartment.clone()
                },
            );
            d.countries = vec!["YE".into()];
            d.year = Some(2011);
            d.themes = vec!["detention".into()];
            hidden.push(d);
        }
        let build = |with_hidden: bool| {
            let idx = SearchIndex::in_memory().unwrap();
            let mut docs: Vec<SearchDoc> = Vec::new();
            for (i, body) in visible.iter().enumerate() {
                let mut d = doc(
                    ResourceKind::Process,
                    &format!("v{i}"),
                    &body[..body.find(' ').unwrap_or(body.len())],
                    body,
                    Labels::public(),
                );
                d.date = 100 + i as i64;
                d.year = Some(2015 + (i % 3) as u64);
                d.countries = vec![["SD", "YE", "CO"][i % 3].into()];
                docs.push(d);
                // Hidden records between the readable ones.
                if with_hidden && i < hidden.len() {
                    docs.push(hidden[i].clone());
                }
            }
            if with_hidden {
                docs.extend(hidden.iter().skip(visible.len()).cloned());
            }
            idx.rebuild(
                docs,
                &Position {
                    instance: "x".into(),
                    seq: 1,
                },
            )
            .unwrap();
            idx
        };
        let (a, b) = (build(false), build(true));
        let readers = [
            scope(Classification::Internal),
            // Cleared for the compartment's level, not a member.
            scope(Classification::Confidential),
        ];
        let queries = [
            "detainee",
            "detaniee",
            "detainee water",
            "water detainee",
            "water OR detainee",
            "detainee OR zebrafinch",
            "water -detainee",
            "water NOT zebrafinch",
            "+water +detainee",
            "\"ceasefire detainee\"",
            "\"ceasfire commission\"",
            "ceasfire",
            "comission kasala",
            "negotiatoin",
            "zebrafinsh",
            "water",
            "ceasefire water",
            "negotiation OR grazing",
            "country:YE",
            "theme:detention",
            "year:2011",
            "kind:actor",
            "",
        ];
        let mut corrected = BTreeSet::new();
        for s in &readers {
            for q in queries {
                for sort in [Sort::Relevance, Sort::Date] {
                    for offset in [0, 1, 2, 5, 20] {
                        for limit in [1, 3, 10, 100] {
                            let r = SearchRequest {
                                q: q.into(),
                                limit,
                                offset,
                                sort,
                            };
                            let (ra, rb) = (a.search(s, &r).unwrap(), b.search(s, &r).unwrap());
                            assert_eq!(ra, rb, "{q:?} offset {offset} limit {limit} {sort:?}");
                            if let Some(c) = ra.did_you_mean {
                                corrected.insert((q, c));
                            }
                        }
                    }
                }
            }
            for prefix in ["de", "det", "ze", "neg", "negotia", "wa", "water ne", "ka"] {
                assert_eq!(
                    a.suggest(s, prefix, 20).unwrap(),
                    b.suggest(s, prefix, 20).unwrap(),
                    "{prefix:?}"
                );
            }
            for i in 0..visible.len() {
                let id = format!("v{i}");
                assert_eq!(
                    a.similar(s, ResourceKind::Process, &id, "", 50).unwrap(),
                    b.similar(s, ResourceKind::Process, &id, "", 50).unwrap(),
                    "{id}"
                );
            }
        }
        // The test sees something: corrections come from readable words, whatever hidden
        // records hold.
        for (q, c) in [
            ("detainee", "detained"),
            ("detaniee", "detained"),
            ("ceasfire", "ceasefire"),
            ("comission kasala", "commission kassala"),
            ("negotiatoin", "negotiation"),
        ] {
            assert!(
                corrected.contains(&(q, c.to_string())),
                "{q} → {c}: {corrected:?}"
            );
        }
        // The hidden records exist for a reader who may see them.
        let top = Scope {
            compartments: [CompartmentId::parse("yemen").unwrap()].into(),
            ..scope(Classification::Secret)
        };
        assert_eq!(b.search(&top, &req("detainee")).unwrap().total, 2);
        assert_eq!(b.search(&top, &req("negotiaaain")).unwrap().total, 6);
    }

    /// After changes (an added record, a deleted one, one re-labelled out of the scope, one
    /// moved to another country) the cached scope bits and facet arrays, updated per segment,
    /// give the same totals, facets and hits as an index built fresh from the final records.
    #[test]
    fn incremental_scope_and_facets_match_a_fresh_index() {
        let countries = ["SD", "YE", "CO", "UA"];
        let make = |i: usize| {
            let mut d = doc(
                ResourceKind::Process,
                &i.to_string(),
                &format!("Talks {i} water"),
                &format!(
                    "water {} ceasefire {} monitoring{}",
                    "sharing ".repeat(i % 5),
                    "line ".repeat(i % 3),
                    " grazing".repeat(i % 7)
                ),
                if i.is_multiple_of(6) {
                    Labels {
                        classification: Classification::Secret,
                        compartment: None,
                    }
                } else {
                    Labels::public()
                },
            );
            d.countries = vec![countries[i % 4].into()];
            d.year = Some(2000 + (i % 9) as u64);
            d.date = i as i64;
            if i % 4 == 1 {
                d.themes.push("wps".into());
            }
            d
        };
        let at = |seq| Position {
            instance: "x".into(),
            seq,
        };
        let live = SearchIndex::in_memory().unwrap();
        live.rebuild((1..=40).map(make), &at(1)).unwrap();
        let s = scope(Classification::Internal);
        let queries = [
            "water",
            "ceasefire OR grazing",
            "water sharing",
            "\"ceasefire line\"",
            "",
        ];
        for q in queries {
            live.search(&s, &req(q)).unwrap();
        }
        let mut relabelled = make(3);
        relabelled.labels.classification = Classification::Secret;
        let mut moved = make(7);
        moved.countries = vec!["CO".into()];
        let changes = vec![
            Change::Upsert(relabelled.clone()),
            Change::Delete {
                kind: ResourceKind::Process,
                id: "5".into(),
            },
            Change::Upsert(make(41)),
            Change::Upsert(moved.clone()),
        ];
        live.apply(&changes, &at(2)).unwrap();
        let fresh = SearchIndex::in_memory().unwrap();
        let finals = (1..=41).filter(|i| *i != 5).map(|i| match i {
            3 => relabelled.clone(),
            7 => moved.clone(),
            i => make(i),
        });
        fresh.rebuild(finals, &at(2)).unwrap();
        for q in queries {
            for sort in [Sort::Relevance, Sort::Date] {
                let r = SearchRequest {
                    sort,
                    limit: 50,
                    ..req(q)
                };
                let (a, b) = (live.search(&s, &r).unwrap(), fresh.search(&s, &r).unwrap());
                assert_eq!(a.total, b.total, "{q:?}");
                assert_eq!(a.facets, b.facets, "{q:?}");
                let key = |h: &Hit| (h.id.clone(), (h.score * 1e4).round() as i64);
                let mut ka: Vec<_> = a.hits.iter().map(key).collect();
                let mut kb: Vec<_> = b.hits.iter().map(key).collect();
                if sort == Sort::Date {
                    assert_eq!(ka, kb, "{q:?}");
                }
                ka.sort();
                kb.sort();
                assert_eq!(ka, kb, "{q:?}");
                assert!(a.hits.iter().all(|h| h.id != "3" && h.id != "5"));
            }
        }
    }

    /// "Did you mean" offers the closest word of readable records only, and nothing when the
    /// query finds something.
    #[test]
    fn corrections_come_from_readable_words_only() {
        let idx = SearchIndex::in_memory().unwrap();
        let secret = Labels {
            classification: Classification::Secret,
            compartment: None,
        };
        idx.rebuild(
            [
                doc(
                    ResourceKind::Process,
                    "1",
                    "Ceasefire talks",
                    "The ceasefire commission met in Kassala.",
                    Labels::public(),
                ),
                doc(
                    ResourceKind::Process,
                    "2",
                    "Backchannel",
                    "The zebrafinch channel stays secret.",
                    secret,
                ),
            ],
            &Position {
                instance: "x".into(),
                seq: 1,
            },
        )
        .unwrap();
        let low = scope(Classification::Internal);
        let top = scope(Classification::Secret);
        let dym = |s: &Scope, q: &str| idx.search(s, &req(q)).unwrap().did_you_mean;
        assert_eq!(dym(&low, "ceasfire").as_deref(), Some("ceasefire"));
        assert_eq!(
            dym(&low, "commision kasala").as_deref(),
            Some("commission kassala")
        );
        assert_eq!(dym(&low, "ceasefire"), None, "found: nothing to correct");
        assert_eq!(
            dym(&low, "zebrafinsh"),
            None,
            "only a hidden record holds it"
        );
        assert_eq!(dym(&top, "zebrafinsh").as_deref(), Some("zebrafinch"));
        assert_eq!(dym(&low, "qwertyuiop"), None);
    }

    #[test]
    fn suggestions_come_from_readable_titles_only() {
        let idx = SearchIndex::in_memory().unwrap();
        let secret = Labels {
            classification: Classification::Secret,
            compartment: None,
        };
        idx.rebuild(
            [
                doc(
                    ResourceKind::Process,
                    "1",
                    "Négociations de Genève",
                    "x",
                    Labels::public(),
                ),
                doc(
                    ResourceKind::Process,
                    "2",
                    "Negotiation support",
                    "y",
                    Labels::public(),
                ),
                doc(ResourceKind::Process, "3", "Negev quietplan", "z", secret),
            ],
            &Position {
                instance: "x".into(),
                seq: 1,
            },
        )
        .unwrap();
        let low = scope(Classification::Internal);
        let high = scope(Classification::Secret);
        assert_eq!(
            idx.suggest(&low, "neg", 10).unwrap(),
            vec!["negotiation".to_string(), "négociations".to_string()]
        );
        assert!(idx.suggest(&low, "quiet", 10).unwrap().is_empty());
        assert_eq!(idx.suggest(&high, "quiet", 10).unwrap(), vec!["quietplan"]);
        assert_eq!(
            idx.suggest(&high, "support neg", 10).unwrap(),
            vec!["support negotiation"]
        );
        assert!(idx.suggest(&high, "n", 10).unwrap().is_empty());
    }

    #[test]
    fn private_text_is_found_but_never_stored() {
        let idx = SearchIndex::in_memory().unwrap();
        let mut d = doc(
            ResourceKind::Document,
            "d1",
            "Nota",
            "Afdeling",
            Labels::public(),
        );
        d.private_body = "De onderhandelingen over het kwartelwoord zijn hervat.".into();
        d.lang = Some(Lang::Nl);
        idx.rebuild(
            [d],
            &Position {
                instance: "x".into(),
                seq: 1,
            },
        )
        .unwrap();
        let r = idx
            .search(&scope(Classification::Internal), &req("onderhandeling"))
            .unwrap();
        assert_eq!(r.total, 1);
        // The hit carries only the stored plaintext; the private text is not in the index's
        // stored fields at all.
        assert!(!r.hits[0].snippet.text.contains("kwartel"));
        let searcher = idx.reader.searcher();
        for seg in searcher.segment_readers() {
            let store = seg.get_store_reader(1).unwrap();
            for doc in store.iter::<TantivyDocument>(None) {
                let json = tantivy::Document::to_json(&doc.unwrap(), &idx.index.schema());
                assert!(!json.contains("kwartel"), "{json}");
            }
        }
        // The caller makes the snippet from the decrypted text.
        let s = idx
            .snippet(
                &scope(Classification::Internal),
                "onderhandeling",
                Lang::Nl,
                "De onderhandelingen zijn hervat.",
            )
            .unwrap();
        assert_eq!(s.parts()[1], ("onderhandelingen", true));
    }

    /// The class of the "did you mean" oracle: no decision of a search reads a count over the
    /// whole index. Document frequencies come from the scope ([`scoped::ScopeStats::df`]) only.
    #[test]
    fn no_decision_reads_index_wide_document_counts() {
        for (file, src) in [
            ("lib.rs", include_str!("lib.rs")),
            ("scoped.rs", include_str!("scoped.rs")),
            ("counts.rs", include_str!("counts.rs")),
        ] {
            for index_wide in [
                concat!("searcher", ".doc_freq("),
                concat!("searcher()", ".doc_freq("),
                concat!("enabled_from", "_searcher("),
            ] {
                assert!(!src.contains(index_wide), "{file} uses {index_wide}");
            }
        }
    }

    #[test]
    fn normalises_filters() {
        assert_eq!(
            normalise_query("water country:sd year:2015..2020"),
            "water country:SD year:[2015 TO 2020]"
        );
    }
}
