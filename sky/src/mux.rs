//! A constant-bit-rate multiplexer for one loop of a transponder, muxed as one period of a periodic stream: what
//! is sent at the end of the loop already belongs to the next pass (its time stamps lie beyond the loop), so the
//! kernel's player, which moves PCR/PTS/DTS on by one loop at every pass (`loop=restamp`), plays it without seam.
//!
//! The schedule: a PCR on every PCR PID every 35 ms (an adaptation-only packet when the PID has nothing to
//! send); PSI/SI sections when due; otherwise PES data by earliest deadline (its DTS), each PES no earlier
//! than its stream allows (video 0.7 s, audio 0.25 s before its DTS); otherwise a null packet. PCRs are exact
//! for each packet's position at the multiplex rate. Four periods are scheduled from an empty start and the
//! fourth is kept, once it repeats the third. A loop that is not periodic (`loop=discontinuity`) is one period
//! from an empty start, its time stamps from zero.

use ts_si::section::packetize;
use ts_si::ts::{AdaptationFieldRepr, Pcr, TsPacketRepr, PACKET_SIZE};

use crate::definition::LOOP_90K;
use crate::pes::{set_timestamps, PesPacket};

/// 27 MHz ticks in a loop.
const LOOP_27M: u64 = LOOP_90K * 300;
/// PCRs per loop on each PCR PID: one every 34.97 ms, inside DVB's 40 ms, on a grid that repeats with the loop.
const PCRS_PER_LOOP: u64 = 302;
/// Periods scheduled for a periodic loop; the last is kept.
const PERIODS: u64 = 4;

/// One elementary stream to multiplex.
#[derive(Debug, Clone)]
pub struct EsInput {
    pub pid: u16,
    /// PES packets of one loop, time stamps in 90 kHz from the loop's start (DTS is the deadline).
    pub pes: Vec<PesPacket>,
    /// How long before its DTS a PES may be sent (90 kHz).
    pub early_90k: u64,
    /// Sent with scrambling_control 10 and an undecodable payload.
    pub scrambled: bool,
}

/// A PID of sections.
#[derive(Debug, Clone)]
pub struct SiInput {
    pub pid: u16,
    /// (when in the loop, 90 kHz; the section with its CRC). Each section starts a packet.
    pub items: Vec<(u64, Vec<u8>)>,
}

/// A whole multiplex.
#[derive(Debug, Clone, Default)]
pub struct MuxInput {
    /// Packets in one loop: the rate is `packets * 188 * 8 / loop`.
    pub packets: u32,
    pub es: Vec<EsInput>,
    pub si: Vec<SiInput>,
    /// PIDs that carry a PCR (each programme's).
    pub pcr_pids: Vec<u16>,
    /// One period of a periodic stream (the player moves time stamps on at every pass); otherwise one loop from a
    /// cold start whose time stamps begin again at every pass (`loop=discontinuity`).
    pub periodic: bool,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum MuxError {
    #[error("{late} PES packets missed their decoding time at {rate} bit/s: the multiplex needs a higher rate")]
    TooSlow { late: usize, rate: u64 },
    #[error("the schedule did not settle into a repeating loop at {rate} bit/s")]
    NotPeriodic { rate: u64 },
    #[error("a section of {0} bytes does not fit a packet train")]
    Section(usize),
}

/// The multiplex rate in bit/s for `packets` per loop.
pub fn rate_bps(packets: u32) -> u64 {
    u64::from(packets) * 188 * 8 * 90_000 / LOOP_90K
}

/// Packets per loop for at least `bps`: a multiple of 33, which makes the rate a whole number of bit/s.
pub fn packets_for(bps: u64) -> u32 {
    let n = (bps * LOOP_90K).div_ceil(188 * 8 * 90_000);
    (n.div_ceil(33) * 33) as u32
}

struct EsState<'a> {
    input: &'a EsInput,
    /// The last period whose PES are sent, and the period whose time frame is kept.
    last_period: u64,
    kept: u64,
    period: u64,
    index: usize,
    /// The PES being sent (time stamps already set) and how much of it is out.
    current: Option<(Vec<u8>, usize, u64)>,
    cc: u8,
}

impl EsState<'_> {
    /// The deadline (sim time, 90 kHz) of the next PES not yet started.
    fn next_dts(&self) -> u64 {
        self.input.pes[self.index].dts + self.period * LOOP_90K
    }
    /// Deadline of what this stream would send next, if it may send at `now`.
    fn ready(&self, now_90k: u64) -> Option<u64> {
        if let Some((_, _, dts)) = &self.current {
            return Some(*dts);
        }
        if self.input.pes.is_empty() || self.period > self.last_period {
            return None;
        }
        let dts = self.next_dts();
        (now_90k + self.input.early_90k >= dts).then_some(dts)
    }
    fn start_next(&mut self) {
        let p = &self.input.pes[self.index];
        let shift = self.period * LOOP_90K;
        let mut bytes = p.bytes.clone();
        // Time stamps in the kept period's frame: the sim time minus the periods before it.
        let base = self.kept * LOOP_90K;
        let pts = (p.pts + shift + (1 << 33) - base) & 0x1_FFFF_FFFF;
        let dts = (p.dts + shift + (1 << 33) - base) & 0x1_FFFF_FFFF;
        set_timestamps(&mut bytes, pts, dts);
        self.current = Some((bytes, 0, p.dts + shift));
        self.index += 1;
        if self.index == self.input.pes.len() {
            self.index = 0;
            self.period += 1;
        }
    }
}

struct SiState {
    pid: u16,
    /// (due, packets) of every period, in time order.
    queue: std::collections::VecDeque<(u64, Vec<[u8; PACKET_SIZE]>)>,
    sent_in_item: usize,
}

/// Deterministic bytes for scrambled payloads (xorshift64).
struct Noise(u64);
impl Noise {
    fn fill(&mut self, b: &mut [u8]) {
        for x in b {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            *x = self.0 as u8;
        }
    }
}

/// The PCR a packet at `slot` of the kept period carries: its position at the multiplex rate (ISO/IEC 13818-1
/// 2.4.2.2: the time the last bit of the PCR base arrives, byte 10 of the packet).
fn pcr_at(slot: u64, packets: u64) -> Pcr {
    let t = ((slot * 188 + 11) as u128 * LOOP_27M as u128 / (packets as u128 * 188)) as u64;
    Pcr {
        base: (t / 300) & 0x1_FFFF_FFFF,
        extension: (t % 300) as u16,
    }
}

/// What a slot carried, to compare two periods.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Shape {
    pid: u16,
    start: bool,
    payload: usize,
}

/// Multiplexes one loop. Returns its packets.
pub fn mux(input: &MuxInput) -> Result<Vec<[u8; PACKET_SIZE]>, MuxError> {
    let n = u64::from(input.packets);
    let rate = rate_bps(input.packets);
    let periods = if input.periodic { PERIODS } else { 1 };
    let mut es: Vec<EsState> = input
        .es
        .iter()
        .map(|e| EsState {
            input: e,
            last_period: if input.periodic { PERIODS } else { 0 },
            kept: periods - 1,
            period: 0,
            index: 0,
            current: None,
            cc: 0,
        })
        .collect();
    // One queue per PID, whatever number of inputs name it, so its continuity counters follow the sending order.
    let mut by_pid: std::collections::BTreeMap<u16, Vec<(u64, Vec<u8>)>> = Default::default();
    for s in &input.si {
        for p in 0..periods {
            for (t, sec) in &s.items {
                by_pid
                    .entry(s.pid)
                    .or_default()
                    .push((t + p * LOOP_90K, sec.clone()));
            }
        }
    }
    let mut si: Vec<SiState> = Vec::new();
    for (pid, mut items) in by_pid {
        items.sort_by_key(|i| i.0);
        let mut cc = 0u8;
        let mut queue = std::collections::VecDeque::new();
        for (t, sec) in items {
            if sec.len() > 4096 {
                return Err(MuxError::Section(sec.len()));
            }
            queue.push_back((t, packetize(pid, &[sec], &mut cc)));
        }
        si.push(SiState {
            pid,
            queue,
            sent_in_item: 0,
        });
    }
    // Each PCR PID's next grid point (counted from the start), its grid offset by a fraction per PID.
    let mut pcr_next: Vec<u64> = vec![0; input.pcr_pids.len()];
    let pcr_due = |pid_index: usize, k: u64| -> u64 {
        let step = LOOP_27M / PCRS_PER_LOOP;
        k * LOOP_27M / PCRS_PER_LOOP + step * pid_index as u64 / input.pcr_pids.len().max(1) as u64
    };
    let mut noise = Noise(0x9E37_79B9_7F4A_7C15);
    let mut out = Vec::with_capacity(input.packets as usize);
    let mut shapes: Vec<Vec<Shape>> = vec![Vec::new(); periods as usize];
    let mut late = 0;

    for slot in 0..periods * n {
        let now_27m = (slot as u128 * LOOP_27M as u128 / n as u128) as u64;
        let now_90k = now_27m / 300;
        let period = slot / n;
        let kept = period == periods - 1;
        let pcr = pcr_at(slot % n, n);

        // 1. A PCR that is due.
        let due_pcr = input
            .pcr_pids
            .iter()
            .enumerate()
            .find(|(i, _)| now_27m >= pcr_due(*i, pcr_next[*i]));
        let mut packet: Option<[u8; PACKET_SIZE]> = None;
        let mut shape = Shape {
            pid: 0x1FFF,
            start: false,
            payload: 0,
        };
        if let Some((i, &pid)) = due_pcr {
            while pcr_due(i, pcr_next[i]) <= now_27m {
                pcr_next[i] += 1;
            }
            let af = AdaptationFieldRepr {
                pcr: Some(pcr),
                ..Default::default()
            };
            let e = es.iter_mut().find(|e| e.input.pid == pid);
            let (payload, start, cc, scrambled) = match e {
                Some(e) if e.ready(now_90k).is_some() => {
                    if e.current.is_none() {
                        e.start_next();
                    }
                    let (bytes, off, dts) = e.current.as_mut().expect("started");
                    let take = (bytes.len() - *off).min(PACKET_SIZE - 4 - 8);
                    let chunk = bytes[*off..*off + take].to_vec();
                    let start = *off == 0;
                    *off += take;
                    if *off == bytes.len() {
                        late += usize::from(kept && now_90k > *dts);
                        e.current = None;
                    }
                    e.cc = (e.cc + 1) & 0x0F;
                    (chunk, start, e.cc, e.input.scrambled)
                }
                Some(e) => (Vec::new(), false, e.cc, false),
                None => (Vec::new(), false, 0, false),
            };
            let mut payload = payload;
            if scrambled {
                noise.fill(&mut payload);
            }
            shape = Shape {
                pid,
                start,
                payload: payload.len(),
            };
            packet = Some(
                TsPacketRepr {
                    pid,
                    payload_unit_start: start,
                    transport_error: false,
                    priority: false,
                    scrambling_control: if scrambled { 2 } else { 0 },
                    continuity_counter: cc,
                    adaptation: Some(af),
                    payload: &payload,
                }
                .emit()
                .expect("a PCR packet fits"),
            );
        }

        // 2. Sections that are due, earliest first.
        if packet.is_none() {
            let pick = si
                .iter_mut()
                .filter(|s| s.queue.front().is_some_and(|(t, _)| *t <= now_90k))
                .min_by_key(|s| s.queue.front().map(|(t, _)| *t));
            if let Some(s) = pick {
                let (_, pkts) = s.queue.front().expect("due");
                let p = pkts[s.sent_in_item];
                s.sent_in_item += 1;
                if s.sent_in_item == pkts.len() {
                    s.queue.pop_front();
                    s.sent_in_item = 0;
                }
                shape = Shape {
                    pid: s.pid,
                    start: p[1] & 0x40 != 0,
                    payload: 184,
                };
                packet = Some(p);
            }
        }

        // 3. PES data, earliest deadline first.
        if packet.is_none() {
            let pick = es
                .iter_mut()
                .filter_map(|e| e.ready(now_90k).map(|d| (d, e)))
                .min_by_key(|(d, e)| (*d, e.input.pid));
            if let Some((_, e)) = pick {
                if e.current.is_none() {
                    e.start_next();
                }
                let (bytes, off, dts) = e.current.as_mut().expect("started");
                let take = (bytes.len() - *off).min(PACKET_SIZE - 4);
                let mut chunk = bytes[*off..*off + take].to_vec();
                let start = *off == 0;
                *off += take;
                if *off == bytes.len() {
                    late += usize::from(kept && now_90k > *dts);
                    e.current = None;
                }
                e.cc = (e.cc + 1) & 0x0F;
                if e.input.scrambled {
                    noise.fill(&mut chunk);
                }
                shape = Shape {
                    pid: e.input.pid,
                    start,
                    payload: chunk.len(),
                };
                packet = Some(
                    TsPacketRepr {
                        pid: e.input.pid,
                        payload_unit_start: start,
                        transport_error: false,
                        priority: false,
                        scrambling_control: if e.input.scrambled { 2 } else { 0 },
                        continuity_counter: e.cc,
                        adaptation: None,
                        payload: &chunk,
                    }
                    .emit()
                    .expect("a PES piece fits"),
                );
            }
        }

        let p = packet.unwrap_or_else(null_packet);
        shapes[period as usize].push(shape);
        if kept {
            out.push(p);
        }
    }
    if late > 0 {
        return Err(MuxError::TooSlow { late, rate });
    }
    if input.periodic && shapes[PERIODS as usize - 1] != shapes[PERIODS as usize - 2] {
        return Err(MuxError::NotPeriodic { rate });
    }
    Ok(out)
}

/// A null packet (PID 0x1FFF).
pub fn null_packet() -> [u8; PACKET_SIZE] {
    let mut p = [0xFFu8; PACKET_SIZE];
    p[..4].copy_from_slice(&[0x47, 0x1F, 0xFF, 0x10]);
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use ts_si::ts::TsPacket;

    /// A PES packet with PTS = DTS = `t` and `len` payload bytes.
    fn pes(t: u64, len: usize) -> PesPacket {
        let mut b = vec![0, 0, 1, 0xC0, 0, 0, 0x80, 0x80, 5, 0x21, 0, 1, 0, 1];
        b.extend(std::iter::repeat_n(0xAB, len));
        let n = b.len() - 6;
        b[4] = (n >> 8) as u8;
        b[5] = n as u8;
        set_timestamps(&mut b, t, t);
        PesPacket {
            bytes: b,
            pts: t,
            dts: t,
        }
    }

    fn audio_like() -> EsInput {
        // One 500-byte frame every 24 ms, shifted by 0.8 s: 440 frames in a loop.
        EsInput {
            pid: 0x101,
            pes: (0..440).map(|k| pes(72_000 + k * 2160, 500)).collect(),
            early_90k: 22_500,
            scrambled: false,
        }
    }

    #[test]
    fn rates_are_whole_and_cover_what_is_asked() {
        for bps in [1_000_000, 3_456_789, 20_000_000] {
            let n = packets_for(bps);
            assert_eq!(n % 33, 0);
            assert!(rate_bps(n) >= bps);
            assert_eq!(rate_bps(n) * LOOP_90K % (188 * 8 * 90_000), 0, "exact rate");
        }
    }

    #[test]
    fn one_loop_holds_every_pes_once_with_pcr_and_sections_on_time() {
        let mut pat = ts_si::section::emit_short_section(0x70, &[0; 5], false).unwrap();
        pat[0] = 0x70;
        let input = MuxInput {
            packets: packets_for(400_000),
            es: vec![audio_like()],
            si: vec![SiInput {
                pid: 0x14,
                items: (0..10).map(|k| (k * 90_000, pat.clone())).collect(),
            }],
            pcr_pids: vec![0x101],
            periodic: true,
        };
        let out = mux(&input).unwrap();
        assert_eq!(out.len() as u32, input.packets);
        let mut starts = 0;
        let mut pcrs = Vec::new();
        let mut tdt = 0;
        for (i, raw) in out.iter().enumerate() {
            let p = TsPacket::new_checked(&raw[..]).unwrap();
            match p.pid() {
                0x101 => {
                    if let Some(pcr) = p.adaptation_field().and_then(|a| a.pcr()) {
                        assert_eq!(pcr, pcr_at(i as u64, input.packets as u64));
                        pcrs.push(i);
                    }
                    starts += p.payload_unit_start_indicator() as usize;
                }
                0x14 => tdt += 1,
                _ => assert_eq!(p.pid(), 0x1FFF),
            }
        }
        assert_eq!(starts, 440, "every frame once per loop");
        assert_eq!(tdt, 10);
        let per_packet_27m = LOOP_27M as f64 / f64::from(input.packets);
        for w in pcrs.windows(2) {
            assert!(
                (w[1] - w[0]) as f64 * per_packet_27m <= 35.0 * 27_000.0 + 2.0 * per_packet_27m
            );
        }
    }

    #[test]
    fn a_loop_from_a_cold_start_begins_its_time_stamps_at_the_delay() {
        let input = MuxInput {
            packets: packets_for(400_000),
            es: vec![audio_like()],
            si: vec![],
            pcr_pids: vec![0x101],
            periodic: false,
        };
        let out = mux(&input).unwrap();
        let first = TsPacket::new_checked(&out[0][..]).unwrap();
        assert_eq!(first.pid(), 0x101);
        let pcr = first.adaptation_field().and_then(|a| a.pcr()).unwrap();
        assert!(
            pcr.ticks_27mhz() < 27_000,
            "the first PCR at the loop's start"
        );
        let pts: Vec<u64> = out
            .iter()
            .filter_map(|r| {
                let p = TsPacket::new_checked(&r[..]).ok()?;
                let pes = p.payload().filter(|_| p.payload_unit_start_indicator())?;
                crate::pes::timestamps(pes).map(|t| t.0)
            })
            .collect();
        // Every frame whose sending may start before the loop ends, once; the ones after it are lost at every
        // pass, as in any file looped as it is.
        let sendable = audio_like()
            .pes
            .iter()
            .filter(|p| p.dts < LOOP_90K + 22_500)
            .count();
        // (The last one may open its window between the loop's last packet and its end.)
        assert!(
            (sendable - 1..=sendable).contains(&pts.len()),
            "{} of {sendable}",
            pts.len()
        );
        assert_eq!(pts[0], 72_000);
        assert!(
            pts.windows(2).all(|w| w[1] == w[0] + 2160),
            "in order, none twice"
        );
    }

    #[test]
    fn a_rate_too_low_is_refused() {
        let input = MuxInput {
            packets: packets_for(100_000),
            es: vec![audio_like()],
            si: vec![],
            pcr_pids: vec![0x101],
            periodic: true,
        };
        assert!(matches!(mux(&input), Err(MuxError::TooSlow { .. })));
    }

    #[test]
    fn scrambled_payload_is_marked_and_hidden() {
        let mut e = audio_like();
        e.scrambled = true;
        let input = MuxInput {
            packets: packets_for(400_000),
            es: vec![e],
            si: vec![],
            pcr_pids: vec![0x101],
            periodic: true,
        };
        let out = mux(&input).unwrap();
        let p = out
            .iter()
            .map(|r| TsPacket::new_checked(&r[..]).unwrap())
            .find(|p| p.pid() == 0x101 && p.payload().is_some_and(|x| !x.is_empty()))
            .unwrap();
        assert_eq!(p.scrambling_control(), 2);
        assert!(!p.payload().unwrap().windows(3).any(|w| w == [0, 0, 1]));
    }
}
