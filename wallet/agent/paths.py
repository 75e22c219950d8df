"""Where an unlock agent's socket lives, and the checks made before anyone trusts it.

Each wallet file gets one socket, named by a hash of the file's real path, inside a per-user
folder of mode 0700: ``$XDG_RUNTIME_DIR/coffer`` when that variable is set (a tmpfs the login
manager made for this user alone), else ``agent`` in Coffer's user data folder. Never a shared
world-writable folder such as ``/tmp``: there another user could create the name first.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from platformdirs import user_data_dir

from wallet.errors import AgentUnavailable, UnsafeAgent

__all__ = ["SOCKET_PATH_MAX", "check_folder", "check_socket", "runtime_folder", "socket_path"]

# sun_path holds 108 bytes on Linux, the last one a NUL.
SOCKET_PATH_MAX = 107


def runtime_folder() -> Path:
    """Return the folder that holds this user's agent sockets (it may not exist yet)."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime:
        return Path(runtime) / "coffer"
    return Path(user_data_dir("coffer", appauthor=False)) / "agent"


def check_folder(folder: Path, uid: int) -> bool:
    """Return whether ``folder`` exists; refuse it unless it is a folder of ``uid`` alone.

    Raises:
        UnsafeAgent: it is a link or a file, belongs to another user, or others may enter it.
    """
    try:
        info = os.lstat(folder)
    except FileNotFoundError:
        return False
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != uid:
        raise UnsafeAgent(f"{folder} is not a folder of yours, so Coffer will not use it.")
    if stat.S_IMODE(info.st_mode) & 0o077:
        raise UnsafeAgent(
            f"Other users can enter {folder} (mode {stat.S_IMODE(info.st_mode):o}), so Coffer "
            "will not keep an unlock agent there; make it mode 700."
        )
    return True


def socket_path(wallet: str | os.PathLike[str], *, create: bool) -> Path:
    """Return the agent socket's path for the wallet file at ``wallet``.

    Args:
        wallet: the wallet file (its real path names the socket, so links agree).
        create: make the runtime folder (mode 0700) when it is missing.

    Raises:
        UnsafeAgent: the runtime folder is not this user's alone.
        AgentUnavailable: the socket's path would be too long for a Unix socket.
    """
    folder = runtime_folder()
    if not check_folder(folder, os.geteuid()) and create:
        folder.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        folder.mkdir(mode=0o700, exist_ok=True)  # another command may make it this moment
        check_folder(folder, os.geteuid())
    name = hashlib.sha256(os.fsencode(os.path.realpath(wallet))).hexdigest()[:32]
    path = folder / f"{name}.sock"
    if len(os.fsencode(path)) > SOCKET_PATH_MAX:
        raise AgentUnavailable(
            f"The unlock agent's folder {folder} has too long a path for a socket; set "
            "XDG_RUNTIME_DIR to a shorter folder of yours."
        )
    return path


def check_socket(path: Path, uid: int) -> bool:
    """Return whether an agent socket is at ``path``; refuse one that is not ``uid``'s alone.

    Raises:
        UnsafeAgent: something other than a socket is there, or it belongs to another user,
            or others may open it (any mode bit beyond 0600).
    """
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return False
    if not stat.S_ISSOCK(info.st_mode) or info.st_uid != uid:
        raise UnsafeAgent(
            f"{path} is not an unlock agent's socket of yours, so Coffer will not use it; "
            "`coffer lock` removes it."
        )
    if stat.S_IMODE(info.st_mode) & 0o177:
        raise UnsafeAgent(
            f"Other users may open the unlock agent's socket {path} (mode "
            f"{stat.S_IMODE(info.st_mode):o}), so Coffer will not use it; `coffer lock` "
            "removes it."
        )
    return True
