from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RequestTopUpRequest(_message.Message):
    __slots__ = ("province", "request_id", "amount_fen")
    PROVINCE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FEN_FIELD_NUMBER: _ClassVar[int]
    province: str
    request_id: str
    amount_fen: int
    def __init__(self, province: _Optional[str] = ..., request_id: _Optional[str] = ..., amount_fen: _Optional[int] = ...) -> None: ...

class SettleTopUpRequest(_message.Message):
    __slots__ = ("province", "request_id", "arrived", "amount_fen")
    PROVINCE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ARRIVED_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FEN_FIELD_NUMBER: _ClassVar[int]
    province: str
    request_id: str
    arrived: bool
    amount_fen: int
    def __init__(self, province: _Optional[str] = ..., request_id: _Optional[str] = ..., arrived: _Optional[bool] = ..., amount_fen: _Optional[int] = ...) -> None: ...

class TopUpHold(_message.Message):
    __slots__ = ("province", "request_id", "amount_fen", "state", "posted_fen", "available_fen", "pending_fen")
    PROVINCE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FEN_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    POSTED_FEN_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_FEN_FIELD_NUMBER: _ClassVar[int]
    PENDING_FEN_FIELD_NUMBER: _ClassVar[int]
    province: str
    request_id: str
    amount_fen: int
    state: str
    posted_fen: int
    available_fen: int
    pending_fen: int
    def __init__(self, province: _Optional[str] = ..., request_id: _Optional[str] = ..., amount_fen: _Optional[int] = ..., state: _Optional[str] = ..., posted_fen: _Optional[int] = ..., available_fen: _Optional[int] = ..., pending_fen: _Optional[int] = ...) -> None: ...

class ListTopUpsRequest(_message.Message):
    __slots__ = ("province",)
    PROVINCE_FIELD_NUMBER: _ClassVar[int]
    province: str
    def __init__(self, province: _Optional[str] = ...) -> None: ...

class ListTopUpsResponse(_message.Message):
    __slots__ = ("holds",)
    HOLDS_FIELD_NUMBER: _ClassVar[int]
    holds: _containers.RepeatedCompositeFieldContainer[TopUpHold]
    def __init__(self, holds: _Optional[_Iterable[_Union[TopUpHold, _Mapping]]] = ...) -> None: ...
