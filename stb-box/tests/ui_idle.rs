//! The box redraws only what changed. The UI is shown again after every key and on every tick of the clock (four
//! times a second); a tick that changes nothing must draw nothing, or the box would repaint and copy the screen to
//! the framebuffer all day long. A key that moves the selection redraws the rows it touched, not the screen.

use std::time::{Duration, Instant};

use stb_app::ui::keys::Action;
use stb_app::ui::model::{Event, Lang, Screen};
use stb_app::ui::samples;
use stb_box::{render, shell};

#[test]
fn an_idle_tick_draws_nothing_and_a_key_draws_only_what_it_changed() {
    let size = shell::parse_size("1280x720").unwrap();
    let full = u64::from(size.width) * u64::from(size.height);
    let mut buffer = Vec::new();
    let mut failures = Vec::new();
    for screen in Screen::ALL {
        for lang in [Lang::Zh, Lang::Bo, Lang::En] {
            let shell = shell::open(size, None).unwrap();
            let window = shell.window.clone().unwrap();
            let now = Instant::now();
            let mut ui = samples::ui(screen, lang, now);
            shell.show(&ui, now);
            let first = render::redraw_changed(&window, &mut buffer);
            assert!(first > 0, "{}: the first frame drew nothing", screen.name());
            // Ticks with nothing new, as `stb-app ui`'s 250 ms timer makes them: the clock (the same minute) and
            // the model's timers brought to a later instant, then the model shown again.
            for tick in 0..3 {
                let later = now + Duration::from_millis(250 * (tick + 1));
                ui.event(
                    Event::Clock {
                        utc: samples::SAMPLE_UTC + tick as i64 + 1,
                        offset_s: 8 * 3600,
                    },
                    later,
                );
                ui.tick(later);
                shell.show(&ui, later);
                let area = render::redraw_changed(&window, &mut buffer);
                if area != 0 {
                    failures.push(format!(
                        "{} ({lang:?}): idle tick {tick} redrew {area} pixels ({:.1} % of the screen)",
                        screen.name(),
                        area as f64 * 100.0 / full as f64
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // One step down the channel list: the old and the new selected row change, the rest of the list does not.
    let shell = shell::open(size, None).unwrap();
    let window = shell.window.clone().unwrap();
    let now = Instant::now();
    let mut ui = samples::ui(Screen::ChannelList, Lang::Zh, now);
    shell.show(&ui, now);
    render::redraw_changed(&window, &mut buffer);
    ui.key(Action::Down, now);
    shell.show(&ui, now);
    let area = render::redraw_changed(&window, &mut buffer);
    assert!(area > 0, "moving the selection drew nothing");
    assert!(
        area < full / 5,
        "moving the selection by one row redrew {:.1} % of the screen",
        area as f64 * 100.0 / full as f64
    );
}
