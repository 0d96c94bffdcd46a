//! `dish-align`: where to point the dish, from a typed position or a GPS on a serial port.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{FixedOffset, Local, NaiveDate, Offset, TimeZone};
use clap::Parser;

use dish_align::catalogue::{Catalogue, Target};
use dish_align::geodesy::Site;
use dish_align::gps::{BaudSetting, GpsEvent, GpsOptions, GpsReader};
use dish_align::i18n::{self, Lang};
use dish_align::pointing::{compute, visible_satellites, Report, Request};
use dish_align::{card, wmm};

/// Where to point a satellite dish: true and magnetic azimuth, elevation, LNB skew.
/// Exact (WGS84, WMM2025) and offline.
#[derive(Parser, Debug)]
#[command(name = "dish-align", version, about)]
struct Cli {
    /// Latitude in degrees, north positive.
    #[arg(long, allow_hyphen_values = true)]
    lat: Option<f64>,
    /// Longitude in degrees, east positive.
    #[arg(long, allow_hyphen_values = true)]
    lon: Option<f64>,
    /// Height in metres (GPS height above the WGS84 ellipsoid; MSL altitude is close enough:
    /// 100 m changes the angles by less than 0.001°).
    #[arg(long, allow_hyphen_values = true, default_value_t = 0.0)]
    height: f64,
    /// Satellite: orbital position (92.2E, 92.2°E, 30W) or name ("ChinaSat 9C").
    /// Default: ChinaSat 9C at 92.2°E (户户通).
    #[arg(long)]
    sat: Option<String>,
    /// Date for the magnetic declination and the sun (YYYY-MM-DD). Default: today
    /// (from the GPS when one is used).
    #[arg(long)]
    date: Option<String>,
    /// Offset angle of an offset dish in degrees: prints the face tilt.
    #[arg(long, allow_hyphen_values = true)]
    offset: Option<f64>,
    /// Machine-readable JSON output.
    #[arg(long)]
    json: bool,
    /// Read the position from an NMEA GPS on this serial port.
    #[arg(long, conflicts_with_all = ["lat", "lon"])]
    gps: Option<String>,
    /// GPS baud rate, or auto (tries 9600, 4800, 38400, 115200).
    #[arg(long, default_value = "auto", requires = "gps")]
    baud: String,
    /// With --gps: keep updating as the fix improves.
    #[arg(long, requires = "gps")]
    watch: bool,
    /// List every catalogue satellite visible from here, by elevation.
    #[arg(long)]
    list: bool,
    /// With --list: only satellites at least this high (degrees).
    #[arg(long, allow_hyphen_values = true, default_value_t = 0.0)]
    min_elevation: f64,
    /// Write a pointing card (SVG, or PNG when the name ends in .png).
    #[arg(long)]
    card: Option<PathBuf>,
    /// Time zone for the sun times, e.g. +08:00 (default: this computer's time zone).
    #[arg(long, allow_hyphen_values = true)]
    tz: Option<String>,
    /// Language: zh or en (default from LC_ALL / LC_MESSAGES / LANG).
    #[arg(long)]
    lang: Option<String>,
}

/// A one-line failure: message and exit code.
struct Fail(String, u8);

fn usage(lang: Lang, zh: String, en: String) -> Fail {
    Fail(if lang == Lang::Zh { zh } else { en }, 2)
}

fn parse_date(s: &str, lang: Lang) -> Result<NaiveDate, Fail> {
    let d = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        usage(
            lang,
            format!("日期 '{s}' 无法识别，请用 YYYY-MM-DD 格式，例如 2026-11-29"),
            format!("date '{s}' is not a date; use YYYY-MM-DD, e.g. 2026-11-29"),
        )
    })?;
    let y = wmm::decimal_year(d);
    if !(wmm::VALID_FROM..=wmm::VALID_UNTIL).contains(&y) {
        return Err(usage(
            lang,
            format!("日期 {d} 超出 WMM2025 地磁模型的有效期（2025-01-01 至 2029-12-31）"),
            format!(
                "date {d} is outside the WMM2025 magnetic model (valid 2025-01-01 to 2029-12-31)"
            ),
        ));
    }
    Ok(d)
}

fn site_of(lat: f64, lon: f64, h: f64, lang: Lang) -> Result<Site, Fail> {
    Site::new(lat, lon, h).map_err(|e| match e {
        dish_align::Error::Latitude(v) => usage(
            lang,
            format!("纬度 {v} 超出范围，应在 -90 到 90 度之间"),
            format!("latitude {v} is out of range: it must be between -90 and 90 degrees"),
        ),
        dish_align::Error::Longitude(v) => usage(
            lang,
            format!("经度 {v} 超出范围，应在 -180 到 180 度之间（或 0 到 360 度）"),
            format!("longitude {v} is out of range: it must be between -180 and 180 degrees (or 0 to 360)"),
        ),
        dish_align::Error::Height(v) => usage(
            lang,
            format!("高度 {v} 米不合理（应在 -1000 到 20000 米之间）"),
            format!("height {v} m is not plausible (expected -1000 to 20000 m)"),
        ),
        other => Fail(other.to_string(), 2),
    })
}

fn parse_tz(s: &str, lang: Lang) -> Result<FixedOffset, Fail> {
    let t = s.trim();
    let t = t.strip_prefix("UTC").unwrap_or(t);
    if let Ok(h) = t.parse::<f64>() {
        if let Some(o) = (h.is_finite() && h.abs() <= 14.0)
            .then(|| FixedOffset::east_opt((h * 3600.0).round() as i32))
            .flatten()
        {
            return Ok(o);
        }
    }
    let ok =
        chrono::DateTime::parse_from_str(&format!("2026-01-01 00:00 {t}"), "%Y-%m-%d %H:%M %:z")
            .or_else(|_| {
                chrono::DateTime::parse_from_str(
                    &format!("2026-01-01 00:00 {t}:00"),
                    "%Y-%m-%d %H:%M %:z",
                )
            })
            .map(|d| *d.offset());
    ok.map_err(|_| {
        usage(
            lang,
            format!("时区 '{s}' 无法识别，请写成 +08:00 这样的形式"),
            format!("time zone '{s}' is not an offset such as +08:00"),
        )
    })
}

fn tz_for(date: NaiveDate, fixed: Option<FixedOffset>) -> FixedOffset {
    if let Some(f) = fixed {
        return f;
    }
    date.and_hms_opt(12, 0, 0)
        .and_then(|n| Local.from_local_datetime(&n).earliest())
        .map(|t| t.offset().fix())
        .unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero offset is valid"))
}

struct Ctx<'a> {
    cli: &'a Cli,
    lang: Lang,
    cat: &'a Catalogue,
    target: Option<Target<'a>>,
    date: Option<NaiveDate>,
    tz: Option<FixedOffset>,
}

impl Ctx<'_> {
    fn date_or(&self, gps_date: Option<NaiveDate>) -> NaiveDate {
        self.date
            .or(gps_date)
            .unwrap_or_else(|| Local::now().date_naive())
    }

    /// Compute and print for one site. Returns the report (None for --list).
    fn answer(
        &self,
        site: Site,
        gps_date: Option<NaiveDate>,
        compact: bool,
    ) -> Result<Option<Report>, Fail> {
        let date = self.date_or(gps_date);
        let mut out = std::io::stdout().lock();
        if self.cli.list {
            let v = visible_satellites(self.cat, &site, date, self.cli.min_elevation);
            if self.cli.json {
                let j = serde_json::json!({ "site": site, "date": date, "satellites": v });
                let s = if compact {
                    j.to_string()
                } else {
                    serde_json::to_string_pretty(&j).unwrap_or_default()
                };
                let _ = writeln!(out, "{s}");
            } else {
                let _ = write!(
                    out,
                    "{}",
                    i18n::render_list(&v, site.lat_deg, site.lon_deg, self.lang)
                );
            }
            let _ = out.flush();
            return Ok(None);
        }
        let target = self
            .target
            .clone()
            .ok_or_else(|| Fail("no satellite".into(), 2))?;
        let r = compute(&Request {
            site,
            target,
            date,
            offset_deg: self.cli.offset,
            tz: tz_for(date, self.tz),
        });
        if self.cli.json {
            let s = if compact {
                serde_json::to_string(&r)
            } else {
                serde_json::to_string_pretty(&r)
            }
            .map_err(|e| Fail(e.to_string(), 1))?;
            let _ = writeln!(out, "{s}");
        } else {
            let _ = write!(out, "{}", i18n::render_report(&r, self.lang));
        }
        let _ = out.flush();
        if let Some(p) = &self.cli.card {
            if let Some(card::CardNote::NoChineseFont) =
                card::write(p, &r, self.lang).map_err(|e| Fail(e.to_string(), 1))?
            {
                eprintln!(
                    "未找到中文字体（如 fonts-wqy-microhei），PNG 卡片改用英文；SVG 卡片不受影响"
                );
            }
        }
        Ok(Some(r))
    }
}

fn run_gps(ctx: &Ctx<'_>, path: &str) -> Result<(), Fail> {
    let lang = ctx.lang;
    let baud: BaudSetting = ctx.cli.baud.parse().map_err(|e: String| Fail(e, 2))?;
    let mut reader = GpsReader::open(
        path,
        GpsOptions {
            baud,
            ..GpsOptions::default()
        },
    )
    .map_err(|e| {
        Fail(
            match lang {
                Lang::Zh => format!("GPS 无法使用：{e}"),
                Lang::En => format!("GPS unusable: {e}"),
            },
            1,
        )
    })?;
    let tty = std::io::stderr().is_terminal();
    let mut best: Option<(f64, [f64; 3])> = None;
    let mut last_progress = String::new();
    loop {
        let ev = reader.next_event().map_err(|e| Fail(e.to_string(), 1))?;
        let mut err = std::io::stderr().lock();
        match ev {
            GpsEvent::Connected { baud } => {
                let _ = writeln!(err, "{}", i18n::gps_connected(path, baud, lang));
            }
            GpsEvent::Progress {
                in_view,
                used,
                hdop,
            } => {
                let line = i18n::gps_progress(in_view, used, hdop, lang);
                if tty {
                    let _ = write!(err, "\r\x1b[K{line}");
                } else if line != last_progress {
                    let _ = writeln!(err, "{line}");
                }
                last_progress = line;
            }
            GpsEvent::Disconnected { reason } => {
                let _ = writeln!(
                    err,
                    "{}{}",
                    if tty { "\n" } else { "" },
                    i18n::gps_disconnected(path, &reason, lang)
                );
            }
            GpsEvent::NoNmea => {
                let _ = writeln!(
                    err,
                    "{}",
                    match lang {
                        Lang::Zh => "未收到有效的 NMEA 数据，继续尝试……",
                        Lang::En => "no valid NMEA data yet, still trying...",
                    }
                );
            }
            GpsEvent::Fix(fix) => {
                let site = match Site::new(fix.lat_deg, fix.lon_deg, fix.ellipsoidal_height_m) {
                    Ok(s) => s,
                    Err(_) => continue,
                };
                let hdop = fix.hdop.unwrap_or(99.0);
                let pos = site.ecef();
                // In watch mode re-print only when the fix got better or moved.
                let improved = match best {
                    None => true,
                    Some((bh, bp)) => {
                        let moved = ((pos[0] - bp[0]).powi(2)
                            + (pos[1] - bp[1]).powi(2)
                            + (pos[2] - bp[2]).powi(2))
                        .sqrt();
                        hdop < bh - 1e-9 || moved > 2.0 * hdop.max(0.5)
                    }
                };
                if !improved {
                    continue;
                }
                best = Some((hdop.min(best.map_or(f64::MAX, |b| b.0)), pos));
                let _ = writeln!(
                    err,
                    "{}{}",
                    if tty { "\n" } else { "" },
                    i18n::gps_fix(&fix, lang)
                );
                drop(err);
                ctx.answer(site, fix.date, ctx.cli.watch)?;
                if !ctx.cli.watch {
                    return Ok(());
                }
            }
        }
    }
}

fn run(cli: &Cli, lang: Lang) -> Result<(), Fail> {
    let cat = Catalogue::builtin();
    let date = cli
        .date
        .as_deref()
        .map(|d| parse_date(d, lang))
        .transpose()?;
    if let Some(o) = cli.offset {
        if !o.is_finite() || !(0.0..=60.0).contains(&o) {
            return Err(usage(
                lang,
                format!("偏馈角 {o}° 不合理（应在 0 到 60 度之间）"),
                format!("offset angle {o}° is not plausible (expected 0 to 60 degrees)"),
            ));
        }
    }
    if !cli.min_elevation.is_finite() || !(-90.0..=90.0).contains(&cli.min_elevation) {
        return Err(usage(
            lang,
            format!("最低仰角 {} 超出范围（-90 到 90 度）", cli.min_elevation),
            format!(
                "minimum elevation {} is out of range (-90 to 90 degrees)",
                cli.min_elevation
            ),
        ));
    }
    let target = match &cli.sat {
        None => cat.default_satellite().map(Target::Known).or(Some(Target::Position(92.2))),
        Some(q) => match cat.resolve(q) {
            Some(t) => Some(t),
            None => {
                return Err(usage(
                    lang,
                    format!("未知卫星 '{q}'：请用 --list 查看卫星目录，或直接给出轨道位置，例如 92.2E"),
                    format!("unknown satellite '{q}': see --list for the catalogue, or give an orbital position such as 92.2E"),
                ))
            }
        },
    };
    let ctx = Ctx {
        cli,
        lang,
        cat: &cat,
        target,
        date,
        tz: cli.tz.as_deref().map(|t| parse_tz(t, lang)).transpose()?,
    };
    if let Some(path) = &cli.gps {
        return run_gps(&ctx, path);
    }
    let (Some(lat), Some(lon)) = (cli.lat, cli.lon) else {
        return Err(usage(
            lang,
            "需要位置：请给出 --lat 和 --lon，或用 --gps /dev/ttyUSB0 读取 GPS".into(),
            "a position is needed: give --lat and --lon, or --gps /dev/ttyUSB0".into(),
        ));
    };
    let site = site_of(lat, lon, cli.height, lang)?;
    ctx.answer(site, None, false).map(|_| ())
}

fn main() -> ExitCode {
    let env_lang = Lang::from_env();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            // One clear line, not a screenful.
            let text = e.render().to_string();
            let first = text
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("invalid arguments")
                .trim_start_matches("error: ");
            eprintln!("{}{first}", i18n::error_prefix(env_lang));
            return ExitCode::from(2);
        }
    };
    let lang = match cli.lang.as_deref() {
        None => env_lang,
        Some(l) => match Lang::parse(l) {
            Some(l) => l,
            None => {
                eprintln!("{}--lang '{l}': use zh or en", i18n::error_prefix(env_lang));
                return ExitCode::from(2);
            }
        },
    };
    match run(&cli, lang) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Fail(msg, code)) => {
            eprintln!("{}{msg}", i18n::error_prefix(lang));
            ExitCode::from(code)
        }
    }
}
