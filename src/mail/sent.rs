//! Copies of sent replies in the mailbox's Sent folder, so that colleagues reading the mailbox elsewhere see the
//! answers. The copy carries the reply's Message-ID, which the ledger knows: it is never ingested as new mail.

use super::net::{NetError, imap_login};
use crate::config::Mailbox;
use async_imap::types::NameAttribute;
use futures_util::TryStreamExt;

/// Whether sent replies of this mailbox are copied (not for providers that keep SMTP mail themselves).
pub fn wanted(m: &Mailbox) -> bool {
    m.imap.is_some() && m.save_sent.unwrap_or(true)
}

/// APPEND the message to `sent_folder`, else the folder marked `\Sent` (RFC 6154), else `Sent` (created if missing).
pub async fn append(m: &Mailbox, raw: &[u8]) -> Result<String, NetError> {
    let Some(imap) = &m.imap else { return Err(NetError::Folder("no [mailbox.imap] to copy the reply to".into())) };
    let mut s = imap_login(imap).await?;
    let folder = match &m.sent_folder {
        Some(f) => f.clone(),
        None => {
            let names: Vec<_> = s
                .list(Some(""), Some("*"))
                .await
                .map_err(|e| NetError::Protocol(e.to_string()))?
                .try_collect()
                .await
                .map_err(|e| NetError::Protocol(e.to_string()))?;
            names
                .iter()
                .find(|n| n.attributes().iter().any(|a| matches!(a, NameAttribute::Sent)))
                .map(|n| n.name().to_string())
                .unwrap_or_else(|| "Sent".into())
        }
    };
    if s.append(&folder, Some("(\\Seen)"), None, raw).await.is_err() {
        // A first copy into a folder that does not exist yet (TRYCREATE): make it, then copy.
        let _ = s.create(&folder).await;
        s.append(&folder, Some("(\\Seen)"), None, raw).await.map_err(|e| NetError::Folder(format!("{folder}: {e}")))?;
    }
    let _ = s.logout().await;
    Ok(folder)
}
