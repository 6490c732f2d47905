import django_filters

from apps.jobs.models import Project
from apps.vendors.models import Company


class CompanyFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", help_text="Name or abbreviated name contains")
    # A model choice, not a number: an id past the database's integer range answers 400, not 500.
    project = django_filters.ModelChoiceFilter(
        field_name="projects", queryset=Project.objects.all(), help_text="In this project's directory"
    )

    class Meta:
        model = Company
        fields = ["erp_status", "origin", "is_active", "erp_id", "vendor_type"]

    def search(self, queryset, name, value):
        return queryset.filter(name__icontains=value) | queryset.filter(abbreviated_name__icontains=value)
