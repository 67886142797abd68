"""Writes old_syntax_household.xls: an English household form in the old XLSForm syntax (as
.xls, the format such forms come in). Run once: python make_xls.py (needs LibreOffice)."""
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from xlsform_builder import sheets  # noqa: E402

SURVEY = [
    ["type", "name", "label:English (en)", "hint:English (en)", "bind:required", "bind:relevant", "bind:constraint",
     "constraint_message:English (en)", "appearance"],
    ["begin group", "hh-info", "About the household", "Ask the head of the household", None, None, None, None,
     "field-list"],
    ["string", "hh-name", "Name of the village"],
    ["int", "hh-size", "How many people live here?", None, "yes", None, ". >= 1 and . <= 40", "1 to 40 people"],
    ["select one from yes_no", "has-children", "Are there children under 5?", None, "yes"],
    ["int", "children", "How many children under 5?", None, None, "selected(${has-children}, '1')",
     ". <= ${hh-size}", "Not more than the household"],
    ["phone number", "phone", "Phone number"],
    ["end group"],
    ["begin loop over members", "member", "Member"],
    ["select one from yes_no", "works", "Does this person work?"],
    ["end loop"],
    ["begin group", "water", "Water"],
    ["select one from source or specify other", "source", "Main source of water"],
    ["select all that apply from problems", "problems", "Problems with water", None, None,
     "${source}='well'or ${source} = 'river'"],
    ["integer", "distance", "Distance in minutes", None, None, "${source} != 'pipe' and ${has-children} = 1"],
    ["end group"],
    ["begin group", "rating", "How satisfied are you?", None, None, "${hh-size} > 1", None, None, "table-list"],
    ["select one from sat", "sat-water", "Water"],
    ["select one from sat", "sat-school", "School"],
    ["select one from sat", "sat-clinic", "Clinic"],
    ["end group"],
    ["note", "thanks", "Thank you!"],
]
CHOICES = [
    ["list name", "name", "label:English (en)"],
    ["yes_no", "1", "Yes"], ["yes_no", "0", "No"],
    ["source", "pipe", "Piped water"], ["source", "well", "Well"], ["source", "river", "River"],
    ["problems", "dirty", "Dirty"], ["problems", "far", "Far away"], ["problems", "costly", "Costly"],
    ["sat", "1", "Not satisfied"], ["sat", "2", "Partly"], ["sat", "3", "Satisfied"],
    ["members", "a", "First"], ["members", "b", "Second"],
]
SETTINGS = [["form_title", "form_id"], ["Household water survey", "household_water"]]

if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "old_syntax_household.xlsx"
        source.write_bytes(sheets(SURVEY, CHOICES, SETTINGS))
        subprocess.run(["soffice", "--headless", "--convert-to", "xls", "--outdir", str(Path(__file__).parent),
                        str(source)], check=True)
