"""The one GOV.UK form field include and its filters."""

from django import forms
from django.template import Context, Template

from core.templatetags.govuk import count_for, describedby, govuk_kind, thousands, visible_nul

FIELD = Template('{% include "includes/field.html" with field=field counts=counts %}')


class Example(forms.Form):
    name = forms.CharField(label="Your name", help_text="As you like to be called", max_length=20)
    story = forms.CharField(label="Tell us", widget=forms.Textarea, max_length=2000)
    colour = forms.ChoiceField(
        label="Colour", choices=[("red", "Red"), ("blue", "Blue")], widget=forms.RadioSelect
    )
    days = forms.MultipleChoiceField(
        label="Days",
        choices=[("mon", "Monday"), ("tue", "Tuesday")],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


def render(field, counts=None):
    return FIELD.render(Context({"field": field, "counts": counts}))


def test_text_input_with_hint_and_error():
    form = Example({"name": "x" * 21})
    html = render(form["name"])
    assert 'class="govuk-form-group govuk-form-group--error"' in html
    assert '<div id="id_name-hint" class="govuk-hint">As you like to be called</div>' in html
    assert 'id="id_name-error" class="govuk-error-message"' in html
    assert 'aria-describedby="id_name-hint id_name-error"' in html
    assert "maxlength" not in html  # free text is never cut off as it is typed


def test_textarea_counts_characters():
    html = render(Example({"story": "a\x00b"})["story"])
    assert 'data-module="govuk-character-count" data-maxlength="2000"' in html
    assert "You can enter up to 2,000 characters" in html
    assert "a\ufffdb</textarea>" in html
    assert 'aria-describedby="id_story-info id_story-error"' in html  # a NUL is refused


def test_radios_give_the_first_option_the_fields_id():
    html = render(Example({})["colour"])
    assert 'id="id_colour" name="colour" type="radio" value="red"' in html
    assert 'id="id_colour-blue" name="colour" type="radio" value="blue"' in html
    assert 'aria-describedby="id_colour-error"' in html  # the summary links to #id_colour


def test_checkboxes_with_counts():
    html = render(Example({"days": ["tue"]})["days"], counts={"mon": 4})
    assert 'class="govuk-checkboxes govuk-checkboxes__input' not in html
    assert (
        '<input class="govuk-checkboxes__input" id="id_days-tue" name="days" type="checkbox" value="tue" checked>'
        in html
    )
    assert 'Monday <span class="app-count">(4)</span>' in html
    assert 'Tuesday <span class="app-count">(0)</span>' in html


def test_filters():
    assert govuk_kind(Example()["days"]) == "checkboxes"
    assert visible_nul(None) == ""
    assert thousands(2000) == "2,000"
    assert thousands("many") == "many"
    assert count_for({"5": 3}, 5) == 3
    assert count_for(None, "x") == 0
    assert describedby("x") == ""
    assert describedby("x", hint=True, error=["bad"]) == ' aria-describedby="x-hint x-error"'
