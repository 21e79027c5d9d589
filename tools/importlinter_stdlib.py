"""An import-linter contract: the source modules import the standard library only.

A ``forbidden`` contract lists what may not be imported; this one lists what may be (the
standard library and the source packages themselves), so that no third-party package can
slip into the engine unnoticed.
"""

from __future__ import annotations

import sys
from typing import cast

from grimp import ImportGraph, Module
from importlinter import Contract, ContractCheck, fields, output


class StdlibOnlyContract(Contract):
    """Source modules may import the standard library and themselves, nothing else."""

    source_modules = fields.ListField(subfield=fields.ModuleField())

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        """Every direct import of a source module (and its descendants) is checked."""
        broken = []
        for source in cast("list[Module]", self.source_modules):
            own = source.name
            for module in sorted({own} | graph.find_descendants(own)):
                for imported in sorted(graph.find_modules_directly_imported_by(module)):
                    inside = imported == own or imported.startswith(own + ".")
                    if inside or imported.split(".")[0] in sys.stdlib_module_names:
                        continue
                    details = graph.get_import_details(importer=module, imported=imported)
                    lines = ", ".join(str(d["line_number"]) for d in details)
                    broken.append({"importer": module, "imported": imported, "lines": lines})
        return ContractCheck(kept=not broken, metadata={"broken": broken})

    def render_broken_contract(self, check: ContractCheck) -> None:
        """List each forbidden import with its line numbers."""
        for item in check.metadata["broken"]:
            output.print_error(
                f"{item['importer']} imports {item['imported']} (l. {item['lines']}):"
                " only the standard library is allowed",
                bold=False,
            )
            output.new_line()
