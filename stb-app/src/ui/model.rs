//! The UI model: which screen is up, what it shows and what each remote key does there, as plain data. The model
//! never touches a device: it answers keys and backend events with [`Request`]s that the backend carries out off
//! the UI thread, and the view (`ui::view`) copies it into the Slint globals. Flow tests drive it with keys.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

pub use activation::Lang;

use super::keys::Action;
use super::zapping::{ListKind, Zap, Zapper};
use crate::channels::{AudioTrack, Channel};
use crate::scan::ServiceKind;

/// How long the info banner stays after a channel change or INFO.
pub const BANNER_TIME: Duration = Duration::from_secs(5);
/// How long a playing channel may take to make its first sound and picture before the screen says they are missing
/// (the emulated box's first picture takes under 2 s).
pub const MEDIA_GRACE: Duration = Duration::from_secs(6);
/// How long the volume bar stays.
pub const VOLUME_TIME: Duration = Duration::from_secs(3);
/// LNB local oscillators offered by the wizard and settings, MHz (the first is the 户户通 default).
pub const LNB_CHOICES: [u32; 5] = [10750, 5150, 9750, 10600, 11300];
/// Encodings offered for channel names sent without a charset byte (see ts-si's `CharsetPolicy`).
pub const CHARSET_CHOICES: [&str; 4] = ["GB18030", "ISO-6937", "UTF-8", "Big5"];
/// The number of settings rows (see screens/settings.slint).
pub const SETTINGS_ROWS: usize = 10;
/// The on-screen keyboard for renaming a channel with the remote: 3 rows of 10 (digits come from the number keys).
pub const RENAME_KEYS: [char; 30] = [
    'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O', 'P', 'Q', 'R', 'S',
    'T', 'U', 'V', 'W', 'X', 'Y', 'Z', '-', '+', '.', ' ',
];
/// The longest name the keyboard types.
pub const RENAME_MAX: usize = 24;
/// Days the programme guide covers.
pub const EPG_DAYS: i64 = 7;

/// Every screen, by the name `stb-app render --screen` takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Screen {
    WizardLanguage,
    WizardSatellite,
    WizardDish,
    WizardSignal,
    WizardScan,
    WizardDone,
    Watching,
    ChannelList,
    Epg,
    Signal,
    Settings,
    Activation,
    Diagnostics,
}

impl Screen {
    pub const ALL: [Screen; 13] = [
        Screen::WizardLanguage,
        Screen::WizardSatellite,
        Screen::WizardDish,
        Screen::WizardSignal,
        Screen::WizardScan,
        Screen::WizardDone,
        Screen::Watching,
        Screen::ChannelList,
        Screen::Epg,
        Screen::Signal,
        Screen::Settings,
        Screen::Activation,
        Screen::Diagnostics,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Screen::WizardLanguage => "wizard-language",
            Screen::WizardSatellite => "wizard-satellite",
            Screen::WizardDish => "wizard-dish",
            Screen::WizardSignal => "wizard-signal",
            Screen::WizardScan => "wizard-scan",
            Screen::WizardDone => "wizard-done",
            Screen::Watching => "watching",
            Screen::ChannelList => "channel-list",
            Screen::Epg => "epg",
            Screen::Signal => "signal",
            Screen::Settings => "settings",
            Screen::Activation => "activation",
            Screen::Diagnostics => "diagnostics",
        }
    }

    pub fn from_name(name: &str) -> Option<Screen> {
        Screen::ALL.into_iter().find(|s| s.name() == name)
    }

    fn is_wizard(self) -> bool {
        matches!(
            self,
            Screen::WizardLanguage
                | Screen::WizardSatellite
                | Screen::WizardDish
                | Screen::WizardSignal
                | Screen::WizardScan
                | Screen::WizardDone
        )
    }
}

/// Language codes as the bundled translations name them.
pub fn lang_code(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "zh_CN",
        Lang::Bo => "bo",
        Lang::En => "en",
    }
}

pub fn lang_from_code(code: &str) -> Option<Lang> {
    match code {
        "zh" | "zh_CN" => Some(Lang::Zh),
        "bo" => Some(Lang::Bo),
        "en" => Some(Lang::En),
        _ => None,
    }
}

/// The wizard's language list, in screen order.
pub const LANGS: [Lang; 3] = [Lang::Zh, Lang::Bo, Lang::En];

/// A signal reading as the screens show it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SignalView {
    pub locked: bool,
    pub strength: u8,
    pub quality: u8,
    pub level_dbm: Option<f64>,
    pub cnr_db: Option<f64>,
    pub ber: Option<f64>,
    pub transponder: String,
}

impl From<&crate::tuner::Signal> for SignalView {
    fn from(s: &crate::tuner::Signal) -> Self {
        SignalView {
            locked: s.locked,
            strength: s.strength_percent.unwrap_or(0),
            quality: s.quality_percent.unwrap_or(0),
            level_dbm: s.level_dbm,
            cnr_db: s.cnr_db,
            ber: s.pre_ber,
            transponder: String::new(),
        }
    }
}

/// What the positioning module says, with the look angles to the satellite.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DishView {
    pub gps_present: bool,
    pub fix: Option<(f64, f64)>,
    pub azimuth_true: Option<f64>,
    pub azimuth_magnetic: Option<f64>,
    pub elevation: Option<f64>,
    pub skew: Option<f64>,
}

/// One programme of the guide.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EpgEntry {
    /// Service (original network, transport stream, service id).
    pub service: (u16, u16, u16),
    /// Start, seconds since 1970 UTC.
    pub start: i64,
    pub duration_s: u32,
    pub title: String,
    pub text: String,
}

/// Problems shown on every screen until they go away.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    MissingFont(String),
    DiskFull(String),
    StorageFailed(String),
}

impl Notice {
    /// Less free space than this on the data disk is a full disk, whatever the error said: SQLite reports a full
    /// disk as "disk I/O error" when it cannot grow its write-ahead log.
    pub const FULL_BELOW_BYTES: u64 = 256 * 1024;

    /// A failed write of the channel list or settings, with the free space of the data disk when known: a full
    /// disk says so (the household can free space or call the installer), anything else is a storage failure.
    pub fn from_storage_error(message: &str, free_bytes: Option<u64>) -> Notice {
        let m = message.to_ascii_lowercase();
        // SQLite says "database or disk is full", the kernel "No space left on device".
        let says_full = m.contains("disk is full") || m.contains("no space left");
        if says_full || free_bytes.is_some_and(|f| f < Self::FULL_BELOW_BYTES) {
            Notice::DiskFull(message.to_string())
        } else {
            Notice::StorageFailed(message.to_string())
        }
    }
}

/// What the backend reports.
#[derive(Clone, Debug)]
pub enum Event {
    Signal(SignalView),
    Dish(DishView),
    ScanProgress {
        done: usize,
        total: usize,
        transponder: String,
        tv: usize,
        radio: usize,
    },
    /// The scan ended (finished or stopped) and the channel list now holds this.
    ScanFinished(Vec<Channel>),
    Channels(Vec<Channel>),
    /// A channel was tuned: locked or not, and whether its programme is scrambled for this card.
    Tuned {
        number: u32,
        locked: bool,
        scrambled: bool,
    },
    Epg(Vec<EpgEntry>),
    /// The player of this channel made its first sound.
    SoundStarted(u32),
    /// The first picture of this channel is on the screen.
    PictureStarted(u32),
    /// The activation state and the QR code of the activation request (size, modules row by row).
    Activation(Box<activation::Report>, Option<(usize, Vec<bool>)>),
    Notice(Notice),
    NoticeCleared,
    /// Diagnostic figures, in the order of screens/diagnostics.slint.
    Diagnostics(Vec<String>),
    /// Wall clock, seconds since 1970 UTC (plus the local offset the box shows).
    Clock {
        utc: i64,
        offset_s: i32,
    },
}

/// What the model asks the backend to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    SetLanguage(Lang),
    SetLnb {
        lof_mhz: u32,
        power: bool,
    },
    WatchGps(bool),
    /// Measure the signal continuously on this channel's transponder (None: the satellite's first transponder).
    MonitorSignal(Option<u32>),
    StopSignal,
    StartScan {
        lof_mhz: u32,
        power: bool,
    },
    StopScan,
    Tune(u32),
    /// Play the tuned channel (sound to the sound card, pictures decoded) at this volume, with this sound track
    /// (its PID; `None`: the first the channel sends).
    Play {
        number: u32,
        volume: u8,
        muted: bool,
        audio_pid: Option<u16>,
    },
    /// Keep the household's sound-track choices (the `audio_tracks` setting, [`encode_audio_choices`]).
    SaveAudioChoices(String),
    /// The remote's volume or mute, for what is playing.
    Volume {
        volume: u8,
        muted: bool,
    },
    /// Stop playing (standby, activation lost).
    StopPlay,
    SetFavourite(u32, bool),
    SetLocked(u32, bool),
    Rename(u32, String),
    SwapNumbers(u32, u32),
    SetPin(String),
    SetCharset(String),
    /// Keep the last picture through a zap (else black until the new channel's first).
    SetHoldPicture(bool),
    FactoryReset,
    MarkInstalled,
    RefreshDiagnostics,
    RefreshActivation,
}

/// What the watching screen says instead of a picture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlayState {
    Playing,
    NoSignal,
    Scrambled,
    NotActivated,
    NoChannels,
    /// A locked channel waits for the parental PIN.
    PinRequired,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SettingsMode {
    Menu,
    PinEntry,
    ConfirmReset,
}

/// The whole UI state.
pub struct Ui {
    pub lang: Lang,
    pub screen: Screen,
    /// Where BACK returns: the screens opened on the way here (watching at the bottom).
    pub history: Vec<Screen>,
    pub notice: Option<Notice>,
    /// Standby (POWER): the screen dark, the signal meter and the GPS stopped, the front panel's standby LED lit.
    pub standby: bool,
    pub utc: i64,
    pub offset_s: i32,
    // Wizard.
    pub focus: usize,
    pub lnb_index: usize,
    pub lnb_power: bool,
    pub dish: DishView,
    pub signal: SignalView,
    pub scan_done: usize,
    pub scan_total: usize,
    pub scan_transponder: String,
    pub found_tv: usize,
    pub found_radio: usize,
    pub scan_finished: bool,
    // Watching.
    pub zapper: Zapper,
    pub channels: Vec<Channel>,
    pub play: PlayState,
    /// When the player of the channel being watched was started, and the channels whose sound and picture have
    /// come since: a channel playing for [`MEDIA_GRACE`] without them says so.
    pub play_started: Option<Instant>,
    pub heard: Option<u32>,
    pub seen: Option<u32>,
    pub banner_until: Option<Instant>,
    pub volume: u8,
    pub muted: bool,
    pub volume_until: Option<Instant>,
    /// The sound-track language chosen per service (original network, transport stream, service id), remembered
    /// across zaps and restarts.
    pub audio_choice: BTreeMap<ServiceKey, String>,
    /// Until when the sound track's language is shown (after the AUDIO key).
    pub audio_until: Option<Instant>,
    pub entry: String,
    pub activation: Option<activation::Report>,
    /// The operator's networks (original_network_id; the box's build configuration): their channels play only on
    /// an activated box. `None`: every network is the operator's.
    pub operator_networks: Option<Vec<u16>>,
    pub activation_qr: Option<(usize, Vec<bool>)>,
    pub pin: Option<String>,
    pub unlocked_channels: Vec<u32>,
    pub pin_typed: String,
    pub pin_wrong: bool,
    // Channel list.
    pub list_tab: ListKind,
    pub list_selected: usize,
    pub editing: bool,
    pub moving: bool,
    pub list_typed: String,
    /// Renaming a channel: its number, the name so far and the key under the cursor.
    pub rename: Option<(u32, String, usize)>,
    // Guide.
    pub epg: HashMap<(u16, u16, u16), Vec<EpgEntry>>,
    pub epg_channel: usize,
    pub epg_day: i64,
    pub epg_selected: usize,
    // Settings.
    pub settings_focus: usize,
    pub settings_mode: SettingsMode,
    pub charset_index: usize,
    /// After a zap the last picture stays on the screen until the new channel's first, as the best boxes do; the
    /// household may choose a black screen instead (a setting).
    pub hold_picture: bool,
    // Diagnostics.
    pub technician_pin: String,
    pub diagnostics_unlocked: bool,
    pub diagnostics: Vec<String>,
}

impl Ui {
    /// A box with this channel list: the wizard if it was never installed, else watching the last channel.
    pub fn new(lang: Lang, channels: Vec<Channel>, installed: bool, last: Option<u32>) -> Ui {
        let screen = if installed {
            Screen::Watching
        } else {
            Screen::WizardLanguage
        };
        let mut ui = Ui {
            lang,
            screen,
            history: Vec::new(),
            notice: None,
            standby: false,
            utc: 0,
            offset_s: 8 * 3600,
            focus: LANGS.iter().position(|l| *l == lang).unwrap_or(0),
            lnb_index: 0,
            lnb_power: true,
            dish: DishView::default(),
            signal: SignalView::default(),
            scan_done: 0,
            scan_total: 0,
            scan_transponder: String::new(),
            found_tv: 0,
            found_radio: 0,
            scan_finished: false,
            zapper: Zapper::new(channels.clone(), last),
            channels,
            play: PlayState::NoSignal,
            play_started: None,
            heard: None,
            seen: None,
            banner_until: None,
            volume: 60,
            muted: false,
            volume_until: None,
            audio_choice: BTreeMap::new(),
            audio_until: None,
            entry: String::new(),
            activation: None,
            operator_networks: None,
            activation_qr: None,
            pin: None,
            unlocked_channels: Vec::new(),
            pin_typed: String::new(),
            pin_wrong: false,
            list_tab: ListKind::Tv,
            list_selected: 0,
            editing: false,
            moving: false,
            list_typed: String::new(),
            rename: None,
            epg: HashMap::new(),
            epg_channel: 0,
            epg_day: 0,
            epg_selected: 0,
            settings_focus: 0,
            settings_mode: SettingsMode::Menu,
            charset_index: 0,
            hold_picture: true,
            technician_pin: "2580".into(),
            diagnostics_unlocked: false,
            diagnostics: Vec::new(),
        };
        if ui.channels.is_empty() {
            ui.play = PlayState::NoChannels;
        }
        ui
    }

    /// The requests to make when the UI starts (tune the last channel of an installed box).
    pub fn start(&mut self, now: Instant) -> Vec<Request> {
        let mut out = vec![Request::RefreshActivation];
        if self.screen == Screen::Watching {
            if let Some(c) = self.zapper.current().map(|c| c.number) {
                out.extend(self.watch(c, now));
            }
        }
        out
    }

    pub fn lnb_mhz(&self) -> u32 {
        LNB_CHOICES[self.lnb_index % LNB_CHOICES.len()]
    }

    /// The channel on the screen is a radio service (its own screen instead of a picture).
    pub fn watching_radio(&self) -> bool {
        self.zapper
            .current()
            .is_some_and(|c| c.kind == ServiceKind::Radio)
    }

    /// Whether the channel playing has, after [`MEDIA_GRACE`], still no sound and (a TV channel) no picture: the
    /// service sends none, or the box cannot decode it. Said on the screen instead of silence or black.
    pub fn missing_media(&self, now: Instant) -> (bool, bool) {
        let Some(current) = self.zapper.current().map(|c| c.number) else {
            return (false, false);
        };
        let waited = self
            .play_started
            .is_some_and(|t| now.duration_since(t) >= MEDIA_GRACE);
        if self.play != PlayState::Playing || self.standby || !waited {
            return (false, false);
        }
        (
            self.heard != Some(current),
            !self.watching_radio() && self.seen != Some(current),
        )
    }

    pub fn banner_shown(&self, now: Instant) -> bool {
        self.banner_until.is_some_and(|t| now < t)
    }

    pub fn volume_shown(&self, now: Instant) -> bool {
        self.volume_until.is_some_and(|t| now < t)
    }

    /// The sound track channel `ch` plays: the one in the language chosen for it, else its first. With its index.
    pub fn audio_track<'a>(&self, ch: &'a Channel) -> Option<(usize, &'a AudioTrack)> {
        let chosen = self.audio_choice.get(&service_key(ch));
        chosen
            .and_then(|l| {
                ch.audio
                    .iter()
                    .enumerate()
                    .find(|(_, t)| t.language.as_deref() == Some(l.as_str()))
            })
            .or_else(|| ch.audio.first().map(|t| (0, t)))
    }

    /// What the sound-track panel says, while it is shown: the track's language, its place and how many there are.
    pub fn audio_shown(&self, now: Instant) -> Option<(Option<String>, usize, usize)> {
        if self.audio_until.is_none_or(|t| now >= t) || self.screen != Screen::Watching {
            return None;
        }
        let ch = self.zapper.current()?;
        let (i, t) = self.audio_track(ch)?;
        Some((t.language.clone(), i + 1, ch.audio.len()))
    }

    /// The AUDIO key: the next sound track of the channel playing, remembered for it.
    fn next_audio_track(&mut self, now: Instant) -> Vec<Request> {
        self.audio_until = Some(now + VOLUME_TIME);
        let Some(ch) = self.zapper.current().cloned() else {
            return Vec::new();
        };
        let Some((i, _)) = self.audio_track(&ch) else {
            return Vec::new();
        };
        if ch.audio.len() < 2 || self.play != PlayState::Playing {
            return Vec::new();
        }
        let next = &ch.audio[(i + 1) % ch.audio.len()];
        let Some(language) = next.language.clone() else {
            return Vec::new();
        };
        self.audio_choice.insert(service_key(&ch), language);
        self.play_started = Some(now);
        self.heard = None;
        vec![
            Request::Play {
                number: ch.number,
                volume: self.volume,
                muted: self.muted,
                audio_pid: Some(next.pid),
            },
            Request::SaveAudioChoices(encode_audio_choices(&self.audio_choice)),
        ]
    }

    /// The channels of the list tab shown, in number order.
    pub fn list_rows(&self) -> Vec<&Channel> {
        let mut v: Vec<&Channel> = self
            .channels
            .iter()
            .filter(|c| self.list_tab.lists(c))
            .collect();
        v.sort_by_key(|c| c.number);
        v
    }

    /// The channels the guide walks (TV and radio, in number order).
    pub fn epg_channels(&self) -> Vec<&Channel> {
        let mut v: Vec<&Channel> = self.channels.iter().filter(|c| !c.vanished).collect();
        v.sort_by_key(|c| c.number);
        v
    }

    /// The guide's events of the selected channel and day (local days).
    pub fn epg_events(&self) -> Vec<&EpgEntry> {
        let chans = self.epg_channels();
        let Some(ch) = chans.get(self.epg_channel.min(chans.len().saturating_sub(1))) else {
            return Vec::new();
        };
        let local_day = |t: i64| (t + self.offset_s as i64).div_euclid(86400);
        let day = local_day(self.utc) + self.epg_day;
        let mut v: Vec<&EpgEntry> = self
            .epg
            .get(&(ch.onid, ch.tsid, ch.service_id))
            .map(|evs| evs.iter().filter(|e| local_day(e.start) == day).collect())
            .unwrap_or_default();
        v.sort_by_key(|e| e.start);
        v
    }

    /// Now and next of a channel at the current time.
    pub fn now_next(&self, ch: &Channel) -> (Option<&EpgEntry>, Option<&EpgEntry>) {
        let Some(evs) = self.epg.get(&(ch.onid, ch.tsid, ch.service_id)) else {
            return (None, None);
        };
        let mut sorted: Vec<&EpgEntry> = evs.iter().collect();
        sorted.sort_by_key(|e| e.start);
        let now = sorted
            .iter()
            .position(|e| e.start <= self.utc && self.utc < e.start + e.duration_s as i64);
        match now {
            Some(i) => (Some(sorted[i]), sorted.get(i + 1).copied()),
            None => (None, sorted.into_iter().find(|e| e.start > self.utc)),
        }
    }

    fn open(&mut self, screen: Screen) -> Vec<Request> {
        let mut out = Vec::new();
        if self.screen == Screen::Signal && screen != Screen::Signal {
            out.push(Request::StopSignal);
        }
        self.screen = screen;
        match screen {
            Screen::Signal => out.push(Request::MonitorSignal(
                self.zapper.current().map(|c| c.number),
            )),
            Screen::Activation => out.push(Request::RefreshActivation),
            Screen::Diagnostics => {
                self.diagnostics_unlocked = false;
                self.pin_typed.clear();
                self.pin_wrong = false;
            }
            Screen::ChannelList => {
                self.editing = false;
                self.moving = false;
                let current = self.zapper.current().map(|c| (c.number, c.kind));
                if let Some((n, kind)) = current {
                    self.list_tab = if kind == ServiceKind::Radio {
                        ListKind::Radio
                    } else {
                        ListKind::Tv
                    };
                    self.list_selected = self
                        .list_rows()
                        .iter()
                        .position(|c| c.number == n)
                        .unwrap_or(0);
                }
            }
            Screen::Epg => {
                let current = self.zapper.current().map(|c| c.number);
                self.epg_channel = self
                    .epg_channels()
                    .iter()
                    .position(|c| Some(c.number) == current)
                    .unwrap_or(0);
                self.epg_day = 0;
                self.epg_selected = 0;
            }
            Screen::Settings => self.settings_mode = SettingsMode::Menu,
            _ => {}
        }
        out
    }

    /// After standby: what the shown screen keeps running is asked for again (the picture, the meter, the GPS).
    fn resume(&mut self, now: Instant) -> Vec<Request> {
        let current = self.zapper.current().map(|c| c.number);
        match (self.screen, current) {
            (Screen::Watching, Some(n)) => self.watch(n, now),
            (Screen::Signal, n) => vec![Request::MonitorSignal(n)],
            (Screen::WizardSignal, _) => vec![Request::MonitorSignal(None)],
            (Screen::WizardDish, _) => vec![Request::WatchGps(true)],
            _ => Vec::new(),
        }
    }

    /// Opens an overlay screen on top of the current one (BACK comes back here).
    fn push(&mut self, screen: Screen) -> Vec<Request> {
        if !self.screen.is_wizard() && self.screen != screen {
            self.history.push(self.screen);
        }
        self.open(screen)
    }

    fn close(&mut self, now: Instant) -> Vec<Request> {
        let to = self.history.pop().unwrap_or(Screen::Watching);
        let mut out = self.open(to);
        if to == Screen::Watching {
            self.history.clear();
            if let Some(n) = self.zapper.current().map(|c| c.number) {
                if self.play == PlayState::NoSignal {
                    out.extend(self.watch(n, now));
                }
            }
        }
        out
    }

    /// Whether channel `number` may not play now for want of activation (it is the operator's and the box is
    /// not activated). Free-to-air channels of other networks play on any box.
    fn blocked_by_activation(&self, number: u32) -> bool {
        let not_activated = self
            .activation
            .as_ref()
            .is_some_and(|r| !r.status.can_watch());
        not_activated
            && self
                .channels
                .iter()
                .find(|c| c.number == number)
                .is_none_or(|c| {
                    crate::policy::needs_activation(c.onid, self.operator_networks.as_deref())
                })
    }

    fn watch(&mut self, number: u32, now: Instant) -> Vec<Request> {
        self.banner_until = Some(now + BANNER_TIME);
        self.entry.clear();
        // Until the new channel's player starts, nothing is missing yet.
        self.play_started = None;
        if self.blocked_by_activation(number) {
            self.play = PlayState::NotActivated;
        }
        let locked = self.channels.iter().any(|c| c.number == number && c.locked);
        if locked && self.pin.is_some() && !self.unlocked_channels.contains(&number) {
            self.play = PlayState::PinRequired;
            self.pin_typed.clear();
            self.pin_wrong = false;
            // The channel before stops: its sound must not go on under the PIN prompt.
            return vec![Request::StopSignal, Request::StopPlay];
        }
        vec![Request::Tune(number)]
    }

    fn zap(&mut self, z: Zap, now: Instant) -> Vec<Request> {
        match z {
            Zap::Nothing => {
                self.entry.clear();
                Vec::new()
            }
            Zap::Typing(s) => {
                self.entry = s;
                Vec::new()
            }
            // The channel playing chosen again (its number typed while it plays): its banner, no retune, no gap.
            Zap::Watch(n) if self.is_playing(n) => {
                self.banner_until = Some(now + BANNER_TIME);
                self.entry.clear();
                Vec::new()
            }
            Zap::Watch(n) => self.watch(n, now),
            Zap::NoSuchChannel(n) => {
                self.entry = format!("{n} ✕");
                Vec::new()
            }
        }
    }

    /// What the front panel shows.
    pub fn panel(&self) -> super::front_panel::Shown {
        use super::front_panel::Shown;
        if self.standby {
            Shown::Standby
        } else if self.screen.is_wizard() {
            Shown::NoChannel
        } else {
            self.zapper
                .current()
                .map_or(Shown::NoChannel, |c| Shown::Channel(c.number))
        }
    }

    /// A remote key.
    pub fn key(&mut self, action: Action, now: Instant) -> Vec<Request> {
        let out = self.key_inner(action, now);
        self.playback_follows(out)
    }

    fn key_inner(&mut self, action: Action, now: Instant) -> Vec<Request> {
        if action == Action::Power {
            self.standby = !self.standby;
            if self.standby {
                let mut out = vec![Request::StopSignal, Request::StopPlay];
                if self.screen == Screen::WizardDish {
                    out.push(Request::WatchGps(false));
                }
                return out;
            }
            return self.resume(now);
        }
        if self.standby {
            // Only POWER wakes the box.
            return Vec::new();
        }
        // The signal meter is one key away from every screen (BLUE where colour keys mean nothing else).
        let colour_keys_busy = self.screen == Screen::ChannelList
            || (self.screen == Screen::Settings
                && self.settings_mode == SettingsMode::ConfirmReset);
        if action == Action::Signal || (action == Action::Blue && !colour_keys_busy) {
            if self.screen == Screen::Signal {
                return self.close(now);
            }
            return self.push(Screen::Signal);
        }
        match self.screen {
            Screen::WizardLanguage => self.key_language(action),
            Screen::WizardSatellite => self.key_satellite(action),
            Screen::WizardDish => match action {
                Action::Ok => {
                    self.screen = Screen::WizardSignal;
                    self.signal = SignalView::default();
                    vec![Request::WatchGps(false), Request::MonitorSignal(None)]
                }
                Action::Back => {
                    self.screen = Screen::WizardSatellite;
                    vec![Request::WatchGps(false)]
                }
                _ => Vec::new(),
            },
            Screen::WizardSignal => match action {
                Action::Ok => {
                    self.screen = Screen::WizardScan;
                    self.scan_done = 0;
                    self.scan_total = 0;
                    self.found_tv = 0;
                    self.found_radio = 0;
                    self.scan_finished = false;
                    vec![
                        Request::StopSignal,
                        Request::StartScan {
                            lof_mhz: self.lnb_mhz(),
                            power: self.lnb_power,
                        },
                    ]
                }
                Action::Back => {
                    self.screen = Screen::WizardDish;
                    vec![Request::StopSignal, Request::WatchGps(true)]
                }
                _ => Vec::new(),
            },
            Screen::WizardScan => match action {
                Action::Back if !self.scan_finished => vec![Request::StopScan],
                Action::Ok if self.scan_finished => {
                    self.screen = Screen::WizardDone;
                    Vec::new()
                }
                _ => Vec::new(),
            },
            Screen::WizardDone => match action {
                Action::Ok => {
                    self.screen = Screen::Watching;
                    self.history.clear();
                    let mut out = vec![Request::MarkInstalled];
                    if let Some(n) = self.first_channel().map(|c| c.number) {
                        self.zapper = Zapper::new(self.channels.clone(), Some(n));
                        out.extend(self.watch(n, now));
                    } else {
                        self.play = PlayState::NoChannels;
                    }
                    out
                }
                Action::Back => {
                    self.screen = Screen::WizardSatellite;
                    Vec::new()
                }
                _ => Vec::new(),
            },
            Screen::Watching => self.key_watching(action, now),
            Screen::ChannelList => self.key_list(action, now),
            Screen::Epg => self.key_epg(action, now),
            Screen::Signal => match action {
                Action::Back | Action::Ok => self.close(now),
                _ => Vec::new(),
            },
            Screen::Settings => self.key_settings(action, now),
            Screen::Activation => match action {
                Action::Back | Action::Ok => self.close(now),
                _ => Vec::new(),
            },
            Screen::Diagnostics => self.key_diagnostics(action, now),
        }
    }

    /// The first TV channel of the list (where the wizard ends).
    pub fn first_channel(&self) -> Option<&Channel> {
        self.channels
            .iter()
            .filter(|c| !c.vanished && c.kind == ServiceKind::Tv)
            .min_by_key(|c| c.number)
            .or_else(|| {
                self.channels
                    .iter()
                    .filter(|c| !c.vanished)
                    .min_by_key(|c| c.number)
            })
    }

    fn key_language(&mut self, action: Action) -> Vec<Request> {
        match action {
            Action::Up => self.focus = (self.focus + LANGS.len() - 1) % LANGS.len(),
            Action::Down => self.focus = (self.focus + 1) % LANGS.len(),
            Action::Digit(d @ 1..=3) => self.focus = d as usize - 1,
            Action::Ok => {
                self.lang = LANGS[self.focus % LANGS.len()];
                self.screen = Screen::WizardSatellite;
                self.focus = 0;
                return vec![Request::SetLanguage(self.lang)];
            }
            _ => {}
        }
        Vec::new()
    }

    fn key_satellite(&mut self, action: Action) -> Vec<Request> {
        const ROWS: usize = 4;
        match action {
            Action::Up => self.focus = (self.focus + ROWS - 1) % ROWS,
            Action::Down => self.focus = (self.focus + 1) % ROWS,
            Action::Left | Action::Right => {
                let forward = action == Action::Right;
                match self.focus {
                    1 => {
                        let n = LNB_CHOICES.len();
                        self.lnb_index = if forward {
                            (self.lnb_index + 1) % n
                        } else {
                            (self.lnb_index + n - 1) % n
                        };
                    }
                    2 => self.lnb_power = !self.lnb_power,
                    _ => {}
                }
            }
            Action::Ok => {
                self.screen = Screen::WizardDish;
                self.focus = LANGS.iter().position(|l| *l == self.lang).unwrap_or(0);
                return vec![
                    Request::SetLnb {
                        lof_mhz: self.lnb_mhz(),
                        power: self.lnb_power,
                    },
                    Request::WatchGps(true),
                ];
            }
            Action::Back => {
                self.screen = Screen::WizardLanguage;
                self.focus = LANGS.iter().position(|l| *l == self.lang).unwrap_or(0);
            }
            _ => {}
        }
        Vec::new()
    }

    fn key_pin(&mut self, action: Action) -> Option<String> {
        match action {
            Action::Digit(d) => {
                self.pin_wrong = false;
                self.pin_typed.push(char::from(b'0' + d));
                if self.pin_typed.len() == 4 {
                    return Some(std::mem::take(&mut self.pin_typed));
                }
            }
            Action::Left | Action::Back if !self.pin_typed.is_empty() => {
                self.pin_typed.pop();
            }
            _ => {}
        }
        None
    }

    fn key_watching(&mut self, action: Action, now: Instant) -> Vec<Request> {
        if self.play == PlayState::PinRequired {
            let number = self.zapper.current().map(|c| c.number);
            match action {
                Action::Digit(_) | Action::Left => {
                    if let (Some(typed), Some(n)) = (self.key_pin(action), number) {
                        if Some(&typed) == self.pin.as_ref() {
                            self.unlocked_channels.push(n);
                            self.play = PlayState::NoSignal;
                            return self.watch(n, now);
                        }
                        self.pin_wrong = true;
                    }
                    return Vec::new();
                }
                Action::Ok | Action::Back => return Vec::new(),
                _ => {}
            }
        }
        match action {
            Action::VolumeUp | Action::VolumeDown => {
                self.muted = false;
                self.volume = if action == Action::VolumeUp {
                    (self.volume + 5).min(100)
                } else {
                    self.volume.saturating_sub(5)
                };
                self.volume_until = Some(now + VOLUME_TIME);
                vec![Request::Volume {
                    volume: self.volume,
                    muted: self.muted,
                }]
            }
            Action::Mute => {
                self.muted = !self.muted;
                self.volume_until = Some(now + VOLUME_TIME);
                vec![Request::Volume {
                    volume: self.volume,
                    muted: self.muted,
                }]
            }
            Action::Info => {
                self.banner_until = if self.banner_shown(now) {
                    None
                } else {
                    Some(now + BANNER_TIME)
                };
                Vec::new()
            }
            Action::Menu => self.push(Screen::Settings),
            Action::Epg => self.push(Screen::Epg),
            Action::Audio => self.next_audio_track(now),
            Action::Ok if self.entry.is_empty() => self.push(Screen::ChannelList),
            Action::Back if self.entry.is_empty() => {
                self.banner_until = None;
                Vec::new()
            }
            _ => {
                let z = self.zapper.press(action, now);
                self.zap(z, now)
            }
        }
    }

    fn key_list(&mut self, action: Action, now: Instant) -> Vec<Request> {
        let rows: Vec<(u32, bool, bool)> = self
            .list_rows()
            .iter()
            .map(|c| (c.number, c.favourite, c.locked))
            .collect();
        let n = rows.len();
        if let Some((number, mut text, mut at)) = self.rename.take() {
            let cols = 10;
            match action {
                Action::Left => at = (at + RENAME_KEYS.len() - 1) % RENAME_KEYS.len(),
                Action::Right => at = (at + 1) % RENAME_KEYS.len(),
                Action::Up => at = (at + RENAME_KEYS.len() - cols) % RENAME_KEYS.len(),
                Action::Down => at = (at + cols) % RENAME_KEYS.len(),
                Action::Ok if text.chars().count() < RENAME_MAX => text.push(RENAME_KEYS[at]),
                Action::Digit(d) if text.chars().count() < RENAME_MAX => {
                    text.push(char::from(b'0' + d))
                }
                Action::Red => {
                    text.pop();
                }
                Action::Green => {
                    let name = text.trim().to_string();
                    if name.is_empty() {
                        // An empty name would leave a blank row: keep typing.
                        self.rename = Some((number, text, at));
                        return Vec::new();
                    }
                    self.set_flag(number, |c| c.name = name.clone());
                    return vec![Request::Rename(number, name)];
                }
                Action::Back => return Vec::new(),
                _ => {}
            }
            self.rename = Some((number, text, at));
            return Vec::new();
        }
        if self.moving {
            match action {
                Action::Up | Action::Down if n > 1 => {
                    let from = self.list_selected.min(n - 1);
                    let to = if action == Action::Up {
                        (from + n - 1) % n
                    } else {
                        (from + 1) % n
                    };
                    let (a, b) = (rows[from].0, rows[to].0);
                    self.swap_numbers(a, b);
                    self.list_selected = to;
                    return vec![Request::SwapNumbers(a, b)];
                }
                Action::Ok | Action::Back | Action::Green => self.moving = false,
                _ => {}
            }
            return Vec::new();
        }
        match action {
            Action::Up if n > 0 => self.list_selected = (self.list_selected + n - 1) % n,
            Action::Down if n > 0 => self.list_selected = (self.list_selected + 1) % n,
            Action::Left | Action::Right if !self.editing => {
                let tabs = [ListKind::Tv, ListKind::Radio, ListKind::Favourites];
                let i = tabs.iter().position(|t| *t == self.list_tab).unwrap_or(0);
                self.list_tab = tabs[if action == Action::Right {
                    (i + 1) % 3
                } else {
                    (i + 2) % 3
                }];
                self.list_selected = 0;
            }
            Action::Digit(d) => {
                self.list_typed.push(char::from(b'0' + d));
                if let Ok(num) = self.list_typed.parse::<u32>() {
                    if let Some(i) = rows.iter().position(|r| r.0 == num) {
                        self.list_selected = i;
                    }
                }
                let longest = rows
                    .iter()
                    .map(|r| r.0.to_string().len())
                    .max()
                    .unwrap_or(1);
                if self.list_typed.len() >= longest {
                    self.list_typed.clear();
                }
            }
            Action::Ok if !self.editing => {
                self.list_typed.clear();
                if let Some(&(num, _, _)) = rows.get(self.list_selected) {
                    self.zapper.set_list(self.list_tab);
                    self.screen = Screen::Watching;
                    self.history.clear();
                    let z = self.zapper_watch(num, now);
                    return z;
                }
            }
            Action::Red if !self.editing => self.editing = true,
            Action::Red => {
                if let Some(&(num, fav, _)) = rows.get(self.list_selected) {
                    self.set_flag(num, |c| c.favourite = !fav);
                    return vec![Request::SetFavourite(num, !fav)];
                }
            }
            Action::Green if self.editing && n > 1 => self.moving = true,
            Action::Yellow if self.editing => {
                if let Some(&(num, _, locked)) = rows.get(self.list_selected) {
                    self.set_flag(num, |c| c.locked = !locked);
                    return vec![Request::SetLocked(num, !locked)];
                }
            }
            Action::Blue if self.editing => {
                if let Some(c) = self.list_rows().get(self.list_selected) {
                    self.rename = Some((c.number, c.name.clone(), 0));
                }
            }
            Action::Back if self.editing => self.editing = false,
            Action::Back => {
                self.list_typed.clear();
                return self.close(now);
            }
            _ => {}
        }
        Vec::new()
    }

    fn zapper_watch(&mut self, number: u32, now: Instant) -> Vec<Request> {
        // Through the zapper so that recall remembers where we came from.
        let previous = self.zapper.current().map(|c| c.number);
        if previous != Some(number) {
            let digits: Vec<u8> = number.to_string().bytes().map(|b| b - b'0').collect();
            let mut z = Zap::Nothing;
            for d in digits {
                z = self.zapper.press(Action::Digit(d), now);
            }
            if let Zap::Typing(_) = z {
                z = self.zapper.press(Action::Ok, now);
            }
            return self.zap(z, now);
        }
        self.zap(Zap::Watch(number), now)
    }

    fn set_flag(&mut self, number: u32, f: impl Fn(&mut Channel)) {
        for c in self.channels.iter_mut().filter(|c| c.number == number) {
            f(c);
        }
        let current = self.zapper.current().map(|c| c.number);
        let list = self.zapper.list();
        self.zapper = Zapper::new(self.channels.clone(), current);
        self.zapper.set_list(list);
    }

    fn swap_numbers(&mut self, a: u32, b: u32) {
        for c in self.channels.iter_mut() {
            if c.number == a {
                c.number = b;
            } else if c.number == b {
                c.number = a;
            }
        }
        let current = self.zapper.current().map(|c| c.number).map(|n| {
            if n == a {
                b
            } else if n == b {
                a
            } else {
                n
            }
        });
        self.zapper = Zapper::new(self.channels.clone(), current);
    }

    fn key_epg(&mut self, action: Action, now: Instant) -> Vec<Request> {
        let events = self.epg_events().len();
        let chans = self.epg_channels().len();
        match action {
            Action::Up if events > 0 => {
                self.epg_selected = (self.epg_selected + events - 1) % events
            }
            Action::Down if events > 0 => self.epg_selected = (self.epg_selected + 1) % events,
            Action::Left => {
                self.epg_day = (self.epg_day - 1).max(0);
                self.epg_selected = 0;
            }
            Action::Right => {
                self.epg_day = (self.epg_day + 1).min(EPG_DAYS - 1);
                self.epg_selected = 0;
            }
            Action::ChannelUp if chans > 0 => {
                self.epg_channel = (self.epg_channel + 1) % chans;
                self.epg_selected = 0;
            }
            Action::ChannelDown if chans > 0 => {
                self.epg_channel = (self.epg_channel + chans - 1) % chans;
                self.epg_selected = 0;
            }
            Action::Back | Action::Epg => return self.close(now),
            _ => {}
        }
        Vec::new()
    }

    fn key_settings(&mut self, action: Action, now: Instant) -> Vec<Request> {
        match self.settings_mode {
            SettingsMode::PinEntry => {
                if action == Action::Back && self.pin_typed.is_empty() {
                    self.settings_mode = SettingsMode::Menu;
                } else if let Some(pin) = self.key_pin(action) {
                    self.pin = Some(pin.clone());
                    self.unlocked_channels.clear();
                    self.settings_mode = SettingsMode::Menu;
                    return vec![Request::SetPin(pin)];
                }
                return Vec::new();
            }
            SettingsMode::ConfirmReset => {
                match action {
                    Action::Red => {
                        self.settings_mode = SettingsMode::Menu;
                        self.channels.clear();
                        self.zapper = Zapper::new(Vec::new(), None);
                        self.pin = None;
                        self.epg.clear();
                        self.screen = Screen::WizardLanguage;
                        self.focus = LANGS.iter().position(|l| *l == self.lang).unwrap_or(0);
                        self.audio_choice.clear();
                        self.hold_picture = true;
                        return vec![
                            Request::StopSignal,
                            Request::StopPlay,
                            Request::FactoryReset,
                        ];
                    }
                    Action::Back => self.settings_mode = SettingsMode::Menu,
                    _ => {}
                }
                return Vec::new();
            }
            SettingsMode::Menu => {}
        }
        match action {
            Action::Up => {
                self.settings_focus = (self.settings_focus + SETTINGS_ROWS - 1) % SETTINGS_ROWS
            }
            Action::Down => self.settings_focus = (self.settings_focus + 1) % SETTINGS_ROWS,
            Action::Left | Action::Right => {
                let forward = action == Action::Right;
                let step = |i: usize, n: usize| {
                    if forward {
                        (i + 1) % n
                    } else {
                        (i + n - 1) % n
                    }
                };
                match self.settings_focus {
                    0 => {
                        let i = LANGS.iter().position(|l| *l == self.lang).unwrap_or(0);
                        self.lang = LANGS[step(i, LANGS.len())];
                        return vec![Request::SetLanguage(self.lang)];
                    }
                    1 => {
                        self.lnb_index = step(self.lnb_index, LNB_CHOICES.len());
                        return vec![Request::SetLnb {
                            lof_mhz: self.lnb_mhz(),
                            power: self.lnb_power,
                        }];
                    }
                    3 => {
                        self.charset_index = step(self.charset_index, CHARSET_CHOICES.len());
                        return vec![Request::SetCharset(
                            CHARSET_CHOICES[self.charset_index].into(),
                        )];
                    }
                    4 => {
                        self.hold_picture = !self.hold_picture;
                        return vec![Request::SetHoldPicture(self.hold_picture)];
                    }
                    _ => {}
                }
            }
            Action::Ok => match self.settings_focus {
                2 => {
                    self.settings_mode = SettingsMode::PinEntry;
                    self.pin_typed.clear();
                    self.pin_wrong = false;
                }
                5 => {
                    self.screen = Screen::WizardSatellite;
                    self.focus = 0;
                    return vec![Request::StopSignal, Request::StopPlay];
                }
                6 => self.settings_mode = SettingsMode::ConfirmReset,
                8 => return self.push(Screen::Activation),
                9 => return self.push(Screen::Diagnostics),
                _ => {}
            },
            Action::Back | Action::Menu => return self.close(now),
            _ => {}
        }
        Vec::new()
    }

    fn key_diagnostics(&mut self, action: Action, now: Instant) -> Vec<Request> {
        if !self.diagnostics_unlocked {
            if action == Action::Back && self.pin_typed.is_empty() {
                return self.close(now);
            }
            if let Some(pin) = self.key_pin(action) {
                if pin == self.technician_pin {
                    self.diagnostics_unlocked = true;
                    return vec![Request::RefreshDiagnostics];
                }
                self.pin_wrong = true;
            }
            return Vec::new();
        }
        match action {
            Action::Back | Action::Ok => self.close(now),
            _ => Vec::new(),
        }
    }

    /// Time passes: number entry completes, banners hide.
    pub fn tick(&mut self, now: Instant) -> Vec<Request> {
        let out = self.tick_inner(now);
        self.playback_follows(out)
    }

    fn tick_inner(&mut self, now: Instant) -> Vec<Request> {
        if self.screen == Screen::Watching {
            if let Some(z) = self.zapper.tick(now) {
                return self.zap(z, now);
            }
        }
        if self.screen == Screen::ChannelList && !self.list_typed.is_empty() {
            // The list's jump-by-number forgets its digits with the banner's rhythm.
            if self.banner_until.is_some_and(|t| now >= t) {
                self.list_typed.clear();
            }
        }
        Vec::new()
    }

    /// A backend event.
    pub fn event(&mut self, event: Event, now: Instant) -> Vec<Request> {
        let out = self.event_inner(event, now);
        self.playback_follows(out)
    }

    /// What was heard and seen belongs to the playback before a retune or a stop: forgotten with it, so the next
    /// playback's sound and picture (even of the same channel) are waited for anew and a late report of the one
    /// before cannot stand in for them.
    fn playback_follows(&mut self, out: Vec<Request>) -> Vec<Request> {
        if out.iter().any(|r| {
            matches!(
                r,
                Request::Tune(_) | Request::StopPlay | Request::StopSignal
            )
        }) {
            self.heard = None;
            self.seen = None;
        }
        out
    }

    /// Whether channel `number` is playing now: tuned, and its sound or picture has come since.
    fn is_playing(&self, number: u32) -> bool {
        self.play == PlayState::Playing
            && !self.standby
            && (self.heard == Some(number) || self.seen == Some(number))
    }

    fn event_inner(&mut self, event: Event, now: Instant) -> Vec<Request> {
        match event {
            Event::Signal(s) => self.signal = s,
            Event::Dish(d) => self.dish = d,
            Event::ScanProgress {
                done,
                total,
                transponder,
                tv,
                radio,
            } => {
                self.scan_done = done;
                self.scan_total = total;
                self.scan_transponder = transponder;
                self.found_tv = tv;
                self.found_radio = radio;
            }
            Event::ScanFinished(channels) => {
                self.scan_finished = true;
                self.scan_done = self.scan_total;
                self.found_tv = channels
                    .iter()
                    .filter(|c| !c.vanished && c.kind == ServiceKind::Tv)
                    .count();
                self.found_radio = channels
                    .iter()
                    .filter(|c| !c.vanished && c.kind == ServiceKind::Radio)
                    .count();
                self.set_channels(channels);
            }
            Event::Channels(channels) => self.set_channels(channels),
            Event::Tuned {
                number,
                locked,
                scrambled,
            } => {
                if self.zapper.current().map(|c| c.number) == Some(number) {
                    self.play = if self.blocked_by_activation(number) {
                        PlayState::NotActivated
                    } else if !locked {
                        PlayState::NoSignal
                    } else if scrambled {
                        PlayState::Scrambled
                    } else {
                        PlayState::Playing
                    };
                    if self.play == PlayState::Playing && !self.standby {
                        self.play_started = Some(now);
                        self.heard = None;
                        self.seen = None;
                        // Always the PID: tsdemux does not find a PMT's tracks in the PMT's order, and the panel
                        // names the track the model chose.
                        let audio_pid = self
                            .zapper
                            .current()
                            .and_then(|c| self.audio_track(c))
                            .map(|(_, t)| t.pid);
                        return vec![Request::Play {
                            number,
                            volume: self.volume,
                            muted: self.muted,
                            audio_pid,
                        }];
                    }
                    // The channel before may still be playing (the player is kept across zaps on a transponder).
                    return vec![Request::StopPlay];
                }
            }
            Event::SoundStarted(n) => self.heard = Some(n),
            Event::PictureStarted(n) => self.seen = Some(n),
            Event::Epg(entries) => {
                for e in entries {
                    let list = self.epg.entry(e.service).or_default();
                    if !list.iter().any(|x| x.start == e.start) {
                        list.push(e);
                    }
                }
            }
            Event::Activation(report, qr) => {
                let can_watch = report.status.can_watch();
                self.activation = Some(*report);
                self.activation_qr = qr;
                let current = self.zapper.current().map(|c| c.number);
                if !can_watch
                    && self.screen == Screen::Watching
                    && !self.channels.is_empty()
                    && current.is_none_or(|n| self.blocked_by_activation(n))
                {
                    let was_playing = self.play == PlayState::Playing;
                    self.play = PlayState::NotActivated;
                    if was_playing {
                        return vec![Request::StopPlay];
                    }
                } else if can_watch && self.play == PlayState::NotActivated {
                    if let Some(n) = self.zapper.current().map(|c| c.number) {
                        self.play = PlayState::NoSignal;
                        return self.watch(n, now);
                    }
                }
            }
            Event::Notice(n) => self.notice = Some(n),
            Event::NoticeCleared => self.notice = None,
            Event::Diagnostics(v) => self.diagnostics = v,
            Event::Clock { utc, offset_s } => {
                self.utc = utc;
                self.offset_s = offset_s;
            }
        }
        Vec::new()
    }

    fn set_channels(&mut self, channels: Vec<Channel>) {
        let current = self.zapper.current().map(|c| c.number);
        self.channels = channels;
        self.zapper = Zapper::new(self.channels.clone(), current);
        if self.channels.is_empty() {
            self.play = PlayState::NoChannels;
        } else if self.play == PlayState::NoChannels {
            self.play = PlayState::NoSignal;
        }
    }
}

/// A service as the sound-track choices name it: (original_network_id, transport_stream_id, service_id).
pub type ServiceKey = (u16, u16, u16);

/// The service `ch` carries.
pub fn service_key(ch: &Channel) -> ServiceKey {
    (ch.onid, ch.tsid, ch.service_id)
}

/// The sound-track choices as the settings table keeps them: one `onid.tsid.sid=language` a line.
pub fn encode_audio_choices(choices: &BTreeMap<ServiceKey, String>) -> String {
    choices
        .iter()
        .map(|((onid, tsid, sid), l)| format!("{onid}.{tsid}.{sid}={l}\n"))
        .collect()
}

/// The choices kept by [`encode_audio_choices`]; a line that does not read is left out.
pub fn decode_audio_choices(text: &str) -> BTreeMap<ServiceKey, String> {
    text.lines()
        .filter_map(|line| {
            let (key, language) = line.split_once('=')?;
            let mut ids = key.split('.').map(|n| n.trim().parse::<u16>());
            let key = (ids.next()?.ok()?, ids.next()?.ok()?, ids.next()?.ok()?);
            let language = language.trim();
            (ids.next().is_none()
                && !language.is_empty()
                && language.len() <= 8
                && language.chars().all(|c| c.is_ascii_alphanumeric()))
            .then(|| (key, language.to_string()))
        })
        .collect()
}
