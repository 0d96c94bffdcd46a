//! Activation of a 户户通 box: the operator's signed authorisation ([`message`]), its carriers
//! (over the air in a private [`section`], or a file), card pairing and the states shown on
//! screen ([`engine`], [`status`]), the position lock ([`geo`]), the crash-safe [`store`], the
//! activation request QR code ([`request`]) and the county's [`household`] record.
//! See docs/activation-protocol.md.

pub mod engine;
pub mod geo;
pub mod household;
pub mod message;
pub mod request;
pub mod section;
pub mod status;
pub mod store;

pub use engine::{Activation, BoxIdentity, ImportError, Report};
pub use geo::Fix;
pub use status::{Lang, Status};
