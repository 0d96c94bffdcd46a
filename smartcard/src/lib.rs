//! smartcard
