"""Partner sites that embed the wizard or call its API, from a validated file.

Each partner lists the exact origins allowed to frame the wizard and to call
the API from a browser. An unknown partner is a 404; an origin that is not
listed cannot frame the wizard (the Content-Security-Policy says so).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictStr,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from wizard.platform.settings import PROJECT_ROOT

DEFAULT_FILE = PROJECT_ROOT / "config" / "partners.yaml"
# Loaded instead in development mode only (L10): a production server never frames for an example.
EXAMPLE_FILE = PROJECT_ROOT / "config" / "partners.example.yaml"
Colour = Annotated[StrictStr, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]
LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")
PAGE_BACKGROUND = "#faf7f2"


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


class Theme(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    accent: Colour = "#1d5c63"
    text: Colour = "#ffffff"

    @field_validator("accent")
    @classmethod
    def _accent_on_page(cls, accent: str) -> str:
        # The accent is also the colour of links and focus marks on the light page.
        if contrast(accent, PAGE_BACKGROUND) < 4.5:
            ratio = contrast(accent, PAGE_BACKGROUND)
            raise ValueError(f"accent {accent} on the page background has contrast {ratio:.2f}; it needs 4.5")
        return accent

    @field_validator("text")
    @classmethod
    def _readable(cls, text: str, info) -> str:
        accent = info.data.get("accent")
        if accent and contrast(accent, text) < 4.5:
            raise ValueError(f"text {text} on accent {accent} has contrast {contrast(accent, text):.2f}; it needs 4.5")
        return text


class Partner(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    id: Annotated[StrictStr, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,40}$")]
    name: Annotated[StrictStr, StringConstraints(min_length=1, max_length=120)]
    allowed_origins: tuple[StrictStr, ...] = Field(min_length=1)
    default_language: StrictStr = "en"
    default_country: Annotated[StrictStr, StringConstraints(pattern=r"^[A-Z]{2}$")] | None = None
    exit_url: Annotated[StrictStr, StringConstraints(pattern=r"^https?://\S+$")]
    theme: Theme = Theme()

    @field_validator("allowed_origins")
    @classmethod
    def _origins(cls, origins: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        local_http = bool(info.context and info.context.get("local_http"))
        for origin in origins:
            match = re.fullmatch(r"(https?)://([a-z0-9.-]+|\[::1\])(:\d{1,5})?", origin)
            if not match:
                raise ValueError(f"{origin!r} is not an origin such as https://example.org (no path, no slash)")
            if match.group(1) == "http" and not (local_http and match.group(2) in LOCAL_HOSTS):
                raise ValueError(f"{origin!r}: use https (http is allowed only for localhost in development mode)")
        return origins

    @field_validator("default_language")
    @classmethod
    def _language(cls, lang: str) -> str:
        from wizard.platform.i18n import EARLIER_TAGS, LANGUAGES

        # "pt", the earlier name, stays open: Portugal's Portuguese for a visitor who answers Portugal.
        if lang not in LANGUAGES and lang not in EARLIER_TAGS:
            raise ValueError(f"default_language must be one of {', '.join(LANGUAGES)}")
        return lang


class PartnerError(Exception):
    pass


def load_partners(path: Path | str, country_codes: frozenset[str], *, local_http: bool = False) -> dict[str, Partner]:
    """Read and check the partners file; raise PartnerError naming each problem."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise PartnerError(f"{path.name}: cannot be read: {exc}") from exc
    items = raw.get("partners") if isinstance(raw, dict) else None
    if not isinstance(items, list):
        raise PartnerError(f"{path.name}: expected a list under 'partners'")
    partners: dict[str, Partner] = {}
    problems: list[str] = []
    for n, item in enumerate(items, 1):
        try:
            partner = Partner.model_validate(item, context={"local_http": local_http})
        except ValidationError as exc:
            for err in exc.errors():
                where = ".".join(str(p) for p in err["loc"])
                problems.append(f"{path.name}, partner {n} ({where}): {err['msg'].removeprefix('Value error, ')}")
            continue
        if partner.id in partners:
            problems.append(f"{path.name}: partner id '{partner.id}' is used twice")
        if partner.default_country and partner.default_country not in country_codes:
            problems.append(f"{path.name}, partner '{partner.id}': unknown default_country {partner.default_country}")
        partners[partner.id] = partner
    if problems:
        raise PartnerError("\n".join(problems))
    return partners


def allowed_origins(partners: dict[str, Partner]) -> frozenset[str]:
    return frozenset(origin for p in partners.values() for origin in p.allowed_origins)
