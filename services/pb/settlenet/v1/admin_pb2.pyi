from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class LoadDocumentRequest(_message.Message):
    __slots__ = ("yaml", "source_name")
    YAML_FIELD_NUMBER: _ClassVar[int]
    SOURCE_NAME_FIELD_NUMBER: _ClassVar[int]
    yaml: str
    source_name: str
    def __init__(self, yaml: _Optional[str] = ..., source_name: _Optional[str] = ...) -> None: ...

class LoadDocumentResponse(_message.Message):
    __slots__ = ("loaded", "keys", "summary")
    LOADED_FIELD_NUMBER: _ClassVar[int]
    KEYS_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    loaded: int
    keys: _containers.RepeatedScalarFieldContainer[str]
    summary: str
    def __init__(self, loaded: _Optional[int] = ..., keys: _Optional[_Iterable[str]] = ..., summary: _Optional[str] = ...) -> None: ...

class ResetDataRequest(_message.Message):
    __slots__ = ("policy", "catalogue")
    POLICY_FIELD_NUMBER: _ClassVar[int]
    CATALOGUE_FIELD_NUMBER: _ClassVar[int]
    policy: bool
    catalogue: bool
    def __init__(self, policy: _Optional[bool] = ..., catalogue: _Optional[bool] = ...) -> None: ...

class ResetDataResponse(_message.Message):
    __slots__ = ("dropped",)
    DROPPED_FIELD_NUMBER: _ClassVar[int]
    dropped: int
    def __init__(self, dropped: _Optional[int] = ...) -> None: ...

class PersonStateRequest(_message.Message):
    __slots__ = ("psn_no",)
    PSN_NO_FIELD_NUMBER: _ClassVar[int]
    psn_no: str
    def __init__(self, psn_no: _Optional[str] = ...) -> None: ...

class Accumulator(_message.Message):
    __slots__ = ("period", "kind", "amount")
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    period: str
    kind: str
    amount: int
    def __init__(self, period: _Optional[str] = ..., kind: _Optional[str] = ..., amount: _Optional[int] = ...) -> None: ...

class PersonStateResponse(_message.Message):
    __slots__ = ("psn_no", "balc", "accumulators")
    PSN_NO_FIELD_NUMBER: _ClassVar[int]
    BALC_FIELD_NUMBER: _ClassVar[int]
    ACCUMULATORS_FIELD_NUMBER: _ClassVar[int]
    psn_no: str
    balc: int
    accumulators: _containers.RepeatedCompositeFieldContainer[Accumulator]
    def __init__(self, psn_no: _Optional[str] = ..., balc: _Optional[int] = ..., accumulators: _Optional[_Iterable[_Union[Accumulator, _Mapping]]] = ...) -> None: ...
