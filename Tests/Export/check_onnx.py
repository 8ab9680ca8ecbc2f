#!/usr/bin/python3
# onnx.checker.check_model(full_check=True) on every file given; used by the export tests.
# Requires Debian's python3-onnx (scripts/setup.sh installs it). Version 1.
# usage: /usr/bin/python3 check_onnx.py FILE.onnx...   -> one line per file, exit 1 if any fails
import sys

try:
    import onnx
except ImportError:
    print("python3-onnx is missing: apt-get install python3-onnx (scripts/setup.sh installs it)")
    sys.exit(2)

failed = 0
for path in sys.argv[1:]:
    try:
        onnx.checker.check_model(onnx.load(path), full_check=True)
        print(f"OK {path}")
    except Exception as e:  # the checker raises several types; report them all
        failed += 1
        print(f"FAIL {path}: {type(e).__name__}: {e}".replace("\n", " "))
sys.exit(1 if failed else 0)
