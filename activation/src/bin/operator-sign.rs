//! operator-sign: the operator side of activation. Creates a signed authorisation for one card,
//! one box and one registered place.
//!
//! ```text
//! operator-sign --key FILE [--key-id N]
//!     (--household RECORD.json | --box-id ID --card-number N --lat DEG --lon DEG [--radius M])
//!     (--card-pubkey HEX | --card-pubkey-file FILE | --card-key FILE)
//!     --valid-from DATE --valid-until DATE --seq N
//!     [--format text|binary|section] [--out FILE]
//! operator-sign --print-public --key FILE
//! ```
//! DATE is `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SSZ` (UTC) or `@UNIX_SECONDS`. The repository ships
//! TEST keys only (activation/testdata/TEST-*).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use activation::household::HouseholdRecord;
use activation::message::{degrees_to_e7, to_text_file, AuthorisationRepr, BoxId};
use activation::section::{box_group, AuthorisationSectionRepr};
use ed25519_dalek::SigningKey;
use smartcard::keyfile::{parse_hex32, read_key_file, to_hex};

const USAGE: &str = "usage: operator-sign --key FILE [--key-id N] (--household RECORD.json | --box-id ID \
--card-number N --lat DEG --lon DEG [--radius M]) (--card-pubkey HEX | --card-pubkey-file FILE | --card-key FILE) \
--valid-from DATE --valid-until DATE --seq N [--format text|binary|section] [--out FILE]\n       \
operator-sign --print-public --key FILE";

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn parse_date(s: &str) -> Result<i64, String> {
    if let Some(n) = s.strip_prefix('@') {
        return n.parse().map_err(|_| format!("bad time {s}"));
    }
    let bad = || format!("bad date {s}: use YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or @UNIX_SECONDS");
    let (date, time) = match s.split_once('T') {
        Some((d, t)) => (d, Some(t.strip_suffix('Z').ok_or_else(bad)?)),
        None => (s, None),
    };
    let p: Vec<i64> = date
        .split('-')
        .map(|x| x.parse().map_err(|_| bad()))
        .collect::<Result<_, _>>()?;
    if p.len() != 3 || !(1..=12).contains(&p[1]) || !(1..=31).contains(&p[2]) {
        return Err(bad());
    }
    let mut secs = days_from_civil(p[0], p[1], p[2]) * 86_400;
    if let Some(t) = time {
        let q: Vec<i64> = t
            .split(':')
            .map(|x| x.parse().map_err(|_| bad()))
            .collect::<Result<_, _>>()?;
        if q.len() != 3 || q[0] > 23 || q[1] > 59 || q[2] > 60 {
            return Err(bad());
        }
        secs += q[0] * 3600 + q[1] * 60 + q[2];
    }
    Ok(secs)
}

#[derive(Default)]
struct Args {
    key: Option<PathBuf>,
    key_id: u8,
    household: Option<PathBuf>,
    box_id: Option<String>,
    card_number: Option<u64>,
    lat: Option<f64>,
    lon: Option<f64>,
    radius: Option<u32>,
    card_pub: Option<[u8; 32]>,
    valid_from: Option<i64>,
    valid_until: Option<i64>,
    seq: Option<u64>,
    format: String,
    out: Option<PathBuf>,
    print_public: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        format: "text".into(),
        ..Args::default()
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut v = || {
            it.next()
                .ok_or_else(|| format!("{arg} needs a value\n{USAGE}"))
        };
        let num = |s: String, what: &str| {
            s.parse::<f64>()
                .map_err(|_| format!("{what}: a number expected"))
        };
        match arg.as_str() {
            "--key" => a.key = Some(v()?.into()),
            "--key-id" => a.key_id = v()?.parse().map_err(|_| "--key-id: 0..255")?,
            "--household" => a.household = Some(v()?.into()),
            "--box-id" => a.box_id = Some(v()?),
            "--card-number" => {
                a.card_number = Some(v()?.parse().map_err(|_| "--card-number: digits expected")?)
            }
            "--lat" => a.lat = Some(num(v()?, "--lat")?),
            "--lon" => a.lon = Some(num(v()?, "--lon")?),
            "--radius" => a.radius = Some(v()?.parse().map_err(|_| "--radius: metres expected")?),
            "--card-pubkey" => {
                a.card_pub =
                    Some(parse_hex32(&v()?).ok_or("--card-pubkey: 64 hex digits expected")?)
            }
            "--card-pubkey-file" => {
                a.card_pub = Some(read_key_file(&PathBuf::from(v()?)).map_err(|e| e.to_string())?)
            }
            "--card-key" => {
                let seed = read_key_file(&PathBuf::from(v()?)).map_err(|e| e.to_string())?;
                a.card_pub = Some(SigningKey::from_bytes(&seed).verifying_key().to_bytes());
            }
            "--valid-from" => a.valid_from = Some(parse_date(&v()?)?),
            "--valid-until" => a.valid_until = Some(parse_date(&v()?)?),
            "--seq" => a.seq = Some(v()?.parse().map_err(|_| "--seq: a number expected")?),
            "--format" => a.format = v()?,
            "--out" => a.out = Some(v()?.into()),
            "--print-public" => a.print_public = true,
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    Ok(a)
}

fn run() -> Result<(), String> {
    let a = parse_args()?;
    let key_path = a
        .key
        .as_ref()
        .ok_or(format!("--key is required\n{USAGE}"))?;
    let key = SigningKey::from_bytes(&read_key_file(key_path).map_err(|e| e.to_string())?);
    if a.print_public {
        println!("{}", to_hex(&key.verifying_key().to_bytes()));
        return Ok(());
    }
    let card_pub = a
        .card_pub
        .ok_or("one of --card-pubkey, --card-pubkey-file, --card-key is required")?;
    let valid_from = a.valid_from.ok_or("--valid-from is required")?;
    let valid_until = a.valid_until.ok_or("--valid-until is required")?;
    let seq = a.seq.ok_or("--seq is required")?;
    let repr = if let Some(h) = &a.household {
        let text = std::fs::read_to_string(h).map_err(|e| format!("{}: {e}", h.display()))?;
        let mut rec = HouseholdRecord::from_json(&text).map_err(|e| e.to_string())?;
        if let Some(r) = a.radius {
            rec.radius_m = r;
        }
        rec.authorisation(card_pub, valid_from, valid_until, seq, a.key_id)
            .map_err(|e| e.to_string())?
    } else {
        let box_id: BoxId = a
            .box_id
            .as_deref()
            .ok_or("--box-id or --household is required")?
            .parse()
            .map_err(|e| format!("{e}"))?;
        AuthorisationRepr {
            key_id: a.key_id,
            card_number: a.card_number.ok_or("--card-number is required")?,
            card_public_key: card_pub,
            box_id,
            latitude_e7: a
                .lat
                .and_then(degrees_to_e7)
                .ok_or("--lat is required (degrees)")?,
            longitude_e7: a
                .lon
                .and_then(degrees_to_e7)
                .ok_or("--lon is required (degrees)")?,
            radius_m: a.radius.unwrap_or(500),
            valid_from,
            valid_until,
            sequence: seq,
        }
    };
    let msg = repr.emit_signed(&key).map_err(|e| e.to_string())?;
    let out: Vec<u8> = match a.format.as_str() {
        "binary" => msg.to_vec(),
        "text" => to_text_file(
            &msg,
            &format!(
                "authorisation seq {} for box {} card {} at {:.5},{:.5} r={} m, valid {}..{}",
                repr.sequence,
                repr.box_id,
                repr.card_number,
                repr.latitude(),
                repr.longitude(),
                repr.radius_m,
                repr.valid_from,
                repr.valid_until
            ),
        )
        .into_bytes(),
        "section" => AuthorisationSectionRepr {
            group: box_group(&repr.box_id),
            version: (repr.sequence & 0x1F) as u8,
            section_number: 0,
            last_section_number: 0,
            messages: vec![&msg],
        }
        .to_bytes()
        .map_err(|e| e.to_string())?,
        other => return Err(format!("--format {other}: text, binary or section")),
    };
    match &a.out {
        Some(p) => std::fs::write(p, &out).map_err(|e| format!("{}: {e}", p.display()))?,
        None => std::io::stdout()
            .write_all(&out)
            .map_err(|e| e.to_string())?,
    }
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("operator-sign: {e}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(parse_date("1970-01-01").unwrap(), 0);
        assert_eq!(parse_date("2000-03-01T00:00:00Z").unwrap(), 951_868_800);
        assert_eq!(parse_date("@42").unwrap(), 42);
        assert!(parse_date("2000-13-01").is_err());
        assert!(parse_date("2000-01-01T00:00:00").is_err());
    }
}
