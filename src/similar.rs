//! Similar work: rank existing items for a query by full-text relevance (bm25), repaired typos, title overlap and
//! context (same customer, part, recency, open), with per-pair feedback. Each result says why it matched.

mod eval;
mod meaning;
mod text;

pub use eval::{EvalReport, Scores, evaluate, evaluate_intents};
pub use meaning::{Vectors, by_meaning, fill_vectors, hybrid};
pub use text::{terms, words};

use crate::Result;
use crate::domain::{ItemRef, Kind};
use crate::stage::AnyStage;
use crate::store::{Candidate, Reader};
use serde::Serialize;

#[derive(Debug, Clone, Default)]
pub struct Query {
    pub title: String,
    /// Description and/or first customer message.
    pub body: String,
    pub kinds: Vec<Kind>,
    pub account_row: Option<i64>,
    pub contact_row: Option<i64>,
    pub part_row: Option<i64>,
    /// The item the query is about (excluded, and the key for feedback).
    pub item_row: Option<i64>,
    /// Only items created before this time (evaluation).
    pub before: Option<i64>,
    /// The last word is still being typed: match it as a prefix.
    pub typing: bool,
    /// The time recency is measured from (default: `before`, else now).
    pub now: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    pub id: ItemRef,
    #[serde(skip)]
    pub row: i64,
    pub kind: Kind,
    pub stage: AnyStage,
    pub title: String,
    pub score: f64,
    pub reason: String,
}

/// Weights of the ranking, fixed for all data (not tuned per query).
mod weight {
    /// bm25 weight of the title column against the description's 1.
    pub const TITLE_COLUMN: f64 = 3.0;
    /// Shares of the score: bm25 over all text, bm25 over titles, and title-word overlap (they add up to 1).
    pub const TEXT: f64 = 0.55;
    pub const TITLE: f64 = 0.25;
    pub const OVERLAP: f64 = 0.2;
    /// Bonuses for context shared with the item being written or viewed.
    pub const SAME_CONTACT: f64 = 0.12;
    pub const SAME_ACCOUNT: f64 = 0.08;
    pub const SAME_PART: f64 = 0.05;
    /// Recent items rank a little higher: this much at age 0, decaying with this many days.
    pub const RECENT: f64 = 0.08;
    pub const RECENT_DAYS: f64 = 45.0;
    /// Open items rank a little above closed ones.
    pub const OPEN: f64 = 0.02;
    /// A 👍 given before for this pair.
    pub const THUMBS_UP: f64 = 0.5;
}
const POOL: usize = 60;
/// A term in this many items or more is too common to find candidates with; a guessed completion of the word
/// being typed must be in fewer than a quarter of that (each candidate costs a bm25 score).
const COMMON: usize = 1000;

/// Remembers how common each word is between searches: a form searching on every keystroke asks about the same
/// words again and again. Counts drift as items are added, which the ranking tolerates; make a new one after imports.
#[derive(Debug, Default)]
pub struct Finder {
    docs: std::cell::RefCell<std::collections::HashMap<String, usize>>,
    completions: std::cell::RefCell<std::collections::HashMap<String, Vec<String>>>,
}

impl Finder {
    pub fn find(&self, r: &Reader<'_>, q: &Query, limit: usize) -> Result<Vec<Suggestion>> {
        search(r, q, limit, self)
    }

    fn term_docs(&self, r: &Reader<'_>, t: &str) -> Result<usize> {
        if let Some(n) = self.docs.borrow().get(t) {
            return Ok(*n);
        }
        let n = r.term_docs(t, COMMON)?;
        let mut docs = self.docs.borrow_mut();
        if docs.len() > 10_000 {
            docs.clear();
        }
        docs.insert(t.to_string(), n);
        Ok(n)
    }

    /// The words found for the longest shorter prefix searched already, narrowed to `prefix`, if any remain.
    fn narrowed(&self, prefix: &str) -> Option<Vec<String>> {
        let seen = self.completions.borrow();
        let mut p = prefix;
        while p.chars().count() >= 3 {
            if let Some(words) = seen.get(p) {
                let n: Vec<String> = words.iter().filter(|w| w.starts_with(prefix)).cloned().collect();
                return (!n.is_empty()).then_some(n);
            }
            p = &p[..p.len() - p.chars().last()?.len_utf8()];
        }
        None
    }

    /// Likely completions of a word being typed that are not common: words starting with it in the titles of the
    /// newest items that match it (the prefix index finds those at once, where listing the vocabulary would read
    /// every completion's whole doclist). Each next letter narrows the words found for the letters before it.
    fn completions(&self, r: &Reader<'_>, prefix: &str, kinds: &[Kind]) -> Result<Vec<String>> {
        let words = match self.narrowed(prefix) {
            Some(w) => w,
            None => {
                let expr = crate::store::fts::prefix(prefix);
                let mut count: Vec<(String, usize)> = vec![];
                for c in r.fts_newest(&expr, kinds, None, 60)? {
                    for w in c.title.split(|ch: char| !ch.is_alphanumeric()) {
                        let w = w.to_lowercase();
                        if !w.starts_with(prefix) {
                            continue;
                        }
                        match count.iter_mut().find(|(s, _)| *s == w) {
                            Some(e) => e.1 += 1,
                            None => count.push((w, 1)),
                        }
                    }
                }
                count.sort_by_key(|c| std::cmp::Reverse(c.1));
                let words: Vec<String> = count.into_iter().map(|(w, _)| w).collect();
                self.completions.borrow_mut().insert(prefix.to_string(), words.clone());
                words
            }
        };
        let mut out = vec![];
        for w in words.into_iter().take(12) {
            if self.term_docs(r, &w)? < COMMON / 4 {
                out.push(w);
                if out.len() == 3 {
                    break;
                }
            }
        }
        Ok(out)
    }
}

/// How many suggestions a form or view shows.
pub const SHOWN: usize = 5;

/// The kind being created first (an issue form lists issues, then tickets), each in rank order: up to three of the
/// first kind of `q.kinds`, the rest of the other kinds, filling from either when the other has too few.
pub fn kind_first(q: &Query, mut search: impl FnMut(&Query) -> Result<Vec<Suggestion>>) -> Result<Vec<Suggestion>> {
    let Some((&own, rest)) = q.kinds.split_first() else { return search(q) };
    let mine = search(&Query { kinds: vec![own], ..q.clone() })?;
    let others = if rest.is_empty() { vec![] } else { search(&Query { kinds: rest.to_vec(), ..q.clone() })? };
    let n_mine = mine.len().min(SHOWN.saturating_sub(others.len().min(SHOWN - 3)));
    let mut out: Vec<_> = mine.into_iter().take(n_mine).collect();
    let room = SHOWN - out.len();
    out.extend(others.into_iter().take(room));
    Ok(out)
}

/// Rank items similar to the query, best first.
pub fn find(r: &Reader<'_>, q: &Query, limit: usize) -> Result<Vec<Suggestion>> {
    search(r, q, limit, &Finder::default())
}

fn search(r: &Reader<'_>, q: &Query, limit: usize, finder: &Finder) -> Result<Vec<Suggestion>> {
    let title_words = words(&q.title);
    if title_words.is_empty() && q.body.trim().is_empty() {
        return Ok(vec![]);
    }
    let typed = terms(&q.title, 16);
    // The word being typed is matched as a prefix, not repaired.
    let (whole, partial) = match (q.typing, typed.split_last()) {
        (true, Some((last, rest))) if !q.title.ends_with(' ') => (rest.to_vec(), Some(last.clone())),
        _ => (typed, None),
    };
    let (title_terms, repaired) = repair(r, &whole)?;
    let body_terms = terms(&q.body, 40);
    // Words in very many items cost much to score and say little: they find no candidates on their own (they
    // still count in the title overlap). When every title word is common, items whose titles hold all of them do.
    let split = |ts: &[String]| -> Result<(Vec<String>, Vec<String>)> {
        let (mut rare, mut common) = (vec![], vec![]);
        for t in ts {
            if finder.term_docs(r, t)? < COMMON { rare.push(t.clone()) } else { common.push(t.clone()) }
        }
        Ok((rare, common))
    };
    let (mut cand_title, common_title) = split(&title_terms)?;
    let mut title_terms = title_terms;
    // The word being typed stands for its likeliest completions that are not common.
    if let Some(p) = partial.filter(|p| p.chars().count() >= 3) {
        let completions = finder.completions(r, &p, &q.kinds)?;
        title_terms.extend(completions.iter().cloned());
        cand_title.extend(completions);
    }
    let (cand_body, _) = split(&body_terms)?;
    let all_common = (cand_title.is_empty() && !common_title.is_empty()).then(|| {
        // Not limited to the title column: FTS5 would read every position list of these long doclists to check
        // it (16 ms at 100k items when nothing matches); the title overlap in the score favours title matches.
        format!("({})", common_title.iter().map(|t| crate::store::fts::phrase(t)).collect::<Vec<_>>().join(" AND "))
    });
    let join = |parts: Vec<Option<String>>| {
        let v: Vec<String> = parts.into_iter().flatten().collect();
        (!v.is_empty()).then(|| v.join(" OR "))
    };
    let expr = match join(vec![all_common.clone(), text::fts_expr(&cand_title, &cand_body, false)]) {
        Some(e) => e,
        None => return Ok(vec![]),
    };
    // Items sharing only common words with the query are told apart by recency better than by bm25 over thousands.
    let only_common = cand_title.is_empty() && cand_body.is_empty();
    let cands = if only_common {
        r.fts_newest(&expr, &q.kinds, q.before, POOL)?
    } else {
        r.fts_candidates(&expr, weight::TITLE_COLUMN, &q.kinds, q.before, POOL)?
    };
    let title_only =
        match join(vec![all_common, text::fts_expr(&cand_title, &[], false).map(|e| format!("{{title}} : ({e})"))]) {
            Some(e) if !body_terms.is_empty() => r.fts_candidates(&e, 1.0, &q.kinds, q.before, POOL)?,
            _ => vec![],
        };
    let best = cands.iter().map(|c| -c.bm25).fold(f64::MIN_POSITIVE, f64::max);
    let best_t = title_only.iter().map(|c| -c.bm25).fold(f64::MIN_POSITIVE, f64::max);
    let mut pool: Vec<(Candidate, f64, f64)> = cands
        .into_iter()
        .map(|c| {
            let s = -c.bm25 / best;
            (c, s, 0.0)
        })
        .collect();
    for c in title_only {
        let s = -c.bm25 / best_t;
        match pool.iter_mut().find(|(p, _, _)| p.row == c.row) {
            Some(p) => p.2 = s,
            None => pool.push((c, 0.0, s)),
        }
    }
    let query_set: std::collections::HashSet<String> = title_terms.iter().cloned().collect();
    let mut out = vec![];
    // What the item is linked to already (the ticket a conversation became, its issue) is no suggestion.
    let linked: std::collections::HashSet<i64> = match q.item_row {
        Some(me) => r.linked_rows(me)?.into_iter().collect(),
        None => Default::default(),
    };
    for (c, text_score, title_score) in pool {
        if Some(c.row) == q.item_row || linked.contains(&c.row) {
            continue;
        }
        let fb = match q.item_row {
            Some(me) => r.feedback(me, c.row)?,
            None => None,
        };
        if fb == Some(false) {
            continue;
        }
        let cand_terms = terms(&c.title, 32);
        let shared: Vec<&String> = cand_terms.iter().filter(|t| query_set.contains(*t)).collect();
        let overlap = if query_set.is_empty() {
            0.0
        } else {
            shared.len() as f64 / query_set.len().max(cand_terms.len()).max(1) as f64
        };
        let mut score = weight::TEXT * text_score + weight::TITLE * title_score + weight::OVERLAP * overlap;
        let mut why: Vec<String> = vec![];
        if !shared.is_empty() {
            let ws: Vec<&str> = shared.iter().take(5).map(|s| s.as_str()).collect();
            why.push(format!("title ~ '{}'", ws.join(" ")));
        } else {
            why.push("text matches".into());
        }
        if !repaired.is_empty() && shared.iter().any(|s| repaired.iter().any(|(_, to)| to == *s)) {
            let fixes: Vec<String> = repaired.iter().map(|(a, b)| format!("{a}→{b}")).collect();
            why.push(format!("typo {}", fixes.join(", ")));
        }
        let same = |a: Option<i64>, b: Option<i64>| a.is_some() && a == b;
        if same(q.contact_row, c.contact_row) {
            score += weight::SAME_CONTACT;
            why.push("same contact".into());
        } else if same(q.account_row, c.account_row) {
            score += weight::SAME_ACCOUNT;
            why.push("same account".into());
        }
        if same(q.part_row, c.part_row) {
            score += weight::SAME_PART;
            why.push("same part".into());
        }
        let reference = q.now.or(q.before).unwrap_or_else(crate::now);
        let age_days = (reference - c.created_at).max(0) as f64 / 86_400.0;
        score += weight::RECENT * (-age_days / weight::RECENT_DAYS).exp();
        if !c.closed {
            score += weight::OPEN;
        }
        if fb == Some(true) {
            score += weight::THUMBS_UP;
            why.push("👍 before".into());
        }
        out.push(Suggestion {
            id: c.id,
            row: c.row,
            kind: c.id.kind,
            stage: c.stage,
            title: c.title,
            score,
            reason: why.join(", "),
        });
    }
    out.sort_by(|a, b| b.score.total_cmp(&a.score));
    out.truncate(limit);
    Ok(out)
}

/// Replace query terms that no item contains and that are not words of the language by the closest indexed term
/// (one or two edits away).
/// Query terms after repair, and the (typed, indexed) pairs that were repaired.
type Repaired = (Vec<String>, Vec<(String, String)>);

fn repair(r: &Reader<'_>, ts: &[String]) -> Result<Repaired> {
    let mut out = vec![];
    let mut fixed = vec![];
    for t in ts {
        // A real word is not a typo even when no item holds it ("held" is not "help"): the embedding model's
        // whole-word vocabulary serves as the word list.
        let real_word = crate::embed::is_word(t);
        if t.chars().count() < 4 || t.chars().any(|c| c.is_ascii_digit()) || real_word || r.term_exists(t)? {
            out.push(t.clone());
            continue;
        }
        let prefix: String = t.chars().take(1).collect();
        let max = if t.chars().count() <= 5 { 1 } else { 2 };
        let best = r
            .terms_with_prefix(&prefix, 4000)?
            .into_iter()
            .filter_map(|(term, docs)| {
                let d = text::edit_distance(t, &term);
                (d <= max).then_some((d, -docs, term))
            })
            .min();
        match best {
            Some((_, _, term)) => {
                fixed.push((t.clone(), term.clone()));
                out.push(term);
            }
            None => out.push(t.clone()),
        }
    }
    Ok((out, fixed))
}

/// An article suggested for a text.
#[derive(Debug, Clone, Serialize)]
pub struct ArticleSuggestion {
    pub id: crate::domain::ArticleId,
    pub title: String,
    pub score: f64,
}

/// Articles for an item's view or reply: [`articles`] for its text, without those marked 👎 for it, 👍 ones first.
pub fn articles_for_item(
    r: &Reader<'_>,
    item_row: i64,
    title: &str,
    body: &str,
    limit: usize,
) -> Result<Vec<ArticleSuggestion>> {
    let fb = r.article_feedback(item_row)?;
    let q = Query { title: title.to_string(), body: body.to_string(), item_row: Some(item_row), ..Default::default() };
    let mut out = articles_for(r, &q, limit + fb.len())?;
    out.retain(|a| !fb.contains(&(a.id, false)));
    for a in out.iter_mut() {
        if fb.contains(&(a.id, true)) {
            a.score += weight::THUMBS_UP;
        }
    }
    out.sort_by(|a, b| b.score.total_cmp(&a.score));
    out.truncate(limit);
    Ok(out)
}

/// Knowledge articles for a text (a title being typed, an item's title and description), best first: bm25 (scaled
/// to the best hit) blended with meaning as for items.
pub fn articles(r: &Reader<'_>, title: &str, body: &str, limit: usize) -> Result<Vec<ArticleSuggestion>> {
    articles_for(r, &Query { title: title.to_string(), body: body.to_string(), ..Default::default() }, limit)
}

/// Articles for a query's title and body (and its item's stored vector, when it asks with that item's own text).
fn articles_for(r: &Reader<'_>, q: &Query, limit: usize) -> Result<Vec<ArticleSuggestion>> {
    let t = text::terms(&q.title, 32);
    let b = text::terms(&q.body, 64);
    let lexical = match text::fts_expr(&t, &b, false) {
        Some(expr) => r.article_hits(&expr, weight::TITLE_COLUMN, POOL)?,
        None => vec![],
    };
    let best = lexical.iter().map(|(_, s)| *s).fold(f64::MIN_POSITIVE, f64::max);
    let mut out: Vec<ArticleSuggestion> = lexical
        .into_iter()
        .map(|(a, score)| ArticleSuggestion { id: a.id, title: a.title, score: score / best })
        .collect();
    meaning::add_articles(r, q, t.len() + b.len(), &mut out)?;
    out.sort_by(|a, b| b.score.total_cmp(&a.score));
    out.truncate(limit);
    Ok(out)
}
