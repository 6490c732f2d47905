"""The writer interface the agent writes through, and how `--writer` picks one.

A writer is any class with two methods:

    write(request: dict) -> Result
        Write one claimed request (its `kind`, `payload`, `inputs`, `idempotency_key`) into the ERP, all
        or nothing, and record its idempotency key in the ERP in the same transaction. Called with a key
        the ERP already holds, answer the first write's result without writing again. A refusal by the
        ERP's rules is `Result(ok=False, messages=[...])` and writes nothing.

    lookup(idempotency_key: str) -> Result | None
        The result of the write the ERP holds under that key, or None when it holds none. The agent asks
        this before writing a request whose earlier write was interrupted, so it must be exact.

`--writer sqlite:PATH` is the shipped SQLite stand-in for Sage; `--writer package.module:ClassName` (or
`package.module:ClassName:ARGUMENT`) imports any other class from the Python path and builds it as
`ClassName()` (or `ClassName(ARGUMENT)`): that is how a Sage 100 Contractor writer plugs in.
"""

import importlib
from dataclasses import dataclass, field


@dataclass
class Result:
    """What the ERP answered: the ids it filed the record under, or why it refused it."""

    ok: bool
    erp_ids: dict[str, str] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)

    @classmethod
    def refused(cls, messages):
        return cls(ok=False, messages=[str(m) for m in messages])

    @classmethod
    def written(cls, erp_ids):
        # The app takes ERP ids as text: a count of entries is "3", not 3.
        return cls(ok=True, erp_ids={str(k): str(v) for k, v in erp_ids.items()})

    def as_dict(self):
        return {"ok": self.ok, "erp_ids": dict(self.erp_ids), "messages": list(self.messages)}

    @classmethod
    def from_dict(cls, data):
        return cls(
            ok=bool(data["ok"]), erp_ids=dict(data.get("erp_ids") or {}), messages=list(data.get("messages") or [])
        )


class Writer:
    """The base a writer may extend (duck typing is enough): see the module docstring for the contract."""

    def write(self, request: dict) -> Result:
        raise NotImplementedError

    def lookup(self, idempotency_key: str) -> Result | None:
        raise NotImplementedError

    def close(self):
        """Release the ERP connection when the agent stops."""


class WriterSpecError(ValueError):
    """`--writer` does not name a writer this agent can load."""


def load_writer(spec):
    """The writer `spec` names: `sqlite:PATH` or `package.module:ClassName[:ARGUMENT]`."""
    scheme, _, rest = spec.partition(":")
    if not rest:
        raise WriterSpecError(f"--writer {spec!r}: use sqlite:PATH or package.module:ClassName[:ARGUMENT].")
    if scheme == "sqlite":
        from erp_agent.sage_writer import SqliteSageWriter

        return SqliteSageWriter(rest)
    # A module name has no ':', so an argument may (a Windows path such as C:\sage\sage.db).
    class_name, _, argument = rest.partition(":")
    try:
        writer_class = getattr(importlib.import_module(scheme), class_name)
    except (ImportError, AttributeError) as exc:
        raise WriterSpecError(f"--writer {spec!r}: cannot load {scheme}.{class_name}: {exc}") from exc
    return writer_class(argument) if argument else writer_class()
