//! `/api/v1/kb`: the knowledge base, short articles on products, tariffs and promotions that
//! agents search during a call (SQLite FTS5 / PostgreSQL full text, in the store).
//!
//! | route | who | what |
//! |---|---|---|
//! | `GET /kb?q=&before=&limit=` | everyone | newest first (`next` pages on), or with `q` the best matches |
//! | `GET /kb/{id}` | everyone | one article |
//! | `POST /kb`, `PUT /kb/{id}`, `DELETE /kb/{id}` | admin, manager, supervisor | `{"title", "body", "tags": ["fibre"]}` |

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use store::{KbArticle, KbArticleId, NewKbArticle, Role};
use utoipa::{IntoParams, ToSchema};

use super::auth::Caller;
use super::error::ApiError;
use super::openapi::Errors;
use super::pagination;
use super::tickets::TimeJson;

/// Most tags on an article.
const MAX_TAGS: usize = 20;

/// An article.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleJson {
    id: i64,
    title: String,
    body: String,
    tags: Vec<String>,
    created: TimeJson,
    updated: TimeJson,
}

impl From<KbArticle> for ArticleJson {
    fn from(a: KbArticle) -> Self {
        ArticleJson {
            id: a.id.0,
            title: a.title,
            body: a.body,
            tags: a.tags,
            created: TimeJson::new(a.created_at_ms),
            updated: TimeJson::new(a.updated_at_ms),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleList {
    articles: Vec<ArticleJson>,
    /// Pass as `before` for the next page; `null` on the last page and for searches.
    next: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Words searched in titles, tags and texts.
    q: Option<String>,
    /// The previous page's `next`.
    before: Option<i64>,
    /// 1 to 500 (100 with `q`); 50 by default.
    limit: Option<u32>,
}

fn editor(caller: &Caller) -> Result<(), ApiError> {
    if matches!(caller.role, Role::Admin | Role::Manager | Role::Supervisor) {
        Ok(())
    } else {
        Err(ApiError::Forbidden("edit the knowledge base"))
    }
}

#[utoipa::path(get, path = "/kb", tag = "knowledge", params(ListQuery),
    responses((status = 200, description = "Articles", body = ArticleList), Errors))]
pub async fn list(
    caller: Caller,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<ArticleList>, ApiError> {
    let Query(query) = query?;
    if let Some(q) = query.q.as_deref().filter(|q| !q.trim().is_empty()) {
        if q.len() > 200 {
            return Err(ApiError::BadRequest("q is at most 200 bytes".to_owned()));
        }
        let limit = pagination::limit(query.limit, 100)?;
        let articles = caller.tenant.search_kb(q, limit).await?;
        return Ok(Json(ArticleList {
            articles: articles.into_iter().map(ArticleJson::from).collect(),
            next: None,
        }));
    }
    let limit = pagination::limit(query.limit, 500)?;
    let articles = caller
        .tenant
        .kb_articles(query.before.map(KbArticleId), limit)
        .await?;
    let next = (articles.len() == limit as usize)
        .then(|| articles.last().map(|a| a.id.0))
        .flatten();
    Ok(Json(ArticleList {
        articles: articles.into_iter().map(ArticleJson::from).collect(),
        next,
    }))
}

#[utoipa::path(get, path = "/kb/{id}", tag = "knowledge",
    params(("id" = i64, Path, description = "The article id")),
    responses((status = 200, description = "The article", body = ArticleJson), Errors))]
pub async fn detail(
    caller: Caller,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Json<ArticleJson>, ApiError> {
    let Path(id) = id?;
    let article = caller
        .tenant
        .kb_article(KbArticleId(id))
        .await?
        .ok_or(ApiError::NotFound("article"))?;
    Ok(Json(article.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArticleBody {
    /// 1 to 300 characters.
    title: String,
    /// At most 256 KiB.
    body: String,
    /// At most 20, each 1 to 100 bytes.
    #[serde(default)]
    tags: Vec<String>,
}

fn article(body: ArticleBody) -> Result<NewKbArticle, ApiError> {
    if body.tags.len() > MAX_TAGS {
        return Err(ApiError::BadRequest(format!("at most {MAX_TAGS} tags")));
    }
    Ok(NewKbArticle {
        title: pagination::text("title", &body.title, 300)?,
        body: body.body,
        tags: body
            .tags
            .iter()
            .map(|t| pagination::text("tag", t, 100))
            .collect::<Result<_, _>>()?,
    })
}

#[utoipa::path(post, path = "/kb", tag = "knowledge", request_body = ArticleBody,
    responses((status = 201, description = "Written", body = ArticleJson), Errors))]
pub async fn create(
    caller: Caller,
    body: Result<Json<ArticleBody>, JsonRejection>,
) -> Result<(StatusCode, Json<ArticleJson>), ApiError> {
    editor(&caller)?;
    let Json(body) = body?;
    let created = caller
        .tenant
        .create_kb_article(&article(body)?, crate::log::now_ms())
        .await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

#[utoipa::path(put, path = "/kb/{id}", tag = "knowledge",
    params(("id" = i64, Path, description = "The article id")),
    request_body = ArticleBody,
    responses((status = 200, description = "Rewritten", body = ArticleJson), Errors))]
pub async fn update(
    caller: Caller,
    id: Result<Path<i64>, PathRejection>,
    body: Result<Json<ArticleBody>, JsonRejection>,
) -> Result<Json<ArticleJson>, ApiError> {
    editor(&caller)?;
    let Path(id) = id?;
    let Json(body) = body?;
    let updated = caller
        .tenant
        .update_kb_article(KbArticleId(id), &article(body)?, crate::log::now_ms())
        .await?;
    Ok(Json(updated.into()))
}

#[utoipa::path(delete, path = "/kb/{id}", tag = "knowledge",
    params(("id" = i64, Path, description = "The article id")),
    responses((status = 204, description = "Removed"), Errors))]
pub async fn delete(
    caller: Caller,
    id: Result<Path<i64>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    editor(&caller)?;
    let Path(id) = id?;
    caller.tenant.delete_kb_article(KbArticleId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
