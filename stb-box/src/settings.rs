//! The household's settings that survive a restart or a power cut, kept in the channel database's settings table
//! (written as they change, read at start): language, parental PIN, text encoding, whether the box is installed,
//! the last channel watched, the volume and mute, the LNB, the picture through a zap (held or black), and the sound
//! track chosen per channel.

use stb_app::channels::ChannelDb;
use stb_app::lnb::Lnb;
use stb_app::ui::model::{self, Lang, Ui, LNB_CHOICES};

/// Names in the settings table.
pub const INSTALLED: &str = "installed";
pub const LANGUAGE: &str = "language";
pub const PARENTAL_PIN: &str = "parental_pin";
pub const LAST_CHANNEL: &str = "last_channel";
pub const VOLUME: &str = "volume";
pub const MUTED: &str = "muted";
pub const LNB_LOF_MHZ: &str = "lnb_lof_mhz";
pub const LNB_POWER: &str = "lnb_power";
/// "hold" (the last picture stays through a zap) or "black".
pub const ZAP_PICTURE: &str = "zap_picture";
/// The sound-track language chosen per service (`stb_app::ui::model::encode_audio_choices`).
pub const AUDIO_TRACKS: &str = "audio_tracks";

/// What the box starts with.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Saved {
    pub installed: bool,
    pub lang: Option<Lang>,
    pub pin: Option<String>,
    pub charset: Option<ts_si::text::Charset>,
    pub last_channel: Option<u32>,
    pub volume: Option<u8>,
    pub muted: bool,
    pub lnb_lof_mhz: Option<u32>,
    pub lnb_power: Option<bool>,
    pub hold_picture: Option<bool>,
    pub audio_choice: std::collections::BTreeMap<model::ServiceKey, String>,
}

impl Saved {
    /// Reads what was saved; a setting that is missing or unreadable keeps its default.
    pub fn load(db: &ChannelDb) -> Self {
        let setting = |k: &str| db.setting(k).ok().flatten();
        let number = |k: &str| setting(k).and_then(|v| v.trim().parse::<u32>().ok());
        Saved {
            installed: setting(INSTALLED).as_deref() == Some("1"),
            lang: setting(LANGUAGE).and_then(|l| model::lang_from_code(&l)),
            pin: setting(PARENTAL_PIN),
            charset: db.charset_policy().ok().map(|p| p.default_charset),
            last_channel: number(LAST_CHANNEL),
            volume: number(VOLUME).map(|v| v.min(100) as u8),
            muted: setting(MUTED).as_deref() == Some("1"),
            lnb_lof_mhz: number(LNB_LOF_MHZ).filter(|f| LNB_CHOICES.contains(f)),
            lnb_power: setting(LNB_POWER).map(|v| v == "1"),
            hold_picture: match setting(ZAP_PICTURE).as_deref() {
                Some("hold") => Some(true),
                Some("black") => Some(false),
                _ => None,
            },
            audio_choice: setting(AUDIO_TRACKS)
                .map(|t| model::decode_audio_choices(&t))
                .unwrap_or_default(),
        }
    }

    /// Puts the saved volume, mute and LNB into a model made with [`Saved::last_channel`] and [`Saved::lang`].
    pub fn apply(&self, ui: &mut Ui) {
        ui.pin = self.pin.clone();
        if let Some(v) = self.volume {
            ui.volume = v;
        }
        ui.muted = self.muted;
        ui.audio_choice = self.audio_choice.clone();
        if let Some(i) = self
            .lnb_lof_mhz
            .and_then(|f| LNB_CHOICES.iter().position(|&c| c == f))
        {
            ui.lnb_index = i;
        }
        if let Some(p) = self.lnb_power {
            ui.lnb_power = p;
        }
        if let Some(h) = self.hold_picture {
            ui.hold_picture = h;
        }
        if let Some(c) = self.charset {
            ui.charset_index = model::CHARSET_CHOICES
                .iter()
                .position(|name| name.parse::<ts_si::text::Charset>().ok() == Some(c))
                .unwrap_or(0);
        }
    }

    /// The LNB the tuner uses.
    pub fn lnb(&self) -> Lnb {
        lnb(self.lnb_lof_mhz.unwrap_or(10750))
    }
}

/// The LNB of a local-oscillator choice of the wizard: the 户户通 single-LO circular LNB, or another single LO.
pub fn lnb(lof_mhz: u32) -> Lnb {
    if lof_mhz == 10750 {
        Lnb::ku_circular_10750()
    } else {
        Lnb::user(lof_mhz * 1000, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A new, empty channel database's path in a folder of its own (removed by the caller).
    fn fresh_db(name: &str) -> (std::path::PathBuf, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!("stb-settings-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("channels.db");
        let _ = std::fs::remove_file(&path);
        (dir, path)
    }

    #[test]
    fn what_the_household_set_comes_back_after_a_restart() {
        let (dir, path) = fresh_db("restart");
        {
            let mut db = ChannelDb::open(&path).unwrap();
            let fresh = Saved::load(&db);
            assert!(!fresh.installed && fresh.last_channel.is_none() && fresh.volume.is_none());
            for (k, v) in [
                (INSTALLED, "1"),
                (LAST_CHANNEL, "7"),
                (VOLUME, "35"),
                (MUTED, "1"),
                (LNB_LOF_MHZ, "5150"),
                (LNB_POWER, "0"),
                (ZAP_PICTURE, "black"),
            ] {
                db.set_setting(k, v).unwrap();
            }
        }
        let db = ChannelDb::open(&path).unwrap();
        let saved = Saved::load(&db);
        assert!(saved.installed);
        assert_eq!(saved.last_channel, Some(7));
        let channels = stb_app::ui::samples::channels();
        let mut ui = Ui::new(Lang::Zh, channels, saved.installed, saved.last_channel);
        saved.apply(&mut ui);
        assert_eq!(ui.zapper.current().map(|c| c.number), Some(7));
        assert_eq!((ui.volume, ui.muted), (35, true));
        assert_eq!(LNB_CHOICES[ui.lnb_index], 5150);
        assert!(!ui.lnb_power);
        assert!(
            !ui.hold_picture,
            "the household chose a black screen through a zap"
        );
        assert_eq!(saved.lnb().lo_low_khz, 5_150_000);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn damaged_settings_keep_their_defaults() {
        let (dir, path) = fresh_db("bad");
        let mut db = ChannelDb::open(&path).unwrap();
        for (k, v) in [
            (VOLUME, "loud"),
            (LNB_LOF_MHZ, "12345"),
            (LAST_CHANNEL, "-1"),
            (ZAP_PICTURE, "grey"),
        ] {
            db.set_setting(k, v).unwrap();
        }
        let saved = Saved::load(&db);
        assert_eq!(
            (
                saved.volume,
                saved.lnb_lof_mhz,
                saved.last_channel,
                saved.hold_picture
            ),
            (None, None, None, None)
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
