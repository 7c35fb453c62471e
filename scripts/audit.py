"""Audit the pinned dependencies (requirements.lock) for known vulnerabilities.

Runs pip-audit against the package registry's vulnerability data. Where that
data cannot be reached (as on our offline machines, whose registry mirror has
no vulnerability API), it says so plainly and does not pretend to have audited.
Exit code 1 when a known vulnerability is found in a pinned package.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    cmd = [sys.executable, "-m", "pip_audit", "-r", str(ROOT / "requirements.lock"), "--vulnerability-service", "pypi",
           "--progress-spinner", "off", "--no-deps", "--disable-pip", "--format", "json"]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired:
        print("audit: pip-audit timed out; vulnerability data not reachable, audit NOT performed")
        return 0
    try:
        report = json.loads(proc.stdout or "{}")
    except json.JSONDecodeError:
        print(f"audit: pip-audit gave no report (exit {proc.returncode}); audit NOT performed\n{proc.stderr[-500:]}")
        return 0
    deps = report.get("dependencies", [])
    skipped = [d for d in deps if d.get("skip_reason")]
    audited = [d for d in deps if not d.get("skip_reason")]
    vulnerable = [d for d in audited if d.get("vulns")]
    if deps and not audited:
        print(f"audit: vulnerability data not reachable from here ({len(skipped)} of {len(deps)} pinned packages could not be looked up); audit NOT performed")
        return 0
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fix yet"
            print(f"audit: {dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixes})")
    print(f"audit: {len(audited)} packages audited, {len(skipped)} skipped, {len(vulnerable)} with known vulnerabilities")
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
