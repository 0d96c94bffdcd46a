//! The reader side of the character protocol T=0, ISO/IEC 7816-3:2006 clause 10 and 12.2.
//!
//! A command APDU becomes a 5-byte header CLA INS P1 P2 P3 followed by procedure bytes from the
//! card: INS (transfer all remaining data), INS xor 0xFF (transfer one byte), NULL 0x60 (wait
//! some more), or SW1 SW2. `61xx` is answered with GET RESPONSE, `6Cxx` by sending the same
//! command again with P3 = xx.
//!
//! On a Phoenix/Smartmouse reader the TX and RX lines are tied to the card's single I/O line, so
//! every byte the reader sends comes back on its own input: with `echo` set the transport reads
//! each of them back and checks it before listening to the card.

use std::io;
use std::time::{Duration, Instant};

use crate::apdu::{Case, CommandRepr, ResponseRepr, StatusWord};
use crate::line::ByteLine;

/// GET RESPONSE instruction (ISO 7816-4 11.6.1).
pub const INS_GET_RESPONSE: u8 = 0xC0;
/// NULL procedure byte: the card asks for more time.
pub const NULL: u8 = 0x60;

#[derive(Debug, thiserror::Error)]
pub enum T0Error {
    #[error("line error: {0}")]
    Io(#[from] io::Error),
    #[error("the card did not answer within the work waiting time")]
    Mute,
    #[error("the card kept the line busy with NULL bytes for too long")]
    Busy,
    #[error("T=0 protocol error: {0}")]
    Protocol(&'static str),
    #[error("the echo of a sent byte was wrong or missing")]
    Echo,
    #[error("command cannot be sent over T=0: {0}")]
    Command(&'static str),
}

#[derive(Debug, Clone, Copy)]
pub struct T0Config {
    /// Work waiting time: the longest gap allowed before any byte from the card.
    pub wwt: Duration,
    /// The line echoes every sent byte (Phoenix readers).
    pub echo: bool,
    /// A command, NULL bytes included, is abandoned after this long.
    pub max_command_time: Duration,
    /// CLA used for GET RESPONSE; `None` reuses the CLA of the command.
    pub get_response_cla: Option<u8>,
}

impl Default for T0Config {
    fn default() -> Self {
        T0Config {
            wwt: Duration::from_secs(1),
            echo: false,
            max_command_time: Duration::from_secs(30),
            get_response_cla: None,
        }
    }
}

/// T=0 transport over a byte line.
pub struct T0<L> {
    line: L,
    config: T0Config,
}

/// Outcome of one TPDU: data received and the status word.
type Tpdu = (Vec<u8>, StatusWord);

impl<L: ByteLine> T0<L> {
    pub fn new(line: L, config: T0Config) -> Self {
        T0 { line, config }
    }
    pub fn config(&self) -> &T0Config {
        &self.config
    }
    pub fn config_mut(&mut self) -> &mut T0Config {
        &mut self.config
    }
    pub fn line_mut(&mut self) -> &mut L {
        &mut self.line
    }
    pub fn into_line(self) -> L {
        self.line
    }

    fn send(&mut self, bytes: &[u8]) -> Result<(), T0Error> {
        self.line.send(bytes)?;
        if self.config.echo {
            for &b in bytes {
                match self.line.recv(self.config.wwt)? {
                    Some(e) if e == b => {}
                    _ => return Err(T0Error::Echo),
                }
            }
        }
        Ok(())
    }

    fn recv(&mut self) -> Result<u8, T0Error> {
        self.line.recv(self.config.wwt)?.ok_or(T0Error::Mute)
    }

    /// One header plus its procedure bytes: sends `out`, or receives up to `n_in` bytes.
    fn tpdu(&mut self, header: [u8; 5], out: &[u8], n_in: usize) -> Result<Tpdu, T0Error> {
        let ins = header[1];
        let started = Instant::now();
        self.send(&header)?;
        let mut sent = 0;
        let mut data = Vec::with_capacity(n_in);
        loop {
            let pb = self.recv()?;
            if pb == NULL {
                if started.elapsed() > self.config.max_command_time {
                    return Err(T0Error::Busy);
                }
                continue;
            }
            if StatusWord::is_valid_sw1(pb) {
                let sw2 = self.recv()?;
                return Ok((data, StatusWord(u16::from_be_bytes([pb, sw2]))));
            }
            let all = if pb == ins {
                true
            } else if pb == ins ^ 0xFF {
                false
            } else {
                return Err(T0Error::Protocol("unexpected procedure byte"));
            };
            if sent < out.len() {
                let end = if all { out.len() } else { sent + 1 };
                let chunk = out[sent..end].to_vec();
                self.send(&chunk)?;
                sent = end;
            } else if data.len() < n_in {
                let want = if all { n_in - data.len() } else { 1 };
                for _ in 0..want {
                    let b = self.recv()?;
                    data.push(b);
                }
            } else {
                return Err(T0Error::Protocol("ACK with nothing left to transfer"));
            }
        }
    }

    /// Sends a command APDU and returns the card's response, running GET RESPONSE and the Le
    /// correction as the card asks.
    pub fn transmit(&mut self, cmd: &CommandRepr<'_>) -> Result<ResponseRepr, T0Error> {
        if cmd.data.len() > 255 {
            return Err(T0Error::Command("more than 255 bytes of command data"));
        }
        let case = cmd.case();
        let ne = usize::from(cmd.le.unwrap_or(0));
        let head = |p3: usize| [cmd.cla, cmd.ins, cmd.p1, cmd.p2, (p3 & 0xFF) as u8];
        let (mut data, mut sw) = match case {
            Case::Case1 => self.tpdu(head(0), &[], 0)?,
            Case::Case2 => {
                let mut p3 = ne;
                let mut attempt = 0;
                loop {
                    let (d, sw) = self.tpdu(head(p3), &[], p3)?;
                    if sw.sw1() == 0x6C && attempt < 2 {
                        p3 = if sw.sw2() == 0 {
                            256
                        } else {
                            usize::from(sw.sw2())
                        };
                        attempt += 1;
                        continue;
                    }
                    break (d, sw);
                }
            }
            Case::Case3 | Case::Case4 => self.tpdu(head(cmd.data.len()), cmd.data, 0)?,
        };
        // GET RESPONSE while the card has more and the caller wants more.
        let mut rounds = 0;
        while sw.sw1() == 0x61 && cmd.le.is_some() && data.len() < ne && rounds < 64 {
            rounds += 1;
            let avail = if sw.sw2() == 0 {
                256
            } else {
                usize::from(sw.sw2())
            };
            let mut want = avail.min(ne - data.len());
            let cla = self.config.get_response_cla.unwrap_or(cmd.cla);
            let (d, s) = loop {
                let (d, s) = self.tpdu(
                    [cla, INS_GET_RESPONSE, 0, 0, (want & 0xFF) as u8],
                    &[],
                    want,
                )?;
                if s.sw1() == 0x6C && want != usize::from(s.sw2()) {
                    want = if s.sw2() == 0 {
                        256
                    } else {
                        usize::from(s.sw2())
                    };
                    continue;
                }
                break (d, s);
            };
            data.extend_from_slice(&d);
            sw = s;
        }
        Ok(ResponseRepr::new(data, sw))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;

    /// A card that answers each header with a scripted byte string and records what it got.
    struct Scripted {
        answers: VecDeque<Vec<u8>>,
        out: VecDeque<u8>,
        got: Vec<u8>,
    }
    impl ByteLine for Scripted {
        fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
            self.got.extend_from_slice(bytes);
            if bytes.len() == 5 {
                if let Some(a) = self.answers.pop_front() {
                    self.out.extend(a);
                }
            }
            Ok(())
        }
        fn recv(&mut self, _: Duration) -> io::Result<Option<u8>> {
            Ok(self.out.pop_front())
        }
    }

    fn t0(answers: &[&[u8]]) -> T0<Scripted> {
        let line = Scripted {
            answers: answers.iter().map(|a| a.to_vec()).collect(),
            out: VecDeque::new(),
            got: vec![],
        };
        T0::new(line, T0Config::default())
    }

    #[test]
    fn le_correction_and_get_response_headers() {
        // Case 2 with Le=256: 6C03, then INS + 3 bytes + 9000.
        let mut t = t0(&[&[0x6C, 0x03], &[0x10, 1, 2, 3, 0x90, 0x00]]);
        let r = t
            .transmit(&CommandRepr {
                cla: 0x80,
                ins: 0x10,
                p1: 0,
                p2: 0,
                data: &[],
                le: Some(256),
            })
            .unwrap();
        assert_eq!((r.data, r.status), (vec![1, 2, 3], StatusWord::OK));
        assert_eq!(t.line.got, [0x80, 0x10, 0, 0, 0x00, 0x80, 0x10, 0, 0, 0x03]);
        // Case 4: NULL, ACK, data, 6102, GET RESPONSE with P3=2.
        let mut t = t0(&[&[0x60, 0x88, 0x61, 0x02], &[0xC0, 9, 8, 0x90, 0x00]]);
        let r = t
            .transmit(&CommandRepr {
                cla: 0x80,
                ins: 0x88,
                p1: 0,
                p2: 0,
                data: &[7],
                le: Some(64),
            })
            .unwrap();
        assert_eq!((r.data, r.status), (vec![9, 8], StatusWord::OK));
        assert_eq!(t.line.got, [0x80, 0x88, 0, 0, 1, 7, 0x80, 0xC0, 0, 0, 2]);
    }

    #[test]
    fn bad_procedure_bytes_are_protocol_errors() {
        let mut t = t0(&[&[0x42]]);
        let e = t
            .transmit(&CommandRepr {
                cla: 0x80,
                ins: 0x10,
                p1: 0,
                p2: 0,
                data: &[],
                le: Some(3),
            })
            .unwrap_err();
        assert!(matches!(e, T0Error::Protocol(_)), "{e:?}");
        let mut t = t0(&[&[]]);
        let e = t
            .transmit(&CommandRepr {
                cla: 0x80,
                ins: 0x10,
                p1: 0,
                p2: 0,
                data: &[],
                le: Some(3),
            })
            .unwrap_err();
        assert!(matches!(e, T0Error::Mute));
        // Echo expected but the line does not echo.
        let mut t = t0(&[&[0x90, 0x00]]);
        t.config_mut().echo = true;
        let e = t
            .transmit(&CommandRepr {
                cla: 0x80,
                ins: 0x10,
                p1: 0,
                p2: 0,
                data: &[],
                le: None,
            })
            .unwrap_err();
        assert!(matches!(e, T0Error::Echo), "{e:?}");
    }
}
