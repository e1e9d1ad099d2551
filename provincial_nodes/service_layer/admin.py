"""Loading a tester's own policy, catalogue and persons into a running node (AdminService).

Documents use the formats of the province data files and are checked as strictly: a
:class:`ConfigError` becomes INVALID_ARGUMENT naming ``yaml.<key>`` and the bad value (shown
once, cut short, names masked), and nothing changes. A document is at most 1 MiB, read with
bounded YAML (:mod:`provincial_nodes.config.bounded_yaml`) in a worker thread: reading the
largest takes about 2 s of CPU, during which the node keeps answering. A loaded
policy or catalogue document is kept in the node's database and reapplied at start (after the
data files), until ``reset``; loaded persons are database rows like any other.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from provincial_nodes import config
from provincial_nodes.adapters.unit_of_work import UnitOfWork, Units
from provincial_nodes.domain.catalogue import Catalogue
from provincial_nodes.domain.policy import PolicyBook, Scheme
from provincial_nodes.service_layer.insured import InsuredRole
from provincial_nodes.service_layer.treatment import TreatmentRole
from services.values.errors import ConfigError, InvalidField, NotFound
from services.values.personal import mask_certno

POLICY, CATALOGUE = "policy", "catalogue"
PSN_NO_MAX = 30


@dataclass(frozen=True)
class Loaded:
    keys: list[str]
    summary: str


SOURCE_NAME_MAX = 200
"""The longest ``source_name`` a document may be given."""


def _invalid(err: ConfigError) -> InvalidField:
    """A document's error as the caller gets it: the key path under ``yaml``, the bad value
    (names masked, cut short: shown once) and the problem."""
    key = f"yaml.{err.key}" if err.key and err.key != "(file)" else "yaml"
    if isinstance(err, config.DocumentError):
        return InvalidField(key, err.value, err.what)
    return InvalidField(key, None, err.problem)


def _reader(label: str, text: str) -> config.Reader:
    """A document sent by a caller: size-limited, then read with bounded YAML."""
    return config.Reader(label, text, max_bytes=config.MAX_DOCUMENT_BYTES)


def _label(name: str, rpc: str) -> str:
    """The document's name for errors and the database: the caller's ``source_name``, checked."""
    if len(name) > SOURCE_NAME_MAX:
        raise InvalidField("source_name", name, f"longer than {SOURCE_NAME_MAX} characters")
    if any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in name):
        raise InvalidField("source_name", name, "holds a control character")
    return name or rpc


def _schemes(r: config.Reader, regions: dict[str, str]) -> list[Scheme]:
    schemes = config.policy_schemes(r)
    for s in schemes:
        if s.key.admdvs not in regions:
            raise config.DocumentError(
                r.file,
                f"schemes.{s.key.admdvs}",
                f"this node insures {', '.join(regions)}",
                s.key.admdvs,
            )
    if not schemes:
        raise ConfigError(r.file, "schemes", "no scheme to load")
    return schemes


def _describe(s: Scheme) -> str:
    k = s.key
    return f"{k.admdvs}/{k.insutype}/{k.med_type}" + (
        f"/{k.opsp_dise_code}" if k.opsp_dise_code else ""
    )


class AdminRole:
    def __init__(
        self,
        units: Units,
        insured: InsuredRole,
        treatment: TreatmentRole,
        base_policy: PolicyBook,
        base_catalogue: Catalogue,
    ) -> None:
        self.units = units
        self.insured = insured
        self.treatment = treatment
        self.base_policy = base_policy
        self.base_catalogue = base_catalogue
        self._applied: list[tuple[str, str, str]] = []
        """The documents in force here, as last read or loaded."""

    # ---- at start -----------------------------------------------------------------------
    def reapply(self) -> int:
        """Apply the documents loaded before a restart, oldest first; returns how many."""
        docs = self.units.run_sync(_documents)
        self._apply(docs)
        return len(docs)

    async def refresh(self) -> bool:
        """A node of several processes: apply what another process loaded or reset (the
        documents in the database differ from those in force here). Whether anything changed."""
        docs = await self.units.run(_documents)
        if docs == self._applied:
            return False
        await asyncio.to_thread(self._apply, docs)
        return True

    def _apply(self, docs: list[tuple[str, str, str]]) -> None:
        policy, catalogue = self.base_policy, self.base_catalogue
        for kind, name, text in docs:
            if kind == POLICY:
                policy = policy.with_schemes(
                    _schemes(config.Reader(name, text), self.insured.regions)
                )
            else:
                catalogue = catalogue.with_entries(
                    config.catalogue_entries(config.Reader(name, text))
                )
        self.insured.policy, self.treatment.catalogue = policy, catalogue
        self._applied = list(docs)

    # ---- loads --------------------------------------------------------------------------
    async def load_policy(self, text: str, name: str) -> Loaded:
        label = _label(name, "LoadPolicy")
        try:
            schemes = await asyncio.to_thread(
                lambda: _schemes(_reader(label, text), self.insured.regions)
            )
        except ConfigError as err:
            raise _invalid(err) from None
        await self.units.run(_add_document, POLICY, name, text)
        self.insured.policy = self.insured.policy.with_schemes(schemes)
        self._applied.append((POLICY, name, text))
        keys = [_describe(s) for s in schemes]
        return Loaded(keys, f"{len(keys)} scheme(s) replaced: {', '.join(keys)}")

    async def load_catalogue(self, text: str, name: str) -> Loaded:
        try:
            label = _label(name, "LoadCatalogue")
            entries = await asyncio.to_thread(
                lambda: config.catalogue_entries(_reader(label, text))
            )
        except ConfigError as err:
            raise _invalid(err) from None
        if not entries:
            raise InvalidField("yaml.entries", name, "no catalogue entry to load")
        await self.units.run(_add_document, CATALOGUE, name, text)
        self.treatment.catalogue = self.treatment.catalogue.with_entries(entries)
        self._applied.append((CATALOGUE, name, text))
        codes = sorted({e.med_list_codg for e in entries})
        return Loaded(codes, f"{len(codes)} catalogue code(s) replaced ({len(entries)} version(s))")

    async def load_persons(self, text: str, name: str) -> Loaded:
        label = _label(name, "LoadPersons")
        try:
            records = await asyncio.to_thread(
                lambda: config.person_records(_reader(label, text), self.insured.regions)
            )
        except ConfigError as err:
            raise _invalid(err) from None
        if not records:
            raise InvalidField("yaml.persons", label, "no person to load")
        given = {r.person.psn_no for r in records}

        def write(uow: UnitOfWork) -> None:
            certnos: dict[str, str] = {}
            for i, rec in enumerate(records):
                other = certnos.setdefault(rec.person.certno, rec.person.psn_no)
                known = uow.persons.by_certno(rec.person.certno)
                if other != rec.person.psn_no or (
                    known is not None and known.psn_no != rec.person.psn_no
                ):
                    holder_of = known.psn_no if known else other
                    raise InvalidField(
                        f"yaml.persons[{i}].certno",
                        mask_certno(rec.person.certno),
                        f"already the ID number of {holder_of}",
                    )
                for j, f in enumerate(rec.filings):
                    held = uow.filings.get(f.filing_id)
                    if held is not None and held.psn_no != rec.person.psn_no:
                        raise InvalidField(
                            f"yaml.persons[{i}].filings[{j}].filing_id",
                            f.filing_id,
                            f"already a filing of {held.psn_no}",
                        )
                for j, q in enumerate(rec.chronic):
                    owner = uow.filings.qualification_owner(q.qual_id)
                    if owner is not None and owner != rec.person.psn_no:
                        raise InvalidField(
                            f"yaml.persons[{i}].chronic[{j}].qual_id",
                            q.qual_id,
                            f"already a qualification of {owner}",
                        )
                holder = rec.person.mulaid_psn_no
                if holder and holder not in given and uow.persons.by_psn_no(holder) is None:
                    raise InvalidField(
                        f"yaml.persons[{i}].mulaid_psn_no",
                        holder,
                        "neither in this document nor a person of this node",
                    )
            for rec in records:
                uow.persons.replace(rec)

        await self.units.run(write)
        keys = sorted(given)
        return Loaded(keys, f"{len(keys)} person(s) loaded")

    async def reset(self, policy: bool, catalogue: bool) -> int:
        kinds = [k for k, on in ((POLICY, policy), (CATALOGUE, catalogue)) if on]
        if not kinds:
            raise InvalidField("policy", False, "say what to reset: policy and/or catalogue")
        dropped = await self.units.run(_drop_documents, kinds)
        self._apply(await self.units.run(_documents))
        return dropped

    async def person_state(self, psn_no: str) -> tuple[int, list[tuple[str, str, int]]]:
        if not psn_no:
            raise InvalidField("psn_no", psn_no, "required")
        if len(psn_no) > PSN_NO_MAX or not (psn_no.isascii() and psn_no.isalnum()):
            raise InvalidField("psn_no", psn_no, f"must be up to {PSN_NO_MAX} letters and digits")

        def read(uow: UnitOfWork) -> tuple[int, list[tuple[str, str, int]]]:
            if uow.persons.by_psn_no(psn_no) is None:
                raise NotFound("psn_no", psn_no, "no insured person with this psn_no here")
            return uow.persons.balance(psn_no), uow.persons.accumulator_rows(psn_no)

        return await self.units.run(read)


def _documents(uow: UnitOfWork) -> list[tuple[str, str, str]]:
    return uow.documents.all_in_order()


def _add_document(uow: UnitOfWork, kind: str, name: str, text: str) -> int:
    return uow.documents.add(kind, name, text)


def _drop_documents(uow: UnitOfWork, kinds: list[str]) -> int:
    return uow.documents.drop(kinds)
