"""An uploaded definition file -> the YAML text of a draft (pure): a YAML file is taken as it
is, an XLSForm (.xlsx, .xls, .zip, .csv) or LimeSurvey export (.lss) is converted, with the
importer's report. The admin page and its checks take it from there (web/views/admin/drafts.py).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from survey_app.definitions import limesurvey
from survey_app.definitions.imports import Conversion, Note, to_yaml
from survey_app.definitions.xlsform import ORIGIN as XLSFORM, XLSFormError, convert_workbook
from survey_app.messages import _l


@dataclass(frozen=True)
class Importer:
    convert: Callable[[bytes, str], Conversion]
    error: type[Exception]   # what convert raises for a file it cannot read at all (has .render)
    origin: str              # for the header of the YAML text
    name: str                # shown with the report


IMPORTERS = {
    **{suffix: Importer(convert_workbook, XLSFormError, XLSFORM, "XLSForm") for suffix in (".xlsx", ".xls", ".zip",
                                                                                           ".csv")},
    ".lss": Importer(limesurvey.convert_lss, limesurvey.LimeSurveyError, limesurvey.ORIGIN, "LimeSurvey"),
}


@dataclass
class Upload:
    text: str                                        # the definition as YAML
    notes: list[Note] = field(default_factory=list)  # what an import changed or left out
    importer: str = ""                               # "" for a YAML file


class UploadRefused(ValueError):
    """The file gives no definition; `reason` has render(gettext) (a Message or an importer's error)."""

    def __init__(self, reason):
        self.reason = reason
        super().__init__(str(reason))


def read_upload(filename: str, data: bytes) -> Upload:
    importer = IMPORTERS.get(Path(filename.lower()).suffix)
    if importer is None:
        try:
            return Upload(data.decode("utf-8"))
        except UnicodeDecodeError:
            raise UploadRefused(_l("The file is not UTF-8 text.")) from None
    try:
        conversion = importer.convert(data, filename)
    except importer.error as error:
        raise UploadRefused(error) from None
    if not conversion.usable:
        raise UploadRefused(_l("No question could be made from this form."))
    return Upload(to_yaml(conversion.definition, importer.origin), conversion.notes, importer.name)
