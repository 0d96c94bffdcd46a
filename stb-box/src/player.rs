//! The player for what the screens show: `stb-play` (on the box's media disk, decision 0004), started once and
//! kept while the screens run. It reads the tuned channel's PIDs from the demux, is told on its standard input
//! which channel to play (`channel N`), to stop before a retune (`idle`) and the remote's volume and mute, and
//! writes its pictures into the screens' picture file. A zap therefore costs no process start, no loading of
//! GStreamer and its decoders, and on the same transponder only a change of the PID filter. The screens never load
//! GStreamer; a player that dies takes the sound with it, not the screens, and another one takes over the channel.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};

/// The running player. Dropping it stops it.
pub struct PlayerProcess {
    child: Child,
    control: ChildStdin,
    /// The channel being played, `None` while idle.
    number: Option<u32>,
    /// Its sound track's PID, as asked.
    audio_pid: Option<u16>,
    /// The volume and mute last set.
    volume: (u8, bool),
}

/// What a player was playing: the channel, its sound track, the volume and mute.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Playing {
    pub number: u32,
    pub audio_pid: Option<u16>,
    pub volume: u8,
    pub muted: bool,
}

/// `stb-play` beside this program (the box: /usr/bin), else on the PATH.
fn program() -> PathBuf {
    std::env::current_exe()
        .ok()
        .map(|p| p.with_file_name("stb-play"))
        .filter(|p| p.exists())
        .unwrap_or_else(|| "stb-play".into())
}

/// The channel a `playing N name (S s)` line of the player announces.
fn announced(line: &str) -> Option<u32> {
    line.strip_prefix("playing ")?
        .split(' ')
        .next()?
        .parse()
        .ok()
}

impl PlayerProcess {
    /// Starts the player, idle, for channels tuned on `adapter`; pictures into the screens' picture file when
    /// given. `on_sound` is called with the channel's number each time a channel's first sound is heard.
    pub fn start(
        adapter: u32,
        picture: Option<&Path>,
        on_sound: impl Fn(u32) + Send + 'static,
    ) -> std::io::Result<Self> {
        let mut command = Command::new(program());
        command
            .args(["--tuned", "--control", "--adapter"])
            .arg(adapter.to_string());
        if let Some(p) = picture {
            command.arg("--picture").arg(p);
        }
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        // What the player says goes on into the box's log; each channel's first sound is told to the screens.
        if let Some(out) = child.stdout.take() {
            std::thread::spawn(move || {
                let mut current = None;
                for line in BufReader::new(out).lines().map_while(Result::ok) {
                    println!("{line}");
                    if let Some(n) = announced(&line) {
                        current = Some(n);
                    } else if line.starts_with("sound after") {
                        if let Some(n) = current.take() {
                            on_sound(n);
                        }
                    }
                }
            });
        }
        let control = child
            .stdin
            .take()
            .ok_or_else(|| std::io::Error::other("the player has no control input"))?;
        Ok(Self {
            child,
            control,
            number: None,
            audio_pid: None,
            volume: (100, false),
        })
    }

    /// Plays channel `number`, which the caller has tuned and may be watched, with the sound track on `audio_pid`
    /// (its first when `None`), at this volume.
    pub fn play(
        &mut self,
        number: u32,
        audio_pid: Option<u16>,
        volume: u8,
        muted: bool,
    ) -> std::io::Result<()> {
        self.number = Some(number);
        self.audio_pid = audio_pid;
        self.set_volume(volume, muted);
        match audio_pid {
            Some(pid) => writeln!(self.control, "channel {number} {pid}")?,
            None => writeln!(self.control, "channel {number}")?,
        }
        self.control.flush()
    }

    /// Stops the sound and the pictures; the player waits for the next channel.
    pub fn idle(&mut self) {
        if self.number.take().is_some() {
            let _ = writeln!(self.control, "idle");
            let _ = self.control.flush();
        }
    }

    /// The channel being played.
    pub fn number(&self) -> Option<u32> {
        self.number
    }

    /// Volume 0-100 and mute, as the remote set them.
    pub fn set_volume(&mut self, volume: u8, muted: bool) {
        self.volume = (volume, muted);
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

    /// What it was told to play (for another player to take over), `None` while idle.
    pub fn playing(&self) -> Option<Playing> {
        self.number.map(|number| Playing {
            number,
            audio_pid: self.audio_pid,
            volume: self.volume.0,
            muted: self.volume.1,
        })
    }
}

impl Drop for PlayerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::announced;

    #[test]
    fn the_channel_a_player_line_announces() {
        assert_eq!(announced("playing 12 CCTV-1 综合 (86400 s)"), Some(12));
        assert_eq!(announced("playing x"), None);
        assert_eq!(announced("sound after 700 ms"), None);
    }
}
