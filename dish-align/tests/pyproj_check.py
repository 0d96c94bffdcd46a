#!/usr/bin/env python3
"""Cross-check dish-align's look angles against PROJ (through pyproj).

Input: a JSON file written by tests/pyproj.rs: a list of
  {"lat", "lon", "h", "sat", "az", "el", "range_km", "skew"}
computed by the Rust library for random sites and satellites.

For each case PROJ computes, independently of the Rust code:
  - the satellite's ECEF position is taken on the geostationary ring (r = 42164.17 km);
  - PROJ's `topocentric` conversion (WGS84) turns it into east/north/up at the site;
  - the site's ECEF position comes from EPSG:4979 -> EPSG:4978 and must put the site at the
    topocentric origin;
  - azimuth = atan2(E, N), elevation = atan2(U, hypot(E, N)), range = |ENU|;
  - skew: the Earth's axis is carried through the same (affine) topocentric conversion and
    the exact vector method is applied in the site's frame.
Every difference must be within 1e-6 degrees (1e-6 km for range). Exit status 0 only then;
a missing pyproj is a failure, not a skip.
"""
import json
import math
import sys

try:
    import pyproj
    from pyproj import Transformer
except ImportError:
    print("pyproj is not installed: run dish-align/tests/setup.sh (pip install pyproj)", file=sys.stderr)
    sys.exit(1)

GEO_R = 42_164_170.0
TOL_DEG = 1e-6
TOL_KM = 1e-6


def angle_diff(a, b):
    return abs((a - b + 180.0) % 360.0 - 180.0)


def skew_in_enu(d, axis):
    """Signed angle about the line of sight d from the local vertical to the satellite's vertical,
    folded to [-90, 90)."""
    n = math.sqrt(sum(x * x for x in d))
    d = [x / n for x in d]
    up = [0.0, 0.0, 1.0]

    def proj(v):
        k = sum(a * b for a, b in zip(v, d))
        return [a - k * b for a, b in zip(v, d)]

    p = proj(axis)
    v = proj(up)
    c = [v[1] * p[2] - v[2] * p[1], v[2] * p[0] - v[0] * p[2], v[0] * p[1] - v[1] * p[0]]
    ang = math.degrees(math.atan2(sum(a * b for a, b in zip(c, d)), sum(a * b for a, b in zip(v, p))))
    r = (ang + 90.0) % 180.0 - 90.0
    return r - 180.0 if r >= 90.0 else r


def main():
    if len(sys.argv) != 2:
        print("usage: pyproj_check.py CASES.json", file=sys.stderr)
        return 2
    with open(sys.argv[1]) as f:
        cases = json.load(f)
    geod_to_ecef = Transformer.from_crs("EPSG:4979", "EPSG:4978", always_xy=True)
    worst = {"az": 0.0, "el": 0.0, "range_km": 0.0, "skew": 0.0, "origin_m": 0.0}
    bad = []
    sites = set()
    for c in cases:
        lat, lon, h, sat = c["lat"], c["lon"], c["h"], c["sat"]
        sites.add((lat, lon, h))
        topo = Transformer.from_pipeline(
            f"+proj=topocentric +ellps=WGS84 +lat_0={lat!r} +lon_0={lon!r} +h_0={h!r}"
        )
        sx, sy, sz = GEO_R * math.cos(math.radians(sat)), GEO_R * math.sin(math.radians(sat)), 0.0
        e, n, u = topo.transform(sx, sy, sz)
        # The site itself must map to the origin (PROJ's own geodetic -> ECEF).
        px, py, pz = geod_to_ecef.transform(lon, lat, h)
        oe, on, ou = topo.transform(px, py, pz)
        origin = math.sqrt(oe * oe + on * on + ou * ou)
        az = math.degrees(math.atan2(e, n)) % 360.0
        el = math.degrees(math.atan2(u, math.hypot(e, n)))
        rng = math.sqrt(e * e + n * n + u * u) / 1000.0
        # Earth's axis in the topocentric frame: difference of two transformed points.
        a0 = topo.transform(0.0, 0.0, 0.0)
        a1 = topo.transform(0.0, 0.0, 1_000_000.0)
        axis = [(a1[i] - a0[i]) / 1_000_000.0 for i in range(3)]
        skew = skew_in_enu([e, n, u], axis)
        diffs = {
            "az": angle_diff(az, c["az"]),
            "el": abs(el - c["el"]),
            "range_km": abs(rng - c["range_km"]),
            "skew": angle_diff(skew, c["skew"]) if abs(abs(skew) - 90.0) > 1e-3 else min(
                angle_diff(skew, c["skew"]), angle_diff(skew + 180.0, c["skew"])),
            "origin_m": origin,
        }
        for k, v in diffs.items():
            worst[k] = max(worst[k], v)
        if (diffs["az"] > TOL_DEG or diffs["el"] > TOL_DEG or diffs["skew"] > TOL_DEG
                or diffs["range_km"] > TOL_KM or origin > 1e-3):
            bad.append((c, {"az": az, "el": el, "range_km": rng, "skew": skew}, diffs))
    print(
        f"pyproj {pyproj.__version__} (PROJ {pyproj.proj_version_str}): {len(cases)} cases, "
        f"{len(sites)} sites; worst |d az| {worst['az']:.3e} deg, |d el| {worst['el']:.3e} deg, "
        f"|d skew| {worst['skew']:.3e} deg, |d range| {worst['range_km']:.3e} km"
    )
    if len(sites) < 1000:
        print(f"FAIL: only {len(sites)} distinct sites (need >= 1000)", file=sys.stderr)
        return 1
    if bad:
        for c, p, d in bad[:10]:
            print(f"MISMATCH {c} pyproj={p} diff={d}", file=sys.stderr)
        print(f"FAIL: {len(bad)} of {len(cases)} cases beyond 1e-6 deg", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
