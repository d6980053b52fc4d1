"""What the loader collects while reading: every problem with its line, and each mapping's values."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from followupd.config.spec import CHILDREN
from followupd.errors import ConfigError

ADVICE = 'Every option is explained in config.example.yaml; "followupd schema" prints the JSON schema.'


class Problems:
    """Every problem found in one file, each formatted `NAME:LINE: KEY.PATH: MESSAGE`."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.found: list[tuple[int, str]] = []

    def add(self, line: int, path: str, message: str) -> None:
        self.found.append((line, f"{self.name}:{line}: {path + ': ' if path else ''}{message}"))

    def raise_if_any(self) -> None:
        if self.found:
            ordered = sorted(self.found, key=lambda problem: problem[0])  # stable: ties keep file order
            raise ConfigError([text for _, text in ordered], ADVICE)


@dataclass
class Section:
    """One mapping from the file: its valid values and the line of every key written in it."""

    spec_path: str
    path: str
    line: int
    problems: Problems
    values: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)

    def get(self, key: str) -> Any:
        return self.values[key] if key in self.values else CHILDREN[self.spec_path][key].default_value()

    def child(self, key: str) -> Section:
        """The nested mapping at key, empty when it was not written."""
        spec_path = f"{self.spec_path}.{key}".lstrip(".")
        return self.values.get(key) or Section(spec_path, self.where(key), self.line, self.problems)

    def fields(self) -> dict[str, Any]:
        """Every option of this mapping, written or default, by key: the model's field names."""
        return {key: self.get(key) for key in CHILDREN[self.spec_path]}

    def given(self, key: str) -> bool:
        return key in self.lines

    def broken(self, key: str) -> bool:
        """Written but invalid: checks that depend on it would only repeat the problem."""
        return key in self.lines and key not in self.values

    def where(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def report(self, key: str, message: str) -> None:
        """A problem with key, on its line, or on this mapping's line when key is not written."""
        self.problems.add(self.lines.get(key, self.line), self.where(key), message)
