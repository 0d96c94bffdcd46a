//! Builds transport streams for tests from tables (emitted by ts-si), instead of storing opaque bytes.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use ts_si::descriptors::{
    CaDescriptor, Descriptor, DescriptorList, DvbString, LogicalChannel,
    LogicalChannelNumberDescriptor, NetworkNameDescriptor, SatelliteDeliverySystemDescriptor,
    ServiceDescriptor,
};
use ts_si::section::{packetize, LongHeader};
use ts_si::tables::{
    NetworkInformationTable, PmtStream, ProgramAssociationTable, ProgramMapTable, SdtService,
    ServiceDescriptionTable, TransportStreamInfo,
};

/// A service to put in a generated transponder.
#[derive(Clone)]
pub struct GenService {
    pub service_id: u16,
    /// The name bytes as broadcast (with or without a charset selector).
    pub name: DvbString,
    pub provider: DvbString,
    pub service_type: u8,
    /// CA system id when scrambled.
    pub ca_system_id: Option<u16>,
    pub lcn: Option<u16>,
}

impl GenService {
    pub fn tv(service_id: u16, name: DvbString) -> Self {
        Self {
            service_id,
            name,
            provider: DvbString::from("CCTV"),
            service_type: 0x01,
            ca_system_id: None,
            lcn: None,
        }
    }
    pub fn video_pid(&self) -> u16 {
        0x100 + self.service_id * 4
    }
    pub fn audio_pid(&self) -> u16 {
        0x101 + self.service_id * 4
    }
    pub fn pmt_pid(&self) -> u16 {
        0x1000 + self.service_id
    }
}

/// A transponder of the NIT: (tsid, frequency kHz, polarisation 0 H, 1 V, 2 L, 3 R, symbol rate S/s).
pub type NitEntry = (u16, u32, u8, u32);

fn header(table_id: u8, ext: u16) -> LongHeader {
    LongHeader {
        table_id,
        table_id_extension: ext,
        version: 1,
        current_next: true,
        section_number: 0,
        last_section_number: 0,
    }
}

/// Writes one transponder's multiplex: PAT, PMTs, SDT actual and NIT actual, repeated `rounds` times.
pub fn write_transponder(
    path: &Path,
    tsid: u16,
    onid: u16,
    services: &[GenService],
    nit: &[NitEntry],
    rounds: usize,
) {
    let pat = ProgramAssociationTable {
        header: header(0x00, tsid),
        programs: std::iter::once((0u16, 0x0010u16))
            .chain(services.iter().map(|s| (s.service_id, s.pmt_pid())))
            .collect(),
    }
    .emit()
    .unwrap();
    let pmts: Vec<(u16, Vec<u8>)> = services
        .iter()
        .map(|s| {
            let mut descriptors = DescriptorList::default();
            if let Some(ca) = s.ca_system_id {
                descriptors.items.push(Descriptor::Ca(CaDescriptor {
                    ca_system_id: ca,
                    ca_pid: 0x1800,
                    private_data: vec![],
                }));
            }
            let t = ProgramMapTable {
                header: header(0x02, s.service_id),
                pcr_pid: s.video_pid(),
                descriptors,
                streams: vec![
                    PmtStream {
                        stream_type: 0x1b,
                        elementary_pid: s.video_pid(),
                        descriptors: DescriptorList::default(),
                    },
                    PmtStream {
                        stream_type: 0x03,
                        elementary_pid: s.audio_pid(),
                        descriptors: DescriptorList::default(),
                    },
                ],
            };
            (s.pmt_pid(), t.emit().unwrap())
        })
        .collect();
    let sdt = ServiceDescriptionTable {
        header: header(0x42, tsid),
        original_network_id: onid,
        services: services
            .iter()
            .map(|s| SdtService {
                service_id: s.service_id,
                eit_schedule: false,
                eit_present_following: false,
                running_status: 4,
                free_ca_mode: s.ca_system_id.is_some(),
                descriptors: DescriptorList {
                    items: vec![Descriptor::Service(ServiceDescriptor {
                        service_type: s.service_type,
                        provider_name: s.provider.clone(),
                        service_name: s.name.clone(),
                    })],
                },
            })
            .collect(),
    }
    .emit()
    .unwrap();
    let lcns: Vec<LogicalChannel> = services
        .iter()
        .filter_map(|s| {
            s.lcn.map(|lcn| LogicalChannel {
                service_id: s.service_id,
                visible: true,
                lcn,
            })
        })
        .collect();
    let nit = NetworkInformationTable {
        header: header(0x40, onid),
        descriptors: DescriptorList {
            items: vec![Descriptor::NetworkName(NetworkNameDescriptor {
                name: DvbString::encode("户户通", ts_si::text::Charset::Utf8),
            })],
        },
        transports: nit
            .iter()
            .map(|&(t, freq, pol, sr)| {
                let mut items = vec![Descriptor::SatelliteDeliverySystem(
                    SatelliteDeliverySystemDescriptor {
                        frequency_10khz: freq / 10,
                        orbital_position: 922,
                        east: true,
                        polarization: pol,
                        roll_off: 0,
                        s2: false,
                        modulation_type: 1,
                        symbol_rate_100sym: sr / 100,
                        fec_inner: 3,
                    },
                )];
                if t == tsid && !lcns.is_empty() {
                    items.push(Descriptor::LogicalChannelNumber(
                        LogicalChannelNumberDescriptor {
                            channels: lcns.clone(),
                        },
                    ));
                }
                TransportStreamInfo {
                    transport_stream_id: t,
                    original_network_id: onid,
                    descriptors: DescriptorList { items },
                }
            })
            .collect(),
    }
    .emit()
    .unwrap();
    let mut cc = [0u8; 4];
    let mut pmt_cc = vec![0u8; pmts.len()];
    let mut out = Vec::new();
    for _ in 0..rounds {
        for p in packetize(0x0000, std::slice::from_ref(&pat), &mut cc[0]) {
            out.extend_from_slice(&p);
        }
        for (i, (pid, s)) in pmts.iter().enumerate() {
            for p in packetize(*pid, std::slice::from_ref(s), &mut pmt_cc[i]) {
                out.extend_from_slice(&p);
            }
        }
        for p in packetize(0x0011, std::slice::from_ref(&sdt), &mut cc[1]) {
            out.extend_from_slice(&p);
        }
        for p in packetize(0x0010, std::slice::from_ref(&nit), &mut cc[2]) {
            out.extend_from_slice(&p);
        }
    }
    std::fs::write(path, out).unwrap();
}

/// Runs the `stb-app` binary under test with extra environment; returns exit status, stdout and stderr.
pub fn stb_app_env(args: &[&str], env: &[(&str, &std::ffi::OsStr)]) -> (i32, String, String) {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_stb-app"));
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("stb-app runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs the `stb-app` binary under test.
pub fn stb_app(args: &[&str]) -> (i32, String, String) {
    stb_app_env(args, &[])
}

/// A fresh folder for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("stb-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A transport stream carrying a PAT, a CAT whose CA descriptor names `pid` as the activation PID, and the given
/// activation sections on that PID, repeated `rounds` times.
pub fn write_activation_stream(
    path: &Path,
    tsid: u16,
    pid: u16,
    sections: &[Vec<u8>],
    rounds: usize,
) {
    use ts_si::tables::ConditionalAccessTable;
    let pat = ProgramAssociationTable {
        header: header(0x00, tsid),
        programs: vec![],
    }
    .emit()
    .unwrap();
    let ca = activation::section::ca_descriptor(pid);
    let cat = ConditionalAccessTable {
        header: header(0x01, 0xffff),
        descriptors: DescriptorList::parse(&ca),
    }
    .emit()
    .unwrap();
    let (mut c0, mut c1, mut c2) = (0u8, 0u8, 0u8);
    let mut out = Vec::new();
    for _ in 0..rounds {
        for p in packetize(0x0000, std::slice::from_ref(&pat), &mut c0) {
            out.extend_from_slice(&p);
        }
        for p in packetize(0x0001, std::slice::from_ref(&cat), &mut c1) {
            out.extend_from_slice(&p);
        }
        for p in packetize(pid, sections, &mut c2) {
            out.extend_from_slice(&p);
        }
    }
    std::fs::write(path, out).unwrap();
}
