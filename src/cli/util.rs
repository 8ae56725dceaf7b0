//! Helpers of the command line: who acts.

/// Who acts on the command line: `HELPDESK_USER`, else the login name, else "cli".
pub fn me() -> String {
    crate::user::me(None, "cli")
}
