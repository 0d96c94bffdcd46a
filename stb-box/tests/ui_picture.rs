//! The television picture under the on-screen display, as the renderer composes it: the player's frame (written
//! into the shared picture file as `stb-play` writes it) fills the watching screen and the banner is drawn over it;
//! through a zap the channel before's last picture stays until the new channel's first (or, as the household may
//! choose, the screen is black), and never a frame of the old channel written after the zap.

use std::time::Instant;

use stb_app::picture::PictureWriter;
use stb_app::ui::keys::Action;
use stb_app::ui::model::{Lang, PlayState, Screen};
use stb_app::ui::samples;
use stb_box::picture::PictureShown;
use stb_box::render::Frame;
use stb_box::shell;

const LEFT: [u8; 3] = [0xc0, 0x20, 0x20];
const RIGHT: [u8; 3] = [0x20, 0xc0, 0x20];
const NEXT: [u8; 3] = [0xe0, 0xc0, 0x10];
const BLACK: [u8; 3] = [0, 0, 0];

fn pixel(f: &Frame, x: u32, y: u32) -> [u8; 3] {
    let at = ((y * f.width + x) * 3) as usize;
    [f.rgb[at], f.rgb[at + 1], f.rgb[at + 2]]
}

fn near(a: [u8; 3], b: [u8; 3]) -> bool {
    a.iter().zip(b).all(|(&x, y)| x.abs_diff(y) <= 8)
}

/// A frame as the player writes it: `left` on the left half, `right` on the right.
fn write(w: &mut PictureWriter, left: [u8; 3], right: [u8; 3]) {
    let (width, _) = w.size();
    w.write(None, |pixels| {
        for (i, px) in pixels.chunks_exact_mut(3).enumerate() {
            let x = i as u32 % width;
            px.copy_from_slice(if x < width / 2 { &left } else { &right });
        }
    });
}

#[test]
fn the_picture_fills_the_watching_screen_under_the_banner_and_a_zap_holds_the_last_picture_or_goes_black(
) {
    let size = shell::parse_size("1280x720").unwrap();
    let dir = std::env::temp_dir().join(format!("stb-ui-picture-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("picture");
    let shell = shell::open(size, None).unwrap();
    let now = Instant::now();
    let mut ui = samples::ui(Screen::Watching, Lang::Zh, now);
    let first = ui.zapper.current().expect("a channel is watched").number;
    let mut shown = PictureShown::create(&path, size.width, size.height).unwrap();
    let mut player = PictureWriter::open(&path, first).unwrap();

    // Before the first frame: black, banner over it.
    shown.update(&ui, &shell.app, now);
    shell.show(&ui, now);
    let f = shell.frame().unwrap();
    assert!(near(pixel(&f, 200, 150), BLACK));

    write(&mut player, LEFT, RIGHT);
    shown.update(&ui, &shell.app, now);
    shell.show(&ui, now);
    let f = shell.frame().unwrap();
    assert!(near(pixel(&f, 200, 150), LEFT), "{:?}", pixel(&f, 200, 150));
    assert!(
        near(pixel(&f, 1080, 150), RIGHT),
        "{:?}",
        pixel(&f, 1080, 150)
    );
    assert!(
        near(pixel(&f, 2, 2), LEFT),
        "the picture reaches the corner"
    );
    // The banner (dark blue, nearly opaque) is drawn over the picture, its number and name on it.
    let banner = pixel(&f, 640, 720 - 30);
    assert!(
        !near(banner, LEFT) && !near(banner, RIGHT) && banner[2] > banner[0],
        "the banner's ground is {banner:?}"
    );
    let banner_rows = (560..690)
        .flat_map(|y| (40..640).map(move |x| (x, y)))
        .filter(|&(x, y)| pixel(&f, x, y)[0] > 0xd0)
        .count();
    assert!(
        banner_rows > 200,
        "no banner text over the picture ({banner_rows} bright pixels)"
    );

    // Zap (the box's default): the last picture stays under the new channel's banner until the new channel's
    // first frame; a frame the old player still writes after the zap is not taken.
    let shows_at = |ui: &stb_app::ui::model::Ui, shown: &mut PictureShown, at: Instant| {
        shown.update(ui, &shell.app, at);
        shell.show(ui, at);
        let f = shell.frame().unwrap();
        (pixel(&f, 200, 150), pixel(&f, 1080, 150))
    };
    let shows = |ui: &stb_app::ui::model::Ui, shown: &mut PictureShown| shows_at(ui, shown, now);
    assert!(ui.hold_picture);
    ui.key(Action::ChannelUp, now);
    let next = ui.zapper.current().unwrap().number;
    assert_ne!(next, first);
    ui.play = PlayState::Playing;
    write(&mut player, LEFT, LEFT);
    let (l, r) = shows(&ui, &mut shown);
    assert!(near(l, LEFT) && near(r, RIGHT), "{l:?} {r:?}");
    let mut player = PictureWriter::open(&path, next).unwrap();
    write(&mut player, NEXT, NEXT);
    let (l, _) = shows(&ui, &mut shown);
    assert!(near(l, NEXT), "{l:?}");

    // A zap to a channel that turns out to have no signal: the held picture goes, the reason is said instead.
    ui.key(Action::ChannelUp, now);
    let (l, _) = shows(&ui, &mut shown);
    assert!(near(l, NEXT), "held through the zap: {l:?}");
    ui.play = PlayState::NoSignal;
    let (l, r) = shows(&ui, &mut shown);
    assert!(!near(l, NEXT) && !near(r, NEXT), "{l:?} {r:?}");

    // Back on that channel, its picture shown again.
    ui.key(Action::ChannelDown, now);
    ui.play = PlayState::Playing;
    write(&mut player, NEXT, LEFT);
    let (l, r) = shows(&ui, &mut shown);
    assert!(near(l, NEXT) && near(r, LEFT), "{l:?} {r:?}");

    // A zap to a channel that plays its sound but sends no picture: the channel before's picture is not kept under
    // its banner for long.
    let second = std::time::Duration::from_secs(1);
    ui.key(Action::ChannelUp, now);
    let (l, r) = shows_at(&ui, &mut shown, now + second);
    assert!(near(l, NEXT) && near(r, LEFT), "held: {l:?} {r:?}");
    let (l, r) = shows_at(&ui, &mut shown, now + 4 * second);
    assert!(near(l, BLACK) && near(r, BLACK), "{l:?} {r:?}");
    ui.key(Action::ChannelDown, now);
    write(&mut player, NEXT, LEFT);
    let (l, r) = shows(&ui, &mut shown);
    assert!(near(l, NEXT) && near(r, LEFT), "{l:?} {r:?}");

    // The household chose a black screen through a zap: none of the channel before's pictures is shown under the
    // new channel's banner.
    ui.hold_picture = false;
    ui.key(Action::ChannelUp, now);
    ui.play = PlayState::Playing;
    write(&mut player, NEXT, NEXT);
    let (l, r) = shows(&ui, &mut shown);
    assert!(near(l, BLACK) && near(r, BLACK), "{l:?} {r:?}");

    // Another screen, or a channel that stops playing: no picture.
    ui.key(Action::ChannelDown, now);
    write(&mut player, NEXT, NEXT);
    let (l, _) = shows(&ui, &mut shown);
    assert!(near(l, NEXT), "{l:?}");
    ui.play = PlayState::NoSignal;
    let (l, _) = shows(&ui, &mut shown);
    assert!(!near(l, NEXT));
    let _ = std::fs::remove_dir_all(&dir);
}
