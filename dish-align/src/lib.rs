//! dish-align: where to point a satellite dish, exactly and offline.
//!
//! The library behind the `dish-align` CLI and the set-top box's installation wizard:
//! WGS84 look angles ([`geodesy`]), WMM2025 magnetic declination ([`wmm`]), the sun as a
//! compass ([`sun`]), NMEA 0183 parsing ([`nmea`]) and a serial GPS reader ([`gps`]),
//! the satellite catalogue ([`catalogue`]), the pointing report ([`pointing`]), a pointing card
//! ([`card`]) and Chinese/English text ([`i18n`]).
//!
//! The install wizard's path through it:
//!
//! ```
//! use dish_align::{look_angles, declination, Catalogue, Site};
//! let site = Site::new(31.14, 97.17, 3240.0)?;            // from the box's BeiDou fix
//! let catalogue = Catalogue::builtin();
//! let sat = catalogue.find("92.2E").unwrap();             // ChinaSat 9C, 户户通
//! let la = look_angles(&site, sat.position);
//! let date = chrono::NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
//! let d = declination(site.lat_deg, site.lon_deg, site.height_m / 1000.0, date)?;
//! let magnetic = (la.azimuth_deg - d.declination_deg).rem_euclid(360.0);
//! assert!(la.elevation_deg > 50.0 && (magnetic - la.azimuth_deg).abs() < 2.0);
//! # Ok::<(), dish_align::Error>(())
//! ```
//!
//! [`pointing::compute`] gives everything at once (with warnings, skew in words via
//! [`i18n`], the sun time); [`gps::GpsReader`] turns a serial receiver into fixes.

pub mod card;
pub mod catalogue;
pub mod geodesy;
pub mod gps;
pub mod i18n;
pub mod nmea;
pub mod pointing;
pub mod sun;
pub mod wmm;

pub use catalogue::{Catalogue, Satellite};
pub use geodesy::{look_angles, LookAngles, Site};
pub use pointing::{compute, Report, Request};
pub use wmm::{declination, Declination};

/// Everything that can go wrong, each with a message fit for a person.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("latitude {0} is outside -90..90 degrees")]
    Latitude(f64),
    #[error("longitude {0} is outside -180..360 degrees")]
    Longitude(f64),
    #[error("height {0} m is not a plausible height above the ellipsoid (-1000..20000 m)")]
    Height(f64),
    #[error("decimal year {0:.3} is outside the WMM2025 validity period 2025.0-2030.0")]
    ModelValidity(f64),
}
