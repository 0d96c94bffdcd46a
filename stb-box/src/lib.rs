//! The box's main program: the Slint screens (`ui/*.slint`) drawn by the software renderer on our own
//! [`platform`] into the [`framebuffer`], with the pinned [`fonts`]; the [`view`] fills the screens from the
//! model of `stb_app::ui`; [`shell`] sets a window up the same way for the box, `stb-app render` and the tests;
//! [`render`] turns frames into PNG files. The program itself (`stb-app ui`) is [`program`]; `stb-app render` is
//! [`render_cmd`].
//!
//! It is its own binary (`stb-box`, which `stb-app ui` and `stb-app render` run) so that the technician's commands
//! start without loading the UI's libraries: see docs/decisions/0003-two-binaries.md.

pub mod desktop_keys;
pub mod fonts;
pub mod framebuffer;
pub mod picture;
pub mod platform;
pub mod player;
pub mod program;
pub mod render;
pub mod render_cmd;
pub mod settings;
pub mod shell;
pub mod view;

/// The compiled .slint screens.
pub mod screens {
    slint::include_modules!();
}
