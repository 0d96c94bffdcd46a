//! The UI model driven by remote keys, as a household and an installer use it, checking what the screens would
//! show and what the backend is asked to do: the first-install wizard to the first channel, number entry,
//! favourites and moving, the parental PIN, the technician's PIN, and keys the screens do not use.

use std::time::{Duration, Instant};

use stb_app::ui::keys::{Action, KeyMap};
use stb_app::ui::model::{Event, Lang, PlayState, Request, Screen, Ui, MEDIA_GRACE};
use stb_app::ui::samples;

fn keys(ui: &mut Ui, t: Instant, actions: &[Action]) -> Vec<Request> {
    actions.iter().flat_map(|a| ui.key(*a, t)).collect()
}

#[test]
fn the_wizard_walks_from_language_to_the_first_channel() {
    let t = Instant::now();
    let mut ui = Ui::new(Lang::Zh, Vec::new(), false, None);
    assert_eq!(ui.screen, Screen::WizardLanguage);
    assert_eq!(ui.play, PlayState::NoChannels);
    // Tibetan: down once, OK.
    let r = keys(&mut ui, t, &[Action::Down, Action::Ok]);
    assert_eq!(ui.lang, Lang::Bo);
    assert_eq!(r, vec![Request::SetLanguage(Lang::Bo)]);
    assert_eq!(ui.screen, Screen::WizardSatellite);
    // The default LNB is the 户户通 one, power on; OK goes on and starts the GPS.
    assert_eq!(ui.lnb_mhz(), 10750);
    let r = keys(&mut ui, t, &[Action::Ok]);
    assert_eq!(
        r,
        vec![
            Request::SetLnb {
                lof_mhz: 10750,
                power: true
            },
            Request::WatchGps(true)
        ]
    );
    assert_eq!(ui.screen, Screen::WizardDish);
    ui.event(
        Event::Dish(samples::ui(Screen::WizardDish, Lang::Bo, t).dish),
        t,
    );
    assert!(ui.dish.elevation.is_some());
    let r = keys(&mut ui, t, &[Action::Ok]);
    assert_eq!(
        r,
        vec![Request::WatchGps(false), Request::MonitorSignal(None)]
    );
    assert_eq!(ui.screen, Screen::WizardSignal);
    // BACK steps back and forth without losing the way.
    keys(&mut ui, t, &[Action::Back]);
    assert_eq!(ui.screen, Screen::WizardDish);
    keys(&mut ui, t, &[Action::Ok]);
    let r = keys(&mut ui, t, &[Action::Ok]);
    assert_eq!(
        r,
        vec![
            Request::StopSignal,
            Request::StartScan {
                lof_mhz: 10750,
                power: true
            }
        ]
    );
    assert_eq!(ui.screen, Screen::WizardScan);
    // OK does nothing until the scan has finished.
    ui.event(
        Event::ScanProgress {
            done: 3,
            total: 12,
            transponder: "12020 MHz L".into(),
            tv: 4,
            radio: 1,
        },
        t,
    );
    assert!(keys(&mut ui, t, &[Action::Ok]).is_empty());
    assert_eq!(ui.screen, Screen::WizardScan);
    ui.event(Event::ScanFinished(samples::channels()), t);
    assert!(ui.scan_finished);
    assert_eq!((ui.found_tv, ui.found_radio), (10, 2));
    keys(&mut ui, t, &[Action::Ok]);
    assert_eq!(ui.screen, Screen::WizardDone);
    let r = keys(&mut ui, t, &[Action::Ok]);
    assert_eq!(ui.screen, Screen::Watching);
    assert_eq!(r, vec![Request::MarkInstalled, Request::Tune(1)]);
    assert_eq!(ui.zapper.current().map(|c| c.number), Some(1));
    ui.event(
        Event::Tuned {
            number: 1,
            locked: true,
            scrambled: false,
        },
        t,
    );
    assert_eq!(ui.play, PlayState::Playing);
    assert!(ui.banner_shown(t));
}

/// Channel `number` tuned and locked, free to air.
fn tuned(number: u32) -> Event {
    Event::Tuned {
        number,
        locked: true,
        scrambled: false,
    }
}

fn watching(t: Instant) -> Ui {
    let mut ui = Ui::new(Lang::Zh, samples::channels(), true, Some(1));
    ui.start(t);
    ui
}

#[test]
fn number_entry_tunes_on_complete_digits_on_ok_and_after_a_pause() {
    let t = Instant::now();
    let mut ui = watching(t);
    // Channels go up to 102: three digits complete at once.
    assert_eq!(
        keys(&mut ui, t, &[Action::Digit(1), Action::Digit(0)]),
        vec![]
    );
    assert_eq!(ui.entry, "10-");
    assert_eq!(
        keys(&mut ui, t, &[Action::Digit(1)]),
        vec![Request::Tune(101)]
    );
    assert_eq!(ui.entry, "");
    // OK completes a short number.
    assert_eq!(
        keys(&mut ui, t, &[Action::Digit(4), Action::Ok]),
        vec![Request::Tune(4)]
    );
    // A pause completes it too.
    keys(&mut ui, t, &[Action::Digit(8)]);
    assert!(ui.tick(t + Duration::from_millis(500)).is_empty());
    assert_eq!(ui.tick(t + Duration::from_secs(3)), vec![Request::Tune(8)]);
    // A number that does not exist says so and tunes nothing.
    assert!(keys(
        &mut ui,
        t,
        &[Action::Digit(5), Action::Digit(5), Action::Digit(5)]
    )
    .is_empty());
    assert!(ui.entry.contains("555"));
    // Recall goes back to the channel before.
    assert_eq!(keys(&mut ui, t, &[Action::Recall]), vec![Request::Tune(4)]);
    // Channel up wraps round the TV list (radio channels are not in it).
    keys(
        &mut ui,
        t,
        &[Action::Digit(1), Action::Digit(0), Action::Ok],
    );
    assert_eq!(
        keys(&mut ui, t, &[Action::ChannelUp]),
        vec![Request::Tune(1)]
    );
}

#[test]
fn favourites_and_order_are_edited_in_the_channel_list() {
    let t = Instant::now();
    let mut ui = watching(t);
    keys(&mut ui, t, &[Action::Ok]);
    assert_eq!(ui.screen, Screen::ChannelList);
    assert_eq!(ui.list_rows()[ui.list_selected].number, 1);
    // RED enters editing; RED toggles the favourite of the selected channel.
    let r = keys(
        &mut ui,
        t,
        &[Action::Down, Action::Down, Action::Red, Action::Red],
    );
    assert_eq!(r, vec![Request::SetFavourite(3, true)]);
    assert!(ui.channels.iter().any(|c| c.number == 3 && c.favourite));
    // GREEN moves it: down swaps with the next channel.
    let r = keys(&mut ui, t, &[Action::Green, Action::Down, Action::Ok]);
    assert_eq!(r, vec![Request::SwapNumbers(3, 4)]);
    let moved = ui
        .channels
        .iter()
        .find(|c| c.name == "CCTV-13 新闻")
        .unwrap();
    assert_eq!(moved.number, 4);
    // The favourites tab lists it; BACK leaves editing, then the list; OK watches.
    keys(&mut ui, t, &[Action::Back, Action::Right, Action::Right]);
    let favs: Vec<u32> = ui.list_rows().iter().map(|c| c.number).collect();
    assert_eq!(favs, vec![1, 4, 5]);
    let r = keys(&mut ui, t, &[Action::Down, Action::Ok]);
    assert_eq!(r, vec![Request::Tune(4)]);
    assert_eq!(ui.screen, Screen::Watching);
    // Up/down now walk the favourites.
    assert_eq!(
        keys(&mut ui, t, &[Action::ChannelUp]),
        vec![Request::Tune(5)]
    );
}

#[test]
fn a_locked_channel_needs_the_parental_pin() {
    let t = Instant::now();
    let mut ui = watching(t);
    // Set a PIN in settings (row 2).
    keys(
        &mut ui,
        t,
        &[Action::Menu, Action::Down, Action::Down, Action::Ok],
    );
    let r = keys(
        &mut ui,
        t,
        &[
            Action::Digit(4),
            Action::Digit(3),
            Action::Digit(2),
            Action::Digit(1),
        ],
    );
    assert_eq!(r, vec![Request::SetPin("4321".into())]);
    keys(&mut ui, t, &[Action::Back]);
    assert_eq!(ui.screen, Screen::Watching);
    // Channel 6 is locked: no tuning until the PIN, and the channel before falls silent under the prompt.
    let r = keys(&mut ui, t, &[Action::Digit(6), Action::Ok]);
    assert!(!r.contains(&Request::Tune(6)), "{r:?}");
    assert!(r.contains(&Request::StopPlay), "{r:?}");
    assert_eq!(ui.play, PlayState::PinRequired);
    let r = keys(
        &mut ui,
        t,
        &[
            Action::Digit(1),
            Action::Digit(1),
            Action::Digit(1),
            Action::Digit(1),
        ],
    );
    assert!(r.is_empty());
    assert!(ui.pin_wrong);
    let r = keys(
        &mut ui,
        t,
        &[
            Action::Digit(4),
            Action::Digit(3),
            Action::Digit(2),
            Action::Digit(1),
        ],
    );
    assert_eq!(r, vec![Request::Tune(6)]);
    // Once opened it stays open for the evening.
    keys(&mut ui, t, &[Action::ChannelUp]);
    assert_eq!(
        keys(&mut ui, t, &[Action::ChannelDown]),
        vec![Request::Tune(6)]
    );
}

#[test]
fn the_picture_through_a_zap_is_a_setting_that_a_factory_reset_restores() {
    let t = Instant::now();
    let mut ui = watching(t);
    assert!(
        ui.hold_picture,
        "a box keeps the last picture through a zap"
    );
    // Row 4 of the settings: ◀▶ change it, and the backend is asked to keep the choice.
    let r = keys(
        &mut ui,
        t,
        &[
            Action::Menu,
            Action::Down,
            Action::Down,
            Action::Down,
            Action::Down,
            Action::Right,
        ],
    );
    assert_eq!(r, vec![Request::SetHoldPicture(false)]);
    assert!(!ui.hold_picture);
    assert_eq!(
        keys(&mut ui, t, &[Action::Left]),
        vec![Request::SetHoldPicture(true)]
    );
    keys(&mut ui, t, &[Action::Right]);
    assert!(!ui.hold_picture);
    // Factory reset (two rows down, RED to confirm) brings the default back.
    let r = keys(
        &mut ui,
        t,
        &[Action::Down, Action::Down, Action::Ok, Action::Red],
    );
    assert!(r.contains(&Request::FactoryReset), "{r:?}");
    assert!(ui.hold_picture);
}

#[test]
fn diagnostics_open_only_with_the_technician_pin() {
    let t = Instant::now();
    let mut ui = watching(t);
    ui.technician_pin = "2580".into();
    keys(&mut ui, t, &[Action::Menu, Action::Up, Action::Ok]);
    assert_eq!(ui.screen, Screen::Diagnostics);
    keys(
        &mut ui,
        t,
        &[
            Action::Digit(0),
            Action::Digit(0),
            Action::Digit(0),
            Action::Digit(0),
        ],
    );
    assert!(!ui.diagnostics_unlocked && ui.pin_wrong);
    let r = keys(
        &mut ui,
        t,
        &[
            Action::Digit(2),
            Action::Digit(5),
            Action::Digit(8),
            Action::Digit(0),
        ],
    );
    assert!(ui.diagnostics_unlocked);
    assert_eq!(r, vec![Request::RefreshDiagnostics]);
    keys(&mut ui, t, &[Action::Back]);
    assert_eq!(ui.screen, Screen::Settings);
}

#[test]
fn every_screen_answers_back_and_the_signal_meter_is_one_key_away() {
    let t = Instant::now();
    for screen in [
        Screen::ChannelList,
        Screen::Epg,
        Screen::Settings,
        Screen::Activation,
        Screen::Signal,
    ] {
        let mut ui = watching(t);
        ui.screen = screen;
        keys(&mut ui, t, &[Action::Back]);
        assert_eq!(ui.screen, Screen::Watching, "BACK from {screen:?}");
    }
    let mut ui = watching(t);
    keys(&mut ui, t, &[Action::Epg]);
    let r = keys(&mut ui, t, &[Action::Blue]);
    assert_eq!(ui.screen, Screen::Signal);
    assert_eq!(r, vec![Request::MonitorSignal(Some(1))]);
    let r = keys(&mut ui, t, &[Action::Back]);
    assert_eq!(ui.screen, Screen::Epg);
    assert_eq!(r, vec![Request::StopSignal]);
}

#[test]
fn keys_a_screen_does_not_use_change_nothing() {
    let t = Instant::now();
    // A remote button no key map knows produces no action at all.
    assert_eq!(KeyMap::default().action(0x2ff), None);
    let mut ui = watching(t);
    for screen in [
        Screen::WizardLanguage,
        Screen::WizardDish,
        Screen::Activation,
        Screen::Signal,
    ] {
        ui.screen = screen;
        for a in [
            Action::Yellow,
            Action::Green,
            Action::VolumeUp,
            Action::Info,
        ] {
            if screen != Screen::Signal {
                assert!(keys(&mut ui, t, &[a]).is_empty(), "{a:?} on {screen:?}");
            }
            assert_eq!(ui.screen, screen);
        }
    }
}

#[test]
fn the_guide_walks_days_and_channels() {
    let t = Instant::now();
    let mut ui = samples::ui(Screen::Watching, Lang::Zh, t);
    keys(&mut ui, t, &[Action::Epg]);
    assert_eq!(ui.screen, Screen::Epg);
    assert_eq!(ui.epg_events().len(), 12);
    let (now, next) = ui.now_next(ui.zapper.current().unwrap());
    assert!(now.is_some() && next.is_some());
    keys(&mut ui, t, &[Action::Right]);
    assert!(
        ui.epg_events().is_empty(),
        "the sample guide covers one day"
    );
    keys(&mut ui, t, &[Action::Left, Action::ChannelUp, Action::Down]);
    assert_eq!((ui.epg_channel, ui.epg_selected), (1, 1));
}

#[test]
fn storage_errors_become_notices_in_plain_words() {
    use stb_app::ui::model::Notice;
    let full = |m: &str, free: Option<u64>| {
        matches!(Notice::from_storage_error(m, free), Notice::DiskFull(_))
    };
    assert!(full("channels.db: database or disk is full", None));
    assert!(full(
        "write: No space left on device (os error 28)",
        Some(10 << 20)
    ));
    // SQLite says "disk I/O error" when it cannot grow its log on a full disk: the free space decides.
    assert!(full("channels.db: disk I/O error", Some(0)));
    assert!(!full("channels.db: disk I/O error", Some(10 << 20)));
    assert!(!full("channels.db: disk I/O error", None));
}

#[test]
fn a_channel_is_renamed_with_the_on_screen_keyboard() {
    let t = Instant::now();
    let mut ui = watching(t);
    keys(&mut ui, t, &[Action::Ok, Action::Red, Action::Blue]);
    assert!(ui.rename.is_some());
    // Clear the old name (RED deletes), type three letters and a digit.
    let old = ui.rename.as_ref().unwrap().1.chars().count();
    for _ in 0..old {
        keys(&mut ui, t, &[Action::Red]);
    }
    keys(&mut ui, t, &[Action::Right, Action::Ok]); // B
    keys(&mut ui, t, &[Action::Down, Action::Ok]); // L, below B
    keys(&mut ui, t, &[Action::Up, Action::Up, Action::Ok]); // up past the top row wraps to the bottom: V
    keys(&mut ui, t, &[Action::Digit(7)]);
    assert_eq!(ui.rename.as_ref().unwrap().1, "BLV7");
    // Saving an empty name is refused; a real one is stored and shown.
    let r = keys(&mut ui, t, &[Action::Green]);
    assert_eq!(r, vec![Request::Rename(1, "BLV7".into())]);
    assert!(ui.rename.is_none());
    assert_eq!(ui.list_rows()[ui.list_selected].name, "BLV7");
    // BACK cancels without a request.
    keys(&mut ui, t, &[Action::Blue]);
    assert!(keys(&mut ui, t, &[Action::Digit(1), Action::Back]).is_empty());
    assert_eq!(ui.list_rows()[ui.list_selected].name, "BLV7");
}

#[test]
fn waking_from_standby_gives_back_the_meter_and_the_gps_the_screen_was_using() {
    let t = Instant::now();
    // The signal meter over channel 1.
    let mut ui = watching(t);
    keys(&mut ui, t, &[Action::Signal]);
    assert_eq!(ui.screen, Screen::Signal);
    assert_eq!(
        keys(&mut ui, t, &[Action::Power]),
        vec![Request::StopSignal, Request::StopPlay]
    );
    assert_eq!(
        keys(&mut ui, t, &[Action::Power]),
        vec![Request::MonitorSignal(Some(1))]
    );
    // The wizard's dish step follows the GPS; its signal step the meter.
    let mut ui = Ui::new(Lang::Zh, Vec::new(), false, None);
    ui.screen = Screen::WizardDish;
    assert_eq!(
        keys(&mut ui, t, &[Action::Power]),
        vec![
            Request::StopSignal,
            Request::StopPlay,
            Request::WatchGps(false)
        ]
    );
    assert_eq!(
        keys(&mut ui, t, &[Action::Power]),
        vec![Request::WatchGps(true)]
    );
    ui.screen = Screen::WizardSignal;
    keys(&mut ui, t, &[Action::Power]);
    assert_eq!(
        keys(&mut ui, t, &[Action::Power]),
        vec![Request::MonitorSignal(None)]
    );
}

#[test]
fn power_puts_the_box_in_standby_and_wakes_it_on_its_channel() {
    use stb_app::ui::front_panel::Shown;
    let t = Instant::now();
    let mut ui = watching(t);
    assert_eq!(ui.panel(), Shown::Channel(1));
    assert_eq!(
        keys(&mut ui, t, &[Action::Power]),
        vec![Request::StopSignal, Request::StopPlay]
    );
    assert!(ui.standby);
    assert_eq!(ui.panel(), Shown::Standby);
    // Other keys do nothing in standby.
    assert!(keys(
        &mut ui,
        t,
        &[Action::ChannelUp, Action::Menu, Action::Digit(3)]
    )
    .is_empty());
    assert_eq!(ui.screen, Screen::Watching);
    assert_eq!(keys(&mut ui, t, &[Action::Power]), vec![Request::Tune(1)]);
    assert_eq!(ui.panel(), Shown::Channel(1));
    // Before installation the panel shows dashes.
    let fresh = Ui::new(Lang::Zh, Vec::new(), false, None);
    assert_eq!(fresh.panel(), Shown::NoChannel);
}

#[test]
fn every_text_encoding_offered_in_settings_is_one_the_si_engine_decodes() {
    use stb_app::ui::model::CHARSET_CHOICES;
    for name in CHARSET_CHOICES {
        assert!(name.parse::<ts_si::text::Charset>().is_ok(), "{name}");
    }
    let t = Instant::now();
    let mut ui = watching(t);
    let r = keys(
        &mut ui,
        t,
        &[
            Action::Menu,
            Action::Down,
            Action::Down,
            Action::Down,
            Action::Right,
        ],
    );
    assert_eq!(r, vec![Request::SetCharset("ISO-6937".into())]);
}

#[test]
fn a_locked_channel_plays_at_the_remotes_volume_and_the_operators_channels_wait_for_activation() {
    let t = Instant::now();
    let mut ui = watching(t);
    // Locked and free to watch: the player starts, at the volume the household left.
    assert_eq!(
        ui.event(tuned(1), t),
        vec![Request::Play {
            number: 1,
            volume: 60,
            muted: false,
            audio_pid: Some(0x300 + 101)
        }]
    );
    assert_eq!(ui.play, PlayState::Playing);
    // The remote's volume and mute reach the sound.
    assert_eq!(
        keys(&mut ui, t, &[Action::VolumeDown]),
        vec![Request::Volume {
            volume: 55,
            muted: false
        }]
    );
    assert_eq!(
        keys(&mut ui, t, &[Action::Mute]),
        vec![Request::Volume {
            volume: 55,
            muted: true
        }]
    );
    // No lock, nothing to play: the player (kept across zaps) stops what it played.
    assert_eq!(
        ui.event(
            Event::Tuned {
                number: 1,
                locked: false,
                scrambled: false,
            },
            t,
        ),
        vec![Request::StopPlay]
    );
    assert_eq!(ui.play, PlayState::NoSignal);
    // A scrambled channel on the same transponder: not played, and the channel before falls silent.
    assert_eq!(
        ui.event(
            Event::Tuned {
                number: 1,
                locked: true,
                scrambled: true,
            },
            t,
        ),
        vec![Request::StopPlay]
    );
    assert_eq!(ui.play, PlayState::Scrambled);
    // The box loses its activation: the operator's channel stops; another network's plays on.
    let onid = ui.channels[0].onid;
    ui.operator_networks = Some(vec![onid]);
    ui.event(tuned(1), t);
    assert_eq!(
        ui.event(
            Event::Activation(
                Box::new(samples::report(activation::Status::NotActivated)),
                None
            ),
            t
        ),
        vec![Request::StopPlay]
    );
    assert_eq!(ui.play, PlayState::NotActivated);
    assert_eq!(ui.event(tuned(1), t), vec![Request::StopPlay]);
    assert_eq!(ui.play, PlayState::NotActivated);
    ui.operator_networks = Some(vec![onid.wrapping_add(1)]);
    assert!(matches!(
        ui.event(tuned(1), t).as_slice(),
        [Request::Play { number: 1, .. }]
    ));
    assert_eq!(ui.play, PlayState::Playing);
}

#[test]
fn a_channel_without_sound_or_picture_says_so_and_a_radio_channel_needs_no_picture() {
    let t = Instant::now();
    let mut ui = watching(t);
    ui.event(tuned(1), t);
    assert_eq!(ui.play, PlayState::Playing);
    assert!(!ui.watching_radio());
    // While the player starts, nothing is said.
    assert_eq!(ui.missing_media(t + MEDIA_GRACE / 2), (false, false));
    // Sound came, the picture did not.
    ui.event(Event::SoundStarted(1), t + Duration::from_secs(1));
    assert_eq!(ui.missing_media(t + MEDIA_GRACE), (false, true));
    ui.event(Event::PictureStarted(1), t + Duration::from_secs(7));
    assert_eq!(ui.missing_media(t + MEDIA_GRACE * 2), (false, false));

    // The next channel: what came for channel 1 does not count for it.
    let zap = t + Duration::from_secs(20);
    keys(&mut ui, zap, &[Action::ChannelUp]);
    let next = ui.zapper.current().unwrap().number;
    assert_eq!(
        ui.missing_media(zap + MEDIA_GRACE * 2),
        (false, false),
        "tuning the next channel is not missing its sound"
    );
    ui.event(tuned(next), zap);
    ui.event(Event::SoundStarted(1), zap);
    assert_eq!(ui.missing_media(zap + MEDIA_GRACE), (true, true));

    // A radio channel: its own screen, and no picture is no fault.
    keys(
        &mut ui,
        zap,
        &[Action::Digit(1), Action::Digit(0), Action::Digit(1)],
    );
    let radio_at = zap + Duration::from_secs(3);
    ui.tick(radio_at);
    assert_eq!(ui.zapper.current().unwrap().number, 101);
    ui.event(tuned(101), radio_at);
    assert!(ui.watching_radio());
    ui.event(Event::SoundStarted(101), radio_at);
    assert_eq!(ui.missing_media(radio_at + MEDIA_GRACE), (false, false));
    // Nothing is said when nothing plays.
    ui.event(
        Event::Tuned {
            number: 101,
            locked: false,
            scrambled: false,
        },
        radio_at,
    );
    assert_eq!(ui.missing_media(radio_at + MEDIA_GRACE * 3), (false, false));
}

#[test]
fn the_channel_playing_chosen_again_keeps_playing_and_a_zap_back_waits_for_its_own_sound() {
    let t = Instant::now();
    let mut ui = watching(t);
    ui.event(tuned(1), t);
    ui.event(Event::SoundStarted(1), t);
    ui.event(Event::PictureStarted(1), t);
    // Its number typed while it plays: the banner, no retune (no gap in the sound, no black picture).
    let again = t + Duration::from_secs(30);
    assert_eq!(
        keys(&mut ui, again, &[Action::Digit(1), Action::Ok]),
        vec![]
    );
    assert!(ui.banner_shown(again));
    assert_eq!(ui.missing_media(again + MEDIA_GRACE), (false, false));

    // Away and straight back before the other channel was tuned: channel 1 is tuned again, and what was heard of
    // it before does not count for the new playback.
    let zap = again + Duration::from_secs(10);
    assert_eq!(
        keys(&mut ui, zap, &[Action::Digit(2), Action::Ok]),
        vec![Request::Tune(2)]
    );
    assert_eq!(
        keys(&mut ui, zap, &[Action::Recall]),
        vec![Request::Tune(1)]
    );
    ui.event(tuned(1), zap);
    assert_eq!(ui.missing_media(zap + MEDIA_GRACE), (true, true));

    // After standby, waking plays the channel again even though it had played.
    ui.event(Event::SoundStarted(1), zap + MEDIA_GRACE);
    keys(&mut ui, zap, &[Action::Power]);
    assert_eq!(keys(&mut ui, zap, &[Action::Power]), vec![Request::Tune(1)]);
}

#[test]
fn the_audio_key_changes_the_sound_track_and_the_choice_stays_with_the_channel() {
    use stb_app::ui::model::{decode_audio_choices, encode_audio_choices};
    let t = Instant::now();
    let mut ui = watching(t);
    // Channel 5 sends Tibetan (first) and Chinese; the others one Chinese track.
    keys(&mut ui, t, &[Action::Digit(5), Action::Ok]);
    assert_eq!(ui.zapper.current().map(|c| c.number), Some(5));
    let bod = Some(0x300 + 105);
    let chi = 0x310 + 105;
    // Nothing chosen yet: the channel's first track (the PMT's order), named by PID.
    assert!(matches!(
        ui.event(tuned(5), t).as_slice(),
        [Request::Play { number: 5, audio_pid, .. }] if *audio_pid == bod
    ));
    // AUDIO: Chinese, played at once and kept; the panel says which of how many.
    let r = keys(&mut ui, t, &[Action::Audio]);
    let saved = match r.as_slice() {
        [Request::Play {
            number: 5,
            audio_pid: Some(pid),
            volume: 60,
            muted: false,
        }, Request::SaveAudioChoices(text)]
            if *pid == chi =>
        {
            text.clone()
        }
        other => panic!("AUDIO asked for {other:?}"),
    };
    assert_eq!(ui.audio_shown(t), Some((Some("chi".into()), 2, 2)));
    assert_eq!(ui.audio_shown(t + Duration::from_secs(10)), None);
    // Away to a one-track channel: AUDIO only shows its track, and asks nothing.
    keys(&mut ui, t, &[Action::Digit(1), Action::Ok]);
    ui.event(tuned(1), t);
    assert!(keys(&mut ui, t, &[Action::Audio]).is_empty());
    assert_eq!(ui.audio_shown(t), Some((Some("chi".into()), 1, 1)));
    // Back on channel 5: Chinese again.
    keys(&mut ui, t, &[Action::Recall]);
    assert!(matches!(
        ui.event(tuned(5), t).as_slice(),
        [Request::Play { number: 5, audio_pid: Some(pid), .. }] if *pid == chi
    ));
    // After a restart, from what the settings kept.
    let mut again = watching(t);
    again.audio_choice = decode_audio_choices(&saved);
    keys(&mut again, t, &[Action::Digit(5), Action::Ok]);
    assert!(matches!(
        again.event(tuned(5), t).as_slice(),
        [Request::Play { audio_pid: Some(pid), .. }] if *pid == chi
    ));
    // AUDIO again goes round to Tibetan.
    assert!(matches!(
        keys(&mut again, t, &[Action::Audio]).as_slice(),
        [Request::Play { audio_pid, .. }, _] if *audio_pid == bod
    ));
    // The kept text: one line per service; damaged lines are left out, never a panic.
    assert_eq!(
        decode_audio_choices(&encode_audio_choices(&again.audio_choice)),
        again.audio_choice
    );
    let damaged = decode_audio_choices(
        "8000.1.105=chi\n1.2=bod\nx.y.z=eng\n1.2.3=\n1.2.3.4=eng\n70000.1.1=chi\n1.1.1=a b\n",
    );
    assert_eq!(damaged.len(), 1);
}
