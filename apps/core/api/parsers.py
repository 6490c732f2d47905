"""The API's JSON parser: DRF's, refusing bodies nested too deeply to decode without exhausting the stack."""

import codecs
import re

from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json

#: No request of the API comes near this: a change order's line sits at depth 2.
MAX_JSON_DEPTH = 100
TOO_DEEP = f"The JSON is nested deeper than {MAX_JSON_DEPTH} levels."

# A JSON string, escapes included: brackets inside strings are text, not nesting.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def nested_deeper_than(text, limit):
    """True if the JSON text opens more than `limit` arrays or objects inside one another; read before decoding."""
    depth = 0
    for bracket in _NOT_A_BRACKET.sub("", _STRING.sub("", text)):
        depth += _STEP[bracket]
        if depth > limit:
            return True
    return False


class JSONParser(parsers.JSONParser):
    """Python's json decoder recurses once per level: 3,000 levels raised RecursionError, a 500. Refused first."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        try:
            text = codecs.getreader(encoding)(stream).read()
            if nested_deeper_than(text, MAX_JSON_DEPTH):
                raise ParseError(TOO_DEEP)
            parse_constant = json.strict_constant if self.strict else None
            return json.loads(text, parse_constant=parse_constant)
        except RecursionError as exc:
            # The scan above misjudged (or the stack is already deep): the same answer, never a 500.
            raise ParseError(TOO_DEEP) from exc
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
