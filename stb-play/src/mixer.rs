//! The sound card's mixer. ALSA's kernel drivers bring a card up with its outputs muted and at zero (alsactl
//! restores them on a desktop; the box has no alsactl): the player opens every playback control of the card fully,
//! once, and sets the household's volume in its own pipeline, so the remote's volume lives in one place.

use alsa::mixer::{Mixer, Selem};

/// The ALSA control device of the card an ALSA PCM name plays on: "hw:1,0" and "plughw:1" are card 1's, anything
/// else (the "default" device, a plug over card 0) the default card's.
pub fn card_of(device: Option<&str>) -> String {
    device
        .and_then(|d| d.strip_prefix("plughw:").or_else(|| d.strip_prefix("hw:")))
        .and_then(|rest| rest.split(',').next())
        .filter(|card| !card.is_empty())
        .map_or_else(|| "default".to_string(), |card| format!("hw:{card}"))
}

/// Unmutes every playback control of `card` and sets it to its maximum; returns how many controls there were.
pub fn open_up(card: &str) -> Result<usize, alsa::Error> {
    let mixer = Mixer::new(card, false)?;
    let mut controls = 0;
    for elem in mixer.iter() {
        let Some(s) = Selem::new(elem) else { continue };
        if s.has_playback_volume() {
            let (_, max) = s.get_playback_volume_range();
            s.set_playback_volume_all(max)?;
        }
        if s.has_playback_switch() {
            s.set_playback_switch_all(1)?;
        }
        if s.has_playback_volume() || s.has_playback_switch() {
            controls += 1;
        }
    }
    Ok(controls)
}

#[cfg(test)]
mod tests {
    use super::card_of;

    #[test]
    fn the_card_follows_the_device_name() {
        assert_eq!(card_of(None), "default");
        assert_eq!(card_of(Some("default")), "default");
        assert_eq!(card_of(Some("hw:1,0")), "hw:1");
        assert_eq!(card_of(Some("plughw:2")), "hw:2");
        assert_eq!(card_of(Some("hw:")), "default");
    }
}
