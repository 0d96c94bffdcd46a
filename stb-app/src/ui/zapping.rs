//! Moving between channels as a family does with the remote: up and down through the current list (TV, radio or
//! favourites), typing a number (it tunes when the digits are complete or after a pause), and going back to the
//! channel watched before. Plain state: the UI feeds it actions and time, and shows what it says.

use std::time::{Duration, Instant};

use super::keys::Action;
use crate::channels::Channel;
use crate::scan::ServiceKind;

/// How long a half-typed number waits for its next digit.
pub const DIGIT_TIMEOUT: Duration = Duration::from_millis(2000);

/// Which channels up/down walks through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListKind {
    Tv,
    Radio,
    Favourites,
}

impl ListKind {
    /// Whether this list shows the channel (vanished channels are in none).
    pub fn lists(self, c: &Channel) -> bool {
        !c.vanished
            && match self {
                ListKind::Tv => c.kind == ServiceKind::Tv,
                ListKind::Radio => c.kind == ServiceKind::Radio,
                ListKind::Favourites => c.favourite,
            }
    }
}

/// What the UI should do after an action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Zap {
    /// Nothing changes.
    Nothing,
    /// Show the digits typed so far (e.g. "12-").
    Typing(String),
    /// Tune this channel (by its number).
    Watch(u32),
    /// The number typed does not exist: say so briefly.
    NoSuchChannel(u32),
}

/// The channel state of the watching screen.
pub struct Zapper {
    channels: Vec<Channel>,
    list: ListKind,
    current: Option<u32>,
    previous: Option<u32>,
    typed: String,
    typed_at: Option<Instant>,
}

impl Zapper {
    /// Starts on `current` (or the first channel of the TV list).
    pub fn new(channels: Vec<Channel>, current: Option<u32>) -> Self {
        let mut z = Self {
            channels,
            list: ListKind::Tv,
            current: None,
            previous: None,
            typed: String::new(),
            typed_at: None,
        };
        z.current = current
            .filter(|n| z.exists(*n))
            .or_else(|| z.list_numbers().first().copied());
        z
    }

    pub fn current(&self) -> Option<&Channel> {
        self.current
            .and_then(|n| self.channels.iter().find(|c| c.number == n))
    }

    pub fn list(&self) -> ListKind {
        self.list
    }

    /// Switches the list up/down walks (the channel list's TV / radio / favourites tabs).
    pub fn set_list(&mut self, list: ListKind) {
        self.list = list;
    }

    fn exists(&self, n: u32) -> bool {
        self.channels.iter().any(|c| c.number == n && !c.vanished)
    }

    /// The numbers of the current list, in order; channels that vanished are skipped.
    fn list_numbers(&self) -> Vec<u32> {
        let mut v: Vec<u32> = self
            .channels
            .iter()
            .filter(|c| self.list.lists(c))
            .map(|c| c.number)
            .collect();
        v.sort_unstable();
        v
    }

    fn watch(&mut self, n: u32) -> Zap {
        if self.current != Some(n) {
            self.previous = self.current;
            self.current = Some(n);
        }
        Zap::Watch(n)
    }

    /// Up/down through the list, wrapping round at its ends.
    fn step(&mut self, forward: bool) -> Zap {
        let list = self.list_numbers();
        if list.is_empty() {
            return Zap::Nothing;
        }
        let at = self.current.and_then(|c| list.iter().position(|n| *n == c));
        let next = match (at, forward) {
            (Some(i), true) => list[(i + 1) % list.len()],
            (Some(i), false) => list[(i + list.len() - 1) % list.len()],
            // Not on this list (e.g. a radio channel while walking TV): start at its first or last entry.
            (None, true) => list[0],
            (None, false) => list[list.len() - 1],
        };
        self.watch(next)
    }

    /// The digits typed so far, complete: tune it if it exists.
    fn finish_number(&mut self) -> Zap {
        let typed = std::mem::take(&mut self.typed);
        self.typed_at = None;
        match typed.parse::<u32>() {
            Ok(n) if self.exists(n) => self.watch(n),
            Ok(n) => Zap::NoSuchChannel(n),
            Err(_) => Zap::Nothing,
        }
    }

    /// Handles one remote action at time `now`. The UI calls [`Zapper::tick`] from its timer (every 100 ms or
    /// so), which is what completes a half-typed number after a pause.
    pub fn press(&mut self, action: Action, now: Instant) -> Zap {
        match action {
            Action::Digit(d) => {
                self.typed.push(char::from(b'0' + d));
                self.typed_at = Some(now);
                let longest = self
                    .channels
                    .iter()
                    .map(|c| c.number.to_string().len())
                    .max()
                    .unwrap_or(1);
                // Complete as soon as no longer number could start with these digits.
                if self.typed.len() >= longest.max(1) {
                    self.finish_number()
                } else {
                    Zap::Typing(format!("{}-", self.typed))
                }
            }
            Action::Ok if !self.typed.is_empty() => self.finish_number(),
            Action::Back if !self.typed.is_empty() => {
                self.typed.clear();
                self.typed_at = None;
                Zap::Nothing
            }
            Action::ChannelUp | Action::Up => self.step(true),
            Action::ChannelDown | Action::Down => self.step(false),
            Action::Recall => match self.previous {
                Some(p) if self.exists(p) => self.watch(p),
                _ => Zap::Nothing,
            },
            _ => Zap::Nothing,
        }
    }

    /// Time passes: a half-typed number is taken as complete after [`DIGIT_TIMEOUT`].
    pub fn tick(&mut self, now: Instant) -> Option<Zap> {
        match self.typed_at {
            Some(t) if now.duration_since(t) >= DIGIT_TIMEOUT => Some(self.finish_number()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lnb::Polarisation;

    fn ch(number: u32, name: &str, kind: ServiceKind, favourite: bool) -> Channel {
        Channel {
            number,
            name: name.into(),
            broadcast_name: name.into(),
            provider: String::new(),
            kind,
            scrambled: false,
            ca_system_ids: vec![],
            favourite,
            locked: false,
            vanished: false,
            service_id: number as u16,
            tsid: 1,
            onid: 1,
            pmt_pid: 0x100,
            pcr_pid: None,
            video_pid: None,
            video_codec: None,
            audio: vec![],
            satellite: "92.2°E".into(),
            frequency_khz: 11_840_000,
            polarisation: Polarisation::Right,
            symbol_rate: 28_800_000,
            system: "DVB-S".into(),
            modulation: "QPSK".into(),
            fec: "auto".into(),
            rolloff: "0.35".into(),
        }
    }

    fn lineup() -> Vec<Channel> {
        let mut v = vec![
            ch(1, "CCTV-1", ServiceKind::Tv, false),
            ch(2, "CCTV-2", ServiceKind::Tv, true),
            ch(5, "CCTV-5", ServiceKind::Tv, true),
            ch(12, "西藏卫视", ServiceKind::Tv, false),
            ch(101, "中国之声", ServiceKind::Radio, false),
        ];
        let mut gone = ch(3, "CCTV-3", ServiceKind::Tv, false);
        gone.vanished = true;
        v.push(gone);
        v
    }

    #[test]
    fn up_and_down_wrap_round_the_list_and_skip_vanished_channels() {
        let t = Instant::now();
        let mut z = Zapper::new(lineup(), None);
        assert_eq!(z.current().unwrap().number, 1);
        assert_eq!(z.press(Action::ChannelUp, t), Zap::Watch(2));
        assert_eq!(
            z.press(Action::ChannelUp, t),
            Zap::Watch(5),
            "3 vanished: skipped"
        );
        assert_eq!(z.press(Action::ChannelUp, t), Zap::Watch(12));
        assert_eq!(
            z.press(Action::ChannelUp, t),
            Zap::Watch(1),
            "wraps to the first"
        );
        assert_eq!(
            z.press(Action::ChannelDown, t),
            Zap::Watch(12),
            "and back to the last"
        );
        z.set_list(ListKind::Favourites);
        assert_eq!(z.press(Action::ChannelUp, t), Zap::Watch(2));
        assert_eq!(z.press(Action::ChannelUp, t), Zap::Watch(5));
        z.set_list(ListKind::Radio);
        assert_eq!(z.press(Action::ChannelUp, t), Zap::Watch(101));
    }

    #[test]
    fn numbers_tune_when_complete_on_ok_or_after_a_pause() {
        let t = Instant::now();
        let mut z = Zapper::new(lineup(), Some(1));
        // The longest number has three digits: "1" "2" waits, then the pause completes "12".
        assert_eq!(z.press(Action::Digit(1), t), Zap::Typing("1-".into()));
        assert_eq!(z.press(Action::Digit(2), t), Zap::Typing("12-".into()));
        assert_eq!(z.tick(t + Duration::from_millis(500)), None);
        assert_eq!(
            z.tick(t + DIGIT_TIMEOUT + Duration::from_millis(1)),
            Some(Zap::Watch(12))
        );
        // OK completes at once; three digits complete by themselves.
        z.press(Action::Digit(5), t);
        assert_eq!(z.press(Action::Ok, t), Zap::Watch(5));
        z.press(Action::Digit(1), t);
        z.press(Action::Digit(0), t);
        assert_eq!(z.press(Action::Digit(1), t), Zap::Watch(101));
        // A number that does not exist is said, and nothing changes.
        z.press(Action::Digit(9), t);
        assert_eq!(z.press(Action::Ok, t), Zap::NoSuchChannel(9));
        assert_eq!(z.current().unwrap().number, 101);
        // BACK abandons a half-typed number.
        z.press(Action::Digit(2), t);
        assert_eq!(z.press(Action::Back, t), Zap::Nothing);
        assert_eq!(z.tick(t + DIGIT_TIMEOUT * 2), None);
    }

    #[test]
    fn recall_goes_back_and_forth_between_the_last_two_channels() {
        let t = Instant::now();
        let mut z = Zapper::new(lineup(), Some(2));
        assert_eq!(
            z.press(Action::Recall, t),
            Zap::Nothing,
            "nothing watched before"
        );
        z.press(Action::Digit(1), t);
        z.press(Action::Digit(2), t);
        assert_eq!(z.press(Action::Ok, t), Zap::Watch(12));
        assert_eq!(z.press(Action::Recall, t), Zap::Watch(2));
        assert_eq!(z.press(Action::Recall, t), Zap::Watch(12));
    }

    #[test]
    fn an_empty_list_does_nothing() {
        let t = Instant::now();
        let mut z = Zapper::new(vec![], None);
        assert!(z.current().is_none());
        assert_eq!(z.press(Action::ChannelUp, t), Zap::Nothing);
        // With no list every number is complete at its first digit, and none exists.
        assert_eq!(z.press(Action::Digit(4), t), Zap::NoSuchChannel(4));
    }
}
