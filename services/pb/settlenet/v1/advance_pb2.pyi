from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AdvanceStatus(_message.Message):
    __slots__ = ("province", "size_fen", "available_fen", "used_ratio", "level", "flagged_count")
    PROVINCE_FIELD_NUMBER: _ClassVar[int]
    SIZE_FEN_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_FEN_FIELD_NUMBER: _ClassVar[int]
    USED_RATIO_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    FLAGGED_COUNT_FIELD_NUMBER: _ClassVar[int]
    province: str
    size_fen: int
    available_fen: int
    used_ratio: str
    level: str
    flagged_count: int
    def __init__(self, province: _Optional[str] = ..., size_fen: _Optional[int] = ..., available_fen: _Optional[int] = ..., used_ratio: _Optional[str] = ..., level: _Optional[str] = ..., flagged_count: _Optional[int] = ...) -> None: ...

class QueryAdvancesRequest(_message.Message):
    __slots__ = ("province",)
    PROVINCE_FIELD_NUMBER: _ClassVar[int]
    province: str
    def __init__(self, province: _Optional[str] = ...) -> None: ...

class QueryAdvancesResponse(_message.Message):
    __slots__ = ("advances", "exhausted_policy")
    ADVANCES_FIELD_NUMBER: _ClassVar[int]
    EXHAUSTED_POLICY_FIELD_NUMBER: _ClassVar[int]
    advances: _containers.RepeatedCompositeFieldContainer[AdvanceStatus]
    exhausted_policy: str
    def __init__(self, advances: _Optional[_Iterable[_Union[AdvanceStatus, _Mapping]]] = ..., exhausted_policy: _Optional[str] = ...) -> None: ...

class TopUpRequest(_message.Message):
    __slots__ = ("province", "request_id")
    PROVINCE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    province: str
    request_id: str
    def __init__(self, province: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class ResizeRequest(_message.Message):
    __slots__ = ("province", "size_fen", "months", "year", "request_id")
    PROVINCE_FIELD_NUMBER: _ClassVar[int]
    SIZE_FEN_FIELD_NUMBER: _ClassVar[int]
    MONTHS_FIELD_NUMBER: _ClassVar[int]
    YEAR_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    province: str
    size_fen: int
    months: int
    year: int
    request_id: str
    def __init__(self, province: _Optional[str] = ..., size_fen: _Optional[int] = ..., months: _Optional[int] = ..., year: _Optional[int] = ..., request_id: _Optional[str] = ...) -> None: ...
