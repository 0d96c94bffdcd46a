//! Phoenix / Smartmouse reader on a serial port.
//!
//! The reader is a level shifter: the card's I/O contact is tied to both TX and RX (so every
//! byte sent comes back as an echo), RST is driven by RTS, and a card-detect switch shows on one
//! of CD, DSR or CTS depending on the model. With the usual 3.5712 MHz crystal the card talks at
//! 9600 bit/s, 8 data bits, even parity, 2 stop bits (the second stop bit covers the guard time).
//!
//! On a virtual line (pty, QEMU socket) there is no RTS: the reset is the in-band request
//! described in [`crate::emulator`].

use std::collections::VecDeque;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::time::Duration;

use serialport::{ClearBuffer, DataBits, FlowControl, Parity, SerialPort, StopBits, TTYPort};

use crate::apdu::{CommandRepr, ResponseRepr};
use crate::atr::{self, AtrRepr, Progress, TS_INVERSE_RAW};
use crate::card_app::CardChannel;
use crate::emulator::{RESET_QUIET, RESET_REQUEST};
use crate::line::{ByteLine, PollLine};
use crate::t0::{T0Config, T0Error, T0};
use crate::CardError;

/// How the reader resets the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetMethod {
    /// Pulse RTS: RST is held while RTS is at `active` level.
    Rts { active: bool },
    /// In-band reset request for lines without modem control (pty, QEMU socket).
    InBand,
}

/// Which modem-status line carries the card-detect switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PresencePin {
    /// No switch wired: presence is learnt from resets (an ATR means a card).
    None,
    Cd,
    Dsr,
    Cts,
    Ri,
}

#[derive(Debug, Clone)]
pub struct ReaderConfig {
    pub path: String,
    pub baud: u32,
    /// Card clock the reader supplies.
    pub clock_hz: u32,
    pub reset: ResetMethod,
    pub presence: PresencePin,
    /// The switch reads low when a card is in.
    pub presence_inverted: bool,
    /// TX and RX are tied: every sent byte is read back.
    pub echo: bool,
    /// Longest wait for the first ATR byte and between ATR bytes (ISO: 40 000 clocks, then
    /// 9600 etu; generous for virtual lines).
    pub atr_timeout: Duration,
}

impl ReaderConfig {
    /// A Phoenix reader on a real serial port: RTS reset, echo, card detect on CD.
    pub fn phoenix(path: &str) -> Self {
        ReaderConfig {
            path: path.to_owned(),
            baud: 9600,
            clock_hz: atr::PHOENIX_CLOCK_HZ,
            reset: ResetMethod::Rts { active: true },
            presence: PresencePin::Cd,
            presence_inverted: false,
            echo: true,
            atr_timeout: Duration::from_millis(1200),
        }
    }
    /// A virtual line (pty, virtio-serial, QEMU UART on a socket): in-band reset, no echo, no pin.
    /// An emulated card answers its reset within milliseconds; 500 ms leaves room for a loaded
    /// host and keeps an empty reader's probe short.
    pub fn virtual_line(path: &str) -> Self {
        ReaderConfig {
            reset: ResetMethod::InBand,
            presence: PresencePin::None,
            echo: false,
            atr_timeout: Duration::from_millis(500),
            ..Self::phoenix(path)
        }
    }
}

/// Events for the box's main loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardEvent {
    Inserted(AtrRepr),
    Removed,
}

/// What a reader needs from its port beyond bytes.
pub trait ReaderPort: ByteLine {
    fn set_rts(&mut self, level: bool) -> io::Result<()>;
    fn read_pin(&mut self, pin: PresencePin) -> io::Result<bool>;
    /// Odd parity for inverse-convention cards (their parity bit arrives inverted).
    fn set_odd_parity(&mut self, odd: bool) -> io::Result<()>;
}

/// A serial port as a pollable file descriptor.
pub struct SerialFd(pub TTYPort);

impl AsFd for SerialFd {
    fn as_fd(&self) -> BorrowedFd<'_> {
        // SAFETY: the descriptor belongs to the TTYPort, which lives as long as `self`.
        unsafe { BorrowedFd::borrow_raw(self.0.as_raw_fd()) }
    }
}
impl io::Read for SerialFd {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        io::Read::read(&mut self.0, buf)
    }
}
impl io::Write for SerialFd {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        io::Write::write(&mut self.0, buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        io::Write::flush(&mut self.0)
    }
}

fn serial_err(e: serialport::Error) -> io::Error {
    io::Error::other(e.to_string())
}

impl ReaderPort for PollLine<SerialFd> {
    fn set_rts(&mut self, level: bool) -> io::Result<()> {
        self.get_mut()
            .0
            .write_request_to_send(level)
            .map_err(serial_err)
    }
    fn read_pin(&mut self, pin: PresencePin) -> io::Result<bool> {
        let p = &mut self.get_mut().0;
        match pin {
            PresencePin::None => Ok(true),
            PresencePin::Cd => p.read_carrier_detect(),
            PresencePin::Dsr => p.read_data_set_ready(),
            PresencePin::Cts => p.read_clear_to_send(),
            PresencePin::Ri => p.read_ring_indicator(),
        }
        .map_err(serial_err)
    }
    fn set_odd_parity(&mut self, odd: bool) -> io::Result<()> {
        let p = &mut self.get_mut().0;
        p.set_parity(if odd { Parity::Odd } else { Parity::Even })
            .map_err(serial_err)?;
        p.clear(ClearBuffer::Input).map_err(serial_err)
    }
}

impl ReaderPort for PollLine<std::os::unix::net::UnixStream> {
    fn set_rts(&mut self, _: bool) -> io::Result<()> {
        Err(io::ErrorKind::Unsupported.into())
    }
    fn read_pin(&mut self, _: PresencePin) -> io::Result<bool> {
        Err(io::ErrorKind::Unsupported.into())
    }
    fn set_odd_parity(&mut self, _: bool) -> io::Result<()> {
        Ok(())
    }
}

/// A character device that is not a terminal, such as a virtio serial port (`/dev/vportNpM`): a byte pipe with
/// no modem lines and no line settings, like a socket.
impl ReaderPort for PollLine<std::fs::File> {
    fn set_rts(&mut self, _: bool) -> io::Result<()> {
        Err(io::ErrorKind::Unsupported.into())
    }
    fn read_pin(&mut self, _: PresencePin) -> io::Result<bool> {
        Err(io::ErrorKind::Unsupported.into())
    }
    fn set_odd_parity(&mut self, _: bool) -> io::Result<()> {
        Ok(())
    }
}

impl Reader<PollLine<std::fs::File>> {
    /// Opens a reader line that is a plain character device (a virtio serial port), read-write and
    /// non-blocking. Such a line has no RTS: use [`ReaderConfig::virtual_line`] (in-band reset).
    pub fn open_char_device(config: ReaderConfig) -> Result<Self, CardError> {
        use std::os::unix::fs::OpenOptionsExt;
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(nix::fcntl::OFlag::O_NONBLOCK.bits())
            .open(&config.path)?;
        Ok(Reader::new(PollLine::new(file), config))
    }
}

/// A line that converts every byte for inverse-convention cards.
struct Conv<'a, P> {
    port: &'a mut P,
    inverse: bool,
}
impl<P: ByteLine> ByteLine for Conv<'_, P> {
    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        if self.inverse {
            let v: Vec<u8> = bytes.iter().map(|&b| atr::inverse_byte(b)).collect();
            self.port.send(&v)
        } else {
            self.port.send(bytes)
        }
    }
    fn recv(&mut self, timeout: Duration) -> io::Result<Option<u8>> {
        Ok(self.port.recv(timeout)?.map(|b| {
            if self.inverse {
                atr::inverse_byte(b)
            } else {
                b
            }
        }))
    }
    fn discard_input(&mut self) -> io::Result<()> {
        self.port.discard_input()
    }
}

/// A card reader: resets, reads the ATR, runs T=0, notices cards coming and going.
pub struct Reader<P> {
    port: P,
    config: ReaderConfig,
    atr: Option<AtrRepr>,
    inverse: bool,
    wwt: Duration,
    /// Last known presence, to report changes once.
    present: bool,
    events: VecDeque<CardEvent>,
}

impl Reader<PollLine<SerialFd>> {
    /// Opens the serial port (8 data bits, even parity, 2 stop bits, no flow control).
    pub fn open(config: ReaderConfig) -> Result<Self, CardError> {
        let port = serialport::new(&config.path, config.baud)
            .data_bits(DataBits::Eight)
            .parity(Parity::Even)
            .stop_bits(StopBits::Two)
            .flow_control(FlowControl::None)
            .timeout(Duration::from_millis(10))
            .open_native()
            .map_err(|e| CardError::Io(serial_err(e)))?;
        Ok(Reader::new(PollLine::new(SerialFd(port)), config))
    }
}

impl<P: ReaderPort> Reader<P> {
    pub fn new(port: P, config: ReaderConfig) -> Self {
        Reader {
            port,
            config,
            atr: None,
            inverse: false,
            wwt: Duration::from_secs(1),
            present: false,
            events: VecDeque::new(),
        }
    }

    pub fn config(&self) -> &ReaderConfig {
        &self.config
    }
    /// ATR of the card in session, if any.
    pub fn atr(&self) -> Option<&AtrRepr> {
        self.atr.as_ref()
    }
    /// Work waiting time in force.
    pub fn work_waiting_time(&self) -> Duration {
        self.wwt
    }

    /// Card-detect switch, `None` when the reader has none.
    pub fn switch_says_present(&mut self) -> Result<Option<bool>, CardError> {
        if self.config.presence == PresencePin::None {
            return Ok(None);
        }
        let level = self.port.read_pin(self.config.presence)?;
        Ok(Some(level != self.config.presence_inverted))
    }

    fn send_echoed(&mut self, bytes: &[u8]) -> Result<(), CardError> {
        self.port.send(bytes)?;
        if self.config.echo {
            for &b in bytes {
                if self.port.recv(self.config.atr_timeout)? != Some(b) {
                    return Err(CardError::Protocol(
                        "echo of the reset request missing".into(),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Resets the card and reads its ATR. `NoCard` when nothing answers.
    pub fn reset(&mut self) -> Result<AtrRepr, CardError> {
        self.atr = None;
        if self.inverse {
            self.port.set_odd_parity(false)?;
            self.inverse = false;
        }
        if self.switch_says_present()? == Some(false) {
            return Err(CardError::NoCard);
        }
        match self.config.reset {
            ResetMethod::Rts { active } => {
                self.port.set_rts(active)?;
                std::thread::sleep(Duration::from_millis(20));
                self.port.discard_input()?;
                self.port.set_rts(!active)?;
            }
            ResetMethod::InBand => {
                std::thread::sleep(RESET_QUIET);
                self.port.discard_input()?;
                self.send_echoed(&RESET_REQUEST)?;
            }
        }
        let raw = self.read_atr_bytes()?;
        if raw.is_empty() {
            return Err(CardError::NoCard);
        }
        let repr = AtrRepr::parse_raw(&raw)?;
        if repr.convention == atr::Convention::Inverse {
            self.port.set_odd_parity(true)?;
            self.inverse = true;
        }
        let fi = match (repr.specific_mode(), repr.fi_di()) {
            (Some((_, false)), Some((fi, _, _))) => fi,
            _ => 372,
        };
        // WT plus a margin for the UART and, on virtual lines, the host scheduler.
        self.wwt =
            repr.work_waiting_time(fi, self.config.clock_hz) * 3 / 2 + Duration::from_millis(100);
        self.atr = Some(repr.clone());
        self.present = true;
        Ok(repr)
    }

    fn read_atr_bytes(&mut self) -> Result<Vec<u8>, CardError> {
        let mut raw: Vec<u8> = Vec::new();
        let mut inverse = false;
        loop {
            let Some(b) = self.port.recv(self.config.atr_timeout)? else {
                if raw.is_empty() {
                    return Ok(raw);
                }
                return Err(CardError::BadAtr(atr::AtrError::Truncated));
            };
            if raw.is_empty() {
                inverse = b == TS_INVERSE_RAW;
            }
            raw.push(b);
            let decoded: Vec<u8> = raw
                .iter()
                .map(|&x| if inverse { atr::inverse_byte(x) } else { x })
                .collect();
            match atr::progress(&decoded)? {
                Progress::Complete(_) => return Ok(raw),
                Progress::NeedAtLeast(_) => {}
            }
        }
    }

    fn t0_config(&self) -> T0Config {
        T0Config {
            wwt: self.wwt,
            echo: self.config.echo,
            ..T0Config::default()
        }
    }

    /// Sends one command APDU. A card that vanished mid-command gives `CardRemoved`; the next
    /// `reset` starts afresh.
    pub fn transmit(&mut self, cmd: &CommandRepr<'_>) -> Result<ResponseRepr, CardError> {
        if self.atr.is_none() {
            self.reset()?;
        }
        let config = self.t0_config();
        let mut t0 = T0::new(
            Conv {
                port: &mut self.port,
                inverse: self.inverse,
            },
            config,
        );
        match t0.transmit(cmd) {
            Ok(r) => Ok(r),
            Err(T0Error::Io(e)) => {
                self.atr = None;
                Err(CardError::Io(e))
            }
            Err(e) => {
                self.atr = None;
                // Gone, or only confused? The switch knows; without one, a reset tells.
                let gone = match self.switch_says_present()? {
                    Some(present) => !present,
                    None => matches!(self.reset(), Err(CardError::NoCard)),
                };
                if gone {
                    if self.present {
                        self.present = false;
                        self.events.push_back(CardEvent::Removed);
                    }
                    self.atr = None;
                    Err(CardError::CardRemoved)
                } else {
                    Err(CardError::from(e))
                }
            }
        }
    }

    /// Notices insertion and removal. With a switch, it is read; without one, an empty reader is
    /// probed with a reset, and removal is noticed by the next command that fails.
    pub fn poll_event(&mut self) -> Result<Option<CardEvent>, CardError> {
        if let Some(e) = self.events.pop_front() {
            return Ok(Some(e));
        }
        let switch = self.switch_says_present()?;
        if switch == Some(false) {
            self.atr = None;
            if self.present {
                self.present = false;
                return Ok(Some(CardEvent::Removed));
            }
            return Ok(None);
        }
        if self.present {
            return Ok(None);
        }
        match self.reset() {
            Ok(atr) => {
                self.present = true;
                Ok(Some(CardEvent::Inserted(atr)))
            }
            Err(CardError::NoCard) => Ok(None),
            Err(e) => {
                // A card is in but its ATR is unusable: still a card (E02 above).
                self.present = true;
                Err(e)
            }
        }
    }

    pub fn port_mut(&mut self) -> &mut P {
        &mut self.port
    }
}

impl<P: ReaderPort> CardChannel for Reader<P> {
    fn transmit(&mut self, cmd: &CommandRepr<'_>) -> Result<ResponseRepr, CardError> {
        Reader::transmit(self, cmd)
    }
}
