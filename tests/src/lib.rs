//! The end-to-end harness: boots the emulated box (`images/run --headless`) and runs shell commands in it, as a
//! technician would on its serial console. Later features reuse [`BoxRun`] for their own end-to-end tests.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// One box at a time: two emulated CPUs under TCG already fill this machine.
static ONE_BOX: Mutex<()> = Mutex::new(());

/// The project's top folder.
pub fn top() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ is inside the project").to_path_buf()
}

/// What a command in the box printed and how it ended.
#[derive(Debug)]
pub struct Guest {
    pub stdout: String,
    pub stderr: String,
    pub status: i32,
}

/// How to boot the box for one run.
#[derive(Default)]
pub struct BoxRun {
    vidtv: Vec<String>,
}

impl BoxRun {
    pub fn new() -> Self {
        Self::default()
    }

    /// A `dvb_vidtv_bridge` module parameter, `name=value`.
    pub fn vidtv(mut self, param: &str) -> Self {
        self.vidtv.push(param.to_string());
        self
    }

    /// Boots the box, runs `script` with its shell, powers off. Panics (failing the test) when the box cannot run.
    pub fn run(&self, script: &str) -> Guest {
        let _one = ONE_BOX.lock().unwrap_or_else(|p| p.into_inner());
        let image = top().join("build/image/initrd.img");
        assert!(image.exists(), "the box image is missing: run `images/build` first (tests/run does)");
        let state = std::env::temp_dir().join(format!("stb-e2e-{}-{}", std::process::id(), unique()));
        let mut cmd = Command::new(top().join("images/run"));
        cmd.arg("--headless").arg("--no-build").arg("--timeout").arg("600").arg("--state").arg(&state);
        for p in &self.vidtv {
            cmd.arg("--vidtv").arg(p);
        }
        cmd.arg("--").arg("sh").arg("-c").arg(script);
        let out = cmd.output().expect("images/run starts");
        let g = Guest {
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            status: out.status.code().unwrap_or(-1),
        };
        assert_ne!(g.status, 125, "the box did not finish the command: {}", g.stderr);
        let _ = std::fs::remove_dir_all(&state);
        g
    }
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

impl Guest {
    /// The part of stdout between `=== name ===` and the next marker (scripts print markers between commands).
    pub fn part(&self, name: &str) -> &str {
        let marker = format!("=== {name} ===\n");
        let Some(start) = self.stdout.find(&marker) else {
            panic!("no part '{name}' in the box's output:\n{}\nstderr:\n{}", self.stdout, self.stderr)
        };
        let rest = &self.stdout[start + marker.len()..];
        match rest.find("=== ") {
            Some(end) => &rest[..end],
            None => rest,
        }
    }

    /// Every line of a part that parses as JSON.
    pub fn json_lines(&self, name: &str) -> Vec<serde_json::Value> {
        self.part(name).lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
    }
}
