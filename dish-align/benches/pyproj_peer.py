#!/usr/bin/env python3
"""Peer for the look-angle cost: the same geometry with pyproj (PROJ).

Two ways an application would do it with pyproj:
  cached   - one EPSG:4979->EPSG:4978 Transformer reused; ENU rotation and az/el in Python
  topo     - a PROJ topocentric pipeline built for the site, then one transform (what a
             one-shot tool does for each new position)
Prints nanoseconds per look-angle computation for each.
"""
import math
import time

from pyproj import Transformer

GEO_R = 42_164_170.0
LAT, LON, H, SAT = 31.14, 97.17, 3240.0, 92.2


def cached_factory():
    t = Transformer.from_crs("EPSG:4979", "EPSG:4978", always_xy=True)

    def look():
        x, y, z = t.transform(LON, LAT, H)
        sl, cl = math.sin(math.radians(LAT)), math.cos(math.radians(LAT))
        so, co = math.sin(math.radians(LON)), math.cos(math.radians(LON))
        dx = GEO_R * math.cos(math.radians(SAT)) - x
        dy = GEO_R * math.sin(math.radians(SAT)) - y
        dz = -z
        e = -so * dx + co * dy
        n = -sl * co * dx - sl * so * dy + cl * dz
        u = cl * co * dx + cl * so * dy + sl * dz
        return math.degrees(math.atan2(e, n)) % 360, math.degrees(math.atan2(u, math.hypot(e, n)))

    return look


def topo():
    t = Transformer.from_pipeline(
        f"+proj=topocentric +ellps=WGS84 +lat_0={LAT} +lon_0={LON} +h_0={H}")
    e, n, u = t.transform(GEO_R * math.cos(math.radians(SAT)), GEO_R * math.sin(math.radians(SAT)), 0.0)
    return math.degrees(math.atan2(e, n)) % 360, math.degrees(math.atan2(u, math.hypot(e, n)))


def per_call(f, n):
    f()
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(n):
            f()
        best = min(best, (time.perf_counter() - t0) / n)
    return best * 1e9


if __name__ == "__main__":
    print(f"pyproj cached transformer + python ENU: {per_call(cached_factory(), 20000):.0f} ns/call")
    print(f"pyproj topocentric pipeline per site:  {per_call(topo, 300):.0f} ns/call")
