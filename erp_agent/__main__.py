"""`python -m erp_agent`: run from the folder that holds erp_agent/ (on the Sage server: `py -3.11 -m erp_agent`)."""

import sys

from erp_agent.cli import main

sys.exit(main())
