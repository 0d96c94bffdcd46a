//! The household's interface. Below the screens, plain data that tests drive without rendering: what each remote
//! key means ([`keys`]), how the box moves between channels ([`zapping`]), the remote itself ([`remote`]).
//! The Slint screens (`stb-app/ui/*.slint`) are drawn by the software renderer on our own [`platform`] with the
//! pinned [`fonts`]; [`render`] turns frames into PNG files.

pub mod fonts;
pub mod framebuffer;
pub mod front_panel;
pub mod keys;
pub mod model;
pub mod platform;
pub mod remote;
pub mod render;
pub mod samples;
pub mod shell;
pub mod view;
pub mod zapping;

/// The compiled .slint screens.
pub mod screens {
    slint::include_modules!();
}
