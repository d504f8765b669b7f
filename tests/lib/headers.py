"""The public functions of the headers and their doc comments, as the ABI
tests read them (tests/abi/header_doc_test.py, tests/abi/export_test.py).

A declaration is a line starting with CRMW_API; its doc comment is the
/** ... */ block right before it (only white space between).
"""
import os
import re

DECL = re.compile(r"^CRMW_API\s+([^;(]*?)\b(crmw_\w+)\s*\(", re.M)
DOC_BEFORE = re.compile(r"/\*\*((?:(?!\*/).)*)\*/\s*$", re.S)


def declarations(text):
    """[(name, return type, doc comment or None)] of the CRMW_API functions of `text`."""
    out = []
    for m in DECL.finditer(text):
        doc = DOC_BEFORE.search(text[:m.start()])
        out.append((m.group(2), " ".join(m.group(1).split()), doc.group(1) if doc else None))
    return out


def all_declarations(include_dir):
    """declarations() of every header under `include_dir`."""
    out = []
    for root, _, files in os.walk(include_dir):
        for f in sorted(files):
            if f.endswith(".h"):
                out += declarations(open(os.path.join(root, f), encoding="utf-8").read())
    return out
