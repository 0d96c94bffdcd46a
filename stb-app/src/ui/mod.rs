//! The household's interface as plain data that tests drive without rendering: what each remote key means
//! ([`keys`]), how the box moves between channels ([`zapping`]), the remote itself ([`remote`]), the screens' state
//! and what they ask of the backend ([`model`]), the optional front panel ([`front_panel`]) and a household's box
//! in a known state ([`samples`]). The screens themselves are drawn by the box's main program (`stb-box`).

pub mod front_panel;
pub mod keys;
pub mod languages;
pub mod model;
pub mod remote;
pub mod samples;
pub mod zapping;
