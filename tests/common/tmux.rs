//! A tmux session driving the real binary: keys in, the screen out, waiting for text to appear.
#![allow(dead_code)]

use std::process::Command;
use std::time::{Duration, Instant};

pub struct Tmux {
    pub name: String,
}

impl Tmux {
    pub fn keys(&self, keys: &[&str]) {
        let st = Command::new("tmux").args(["send-keys", "-t", &self.name]).args(keys).status().unwrap();
        assert!(st.success());
    }
    pub fn literal(&self, text: &str) {
        let st = Command::new("tmux").args(["send-keys", "-t", &self.name, "-l", text]).status().unwrap();
        assert!(st.success());
    }
    /// Escape alone: a key sent right after it would reach the program as alt-key.
    pub fn esc(&self) {
        self.keys(&["Escape"]);
        std::thread::sleep(Duration::from_millis(250));
    }
    pub fn screen(&self) -> String {
        String::from_utf8(Command::new("tmux").args(["capture-pane", "-t", &self.name, "-p"]).output().unwrap().stdout)
            .unwrap()
    }
    pub fn wait_for(&self, what: &str) -> String {
        let t0 = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(what) {
                return s;
            }
            assert!(t0.elapsed() < Duration::from_secs(10), "'{what}' never appeared:\n{s}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux").args(["kill-session", "-t", &self.name]).status();
    }
}
