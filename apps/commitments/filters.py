import django_filters

from apps.commitments.models import Commitment
from apps.jobs.models import Project
from apps.vendors.models import Company


class CommitmentFilter(django_filters.FilterSet):
    # Model choices, not numbers: an id past the database's integer range answers 400, not 500.
    project = django_filters.ModelChoiceFilter(queryset=Project.objects.all())
    vendor = django_filters.ModelChoiceFilter(queryset=Company.objects.all())

    class Meta:
        model = Commitment
        fields = ["status", "erp_status", "type", "origin", "project", "vendor", "accounting_method"]
