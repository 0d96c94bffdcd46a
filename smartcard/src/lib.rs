//! Smart-card stack of the 户户通 box: ISO 7816-3 answer-to-reset, ISO 7816-4 APDUs, the T=0
//! character protocol, a Phoenix/Smartmouse reader on a serial port, and the activation card
//! application with a software emulator of it that speaks T=0 over a serial line.
//!
//! Layout: wire formats ([`atr`], [`apdu`], [`authorisation`]) are zero-copy views plus `Repr`s;
//! [`line`] is the byte line; [`t0`] the reader-side protocol; [`reader`] the serial reader;
//! [`card_app`] the card application and its box-side client; [`emulator`] the card side of T=0.
//! See docs/activation-protocol.md.

pub mod apdu;
pub mod atr;
pub mod authorisation;
pub mod card_app;
pub mod emulator;
pub mod keyfile;
pub mod line;
pub mod reader;
pub mod t0;

use apdu::StatusWord;

/// Errors talking to a card, as the layers above need to tell them apart.
#[derive(Debug, thiserror::Error)]
pub enum CardError {
    /// No card answered a reset (E01).
    #[error("no card in the reader")]
    NoCard,
    /// The card went away while it was being used.
    #[error("the card was removed")]
    CardRemoved,
    /// The card is there but did not answer in time.
    #[error("the card did not answer")]
    Mute,
    /// An ATR the stack cannot use.
    #[error("answer-to-reset not understood: {0}")]
    BadAtr(#[from] atr::AtrError),
    #[error("T=0 exchange failed: {0}")]
    Protocol(String),
    #[error("serial line: {0}")]
    Io(#[from] std::io::Error),
    /// The card refused the command.
    #[error("card answered {0}")]
    Status(StatusWord),
    #[error("card response malformed: {0}")]
    BadResponse(&'static str),
}

impl From<t0::T0Error> for CardError {
    fn from(e: t0::T0Error) -> Self {
        match e {
            t0::T0Error::Mute | t0::T0Error::Busy => CardError::Mute,
            t0::T0Error::Io(io) => CardError::Io(io),
            other => CardError::Protocol(other.to_string()),
        }
    }
}
