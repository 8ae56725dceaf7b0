//! The PostgreSQL server of the bench rows (tests/pg/server.sh on a loopback port, stopped when the bench ends) and
//! its databases.

use anyhow::{Context, Result};
use std::path::Path;

pub const PASSWORD: &str = "helpdesk-bench";

pub struct Pg {
    pub port: u16,
}

pub fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl Pg {
    /// Start a server for this bench process; it stops, and its files go, when the process ends.
    pub fn start() -> Result<Pg> {
        // Under /tmp: the server runs as an unprivileged user, who cannot reach a root-owned home directory.
        let dir = std::env::temp_dir().join(format!("helpdesk-bench-pg-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        std::fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o755))?;
        let port = free_port()?;
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pg/server.sh");
        let o = std::process::Command::new("bash")
            .arg(script)
            .arg("start")
            .env("PG_DIR", &dir)
            .env("PG_PORT", port.to_string())
            .env("PG_PASSWORD", PASSWORD)
            .env("PG_WATCH", std::process::id().to_string())
            .output()?;
        anyhow::ensure!(o.status.success(), "PostgreSQL did not start: {}", String::from_utf8_lossy(&o.stderr).trim());
        Ok(Pg { port })
    }

    /// A new, empty database `name` (dropped first if it exists): its URL.
    pub fn fresh(&self, name: &str) -> Result<String> {
        let admin = format!("host=127.0.0.1 port={} user=helpdesk password={PASSWORD} dbname=postgres", self.port);
        let mut c = postgres::Client::connect(&admin, postgres::NoTls).context("the bench's PostgreSQL")?;
        c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))?;
        c.batch_execute(&format!("CREATE DATABASE {name}"))?;
        Ok(format!("postgres://helpdesk@127.0.0.1:{}/{name}", self.port))
    }
}
