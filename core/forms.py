"""Form helpers shared by every app's pages: Bootstrap Italia's look and accessible errors.

Templates render fields with `includes/field.html`; its errors carry the id that the field's
aria-describedby points at, so screen readers read the message with the field.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorList


class PonteErrorList(ErrorList):
    """Field errors in Bootstrap Italia's look, with the id that aria-describedby points at."""

    template_name = "includes/errors.html"


class PonteBoundField(forms.BoundField):
    """Adds Bootstrap Italia's `is-invalid` class to inputs with errors (Django adds aria-invalid itself)."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        if self.errors and not (widget or self.field.widget).is_hidden:
            attrs["class"] = f"{attrs.get('class', self.field.widget.attrs.get('class', ''))} is-invalid".strip()
        return attrs


class PonteFormMixin:
    """Bootstrap Italia classes on widgets and accessible error lists."""

    bound_field_class = PonteBoundField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("error_class", PonteErrorList)
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if widget.is_hidden or isinstance(
                widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect
            ):
                # Native controls: Bootstrap Italia's .form-check hides the input under its label.
                continue
            widget.attrs.setdefault("class", "form-select" if isinstance(widget, forms.Select) else "form-control")


def date_input():
    """A native date picker that round-trips ISO dates."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def add_service_errors(form, error: ValidationError) -> None:
    """A service's ValidationError on the form: on its field when the form has it, else on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for item in errors:
                form.add_error(target, item)
    else:
        form.add_error(None, error)
