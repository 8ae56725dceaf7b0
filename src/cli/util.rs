//! Helpers of the command line: who acts.

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
