"""The http-chat fetcher's request templates: ``url``, ``headers``, ``body`` and ``params``
rendered in jinja2's sandbox with ``question``, ``session`` and ``answer_id``; ``${VAR}``
comes from the environment only, never parsed as a template (split from ``chat``).
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from jinja2 import StrictUndefined

from ..sandbox import SandboxedEnvironment
from .http import ENV_VAR, expand_env

ENV = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)


def env_to_vars(text: str) -> tuple[str, dict[str, str]]:
    """Turn ``${NAME}`` into the template variable ``__env_NAME`` (never parsed as template).

    >>> env_to_vars("Bearer ${TOKEN}")
    ('Bearer {{ __env_TOKEN }}', {'__env_TOKEN': 'TOKEN'})
    """
    names: dict[str, str] = {}

    def swap(match) -> str:
        names[f"__env_{match.group(1)}"] = match.group(1)
        return "{{ __env_" + match.group(1) + " }}"

    return ENV_VAR.sub(swap, text), names


def render(text: str, variables: Mapping[str, str]) -> str:
    """Render one template string in the sandbox; ``${VAR}`` values come from the environment.

    >>> render("{{ question }}", {"question": "כמה עולה?"})
    'כמה עולה?'
    """
    template, names = env_to_vars(text)
    values = {var: expand_env("${" + name + "}") for var, name in names.items()}
    return ENV.from_string(template).render({**variables, **values})


def render_value(value, variables: Mapping[str, str]):
    if isinstance(value, str):
        return render(value, variables)
    if isinstance(value, Mapping):
        return {key: render_value(item, variables) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [render_value(item, variables) for item in value]
    return value


def with_params(url: str, params: Mapping, variables: Mapping[str, str]) -> str:
    """``url`` with ``params`` rendered and URL-encoded into its query.

    >>> with_params("https://bot.co.il/ask?v=2", {"q": "{{ question }}"}, {"question": "כמה?"})
    'https://bot.co.il/ask?v=2&q=%D7%9B%D7%9E%D7%94%3F'
    """
    if not params:
        return url
    query = urlencode({str(k): render(str(v), variables) for k, v in params.items()})
    base, _, fragment = url.partition("#")
    joined = base + ("&" if "?" in base else "?") + query
    return joined + (f"#{fragment}" if fragment else "")
