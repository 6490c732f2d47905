"""What the stand-in's writes check against the Sage it holds: cost codes, jobs, a job's cost codes and types."""

from erp_agent import sage_rules


class Refused(Exception):
    """Sage refused a write; its messages become the request's failure messages."""

    def __init__(self, messages):
        super().__init__("; ".join(messages))
        self.messages = list(messages)


def job_row(connection, job_id):
    return connection.execute("SELECT * FROM jobs WHERE job_id = ?", (str(job_id or ""),)).fetchone()


def known_codes(connection, spellings):
    """({code as spelled: Sage's spelling}, [a refusal per code Sage's cost code list does not have]).

    Sage keeps a cost code as a number: a payload's 2010 is its 2010.000.
    """
    codes, unknown = {}, []
    for spelling in sorted({str(s) for s in spellings}):
        canonical = sage_rules.cost_code_canonical(spelling) or spelling
        if connection.execute("SELECT 1 FROM cost_codes WHERE code = ?", (canonical,)).fetchone():
            codes[spelling] = canonical
        else:
            unknown.append(f"Cost code {spelling} is not in the ERP's cost code list.")
    return codes, unknown


def missing_on_job(connection, job_id, pairs):
    """A refusal per (cost code, cost type) that job `job_id` does not have: contracts take only those."""
    wanted = sorted(
        {(sage_rules.cost_code_canonical(str(code)) or str(code), int(t)) for code, t in pairs if str(t).isdigit()}
    )
    return [
        f"Cost code {code} with cost type {cost_type} is not on job {job_id}: add it to the job first."
        for code, cost_type in wanted
        if not connection.execute(
            "SELECT 1 FROM job_cost_types WHERE job_id = ? AND cost_code = ? AND cost_type = ?",
            (str(job_id), code, cost_type),
        ).fetchone()
    ]
