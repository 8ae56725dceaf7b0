//! A temporary database driven through the real binary, shared by the CLI test files.
#![allow(dead_code)]

use serde_json::Value;
use std::process::{Command, Output};

pub struct Db(pub tempfile::TempDir);

impl Db {
    pub fn new() -> Db {
        Db(tempfile::tempdir().unwrap())
    }
    pub fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_helpdesk"))
            .arg("--db")
            .arg(self.0.path().join("h.db"))
            .args(args)
            .env("HELPDESK_USER", "tester")
            .env("XDG_STATE_HOME", self.0.path())
            .env("XDG_DATA_HOME", self.0.path())
            .output()
            .unwrap()
    }
    pub fn ok(&self, args: &[&str]) -> String {
        let o = self.run(args);
        assert!(o.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    }
    pub fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }
    pub fn err(&self, args: &[&str]) -> String {
        let o = self.run(args);
        assert!(!o.status.success(), "{args:?} should fail");
        let e = String::from_utf8_lossy(&o.stderr).to_string();
        assert!(!e.contains("panicked"), "{e}");
        e
    }
}
