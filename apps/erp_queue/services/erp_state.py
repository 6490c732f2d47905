"""What the ERP holds: the master data the agent reports is handed to the connector too.

Where the ERP is the embedded ledger, it is written there, so that the app and its ERP never disagree.
"""

from apps.erp_queue.connectors import get_connector


def erp_cost_code_reported(*, code, description, division=""):
    get_connector().take_cost_code(code=code, description=description, division=division)


def erp_cost_type_reported(*, code, name):
    get_connector().take_cost_type(code=code, name=name)


def erp_vendor_type_reported(*, code, name):
    get_connector().take_vendor_type(code=code, name=name)
