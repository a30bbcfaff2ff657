"""ui/numbers: a row of numbers as one element, readable back, with texts escaped."""
from ui.numbers import numbers_html, read_numbers


def test_a_row_reads_back_as_drawn_and_markup_in_texts_is_escaped():
    cells = [("W1 / σ", "0.12", "W1 in units of σ; <b>not</b> markup"), ("mean D(G(z))", "0.500", None),
             ("a <script>", "1 < 2 & 3", None)]
    body = numbers_html(cells)
    assert read_numbers(body) == {label: value for label, value, _ in cells}
    assert "<script>" not in body and "<b>" not in body
    assert body.count('title="') == 1  # only cells with a help text get a hover title


def test_an_empty_row_and_foreign_markdown_read_as_nothing():
    assert read_numbers(numbers_html([])) == {}
    assert read_numbers("**Step 12** of a lesson") == {}
