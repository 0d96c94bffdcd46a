//! Faults put into the diagnostics transponder, counted exactly, so a technician's analyser (and the project's
//! TR 101 290 tests) can be checked against known numbers. The counts are per loop and land in `faults.json`.

use serde::Serialize;

use crate::definition::{Faults, LOOP_90K};
use crate::mux::{null_packet, SiInput};

/// What one loop of a transponder carries, fault by fault.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct FaultReport {
    pub transponder: String,
    pub packets_per_loop: u32,
    /// Packets of `continuity_pid` left out (each one continuity_count_error).
    pub continuity_errors: u32,
    pub continuity_pid: u16,
    /// Loop positions of the packets left out.
    pub continuity_positions: Vec<usize>,
    /// Packets of `transport_error_pid` (null packets), close together from `transport_error_first`, with
    /// transport_error_indicator set.
    pub transport_errors: u32,
    pub transport_error_pid: u16,
    pub transport_error_first: usize,
    /// SDT actual sections with a broken CRC.
    pub sdt_crc_errors: u32,
    /// The longest time between two PATs, in ms, and how many intervals exceed 500 ms.
    pub longest_pat_interval_ms: u64,
    pub pat_errors: u32,
}

/// Alters sections before the multiplexing: a stretch without PAT, SDT sections with a broken CRC.
pub fn before_mux(f: &Faults, si: &mut [SiInput], report: &mut FaultReport) {
    for s in si.iter_mut() {
        if s.pid == 0x0000 && f.pat_gap_ms > 0 {
            let from = 3000 * 90;
            let to = from + u64::from(f.pat_gap_ms) * 90;
            s.items.retain(|(t, _)| !(from..to).contains(t));
        }
        if s.pid == 0x0011 && f.sdt_crc_errors > 0 {
            let actual: Vec<usize> = (0..s.items.len())
                .filter(|&i| s.items[i].1.first() == Some(&0x42))
                .collect();
            let n = (f.sdt_crc_errors as usize).min(actual.len());
            for k in 0..n {
                // Spread over the loop, away from its start.
                let i = actual[(k + 1) * actual.len() / (n + 1)];
                if let Some(last) = s.items[i].1.last_mut() {
                    *last ^= 0xFF;
                }
            }
            report.sdt_crc_errors += n as u32;
        }
    }
    let mut pats: Vec<u64> = si
        .iter()
        .filter(|s| s.pid == 0)
        .flat_map(|s| s.items.iter().map(|i| i.0))
        .collect();
    pats.sort_unstable();
    if let (Some(first), Some(last)) = (pats.first().copied(), pats.last().copied()) {
        pats.push(first + LOOP_90K);
        let gaps: Vec<u64> = pats.windows(2).map(|w| (w[1] - w[0]) / 90).collect();
        report.longest_pat_interval_ms = gaps.iter().copied().max().unwrap_or(0);
        report.pat_errors = gaps.iter().filter(|g| **g > 500).count() as u32;
        let _ = last;
    }
}

/// Alters the multiplexed loop: packets of `video` left out (replaced by null packets, so the rate and every PCR
/// stay right) and a burst of (null) packets with transport_error_indicator.
pub fn after_mux(f: &Faults, video: u16, packets: &mut [[u8; 188]], report: &mut FaultReport) {
    let pid = |p: &[u8; 188]| (u16::from(p[1] & 0x1F) << 8) | u16::from(p[2]);
    // Payload-only packets: no PCR lost, no PES start lost.
    let plain: Vec<usize> = (0..packets.len())
        .filter(|&i| {
            pid(&packets[i]) == video && packets[i][3] & 0x30 == 0x10 && packets[i][1] & 0x40 == 0
        })
        .collect();
    if f.continuity_errors > 0 && !plain.is_empty() {
        let n = f.continuity_errors as usize;
        for k in 0..n {
            let i = plain[(2 * k + 1) * plain.len() / (2 * n + 1)];
            packets[i] = null_packet();
            report.continuity_positions.push(i);
        }
        report.continuity_errors = n as u32;
        report.continuity_pid = video;
    }
    if f.tei_packets > 0 {
        // On null packets: an analyser that drops errored packets before its continuity check (as most do) and
        // one that does not then count the same, and no picture is harmed.
        let nulls: Vec<usize> = (packets.len() * 3 / 5..packets.len())
            .filter(|&i| pid(&packets[i]) == 0x1FFF && !report.continuity_positions.contains(&i))
            .take(f.tei_packets as usize)
            .collect();
        for &i in &nulls {
            packets[i][1] |= 0x80;
        }
        report.transport_errors = nulls.len() as u32;
        report.transport_error_pid = 0x1FFF;
        report.transport_error_first = nulls.first().copied().unwrap_or(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pat_gap_is_measured_as_sent() {
        let mut si = vec![SiInput {
            pid: 0,
            items: (0..106).map(|k| (k * 9000, vec![0u8])).collect(),
        }];
        let mut r = FaultReport::default();
        before_mux(
            &Faults {
                pat_gap_ms: 800,
                ..Default::default()
            },
            &mut si,
            &mut r,
        );
        assert_eq!(r.longest_pat_interval_ms, 900);
        assert_eq!(r.pat_errors, 1);
    }

    #[test]
    fn left_out_packets_and_the_error_burst_are_where_the_report_says() {
        let mut pkts: Vec<[u8; 188]> = (0..1000)
            .map(|i| {
                let mut p = null_packet();
                if i % 2 == 0 {
                    p[1] = 0x01;
                    p[2] = 0x01;
                    p[3] = 0x10 | (i / 2 % 16) as u8;
                }
                p
            })
            .collect();
        let mut r = FaultReport::default();
        let f = Faults {
            continuity_errors: 3,
            tei_packets: 10,
            ..Default::default()
        };
        after_mux(&f, 0x101, &mut pkts, &mut r);
        assert_eq!(r.continuity_positions.len(), 3);
        for &i in &r.continuity_positions {
            assert_eq!(pkts[i][1..3], [0x1F, 0xFF]);
        }
        let tei = pkts.iter().filter(|p| p[1] & 0x80 != 0).count();
        assert_eq!(tei, 10);
        assert_eq!(r.transport_errors, 10);
    }
}
