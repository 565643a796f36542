"""Run a student's kernel with as little power as the platform allows.

``python -m grader.kernel.sandbox POLICY.json -- COMMAND...`` applies a :class:`Policy`
to its own process, then ``exec``s COMMAND (the kernel). What holds where (also in
the README's threat model):

- Linux, as root: the kernel gets a file system of its own, built from an
  allowlist and nothing else (deny by default): the Python environment, the
  ``course`` package and the grader's kernel-side guard read-only, its working,
  home and runtime folders writable, what Python and torch need from the system
  (``/usr``, the libraries, a few files of ``/etc``, ``/dev/null`` and friends, a
  private ``/tmp`` and ``/dev/shm``, a ``/proc`` that shows only its own processes,
  the CPU topology), and the GPU devices when the machine has them. Everything else
  on the machine (other courses and checkouts, solutions, answer keys, home
  folders) does not exist for it. It has no network, not even loopback (it talks to
  the grader over Unix sockets), runs as a user id of its own (100000 + its pid, so
  two kernels cannot signal or read each other), cannot regain privileges, and has
  a memory cgroup of its own where the cgroup is writable (the OOM killer ends a
  memory hog).
- Everywhere (POSIX): resource limits (address space at 4x the memory limit, CPU
  seconds, processes, file size, no core dumps), a scrubbed environment, the
  working folder outside the course.
- Elsewhere (not root, macOS, Windows): no file or network isolation: the kernel
  can read what the instructor can. Grade untrusted work only on Linux as root, or
  in a container.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import platform
import resource
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

from grader.kernel.limits import KernelLimits

CLONE_NEWNS, CLONE_NEWNET, CLONE_NEWIPC = 0x00020000, 0x40000000, 0x08000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT = 1, 2, 4, 8, 32
MS_BIND, MS_REC, MS_PRIVATE = 4096, 16384, 1 << 18
PR_SET_NO_NEW_PRIVS = 38

# Variables a kernel may inherit; everything else (tokens, credentials, the
# grader's own settings) is dropped.
PASS_THROUGH = ("PATH", "LANG", "LC_ALL", "TZ", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                "OPENBLAS_NUM_THREADS", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE",
                "COURSE_GRADING", "COURSE_FAST", "COURSE_DATA", "COURSE_OBSERVE", "COURSE_RECORD",
                "CI", "PYTHONPATH")


@dataclass
class Policy:
    workdir: str                                        # the kernel's cwd, writable
    read_only: list[str] = field(default_factory=list)  # what it may read (folders, files)
    writable: list[str] = field(default_factory=list)   # folders it may write
    masked: list[str] = field(default_factory=list)     # folders inside those, shown empty
    uid: int | None = None                              # user to become (default 100000+pid)
    limits: KernelLimits = field(default_factory=KernelLimits)
    isolate: bool = True                                # own file system, when possible

    @classmethod
    def from_json(cls, text: str) -> "Policy":
        data = json.loads(text)
        data["limits"] = KernelLimits(**data.get("limits", {}))
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
    libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
    return libc


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"sandbox: {what}: {os.strerror(err)}")


def _mount(libc, source, target, fstype, flags, data=None) -> None:
    enc = (lambda s: s.encode() if s is not None else None)
    _check(libc.mount(enc(source), enc(target), enc(fstype), flags, enc(data)),
           f"mount {source} on {target}")


# What Python, numpy and torch need from the system, read-only.
SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
          "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime",
          "/etc/timezone", "/etc/fonts", "/etc/mime.types", "/etc/os-release",
          "/etc/nsswitch.conf", "/sys/devices/system/cpu", "/sys/devices/system/node")
DEVICES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom")
GPU_DEVICES = ("/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools",
               "/dev/nvidia-modeset", "/dev/dri")
ROOT = "/tmp/.grader-sandbox-root"     # where each kernel's root is mounted (per namespace)
PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "arm64": 41}     # syscall numbers
MNT_DETACH = 2


def _inside(path: str, folders) -> bool:
    return any(path == f or path.startswith(f.rstrip("/") + "/") for f in folders)


def _gpu_devices() -> list[str]:
    found = [d for d in GPU_DEVICES if os.path.exists(d)]
    return found + sorted(str(p) for p in Path("/dev").glob("nvidia[0-9]*"))


class _Root:
    """A new root file system on a tmpfs, filled by bind mounts."""

    def __init__(self, libc, where: str):
        self.libc, self.where = libc, where
        os.makedirs(where, mode=0o700, exist_ok=True)
        _mount(libc, "tmpfs", where, "tmpfs", MS_NOSUID | MS_NODEV, "size=16m,mode=0755")

    def _target(self, path: str, is_dir: bool) -> str:
        target = self.where + path
        if is_dir:
            os.makedirs(target, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if not os.path.exists(target):
                open(target, "a").close()
        return target

    def bind(self, path: str, writable: bool = False, devices: bool = False) -> None:
        if os.path.islink(path) and os.path.dirname(path) == "/":
            os.symlink(os.readlink(path), self.where + path)     # /bin -> usr/bin
            return
        target = self._target(path, os.path.isdir(path))
        _mount(self.libc, path, target, None, MS_BIND | MS_REC)
        flags = MS_BIND | MS_REMOUNT | MS_NOSUID | (0 if devices else MS_NODEV)
        _mount(self.libc, None, target, None, flags | (0 if writable else MS_RDONLY))

    def tmpfs(self, path: str, options: str) -> None:
        _mount(self.libc, "tmpfs", self._target(path, True), "tmpfs",
               MS_NOSUID | MS_NODEV, options)

    def proc(self) -> None:
        target = self._target("/proc", True)
        flags = MS_NOSUID | MS_NODEV | MS_NOEXEC
        try:     # only the kernel's own processes: the others belong to other users
            _mount(self.libc, "proc", target, "proc", flags, "hidepid=invisible")
        except OSError:
            _mount(self.libc, "proc", target, "proc", flags, "hidepid=2")

    def link(self, path: str, to: str) -> None:
        os.symlink(to, self.where + path)

    def write(self, path: str, text: str) -> None:
        with open(self._target(path, False), "w") as f:
            f.write(text)

    def read_only(self, path: str = "") -> None:
        """Remount a tmpfs of this root (the root itself by default) read-only."""
        _mount(self.libc, None, self.where + path, None,
               MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)

    def enter(self) -> None:
        """Make this the root of the process (the old root is detached)."""
        os.chdir(self.where)
        number = PIVOT_ROOT.get(platform.machine())
        if number is not None and self.libc.syscall(number, b".", b".") == 0:
            _check(self.libc.umount2(b".", MNT_DETACH), "detach the old root")
        else:
            os.chroot(".")
        os.chdir("/")


def _by_depth(paths) -> list[str]:
    return sorted(set(paths), key=lambda p: (p.count("/"), p))


def _platform(root: _Root) -> None:
    """What every process expects besides files: devices, /tmp, /dev/shm, /proc."""
    root.tmpfs("/tmp", "size=2g,mode=1777")
    root.tmpfs("/dev/shm", "size=1g,mode=1777")
    for device in [*DEVICES, *_gpu_devices()]:
        root.bind(device, writable=True, devices=True)
    for fd, name in enumerate(("stdin", "stdout", "stderr")):
        root.link(f"/dev/{name}", f"/proc/self/fd/{fd}")
    root.link("/dev/fd", "/proc/self/fd")
    root.proc()


def _users(root: _Root, uid: int) -> None:
    home = os.environ.get("HOME", "/")
    root.write("/etc/passwd", f"root:x:0:0::/:/bin/false\nstudent:x:{uid}:{uid}::{home}:"
                              "/bin/false\n")
    root.write("/etc/group", f"root:x:0:\nstudent:x:{uid}:\n")


def isolate(policy: Policy, uid: int) -> None:
    """New mount, network and IPC namespaces and a root that holds only what
    ``policy`` and :data:`SYSTEM` allow (see the module docstring)."""
    libc = _libc()
    _check(libc.unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC), "unshare")
    _mount(libc, None, "/", None, MS_REC | MS_PRIVATE)
    root = _Root(libc, ROOT)
    _platform(root)
    visible = [p for p in [*SYSTEM, *policy.read_only] if os.path.lexists(p)]
    masked = [m for m in policy.masked if _inside(m, visible)]
    for path in _by_depth([*(p for p in visible if not _inside(p, masked)), *policy.writable]):
        root.bind(path, writable=path in policy.writable)
    for folder in _by_depth(masked):
        root.tmpfs(folder, "size=1m,mode=0755")
    for path in _by_depth(p for p in visible if _inside(p, masked) and p not in masked):
        root.bind(path)
    for folder in masked:
        root.read_only(folder)
    _users(root, uid)
    root.read_only()
    root.enter()


def drop_privileges(policy: Policy, uid: int) -> None:
    """Become ``uid`` for good; it owns the writable folders."""
    for folder in [policy.workdir, *policy.writable]:
        for base, dirs, files in os.walk(folder):
            for name in [base, *(os.path.join(base, n) for n in dirs + files)]:
                os.lchown(name, uid, uid)
    _libc().prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)


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


def set_limits(limits: KernelLimits) -> None:
    wanted = {"RLIMIT_AS": 4 * limits.memory_bytes, "RLIMIT_CPU": limits.cpu_seconds,
              "RLIMIT_NPROC": limits.processes, "RLIMIT_FSIZE": limits.file_bytes,
              "RLIMIT_CORE": 0}
    for name, value in wanted.items():
        resource.setrlimit(getattr(resource, name), (value, value))


def apply(policy: Policy) -> str:
    """Apply ``policy`` to this process; return the isolation level reached."""
    level = "limits"
    if policy.isolate and can_isolate():
        uid = policy.uid if policy.uid is not None else 100000 + os.getpid()
        confine_memory(policy.limits.memory_bytes)
        isolate(policy, uid)
        drop_privileges(policy, uid)
        level = "namespaces"
    if os.name == "posix":
        set_limits(policy.limits)
    os.chdir(policy.workdir)
    return level


def main(argv: list[str]) -> None:
    if len(argv) < 3 or argv[1] != "--":
        sys.exit("usage: python -m grader.kernel.sandbox POLICY.json -- COMMAND...")
    with open(argv[0]) as f:
        policy = Policy.from_json(f.read())
    apply(policy)
    os.execvp(argv[2], argv[2:])


if __name__ == "__main__":
    main(sys.argv[1:])
