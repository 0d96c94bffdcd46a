//! The sun as a compass: solar position (NOAA's implementation of Meeus' low-precision
//! algorithm, ~0.01° for 1950–2050) and the time of day when the sun stands exactly in the
//! dish's azimuth, so the dish can be aimed by the shadow of a vertical stick or the feed arm.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, TimeZone, Utc};
use serde::Serialize;

/// Solar azimuth (from true north, clockwise) and geometric elevation, degrees.
pub fn position(t: DateTime<Utc>, lat_deg: f64, lon_deg: f64) -> (f64, f64) {
    let jd =
        t.timestamp() as f64 / 86400.0 + t.timestamp_subsec_nanos() as f64 / 86400e9 + 2_440_587.5;
    let tc = (jd - 2_451_545.0) / 36525.0;
    let l0 = (280.46646 + tc * (36000.76983 + 0.0003032 * tc)).rem_euclid(360.0);
    let m = 357.52911 + tc * (35999.05029 - 0.0001537 * tc);
    let e = 0.016708634 - tc * (0.000042037 + 0.0000001267 * tc);
    let mr = m.to_radians();
    let c = mr.sin() * (1.914602 - tc * (0.004817 + 0.000014 * tc))
        + (2.0 * mr).sin() * (0.019993 - 0.000101 * tc)
        + (3.0 * mr).sin() * 0.000289;
    let true_long = l0 + c;
    let omega = (125.04 - 1934.136 * tc).to_radians();
    let lambda = (true_long - 0.00569 - 0.00478 * omega.sin()).to_radians();
    let eps0 =
        23.0 + (26.0 + (21.448 - tc * (46.815 + tc * (0.00059 - tc * 0.001813))) / 60.0) / 60.0;
    let eps = (eps0 + 0.00256 * omega.cos()).to_radians();
    let decl = (eps.sin() * lambda.sin()).asin();
    let y = (eps / 2.0).tan().powi(2);
    let l0r = l0.to_radians();
    let eot_min = 4.0
        * (y * (2.0 * l0r).sin() - 2.0 * e * mr.sin() + 4.0 * e * y * mr.sin() * (2.0 * l0r).cos()
            - 0.5 * y * y * (4.0 * l0r).sin()
            - 1.25 * e * e * (2.0 * mr).sin())
        .to_degrees();
    let secs = t.timestamp().rem_euclid(86400) as f64 + t.timestamp_subsec_nanos() as f64 * 1e-9;
    let tst = (secs / 60.0 + eot_min + 4.0 * lon_deg).rem_euclid(1440.0);
    let ha = (tst / 4.0 - 180.0).to_radians();
    let lat = lat_deg.to_radians();
    let cos_z = (lat.sin() * decl.sin() + lat.cos() * decl.cos() * ha.cos()).clamp(-1.0, 1.0);
    let elev = 90.0 - cos_z.acos().to_degrees();
    let az = (ha
        .sin()
        .atan2(ha.cos() * lat.sin() - decl.tan() * lat.cos())
        .to_degrees()
        + 180.0)
        .rem_euclid(360.0);
    (az, elev)
}

/// A moment when the sun's azimuth equals the dish azimuth.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SunAlignment {
    pub utc: DateTime<Utc>,
    pub local: DateTime<FixedOffset>,
    /// Sun elevation then; a shadow is sharp above ~5°.
    pub sun_elevation_deg: f64,
}

fn wrap180(a: f64) -> f64 {
    (a + 180.0).rem_euclid(360.0) - 180.0
}

/// All moments on the local calendar day `date` (in time zone `tz`) when the sun, above the
/// horizon, stands in azimuth `azimuth_deg` as seen from the site. Usually zero or one.
pub fn alignments(
    date: NaiveDate,
    tz: FixedOffset,
    lat_deg: f64,
    lon_deg: f64,
    azimuth_deg: f64,
) -> Vec<SunAlignment> {
    let Some(midnight) = date
        .and_hms_opt(0, 0, 0)
        .and_then(|n| tz.from_local_datetime(&n).single())
    else {
        return Vec::new();
    };
    let start = midnight.with_timezone(&Utc);
    let f = |t: DateTime<Utc>| wrap180(position(t, lat_deg, lon_deg).0 - azimuth_deg);
    let step = Duration::minutes(2);
    let mut out = Vec::new();
    let mut t0 = start;
    let mut f0 = f(t0);
    for _ in 0..(24 * 30) {
        let t1 = t0 + step;
        let f1 = f(t1);
        // A real crossing, not the ±180° wrap on the far side of the sky.
        if f0.signum() != f1.signum() && f0.abs() < 90.0 && f1.abs() < 90.0 {
            let (mut a, mut b, mut fa) = (t0, t1, f0);
            while b - a > Duration::milliseconds(500) {
                let mid = a + (b - a) / 2;
                let fm = f(mid);
                if fm.signum() == fa.signum() {
                    a = mid;
                    fa = fm;
                } else {
                    b = mid;
                }
            }
            let el = position(a, lat_deg, lon_deg).1;
            if el > 0.0 {
                out.push(SunAlignment {
                    utc: a,
                    local: a.with_timezone(&tz),
                    sun_elevation_deg: el,
                });
            }
        }
        t0 = t1;
        f0 = f1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greenwich_noon_height_matches_the_declination() {
        // At the June 2026 solstice the sun's declination is +23.43°, so at the Greenwich
        // observatory (51.4769°N) the noon sun stands 90 − 51.4769 + 23.43 ≈ 61.96° high,
        // due south, a minute or two after 12:00 UTC (equation of time ≈ −1.7 min).
        let tz = FixedOffset::east_opt(0).unwrap();
        let d = NaiveDate::from_ymd_opt(2026, 6, 21).unwrap();
        let a = alignments(d, tz, 51.4769, 0.0, 180.0);
        assert_eq!(a.len(), 1);
        assert!((a[0].sun_elevation_deg - 61.96).abs() < 0.05, "{a:?}");
        let hm = a[0].utc.format("%H:%M").to_string();
        assert!(("12:00".."12:04").contains(&hm.as_str()), "{hm}");
    }

    #[test]
    fn sun_crosses_south_at_local_solar_noon() {
        let tz = FixedOffset::east_opt(8 * 3600).unwrap();
        let d = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        let a = alignments(d, tz, 39.9, 116.4, 180.0);
        assert_eq!(a.len(), 1);
        // Beijing (116.4°E) on UTC+8: mean noon 12:14.4, less the equation of time (+11.8 min
        // at the end of November) gives ≈ 12:02.6 local; noon height 90 − 39.9 − 21.47.
        let mins = a[0].local.time().format("%H:%M").to_string();
        assert!(("12:01".."12:04").contains(&mins.as_str()), "{mins}");
        assert!((a[0].sun_elevation_deg - 28.63).abs() < 0.05, "{a:?}");
        let (az, _) = position(a[0].utc, 39.9, 116.4);
        assert!((az - 180.0).abs() < 0.01);
    }

    #[test]
    fn no_alignment_for_an_azimuth_the_sun_never_reaches() {
        let tz = FixedOffset::east_opt(8 * 3600).unwrap();
        let d = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        assert!(alignments(d, tz, 39.9, 116.4, 0.0).is_empty());
    }
}
