//! Keys of the development window (`stb-app ui --window`): Slint reports a key as text, and the window's keys go
//! through the box's own key map as the evdev keys they stand for, so the window and the box share one map and
//! `--keymap`.

use stb_app::ui::keys::{key_code, Action, KeyMap};

/// The evdev key a desktop window's key stands for. Slint reports a key as text: a character, or one of its codes
/// for special keys ([`slint::platform::Key`]).
pub fn slint_key_code(text: &str) -> Option<u16> {
    use slint::platform::Key;
    let mut chars = text.chars();
    let c = chars.next()?;
    if chars.next().is_some() {
        return None;
    }
    const SPECIAL: [(Key, &str); 15] = [
        (Key::UpArrow, "KEY_UP"),
        (Key::DownArrow, "KEY_DOWN"),
        (Key::LeftArrow, "KEY_LEFT"),
        (Key::RightArrow, "KEY_RIGHT"),
        (Key::Return, "KEY_ENTER"),
        (Key::Escape, "KEY_ESC"),
        (Key::Backspace, "KEY_BACKSPACE"),
        (Key::PageUp, "KEY_PAGEUP"),
        (Key::PageDown, "KEY_PAGEDOWN"),
        (Key::Menu, "KEY_MENU"),
        (Key::F1, "KEY_F1"),
        (Key::F2, "KEY_F2"),
        (Key::F3, "KEY_F3"),
        (Key::F4, "KEY_F4"),
        (Key::F12, "KEY_F12"),
    ];
    if let Some((_, name)) = SPECIAL.iter().find(|(k, _)| char::from(*k) == c) {
        return key_code(name);
    }
    match c {
        '\r' => key_code("KEY_ENTER"),
        '0'..='9' | 'a'..='z' | 'A'..='Z' => key_code(&format!("KEY_{}", c.to_ascii_uppercase())),
        '+' | '=' => key_code("KEY_EQUAL"),
        '-' => key_code("KEY_MINUS"),
        _ => None,
    }
}

/// What a key of the desktop window does, through `map`.
pub fn desktop_action(map: &KeyMap, text: &str) -> Option<Action> {
    map.action(slint_key_code(text)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slint_keys_of_a_desktop_window_map_like_a_keyboard_on_the_box() {
        let map = KeyMap::default();
        let from_slint_text = |t: &str| desktop_action(&map, t);
        assert_eq!(from_slint_text("\u{F700}"), Some(Action::Up));
        assert_eq!(from_slint_text("\n"), Some(Action::Ok));
        assert_eq!(from_slint_text("\u{1b}"), Some(Action::Back));
        assert_eq!(from_slint_text("7"), Some(Action::Digit(7)));
        assert_eq!(from_slint_text("\u{F707}"), Some(Action::Blue));
        assert_eq!(from_slint_text("\u{F70F}"), Some(Action::Power));
        assert_eq!(from_slint_text("m"), Some(Action::Menu));
        // Keys the box has no use for, and text longer than one key.
        assert_eq!(from_slint_text("q"), None);
        assert_eq!(from_slint_text(""), None);
        assert_eq!(from_slint_text("ab"), None);
    }
}
