//! The end-to-end harness: boots the emulated box (`images/run --headless`) and runs shell commands in it, as a
//! technician would on its serial console. Later features reuse [`BoxRun`] for their own end-to-end tests.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One box at a time: two emulated CPUs under TCG already fill this machine.
static ONE_BOX: Mutex<()> = Mutex::new(());

/// The project's top folder.
/// vidtv's own multiplex (instead of the emulated sky), answering on the IFs of the eight ChinaSat 9 transponders of
/// the preset list seen through the 10750 MHz LNB, with the 9750 MHz offset vidtv applies (IF + 9750 MHz).
pub const CHINASAT_VIDTV: &str =
    "vidtv_valid_dvb_s_freqs=10840000,10880000,10920000,10960000,11020000,11060000,11100000,11140000";

/// A program `images/build` built for the host (`stb-box`, `dish-align`, `sky`; `stb-app` is the static build for
/// the host's triple).
pub fn host_program(name: &str) -> PathBuf {
    let release = top().join("target/release").join(name);
    if name != "stb-app" {
        return release;
    }
    std::fs::read_dir(top().join("target"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("release/stb-app"))
        .find(|p| p.exists() && !p.starts_with(top().join("target/release")))
        .unwrap_or(release)
}

pub fn top() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the project")
        .to_path_buf()
}

/// What a command in the box printed and how it ended.
#[derive(Debug)]
pub struct Guest {
    pub stdout: String,
    pub stderr: String,
    pub status: i32,
    /// The emulated sky the box looked at (`sky.json`, as `sky generate` wrote it for this boot), unless the run
    /// used vidtv's own multiplex.
    pub sky: Option<serde_json::Value>,
}

/// How to boot the box for one run.
#[derive(Default)]
pub struct BoxRun {
    vidtv: Vec<String>,
    disk: Option<PathBuf>,
    power_cut: bool,
    ui: bool,
    keep: Option<PathBuf>,
    audio_out: Option<PathBuf>,
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

    /// The box's persistent data disk (an ext4 image, made when missing), mounted at /var/lib/stb.
    pub fn disk(mut self, image: &Path) -> Self {
        self.disk = Some(image.to_path_buf());
        self
    }

    /// init starts the UI as on a normal boot (its log: /var/log/stb-app.log), then the script runs beside it.
    pub fn ui(mut self) -> Self {
        self.ui = true;
        self
    }

    /// Files the script leaves in the box's `/job` folder (besides its command and output) come back into `dir`.
    pub fn keep_files(mut self, dir: &Path) -> Self {
        self.keep = Some(dir.to_path_buf());
        self
    }

    /// What the box's sound card plays is recorded by QEMU into this WAV file.
    pub fn audio_out(mut self, wav: &Path) -> Self {
        self.audio_out = Some(wav.to_path_buf());
        self
    }

    /// The run is expected to end by a power cut (QEMU's `system_reset`), not by the script finishing.
    pub fn power_cut(mut self) -> Self {
        self.power_cut = true;
        self
    }

    /// Boots the box, runs `script` with its shell, powers off. Panics (failing the test) when the box cannot run.
    pub fn run(&self, script: &str) -> Guest {
        self.run_with(script, |_| {})
    }

    /// Like [`BoxRun::run`], with `host` running beside the box: it gets the box's control sockets (monitor, GPS
    /// UART, smart-card port) as soon as QEMU has made them, and may act while the script runs.
    pub fn run_with(&self, script: &str, host: impl FnOnce(&Control) + Send) -> Guest {
        let _one = ONE_BOX.lock().unwrap_or_else(|p| p.into_inner());
        let image = top().join("build/image/initrd.img");
        assert!(
            image.exists(),
            "the box image is missing: run `images/build` first (tests/run does)"
        );
        let state =
            std::env::temp_dir().join(format!("stb-e2e-{}-{}", std::process::id(), unique()));
        let mut cmd = Command::new(top().join("images/run"));
        cmd.arg("--headless")
            .arg("--no-build")
            .arg("--timeout")
            .arg("600")
            .arg("--state")
            .arg(&state);
        for p in &self.vidtv {
            cmd.arg("--vidtv").arg(p);
        }
        if let Some(d) = &self.disk {
            cmd.arg("--disk").arg(d);
        }
        if self.ui {
            cmd.arg("--ui");
        }
        if let Some(w) = &self.audio_out {
            cmd.arg("--audio-out").arg(w);
        }
        cmd.arg("--").arg("sh").arg("-c").arg(script);
        cmd.stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .stdin(Stdio::null());
        let child = cmd.spawn().expect("images/run starts");
        let control = Control {
            state: state.clone(),
        };
        let out = std::thread::scope(|scope| {
            let waiter = scope.spawn(|| child.wait_with_output().expect("images/run ends"));
            if control.wait_for_sockets(Duration::from_secs(60)) {
                host(&control);
            }
            waiter.join().expect("the waiting thread does not panic")
        });
        let g = Guest {
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            status: out.status.code().unwrap_or(-1),
            sky: std::fs::read(state.join("sky/sky.json"))
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok()),
        };
        if let Some(dir) = &self.keep {
            std::fs::create_dir_all(dir).expect("a folder for the box's files");
            for e in std::fs::read_dir(state.join("job"))
                .into_iter()
                .flatten()
                .flatten()
            {
                let name = e.file_name();
                if !["cmd", "stdout", "stderr", "rc"].contains(&name.to_string_lossy().as_ref()) {
                    let _ = std::fs::copy(e.path(), dir.join(&name));
                }
            }
        }
        if self.power_cut {
            assert_eq!(
                g.status, 125,
                "the box was expected to lose power before the script ended: {}",
                g.stdout
            );
        } else {
            assert_ne!(
                g.status, 125,
                "the box did not finish the command: {}",
                g.stderr
            );
        }
        let _ = std::fs::remove_dir_all(&state);
        g
    }
}

/// The box's control sockets, for a test acting from the host side while the box runs.
pub struct Control {
    pub state: PathBuf,
}

impl Control {
    fn wait_for_sockets(&self, timeout: Duration) -> bool {
        let start = Instant::now();
        while start.elapsed() < timeout {
            if ["monitor.sock", "gps.sock", "card.sock"]
                .iter()
                .all(|s| self.state.join(s).exists())
            {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    /// Sends one QEMU monitor command (e.g. `sendkey up`, `screendump /tmp/x.ppm`) and returns what it printed;
    /// nothing when the box has already stopped (the test then fails on what it did not see, with the box's output).
    pub fn monitor(&self, command: &str) -> String {
        let Ok(mut s) = UnixStream::connect(self.state.join("monitor.sock")) else {
            return String::new();
        };
        s.set_read_timeout(Some(Duration::from_millis(500)))
            .expect("socket timeout");
        let mut banner = [0u8; 4096];
        let _ = s.read(&mut banner);
        s.write_all(format!("{command}\n").as_bytes())
            .expect("monitor write");
        let mut out = Vec::new();
        let mut buf = [0u8; 4096];
        while let Ok(n) = s.read(&mut buf) {
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
        }
        String::from_utf8_lossy(&out).into_owned()
    }

    /// The host end of the box's GPS UART (`/dev/gps` in the box).
    pub fn gps(&self) -> UnixStream {
        UnixStream::connect(self.state.join("gps.sock")).expect("the GPS socket accepts")
    }

    /// The host end of the box's smart-card reader port (`/dev/smartcard` in the box).
    pub fn card(&self) -> UnixStream {
        UnixStream::connect(self.state.join("card.sock")).expect("the card socket accepts")
    }

    /// The card emulator ([`card_emulator`]) with test card 8100000001, the card the emulated sky's
    /// authorisation is for, on the host end of the box's card-reader port. Kill it when done.
    pub fn card_in_reader(&self, emulator: &CardEmulator) -> std::process::Child {
        Command::new(&emulator.0)
            .current_dir(top())
            .arg("--socket")
            .arg(self.state.join("card.sock"))
            .args([
                "--card-number",
                "8100000001",
                "--card-key",
                "smartcard/testdata/TEST-card-8100000001.key",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("card-emulator starts")
    }

    /// Installs the box with the remote as a household does on a first boot, from the wizard's first screen to
    /// watching: OK through the steps, a GPS fix for the dish step, the scan to its end. `reached(marker)` waits
    /// for a line of the UI's log (and may note it); false as soon as one does not come.
    pub fn install_with_remote(&self, reached: &dyn Fn(&str) -> bool) -> bool {
        let ok_to = |marker: &str| {
            self.monitor("sendkey ret");
            reached(marker)
        };
        ok_to("ui: screen wizard-satellite")
            && ok_to("ui: screen wizard-dish")
            && self.gps_fix_for_ui(Duration::from_secs(120))
            && reached("ui: position fix")
            && ok_to("ui: screen wizard-signal")
            && ok_to("ui: screen wizard-scan")
            && reached("ui: scan finished")
            && ok_to("ui: screen wizard-done")
            && ok_to("ui: screen watching")
    }

    /// The positioning module reports Beijing ([`GGA_BEIJING`]) until the UI says it has a fix (`ui: position
    /// fix`), at most `within`; writes never block (the socket has a timeout). Whether the fix came.
    pub fn gps_fix_for_ui(&self, within: Duration) -> bool {
        let mut gps = self.gps();
        gps.set_write_timeout(Some(Duration::from_millis(200)))
            .expect("socket timeout");
        let by = Instant::now() + within;
        while Instant::now() < by && self.alive() {
            if self.stdout_so_far().contains("ui: position fix") {
                return true;
            }
            let _ = gps.write_all(GGA_BEIJING.as_bytes());
            std::thread::sleep(Duration::from_millis(200));
        }
        self.stdout_so_far().contains("ui: position fix")
    }

    /// What the command in the box has printed so far (it goes to the host through a shared folder as it runs).
    pub fn stdout_so_far(&self) -> String {
        std::fs::read_to_string(self.state.join("job/stdout")).unwrap_or_default()
    }

    /// Whether the box is still running (QEMU removes nothing, so ask the monitor).
    pub fn alive(&self) -> bool {
        UnixStream::connect(self.state.join("monitor.sock")).is_ok()
    }

    /// Waits until the box has printed `marker` (counting only what came after the last `after`, when given and
    /// printed); false when the box stopped or `deadline` passed first.
    pub fn wait_for(&self, marker: &str, after: Option<&str>, deadline: Instant) -> bool {
        self.wait_until(deadline, |out| {
            let from = after.and_then(|a| out.rfind(a)).unwrap_or(0);
            out[from..].contains(marker)
        })
    }

    /// Waits until the box has printed `marker` after it has printed `after` (an earlier `marker` never counts, nor
    /// one printed before `after` comes); false when the box stopped or `deadline` passed first.
    pub fn wait_for_after(&self, marker: &str, after: &str, deadline: Instant) -> bool {
        self.wait_until(deadline, |out| {
            out.rfind(after)
                .is_some_and(|from| out[from..].contains(marker))
        })
    }

    /// Waits until what the box printed so far satisfies `done`.
    fn wait_until(&self, deadline: Instant, done: impl Fn(&str) -> bool) -> bool {
        loop {
            if done(&self.stdout_so_far()) {
                return true;
            }
            if !self.alive() || Instant::now() > deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Builds the programs of another package of the workspace (a debug build) and returns the path of `name`.
pub fn host_tool(package: &str, name: &str) -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let ok = Command::new(cargo)
        .current_dir(top())
        .args(["build", "-q", "-p", package, "--bins"])
        .status()
        .expect("cargo runs");
    assert!(ok.success(), "building {name}");
    top().join("target/debug").join(name)
}

/// The card emulator program, built.
pub struct CardEmulator(PathBuf);

/// Builds the card emulator. Call it before the box boots: a first build takes longer than the box takes to look
/// at its card.
pub fn card_emulator() -> CardEmulator {
    CardEmulator(host_tool("smartcard", "card-emulator"))
}

/// Beijing, as a GPS receiver sends it (altitude 88.1 m above the geoid, geoid 8 m below the ellipsoid).
pub const GGA_BEIJING: &str =
    "$GPGGA,053152,3957.7484,N,11626.7626,E,1,06,1.5,88.1,M,-8.0,M,,*64\r\n";

/// A P6 PPM (what QEMU's screendump writes) as width, height and RGB.
pub fn read_ppm(path: &Path) -> Option<(u32, u32, Vec<u8>)> {
    let data = std::fs::read(path).ok()?;
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 {
        while data.get(i)?.is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while !data.get(i)?.is_ascii_whitespace() {
            i += 1;
        }
        fields.push(String::from_utf8_lossy(&data[start..i]).into_owned());
    }
    let (w, h) = (fields[1].parse().ok()?, fields[2].parse().ok()?);
    let pixels = data.get(i + 1..)?.to_vec();
    (fields[0] == "P6" && pixels.len() == (w * h * 3) as usize).then_some((w, h, pixels))
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
            panic!(
                "no part '{name}' in the box's output:\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        };
        let rest = &self.stdout[start + marker.len()..];
        match rest.find("=== ") {
            Some(end) => &rest[..end],
            None => rest,
        }
    }

    /// Every line of a part that parses as JSON.
    pub fn json_lines(&self, name: &str) -> Vec<serde_json::Value> {
        self.part(name)
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }
}
