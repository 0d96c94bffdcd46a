//! The `stb-app ts` subcommand: `ts analyze FILE.ts [--json] [--default-charset NAME]` and
//! `ts epg FILE.ts [--json] [--default-charset NAME]`. stb-app mounts [`TsCommand`] and calls
//! [`run`]. Labels are Chinese when `LANG` starts with `zh`, English otherwise.

use std::io::{Read, Write};
use std::path::PathBuf;

use crate::analyze::{analyze, epg, AnalyzeReport, EpgReport};
use crate::collector::SiCollector;
use crate::text::{Charset, CharsetPolicy};

#[derive(Debug, Clone, PartialEq, Eq, clap::Subcommand)]
pub enum TsCommand {
    /// Services, PIDs, CA systems, NIT transponders, table repetition and error counts.
    Analyze {
        /// Transport stream file (188-byte packets).
        file: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Charset for text without a charset byte (e.g. gb18030, big5, iso6937, utf-8).
        #[arg(long = "default-charset", value_name = "NAME")]
        default_charset: Option<Charset>,
    },
    /// Every EIT event: service, start (UTC), duration, title, texts, language.
    Epg {
        /// Transport stream file (188-byte packets).
        file: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Charset for text without a charset byte (e.g. gb18030, big5, iso6937, utf-8).
        #[arg(long = "default-charset", value_name = "NAME")]
        default_charset: Option<Charset>,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} holds no transport stream packets (no 0x47 sync byte found)")]
    NotTransportStream { path: PathBuf },
    #[error("cannot write output: {0}")]
    Write(#[from] std::io::Error),
    #[error("cannot write JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// Reads a whole file into a collector, 1 MiB at a time.
pub fn collect_file(
    path: &std::path::Path,
    policy: CharsetPolicy,
) -> Result<(SiCollector, u64), CliError> {
    let err = |source| CliError::Read {
        path: path.to_path_buf(),
        source,
    };
    let mut f = std::fs::File::open(path).map_err(err)?;
    let size = f.metadata().map(|m| m.len()).unwrap_or(0);
    // Long captures show progress on a terminal (stderr, so --json output stays clean).
    let progress = size > (256 << 20) && std::io::IsTerminal::is_terminal(&std::io::stderr());
    let mut c = SiCollector::new(policy);
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let n = f.read(&mut buf).map_err(err)?;
        if n == 0 {
            break;
        }
        total += n as u64;
        c.feed(&buf[..n]);
        if progress && total % (64 << 20) < n as u64 {
            eprint!("\r{}% ", total * 100 / size.max(1));
        }
    }
    if progress {
        eprintln!("\r100%");
    }
    if c.demux.stats.packets == 0 && total > 0 {
        return Err(CliError::NotTransportStream {
            path: path.to_path_buf(),
        });
    }
    Ok((c, total))
}

/// Runs a `ts` subcommand, writing the report to `out`.
pub fn run(cmd: &TsCommand, out: &mut dyn Write) -> Result<(), CliError> {
    let zh = std::env::var("LANG").is_ok_and(|l| l.starts_with("zh"));
    match cmd {
        TsCommand::Analyze {
            file,
            json,
            default_charset,
        } => {
            let policy = CharsetPolicy::with_default(default_charset.unwrap_or(Charset::Iso6937));
            let (c, bytes) = collect_file(file, policy)?;
            let r = analyze(&c, bytes);
            if *json {
                serde_json::to_writer_pretty(&mut *out, &r)?;
                writeln!(out)?;
            } else {
                print_analyze(&r, zh, out)?;
            }
        }
        TsCommand::Epg {
            file,
            json,
            default_charset,
        } => {
            let policy = CharsetPolicy::with_default(default_charset.unwrap_or(Charset::Iso6937));
            let (c, _) = collect_file(file, policy)?;
            let r = epg(&c);
            if *json {
                serde_json::to_writer_pretty(&mut *out, &r)?;
                writeln!(out)?;
            } else {
                print_epg(&r, zh, out)?;
            }
        }
    }
    Ok(())
}

/// Terminal columns of a string (Unicode's East Asian Width: CJK takes two, combining marks such as Tibetan
/// vowel signs and subjoined letters none).
pub fn display_width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

fn pad(s: &str, w: usize) -> String {
    let n = display_width(s);
    let mut r = s.to_string();
    r.extend(core::iter::repeat_n(' ', w.saturating_sub(n)));
    r
}

/// Prints rows as aligned columns (the last column is not padded).
fn table(out: &mut dyn Write, indent: &str, rows: &[Vec<String>]) -> std::io::Result<()> {
    let cols = rows.iter().map(|r| r.len()).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|i| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|c| display_width(c))
                .max()
                .unwrap_or(0)
        })
        .collect();
    for r in rows {
        let mut line = String::from(indent);
        for (i, c) in r.iter().enumerate() {
            if i + 1 == r.len() {
                line.push_str(c);
            } else {
                line.push_str(&pad(c, widths[i]));
                line.push_str("  ");
            }
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

fn opt_hex(v: Option<u16>) -> String {
    v.map(|v| format!("0x{v:04X}"))
        .unwrap_or_else(|| "-".into())
}

fn print_analyze(r: &AnalyzeReport, zh: bool, out: &mut dyn Write) -> std::io::Result<()> {
    let l = |en: &'static str, cn: &'static str| if zh { cn } else { en };
    writeln!(out, "{}", l("Transport stream", "传输流"))?;
    let rate = r
        .bitrate_bps
        .map(|b| format!("{:.3} Mb/s", b as f64 / 1e6))
        .unwrap_or_else(|| "-".into());
    table(
        out,
        "  ",
        &[
            vec![
                l("TS id:", "传输流标识:").into(),
                opt_hex(r.transport_stream_id),
            ],
            vec![
                l("Original network id:", "原始网络标识:").into(),
                opt_hex(r.original_network_id),
            ],
            vec![
                l("Packets:", "包数:").into(),
                format!("{} ({} bytes)", r.packets, r.bytes),
            ],
            vec![l("Bitrate:", "码率:").into(), rate],
            vec![
                l("Default charset:", "默认字符集:").into(),
                r.default_charset.clone(),
            ],
            vec![
                l("UTC (TDT):", "UTC 时间 (TDT):").into(),
                r.time.tdt_utc.clone().unwrap_or_else(|| "-".into()),
            ],
        ],
    )?;
    for (title, list) in [
        (l("Services", "业务"), &r.services),
        (
            l("Other TS services (SDT other)", "其他传输流的业务"),
            &r.other_services,
        ),
    ] {
        if list.is_empty() {
            continue;
        }
        writeln!(out, "\n{title} ({})", list.len())?;
        let mut rows = vec![vec![
            l("Service", "业务").into(),
            "TS".into(),
            "LCN".into(),
            l("Name", "名称").into(),
            l("Provider", "提供商").into(),
            l("Type", "类型").into(),
            "PMT".into(),
            "PCR".into(),
            "CA".into(),
        ]];
        for s in list.iter() {
            rows.push(vec![
                format!("0x{:04X}", s.service_id),
                opt_hex(s.transport_stream_id),
                s.logical_channel_number
                    .map(|n| n.to_string())
                    .unwrap_or_default(),
                s.name.clone(),
                s.provider.clone(),
                s.service_type
                    .map(|t| format!("0x{t:02X} {}", s.service_type_name))
                    .unwrap_or_default(),
                opt_hex(s.pmt_pid),
                opt_hex(s.pcr_pid),
                s.ca_system_ids
                    .iter()
                    .zip(&s.ca_system_names)
                    .map(|(i, n)| format!("0x{i:04X} {n}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            ]);
        }
        table(out, "  ", &rows)?;
        for s in list.iter().filter(|s| !s.streams.is_empty()) {
            writeln!(out, "  0x{:04X} {}:", s.service_id, s.name)?;
            let rows: Vec<Vec<String>> = s
                .streams
                .iter()
                .map(|st| {
                    vec![
                        format!("PID 0x{:04X}", st.pid),
                        format!("0x{:02X}", st.stream_type),
                        st.stream_type_name.clone(),
                        st.language.clone().unwrap_or_default(),
                        st.ca_system_ids
                            .iter()
                            .map(|i| format!("CA 0x{i:04X}"))
                            .collect::<Vec<_>>()
                            .join(" "),
                    ]
                })
                .collect();
            table(out, "      ", &rows)?;
        }
    }
    if !r.cat_ca_systems.is_empty() {
        writeln!(out, "\n{}", l("CAT (EMM)", "条件接收表 (EMM)"))?;
        let rows: Vec<Vec<String>> = r
            .cat_ca_systems
            .iter()
            .map(|c| {
                vec![
                    format!("0x{:04X}", c.ca_system_id),
                    c.name.clone(),
                    format!("EMM PID 0x{:04X}", c.pid),
                    c.private_data.clone(),
                ]
            })
            .collect();
        table(out, "  ", &rows)?;
    }
    for n in &r.networks {
        writeln!(
            out,
            "\n{} {} 0x{:04X} \"{}\"",
            l("NIT", "网络信息表"),
            n.table,
            n.network_id,
            n.name
        )?;
        let rows: Vec<Vec<String>> = n
            .transports
            .iter()
            .map(|t| {
                let sat = t
                    .satellite
                    .as_ref()
                    .map(|s| {
                        format!(
                            "{:.3} MHz {} {} ksym/s {} {} {} {}",
                            s.frequency_khz as f64 / 1000.0,
                            s.polarization,
                            s.symbol_rate_sym / 1000,
                            s.delivery_system,
                            s.modulation,
                            s.fec,
                            s.orbital_position
                        )
                    })
                    .unwrap_or_default();
                vec![
                    format!("TS 0x{:04X}", t.transport_stream_id),
                    format!("ONID 0x{:04X}", t.original_network_id),
                    sat,
                    format!("{} {}", t.services.len(), l("services", "个业务")),
                ]
            })
            .collect();
        table(out, "  ", &rows)?;
    }
    for b in &r.bouquets {
        writeln!(
            out,
            "\nBAT 0x{:04X} \"{}\": {} TS",
            b.bouquet_id,
            b.name,
            b.transports.len()
        )?;
    }
    writeln!(out, "\n{}", l("Tables", "表"))?;
    let mut rows = vec![vec![
        "PID".into(),
        "TID".into(),
        l("Table", "表").into(),
        l("Sections", "段数").into(),
        l("Versions", "版本").into(),
        l(
            "Repetition ms (min/avg/max)",
            "重复周期 ms (最小/平均/最大)",
        )
        .into(),
    ]];
    let ms = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_else(|| "-".into());
    for t in &r.tables {
        rows.push(vec![
            format!("0x{:04X}", t.pid),
            format!("0x{:02X}", t.table_id),
            t.name.clone(),
            t.sections.to_string(),
            t.versions.len().to_string(),
            format!(
                "{}/{}/{}",
                ms(t.repetition_ms_min),
                ms(t.repetition_ms_avg),
                ms(t.repetition_ms_max)
            ),
        ]);
    }
    table(out, "  ", &rows)?;
    writeln!(out, "\nPID")?;
    let rows: Vec<Vec<String>> = r
        .pids
        .iter()
        .map(|p| {
            vec![
                format!("0x{:04X}", p.pid),
                p.packets.to_string(),
                p.description.clone(),
            ]
        })
        .collect();
    table(out, "  ", &rows)?;
    writeln!(out, "\n{}", l("Errors", "错误"))?;
    let e = &r.errors;
    table(
        out,
        "  ",
        &[
            vec![
                l("Sync losses:", "同步丢失:").into(),
                e.demux.sync_losses.to_string(),
            ],
            vec![
                l("Transport errors (TEI):", "传输错误 (TEI):").into(),
                e.demux.transport_errors.to_string(),
            ],
            vec![
                l("Continuity errors:", "连续计数错误:").into(),
                e.demux.cc_errors.to_string(),
            ],
            vec![
                l("Duplicate packets:", "重复包:").into(),
                e.demux.duplicate_packets.to_string(),
            ],
            vec![
                l("Scrambled packets:", "加扰包:").into(),
                e.demux.scrambled_packets.to_string(),
            ],
            vec![
                l("CRC errors:", "CRC 错误:").into(),
                e.demux.crc_errors.to_string(),
            ],
            vec![
                l("Malformed sections:", "错误段:").into(),
                e.demux.malformed_sections.to_string(),
            ],
            vec![
                l("Unparsable tables:", "无法解析的表:").into(),
                e.table_errors.to_string(),
            ],
            vec![
                l("Malformed descriptors:", "错误描述符:").into(),
                e.malformed_descriptors.to_string(),
            ],
        ],
    )
}

fn print_epg(r: &EpgReport, zh: bool, out: &mut dyn Write) -> std::io::Result<()> {
    let mut current: Option<(u16, u16, u16)> = None;
    for e in &r.events {
        let key = (e.original_network_id, e.transport_stream_id, e.service_id);
        if current != Some(key) {
            current = Some(key);
            let lcn = e
                .logical_channel_number
                .map(|n| format!("{n}. "))
                .unwrap_or_default();
            let name = if e.service_name.is_empty() {
                "?"
            } else {
                &e.service_name
            };
            let head = if zh {
                format!(
                    "{lcn}{name} (业务 0x{:04X}, 传输流 0x{:04X}, 网络 0x{:04X})",
                    e.service_id, e.transport_stream_id, e.original_network_id
                )
            } else {
                format!(
                    "{lcn}{name} (service 0x{:04X}, TS 0x{:04X}, network 0x{:04X})",
                    e.service_id, e.transport_stream_id, e.original_network_id
                )
            };
            writeln!(out, "\n{head}")?;
        }
        let dur = format!("{}:{:02}", e.duration_s / 3600, e.duration_s / 60 % 60);
        writeln!(
            out,
            "  {} UTC  {:>6}  {}  [{}]",
            e.start_utc, dur, e.title, e.language
        )?;
        for t in [&e.short_text, &e.extended_text] {
            for line in t.lines().filter(|l| !l.trim().is_empty()) {
                writeln!(out, "      {}", line.trim())?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_line_up_with_chinese_and_tibetan_names() {
        assert_eq!(display_width("CCTV-1"), 6);
        assert_eq!(display_width("中央一套"), 8);
        // བོད་ཡིག: five letters and marks that take a column, two vowel signs that sit on them.
        assert_eq!(display_width("བོད་ཡིག"), 5);
        // A subjoined letter (ྱ) stacks under its head letter.
        assert_eq!(display_width("སྒྱུར"), 2);
        assert_eq!(pad("中文", 6), "中文  ");
    }
}
