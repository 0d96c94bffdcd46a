//! The television picture under the on-screen display: the screens make the shared picture file at their size
//! (`stb_app::picture`), the player writes each decoded frame into it, and the UI thread looks for a new frame
//! many times a second and hands it to the watching screen's image. The software renderer then draws the banner,
//! volume and number entry over it, and only the region that changed reaches the framebuffer.
//!
//! A frame is taken only while the watching screen plays the channel it belongs to. Through a zap to a television
//! channel the last picture stays until the new channel's first, as the best boxes do (the `hold_picture`
//! setting; with it off the screen is black until then); it goes as soon as the new channel cannot play (no
//! signal, scrambled, not activated: the reason is said instead), is a radio channel, or has sent no picture
//! after 3 s.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use slint::{Image, Rgb8Pixel, SharedPixelBuffer};
use stb_app::picture::{self, PictureReader};
use stb_app::ui::model::{PlayState, Screen, Ui};

use crate::screens::{App, Watching};
use slint::ComponentHandle;

/// The longest a picture is held through a zap: a channel that plays its sound but sends no picture (or one the
/// box cannot decode) must not go on showing the channel before's. A zap's picture comes within about a second.
const HOLD_AT_MOST: Duration = Duration::from_secs(3);

/// The screens' side of the picture file.
pub struct PictureShown {
    path: PathBuf,
    reader: PictureReader,
    /// The channel whose picture is on the screen, since when, and how many of its frames were shown.
    showing: Option<(u32, Instant, u64)>,
    /// The last picture of the channel before a zap is still on the screen, since then.
    held: Option<Instant>,
}

impl PictureShown {
    /// Makes the picture file at `path` for a screen of `width` x `height`.
    pub fn create(path: &Path, width: u32, height: u32) -> Result<Self, picture::PictureError> {
        picture::create(path, width, height)?;
        Ok(Self {
            path: path.to_path_buf(),
            reader: PictureReader::open(path)?,
            showing: None,
            held: None,
        })
    }

    /// The file the player is told to write into.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The channel whose pictures may be shown now: the one the watching screen plays.
    fn wanted(ui: &Ui) -> Option<u32> {
        if ui.screen != Screen::Watching || ui.play != PlayState::Playing || ui.standby {
            return None;
        }
        ui.zapper.current().map(|c| c.number)
    }

    /// Shows the newest whole frame of the channel being watched, or no picture when none may be shown. The
    /// channel's number when this was its first picture.
    pub fn update(&mut self, ui: &Ui, app: &App, now: Instant) -> Option<u32> {
        let wanted = Self::wanted(ui);
        let w = app.global::<Watching>();
        if let Some((n, since, frames)) = self.showing.filter(|(n, ..)| Some(*n) != wanted) {
            eprintln!(
                "ui: channel {n}: {frames} pictures shown in {:.1} s",
                since.elapsed().as_secs_f64()
            );
            self.showing = None;
            self.held = Some(now);
        }
        let hold = ui.hold_picture
            && wanted.is_some()
            && !ui.watching_radio()
            && self
                .held
                .is_some_and(|since| now.saturating_duration_since(since) < HOLD_AT_MOST);
        if self.held.is_some() && !hold {
            w.set_picture(Image::default());
            self.held = None;
        }
        let number = wanted?;
        if !self.reader.has_new() {
            return None;
        }
        let (width, height) = self.reader.size();
        let mut buffer = SharedPixelBuffer::<Rgb8Pixel>::new(width, height);
        match self.reader.take_into(buffer.make_mut_bytes()) {
            Some(channel) if channel == number => {}
            // Nothing new, half a frame, or the last picture of the channel before.
            _ => return None,
        }
        w.set_picture(Image::from_rgb8(buffer));
        self.held = None;
        match &mut self.showing {
            Some((_, _, frames)) => {
                *frames += 1;
                None
            }
            None => {
                eprintln!("ui: picture of channel {number}");
                self.showing = Some((number, Instant::now(), 1));
                Some(number)
            }
        }
    }
}
