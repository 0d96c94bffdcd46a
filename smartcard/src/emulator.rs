//! The card side of T=0, running a [`CardApplication`] on a byte line: the other end of a pty
//! pair, a unix socket QEMU joins to a guest UART, or a real serial port wired as a card.
//!
//! # Reset on lines without a reset wire
//! A real card is reset by its RST contact (RTS on a Phoenix reader). A pty carries no modem
//! lines (TIOCMGET/TIOCMSET fail on Linux ptys, and `tcsendbreak` on a pty sends nothing the
//! master can see), nor does a QEMU socket chardev. So on such *virtual lines* the reader sends an
//! in-band reset request: at least [`RESET_QUIET`] of silence, then the four bytes
//! [`RESET_REQUEST`] = `FF 52 53 54` ("\xFFRST"). 0xFF is not a valid CLA in a command header
//! (ISO 7816-3 reserves it for PPS), and this sequence is not a valid PPS (its check byte does not
//! XOR to zero), so it cannot be mistaken for a command or a PPS. The emulator drops any half-
//! received command after [`ABANDON_AFTER`] of silence, which is shorter than the quiet time, so
//! the request is always seen at the start of a header. (In inverse convention the raw bytes
//! `FF 52 53 54` would decode as header `00 B5 35 D5`; this card application only knows CLA
//! 0x80, so nothing is lost.)

use std::io;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::apdu::{CommandRepr, ResponseRepr, StatusWord};
use crate::atr::{inverse_byte, Convention};
use crate::card_app::{CardApplication, Direction};
use crate::line::ByteLine;
use crate::t0::{INS_GET_RESPONSE, NULL};

/// In-band reset request on virtual lines.
pub const RESET_REQUEST: [u8; 4] = [0xFF, b'R', b'S', b'T'];
/// Silence the reader keeps before a reset request.
pub const RESET_QUIET: Duration = Duration::from_millis(300);
/// Silence after which the emulator forgets a half-received command.
pub const ABANDON_AFTER: Duration = Duration::from_millis(200);

/// Knobs a test or a demo turns while the emulator runs: card in or out, pull it in the middle of
/// the next command, make it slow.
#[derive(Debug)]
pub struct CardControl {
    inserted: AtomicBool,
    pull_mid_command: AtomicBool,
    null_bytes: AtomicU32,
    null_interval_ms: AtomicU32,
    stop: AtomicBool,
    resets: AtomicU32,
    commands: AtomicU32,
}

impl Default for CardControl {
    fn default() -> Self {
        CardControl {
            inserted: AtomicBool::new(true),
            pull_mid_command: AtomicBool::new(false),
            null_bytes: AtomicU32::new(0),
            null_interval_ms: AtomicU32::new(0),
            stop: AtomicBool::new(false),
            resets: AtomicU32::new(0),
            commands: AtomicU32::new(0),
        }
    }
}

impl CardControl {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }
    pub fn insert(&self) {
        self.inserted.store(true, Ordering::SeqCst);
    }
    pub fn remove(&self) {
        self.inserted.store(false, Ordering::SeqCst);
    }
    pub fn is_inserted(&self) -> bool {
        self.inserted.load(Ordering::SeqCst)
    }
    /// The card is pulled after it has received the header of the next command.
    pub fn pull_during_next_command(&self) {
        self.pull_mid_command.store(true, Ordering::SeqCst);
    }
    /// Before each answer the card sends `count` NULL bytes, `interval` apart.
    pub fn set_null_bytes(&self, count: u32, interval: Duration) {
        self.null_bytes.store(count, Ordering::SeqCst);
        self.null_interval_ms.store(
            interval.as_millis().min(u128::from(u32::MAX)) as u32,
            Ordering::SeqCst,
        );
    }
    /// Ends [`run`] at its next idle moment.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
    }
    pub fn resets(&self) -> u32 {
        self.resets.load(Ordering::SeqCst)
    }
    pub fn commands(&self) -> u32 {
        self.commands.load(Ordering::SeqCst)
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct EmulatorOptions {
    /// Echo every received byte, as the tied TX/RX lines of a Phoenix reader do.
    pub echo: bool,
    /// Transfer data one byte per procedure byte (INS xor 0xFF) instead of all at once (INS).
    pub byte_by_byte: bool,
}

struct Card<'a, L: ByteLine, A: CardApplication> {
    line: &'a mut L,
    app: &'a mut A,
    opts: EmulatorOptions,
    ctl: &'a CardControl,
    inverse: bool,
    powered: bool,
    pending: Vec<u8>,
    after: &'a mut dyn FnMut(&mut A),
}

/// Why a command was cut short.
enum Cut {
    /// The reader went quiet mid-command, or the card was pulled.
    Abandon,
    Io(io::Error),
}

impl From<io::Error> for Cut {
    fn from(e: io::Error) -> Self {
        Cut::Io(e)
    }
}

impl<L: ByteLine, A: CardApplication> Card<'_, L, A> {
    fn conv(&self, b: u8) -> u8 {
        if self.inverse {
            inverse_byte(b)
        } else {
            b
        }
    }

    /// One byte from the reader (echoed if the line echoes), decoded.
    fn recv(&mut self, timeout: Duration) -> io::Result<Option<u8>> {
        let b = self.line.recv(timeout)?;
        if let Some(b) = b {
            if self.opts.echo {
                self.line.send(&[b])?;
            }
        }
        Ok(b.map(|b| self.conv(b)))
    }

    fn send(&mut self, bytes: &[u8]) -> Result<(), Cut> {
        if !self.ctl.is_inserted() {
            return Err(Cut::Abandon);
        }
        let enc: Vec<u8> = bytes.iter().map(|&b| self.conv(b)).collect();
        self.line.send(&enc)?;
        Ok(())
    }

    fn recv_cmd_byte(&mut self) -> Result<u8, Cut> {
        match self.recv(ABANDON_AFTER)? {
            Some(b) => Ok(b),
            None => Err(Cut::Abandon),
        }
    }

    fn nulls(&mut self) -> Result<(), Cut> {
        let n = self.ctl.null_bytes.load(Ordering::SeqCst);
        let gap =
            Duration::from_millis(u64::from(self.ctl.null_interval_ms.load(Ordering::SeqCst)));
        for _ in 0..n {
            std::thread::sleep(gap);
            self.send(&[NULL])?;
        }
        Ok(())
    }

    fn power_up(&mut self) -> io::Result<()> {
        self.ctl.resets.fetch_add(1, Ordering::SeqCst);
        self.pending.clear();
        self.app.reset();
        let atr = self.app.atr();
        self.inverse = atr.convention == Convention::Inverse;
        // The line bytes of an inverse card are already converted by to_line_bytes.
        let bytes = atr
            .to_line_bytes()
            .map_err(|e| io::Error::other(e.to_string()))?;
        self.line.send(&bytes)?;
        self.powered = true;
        Ok(())
    }

    /// Sends data for an outgoing transfer with procedure bytes, then SW.
    fn send_out(&mut self, ins: u8, data: &[u8], sw: StatusWord) -> Result<(), Cut> {
        self.nulls()?;
        if self.opts.byte_by_byte {
            for &b in data {
                self.send(&[ins ^ 0xFF, b])?;
            }
        } else {
            self.send(&[ins])?;
            self.send(data)?;
        }
        self.send(&sw.0.to_be_bytes())
    }

    /// Final answer of a command whose response data waits for GET RESPONSE.
    fn answer(&mut self, r: ResponseRepr) -> Result<(), Cut> {
        self.nulls()?;
        if r.data.is_empty() || !r.status.is_success() {
            return self.send(&r.status.0.to_be_bytes());
        }
        let n = r.data.len().min(256);
        self.pending = r.data;
        self.send(&[0x61, (n & 0xFF) as u8])
    }

    /// Runs the application, then the `after` hook (which saves the memory) before any answer
    /// goes out: like a real card, it writes its EEPROM before it sends the status word.
    fn process(&mut self, cmd: &CommandRepr<'_>) -> ResponseRepr {
        let r = self.app.process(cmd);
        (self.after)(self.app);
        r
    }

    fn command(&mut self, header: [u8; 5]) -> Result<(), Cut> {
        let [cla, ins, p1, p2, p3] = header;
        self.ctl.commands.fetch_add(1, Ordering::SeqCst);
        if self.ctl.pull_mid_command.swap(false, Ordering::SeqCst) {
            self.ctl.remove();
            return Err(Cut::Abandon);
        }
        if ins & 0xF0 == 0x60 || ins & 0xF0 == 0x90 {
            return self.send(&StatusWord::INS_NOT_SUPPORTED.0.to_be_bytes());
        }
        let n = if p3 == 0 { 256 } else { usize::from(p3) };
        if ins == INS_GET_RESPONSE {
            if self.pending.is_empty() {
                return self.send(&StatusWord::CONDITIONS_NOT_SATISFIED.0.to_be_bytes());
            }
            if n > self.pending.len() {
                let avail = self.pending.len().min(256);
                return self.send(&[0x6C, (avail & 0xFF) as u8]);
            }
            let data: Vec<u8> = self.pending.drain(..n).collect();
            let left = self.pending.len();
            let sw = if left == 0 {
                StatusWord::OK
            } else {
                StatusWord(0x6100 | (left.min(256) & 0xFF) as u16)
            };
            return self.send_out(ins, &data, sw);
        }
        self.pending.clear();
        match self.app.direction(cla, ins) {
            Direction::None => {
                let r = self.process(&CommandRepr {
                    cla,
                    ins,
                    p1,
                    p2,
                    data: &[],
                    le: None,
                });
                self.answer(r)
            }
            Direction::In => {
                if p3 == 0 {
                    return self.send(&StatusWord::WRONG_LENGTH.0.to_be_bytes());
                }
                let mut data = Vec::with_capacity(n);
                while data.len() < n {
                    if self.opts.byte_by_byte {
                        self.send(&[ins ^ 0xFF])?;
                        data.push(self.recv_cmd_byte()?);
                    } else {
                        if data.is_empty() {
                            self.send(&[ins])?;
                        }
                        data.push(self.recv_cmd_byte()?);
                    }
                }
                let r = self.process(&CommandRepr {
                    cla,
                    ins,
                    p1,
                    p2,
                    data: &data,
                    le: Some(256),
                });
                self.answer(r)
            }
            Direction::Out => {
                let r = self.process(&CommandRepr {
                    cla,
                    ins,
                    p1,
                    p2,
                    data: &[],
                    le: Some(n as u16),
                });
                if r.status != StatusWord::OK || r.data.is_empty() {
                    self.nulls()?;
                    return self.send(&r.status.0.to_be_bytes());
                }
                if r.data.len() != n {
                    self.nulls()?;
                    let exact = r.data.len().min(256);
                    return self.send(&[0x6C, (exact & 0xFF) as u8]);
                }
                self.send_out(ins, &r.data, StatusWord::OK)
            }
        }
    }

    fn run(&mut self) -> io::Result<()> {
        loop {
            if self.ctl.stop.load(Ordering::SeqCst) {
                return Ok(());
            }
            let first = match self.line.recv(Duration::from_millis(100)) {
                Ok(Some(b)) => b,
                Ok(None) => continue,
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(()),
                Err(e) => return Err(e),
            };
            if self.opts.echo {
                self.line.send(&[first])?;
            }
            // The reset request is sent in direct convention whatever the card's convention. In
            // inverse convention a raw 0xFF is CLA 0x00, so the bytes after it are kept as a
            // header when they turn out not to be the request.
            let mut raw = vec![first];
            let wanted = if first == RESET_REQUEST[0] { 4 } else { 5 };
            while raw.len() < wanted {
                match self.line.recv(ABANDON_AFTER)? {
                    Some(b) => {
                        if self.opts.echo {
                            self.line.send(&[b])?;
                        }
                        raw.push(b);
                    }
                    None => break,
                }
            }
            if raw[..] == RESET_REQUEST {
                self.powered = false;
                if self.ctl.is_inserted() {
                    self.power_up()?;
                }
                continue;
            }
            if !self.ctl.is_inserted() || !self.powered || raw.len() < wanted {
                continue;
            }
            let mut header = [0u8; 5];
            for (slot, &b) in header.iter_mut().zip(raw.iter()) {
                *slot = self.conv(b);
            }
            let mut complete = true;
            for slot in header.iter_mut().skip(raw.len()) {
                match self.recv(ABANDON_AFTER)? {
                    Some(b) => *slot = b,
                    None => {
                        complete = false;
                        break;
                    }
                }
            }
            if !complete {
                continue;
            }
            match self.command(header) {
                Ok(()) | Err(Cut::Abandon) => {}
                Err(Cut::Io(e)) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(()),
                Err(Cut::Io(e)) => return Err(e),
            }
        }
    }
}

/// Runs the card on the line until the line closes or [`CardControl::stop`] is called.
pub fn run<L: ByteLine, A: CardApplication>(
    line: &mut L,
    app: &mut A,
    opts: EmulatorOptions,
    control: &CardControl,
) -> io::Result<()> {
    run_with(line, app, opts, control, &mut |_| {})
}

/// Like [`run`], calling `after` after each command has run and before its answer is sent (the
/// emulator binary saves the card memory there).
pub fn run_with<L: ByteLine, A: CardApplication>(
    line: &mut L,
    app: &mut A,
    opts: EmulatorOptions,
    control: &CardControl,
    after: &mut dyn FnMut(&mut A),
) -> io::Result<()> {
    Card {
        line,
        app,
        opts,
        ctl: control,
        inverse: false,
        powered: false,
        pending: Vec::new(),
        after,
    }
    .run()
}
