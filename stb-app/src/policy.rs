//! Whether a service may play: the operator's network only on an activated box; free-to-air services of other
//! networks (vidtv's radio, CGTN on ChinaSat 9B) always; scrambled ones never (the box has no descrambler).

use std::path::Path;

/// Where the box's build configuration names the operator's networks (original_network_id, one or more, decimal
/// or 0x hex, `#` comments).
pub const OPERATOR_NETWORKS: &str = "/etc/stb/operator-networks";

/// Why a service does not play, in the words the screens and `stb-app play` use.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("this box is not activated ({0}): the operator's channels play once it is")]
    NotActivated(String),
    #[error("this channel is scrambled: the box cannot descramble it")]
    Scrambled,
}

/// The operator's networks from the build configuration; `None` when the file is missing or names none, which
/// makes every network the operator's (a box that cannot tell plays nothing unactivated, not everything).
pub fn operator_networks(path: &Path) -> Option<Vec<u16>> {
    let text = std::fs::read_to_string(path).ok()?;
    let ids: Vec<u16> = text
        .lines()
        .map(|l| l.split('#').next().unwrap_or(""))
        .flat_map(str::split_whitespace)
        .filter_map(
            |w| match w.strip_prefix("0x").or_else(|| w.strip_prefix("0X")) {
                Some(h) => u16::from_str_radix(h, 16).ok(),
                None => w.parse().ok(),
            },
        )
        .collect();
    (!ids.is_empty()).then_some(ids)
}

/// Whether a service of network `onid` plays only on an activated box: the operator's networks do.
pub fn needs_activation(onid: u16, operator: Option<&[u16]>) -> bool {
    operator.is_none_or(|ids| ids.contains(&onid))
}

/// The rule. `activation` is the activation status as `stb-app activation status --json` says it ("activated",
/// "not_activated", "no_card" ...).
pub fn may_play(
    onid: u16,
    scrambled: bool,
    activation: &str,
    operator: Option<&[u16]>,
) -> Result<(), Refusal> {
    if scrambled {
        return Err(Refusal::Scrambled);
    }
    if needs_activation(onid, operator) && activation != "activated" {
        return Err(Refusal::NotActivated(activation.to_string()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_operators_network_needs_activation() {
        let ours = [0x1E01u16];
        assert_eq!(
            may_play(0x1E01, false, "not_activated", Some(&ours)),
            Err(Refusal::NotActivated("not_activated".into()))
        );
        assert_eq!(may_play(0x1E01, false, "activated", Some(&ours)), Ok(()));
        // CGTN on ChinaSat 9B, vidtv's own radio: free to air, another network.
        assert_eq!(may_play(0x1E02, false, "no_card", Some(&ours)), Ok(()));
        assert_eq!(
            may_play(0x1E02, true, "activated", Some(&ours)),
            Err(Refusal::Scrambled)
        );
        // Without the build configuration every network is the operator's.
        assert!(may_play(0x1E02, false, "not_activated", None).is_err());
    }

    #[test]
    fn the_configuration_file_is_read_as_written() {
        let dir = std::env::temp_dir().join(format!("stb-play-policy-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("operator-networks");
        std::fs::write(
            &f,
            "# ChinaSat 9 (户户通)\n0x1E01  7681 # again, decimal\nnonsense\n",
        )
        .unwrap();
        assert_eq!(operator_networks(&f), Some(vec![0x1E01, 0x1E01]));
        std::fs::write(&f, "# nothing\n").unwrap();
        assert_eq!(operator_networks(&f), None);
        assert_eq!(operator_networks(&dir.join("missing")), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
