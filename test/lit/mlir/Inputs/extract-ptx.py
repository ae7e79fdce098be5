"""Prints the PTX of each gpu.binary object that gpu-module-to-binary made
with format=isa (the `assembly` string, whose escapes are MLIR's: \\XX in
hex, \\\\ and \\")."""
import re
import sys

text = sys.stdin.read()
found = re.findall(r'assembly = "((?:[^"\\]|\\.)*)"', text)
if not found:
    sys.exit("extract-ptx: no gpu.binary assembly in the input")
for escaped in found:
    raw = re.sub(r'\\([0-9A-Fa-f]{2})|\\(.)',
                 lambda m: chr(int(m.group(1), 16)) if m.group(1) else m.group(2),
                 escaped)
    sys.stdout.write(raw)
