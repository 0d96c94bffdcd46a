//! Cost of one look-angle computation (and of the other per-answer pieces), with criterion.
//! The peer figure (pyproj) comes from `benches/pyproj_peer.py`; both go in README.md.

use std::hint::black_box;

use chrono::{FixedOffset, NaiveDate};
use criterion::{criterion_group, criterion_main, Criterion};
use dish_align::catalogue::Catalogue;
use dish_align::geodesy::{look_angles, Site};
use dish_align::nmea::parse;
use dish_align::pointing::{compute, Request};
use dish_align::wmm::declination;

fn bench(c: &mut Criterion) {
    let site = Site::new(31.14, 97.17, 3240.0).unwrap();
    c.bench_function("look_angles (az, el, range, skew)", |b| {
        b.iter(|| look_angles(black_box(&site), black_box(92.2)))
    });
    let date = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
    c.bench_function("wmm2025 declination", |b| {
        b.iter(|| declination(black_box(31.14), black_box(97.17), black_box(3.24), date))
    });
    let gga = b"$GNGGA,021152.000,2929.000108,N,10629.000282,E,1,15,0.66,323.232,M,-37.445,M,,*53";
    c.bench_function("nmea parse GGA", |b| b.iter(|| parse(black_box(gga))));
    let cat = Catalogue::builtin();
    let req = Request {
        site,
        target: cat.resolve("92.2E").unwrap(),
        date,
        offset_deg: Some(22.6),
        tz: FixedOffset::east_opt(8 * 3600).unwrap(),
    };
    c.bench_function("full report (incl. WMM and sun search)", |b| {
        b.iter(|| compute(black_box(&req)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
