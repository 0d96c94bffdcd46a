//! Remote-control keys: the rc-core / evdev key codes of IR remotes and USB keyboards, mapped to what they mean on
//! the box. Other remotes are served by a key-map file (`KEY_NAME = action` lines) instead of new code.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::str::FromStr;

use crate::textfile::{Comments, TextFile};

/// What a key press asks the box to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    Up,
    Down,
    Left,
    Right,
    Ok,
    Back,
    Menu,
    ChannelUp,
    ChannelDown,
    VolumeUp,
    VolumeDown,
    Mute,
    Digit(u8),
    Info,
    Epg,
    /// The signal meter, reachable from any screen.
    Signal,
    /// Back to the channel watched before.
    Recall,
    Red,
    Green,
    Yellow,
    Blue,
    Power,
    /// The next sound track (language) of the channel watched.
    Audio,
}

impl FromStr for Action {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let l = s.to_ascii_lowercase();
        if let Some(d) = l.strip_prefix("digit") {
            return d
                .parse::<u8>()
                .ok()
                .filter(|d| *d <= 9)
                .map(Action::Digit)
                .ok_or_else(|| format!("'{s}' is not digit0 .. digit9"));
        }
        Ok(match l.as_str() {
            "up" => Self::Up,
            "down" => Self::Down,
            "left" => Self::Left,
            "right" => Self::Right,
            "ok" => Self::Ok,
            "back" => Self::Back,
            "menu" => Self::Menu,
            "channel-up" => Self::ChannelUp,
            "channel-down" => Self::ChannelDown,
            "volume-up" => Self::VolumeUp,
            "volume-down" => Self::VolumeDown,
            "mute" => Self::Mute,
            "info" => Self::Info,
            "epg" => Self::Epg,
            "signal" => Self::Signal,
            "recall" => Self::Recall,
            "red" => Self::Red,
            "green" => Self::Green,
            "yellow" => Self::Yellow,
            "blue" => Self::Blue,
            "power" => Self::Power,
            "audio" => Self::Audio,
            _ => return Err(format!("unknown action '{s}'")),
        })
    }
}

/// rc-core key codes (linux/input-event-codes.h) by name, for the key-map file and the default map.
const KEY_CODES: &[(&str, u16)] = &[
    ("KEY_ESC", 1),
    ("KEY_1", 2),
    ("KEY_2", 3),
    ("KEY_3", 4),
    ("KEY_4", 5),
    ("KEY_5", 6),
    ("KEY_6", 7),
    ("KEY_7", 8),
    ("KEY_8", 9),
    ("KEY_9", 10),
    ("KEY_0", 11),
    ("KEY_BACKSPACE", 14),
    ("KEY_ENTER", 28),
    ("KEY_I", 23),
    ("KEY_E", 18),
    ("KEY_S", 31),
    ("KEY_M", 50),
    ("KEY_A", 30),
    ("KEY_MINUS", 12),
    ("KEY_EQUAL", 13),
    ("KEY_L", 38),
    ("KEY_X", 45),
    ("KEY_F1", 59),
    ("KEY_F2", 60),
    ("KEY_F3", 61),
    ("KEY_F4", 62),
    ("KEY_KPMINUS", 74),
    ("KEY_KPPLUS", 78),
    ("KEY_F12", 88),
    ("KEY_PAGEUP", 104),
    ("KEY_PAGEDOWN", 109),
    ("KEY_UP", 103),
    ("KEY_LEFT", 105),
    ("KEY_RIGHT", 106),
    ("KEY_DOWN", 108),
    ("KEY_MUTE", 113),
    ("KEY_VOLUMEDOWN", 114),
    ("KEY_VOLUMEUP", 115),
    ("KEY_POWER", 116),
    ("KEY_MENU", 139),
    ("KEY_BACK", 158),
    ("KEY_EXIT", 174),
    ("KEY_OK", 352),
    ("KEY_SELECT", 0x161),
    ("KEY_INFO", 358),
    ("KEY_LANGUAGE", 368),
    ("KEY_EPG", 365),
    ("KEY_RED", 398),
    ("KEY_GREEN", 399),
    ("KEY_YELLOW", 400),
    ("KEY_BLUE", 401),
    ("KEY_AUDIO", 392),
    ("KEY_CHANNELUP", 402),
    ("KEY_CHANNELDOWN", 403),
    ("KEY_LAST", 405),
    ("KEY_NUMERIC_0", 0x200),
    ("KEY_NUMERIC_1", 0x201),
    ("KEY_NUMERIC_2", 0x202),
    ("KEY_NUMERIC_3", 0x203),
    ("KEY_NUMERIC_4", 0x204),
    ("KEY_NUMERIC_5", 0x205),
    ("KEY_NUMERIC_6", 0x206),
    ("KEY_NUMERIC_7", 0x207),
    ("KEY_NUMERIC_8", 0x208),
    ("KEY_NUMERIC_9", 0x209),
];

/// The code of a key name such as `KEY_OK`.
pub fn key_code(name: &str) -> Option<u16> {
    KEY_CODES
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name.trim()))
        .map(|(_, c)| *c)
}

/// A key-map file that cannot be read, or a wrong line of it.
pub type KeyMapError = crate::textfile::TextFileError;

/// Key code → action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyMap {
    map: HashMap<u16, Action>,
}

impl Default for KeyMap {
    /// rc-core remotes and USB keyboards as they come: arrows, OK/Enter, Back/Exit/Esc, Menu, channel and
    /// volume keys, digits (top row and numeric pad), Info, EPG, colour keys; I, E and S on a keyboard.
    fn default() -> Self {
        let mut map = HashMap::new();
        let mut put = |name: &str, a: Action| {
            if let Some(c) = key_code(name) {
                map.insert(c, a);
            }
        };
        for (n, a) in [
            ("KEY_UP", Action::Up),
            ("KEY_DOWN", Action::Down),
            ("KEY_LEFT", Action::Left),
            ("KEY_RIGHT", Action::Right),
            ("KEY_OK", Action::Ok),
            ("KEY_SELECT", Action::Ok),
            ("KEY_ENTER", Action::Ok),
            ("KEY_BACK", Action::Back),
            ("KEY_EXIT", Action::Back),
            ("KEY_ESC", Action::Back),
            ("KEY_BACKSPACE", Action::Back),
            ("KEY_MENU", Action::Menu),
            ("KEY_M", Action::Menu),
            ("KEY_CHANNELUP", Action::ChannelUp),
            ("KEY_PAGEUP", Action::ChannelUp),
            ("KEY_CHANNELDOWN", Action::ChannelDown),
            ("KEY_PAGEDOWN", Action::ChannelDown),
            ("KEY_VOLUMEUP", Action::VolumeUp),
            ("KEY_VOLUMEDOWN", Action::VolumeDown),
            ("KEY_MUTE", Action::Mute),
            ("KEY_INFO", Action::Info),
            ("KEY_I", Action::Info),
            ("KEY_EPG", Action::Epg),
            ("KEY_E", Action::Epg),
            ("KEY_S", Action::Signal),
            ("KEY_LAST", Action::Recall),
            ("KEY_RED", Action::Red),
            ("KEY_GREEN", Action::Green),
            ("KEY_YELLOW", Action::Yellow),
            ("KEY_BLUE", Action::Blue),
            ("KEY_POWER", Action::Power),
            ("KEY_AUDIO", Action::Audio),
            ("KEY_LANGUAGE", Action::Audio),
            // A keyboard (on the box, or the desktop window): L recall, A sound track, + - volume, X mute, F1-F4
            // the colour keys, F12 POWER.
            ("KEY_L", Action::Recall),
            ("KEY_A", Action::Audio),
            ("KEY_EQUAL", Action::VolumeUp),
            ("KEY_KPPLUS", Action::VolumeUp),
            ("KEY_MINUS", Action::VolumeDown),
            ("KEY_KPMINUS", Action::VolumeDown),
            ("KEY_X", Action::Mute),
            ("KEY_F1", Action::Red),
            ("KEY_F2", Action::Green),
            ("KEY_F3", Action::Yellow),
            ("KEY_F4", Action::Blue),
            ("KEY_F12", Action::Power),
        ] {
            put(n, a);
        }
        for d in 0..=9u8 {
            put(&format!("KEY_{d}"), Action::Digit(d));
            put(&format!("KEY_NUMERIC_{d}"), Action::Digit(d));
        }
        Self { map }
    }
}

impl KeyMap {
    /// What a key does; `None` for keys the box ignores.
    pub fn action(&self, code: u16) -> Option<Action> {
        self.map.get(&code).copied()
    }

    /// The default map with a key-map file's lines on top: `KEY_NAME = action` or `0x1a2 = action` (the code as
    /// the remote's driver reports it), `#` comments. A bad file changes nothing and names its line.
    pub fn with_file(path: &Path) -> Result<Self, KeyMapError> {
        let file = TextFile::read(path)?;
        let mut map = Self::default();
        for (n, line) in file.entries(Comments::Anywhere) {
            let bad = |what: String| file.error(n, what);
            let (key, action) = line
                .split_once('=')
                .ok_or_else(|| bad(format!("expected KEY = action, found '{line}'")))?;
            let key = key.trim();
            let code = match key.strip_prefix("0x").or_else(|| key.strip_prefix("0X")) {
                Some(hex) => u16::from_str_radix(hex, 16).ok(),
                None => key_code(key),
            }
            .ok_or_else(|| {
                bad(format!(
                    "unknown key '{key}' (use a KEY_ name or the code as 0x...)"
                ))
            })?;
            let action: Action = action.parse().map_err(bad)?;
            map.map.insert(code, action);
        }
        Ok(map)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_and_keyboard_keys_mean_the_same() {
        let m = KeyMap::default();
        // What QEMU's sendkey up / ret / esc / 1 deliver to the box (EV_KEY 103, 28, 1, 2).
        assert_eq!(m.action(103), Some(Action::Up));
        assert_eq!(m.action(28), Some(Action::Ok));
        assert_eq!(m.action(1), Some(Action::Back));
        assert_eq!(m.action(2), Some(Action::Digit(1)));
        assert_eq!(m.action(key_code("KEY_OK").unwrap()), Some(Action::Ok));
        assert_eq!(
            m.action(key_code("KEY_NUMERIC_7").unwrap()),
            Some(Action::Digit(7))
        );
        assert_eq!(
            m.action(key_code("KEY_CHANNELUP").unwrap()),
            Some(Action::ChannelUp)
        );
        assert_eq!(m.action(key_code("KEY_RED").unwrap()), Some(Action::Red));
        assert_eq!(m.action(0x2ff), None, "unknown keys are ignored");
    }

    #[test]
    fn a_key_map_file_adds_a_remote_and_a_bad_one_names_its_line() {
        let dir = std::env::temp_dir().join(format!("stb-keymap-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("good.keymap");
        let bad = dir.join("bad.keymap");
        std::fs::write(&bad, "0x1a2 = recall\nKEY_WHATEVER = ok\n").unwrap();
        let e = KeyMap::with_file(&bad).unwrap_err().to_string();
        assert!(
            e.ends_with(
                "bad.keymap:2: unknown key 'KEY_WHATEVER' (use a KEY_ name or the code as 0x...)"
            ),
            "{e}"
        );
        std::fs::write(&bad, "KEY_OK = jump\n").unwrap();
        let e = KeyMap::with_file(&bad).unwrap_err().to_string();
        assert!(e.ends_with("bad.keymap:1: unknown action 'jump'"), "{e}");
        std::fs::write(
            &good,
            "# a local remote\n0x1a2 = recall\nKEY_RED = epg # reassign\nKEY_NUMERIC_5 = digit5\n",
        )
        .unwrap();
        let m = KeyMap::with_file(&good).unwrap();
        assert_eq!(m.action(0x1a2), Some(Action::Recall));
        assert_eq!(m.action(key_code("KEY_RED").unwrap()), Some(Action::Epg));
        assert_eq!(m.action(103), Some(Action::Up), "the defaults stay");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
