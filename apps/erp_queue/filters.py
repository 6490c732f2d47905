import django_filters

from apps.erp_queue.models import ERPRequest, StagedRecord


class ERPRequestFilter(django_filters.FilterSet):
    class Meta:
        model = ERPRequest
        fields = ["kind", "status", "object_id", "sent_by"]


class StagedRecordFilter(django_filters.FilterSet):
    class Meta:
        model = StagedRecord
        fields = ["kind", "status", "erp_id"]
