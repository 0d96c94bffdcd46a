//! card-emulator: the activation card application in software, speaking T=0 on a serial line.
//!
//! ```text
//! card-emulator [--pty | --device PATH | --socket PATH] [--card-number N] [--card-key FILE]
//!               [--operator-pubkey FILE] [--state FILE] [--echo] [--byte-by-byte] [--inverse]
//!               [--nulls N] [--null-interval-ms MS] [--once]
//! ```
//! `--pty` (the default) creates a pseudo-terminal and prints `card-emulator: card on /dev/pts/N`;
//! point the reader (`ReaderConfig::virtual_line`) at that path. `--socket` connects to a unix
//! stream socket (a QEMU `-chardev socket,server=on`), reconnecting unless `--once`.
//! SIGUSR1 pulls the card out, SIGUSR2 puts it back. Reset on these lines is the in-band request
//! of docs/activation-protocol.md.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use nix::sys::signal::{SigSet, Signal};
use smartcard::atr::Convention;
use smartcard::card_app::{ActivationCard, CardMemory};
use smartcard::emulator::{self, CardControl, EmulatorOptions};
use smartcard::keyfile::{parse_hex32, read_key_file};
use smartcard::line::{make_raw, PollLine};

/// Public key of the TEST operator key in activation/testdata (never a production key).
const TEST_OPERATOR_PUBLIC: &str = include_str!("../../testdata/TEST-operator.pub");
const DEFAULT_CARD_KEY: &str = include_str!("../../testdata/TEST-card-8100000001.key");

enum Where {
    Pty,
    Device(PathBuf),
    Socket(PathBuf),
}

struct Args {
    place: Where,
    card_number: u64,
    card_key: Option<PathBuf>,
    operator_pubkey: Option<PathBuf>,
    state: Option<PathBuf>,
    opts: EmulatorOptions,
    inverse: bool,
    nulls: u32,
    null_interval_ms: u64,
    once: bool,
}

const USAGE: &str =
    "usage: card-emulator [--pty | --device PATH | --socket PATH] [--card-number N] \
[--card-key FILE] [--operator-pubkey FILE] [--state FILE] [--echo] [--byte-by-byte] [--inverse] \
[--nulls N] [--null-interval-ms MS] [--once]";

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        place: Where::Pty,
        card_number: 8_100_000_001,
        card_key: None,
        operator_pubkey: None,
        state: None,
        opts: EmulatorOptions::default(),
        inverse: false,
        nulls: 0,
        null_interval_ms: 100,
        once: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut val = |name: &str| {
            it.next()
                .ok_or_else(|| format!("{name} needs a value\n{USAGE}"))
        };
        match arg.as_str() {
            "--pty" => a.place = Where::Pty,
            "--device" => a.place = Where::Device(val("--device")?.into()),
            "--socket" => a.place = Where::Socket(val("--socket")?.into()),
            "--card-number" => {
                a.card_number = val("--card-number")?
                    .parse()
                    .map_err(|_| "--card-number: digits expected")?
            }
            "--card-key" => a.card_key = Some(val("--card-key")?.into()),
            "--operator-pubkey" => a.operator_pubkey = Some(val("--operator-pubkey")?.into()),
            "--state" => a.state = Some(val("--state")?.into()),
            "--echo" => a.opts.echo = true,
            "--byte-by-byte" => a.opts.byte_by_byte = true,
            "--inverse" => a.inverse = true,
            "--nulls" => {
                a.nulls = val("--nulls")?
                    .parse()
                    .map_err(|_| "--nulls: a number expected")?
            }
            "--null-interval-ms" => {
                a.null_interval_ms = val("--null-interval-ms")?
                    .parse()
                    .map_err(|_| "--null-interval-ms: a number")?
            }
            "--once" => a.once = true,
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    Ok(a)
}

/// Saves the card memory atomically: a half-written memory image would be a dead card.
fn save(path: &Path, card: &ActivationCard) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    {
        let mut f = File::create(&tmp)?;
        f.write_all(&card.memory.to_bytes())?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        File::open(dir)?.sync_all()?;
    }
    Ok(())
}

fn load_card(a: &Args) -> Result<ActivationCard, String> {
    if let Some(state) = &a.state {
        if let Ok(bytes) = std::fs::read(state) {
            let memory = CardMemory::from_bytes(&bytes)
                .ok_or_else(|| format!("{}: not a card memory image", state.display()))?;
            return Ok(ActivationCard::new(memory));
        }
    }
    let secret = match &a.card_key {
        Some(p) => read_key_file(p).map_err(|e| e.to_string())?,
        None => parse_hex32(DEFAULT_CARD_KEY).ok_or("built-in test card key broken")?,
    };
    let operator = match &a.operator_pubkey {
        Some(p) => read_key_file(p).map_err(|e| e.to_string())?,
        None => parse_hex32(TEST_OPERATOR_PUBLIC).ok_or("built-in test operator key broken")?,
    };
    Ok(ActivationCard::new(CardMemory::new(
        a.card_number,
        secret,
        operator,
    )))
}

fn serve<F: std::io::Read + std::io::Write + std::os::fd::AsFd>(
    file: F,
    card: &mut ActivationCard,
    a: &Args,
    control: &CardControl,
) -> std::io::Result<()> {
    let mut line = PollLine::new(file);
    let state = a.state.clone();
    emulator::run_with(
        &mut line,
        card,
        a.opts,
        control,
        &mut |card: &mut ActivationCard| {
            if card.dirty {
                card.dirty = false;
                if let Some(p) = &state {
                    if let Err(e) = save(p, card) {
                        eprintln!(
                            "card-emulator: cannot save card memory to {}: {e}",
                            p.display()
                        );
                    }
                }
            }
        },
    )
}

fn main() -> ExitCode {
    let a = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let mut card = match load_card(&a) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("card-emulator: {e}");
            return ExitCode::FAILURE;
        }
    };
    if a.inverse {
        card.convention = Convention::Inverse;
    }
    let control = CardControl::new();
    control.set_null_bytes(a.nulls, Duration::from_millis(a.null_interval_ms));

    // SIGUSR1 / SIGUSR2 pull and insert the card; handled by a thread in sigwait.
    let mut set = SigSet::empty();
    set.add(Signal::SIGUSR1);
    set.add(Signal::SIGUSR2);
    if let Err(e) = set.thread_block() {
        eprintln!("card-emulator: cannot block signals: {e}");
    }
    let ctl: Arc<CardControl> = control.clone();
    std::thread::spawn(move || loop {
        match set.wait() {
            Ok(Signal::SIGUSR1) => {
                ctl.remove();
                eprintln!("card-emulator: card removed");
            }
            Ok(Signal::SIGUSR2) => {
                ctl.insert();
                eprintln!("card-emulator: card inserted");
            }
            _ => {}
        }
    });

    let result = match &a.place {
        Where::Pty => {
            let pty = match nix::pty::openpty(None, None) {
                Ok(p) => p,
                Err(e) => {
                    eprintln!("card-emulator: cannot create a pty: {e}");
                    return ExitCode::FAILURE;
                }
            };
            let _ = make_raw(&pty.slave);
            match nix::unistd::ttyname(&pty.slave) {
                Ok(p) => println!("card-emulator: card on {}", p.display()),
                Err(e) => eprintln!("card-emulator: pty has no name: {e}"),
            }
            let _ = std::io::stdout().flush();
            // Keeping the slave open lets readers come and go without a hang-up.
            let _slave = pty.slave;
            serve(File::from(pty.master), &mut card, &a, &control)
        }
        Where::Device(path) => {
            match OpenOptions::new()
                .read(true)
                .write(true)
                .custom_flags(nix::libc::O_NOCTTY)
                .open(path)
            {
                Ok(f) => {
                    let _ = make_raw(&f);
                    eprintln!("card-emulator: card on {}", path.display());
                    serve(f, &mut card, &a, &control)
                }
                Err(e) => Err(e),
            }
        }
        Where::Socket(path) => loop {
            match UnixStream::connect(path) {
                Ok(s) => {
                    eprintln!("card-emulator: card on socket {}", path.display());
                    let r = serve(s, &mut card, &a, &control);
                    if a.once || r.is_err() {
                        break r;
                    }
                }
                Err(e) if a.once => break Err(e),
                Err(_) => std::thread::sleep(Duration::from_millis(200)),
            }
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("card-emulator: {e}");
            ExitCode::FAILURE
        }
    }
}
