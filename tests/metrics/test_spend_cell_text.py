"""cell_text's shortcut for cells already clean must give what the full reading gives."""

from hypothesis import given
from hypothesis import strategies as st

from metrics.spend.values import C1_AS_WINDOWS_1252, cell_text


def _full_reading(text: str) -> str:
    text = text.replace("\x00", "").translate(C1_AS_WINDOWS_1252)
    return " ".join(text.split())


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=30))
def test_any_text_reads_as_the_full_reading_gives(text):
    assert cell_text(text) == _full_reading(text)


@given(st.text(alphabet=" \t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u2028\u3000\x00\x96ab", max_size=12))
def test_text_made_of_spaces_and_controls_reads_as_the_full_reading_gives(text):
    assert cell_text(text) == _full_reading(text)
