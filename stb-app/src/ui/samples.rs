//! A household's box in a known state, for `stb-app render`, the golden images and the frame-time benchmark: Chinese,
//! Tibetan and radio channels, a guide, a signal, an activation. Fixed data, so a frame differs only when the
//! screens do.

use std::time::Instant;

use activation::Status;

use super::model::{
    DishView, EpgEntry, Event, Lang, PlayState, Screen, SettingsMode, SignalView, Ui,
};
use crate::channels::{AudioTrack, Channel};
use crate::lnb::Polarisation;
use crate::scan::ServiceKind;

/// 2026-11-29 20:10 Beijing time, seconds since 1970 UTC.
pub const SAMPLE_UTC: i64 = 1_795_954_200;

fn track(pid: u16, codec: &str, language: &str) -> AudioTrack {
    AudioTrack {
        pid,
        codec: codec.into(),
        language: Some(language.into()),
    }
}

fn channel(number: u32, name: &str, kind: ServiceKind, sid: u16) -> Channel {
    Channel {
        number,
        name: name.into(),
        broadcast_name: name.into(),
        provider: "户户通".into(),
        kind,
        scrambled: number % 4 == 3,
        ca_system_ids: if number % 4 == 3 {
            vec![0x4AFF]
        } else {
            Vec::new()
        },
        favourite: matches!(number, 1 | 5),
        locked: number == 6,
        vanished: false,
        service_id: sid,
        tsid: 1,
        onid: 0x1F40,
        pmt_pid: 0x100 + sid,
        pcr_pid: Some(0x200 + sid),
        video_pid: (kind == ServiceKind::Tv).then_some(0x200 + sid),
        video_codec: (kind == ServiceKind::Tv).then(|| "H.264".into()),
        // One Chinese sound track; the Tibetan channel sends Tibetan first and Chinese beside it.
        audio: if number == 5 {
            vec![
                track(0x300 + sid, "ac3", "bod"),
                track(0x310 + sid, "mp2", "chi"),
            ]
        } else {
            vec![track(0x300 + sid, "mp2", "chi")]
        },
        satellite: "92.2E".into(),
        frequency_khz: 12_020_000,
        polarisation: Polarisation::Left,
        symbol_rate: 28_800_000,
        system: "DVB-S2".into(),
        modulation: "8PSK".into(),
        fec: "3/4".into(),
        rolloff: "0.20".into(),
    }
}

/// The sample channel list.
pub fn channels() -> Vec<Channel> {
    vec![
        channel(1, "CCTV-1 综合", ServiceKind::Tv, 101),
        channel(2, "CCTV-7 国防军事", ServiceKind::Tv, 102),
        channel(3, "CCTV-13 新闻", ServiceKind::Tv, 103),
        channel(4, "西藏卫视", ServiceKind::Tv, 104),
        channel(5, "བོད་ལྗོངས་བརྙན་འཕྲིན། 藏语", ServiceKind::Tv, 105),
        channel(6, "青海卫视", ServiceKind::Tv, 106),
        channel(7, "CCTV-少儿", ServiceKind::Tv, 107),
        channel(8, "四川卫视", ServiceKind::Tv, 108),
        channel(9, "康巴卫视 ཁམས་པ།", ServiceKind::Tv, 109),
        channel(10, "新疆卫视", ServiceKind::Tv, 110),
        channel(101, "中国之声", ServiceKind::Radio, 201),
        channel(102, "ཀྲུང་གོའི་བོད་ཀྱི་རླུང་འཕྲིན།", ServiceKind::Radio, 202),
    ]
}

fn guide(channels: &[Channel]) -> Vec<EpgEntry> {
    let titles = [
        ("新闻联播", "国内外重要新闻。"),
        ("天气预报", "全国各地天气。"),
        ("焦点访谈", "关注社会热点，深度报道。"),
        (
            "电视剧：山河锦绣",
            "第12集：村里修通了公路，一家人商量着开办农家乐。",
        ),
        ("བོད་ཀྱི་གསར་འགྱུར།", "རྒྱལ་ཁབ་དང་ས་གནས་ཀྱི་གསར་འགྱུར་གལ་ཆེན།"),
        ("晚间新闻", "当天新闻回顾。"),
    ];
    let day_start = SAMPLE_UTC - (SAMPLE_UTC + 8 * 3600).rem_euclid(86400);
    let mut out = Vec::new();
    for c in channels {
        for slot in 0..12i64 {
            let (t, x) = titles[((slot + c.number as i64) % titles.len() as i64) as usize];
            out.push(EpgEntry {
                service: (c.onid, c.tsid, c.service_id),
                start: day_start + 18 * 3600 + slot * 1800,
                duration_s: 1800,
                title: t.into(),
                text: x.into(),
            });
        }
    }
    out
}

/// An activation report in `status` (the sample box, card and place).
pub fn report(status: Status) -> activation::Report {
    activation::Report {
        status,
        code: status.code(),
        message_zh: status.message(Lang::Zh),
        message_bo: status.message(Lang::Bo),
        message_en: status.message(Lang::En),
        box_id: "HHT-EMU-000001".into(),
        card_number: Some(8_000_123_456_789),
        fix: activation::Fix::new(29.6525, 91.1721),
        distance_m: Some(12.0),
        home: None,
        valid_from: None,
        valid_until: None,
        sequence: Some(3),
        position_locked: false,
    }
}

/// The QR code of a fixed activation request.
fn qr() -> Option<(usize, Vec<bool>)> {
    let req = activation::request::ActivationRequest {
        box_id: "HHT-EMU-000001".parse().ok()?,
        card_number: Some(8_000_123_456_789),
        fix: activation::Fix::new(29.6525, 91.1721),
        nonce: [0x1A, 0x2B, 0x3C, 0x4D, 0x5E, 0x6F, 0x70, 0x81],
    };
    req.qr_matrix().ok()
}

/// The box showing `screen` in `lang`, with the sample data.
pub fn ui(screen: Screen, lang: Lang, now: Instant) -> Ui {
    let chans = channels();
    let mut ui = Ui::new(lang, chans.clone(), true, Some(1));
    ui.event(
        Event::Clock {
            utc: SAMPLE_UTC,
            offset_s: 8 * 3600,
        },
        now,
    );
    ui.event(Event::Epg(guide(&chans)), now);
    ui.event(
        Event::Activation(Box::new(report(Status::Activated)), qr()),
        now,
    );
    ui.signal = SignalView {
        locked: true,
        strength: 72,
        quality: 64,
        level_dbm: Some(-42.5),
        cnr_db: Some(11.3),
        ber: Some(2.1e-6),
        transponder: "12020 L 28800".into(),
    };
    ui.dish = DishView {
        gps_present: true,
        fix: Some((29.6525, 91.1721)),
        azimuth_true: Some(177.9),
        azimuth_magnetic: Some(178.2),
        elevation: Some(56.3),
        skew: None,
    };
    ui.pin = Some("1234".into());
    ui.screen = screen;
    match screen {
        Screen::WizardLanguage | Screen::WizardSatellite => {
            ui.focus = if screen == Screen::WizardSatellite {
                1
            } else {
                super::model::LANGS
                    .iter()
                    .position(|l| *l == lang)
                    .unwrap_or(0)
            };
        }
        Screen::WizardSignal => {
            ui.signal.strength = 55;
            ui.signal.quality = 38;
        }
        Screen::WizardScan => {
            ui.scan_done = 5;
            ui.scan_total = 12;
            ui.scan_transponder = "12020 MHz L 28800".into();
            ui.found_tv = 9;
            ui.found_radio = 2;
        }
        Screen::WizardDone => {
            ui.scan_finished = true;
            ui.found_tv = 10;
            ui.found_radio = 2;
        }
        Screen::Watching => {
            ui.play = PlayState::Playing;
            ui.banner_until = Some(now + std::time::Duration::from_secs(3600));
        }
        Screen::ChannelList => {
            ui.list_selected = 3;
            ui.editing = true;
        }
        Screen::Epg => {
            ui.epg_channel = 0;
            ui.epg_selected = 4;
        }
        Screen::Settings => {
            ui.settings_focus = 3;
            ui.settings_mode = SettingsMode::Menu;
        }
        Screen::Activation | Screen::Signal => {}
        Screen::Diagnostics => {
            ui.diagnostics_unlocked = true;
            ui.diagnostics = vec![
                "Silicon Labs Si2168 (vidtv) · DVB-S/S2".into(),
                "12020 MHz L 28800 kS/s DVB-S2 8PSK 3/4".into(),
                "LOCK · C/N 11.3 dB · -42.5 dBm".into(),
                "3B 9F 96 80 1F C7 · 8000123456789".into(),
                "E00 ✓ · seq 3".into(),
                "29.6525°N 91.1721°E · 12 m".into(),
                "10 TV · 2 radio".into(),
                "48.2 MB".into(),
                "HHT-EMU-000001".into(),
                env!("CARGO_PKG_VERSION").into(),
            ];
        }
        Screen::WizardDish => {}
    }
    ui
}
