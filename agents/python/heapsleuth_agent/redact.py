"""Secret-looking command-line values become ``[redacted]`` before they reach a recording.

The same heuristic as the Node agent's ``src/formats/redact-argv.ts``: the value of an
option whose name says secret, the password of a URL, JWTs and long opaque tokens. Secrets
passed as plain positional words cannot be told from other words.
"""

import re
from typing import List

REDACTED = "[redacted]"

_SECRET_NAME = re.compile(
    r"pass(word|wd|phrase)?|secret|token|api[-_]?key|access[-_]?key|private[-_]?key|credential|auth|signature|\bpwd\b|\bkey\b",
    re.IGNORECASE,
)
_OPTION_WITH_VALUE = re.compile(r"^(--?[^=\s]+)=(.*)$", re.DOTALL)
_URL_PASSWORD = re.compile(r"([a-z][a-z0-9+.-]*://[^/\s:@]*:)[^@\s/]*@", re.IGNORECASE)
_JWT = re.compile(r"^eyJ[\w-]+\.[\w-]+\.[\w-]*$")
_OPAQUE_TOKEN = re.compile(r"^[A-Za-z0-9+/_=-]{24,}$")


def redact_argv(argv: List[str]) -> List[str]:
    redacted: List[str] = []
    value_is_secret = False
    for index, arg in enumerate(argv):
        if index < 2 and "://" not in arg:
            redacted.append(arg)  # the interpreter and the script: paths, not secrets
            continue
        if value_is_secret and not arg.startswith("-"):
            redacted.append(REDACTED)
            value_is_secret = False
            continue
        value_is_secret = False
        option = _OPTION_WITH_VALUE.match(arg)
        if option and _SECRET_NAME.search(option.group(1)):
            redacted.append(f"{option.group(1)}={REDACTED}")
        elif not option and arg.startswith("-") and _SECRET_NAME.search(arg):
            redacted.append(arg)
            value_is_secret = True
        else:
            redacted.append(_redact_word(arg))
    return redacted


def _redact_word(word: str) -> str:
    value = _OPTION_WITH_VALUE.match(word)
    if value:
        return f"{value.group(1)}={_redact_word(value.group(2))}"
    if _JWT.match(word) or (_OPAQUE_TOKEN.match(word) and re.search(r"\d", word) and re.search(r"[A-Za-z]", word)):
        return REDACTED
    return _URL_PASSWORD.sub(lambda match: f"{match.group(1)}{REDACTED}@", word)
