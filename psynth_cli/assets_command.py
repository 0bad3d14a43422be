"""`psynth assets scan DIR|s3://BUCKET/PREFIX --out CATALOG.parquet`: catalog a 3D asset library.

Reads every GLB/glTF, OBJ, FBX, PLY, STL, USD/USDA/USDC/USDZ and .blend file, and every .exr/.hdr
environment image (its resolution; `hdris NAME "PATH"` draws those), with Blender in a pool of
processes (`psynth_render.asset_import.read_stats`); unreadable files are listed with their
error, never fatal. Run it again after a stop (or after the library changed) and it reads
only the files it has not read yet.
"""

import argparse
import sys

READER = "psynth_render.asset_import:read_stats"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="assets_command", metavar="ACTION", required=True)
    scan = sub.add_parser("scan", help="scan a folder or S3 prefix of 3D files and HDRIs into a catalog", description=__doc__)
    scan.add_argument("source", metavar="DIR|s3://BUCKET/PREFIX")
    scan.add_argument("--out", required=True, metavar="CATALOG.parquet", help="the catalog to write")
    scan.add_argument("--workers", type=int, default=None, help="reader processes (default: CPU count)")
    scan.add_argument("--quiet", action="store_true", help="no progress line")


def run(args: argparse.Namespace) -> int:
    import polars as pl

    from psynth_data.asset_catalog import read_catalog
    from psynth_data.asset_scan import scan_assets

    def progress(done: int, total: int) -> None:
        print(f"\rread {done}/{total} files", end="", file=sys.stderr, flush=True)

    report = scan_assets(args.source, args.out, READER, workers=args.workers, progress=None if args.quiet else progress)
    if report.read and not args.quiet:
        print(file=sys.stderr)
    rate = report.read / report.seconds if report.seconds > 0 else 0.0
    print(f"{report.path}: {report.files} files ({report.read} read, {report.files - report.read} unchanged) "
          f"in {report.seconds:.1f} s ({rate:.1f} files/s); {report.errors} unreadable")
    if report.errors:
        errors = read_catalog(report.path).filter(pl.col("error").is_not_null())
        for asset_id, error in errors.select("asset_id", "error").iter_rows():
            print(f"  {asset_id}: {error}")
    return 0
