//! Re-derive stored messages from their raw bytes after a parser change: bodies, sender names, attachments and
//! class; the threading decisions already made (item, thread reason) stay as they are.

use super::classify::classify;
use super::ingest::IngestOptions;
use super::parse::parse;
use crate::store::Rederived;
use crate::{Result, Store};

/// Counts of a reparse run.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Reparsed {
    pub messages: usize,
    pub changed: usize,
    /// Raw bytes the current parser refuses: left as they were stored.
    pub failed: usize,
}

/// Reparse one stored message (`Some(row)`) or every message with raw bytes.
pub fn reparse(store: &mut Store, only: Option<i64>, o: &IngestOptions) -> Result<Reparsed> {
    let mut todo = store.read().messages_with_raw()?;
    if let Some(row) = only {
        todo.retain(|(r, _)| *r == row);
        if todo.is_empty() {
            return Err(crate::Error::not_found(format!("message {row} with a raw copy")));
        }
    }
    let mut out = Reparsed::default();
    for chunk in todo.chunks(500) {
        let part = store.write(|w| {
            let mut part = Reparsed::default();
            for (row, sha) in chunk {
                let Some(raw) = w.raw_by_sha(sha)? else { continue };
                part.messages += 1;
                let Ok(mut p) = parse(&raw, o.limits.max_message_bytes) else {
                    part.failed += 1;
                    continue;
                };
                super::caps::apply(&mut p);
                let class = classify(&p);
                let from_name = p.from.as_ref().map(|f| f.1.as_str()).unwrap_or("");
                let d = Rederived {
                    subject: &p.subject,
                    from_name,
                    body: &p.body,
                    class: class.name(),
                    attachments: p
                        .attachments
                        .iter()
                        .map(|a| (a.name.as_str(), a.mime.as_str(), a.data.as_slice()))
                        .collect(),
                };
                // Spam keeps its class: that was a rate-limit decision, not the parser's.
                let d = if w.message_class(*row)? == "spam" { Rederived { class: "spam", ..d } } else { d };
                if w.rederive_message(*row, &d)? {
                    part.changed += 1;
                }
            }
            Ok(part)
        })?;
        out.messages += part.messages;
        out.changed += part.changed;
        out.failed += part.failed;
    }
    Ok(out)
}
