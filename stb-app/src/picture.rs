//! The decoded picture the player hands to the screens. The player (`stb-play`, its own process: decision 0004)
//! decodes and scales; the screens (`stb-box`) draw the on-screen display over it. Between them lies one file in
//! shared memory (`/dev/shm`), made by the screens at their own size, so a frame crosses with one copy and no
//! socket, and a player that dies leaves the screens as they were.
//!
//! Layout (little-endian, [`HEADER`] bytes, then the pixels):
//!
//! ```text
//!  0  magic "STBP"        4  version (1)
//!  8  sequence (u64)      odd while the player writes a frame, even once it is whole (a sequence lock)
//! 16  width              20  height           set by the screens: the size every frame is scaled to
//! 24  channel            28  reserved         the channel number the frame belongs to (0: none)
//! 32  frames written (u64)
//! 40  presentation time of the frame, ns in the player's stream time (u64; all ones: not known)
//! 64  width x height RGB pixels, 3 bytes each, rows without padding
//! ```
//!
//! The player letterboxes or pillarboxes the picture into the whole size, so the screens copy it unscaled.

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use std::sync::atomic::{fence, AtomicU64, Ordering};

use memmap2::MmapMut;

/// Where the box's screens put the picture file.
pub const DEFAULT_PATH: &str = "/dev/shm/stb-picture";

const MAGIC: &[u8; 4] = b"STBP";
const VERSION: u32 = 1;
/// Bytes before the pixels.
pub const HEADER: usize = 64;
const SEQUENCE: usize = 8;
const WIDTH: usize = 16;
const HEIGHT: usize = 20;
const CHANNEL: usize = 24;
const FRAMES: usize = 32;
const PTS: usize = 40;
/// Larger than any screen a box drives (1920x1080 is 6 MB): a damaged header cannot make us map gigabytes.
const MAX_PIXELS: u64 = 4096 * 2160;

#[derive(Debug, thiserror::Error)]
pub enum PictureError {
    #[error("picture file {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("picture file {path} is not one the screens made ({why})")]
    Foreign { path: PathBuf, why: &'static str },
    #[error("a picture of {width}x{height} pixels is not drawable")]
    Size { width: u32, height: u32 },
}

/// One mapping of the picture file, as either side sees it.
struct Mapped {
    map: MmapMut,
    width: u32,
    height: u32,
}

impl Mapped {
    fn open(path: &Path) -> Result<Self, PictureError> {
        let io = |source| PictureError::Io {
            path: path.to_path_buf(),
            source,
        };
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .map_err(io)?;
        let len = file.metadata().map_err(io)?.len();
        let foreign = |why| PictureError::Foreign {
            path: path.to_path_buf(),
            why,
        };
        if len < HEADER as u64 {
            return Err(foreign("shorter than its header"));
        }
        // SAFETY: the file is ours (the screens made it, the player writes only through this module); the other
        // process changes the bytes while we look, which the sequence lock below makes harmless.
        let map = unsafe { MmapMut::map_mut(&file) }.map_err(io)?;
        if &map[0..4] != MAGIC {
            return Err(foreign("wrong magic"));
        }
        if u32_at(&map, 4) != VERSION {
            return Err(foreign("another version"));
        }
        let (width, height) = (u32_at(&map, WIDTH), u32_at(&map, HEIGHT));
        let pixels = u64::from(width) * u64::from(height);
        if width == 0 || height == 0 || pixels > MAX_PIXELS {
            return Err(PictureError::Size { width, height });
        }
        if len < HEADER as u64 + pixels * 3 {
            return Err(foreign("shorter than its pixels"));
        }
        Ok(Self { map, width, height })
    }

    fn sequence(&self) -> &AtomicU64 {
        let p = self.map[SEQUENCE..SEQUENCE + 8].as_ptr() as *mut u64;
        // SAFETY: the mapping is page-aligned, so offset 8 is aligned for a u64; it lives as long as `self`; every
        // access to these 8 bytes, in both processes, is atomic.
        unsafe { AtomicU64::from_ptr(p) }
    }

    fn pixel_len(&self) -> usize {
        self.width as usize * self.height as usize * 3
    }
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Makes (or makes again) the picture file at `path` for a screen of `width` x `height`, with no picture in it.
pub fn create(path: &Path, width: u32, height: u32) -> Result<(), PictureError> {
    let pixels = u64::from(width) * u64::from(height);
    if width == 0 || height == 0 || pixels > MAX_PIXELS {
        return Err(PictureError::Size { width, height });
    }
    let mut header = [0u8; HEADER];
    header[0..4].copy_from_slice(MAGIC);
    header[4..8].copy_from_slice(&VERSION.to_le_bytes());
    header[WIDTH..WIDTH + 4].copy_from_slice(&width.to_le_bytes());
    header[HEIGHT..HEIGHT + 4].copy_from_slice(&height.to_le_bytes());
    let io = |source| PictureError::Io {
        path: path.to_path_buf(),
        source,
    };
    // A new file, renamed over the old one: a player still writing into the old mapping cannot tear the new.
    let tmp = path.with_extension("new");
    let file = std::fs::File::create(&tmp).map_err(io)?;
    file.set_len(HEADER as u64 + pixels * 3).map_err(io)?;
    std::os::unix::fs::FileExt::write_all_at(&file, &header, 0).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}

/// The player's side: writes whole frames for one channel.
pub struct PictureWriter {
    mapped: Mapped,
    channel: u32,
}

impl PictureWriter {
    /// Opens the file the screens made; frames written are marked as channel `channel`'s.
    pub fn open(path: &Path, channel: u32) -> Result<Self, PictureError> {
        Ok(Self {
            mapped: Mapped::open(path)?,
            channel,
        })
    }

    /// The size every frame must have.
    pub fn size(&self) -> (u32, u32) {
        (self.mapped.width, self.mapped.height)
    }

    /// Writes one frame, to be shown at `pts_ns` (stream time), handing `fill` the pixel bytes (rows of `width`
    /// RGB pixels) to fill in.
    pub fn write(&mut self, pts_ns: Option<u64>, fill: impl FnOnce(&mut [u8])) {
        let seq = self.mapped.sequence().load(Ordering::Relaxed);
        // Odd: a reader that starts now, or is copying, will see that it must not use what it copies. (A player
        // that died mid-frame left it odd: the next odd number.)
        let writing = seq.wrapping_add(if seq.is_multiple_of(2) { 1 } else { 2 });
        self.mapped.sequence().store(writing, Ordering::Relaxed);
        fence(Ordering::Release);
        let frames = u64::from_le_bytes(
            self.mapped.map[FRAMES..FRAMES + 8]
                .try_into()
                .unwrap_or([0; 8]),
        );
        self.mapped.map[CHANNEL..CHANNEL + 4].copy_from_slice(&self.channel.to_le_bytes());
        self.mapped.map[FRAMES..FRAMES + 8].copy_from_slice(&(frames + 1).to_le_bytes());
        self.mapped.map[PTS..PTS + 8].copy_from_slice(&pts_ns.unwrap_or(u64::MAX).to_le_bytes());
        let len = self.mapped.pixel_len();
        fill(&mut self.mapped.map[HEADER..HEADER + len]);
        self.mapped
            .sequence()
            .store(writing.wrapping_add(1), Ordering::Release);
    }
}

/// A whole frame as the screens copied it.
#[derive(Clone, Debug, PartialEq)]
pub struct Frame {
    pub width: u32,
    pub height: u32,
    /// The channel the player was playing when it wrote the frame.
    pub channel: u32,
    /// When the frame is shown, ns in the player's stream time (the sound's time line: lip sync is measured on it).
    pub pts_ns: Option<u64>,
    /// RGB, 3 bytes a pixel, `width` pixels a row.
    pub pixels: Vec<u8>,
}

/// The screens' side: takes each new whole frame once.
pub struct PictureReader {
    mapped: Mapped,
    /// The sequence of the last frame taken.
    last: u64,
}

impl PictureReader {
    pub fn open(path: &Path) -> Result<Self, PictureError> {
        Ok(Self {
            mapped: Mapped::open(path)?,
            last: 0,
        })
    }

    /// The size of every frame (what the file was made for).
    pub fn size(&self) -> (u32, u32) {
        (self.mapped.width, self.mapped.height)
    }

    /// Whether a whole frame was written since the last one taken (cheap: one atomic load).
    pub fn has_new(&self) -> bool {
        let seq = self.mapped.sequence().load(Ordering::Acquire);
        seq & 1 == 0 && seq != self.last
    }

    /// The frame written since the last call, if a whole one was; `None` when there is nothing new or the player
    /// was writing (the next call takes it).
    pub fn take(&mut self) -> Option<Frame> {
        let mut pixels = vec![0; self.mapped.pixel_len()];
        let (channel, pts_ns) = self.take_frame(&mut pixels)?;
        Some(Frame {
            width: self.mapped.width,
            height: self.mapped.height,
            channel,
            pts_ns,
            pixels,
        })
    }

    /// As [`PictureReader::take`], into `out` (width x height x 3 bytes, e.g. the screens' image buffer; left
    /// as it was, or partly written, when `None` is returned): the frame's channel.
    pub fn take_into(&mut self, out: &mut [u8]) -> Option<u32> {
        self.take_frame(out).map(|(channel, _)| channel)
    }

    /// The frame's channel and presentation time.
    fn take_frame(&mut self, out: &mut [u8]) -> Option<(u32, Option<u64>)> {
        let before = self.mapped.sequence().load(Ordering::Acquire);
        let len = self.mapped.pixel_len();
        if before & 1 == 1 || before == self.last || out.len() != len {
            return None;
        }
        out.copy_from_slice(&self.mapped.map[HEADER..HEADER + len]);
        let channel = u32_at(&self.mapped.map, CHANNEL);
        let pts = u64::from_le_bytes(
            self.mapped.map[PTS..PTS + 8]
                .try_into()
                .unwrap_or([0xff; 8]),
        );
        fence(Ordering::Acquire);
        if self.mapped.sequence().load(Ordering::Relaxed) != before {
            return None;
        }
        self.last = before;
        Some((channel, (pts != u64::MAX).then_some(pts)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("stb-picture-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("picture")
    }

    #[test]
    fn a_frame_written_is_taken_once_whole_with_its_channel() {
        let path = temp("once");
        create(&path, 4, 2).unwrap();
        let mut reader = PictureReader::open(&path).unwrap();
        assert!(!reader.has_new());
        assert_eq!(reader.take(), None, "a new file holds no picture");
        let mut writer = PictureWriter::open(&path, 7).unwrap();
        assert_eq!(writer.size(), (4, 2));
        writer.write(Some(40_000_000), |p| p.fill(0x80));
        assert!(reader.has_new());
        let f = reader.take().expect("the frame");
        assert_eq!((f.width, f.height, f.channel), (4, 2, 7));
        assert_eq!(f.pts_ns, Some(40_000_000));
        assert_eq!(f.pixels, vec![0x80; 24]);
        assert_eq!(reader.take(), None, "taken once");
        assert!(!reader.has_new());
        writer.write(None, |p| p[0] = 1);
        assert_eq!(
            reader.take().map(|f| (f.pixels[0], f.pts_ns)),
            Some((1, None))
        );
    }

    #[test]
    fn a_frame_being_written_is_not_taken() {
        let path = temp("torn");
        create(&path, 2, 2).unwrap();
        let mut reader = PictureReader::open(&path).unwrap();
        let mut writer = PictureWriter::open(&path, 1).unwrap();
        // The reader looks while the player is in the middle of a frame.
        writer.write(None, |_| assert_eq!(reader.take(), None));
        assert!(reader.take().is_some(), "once whole it is taken");
    }

    #[test]
    fn a_new_file_for_another_screen_size_replaces_the_old() {
        let path = temp("again");
        create(&path, 2, 2).unwrap();
        create(&path, 3, 1).unwrap();
        let w = PictureWriter::open(&path, 1).unwrap();
        assert_eq!(w.size(), (3, 1));
    }

    #[test]
    fn files_that_are_not_pictures_are_refused() {
        let path = temp("foreign");
        std::fs::write(&path, b"hello").unwrap();
        assert!(matches!(
            PictureReader::open(&path),
            Err(PictureError::Foreign { .. })
        ));
        std::fs::write(&path, [0u8; HEADER]).unwrap();
        assert!(matches!(
            PictureWriter::open(&path, 1),
            Err(PictureError::Foreign { .. })
        ));
        // A header that promises more pixels than the file holds.
        create(&path, 8, 8).unwrap();
        let f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        f.set_len(HEADER as u64 + 10).unwrap();
        assert!(matches!(
            PictureReader::open(&path),
            Err(PictureError::Foreign { .. })
        ));
        assert!(matches!(
            create(&path, 0, 5),
            Err(PictureError::Size { .. })
        ));
    }
}
