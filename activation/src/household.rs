//! The household record the county keeps for every activated box, in one format for all
//! households (JSON, UTF-8). The operator side turns it into an authorisation; the box never
//! receives or stores the name, address or phone: only what the authorisation carries.
//!
//! ```json
//! {"name": "扎西", "address": "…县…乡…村", "phone": "13800000000",
//!  "box_id": "HHT-0001", "card_number": 8100000001,
//!  "latitude": 29.652, "longitude": 91.1, "radius_m": 500}
//! ```

use serde::{Deserialize, Serialize};
use smartcard::authorisation::{degrees_to_e7, AuthorisationRepr, BoxId};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HouseholdRecord {
    pub name: String,
    pub address: String,
    pub phone: String,
    pub box_id: String,
    pub card_number: u64,
    /// Registered place, WGS84 degrees.
    pub latitude: f64,
    pub longitude: f64,
    /// Radius the box may move within, metres (default 500).
    #[serde(default = "default_radius")]
    pub radius_m: u32,
}

fn default_radius() -> u32 {
    500
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error("household record is not valid JSON in the agreed format: {0}")]
    Format(String),
    #[error("household record: {0}")]
    Field(&'static str),
}

impl HouseholdRecord {
    pub fn from_json(s: &str) -> Result<Self, RecordError> {
        let r: HouseholdRecord =
            serde_json::from_str(s).map_err(|e| RecordError::Format(e.to_string()))?;
        r.box_id()?;
        if degrees_to_e7(r.latitude).is_none_or(|v| v.abs() > 900_000_000) {
            return Err(RecordError::Field("latitude"));
        }
        if degrees_to_e7(r.longitude).is_none_or(|v| v.abs() > 1_800_000_000) {
            return Err(RecordError::Field("longitude"));
        }
        if r.name.trim().is_empty() || r.address.trim().is_empty() {
            return Err(RecordError::Field("name and address are required"));
        }
        if !r
            .phone
            .chars()
            .all(|c| c.is_ascii_digit() || c == '+' || c == '-' || c == ' ')
        {
            return Err(RecordError::Field("phone"));
        }
        Ok(r)
    }

    pub fn box_id(&self) -> Result<BoxId, RecordError> {
        self.box_id
            .parse()
            .map_err(|_| RecordError::Field("box_id: 1 to 16 of 0-9 A-Z -"))
    }

    /// The authorisation for this household (to be signed by the operator).
    pub fn authorisation(
        &self,
        card_public_key: [u8; 32],
        valid_from: i64,
        valid_until: i64,
        sequence: u64,
        key_id: u8,
    ) -> Result<AuthorisationRepr, RecordError> {
        Ok(AuthorisationRepr {
            key_id,
            card_number: self.card_number,
            card_public_key,
            box_id: self.box_id()?,
            latitude_e7: degrees_to_e7(self.latitude).ok_or(RecordError::Field("latitude"))?,
            longitude_e7: degrees_to_e7(self.longitude).ok_or(RecordError::Field("longitude"))?,
            radius_m: self.radius_m,
            valid_from,
            valid_until,
            sequence,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_to_authorisation_keeps_no_personal_data() {
        let r = HouseholdRecord::from_json(
            r#"{"name":"扎西","address":"拉萨市城关区","phone":"13800000000","box_id":"HHT-0001",
                "card_number":8100000001,"latitude":29.652,"longitude":91.1}"#,
        )
        .unwrap();
        assert_eq!(r.radius_m, 500);
        let a = r.authorisation([1; 32], 0, 100, 1, 0).unwrap();
        assert_eq!(a.latitude_e7, 296_520_000);
        let signed = a
            .emit_signed(&ed25519_dalek::SigningKey::from_bytes(&[5; 32]))
            .unwrap();
        let name = "扎西".as_bytes();
        assert!(!signed.windows(name.len()).any(|w| w == name));
        assert!(HouseholdRecord::from_json(r#"{"name":"x"}"#).is_err());
        assert!(HouseholdRecord::from_json(
            r#"{"name":"a","address":"b","phone":"1","box_id":"bad id","card_number":1,"latitude":0,"longitude":0}"#
        )
        .is_err());
    }
}
