//! The channel database: what scans found, and what the household made of it (numbers, favourites, locks, own
//! names). SQLite (bundled) in WAL mode with full synchronisation: every change is one transaction, so a power cut
//! at any instant leaves the old list or the new one, never a broken or empty one.

pub mod dvbv5;

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;

use crate::lnb::Polarisation;
use crate::scan::{FoundService, ServiceKind, TransponderScan};
use crate::tuner::{Fec, Modulation, Rolloff, System, Transponder};

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("channel database {path}: {source}")]
    Sqlite {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("channel database {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("channel database {path} is damaged ({detail}); the previous list could not be read")]
    Damaged { path: PathBuf, detail: String },
    #[error("channel database {path} was written by a newer version (schema {found}, this program knows {known})")]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
}

/// The schema versions this program knows, applied in order (`PRAGMA user_version` says how far a file is).
const MIGRATIONS: &[&str] = &[
    // 1: transponders, services with the household's own data beside what the scan found, settings.
    "CREATE TABLE transponder (
        id INTEGER PRIMARY KEY,
        satellite TEXT NOT NULL,
        frequency_khz INTEGER NOT NULL,
        polarisation TEXT NOT NULL,
        symbol_rate INTEGER NOT NULL,
        system TEXT NOT NULL,
        tsid INTEGER,
        onid INTEGER,
        UNIQUE (satellite, frequency_khz, polarisation)
    );
    CREATE TABLE service (
        id INTEGER PRIMARY KEY,
        onid INTEGER NOT NULL,
        tsid INTEGER NOT NULL,
        service_id INTEGER NOT NULL,
        transponder_id INTEGER NOT NULL REFERENCES transponder(id),
        name TEXT NOT NULL,
        provider TEXT NOT NULL,
        service_type INTEGER NOT NULL,
        kind TEXT NOT NULL,
        scrambled INTEGER NOT NULL,
        ca_system_ids TEXT NOT NULL,
        pmt_pid INTEGER NOT NULL,
        pcr_pid INTEGER,
        video_pid INTEGER,
        video_codec TEXT,
        audio TEXT NOT NULL,
        lcn INTEGER,
        vanished INTEGER NOT NULL DEFAULT 0,
        number INTEGER NOT NULL,
        favourite INTEGER NOT NULL DEFAULT 0,
        locked INTEGER NOT NULL DEFAULT 0,
        user_name TEXT,
        UNIQUE (onid, tsid, service_id)
    );
    CREATE TABLE setting (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
    // 2: the DVB-S2 parameters a transponder locked with, so every zap tunes it as the scan did.
    "ALTER TABLE transponder ADD COLUMN modulation TEXT NOT NULL DEFAULT 'auto';
    ALTER TABLE transponder ADD COLUMN fec TEXT NOT NULL DEFAULT 'auto';
    ALTER TABLE transponder ADD COLUMN rolloff TEXT NOT NULL DEFAULT 'auto';",
];

/// A channel as the box lists it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Channel {
    pub number: u32,
    /// The household's own name if they gave one, else the broadcast name.
    pub name: String,
    pub broadcast_name: String,
    pub provider: String,
    pub kind: ServiceKind,
    pub scrambled: bool,
    pub ca_system_ids: Vec<u16>,
    pub favourite: bool,
    pub locked: bool,
    /// Not found by the last scan of its transponder: kept, marked, never silently dropped.
    pub vanished: bool,
    pub service_id: u16,
    pub tsid: u16,
    pub onid: u16,
    pub pmt_pid: u16,
    pub pcr_pid: Option<u16>,
    pub video_pid: Option<u16>,
    pub video_codec: Option<String>,
    pub audio: Vec<AudioTrack>,
    pub satellite: String,
    pub frequency_khz: u32,
    pub polarisation: Polarisation,
    pub symbol_rate: u32,
    pub system: String,
    /// "QPSK", "8PSK" ... or "auto" (left to the demodulator).
    pub modulation: String,
    /// "3/4" ... or "auto".
    pub fec: String,
    /// "0.35", "0.25", "0.20" or "auto".
    pub rolloff: String,
}

impl Channel {
    /// How to tune this channel's transponder: as the scan that found it locked it.
    pub fn transponder(&self) -> Transponder {
        let system = self.system.parse().unwrap_or(System::DvbS);
        let mut t = match system {
            System::DvbS => {
                Transponder::dvbs(self.frequency_khz, self.polarisation, self.symbol_rate)
            }
            System::DvbS2 => {
                let mut t = Transponder::dvbs2_auto(
                    self.frequency_khz,
                    self.polarisation,
                    self.symbol_rate,
                );
                t.modulation = self.modulation.parse().unwrap_or(Modulation::Auto);
                t.rolloff = self.rolloff.parse().unwrap_or(Rolloff::Auto);
                t
            }
        };
        t.fec = self.fec.parse().unwrap_or(Fec::AUTO);
        if t.check().is_err() {
            t.fec = Fec::AUTO;
        }
        t
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct AudioTrack {
    pub pid: u16,
    pub codec: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

/// What applying a scan changed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ApplyReport {
    pub added: u32,
    pub updated: u32,
    pub vanished: u32,
}

const CHARSET_POLICY: &str = "charset_policy";

pub struct ChannelDb {
    conn: Connection,
    path: PathBuf,
}

fn pol_text(p: Polarisation) -> &'static str {
    match p {
        Polarisation::Horizontal => "H",
        Polarisation::Vertical => "V",
        Polarisation::Left => "L",
        Polarisation::Right => "R",
    }
}

fn kind_text(k: ServiceKind) -> &'static str {
    match k {
        ServiceKind::Tv => "tv",
        ServiceKind::Radio => "radio",
        ServiceKind::Data => "data",
    }
}

/// One row of the channel query (columns in the order `ChannelDb::query_channels` selects them).
fn channel_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Channel> {
    let kind: String = r.get(4)?;
    let ca: String = r.get(6)?;
    let audio: String = r.get(17)?;
    let pol: String = r.get(20)?;
    Ok(Channel {
        number: r.get(0)?,
        name: r.get(1)?,
        broadcast_name: r.get(2)?,
        provider: r.get(3)?,
        kind: match kind.as_str() {
            "tv" => ServiceKind::Tv,
            "radio" => ServiceKind::Radio,
            _ => ServiceKind::Data,
        },
        scrambled: r.get(5)?,
        ca_system_ids: ca.split(',').filter_map(|v| v.parse().ok()).collect(),
        favourite: r.get(7)?,
        locked: r.get(8)?,
        vanished: r.get(9)?,
        service_id: r.get(10)?,
        tsid: r.get(11)?,
        onid: r.get(12)?,
        pmt_pid: r.get(13)?,
        pcr_pid: r.get(14)?,
        video_pid: r.get(15)?,
        video_codec: r.get(16)?,
        audio: serde_json::from_str(&audio).unwrap_or_default(),
        satellite: r.get(18)?,
        frequency_khz: r.get(19)?,
        polarisation: pol.parse().unwrap_or(Polarisation::Horizontal),
        symbol_rate: r.get(21)?,
        system: r.get(22)?,
        modulation: r.get(23)?,
        fec: r.get(24)?,
        rolloff: r.get(25)?,
    })
}

impl ChannelDb {
    /// Opens (creating when missing) and brings the schema up to date; checks integrity first.
    pub fn open(path: &Path) -> Result<Self, DbError> {
        let sq = |source| DbError::Sqlite {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(|source| DbError::Io {
                    path: path.to_path_buf(),
                    source,
                })?;
            }
        }
        let conn = Connection::open(path).map_err(sq)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(sq)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(sq)?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(sq)?;
        // Copy every commit from the log into the database file at once (instead of after 1000 pages): a
        // long-lived connection (the UI's) would otherwise leave the scan and the household's edits only in
        // channels.db-wal, and a technician's copy of channels.db alone would lack them.
        conn.pragma_update(None, "wal_autocheckpoint", 1)
            .map_err(sq)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(sq)?;
        let mut db = Self {
            conn,
            path: path.to_path_buf(),
        };
        let check = db.integrity_check()?;
        if check != "ok" {
            return Err(DbError::Damaged {
                path: path.to_path_buf(),
                detail: check,
            });
        }
        db.migrate()?;
        Ok(db)
    }

    fn err(&self) -> impl Fn(rusqlite::Error) -> DbError + '_ {
        |source| DbError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    fn migrate(&mut self) -> Result<(), DbError> {
        let version: i64 = self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(self.err())?;
        let known = MIGRATIONS.len() as i64;
        if version > known {
            return Err(DbError::TooNew {
                path: self.path.clone(),
                found: version,
                known,
            });
        }
        let path = self.path.clone();
        let sq = |source| DbError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(&sq)?;
        for (i, m) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.execute_batch(m).map_err(&sq)?;
            tx.pragma_update(None, "user_version", i as i64 + 1)
                .map_err(&sq)?;
        }
        tx.commit().map_err(&sq)
    }

    /// SQLite's own check of every page and index: "ok" when sound.
    pub fn integrity_check(&self) -> Result<String, DbError> {
        self.conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(self.err())
    }

    /// Merges a scan into the list in one transaction. Services are keyed by (original network, transport
    /// stream, service id), so a transponder that changed a parameter does not duplicate them; the household's
    /// numbers, favourites, locks and names stay; services a complete scan of their transponder no longer finds
    /// are marked vanished.
    pub fn apply_scan(
        &mut self,
        satellite: &str,
        scans: &[TransponderScan],
    ) -> Result<ApplyReport, DbError> {
        let path = self.path.clone();
        let sq = |source| DbError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(&sq)?;
        let mut report = ApplyReport::default();
        for scan in scans.iter().filter(|s| s.locked) {
            let (Some(tsid), Some(onid)) = (
                scan.transport_stream_id,
                scan.original_network_id.or(scan.network_id),
            ) else {
                continue;
            };
            let tp_id = upsert_transponder(&tx, satellite, scan, tsid, onid).map_err(&sq)?;
            for s in &scan.services {
                match upsert_service(&tx, tp_id, tsid, onid, s).map_err(&sq)? {
                    true => report.added += 1,
                    false => report.updated += 1,
                }
            }
            if scan.complete {
                let found: Vec<u16> = scan.services.iter().map(|s| s.service_id).collect();
                let list = found
                    .iter()
                    .map(|s| s.to_string())
                    .collect::<Vec<_>>()
                    .join(",");
                let n = tx
                    .execute(
                        &format!(
                            "UPDATE service SET vanished = 1 WHERE onid = ?1 AND tsid = ?2 AND vanished = 0
                             AND service_id NOT IN ({})",
                            if list.is_empty() { "-1".to_string() } else { list }
                        ),
                        params![onid, tsid],
                    )
                    .map_err(&sq)?;
                report.vanished += n as u32;
            }
        }
        tx.commit().map_err(&sq)?;
        Ok(report)
    }

    /// Every channel, in number order.
    pub fn channels(&self) -> Result<Vec<Channel>, DbError> {
        self.query_channels("ORDER BY s.number, s.id", [])
    }

    /// The channel with this number (the older one if two share it), without reading the whole list: zapping asks
    /// for one channel at a time.
    pub fn channel(&self, number: u32) -> Result<Option<Channel>, DbError> {
        Ok(self
            .query_channels("WHERE s.number = ?1 ORDER BY s.id LIMIT 1", [number])?
            .pop())
    }

    fn query_channels<P: rusqlite::Params>(
        &self,
        tail: &str,
        params: P,
    ) -> Result<Vec<Channel>, DbError> {
        let mut st = self
            .conn
            .prepare_cached(&format!(
                "SELECT s.number, COALESCE(s.user_name, s.name), s.name, s.provider, s.kind, s.scrambled,
                        s.ca_system_ids, s.favourite, s.locked, s.vanished, s.service_id, s.tsid, s.onid,
                        s.pmt_pid, s.pcr_pid, s.video_pid, s.video_codec, s.audio,
                        t.satellite, t.frequency_khz, t.polarisation, t.symbol_rate, t.system,
                        t.modulation, t.fec, t.rolloff
                 FROM service s JOIN transponder t ON t.id = s.transponder_id {tail}"
            ))
            .map_err(self.err())?;
        let rows = st.query_map(params, channel_row).map_err(self.err())?;
        rows.collect::<Result<Vec<_>, _>>().map_err(self.err())
    }

    /// The household's edits, each in its own transaction.
    pub fn set_favourite(&mut self, number: u32, on: bool) -> Result<bool, DbError> {
        self.edit(
            "UPDATE service SET favourite = ?2 WHERE number = ?1",
            number,
            on,
        )
    }

    pub fn set_locked(&mut self, number: u32, on: bool) -> Result<bool, DbError> {
        self.edit(
            "UPDATE service SET locked = ?2 WHERE number = ?1",
            number,
            on,
        )
    }

    pub fn rename(&mut self, number: u32, name: &str) -> Result<bool, DbError> {
        let n = self
            .conn
            .execute(
                "UPDATE service SET user_name = ?2 WHERE number = ?1",
                params![number, name],
            )
            .map_err(self.err())?;
        Ok(n > 0)
    }

    /// Exchanges two channels' numbers (moving a channel in the list), in one transaction: a power cut leaves
    /// either the old or the new order, never two channels with one number.
    pub fn swap_numbers(&mut self, a: u32, b: u32) -> Result<(), DbError> {
        let path = self.path.clone();
        let err = move |source| DbError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(&err)?;
        tx.execute(
            "UPDATE service SET number = CASE number WHEN ?1 THEN ?2 ELSE ?1 END WHERE number IN (?1, ?2)",
            params![a, b],
        )
        .map_err(&err)?;
        tx.commit().map_err(&err)
    }

    fn edit(&mut self, sql: &str, number: u32, on: bool) -> Result<bool, DbError> {
        let n = self
            .conn
            .execute(sql, params![number, on])
            .map_err(self.err())?;
        Ok(n > 0)
    }

    /// A setting that survives upgrades (e.g. the default text encoding per network).
    pub fn setting(&self, key: &str) -> Result<Option<String>, DbError> {
        self.conn
            .query_row("SELECT value FROM setting WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()
            .map_err(self.err())
    }

    /// The text decoding policy for names and EPG: GB18030 for text without a charset byte unless the household
    /// chose otherwise (kept in the database, so an upgrade never loses it).
    pub fn charset_policy(&self) -> Result<ts_si::text::CharsetPolicy, DbError> {
        Ok(self
            .setting(CHARSET_POLICY)?
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_else(|| {
                ts_si::text::CharsetPolicy::with_default(ts_si::text::Charset::Gb18030)
            }))
    }

    pub fn set_charset_policy(
        &mut self,
        policy: &ts_si::text::CharsetPolicy,
    ) -> Result<(), DbError> {
        let json = serde_json::to_string(policy).unwrap_or_default();
        self.set_setting(CHARSET_POLICY, &json)
    }

    pub fn set_setting(&mut self, key: &str, value: &str) -> Result<(), DbError> {
        self.conn
            .execute("INSERT INTO setting (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = ?2", [key, value])
            .map(drop)
            .map_err(self.err())
    }
}

/// Transponders merge by (original network, transport stream) when known, else by frequency within half the
/// symbol rate and the same polarisation: an operator changing FEC or moving a carrier does not make a new one.
fn upsert_transponder(
    tx: &Transaction<'_>,
    satellite: &str,
    scan: &TransponderScan,
    tsid: u16,
    onid: u16,
) -> rusqlite::Result<i64> {
    let tolerance = i64::from((scan.symbol_rate / 2000).max(1000));
    let existing: Option<i64> = tx
        .query_row(
            "SELECT id FROM transponder WHERE satellite = ?1 AND ((tsid = ?2 AND onid = ?3)
               OR (polarisation = ?4 AND ABS(frequency_khz - ?5) <= ?6)) ORDER BY (tsid = ?2 AND onid = ?3) DESC LIMIT 1",
            params![satellite, tsid, onid, pol_text(scan.polarisation), scan.frequency_khz, tolerance],
            |r| r.get(0),
        )
        .optional()?;
    let system = scan.system.to_string();
    let (modulation, fec, rolloff) = (
        scan.modulation.to_string(),
        scan.fec.to_string(),
        scan.rolloff.to_string(),
    );
    match existing {
        Some(id) => {
            tx.execute(
                "UPDATE transponder SET frequency_khz = ?2, polarisation = ?3, symbol_rate = ?4, tsid = ?5, onid = ?6,
                    system = ?7, modulation = ?8, fec = ?9, rolloff = ?10
                 WHERE id = ?1",
                params![id, scan.frequency_khz, pol_text(scan.polarisation), scan.symbol_rate, tsid, onid, system,
                    modulation, fec, rolloff],
            )?;
            Ok(id)
        }
        None => {
            tx.execute(
                "INSERT INTO transponder (satellite, frequency_khz, polarisation, symbol_rate, system, tsid, onid,
                    modulation, fec, rolloff)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![satellite, scan.frequency_khz, pol_text(scan.polarisation), scan.symbol_rate, system, tsid, onid,
                    modulation, fec, rolloff],
            )?;
            Ok(tx.last_insert_rowid())
        }
    }
}

/// Returns true when the service is new.
fn upsert_service(
    tx: &Transaction<'_>,
    tp_id: i64,
    tsid: u16,
    onid: u16,
    s: &FoundService,
) -> rusqlite::Result<bool> {
    let audio: Vec<AudioTrack> = s
        .audio
        .iter()
        .map(|a| AudioTrack {
            pid: a.pid,
            codec: a.codec.clone(),
            language: a.language.clone(),
        })
        .collect();
    let audio = serde_json::to_string(&audio).unwrap_or_else(|_| "[]".into());
    let ca = s
        .ca_system_ids
        .iter()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let updated = tx.execute(
        "UPDATE service SET transponder_id = ?4, name = ?5, provider = ?6, service_type = ?7, kind = ?8, scrambled = ?9,
            ca_system_ids = ?10, pmt_pid = ?11, pcr_pid = ?12, video_pid = ?13, video_codec = ?14, audio = ?15,
            lcn = ?16, vanished = 0
         WHERE onid = ?1 AND tsid = ?2 AND service_id = ?3",
        params![
            onid, tsid, s.service_id, tp_id, s.name, s.provider, s.service_type, kind_text(s.kind), s.scrambled, ca,
            s.pmt_pid, s.pcr_pid, s.video.as_ref().map(|v| v.pid), s.video.as_ref().map(|v| v.codec.clone()), audio,
            s.lcn
        ],
    )?;
    if updated > 0 {
        return Ok(false);
    }
    // A new service takes its logical channel number when free, else the next number after the last.
    let taken = |n: u32| -> rusqlite::Result<bool> {
        tx.query_row(
            "SELECT EXISTS(SELECT 1 FROM service WHERE number = ?1)",
            [n],
            |r| r.get(0),
        )
    };
    let number = match s.lcn.map(u32::from) {
        Some(n) if n > 0 && !taken(n)? => n,
        _ => tx.query_row(
            "SELECT COALESCE(MAX(number), 0) + 1 FROM service",
            [],
            |r| r.get(0),
        )?,
    };
    tx.execute(
        "INSERT INTO service (onid, tsid, service_id, transponder_id, name, provider, service_type, kind, scrambled,
            ca_system_ids, pmt_pid, pcr_pid, video_pid, video_codec, audio, lcn, number)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
        params![
            onid, tsid, s.service_id, tp_id, s.name, s.provider, s.service_type, kind_text(s.kind), s.scrambled, ca,
            s.pmt_pid, s.pcr_pid, s.video.as_ref().map(|v| v.pid), s.video.as_ref().map(|v| v.codec.clone()), audio,
            s.lcn, number
        ],
    )?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svc(id: u16, name: &str, lcn: Option<u16>) -> FoundService {
        FoundService {
            service_id: id,
            name: name.into(),
            provider: "CCTV".into(),
            service_type: 1,
            kind: ServiceKind::Tv,
            scrambled: false,
            ca_system_ids: vec![],
            pmt_pid: 0x100 + id,
            pcr_pid: Some(0x200 + id),
            video: None,
            audio: vec![],
            other: vec![],
            lcn,
            raw_name: vec![],
            raw_provider: vec![],
            onid: Some(1),
        }
    }

    fn tp(freq: u32, tsid: u16, services: Vec<FoundService>) -> TransponderScan {
        TransponderScan {
            frequency_khz: freq,
            polarisation: Polarisation::Right,
            symbol_rate: 28_800_000,
            system: System::DvbS,
            modulation: Modulation::Qpsk,
            fec: Fec::AUTO,
            rolloff: Rolloff::R35,
            locked: true,
            carrier: true,
            signal: None,
            transport_stream_id: Some(tsid),
            original_network_id: Some(1),
            network_id: Some(1),
            network_name: None,
            services,
            announced: vec![],
            complete: true,
            missing: vec![],
            elapsed_ms: 0,
            nit: None,
        }
    }

    fn temp_db(name: &str) -> (ChannelDb, PathBuf) {
        let dir = std::env::temp_dir().join(format!("stb-db-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("channels.db");
        (ChannelDb::open(&path).unwrap(), dir)
    }

    #[test]
    fn rescans_keep_the_households_edits_and_mark_what_vanished() {
        let (mut db, dir) = temp_db("rescan");
        let r = db
            .apply_scan(
                "92.2E",
                &[tp(
                    11_840_000,
                    1,
                    vec![svc(1, "CCTV-1", Some(1)), svc(2, "CCTV-2", Some(2))],
                )],
            )
            .unwrap();
        assert_eq!(
            r,
            ApplyReport {
                added: 2,
                updated: 0,
                vanished: 0
            }
        );
        db.set_favourite(2, true).unwrap();
        db.rename(2, "二套").unwrap();
        db.set_locked(1, true).unwrap();
        // The operator changes a parameter (1 MHz shift) and drops CCTV-1: no duplicate, edits kept, CCTV-1 marked.
        let r = db
            .apply_scan(
                "92.2E",
                &[tp(
                    11_841_000,
                    1,
                    vec![svc(2, "CCTV-2", Some(2)), svc(3, "CCTV-3", None)],
                )],
            )
            .unwrap();
        assert_eq!(
            r,
            ApplyReport {
                added: 1,
                updated: 1,
                vanished: 1
            }
        );
        let ch = db.channels().unwrap();
        assert_eq!(ch.len(), 3);
        let by = |n: u32| ch.iter().find(|c| c.number == n).unwrap();
        assert!(by(1).vanished && by(1).locked);
        assert_eq!(by(2).name, "二套");
        assert_eq!(by(2).broadcast_name, "CCTV-2");
        assert!(by(2).favourite && !by(2).vanished);
        assert_eq!(by(2).frequency_khz, 11_841_000);
        // Zapping reads one channel by number: the same as in the list, with the household's name.
        for n in 1..=3 {
            assert_eq!(db.channel(n).unwrap().as_ref(), Some(by(n)));
        }
        assert_eq!(db.channel(99).unwrap(), None);
        assert_eq!(
            by(3).broadcast_name,
            "CCTV-3",
            "a new service without LCN takes the next number"
        );
        // It comes back: no longer vanished.
        db.apply_scan(
            "92.2E",
            &[tp(11_840_000, 1, vec![svc(1, "CCTV-1", Some(1))])],
        )
        .unwrap();
        assert!(
            !db.channels()
                .unwrap()
                .iter()
                .find(|c| c.number == 1)
                .unwrap()
                .vanished
        );
        drop(db);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_dvbs2_transponder_is_tuned_as_the_scan_locked_it() {
        let (mut db, dir) = temp_db("s2");
        let mut s2 = tp(11_880_000, 2, vec![svc(5, "CCTV-13", Some(13))]);
        s2.system = System::DvbS2;
        s2.modulation = Modulation::Psk8;
        s2.fec = "3/4".parse().unwrap();
        s2.rolloff = Rolloff::R20;
        let mut auto = tp(11_960_000, 4, vec![svc(6, "HD", Some(101))]);
        auto.system = System::DvbS2;
        auto.modulation = Modulation::Auto;
        auto.rolloff = Rolloff::Auto;
        db.apply_scan(
            "92.2°E",
            &[tp(11_840_000, 1, vec![svc(1, "CCTV-1", Some(1))]), s2, auto],
        )
        .unwrap();
        drop(db);
        let db = ChannelDb::open(&dir.join("channels.db")).unwrap();
        let t = db.channel(13).unwrap().unwrap().transponder();
        assert_eq!(
            (t.system, t.modulation, t.fec, t.rolloff),
            (
                System::DvbS2,
                Modulation::Psk8,
                "3/4".parse().unwrap(),
                Rolloff::R20
            )
        );
        assert!(t.check().is_ok());
        let t = db.channel(101).unwrap().unwrap().transponder();
        assert_eq!(
            (t.system, t.modulation, t.rolloff),
            (System::DvbS2, Modulation::Auto, Rolloff::Auto)
        );
        let t = db.channel(1).unwrap().unwrap().transponder();
        assert_eq!((t.system, t.modulation), (System::DvbS, Modulation::Qpsk));
        drop(db);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn the_database_file_alone_holds_every_change_while_the_connection_stays_open() {
        let (mut db, dir) = temp_db("copy");
        db.apply_scan(
            "92.2E",
            &[tp(11_840_000, 1, vec![svc(1, "CCTV-1", Some(1))])],
        )
        .unwrap();
        db.rename(1, "一套").unwrap();
        db.set_setting("installed", "1").unwrap();
        // A copy of channels.db without its -wal, taken while the UI still has the database open.
        let copy = dir.join("copy");
        std::fs::create_dir_all(&copy).unwrap();
        std::fs::copy(dir.join("channels.db"), copy.join("channels.db")).unwrap();
        let other = ChannelDb::open(&copy.join("channels.db")).unwrap();
        assert_eq!(
            other.channel(1).unwrap().map(|c| c.name),
            Some("一套".into())
        );
        assert_eq!(other.setting("installed").unwrap().as_deref(), Some("1"));
        drop((db, other));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn settings_survive_reopening_and_upgrades_keep_the_schema() {
        let (mut db, dir) = temp_db("settings");
        db.set_setting("charset.onid.1", "gb18030").unwrap();
        drop(db);
        let db = ChannelDb::open(&dir.join("channels.db")).unwrap();
        assert_eq!(
            db.setting("charset.onid.1").unwrap().as_deref(),
            Some("gb18030")
        );
        assert_eq!(db.integrity_check().unwrap(), "ok");
        drop(db);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn dvbv5_export_and_import_round_trip() {
        let (mut db, dir) = temp_db("dvbv5");
        let mut s = svc(7, "西藏藏语卫视", None);
        s.audio = vec![crate::scan::Stream {
            pid: 0x300,
            stream_type: 3,
            codec: "MPEG-1 audio".into(),
            language: Some("bod".into()),
        }];
        db.apply_scan("92.2E", &[tp(12_140_000, 9, vec![s])])
            .unwrap();
        let text = dvbv5::export(&db.channels().unwrap());
        assert!(
            text.contains("[西藏藏语卫视]\n\tSERVICE_ID = 7\n"),
            "{text}"
        );
        assert!(
            text.contains("\tLNB = L10750\n")
                && text.contains("\tPOLARIZATION = RIGHT\n")
                && text.contains("\tAUDIO_PID = 768\n")
        );
        let file = dir.join("exported.conf");
        std::fs::write(&file, &text).unwrap();
        let scans = dvbv5::import(&file).unwrap();
        let (mut other, dir2) = temp_db("dvbv5-import");
        other.apply_scan("92.2E", &scans).unwrap();
        let back = other.channels().unwrap();
        assert_eq!(back.len(), 1);
        assert_eq!(
            (
                back[0].name.as_str(),
                back[0].service_id,
                back[0].tsid,
                back[0].frequency_khz
            ),
            ("西藏藏语卫视", 7, 9, 12_140_000)
        );
        assert_eq!(back[0].audio[0].pid, 0x300);
        std::fs::write(&file, "[x]\n\tSERVICE_ID = 1\n\tPOLARIZATION = RIGHT\n\tFREQUENCY = 11840000\n\tSYMBOL_RATE = abc\n").unwrap();
        let e = dvbv5::import(&file).err().unwrap().to_string();
        assert!(
            e.ends_with("exported.conf:5: SYMBOL_RATE = abc is not a number"),
            "{e}"
        );
        std::fs::remove_dir_all(dir).unwrap();
        std::fs::remove_dir_all(dir2).unwrap();
    }
}
