from . import common_pb2 as _common_pb2
from . import reconcile_pb2 as _reconcile_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class HospitalTotalsRequest(_message.Message):
    __slots__ = ("header", "begndate", "enddate", "counterpart", "count", "medfee_sumamt", "fund_pay_sumamt", "acct_pay")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    BEGNDATE_FIELD_NUMBER: _ClassVar[int]
    ENDDATE_FIELD_NUMBER: _ClassVar[int]
    COUNTERPART_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    MEDFEE_SUMAMT_FIELD_NUMBER: _ClassVar[int]
    FUND_PAY_SUMAMT_FIELD_NUMBER: _ClassVar[int]
    ACCT_PAY_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.RequestHeader
    begndate: str
    enddate: str
    counterpart: str
    count: int
    medfee_sumamt: int
    fund_pay_sumamt: int
    acct_pay: int
    def __init__(self, header: _Optional[_Union[_common_pb2.RequestHeader, _Mapping]] = ..., begndate: _Optional[str] = ..., enddate: _Optional[str] = ..., counterpart: _Optional[str] = ..., count: _Optional[int] = ..., medfee_sumamt: _Optional[int] = ..., fund_pay_sumamt: _Optional[int] = ..., acct_pay: _Optional[int] = ...) -> None: ...

class HospitalTotalsResult(_message.Message):
    __slots__ = ("header", "stmt_rslt", "count", "medfee_sumamt", "fund_pay_sumamt", "acct_pay", "differing")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    STMT_RSLT_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    MEDFEE_SUMAMT_FIELD_NUMBER: _ClassVar[int]
    FUND_PAY_SUMAMT_FIELD_NUMBER: _ClassVar[int]
    ACCT_PAY_FIELD_NUMBER: _ClassVar[int]
    DIFFERING_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    stmt_rslt: str
    count: int
    medfee_sumamt: int
    fund_pay_sumamt: int
    acct_pay: int
    differing: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., stmt_rslt: _Optional[str] = ..., count: _Optional[int] = ..., medfee_sumamt: _Optional[int] = ..., fund_pay_sumamt: _Optional[int] = ..., acct_pay: _Optional[int] = ..., differing: _Optional[_Iterable[str]] = ...) -> None: ...

class HospitalDetailsRequest(_message.Message):
    __slots__ = ("header", "begndate", "enddate", "counterpart", "records")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    BEGNDATE_FIELD_NUMBER: _ClassVar[int]
    ENDDATE_FIELD_NUMBER: _ClassVar[int]
    COUNTERPART_FIELD_NUMBER: _ClassVar[int]
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.RequestHeader
    begndate: str
    enddate: str
    counterpart: str
    records: _containers.RepeatedCompositeFieldContainer[_reconcile_pb2.ReconcileRecord]
    def __init__(self, header: _Optional[_Union[_common_pb2.RequestHeader, _Mapping]] = ..., begndate: _Optional[str] = ..., enddate: _Optional[str] = ..., counterpart: _Optional[str] = ..., records: _Optional[_Iterable[_Union[_reconcile_pb2.ReconcileRecord, _Mapping]]] = ...) -> None: ...

class HospitalDifference(_message.Message):
    __slots__ = ("setl_id", "kind", "hospital", "node", "text")
    SETL_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    HOSPITAL_FIELD_NUMBER: _ClassVar[int]
    NODE_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    setl_id: str
    kind: str
    hospital: _reconcile_pb2.ReconcileRecord
    node: _reconcile_pb2.ReconcileRecord
    text: str
    def __init__(self, setl_id: _Optional[str] = ..., kind: _Optional[str] = ..., hospital: _Optional[_Union[_reconcile_pb2.ReconcileRecord, _Mapping]] = ..., node: _Optional[_Union[_reconcile_pb2.ReconcileRecord, _Mapping]] = ..., text: _Optional[str] = ...) -> None: ...

class HospitalDetailsResult(_message.Message):
    __slots__ = ("header", "stmt_rslt", "agreed", "differences")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    STMT_RSLT_FIELD_NUMBER: _ClassVar[int]
    AGREED_FIELD_NUMBER: _ClassVar[int]
    DIFFERENCES_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    stmt_rslt: str
    agreed: int
    differences: _containers.RepeatedCompositeFieldContainer[HospitalDifference]
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., stmt_rslt: _Optional[str] = ..., agreed: _Optional[int] = ..., differences: _Optional[_Iterable[_Union[HospitalDifference, _Mapping]]] = ...) -> None: ...
