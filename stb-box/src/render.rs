//! Frames to PNG files: how `stb-app render`, the golden-image tests and the frame-time benchmark see the screens.

use std::path::Path;

use slint::platform::software_renderer::{MinimalSoftwareWindow, RepaintBufferType};
use slint::Rgb8Pixel;

/// One rendered frame, RGB, row by row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    pub width: u32,
    pub height: u32,
    pub rgb: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("no window to render (the screen was not created)")]
    NoWindow,
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot encode PNG: {0}")]
    Png(#[from] png::EncodingError),
    #[error("cannot read PNG {path}: {reason}")]
    Read { path: String, reason: String },
}

/// Draws the whole window now (timers and animations brought up to date first).
pub fn frame(window: &MinimalSoftwareWindow) -> Frame {
    slint::platform::update_timers_and_animations();
    let size = window.size();
    let (w, h) = (size.width as usize, size.height as usize);
    let mut buffer = vec![Rgb8Pixel::new(0, 0, 0); w * h];
    window.request_redraw();
    window.draw_if_needed(|renderer| {
        // Every pixel, into this fresh buffer: the window's renderer otherwise draws only what changed since its
        // last draw (the box keeps its framebuffer between draws), which would leave the rest of this one black.
        let kept = renderer.repaint_buffer_type();
        renderer.set_repaint_buffer_type(RepaintBufferType::NewBuffer);
        renderer.render(&mut buffer, w);
        renderer.set_repaint_buffer_type(kept);
    });
    let rgb = buffer.iter().flat_map(|p| [p.r, p.g, p.b]).collect();
    Frame {
        width: size.width,
        height: size.height,
        rgb,
    }
}

/// Draws what changed since the last draw into `buffer` (kept between calls, as the box keeps its framebuffer) and
/// returns how many pixels were redrawn: 0 when nothing on the screen changed, the whole screen on the first call.
pub fn redraw_changed(window: &MinimalSoftwareWindow, buffer: &mut Vec<Rgb8Pixel>) -> u64 {
    slint::platform::update_timers_and_animations();
    let size = window.size();
    let w = size.width as usize;
    buffer.resize(w * size.height as usize, Rgb8Pixel::new(0, 0, 0));
    let mut area = 0;
    window.draw_if_needed(|renderer| {
        let region = renderer.render(buffer, w);
        area = region
            .iter()
            .map(|(_, s)| u64::from(s.width) * u64::from(s.height))
            .sum();
    });
    area
}

/// Times full redraws of the window (every pixel drawn, as after a screen change), in milliseconds each, with one
/// buffer reused as a display would.
pub fn time_full_frames(window: &MinimalSoftwareWindow, count: usize) -> Vec<f64> {
    let size = window.size();
    let w = size.width as usize;
    let mut buffer = vec![Rgb8Pixel::new(0, 0, 0); w * size.height as usize];
    (0..count)
        .map(|_| {
            window.request_redraw();
            let start = std::time::Instant::now();
            window.draw_if_needed(|renderer| {
                // Forget what was drawn, so the whole screen is painted, not just what changed.
                renderer.set_repaint_buffer_type(
                    slint::platform::software_renderer::RepaintBufferType::NewBuffer,
                );
                renderer.render(&mut buffer, w);
                renderer.set_repaint_buffer_type(
                    slint::platform::software_renderer::RepaintBufferType::ReusedBuffer,
                );
            });
            start.elapsed().as_secs_f64() * 1000.0
        })
        .collect()
}

impl Frame {
    pub fn save_png(&self, path: &Path) -> Result<(), RenderError> {
        let file = std::fs::File::create(path).map_err(|source| RenderError::Write {
            path: path.display().to_string(),
            source,
        })?;
        let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), self.width, self.height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::Best);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(&self.rgb)?;
        writer.finish()?;
        Ok(())
    }

    pub fn load_png(path: &Path) -> Result<Frame, RenderError> {
        let err = |reason: String| RenderError::Read {
            path: path.display().to_string(),
            reason,
        };
        let file = std::fs::File::open(path).map_err(|e| err(e.to_string()))?;
        let mut decoder = png::Decoder::new(std::io::BufReader::new(file));
        decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
        let mut reader = decoder.read_info().map_err(|e| err(e.to_string()))?;
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader
            .next_frame(&mut buf)
            .map_err(|e| err(e.to_string()))?;
        let channels = info.color_type.samples();
        let rgb = buf[..info.buffer_size()]
            .chunks_exact(channels)
            .flat_map(|px| match channels {
                1 | 2 => [px[0], px[0], px[0]],
                _ => [px[0], px[1], px[2]],
            })
            .collect();
        Ok(Frame {
            width: info.width,
            height: info.height,
            rgb,
        })
    }

    /// How far this frame is from another: the share of pixels whose colour differs by more than `tolerance` in any
    /// channel (anti-aliasing moves edges by a level or two; a wrong word moves hundreds of pixels by far more).
    pub fn difference(&self, other: &Frame, tolerance: u8) -> f64 {
        if self.width != other.width || self.height != other.height {
            return 1.0;
        }
        let differing = self
            .rgb
            .chunks_exact(3)
            .zip(other.rgb.chunks_exact(3))
            .filter(|(a, b)| {
                a.iter()
                    .zip(b.iter())
                    .any(|(x, y)| x.abs_diff(*y) > tolerance)
            })
            .count();
        differing as f64 / (self.width as f64 * self.height as f64)
    }
}
