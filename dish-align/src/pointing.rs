//! The full pointing answer for one site and one satellite: what the CLI prints, the card
//! draws and the install wizard shows.

use chrono::{FixedOffset, NaiveDate};
use serde::Serialize;

use crate::catalogue::{position_label, Band, PolarisationKind, Target};
use crate::geodesy::{apparent_elevation_p834_deg, look_angles, Site};
use crate::sun::{alignments, SunAlignment};
use crate::wmm::{declination, CompassTrust, Declination};

/// Elevation under which refraction is worth showing (P.834 correction > ~0.1°).
pub const REFRACTION_SHOWN_BELOW_DEG: f64 = 10.0;
/// Ku band below this elevation suffers rain fade and obstacles.
pub const KU_LOW_ELEVATION_DEG: f64 = 10.0;
/// Skew smaller than this needs no turning in practice.
pub const SKEW_NEGLIGIBLE_DEG: f64 = 0.05;

/// The satellite as the report names it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SatelliteInfo {
    /// Catalogue name, or `None` for a bare orbital position.
    pub name: Option<String>,
    /// Chinese name, when the catalogue has one.
    pub name_zh: Option<String>,
    pub position_deg: f64,
    pub position_label: String,
    pub band: Option<Band>,
    pub polarisation: Option<PolarisationKind>,
    pub lnb: Option<String>,
}

impl SatelliteInfo {
    pub fn from_target(t: &Target<'_>) -> Self {
        match t {
            Target::Known(s) => SatelliteInfo {
                name: Some(s.name.clone()),
                name_zh: s.name_zh.clone(),
                position_deg: s.position,
                position_label: s.position_label(),
                band: Some(s.band),
                polarisation: Some(s.polarisation),
                lnb: Some(s.lnb.clone()),
            },
            Target::Position(p) => SatelliteInfo {
                name: None,
                name_zh: None,
                position_deg: *p,
                position_label: position_label(*p),
                band: None,
                polarisation: None,
                lnb: None,
            },
        }
    }

    /// "ChinaSat 9C (92.2°E)" or "92.2°E".
    pub fn label(&self) -> String {
        match &self.name {
            Some(n) => format!("{n} ({})", self.position_label),
            None => self.position_label.clone(),
        }
    }

    /// "中星9C（ChinaSat 9C，92.2°E）", falling back to [`Self::label`].
    pub fn label_zh(&self) -> String {
        match (&self.name_zh, &self.name) {
            (Some(z), Some(n)) => format!("{z}（{n}，{}）", self.position_label),
            _ => self.label(),
        }
    }
}

/// Which way to turn the LNB, as seen from behind the dish looking towards the satellite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Turn {
    Clockwise,
    Anticlockwise,
    None,
}

/// LNB skew.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Skew {
    /// Degrees in [-90, 90); positive = clockwise seen from behind the dish.
    pub angle_deg: f64,
    pub turn: Turn,
    /// False for circular polarisation: the LNB's rotation does not matter.
    pub needed: bool,
}

/// Offset-dish face tilt.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OffsetDish {
    pub offset_deg: f64,
    /// Tilt of the dish face from vertical towards the sky: elevation − offset angle.
    /// Negative means the face leans forward (down).
    pub face_tilt_deg: f64,
}

/// Things the installer must be told.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Warning {
    /// The satellite is below the horizon.
    NotVisible,
    /// Ku band under 10°: rain fade, buildings and trees.
    LowElevationKu {
        elevation_deg: f64,
    },
    /// The date is outside WMM2025: no magnetic azimuth.
    ModelValidity {
        decimal_year: f64,
    },
    /// Near the magnetic poles the compass cannot be trusted.
    CompassUnreliable {
        horizontal_nt: f64,
    },
    CompassCaution {
        horizontal_nt: f64,
    },
    /// An orbital position with no catalogue entry: polarisation unknown.
    UnknownPolarisation,
}

/// The pointing answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub site: Site,
    pub satellite: SatelliteInfo,
    pub date: NaiveDate,
    pub visible: bool,
    pub azimuth_true_deg: f64,
    /// True azimuth − declination; `None` outside the model's validity.
    pub azimuth_magnetic_deg: Option<f64>,
    pub declination: Option<Declination>,
    pub elevation_deg: f64,
    /// With ITU-R P.834 refraction, when the satellite is low enough for it to matter.
    pub apparent_elevation_deg: Option<f64>,
    pub slant_range_km: f64,
    /// `None` when the polarisation is unknown (bare orbital position): see `skew_if_linear`.
    pub skew: Option<Skew>,
    /// The skew a linearly polarised satellite at this position would need.
    pub skew_if_linear_deg: f64,
    pub offset: Option<OffsetDish>,
    /// When the sun stands in the dish's azimuth on this date.
    pub sun: Vec<SunAlignment>,
    pub warnings: Vec<Warning>,
}

/// What the report is computed from.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub site: Site,
    pub target: Target<'a>,
    pub date: NaiveDate,
    /// Offset angle of an offset dish, degrees.
    pub offset_deg: Option<f64>,
    /// Time zone for the sun times.
    pub tz: FixedOffset,
}

fn turn_of(angle: f64) -> Turn {
    if angle.abs() < SKEW_NEGLIGIBLE_DEG {
        Turn::None
    } else if angle > 0.0 {
        Turn::Clockwise
    } else {
        Turn::Anticlockwise
    }
}

/// Compute the pointing report.
pub fn compute(req: &Request<'_>) -> Report {
    let sat = SatelliteInfo::from_target(&req.target);
    let la = look_angles(&req.site, sat.position_deg);
    let mut warnings = Vec::new();
    let visible = la.elevation_deg > 0.0;
    if !visible {
        warnings.push(Warning::NotVisible);
    } else if sat.band == Some(Band::Ku) && la.elevation_deg < KU_LOW_ELEVATION_DEG {
        warnings.push(Warning::LowElevationKu {
            elevation_deg: la.elevation_deg,
        });
    }
    let h_km = req.site.height_m / 1000.0;
    let decl = match declination(req.site.lat_deg, req.site.lon_deg, h_km, req.date) {
        Ok(d) => {
            match d.compass {
                CompassTrust::Unreliable => warnings.push(Warning::CompassUnreliable {
                    horizontal_nt: d.horizontal_nt,
                }),
                CompassTrust::Caution => warnings.push(Warning::CompassCaution {
                    horizontal_nt: d.horizontal_nt,
                }),
                CompassTrust::Good => {}
            }
            Some(d)
        }
        Err(_) => {
            warnings.push(Warning::ModelValidity {
                decimal_year: crate::wmm::decimal_year(req.date),
            });
            None
        }
    };
    let azimuth_magnetic_deg = decl.map(|d| (la.azimuth_deg - d.declination_deg).rem_euclid(360.0));
    let apparent_elevation_deg = (la.elevation_deg > -1.0
        && la.elevation_deg < REFRACTION_SHOWN_BELOW_DEG)
        .then(|| apparent_elevation_p834_deg(la.elevation_deg, h_km));
    let skew = match sat.polarisation {
        Some(PolarisationKind::Linear) => Some(Skew {
            angle_deg: la.skew_deg,
            turn: turn_of(la.skew_deg),
            needed: true,
        }),
        Some(PolarisationKind::Circular) => Some(Skew {
            angle_deg: 0.0,
            turn: Turn::None,
            needed: false,
        }),
        None => {
            warnings.push(Warning::UnknownPolarisation);
            None
        }
    };
    let offset = req.offset_deg.map(|o| OffsetDish {
        offset_deg: o,
        face_tilt_deg: la.elevation_deg - o,
    });
    let sun = if visible {
        alignments(
            req.date,
            req.tz,
            req.site.lat_deg,
            req.site.lon_deg,
            la.azimuth_deg,
        )
    } else {
        Vec::new()
    };
    Report {
        site: req.site,
        satellite: sat,
        date: req.date,
        visible,
        azimuth_true_deg: la.azimuth_deg,
        azimuth_magnetic_deg,
        declination: decl,
        elevation_deg: la.elevation_deg,
        apparent_elevation_deg,
        slant_range_km: la.slant_range_km,
        skew,
        skew_if_linear_deg: la.skew_deg,
        offset,
        sun,
        warnings,
    }
}

/// One line of `--list`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Visible {
    pub name: String,
    pub name_zh: Option<String>,
    pub position_label: String,
    pub band: Band,
    pub polarisation: PolarisationKind,
    pub azimuth_true_deg: f64,
    pub azimuth_magnetic_deg: Option<f64>,
    pub elevation_deg: f64,
    pub skew_deg: Option<f64>,
}

/// Every catalogue satellite above `min_elevation_deg`, highest first.
pub fn visible_satellites(
    cat: &crate::catalogue::Catalogue,
    site: &Site,
    date: NaiveDate,
    min_elevation_deg: f64,
) -> Vec<Visible> {
    let decl = declination(site.lat_deg, site.lon_deg, site.height_m / 1000.0, date).ok();
    let mut v: Vec<Visible> = cat
        .satellites
        .iter()
        .filter_map(|s| {
            let la = look_angles(site, s.position);
            (la.elevation_deg > 0.0 && la.elevation_deg >= min_elevation_deg).then(|| Visible {
                name: s.name.clone(),
                name_zh: s.name_zh.clone(),
                position_label: s.position_label(),
                band: s.band,
                polarisation: s.polarisation,
                azimuth_true_deg: la.azimuth_deg,
                azimuth_magnetic_deg: decl
                    .map(|d| (la.azimuth_deg - d.declination_deg).rem_euclid(360.0)),
                elevation_deg: la.elevation_deg,
                skew_deg: (s.polarisation == PolarisationKind::Linear).then_some(la.skew_deg),
            })
        })
        .collect();
    v.sort_by(|a, b| b.elevation_deg.total_cmp(&a.elevation_deg));
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::Catalogue;

    fn req<'a>(cat: &'a Catalogue, lat: f64, lon: f64, sat: &str) -> Request<'a> {
        Request {
            site: Site::new(lat, lon, 0.0).unwrap(),
            target: cat.resolve(sat).unwrap(),
            date: NaiveDate::from_ymd_opt(2026, 11, 29).unwrap(),
            offset_deg: Some(22.6),
            tz: FixedOffset::east_opt(8 * 3600).unwrap(),
        }
    }

    #[test]
    fn chamdo_to_chinasat_9c() {
        let cat = Catalogue::builtin();
        let r = compute(&req(&cat, 31.14, 97.17, "92.2E"));
        assert!(r.visible);
        // West of south, high in the sky; circular: no skew.
        assert!(
            r.azimuth_true_deg > 185.0 && r.azimuth_true_deg < 195.0,
            "{r:?}"
        );
        assert!(r.elevation_deg > 50.0 && r.elevation_deg < 56.0);
        assert!(!r.skew.unwrap().needed);
        let m = r.azimuth_magnetic_deg.unwrap();
        let d = r.declination.unwrap().declination_deg;
        assert!((m - (r.azimuth_true_deg - d)).abs() < 1e-9);
        assert!((r.offset.unwrap().face_tilt_deg - (r.elevation_deg - 22.6)).abs() < 1e-12);
        assert_eq!(r.sun.len(), 1, "the sun passes SSW every day");
        assert!(r.apparent_elevation_deg.is_none());
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    }

    #[test]
    fn linear_satellite_gets_a_turn_direction() {
        let cat = Catalogue::builtin();
        // Beijing to AsiaSat 5 at 100.5°E: satellite west of the site → positive skew.
        let r = compute(&req(&cat, 39.9, 116.4, "AsiaSat 5"));
        let s = r.skew.unwrap();
        assert!(s.needed);
        assert_eq!(s.turn, Turn::Clockwise);
        assert!(s.angle_deg > 15.0 && s.angle_deg < 25.0, "{s:?}");
    }

    #[test]
    fn far_away_satellite_is_not_visible_and_low_ku_is_warned() {
        let cat = Catalogue::builtin();
        let r = compute(&req(&cat, 31.0, -80.0, "92.2E"));
        assert!(!r.visible);
        assert!(r.warnings.contains(&Warning::NotVisible));
        assert!(r.sun.is_empty());
        // Kashgar (39.5°N 76°E) sees 92.2°E well; far north-west Xinjiang at 48°N 80°E still
        // sees it. Put the site far enough west to be low.
        let r = compute(&req(&cat, 50.0, 30.0, "92.2E"));
        assert!(r.visible && r.elevation_deg < 10.0, "{r:?}");
        assert!(matches!(r.warnings[0], Warning::LowElevationKu { .. }));
        assert!(r.apparent_elevation_deg.unwrap() > r.elevation_deg);
    }

    #[test]
    fn list_is_sorted_and_filtered() {
        let cat = Catalogue::builtin();
        let site = Site::new(31.14, 97.17, 3240.0).unwrap();
        let d = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        let all = visible_satellites(&cat, &site, d, 0.0);
        assert_eq!(all.len(), cat.satellites.len());
        assert!(all
            .windows(2)
            .all(|w| w[0].elevation_deg >= w[1].elevation_deg));
        let high = visible_satellites(&cat, &site, d, 50.0);
        assert!(high.len() < all.len() && high.iter().all(|v| v.elevation_deg >= 50.0));
    }
}
