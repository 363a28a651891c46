"""Test hosts for ops/cluster.py: network namespaces on one bridge, the processes in them, and
their teardown. Linux only, as root (iproute2's `ip netns`, veth pairs and a bridge).

Every namespace, veth and the bridge is named with PREFIX, so that a later run can find and
remove what a killed run left behind, and nothing else. The namespaces get an address on the
bridge's /24 and no default route: they reach each other and nothing beyond the bridge. IPv6 is
off on every interface the cluster makes, so no router solicitation or multicast leaves them.
"""

import fcntl
import os
import signal
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

PREFIX = "fcl-"
BRIDGE = f"{PREFIX}br0"
SUBNET = "10.213.0"  # a /24: the bridge is .1 (the script's own address), the hosts the rest
LOCK_FILE = Path("/run/lock/factcheck-cluster.lock")
TEMP_PREFIX = "factcheck-cluster-"


def ip(*args: str, check: bool = True) -> str:
    """Run `ip ARGS` and return its output; raise with its error when it fails and `check`."""
    done = subprocess.run(["ip", *args], capture_output=True, text=True)
    if check and done.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


def _ipv6_off(interface: str) -> None:
    Path(f"/proc/sys/net/ipv6/conf/{interface}/disable_ipv6").write_text("1")


@dataclass
class Host:
    """One namespace with one address on the bridge, and the processes started in it."""

    name: str
    address: str
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def netns(self) -> str:
        return f"{PREFIX}{self.name}"

    def command(self, argv: Sequence[str], user: str | None = None) -> list[str]:
        """`argv` run inside this host's namespace (as `user`, without a fork of its own, so
        that the process started is the program itself)."""
        prefix = ["ip", "netns", "exec", self.netns]
        if user:
            prefix += ["setpriv", f"--reuid={user}", f"--regid={user}", "--init-groups", "--"]
        return [*prefix, *argv]

    def start(
        self,
        argv: Sequence[str],
        *,
        log: Path,
        env: dict[str, str],
        user: str | None = None,
        cwd: Path | None = None,
    ) -> subprocess.Popen[bytes]:
        """Start `argv` in this host, its output appended to `log`."""
        with log.open("ab") as out:
            proc = subprocess.Popen(
                self.command(argv, user),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=cwd,
                start_new_session=True,  # the terminal's Ctrl-C reaches the script alone
            )
        self.procs.append(proc)
        return proc

    def run(
        self,
        argv: Sequence[str],
        *,
        env: dict[str, str],
        user: str | None = None,
        cwd: Path | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run `argv` in this host to its end; raise with its output if it fails."""
        done = subprocess.run(
            self.command(argv, user),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            env=env,
            cwd=cwd,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{self.name}: {' '.join(argv)} failed:\n{done.stdout}{done.stderr}")
        return done

    def pids(self) -> list[int]:
        """Every process in this host's namespace, whoever started it."""
        return [int(pid) for pid in ip("netns", "pids", self.netns, check=False).split()]

    def kill(self) -> int:
        """kill -9 every process in the namespace (again, until none is left: a dying parent
        may fork); return how many were killed."""
        killed: set[int] = set()
        for _ in range(50):
            pids = self.pids()
            if not pids:
                break
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                    killed.add(pid)
                except ProcessLookupError:
                    pass
            time.sleep(0.1)
        for proc in self.procs:
            proc.wait(10)
        return len(killed)

    def stop(self, sig: signal.Signals, timeout: float) -> None:
        """Send `sig` to the processes this script started here and wait up to `timeout`
        seconds for them; then kill -9 whatever is left in the namespace."""
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(sig)
        deadline = time.monotonic() + timeout
        for proc in self.procs:
            try:
                proc.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        self.kill()


class Network:
    """A bridge and the hosts on it. `teardown` removes all of it, whatever state it is in."""

    def __init__(self) -> None:
        self.hosts: dict[str, Host] = {}
        self.bridge_up = False

    def up(self) -> None:
        ip("link", "add", BRIDGE, "type", "bridge")
        self.bridge_up = True
        _ipv6_off(BRIDGE)
        ip("addr", "add", f"{SUBNET}.1/24", "dev", BRIDGE)
        ip("link", "set", BRIDGE, "up")

    def add(self, name: str, last_octet: int) -> Host:
        """A new namespace with a veth pair: `eth0` inside, on the bridge outside."""
        host = Host(name, f"{SUBNET}.{last_octet}")
        ip("netns", "add", host.netns)
        self.hosts[name] = host
        inside = ["ip", "netns", "exec", host.netns]
        subprocess.run([*inside, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"], check=True)
        subprocess.run(
            [*inside, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1"], check=True
        )
        ip("link", "add", host.netns, "type", "veth", "peer", "name", "eth0", "netns", host.netns)
        _ipv6_off(host.netns)
        ip("link", "set", host.netns, "master", BRIDGE, "up")
        ip("-n", host.netns, "addr", "add", f"{host.address}/24", "dev", "eth0")
        ip("-n", host.netns, "link", "set", "eth0", "up")
        ip("-n", host.netns, "link", "set", "lo", "up")
        return host

    def remove(self, host: Host) -> int:
        """kill -9 every process of `host`, then delete its namespace (and with it its veth
        pair); return how many processes were killed."""
        killed = host.kill()
        ip("netns", "del", host.netns)
        # A socket still closing towards a peer that is gone keeps the namespace alive for
        # minutes after its name is deleted, and its veth with it: delete the veth now.
        ip("link", "del", host.netns, check=False)
        del self.hosts[host.name]
        return killed

    def teardown(self, gentle: dict[str, signal.Signals]) -> list[str]:
        """Stop every host and delete every namespace and the bridge; return what was done.

        Hosts named in `gentle` get that signal first (PostgreSQL's fast shutdown leaves no
        shared memory behind), the rest kill -9. Each step runs even if an earlier one failed."""
        done, errors = [], []
        hosts = list(self.hosts.values())
        for host in sorted(hosts, key=lambda h: h.name in gentle):  # the gentle ones last
            try:
                if host.name in gentle:
                    host.stop(gentle[host.name], timeout=15)
                else:
                    host.kill()
            except Exception as exc:
                errors.append(f"stopping {host.name}: {exc}")
        for host in hosts:
            try:
                self.remove(host)
            except Exception as exc:
                errors.append(f"removing {host.netns}: {exc}")
        done.append(f"{len(hosts)} namespaces with their veth pairs")
        if self.bridge_up:
            try:
                ip("link", "del", BRIDGE)
                self.bridge_up = False
                done.append(f"the bridge {BRIDGE}")
            except Exception as exc:
                errors.append(f"removing {BRIDGE}: {exc}")
        return done + [f"FAILED {error}" for error in errors]


def lock() -> IO[str]:
    """Hold the cluster's lock for the life of the returned file: one cluster at a time on a
    machine, since the names and addresses are fixed. Exits if another run holds it."""
    LOCK_FILE.parent.mkdir(parents=True, exist_ok=True)
    handle = LOCK_FILE.open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise SystemExit(f"Another cluster run holds {LOCK_FILE}; wait for it to end.") from None
    return handle


def leftovers_remove(temp_root: Path) -> list[str]:
    """Remove what a run that was killed outright left: processes in PREFIX namespaces (a
    PostgreSQL gets its fast shutdown first), the namespaces, PREFIX links and old temporary
    folders. Precondition: the caller holds lock(), so no other run owns them."""
    found = []
    names = [line.split()[0] for line in ip("netns", "list").splitlines() if line.strip()]
    for netns in names:
        if not netns.startswith(PREFIX):
            continue
        host = Host(netns.removeprefix(PREFIX), "")
        postgres = False
        for pid in host.pids():
            try:
                if Path(f"/proc/{pid}/comm").read_text().strip() == "postgres":
                    os.kill(pid, signal.SIGINT)  # the postmaster takes it; backends ignore it
                    postgres = True
            except (OSError, ProcessLookupError):
                pass
        deadline = time.monotonic() + 10
        while postgres and host.pids() and time.monotonic() < deadline:
            time.sleep(0.2)
        host.kill()
        ip("netns", "del", netns)
        found.append(f"namespace {netns}")
    for line in ip("-o", "link", "show").splitlines():
        link = line.split(":")[1].strip().split("@")[0]
        if link.startswith(PREFIX):
            ip("link", "del", link, check=False)
            found.append(f"link {link}")
    for folder in temp_root.glob(f"{TEMP_PREFIX}*"):
        subprocess.run(["rm", "-rf", str(folder)], check=False)
        found.append(f"folder {folder}")
    return found
