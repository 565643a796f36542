"""Run a student's kernel with as little power as the platform allows.

``python -m grader.sandbox POLICY.json -- COMMAND...`` applies a :class:`Policy`
to its own process, then ``exec``s COMMAND (the kernel). What is guaranteed
where (also in the README):

- Linux, as root: a new mount and network namespace. The course root and the
  grading scratch folder are covered by empty read-only filesystems, with only
  the Python environment and the course package bound back read-only and the
  kernel's working folder bound back writable; no network interface is up (the
  kernel talks to the grader over Unix sockets). The kernel then runs as an
  unprivileged user of its own with no way to regain privileges.
  Where the memory cgroup is writable (v1, or v2 with the memory controller),
  the kernel gets a cgroup of its own whose limit the OOM killer enforces.
- Everywhere (POSIX): resource limits (address space at 4x the memory limit, CPU
  seconds, processes, file size, no core dumps), a scrubbed environment, the
  working folder outside the course root.
- Elsewhere (not root, macOS, Windows): no file or network isolation. Grade only
  on Linux as root, or in a container, when submissions may be hostile.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import resource
import stat
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

CLONE_NEWNS, CLONE_NEWNET = 0x00020000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT = 1, 2, 4, 32
MS_BIND, MS_REC, MS_PRIVATE = 4096, 16384, 1 << 18
PR_SET_NO_NEW_PRIVS = 38
GiB = 1 << 30

# Variables a kernel may inherit; everything else (tokens, credentials, the
# grader's own settings) is dropped.
PASS_THROUGH = ("PATH", "LANG", "LC_ALL", "TZ", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                "OPENBLAS_NUM_THREADS", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE",
                "COURSE_GRADING", "COURSE_FAST", "COURSE_DATA", "CI", "PYTHONPATH")


@dataclass
class Limits:
    memory_bytes: int = 4 * GiB        # resident memory (cgroup); address space: 4x
    cpu_seconds: int = 1800            # CPU time of the kernel
    processes: int = 512               # threads count too
    file_bytes: int = 1 * GiB          # largest file the kernel may write


@dataclass
class Policy:
    workdir: str                                      # the kernel's cwd, writable
    hide: list[str] = field(default_factory=list)     # folders to cover
    keep: list[str] = field(default_factory=list)     # folders inside them to bind back
    writable: list[str] = field(default_factory=list) # kept folders the kernel may write
    uid: int = 65534                                  # user to become (when root)
    limits: Limits = field(default_factory=Limits)
    isolate: bool = True                              # namespaces when possible

    @classmethod
    def from_json(cls, text: str) -> "Policy":
        data = json.loads(text)
        data["limits"] = Limits(**data.get("limits", {}))
        return cls(**data)

    def to_json(self) -> str:
        return json.dumps(asdict(self))


def scrubbed_env(extra: dict[str, str] | None = None, home: str | None = None) -> dict:
    """The environment a kernel starts with: :data:`PASS_THROUGH` and ``extra``."""
    env = {k: os.environ[k] for k in PASS_THROUGH if k in os.environ}
    if home:
        env.update(HOME=home, MPLCONFIGDIR=os.path.join(home, ".matplotlib"))
    env.update(extra or {})
    return env


def can_isolate() -> bool:
    """True where :func:`isolate` works: Linux, as root."""
    return sys.platform.startswith("linux") and os.geteuid() == 0


def _libc():
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    libc.mount.argtypes = [ctypes.c_char_p] * 3 + [ctypes.c_ulong, ctypes.c_char_p]
    return libc


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"sandbox: {what}: {os.strerror(err)}")


def _mount(libc, source, target, fstype, flags, data=None) -> None:
    enc = (lambda s: s.encode() if s is not None else None)
    _check(libc.mount(enc(source), enc(target), enc(fstype), flags, enc(data)),
           f"mount {source} on {target}")


def _inside(path: str, folders: list[str]) -> bool:
    return any(path == f or path.startswith(f.rstrip("/") + "/") for f in folders)


def _closed_parents(paths: list[str]) -> list[str]:
    """Folders above ``paths`` that other users cannot enter (``/root`` is 0700): they
    are covered too, so that a kept folder under one is reachable after the uid drop."""
    closed = set()
    for path in paths:
        for parent in Path(path).parents:
            if parent != Path("/") and not parent.stat().st_mode & stat.S_IXOTH:
                closed.add(str(parent))
    return sorted(closed)


def isolate(policy: Policy) -> None:
    """New mount and network namespaces; hide folders, bind back what is kept."""
    libc = _libc()
    _check(libc.unshare(CLONE_NEWNS | CLONE_NEWNET), "unshare")
    _mount(libc, None, "/", None, MS_REC | MS_PRIVATE)
    hide = [*policy.hide, *(p for p in _closed_parents(policy.keep) if p not in policy.hide)]
    kept = [p for p in policy.keep if _inside(p, hide)]
    fds = {path: os.open(path, os.O_PATH | os.O_DIRECTORY) for path in kept}
    for folder in hide:
        _mount(libc, "tmpfs", folder, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
    for path, fd in fds.items():
        os.makedirs(path, exist_ok=True)
        _mount(libc, f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC)
        if path not in policy.writable:
            _mount(libc, None, path, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID)
        os.close(fd)
    for folder in hide:
        _mount(libc, None, folder, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


def drop_privileges(policy: Policy) -> None:
    """Become ``policy.uid`` for good; it owns the writable folders."""
    for folder in [policy.workdir, *policy.writable]:
        for base, dirs, files in os.walk(folder):
            for name in [base, *(os.path.join(base, n) for n in dirs + files)]:
                os.lchown(name, policy.uid, policy.uid)
    _libc().prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    os.setgroups([])
    os.setgid(policy.uid)
    os.setuid(policy.uid)


def memory_cgroup() -> tuple[Path, str] | None:
    """This process's memory cgroup folder and its limit file, when we may write it
    (cgroup v1, or v2 with the memory controller)."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
        v2_controllers = Path("/sys/fs/cgroup/cgroup.controllers")
        v2 = v2_controllers.is_file() and "memory" in v2_controllers.read_text().split()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if "memory" in controllers.split(","):
            found = Path("/sys/fs/cgroup/memory") / path.lstrip("/"), "memory.limit_in_bytes"
        elif controllers == "" and v2:
            found = Path("/sys/fs/cgroup") / path.lstrip("/"), "memory.max"
        else:
            continue
        return found if os.access(found[0], os.W_OK) else None
    return None


def confine_memory(limit: int) -> bool:
    """Move this process into a memory cgroup of its own: past ``limit`` bytes the
    kernel's OOM killer ends it (the grading reports kernel_died)."""
    found = memory_cgroup()
    if found is None:
        return False
    base, limit_file = found
    group = base / f"grader-{os.getpid()}"
    try:
        group.mkdir(exist_ok=True)
        (group / limit_file).write_text(str(limit))
        (group / "cgroup.procs").write_text(str(os.getpid()))
    except OSError:
        return False
    return True


def remove_empty_cgroups() -> None:
    """Remove the memory cgroups of kernels that have ended (busy ones stay)."""
    found = memory_cgroup()
    for group in found[0].glob("grader-*") if found else ():
        try:
            group.rmdir()
        except OSError:
            pass


def set_limits(limits: Limits) -> None:
    wanted = {"RLIMIT_AS": 4 * limits.memory_bytes, "RLIMIT_CPU": limits.cpu_seconds,
              "RLIMIT_NPROC": limits.processes, "RLIMIT_FSIZE": limits.file_bytes,
              "RLIMIT_CORE": 0}
    for name, value in wanted.items():
        resource.setrlimit(getattr(resource, name), (value, value))


def apply(policy: Policy) -> str:
    """Apply ``policy`` to this process; return the isolation level reached."""
    level = "limits"
    if policy.isolate and can_isolate():
        confine_memory(policy.limits.memory_bytes)
        isolate(policy)
        drop_privileges(policy)
        level = "namespaces"
    if os.name == "posix":
        set_limits(policy.limits)
    os.chdir(policy.workdir)
    return level


def main(argv: list[str]) -> None:
    if len(argv) < 3 or argv[1] != "--":
        sys.exit("usage: python -m grader.sandbox POLICY.json -- COMMAND...")
    with open(argv[0]) as f:
        policy = Policy.from_json(f.read())
    apply(policy)
    os.execvp(argv[2], argv[2:])


if __name__ == "__main__":
    main(sys.argv[1:])
