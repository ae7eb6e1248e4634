"""Helpers for checking an exported model against `dlc predict`.

  ort_vs_predict.py digit IMAGES.idx.gz ROW OUT.bin
      writes image ROW of an IDX u8 file as raw bytes (ONNX Runtime's input)
  ort_vs_predict.py digit-f32 IMAGES.idx.gz ROW OUT.bin
      the same as little-endian f32 values 0..255 (an imported model's input)
  ort_vs_predict.py compare PREDICT.txt PROBABILITIES.bin
      the class probabilities `dlc predict` printed (4 decimals) and the
      f32 ones ONNX Runtime wrote must agree to the printed precision
"""
import gzip
import struct
import sys


def digit(images, row, out, as_f32=False):
    with gzip.open(images) as f:
        data = f.read()
    _, _, _, rank = struct.unpack(">BBBB", data[:4])
    dims = struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank])
    size = 1
    for d in dims[1:]:
        size *= d
    start = 4 + 4 * rank + row * size
    pixels = data[start:start + size]
    with open(out, "wb") as f:
        f.write(struct.pack("<%df" % size, *pixels) if as_f32 else pixels)


def compare(predict_text, probabilities_bin):
    printed = {}
    in_table = False
    for line in open(predict_text):
        if line.startswith("Class probabilities:"):
            in_table = True
            continue
        fields = line.split()
        if in_table and len(fields) >= 2 and fields[0].isdigit():
            printed[int(fields[0])] = float(fields[1])
    with open(probabilities_bin, "rb") as f:
        data = f.read()
    ort = struct.unpack("<%df" % (len(data) // 4), data)
    if sorted(printed) != list(range(len(ort))):
        sys.exit("dlc predict printed classes %s, ONNX Runtime gave %d" % (sorted(printed), len(ort)))
    for k, p in enumerate(ort):
        if abs(p - printed[k]) > 5.1e-5:
            sys.exit("class %d: dlc predict %.4f, ONNX Runtime %.6f" % (k, printed[k], p))
    print("%d probabilities agree" % len(ort))


if __name__ == "__main__":
    if sys.argv[1] in ("digit", "digit-f32"):
        digit(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[1] == "digit-f32")
    else:
        compare(sys.argv[2], sys.argv[3])
