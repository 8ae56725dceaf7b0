//! A PostgreSQL server for the tests (tests/pg/server.sh): one per test process on a loopback port, stopped and
//! removed when the process ends, and a new empty database for each test.
#![allow(dead_code)]

use std::path::Path;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The password of the test server's role `helpdesk`.
pub const PASSWORD: &str = "helpdesk-test";

struct Server {
    port: u16,
    dir: std::path::PathBuf,
}

static SERVER: OnceLock<Option<Server>> = OnceLock::new();

fn installed() -> bool {
    std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| d.flatten().any(|v| v.path().join("bin/initdb").exists()))
        .unwrap_or(false)
}

fn start() -> Option<Server> {
    if !installed() {
        assert!(std::env::var("CI").is_err(), "PostgreSQL is needed: tests/run-all.sh installs it");
        eprintln!("skipping PostgreSQL: not installed (tests/run-all.sh installs it)");
        return None;
    }
    // Kept: the server script removes it when this process has ended and the server has stopped.
    let dir = tempfile::Builder::new().prefix("helpdesk-pg").tempdir().ok()?.keep();
    // The server runs as an unprivileged user, who must reach its directory.
    std::fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o755)).ok()?;
    let port = std::net::TcpListener::bind("127.0.0.1:0").ok()?.local_addr().ok()?.port();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pg/server.sh");
    let out = std::process::Command::new("bash")
        .arg(script)
        .arg("start")
        .env("PG_DIR", &dir)
        .env("PG_PORT", port.to_string())
        .env("PG_PASSWORD", PASSWORD)
        .env("PG_WATCH", std::process::id().to_string())
        .output()
        .ok()?;
    assert!(out.status.success(), "PostgreSQL did not start: {}", String::from_utf8_lossy(&out.stderr));
    Some(Server { port, dir })
}

/// The CA that signed the test server's certificate (for 127.0.0.1), when the server runs.
pub fn ca_file() -> Option<std::path::PathBuf> {
    Some(SERVER.get_or_init(start).as_ref()?.dir.join("tls/ca.pem"))
}

/// The URL of a new, empty database on the test server (None: PostgreSQL is not installed here).
pub fn fresh_db() -> Option<String> {
    static N: AtomicUsize = AtomicUsize::new(0);
    let port = SERVER.get_or_init(start).as_ref()?.port;
    let name = format!("t{}_{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed));
    let admin = format!("host=127.0.0.1 port={port} user=helpdesk password={PASSWORD} dbname=postgres");
    let mut c = postgres::Client::connect(&admin, postgres::NoTls).expect("the test server takes connections");
    c.batch_execute(&format!("CREATE DATABASE {name}")).expect("a test database is made");
    Some(format!("postgres://helpdesk@127.0.0.1:{port}/{name}"))
}

/// Run `test` on a new store of each backend: a SQLite file in a temporary directory and, when PostgreSQL is
/// installed, a new database on the test server.
pub fn each_store(test: impl Fn(helpdesk::Store)) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    test(helpdesk::Store::open(&dir.path().join("t.db")).expect("a SQLite store"));
    if let Some(url) = fresh_db() {
        test(helpdesk::Store::open_postgres(&url, Some(PASSWORD)).expect("a PostgreSQL store"));
    }
}

/// A new store of each backend: SQLite in memory and, when PostgreSQL is installed, a new database on the test server.
pub fn stores() -> Vec<helpdesk::Store> {
    let mut out = vec![helpdesk::Store::open_in_memory().expect("a SQLite store")];
    if let Some(url) = fresh_db() {
        out.push(helpdesk::Store::open_postgres(&url, Some(PASSWORD)).expect("a PostgreSQL store"));
    }
    out
}
