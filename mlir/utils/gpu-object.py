"""Writes the contents of the gpu.binary objects that gpu-module-to-binary
made: with `assembly` (format=isa) the PTX, with `offload` (format=llvm) the
LLVM bitcode. MLIR escapes bytes in the string as \\XX in hex, and \\\\ and
\\". Usage: gpu-object.py assembly|offload < module.mlir > object"""
import re
import sys

field = sys.argv[1]
text = sys.stdin.read()
found = re.findall(field + r' = "((?:[^"\\]|\\.)*)"', text)
if not found:
    sys.exit(f"gpu-object: no gpu.binary {field} in the input")
for escaped in found:
    data = bytearray()
    i = 0
    while i < len(escaped):
        c = escaped[i]
        if c == "\\" and re.match(r"[0-9A-Fa-f]{2}", escaped[i + 1:i + 3]):
            data.append(int(escaped[i + 1:i + 3], 16))
            i += 3
        elif c == "\\":
            data.extend(escaped[i + 1].encode())
            i += 2
        else:
            data.extend(c.encode())
            i += 1
    sys.stdout.buffer.write(bytes(data))
