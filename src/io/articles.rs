//! Knowledge articles from Markdown files: one `.md` file an article, the title from its first heading.

use crate::store::{NewArticle, Writer};
use crate::{Error, Result};
use std::path::Path;

/// An article from a Markdown text: the first `# ` heading is the title (else `fallback`, the file's name), an
/// optional front matter (`---` lines around `tags: a, b` and `part: FEAT-3`) gives tags and part.
pub fn parse(text: &str, fallback: &str) -> (NewArticle, Option<String>) {
    let mut a = NewArticle::default();
    let mut part = None;
    let mut rest = text.trim_start_matches('\u{feff}');
    if let Some(front) = rest.strip_prefix("---\n")
        && let Some((head, body)) = front.split_once("\n---\n")
    {
        for l in head.lines() {
            match l.split_once(':') {
                Some(("tags", v)) => {
                    a.tags = v
                        .trim()
                        .trim_matches(['[', ']'])
                        .split(',')
                        .map(|t| t.trim().trim_matches('"').to_string())
                        .filter(|t| !t.is_empty())
                        .collect()
                }
                Some(("part", v)) => part = Some(v.trim().trim_matches('"').to_string()),
                Some(("title", v)) => a.title = v.trim().trim_matches('"').to_string(),
                _ => {}
            }
        }
        rest = body;
    }
    let mut body = vec![];
    for l in rest.lines() {
        if a.title.is_empty()
            && let Some(h) = l.strip_prefix("# ")
        {
            a.title = h.trim().to_string();
            continue;
        }
        body.push(l);
    }
    if a.title.is_empty() {
        a.title = fallback.to_string();
    }
    a.body = body.join("\n").trim().to_string();
    (a, part)
}

/// What `kb import` did.
#[derive(Debug, Default, serde::Serialize)]
pub struct Imported {
    pub new: usize,
    pub updated: usize,
    /// Files that could not be read or made no article, with why.
    pub skipped: Vec<(String, String)>,
}

/// Import every `.md` file under `dir` (not following links); a file imported before updates its article.
pub fn import_dir(w: &Writer<'_>, dir: &Path, at: i64) -> Result<Imported> {
    let mut out = Imported::default();
    let mut files = vec![];
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).map_err(|e| Error::invalid(format!("{}: {e}", d.display())))? {
            let e = e?;
            let t = e.file_type()?;
            if t.is_dir() {
                todo.push(e.path());
            } else if t.is_file() && e.path().extension().is_some_and(|x| x == "md") {
                files.push(e.path());
            }
        }
    }
    files.sort();
    for f in files {
        let rel = f.strip_prefix(dir).unwrap_or(&f).display().to_string();
        let text = match std::fs::read_to_string(&f) {
            Ok(t) => t,
            Err(e) => {
                out.skipped.push((rel, e.to_string()));
                continue;
            }
        };
        let stem = f.file_stem().map(|s| s.to_string_lossy().replace(['-', '_'], " ")).unwrap_or_default();
        let (mut a, part) = parse(&text, &stem);
        a.source = Some(rel.clone());
        if let Some(p) = part {
            match w.part_row(&p) {
                Ok(row) => a.part_row = Some(row),
                Err(e) => out.skipped.push((rel.clone(), format!("part {p}: {e} (imported without a part)"))),
            }
        }
        match w.attempt(|w| w.put_article(&a, at)) {
            Ok((_, true)) => out.new += 1,
            Ok((_, false)) => out.updated += 1,
            Err(e) => out.skipped.push((rel, e.to_string())),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn title_from_the_first_heading_and_front_matter() {
        let (a, part) =
            super::parse("---\ntags: [cards, atm]\npart: FEAT-3\n---\n# Card kept by the ATM\n\nCall us.\n", "x");
        assert_eq!(
            (a.title.as_str(), a.body.as_str(), a.tags.len(), part.as_deref()),
            ("Card kept by the ATM", "Call us.", 2, Some("FEAT-3"))
        );
        assert_eq!(super::parse("No heading here.", "reset password").0.title, "reset password");
    }
}
