#!/usr/bin/env python3
"""Every public function is documented in its header (docs/abi.md,
"Conventions" 9 and "Naming"):

 - each CRMW_API declaration has a Doxygen comment (/** ... */) right
   before it, and the comment says since when it exists (@since);
 - each one that returns an integer (a status, a boolean, a count) says what
   it returns (@return);
 - a deprecated function (@deprecated) names a declared, not deprecated
   function that replaces it.

The checker first proves on small headers written here that it catches
each mistake, then runs over the real headers.

usage: header_doc_test.py SRC_INCLUDE_DIR
"""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from tap import Tap  # noqa: E402
from headers import all_declarations, declarations  # noqa: E402

INT_TYPES = {"int", "int32_t", "int64_t", "uint32_t", "uint64_t", "size_t"}


def problems(decls):
    """The documentation problems of a list of declarations (from every header)."""
    names = {n for n, _, _ in decls}
    deprecated = {n for n, _, d in decls if d and "@deprecated" in d}
    out = []
    for name, ret, doc in decls:
        if doc is None:
            out.append(f"{name}: no doc comment")
            continue
        if "@since" not in doc:
            out.append(f"{name}: no @since")
        if ret in INT_TYPES and "@return" not in doc:
            out.append(f"{name}: returns {ret} but has no @return")
        if "@deprecated" in doc:
            # The replacement is the first function the note names.
            said = doc.split("@deprecated", 1)[1]
            repl = [r for r in re.findall(r"\b(crmw_\w+)\b", said) if r != name][:1]
            if not repl:
                out.append(f"{name}: @deprecated names no replacement")
            for r in repl:
                if r not in names:
                    out.append(f"{name}: @deprecated names {r}, which no header declares")
                elif r in deprecated:
                    out.append(f"{name}: @deprecated names {r}, which is deprecated too")
    return out


t = Tap()

# The checker catches each mistake (and accepts a correct header).
SELF = {
    "a documented function passes":
        ("/** Does a thing.\n * @return CRMW_OK, CRMW_EINVALID\n * @since 0.1 */\n"
         "CRMW_API int crmw_x_do(int a);\n", None),
    "a void function needs no @return":
        "/** Frees it. @since 0.1 */\nCRMW_API void crmw_x_free(void *p);\n",
    "no doc comment":
        ("/* not Doxygen @return 0 @since 0.1 */\nCRMW_API int crmw_x_do(int a);\n",
         "crmw_x_do: no doc comment"),
    "a comment that ends before other code":
        ("/** Documented. @return 0 @since 0.1 */\nCRMW_API int crmw_x_a(void);\n"
         "CRMW_API int crmw_x_b(void);\n", "crmw_x_b: no doc comment"),
    "no @since":
        ("/** Does a thing.\n * @return CRMW_OK */\nCRMW_API int crmw_x_do(int a);\n",
         "crmw_x_do: no @since"),
    "int without @return":
        "/** Does a thing. @since 0.1 */\nCRMW_API int crmw_x_do(int a);\n",
    "int32_t without @return":
        "/** Counts. @since 0.1 */\nCRMW_API int32_t crmw_x_count(const void *x);\n",
    "int64_t without @return":
        "/** Counts. @since 0.1 */\nCRMW_API int64_t crmw_x_count(const void *x);\n",
    "@deprecated without a replacement":
        ("/** Old. @return 0 @deprecated do not use. @since 0.1 */\n"
         "CRMW_API int crmw_x_old(void);\n", "crmw_x_old: @deprecated names no replacement"),
    "@deprecated naming an unknown function":
        ("/** Old. @return 0 @deprecated use crmw_x_nope. @since 0.1 */\n"
         "CRMW_API int crmw_x_old(void);\n", "crmw_x_old: @deprecated names crmw_x_nope, which no header declares"),
    "@deprecated naming a deprecated function":
        ("/** Old. @return 0 @deprecated use crmw_x_b. @since 0.1 */\nCRMW_API int crmw_x_a(void);\n"
         "/** Old. @return 0 @deprecated use crmw_x_a. @since 0.1 */\nCRMW_API int crmw_x_b(void);\n",
         "crmw_x_a: @deprecated names crmw_x_b, which is deprecated too"),
}
for desc, case in SELF.items():
    if isinstance(case, str):
        text, want = case, ("no @return" if "without @return" in desc else None)
    else:
        text, want = case
    got = problems(declarations(text))
    if want is None:
        t.ok(not got, f"self-check: {desc}", "\n".join(got))
    else:
        t.ok(any(want in p for p in got), f"self-check: {desc} is reported", "\n".join(got) or "nothing reported")

# The real headers.
decls = all_declarations(sys.argv[1])
t.ok(len(decls) >= 100, f"found {len(decls)} CRMW_API declarations")
found = problems(decls)
for what, desc in (("no doc comment", "has a doc comment"),
                   ("no @since", "says @since"),
                   ("no @return", "returning an integer says what it returns (@return)"),
                   ("@deprecated", "deprecated function names its replacement")):
    bad = [p for p in found if what in p]
    t.ok(not bad, f"every {desc}" if what == "@deprecated"
         else f"every public function {desc}", f"{len(bad)} missing:\n" + "\n".join(bad))
sys.exit(t.done())
