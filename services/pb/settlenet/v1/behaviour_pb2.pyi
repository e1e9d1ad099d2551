from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SetBehaviourRequest(_message.Message):
    __slots__ = ("yaml", "source_name")
    YAML_FIELD_NUMBER: _ClassVar[int]
    SOURCE_NAME_FIELD_NUMBER: _ClassVar[int]
    yaml: str
    source_name: str
    def __init__(self, yaml: _Optional[str] = ..., source_name: _Optional[str] = ...) -> None: ...

class GetBehaviourRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class RuleState(_message.Message):
    __slots__ = ("index", "name", "match", "action", "matches")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    MATCH_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    MATCHES_FIELD_NUMBER: _ClassVar[int]
    index: int
    name: str
    match: str
    action: str
    matches: int
    def __init__(self, index: _Optional[int] = ..., name: _Optional[str] = ..., match: _Optional[str] = ..., action: _Optional[str] = ..., matches: _Optional[int] = ...) -> None: ...

class BehaviourState(_message.Message):
    __slots__ = ("rules", "source_name", "yaml")
    RULES_FIELD_NUMBER: _ClassVar[int]
    SOURCE_NAME_FIELD_NUMBER: _ClassVar[int]
    YAML_FIELD_NUMBER: _ClassVar[int]
    rules: _containers.RepeatedCompositeFieldContainer[RuleState]
    source_name: str
    yaml: str
    def __init__(self, rules: _Optional[_Iterable[_Union[RuleState, _Mapping]]] = ..., source_name: _Optional[str] = ..., yaml: _Optional[str] = ...) -> None: ...

class ListCallsRequest(_message.Message):
    __slots__ = ("limit",)
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    limit: int
    def __init__(self, limit: _Optional[int] = ...) -> None: ...

class ServedCall(_message.Message):
    __slots__ = ("time", "transport", "rpc", "infno", "msgid", "psn_no", "certno", "fixmedins_code", "amount_fen", "status", "latency_ms", "rule", "action")
    TIME_FIELD_NUMBER: _ClassVar[int]
    TRANSPORT_FIELD_NUMBER: _ClassVar[int]
    RPC_FIELD_NUMBER: _ClassVar[int]
    INFNO_FIELD_NUMBER: _ClassVar[int]
    MSGID_FIELD_NUMBER: _ClassVar[int]
    PSN_NO_FIELD_NUMBER: _ClassVar[int]
    CERTNO_FIELD_NUMBER: _ClassVar[int]
    FIXMEDINS_CODE_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FEN_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    LATENCY_MS_FIELD_NUMBER: _ClassVar[int]
    RULE_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    time: str
    transport: str
    rpc: str
    infno: str
    msgid: str
    psn_no: str
    certno: str
    fixmedins_code: str
    amount_fen: int
    status: str
    latency_ms: float
    rule: str
    action: str
    def __init__(self, time: _Optional[str] = ..., transport: _Optional[str] = ..., rpc: _Optional[str] = ..., infno: _Optional[str] = ..., msgid: _Optional[str] = ..., psn_no: _Optional[str] = ..., certno: _Optional[str] = ..., fixmedins_code: _Optional[str] = ..., amount_fen: _Optional[int] = ..., status: _Optional[str] = ..., latency_ms: _Optional[float] = ..., rule: _Optional[str] = ..., action: _Optional[str] = ...) -> None: ...

class CallList(_message.Message):
    __slots__ = ("calls", "recorded", "capacity")
    CALLS_FIELD_NUMBER: _ClassVar[int]
    RECORDED_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_FIELD_NUMBER: _ClassVar[int]
    calls: _containers.RepeatedCompositeFieldContainer[ServedCall]
    recorded: int
    capacity: int
    def __init__(self, calls: _Optional[_Iterable[_Union[ServedCall, _Mapping]]] = ..., recorded: _Optional[int] = ..., capacity: _Optional[int] = ...) -> None: ...
