"""The JSON case format (docs/case-format.md): a case read into values, and written back.

The format is the engine's contract with platforms in any language, so reading checks
everything and names the JSON path of the first fault, and writing gives every parameter
explicitly, so that ``load_case(dump_case(case)) == case``. The package is split by what
each part does:

- ``jsontext``: JSON text to values (``parse_json``), and the path notation of errors;
- ``fields``: one JSON value read and checked, with its path;
- ``read_params``, ``read_ballots``, ``read_case``: the careful readers of parameters, of
  ballots and events, and of the whole case (``load_case``);
- ``columns``: the columnar fast path for large rolls and plain ballots, which falls back
  to the careful readers at the first unusual item;
- ``write_case``: the case back to its JSON value (``dump_case``).
"""

from ..errors import CaseError as CaseError
from .jsontext import MAX_DIGITS as MAX_DIGITS
from .jsontext import MAX_EXPONENT as MAX_EXPONENT
from .jsontext import parse_json as parse_json
from .read_case import load_case as load_case
from .read_case import parse_case_text as parse_case_text
from .write_case import dump_case as dump_case

__all__ = [
    "MAX_DIGITS",
    "MAX_EXPONENT",
    "CaseError",
    "dump_case",
    "load_case",
    "parse_case_text",
    "parse_json",
]
