//! Knowledge articles: Markdown how-tos and answers, suggested beside similar work.

use super::{Reader, Writer};
use crate::domain::{ArticleId, PartRef};
use crate::{Error, Result};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

/// An article as lists, `kb show` and suggestions read it.
#[derive(Debug, Clone, Serialize)]
pub struct Article {
    pub id: ArticleId,
    pub title: String,
    pub body: String,
    pub tags: Vec<String>,
    pub part: Option<PartRef>,
    pub source: Option<String>,
    #[serde(serialize_with = "crate::domain::ser_ts")]
    pub updated_at: i64,
}

/// What a new or imported article holds; `source` names the file it came from.
#[derive(Debug, Clone, Default)]
pub struct NewArticle {
    pub title: String,
    pub body: String,
    pub tags: Vec<String>,
    pub part_row: Option<i64>,
    pub source: Option<String>,
}

const COLUMNS: &str =
    "SELECT a.id, a.title, a.body, a.tags, p.kind AS part_kind, p.num AS part_num, a.source, a.updated_at";
const FROM: &str = " FROM articles a LEFT JOIN parts p ON p.id = a.part_id";

fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<Article> {
    let tags: String = r.get("tags")?;
    let kind: Option<crate::domain::PartKind> = r.get("part_kind")?;
    Ok(Article {
        id: r.get("id")?,
        title: r.get("title")?,
        body: r.get("body")?,
        tags: tags.split(' ').filter(|t| !t.is_empty()).map(String::from).collect(),
        part: kind.zip(r.get("part_num")?).map(|(kind, num)| PartRef { kind, num }),
        source: r.get("source")?,
        updated_at: r.get("updated_at")?,
    })
}

impl Reader<'_> {
    pub fn article(&self, id: ArticleId) -> Result<Article> {
        self.lite()?
            .prepare_cached(&format!("{COLUMNS}{FROM} WHERE a.id = ?1"))?
            .query_row([id], read)
            .optional()?
            .ok_or_else(|| Error::not_found(id.to_string()))
    }

    /// Articles by title.
    pub fn articles(&self, limit: usize) -> Result<Vec<Article>> {
        let mut st =
            self.lite()?.prepare_cached(&format!("{COLUMNS}{FROM} ORDER BY a.title COLLATE NOCASE LIMIT ?1"))?;
        Ok(st.query_map([limit as i64], read)?.collect::<Result<_, _>>()?)
    }

    /// Articles matching an FTS5 expression, best first (bm25, the title weighted `title_w`), with their scores
    /// (larger is better).
    pub fn article_hits(&self, expr: &str, title_w: f64, limit: usize) -> Result<Vec<(Article, f64)>> {
        let mut st = self.lite()?.prepare_cached(&format!(
            "{COLUMNS}, f.score{FROM} JOIN (SELECT rowid, -bm25(articles_fts, ?2, 1.0) AS score FROM articles_fts
               WHERE articles_fts MATCH ?1 ORDER BY bm25(articles_fts, ?2, 1.0) LIMIT ?3) f ON f.rowid = a.id
             ORDER BY f.score DESC"
        ))?;
        let rows = st.query_map(params![expr, title_w, limit as i64], |r| Ok((read(r)?, r.get::<_, f64>("score")?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

impl Writer<'_> {
    /// Add an article, or update the one imported from the same source. True when it is new.
    pub fn put_article(&self, a: &NewArticle, at: i64) -> Result<(ArticleId, bool)> {
        if a.title.trim().is_empty() {
            return Err(Error::invalid("an article needs a title"));
        }
        let tags: Vec<String> = a.tags.iter().map(|t| crate::domain::normalise_tag(t)).collect::<Result<_>>()?;
        if let Some(src) = &a.source {
            let old: Option<ArticleId> = self
                .lite()?
                .prepare_cached("SELECT id FROM articles WHERE source = ?1")?
                .query_row([src], |r| r.get(0))
                .optional()?;
            if let Some(id) = old {
                self.update_article(id, a, at)?;
                return Ok((id, false));
            }
        }
        self.lite()?
            .prepare_cached(
                "INSERT INTO articles(title, body, tags, part_id, source, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
            )?
            .execute(params![a.title.trim(), a.body, tags.join(" "), a.part_row, a.source, at])?;
        Ok((ArticleId(self.lite()?.last_insert_rowid()), true))
    }

    /// Replace an article's title, text, tags and part.
    pub fn update_article(&self, id: ArticleId, a: &NewArticle, at: i64) -> Result<()> {
        let tags: Vec<String> = a.tags.iter().map(|t| crate::domain::normalise_tag(t)).collect::<Result<_>>()?;
        let n = self
            .lite()?
            .prepare_cached(
                "UPDATE articles SET title = ?2, body = ?3, tags = ?4, part_id = ?5, updated_at = ?6 WHERE id = ?1",
            )?
            .execute(params![id, a.title.trim(), a.body, tags.join(" "), a.part_row, at])?;
        if n == 0 {
            return Err(Error::not_found(id.to_string()));
        }
        Ok(())
    }
}
