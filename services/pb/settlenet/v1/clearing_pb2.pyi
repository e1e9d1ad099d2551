from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ClearMonthRequest(_message.Message):
    __slots__ = ("month",)
    MONTH_FIELD_NUMBER: _ClassVar[int]
    month: str
    def __init__(self, month: _Optional[str] = ...) -> None: ...

class StatementLine(_message.Message):
    __slots__ = ("counterpart", "payable_fen", "payable_count", "receivable_fen", "receivable_count")
    COUNTERPART_FIELD_NUMBER: _ClassVar[int]
    PAYABLE_FEN_FIELD_NUMBER: _ClassVar[int]
    PAYABLE_COUNT_FIELD_NUMBER: _ClassVar[int]
    RECEIVABLE_FEN_FIELD_NUMBER: _ClassVar[int]
    RECEIVABLE_COUNT_FIELD_NUMBER: _ClassVar[int]
    counterpart: str
    payable_fen: int
    payable_count: int
    receivable_fen: int
    receivable_count: int
    def __init__(self, counterpart: _Optional[str] = ..., payable_fen: _Optional[int] = ..., payable_count: _Optional[int] = ..., receivable_fen: _Optional[int] = ..., receivable_count: _Optional[int] = ...) -> None: ...

class Statement(_message.Message):
    __slots__ = ("month", "province", "lines", "payable_fen", "receivable_fen", "net_fen", "confirmed_at")
    MONTH_FIELD_NUMBER: _ClassVar[int]
    PROVINCE_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    PAYABLE_FEN_FIELD_NUMBER: _ClassVar[int]
    RECEIVABLE_FEN_FIELD_NUMBER: _ClassVar[int]
    NET_FEN_FIELD_NUMBER: _ClassVar[int]
    CONFIRMED_AT_FIELD_NUMBER: _ClassVar[int]
    month: str
    province: str
    lines: _containers.RepeatedCompositeFieldContainer[StatementLine]
    payable_fen: int
    receivable_fen: int
    net_fen: int
    confirmed_at: str
    def __init__(self, month: _Optional[str] = ..., province: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[StatementLine, _Mapping]]] = ..., payable_fen: _Optional[int] = ..., receivable_fen: _Optional[int] = ..., net_fen: _Optional[int] = ..., confirmed_at: _Optional[str] = ...) -> None: ...

class ClearMonthResponse(_message.Message):
    __slots__ = ("month", "posted", "statements", "records", "cleared_at")
    MONTH_FIELD_NUMBER: _ClassVar[int]
    POSTED_FIELD_NUMBER: _ClassVar[int]
    STATEMENTS_FIELD_NUMBER: _ClassVar[int]
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    CLEARED_AT_FIELD_NUMBER: _ClassVar[int]
    month: str
    posted: bool
    statements: _containers.RepeatedCompositeFieldContainer[Statement]
    records: int
    cleared_at: str
    def __init__(self, month: _Optional[str] = ..., posted: _Optional[bool] = ..., statements: _Optional[_Iterable[_Union[Statement, _Mapping]]] = ..., records: _Optional[int] = ..., cleared_at: _Optional[str] = ...) -> None: ...

class ConfirmStatementRequest(_message.Message):
    __slots__ = ("month", "province")
    MONTH_FIELD_NUMBER: _ClassVar[int]
    PROVINCE_FIELD_NUMBER: _ClassVar[int]
    month: str
    province: str
    def __init__(self, month: _Optional[str] = ..., province: _Optional[str] = ...) -> None: ...

class GetClearingRequest(_message.Message):
    __slots__ = ("month",)
    MONTH_FIELD_NUMBER: _ClassVar[int]
    month: str
    def __init__(self, month: _Optional[str] = ...) -> None: ...
