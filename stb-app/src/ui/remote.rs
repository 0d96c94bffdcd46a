//! The remote control: every evdev device that has keys (the IR receiver through rc-core, a USB keyboard, QEMU's
//! virtio keyboard), read by our own code rather than libinput, which garbles a remote's keys. A device that goes
//! away is dropped; one that comes back is found again within a second.

use std::fs::File;
use std::io::Read;
use std::os::fd::AsFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};

use super::keys::{Action, KeyMap};

const EV_KEY: u16 = 1;

/// One key event as the kernel writes it: `struct input_event` ends with type, code and value on every ABI (the
/// time before them is 16 bytes on 64-bit targets, 8 or 16 on 32-bit ones), so they are read from its end.
fn event_fields(e: &[u8]) -> (u16, u16, i32) {
    let n = e.len();
    let u16_at = |i: usize| u16::from_ne_bytes([e[i], e[i + 1]]);
    (
        u16_at(n - 8),
        u16_at(n - 6),
        i32::from_ne_bytes([e[n - 4], e[n - 3], e[n - 2], e[n - 1]]),
    )
}

/// Keys that act again while held (the kernel's auto-repeat); others act once per press.
fn repeats(a: Action) -> bool {
    matches!(
        a,
        Action::Up
            | Action::Down
            | Action::Left
            | Action::Right
            | Action::VolumeUp
            | Action::VolumeDown
            | Action::ChannelUp
            | Action::ChannelDown
    )
}

pub struct Remote {
    keymap: KeyMap,
    input_dir: PathBuf,
    sys_dir: PathBuf,
    devices: Vec<(PathBuf, File)>,
    last_scan: Option<Instant>,
}

impl Remote {
    pub fn new(keymap: KeyMap) -> Self {
        Self::at(
            keymap,
            Path::new("/dev/input"),
            Path::new("/sys/class/input"),
        )
    }

    /// Under other roots (tests).
    pub fn at(keymap: KeyMap, input_dir: &Path, sys_dir: &Path) -> Self {
        Self {
            keymap,
            input_dir: input_dir.into(),
            sys_dir: sys_dir.into(),
            devices: Vec::new(),
            last_scan: None,
        }
    }

    /// The devices read now, by path.
    pub fn devices(&self) -> Vec<&Path> {
        self.devices.iter().map(|(p, _)| p.as_path()).collect()
    }

    /// Opens every `eventN` that has keys and is not open yet.
    fn rescan(&mut self) {
        self.last_scan = Some(Instant::now());
        let Ok(dir) = std::fs::read_dir(&self.input_dir) else {
            return;
        };
        for entry in dir.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !name.starts_with("event") || self.devices.iter().any(|(p, _)| p.ends_with(&name)) {
                continue;
            }
            let caps =
                std::fs::read_to_string(self.sys_dir.join(&name).join("device/capabilities/key"))
                    .unwrap_or_default();
            if caps
                .split_whitespace()
                .all(|w| w.trim_start_matches('0').is_empty())
            {
                continue; // no keys: a mouse, a power button's switch events, ...
            }
            let path = entry.path();
            if let Ok(f) = std::fs::OpenOptions::new()
                .read(true)
                .custom_flags(nix::fcntl::OFlag::O_NONBLOCK.bits())
                .open(&path)
            {
                self.devices.push((path, f));
            }
        }
    }

    /// The next action, waiting at most `timeout`. Unknown keys and key releases are ignored.
    pub fn next_action(&mut self, timeout: Duration) -> Option<Action> {
        let deadline = Instant::now() + timeout;
        let ev_size = std::mem::size_of::<nix::libc::input_event>();
        loop {
            if self
                .last_scan
                .is_none_or(|t| t.elapsed() >= Duration::from_secs(1))
            {
                self.rescan();
            }
            let left = deadline.saturating_duration_since(Instant::now());
            let wait = left.min(Duration::from_millis(500));
            let ready: Vec<bool> = {
                let mut fds: Vec<PollFd<'_>> = self
                    .devices
                    .iter()
                    .map(|(_, f)| PollFd::new(f.as_fd(), PollFlags::POLLIN))
                    .collect();
                if fds.is_empty() {
                    std::thread::sleep(wait.min(Duration::from_millis(100)));
                    Vec::new()
                } else {
                    let ms =
                        PollTimeout::try_from(wait.as_millis() as i32).unwrap_or(PollTimeout::ZERO);
                    let _ = poll(&mut fds, ms);
                    fds.iter()
                        .map(|p| p.revents().is_some_and(|r| !r.is_empty()))
                        .collect()
                }
            };
            let mut gone = Vec::new();
            let mut found = None;
            for (i, is_ready) in ready.iter().enumerate() {
                if !is_ready || found.is_some() {
                    continue;
                }
                let mut buf = vec![0u8; ev_size * 16];
                match self.devices[i].1.read(&mut buf) {
                    Ok(n) => {
                        for e in buf[..n].chunks_exact(ev_size) {
                            let (ty, code, value) = event_fields(e);
                            if ty != EV_KEY {
                                continue;
                            }
                            if let Some(a) = self.keymap.action(code) {
                                if value == 1 || (value == 2 && repeats(a)) {
                                    found = found.or(Some(a));
                                }
                            }
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                    // ENODEV and friends: unplugged.
                    Err(_) => gone.push(i),
                }
            }
            for i in gone.into_iter().rev() {
                self.devices.remove(i);
            }
            if found.is_some() {
                return found;
            }
            if Instant::now() >= deadline {
                return None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_fields_are_read_from_the_end_of_the_struct() {
        let size = std::mem::size_of::<nix::libc::input_event>();
        let mut e = vec![0u8; size];
        e[size - 8..size - 6].copy_from_slice(&1u16.to_ne_bytes());
        e[size - 6..size - 4].copy_from_slice(&103u16.to_ne_bytes());
        e[size - 4..].copy_from_slice(&2i32.to_ne_bytes());
        assert_eq!(event_fields(&e), (1, 103, 2));
    }

    #[test]
    fn a_fifo_standing_in_for_a_device_delivers_actions_and_its_loss_is_survived() {
        // A named pipe under a fake /dev/input, with the sysfs capability file that says it has keys.
        let root = std::env::temp_dir().join(format!("stb-remote-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let (input, sys) = (root.join("input"), root.join("sys"));
        std::fs::create_dir_all(&input).unwrap();
        std::fs::create_dir_all(sys.join("event7/device/capabilities")).unwrap();
        std::fs::write(
            sys.join("event7/device/capabilities/key"),
            "3 0 0 0 0 0 fffffffe\n",
        )
        .unwrap();
        let dev = input.join("event7");
        nix::unistd::mkfifo(&dev, nix::sys::stat::Mode::S_IRWXU).unwrap();
        let mut remote = Remote::at(KeyMap::default(), &input, &sys);
        let writer_path = dev.clone();
        let writer = std::thread::spawn(move || {
            let size = std::mem::size_of::<nix::libc::input_event>();
            let ev = |code: u16, value: i32| {
                let mut e = vec![0u8; size];
                e[size - 8..size - 6].copy_from_slice(&EV_KEY.to_ne_bytes());
                e[size - 6..size - 4].copy_from_slice(&code.to_ne_bytes());
                e[size - 4..].copy_from_slice(&value.to_ne_bytes());
                e
            };
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .open(&writer_path)
                .unwrap();
            use std::io::Write;
            // OK pressed, held (repeat: ignored for OK), released; then a key the box does not know; then Up.
            for (code, value) in [(352, 1), (352, 2), (352, 0), (0x2ff, 1), (103, 1)] {
                f.write_all(&ev(code, value)).unwrap();
                std::thread::sleep(Duration::from_millis(20));
            }
        });
        let mut got = Vec::new();
        while got.len() < 2 {
            match remote.next_action(Duration::from_secs(5)) {
                Some(a) => got.push(a),
                None => break,
            }
        }
        writer.join().unwrap();
        assert_eq!(got, vec![Action::Ok, Action::Up]);
        std::fs::remove_dir_all(&root).unwrap();
        assert_eq!(
            remote.next_action(Duration::from_millis(50)),
            None,
            "a vanished device is no error"
        );
    }
}
