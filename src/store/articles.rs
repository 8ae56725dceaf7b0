//! Knowledge articles: Markdown how-tos and answers, suggested beside similar work.

use super::{Reader, Writer};
use crate::domain::{ArticleId, PartRef};
use crate::{Error, Result};
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

fn read(r: &super::conn::Row<'_>) -> Result<Article> {
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
        self.c
            .row(&format!("{COLUMNS}{FROM} WHERE a.id = ?1"), &[&id], read)?
            .ok_or_else(|| Error::not_found(id.to_string()))
    }

    /// Articles by title.
    pub fn articles(&self, limit: usize) -> Result<Vec<Article>> {
        self.c.rows(&format!("{COLUMNS}{FROM} ORDER BY lower(a.title), a.id LIMIT ?1"), &[&(limit as i64)], read)
    }

    /// Articles matching an FTS5 expression, best first (bm25, the title weighted `title_w`), with their scores
    /// (larger is better).
    pub fn article_hits(&self, expr: &str, title_w: f64, limit: usize) -> Result<Vec<(Article, f64)>> {
        let (sql, expr) = if self.c.is_pg() {
            (
                format!(
                    "{COLUMNS}, f.score{FROM} JOIN (SELECT x.id, ts_rank(ARRAY[0, 0, LEAST(1.0, 1.0 / CAST(?2 AS DOUBLE PRECISION)),
                       LEAST(1.0, CAST(?2 AS DOUBLE PRECISION))]::float4[], x.fts, q, 1) AS score
                       FROM articles x, to_tsquery('english', ?1) q WHERE x.fts @@ q ORDER BY score DESC LIMIT ?3) f
                     ON f.id = a.id ORDER BY f.score DESC"
                ),
                super::fts::pg_query(expr),
            )
        } else {
            (
                format!(
                    "{COLUMNS}, f.score{FROM} JOIN (SELECT rowid, -bm25(articles_fts, ?2, 1.0) AS score FROM articles_fts
                       WHERE articles_fts MATCH ?1 ORDER BY bm25(articles_fts, ?2, 1.0) LIMIT ?3) f ON f.rowid = a.id
                     ORDER BY f.score DESC"
                ),
                expr.to_string(),
            )
        };
        self.c.rows(&sql, &[&expr, &title_w, &(limit as i64)], |r| Ok((read(r)?, r.get::<f64>("score")?)))
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
            let old: Option<ArticleId> = self.c.value("SELECT id FROM articles WHERE source = ?1", &[src])?;
            if let Some(id) = old {
                self.update_article(id, a, at)?;
                return Ok((id, false));
            }
        }
        let id: ArticleId = self.c.one(
            "INSERT INTO articles(title, body, tags, part_id, source, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) RETURNING id",
            &[&a.title.trim(), &a.body, &tags.join(" "), &a.part_row, &a.source, &at],
            |r| r.get(0),
        )?;
        Ok((id, true))
    }

    /// Replace an article's title, text, tags and part.
    pub fn update_article(&self, id: ArticleId, a: &NewArticle, at: i64) -> Result<()> {
        let tags: Vec<String> = a.tags.iter().map(|t| crate::domain::normalise_tag(t)).collect::<Result<_>>()?;
        let n = self.c.execute(
            "UPDATE articles SET title = ?2, body = ?3, tags = ?4, part_id = ?5, updated_at = ?6 WHERE id = ?1",
            &[&id, &a.title.trim(), &a.body, &tags.join(" "), &a.part_row, &at],
        )?;
        if n == 0 {
            return Err(Error::not_found(id.to_string()));
        }
        Ok(())
    }
}
