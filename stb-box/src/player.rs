//! The player for what the screens show: `stb-play` (on the box's media disk, decision 0004) started for the
//! channel the backend has tuned, reading its PIDs from the demux, told the remote's volume and mute on its
//! standard input, writing its pictures into the screens' picture file. The screens never load GStreamer; a player that dies takes the sound with it, not the screens.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};

/// A running player. Dropping it stops the sound.
pub struct PlayerProcess {
    child: Child,
    control: ChildStdin,
    number: u32,
}

/// `stb-play` beside this program (the box: /usr/bin), else on the PATH.
fn program() -> PathBuf {
    std::env::current_exe()
        .ok()
        .map(|p| p.with_file_name("stb-play"))
        .filter(|p| p.exists())
        .unwrap_or_else(|| "stb-play".into())
}

impl PlayerProcess {
    /// Plays channel `number`, which the caller has tuned on `adapter` and may be watched; its pictures into the
    /// screens' picture file when given. `on_sound` is called once the first sound is heard.
    pub fn start(
        adapter: u32,
        number: u32,
        volume: u8,
        muted: bool,
        picture: Option<&Path>,
        on_sound: impl FnOnce() + Send + 'static,
    ) -> std::io::Result<Self> {
        let mut command = Command::new(program());
        command
            .args(["--tuned", "--control", "--channel"])
            .arg(number.to_string())
            .arg("--adapter")
            .arg(adapter.to_string());
        if let Some(p) = picture {
            command.arg("--picture").arg(p);
        }
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        // What the player says goes on into the box's log; its first sound is told to the screens.
        if let Some(out) = child.stdout.take() {
            std::thread::spawn(move || {
                let mut on_sound = Some(on_sound);
                for line in BufReader::new(out).lines().map_while(Result::ok) {
                    println!("{line}");
                    if line.starts_with("sound after") {
                        if let Some(f) = on_sound.take() {
                            f();
                        }
                    }
                }
            });
        }
        let control = child
            .stdin
            .take()
            .ok_or_else(|| std::io::Error::other("the player has no control input"))?;
        let mut p = Self {
            child,
            control,
            number,
        };
        p.set_volume(volume, muted);
        Ok(p)
    }

    /// The channel being played.
    pub fn number(&self) -> u32 {
        self.number
    }

    /// Volume 0-100 and mute, as the remote set them.
    pub fn set_volume(&mut self, volume: u8, muted: bool) {
        let _ = write!(
            self.control,
            "volume {}\nmute {}\n",
            volume.min(100),
            u8::from(muted)
        );
        let _ = self.control.flush();
    }

    /// Whether the player has stopped by itself (no media disk, a decoder crash).
    pub fn has_stopped(&mut self) -> bool {
        !matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for PlayerProcess {
    fn drop(&mut self) {
        // The end of its input stops it cleanly; a player that does not listen is killed.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
