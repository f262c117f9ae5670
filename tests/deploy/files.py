"""Readers for the deployment files: compose.yaml with its interpolation, .env files, the
Dockerfile's instructions, systemd units, and the environment variables the application reads.

Small on purpose: each reads only what the tests in this folder check, the way Docker
Compose, BuildKit and systemd read it.
"""

from __future__ import annotations

import ast
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "compose.yaml"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
SYSTEMD_DIR = ROOT / "deploy" / "systemd"

#: The packages whose code runs in the application's processes.
APP_PACKAGES = ("app", "farms", "products", "orders", "traceability", "demo")
#: Read by a library rather than by our code: boto3 takes the S3 credentials from the
#: environment (app/config.py says so next to the S3 settings).
READ_BY_LIBRARIES = {"AWS_ACCESS_KEY_ID": "boto3", "AWS_SECRET_ACCESS_KEY": "boto3"}


def load_compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines as Compose reads .env (comments and blank lines skipped)."""
    values: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        if not sep or not re.fullmatch(r"[A-Z_][A-Z0-9_]*", name):
            raise ValueError(f"{path.name}:{number}: not a KEY=VALUE line: {line!r}")
        if name in values:
            raise ValueError(f"{path.name}:{number}: {name} is set twice")
        values[name] = value
    return values


# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?message}, ${NAME?message}; $$ is a $.
_INTERPOLATION = re.compile(
    r"\$(?:(?P<escaped>\$)|\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}"
    r"|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)


class MissingVariable(ValueError):
    """A ${NAME:?message} whose variable is unset or empty."""


@dataclass
class Interpolation:
    """Compose's variable interpolation over a whole document."""

    environment: dict[str, str]
    missing: list[str] = field(default_factory=list)

    def text(self, value: str) -> str:
        def replace(match: re.Match) -> str:
            if match["escaped"]:
                return "$"
            name = match["name"] or match["bare"]
            op, arg = match["op"], match["arg"] or ""
            value = self.environment.get(name)
            empty = value is None or (op is not None and op.startswith(":") and value == "")
            if op in (":?", "?") and empty:
                self.missing.append(name)
                return ""
            if op in (":-", "-") and empty:
                return arg
            return value or ""

        return _INTERPOLATION.sub(replace, value)

    def document(self, node):
        if isinstance(node, str):
            return self.text(node)
        if isinstance(node, list):
            return [self.document(item) for item in node]
        if isinstance(node, dict):
            return {key: self.document(value) for key, value in node.items()}
        return node


def variables_referenced(text: str) -> dict[str, str | None]:
    """Each ${NAME…} in the text and its operator (None for a bare ${NAME})."""
    found: dict[str, str | None] = {}
    for match in _INTERPOLATION.finditer(text):
        name = match["name"] or match["bare"]
        if name:
            found.setdefault(name, match["op"])
    return found


def variables_in_document(node) -> dict[str, str | None]:
    """variables_referenced over every string of a parsed compose document (not comments)."""
    found: dict[str, str | None] = {}
    if isinstance(node, str):
        return variables_referenced(node)
    children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
    for child in children:
        for name, op in variables_in_document(child).items():
            found.setdefault(name, op)
    return found


def render_compose(environment: dict[str, str]) -> tuple[dict, list[str]]:
    """The compose document as Compose sees it with this .env, and the required names unset."""
    interpolation = Interpolation(environment)
    rendered = interpolation.document(load_compose())
    return rendered, sorted(set(interpolation.missing))


def app_image_services(compose: dict) -> dict[str, dict]:
    """The services that run the application's image (app instances, worker, migrations)."""
    runtime_images = {
        service["image"]
        for service in compose["services"].values()
        if service.get("build", {}).get("target") == "runtime"
    }
    return {
        name: service
        for name, service in compose["services"].items()
        if service.get("image") in runtime_images
    }


def environment_of(service: dict) -> dict[str, str]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    return {key: "" if value is None else str(value) for key, value in environment.items()}


def variables_the_app_reads() -> set[str]:
    """Every environment variable named in a read by the application's code.

    Reads are os.environ.get("X"), os.environ["X"], os.getenv("X") and the config helpers
    that take a variable's name first (`_int("X", …)`, `_bool("X", …)`, `_text("X", …)`).
    """
    names: set[str] = set()
    for package in APP_PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                name = _environment_read(node)
                if name:
                    names.add(name)
    return names


def _environment_read(node: ast.AST) -> str | None:
    if isinstance(node, ast.Subscript) and _is_os_environ(node.value):
        key = node.slice
    elif isinstance(node, ast.Call) and node.args:
        function = node.func
        reads = (
            isinstance(function, ast.Attribute)
            and (
                (function.attr == "get" and _is_os_environ(function.value))
                or (function.attr == "getenv" and _is_name(function.value, "os"))
            )
        ) or (isinstance(function, ast.Name) and function.id in {"_int", "_bool", "_text"})
        if not reads:
            return None
        key = node.args[0]
    else:
        return None
    if isinstance(key, ast.Constant) and isinstance(key.value, str):
        return key.value
    return None


def _is_os_environ(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "environ" and _is_name(node.value, "os")


def _is_name(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


@dataclass
class Instruction:
    keyword: str
    arguments: str
    stage: str | None

    def exec_form(self) -> list[str]:
        """The JSON (exec) form's words, or the shell form split like a shell would."""
        import json

        text = self.arguments.strip()
        if text.startswith("["):
            return json.loads(text)
        return shlex.split(text)


def dockerfile_instructions() -> list[Instruction]:
    """The Dockerfile's instructions with continuation lines joined, each with its stage."""
    instructions: list[Instruction] = []
    stage: str | None = None
    pending = ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical, pending = pending + line, ""
        keyword, _, arguments = logical.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            words = arguments.split()
            stage = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
        instructions.append(Instruction(keyword, arguments.strip(), stage))
    return instructions


def dockerfile_stages() -> dict[str, list[Instruction]]:
    stages: dict[str, list[Instruction]] = {}
    for instruction in dockerfile_instructions():
        if instruction.stage:
            stages.setdefault(instruction.stage, []).append(instruction)
    return stages


def dockerfile_args() -> dict[str, str]:
    """Global ARG defaults (before the first FROM)."""
    values: dict[str, str] = {}
    for instruction in dockerfile_instructions():
        if instruction.keyword == "FROM":
            break
        if instruction.keyword == "ARG":
            name, _, default = instruction.arguments.partition("=")
            values[name] = default
    return values


@dataclass
class Unit:
    """A systemd unit: sections of keys, each key with all its values in order."""

    name: str
    sections: dict[str, dict[str, list[str]]]

    def values(self, section: str, key: str) -> list[str]:
        return self.sections.get(section, {}).get(key, [])

    def value(self, section: str, key: str) -> str | None:
        values = self.values(section, key)
        return values[-1] if values else None


def read_unit(path: Path) -> Unit:
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        key, sep, value = line.partition("=")
        if current is None or not sep:
            raise ValueError(f"{path.name}:{number}: not inside a section or not KEY=VALUE")
        current.setdefault(key.strip(), []).append(value.strip())
    return Unit(path.name, sections)


def dockerignore_patterns() -> list[str]:
    return [
        line.strip()
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
