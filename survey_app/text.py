"""Text as people send it, in one normal form (pure).

Every form field a browser sends goes through ``clean`` (see views/main.py, Request), so
what is stored, compared and exported is the same text however it was typed or pasted:
composed Unicode (NFC, so "ü" typed on a Mac equals "ü" typed elsewhere), line breaks as
"\\n" (Windows' CR LF, Word's vertical tab, the Unicode line and paragraph separators), and
no control characters, which spreadsheets refuse (an XLSX cell cannot hold "\\x0b") and
nobody means to type. Tabs and line breaks stay.
"""
from __future__ import annotations

import re
import unicodedata

# CR LF, CR, vertical tab (Word's line break), form feed, NEL, line and paragraph separator.
_LINE_BREAK = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
# C0 and C1 controls except tab and line feed, DEL, lone surrogates (only in data that was
# stored escaped) and the two noncharacters that XML forbids.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def clean(text: str) -> str:
    """`text` in NFC with "\\n" as its only line break and without control characters."""
    return unicodedata.normalize("NFC", _CONTROL.sub("", _LINE_BREAK.sub("\n", text)))
