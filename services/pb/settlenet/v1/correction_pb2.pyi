from . import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CorrectionRequest(_message.Message):
    __slots__ = ("header", "psn_no", "omsgid", "oinfno")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    PSN_NO_FIELD_NUMBER: _ClassVar[int]
    OMSGID_FIELD_NUMBER: _ClassVar[int]
    OINFNO_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.RequestHeader
    psn_no: str
    omsgid: str
    oinfno: str
    def __init__(self, header: _Optional[_Union[_common_pb2.RequestHeader, _Mapping]] = ..., psn_no: _Optional[str] = ..., omsgid: _Optional[str] = ..., oinfno: _Optional[str] = ...) -> None: ...

class CorrectionResult(_message.Message):
    __slots__ = ("header", "omsgid", "outcome", "original", "reversal")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    OMSGID_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_FIELD_NUMBER: _ClassVar[int]
    REVERSAL_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    omsgid: str
    outcome: str
    original: _common_pb2.SetlInfo
    reversal: _common_pb2.SetlInfo
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., omsgid: _Optional[str] = ..., outcome: _Optional[str] = ..., original: _Optional[_Union[_common_pb2.SetlInfo, _Mapping]] = ..., reversal: _Optional[_Union[_common_pb2.SetlInfo, _Mapping]] = ...) -> None: ...

class MessageStatusQuery(_message.Message):
    __slots__ = ("header", "omsgid", "follow")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    OMSGID_FIELD_NUMBER: _ClassVar[int]
    FOLLOW_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.RequestHeader
    omsgid: str
    follow: bool
    def __init__(self, header: _Optional[_Union[_common_pb2.RequestHeader, _Mapping]] = ..., omsgid: _Optional[str] = ..., follow: _Optional[bool] = ...) -> None: ...

class MessageStatus(_message.Message):
    __slots__ = ("header", "omsgid", "node", "state", "infno", "setlinfo", "reversal", "insured", "hub")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    OMSGID_FIELD_NUMBER: _ClassVar[int]
    NODE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    INFNO_FIELD_NUMBER: _ClassVar[int]
    SETLINFO_FIELD_NUMBER: _ClassVar[int]
    REVERSAL_FIELD_NUMBER: _ClassVar[int]
    INSURED_FIELD_NUMBER: _ClassVar[int]
    HUB_FIELD_NUMBER: _ClassVar[int]
    header: _common_pb2.ResponseHeader
    omsgid: str
    node: str
    state: str
    infno: str
    setlinfo: _common_pb2.SetlInfo
    reversal: _common_pb2.SetlInfo
    insured: MessageStatus
    hub: MessageStatus
    def __init__(self, header: _Optional[_Union[_common_pb2.ResponseHeader, _Mapping]] = ..., omsgid: _Optional[str] = ..., node: _Optional[str] = ..., state: _Optional[str] = ..., infno: _Optional[str] = ..., setlinfo: _Optional[_Union[_common_pb2.SetlInfo, _Mapping]] = ..., reversal: _Optional[_Union[_common_pb2.SetlInfo, _Mapping]] = ..., insured: _Optional[_Union[MessageStatus, _Mapping]] = ..., hub: _Optional[_Union[MessageStatus, _Mapping]] = ...) -> None: ...

class InDoubtQuery(_message.Message):
    __slots__ = ("msgids", "include_resolved", "limit")
    MSGIDS_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_RESOLVED_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    msgids: _containers.RepeatedScalarFieldContainer[str]
    include_resolved: bool
    limit: int
    def __init__(self, msgids: _Optional[_Iterable[str]] = ..., include_resolved: _Optional[bool] = ..., limit: _Optional[int] = ...) -> None: ...

class InDoubtMessage(_message.Message):
    __slots__ = ("msgid", "infno", "node", "downstream", "insuplc_admdvs", "psn_no", "mdtrt_id", "state", "created_at", "resolved_at", "outcome", "attempts")
    MSGID_FIELD_NUMBER: _ClassVar[int]
    INFNO_FIELD_NUMBER: _ClassVar[int]
    NODE_FIELD_NUMBER: _ClassVar[int]
    DOWNSTREAM_FIELD_NUMBER: _ClassVar[int]
    INSUPLC_ADMDVS_FIELD_NUMBER: _ClassVar[int]
    PSN_NO_FIELD_NUMBER: _ClassVar[int]
    MDTRT_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    RESOLVED_AT_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    msgid: str
    infno: str
    node: str
    downstream: str
    insuplc_admdvs: str
    psn_no: str
    mdtrt_id: str
    state: str
    created_at: str
    resolved_at: str
    outcome: str
    attempts: int
    def __init__(self, msgid: _Optional[str] = ..., infno: _Optional[str] = ..., node: _Optional[str] = ..., downstream: _Optional[str] = ..., insuplc_admdvs: _Optional[str] = ..., psn_no: _Optional[str] = ..., mdtrt_id: _Optional[str] = ..., state: _Optional[str] = ..., created_at: _Optional[str] = ..., resolved_at: _Optional[str] = ..., outcome: _Optional[str] = ..., attempts: _Optional[int] = ...) -> None: ...

class InDoubtList(_message.Message):
    __slots__ = ("messages",)
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    messages: _containers.RepeatedCompositeFieldContainer[InDoubtMessage]
    def __init__(self, messages: _Optional[_Iterable[_Union[InDoubtMessage, _Mapping]]] = ...) -> None: ...
