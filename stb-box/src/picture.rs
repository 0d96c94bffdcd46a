//! The television picture under the on-screen display: the screens make the shared picture file at their size
//! (`stb_app::picture`), the player writes each decoded frame into it, and the UI thread looks for a new frame
//! many times a second and hands it to the watching screen's image. The software renderer then draws the banner,
//! volume and number entry over it, and only the region that changed reaches the framebuffer.
//!
//! A frame is shown only while the watching screen plays the channel it belongs to: after a zap the old channel's
//! last picture is not shown under the new channel's banner (black until the new picture comes).

use std::path::{Path, PathBuf};
use std::time::Instant;

use slint::{Image, Rgb8Pixel, SharedPixelBuffer};
use stb_app::picture::{self, PictureReader};
use stb_app::ui::model::{PlayState, Screen, Ui};

use crate::screens::{App, Watching};
use slint::ComponentHandle;

/// The screens' side of the picture file.
pub struct PictureShown {
    path: PathBuf,
    reader: PictureReader,
    /// The channel whose picture is on the screen, since when, and how many of its frames were shown.
    showing: Option<(u32, Instant, u64)>,
}

impl PictureShown {
    /// Makes the picture file at `path` for a screen of `width` x `height`.
    pub fn create(path: &Path, width: u32, height: u32) -> Result<Self, picture::PictureError> {
        picture::create(path, width, height)?;
        Ok(Self {
            path: path.to_path_buf(),
            reader: PictureReader::open(path)?,
            showing: None,
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
    pub fn update(&mut self, ui: &Ui, app: &App) -> Option<u32> {
        let wanted = Self::wanted(ui);
        let w = app.global::<Watching>();
        if self.showing.map(|(n, ..)| n) != wanted {
            if let Some((n, since, frames)) = self.showing.take() {
                eprintln!(
                    "ui: channel {n}: {frames} pictures shown in {:.1} s",
                    since.elapsed().as_secs_f64()
                );
                w.set_picture(Image::default());
            }
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
