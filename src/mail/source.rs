//! Mail sources on disk: Maildir folders, mbox files, single .eml files and directories of them.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// One raw message found on disk, keyed by where it came from.
pub struct RawMail {
    pub key: String,
    pub bytes: Vec<u8>,
}

/// A file that was looked at and not read as mail, with why.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Skipped {
    pub path: String,
    pub reason: String,
}

/// Every candidate file under the given paths, sorted; Maildir `tmp/` folders and index files are skipped with a reason.
pub fn files(paths: &[PathBuf]) -> io::Result<(Vec<PathBuf>, Vec<Skipped>)> {
    let mut out = vec![];
    let mut skipped = vec![];
    for p in paths {
        let meta = fs::metadata(p).map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", p.display())))?;
        if meta.is_dir() {
            walk(p, &mut out, &mut skipped)?;
        } else {
            out.push(p.clone());
        }
    }
    Ok((out, skipped))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>, skipped: &mut Vec<Skipped>) -> io::Result<()> {
    let mut entries: Vec<_> = fs::read_dir(dir)?.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    entries.sort();
    let is_maildir = ["cur", "new"].iter().all(|d| dir.join(d).is_dir());
    for p in entries {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if p.is_dir() {
            if is_maildir && name == "tmp" {
                skipped.push(Skipped {
                    path: p.display().to_string(),
                    reason: "Maildir tmp/ (messages still being delivered)".into(),
                });
                continue;
            }
            walk(&p, out, skipped)?;
        } else if name.starts_with("dovecot") || name == "maildirfolder" || name == ".DS_Store" {
            skipped.push(Skipped { path: p.display().to_string(), reason: "mail server index file".into() });
        } else if p.is_file() {
            out.push(p);
        }
    }
    Ok(())
}

/// Read a file as one or more raw messages: an mbox (first line `From `) is split, anything else is one message.
pub fn read(path: &Path) -> io::Result<Vec<RawMail>> {
    let bytes = fs::read(path)?;
    let key = format!("file:{}", path.canonicalize().unwrap_or_else(|_| path.to_path_buf()).display());
    if !bytes.starts_with(b"From ") {
        return Ok(vec![RawMail { key, bytes }]);
    }
    let parts = split_mbox(&bytes);
    if parts.len() == 1 {
        return Ok(vec![RawMail { key, bytes: parts.into_iter().next().unwrap_or_default() }]);
    }
    Ok(parts.into_iter().enumerate().map(|(i, b)| RawMail { key: format!("{key}#{}", i + 1), bytes: b }).collect())
}

/// Split an mbox into messages: a `From ` line at the start or after a blank line begins a message; the separator
/// line is dropped and `>From ` quoting (mboxrd) is undone. Nothing else is lost.
pub fn split_mbox(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = vec![];
    let mut cur: Option<Vec<u8>> = None;
    let mut prev_blank = true;
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        if line.starts_with(b"From ") && prev_blank {
            if let Some(c) = cur.take() {
                out.push(c);
            }
            cur = Some(Vec::new());
            prev_blank = false;
            continue;
        }
        let body = cur.get_or_insert_with(Vec::new);
        let unquoted = {
            let n = line.iter().take_while(|&&b| b == b'>').count();
            if n > 0 && line[n..].starts_with(b"From ") { &line[1..] } else { line }
        };
        body.extend_from_slice(unquoted);
        prev_blank = line == b"\n" || line == b"\r\n";
    }
    if let Some(c) = cur {
        out.push(c);
    }
    out
}

/// Order files by the Date header of their first message (then by path), so that parents are ingested before replies
/// as far as the dates allow. Only the header block is read.
pub fn sort_by_date(files: &mut Vec<PathBuf>) {
    let mut keyed: Vec<(i64, PathBuf)> = files.drain(..).map(|p| (header_date(&p).unwrap_or(i64::MAX), p)).collect();
    keyed.sort();
    files.extend(keyed.into_iter().map(|(_, p)| p));
}

fn header_date(p: &Path) -> Option<i64> {
    use std::io::Read;
    let mut buf = vec![0u8; 16 * 1024];
    let n = fs::File::open(p).ok()?.read(&mut buf).ok()?;
    let text = String::from_utf8_lossy(&buf[..n]);
    let mut lines = text.lines().skip_while(|l| l.starts_with("From "));
    let mut value: Option<String> = None;
    for l in lines.by_ref() {
        if l.is_empty() {
            break;
        }
        if let Some(v) = value.as_mut() {
            if l.starts_with([' ', '\t']) {
                v.push_str(l);
                continue;
            }
            break;
        }
        if l.len() > 5 && l[..5].eq_ignore_ascii_case("date:") {
            value = Some(l[5..].to_string());
        }
    }
    mail_parser::DateTime::parse_rfc822(value?.trim()).map(|d| d.to_timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mbox_split() {
        let m = b"From a@b Mon Jan 1 00:00:00 2024\nSubject: one\n\nbody\n>From here\n\nFrom c@d Mon Jan 1 00:00:00 2024\nSubject: two\n\nx\n";
        let parts = split_mbox(m);
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0], b"Subject: one\n\nbody\nFrom here\n\n");
        assert_eq!(parts[1], b"Subject: two\n\nx\n");
    }
}
