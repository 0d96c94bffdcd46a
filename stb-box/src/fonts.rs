//! The fonts the screens are drawn with, pinned: one CJK font (which also carries Latin) and one Tibetan font, from
//! the Debian packages `fonts-noto-cjk` and `fonts-tibetan-machine`. The box image ships exactly these files at
//! these paths, and the tests render with them, so the box and the golden images draw the same glyphs whatever else
//! a machine has installed. They are registered with Slint's font collection as the sans-serif family and as the
//! fallback for Han and Tibetan script; Slint shapes Tibetan stacks itself (never pre-rendered glyph bitmaps).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use slint::fontique_011::fontique;

/// A font file the screens need.
#[derive(Clone, Copy, Debug)]
pub struct PinnedFont {
    pub path: &'static str,
    /// Unicode scripts (ISO 15924) this font is the fallback for.
    pub scripts: &'static [[u8; 4]],
}

/// The pinned fonts, first the one that draws Chinese and Latin.
pub const PINNED: [PinnedFont; 3] = [
    PinnedFont {
        path: "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        scripts: &[*b"Hani", *b"Latn", *b"Zyyy"],
    },
    PinnedFont {
        path: "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
        scripts: &[],
    },
    PinnedFont {
        path: "/usr/share/fonts/truetype/tibetan-machine/TibetanMachineUni.ttf",
        scripts: &[*b"Tibt"],
    },
];

/// What became of the pinned fonts: the files that could not be used are reported on screen.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FontReport {
    pub missing: Vec<PathBuf>,
}

/// Root under which the pinned paths are looked up (`/` on the box; tests may point elsewhere with `STB_FONT_ROOT`).
fn font_root() -> PathBuf {
    std::env::var_os("STB_FONT_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/"))
}

fn map(path: &Path) -> Option<memmap2::Mmap> {
    let file = std::fs::File::open(path).ok()?;
    // SAFETY: the fonts are read-only files of the system image (Debian packages); nothing writes them while the
    // box runs. Mapping instead of reading keeps the 20 MB CJK font out of the resident heap: only the glyphs
    // drawn are paged in.
    unsafe { memmap2::Mmap::map(&file) }.ok()
}

/// Registers the pinned fonts with Slint's shared font collection. Call once, after the platform is set.
/// Missing or unreadable fonts are returned, not fatal: the UI still starts and says what is missing.
pub fn register() -> FontReport {
    let root = font_root();
    let mut collection = slint::fontique_011::shared_collection();
    let mut report = FontReport::default();
    let mut sans = Vec::new();
    for font in PINNED {
        let path = root.join(font.path.trim_start_matches('/'));
        let Some(mapped) = map(&path) else {
            report.missing.push(path);
            continue;
        };
        let families = collection.register_fonts(fontique::Blob::new(Arc::new(mapped)), None);
        if families.is_empty() {
            report.missing.push(path);
            continue;
        }
        // A CJK collection also holds the monospaced and the Japanese/Korean/traditional families: the screens
        // use the proportional Simplified Chinese one, then the Tibetan font.
        for (family, _) in &families {
            let name = collection
                .family_name(*family)
                .unwrap_or_default()
                .to_string();
            let wanted = !name.contains("Mono") && (!name.contains("CJK") || name.ends_with(" SC"));
            if wanted && !sans.contains(family) {
                sans.push(*family);
            }
        }
        for script in font.scripts {
            let key = fontique::FallbackKey::new(fontique::Script::from_bytes(*script), None);
            collection.set_fallbacks(key, families.iter().map(|(id, _)| *id));
        }
    }
    if !sans.is_empty() {
        for generic in [
            fontique::GenericFamily::SansSerif,
            fontique::GenericFamily::SystemUi,
            fontique::GenericFamily::UiSansSerif,
        ] {
            collection.set_generic_families(generic, sans.iter().copied());
        }
    }
    report
}
