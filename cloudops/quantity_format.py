"""Numbers in base units written back the way people read them: Kubernetes quantities (`5Gi`, `1536Mi`, `1G`) and
byte counts (`2.5GB`). The inverse of cloudops.clusters.health.parse_quantity for the values the product measures.
"""

from __future__ import annotations

__all__ = ["byte_quantity", "is_byte_resource", "metric_bytes", "usage_value"]

_BINARY = (("Ei", 2**60), ("Pi", 2**50), ("Ti", 2**40), ("Gi", 2**30), ("Mi", 2**20), ("Ki", 2**10))
_DECIMAL = (("E", 10**18), ("P", 10**15), ("T", 10**12), ("G", 10**9), ("M", 10**6), ("k", 10**3))
_METRIC = (("B", 1), ("KB", 10**3), ("MB", 10**6), ("GB", 10**9), ("TB", 10**12), ("PB", 10**15))
_BYTE_NAMES = ("memory", "storage", "ephemeral-storage")


def is_byte_resource(name: str) -> bool:
    """Whether a resource (as a quota or a container names it) counts bytes: memory, storage, ephemeral-storage
    and hugepages-*, bare or as `requests.`/`limits.` or `<class>.storageclass.storage.k8s.io/requests.storage`."""
    base = name.rsplit("/", 1)[-1].removeprefix("requests.").removeprefix("limits.")
    return base in _BYTE_NAMES or base.startswith("hugepages-")


def byte_quantity(value: float) -> str:
    """Bytes as a Kubernetes quantity that parses back to exactly them: in the largest of Ki..Ei that divides them
    (`5Gi`, `1536Mi`, as Kubernetes writes binary-SI amounts), else of k..E (`1G`, `1500k`, decimal-SI), else
    plain digits (`5368709121`). A fraction of a byte (an average of samples) is rounded: bytes come whole."""
    n = round(value)
    for suffix, size in (*_BINARY, *_DECIMAL):
        if n and n % size == 0:
            return f"{n // size}{suffix}"
    return str(n)


def metric_bytes(value: float) -> str:
    """A byte count for people, in powers of 1000 as the reference writes it (`2.5GB`, `512MB`, `900B`): three
    significant digits in the smallest unit that keeps them under 1000."""
    for suffix, size in _METRIC:
        shown = float(f"{value / size:.3g}")
        if abs(shown) < 1000 or suffix == _METRIC[-1][0]:
            return f"{shown:g}{suffix}"
    raise AssertionError("unreachable: the last unit always answers")


def usage_value(name: str, value: float) -> str | int | float:
    """A used amount of resource `name` in the reference's form: bytes as a quantity string (`"5Gi"`), cores as a
    number (`2.5`, to the millicore), counts as integers when whole."""
    if is_byte_resource(name):
        return byte_quantity(value)
    if value == int(value):
        return int(value)
    return round(value, 3)
