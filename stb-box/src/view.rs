//! Copies the UI model into the Slint globals the screens read. One function per screen; nothing is decided here
//! that a test of the model would miss: only formatting (numbers, times, degrees).
//!
//! This runs after every key and on every tick of the clock, so it fills only the global of the screen that is
//! shown (each screen reads its own global and nothing else) and changes list rows in place: a model that did not
//! change leaves the screen clean, and the box draws nothing.

use std::time::Instant;

use slint::{ComponentHandle, Model, ModelRc, SharedString, VecModel};

use crate::screens::{self as s, App};
use stb_app::ui::model::{self, Lang, Notice, PlayState, Screen, SettingsMode, Ui};
use stb_app::ui::zapping::ListKind;

fn text(v: impl Into<SharedString>) -> SharedString {
    v.into()
}

/// Makes the model `shown` hold `rows`: rows that differ are replaced in place, so only they are redrawn; a new
/// model (passed to `set`) only the first time, when the screen has none of ours yet.
fn update_rows<T: Clone + PartialEq + 'static>(
    shown: ModelRc<T>,
    rows: Vec<T>,
    set: impl FnOnce(ModelRc<T>),
) {
    let Some(model) = shown.as_any().downcast_ref::<VecModel<T>>() else {
        set(ModelRc::new(VecModel::from(rows)));
        return;
    };
    if model.row_count() != rows.len() {
        model.set_vec(rows);
        return;
    }
    for (i, row) in rows.into_iter().enumerate() {
        if model.row_data(i).as_ref() != Some(&row) {
            model.set_row_data(i, row);
        }
    }
}

fn hhmm(utc: i64, offset_s: i32) -> String {
    let t = (utc + offset_s as i64).rem_euclid(86400);
    format!("{:02}:{:02}", t / 3600, (t / 60) % 60)
}

fn degrees(v: Option<f64>) -> String {
    v.map(|d| format!("{d:.1}°")).unwrap_or_else(|| "—".into())
}

fn db(v: Option<f64>, unit: &str) -> String {
    v.map(|d| format!("{d:.1} {unit}"))
        .unwrap_or_else(|| "—".into())
}

/// Civil date (year, month, day) of a day number since 1970-01-01 (H. Hinnant's algorithm).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The guide's day heading: the date, numeric in every language (no untranslated weekday names).
fn day_label(ui: &Ui) -> String {
    let day = (ui.utc + ui.offset_s as i64).div_euclid(86400) + ui.epg_day;
    let (y, m, d) = civil(day);
    format!("{y}-{m:02}-{d:02}")
}

/// The language a Rust-side sentence (activation states) is shown in.
fn message(report: &activation::Report, lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => report.message_zh,
        Lang::Bo => report.message_bo,
        Lang::En => report.message_en,
    }
}

/// Makes the screens show `ui` as it is at `now`; `missing_font` is told when the model has no notice of its own.
pub fn present(ui: &Ui, app: &App, now: Instant, missing_font: Option<&std::path::Path>) {
    let nav = app.global::<s::Nav>();
    nav.set_screen(match ui.screen {
        Screen::WizardLanguage => s::ScreenId::WizardLanguage,
        Screen::WizardSatellite => s::ScreenId::WizardSatellite,
        Screen::WizardDish => s::ScreenId::WizardDish,
        Screen::WizardSignal => s::ScreenId::WizardSignal,
        Screen::WizardScan => s::ScreenId::WizardScan,
        Screen::WizardDone => s::ScreenId::WizardDone,
        Screen::Watching => s::ScreenId::Watching,
        Screen::ChannelList => s::ScreenId::ChannelList,
        Screen::Epg => s::ScreenId::Epg,
        Screen::Signal => s::ScreenId::Signal,
        Screen::Settings => s::ScreenId::Settings,
        Screen::Activation => s::ScreenId::Activation,
        Screen::Diagnostics => s::ScreenId::Diagnostics,
    });
    nav.set_clock(text(hhmm(ui.utc, ui.offset_s)));
    nav.set_standby(ui.standby);
    let (notice, detail) = match &ui.notice {
        None => match missing_font {
            Some(font) => (s::Notice::MissingFont, font.display().to_string()),
            None => (s::Notice::None, String::new()),
        },
        Some(Notice::MissingFont(d)) => (s::Notice::MissingFont, d.clone()),
        Some(Notice::DiskFull(d)) => (s::Notice::DiskFull, d.clone()),
        Some(Notice::StorageFailed(d)) => (s::Notice::StorageFailed, d.clone()),
    };
    nav.set_notice(notice);
    nav.set_notice_detail(text(detail));

    match ui.screen {
        Screen::WizardLanguage
        | Screen::WizardSatellite
        | Screen::WizardDish
        | Screen::WizardSignal
        | Screen::WizardScan
        | Screen::WizardDone => wizard(ui, app),
        Screen::Watching => watching(ui, app, now),
        Screen::ChannelList => channel_list(ui, app),
        Screen::Epg => epg(ui, app),
        Screen::Signal => signal(ui, app),
        Screen::Settings => settings(ui, app),
        Screen::Activation => activation_screen(ui, app),
        Screen::Diagnostics => diagnostics(ui, app),
    }
}

fn wizard(ui: &Ui, app: &App) {
    let w = app.global::<s::Wizard>();
    w.set_focus(ui.focus as i32);
    w.set_satellite(text("ChinaSat 9 / 9C 92.2°E"));
    w.set_lnb(text(format!("{} MHz", ui.lnb_mhz())));
    w.set_lnb_power(ui.lnb_power);
    w.set_gps_present(ui.dish.gps_present);
    w.set_has_fix(ui.dish.fix.is_some());
    w.set_position(text(
        ui.dish
            .fix
            .map(|(lat, lon)| {
                format!(
                    "{:.4}°{} {:.4}°{}",
                    lat.abs(),
                    if lat >= 0.0 { "N" } else { "S" },
                    lon.abs(),
                    if lon >= 0.0 { "E" } else { "W" }
                )
            })
            .unwrap_or_default(),
    ));
    w.set_azimuth_true(text(degrees(ui.dish.azimuth_true)));
    w.set_azimuth_magnetic(text(degrees(ui.dish.azimuth_magnetic)));
    w.set_elevation(text(degrees(ui.dish.elevation)));
    w.set_skew(text(degrees(ui.dish.skew)));
    w.set_locked(ui.signal.locked);
    w.set_strength(ui.signal.strength as i32);
    w.set_quality(ui.signal.quality as i32);
    w.set_strength_db(text(db(ui.signal.level_dbm, "dBm")));
    w.set_quality_db(text(db(ui.signal.cnr_db, "dB")));
    w.set_scan_done(ui.scan_done as i32);
    w.set_scan_total(ui.scan_total as i32);
    w.set_scan_transponder(text(ui.scan_transponder.clone()));
    w.set_found_tv(ui.found_tv as i32);
    w.set_found_radio(ui.found_radio as i32);
    w.set_scan_finished(ui.scan_finished);
    w.set_first_channel(text(
        ui.first_channel()
            .map(|c| format!("{} {}", c.number, c.name))
            .unwrap_or_default(),
    ));
}

fn watching(ui: &Ui, app: &App, now: Instant) {
    let w = app.global::<s::Watching>();
    let current = ui.zapper.current();
    w.set_number(text(
        current.map(|c| c.number.to_string()).unwrap_or_default(),
    ));
    w.set_name(text(current.map(|c| c.name.clone()).unwrap_or_default()));
    let (now_ev, next_ev) = current.map(|c| ui.now_next(c)).unwrap_or((None, None));
    let span = |e: &model::EpgEntry| {
        format!(
            "{}-{}",
            hhmm(e.start, ui.offset_s),
            hhmm(e.start + e.duration_s as i64, ui.offset_s)
        )
    };
    w.set_now_title(text(now_ev.map(|e| e.title.clone()).unwrap_or_default()));
    w.set_now_time(text(now_ev.map(span).unwrap_or_default()));
    w.set_next_title(text(next_ev.map(|e| e.title.clone()).unwrap_or_default()));
    w.set_next_time(text(next_ev.map(span).unwrap_or_default()));
    w.set_banner(ui.banner_shown(now) && current.is_some());
    w.set_state(match ui.play {
        PlayState::Playing => s::PlayState::Playing,
        PlayState::NoSignal => s::PlayState::NoSignal,
        PlayState::Scrambled => s::PlayState::Scrambled,
        PlayState::NotActivated => s::PlayState::NotActivated,
        PlayState::NoChannels => s::PlayState::NoChannels,
        PlayState::PinRequired => s::PlayState::PinRequired,
    });
    w.set_state_detail(text(
        ui.activation
            .as_ref()
            .map(|r| message(r, ui.lang))
            .unwrap_or_default(),
    ));
    w.set_entry(text(ui.entry.clone()));
    w.set_pin_dots(text("● ".repeat(ui.pin_typed.len()).trim_end().to_string()));
    w.set_pin_wrong(ui.pin_wrong);
    w.set_volume(ui.volume as i32);
    w.set_muted(ui.muted);
    w.set_volume_shown(ui.volume_shown(now));
    let audio = ui.audio_shown(now);
    w.set_audio_shown(audio.is_some());
    if let Some((language, place, count)) = audio {
        w.set_audio_language(text(stb_app::ui::languages::language_name(
            language.as_deref(),
            ui.lang,
        )));
        w.set_audio_place(text(format!("{place}/{count}")));
    }
    w.set_weak_signal(ui.play == PlayState::Playing && ui.signal.locked && ui.signal.quality < 30);
    w.set_radio(ui.watching_radio());
    let (no_sound, no_picture) = ui.missing_media(now);
    w.set_no_sound(no_sound);
    w.set_no_picture(no_picture);
    w.set_quality(ui.signal.quality as i32);
}

fn channel_list(ui: &Ui, app: &App) {
    let l = app.global::<s::ChannelList>();
    l.set_tab(match ui.list_tab {
        ListKind::Tv => s::ListTab::Tv,
        ListKind::Radio => s::ListTab::Radio,
        ListKind::Favourites => s::ListTab::Favourites,
    });
    let rows = ui.list_rows();
    // A window of rows around the selection: the screen shows about ten.
    const VISIBLE: usize = 9;
    let first = ui
        .list_selected
        .saturating_sub(VISIBLE / 2)
        .min(rows.len().saturating_sub(VISIBLE));
    update_rows(
        l.get_rows(),
        rows.iter()
            .enumerate()
            .skip(first)
            .take(VISIBLE)
            .map(|(i, c)| s::ChannelRow {
                number: text(format!("{:>3}", c.number)),
                name: text(c.name.clone()),
                scrambled: c.scrambled,
                favourite: c.favourite,
                locked: c.locked,
                selected: i == ui.list_selected,
            })
            .collect(),
        |m| l.set_rows(m),
    );
    l.set_editing(ui.editing);
    l.set_moving(ui.moving);
    l.set_entry(text(ui.list_typed.clone()));
    l.set_renaming(ui.rename.is_some());
    if let Some((_, name, at)) = &ui.rename {
        l.set_rename_text(text(format!("{name}_")));
        l.set_rename_key(*at as i32);
    }
    if l.get_rename_keys().row_count() != model::RENAME_KEYS.len() {
        l.set_rename_keys(ModelRc::new(VecModel::from(
            model::RENAME_KEYS
                .iter()
                .map(|c| text(c.to_string()))
                .collect::<Vec<_>>(),
        )));
    }
}

fn epg(ui: &Ui, app: &App) {
    let e = app.global::<s::Epg>();
    let chans = ui.epg_channels();
    let ch = chans.get(ui.epg_channel.min(chans.len().saturating_sub(1)));
    e.set_channel(text(
        ch.map(|c| format!("{} {}", c.number, c.name))
            .unwrap_or_default(),
    ));
    e.set_day(text(day_label(ui)));
    let events = ui.epg_events();
    const VISIBLE: usize = 8;
    let first = ui
        .epg_selected
        .saturating_sub(VISIBLE / 2)
        .min(events.len().saturating_sub(VISIBLE));
    update_rows(
        e.get_events(),
        events
            .iter()
            .enumerate()
            .skip(first)
            .take(VISIBLE)
            .map(|(i, ev)| s::EventRow {
                time: text(hhmm(ev.start, ui.offset_s)),
                title: text(ev.title.clone()),
                selected: i == ui.epg_selected,
            })
            .collect(),
        |m| e.set_events(m),
    );
    let sel = events.get(ui.epg_selected);
    e.set_title(text(sel.map(|ev| ev.title.clone()).unwrap_or_default()));
    e.set_time(text(
        sel.map(|ev| {
            format!(
                "{}-{}",
                hhmm(ev.start, ui.offset_s),
                hhmm(ev.start + ev.duration_s as i64, ui.offset_s)
            )
        })
        .unwrap_or_default(),
    ));
    e.set_text(text(sel.map(|ev| ev.text.clone()).unwrap_or_default()));
    update_rows(
        e.get_now_next(),
        chans
            .iter()
            .take(6)
            .map(|c| {
                let (n, x) = ui.now_next(c);
                let value = match (n, x) {
                    (Some(n), Some(x)) => format!("{} · {}", n.title, x.title),
                    (Some(n), None) => n.title.clone(),
                    (None, Some(x)) => format!("{} {}", hhmm(x.start, ui.offset_s), x.title),
                    (None, None) => "—".into(),
                };
                s::ListRow {
                    label: text(format!("{} {}", c.number, c.name)),
                    value: text(value),
                    mark: text(""),
                }
            })
            .collect(),
        |m| e.set_now_next(m),
    );
}

fn signal(ui: &Ui, app: &App) {
    let g = app.global::<s::Signal>();
    g.set_locked(ui.signal.locked);
    g.set_strength(ui.signal.strength as i32);
    g.set_quality(ui.signal.quality as i32);
    g.set_strength_db(text(db(ui.signal.level_dbm, "dBm")));
    g.set_quality_db(text(db(ui.signal.cnr_db, "dB")));
    g.set_transponder(text(if ui.signal.transponder.is_empty() {
        "—".into()
    } else {
        ui.signal.transponder.clone()
    }));
    g.set_ber(text(
        ui.signal
            .ber
            .map(|b| format!("{b:.1e}"))
            .unwrap_or_else(|| "—".into()),
    ));
}

fn settings(ui: &Ui, app: &App) {
    let g = app.global::<s::Settings>();
    g.set_focus(ui.settings_focus as i32);
    g.set_language(text(match ui.lang {
        Lang::Zh => "中文",
        Lang::Bo => "བོད་ཡིག",
        Lang::En => "English",
    }));
    g.set_lnb(text(format!("{} MHz", ui.lnb_mhz())));
    g.set_charset(text(
        model::CHARSET_CHOICES[ui.charset_index % model::CHARSET_CHOICES.len()],
    ));
    g.set_hold_picture(ui.hold_picture);
    g.set_version(text(env!("CARGO_PKG_VERSION")));
    g.set_activation(text(
        ui.activation
            .as_ref()
            .map(|r| {
                r.code
                    .unwrap_or(if r.status.can_watch() { "✓" } else { "—" })
            })
            .unwrap_or("—"),
    ));
    g.set_pin_set(ui.pin.is_some());
    g.set_mode(match ui.settings_mode {
        SettingsMode::Menu => s::SettingsMode::Menu,
        SettingsMode::PinEntry => s::SettingsMode::PinEntry,
        SettingsMode::ConfirmReset => s::SettingsMode::ConfirmReset,
    });
    g.set_pin_dots(text("● ".repeat(ui.pin_typed.len()).trim_end().to_string()));
    g.set_pin_wrong(ui.pin_wrong);
}

fn activation_screen(ui: &Ui, app: &App) {
    let g = app.global::<s::Activation>();
    let Some(r) = &ui.activation else {
        g.set_state_text(text("—"));
        g.set_ok(false);
        g.set_qr_size(0);
        update_rows(g.get_qr_modules(), Vec::new(), |m| g.set_qr_modules(m));
        return;
    };
    g.set_state_text(text(message(r, ui.lang)));
    g.set_code(text(r.code.unwrap_or("")));
    g.set_ok(r.status.can_watch());
    g.set_card_number(text(
        r.card_number.map(|n| n.to_string()).unwrap_or_default(),
    ));
    g.set_box_id(text(r.box_id.clone()));
    g.set_position(text(
        r.fix
            .map(|f| format!("{:.4}°, {:.4}°", f.lat, f.lon))
            .unwrap_or_default(),
    ));
    let (size, modules) = match &ui.activation_qr {
        Some((size, modules)) => (*size as i32, modules.clone()),
        None => (0, Vec::new()),
    };
    g.set_qr_size(size);
    update_rows(g.get_qr_modules(), modules, |m| g.set_qr_modules(m));
}

fn diagnostics(ui: &Ui, app: &App) {
    let g = app.global::<s::Diagnostics>();
    g.set_unlocked(ui.diagnostics_unlocked);
    g.set_pin_dots(text("● ".repeat(ui.pin_typed.len()).trim_end().to_string()));
    g.set_pin_wrong(ui.pin_wrong);
    let mut values: Vec<SharedString> = ui.diagnostics.iter().map(|v| text(v.clone())).collect();
    values.resize(10, text("—"));
    update_rows(g.get_values(), values, |m| g.set_values(m));
}
