//! Every screen in every language, rendered headless with the software renderer and the pinned fonts, compared
//! with the reviewed golden images in tests/golden/ (look at them: they are what the household sees).
//! `STB_UPDATE_GOLDEN=1 cargo test -p stb-app --test ui_screens` rewrites them after a reviewed change.

use std::path::PathBuf;

use stb_app::ui::keys::Action;
use stb_app::ui::model::{Event, Lang, Notice, Screen};
use stb_box::render::Frame;
use stb_box::shell;

mod support;

/// A channel may differ by this much (anti-aliasing, rounding) ...
const TOLERANCE: u8 = 40;
/// ... on at most this share of the pixels; a changed word moves thousands.
const MAX_DIFFERENT: f64 = 0.002;

fn golden(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

fn check(screen: Screen, lang: Lang, code: &str, size: &str, failures: &mut Vec<String>) {
    let s = shell::parse_size(size).expect("size");
    let frame = shell::render_sample(screen, lang, s).expect("render");
    compare(
        frame,
        &format!("{}-{code}-{size}.png", screen.name()),
        failures,
    );
}

fn compare(frame: Frame, name: &str, failures: &mut Vec<String>) {
    let path = golden(name);
    if std::env::var_os("STB_UPDATE_GOLDEN").is_some() {
        frame.save_png(&path).expect("write golden");
        return;
    }
    let Ok(want) = Frame::load_png(&path) else {
        failures.push(format!(
            "{name}: no golden image (render it with STB_UPDATE_GOLDEN=1 and review it)"
        ));
        return;
    };
    let diff = frame.difference(&want, TOLERANCE);
    if diff > MAX_DIFFERENT {
        let got = std::env::temp_dir().join(format!("got-{name}"));
        let _ = frame.save_png(&got);
        failures.push(format!(
            "{name}: {:.2} % of pixels differ; see {}",
            diff * 100.0,
            got.display()
        ));
    }
}

#[test]
fn every_screen_in_every_language_matches_its_golden_image() {
    let mut failures = Vec::new();
    let mut compared = 0;
    for screen in Screen::ALL {
        for (lang, code) in [(Lang::Zh, "zh"), (Lang::Bo, "bo"), (Lang::En, "en")] {
            check(screen, lang, code, "1280x720", &mut failures);
            compared += 1;
        }
        check(screen, Lang::Zh, "zh", "720x576", &mut failures);
        compared += 1;
    }
    // States inside a screen that a reviewer should see too: renaming a channel with the on-screen keyboard.
    for (lang, code) in [(Lang::Zh, "zh"), (Lang::Bo, "bo")] {
        let size = shell::parse_size("1280x720").unwrap();
        let shell = shell::open(size, None).unwrap();
        let now = std::time::Instant::now();
        let mut ui = stb_app::ui::samples::ui(Screen::ChannelList, lang, now);
        for a in [Action::Blue, Action::Right, Action::Ok, Action::Digit(7)] {
            ui.key(a, now);
        }
        shell.show(&ui, now);
        compare(
            shell.frame().unwrap(),
            &format!("channel-list-rename-{code}-1280x720.png"),
            &mut failures,
        );
        compared += 1;
    }
    // Watching a radio channel (its own screen), and a TV channel whose picture does not come.
    for (lang, code) in [(Lang::Zh, "zh"), (Lang::Bo, "bo"), (Lang::En, "en")] {
        let size = shell::parse_size("1280x720").unwrap();
        let shell = shell::open(size, None).unwrap();
        let now = std::time::Instant::now();
        let mut ui = stb_app::ui::samples::ui(Screen::Watching, lang, now);
        ui.zapper = stb_app::ui::zapping::Zapper::new(ui.channels.clone(), Some(101));
        shell.show(&ui, now);
        compare(
            shell.frame().unwrap(),
            &format!("watching-radio-{code}-1280x720.png"),
            &mut failures,
        );
        let mut ui = stb_app::ui::samples::ui(Screen::Watching, lang, now);
        ui.banner_until = None;
        ui.play_started = now.checked_sub(stb_app::ui::model::MEDIA_GRACE * 2);
        ui.heard = ui.zapper.current().map(|c| c.number);
        shell.show(&ui, now);
        compare(
            shell.frame().unwrap(),
            &format!("watching-no-picture-{code}-1280x720.png"),
            &mut failures,
        );
        compared += 2;
    }
    eprintln!("compared {compared} frames with their golden images");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // In the same test: Slint's platform is one per process, and the test harness runs tests on many threads.
    languages_draw_different_text_and_screens_differ();
}

fn languages_draw_different_text_and_screens_differ() {
    // Guards the goldens themselves: a translation that silently fell back to English, or a screen that draws
    // nothing, would be "golden" too.
    let size = shell::parse_size("1280x720").unwrap();
    for screen in Screen::ALL {
        let zh = shell::render_sample(screen, Lang::Zh, size).unwrap();
        let bo = shell::render_sample(screen, Lang::Bo, size).unwrap();
        let en = shell::render_sample(screen, Lang::En, size).unwrap();
        assert!(
            zh.difference(&en, TOLERANCE) > 0.001,
            "{}: Chinese looks like English",
            screen.name()
        );
        assert!(
            bo.difference(&en, TOLERANCE) > 0.001,
            "{}: Tibetan looks like English",
            screen.name()
        );
        assert!(
            bo.difference(&zh, TOLERANCE) > 0.001,
            "{}: Tibetan looks like Chinese",
            screen.name()
        );
    }
    // A full disk is said on screen, over whatever screen is up.
    let disk_full = {
        let shell = shell::open(size, None).unwrap();
        let now = std::time::Instant::now();
        let mut ui = stb_app::ui::samples::ui(Screen::ChannelList, Lang::Bo, now);
        ui.event(
            Event::Notice(Notice::from_storage_error(
                "channels.db: database or disk is full",
                None,
            )),
            now,
        );
        shell.show(&ui, now);
        shell.frame().unwrap()
    };
    let px = |f: &Frame, x: u32, y: u32| {
        let i = ((y * f.width + x) * 3) as usize;
        (f.rgb[i], f.rgb[i + 1], f.rgb[i + 2])
    };
    assert_eq!(
        px(&disk_full, 640, 2),
        (0xe5, 0x53, 0x4b),
        "no disk-full notice"
    );
    let plain = shell::render_sample(Screen::ChannelList, Lang::Bo, size).unwrap();
    assert_ne!(px(&plain, 640, 2), (0xe5, 0x53, 0x4b));

    let a = shell::render_sample(Screen::Epg, Lang::Zh, size).unwrap();
    let b = shell::render_sample(Screen::Settings, Lang::Zh, size).unwrap();
    assert!(a.difference(&b, TOLERANCE) > 0.05);
}

/// Every string of the screens has a Chinese and a Tibetan translation (no screen shows an untranslated string).
#[test]
fn every_screen_string_is_translated() {
    let ui_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("ui");
    let mut ids = Vec::new();
    let mut stack = vec![ui_dir.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "slint") {
                let text = std::fs::read_to_string(&p).unwrap();
                for part in text.split("@tr(\"").skip(1) {
                    let end = part.find('"').expect("closing quote");
                    ids.push(part[..end].to_string());
                }
            }
        }
    }
    assert!(ids.len() > 80, "found only {} strings", ids.len());
    for lang in ["zh_CN", "bo"] {
        let po =
            std::fs::read_to_string(ui_dir.join(format!("lang/{lang}/LC_MESSAGES/stb-box.po")))
                .unwrap();
        let mut map = std::collections::HashMap::new();
        let mut id = None;
        for line in po.lines() {
            if let Some(v) = line.strip_prefix("msgid \"") {
                id = Some(v.trim_end_matches('"').to_string());
            } else if let Some(v) = line.strip_prefix("msgstr \"") {
                if let Some(k) = id.take() {
                    map.insert(k, v.trim_end_matches('"').to_string());
                }
            }
        }
        for id in &ids {
            let t = map.get(id).map(String::as_str).unwrap_or("");
            assert!(!t.is_empty(), "{lang}: no translation for \"{id}\"");
            let script = |c: char| {
                if lang == "bo" {
                    ('\u{0F00}'..='\u{0FFF}').contains(&c)
                } else {
                    ('\u{4E00}'..='\u{9FFF}').contains(&c)
                }
            };
            assert!(
                t.chars().any(script),
                "{lang}: \"{id}\" -> \"{t}\" is not in the language's script"
            );
            assert_eq!(
                t.matches("{}").count(),
                id.matches("{}").count(),
                "{lang}: placeholders of \"{id}\""
            );
        }
    }
}

#[test]
fn a_missing_font_is_reported_on_screen_not_a_crash() {
    let dir = support::temp_dir("no-fonts");
    let out = dir.join("settings.png");
    let (code, _, err) = support::stb_app_env(
        &[
            "render",
            "--screen",
            "settings",
            "--lang",
            "zh",
            "--out",
            out.to_str().unwrap(),
        ],
        &[("STB_FONT_ROOT", dir.as_os_str())],
    );
    assert_eq!(code, 0, "{err}");
    let frame = Frame::load_png(&out).unwrap();
    // The notice band across the top, in the theme's alarm red (#e5534b).
    let px = |x: u32, y: u32| {
        let i = ((y * frame.width + x) * 3) as usize;
        (frame.rgb[i], frame.rgb[i + 1], frame.rgb[i + 2])
    };
    assert_eq!(px(640, 2), (0xe5, 0x53, 0x4b));
    assert_eq!(px(5, 40), (0xe5, 0x53, 0x4b));
}

#[test]
fn render_names_its_screens_and_refuses_bad_arguments() {
    let (_, names, _) = support::stb_app(&["render", "--list"]);
    for s in Screen::ALL {
        assert!(
            names.lines().any(|l| l == s.name()),
            "{} missing from --list",
            s.name()
        );
    }
    let dir = support::temp_dir("render-bad");
    let out = dir.join("x.png");
    let o = out.to_str().unwrap();
    for (args, says) in [
        (
            vec!["render", "--screen", "nope", "--out", o],
            "unknown screen",
        ),
        (
            vec!["render", "--screen", "epg", "--lang", "fr", "--out", o],
            "unknown language",
        ),
        (
            vec!["render", "--screen", "epg", "--size", "12x", "--out", o],
            "bad size",
        ),
    ] {
        let (code, _, err) = support::stb_app(&args);
        assert_eq!(code, 2, "{args:?}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(!out.exists());
    }
    let (code, _, err) = support::stb_app(&[
        "render", "--screen", "epg", "--lang", "bo", "--size", "720x576", "--out", o,
    ]);
    assert_eq!(code, 0, "{err}");
    let f = Frame::load_png(&out).unwrap();
    assert_eq!((f.width, f.height), (720, 576));
}
