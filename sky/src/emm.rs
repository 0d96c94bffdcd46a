//! The operator's side of activation over the air: each authorisation of the description, signed with the
//! operator's key as `operator-sign` signs it, in the activation section its box filters for.

use ed25519_dalek::SigningKey;

use activation::message::{degrees_to_e7, AuthorisationRepr, BoxId};
use activation::section::{box_group, AuthorisationSectionRepr};
use smartcard::keyfile::read_key_file;

use crate::definition::Sky;

#[derive(Debug, thiserror::Error)]
pub enum EmmError {
    #[error("authorisation for {box_id}: {reason}")]
    Invalid { box_id: String, reason: String },
}

/// The activation sections of the sky, valid around `now` (Unix seconds).
pub fn activation_sections(sky: &Sky, now: i64) -> Result<Vec<Vec<u8>>, EmmError> {
    let mut out = Vec::new();
    for a in &sky.authorisations {
        let bad = |reason: String| EmmError::Invalid {
            box_id: a.box_id.clone(),
            reason,
        };
        let operator = SigningKey::from_bytes(
            &read_key_file(&sky.base.join(&a.operator_key)).map_err(|e| bad(e.to_string()))?,
        );
        let card = SigningKey::from_bytes(
            &read_key_file(&sky.base.join(&a.card_key)).map_err(|e| bad(e.to_string()))?,
        );
        let box_id: BoxId = a.box_id.parse().map_err(|e| bad(format!("{e}")))?;
        let repr = AuthorisationRepr {
            key_id: 0,
            card_number: a.card_number,
            card_public_key: card.verifying_key().to_bytes(),
            box_id,
            latitude_e7: degrees_to_e7(a.lat).ok_or_else(|| bad("latitude".into()))?,
            longitude_e7: degrees_to_e7(a.lon).ok_or_else(|| bad("longitude".into()))?,
            radius_m: a.radius_m,
            valid_from: now - i64::from(a.valid_days_before) * 86_400,
            valid_until: now + i64::from(a.valid_days_after) * 86_400,
            sequence: a.sequence,
        };
        let msg = repr
            .emit_signed(&operator)
            .map_err(|e| bad(e.to_string()))?;
        let section = AuthorisationSectionRepr {
            group: box_group(&repr.box_id),
            version: (repr.sequence & 0x1F) as u8,
            section_number: 0,
            last_section_number: 0,
            messages: vec![&msg],
        }
        .to_bytes()
        .map_err(|e| bad(e.to_string()))?;
        out.push(section);
    }
    Ok(out)
}
