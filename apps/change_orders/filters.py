import django_filters

from apps.change_orders.models import ChangeOrder
from apps.commitments.models import Commitment
from apps.jobs.models import Project


class ChangeOrderFilter(django_filters.FilterSet):
    # Model choices, not numbers: an id past the database's integer range answers 400, not 500.
    commitment = django_filters.ModelChoiceFilter(queryset=Commitment.objects.all())
    project = django_filters.ModelChoiceFilter(field_name="commitment__project", queryset=Project.objects.all())

    class Meta:
        model = ChangeOrder
        fields = ["status", "erp_status", "origin", "commitment", "project"]
