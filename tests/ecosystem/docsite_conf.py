# SPDX-License-Identifier: GPL-3.0-or-later
# Appended by `make docsite` to the conf.py that `antsibull-docs sphinx-init` writes.
#
# The build has no network, so intersphinx has no inventory of Ansible's own documentation. The pages
# antsibull-docs renders refer to a few of its labels (and M(ansible.builtin.X) to ansible-core's
# plugins): those are shown as their text, without a link (ansible-doc names them the same way). Any
# other reference that does not resolve, such as a plugin of this collection that does not exist,
# still fails the build (-W, nitpicky).
import re

intersphinx_mapping = {}

ANSIBLE_LABELS = {
    "common_return_values",
    "action_plugins",
    "ansible_configuration_settings",
    "playbooks_module_defaults",
}
BUILTIN = re.compile(r"ansible_collections\.ansible\.builtin\.\w+_(module|filter|test|lookup)")


def _ansible_label(app, env, node, contnode):
    target = node.get("reftarget") or ""
    if node.get("reftype") != "ref" or not (BUILTIN.fullmatch(target) or target in ANSIBLE_LABELS):
        return None
    return contnode


def setup(app):
    app.connect("missing-reference", _ansible_label)
