//! The box's player (issue 12): the tuned service's sound and pictures through Debian's GStreamer, fed with the
//! transport stream by the box's own tuner and demux. A separate program from the screens (`stb-box`), so the
//! UI's first frame does not wait for GStreamer's libraries (the box's media disk) and a decoder that crashes on
//! a broken stream takes the sound down, not the screens.

pub mod authorise;
pub mod codec;
pub mod mixer;
pub mod play;
pub mod player;
pub mod programme;
