//! Helpers of the command line: who acts, and item ids as typed.

use anyhow::{Result, bail};
use helpdesk::domain::{ItemRef, Kind};
use std::sync::OnceLock;

static ME: OnceLock<String> = OnceLock::new();

/// Settle who acts for this run: `HELPDESK_USER`, else `[me] login` of the config (when it reads), else the login
/// name, else "me".
pub fn set_me(cfg_login: Option<&str>) {
    let _ = ME.set(crate::user::me(cfg_login, "me"));
}

/// Who acts on the command line.
pub fn me() -> String {
    ME.get().cloned().unwrap_or_else(|| crate::user::me(None, "me"))
}

/// An id of this command's kind; a bare number is taken as that kind's number.
pub fn parse_id(kind: Kind, s: &str) -> Result<ItemRef> {
    if let Ok(n) = s.trim().parse::<i64>() {
        return Ok(ItemRef { kind, num: n });
    }
    let r: ItemRef = s.parse()?;
    if r.kind != kind {
        bail!("{r} is not a {}", kind.as_str());
    }
    Ok(r)
}
