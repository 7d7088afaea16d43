#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Parse reStructuredText files with docutils and print every problem.

Sphinx is not in the harness' packages, so its directives and roles
(kernel-doc, :c:func:, :ref:, ...) are registered as no-ops that still
check their arguments and options; everything else is plain docutils.
Exit status 1 when a file has a warning or worse.
"""
import io
import sys

import docutils.core
import docutils.utils
from docutils.parsers.rst import Directive, directives, roles


class KernelDoc(Directive):
    required_arguments = 1
    final_argument_whitespace = True
    option_spec = {
        'export': directives.unchanged,
        'internal': directives.unchanged,
        'identifiers': directives.unchanged,
        'no-identifiers': directives.unchanged,
        'functions': directives.unchanged,
        'doc': directives.unchanged,
    }

    def run(self):
        return []


def sphinx_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    return [docutils.nodes.literal(rawtext, text)], []


directives.register_directive('kernel-doc', KernelDoc)
for role in ('c:func', 'c:type', 'c:macro', 'c:member', 'ref', 'doc'):
    roles.register_local_role(role, sphinx_role)

bad = 0
for path in sys.argv[1:]:
    with open(path, encoding='utf-8') as f:
        src = f.read()
    warnings = io.StringIO()
    docutils.core.publish_doctree(src, source_path=path, settings_overrides={
        'report_level': docutils.utils.Reporter.WARNING_LEVEL,
        'halt_level': docutils.utils.Reporter.SEVERE_LEVEL + 1,
        'warning_stream': warnings,
    })
    if warnings.getvalue():
        print(warnings.getvalue(), end='')
        bad += 1
sys.exit(1 if bad else 0)
