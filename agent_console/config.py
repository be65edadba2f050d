"""Where the store lives and the user's settings.

Settings come from a TOML file in the user config dir (``AGENT_CONSOLE_CONFIG`` overrides the path), and each key
can be overridden by an environment variable ``AGENT_CONSOLE_<KEY>`` (upper case). Only the standard library is
imported here so that ``--version`` and ``--help`` stay fast.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

APP_NAME = "agent-console"
ENV_PREFIX = "AGENT_CONSOLE_"

DEFAULT_WRAP_UP_CODES = (
    "resolved",
    "information given",
    "callback arranged",
    "forwarded",
    "no customer response",
)


class SettingsError(ValueError):
    pass


#: Where the article's slug goes in ``kb_public_url``.
KB_URL_SLUG = "{slug}"


def check_kb_public_url(value: str, source: str) -> str:
    """``kb_public_url`` must be an http(s) address with ``{slug}`` in it (empty: not set)."""
    from urllib.parse import urlsplit

    if not value:
        return value
    parts = urlsplit(value.replace(KB_URL_SLUG, "slug"))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingsError(f"{source}: kb_public_url must be an http:// or https:// address, got {value!r} "
                            "(e.g. https://help.example.com/kb/{slug})")
    if KB_URL_SLUG not in value:
        raise SettingsError(f"{source}: kb_public_url must contain {{slug}} where the article's slug goes, "
                            f"got {value!r} (e.g. https://help.example.com/kb/{{slug}})")
    return value


def check_base_url(value: str, source: str) -> str:
    """``survey_base_url`` must be an http(s) address of a host, without query or fragment."""
    from urllib.parse import urlsplit

    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise SettingsError(f"{source}: survey_base_url must be an http:// or https:// address, got {value!r} "
                            "(e.g. https://support.example.com)")
    return value.rstrip("/")


SMTP_SCHEMES = ("smtp", "smtps")


def check_smtp_url(value: str, source: str) -> str:
    """``smtp_url`` must be ``smtp://`` or ``smtps://`` with a host (a password never goes into it)."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(value)
        parts.port
    except ValueError:
        raise SettingsError(f"{source}: smtp_url is not a valid address: {value!r}") from None
    if parts.scheme not in SMTP_SCHEMES or not parts.hostname:
        raise SettingsError(f"{source}: smtp_url must be smtp://[user@]host[:port] or smtps://…, got {value!r}")
    if parts.password is not None:
        raise SettingsError(f"{source}: smtp_url must not contain a password; put it in smtp_password_file or "
                            "AGENT_CONSOLE_SMTP_PASSWORD")
    return value


def _user_dir(kind: str) -> Path:
    import platformdirs

    if kind == "data":
        return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def config_path() -> Path:
    override = os.environ.get(ENV_PREFIX + "CONFIG")
    return Path(override) if override else _user_dir("config") / "config.toml"


def default_db_path() -> Path:
    return _user_dir("data") / "agent-console.db"


def _store_file(value: str | os.PathLike[str], source: str) -> Path:
    """The store file ``value`` names; a database URL is refused (as a path it would become a local file named after
    the URL, password included, while the command reported success)."""
    if "://" in str(value):
        from agent_console.store.urls import display_url

        raise SettingsError(
            f"{source} takes the path of a store file, not a database URL ({display_url(str(value))}); "
            "the server's database is managed with `agent-console server …` (see `agent-console server --help`)"
        )
    return Path(value).expanduser()


def resolve_db_path(cli_value: str | os.PathLike[str] | None) -> Path:
    """``--db`` wins, then ``AGENT_CONSOLE_DB``, then the settings file, then the platform's user data dir."""
    if cli_value:
        return _store_file(cli_value, "--db")
    env = os.environ.get(ENV_PREFIX + "DB")
    if env:
        return _store_file(env, ENV_PREFIX + "DB")
    settings = load_settings()
    if settings.db:
        return _store_file(settings.db, f"`db` in {config_path()}")
    return default_db_path()


@dataclass
class Settings:
    db: str = ""
    agent: str = ""
    #: The agent's display time zone (IANA name); empty means the system's local zone.
    timezone: str = ""
    theme: str = "textual-dark"
    idle_timeout_s: int = 120
    wrap_up_timeout_s: int = 120
    wrap_up_codes: list[str] = field(default_factory=lambda: list(DEFAULT_WRAP_UP_CODES))
    heartbeat_s: int = 10
    follow_up_hours: int = 24
    fcr_window_days: int = 7
    monitor_refresh_s: float = 2.0
    #: Live monitor tile thresholds: {"default" | queue name | "channel:<name>": {figure: [warning, critical]}}
    #: (see agent_console/domain/monitor.py); a JSON object in the environment variable.
    monitor_thresholds: dict = field(default_factory=dict)
    server: str = ""
    #: Action name -> key(s), e.g. {"claim": "c", "next_case": "n"}: rebinds the screens' default keys.
    keys: dict[str, str] = field(default_factory=dict)
    #: Public address of a knowledge-base article, "{slug}" standing for its slug: what f3 inserts into a reply.
    kb_public_url: str = ""
    #: The team server's public address (``https://support.example.com``): survey links are
    #: ``<survey_base_url>/survey/<token>`` (reply mails' ``{survey_link}``, ``case survey-link``); empty: none are made.
    survey_base_url: str = ""
    #: The interface language, ``de`` or ``en``; empty: the locale's (``LANG=de_DE.UTF-8`` -> ``de``), else English.
    #: The customer's language (templates, acknowledgements) is the customer's own and does not follow it.
    language: str = ""
    #: The e-mail channel's sender address (``Support <support@example.com>``): acknowledgements and replies go out
    #: from it, and mail from it is never taken in (a loop); mail is off while it is empty.
    mail_from: str = ""
    #: ``smtp://[user@]host[:port]`` (STARTTLS when offered; ``?starttls=required`` insists) or ``smtps://…``.
    smtp_url: str = ""
    #: A file whose first line is the SMTP password (``AGENT_CONSOLE_SMTP_PASSWORD`` wins over it).
    smtp_password_file: str = ""
    #: The mailbox ``mail fetch`` / ``mail run`` take mail from: ``imaps://user@host[:port]/INBOX`` (or ``imap://``,
    #: which must offer STARTTLS); the password comes from ``AGENT_CONSOLE_IMAP_PASSWORD`` or this file's first line.
    imap_url: str = ""
    imap_password_file: str = ""
    #: Where fetched mail is moved (created when missing), and where mail the intake refuses for good goes.
    imap_done_folder: str = "Processed"
    imap_failed_folder: str = "Failed"
    #: Attachments larger than this are listed on the message but their content is not kept.
    mail_max_attachment_bytes: int = 10 * 1024 * 1024
    #: The queue new e-mail cases go to.
    mail_queue: str = "General"
    #: More mails than this from one sender within an hour are refused (a storm, a loop); 0 turns the limit off.
    mail_sender_limit_per_hour: int = 30
    #: The region (two-letter country code) phone numbers written without a country code are read in: customers'
    #: numbers and the numbers of call events are stored in E.164 (see agent_console/domain/phone_numbers.py).
    default_region: str = "DE"
    #: The queue a help-center contact form goes to when the articles the customer read name none (docs/help-center.md).
    help_queue: str = "General"
    #: More contact forms than this from one e-mail address within an hour are refused; 0 turns the limit off.
    help_contact_limit_per_hour: int = 5
    #: More contact forms than this from one client (IP address) within an hour are refused; 0 turns it off.
    help_contact_client_limit_per_hour: int = 20

    @classmethod
    def from_mapping(cls, data: dict, source: str, sources: dict[str, str] | None = None) -> "Settings":
        """``sources`` names where single keys came from (an environment variable), ``source`` the rest."""
        known = {f.name: f for f in fields(cls)}
        values = {}
        for key, value in data.items():
            if key not in known:
                raise SettingsError(f"{source}: unknown setting {key!r}")
            values[key] = _coerce(key, value, known[key].type, (sources or {}).get(key, source))
        if "kb_public_url" in values:
            values["kb_public_url"] = check_kb_public_url(values["kb_public_url"].strip(),
                                                          (sources or {}).get("kb_public_url", source))
        if values.get("survey_base_url"):
            values["survey_base_url"] = check_base_url(values["survey_base_url"].strip(),
                                                       (sources or {}).get("survey_base_url", source))
        if values.get("smtp_url"):
            values["smtp_url"] = check_smtp_url(values["smtp_url"].strip(), (sources or {}).get("smtp_url", source))
        if "default_region" in values:
            from agent_console.domain.phone_numbers import NumberError, check_region

            try:
                values["default_region"] = check_region(values["default_region"])
            except NumberError as exc:
                raise SettingsError(f"{(sources or {}).get('default_region', source)}: {exc}") from None
        if values.get("language"):
            from agent_console.i18n import LanguageError, check_interface_language

            try:
                values["language"] = check_interface_language(values["language"], (sources or {}).get("language",
                                                                                                       source))
            except LanguageError as exc:
                raise SettingsError(str(exc)) from None
        return cls(**values)

    def interface_language(self, environ: dict[str, str] | None = None) -> str:
        """The language the interface speaks: the ``language`` setting, else the one the locale asks for."""
        from agent_console.i18n import language_from_locale

        return self.language or language_from_locale(environ)


def _coerce(key: str, value, type_name: str, source: str):
    try:
        if type_name == "int":
            return int(value)
        if type_name == "float":
            return float(value)
        if type_name == "str":
            if not isinstance(value, str):
                raise TypeError
            return value
        if type_name == "list[str]":
            if isinstance(value, str):
                return [part.strip() for part in value.split(",") if part.strip()]
            return [str(v) for v in value]
        if type_name == "dict[str, str]":
            if isinstance(value, str):
                pairs = (item.split("=", 1) for item in value.split(",") if "=" in item)
                return {k.strip(): v.strip() for k, v in pairs}
            return {str(k): str(v) for k, v in dict(value).items()}
    except (TypeError, ValueError):
        raise SettingsError(f"{source}: setting {key!r} has an invalid value {value!r}") from None
    return value


def load_settings(path: Path | None = None, environ: dict[str, str] | None = None) -> Settings:
    path = path or config_path()
    environ = os.environ if environ is None else environ
    data: dict = {}
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise SettingsError(f"{path}: not valid TOML: {exc}") from None
    sources = {}
    for f in fields(Settings):
        variable = ENV_PREFIX + f.name.upper()
        env_value = environ.get(variable)
        if env_value is not None and f.name not in ("db",):
            data[f.name] = env_value
            # A bad value names the variable it came from, not a settings file that may not even exist.
            sources[f.name] = f"environment variable {variable}"
    return Settings.from_mapping(data, str(path), sources)
