"""A static check of a Dockerfile, for CI machines where no container engine runs (and hadolint, a Haskell
program, cannot be built from the registries here): the rules of hadolint that apply to an image like ours.

Each finding names its hadolint rule, the line and why. `python -m tests.dockerfile_lint Dockerfile`.
"""

from __future__ import annotations

import re
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Finding", "lint"]


@dataclass(frozen=True)
class Finding:
    rule: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.line}: {self.rule} {self.message}"


@dataclass(frozen=True)
class Instruction:
    line: int
    name: str
    args: str


def instructions(text: str) -> list[Instruction]:
    """The instructions, continuation lines joined and comments dropped."""
    out: list[Instruction] = []
    pending, start = "", 0
    for no, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue
        if not pending:
            start = no
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        whole = (pending + stripped).strip()
        pending = ""
        name, _, args = whole.partition(" ")
        out.append(Instruction(start, name.upper(), args.strip()))
    return out


def _expand(value: str, args: dict[str, str]) -> str:
    return re.sub(r"\$\{?(\w+)\}?", lambda m: args.get(m.group(1), m.group(0)), value)


def _image_findings(i: Instruction, image: str, stages: set[str]) -> list[Finding]:
    if image in stages or image == "scratch":
        return []
    if "$" in image:
        return [Finding("DL3006", i.line, f"image {image!r} comes from an ARG without a default")]
    last = image.rsplit("/", 1)[-1]
    if "@" in image:
        return []
    if ":" not in last:
        return [Finding("DL3006", i.line, f"image {image!r} has no tag: pin one")]
    if last.endswith(":latest"):
        return [Finding("DL3007", i.line, f"image {image!r} uses latest: pin a version")]
    return []


def _run_findings(i: Instruction) -> list[Finding]:
    out: list[Finding] = []
    for part in re.split(r"&&|;|\|\|", i.args):
        try:
            words = shlex.split(part)
        except ValueError:
            words = part.split()
        if not words:
            continue
        cmd = words[0]
        if cmd in ("pip", "pip3") or words[:3] in (["python", "-m", "pip"], ["python3", "-m", "pip"]):
            if "install" in words and "--no-cache-dir" not in words:
                out.append(Finding("DL3042", i.line, "pip install without --no-cache-dir keeps the cache in the image"))
        if cmd == "apt-get" and "install" in words:
            if "-y" not in words and "--yes" not in words:
                out.append(Finding("DL3014", i.line, "apt-get install without -y"))
            if "--no-install-recommends" not in words:
                out.append(Finding("DL3015", i.line, "apt-get install without --no-install-recommends"))
        if cmd in ("sudo",):
            out.append(Finding("DL3004", i.line, "sudo in a build step"))
        if cmd == "cd":
            out.append(Finding("DL3003", i.line, "cd in RUN: use WORKDIR"))
    if re.search(r"\bapt-get\s+install\b", i.args) and "rm -rf /var/lib/apt/lists" not in i.args:
        out.append(Finding("DL3009", i.line, "apt lists are left in the layer"))
    return out


def lint(text: str) -> list[Finding]:
    """Every finding, in line order."""
    found: list[Finding] = []
    args: dict[str, str] = {}
    stages: set[str] = set()
    user: Instruction | None = None
    froms = 0
    for i in instructions(text):
        if i.name == "ARG":
            name, _, default = i.args.partition("=")
            if default:
                args[name.strip()] = default.strip()
        elif i.name == "FROM":
            froms += 1
            user = None
            words = i.args.split()
            image = _expand(next((w for w in words if not w.startswith("--")), ""), args)
            found += _image_findings(i, image, stages)
            if len(words) >= 3 and words[-2].upper() == "AS":
                stages.add(words[-1])
        elif i.name == "RUN":
            found += _run_findings(i)
        elif i.name == "ADD":
            found.append(Finding("DL3020", i.line, "ADD for files: use COPY"))
        elif i.name == "MAINTAINER":
            found.append(Finding("DL4000", i.line, "MAINTAINER is deprecated: use a label"))
        elif i.name == "WORKDIR" and not i.args.startswith(("/", "$")):
            found.append(Finding("DL3000", i.line, f"WORKDIR {i.args} is relative"))
        elif i.name == "USER":
            user = i
        elif i.name in ("CMD", "ENTRYPOINT") and not i.args.startswith("["):
            found.append(Finding("DL3025", i.line, f"{i.name} in shell form: use the JSON (exec) form"))
    if froms == 0:
        found.append(Finding("DL3061", 1, "no FROM"))
    if user is None or user.args in ("root", "0") or user.args.startswith(("root:", "0:")):
        found.append(Finding("DL3002", user.line if user else 1, "the final stage runs as root: end with USER "
                                                                     "and a non-root (numeric) user"))
    elif not user.args.split(":")[0].isdigit():
        found.append(Finding("CO001", user.line, "USER by name: runAsNonRoot needs a numeric id to verify"))
    return sorted(found, key=lambda f: f.line)


def main(argv: list[str]) -> int:
    path = Path(argv[0] if argv else "Dockerfile")
    findings = lint(path.read_text())
    for f in findings:
        print(f"{path}:{f}")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
