//! Distance between the registered place and a position fix on the WGS84 ellipsoid.
//!
//! Vincenty's inverse formula (1975): about 0.5 mm accurate on WGS84 for any pair of points
//! except nearly antipodal ones, where it may not converge; there the haversine on the mean
//! radius (6 371 008.8 m) is used, good to 0.5 %. Registered radii are hundreds of metres, so
//! the lock decision is exact to well under a metre.

/// A position, WGS84 degrees.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Fix {
    pub lat: f64,
    pub lon: f64,
}

impl Fix {
    pub fn new(lat: f64, lon: f64) -> Option<Fix> {
        (lat.is_finite() && lon.is_finite() && lat.abs() <= 90.0 && lon.abs() <= 180.0)
            .then_some(Fix { lat, lon })
    }
}

const A: f64 = 6_378_137.0;
const F: f64 = 1.0 / 298.257_223_563;
const MEAN_RADIUS: f64 = 6_371_008.8;

/// Geodesic distance in metres.
pub fn distance_m(p: Fix, q: Fix) -> f64 {
    vincenty(p, q).unwrap_or_else(|| haversine(p, q))
}

/// Great-circle distance on the mean-radius sphere.
pub fn haversine(p: Fix, q: Fix) -> f64 {
    let (f1, f2) = (p.lat.to_radians(), q.lat.to_radians());
    let df = f2 - f1;
    let dl = (q.lon - p.lon).to_radians();
    let h = (df / 2.0).sin().powi(2) + f1.cos() * f2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * MEAN_RADIUS * h.sqrt().min(1.0).asin()
}

/// Vincenty inverse; `None` when the iteration does not converge.
pub fn vincenty(p: Fix, q: Fix) -> Option<f64> {
    let b = (1.0 - F) * A;
    let l = (q.lon - p.lon).to_radians();
    let u1 = ((1.0 - F) * p.lat.to_radians().tan()).atan();
    let u2 = ((1.0 - F) * q.lat.to_radians().tan()).atan();
    let (su1, cu1) = u1.sin_cos();
    let (su2, cu2) = u2.sin_cos();
    let mut lambda = l;
    for _ in 0..200 {
        let (sl, cl) = lambda.sin_cos();
        let sin_sigma = ((cu2 * sl).powi(2) + (cu1 * su2 - su1 * cu2 * cl).powi(2)).sqrt();
        if sin_sigma == 0.0 {
            return Some(0.0);
        }
        let cos_sigma = su1 * su2 + cu1 * cu2 * cl;
        let sigma = sin_sigma.atan2(cos_sigma);
        let sin_alpha = cu1 * cu2 * sl / sin_sigma;
        let cos2_alpha = 1.0 - sin_alpha * sin_alpha;
        let cos_2sm = if cos2_alpha != 0.0 {
            cos_sigma - 2.0 * su1 * su2 / cos2_alpha
        } else {
            0.0
        };
        let c = F / 16.0 * cos2_alpha * (4.0 + F * (4.0 - 3.0 * cos2_alpha));
        let prev = lambda;
        lambda = l
            + (1.0 - c)
                * F
                * sin_alpha
                * (sigma
                    + c * sin_sigma * (cos_2sm + c * cos_sigma * (-1.0 + 2.0 * cos_2sm * cos_2sm)));
        if (lambda - prev).abs() < 1e-12 {
            let u_sq = cos2_alpha * (A * A - b * b) / (b * b);
            let big_a =
                1.0 + u_sq / 16384.0 * (4096.0 + u_sq * (-768.0 + u_sq * (320.0 - 175.0 * u_sq)));
            let big_b = u_sq / 1024.0 * (256.0 + u_sq * (-128.0 + u_sq * (74.0 - 47.0 * u_sq)));
            let d_sigma = big_b
                * sin_sigma
                * (cos_2sm
                    + big_b / 4.0
                        * (cos_sigma * (-1.0 + 2.0 * cos_2sm * cos_2sm)
                            - big_b / 6.0
                                * cos_2sm
                                * (-3.0 + 4.0 * sin_sigma * sin_sigma)
                                * (-3.0 + 4.0 * cos_2sm * cos_2sm)));
            return Some(b * big_a * (sigma - d_sigma));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dms(d: f64, m: f64, s: f64) -> f64 {
        d.signum() * (d.abs() + m / 60.0 + s / 3600.0)
    }

    #[test]
    fn vincentys_flinders_peak_to_buninyong() {
        // Vincenty (1975) / Geoscience Australia worked example: 54 972.271 m.
        let p = Fix::new(-dms(37.0, 57.0, 3.72030), dms(144.0, 25.0, 29.52440)).unwrap();
        let q = Fix::new(-dms(37.0, 39.0, 10.15610), dms(143.0, 55.0, 35.38390)).unwrap();
        let d = distance_m(p, q);
        assert!((d - 54_972.271).abs() < 0.001, "{d}");
    }

    #[test]
    fn short_distances_in_lhasa() {
        let home = Fix::new(29.65, 91.1).unwrap();
        // 0.001 degree of latitude there is about 110.8 m.
        let north = Fix::new(29.651, 91.1).unwrap();
        let d = distance_m(home, north);
        assert!((d - 110.85).abs() < 0.1, "{d}");
        assert_eq!(distance_m(home, home), 0.0);
        // Haversine agrees within 0.5 %.
        assert!((haversine(home, north) - d).abs() / d < 0.005);
    }

    #[test]
    fn antipodes_fall_back() {
        let d = distance_m(Fix::new(0.0, 0.0).unwrap(), Fix::new(0.5, 179.7).unwrap());
        assert!(d > 19_900_000.0 && d < 20_040_000.0, "{d}");
        assert!(Fix::new(91.0, 0.0).is_none());
        assert!(Fix::new(f64::NAN, 0.0).is_none());
    }
}
