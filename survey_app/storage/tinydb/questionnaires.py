"""Questionnaires uploaded by admins, in the data folder (storage.interface.UploadedQuestionnaires):

  questionnaires/<id>.yaml                        published: served with the shipped ones
  questionnaires/drafts/<draft>/definition.yaml   an upload not published yet ...
  questionnaires/drafts/<draft>/about.yaml        ... with who uploaded it when, which file

Plain files, so that an admin may also fix a published YAML file by hand (the catalogue sees the
change at once, by the files' times and sizes). Changes of drafts and publishing take
questionnaires/drafts.lock; each file is written atomically."""
from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from filelock import FileLock

from survey_app.storage.ids import new_upload_draft_id, valid_upload_draft, valid_upload_name
from survey_app.storage.tinydb.files import LOCK_TIMEOUT, make_dirs, write_atomic

UPLOADS = "questionnaires"  # the folder for uploaded definitions, inside the data folder
DRAFTS = "drafts"           # inside UPLOADS: uploaded definitions not published yet
_DRAFT_TEXT, _DRAFT_ABOUT = "definition.yaml", "about.yaml"
SUFFIXES = (".yaml", ".yml")


def _about_text(about: dict) -> str:
    return yaml.safe_dump(about, allow_unicode=True, sort_keys=False)


class QuestionnaireFolder:
    """The uploads of one data folder (Store.uploaded_questionnaires(); check-data opens one on any folder)."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.drafts_folder = self.folder / DRAFTS

    def _files(self) -> list[Path]:
        if not self.folder.is_dir():
            return []
        return sorted(p for p in self.folder.iterdir() if p.suffix in SUFFIXES and p.is_file())

    def signature(self) -> tuple:
        return tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in self._files())

    def published(self) -> list[tuple[str, bytes]]:
        found = []
        for path in self._files():
            try:
                found.append((path.name, path.read_bytes()))
            except OSError:   # removed since it was listed
                pass
        return found

    def location(self, name: str) -> str:
        return str(self.folder / name)

    def _lock(self) -> FileLock:
        make_dirs(self.folder)
        return FileLock(str(self.folder / "drafts.lock"), timeout=LOCK_TIMEOUT)

    def add_draft(self, text: str, about: dict) -> str:
        draft_id = new_upload_draft_id()
        folder = self.drafts_folder / draft_id
        make_dirs(folder)
        write_atomic(folder / _DRAFT_ABOUT, _about_text(about))
        write_atomic(folder / _DRAFT_TEXT, text)  # last: a draft without its text is not listed
        return draft_id

    def draft(self, draft_id: str) -> tuple[str, dict] | None:
        if not valid_upload_draft(draft_id):
            return None
        folder = self.drafts_folder / draft_id
        try:
            text = (folder / _DRAFT_TEXT).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        try:
            about = yaml.load((folder / _DRAFT_ABOUT).read_bytes(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except (OSError, yaml.YAMLError):
            about = None
        return text, about if isinstance(about, dict) else {}

    def drafts(self) -> list[tuple[str, str, dict]]:
        if not self.drafts_folder.is_dir():
            return []
        found = [(entry.name, self.draft(entry.name)) for entry in sorted(self.drafts_folder.iterdir()) if entry.is_dir()]
        return [(draft_id, *draft) for draft_id, draft in found if draft]

    def change_draft(self, draft_id: str, text: str, about: dict) -> bool:
        with self._lock():
            draft = self.draft(draft_id)
            if draft is None:
                return False
            folder = self.drafts_folder / draft_id
            write_atomic(folder / _DRAFT_ABOUT, _about_text({**draft[1], **about}))
            write_atomic(folder / _DRAFT_TEXT, text)
            return True

    def discard_draft(self, draft_id: str) -> bool:
        with self._lock():
            if self.draft(draft_id) is None:
                return False
            shutil.rmtree(self.drafts_folder / draft_id)
            return True

    def publish_draft(self, draft_id: str, checked_text: str, name: str) -> bool:
        if not valid_upload_name(name):
            raise ValueError(f"not the file name of a questionnaire: {name!r}")
        with self._lock():
            draft = self.draft(draft_id)
            if draft is None or draft[0] != checked_text:
                return False
            write_atomic(self.folder / name, draft[0])
            shutil.rmtree(self.drafts_folder / draft_id)
            return True

    # -- copy-storage ------------------------------------------------------------------

    def import_published(self, name: str, text: str) -> None:
        make_dirs(self.folder)
        write_atomic(self.folder / name, text)

    def import_draft(self, draft_id: str, text: str, about: dict) -> None:
        folder = self.drafts_folder / draft_id
        make_dirs(folder)
        write_atomic(folder / _DRAFT_ABOUT, _about_text(about))
        write_atomic(folder / _DRAFT_TEXT, text)

