"""Loading a province's data files strictly.

A province folder holds ``province.yaml`` (identity, regions, institutions), ``catalogue.yaml``
(the treatment catalogue), ``policy.yaml`` (the insured policy, effective-dated) and
``persons.yaml`` (insured persons to seed). Every problem — a wrong type, an unknown key, a gap
or overlap in dates, a ratio outside 0–100% — raises :class:`ConfigError` naming the file, the
key and the problem (a :class:`DocumentError`, which carries the bad value too), and the
node does not start.

One module per document — :mod:`.province`, :mod:`.catalogue`, :mod:`.policy`,
:mod:`.persons` — over the shared strict :mod:`.reader`; :mod:`.folder` loads a whole province.
"""

from __future__ import annotations

from provincial_nodes.config.catalogue import catalogue_entries, load_catalogue
from provincial_nodes.config.folder import DEFAULT_DATA, ProvinceData, load, province_folder
from provincial_nodes.config.persons import load_persons, person_from_mapping, person_records
from provincial_nodes.config.policy import load_policy, policy_schemes
from provincial_nodes.config.province import load_province_file
from provincial_nodes.config.reader import MAX_DOCUMENT_BYTES, DocumentError, Reader

__all__ = [
    "DEFAULT_DATA",
    "MAX_DOCUMENT_BYTES",
    "DocumentError",
    "ProvinceData",
    "Reader",
    "catalogue_entries",
    "load",
    "load_catalogue",
    "load_persons",
    "load_policy",
    "load_province_file",
    "person_from_mapping",
    "person_records",
    "policy_schemes",
    "province_folder",
]
