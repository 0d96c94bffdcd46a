//! `stb-app ui`: the box's main program. The screens on the framebuffer, the remote read from evdev on its own
//! thread, and a backend thread that owns the tuner, the channel database, the GPS and the activation state, so
//! the UI thread never waits on a device: both threads talk to it through `slint::invoke_from_event_loop`.

use std::cell::RefCell;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::framebuffer::Framebuffer;
use crate::platform::Display;
use crate::settings::{self, Saved};
use crate::shell::{self, Shell};
use dish_align::catalogue::{Catalogue, Satellite, Target};
use slint::platform::software_renderer::SoftwareRenderer;
use slint::ComponentHandle;
use stb_app::channels::ChannelDb;
use stb_app::dvb::Adapter;
use stb_app::lnb::Lnb;
use stb_app::scan::{self, Progress, ScanOptions, ServiceKind, Strategy};
use stb_app::tuner::linux::LinuxTuner;
use stb_app::tuner::replay::ReplayTuner;
use stb_app::tuner::{Transponder, TuneRequest, Tuner};
use stb_app::ui::front_panel;
use stb_app::ui::keys::KeyMap;
use stb_app::ui::model::{self, DishView, Event, Lang, Notice, Request, SignalView, Ui};
use stb_app::ui::remote::Remote;

use stb_app::console::{data_dir, CliError};

#[derive(clap::Args, Debug)]
pub struct UiArgs {
    /// The framebuffer device the screens are drawn on.
    #[arg(long, default_value = "/dev/fb0")]
    pub fb: PathBuf,
    #[arg(long, default_value_t = 0)]
    pub adapter: u32,
    /// The positioning module (NMEA).
    #[arg(long, default_value = "/dev/gps")]
    pub gps: PathBuf,
    /// A key-map file for another remote (`KEY_NAME = action` lines).
    #[arg(long)]
    pub keymap: Option<PathBuf>,
    /// A replay lineup (transport-stream files) instead of the tuner: for development and demos.
    #[arg(long)]
    pub replay: Option<PathBuf>,
    /// In a window of the desktop instead of the framebuffer (development; build with `--features desktop`).
    /// Keys: arrows, Enter, Esc, PgUp/PgDn, digits, F1-F4 colours, F12 power, M I E S L + - X.
    #[arg(long)]
    pub window: bool,
    /// The window's size.
    #[arg(long, default_value = "1280x720", value_parser = crate::render_cmd::screen_size)]
    pub size: slint::PhysicalSize,
}

fn now_utc() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Seconds since the kernel started (what "first frame within 3 s of user space" is measured against).
fn uptime() -> Option<f64> {
    std::fs::read_to_string("/proc/uptime")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

thread_local! {
    static PANEL: RefCell<Option<mpsc::Sender<front_panel::Shown>>> = const { RefCell::new(None) };
    static STATE: RefCell<Option<(Ui, Shell, mpsc::Sender<Request>)>> = const { RefCell::new(None) };
    static SHOWN: RefCell<Option<model::Screen>> = const { RefCell::new(None) };
    static MISSING: std::cell::Cell<(bool, bool)> = const { std::cell::Cell::new((false, false)) };
    static PICTURE: RefCell<Option<crate::picture::PictureShown>> = const { RefCell::new(None) };
    static ZAP: RefCell<Option<ZapTiming>> = const { RefCell::new(None) };
}

/// The last zap, for the log: its channel, when the screens chose it (the key reached them), and whether its first
/// sound and first picture have been told yet.
struct ZapTiming {
    number: u32,
    at: Instant,
    sound: bool,
    picture: bool,
}

impl ZapTiming {
    /// Logs how long after the zap its first sound and first picture came (benchmarks and technicians read it).
    fn follow(&mut self, ui: &Ui, now: Instant) {
        let ms = now.duration_since(self.at).as_millis();
        if !self.sound && ui.heard == Some(self.number) {
            self.sound = true;
            eprintln!(
                "ui: channel {}: first sound {ms} ms after the zap",
                self.number
            );
        }
        if !self.picture && ui.seen == Some(self.number) {
            self.picture = true;
            eprintln!(
                "ui: channel {}: first picture {ms} ms after the zap",
                self.number
            );
        }
    }
}

/// Runs on the UI thread: a new frame of the channel being watched onto the screen.
fn show_picture() {
    let first = STATE.with(|s| {
        PICTURE.with(|p| match (s.borrow().as_ref(), p.borrow_mut().as_mut()) {
            (Some((ui, shell, _)), Some(p)) => p.update(ui, &shell.app, Instant::now()),
            _ => None,
        })
    });
    if let Some(number) = first {
        with_ui(|ui, now| ui.event(Event::PictureStarted(number), now));
    }
}

/// Runs on the UI thread: feed the model, forward its requests, redraw.
fn with_ui(f: impl FnOnce(&mut Ui, Instant) -> Vec<Request>) {
    STATE.with(|s| {
        if let Some((ui, shell, to_backend)) = s.borrow_mut().as_mut() {
            let now = Instant::now();
            for r in f(ui, now) {
                if let Request::Tune(number) = r {
                    ZAP.set(Some(ZapTiming {
                        number,
                        at: now,
                        sound: false,
                        picture: false,
                    }));
                }
                let _ = to_backend.send(r);
            }
            ZAP.with_borrow_mut(|z| {
                if let Some(z) = z.as_mut() {
                    z.follow(ui, now)
                }
            });
            shell.show(ui, now);
            let shown = ui.panel();
            PANEL.with(|p| {
                if let Some(tx) = p.borrow().as_ref() {
                    let _ = tx.send(shown);
                }
            });
            // One log line per screen change: technicians read it, the end-to-end test follows it.
            SHOWN.with(|shown| {
                if shown.replace(Some(ui.screen)) != Some(ui.screen) {
                    eprintln!("ui: screen {}", ui.screen.name());
                }
            });
            // And when a playing channel is said to have no sound or no picture.
            MISSING.with(|said| {
                let missing = ui.missing_media(now);
                if said.replace(missing) != missing && missing != (false, false) {
                    let number = ui.zapper.current().map_or(0, |c| c.number);
                    eprintln!(
                        "ui: channel {number} has{}{}",
                        if missing.0 { " no sound" } else { "" },
                        if missing.1 { " no picture" } else { "" }
                    );
                }
            });
        }
    });
}

/// The satellite the box is installed for: ChinaSat 9 / 9C, 户户通.
const SATELLITE: &str = "92.2E";

pub fn run(a: &UiArgs) -> Result<i32, CliError> {
    let started = uptime();
    let keymap = match &a.keymap {
        Some(p) => KeyMap::with_file(p).map_err(|e| CliError::usage(e.to_string()))?,
        None => KeyMap::default(),
    };
    let size = std::cell::Cell::new(a.size);
    let shell = if a.window {
        let shell = shell::open_desktop(a.size)
            .map_err(|e| CliError::failed(format!("cannot open a window: {e}")))?;
        // Keys of the window come through Slint, mapped as the evdev keys they stand for.
        let keys = keymap.clone();
        shell
            .app
            .global::<crate::screens::Nav>()
            .on_key(move |text| {
                if let Some(action) = crate::desktop_keys::desktop_action(&keys, &text) {
                    eprintln!("ui: key {action:?}");
                    with_ui(|ui, now| ui.key(action, now));
                }
            });
        shell
    } else {
        let fb = Framebuffer::open(&a.fb).map_err(|e| CliError::failed(e.to_string()))?;
        let (w, h) = fb.size();
        size.set(slint::PhysicalSize::new(w, h));
        let display = FirstFrame {
            fb,
            started,
            told: false,
        };
        shell::open(slint::PhysicalSize::new(w, h), Some(Box::new(display)))
            .map_err(|e| CliError::failed(format!("cannot start the screens: {e}")))?
    };
    let db_path = data_dir().join("channels.db");
    let (channels, saved) = match ChannelDb::open(&db_path) {
        Ok(db) => (db.channels().unwrap_or_default(), Saved::load(&db)),
        Err(_) => (Vec::new(), Saved::default()),
    };
    let lang = saved
        .lang
        .unwrap_or_else(|| Lang::from_locale(&std::env::var("LANG").unwrap_or_default()));
    // Back on the channel watched last, at the volume left, as a household expects after a power cut.
    let mut ui = Ui::new(lang, channels, saved.installed, saved.last_channel);
    saved.apply(&mut ui);
    ui.operator_networks = stb_app::policy::operator_networks(std::path::Path::new(
        stb_app::policy::OPERATOR_NETWORKS,
    ));
    if let Ok(pin) = std::fs::read_to_string("/etc/stb/technician-pin") {
        ui.technician_pin = pin.trim().to_string();
    }
    // The picture file the player writes into, at the screen's size (no pictures, only sound, without it).
    let picture = match crate::picture::PictureShown::create(
        std::path::Path::new(stb_app::picture::DEFAULT_PATH),
        size.get().width,
        size.get().height,
    ) {
        Ok(p) => Some(p),
        Err(e) => {
            eprintln!("ui: no pictures: {e}");
            None
        }
    };
    let picture_path = picture.as_ref().map(|p| p.path().to_path_buf());
    PICTURE.with(|p| *p.borrow_mut() = picture);
    let (to_backend, requests) = mpsc::channel();
    let now = Instant::now();
    let first = ui.start(now);
    shell.show(&ui, now);
    STATE.with(|s| *s.borrow_mut() = Some((ui, shell, to_backend.clone())));
    for r in first {
        let _ = to_backend.send(r);
    }

    // The front panel, when the box has one: its own thread, so a stuck I2C bus cannot hold up the screens.
    match front_panel::open(std::path::Path::new(front_panel::CONFIG)) {
        Ok(None) => {}
        Ok(Some(mut panel)) => {
            let (tx, rx) = mpsc::channel::<front_panel::Shown>();
            std::thread::spawn(move || {
                let mut failing = false;
                while let Ok(shown) = rx.recv() {
                    match panel.show(shown) {
                        Ok(()) => failing = false,
                        Err(e) if !failing => {
                            eprintln!("ui: {e}");
                            failing = true;
                        }
                        Err(_) => {}
                    }
                }
            });
            PANEL.with(|p| *p.borrow_mut() = Some(tx));
        }
        Err(e) => eprintln!("ui: no front panel: {e}"),
    }

    // The remote: every evdev device with keys, replugging included (ui::remote).
    // (A desktop window's keys come through Slint, above.)
    if !a.window {
        std::thread::spawn(move || {
            let mut remote = Remote::new(keymap);
            loop {
                if let Some(action) = remote.next_action(Duration::from_millis(500)) {
                    eprintln!("ui: key {action:?}");
                    if slint::invoke_from_event_loop(move || with_ui(|ui, now| ui.key(action, now)))
                        .is_err()
                    {
                        return;
                    }
                }
            }
        });
    }

    let (adapter, replay, gps) = (a.adapter, a.replay.clone(), a.gps.clone());
    let lnb = saved.lnb();
    std::thread::spawn(move || {
        let backend = Backend {
            adapter,
            replay,
            gps,
            db_path,
            db: None,
            satellite: Catalogue::builtin().find(SATELLITE).cloned(),
            tuner: None,
            lnb,
            tuned: None,
            monitor: None,
            gps_on: Arc::new(AtomicBool::new(false)),
            pending: None,
            player: None,
            picture: picture_path,
            player_revived: None,
            player_revivals: 0,
            unsaved: Default::default(),
            last_request: Instant::now(),
            emm: None,
            started: Instant::now(),
        };
        backend.run(requests)
    });

    // Time-driven parts of the model (number entry, banners) and the clock.
    let timer = slint::Timer::default();
    timer.start(
        slint::TimerMode::Repeated,
        Duration::from_millis(250),
        || {
            with_ui(|ui, now| {
                ui.event(
                    Event::Clock {
                        utc: now_utc(),
                        offset_s: 8 * 3600,
                    },
                    now,
                );
                ui.tick(now)
            })
        },
    );
    // New pictures: looked for 50 times a second (a look is one atomic load; a frame is copied only when new).
    let pictures = slint::Timer::default();
    pictures.start(
        slint::TimerMode::Repeated,
        Duration::from_millis(20),
        show_picture,
    );
    // A desktop window draws through Slint's own backend: ready once its event loop runs. On the box the
    // framebuffer says so after the first frame is on it (FirstFrame).
    let report_first = slint::Timer::default();
    if a.window {
        report_first.start(
            slint::TimerMode::SingleShot,
            Duration::from_millis(0),
            move || report_ready(started),
        );
    }
    slint::run_event_loop().map_err(|e| CliError::failed(format!("the UI stopped: {e}")))?;
    Ok(0)
}

/// The box's framebuffer, telling when the first frame is on it: the start-up figure of benches/ui.sh and the
/// "ready" the end-to-end test waits for are said only once the screen shows something.
struct FirstFrame {
    fb: Framebuffer,
    /// Uptime when the UI started.
    started: Option<f64>,
    told: bool,
}

impl Display for FirstFrame {
    fn present(&mut self, renderer: &SoftwareRenderer) {
        self.fb.present(renderer);
        if !std::mem::replace(&mut self.told, true) {
            report_ready(self.started);
        }
    }
}

fn report_ready(started: Option<f64>) {
    if let (Some(start), Some(t)) = (started, uptime()) {
        eprintln!(
            "ui: first frame at {t:.2} s since boot ({:.0} ms after start)",
            (t - start) * 1000.0
        );
    }
    println!("ui: ready");
}

fn send(e: Event) {
    let _ = slint::invoke_from_event_loop(move || with_ui(|ui, now| ui.event(e, now)));
}

/// Free bytes on the data disk (the channel list's, the settings').
/// The box's activation state with the card in the reader, when one answers (no reader or no card is E01, a state
/// to show, not an error).
fn activation_with_card() -> Option<(
    activation::engine::Activation,
    Option<stb_app::card_reader::CardReader>,
)> {
    let mut act = match stb_app::console::activation() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("ui: {e}");
            return None;
        }
    };
    let card = std::path::Path::new(stb_app::card_reader::DEFAULT_PATH);
    let mut reader = stb_app::card_reader::CardReader::open(card, false).ok();
    if let Some(r) = reader.as_mut() {
        if let Err(e) = act.card_inserted(r.channel(), now_utc()) {
            eprintln!("ui: activation state: {e}");
        }
    }
    Some((act, reader))
}

/// Tells the screens the activation state and the QR code of the activation request.
fn report_activation(act: &activation::engine::Activation) {
    let report = act.report(now_utc());
    eprintln!("ui: activation {:?}", report.status);
    let qr = act.request().qr_matrix().ok();
    send(Event::Activation(Box::new(report), qr));
}

fn data_free_bytes() -> nix::Result<u64> {
    nix::sys::statvfs::statvfs(&data_dir()).map(|s| s.blocks_available() * s.fragment_size())
}

fn storage_error(e: impl std::fmt::Display) {
    let notice = Notice::from_storage_error(&e.to_string(), data_free_bytes().ok());
    eprintln!("ui: notice {notice:?}");
    send(Event::Notice(notice));
}

/// Owns the devices; carries out the model's requests one at a time.
struct Backend {
    adapter: u32,
    replay: Option<PathBuf>,
    gps: PathBuf,
    db_path: PathBuf,
    /// One connection for the UI's life (opened on first use, again after a failed open).
    db: Option<ChannelDb>,
    /// The default satellite (dish-align's catalogue): its angles, its transponders for the wizard's scan and the
    /// meter, its name in the channel list.
    satellite: Option<Satellite>,
    tuner: Option<Box<dyn Tuner>>,
    lnb: Lnb,
    /// The transponder the tuner was last locked on by [`Backend::tune`] (not after a scan or an LNB change).
    tuned: Option<Transponder>,
    /// The transponder whose signal is reported every half second.
    monitor: Option<Transponder>,
    gps_on: Arc<AtomicBool>,
    /// A request that arrived while the guide was being read.
    pending: Option<Request>,
    /// The player of the channel on the screen, while it plays.
    player: Option<crate::player::PlayerProcess>,
    /// The picture file the player writes into.
    picture: Option<PathBuf>,
    /// When a player that had stopped by itself was last replaced.
    player_revived: Option<Instant>,
    /// How many times it was replaced since the household last chose a channel.
    player_revivals: u32,
    /// Settings changed by zapping and the volume keys, written when the backend is idle: not in a zap's path,
    /// and one write for a run of key presses.
    unsaved: std::collections::BTreeMap<&'static str, String>,
    /// When the household last asked for something (settings are saved after a pause).
    last_request: Instant,
    /// The operator's authorisations, collected from the transponder of the channel watched.
    emm: Option<stb_app::emm::EmmCollector>,
    started: Instant,
}

/// The least time between two replacements of a player that stopped by itself.
const PLAYER_RETRY: Duration = Duration::from_secs(10);
/// How many times a player that stopped by itself is replaced for one choice of channel.
const PLAYER_REVIVALS: u32 = 3;

/// How long after start a missing tuner is waited for (its driver loads while the first frame is drawn).
const TUNER_GRACE: Duration = Duration::from_secs(20);

impl Backend {
    fn tuner(&mut self) -> Option<&mut Box<dyn Tuner>> {
        // The UI starts before the box has loaded its tuner driver: wait for it for a while at start.
        while self.tuner.is_none() {
            let t: Result<Box<dyn Tuner>, String> = match &self.replay {
                Some(l) => ReplayTuner::from_lineup_file(l)
                    .map(|t| Box::new(t) as Box<dyn Tuner>)
                    .map_err(|e| e.to_string()),
                None => Adapter::open(self.adapter)
                    .map_err(|e| e.to_string())
                    .and_then(|a| LinuxTuner::open(a).map_err(|e| e.to_string()))
                    .map(|t| Box::new(t) as Box<dyn Tuner>),
            };
            match t {
                Ok(t) => self.tuner = Some(t),
                // A replay lineup does not appear later: only a driver still loading is worth waiting for.
                Err(e) if self.replay.is_some() || self.started.elapsed() > TUNER_GRACE => {
                    eprintln!("ui: no tuner: {e}");
                    break;
                }
                Err(_) => std::thread::sleep(Duration::from_millis(300)),
            }
        }
        self.tuner.as_mut()
    }

    fn db(&mut self) -> Option<&mut ChannelDb> {
        if self.db.is_none() {
            match ChannelDb::open(&self.db_path) {
                Ok(db) => self.db = Some(db),
                Err(e) => storage_error(e),
            }
        }
        self.db.as_mut()
    }

    /// The channel with this number, as stored now.
    fn channel(&mut self, number: u32) -> Option<stb_app::channels::Channel> {
        match self.db()?.channel(number) {
            Ok(c) => c,
            Err(e) => {
                self.failed(e);
                None
            }
        }
    }

    /// Tells the household, and opens the database afresh next time (as a box restarted would).
    fn failed(&mut self, e: stb_app::channels::DbError) {
        storage_error(e);
        self.db = None;
    }

    fn tune(&mut self, tp: Transponder) -> bool {
        // Another channel of the transponder still locked needs no tuning: the guide and the authorisations go on
        // being read, and the player only changes its PID filter.
        if self.tuned == Some(tp) {
            if let Some(t) = self.tuner.as_mut() {
                if t.is_locked().unwrap_or(false) {
                    return true;
                }
            }
        }
        // The player stops before the retune (its pipeline would see the next transponder's packets as its own).
        if let Some(p) = &mut self.player {
            p.idle();
        }
        // The CAT belongs to the transponder being left.
        self.emm = None;
        self.tuned = None;
        let lnb = self.lnb.clone();
        let Some(t) = self.tuner() else { return false };
        let req = TuneRequest {
            transponder: tp,
            lnb,
            diseqc: Default::default(),
        };
        let start = Instant::now();
        let locked = t.tune(&req).is_ok()
            && t.wait_for_lock(start, Duration::from_millis(2000))
                .is_ok_and(|o| o.locked);
        if locked {
            self.tuned = Some(tp);
        }
        locked
    }

    fn run(mut self, requests: Receiver<Request>) {
        loop {
            if let Some(r) = self.pending.take() {
                self.handle(r, &requests);
                continue;
            }
            // Authorisations are looked for five times a second while a channel is watched.
            let wait = if self.emm.is_some() { 200 } else { 500 };
            match requests.recv_timeout(Duration::from_millis(wait)) {
                Ok(r) => {
                    self.last_request = Instant::now();
                    self.handle(r, &requests)
                }
                Err(RecvTimeoutError::Timeout) => {
                    if self.last_request.elapsed() >= Duration::from_millis(500) {
                        self.save_unsaved()
                    }
                    self.revive_player();
                }
                Err(RecvTimeoutError::Disconnected) => return,
            }
            self.collect_emm();
            if let Some(tp) = self.monitor {
                if let Some(t) = self.tuner() {
                    if let Ok(s) = t.signal() {
                        let mut v = SignalView::from(&s);
                        v.transponder = format!(
                            "{} {} {}",
                            tp.frequency_khz / 1000,
                            tp.polarisation,
                            tp.symbol_rate / 1000
                        );
                        send(Event::Signal(v));
                    }
                }
            }
        }
    }

    fn handle(&mut self, r: Request, requests: &Receiver<Request>) {
        match r {
            Request::SetLanguage(l) => {
                self.edit(|db| db.set_setting(settings::LANGUAGE, model::lang_code(l)));
            }
            Request::SetLnb { lof_mhz, power } => {
                self.lnb = settings::lnb(lof_mhz);
                self.tuned = None;
                self.edit(|db| {
                    db.set_setting(settings::LNB_LOF_MHZ, &lof_mhz.to_string())?;
                    db.set_setting(settings::LNB_POWER, if power { "1" } else { "0" })
                });
            }
            Request::WatchGps(on) => self.watch_gps(on),
            Request::MonitorSignal(number) => {
                let tp = number
                    .and_then(|n| self.channel(n))
                    .map(|c| c.transponder())
                    .or_else(|| self.preset().first().copied());
                if let Some(tp) = tp {
                    self.tune(tp);
                    self.monitor = Some(tp);
                }
            }
            Request::StopSignal => self.monitor = None,
            Request::Play {
                number,
                volume,
                muted,
                audio_pid,
            } => {
                self.player_revivals = 0;
                self.play(number, audio_pid, volume, muted)
            }
            Request::SaveAudioChoices(text) => {
                self.unsaved.insert(settings::AUDIO_TRACKS, text);
            }
            Request::Volume { volume, muted } => {
                if let Some(p) = &mut self.player {
                    p.set_volume(volume, muted);
                }
                self.unsaved.insert(settings::VOLUME, volume.to_string());
                self.unsaved
                    .insert(settings::MUTED, u8::from(muted).to_string());
            }
            Request::StopPlay => {
                if let Some(p) = &mut self.player {
                    p.idle();
                }
            }
            Request::StartScan { .. } => {
                if let Some(p) = &mut self.player {
                    p.idle();
                }
                self.scan(requests)
            }
            Request::StopScan => {}
            Request::Tune(n) => {
                let Some(c) = self.channel(n) else {
                    return;
                };
                // The channel the box comes back to after a restart.
                self.unsaved.insert(settings::LAST_CHANNEL, n.to_string());
                let start = Instant::now();
                let same = self.tuned == Some(c.transponder());
                let locked = self.tune(c.transponder());
                eprintln!(
                    "ui: channel {n} {} after {} ms{}",
                    if locked { "locked" } else { "has no signal" },
                    start.elapsed().as_millis(),
                    if same { " (same transponder)" } else { "" }
                );
                send(Event::Tuned {
                    number: n,
                    locked,
                    scrambled: c.scrambled,
                });
                if locked {
                    self.start_emm();
                    self.collect_epg(requests);
                }
            }
            Request::SetFavourite(n, on) => self.edit(|db| db.set_favourite(n, on).map(|_| ())),
            Request::SetLocked(n, on) => self.edit(|db| db.set_locked(n, on).map(|_| ())),
            Request::SwapNumbers(a, b) => self.edit(|db| db.swap_numbers(a, b)),
            Request::Rename(n, name) => self.edit(|db| db.rename(n, &name).map(|_| ())),
            Request::SetPin(p) => self.edit(|db| db.set_setting(settings::PARENTAL_PIN, &p)),
            Request::SetHoldPicture(hold) => {
                self.edit(|db| {
                    db.set_setting(settings::ZAP_PICTURE, if hold { "hold" } else { "black" })
                });
            }
            Request::SetCharset(name) => {
                // The household's choice for names sent without a charset byte: the default of the charset
                // policy the next scan decodes with (per-network choices stay).
                if let Ok(charset) = name.parse::<ts_si::text::Charset>() {
                    self.edit(|db| {
                        let mut policy = db.charset_policy()?;
                        policy.default_charset = charset;
                        db.set_charset_policy(&policy)
                    });
                }
            }
            Request::MarkInstalled => self.edit(|db| db.set_setting(settings::INSTALLED, "1")),
            Request::FactoryReset => {
                self.unsaved.clear();
                // Close the database first: an open connection would keep writing to the removed files.
                self.db = None;
                for suffix in ["", "-wal", "-shm"] {
                    let mut p = self.db_path.clone().into_os_string();
                    p.push(suffix);
                    let _ = std::fs::remove_file(PathBuf::from(p));
                }
                send(Event::Channels(Vec::new()));
            }
            Request::RefreshDiagnostics => self.diagnostics(),
            Request::RefreshActivation => {
                if let Some((act, _)) = activation_with_card() {
                    report_activation(&act);
                }
            }
        }
    }

    /// Plays the tuned channel: the player kept from the channel before (started when there is none, or it died).
    /// Not with a replay tuner: the player reads the kernel's demux.
    fn play(&mut self, number: u32, audio_pid: Option<u16>, volume: u8, muted: bool) {
        if self.replay.is_some() {
            return;
        }
        if self.player.as_mut().is_some_and(|p| p.has_stopped()) {
            eprintln!("ui: the player had stopped; starting it again");
            self.player = None;
        }
        if self.player.is_none() {
            match crate::player::PlayerProcess::start(self.adapter, self.picture.as_deref(), |n| {
                send(Event::SoundStarted(n))
            }) {
                Ok(p) => self.player = Some(p),
                Err(e) => return eprintln!("ui: the player did not start: {e}"),
            }
        }
        if let Some(p) = &mut self.player {
            match p.play(number, audio_pid, volume, muted) {
                Ok(()) => eprintln!("ui: playing channel {number}"),
                Err(e) => {
                    eprintln!("ui: the player did not take channel {number}: {e}");
                    self.player = None;
                }
            }
        }
    }

    /// A player that stopped by itself while playing (a decoder crash, killed for memory) is replaced and its
    /// channel played again, with its sound track and volume: the household does not have to zap to get the
    /// sound back. At most once in [`PLAYER_RETRY`] and [`PLAYER_REVIVALS`] times for one choice of channel, so a
    /// player that cannot run on it does not start over and over (the next channel chosen tries again).
    fn revive_player(&mut self) {
        let Some(p) = self.player.as_mut() else {
            return;
        };
        if !p.has_stopped()
            || self
                .player_revived
                .is_some_and(|t| t.elapsed() < PLAYER_RETRY)
        {
            return;
        }
        let playing = p.playing();
        self.player = None;
        if let Some(was) = playing {
            if self.player_revivals >= PLAYER_REVIVALS {
                eprintln!(
                    "ui: the player keeps stopping on channel {}; it stays silent until another channel is chosen",
                    was.number
                );
                return;
            }
            self.player_revivals += 1;
            eprintln!(
                "ui: the player stopped while playing channel {}; starting it again",
                was.number
            );
            self.player_revived = Some(Instant::now());
            self.play(was.number, was.audio_pid, was.volume, was.muted);
        }
    }

    /// The guide of the transponder tuned: EIT present/following and schedule (actual) on PID 0x12, read for a few
    /// seconds or until the household asks for something else.
    fn collect_epg(&mut self, requests: &Receiver<Request>) {
        let policy = self
            .db()
            .and_then(|db| db.charset_policy().ok())
            .unwrap_or_else(|| {
                ts_si::text::CharsetPolicy::with_default(ts_si::text::Charset::Gb18030)
            });
        let Some(t) = self.tuner() else { return };
        // 0x4E (p/f actual) and 0x50..0x5F (schedule actual): table_id & 0xE0 == 0x40 covers 0x40..0x5F; others
        // are dropped below.
        let Ok(mut source) =
            t.sections(&stb_app::dvb::SectionFilter::table_masked(0x12, 0x40, 0xE0))
        else {
            return;
        };
        let until = Instant::now() + Duration::from_secs(4);
        let mut entries = Vec::new();
        // What this collection brought, for the log: events and the services they belong to.
        let mut events = 0usize;
        let mut services = std::collections::BTreeSet::new();
        let said = |events: usize, services: &std::collections::BTreeSet<(u16, u16, u16)>| {
            eprintln!("ui: guide: {events} events of {} services", services.len())
        };
        while Instant::now() < until {
            if let Ok(r) = requests.try_recv() {
                // Playing, stopping the player (a channel that may not play: the guide is still wanted) and the
                // volume leave the tuner as it is: the guide goes on being read.
                if matches!(
                    r,
                    Request::Play { .. }
                        | Request::StopPlay
                        | Request::Volume { .. }
                        | Request::SaveAudioChoices(_)
                ) {
                    self.handle(r, requests);
                    continue;
                }
                said(events, &services);
                self.flush_epg(&mut entries);
                // Something else to do (the next channel, a key): the guide waits for the next tune.
                self.pending = Some(r);
                return;
            }
            self.collect_emm();
            let Ok(Some(bytes)) = source.next_section(Duration::from_millis(200)) else {
                continue;
            };
            let Ok(section) = ts_si::section::Section::new_checked(&bytes[..]) else {
                continue;
            };
            let Ok(Some(ts_si::tables::Table::Eit(eit))) = ts_si::tables::Table::parse(&section)
            else {
                continue;
            };
            if !eit.is_actual() {
                continue;
            }
            let service = (
                eit.original_network_id,
                eit.transport_stream_id,
                eit.service_id(),
            );
            events += eit.events.len();
            services.insert(service);
            for e in &eit.events {
                let short = e.descriptors.iter().find_map(|d| match d {
                    ts_si::descriptors::Descriptor::ShortEvent(s) => Some(s),
                    _ => None,
                });
                entries.push(model::EpgEntry {
                    service,
                    start: e.start_time.unix(),
                    duration_s: e.duration_secs(),
                    title: short
                        .map(|s| s.event_name.decode(&policy, Some(service.0)))
                        .unwrap_or_default(),
                    text: short
                        .map(|s| s.text.decode(&policy, Some(service.0)))
                        .unwrap_or_default(),
                });
            }
            if entries.len() >= 64 {
                self.flush_epg(&mut entries);
            }
        }
        said(events, &services);
        self.flush_epg(&mut entries);
    }

    /// Starts looking for this box's authorisations on the transponder tuned (the CAT first), unless it is already.
    fn start_emm(&mut self) {
        if self.emm.is_some() {
            return;
        }
        let Ok(box_id) = stb_app::console::box_id() else {
            return;
        };
        let Some(t) = self.tuner() else { return };
        match stb_app::emm::EmmCollector::start(t.as_mut(), &box_id) {
            Ok(c) => self.emm = Some(c),
            Err(e) => eprintln!("ui: authorisations cannot be read: {e}"),
        }
    }

    /// Takes in the authorisations that have arrived for this box (without waiting). A new one is stored and
    /// installed in the card, and the screens are told: a box waiting for its activation starts playing.
    fn collect_emm(&mut self) {
        let Some(mut emm) = self.emm.take() else {
            return;
        };
        let Some(t) = self.tuner() else { return };
        let mut arrived = Vec::new();
        let mut broken = false;
        while arrived.len() < 8 {
            match emm.next(t.as_mut(), Duration::ZERO) {
                Ok(Some(s)) => arrived.push(s),
                Ok(None) => break,
                Err(e) => {
                    eprintln!("ui: authorisations cannot be read: {e}");
                    broken = true;
                    break;
                }
            }
        }
        if !broken {
            self.emm = Some(emm);
        }
        if arrived.is_empty() {
            return;
        }
        let Some((mut act, mut reader)) = activation_with_card() else {
            return;
        };
        let mut changed = false;
        for section in arrived {
            let results =
                match act.import_section(&section, now_utc(), reader.as_mut().map(|r| r.channel()))
                {
                    Ok(r) => r,
                    Err(e) => {
                        eprintln!("ui: a damaged activation section was skipped: {e}");
                        continue;
                    }
                };
            for r in results {
                changed = true;
                match r {
                    Ok(s) => eprintln!("ui: authorisation over the air: {s:?}"),
                    Err(e) => eprintln!("ui: authorisation over the air refused: {e}"),
                }
            }
        }
        if changed {
            report_activation(&act);
        }
    }

    fn flush_epg(&mut self, entries: &mut Vec<model::EpgEntry>) {
        if !entries.is_empty() {
            send(Event::Epg(std::mem::take(entries)));
        }
    }

    fn save_unsaved(&mut self) {
        if self.unsaved.is_empty() {
            return;
        }
        let unsaved = std::mem::take(&mut self.unsaved);
        self.edit(|db| unsaved.iter().try_for_each(|(k, v)| db.set_setting(k, v)));
    }

    fn edit(&mut self, f: impl FnOnce(&mut ChannelDb) -> Result<(), stb_app::channels::DbError>) {
        if let Some(db) = self.db() {
            if let Err(e) = f(db) {
                self.failed(e);
            }
        }
    }

    fn scan(&mut self, requests: &Receiver<Request>) {
        self.monitor = None;
        self.tuned = None;
        self.emm = None;
        let list = self.preset();
        let (position, label) = match &self.satellite {
            Some(sat) => (sat.position, sat.position_label()),
            None => return send(Event::ScanFinished(Vec::new())),
        };
        let lnb = self.lnb.clone();
        let cancel = AtomicBool::new(false);
        let Some(tuner) = self.tuner() else {
            send(Event::ScanFinished(Vec::new()));
            return;
        };
        let (mut tv, mut radio) = (0, 0);
        let outcome = scan::run(
            tuner.as_mut(),
            &lnb,
            list,
            Strategy::FollowNit {
                orbital_position: position,
            },
            &ScanOptions::default(),
            &cancel,
            &mut |p: &Progress<'_>| {
                tv += p
                    .result
                    .services
                    .iter()
                    .filter(|s| s.kind == ServiceKind::Tv)
                    .count();
                radio += p
                    .result
                    .services
                    .iter()
                    .filter(|s| s.kind == ServiceKind::Radio)
                    .count();
                send(Event::ScanProgress {
                    done: p.index + 1,
                    total: p.total,
                    transponder: format!(
                        "{} MHz {}",
                        p.transponder.frequency_khz / 1000,
                        p.transponder.polarisation
                    ),
                    tv,
                    radio,
                });
                // BACK on the scan screen: stop after this transponder and keep what was found.
                while let Ok(r) = requests.try_recv() {
                    if r == Request::StopScan {
                        cancel.store(true, Ordering::Relaxed);
                    }
                }
            },
        );
        let results = match outcome {
            Ok(o) => o.transponders,
            Err(e) => {
                eprintln!("ui: scan failed: {e}");
                Vec::new()
            }
        };
        let Some(db) = self.db() else { return };
        let saved = db.charset_policy().and_then(|policy| {
            let mut results = results;
            for s in results.iter_mut().flat_map(|r| r.services.iter_mut()) {
                s.redecode(&policy);
            }
            // Named as `stb-app scan` names it, so a rescan from either merges with the other.
            db.apply_scan(&label, &results)
        });
        if let Err(e) = saved {
            self.failed(e);
        }
        let channels = self
            .db()
            .and_then(|db| db.channels().ok())
            .unwrap_or_default();
        eprintln!("ui: scan finished, {} channels", channels.len());
        send(Event::ScanFinished(channels));
    }

    /// The default satellite's transponders: what the wizard scans and the signal meter starts on.
    fn preset(&self) -> Vec<Transponder> {
        self.satellite
            .as_ref()
            .map(scan::preset_list)
            .unwrap_or_default()
    }

    fn watch_gps(&mut self, on: bool) {
        let was = self.gps_on.swap(on, Ordering::SeqCst);
        if !on || was {
            return;
        }
        let path = self.gps.clone();
        let flag = self.gps_on.clone();
        let Some(satellite) = self.satellite.clone() else {
            return;
        };
        // China's time, for the sun-in-the-dish times the report also carries.
        let Some(tz) = chrono::FixedOffset::east_opt(8 * 3600) else {
            return;
        };
        std::thread::spawn(move || {
            let present = path.exists();
            send(Event::Dish(DishView {
                gps_present: present,
                ..Default::default()
            }));
            if !present {
                return;
            }
            let Some(path_text) = path.to_str() else {
                return;
            };
            let Ok(mut reader) = dish_align::gps::GpsReader::open(path_text, Default::default())
            else {
                return;
            };
            let mut logged = false;
            while flag.load(Ordering::SeqCst) {
                let Ok(Some(dish_align::gps::GpsEvent::Fix(fix))) =
                    reader.poll(Duration::from_secs(1))
                else {
                    continue;
                };
                let Ok(site) = dish_align::geodesy::Site::new(
                    fix.lat_deg,
                    fix.lon_deg,
                    fix.ellipsoidal_height_m,
                ) else {
                    continue;
                };
                // What the installer's tool computes, for the box's date (the magnetic model needs it).
                let Some(date) = chrono::DateTime::from_timestamp(now_utc(), 0) else {
                    continue;
                };
                let r = dish_align::pointing::compute(&dish_align::pointing::Request {
                    site,
                    target: Target::Known(&satellite),
                    date: date.date_naive(),
                    offset_deg: None,
                    tz,
                });
                if !logged {
                    eprintln!(
                        "ui: position fix {:.5} {:.5} {:.1} m: azimuth {:.3} elevation {:.3}",
                        fix.lat_deg,
                        fix.lon_deg,
                        fix.ellipsoidal_height_m,
                        r.azimuth_true_deg,
                        r.elevation_deg
                    );
                    logged = true;
                }
                send(Event::Dish(DishView {
                    gps_present: true,
                    fix: Some((fix.lat_deg, fix.lon_deg)),
                    azimuth_true: Some(r.azimuth_true_deg),
                    azimuth_magnetic: r.azimuth_magnetic_deg,
                    elevation: Some(r.elevation_deg),
                    // Circular polarisation needs no skew (shown as "—").
                    skew: r.skew.filter(|k| k.needed).map(|k| k.angle_deg),
                }));
            }
        });
    }

    fn diagnostics(&mut self) {
        let describe = self
            .tuner()
            .map(|t| t.describe())
            .unwrap_or_else(|| "—".into());
        let signal = self.tuner().and_then(|t| t.signal().ok());
        let channels = self
            .db()
            .and_then(|db| db.channels().ok())
            .unwrap_or_default();
        let act = stb_app::console::activation()
            .ok()
            .map(|a| a.report(now_utc()));
        let free = data_free_bytes()
            .map(|b| format!("{:.1} MB", b as f64 / 1e6))
            .unwrap_or_else(|e| e.to_string());
        let values = vec![
            describe,
            self.monitor
                .map(|t| {
                    format!(
                        "{} {} {}",
                        t.frequency_khz / 1000,
                        t.polarisation,
                        t.symbol_rate / 1000
                    )
                })
                .unwrap_or_else(|| "—".into()),
            signal
                .map(|s| {
                    format!(
                        "{} · C/N {}",
                        if s.locked { "LOCK" } else { "NO LOCK" },
                        s.cnr_db.map_or("—".into(), |c| format!("{c:.1} dB"))
                    )
                })
                .unwrap_or_else(|| "—".into()),
            act.as_ref()
                .and_then(|r| r.card_number)
                .map_or("—".into(), |n| n.to_string()),
            act.as_ref()
                .map(|r| format!("{:?} {}", r.status, r.code.unwrap_or("")))
                .unwrap_or_else(|| "—".into()),
            act.as_ref()
                .and_then(|r| r.fix)
                .map_or("—".into(), |f| format!("{:.4}, {:.4}", f.lat, f.lon)),
            format!(
                "{} TV · {} radio",
                channels
                    .iter()
                    .filter(|c| c.kind == ServiceKind::Tv)
                    .count(),
                channels
                    .iter()
                    .filter(|c| c.kind == ServiceKind::Radio)
                    .count()
            ),
            free,
            act.as_ref()
                .map(|r| r.box_id.clone())
                .unwrap_or_else(|| "—".into()),
            env!("CARGO_PKG_VERSION").into(),
        ];
        send(Event::Diagnostics(values));
    }
}
