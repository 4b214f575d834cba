"""Forms of the imports pages. They validate input; the services decide and write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import PonteFormMixin
from imports.choices import Entity, MappedField
from people.choices import DiagnosisGroup, Education, Sex


class UploadForm(PonteFormMixin, forms.Form):
    entity = forms.ChoiceField(label=_("layout"), choices=Entity.choices, initial=Entity.PERSONS, required=False)
    file = forms.FileField(
        label=_("file"),
        help_text=_("CSV (separated by ; or ,) or XLSX, in the layout chosen above. Start from its template."),
    )
    source_system = forms.CharField(
        label=_("old system"),
        max_length=40,
        required=False,
        help_text=_("For example SIAL or Integr@lavoro: used for rows whose source_system cell is empty."),
    )


class MappingForm(PonteFormMixin, forms.Form):
    field = forms.ChoiceField(label=_("column"), choices=MappedField.choices)
    source_value = forms.CharField(label=_("value in the old files"), max_length=120)
    target = forms.ChoiceField(
        label=_("Ponte value"),
        choices=[
            (MappedField.SEX.label, Sex.choices),
            (MappedField.DIAGNOSIS_GROUP.label, DiagnosisGroup.choices),
            (MappedField.EDUCATION.label, Education.choices),
        ],
    )
