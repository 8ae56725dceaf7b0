//! The binary on PostgreSQL: `--db postgres://…`, HELPDESK_DB or the config's `database` select the server; the
//! password comes from PGPASSWORD or `database_password_command`, never from the URL.
#![allow(clippy::unwrap_used)]

#[path = "common/pg.rs"]
mod pg;

use serde_json::Value;
use std::process::{Command, Output};

fn hd(dir: &std::path::Path, db: Option<&str>, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_helpdesk"));
    if let Some(db) = db {
        c.arg("--db").arg(db);
    }
    c.arg("--config")
        .arg(dir.join("config.toml"))
        .args(args)
        .env_remove("HELPDESK_DB")
        .env_remove("PGPASSWORD")
        .env("HELPDESK_USER", "tester")
        .env("XDG_STATE_HOME", dir)
        .env("XDG_DATA_HOME", dir)
        .env("HOME", dir)
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

fn ok(o: Output) -> String {
    assert!(o.status.success(), "failed: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

#[test]
fn the_url_selects_postgres_and_the_password_comes_from_the_environment() {
    let Some(url) = pg::fresh_db() else { return };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config.toml"), "").unwrap();
    let pw = [("PGPASSWORD", pg::PASSWORD)];
    let run = |args: &[&str]| ok(hd(dir.path(), Some(&url), &pw, args));
    run(&["member", "new", "alice", "--name", "Alice A"]);
    let part: Value = serde_json::from_str(&run(&["part", "new", "--name", "Mobile app", "--json"])).unwrap();
    let t: Value = serde_json::from_str(&run(&[
        "ticket",
        "new",
        "--title",
        "Login fails",
        "--part",
        part["id"].as_str().unwrap(),
        "--json",
    ]))
    .unwrap();
    assert_eq!(t["id"], "TKT-1");
    run(&["ticket", "stage", "TKT-1", "work-in-progress"]);
    let list: Value = serde_json::from_str(&run(&["ticket", "list", "--query", "login", "--json"])).unwrap();
    assert_eq!(list[0]["id"], "TKT-1", "{list}");
    assert_eq!(list[0]["stage"], "work-in-progress", "{list}");
    assert!(!dir.path().join("postgres:").exists(), "no file was made for the URL");
    let check = run(&["db", "check"]);
    assert!(check.contains(": ok (reached, schema current"), "{check}");
    let size: Value = serde_json::from_str(&run(&["db", "size", "--json"])).unwrap();
    assert!(size["file_bytes"].as_i64().unwrap() > 1_000_000, "the server's database size: {size}");

    let e = hd(dir.path(), Some(&url), &[("PGPASSWORD", "wrong")], &["ticket", "list"]);
    let e = String::from_utf8_lossy(&e.stderr);
    assert!(e.contains("password authentication failed") && !e.contains("panicked"), "{e}");
    let with_pw = url.replacen("helpdesk@", "helpdesk:secret@", 1);
    let e = hd(dir.path(), Some(&with_pw), &pw, &["ticket", "list"]);
    let e = String::from_utf8_lossy(&e.stderr);
    assert!(e.contains("a password in the URL is not accepted") && !e.contains("secret"), "{e}");
}

#[test]
fn the_config_names_the_database_and_the_password_command() {
    let Some(url) = pg::fresh_db() else { return };
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!("database = \"{url}\"\ndatabase_password_command = \"printf %s {}\"\n", pg::PASSWORD),
    )
    .unwrap();
    std::fs::set_permissions(&config, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    ok(hd(dir.path(), None, &[], &["member", "new", "bob", "--name", "Bob"]));
    let members = ok(hd(dir.path(), None, &[], &["member", "list", "--json"]));
    assert!(members.contains("\"bob\""), "{members}");
    assert!(!dir.path().join("helpdesk").join("helpdesk.db").exists(), "no SQLite file was made");

    std::fs::write(&config, format!("database = \"{}\"\n", url.replacen("helpdesk@", "helpdesk:pw@", 1))).unwrap();
    let e = hd(dir.path(), None, &[], &["member", "list"]);
    let e = String::from_utf8_lossy(&e.stderr);
    assert!(!e.is_empty() && !e.contains("pw@"), "{e}");
}

/// `sslmode` asks for TLS, and TLS always verifies: the server's certificate must chain to `sslrootcert` (or the
/// system's roots) and name the host; the session is then encrypted.
#[test]
fn tls_verifies_the_server_certificate() {
    let (Some(url), Some(ca)) = (pg::fresh_db(), pg::ca_file()) else { return };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config.toml"), "").unwrap();
    let pw = [("PGPASSWORD", pg::PASSWORD)];
    let verified = format!("{url}?sslmode=verify-full&sslrootcert={}", ca.display());
    ok(hd(dir.path(), Some(&verified), &pw, &["member", "new", "alice"]));
    let list: Value =
        serde_json::from_str(&ok(hd(dir.path(), Some(&verified), &pw, &["member", "list", "--json"]))).unwrap();
    assert!(list.to_string().contains("alice"), "{list}");
    let c = helpdesk::Store::open_postgres(&verified, Some(pg::PASSWORD)).unwrap();
    assert!(c.session_is_encrypted().unwrap(), "the session runs over TLS");
    drop(c);

    // The system's roots do not know the test CA: refused, in one line, before any query.
    let e = hd(dir.path(), Some(&format!("{url}?sslmode=require")), &pw, &["member", "list"]);
    let err = String::from_utf8_lossy(&e.stderr);
    assert!(!e.status.success() && err.contains("certificate") && !err.contains("panicked"), "{err}");
    // The certificate names 127.0.0.1, not localhost.
    let other_name = verified.replacen("127.0.0.1", "localhost", 1);
    let e = hd(dir.path(), Some(&other_name), &pw, &["member", "list"]);
    let err = String::from_utf8_lossy(&e.stderr);
    assert!(!e.status.success() && err.contains("certificate"), "{err}");
    let e = hd(dir.path(), Some(&format!("{url}?sslmode=sometimes")), &pw, &["member", "list"]);
    assert!(String::from_utf8_lossy(&e.stderr).contains("sslmode=sometimes: want disable"), "a wrong mode is named");
}
