//! The knowledge base: short articles on products, tariffs and promotions that agents search
//! during a call. Each article has one row in `kb_search`, rewritten with it in the same
//! transaction (`full_text.rs` says how each backend indexes it).

use serde::Serialize;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use crate::db::get;
use crate::error::{Entity, Error, Result, found};
use crate::ids::KbArticleId;
use crate::tenant::TenantStore;

/// An article to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewKbArticle {
    /// Its title (1 to 300 characters).
    pub title: String,
    /// Its text.
    pub body: String,
    /// Tags (`fibre`, `promo`).
    pub tags: Vec<String>,
}

/// A stored article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KbArticle {
    /// Its id.
    pub id: KbArticleId,
    /// Its title.
    pub title: String,
    /// Its text.
    pub body: String,
    /// Its tags.
    pub tags: Vec<String>,
    /// When it was created (unix ms).
    pub created_at_ms: i64,
    /// When it last changed.
    pub updated_at_ms: i64,
}

macro_rules! article_columns {
    () => {
        "id, title, body, tags, created_at_ms, updated_at_ms"
    };
}

impl KbArticle {
    fn from_row(row: &AnyRow) -> Result<Self> {
        let tags: String = get(row, "tags")?;
        Ok(KbArticle {
            id: KbArticleId(get(row, "id")?),
            title: get(row, "title")?,
            body: get(row, "body")?,
            tags: serde_json::from_str(&tags).map_err(|e| Error::corrupt("kb_articles.tags", e))?,
            created_at_ms: get(row, "created_at_ms")?,
            updated_at_ms: get(row, "updated_at_ms")?,
        })
    }
}

const MAX_BODY_BYTES: usize = 256 * 1024;

fn check(article: &NewKbArticle) -> Result<String> {
    let title = article.title.trim();
    if title.is_empty() || title.chars().count() > 300 {
        return Err(Error::invalid("article title", "1 to 300 characters"));
    }
    if article.body.len() > MAX_BODY_BYTES {
        return Err(Error::invalid("article body", "at most 256 KiB"));
    }
    if article
        .tags
        .iter()
        .any(|t| t.trim().is_empty() || t.len() > 100)
    {
        return Err(Error::invalid("article tag", "1 to 100 bytes"));
    }
    serde_json::to_string(&article.tags).map_err(|e| Error::invalid("article tags", e.to_string()))
}

impl TenantStore {
    /// Writes a new article.
    pub async fn create_kb_article(
        &self,
        article: &NewKbArticle,
        now_ms: i64,
    ) -> Result<KbArticle> {
        let tags = check(article)?;
        let mut tx = self.store.write().await?;
        let row = sqlx::query(concat!(
            "INSERT INTO kb_articles (tenant_id, title, body, tags, created_at_ms, updated_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $5) RETURNING ",
            article_columns!()
        ))
        .bind(self.tid())
        .bind(article.title.clone())
        .bind(article.body.clone())
        .bind(tags)
        .bind(now_ms)
        .fetch_one(tx.conn())
        .await?;
        let stored = KbArticle::from_row(&row)?;
        index(tx.conn(), self.tid(), &stored).await?;
        tx.commit().await?;
        Ok(stored)
    }

    /// Rewrites an article.
    pub async fn update_kb_article(
        &self,
        id: KbArticleId,
        article: &NewKbArticle,
        now_ms: i64,
    ) -> Result<KbArticle> {
        let tags = check(article)?;
        let mut tx = self.store.write().await?;
        let row = sqlx::query(concat!(
            "UPDATE kb_articles SET title = $3, body = $4, tags = $5, updated_at_ms = $6 \
             WHERE tenant_id = $1 AND id = $2 RETURNING ",
            article_columns!()
        ))
        .bind(self.tid())
        .bind(id.0)
        .bind(article.title.clone())
        .bind(article.body.clone())
        .bind(tags)
        .bind(now_ms)
        .fetch_optional(tx.conn())
        .await?
        .ok_or(Error::NotFound(Entity::KbArticle))?;
        let stored = KbArticle::from_row(&row)?;
        unindex(tx.conn(), self.tid(), id).await?;
        index(tx.conn(), self.tid(), &stored).await?;
        tx.commit().await?;
        Ok(stored)
    }

    /// Removes an article.
    pub async fn delete_kb_article(&self, id: KbArticleId) -> Result<()> {
        let mut tx = self.store.write().await?;
        unindex(tx.conn(), self.tid(), id).await?;
        let done = sqlx::query("DELETE FROM kb_articles WHERE tenant_id = $1 AND id = $2")
            .bind(self.tid())
            .bind(id.0)
            .execute(tx.conn())
            .await?;
        found(done.rows_affected(), Entity::KbArticle)?;
        tx.commit().await
    }

    /// The article with this id.
    pub async fn kb_article(&self, id: KbArticleId) -> Result<Option<KbArticle>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            article_columns!(),
            " FROM kb_articles WHERE tenant_id = $1 AND id = $2"
        ))
        .bind(self.tid())
        .bind(id.0)
        .fetch_optional(self.store.pool())
        .await?;
        row.as_ref().map(KbArticle::from_row).transpose()
    }

    /// Articles, newest first, at most `limit` (1 to 500); with `before` (the previous page's
    /// last id), only older ones.
    pub async fn kb_articles(
        &self,
        before: Option<KbArticleId>,
        limit: u32,
    ) -> Result<Vec<KbArticle>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            article_columns!(),
            " FROM kb_articles WHERE tenant_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3"
        ))
        .bind(self.tid())
        .bind(before.map_or(i64::MAX, |b| b.0))
        .bind(i64::from(limit.clamp(1, 500)))
        .fetch_all(self.store.pool())
        .await?;
        rows.iter().map(KbArticle::from_row).collect()
    }

    /// Articles whose title, tags or text contain every word of `text` (as prefixes), best match
    /// first (title matches weigh most), at most `limit` (1 to 100).
    pub async fn search_kb(&self, text: &str, limit: u32) -> Result<Vec<KbArticle>> {
        let mut articles = Vec::new();
        for id in self
            .search_ids("kb_search", "article_id", text, limit)
            .await?
        {
            if let Some(found) = self.kb_article(KbArticleId(id)).await? {
                articles.push(found);
            }
        }
        Ok(articles)
    }
}

async fn index(conn: &mut AnyConnection, tenant: i64, article: &KbArticle) -> Result<()> {
    sqlx::query(
        "INSERT INTO kb_search (tenant_id, article_id, title, body, tags) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(tenant)
    .bind(article.id.0)
    .bind(article.title.clone())
    .bind(article.body.clone())
    .bind(article.tags.join(" "))
    .execute(conn)
    .await?;
    Ok(())
}

async fn unindex(conn: &mut AnyConnection, tenant: i64, id: KbArticleId) -> Result<()> {
    sqlx::query("DELETE FROM kb_search WHERE tenant_id = $1 AND article_id = $2")
        .bind(tenant)
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(())
}
