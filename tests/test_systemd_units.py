"""The systemd units in deploy/systemd, checked the two ways a machine without systemd as PID 1 can:
``systemd-analyze verify`` reads them as systemd would (directives, paths, dependencies), and their
own commands run as the units say — the environment file, the working directory, every
ExecStartPre in order, then ExecStart — until the portal answers and the worker makes its backup.

The units name /opt/portal and /etc/portal/portal.env (README, 部署 / Deployment); here both point
at this checkout and at a temporary folder, and the services run as the current user.
"""

from __future__ import annotations

import getpass
import os
import shlex
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UNITS = ROOT / "deploy" / "systemd"
ENV_FILE = ROOT / "deploy" / "portal.env"
INSTALL_DIR = "/opt/portal"


def render_unit(name: str, env_file: Path) -> str:
    """A unit as installed on this machine: this checkout for /opt/portal, this user for ``portal``."""
    text = (UNITS / name).read_text(encoding="utf-8")
    text = text.replace("/etc/portal/portal.env", str(env_file)).replace(INSTALL_DIR, str(ROOT))
    user = getpass.getuser()
    return text.replace("User=portal", f"User={user}").replace("Group=portal", f"Group={user}")


def directives(unit: str, name: str) -> list[str]:
    """The values of one directive, in order (``ExecStartPre`` may come several times)."""
    return [line.split("=", 1)[1] for line in unit.splitlines() if line.startswith(f"{name}=")]


def render_env(tmp: Path, port: int) -> Path:
    """deploy/portal.env with this machine's paths: the data folder in ``tmp``, the port free."""
    text = ENV_FILE.read_text(encoding="utf-8").replace(f"{INSTALL_DIR}/data", str(tmp / "data"))
    text = text.replace("PORT=8501", f"PORT={port}")
    path = tmp / "portal.env"
    path.write_text(text + f"PORTAL_COOKIE_KEY={'u' * 48}\n", encoding="utf-8")
    return path


def read_env(path: Path) -> dict:
    """An EnvironmentFile as systemd reads it: KEY=VALUE lines, # comments."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            out[key.strip()] = value.strip()
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_each_unit_passes_systemd_analyze_verify(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        if os.environ.get("PORTAL_REQUIRE_BROWSER"):
            pytest.fail("systemd-analyze is missing: .ci/run installs Debian's systemd")
        pytest.skip("systemd-analyze is not installed")
    env_file = render_env(tmp_path, free_port())
    names = sorted(p.name for p in UNITS.glob("*.service"))
    assert names == ["portal-worker.service", "portal.service"]
    for name in names:
        (tmp_path / name).write_text(render_unit(name, env_file), encoding="utf-8")
    # The folder first in the unit path, so that portal.service's Wants= finds the worker here.
    env = {**os.environ, "SYSTEMD_UNIT_PATH": f"{tmp_path}:"}
    result = subprocess.run([analyze, "verify", "--man=no", *(str(tmp_path / n) for n in names)],
                            capture_output=True, text=True, env=env, timeout=60, cwd=tmp_path)
    ours = [line for line in (result.stdout + result.stderr).splitlines() if "portal" in line]
    assert result.returncode == 0 and not ours, result.stdout + result.stderr


def test_the_units_commands_start_the_portal_and_the_worker_as_systemd_would(tmp_path):
    port = free_port()
    env_file = render_env(tmp_path, port)
    portal, worker = (render_unit(n, env_file) for n in ("portal.service", "portal-worker.service"))
    for unit in (portal, worker):
        assert directives(unit, "Restart") == ["on-failure"] and directives(unit, "NoNewPrivileges") == ["yes"]
        assert directives(unit, "EnvironmentFile") == [str(env_file)]
        assert directives(unit, "ReadWritePaths") == [f"{ROOT}/data"]  # the data folder only
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")} | read_env(env_file)
    (tmp_path / "data").mkdir()
    cwd = directives(portal, "WorkingDirectory")[0]
    run = {"cwd": cwd, "env": env, "capture_output": True, "text": True, "timeout": 120}

    pre = [shlex.split(c) for c in directives(portal, "ExecStartPre")]
    assert [c[-1] for c in pre] == ["init", "check-serve"]
    cli = pre[0][:-1]
    # The demo's logins still in the database: the unit does not start (check-serve fails).
    assert subprocess.run([*cli, "seed-demo", "--password", "Demo-2026-x"], **run).returncode == 0
    refused = subprocess.run(pre[1], **run)
    assert refused.returncode != 0 and "demo" in refused.stderr.lower(), refused.stderr
    # A bureau's own database: the first district admin made as the README says, then every
    # ExecStartPre in order.
    Path(env["PORTAL_DB"]).unlink()
    assert subprocess.run(pre[0], **run).returncode == 0
    made = subprocess.run([*cli, "create-user", "--username", "admin1", "--name", "管理员", "--role", "district_admin",
                           "--unit", "D00", "--unit-name", "海门区公安局", "--password", "Admin-2026-x"], **run)
    assert made.returncode == 0, made.stderr
    for command in pre:
        result = subprocess.run(command, **run)
        assert result.returncode == 0, result.stderr

    processes = []
    try:
        for unit in (portal, worker):
            (command,) = directives(unit, "ExecStart")
            processes.append(subprocess.Popen(shlex.split(command), cwd=cwd, env=env,
                                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        deadline, answer = time.monotonic() + 60, None
        while time.monotonic() < deadline and answer is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                    answer = r.status
            except OSError:
                time.sleep(0.5)
        assert answer == 200  # on the port of the environment file, as nginx expects
        backups = Path(env["PORTAL_BACKUP_DIR"])
        while time.monotonic() < deadline and not list(backups.glob("*")):
            time.sleep(0.5)
        assert list(backups.glob("*")), "the worker made no backup"  # it read the same environment
        assert all(p.poll() is None for p in processes)
    finally:
        for p in processes:
            p.terminate()
        for p in processes:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
    assert processes[1].returncode == 0  # SIGTERM, as systemctl stop sends: the worker ends cleanly
