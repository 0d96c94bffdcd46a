//! The pointing card: a picture an installer can show and keep. Compass rose with true and
//! magnetic north, the azimuth arrow, an elevation gauge, the numbers and the place.
//! Written as SVG; PNG is rasterised with resvg (pure Rust) using the system's fonts.

use std::fmt::Write as _;
use std::path::Path;

use crate::i18n::{place, Lang};
use crate::pointing::Report;

/// Card size in SVG user units (pixels in the PNG).
pub const WIDTH: u32 = 640;
pub const HEIGHT: u32 = 940;

/// The card could not be written.
#[derive(Debug, thiserror::Error)]
pub enum CardError {
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot render the card: {0}")]
    Render(String),
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A point at compass bearing `deg` (clockwise from up) and radius `r` around (cx, cy).
fn polar(cx: f64, cy: f64, r: f64, deg: f64) -> (f64, f64) {
    let a = deg.to_radians();
    (cx + r * a.sin(), cy - r * a.cos())
}

/// The card as SVG text.
pub fn svg(r: &Report, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let mut o = String::new();
    let (w, h) = (WIDTH as f64, HEIGHT as f64);
    let _ = writeln!(
        o,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="Noto Sans CJK SC, WenQuanYi Micro Hei, DejaVu Sans, sans-serif">"#
    );
    let _ = writeln!(o, r##"<rect width="{w}" height="{h}" fill="#ffffff"/>"##);
    // Title and place.
    let title = if zh {
        "天线对星卡"
    } else {
        "Dish pointing card"
    };
    let _ = writeln!(
        o,
        r##"<text x="{}" y="40" font-size="28" font-weight="bold" text-anchor="middle" fill="#111">{}</text>"##,
        w / 2.0,
        esc(title)
    );
    let _ = writeln!(
        o,
        r##"<text x="{}" y="72" font-size="20" text-anchor="middle" fill="#222">{}</text>"##,
        w / 2.0,
        esc(&if zh {
            r.satellite.label_zh()
        } else {
            r.satellite.label()
        })
    );
    let height_txt = if zh {
        format!(
            "{}，{:.0} 米 · {}",
            place(r.site.lat_deg, r.site.lon_deg, lang),
            r.site.height_m,
            r.date
        )
    } else {
        format!(
            "{}, {:.0} m · {}",
            place(r.site.lat_deg, r.site.lon_deg, lang),
            r.site.height_m,
            r.date
        )
    };
    let _ = writeln!(
        o,
        r##"<text x="{}" y="98" font-size="15" text-anchor="middle" fill="#444">{}</text>"##,
        w / 2.0,
        esc(&height_txt)
    );

    // Compass rose.
    let (cx, cy, rr) = (w / 2.0, 355.0, 180.0);
    let _ = writeln!(
        o,
        r##"<circle cx="{cx}" cy="{cy}" r="{rr}" fill="#f6f8fa" stroke="#333" stroke-width="2"/>"##
    );
    for d in (0..360).step_by(5) {
        let len = if d % 30 == 0 {
            18.0
        } else if d % 10 == 0 {
            11.0
        } else {
            6.0
        };
        let (x1, y1) = polar(cx, cy, rr, d as f64);
        let (x2, y2) = polar(cx, cy, rr - len, d as f64);
        let _ = writeln!(
            o,
            r##"<line x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}" stroke="#333" stroke-width="{}"/>"##,
            if d % 30 == 0 { 2 } else { 1 }
        );
        if d % 30 == 0 && d % 90 != 0 {
            let (tx, ty) = polar(cx, cy, rr - 32.0, d as f64);
            let _ = writeln!(
                o,
                r##"<text x="{tx:.1}" y="{:.1}" font-size="13" text-anchor="middle" fill="#555">{d}</text>"##,
                ty + 5.0
            );
        }
    }
    let cardinal: [&str; 4] = if zh {
        ["北", "东", "南", "西"]
    } else {
        ["N", "E", "S", "W"]
    };
    for (i, c) in cardinal.iter().enumerate() {
        let (tx, ty) = polar(cx, cy, rr - 36.0, i as f64 * 90.0);
        let _ = writeln!(
            o,
            r##"<text x="{tx:.1}" y="{:.1}" font-size="22" font-weight="bold" text-anchor="middle" fill="#111">{c}</text>"##,
            ty + 8.0
        );
    }
    // True north marker.
    let (tx, ty) = polar(cx, cy, rr + 18.0, 0.0);
    let _ = writeln!(
        o,
        r##"<text x="{tx:.1}" y="{:.1}" font-size="14" text-anchor="middle" fill="#111">{}</text>"##,
        ty + 4.0,
        if zh { "真北" } else { "true N" }
    );
    // Magnetic north.
    if let Some(d) = r.declination {
        let (x2, y2) = polar(cx, cy, rr + 4.0, d.declination_deg);
        let _ = writeln!(
            o,
            r##"<line x1="{cx}" y1="{cy}" x2="{x2:.1}" y2="{y2:.1}" stroke="#1f6feb" stroke-width="2" stroke-dasharray="8 5"/>"##
        );
        let (mx, my) = polar(
            cx,
            cy,
            rr + 30.0,
            d.declination_deg + if d.declination_deg < 0.0 { -6.0 } else { 6.0 },
        );
        let label = if zh {
            format!("磁北 {:+.1}°", d.declination_deg)
        } else {
            format!("mag N {:+.1}°", d.declination_deg)
        };
        let _ = writeln!(
            o,
            r##"<text x="{mx:.1}" y="{my:.1}" font-size="13" text-anchor="middle" fill="#1f6feb">{}</text>"##,
            esc(&label)
        );
    }
    // Azimuth arrow.
    if r.visible {
        let az = r.azimuth_true_deg;
        let (x2, y2) = polar(cx, cy, rr - 22.0, az);
        let (lx, ly) = polar(cx, cy, rr - 48.0, az - 4.0);
        let (rx, ry) = polar(cx, cy, rr - 48.0, az + 4.0);
        let _ = writeln!(
            o,
            r##"<line x1="{cx}" y1="{cy}" x2="{x2:.1}" y2="{y2:.1}" stroke="#d1242f" stroke-width="6" stroke-linecap="round"/>"##
        );
        let _ = writeln!(
            o,
            r##"<polygon points="{x2:.1},{y2:.1} {lx:.1},{ly:.1} {rx:.1},{ry:.1}" fill="#d1242f"/>"##
        );
    }
    let _ = writeln!(o, r##"<circle cx="{cx}" cy="{cy}" r="5" fill="#111"/>"##);

    // Elevation gauge: a quarter circle, 0° horizontal to 90° straight up.
    let (gx, gy, gr) = (60.0, 780.0, 140.0);
    let _ = writeln!(
        o,
        r##"<path d="M {gx} {gy} L {} {gy} A {gr} {gr} 0 0 0 {gx} {} Z" fill="#f6f8fa" stroke="#333" stroke-width="2"/>"##,
        gx + gr,
        gy - gr
    );
    for d in (0..=90).step_by(10) {
        let a = (d as f64).to_radians();
        let (x1, y1) = (gx + gr * a.cos(), gy - gr * a.sin());
        let (x2, y2) = (gx + (gr - 12.0) * a.cos(), gy - (gr - 12.0) * a.sin());
        let _ = writeln!(
            o,
            r##"<line x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}" stroke="#333"/>"##
        );
        if d % 30 == 0 {
            let (tx, ty) = (gx + (gr + 16.0) * a.cos(), gy - (gr + 16.0) * a.sin());
            let _ = writeln!(
                o,
                r##"<text x="{tx:.1}" y="{:.1}" font-size="12" text-anchor="middle" fill="#555">{d}°</text>"##,
                ty + 4.0
            );
        }
    }
    let el = r.elevation_deg.clamp(-5.0, 90.0);
    let a = el.to_radians();
    let _ = writeln!(
        o,
        r##"<line x1="{gx}" y1="{gy}" x2="{:.1}" y2="{:.1}" stroke="#d1242f" stroke-width="5" stroke-linecap="round"/>"##,
        gx + (gr - 6.0) * a.cos(),
        gy - (gr - 6.0) * a.sin()
    );
    let _ = writeln!(
        o,
        r##"<text x="{gx}" y="{}" font-size="14" fill="#111">{}</text>"##,
        gy + 24.0,
        esc(&if zh {
            format!("仰角 {:.1}°", r.elevation_deg)
        } else {
            format!("elevation {:.1}°", r.elevation_deg)
        })
    );

    // The numbers.
    let mut lines: Vec<(String, String)> = Vec::new();
    let deg = |v: f64| format!("{v:.1}°");
    if !r.visible {
        lines.push((
            if zh { "不可见" } else { "NOT VISIBLE" }.into(),
            if zh {
                "卫星在地平线以下"
            } else {
                "below the horizon"
            }
            .into(),
        ));
    } else {
        lines.push((
            if zh {
                "方位角（真北）"
            } else {
                "Azimuth (true)"
            }
            .into(),
            deg(r.azimuth_true_deg),
        ));
        if let Some(m) = r.azimuth_magnetic_deg {
            lines.push((if zh { "磁方位角" } else { "Magnetic az." }.into(), deg(m)));
        }
        lines.push((
            if zh { "仰角" } else { "Elevation" }.into(),
            deg(r.elevation_deg),
        ));
        if let Some(off) = r.offset {
            lines.push((
                if zh { "锅面仰角" } else { "Face tilt" }.into(),
                deg(off.face_tilt_deg),
            ));
        }
        let skew = match r.skew {
            Some(s) if !s.needed => if zh {
                "无需调整"
            } else {
                "none (circular)"
            }
            .to_string(),
            Some(s) => match (s.turn, zh) {
                (crate::pointing::Turn::Clockwise, true) => {
                    format!("顺时针 {:.1}°", s.angle_deg.abs())
                }
                (crate::pointing::Turn::Anticlockwise, true) => {
                    format!("逆时针 {:.1}°", s.angle_deg.abs())
                }
                (crate::pointing::Turn::Clockwise, false) => {
                    format!("{:.1}° clockwise", s.angle_deg.abs())
                }
                (crate::pointing::Turn::Anticlockwise, false) => {
                    format!("{:.1}° anticlockwise", s.angle_deg.abs())
                }
                (crate::pointing::Turn::None, _) => "0.0°".into(),
            },
            None => format!("{:+.1}° ?", r.skew_if_linear_deg),
        };
        lines.push((if zh { "极化角" } else { "LNB skew" }.into(), skew));
        lines.push((
            if zh { "距离" } else { "Range" }.into(),
            format!("{:.0} km", r.slant_range_km),
        ));
        if let Some(s) = r.sun.first() {
            lines.push((
                if zh {
                    "太阳在此方位"
                } else {
                    "Sun on azimuth"
                }
                .into(),
                format!("{} (UTC{})", s.local.format("%H:%M"), s.local.format("%:z")),
            ));
            lines.push(("".into(), format!("{} UTC", s.utc.format("%H:%M"))));
        }
    }
    let (nx, mut ny) = (275.0, 630.0);
    for (k, v) in lines {
        let _ = writeln!(
            o,
            r##"<text x="{nx}" y="{ny}" font-size="16" fill="#444">{}</text><text x="{}" y="{ny}" font-size="19" font-weight="bold" fill="#111">{}</text>"##,
            esc(&k),
            nx + 150.0,
            esc(&v)
        );
        ny += 30.0;
    }
    if r.skew.is_some_and(|s| s.needed) {
        let _ = writeln!(
            o,
            r##"<text x="{nx}" y="{}" font-size="13" fill="#555">{}</text>"##,
            ny + 4.0,
            if zh {
                "极化角：从天线背后朝卫星方向看"
            } else {
                "skew: as seen from behind the dish"
            }
        );
    }
    let foot = if zh {
        "dish-align · WGS84 · WMM2025 · 磁方位角 = 真方位角 − 磁偏角"
    } else {
        "dish-align · WGS84 · WMM2025 · magnetic = true − declination"
    };
    let _ = writeln!(
        o,
        r##"<text x="{}" y="{}" font-size="12" text-anchor="middle" fill="#777">{}</text>"##,
        w / 2.0,
        h - 20.0,
        esc(foot)
    );
    o.push_str("</svg>\n");
    o
}

#[cfg(feature = "png")]
/// The system's fonts, loaded once per card.
fn system_fonts() -> resvg::usvg::fontdb::Database {
    let mut db = resvg::usvg::fontdb::Database::new();
    db.load_system_fonts();
    db
}

#[cfg(feature = "png")]
/// Families that carry Chinese glyphs.
const CJK_FAMILIES: &[&str] = &[
    "Noto Sans CJK",
    "Noto Serif CJK",
    "Source Han",
    "WenQuanYi",
    "Droid Sans Fallback",
    "AR PL",
    "Microsoft YaHei",
    "SimSun",
    "SimHei",
    "PingFang",
];

#[cfg(feature = "png")]
/// True when a font for Chinese text is installed.
pub fn has_cjk_font(db: &resvg::usvg::fontdb::Database) -> bool {
    db.faces().any(|f| {
        f.families
            .iter()
            .any(|(name, _)| CJK_FAMILIES.iter().any(|c| name.starts_with(c)))
    })
}

#[cfg(feature = "png")]
fn rasterise(svg_text: &str, db: resvg::usvg::fontdb::Database) -> Result<Vec<u8>, CardError> {
    let mut opt = resvg::usvg::Options::default();
    *opt.fontdb_mut() = db;
    let tree = resvg::usvg::Tree::from_str(svg_text, &opt)
        .map_err(|e| CardError::Render(e.to_string()))?;
    let mut pix = resvg::tiny_skia::Pixmap::new(WIDTH, HEIGHT)
        .ok_or_else(|| CardError::Render("pixmap".into()))?;
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::default(),
        &mut pix.as_mut(),
    );
    pix.encode_png()
        .map_err(|e| CardError::Render(e.to_string()))
}

#[cfg(feature = "png")]
/// Rasterise an SVG card to PNG bytes with the system's fonts.
pub fn png(svg_text: &str) -> Result<Vec<u8>, CardError> {
    rasterise(svg_text, system_fonts())
}

/// What writing the card had to give up, if anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardNote {
    /// A Chinese PNG was asked for but no Chinese font is installed: written in English.
    NoChineseFont,
}

/// Write the card: PNG when the file name ends in `.png`, SVG otherwise.
pub fn write(path: &Path, r: &Report, lang: Lang) -> Result<Option<CardNote>, CardError> {
    let is_png = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("png"));
    #[cfg_attr(not(feature = "png"), allow(unused_mut))]
    let mut note = None;
    #[cfg(not(feature = "png"))]
    if is_png {
        return Err(CardError::Render(
            "PNG cards are not built in (feature \"png\"); write an .svg card".into(),
        ));
    }
    #[cfg(feature = "png")]
    let bytes = if is_png {
        let db = system_fonts();
        let lang = if lang == Lang::Zh && !has_cjk_font(&db) {
            note = Some(CardNote::NoChineseFont);
            Lang::En
        } else {
            lang
        };
        rasterise(&svg(r, lang), db)?
    } else {
        svg(r, lang).into_bytes()
    };
    #[cfg(not(feature = "png"))]
    let bytes = svg(r, lang).into_bytes();
    // Write to a temporary file beside the target and rename, so a failure never leaves a
    // half-written card in place of a good one.
    let tmp = path.with_extension("tmp~");
    std::fs::write(&tmp, &bytes)
        .and_then(|_| std::fs::rename(&tmp, path))
        .map_err(|source| {
            let _ = std::fs::remove_file(&tmp);
            CardError::Write {
                path: path.display().to_string(),
                source,
            }
        })?;
    Ok(note)
}
