#!/usr/bin/env python3
"""Peer for time-to-first-result: pyserial + pynmea2 at a known 9600 baud, reading until the
first GGA with a fix, then the look angles with pyproj. Usage: peer_first_fix.py PORT"""
import math
import sys

import pynmea2
import serial
from pyproj import Transformer

GEO_R = 42_164_170.0
SAT = 92.2

port = serial.Serial(sys.argv[1], 9600, timeout=0.1)
t = Transformer.from_crs("EPSG:4979", "EPSG:4978", always_xy=True)
buf = b""
while True:
    buf += port.read(256)
    while b"\n" in buf:
        line, buf = buf.split(b"\n", 1)
        try:
            msg = pynmea2.parse(line.decode("ascii", "replace").strip(), check=True)
        except pynmea2.ParseError:
            continue
        if isinstance(msg, pynmea2.types.talker.GGA) and msg.gps_qual and int(msg.gps_qual) > 0:
            lat, lon = msg.latitude, msg.longitude
            h = float(msg.altitude or 0) + float(msg.geo_sep or 0)
            x, y, z = t.transform(lon, lat, h)
            sl, cl = math.sin(math.radians(lat)), math.cos(math.radians(lat))
            so, co = math.sin(math.radians(lon)), math.cos(math.radians(lon))
            dx, dy, dz = GEO_R * math.cos(math.radians(SAT)) - x, GEO_R * math.sin(math.radians(SAT)) - y, -z
            e, n = -so * dx + co * dy, -sl * co * dx - sl * so * dy + cl * dz
            u = cl * co * dx + cl * so * dy + sl * dz
            print(math.degrees(math.atan2(e, n)) % 360, math.degrees(math.atan2(u, math.hypot(e, n))))
            sys.exit(0)
