//! The Linux framebuffer device (`/dev/fb0`) as a [`Display`]: the Slint software renderer draws into a buffer in
//! the device's own pixel layout, and only the lines of the region that changed are written to the device with
//! `pwrite` (no mapping, so a device that goes away gives an error instead of a SIGBUS).
//!
//! Writes are shaped so Linux 6.1's DRM fbdev emulation flushes them to the screen (see [`write_region`]).
//!
//! Supported layouts: 32 bits per pixel with 8-bit channels on byte boundaries (XRGB8888/ARGB8888, as DRM's fbdev
//! emulation offers, and its BGR / RGBX / BGRX relatives) and 16-bit RGB565. The renderer draws straight into
//! these through [`Pixel32`] and Slint's [`Rgb565Pixel`], so a frame needs no conversion pass.

use std::fs::{File, OpenOptions};
use std::os::fd::AsRawFd;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use slint::platform::software_renderer::{
    PhysicalRegion, PremultipliedRgbaColor, Rgb565Pixel, SoftwareRenderer, TargetPixel,
};

use crate::platform::Display;

/// The kernel ABI of `<linux/fb.h>`: the two structures and the two ioctls this module uses.
mod sys {
    use std::ffi::c_ulong;

    /// `struct fb_bitfield`: where one colour channel sits in a pixel.
    #[repr(C)]
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct FbBitfield {
        pub offset: u32,
        pub length: u32,
        pub msb_right: u32,
    }

    /// `struct fb_var_screeninfo`: the mode (visible and virtual resolution, panning offsets, pixel format).
    #[repr(C)]
    #[derive(Clone, Copy, Debug, Default)]
    pub struct FbVarScreeninfo {
        pub xres: u32,
        pub yres: u32,
        pub xres_virtual: u32,
        pub yres_virtual: u32,
        pub xoffset: u32,
        pub yoffset: u32,
        pub bits_per_pixel: u32,
        pub grayscale: u32,
        pub red: FbBitfield,
        pub green: FbBitfield,
        pub blue: FbBitfield,
        pub transp: FbBitfield,
        pub nonstd: u32,
        pub activate: u32,
        pub height: u32,
        pub width: u32,
        pub accel_flags: u32,
        pub pixclock: u32,
        pub left_margin: u32,
        pub right_margin: u32,
        pub upper_margin: u32,
        pub lower_margin: u32,
        pub hsync_len: u32,
        pub vsync_len: u32,
        pub sync: u32,
        pub vmode: u32,
        pub rotate: u32,
        pub colorspace: u32,
        pub reserved: [u32; 4],
    }

    /// `struct fb_fix_screeninfo`: what cannot change without a new mode (memory size, line length, pixel type).
    #[repr(C)]
    #[derive(Clone, Copy, Debug, Default)]
    pub struct FbFixScreeninfo {
        pub id: [u8; 16],
        pub smem_start: c_ulong,
        pub smem_len: u32,
        pub type_: u32,
        pub type_aux: u32,
        pub visual: u32,
        pub xpanstep: u16,
        pub ypanstep: u16,
        pub ywrapstep: u16,
        pub line_length: u32,
        pub mmio_start: c_ulong,
        pub mmio_len: u32,
        pub accel: u32,
        pub capabilities: u16,
        pub reserved: [u16; 2],
    }

    pub const FB_TYPE_PACKED_PIXELS: u32 = 0;
    pub const FB_VISUAL_TRUECOLOR: u32 = 2;
    pub const FB_VISUAL_DIRECTCOLOR: u32 = 4;

    // The framebuffer ioctls predate the _IOR encoding: plain numbers, hence the "bad" variants.
    nix::ioctl_read_bad!(fbioget_vscreeninfo, 0x4600, FbVarScreeninfo);
    nix::ioctl_read_bad!(fbioget_fscreeninfo, 0x4602, FbFixScreeninfo);
}

/// What can go wrong with the framebuffer; every message names the device.
#[derive(Debug, thiserror::Error)]
pub enum FbError {
    #[error("cannot open the framebuffer {path}: {source}")]
    Open {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not a framebuffer device ({request} failed: {source})")]
    Ioctl {
        path: PathBuf,
        request: &'static str,
        #[source]
        source: nix::Error,
    },
    #[error("the framebuffer {path} uses an unsupported pixel format: {format} (supported: 32 bpp XRGB8888/ARGB8888 and 16 bpp RGB565)")]
    UnsupportedFormat { path: PathBuf, format: String },
    #[error("the framebuffer {path} reports an impossible geometry: {detail}")]
    Geometry { path: PathBuf, detail: String },
    #[error("cannot write to the framebuffer {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// A 32-bit pixel with 8-bit red, green and blue channels at bit offsets `R`, `G` and `B` of a native-endian `u32`;
/// the fourth byte (X or alpha) is kept at 0xff so ARGB devices show it opaque.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pixel32<const R: u32, const G: u32, const B: u32>(pub u32);

/// Red at bits 16-23, blue at 0-7: bytes B, G, R, X in memory (DRM fbdev emulation, bochs, virtio-gpu, most PCs).
pub type Xrgb8888 = Pixel32<16, 8, 0>;
/// Red at bits 0-7, blue at 16-23: bytes R, G, B, X in memory.
pub type Xbgr8888 = Pixel32<0, 8, 16>;
/// Red at bits 24-31: bytes X, B, G, R in memory.
pub type Rgbx8888 = Pixel32<24, 16, 8>;
/// Blue at bits 24-31: bytes X, R, G, B in memory.
pub type Bgrx8888 = Pixel32<8, 16, 24>;

impl<const R: u32, const G: u32, const B: u32> Pixel32<R, G, B> {
    /// The byte that is neither red, green nor blue.
    const FILL: u32 = !((0xff << R) | (0xff << G) | (0xff << B));

    /// The red, green and blue channels.
    pub fn rgb(self) -> (u8, u8, u8) {
        (
            (self.0 >> R) as u8,
            (self.0 >> G) as u8,
            (self.0 >> B) as u8,
        )
    }
}

impl<const R: u32, const G: u32, const B: u32> TargetPixel for Pixel32<R, G, B> {
    fn blend(&mut self, color: PremultipliedRgbaColor) {
        // The same arithmetic as Slint's own Rgb8Pixel, so both renderings of a screen agree to the bit.
        let keep = (u8::MAX - color.alpha) as u16;
        let mix = |dst: u8, src: u8| (dst as u16 * keep / 255) as u8 + src;
        let (r, g, b) = self.rgb();
        *self = Self::from_rgb(mix(r, color.red), mix(g, color.green), mix(b, color.blue));
    }

    fn from_rgb(red: u8, green: u8, blue: u8) -> Self {
        Self(((red as u32) << R) | ((green as u32) << G) | ((blue as u32) << B) | Self::FILL)
    }
}

/// A pixel as the device stores it: native-endian bytes.
pub trait DevicePixel: TargetPixel {
    const BYTES: usize;
    fn extend_bytes(&self, out: &mut Vec<u8>);
}

impl<const R: u32, const G: u32, const B: u32> DevicePixel for Pixel32<R, G, B> {
    const BYTES: usize = 4;
    fn extend_bytes(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.0.to_ne_bytes());
    }
}

impl DevicePixel for Rgb565Pixel {
    const BYTES: usize = 2;
    fn extend_bytes(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.0.to_ne_bytes());
    }
}

/// The device's pixel layouts this module draws.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PixelFormat {
    Xrgb8888,
    Xbgr8888,
    Rgbx8888,
    Bgrx8888,
    Rgb565,
}

impl PixelFormat {
    fn from_var(var: &sys::FbVarScreeninfo) -> Option<Self> {
        let channel = |f: sys::FbBitfield| (f.offset, f.length, f.msb_right);
        let rgb = (channel(var.red), channel(var.green), channel(var.blue));
        if var.grayscale != 0 || var.nonstd != 0 {
            return None;
        }
        match (var.bits_per_pixel, rgb) {
            (32, ((16, 8, 0), (8, 8, 0), (0, 8, 0))) => Some(Self::Xrgb8888),
            (32, ((0, 8, 0), (8, 8, 0), (16, 8, 0))) => Some(Self::Xbgr8888),
            (32, ((24, 8, 0), (16, 8, 0), (8, 8, 0))) => Some(Self::Rgbx8888),
            (32, ((8, 8, 0), (16, 8, 0), (24, 8, 0))) => Some(Self::Bgrx8888),
            (16, ((11, 5, 0), (5, 6, 0), (0, 5, 0))) => Some(Self::Rgb565),
            _ => None,
        }
    }

    /// Bytes per pixel on the device.
    pub fn bytes_per_pixel(self) -> u32 {
        match self {
            Self::Rgb565 => 2,
            _ => 4,
        }
    }
}

/// Where the visible screen lies in the device's memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Geometry {
    /// Visible width and height in pixels.
    pub width: u32,
    pub height: u32,
    /// Top-left corner of the visible area inside the virtual screen (panning).
    pub xoffset: u32,
    pub yoffset: u32,
    /// Bytes from one line to the next (may exceed width × bytes per pixel).
    pub line_length: u32,
    pub bytes_per_pixel: u32,
    /// Size of the device memory in bytes.
    pub memory_len: u64,
}

impl Geometry {
    /// Byte offset of visible pixel (x, y) in the device.
    pub fn offset(&self, x: u32, y: u32) -> u64 {
        (y as u64 + self.yoffset as u64) * self.line_length as u64
            + (x as u64 + self.xoffset as u64) * self.bytes_per_pixel as u64
    }

    /// Why this geometry cannot be drawn on, if it cannot.
    fn check(&self) -> Result<(), String> {
        if self.width == 0 || self.height == 0 {
            return Err(format!("visible size {}x{}", self.width, self.height));
        }
        if (self.xoffset as u64 + self.width as u64) * self.bytes_per_pixel as u64
            > self.line_length as u64
        {
            return Err(format!(
                "{} pixels from x offset {} at {} bytes per pixel do not fit a line of {} bytes",
                self.width, self.xoffset, self.bytes_per_pixel, self.line_length
            ));
        }
        let end = self.offset(0, self.height - 1) + self.width as u64 * self.bytes_per_pixel as u64;
        if end > self.memory_len {
            return Err(format!(
                "the visible area ends at byte {end}, beyond the {} bytes of video memory",
                self.memory_len
            ));
        }
        Ok(())
    }
}

/// A rectangle of the screen that changed, in visible pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DirtyRect {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

impl DirtyRect {
    /// The non-overlapping rectangles of what the renderer redrew.
    pub fn of_region(region: &PhysicalRegion) -> Vec<DirtyRect> {
        region
            .iter()
            .map(|(origin, size)| DirtyRect {
                x: origin.x.max(0) as u32,
                y: origin.y.max(0) as u32,
                width: size.width,
                height: size.height,
            })
            .collect()
    }
}

/// Positioned reads and writes on the device (a trait so tests can watch each write the kernel would see).
pub trait DeviceIo {
    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> std::io::Result<()>;
    fn write_all_at(&self, buf: &[u8], offset: u64) -> std::io::Result<()>;
}

impl DeviceIo for File {
    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
        FileExt::read_exact_at(self, buf, offset)
    }
    fn write_all_at(&self, buf: &[u8], offset: u64) -> std::io::Result<()> {
        FileExt::write_all_at(self, buf, offset)
    }
}

/// Writes the lines of `rects` from `pixels` (the whole visible screen, `geometry.width` pixels a line) to `device`
/// at their places in the device memory. Rectangles are clipped to the visible screen. Full-width rectangles whose
/// lines follow each other in memory go out in one write.
pub fn write_region<P: DevicePixel>(
    device: &impl DeviceIo,
    pixels: &[P],
    geometry: &Geometry,
    rects: &[DirtyRect],
) -> std::io::Result<()> {
    let stride = geometry.width as usize;
    let rows_contiguous = geometry.xoffset == 0
        && geometry.width as u64 * geometry.bytes_per_pixel as u64 == geometry.line_length as u64;
    let mut bytes = Vec::with_capacity(stride * P::BYTES + 1);
    for rect in rects {
        let x0 = rect.x.min(geometry.width);
        let x1 = rect.x.saturating_add(rect.width).min(geometry.width);
        let y0 = rect.y.min(geometry.height);
        let y1 = rect.y.saturating_add(rect.height).min(geometry.height);
        if x0 >= x1 || y0 >= y1 {
            continue;
        }
        let lines_per_write = if rows_contiguous && x0 == 0 && x1 == geometry.width {
            y1 - y0
        } else {
            1
        };
        let mut y = y0;
        while y < y1 {
            let last = (y + lines_per_write).min(y1);
            bytes.clear();
            for line in y..last {
                let start = line as usize * stride;
                let Some(src) = pixels.get(start + x0 as usize..start + x1 as usize) else {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::InvalidInput,
                        format!(
                            "line {line} is outside the {}-pixel frame buffer",
                            pixels.len()
                        ),
                    ));
                };
                for p in src {
                    p.extend_bytes(&mut bytes);
                }
            }
            write_span(device, &mut bytes, geometry.offset(x0, y), geometry)?;
            y = last;
        }
    }
    Ok(())
}

/// Writes `bytes` at `at`, working around Linux 6.1's DRM fbdev emulation (bochs, virtio-gpu, simpledrm): for a
/// write that lies on one line and ends exactly at the line's end, `drm_fb_helper_memory_range_to_clip` computes
/// the damaged columns as 0..0 (or x..0), so the shadow buffer is never copied to the screen. Such a write is
/// widened into the neighbouring line (one byte of the next line, or on the last line the bytes back to the end of
/// the previous one), read back from the device and written unchanged: the kernel then sees two lines and flushes
/// them whole.
fn write_span(
    device: &impl DeviceIo,
    bytes: &mut Vec<u8>,
    at: u64,
    geometry: &Geometry,
) -> std::io::Result<()> {
    let line = geometry.line_length as u64;
    let end = at + bytes.len() as u64;
    let one_line = end.div_ceil(line) - at / line == 1;
    if !one_line || !end.is_multiple_of(line) {
        return device.write_all_at(bytes, at);
    }
    if end < geometry.memory_len {
        // One byte of the next line.
        let mut neighbour = [0u8; 1];
        device.read_exact_at(&mut neighbour, end)?;
        bytes.push(neighbour[0]);
        return device.write_all_at(bytes, at);
    }
    let line_start = at - at % line;
    if line_start == 0 {
        // A device of one line: nothing to widen into.
        return device.write_all_at(bytes, at);
    }
    // The last line: from the previous line's last byte up to `at`.
    let mut before = vec![0u8; (at - line_start + 1) as usize];
    device.read_exact_at(&mut before, line_start - 1)?;
    bytes.splice(0..0, before);
    device.write_all_at(bytes, line_start - 1)
}

/// The frame in the device's layout.
enum Frame {
    Xrgb8888(Vec<Xrgb8888>),
    Xbgr8888(Vec<Xbgr8888>),
    Rgbx8888(Vec<Rgbx8888>),
    Bgrx8888(Vec<Bgrx8888>),
    Rgb565(Vec<Rgb565Pixel>),
}

impl Frame {
    fn new(format: PixelFormat, pixels: usize) -> Self {
        match format {
            PixelFormat::Xrgb8888 => Self::Xrgb8888(vec![TargetPixel::background(); pixels]),
            PixelFormat::Xbgr8888 => Self::Xbgr8888(vec![TargetPixel::background(); pixels]),
            PixelFormat::Rgbx8888 => Self::Rgbx8888(vec![TargetPixel::background(); pixels]),
            PixelFormat::Bgrx8888 => Self::Bgrx8888(vec![TargetPixel::background(); pixels]),
            PixelFormat::Rgb565 => Self::Rgb565(vec![TargetPixel::background(); pixels]),
        }
    }
}

fn render_and_write<P: DevicePixel>(
    renderer: &SoftwareRenderer,
    pixels: &mut [P],
    device: &impl DeviceIo,
    geometry: &Geometry,
) -> std::io::Result<()> {
    let region = renderer.render(pixels, geometry.width as usize);
    write_region(device, pixels, geometry, &DirtyRect::of_region(&region))
}

/// An open framebuffer device and the frame last drawn on it.
pub struct Framebuffer {
    path: PathBuf,
    device: File,
    geometry: Geometry,
    format: PixelFormat,
    frame: Frame,
    /// The last write failed (reported once until a write succeeds again).
    failing: bool,
}

impl Framebuffer {
    /// Opens the device (e.g. `/dev/fb0`) and reads its mode.
    pub fn open(path: &Path) -> Result<Self, FbError> {
        let device = OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .map_err(|source| FbError::Open {
                path: path.to_path_buf(),
                source,
            })?;
        let mut var = sys::FbVarScreeninfo::default();
        let mut fix = sys::FbFixScreeninfo::default();
        // SAFETY: the ioctls fill exactly these kernel structures (sizes checked by the tests) and nothing else.
        unsafe { sys::fbioget_vscreeninfo(device.as_raw_fd(), &mut var) }.map_err(|source| {
            FbError::Ioctl {
                path: path.to_path_buf(),
                request: "FBIOGET_VSCREENINFO",
                source,
            }
        })?;
        // SAFETY: as above.
        unsafe { sys::fbioget_fscreeninfo(device.as_raw_fd(), &mut fix) }.map_err(|source| {
            FbError::Ioctl {
                path: path.to_path_buf(),
                request: "FBIOGET_FSCREENINFO",
                source,
            }
        })?;

        let packed = fix.type_ == sys::FB_TYPE_PACKED_PIXELS
            && matches!(
                fix.visual,
                sys::FB_VISUAL_TRUECOLOR | sys::FB_VISUAL_DIRECTCOLOR
            );
        let format = PixelFormat::from_var(&var)
            .filter(|_| packed)
            .ok_or_else(|| FbError::UnsupportedFormat {
                path: path.to_path_buf(),
                format: describe(&var, &fix),
            })?;
        let geometry = Geometry {
            width: var.xres,
            height: var.yres,
            xoffset: var.xoffset,
            yoffset: var.yoffset,
            line_length: fix.line_length,
            bytes_per_pixel: format.bytes_per_pixel(),
            memory_len: fix.smem_len as u64,
        };
        geometry.check().map_err(|detail| FbError::Geometry {
            path: path.to_path_buf(),
            detail,
        })?;
        let frame = Frame::new(format, geometry.width as usize * geometry.height as usize);
        Ok(Framebuffer {
            path: path.to_path_buf(),
            device,
            geometry,
            format,
            frame,
            failing: false,
        })
    }

    /// Visible width and height in pixels.
    pub fn size(&self) -> (u32, u32) {
        (self.geometry.width, self.geometry.height)
    }

    /// The device's pixel layout.
    pub fn format(&self) -> PixelFormat {
        self.format
    }

    /// Where the visible screen lies in the device memory.
    pub fn geometry(&self) -> Geometry {
        self.geometry
    }

    /// Renders what changed and writes it to the device.
    pub fn try_present(&mut self, renderer: &SoftwareRenderer) -> Result<(), FbError> {
        let (device, geometry) = (&self.device, &self.geometry);
        match &mut self.frame {
            Frame::Xrgb8888(p) => render_and_write(renderer, p, device, geometry),
            Frame::Xbgr8888(p) => render_and_write(renderer, p, device, geometry),
            Frame::Rgbx8888(p) => render_and_write(renderer, p, device, geometry),
            Frame::Bgrx8888(p) => render_and_write(renderer, p, device, geometry),
            Frame::Rgb565(p) => render_and_write(renderer, p, device, geometry),
        }
        .map_err(|source| FbError::Write {
            path: self.path.clone(),
            source,
        })
    }
}

impl Display for Framebuffer {
    fn present(&mut self, renderer: &SoftwareRenderer) {
        // The event loop cannot stop for a lost frame: say so once on stderr (the box's log) and keep going.
        match self.try_present(renderer) {
            Ok(()) => self.failing = false,
            Err(e) => {
                if !self.failing {
                    eprintln!("stb-app: {e}");
                }
                self.failing = true;
            }
        }
    }
}

/// The pixel format as `fbset` would describe it, for error messages.
fn describe(var: &sys::FbVarScreeninfo, fix: &sys::FbFixScreeninfo) -> String {
    let c = |f: sys::FbBitfield| format!("{}/{}", f.length, f.offset);
    format!(
        "{} bpp, rgba {},{},{},{}{}{}, type {}, visual {}",
        var.bits_per_pixel,
        c(var.red),
        c(var.green),
        c(var.blue),
        c(var.transp),
        if var.grayscale != 0 {
            ", grayscale"
        } else {
            ""
        },
        if var.nonstd != 0 {
            ", non-standard"
        } else {
            ""
        },
        fix.type_,
        fix.visual,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn kernel_structures_have_the_kernel_sizes() {
        // <linux/fb.h> on x86_64: the ioctls would write past our structures if these were smaller.
        assert_eq!(std::mem::size_of::<sys::FbBitfield>(), 12);
        assert_eq!(std::mem::size_of::<sys::FbVarScreeninfo>(), 160);
        assert_eq!(std::mem::size_of::<sys::FbFixScreeninfo>(), 80);
        assert_eq!(std::mem::offset_of!(sys::FbVarScreeninfo, red), 32);
        assert_eq!(std::mem::offset_of!(sys::FbVarScreeninfo, rotate), 136);
        assert_eq!(std::mem::offset_of!(sys::FbFixScreeninfo, smem_len), 24);
        assert_eq!(std::mem::offset_of!(sys::FbFixScreeninfo, line_length), 48);
        assert_eq!(std::mem::offset_of!(sys::FbFixScreeninfo, mmio_start), 56);
        assert_eq!(std::mem::offset_of!(sys::FbFixScreeninfo, capabilities), 72);
    }

    #[test]
    fn xrgb8888_lays_out_blue_green_red_then_an_opaque_byte() {
        let p = Xrgb8888::from_rgb(0x12, 0x34, 0x56);
        assert_eq!(p.0, 0xff12_3456);
        assert_eq!(p.0.to_le_bytes(), [0x56, 0x34, 0x12, 0xff]);
        assert_eq!(
            Xbgr8888::from_rgb(0x12, 0x34, 0x56).0.to_le_bytes(),
            [0x12, 0x34, 0x56, 0xff]
        );
        assert_eq!(
            Rgbx8888::from_rgb(0x12, 0x34, 0x56).0.to_le_bytes(),
            [0xff, 0x56, 0x34, 0x12]
        );
        assert_eq!(
            Bgrx8888::from_rgb(0x12, 0x34, 0x56).0.to_le_bytes(),
            [0xff, 0x12, 0x34, 0x56]
        );
        assert_eq!(<Xrgb8888 as TargetPixel>::background().0, 0xff00_0000);
    }

    #[test]
    fn blending_gives_exact_values() {
        let mut p = Xrgb8888::from_rgb(200, 100, 50);
        // Half-transparent colour (64, 0, 32) premultiplied at alpha 128.
        p.blend(PremultipliedRgbaColor {
            red: 64,
            green: 0,
            blue: 32,
            alpha: 128,
        });
        // 200·127/255 = 99 (+64), 100·127/255 = 49, 50·127/255 = 24 (+32)
        assert_eq!(p.rgb(), (163, 49, 56));
        assert_eq!(p.0, 0xffa3_3138);

        let mut opaque = Xrgb8888::from_rgb(1, 2, 3);
        opaque.blend(PremultipliedRgbaColor {
            red: 9,
            green: 8,
            blue: 7,
            alpha: 255,
        });
        assert_eq!(opaque, Xrgb8888::from_rgb(9, 8, 7));

        let mut clear = Xbgr8888::from_rgb(1, 2, 3);
        clear.blend(PremultipliedRgbaColor {
            red: 0,
            green: 0,
            blue: 0,
            alpha: 0,
        });
        assert_eq!(clear, Xbgr8888::from_rgb(1, 2, 3));
    }

    #[test]
    fn blending_matches_slints_rgb8_pixel_everywhere() {
        // The PNG snapshots are drawn into Rgb8Pixel: the box must show the same colours.
        for dst in (0..=255u16).step_by(17) {
            for alpha in (0..=255u16).step_by(15) {
                for src in (0..=alpha).step_by(13) {
                    let color = PremultipliedRgbaColor {
                        red: src as u8,
                        green: (alpha - src) as u8,
                        blue: (src / 2) as u8,
                        alpha: alpha as u8,
                    };
                    let (d0, d1, d2) = (dst as u8, 255 - dst as u8, (dst / 3) as u8);
                    let mut reference = slint::Rgb8Pixel {
                        r: d0,
                        g: d1,
                        b: d2,
                    };
                    reference.blend(color);
                    let mut ours = Bgrx8888::from_rgb(d0, d1, d2);
                    ours.blend(color);
                    assert_eq!(
                        ours.rgb(),
                        (reference.r, reference.g, reference.b),
                        "{color:?} over {dst}"
                    );
                }
            }
        }
    }

    #[test]
    fn rgb565_uses_slints_layout() {
        assert_eq!(Rgb565Pixel::from_rgb(0xff, 0, 0).0, 0xf800);
        assert_eq!(Rgb565Pixel::from_rgb(0, 0xff, 0).0, 0x07e0);
        assert_eq!(Rgb565Pixel::from_rgb(0, 0, 0xff).0, 0x001f);
        let mut bytes = Vec::new();
        Rgb565Pixel::from_rgb(0x12, 0x34, 0x56).extend_bytes(&mut bytes);
        // r 0x12>>3 = 2, g 0x34>>2 = 13, b 0x56>>3 = 10: 00010 001101 01010
        assert_eq!(bytes, 0x11aau16.to_ne_bytes());
    }

    fn var_with(bpp: u32, r: (u32, u32), g: (u32, u32), b: (u32, u32)) -> sys::FbVarScreeninfo {
        let f = |(offset, length)| sys::FbBitfield {
            offset,
            length,
            msb_right: 0,
        };
        sys::FbVarScreeninfo {
            bits_per_pixel: bpp,
            red: f(r),
            green: f(g),
            blue: f(b),
            ..Default::default()
        }
    }

    #[test]
    fn pixel_formats_follow_the_channel_offsets() {
        let of = |bpp, r, g, b| PixelFormat::from_var(&var_with(bpp, r, g, b));
        assert_eq!(of(32, (16, 8), (8, 8), (0, 8)), Some(PixelFormat::Xrgb8888));
        assert_eq!(of(32, (0, 8), (8, 8), (16, 8)), Some(PixelFormat::Xbgr8888));
        assert_eq!(of(16, (11, 5), (5, 6), (0, 5)), Some(PixelFormat::Rgb565));
        assert_eq!(of(16, (0, 5), (5, 6), (11, 5)), None, "BGR565");
        assert_eq!(of(24, (16, 8), (8, 8), (0, 8)), None, "packed 24 bpp");
        assert_eq!(of(8, (0, 8), (0, 8), (0, 8)), None, "palette");
        let mut gray = var_with(32, (16, 8), (8, 8), (0, 8));
        gray.grayscale = 1;
        assert_eq!(PixelFormat::from_var(&gray), None);
    }

    #[test]
    fn opening_a_regular_file_says_it_is_not_a_framebuffer() {
        let dir = TempDir::new("notfb");
        let path = dir.0.join("fb0");
        std::fs::write(&path, [0u8; 64]).unwrap();
        let err = Framebuffer::open(&path)
            .err()
            .expect("a regular file is no framebuffer");
        assert!(
            matches!(
                err,
                FbError::Ioctl {
                    request: "FBIOGET_VSCREENINFO",
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(
            err.to_string().contains(&path.display().to_string()),
            "{err}"
        );

        let missing = dir.0.join("fb9");
        let err = Framebuffer::open(&missing).err().expect("no such device");
        assert!(matches!(err, FbError::Open { .. }));
        assert!(err.to_string().starts_with(&format!(
            "cannot open the framebuffer {}",
            missing.display()
        )));
    }

    #[test]
    fn geometry_check_rejects_a_visible_area_outside_memory() {
        let g = Geometry {
            width: 1280,
            height: 720,
            xoffset: 0,
            yoffset: 0,
            line_length: 5120,
            bytes_per_pixel: 4,
            memory_len: 5120 * 720,
        };
        assert_eq!(g.check(), Ok(()));
        assert!(Geometry { yoffset: 1, ..g }.check().is_err());
        assert!(Geometry {
            line_length: 5116,
            ..g
        }
        .check()
        .is_err());
        assert!(Geometry {
            yoffset: 720,
            memory_len: 5120 * 1440,
            ..g
        }
        .check()
        .is_ok());
    }

    /// A folder under the system temp dir, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(tag: &str) -> Self {
            let dir = std::env::temp_dir().join(format!("stb-fb-{tag}-{}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            TempDir(dir)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn dirty_lines_land_at_their_offsets_and_nothing_else_changes() {
        // A 6x4 screen, panned to (1, 2) inside an 8-pixel-wide, 7-line virtual screen, lines padded to 40 bytes.
        let g = Geometry {
            width: 6,
            height: 4,
            xoffset: 1,
            yoffset: 2,
            line_length: 40,
            bytes_per_pixel: 4,
            memory_len: 40 * 7,
        };
        g.check().unwrap();
        let dir = TempDir::new("xrgb");
        let path = dir.0.join("fb0");
        std::fs::write(&path, vec![0xeeu8; g.memory_len as usize]).unwrap();
        let device = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .unwrap();

        let pixels: Vec<Xrgb8888> = (0..24u32)
            .map(|i| Xrgb8888::from_rgb(i as u8, 0x80 + i as u8, 0xc0 + i as u8))
            .collect();
        let rects = [
            DirtyRect {
                x: 2,
                y: 1,
                width: 3,
                height: 2,
            },
            // Runs off the right and bottom edges: clipped to pixel (5, 3).
            DirtyRect {
                x: 5,
                y: 3,
                width: 10,
                height: 10,
            },
        ];
        write_region(&device, &pixels, &g, &rects).unwrap();

        let mut after = Vec::new();
        File::open(&path).unwrap().read_to_end(&mut after).unwrap();
        assert_eq!(
            after.len() as u64,
            g.memory_len,
            "nothing written past the end"
        );
        let mut expected = vec![0xeeu8; g.memory_len as usize];
        for (x, y) in [(2, 1), (3, 1), (4, 1), (2, 2), (3, 2), (4, 2), (5, 3)] {
            let at = ((y + 2) * 40 + (x + 1) * 4) as usize;
            let i = (y * 6 + x) as u8;
            expected[at..at + 4].copy_from_slice(&[0xc0 + i, 0x80 + i, i, 0xff]);
        }
        assert_eq!(after, expected);
        // Pixel (2, 1), the 9th of the frame, is on device line 1 + 2 at column 2 + 1: byte 3·40 + 3·4 = 132,
        // holding blue, green, red, X.
        assert_eq!(after[132..136], [0xc8, 0x88, 8, 0xff]);
        assert_eq!(
            after[128..132],
            [0xee; 4],
            "the pixel before the rectangle is untouched"
        );
    }

    /// The device file, with a note of each write's byte range.
    struct Watched(File, std::cell::RefCell<Vec<std::ops::Range<u64>>>);

    impl DeviceIo for Watched {
        fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
            DeviceIo::read_exact_at(&self.0, buf, offset)
        }
        fn write_all_at(&self, buf: &[u8], offset: u64) -> std::io::Result<()> {
            self.1.borrow_mut().push(offset..offset + buf.len() as u64);
            DeviceIo::write_all_at(&self.0, buf, offset)
        }
    }

    #[test]
    fn writes_never_end_a_single_line_at_its_end_so_drm_fbdev_flushes_them() {
        // Lines without padding, as DRM's fbdev emulation has them: 4 pixels, 16 bytes a line, 3 lines.
        let g = Geometry {
            width: 4,
            height: 3,
            xoffset: 0,
            yoffset: 0,
            line_length: 16,
            bytes_per_pixel: 4,
            memory_len: 48,
        };
        let dir = TempDir::new("drm");
        let path = dir.0.join("fb0");
        std::fs::write(&path, [0x55u8; 48]).unwrap();
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .unwrap();
        let device = Watched(file, Default::default());
        let pixels: Vec<Xrgb8888> = (0..12u8).map(|i| Xrgb8888::from_rgb(i, i, i)).collect();
        let rects = [
            DirtyRect {
                x: 0,
                y: 0,
                width: 4,
                height: 2,
            }, // two whole lines: one write
            DirtyRect {
                x: 3,
                y: 0,
                width: 1,
                height: 1,
            }, // right edge of line 0
            DirtyRect {
                x: 2,
                y: 2,
                width: 2,
                height: 1,
            }, // right edge of the last line
            DirtyRect {
                x: 1,
                y: 1,
                width: 2,
                height: 1,
            }, // inside a line
        ];
        write_region(&device, &pixels, &g, &rects).unwrap();

        let writes = device.1.borrow().clone();
        assert_eq!(writes, vec![0..32, 12..17, 31..48, 20..28]);
        for w in &writes {
            let lines = w.end.div_ceil(16) - w.start / 16;
            assert!(
                lines > 1 || w.end % 16 != 0,
                "write {w:?} would leave the screen unchanged"
            );
        }
        let mut expected = [0x55u8; 48];
        // Lines 0 and 1 whole, then pixels (2, 2) and (3, 2); (0, 2) and (1, 2) were not dirty.
        for i in 0..8 {
            expected[i * 4..i * 4 + 4].copy_from_slice(&[i as u8, i as u8, i as u8, 0xff]);
        }
        expected[40..44].copy_from_slice(&[10, 10, 10, 0xff]);
        expected[44..48].copy_from_slice(&[11, 11, 11, 0xff]);
        assert_eq!(
            std::fs::read(&path).unwrap(),
            expected,
            "the widened bytes are written unchanged"
        );
    }

    #[test]
    fn rgb565_lines_are_two_bytes_a_pixel() {
        let g = Geometry {
            width: 4,
            height: 2,
            xoffset: 0,
            yoffset: 0,
            line_length: 8,
            bytes_per_pixel: 2,
            memory_len: 16,
        };
        let dir = TempDir::new("rgb565");
        let path = dir.0.join("fb0");
        std::fs::write(&path, [0u8; 16]).unwrap();
        let device = OpenOptions::new().write(true).open(&path).unwrap();
        let pixels = [Rgb565Pixel(0x1234); 8];
        write_region(
            &device,
            &pixels,
            &g,
            &[DirtyRect {
                x: 1,
                y: 1,
                width: 2,
                height: 1,
            }],
        )
        .unwrap();
        let after = std::fs::read(&path).unwrap();
        let mut expected = [0u8; 16];
        expected[10..12].copy_from_slice(&0x1234u16.to_ne_bytes());
        expected[12..14].copy_from_slice(&0x1234u16.to_ne_bytes());
        assert_eq!(after, expected);
    }

    #[test]
    fn a_frame_smaller_than_the_geometry_is_an_error_not_a_panic() {
        let g = Geometry {
            width: 4,
            height: 4,
            xoffset: 0,
            yoffset: 0,
            line_length: 16,
            bytes_per_pixel: 4,
            memory_len: 64,
        };
        let dir = TempDir::new("short");
        let path = dir.0.join("fb0");
        std::fs::write(&path, [0u8; 64]).unwrap();
        let device = OpenOptions::new().write(true).open(&path).unwrap();
        let pixels = [Xrgb8888::from_rgb(1, 2, 3); 8];
        let err = write_region(
            &device,
            &pixels,
            &g,
            &[DirtyRect {
                x: 0,
                y: 0,
                width: 4,
                height: 4,
            }],
        )
        .unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    }
}
