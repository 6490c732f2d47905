"""Writers the tests plug in with `--writer tests.agent.writers:Class:PATH`; standard library and erp_agent only."""

import os
import signal
import time
from pathlib import Path

from erp_agent.sage_writer import SqliteSageWriter


class KillAfterWrite(SqliteSageWriter):
    """Dies the hard way right after the ERP committed the write: the agent never records or reports it."""

    def write(self, request):
        result = super().write(request)
        os.kill(os.getpid(), signal.SIGKILL)
        return result


class StuckWriter(SqliteSageWriter):
    """Hangs before writing (a Sage screen waiting for someone), saying so in a file beside the database."""

    def write(self, request):
        Path(f"{self.path}.stuck").write_text(str(request["id"]))
        time.sleep(60)
        return super().write(request)
