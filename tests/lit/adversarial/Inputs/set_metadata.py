#!/usr/bin/env python3
"""Copies a safetensors checkpoint with some "__metadata__" entries changed.

Usage: set_metadata.py IN OUT KEY=VALUE...  (VALUE "-" removes the key)"""
import json, struct, sys
src, dst = sys.argv[1:3]
b = open(src, 'rb').read(); n = struct.unpack('<Q', b[:8])[0]
h = json.loads(b[8:8 + n]); data = b[8 + n:]
for kv in sys.argv[3:]:
    k, v = kv.split('=', 1)
    if v == '-': h['__metadata__'].pop(k)
    else: h['__metadata__'][k] = v
t = json.dumps(h, separators=(',', ':')).encode(); t += b' ' * (-len(t) % 8)
open(dst, 'wb').write(struct.pack('<Q', len(t)) + t + data)
