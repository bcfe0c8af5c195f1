"""consistency.yaml -> a frozen Config (SPEC 3.5). Relative paths are relative to the config file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from .model import Location

DEFAULT_TIMEZONE = "Asia/Jerusalem"
DEFAULT_CHANNELS = ("web", "phone", "chat")


@dataclass(frozen=True)
class SourceConfig:
    """One entry of ``sources``: file exports (``files``) or a live fetcher (``fetch``)."""

    channel: str
    files: tuple[str, ...] = ()  # glob patterns, already made absolute
    format: str = "records"  # records | a named platform export format
    fetch: str | None = None  # web | http-chat
    options: Mapping = field(default_factory=dict)  # the rest of the entry, as written
    where: Location | None = None


@dataclass(frozen=True)
class EmailConfig:
    to: tuple[str, ...]
    sender: str
    notify_on: str = "findings"  # always | findings | change
    smtp: Mapping = field(default_factory=dict)


@dataclass(frozen=True)
class Config:
    path: Path | None
    base_dir: Path
    timezone: ZoneInfo
    price_list: Path
    answers: Path | None = None
    rules: tuple[Path, ...] = ()
    sources: tuple[SourceConfig, ...] = ()
    channels: tuple[str, ...] = DEFAULT_CHANNELS  # every channel name the config knows
    report_formats: tuple[str, ...] = ("text",)
    report_output: Path | None = None
    history: Path | None = None
    email: EmailConfig | None = None
