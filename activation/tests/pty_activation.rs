//! Activation end to end through a real serial line: the box's reader on one side of a pty, the
//! emulated card on the other; authorisations made by `operator-sign`, arriving from a file and
//! in an over-the-air section; the card pulled and put back; the box walked away and back.

mod common;

use std::fs::File;
use std::process::Command;
use std::sync::Arc;

use activation::message::parse_file;
use activation::{Fix, Status};
use common::*;
use smartcard::card_app::{self, ActivationCard, CardState};
use smartcard::emulator::{self, CardControl, EmulatorOptions};
use smartcard::line::{make_raw, PollLine};
use smartcard::reader::{CardEvent, Reader, ReaderConfig};

fn operator_sign(args: &[&str]) -> Vec<u8> {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = Command::new(env!("CARGO_BIN_EXE_operator-sign"))
        .arg("--key")
        .arg(format!("{root}/testdata/TEST-operator-signing.key"))
        .arg("--card-key")
        .arg(format!(
            "{root}/../smartcard/testdata/TEST-card-8100000001.key"
        ))
        .args(args)
        .output()
        .expect("run operator-sign");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn activation_over_a_serial_line() {
    let pty = nix::pty::openpty(None, None).unwrap();
    make_raw(&pty.slave).unwrap();
    let path = nix::unistd::ttyname(&pty.slave).unwrap();
    let control: Arc<CardControl> = CardControl::new();
    let ctl = control.clone();
    let master = File::from(pty.master);
    let card_thread = std::thread::spawn(move || {
        let mut card: ActivationCard = card(CARD_1);
        let mut line = PollLine::new(master);
        emulator::run(
            &mut line,
            &mut card,
            EmulatorOptions {
                echo: true,
                byte_by_byte: false,
            },
            &ctl,
        )
        .unwrap();
        card
    });
    let mut cfg = ReaderConfig::virtual_line(path.to_str().unwrap());
    cfg.echo = true;
    let mut reader = Reader::open(cfg).unwrap();

    let dir = temp_dir("pty");
    let mut stb = open_box(&dir, "HHT-0001");
    assert!(matches!(
        reader.poll_event().unwrap(),
        Some(CardEvent::Inserted(_))
    ));
    assert_eq!(
        stb.card_inserted(&mut reader, NOW).unwrap(),
        Status::NotActivated
    );

    // From a USB stick: a text file made by the operator tool.
    let common = [
        "--box-id",
        "HHT-0001",
        "--card-number",
        "8100000001",
        "--lat",
        "29.652",
        "--lon",
        "91.172",
    ];
    let file = operator_sign(
        &[
            &common[..],
            &[
                "--valid-from",
                "2026-11-01",
                "--valid-until",
                "2027-11-01",
                "--seq",
                "1",
            ],
        ]
        .concat(),
    );
    let messages = parse_file(&file).unwrap();
    assert_eq!(messages.len(), 1);
    assert_eq!(
        stb.import(&messages[0], NOW, Some(&mut reader)).unwrap(),
        Status::Activated
    );
    assert_eq!(
        card_app::get_card_info(&mut reader).unwrap().state,
        CardState::Entitled
    );

    // Over the air: a renewal in a private section.
    let section = operator_sign(
        &[
            &common[..],
            &[
                "--valid-from",
                "2026-11-01",
                "--valid-until",
                "2028-11-01",
                "--seq",
                "2",
                "--format",
                "section",
            ],
        ]
        .concat(),
    );
    let results = stb
        .import_section(&section, NOW, Some(&mut reader))
        .unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!(*results[0].as_ref().unwrap(), Status::Activated);
    assert_eq!(card_app::get_card_info(&mut reader).unwrap().sequence, 2);
    // The broadcast repeats: the same section again is silently ignored.
    assert!(stb
        .import_section(&section, NOW, Some(&mut reader))
        .unwrap()
        .is_empty());

    // The card pulled in the middle of a command, then put back.
    control.pull_during_next_command();
    assert!(card_app::get_card_info(&mut reader).is_err());
    assert_eq!(reader.poll_event().unwrap(), Some(CardEvent::Removed));
    stb.card_removed();
    assert_eq!(stb.status(NOW), Status::NoCard);
    control.insert();
    assert!(matches!(
        reader.poll_event().unwrap(),
        Some(CardEvent::Inserted(_))
    ));
    assert_eq!(
        stb.card_inserted(&mut reader, NOW).unwrap(),
        Status::Activated
    );

    // Walked 2 km away and back.
    let far = Fix::new(29.652 + 0.018, 91.172);
    for _ in 0..3 {
        stb.position(far).unwrap();
    }
    assert_eq!(stb.status(NOW), Status::PositionChanged);
    stb.position(Fix::new(29.6521, 91.1721)).unwrap();
    assert_eq!(stb.status(NOW), Status::Activated);

    control.stop();
    let card = card_thread.join().unwrap();
    assert_eq!(card.memory.highest_sequence, 2);
    let _ = std::fs::remove_dir_all(&dir);
}
