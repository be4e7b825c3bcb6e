"""Where the native runtimes are: inside the installed ``onnxruntime`` and ``espeakng-loader``
packages, found without importing them.

The engine's own search order still comes first where the user set it: ``ORT_DYLIB_PATH``,
``KITTENTTS_ESPEAK_LIBRARY``, ``KITTENTTS_ESPEAK_DATA`` and ``KITTENTTS_RUNTIME_DIR`` win over
the packages, and an explicit argument to :class:`kittentts_rs.Synthesizer` wins over both.
"""

from __future__ import annotations

import glob
import importlib.util
import os
import re
import sys

__all__ = ["discover", "onnxruntime_library", "espeak_library", "espeak_data"]


def _package_dir(name: str) -> str | None:
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return list(spec.submodule_search_locations)[0]


def _version_key(path: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", os.path.basename(path)))


def onnxruntime_library() -> str | None:
    """The ONNX Runtime library of the installed ``onnxruntime`` (or ``onnxruntime-gpu``)."""
    root = _package_dir("onnxruntime")
    if root is None:
        return None
    capi = os.path.join(root, "capi")
    if sys.platform == "win32":
        patterns = ["onnxruntime.dll"]
    elif sys.platform == "darwin":
        patterns = ["libonnxruntime.*.dylib", "libonnxruntime.dylib"]
    else:
        patterns = ["libonnxruntime.so.*", "libonnxruntime.so"]
    for pattern in patterns:
        found = sorted(glob.glob(os.path.join(capi, pattern)), key=_version_key)
        if found:
            return found[-1]
    return None


def espeak_library() -> str | None:
    """libespeak-ng of the installed ``espeakng-loader``."""
    root = _package_dir("espeakng_loader")
    if root is None:
        return None
    if sys.platform == "win32":
        name = "espeak-ng.dll"
    elif sys.platform == "darwin":
        name = "libespeak-ng.dylib"
    else:
        name = "libespeak-ng.so"
    path = os.path.join(root, name)
    return path if os.path.exists(path) else None


def espeak_data() -> str | None:
    """The ``espeak-ng-data`` folder of the installed ``espeakng-loader``."""
    root = _package_dir("espeakng_loader")
    if root is None:
        return None
    path = os.path.join(root, "espeak-ng-data")
    return path if os.path.isdir(path) else None


def _set(*names: str) -> bool:
    return any(os.environ.get(n) for n in names)


def discover() -> dict[str, str | None]:
    """The paths to hand the engine; ``None`` where the environment decides or nothing is
    installed (the engine then searches its own places and names every one in its error)."""
    ort = None if _set("ORT_DYLIB_PATH", "KITTENTTS_RUNTIME_DIR") else onnxruntime_library()
    env_espeak = _set("KITTENTTS_ESPEAK_LIBRARY", "KITTENTTS_RUNTIME_DIR")
    lib = None if env_espeak else espeak_library()
    data = None if env_espeak or _set("KITTENTTS_ESPEAK_DATA") else espeak_data()
    return {"onnxruntime": ort, "espeak_library": lib, "espeak_data": data}
