from . import common_pb2 as _common_pb2
from . import insured_pb2 as _insured_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RegisterNodeRequest(_message.Message):
    __slots__ = ("province_code", "endpoint", "admdvs", "name", "http_endpoint", "version")
    PROVINCE_CODE_FIELD_NUMBER: _ClassVar[int]
    ENDPOINT_FIELD_NUMBER: _ClassVar[int]
    ADMDVS_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    HTTP_ENDPOINT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    province_code: str
    endpoint: str
    admdvs: _containers.RepeatedScalarFieldContainer[str]
    name: str
    http_endpoint: str
    version: str
    def __init__(self, province_code: _Optional[str] = ..., endpoint: _Optional[str] = ..., admdvs: _Optional[_Iterable[str]] = ..., name: _Optional[str] = ..., http_endpoint: _Optional[str] = ..., version: _Optional[str] = ...) -> None: ...

class RegisterNodeResponse(_message.Message):
    __slots__ = ("header", "node_count")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    NODE_COUNT_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    node_count: int
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., node_count: _Optional[int] = ...) -> None: ...

class ListNodesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class NodeInfo(_message.Message):
    __slots__ = ("province_code", "endpoint", "admdvs", "name", "registered_at", "http_endpoint", "version")
    PROVINCE_CODE_FIELD_NUMBER: _ClassVar[int]
    ENDPOINT_FIELD_NUMBER: _ClassVar[int]
    ADMDVS_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    REGISTERED_AT_FIELD_NUMBER: _ClassVar[int]
    HTTP_ENDPOINT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    province_code: str
    endpoint: str
    admdvs: _containers.RepeatedScalarFieldContainer[str]
    name: str
    registered_at: str
    http_endpoint: str
    version: str
    def __init__(self, province_code: _Optional[str] = ..., endpoint: _Optional[str] = ..., admdvs: _Optional[_Iterable[str]] = ..., name: _Optional[str] = ..., registered_at: _Optional[str] = ..., http_endpoint: _Optional[str] = ..., version: _Optional[str] = ...) -> None: ...

class DeregisterNodeRequest(_message.Message):
    __slots__ = ("province_code",)
    PROVINCE_CODE_FIELD_NUMBER: _ClassVar[int]
    province_code: str
    def __init__(self, province_code: _Optional[str] = ...) -> None: ...

class DeregisterNodeResponse(_message.Message):
    __slots__ = ("header", "node_count")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    NODE_COUNT_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    node_count: int
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., node_count: _Optional[int] = ...) -> None: ...

class ListNodesResponse(_message.Message):
    __slots__ = ("nodes",)
    NODES_FIELD_NUMBER: _ClassVar[int]
    nodes: _containers.RepeatedCompositeFieldContainer[NodeInfo]
    def __init__(self, nodes: _Optional[_Iterable[_Union[NodeInfo, _Mapping]]] = ...) -> None: ...

class JournalQuery(_message.Message):
    __slots__ = ("msgid", "limit", "province", "from_time", "to_time", "after_seq", "with_bodies", "forward")
    MSGID_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    PROVINCE_FIELD_NUMBER: _ClassVar[int]
    FROM_TIME_FIELD_NUMBER: _ClassVar[int]
    TO_TIME_FIELD_NUMBER: _ClassVar[int]
    AFTER_SEQ_FIELD_NUMBER: _ClassVar[int]
    WITH_BODIES_FIELD_NUMBER: _ClassVar[int]
    FORWARD_FIELD_NUMBER: _ClassVar[int]
    msgid: str
    limit: int
    province: str
    from_time: str
    to_time: str
    after_seq: int
    with_bodies: bool
    forward: bool
    def __init__(self, msgid: _Optional[str] = ..., limit: _Optional[int] = ..., province: _Optional[str] = ..., from_time: _Optional[str] = ..., to_time: _Optional[str] = ..., after_seq: _Optional[int] = ..., with_bodies: _Optional[bool] = ..., forward: _Optional[bool] = ...) -> None: ...

class JournalEntry(_message.Message):
    __slots__ = ("seq", "msgid", "infno", "from_province", "to_province", "outcome", "setl_id", "fund_pay_sumamt", "routed_at", "latency_ms", "rpc", "request", "response", "error_message", "error_reason")
    SEQ_FIELD_NUMBER: _ClassVar[int]
    MSGID_FIELD_NUMBER: _ClassVar[int]
    INFNO_FIELD_NUMBER: _ClassVar[int]
    FROM_PROVINCE_FIELD_NUMBER: _ClassVar[int]
    TO_PROVINCE_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    SETL_ID_FIELD_NUMBER: _ClassVar[int]
    FUND_PAY_SUMAMT_FIELD_NUMBER: _ClassVar[int]
    ROUTED_AT_FIELD_NUMBER: _ClassVar[int]
    LATENCY_MS_FIELD_NUMBER: _ClassVar[int]
    RPC_FIELD_NUMBER: _ClassVar[int]
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_FIELD_NUMBER: _ClassVar[int]
    ERROR_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    ERROR_REASON_FIELD_NUMBER: _ClassVar[int]
    seq: int
    msgid: str
    infno: str
    from_province: str
    to_province: str
    outcome: str
    setl_id: str
    fund_pay_sumamt: int
    routed_at: str
    latency_ms: int
    rpc: str
    request: bytes
    response: bytes
    error_message: str
    error_reason: str
    def __init__(self, seq: _Optional[int] = ..., msgid: _Optional[str] = ..., infno: _Optional[str] = ..., from_province: _Optional[str] = ..., to_province: _Optional[str] = ..., outcome: _Optional[str] = ..., setl_id: _Optional[str] = ..., fund_pay_sumamt: _Optional[int] = ..., routed_at: _Optional[str] = ..., latency_ms: _Optional[int] = ..., rpc: _Optional[str] = ..., request: _Optional[bytes] = ..., response: _Optional[bytes] = ..., error_message: _Optional[str] = ..., error_reason: _Optional[str] = ...) -> None: ...

class JournalResponse(_message.Message):
    __slots__ = ("entries",)
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[JournalEntry]
    def __init__(self, entries: _Optional[_Iterable[_Union[JournalEntry, _Mapping]]] = ...) -> None: ...
