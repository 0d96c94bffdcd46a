//! WGS84 geometry: geodetic → ECEF → local ENU, look angles to a geostationary satellite,
//! LNB skew by the exact vector method, and ITU-R P.834 tropospheric refraction.
//!
//! No spherical-Earth shortcut anywhere: the site is placed on the WGS84 ellipsoid and the
//! satellite on the geostationary ring of radius 42 164.17 km in the equatorial plane.

use serde::Serialize;

/// WGS84 semi-major axis (m).
pub const WGS84_A: f64 = 6_378_137.0;
/// WGS84 flattening.
pub const WGS84_F: f64 = 1.0 / 298.257_223_563;
/// WGS84 first eccentricity squared.
pub const WGS84_E2: f64 = WGS84_F * (2.0 - WGS84_F);
/// Geostationary orbit radius from the Earth's centre (m).
pub const GEO_RADIUS_M: f64 = 42_164_170.0;

/// An observing site: geodetic latitude and longitude in degrees (east positive),
/// height above the WGS84 ellipsoid in metres.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Site {
    pub lat_deg: f64,
    pub lon_deg: f64,
    pub height_m: f64,
}

impl Site {
    /// A site, checked: latitude within ±90°, longitude within −180°…360°,
    /// height finite and within −1 km … +20 km (anything else is a typo, not a roof).
    pub fn new(lat_deg: f64, lon_deg: f64, height_m: f64) -> Result<Site, crate::Error> {
        if !lat_deg.is_finite() || !(-90.0..=90.0).contains(&lat_deg) {
            return Err(crate::Error::Latitude(lat_deg));
        }
        if !lon_deg.is_finite() || !(-180.0..=360.0).contains(&lon_deg) {
            return Err(crate::Error::Longitude(lon_deg));
        }
        if !height_m.is_finite() || !(-1000.0..=20_000.0).contains(&height_m) {
            return Err(crate::Error::Height(height_m));
        }
        Ok(Site {
            lat_deg,
            lon_deg,
            height_m,
        })
    }

    /// Earth-centred, Earth-fixed coordinates of the site (m).
    pub fn ecef(&self) -> [f64; 3] {
        geodetic_to_ecef(self.lat_deg, self.lon_deg, self.height_m)
    }
}

/// Geodetic (WGS84) to ECEF, metres.
pub fn geodetic_to_ecef(lat_deg: f64, lon_deg: f64, h: f64) -> [f64; 3] {
    let (sl, cl) = lat_deg.to_radians().sin_cos();
    let (so, co) = lon_deg.to_radians().sin_cos();
    let n = WGS84_A / (1.0 - WGS84_E2 * sl * sl).sqrt();
    [
        (n + h) * cl * co,
        (n + h) * cl * so,
        (n * (1.0 - WGS84_E2) + h) * sl,
    ]
}

/// ECEF position of a geostationary satellite at `sat_lon_deg` east (m).
pub fn geostationary_ecef(sat_lon_deg: f64) -> [f64; 3] {
    let (s, c) = sat_lon_deg.to_radians().sin_cos();
    [GEO_RADIUS_M * c, GEO_RADIUS_M * s, 0.0]
}

/// The local east, north and up unit vectors at a geodetic position, in ECEF.
pub fn enu_basis(lat_deg: f64, lon_deg: f64) -> [[f64; 3]; 3] {
    let (sl, cl) = lat_deg.to_radians().sin_cos();
    let (so, co) = lon_deg.to_radians().sin_cos();
    [
        [-so, co, 0.0],
        [-sl * co, -sl * so, cl],
        [cl * co, cl * so, sl],
    ]
}

fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

fn sub(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

fn scale(a: [f64; 3], k: f64) -> [f64; 3] {
    [a[0] * k, a[1] * k, a[2] * k]
}

fn cross(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

fn norm(a: [f64; 3]) -> f64 {
    dot(a, a).sqrt()
}

/// Geometric look angles from a site to a geostationary satellite.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LookAngles {
    /// Azimuth from true (geographic) north, clockwise, degrees in [0, 360).
    pub azimuth_deg: f64,
    /// Geometric elevation above the ellipsoid-normal horizon, degrees.
    pub elevation_deg: f64,
    /// Distance from the site to the satellite, km.
    pub slant_range_km: f64,
    /// LNB skew for a linearly polarised satellite, degrees in [-90, 90):
    /// positive means turn the LNB clockwise as seen from behind the dish.
    pub skew_deg: f64,
}

/// Look angles from `site` to the geostationary satellite at `sat_lon_deg` east.
pub fn look_angles(site: &Site, sat_lon_deg: f64) -> LookAngles {
    let p = site.ecef();
    let s = geostationary_ecef(sat_lon_deg);
    let [east, north, up] = enu_basis(site.lat_deg, site.lon_deg);
    let d = sub(s, p);
    let range = norm(d);
    let (e, n, u) = (dot(d, east), dot(d, north), dot(d, up));
    let mut az = e.atan2(n).to_degrees();
    if az < 0.0 {
        az += 360.0;
    }
    if az >= 360.0 {
        az -= 360.0;
    }
    let el = u.atan2(e.hypot(n)).to_degrees();
    LookAngles {
        azimuth_deg: az,
        elevation_deg: el,
        slant_range_km: range / 1000.0,
        skew_deg: skew_along(scale(d, 1.0 / range), up),
    }
}

/// Skew by the exact vector method.
///
/// A linearly polarised geostationary satellite's "vertical" is parallel to the Earth's axis.
/// The wave arrives with its field in the plane normal to the line of sight `d`; the receiver's
/// own vertical is the local up projected into that plane. The skew is the signed angle from
/// the receiver's vertical to the satellite's, turning right-handedly about `d` — which is
/// clockwise for someone behind the dish looking towards the satellite — folded to [-90°, 90°)
/// because a polarisation plane has no head or tail.
fn skew_along(d: [f64; 3], up: [f64; 3]) -> f64 {
    let z = [0.0, 0.0, 1.0];
    let pol = sub(z, scale(d, dot(z, d)));
    let vert = sub(up, scale(d, dot(up, d)));
    let ang = dot(cross(vert, pol), d).atan2(dot(vert, pol)).to_degrees();
    fold_skew(ang)
}

/// Fold an angle of a polarisation plane into [-90°, 90°).
pub fn fold_skew(a: f64) -> f64 {
    let r = (a + 90.0).rem_euclid(180.0) - 90.0;
    if r >= 90.0 {
        r - 180.0
    } else {
        r
    }
}

/// ITU-R P.834 (Rec. P.834-9, §1) tropospheric refraction: the elevation correction τ as a
/// function of the *apparent* elevation θ0 (degrees) at a station `height_km` above sea level:
///
/// τ(h, θ0) = 1 / (1.314 + 0.6437θ0 + 0.02869θ0² + h(0.2305 + 0.09428θ0 + 0.01096θ0²) + 0.008583h²)
///
/// and θ = θ0 − τ(h, θ0). The recommendation derives it for 0 ≤ h ≤ 3 km; heights are clamped
/// to that range.
pub fn refraction_p834_deg(apparent_el_deg: f64, height_km: f64) -> f64 {
    let h = height_km.clamp(0.0, 3.0);
    let t = apparent_el_deg;
    let den = 1.314
        + 0.6437 * t
        + 0.02869 * t * t
        + h * (0.2305 + 0.09428 * t + 0.01096 * t * t)
        + 0.008583 * h * h;
    if den <= 0.0 {
        // Far below the formula's validity (deep under the horizon): no meaningful correction.
        0.0
    } else {
        1.0 / den
    }
}

/// The apparent elevation θ0 of a target at geometric (free-space) elevation `el_deg`:
/// solves θ0 − τ(h, θ0) = θ with the P.834 τ by fixed-point iteration (|dτ/dθ0| < 0.5, so it
/// contracts; 40 rounds reach machine precision).
pub fn apparent_elevation_p834_deg(el_deg: f64, height_km: f64) -> f64 {
    let mut a = el_deg + refraction_p834_deg(el_deg, height_km);
    for _ in 0..40 {
        let next = el_deg + refraction_p834_deg(a, height_km);
        if (next - a).abs() < 1e-12 {
            return next;
        }
        a = next;
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_south_on_the_equator_is_straight_up() {
        let s = Site::new(0.0, 92.2, 0.0).unwrap();
        let la = look_angles(&s, 92.2);
        assert!((la.elevation_deg - 90.0).abs() < 1e-9);
        assert!((la.slant_range_km - (42_164.17 - 6_378.137)).abs() < 1e-6);
    }

    #[test]
    fn same_meridian_in_the_north_looks_due_south_with_no_skew() {
        let s = Site::new(40.0, 92.2, 100.0).unwrap();
        let la = look_angles(&s, 92.2);
        assert!((la.azimuth_deg - 180.0).abs() < 1e-9, "{la:?}");
        assert!(la.skew_deg.abs() < 1e-9, "{la:?}");
    }

    #[test]
    fn skew_sign_follows_the_textbook_formula() {
        // Textbook spherical approximation: skew = atan(sin(Δλ)/tan(φ)), Δλ = site − sat.
        // The exact vector result differs only slightly; the sign must agree.
        for &(lat, lon, sat) in &[
            (31.14, 97.17, 92.2),
            (39.9, 116.4, 92.2),
            (45.0, 80.0, 110.5),
        ] {
            let s = Site::new(lat, lon, 0.0).unwrap();
            let la = look_angles(&s, sat);
            let d: f64 = (lon - sat).to_radians();
            let approx = (d.sin() / lat.to_radians().tan()).atan().to_degrees();
            assert!(
                (la.skew_deg - approx).abs() < 2.0,
                "{lat} {lon} {sat}: {la:?} vs {approx}"
            );
        }
    }

    #[test]
    fn fold_is_half_open() {
        assert_eq!(fold_skew(90.0), -90.0);
        assert_eq!(fold_skew(-90.0), -90.0);
        assert!((fold_skew(100.0) + 80.0).abs() < 1e-12);
        assert!((fold_skew(-100.0) - 80.0).abs() < 1e-12);
        assert!((fold_skew(12.5) - 12.5).abs() < 1e-12);
    }

    #[test]
    fn refraction_inverts_p834_and_agrees_with_p619() {
        // P.834 at apparent 0°, sea level.
        assert!((refraction_p834_deg(0.0, 0.0) - 1.0 / 1.314).abs() < 1e-12);
        for h in [0.0, 0.5, 1.0, 2.0, 3.0] {
            for el in [-0.5, 0.0, 0.5, 1.0, 2.0, 5.0, 10.0] {
                let a = apparent_elevation_p834_deg(el, h);
                // Consistent with P.834's definition θ = θ0 − τ(h, θ0).
                assert!((a - refraction_p834_deg(a, h) - el).abs() < 1e-9);
                // And with ITU-R P.619 Attachment B's free-space form τ_fs(h, θ).
                let tfs = 1.0
                    / (1.728
                        + 0.5411 * el
                        + 0.03723 * el * el
                        + h * (0.1815 + 0.06272 * el + 0.01380 * el * el)
                        + h * h * (0.01727 + 0.008288 * el));
                assert!(
                    ((a - el) - tfs).abs() < 0.015,
                    "h {h} el {el}: {} vs {tfs}",
                    a - el
                );
            }
        }
        assert!(apparent_elevation_p834_deg(10.0, 0.0) - 10.0 < 0.1);
    }

    #[test]
    fn bad_sites_are_refused() {
        assert!(Site::new(90.5, 0.0, 0.0).is_err());
        assert!(Site::new(f64::NAN, 0.0, 0.0).is_err());
        assert!(Site::new(10.0, 0.0, 1e9).is_err());
    }
}
