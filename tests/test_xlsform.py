"""XLSForm import: real .xlsx, .xls and CSV files, good, old-fashioned and hostile, through the
module, the CLI, the admin upload and the respondent routes."""
from __future__ import annotations

from xlsform_builder import SURVEY_HEADER, xlsform  # noqa: F401  (shared with test_definition_upload)

CHOICES = [("org", "welfare", "Wohlfahrtsverband", "Welfare association"), ("org", "city", "Stadt", "City"),
           ("topics", "net", "Netzwerk", "Networking"), ("topics", "nav", "Lotsen", "Navigation")]
FULL = [
    ("begin group", "about", "Über Sie", "About you"),
    ("select_one org", "org", "Organisation", "Organisation", "Bitte eine", "yes"),
    ("integer", "years", "Jahre", "Years", None, "true", "${org} = 'welfare'", ". >= 0 and . <= 60"),
    ("decimal", "share", "Anteil", "Share", None, None, None, ". >= 0 and . <= 1.5"),
    ("end group",),
    ("begin group", "more", "Mehr", "More"),
    ("select_multiple topics", "topics", "Themen", "Topics", None, None, None, "count-selected(.) <= 1"),
    ("text", "comment", "Kommentar", "Comment", None, None, "selected(${topics}, 'net') or ${years} > 5",
     "string-length(.) <= 300", "multiline"),
    ("text", "name_short", "Kurz", "Short", None, None, "not(${org} = 'city')"),
    ("date", "since", "Seit", "Since"),
    ("note", "thanks", "Danke", "Thanks"),
    ("end group",),
]
