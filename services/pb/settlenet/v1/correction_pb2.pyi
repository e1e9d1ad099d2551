from . import common_pb2 as _common_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
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
