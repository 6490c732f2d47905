import django_filters

from apps.jobs.models import CostCode, Project


class ProjectFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", help_text="Number or name contains")

    class Meta:
        model = Project
        fields = ["erp_status", "origin", "number", "erp_id"]

    def search(self, queryset, name, value):
        return queryset.filter(number__icontains=value) | queryset.filter(name__icontains=value)


class CostCodeFilter(django_filters.FilterSet):
    class Meta:
        model = CostCode
        fields = {"code": ["exact", "startswith"], "division": ["exact"]}
