//! Drive the real binary in a pseudo-terminal and read its screen with a terminal emulator (vt100).

use anyhow::{Context, Result, anyhow};
use portable_pty::{CommandBuilder, NativePtySystem, PtySize, PtySystem};
use std::io::{Read, Write};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub struct Term {
    /// Kept open for the life of the child: closing the master hangs up its terminal.
    _master: Box<dyn portable_pty::MasterPty + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    rx: mpsc::Receiver<Vec<u8>>,
    pub parser: vt100::Parser,
}

impl Term {
    pub fn spawn(bin: &std::path::Path, args: &[&str], env: &[(&str, &str)], cols: u16, rows: u16) -> Result<Term> {
        let pty = NativePtySystem::default()
            .openpty(PtySize { rows, cols, pixel_width: 0, pixel_height: 0 })
            .map_err(|e| anyhow!("{e}"))?;
        let mut cmd = CommandBuilder::new(bin);
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pty.slave.spawn_command(cmd).map_err(|e| anyhow!("{e}"))?;
        let mut reader = pty.master.try_clone_reader().map_err(|e| anyhow!("{e}"))?;
        let writer = pty.master.take_writer().map_err(|e| anyhow!("{e}"))?;
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut buf = [0u8; 65536];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        Ok(Term { _master: pty.master, child, writer, rx, parser: vt100::Parser::new(rows, cols, 0) })
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.process_id()
    }

    pub fn send(&mut self, bytes: &[u8]) -> Result<()> {
        self.writer.write_all(bytes)?;
        self.writer.flush()?;
        Ok(())
    }

    /// Feed output to the emulator until the screen satisfies `ready`; the time it took.
    pub fn wait(&mut self, timeout: Duration, ready: impl Fn(&str) -> bool) -> Result<Duration> {
        let t0 = Instant::now();
        loop {
            if ready(&self.parser.screen().contents()) {
                return Ok(t0.elapsed());
            }
            let left = timeout.checked_sub(t0.elapsed()).context("timed out waiting for the screen")?;
            match self.rx.recv_timeout(left) {
                Ok(chunk) => {
                    // Everything already written is read before the screen is tested again: a frame that came in
                    // several reads is tested once, and the emulator's work does not add to the next chunk's wait.
                    self.parser.process(&chunk);
                    while let Ok(more) = self.rx.try_recv() {
                        self.parser.process(&more);
                    }
                }
                Err(_) => {
                    return Err(anyhow!("timed out waiting for the screen:\n{}", self.parser.screen().contents()));
                }
            }
        }
    }

    /// Feed output until none has come for `gap`: the app is idle, so the next key's time is its own.
    pub fn quiet(&mut self, gap: Duration) {
        while let Ok(chunk) = self.rx.recv_timeout(gap) {
            self.parser.process(&chunk);
        }
    }

    /// Resident memory of the process, in MiB.
    pub fn rss_mib(&self) -> Option<f64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()?)).ok()?;
        let kb: f64 = status.lines().find(|l| l.starts_with("VmRSS:"))?.split_whitespace().nth(1)?.parse().ok()?;
        Some(kb / 1024.0)
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Term {
    fn drop(&mut self) {
        self.kill();
    }
}
