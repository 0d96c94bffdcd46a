//! An emulated GPS receiver on the master side of a real pseudo-terminal.
//!
//! The code under test opens the slave path with `serialport`, exactly as it opens
//! /dev/ttyUSB0. The emulator writes NMEA with real checksums, paced at its "physical" baud
//! rate and cut into random pieces so sentences arrive split across reads. A pty has no
//! physical line speed, so the emulator reads the speed the reader set (termios is shared by
//! both ends of a pty) and, while it differs from its own, sends what a UART would deliver at
//! the wrong rate: bytes with no NMEA framing.
#![allow(dead_code)]

use std::fs::File;
use std::io::Write;
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use dish_align::nmea::emit;

/// What the emulated receiver does.
#[derive(Debug, Clone)]
pub struct Script {
    /// The receiver's own baud rate.
    pub baud: u32,
    /// Time between bursts (1 s for a real receiver).
    pub period: Duration,
    /// Bursts without a fix before the fix arrives.
    pub bursts_without_fix: u32,
    pub lat: f64,
    pub lon: f64,
    pub altitude_msl: f64,
    pub geoid_sep: f64,
    pub talker: &'static str,
    /// Every n-th sentence is sent with a wrong checksum and a false position.
    pub corrupt_every: Option<u32>,
    /// Line noise between bursts.
    pub noise_between_bursts: bool,
    /// Pace bytes at the baud rate (else write as fast as the pty takes them).
    pub pace: bool,
    pub seed: u64,
}

impl Default for Script {
    fn default() -> Self {
        Script {
            baud: 9600,
            period: Duration::from_millis(1000),
            bursts_without_fix: 0,
            lat: 31.14,
            lon: 97.17,
            altitude_msl: 3240.0,
            geoid_sep: -35.2,
            talker: "GN",
            corrupt_every: None,
            noise_between_bursts: false,
            pace: true,
            seed: 0x5eed,
        }
    }
}

/// A running emulator; dropping it unplugs the receiver (closes the pty).
pub struct Emulator {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    pub slave_path: PathBuf,
    /// Bursts sent at the right speed.
    pub good_bursts: Arc<AtomicU64>,
    /// Bytes sent as wrong-speed garbage.
    pub garbage_bytes: Arc<AtomicU64>,
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// The speed the reader configured on the pty (TCGETS2 understands BOTHER custom speeds).
pub fn pty_speed(fd: &OwnedFd) -> u32 {
    // SAFETY: TCGETS2 fills a termios2 for a valid tty fd; the struct is plain data.
    unsafe {
        let mut t: libc::termios2 = std::mem::zeroed();
        if libc::ioctl(fd.as_raw_fd(), libc::TCGETS2, &mut t) != 0 {
            return 0;
        }
        let cbaud = t.c_cflag & libc::CBAUD;
        if cbaud == libc::BOTHER {
            return t.c_ospeed;
        }
        match cbaud {
            libc::B4800 => 4800,
            libc::B9600 => 9600,
            libc::B19200 => 19200,
            libc::B38400 => 38400,
            libc::B57600 => 57600,
            libc::B115200 => 115200,
            _ => t.c_ospeed,
        }
    }
}

fn ddmm(v: f64, deg_digits: usize) -> String {
    let a = v.abs();
    let d = a.trunc();
    let m = (a - d) * 60.0;
    format!("{:0w$}{:09.6}", d as u32, m, w = deg_digits)
}

fn burst(s: &Script, fix: bool, n: u32, rng: &mut Rng, corrupt: &mut u32) -> Vec<String> {
    let now = chrono::Utc::now();
    let hms = now.format("%H%M%S%.3f").to_string();
    let date = now.format("%d%m%y").to_string();
    let lat = ddmm(s.lat, 2);
    let ns = if s.lat < 0.0 { "S" } else { "N" };
    let lon = ddmm(s.lon, 3);
    let ew = if s.lon < 0.0 { "W" } else { "E" };
    let t = s.talker;
    let in_view = 4 + n.min(8);
    let mut out = Vec::new();
    if fix {
        out.push(format!(
            "{t}RMC,{hms},A,{lat},{ns},{lon},{ew},0.01,0.00,{date},,,A,V"
        ));
        out.push(format!(
            "{t}GGA,{hms},{lat},{ns},{lon},{ew},1,{:02},0.{},{:.1},M,{:.1},M,,",
            8 + n.min(6),
            90 - n.min(30),
            s.altitude_msl,
            s.geoid_sep
        ));
        out.push(format!(
            "{t}GSA,A,3,08,10,19,20,23,27,,,,,,,1.25,0.66,1.06,4"
        ));
    } else {
        out.push(format!("{t}RMC,{hms},V,,,,,,,{date},,,N,V"));
        out.push(format!("{t}GGA,{hms},,,,,0,{:02},99.99,,,,,,", n.min(3)));
        out.push(format!("{t}GSA,A,1,,,,,,,,,,,,,99.99,99.99,99.99,4"));
    }
    out.push(format!(
        "GPGSV,1,1,{in_view:02},01,40,083,{},02,17,308,41,12,07,344,39,14,22,228,45,1",
        30 + rng.below(15)
    ));
    out.push("GBGSV,1,1,02,27,42,121,,30,,,24,0".to_string());
    let mut lines: Vec<String> = out.iter().map(|b| emit(b)).collect();
    if let Some(every) = s.corrupt_every {
        for l in lines.iter_mut() {
            *corrupt += 1;
            if (*corrupt).is_multiple_of(every) {
                // A false position (10°N 10°E) with a checksum that cannot match it.
                let body =
                    format!("{t}GGA,{hms},1000.000000,N,01000.000000,E,1,12,0.5,10.0,M,0.0,M,,");
                let good = dish_align::nmea::checksum(body.as_bytes());
                *l = format!("${body}*{:02X}\r\n", good ^ 0x5a);
            }
        }
    }
    lines
}

struct Pty {
    master: OwnedFd,
    slave: OwnedFd,
    slave_path: PathBuf,
}

/// A pty pair whose fds are close-on-exec from birth (posix_openpt + O_CLOEXEC), so a child
/// process spawned by another test can never inherit them and keep a "unplugged" pty alive.
fn open_pty() -> Pty {
    use nix::fcntl::OFlag;
    let m = nix::pty::posix_openpt(OFlag::O_RDWR | OFlag::O_NOCTTY | OFlag::O_CLOEXEC)
        .expect("posix_openpt");
    nix::pty::grantpt(&m).expect("grantpt");
    nix::pty::unlockpt(&m).expect("unlockpt");
    let path = PathBuf::from(nix::pty::ptsname_r(&m).expect("ptsname"));
    let slave = nix::fcntl::open(
        &path,
        OFlag::O_RDWR | OFlag::O_NOCTTY | OFlag::O_CLOEXEC,
        nix::sys::stat::Mode::empty(),
    )
    .expect("open pty slave");
    // SAFETY: `open` returned a fresh descriptor that nothing else owns.
    let slave = unsafe { <OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(slave) };
    // SAFETY: the master's descriptor is moved out of PtyMaster, which then is forgotten.
    let master = unsafe {
        <OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(std::os::fd::IntoRawFd::into_raw_fd(m))
    };
    Pty {
        master,
        slave,
        slave_path: path,
    }
}

impl Emulator {
    /// Start a receiver on a new pty.
    pub fn start(script: Script) -> Emulator {
        let pty = open_pty();
        let slave_path = pty.slave_path.clone();
        let stop = Arc::new(AtomicBool::new(false));
        let good_bursts = Arc::new(AtomicU64::new(0));
        let garbage_bytes = Arc::new(AtomicU64::new(0));
        let (st, gb, gy) = (stop.clone(), good_bursts.clone(), garbage_bytes.clone());
        let thread = std::thread::spawn(move || {
            let slave = pty.slave; // kept open so the pty lives while readers come and go
            let mut master = File::from(pty.master);
            let mut rng = Rng(script.seed | 1);
            let mut corrupt = 0u32;
            let mut n = 0u32;
            while !st.load(Ordering::Relaxed) {
                let t0 = Instant::now();
                let fix = n >= script.bursts_without_fix;
                let mut bytes: Vec<u8> = Vec::new();
                if script.noise_between_bursts {
                    bytes.extend_from_slice(b"\x00\xff\xfe$GP\x13noise*ZZ\r\n\x80\x81");
                }
                for l in burst(&script, fix, n, &mut rng, &mut corrupt) {
                    bytes.extend_from_slice(l.as_bytes());
                }
                let mut sent_good = true;
                let mut i = 0;
                while i < bytes.len() && !st.load(Ordering::Relaxed) {
                    let len = (1 + rng.below(40) as usize).min(bytes.len() - i);
                    let speed = pty_speed(&slave);
                    let chunk: Vec<u8> = if speed == script.baud {
                        bytes[i..i + len].to_vec()
                    } else {
                        sent_good = false;
                        gy.fetch_add(len as u64, Ordering::Relaxed);
                        // A UART at the wrong rate: mostly high or control bytes, no framing.
                        (0..len).map(|_| 0x80 | rng.below(128) as u8).collect()
                    };
                    if master.write_all(&chunk).is_err() {
                        return;
                    }
                    if script.pace {
                        let secs = chunk.len() as f64 * 10.0 / script.baud as f64;
                        std::thread::sleep(Duration::from_secs_f64(secs));
                    }
                    i += len;
                }
                if sent_good {
                    gb.fetch_add(1, Ordering::Relaxed);
                }
                n += 1;
                let el = t0.elapsed();
                if el < script.period {
                    // Sleep in small steps so stop() is prompt.
                    let end = t0 + script.period;
                    while Instant::now() < end && !st.load(Ordering::Relaxed) {
                        std::thread::sleep(Duration::from_millis(10));
                    }
                }
            }
            drop(slave);
        });
        Emulator {
            stop,
            thread: Some(thread),
            slave_path,
            good_bursts,
            garbage_bytes,
        }
    }

    /// Unplug: stop and close both ends of the pty.
    pub fn unplug(mut self) {
        self.halt();
    }

    fn halt(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.halt();
    }
}

/// Point a stable device path (a symlink, like a udev by-id name) at a pty.
pub fn link(link: &Path, target: &Path) {
    let _ = std::fs::remove_file(link);
    std::os::unix::fs::symlink(target, link).expect("symlink");
}
