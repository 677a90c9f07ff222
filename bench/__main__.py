"""Run every benchmark module, write bench/results.json and print a table.

``python -m bench phone server_memory`` runs only the modules named; their figures replace the
same figures in results.json and the others stay.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

from bench import delivery, duty, foundation, phone, pushes, registry_map, server_memory, targets, tips
from bench.common import Env, timed
from lib.core.db import connect
from lib.demo import seeding

MODULES = [foundation, registry_map, delivery, pushes, tips, duty, phone, server_memory]
RESULTS = targets.RESULTS
PASSWORD = "bench-password"


def main(argv: list[str] | None = None) -> int:
    names = sys.argv[1:] if argv is None else argv
    known = {m.__name__.rsplit(".", 1)[-1]: m for m in MODULES}
    unknown = [n for n in names if n not in known]
    if unknown:
        print(f"unknown module(s) {unknown}; choose from {sorted(known)}")
        return 2
    modules = [known[n] for n in names] or MODULES
    os.environ.setdefault("PORTAL_COOKIE_KEY", "b" * 48)
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as tmp:
        tmp = Path(tmp)
        os.environ["PORTAL_SECRETS"] = str(tmp / "secrets.toml")
        print("Seeding the demo district at 1x and 10x …", flush=True)
        seed_1x, _ = timed(seeding.seed, connect(tmp / "1x.db"), password=PASSWORD, scale=1)
        seed_10x, _ = timed(seeding.seed, connect(tmp / "10x.db"), password=PASSWORD, scale=10)
        env = Env(db_1x=tmp / "1x.db", db_10x=tmp / "10x.db", tmp=tmp, password=PASSWORD)
        from bench.common import Figure

        figures = [Figure("demo_seed_1x", round(seed_1x, 3), "s", "generate + write, incl. bcrypt"),
                   Figure("demo_seed_10x", round(seed_10x, 3), "s")]
        failed = []
        for module in modules:
            started = time.perf_counter()
            try:
                figures += module.run(env)
            except Exception:  # one module's failure must not throw away what the others measured
                traceback.print_exc()
                failed.append(module.__name__)
            print(f"  {module.__name__}: {time.perf_counter() - started:.1f} s", flush=True)
    keep_old = names or failed  # a partial run replaces only what it measured
    results = json.loads(RESULTS.read_text(encoding="utf-8")) if keep_old and RESULTS.exists() else {}
    results |= {
        f.name: {"value": f.value, "unit": f.unit, "target": f.target, "pass": f.passed, **({"note": f.note} if f.note else {})}
        for f in figures
    }
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    targets.write_readme()  # the README's table shows what was just measured
    width = max(len(f.name) for f in figures)
    print(f"\n{'figure':<{width}}  {'value':>10}  {'target':>10}  result")
    for f in figures:
        target = "–" if f.target is None else f"≤ {f.target:g} {f.unit}"
        verdict = {True: "pass", False: "FAIL", None: "info"}[f.passed]
        print(f"{f.name:<{width}}  {f.value:>8g} {f.unit:<2}  {target:>10}  {verdict}")
    print(f"\nWritten to {RESULTS}")
    if failed:
        print(f"FAILED to measure (their figures keep the last run's values): {', '.join(failed)}")
    return 0 if all(f.passed is not False for f in figures) and not failed else 1


if __name__ == "__main__":
    sys.exit(main())
