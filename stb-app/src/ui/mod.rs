//! The household's interface, as plain data the screens show and tests drive without rendering: what each remote
//! key means ([`keys`]) and how the box moves between channels ([`zapping`]). The Slint screens sit on top.

pub mod keys;
pub mod remote;
pub mod zapping;
