//! How a config file guards its secrets: warn when one naming a password source is readable by others, refuse an
//! inline secret in a file others may read.

use super::Config;
use crate::{Error, Result};
use std::path::Path;

/// Does a `password_command` hold the secret itself? The documented heuristic: the command is a lone `echo` or
/// `printf` (no pipe, no `;`/`&&`, no `$(…)` or backquotes, no redirection), which can only print a literal.
pub fn inline_secret(cmd: &str) -> bool {
    let first = cmd.split_whitespace().next().unwrap_or("");
    matches!(first, "echo" | "printf" | "/bin/echo" | "/usr/bin/printf" | "/usr/bin/echo")
        && !cmd.contains(['|', ';', '&', '`', '<', '>'])
        && !cmd.contains("$(")
}

/// Check the file's permissions against what it names: warnings to show, or an error for an inline secret in a
/// file the group or others can read.
pub fn check(path: &Path, c: &Config) -> Result<Vec<String>> {
    use std::os::unix::fs::PermissionsExt;
    let Ok(meta) = std::fs::metadata(path) else { return Ok(vec![]) };
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 == 0 {
        return Ok(vec![]);
    }
    let mut warnings = vec![];
    if let Some(cmd) = c.database_password_command.as_deref() {
        if inline_secret(cmd) {
            return Err(Error::invalid(format!(
                "config {}: database_password_command holds the password itself and the file is readable by others \
                 (mode {mode:o}); run `chmod 600 {}`, or better use a password manager command",
                path.display(),
                path.display()
            )));
        }
        warnings.push(format!(
            "warning: config {} names how to get the database password and is readable by others (mode {mode:o}); \
             run `chmod 600 {}`",
            path.display(),
            path.display()
        ));
    }
    let servers = c.mailbox.iter().flat_map(|m| [("imap", m, &m.imap), ("smtp", m, &m.smtp)]);
    for (what, m, s) in servers {
        let Some(s) = s else { continue };
        if let Some(cmd) = s.password_command.as_deref().filter(|c| inline_secret(c)) {
            let _ = cmd;
            return Err(Error::invalid(format!(
                "config {}: mailbox {} {what} password_command holds the password itself and the file is readable \
                 by others (mode {mode:o}); run `chmod 600 {}`, or better use a password manager command",
                path.display(),
                m.address,
                path.display()
            )));
        }
        if s.password_command.is_some() || s.password_env.is_some() {
            warnings.push(format!(
                "warning: config {} names how to get the {} {what} password and is readable by others (mode {mode:o}); \
                 run `chmod 600 {}`",
                path.display(),
                m.address,
                path.display()
            ));
        }
    }
    warnings.dedup();
    Ok(warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config_with(cmd: &str) -> String {
        format!(
            "[[mailbox]]\naddress = \"s@example.test\"\n[mailbox.imap]\nhost = \"127.0.0.1\"\nport = 1\nsecurity = \"plain\"\nuser = \"u\"\npassword_command = \"{cmd}\"\n"
        )
    }

    #[test]
    fn an_inline_secret_in_a_readable_config_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("c.toml");
        std::fs::write(&p, config_with("printf %s hunter2")).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = Config::load(&p, true).unwrap_err().to_string();
        assert!(e.contains("chmod 600"), "{e}");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert!(Config::load(&p, true).unwrap().warnings.is_empty());

        std::fs::write(&p, config_with("pass show mail/support")).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        let c = Config::load(&p, true).unwrap();
        assert_eq!(c.warnings.len(), 1, "{:?}", c.warnings);
        assert!(c.warnings[0].contains("readable by others"));
    }

    #[test]
    fn the_heuristic() {
        assert!(inline_secret("printf %s hunter2"));
        assert!(inline_secret("echo hunter2"));
        assert!(!inline_secret("pass show mail"));
        assert!(!inline_secret("echo $(pass show mail)"));
        assert!(!inline_secret("printf %s \"$(cat ~/.pw)\" | head -1"));
    }
}
