//! The `card-emulator` binary as the lead's end-to-end tests use it: on a pty it creates, with its
//! memory in a state file, pulled and reinserted by signals.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use smartcard::card_app::{self, CardState};
use smartcard::reader::{Reader, ReaderConfig};
use smartcard::CardError;

struct Emu(Child);
impl Drop for Emu {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(args: &[&str]) -> (Emu, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_card-emulator"))
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn card-emulator");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let path = line
        .trim()
        .strip_prefix("card-emulator: card on ")
        .expect("pty path printed")
        .to_owned();
    (Emu(child), path)
}

#[test]
fn emulator_binary_on_a_pty_with_signals() {
    let dir = std::env::temp_dir().join(format!("card-emu-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let state = dir.join("card.mem");
    let (emu, path) = start(&[
        "--pty",
        "--card-number",
        "8100000001",
        "--state",
        state.to_str().unwrap(),
    ]);
    let mut reader = Reader::open(ReaderConfig::virtual_line(&path)).unwrap();
    let atr = reader.reset().unwrap();
    assert_eq!(atr.historical, card_app::HISTORICAL_BYTES);
    let info = card_app::get_card_info(&mut reader).unwrap();
    assert_eq!(
        (info.card_number, info.state),
        (8_100_000_001, CardState::Blank)
    );

    let pid = Pid::from_raw(emu.0.id() as i32);
    kill(pid, Signal::SIGUSR1).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert!(matches!(reader.reset(), Err(CardError::NoCard)));
    kill(pid, Signal::SIGUSR2).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(200));
    reader.reset().expect("card back after SIGUSR2");
    drop(emu);
    let _ = std::fs::remove_dir_all(&dir);
}

fn test_authorisation(seq: u64) -> [u8; 160] {
    use ed25519_dalek::SigningKey;
    use smartcard::authorisation::AuthorisationRepr;
    use smartcard::keyfile::parse_hex32;
    let operator = SigningKey::from_bytes(
        &parse_hex32(include_str!(
            "../../activation/testdata/TEST-operator-signing.key"
        ))
        .unwrap(),
    );
    let card = SigningKey::from_bytes(
        &parse_hex32(include_str!("../testdata/TEST-card-8100000001.key")).unwrap(),
    );
    AuthorisationRepr {
        key_id: 0,
        card_number: 8_100_000_001,
        card_public_key: card.verifying_key().to_bytes(),
        box_id: "HHT-0001".parse().unwrap(),
        latitude_e7: 296_520_000,
        longitude_e7: 911_720_000,
        radius_m: 500,
        valid_from: 1_790_000_000,
        valid_until: 1_820_000_000,
        sequence: seq,
    }
    .emit_signed(&operator)
    .unwrap()
}

/// QEMU joins a guest UART to a unix socket: the emulator connects to it. The card memory
/// survives a restart of the emulator through its state file.
#[test]
fn emulator_binary_on_a_unix_socket_keeps_its_memory() {
    use smartcard::line::PollLine;
    use std::os::unix::net::UnixListener;
    let dir = std::env::temp_dir().join(format!("card-emu-sock-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let sock = dir.join("card.sock");
    let state = dir.join("card.mem");
    let listener = UnixListener::bind(&sock).unwrap();
    for round in 0..2 {
        let child = Command::new(env!("CARGO_BIN_EXE_card-emulator"))
            .args([
                "--socket",
                sock.to_str().unwrap(),
                "--once",
                "--state",
                state.to_str().unwrap(),
            ])
            .spawn()
            .unwrap();
        let _emu = Emu(child);
        let (stream, _) = listener.accept().unwrap();
        let mut reader = Reader::new(PollLine::new(stream), ReaderConfig::virtual_line("socket"));
        reader.reset().unwrap();
        let info = card_app::get_card_info(&mut reader).unwrap();
        if round == 0 {
            assert_eq!(info.state, CardState::Blank);
            card_app::install_authorisation(&mut reader, &test_authorisation(3)).unwrap();
        } else {
            assert_eq!(
                (info.state, info.sequence),
                (CardState::Entitled, 3),
                "memory kept across restarts"
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
