import django_filters

from apps.budgets.models import Budget


class BudgetFilter(django_filters.FilterSet):
    class Meta:
        model = Budget
        fields = ["status", "origin", "project"]
