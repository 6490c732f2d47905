"""Model fields for values the ERP keeps in a form of its own."""

from django.core.validators import RegexValidator
from django.db import models

from apps.core import erp_profile


class CostCodeField(models.CharField):
    """A Sage cost code, stored in its one canonical spelling (2010, 2010.0 and 2010.000 are 2010.000).

    Saving, cleaning and exact or `__in` lookups all take any spelling of a code; a value that is no
    cost code is kept as typed, for the validator to refuse it by name.
    """

    default_validators = [
        RegexValidator(erp_profile.COST_CODE_RE, f"A Sage cost code is {erp_profile.COST_CODE_RULE}.")
    ]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 10)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("max_length") == 10:
            del kwargs["max_length"]
        return name, path, args, kwargs

    @staticmethod
    def canonical(value):
        if value is None:
            return None
        return erp_profile.cost_code_canonical(value) or value

    def to_python(self, value):
        return self.canonical(super().to_python(value))

    def get_prep_value(self, value):
        return self.canonical(super().get_prep_value(value))

    def pre_save(self, model_instance, add):
        value = self.canonical(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value
