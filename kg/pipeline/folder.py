"""The output folder: one build at a time (a lock), refuse to replace what is not kg's, and
swap the finished build in place of the previous outputs in one step."""
from __future__ import annotations

import os
import shutil
import sys
from contextlib import contextmanager
from pathlib import Path

from kg.errors import BuildError, OutputError
from kg.pipeline.manifest import MANIFEST


def output_error(exc: OSError, out: Path) -> OutputError:
    """A failure to write the output folder, as one line that says what, where and what to do."""
    import errno
    where = exc.filename or out
    advice = {errno.ENOSPC: "free some space or choose another --out",
              errno.EDQUOT: "free some space or choose another --out",
              errno.EROFS: "the file system is read-only: choose another --out",
              errno.EACCES: "kg may not write there: choose another --out",
              errno.EPERM: "kg may not write there: choose another --out"}.get(exc.errno,
                                                                                "choose another --out")
    return OutputError(f"cannot write {where}: {exc.strerror or exc}; {advice} "
                       f"(the previous outputs in {out} are left as they were)")


# ---------------------------------------------------------------- the output folder

def check_output_folder(out: Path) -> None:
    """Refuse to replace anything that is not a previous kg output folder."""
    if out.exists() and not out.is_dir():
        raise BuildError(f"{out} is a file, not a folder; choose another --out")
    if out.is_dir() and any(out.iterdir()) and not (out / MANIFEST).is_file():
        raise BuildError(f"{out} is not empty and holds no {MANIFEST}, so it is not a kg output "
                         "folder; kg will not replace it. Choose a new or empty folder with --out")
    out.parent.mkdir(parents=True, exist_ok=True)
    old = _old(out)
    if old.exists() and not out.exists():  # a build died between the two renames of swap
        os.replace(old, out)
    for stale in out.parent.glob(f".kg-build-{out.name}-*"):  # left by a killed build
        shutil.rmtree(stale, ignore_errors=True)


def umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _old(out: Path) -> Path:
    return out.with_name(f".{out.name}.kg-old")


def swap(new: Path, out: Path) -> None:
    """Put the finished folder in place of the previous outputs.

    Where the system can (Linux's renameat2), the two folders trade places in one atomic
    step, so a reader, or a build killed at any instant, always finds a complete output
    folder; elsewhere two renames, and check_output_folder repairs a kill between them.
    """
    old = _old(out)
    shutil.rmtree(old, ignore_errors=True)
    if out.exists() and _exchange(new, out):
        shutil.rmtree(new, ignore_errors=True)     # now the previous outputs
        return
    if out.exists():
        os.replace(out, old)
    os.replace(new, out)
    shutil.rmtree(old, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (renameat2 RENAME_EXCHANGE); False where not supported."""
    import ctypes
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


@contextmanager
def lock(out: Path):
    """One build at a time per output folder: a second one is refused with a clear message."""
    import fcntl
    out.parent.mkdir(parents=True, exist_ok=True)
    lock_path = out.with_name(f".{out.name}.kg-lock")
    with open(lock_path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildError(f"another kg build is writing {out}; wait for it to finish") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
