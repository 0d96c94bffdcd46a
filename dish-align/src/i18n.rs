//! Chinese and English text for people: the pointing report, the satellite list, GPS
//! progress and error lines. The language follows LC_ALL, then LC_MESSAGES, then LANG
//! (the POSIX order); anything starting with `zh` gives Chinese, everything else English.

use std::fmt::Write as _;

use crate::catalogue::{Band, PolarisationKind};
use crate::pointing::{Report, Turn, Visible, Warning};

/// Output language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    /// From the environment: LC_ALL, LC_MESSAGES, LANG, first non-empty wins.
    pub fn from_env() -> Lang {
        let get = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let v = get("LC_ALL")
            .or_else(|| get("LC_MESSAGES"))
            .or_else(|| get("LANG"));
        Lang::from_locale(v.as_deref().unwrap_or(""))
    }

    /// From a locale name such as `zh_CN.UTF-8` or `en_US`.
    pub fn from_locale(v: &str) -> Lang {
        if v.to_ascii_lowercase().starts_with("zh") {
            Lang::Zh
        } else {
            Lang::En
        }
    }

    /// `zh` / `en` (also accepted by `--lang`).
    pub fn parse(s: &str) -> Option<Lang> {
        match s.to_ascii_lowercase().as_str() {
            "zh" | "cn" | "chinese" | "中文" => Some(Lang::Zh),
            "en" | "english" => Some(Lang::En),
            _ => None,
        }
    }
}

fn ns(lat: f64, lang: Lang) -> String {
    match (lang, lat < 0.0) {
        (Lang::Zh, false) => format!("北纬 {:.6}°", lat),
        (Lang::Zh, true) => format!("南纬 {:.6}°", -lat),
        (Lang::En, false) => format!("{:.6}°N", lat),
        (Lang::En, true) => format!("{:.6}°S", -lat),
    }
}

fn ew(lon: f64, lang: Lang) -> String {
    let lon = (lon + 180.0).rem_euclid(360.0) - 180.0;
    match (lang, lon < 0.0) {
        (Lang::Zh, false) => format!("东经 {:.6}°", lon),
        (Lang::Zh, true) => format!("西经 {:.6}°", -lon),
        (Lang::En, false) => format!("{:.6}°E", lon),
        (Lang::En, true) => format!("{:.6}°W", -lon),
    }
}

/// "31.140000°N 97.170000°E" / "北纬 31.140000°，东经 97.170000°".
pub fn place(lat: f64, lon: f64, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{}，{}", ns(lat, lang), ew(lon, lang)),
        Lang::En => format!("{} {}", ns(lat, lang), ew(lon, lang)),
    }
}

pub fn band(b: Band, lang: Lang) -> &'static str {
    match (b, lang) {
        (Band::Ku, Lang::Zh) => "Ku 波段",
        (Band::C, Lang::Zh) => "C 波段",
        (Band::Ku, Lang::En) => "Ku band",
        (Band::C, Lang::En) => "C band",
    }
}

pub fn polarisation(p: PolarisationKind, lang: Lang) -> &'static str {
    match (p, lang) {
        (PolarisationKind::Circular, Lang::Zh) => "圆极化",
        (PolarisationKind::Linear, Lang::Zh) => "线极化",
        (PolarisationKind::Circular, Lang::En) => "circular polarisation",
        (PolarisationKind::Linear, Lang::En) => "linear polarisation",
    }
}

/// Terminal cells a label takes (CJK two, combining marks none).
fn width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

/// A label padded to a column of `w` terminal cells.
fn pad(s: &str, w: usize) -> String {
    let n = width(s);
    format!("{s}{}", " ".repeat(w.saturating_sub(n)))
}

/// Field labels.
struct Labels {
    satellite: &'static str,
    site: &'static str,
    date: &'static str,
    azimuth: &'static str,
    magnetic: &'static str,
    elevation: &'static str,
    apparent: &'static str,
    range: &'static str,
    skew: &'static str,
    lnb: &'static str,
    offset: &'static str,
    sun: &'static str,
    warning: &'static str,
}

/// Label column width.
const W: usize = 16;

fn labels(lang: Lang) -> Labels {
    match lang {
        Lang::Zh => Labels {
            satellite: "卫星",
            site: "位置",
            date: "日期",
            azimuth: "方位角（真北）",
            magnetic: "磁方位角",
            elevation: "仰角",
            apparent: "视仰角（折射）",
            range: "距离",
            skew: "极化角/LNB 旋转",
            lnb: "高频头（LNB）",
            offset: "偏馈天线",
            sun: "太阳定向",
            warning: "注意",
        },
        Lang::En => Labels {
            satellite: "Satellite",
            site: "Site",
            date: "Date",
            azimuth: "Azimuth (true)",
            magnetic: "Magnetic az.",
            elevation: "Elevation",
            apparent: "Apparent el.",
            range: "Slant range",
            skew: "LNB skew",
            lnb: "LNB",
            offset: "Offset dish",
            sun: "Sun compass",
            warning: "WARNING",
        },
    }
}

/// A warning in words.
pub fn warning(w: &Warning, lang: Lang) -> String {
    match (w, lang) {
        (Warning::NotVisible, Lang::Zh) => "不可见：卫星在地平线以下，此处无法接收。".into(),
        (Warning::NotVisible, Lang::En) => {
            "NOT VISIBLE: the satellite is below the horizon here.".into()
        }
        (Warning::LowElevationKu { elevation_deg }, Lang::Zh) => format!(
            "仰角仅 {elevation_deg:.1}°，低于 10°：Ku 波段易受雨衰和建筑、树木遮挡影响，请确认前方无遮挡。"
        ),
        (Warning::LowElevationKu { elevation_deg }, Lang::En) => format!(
            "elevation only {elevation_deg:.1}°, below 10°: on Ku band expect rain fade; make sure nothing blocks the view."
        ),
        (Warning::ModelValidity { decimal_year }, Lang::Zh) => format!(
            "日期 {decimal_year:.2} 超出 WMM2025 地磁模型有效期（2025.0–2030.0），不给出磁方位角；请用真方位角或太阳定向。"
        ),
        (Warning::ModelValidity { decimal_year }, Lang::En) => format!(
            "date {decimal_year:.2} is outside the WMM2025 validity (2025.0-2030.0): no magnetic azimuth; use the true azimuth or the sun."
        ),
        (Warning::CompassUnreliable { horizontal_nt }, Lang::Zh) => format!(
            "地磁水平强度仅 {horizontal_nt:.0} nT：此处指南针不可靠，请用太阳定向。"
        ),
        (Warning::CompassUnreliable { horizontal_nt }, Lang::En) => format!(
            "horizontal field only {horizontal_nt:.0} nT: a compass is unreliable here, use the sun."
        ),
        (Warning::CompassCaution { horizontal_nt }, Lang::Zh) => format!(
            "地磁水平强度较弱（{horizontal_nt:.0} nT）：指南针读数需谨慎。"
        ),
        (Warning::CompassCaution { horizontal_nt }, Lang::En) => format!(
            "weak horizontal field ({horizontal_nt:.0} nT): treat compass readings with caution."
        ),
        (Warning::UnknownPolarisation, Lang::Zh) => {
            "该轨道位置不在卫星目录中，极化方式未知；若为线极化，请按上面的极化角调整。".into()
        }
        (Warning::UnknownPolarisation, Lang::En) => {
            "this orbital position is not in the catalogue; polarisation unknown (the skew shown applies if it is linear).".into()
        }
    }
}

/// Skew in words.
pub fn skew_words(angle: f64, turn: Turn, lang: Lang) -> String {
    let a = angle.abs();
    match (turn, lang) {
        (Turn::None, Lang::Zh) => "LNB 保持竖直，无需旋转（0.0°）".into(),
        (Turn::None, Lang::En) => "keep the LNB upright, no rotation (0.0°)".into(),
        (Turn::Clockwise, Lang::Zh) => {
            format!("{angle:+.1}°：从天线背后朝卫星方向看，LNB 顺时针旋转 {a:.1}°")
        }
        (Turn::Anticlockwise, Lang::Zh) => {
            format!("{angle:+.1}°：从天线背后朝卫星方向看，LNB 逆时针旋转 {a:.1}°")
        }
        (Turn::Clockwise, Lang::En) => format!(
            "{angle:+.1}°: turn the LNB {a:.1}° clockwise as seen from behind the dish (looking towards the satellite)"
        ),
        (Turn::Anticlockwise, Lang::En) => format!(
            "{angle:+.1}°: turn the LNB {a:.1}° anticlockwise as seen from behind the dish (looking towards the satellite)"
        ),
    }
}

fn turn_of(a: f64) -> Turn {
    if a.abs() < crate::pointing::SKEW_NEGLIGIBLE_DEG {
        Turn::None
    } else if a > 0.0 {
        Turn::Clockwise
    } else {
        Turn::Anticlockwise
    }
}

/// The pointing report as text.
pub fn render_report(r: &Report, lang: Lang) -> String {
    let l = labels(lang);
    let mut o = String::new();
    let zh = lang == Lang::Zh;
    let mut sat = if zh {
        r.satellite.label_zh()
    } else {
        r.satellite.label()
    };
    if let Some(b) = r.satellite.band {
        sat += if zh { "，" } else { ", " };
        sat += band(b, lang);
    }
    if let Some(p) = r.satellite.polarisation {
        sat += if zh { "，" } else { ", " };
        sat += polarisation(p, lang);
    }
    let _ = writeln!(o, "{}  {sat}", pad(l.satellite, W));
    let h = r.site.height_m;
    let _ = if zh {
        writeln!(
            o,
            "{}  {}，椭球高 {h:.0} 米",
            pad(l.site, W),
            place(r.site.lat_deg, r.site.lon_deg, lang)
        )
    } else {
        writeln!(
            o,
            "{}  {}, {h:.0} m above the WGS84 ellipsoid",
            pad(l.site, W),
            place(r.site.lat_deg, r.site.lon_deg, lang)
        )
    };
    let _ = writeln!(o, "{}  {}", pad(l.date, W), r.date);
    if !r.visible {
        for w in &r.warnings {
            let _ = writeln!(o, "{}  {}", pad(l.warning, W), warning(w, lang));
        }
        let _ = writeln!(o, "{}  {:.2}°", pad(l.elevation, W), r.elevation_deg);
        return o;
    }
    let _ = writeln!(o, "{}  {:.2}°", pad(l.azimuth, W), r.azimuth_true_deg);
    match (r.azimuth_magnetic_deg, r.declination) {
        (Some(m), Some(d)) => {
            let dir = match (zh, d.declination_deg < 0.0) {
                (true, true) => "偏西",
                (true, false) => "偏东",
                (false, true) => "W",
                (false, false) => "E",
            };
            let dabs = d.declination_deg.abs();
            let s = d.uncertainty_deg;
            let _ = if zh {
                writeln!(
                    o,
                    "{}  {m:.2}°（磁偏角 {dir} {dabs:.2}° ± {s:.2}°，WMM2025）",
                    pad(l.magnetic, W)
                )
            } else {
                writeln!(
                    o,
                    "{}  {m:.2}° (declination {dabs:.2}° {dir} ± {s:.2}°, WMM2025)",
                    pad(l.magnetic, W)
                )
            };
        }
        _ => {
            let _ = writeln!(o, "{}  {}", pad(l.magnetic, W), if zh { "—" } else { "-" });
        }
    }
    let _ = writeln!(o, "{}  {:.2}°", pad(l.elevation, W), r.elevation_deg);
    if let Some(a) = r.apparent_elevation_deg {
        let _ = if zh {
            writeln!(o, "{}  {a:.2}°（ITU-R P.834 大气折射）", pad(l.apparent, W))
        } else {
            writeln!(
                o,
                "{}  {a:.2}° (ITU-R P.834 refraction)",
                pad(l.apparent, W)
            )
        };
    }
    let _ = if zh {
        writeln!(o, "{}  {:.0} 公里", pad(l.range, W), r.slant_range_km)
    } else {
        writeln!(o, "{}  {:.0} km", pad(l.range, W), r.slant_range_km)
    };
    match r.skew {
        Some(s) if !s.needed => {
            let _ = if zh {
                writeln!(o, "{}  无需调整极化角（圆极化）", pad(l.skew, W))
            } else {
                writeln!(
                    o,
                    "{}  no skew needed (circular polarisation)",
                    pad(l.skew, W)
                )
            };
        }
        Some(s) => {
            let _ = writeln!(
                o,
                "{}  {}",
                pad(l.skew, W),
                skew_words(s.angle_deg, s.turn, lang)
            );
        }
        None => {
            let a = r.skew_if_linear_deg;
            let _ = if zh {
                writeln!(
                    o,
                    "{}  若为线极化：{}",
                    pad(l.skew, W),
                    skew_words(a, turn_of(a), lang)
                )
            } else {
                writeln!(
                    o,
                    "{}  if linear: {}",
                    pad(l.skew, W),
                    skew_words(a, turn_of(a), lang)
                )
            };
        }
    }
    if let Some(lnb) = &r.satellite.lnb {
        let _ = writeln!(o, "{}  {lnb}", pad(l.lnb, W));
    }
    if let Some(off) = r.offset {
        let t = off.face_tilt_deg;
        let _ = if zh {
            writeln!(
                o,
                "{}  锅面仰角 {t:.1}°（仰角 {:.1}° − 偏馈角 {:.1}°）；若支架刻度已计入偏馈角（多数偏馈锅如此），直接把刻度调到 {:.1}°",
                pad(l.offset, W), r.elevation_deg, off.offset_deg, r.elevation_deg
            )
        } else {
            writeln!(
                o,
                "{}  face tilt {t:.1}° (elevation {:.1}° - offset {:.1}°); if the bracket scale already includes the offset (most offset dishes), set the scale to {:.1}° instead",
                pad(l.offset, W), r.elevation_deg, off.offset_deg, r.elevation_deg
            )
        };
    }
    if r.sun.is_empty() {
        let _ = if zh {
            writeln!(
                o,
                "{}  今天太阳不经过天线方位，无法用影子定向",
                pad(l.sun, W)
            )
        } else {
            writeln!(
                o,
                "{}  the sun does not pass the dish azimuth today; no shadow aid",
                pad(l.sun, W)
            )
        };
    }
    for s in &r.sun {
        let local = s.local.format("%H:%M");
        let tz = s.local.format("%:z");
        let utc = s.utc.format("%H:%M");
        let e = s.sun_elevation_deg;
        let _ = if zh {
            writeln!(
                o,
                "{}  {local}（本地时间 UTC{tz}，即 {utc} UTC）太阳正好在天线方位上（太阳高度 {e:.0}°）：此时竖杆的影子正背向卫星，锅面正对太阳、沿影子方向对准即可",
                pad(l.sun, W)
            )
        } else {
            writeln!(
                o,
                "{}  at {local} local (UTC{tz}) = {utc} UTC the sun stands exactly in the dish azimuth (sun {e:.0}° high): a vertical stick's shadow then points straight away from the satellite; face the dish to the sun along that shadow line",
                pad(l.sun, W)
            )
        };
    }
    for w in &r.warnings {
        let _ = writeln!(o, "{}  {}", pad(l.warning, W), warning(w, lang));
    }
    o
}

/// A label right-aligned in a column of `w` terminal cells.
fn lpad(s: &str, w: usize) -> String {
    format!("{}{s}", " ".repeat(w.saturating_sub(width(s))))
}

/// One table row: first column left-aligned, the others right-aligned.
fn row(cells: &[&str]) -> String {
    const WIDTHS: [usize; 7] = [16, 9, 6, 9, 9, 8, 9];
    let mut o = String::new();
    for (i, c) in cells.iter().enumerate() {
        let w = WIDTHS.get(i).copied().unwrap_or(8);
        if i == 0 {
            o.push_str(&pad(c, w));
        } else {
            o.push_str(&lpad(c, w));
        }
    }
    o.trim_end().to_string()
}

/// The `--list` table.
pub fn render_list(v: &[Visible], lat: f64, lon: f64, lang: Lang) -> String {
    let mut o = String::new();
    let zh = lang == Lang::Zh;
    let _ = if zh {
        writeln!(o, "{} 可见的卫星（按仰角排序）：", place(lat, lon, lang))
    } else {
        writeln!(
            o,
            "Satellites visible from {} (by elevation):",
            place(lat, lon, lang)
        )
    };
    let head: [&str; 7] = if zh {
        ["卫星", "位置", "波段", "真方位", "磁方位", "仰角", "极化角"]
    } else {
        [
            "Satellite",
            "Position",
            "Band",
            "True az",
            "Mag az",
            "Elev",
            "Skew",
        ]
    };
    let _ = writeln!(o, "{}", row(&head));
    for s in v {
        let mag = s
            .azimuth_magnetic_deg
            .map_or("-".to_string(), |m| format!("{m:.1}°"));
        let skew = match s.skew_deg {
            Some(k) => format!("{k:+.1}°"),
            None => if zh { "圆极化" } else { "circ." }.to_string(),
        };
        let b = match s.band {
            Band::Ku => "Ku",
            Band::C => "C",
        };
        let name = if zh {
            s.name_zh.as_deref().unwrap_or(&s.name)
        } else {
            &s.name
        };
        let az = format!("{:.1}°", s.azimuth_true_deg);
        let el = format!("{:.1}°", s.elevation_deg);
        let _ = writeln!(
            o,
            "{}",
            row(&[name, &s.position_label, b, &az, &mag, &el, &skew])
        );
    }
    if v.is_empty() {
        let _ = writeln!(o, "{}", if zh { "（无）" } else { "(none)" });
    }
    o
}

/// The GPS progress line.
pub fn gps_progress(in_view: u16, used: Option<u8>, hdop: Option<f64>, lang: Lang) -> String {
    let h = hdop.map_or("-".to_string(), |h| format!("{h:.2}"));
    let u = used.unwrap_or(0);
    match lang {
        Lang::Zh => format!("等待定位：可见卫星 {in_view} 颗，使用 {u} 颗，HDOP {h}"),
        Lang::En => format!("waiting for a fix: {in_view} satellites in view, {u} used, HDOP {h}"),
    }
}

/// GPS state changes.
pub fn gps_connected(path: &str, baud: u32, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("GPS 已连接：{path}，{baud} 波特"),
        Lang::En => format!("GPS connected on {path} at {baud} baud"),
    }
}

pub fn gps_disconnected(path: &str, why: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("GPS 断开（{path}：{why}），正在重新连接……"),
        Lang::En => format!("GPS disconnected ({path}: {why}), re-opening..."),
    }
}

pub fn gps_fix(fix: &crate::nmea::Fix, lang: Lang) -> String {
    let h = fix.hdop.map_or("-".to_string(), |h| format!("{h:.2}"));
    let u = fix.satellites_used.unwrap_or(0);
    match lang {
        Lang::Zh => format!(
            "已定位：{}，椭球高 {:.1} 米，{u} 颗卫星，HDOP {h}",
            place(fix.lat_deg, fix.lon_deg, lang),
            fix.ellipsoidal_height_m
        ),
        Lang::En => format!(
            "fix: {}, {:.1} m ellipsoidal height, {u} satellites, HDOP {h}",
            place(fix.lat_deg, fix.lon_deg, lang),
            fix.ellipsoidal_height_m
        ),
    }
}

/// The prefix of a one-line error.
pub fn error_prefix(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "dish-align: 错误：",
        Lang::En => "dish-align: error: ",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_names() {
        assert_eq!(Lang::from_locale("zh_CN.UTF-8"), Lang::Zh);
        assert_eq!(Lang::from_locale("zh_TW"), Lang::Zh);
        assert_eq!(Lang::from_locale("en_US.UTF-8"), Lang::En);
        assert_eq!(Lang::from_locale("C"), Lang::En);
        assert_eq!(Lang::from_locale(""), Lang::En);
    }

    #[test]
    fn skew_words_state_the_direction() {
        assert!(skew_words(12.3, Turn::Clockwise, Lang::Zh).contains("顺时针旋转 12.3°"));
        assert!(skew_words(-7.0, Turn::Anticlockwise, Lang::En).contains("7.0° anticlockwise"));
    }
}
