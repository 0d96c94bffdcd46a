//! Reader and card emulator over a real pseudo-terminal pair: the reader opens the slave with
//! `serialport` like a serial device, the emulated card answers on the master.

use std::fs::File;
use std::os::fd::OwnedFd;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Instant;

use ed25519_dalek::SigningKey;
use smartcard::apdu::{CommandRepr, StatusWord};
use smartcard::atr::Convention;
use smartcard::authorisation::AuthorisationRepr;
use smartcard::card_app::{self, ActivationCard, CardMemory, CardState};
use smartcard::emulator::{self, CardControl, EmulatorOptions};
use smartcard::line::{make_raw, PollLine};
use smartcard::reader::{CardEvent, Reader, ReaderConfig, SerialFd};
use smartcard::CardError;

struct Bench {
    reader: Reader<PollLine<SerialFd>>,
    control: Arc<CardControl>,
    card: Option<JoinHandle<ActivationCard>>,
    _slave: OwnedFd,
    operator: SigningKey,
}

impl Bench {
    fn new(opts: EmulatorOptions, convention: Convention, reader_echo: bool) -> Bench {
        let pty = nix::pty::openpty(None, None).expect("openpty");
        // Keep a slave descriptor open so the master never sees a hang-up between reopenings.
        make_raw(&pty.slave).unwrap();
        let path = nix::unistd::ttyname(&pty.slave).unwrap();
        let operator = SigningKey::from_bytes(&[0x11; 32]);
        let mut card = ActivationCard::new(CardMemory::new(
            8_100_200_300,
            [0x22; 32],
            operator.verifying_key().to_bytes(),
        ));
        card.convention = convention;
        let control = CardControl::new();
        let ctl = control.clone();
        let master = File::from(pty.master);
        let handle = std::thread::spawn(move || {
            let mut line = PollLine::new(master);
            emulator::run(&mut line, &mut card, opts, &ctl).expect("emulator");
            card
        });
        let mut cfg = ReaderConfig::virtual_line(path.to_str().unwrap());
        cfg.echo = reader_echo;
        let reader = Reader::open(cfg).expect("open pty slave as a serial port");
        Bench {
            reader,
            control,
            card: Some(handle),
            _slave: pty.slave,
            operator,
        }
    }

    fn authorisation(&self, seq: u64) -> [u8; 160] {
        let card_key = SigningKey::from_bytes(&[0x22; 32])
            .verifying_key()
            .to_bytes();
        AuthorisationRepr {
            key_id: 0,
            card_number: 8_100_200_300,
            card_public_key: card_key,
            box_id: "HHT-PTY-1".parse().unwrap(),
            latitude_e7: 296_500_000,
            longitude_e7: 910_000_000,
            radius_m: 300,
            valid_from: 1_700_000_000,
            valid_until: 1_900_000_000,
            sequence: seq,
        }
        .emit_signed(&self.operator)
        .unwrap()
    }
}

impl Drop for Bench {
    fn drop(&mut self) {
        self.control.stop();
        if let Some(h) = self.card.take() {
            let _ = h.join();
        }
    }
}

/// The whole card application through T=0: 6Cxx on GET CARD INFO and READ ENTITLEMENT (asked with
/// Le=256), case 3 INSTALL, case 4 INTERNAL AUTHENTICATE through 61xx and GET RESPONSE.
fn full_session(b: &mut Bench) {
    let atr = b.reader.reset().expect("ATR");
    assert_eq!(atr.historical, card_app::HISTORICAL_BYTES);
    assert_eq!(atr.protocols(), vec![0]);
    let before = b.control.commands();
    let info = card_app::get_card_info(&mut b.reader).expect("GET CARD INFO");
    assert_eq!(
        b.control.commands() - before,
        2,
        "Le=256 answered with 6C32, then sent again with P3=0x32"
    );
    assert_eq!(info.card_number, 8_100_200_300);
    assert_eq!(info.state, CardState::Blank);
    assert_eq!(card_app::read_entitlement(&mut b.reader).unwrap(), None);
    let msg = b.authorisation(1);
    card_app::install_authorisation(&mut b.reader, &msg).expect("INSTALL");
    assert_eq!(
        card_app::read_entitlement(&mut b.reader)
            .unwrap()
            .as_deref(),
        Some(&msg[..])
    );
    let nonce = [0x5A; 32];
    let before = b.control.commands();
    let sig = card_app::internal_authenticate(&mut b.reader, &nonce).expect("AUTHENTICATE");
    assert_eq!(
        b.control.commands() - before,
        2,
        "case 4: 6140, then GET RESPONSE"
    );
    assert!(card_app::verify_card_signature(
        &info.public_key,
        8_100_200_300,
        &"HHT-PTY-1".parse().unwrap(),
        1,
        &nonce,
        &sig
    ));
    // Unknown instruction and class come back as status words, not errors of the transport.
    let r = b
        .reader
        .transmit(&CommandRepr {
            cla: 0x80,
            ins: 0x42,
            p1: 0,
            p2: 0,
            data: &[],
            le: None,
        })
        .unwrap();
    assert_eq!(r.status, StatusWord::INS_NOT_SUPPORTED);
    let r = b
        .reader
        .transmit(&CommandRepr {
            cla: 0x00,
            ins: 0x10,
            p1: 0,
            p2: 0,
            data: &[],
            le: Some(50),
        })
        .unwrap();
    assert_eq!(r.status, StatusWord::CLA_NOT_SUPPORTED);
}

#[test]
fn atr_and_t0_commands_over_a_pty() {
    let mut b = Bench::new(EmulatorOptions::default(), Convention::Direct, false);
    full_session(&mut b);
}

#[test]
fn byte_by_byte_procedure_bytes_and_echoing_reader() {
    // ~INS for every byte, and a Phoenix-style line that echoes what the reader sends.
    let opts = EmulatorOptions {
        echo: true,
        byte_by_byte: true,
    };
    let mut b = Bench::new(opts, Convention::Direct, true);
    full_session(&mut b);
}

#[test]
fn inverse_convention_card() {
    let mut b = Bench::new(EmulatorOptions::default(), Convention::Inverse, false);
    let atr = b.reader.reset().unwrap();
    assert_eq!(atr.convention, Convention::Inverse);
    full_session(&mut b);
}

#[test]
fn null_bytes_extend_the_work_waiting_time() {
    let mut b = Bench::new(EmulatorOptions::default(), Convention::Direct, false);
    b.reader.reset().unwrap();
    let wwt = b.reader.work_waiting_time();
    // Five NULLs each 60% of WWT apart: the answer comes well after one WWT.
    b.control.set_null_bytes(5, wwt * 6 / 10);
    let t = Instant::now();
    let info = card_app::get_card_info(&mut b.reader).expect("card asked for more time with NULL");
    assert!(t.elapsed() > wwt, "the answer came after more than one WWT");
    assert_eq!(info.card_number, 8_100_200_300);
}

#[test]
fn card_pulled_mid_command_then_reinserted() {
    let mut b = Bench::new(EmulatorOptions::default(), Convention::Direct, false);
    assert!(matches!(
        b.reader.poll_event().unwrap(),
        Some(CardEvent::Inserted(_))
    ));
    card_app::get_card_info(&mut b.reader).unwrap();
    b.control.pull_during_next_command();
    let msg = b.authorisation(1);
    let err = card_app::install_authorisation(&mut b.reader, &msg).unwrap_err();
    assert!(matches!(err, CardError::CardRemoved), "{err:?}");
    assert_eq!(b.reader.poll_event().unwrap(), Some(CardEvent::Removed));
    assert!(matches!(b.reader.reset(), Err(CardError::NoCard)));
    assert_eq!(
        b.reader.poll_event().unwrap(),
        None,
        "an empty reader stays empty"
    );
    b.control.insert();
    assert!(matches!(
        b.reader.poll_event().unwrap(),
        Some(CardEvent::Inserted(_))
    ));
    // The card never got the authorisation: the interrupted command changed nothing.
    assert_eq!(
        card_app::get_card_info(&mut b.reader).unwrap().state,
        CardState::Blank
    );
    card_app::install_authorisation(&mut b.reader, &msg).unwrap();
    assert_eq!(
        card_app::get_card_info(&mut b.reader).unwrap().state,
        CardState::Entitled
    );
}

#[test]
fn empty_reader_reports_no_card() {
    let mut b = Bench::new(EmulatorOptions::default(), Convention::Direct, false);
    b.control.remove();
    assert!(matches!(b.reader.reset(), Err(CardError::NoCard)));
    assert!(matches!(
        card_app::get_card_info(&mut b.reader),
        Err(CardError::NoCard)
    ));
}

/// Why virtual lines use the in-band reset: a pty has no modem lines at all.
#[test]
fn a_pty_has_no_modem_lines() {
    let pty = nix::pty::openpty(None, None).unwrap();
    let path = nix::unistd::ttyname(&pty.slave).unwrap();
    let mut cfg = ReaderConfig::phoenix(path.to_str().unwrap());
    cfg.echo = false;
    let mut reader = Reader::open(cfg).unwrap();
    assert!(
        reader.switch_says_present().is_err(),
        "TIOCMGET on a pty fails"
    );
    assert!(
        reader.reset().is_err(),
        "no RTS to reset with, no card-detect to read"
    );
}
