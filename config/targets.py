"""The config's ``notify:`` list: where notices go, validated with clear errors.

Each target has a stable ``key`` for the delivery log (type + a short hash, never
the secret itself) and a ``redacted()`` description for logs and reports.
Error messages never echo a value that may hold a key, token or password.
"""
from __future__ import annotations

import hashlib
import re
from typing import Annotated, Any, ClassVar, Literal, Union
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator, model_validator

from .errors import ConfigError

MASK = "***"


class TargetConfigError(ConfigError, ValueError):
    """A notify target cannot be used; the message names its index and key."""


def query_values(url: str) -> list[str]:
    """Every query-string value of a URL: webhook keys and access tokens live there."""
    return [v for _, v in parse_qsl(urlsplit(url).query, keep_blank_values=False)]


def redact_url(url: str) -> str:
    """The URL with query values and any user:password masked, for descriptions."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    query = urlencode([(k, MASK) for k, _ in parse_qsl(parts.query, keep_blank_values=True)], safe="*")
    return urlunsplit((parts.scheme, host, parts.path, query, ""))


def _short_hash(*values: object) -> str:
    return hashlib.sha256("\x1f".join(map(str, values)).encode()).hexdigest()[:10]


def _check_http(url: str, *, query_key: str | None = None) -> str:
    """Validate a URL without ever quoting it back: it may carry the key."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http:// or https:// address (value not shown: it may hold a key)")
    if query_key and not parse_qs(parts.query).get(query_key, [""])[0]:
        raise ValueError(f"must end with ?{query_key}=… as copied from the robot's settings"
                         " (value not shown: it holds the key)")
    return url


_LOOPBACK = re.compile(r"^(?:localhost|127(?:\.\d{1,3}){3}|::1)$", re.I)


def plain_http_off_host(url: str) -> bool:
    """An http:// address on another machine: what is posted (and the key in it) crosses the network in clear."""
    parts = urlsplit(url)
    return parts.scheme == "http" and not _LOOPBACK.match(parts.hostname or "")


class _Target(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    name: str | None = Field(None, description="a label for logs and reports, e.g. 县政务公开工作群")
    allow_http: bool = Field(False, description="accept a plain http:// address on another machine (the key and "
                                                "the notice then cross the network unencrypted); off by default")

    type: str
    url_field: ClassVar[str | None] = None   # the field holding the address the notice is posted to

    @model_validator(mode="after")
    def _https_unless_allowed(self):
        url = getattr(self, self.url_field) if self.url_field else None
        if url and not self.allow_http and plain_http_off_host(url):
            raise ValueError(f"{self.url_field}: plain http:// to another machine would send the key and the notice"
                             " unencrypted; use https://, or set allow_http: true (value not shown)")
        return self

    @property
    def key(self) -> str:
        raise NotImplementedError

    def secrets(self) -> tuple[str, ...]:
        """Every string that must never be shown."""
        return ()

    def _describe(self) -> str:
        raise NotImplementedError

    def redacted(self) -> str:
        label = f"{self.name}: " if self.name else ""
        return f"{label}{self._describe()} [{self.key}]"

    # pydantic's default repr would print the webhook key and passwords.
    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.redacted()}>"

    __str__ = __repr__


class WecomTarget(_Target):
    """企业微信群机器人 (WeCom group robot)."""
    type: Literal["wecom"]
    webhook: str = Field(description="the robot's webhook address, …/cgi-bin/webhook/send?key=…")
    format: Literal["text", "markdown"] = Field("text", description="text, or markdown when the notice has it")
    image: bool = Field(True, description="also post the table picture when the notice has one")
    url_field: ClassVar[str] = "webhook"

    _check = field_validator("webhook")(lambda cls, v: _check_http(v, query_key="key"))

    @property
    def key(self) -> str:
        return f"wecom#{_short_hash(self.webhook)}"

    def secrets(self) -> tuple[str, ...]:
        return (self.webhook, *query_values(self.webhook))

    def _describe(self) -> str:
        return f"wecom {redact_url(self.webhook)}"


class OneBotTarget(_Target):
    """A QQ group through a OneBot v11 HTTP endpoint (NapCat, LLOneBot, go-cqhttp)."""
    type: Literal["onebot"]
    url: str = Field(description="the OneBot HTTP API address, e.g. http://127.0.0.1:3000")
    group_id: int = Field(gt=0, description="the QQ group number")
    token: str | None = Field(None, description="the endpoint's access token (sent as Authorization: Bearer)")
    image: bool = Field(True, description="also post the table picture when the notice has one")
    url_field: ClassVar[str] = "url"

    _check = field_validator("url")(lambda cls, v: _check_http(v))

    @property
    def key(self) -> str:
        # The group is what must not get a notice twice, whichever endpoint serves it.
        return f"onebot#{self.group_id}"

    def secrets(self) -> tuple[str, ...]:
        return (self.token or "", *query_values(self.url))

    def _describe(self) -> str:
        return f"onebot {redact_url(self.url)} group {self.group_id}"


class DingTalkTarget(_Target):
    """钉钉 / 政务钉钉 custom robot."""
    type: Literal["dingtalk"]
    webhook: str = Field(description="the robot's webhook address, …/robot/send?access_token=…")
    secret: str | None = Field(None, description="the 加签 secret (SEC…) when the robot signs messages")
    format: Literal["text", "markdown"] = Field("text", description="text, or markdown when the notice has it")
    url_field: ClassVar[str] = "webhook"

    _check = field_validator("webhook")(lambda cls, v: _check_http(v, query_key="access_token"))

    @property
    def key(self) -> str:
        return f"dingtalk#{_short_hash(self.webhook)}"

    def secrets(self) -> tuple[str, ...]:
        return (self.webhook, self.secret or "", *query_values(self.webhook))

    def _describe(self) -> str:
        return f"dingtalk {redact_url(self.webhook)}{' signed' if self.secret else ''}"


_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


def _check_address(value: str) -> str:
    value = value.strip()
    if not _EMAIL.match(value):
        raise ValueError(f"{value!r} is not an e-mail address")
    return value


class EmailTarget(_Target):
    """Mail through an SMTP server: all text parts in one message, files attached."""
    type: Literal["email"]
    smtp: str = Field(description="host:port of the SMTP server, e.g. smtp.example.gov.cn:465")
    security: Literal["ssl", "starttls", "none"] | None = Field(
        None, description="ssl (port 465), starttls, or none for a plain internal relay;"
                          " default: ssl on 465, otherwise starttls")
    username: str | None = Field(None, description="SMTP login, when the server wants one")
    password: str | None = Field(None, description="SMTP password; write ${SMTP_PASSWORD}, not the password")
    from_: str = Field(alias="from", description="the sender address")
    to: list[str] = Field(min_length=1, description="recipient addresses")
    timeout: float = Field(30, gt=0, le=300, description="seconds to wait for the server")

    _check_from = field_validator("from_")(lambda cls, v: _check_address(v))
    _check_to = field_validator("to")(lambda cls, v: [_check_address(a) for a in v])

    @field_validator("smtp")
    @classmethod
    def _check_smtp(cls, value: str) -> str:
        host, sep, port = value.strip().rpartition(":")
        if not sep:
            host, port = value.strip(), ""
        if not host or (port and not port.isdigit()):
            raise ValueError(f"must be host or host:port, got {value!r}")
        return value.strip()

    @model_validator(mode="after")
    def _login_pair(self) -> "EmailTarget":
        if bool(self.username) != bool(self.password):
            raise ValueError("username and password go together: give both or neither")
        return self

    @property
    def host(self) -> str:
        host, sep, port = self.smtp.rpartition(":")
        return host if sep else self.smtp

    @property
    def port(self) -> int:
        host, sep, port = self.smtp.rpartition(":")
        if sep:
            return int(port)
        return 465 if self.security == "ssl" else 25 if self.security == "none" else 587

    @property
    def mode(self) -> str:
        """The connection security actually used."""
        # Secure by default: a password never goes over a plain connection unless asked.
        return self.security or ("ssl" if self.port == 465 else "starttls")

    @property
    def key(self) -> str:
        return f"email#{_short_hash(','.join(sorted(a.lower() for a in self.to)))}"

    def secrets(self) -> tuple[str, ...]:
        return (self.password or "",)

    def _describe(self) -> str:
        return f"email {self.host}:{self.port} ({self.mode}) → {', '.join(self.to)}"


Target = Annotated[Union[WecomTarget, OneBotTarget, DingTalkTarget, EmailTarget], Field(discriminator="type")]
TARGET_TYPES = {"wecom": WecomTarget, "onebot": OneBotTarget, "dingtalk": DingTalkTarget, "email": EmailTarget}
_ADAPTER: TypeAdapter[Any] = TypeAdapter(Target)


def _message(err: dict) -> str:
    if err["type"] == "extra_forbidden":
        return "unknown key (misspelt?)"
    if err["type"] == "union_tag_invalid":
        return f"unknown type {err['ctx']['tag']!r}; expected one of {', '.join(TARGET_TYPES)}"
    if err["type"] == "union_tag_not_found":
        return f"missing 'type' (one of {', '.join(TARGET_TYPES)})"
    return err["msg"].removeprefix("Value error, ")


def parse_targets(raw_list: Any, source: str = "notify") -> list[Any]:
    """Validate the notify list; raise TargetConfigError naming each bad target and key."""
    if raw_list is None:
        return []
    if not isinstance(raw_list, list):
        raise TargetConfigError(f"{source}: expected a list of targets, got {type(raw_list).__name__}")
    targets: list[Any] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(raw_list):
        where = f"{source}[{index}]"
        if isinstance(raw, dict) and raw.get("type") in TARGET_TYPES:
            where += f" ({raw['type']})"
        try:
            target = _ADAPTER.validate_python(raw)
        except ValidationError as exc:
            for err in exc.errors():
                # loc is (tag, field…) for a union member; the tag is already in `where`.
                loc = [str(p) for p in err["loc"] if p not in TARGET_TYPES]
                loc = ["from" if p == "from_" else p for p in loc]
                problems.append(f"{where}: {'.'.join(loc) + ': ' if loc else ''}{_message(err)}")
            continue
        if target.key in seen:
            problems.append(f"{where}: the same target as {source}[{seen[target.key]}]"
                            " (it would get every notice twice)")
            continue
        seen[target.key] = index
        targets.append(target)
    if problems:
        raise TargetConfigError("\n".join(problems))
    return targets


def describe_targets() -> str:
    """Help text for the notify: list, generated from the models (for `govfresh notify --help-targets`)."""
    out = []
    for kind, model in TARGET_TYPES.items():
        out.append(f"type: {kind} — {(model.__doc__ or '').strip()}")
        for name, info in model.model_fields.items():
            if name == "type":
                continue
            key = info.alias or name
            default = "required" if info.is_required() else f"default {info.default!r}"
            out.append(f"    {key}: {info.description or ''} ({default})")
    return "\n".join(out)
