//! The satellite catalogue (`data/satellites.toml`, embedded): orbital slots, band,
//! polarisation, LNB, and optionally transponder lists for the channel scan.
//!
//! Satellites are found by name or alias (case-insensitive, spaces/`-`/`_` ignored) or by
//! orbital position written as `92.2E`, `92.2°E`, `92.2 E`, `101.4e` or `30W`.

use serde::{Deserialize, Serialize};

const BUILTIN: &str = include_str!("../data/satellites.toml");

/// Frequency band of the downlink.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Band {
    Ku,
    C,
}

/// How a satellite polarises its beams.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PolarisationKind {
    /// Circular: the LNB needs no rotation (skew).
    Circular,
    /// Linear: the LNB must be rotated by the skew angle.
    Linear,
}

/// Polarisation of one transponder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Polarisation {
    /// Right-hand circular.
    R,
    /// Left-hand circular.
    L,
    /// Linear horizontal.
    H,
    /// Linear vertical.
    V,
}

/// One transponder (a multiplex) as the channel scan tunes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transponder {
    pub frequency_mhz: u32,
    pub polarisation: Polarisation,
    pub symbol_rate_ksps: u32,
    /// Transmission system: "ABS-S", "DVB-S" or "DVB-S2".
    pub system: String,
}

/// A geostationary satellite.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Satellite {
    pub name: String,
    /// Chinese display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_zh: Option<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Orbital position, degrees east (west negative).
    pub position: f64,
    pub band: Band,
    pub polarisation: PolarisationKind,
    pub lnb: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, rename = "transponder", skip_serializing_if = "Vec::is_empty")]
    pub transponders: Vec<Transponder>,
}

impl Satellite {
    /// "92.2°E" / "30.0°W".
    pub fn position_label(&self) -> String {
        position_label(self.position)
    }
}

/// "92.2°E" / "30.0°W" for an orbital position in degrees east.
pub fn position_label(pos: f64) -> String {
    if pos < 0.0 {
        format!("{:.1}°W", -pos)
    } else {
        format!("{pos:.1}°E")
    }
}

/// A catalogue could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    #[error("satellite catalogue is not valid TOML: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("satellite catalogue: {0}")]
    Invalid(String),
}

#[derive(Deserialize)]
struct File {
    #[serde(rename = "satellite")]
    satellites: Vec<Satellite>,
}

/// The list of satellites.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Catalogue {
    pub satellites: Vec<Satellite>,
}

/// What `--sat` named.
#[derive(Debug, Clone, PartialEq)]
pub enum Target<'a> {
    /// A catalogue satellite.
    Known(&'a Satellite),
    /// An orbital position with no catalogue entry: geometry only.
    Position(f64),
}

impl Target<'_> {
    pub fn position(&self) -> f64 {
        match self {
            Target::Known(s) => s.position,
            Target::Position(p) => *p,
        }
    }
}

fn normalise(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, ' ' | '-' | '_' | '.'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Parse "92.2E", "92.2°E", "92.2 E", "30w", "-30" (east positive) into degrees east.
pub fn parse_position(s: &str) -> Option<f64> {
    let t = s.trim();
    let t = t.strip_suffix('°').unwrap_or(t);
    let (num, sign) = if let Some(n) = t.strip_suffix(['E', 'e']) {
        (n, 1.0)
    } else if let Some(n) = t.strip_suffix(['W', 'w']) {
        (n, -1.0)
    } else {
        (t, 1.0)
    };
    let num = num.trim().trim_end_matches('°').trim();
    let v: f64 = num.parse().ok()?;
    if !v.is_finite() || !(-180.0..=360.0).contains(&v) {
        return None;
    }
    let v = v * sign;
    // Normalise to (-180, 180].
    let v = if v > 180.0 { v - 360.0 } else { v };
    if sign < 0.0 && v < -180.0 {
        return None;
    }
    Some(v)
}

impl Catalogue {
    /// The catalogue compiled into the program.
    pub fn builtin() -> Catalogue {
        // The embedded file is checked by the test suite; should it ever be broken the tool
        // still runs with an empty catalogue (positions still work) instead of panicking.
        Catalogue::from_toml(BUILTIN).unwrap_or(Catalogue {
            satellites: Vec::new(),
        })
    }

    /// Read a catalogue from TOML text.
    pub fn from_toml(text: &str) -> Result<Catalogue, CatalogueError> {
        let f: File = toml::from_str(text)?;
        for s in &f.satellites {
            if !s.position.is_finite() || !(-180.0..=180.0).contains(&s.position) {
                return Err(CatalogueError::Invalid(format!(
                    "{}: position {} is outside -180..180",
                    s.name, s.position
                )));
            }
        }
        Ok(Catalogue {
            satellites: f.satellites,
        })
    }

    /// A satellite by name, alias or orbital position (within 0.05°).
    pub fn find(&self, query: &str) -> Option<&Satellite> {
        let q = normalise(query);
        if q.is_empty() {
            return None;
        }
        if let Some(s) = self.satellites.iter().find(|s| {
            normalise(&s.name) == q
                || s.name_zh.as_deref().is_some_and(|z| normalise(z) == q)
                || s.aliases.iter().any(|a| normalise(a) == q)
        }) {
            return Some(s);
        }
        let p = parse_position(query)?;
        self.satellites
            .iter()
            .find(|s| (s.position - p).abs() < 0.05)
    }

    /// What the user meant by `--sat`: a catalogue satellite, a bare orbital position, or
    /// nothing (unknown name).
    pub fn resolve(&self, query: &str) -> Option<Target<'_>> {
        if let Some(s) = self.find(query) {
            return Some(Target::Known(s));
        }
        parse_position(query).map(Target::Position)
    }

    /// The default satellite: ChinaSat 9C at 92.2°E (户户通).
    pub fn default_satellite(&self) -> Option<&Satellite> {
        self.find("92.2E")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_parses_and_has_the_huhutong_slot() {
        let c = Catalogue::from_toml(BUILTIN).unwrap();
        assert!(c.satellites.len() >= 8);
        let s = c.find("ChinaSat 9C").unwrap();
        assert_eq!(s.position, 92.2);
        assert_eq!(s.polarisation, PolarisationKind::Circular);
        assert_eq!(s.band, Band::Ku);
        assert_eq!(s.transponders.len(), 8);
        assert!(s.transponders.iter().all(|t| t.symbol_rate_ksps == 28800));
        assert_eq!(s.transponders[0].polarisation, Polarisation::R);
        assert_eq!(s.transponders[7].polarisation, Polarisation::L);
    }

    #[test]
    fn lookup_by_name_alias_and_position() {
        let c = Catalogue::builtin();
        for q in [
            "92.2E",
            "92.2°E",
            "92.2 E",
            "chinasat 9c",
            "CHINASAT-9",
            "中星9号",
            "户户通",
        ] {
            assert_eq!(
                c.find(q).map(|s| s.name.as_str()),
                Some("ChinaSat 9C"),
                "{q}"
            );
        }
        assert_eq!(c.find("101.4e").unwrap().name, "ChinaSat 9B");
        assert_eq!(c.find("asiasat 7").unwrap().position, 105.5);
        assert!(c.find("Astra 1KR").is_none());
        assert!(c.find("").is_none());
    }

    #[test]
    fn positions_not_in_the_catalogue_still_resolve() {
        let c = Catalogue::builtin();
        assert_eq!(c.resolve("88E"), Some(Target::Position(88.0)));
        assert_eq!(c.resolve("30W"), Some(Target::Position(-30.0)));
        assert_eq!(c.resolve("Hotbird"), None);
        assert_eq!(parse_position("400E"), None);
    }

    #[test]
    fn extra_keys_do_not_break_old_readers() {
        let t = "[[satellite]]\nname='X'\nposition=10.0\nband='C'\npolarisation='linear'\n\
                 lnb='c'\nfuture_field=1\n[[satellite.transponder]]\nfrequency_mhz=3840\n\
                 polarisation='H'\nsymbol_rate_ksps=27500\nsystem='DVB-S'\nmodulation='QPSK'\n";
        let c = Catalogue::from_toml(t).unwrap();
        assert_eq!(c.satellites[0].transponders[0].frequency_mhz, 3840);
    }
}
