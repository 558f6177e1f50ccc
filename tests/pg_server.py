"""A throwaway PostgreSQL cluster for the tests and benches: Debian's binaries, a socket in a temporary folder.

``initdb`` refuses to run as root, so as root the cluster is made and run by
the unprivileged ``postgres`` user (``runuser``), in a folder it owns. No TCP
port is opened (``listen_addresses=''``); clients reach it through the unix
socket, ``postgresql:///DB?host=FOLDER``. ``fsync=off``: nothing here must
survive a power cut.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path


def binaries() -> Path | None:
    """The newest installed ``/usr/lib/postgresql/<version>/bin`` holding initdb, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    return Path(found[-1]).parent if found else None


def run_program(bin_dir: Path, program: str, *args, cwd: Path, label: str = "") -> str:
    """Run one of PostgreSQL's programs (as ``postgres`` when we are root, since initdb refuses root); its output,
    or RuntimeError with its message (``label`` names the server when there are several)."""
    command = [str(bin_dir / program), *map(str, args)]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    done = subprocess.run(command, check=False, capture_output=True, text=True, cwd=cwd)
    if done.returncode:
        raise RuntimeError(f"{label}{program} failed: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


class Server:
    """One running cluster; ``url(db)`` addresses a database on it, ``stop()`` removes everything."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="newsgrep-pg-"))
        self.data = self.root / "data"
        self.socket = self.root  # the socket folder: short, so the path fits a unix socket name
        self.as_postgres = os.geteuid() == 0
        self.databases: list[str] = []
        if self.as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        self._run("initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8")
        options = f"-c fsync=off -c full_page_writes=off -c listen_addresses='' -c unix_socket_directories={self.socket}"
        self._run("pg_ctl", "-D", self.data, "-o", options, "-l", self.root / "log", "-w", "start")

    def _run(self, program: str, *args) -> None:
        run_program(self.bin, program, *args, cwd=self.root)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@/{database}?host={self.socket}"

    def create_database(self, name: str) -> str:
        """A new empty database; its URL."""
        self._run("createdb", "-h", self.socket, "-U", "postgres", name)
        self.databases.append(name)
        return self.url(name)

    def require_password(self, role: str) -> None:
        """Make ``role`` log in with its password (everyone else is trusted)."""
        hba = self.data / "pg_hba.conf"
        hba.write_text(f"local all {role} scram-sha-256\n" + hba.read_text())
        self._run("pg_ctl", "-D", self.data, "reload")

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", self.data, "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
