from django import forms

from .models import Postcode, PostcodeNotFound
from .postcodes import MAX_INPUT_LENGTH, InvalidPostcode


class PostcodeSearchForm(forms.Form):
    postcode = forms.CharField(
        label="Enter a postcode",
        help_text="For example, CM1 1AA. You can also enter the first part, like CM1",
        max_length=MAX_INPUT_LENGTH,
        error_messages={
            "required": "Enter a postcode",
            "max_length": "Enter a postcode, like CM1 1AA. That is too long to be one",
            "null_characters_not_allowed": "Enter a postcode using letters and numbers only",
        },
    )

    def clean_postcode(self):
        text = self.cleaned_data["postcode"]
        try:
            self.location = Postcode.objects.locate(text)
        except (InvalidPostcode, PostcodeNotFound) as error:
            raise forms.ValidationError(error.message) from error
        return self.location.label
