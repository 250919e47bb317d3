//! Search API: one full-text search over every kind of record you may read, with facets,
//! highlighted snippets and "more like this".

use std::collections::BTreeMap;

use crate::routes::{Routes, get};
use axum::Json;
use axum::extract::Path;
use grotius_store::{SearchHit, SearchRequest, SearchResults, SearchSort};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::api::ApiQuery;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};

pub(crate) fn routes(r: &mut Routes) {
    r.route("/search", get(search))
        .route("/search/suggest", get(suggest))
        .route("/search/{kind}/{id}/similar", get(similar));
}

#[derive(OpenApi)]
#[openapi(
    paths(search, suggest, similar),
    components(schemas(SearchResultsDto, SearchHitDto, SimilarDto, SuggestDto))
)]
pub struct SearchApi;

#[derive(Deserialize, IntoParams)]
pub struct SearchQuery {
    /// Words, "quoted phrases", AND / OR / NOT, and field filters: `country:SD`,
    /// `kind:process` (process, engagement, actor, debrief, agreement), `theme:water`,
    /// `year:2015..2020`.
    /// Empty: everything you may read.
    pub q: Option<String>,
    /// 1–100 (default 20).
    pub limit: Option<usize>,
    pub offset: Option<usize>,
    /// relevance (default) or date (newest first).
    pub sort: Option<String>,
}

/// Parses the paging and sort of a search; a wrong value names the field.
pub(crate) fn search_request(
    q: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
    sort: Option<&str>,
) -> Result<SearchRequest, grotius_domain::DomainError> {
    let limit = limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(grotius_domain::DomainError::invalid(
            "limit",
            "must be between 1 and 100",
        ));
    }
    let offset = offset.unwrap_or(0);
    if offset > 10_000 {
        return Err(grotius_domain::DomainError::invalid(
            "offset",
            "must be at most 10000",
        ));
    }
    let sort = match sort.unwrap_or("relevance") {
        "relevance" | "" => SearchSort::Relevance,
        "date" => SearchSort::Date,
        _ => {
            return Err(grotius_domain::DomainError::invalid(
                "sort",
                "must be relevance or date",
            ));
        }
    };
    let q = q.unwrap_or_default();
    if q.len() > 1000 {
        return Err(grotius_domain::DomainError::invalid(
            "q",
            "must be at most 1000 characters",
        ));
    }
    Ok(SearchRequest {
        q,
        limit,
        offset,
        sort,
    })
}

#[derive(Serialize, ToSchema)]
pub struct SearchHitDto {
    /// process, engagement, actor, debrief, agreement
    pub kind: String,
    pub id: String,
    pub title: String,
    /// Plain text around the matches.
    pub snippet: String,
    /// Byte ranges [start, end) of the matched words in `snippet`.
    pub highlights: Vec<Vec<usize>>,
    /// The page of the record in the web interface.
    pub url: String,
    /// Relevance (0 when sorted by date). BM25 with statistics of the records you may read only:
    /// it does not change when records you may not read are added or removed.
    pub score: f32,
}

impl From<SearchHit> for SearchHitDto {
    fn from(h: SearchHit) -> Self {
        SearchHitDto {
            kind: h.kind.as_str().to_string(),
            id: h.id,
            title: h.title,
            highlights: h
                .snippet
                .highlights
                .iter()
                .map(|&(s, e)| vec![s, e])
                .collect(),
            snippet: h.snippet.text,
            url: h.url,
            score: h.score,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SearchResultsDto {
    /// How many records you may read match.
    pub total: usize,
    pub hits: Vec<SearchHitDto>,
    /// Counts per value of `kind`, `country`, `year` and `theme`, over the records you may read.
    pub facets: BTreeMap<String, BTreeMap<String, u64>>,
    /// When nothing matched: the query with misspelt words replaced by words of records you may
    /// read, when that finds something.
    pub did_you_mean: Option<String>,
}

impl From<SearchResults> for SearchResultsDto {
    fn from(r: SearchResults) -> Self {
        let map = |v: Vec<(String, u64)>| v.into_iter().collect::<BTreeMap<_, _>>();
        let mut facets = BTreeMap::new();
        facets.insert("kind".to_string(), map(r.facets.kind));
        facets.insert("country".to_string(), map(r.facets.country));
        facets.insert("year".to_string(), map(r.facets.year));
        facets.insert("theme".to_string(), map(r.facets.theme));
        SearchResultsDto {
            total: r.total,
            hits: r.hits.into_iter().map(SearchHitDto::from).collect(),
            facets,
            did_you_mean: r.did_you_mean,
        }
    }
}

/// Searches processes, engagements, actors, debriefs and peace agreements you may read.
#[utoipa::path(get, path = "/api/v1/search", params(SearchQuery),
    responses((status = 200, body = SearchResultsDto), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn search(
    Caller(a): Caller,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> Result<Json<SearchResultsDto>, ApiError> {
    let req = search_request(q.q, q.limit, q.offset, q.sort.as_deref())
        .map_err(grotius_store::StoreError::from)?;
    Ok(Json(a.search(&req).await?.into()))
}

#[derive(Serialize, ToSchema)]
pub struct SimilarDto {
    pub hits: Vec<SearchHitDto>,
}

/// Records like this one, among those you may read (404 if you may not read this one).
#[utoipa::path(get, path = "/api/v1/search/{kind}/{id}/similar",
    params(("kind" = String, Path, description = "process, engagement, actor, debrief"), ("id" = String, Path)),
    responses((status = 200, body = SimilarDto), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn similar(
    Caller(a): Caller,
    Path((kind, id)): Path<(String, String)>,
) -> Result<Json<SimilarDto>, ApiError> {
    let hits = a.search_similar(&kind, &id, 10).await?;
    Ok(Json(SimilarDto {
        hits: hits.into_iter().map(SearchHitDto::from).collect(),
    }))
}

#[derive(Deserialize, IntoParams)]
pub struct SuggestQuery {
    /// What has been typed so far; the last word is completed (at least two letters).
    pub q: Option<String>,
    /// 1–20 (default 8).
    pub limit: Option<usize>,
}

#[derive(Serialize, ToSchema)]
pub struct SuggestDto {
    /// Whole queries: the words typed with the last one completed from titles of records you
    /// may read, most frequent first.
    pub suggestions: Vec<String>,
}

/// Type-ahead: completions of the last word from titles of records you may read only.
#[utoipa::path(get, path = "/api/v1/search/suggest", params(SuggestQuery),
    responses((status = 200, body = SuggestDto), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn suggest(
    Caller(a): Caller,
    ApiQuery(q): ApiQuery<SuggestQuery>,
) -> Result<Json<SuggestDto>, ApiError> {
    let limit = q.limit.unwrap_or(8);
    if !(1..=20).contains(&limit) {
        return Err(
            grotius_store::StoreError::from(grotius_domain::DomainError::invalid(
                "limit",
                "must be between 1 and 20",
            ))
            .into(),
        );
    }
    let text = q.q.unwrap_or_default();
    if text.len() > 200 {
        return Err(
            grotius_store::StoreError::from(grotius_domain::DomainError::invalid(
                "q",
                "must be at most 200 characters",
            ))
            .into(),
        );
    }
    Ok(Json(SuggestDto {
        suggestions: a.search_suggest(&text, limit).await?,
    }))
}
