//! The app window and its platform, set up the same way for the box, `stb-app render` and the tests: fonts pinned,
//! translations bundled, the theme scaled to the screen.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Instant;

use slint::platform::software_renderer::MinimalSoftwareWindow;
use slint::{ComponentHandle, PhysicalSize, PlatformError};

use crate::fonts::{self, FontReport};
use crate::platform::{BoxPlatform, Display, WindowHandle};
use crate::render::{self, Frame};
use crate::screens::{App, Theme};
use crate::view;
use stb_app::ui::model::{self, Lang, Notice, Screen, Ui};
use stb_app::ui::samples;

/// The window of this thread's app.
pub struct Shell {
    pub app: App,
    /// Our own platform's window (the box, PNG rendering); `None` in a desktop window (Slint's own backend).
    pub window: Option<Rc<MinimalSoftwareWindow>>,
    pub fonts: FontReport,
}

thread_local! {
    static PLATFORM: RefCell<Option<WindowHandle>> = const { RefCell::new(None) };
    /// The language Slint's translations are switched to. The switch is Slint's, for the whole thread and every
    /// window in it, so this is remembered beside it, and the catalogue is only looked up again when the household
    /// picks another language, not on every tick.
    static LANGUAGE: Cell<Option<Lang>> = const { Cell::new(None) };
}

/// Creates the app window at `size`; the platform is installed on first use in this thread (with `display` for
/// the box; headless when `None`).
pub fn open(size: PhysicalSize, display: Option<Box<dyn Display>>) -> Result<Shell, PlatformError> {
    let handle = PLATFORM.with(|p| -> Result<WindowHandle, PlatformError> {
        let mut p = p.borrow_mut();
        if let Some(h) = p.as_ref() {
            return Ok(h.clone());
        }
        let h = BoxPlatform::install(size, display)?;
        *p = Some(h.clone());
        Ok(h)
    })?;
    let fonts = fonts::register();
    let app = App::new()?;
    let window = handle
        .window()
        .ok_or_else(|| PlatformError::Other("the platform made no window".into()))?;
    window.set_size(size);
    show_scaled(app, size, Some(window), fonts)
}

/// The app in a window of the desktop, for development: Slint's own backend (built with `--features desktop`),
/// the same screens, fonts and model; keys reach the model through the `Nav.key` callback.
pub fn open_desktop(size: PhysicalSize) -> Result<Shell, PlatformError> {
    let app = App::new().map_err(|e| match e {
        PlatformError::NoPlatform => PlatformError::Other(
            "this stb-app has no desktop window: build it with `--features desktop`".into(),
        ),
        e => e,
    })?;
    let fonts = fonts::register();
    app.window().set_size(size);
    show_scaled(app, size, None, fonts)
}

/// Scales the theme to the screen (layouts follow the height; 720 lines is 1.0) and shows the window.
fn show_scaled(
    app: App,
    size: PhysicalSize,
    window: Option<Rc<MinimalSoftwareWindow>>,
    fonts: FontReport,
) -> Result<Shell, PlatformError> {
    let theme = app.global::<Theme>();
    theme.set_scale(size.height as f32 / 720.0);
    theme.set_screen_width(size.width as f32);
    app.show()?;
    Ok(Shell { app, window, fonts })
}

/// Switches the translations of every screen.
pub fn set_language(lang: Lang) {
    if LANGUAGE.with(|l| l.replace(Some(lang))) == Some(lang) {
        return;
    }
    let code = match lang {
        Lang::En => "",
        other => model::lang_code(other),
    };
    // The catalogues are bundled at build time; a language without one falls back to English.
    if let Err(e) = slint::select_bundled_translation(code) {
        eprintln!("stb-app: no {code} translation: {e}");
    }
}

impl Shell {
    /// Shows `ui` (translations, fonts notice, every screen's data).
    pub fn show(&self, ui: &Ui, now: Instant) {
        set_language(ui.lang);
        view::present(
            ui,
            &self.app,
            now,
            self.fonts.missing.first().map(|p| p.as_path()),
        );
    }

    /// The screen as it is now (our own platform only).
    pub fn frame(&self) -> Result<Frame, PlatformError> {
        self.window.as_deref().map(render::frame).ok_or_else(|| {
            PlatformError::Other("a desktop window is not rendered to frames".into())
        })
    }
}

/// Parses `1280x720`.
pub fn parse_size(s: &str) -> Option<PhysicalSize> {
    let (w, h) = s.split_once(['x', 'X'])?;
    let (w, h) = (w.trim().parse::<u32>().ok()?, h.trim().parse::<u32>().ok()?);
    ((320..=3840).contains(&w) && (240..=2160).contains(&h)).then_some(PhysicalSize::new(w, h))
}

/// One sample screen rendered (what `stb-app render` and the golden images show).
pub fn render_sample(
    screen: Screen,
    lang: Lang,
    size: PhysicalSize,
) -> Result<Frame, PlatformError> {
    let shell = open(size, None)?;
    let now = Instant::now();
    let mut ui = samples::ui(screen, lang, now);
    if let Some(missing) = shell.fonts.missing.first() {
        ui.notice = Some(Notice::MissingFont(missing.display().to_string()));
    }
    shell.show(&ui, now);
    shell.frame()
}

/// A screen as the box shows it with this channel list right after installation (watching the first channel,
/// then the keys that reach `screen`): what the end-to-end test compares the box's own screen with.
pub fn render_installed(
    screen: Screen,
    lang: Lang,
    size: PhysicalSize,
    channels: Vec<stb_app::channels::Channel>,
) -> Result<Frame, PlatformError> {
    let shell = open(size, None)?;
    let now = Instant::now();
    let mut ui = Ui::new(lang, channels, true, None);
    let first = ui.first_channel().map(|c| c.number);
    ui.zapper = stb_app::ui::zapping::Zapper::new(ui.channels.clone(), first);
    ui.start(now);
    if screen == Screen::ChannelList {
        ui.key(stb_app::ui::keys::Action::Ok, now);
    } else {
        ui.screen = screen;
    }
    shell.show(&ui, now);
    shell.frame()
}
