//! The activation request the installer scans from the screen: a compact string, rendered as a
//! QR code in alphanumeric mode (upper case, digits and `+-./:` only, so the code stays small).
//!
//! `HHT1/<box id>/<card number>/<lat>/<lon>/<nonce>`: latitude and longitude with five decimals
//! (about 1 m) and a sign, empty when there is no fix; card number empty without a card; nonce
//! 16 upper-case hex digits so that two requests are never the same.

use qrcode::{Color, EcLevel, QrCode};

use smartcard::authorisation::BoxId;

use crate::geo::Fix;

#[derive(Debug, Clone, PartialEq)]
pub struct ActivationRequest {
    pub box_id: BoxId,
    pub card_number: Option<u64>,
    pub fix: Option<Fix>,
    pub nonce: [u8; 8],
}

impl ActivationRequest {
    pub fn to_payload(&self) -> String {
        let card = self.card_number.map(|c| c.to_string()).unwrap_or_default();
        let (lat, lon) = match self.fix {
            Some(f) => (format!("{:+.5}", f.lat), format!("{:+.5}", f.lon)),
            None => (String::new(), String::new()),
        };
        let nonce: String = self.nonce.iter().map(|b| format!("{b:02X}")).collect();
        format!("HHT1/{}/{card}/{lat}/{lon}/{nonce}", self.box_id)
    }

    /// Reads a payload back (the installer's app does this).
    pub fn from_payload(s: &str) -> Option<Self> {
        let parts: Vec<&str> = s.split('/').collect();
        if parts.len() != 6 || parts[0] != "HHT1" {
            return None;
        }
        let box_id = parts[1].parse().ok()?;
        let card_number = if parts[2].is_empty() {
            None
        } else {
            Some(parts[2].parse().ok()?)
        };
        let fix = match (parts[3], parts[4]) {
            ("", "") => None,
            (lat, lon) => Some(Fix::new(lat.parse().ok()?, lon.parse().ok()?)?),
        };
        if parts[5].len() != 16 {
            return None;
        }
        let mut nonce = [0u8; 8];
        for (i, n) in nonce.iter_mut().enumerate() {
            *n = u8::from_str_radix(parts[5].get(2 * i..2 * i + 2)?, 16).ok()?;
        }
        Some(ActivationRequest {
            box_id,
            card_number,
            fix,
            nonce,
        })
    }

    /// The QR code: `size` x `size` modules, `true` is dark, row by row.
    pub fn qr_matrix(&self) -> Result<(usize, Vec<bool>), qrcode::types::QrError> {
        let code = QrCode::with_error_correction_level(self.to_payload().as_bytes(), EcLevel::M)?;
        let size = code.width();
        Ok((
            size,
            code.to_colors()
                .into_iter()
                .map(|c| c == Color::Dark)
                .collect(),
        ))
    }

    /// The QR code drawn with Unicode half blocks for a terminal, with a quiet zone.
    pub fn qr_text(&self) -> Result<String, qrcode::types::QrError> {
        let (size, m) = self.qr_matrix()?;
        let quiet = 2isize;
        let dark = |x: isize, y: isize| {
            x >= 0
                && y >= 0
                && (x as usize) < size
                && (y as usize) < size
                && m[y as usize * size + x as usize]
        };
        let mut s = String::new();
        let mut y = -quiet;
        while y < size as isize + quiet {
            for x in -quiet..size as isize + quiet {
                // Light text on a dark terminal background inverts nothing: dark modules are spaces.
                s.push(match (dark(x, y), dark(x, y + 1)) {
                    (true, true) => ' ',
                    (true, false) => '▄',
                    (false, true) => '▀',
                    (false, false) => '█',
                });
            }
            s.push('\n');
            y += 2;
        }
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(fix: Option<Fix>) -> ActivationRequest {
        ActivationRequest {
            box_id: "HHT-0001".parse().unwrap(),
            card_number: Some(8_100_000_001),
            fix,
            nonce: [0xDE, 0xAD, 0xBE, 0xEF, 1, 2, 3, 4],
        }
    }

    #[test]
    fn payload_is_compact_and_round_trips() {
        let r = request(Fix::new(29.652, 91.1));
        let p = r.to_payload();
        assert_eq!(
            p,
            "HHT1/HHT-0001/8100000001/+29.65200/+91.10000/DEADBEEF01020304"
        );
        assert!(p
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || "+-./:".contains(c)));
        assert_eq!(ActivationRequest::from_payload(&p), Some(r));
        let no_fix = request(None);
        assert_eq!(
            ActivationRequest::from_payload(&no_fix.to_payload()),
            Some(no_fix)
        );
        assert_eq!(ActivationRequest::from_payload("HHT2/X/1///00"), None);
    }

    #[test]
    fn qr_code_decodes_back_to_the_payload() {
        let r = request(Fix::new(31.14, 97.17));
        let (size, m) = r.qr_matrix().unwrap();
        let scale = 4;
        let quiet = 4;
        let px = (size + 2 * quiet) * scale;
        let mut img = rqrr::PreparedImage::prepare_from_greyscale(px, px, |x, y| {
            let (mx, my) = (
                (x / scale) as isize - quiet as isize,
                (y / scale) as isize - quiet as isize,
            );
            let dark = mx >= 0
                && my >= 0
                && (mx as usize) < size
                && (my as usize) < size
                && m[my as usize * size + mx as usize];
            if dark {
                0
            } else {
                255
            }
        });
        let grids = img.detect_grids();
        assert_eq!(grids.len(), 1);
        let (_, content) = grids[0].decode().unwrap();
        assert_eq!(content, r.to_payload());
        assert!(r.qr_text().unwrap().lines().count() > size / 2);
    }
}
